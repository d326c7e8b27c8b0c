"""
=====================================================
Grid search over the initialization and learning rate
=====================================================

``init`` is an ordinary hyper-parameter: :class:`~sklearn.model_selection.GridSearchCV`
can search it jointly with ``learning_rate_init``, inside a pipeline that
standardizes the inputs first. The two interact: the initialization shifts
the range of learning rates that train well.

The network is a deep, narrow ReLU MLP (6 hidden layers of 32 units) trained
by plain SGD with momentum for a fixed, small number of epochs on the digits
dataset, so that the initialization matters. The heatmap shows the mean
cross-validated accuracy (GridSearchCV's ``mean_test_score``) for every
pair; the best pair is then scored on a held-out test set.

Figures are written to ``$MLPINIT_FIGURE_DIR`` (default ``examples/figures``).
``MLPINIT_QUICK=1`` runs a much smaller version, to check that the script
works; its numbers do not show the effect.
"""

import os
import textwrap
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from mlpinit import MLPClassifier

# sphinx_gallery_start_ignore
# Where the figures go, and whether this is a quick run (see above).
if "MLPINIT_FIGURE_DIR" in os.environ:
    FIGURE_DIR = Path(os.environ["MLPINIT_FIGURE_DIR"])
elif "__file__" in globals():
    FIGURE_DIR = Path(__file__).resolve().parent / "figures"
else:  # the docs gallery runs this script from examples/, without __file__
    FIGURE_DIR = Path.cwd() / "figures"
FIGURE_DIR.mkdir(parents=True, exist_ok=True)
QUICK = os.environ.get("MLPINIT_QUICK", "") not in ("", "0")
# sphinx_gallery_end_ignore

X, y = load_digits(return_X_y=True)
if QUICK:
    X, y = X[:400], y[:400]
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, random_state=0
)

# %%
# The search
# ----------
# ``StandardScaler`` rather than ``MeanNormStandardizer``: the latter divides
# each centred column by its norm, leaving a standard deviation of
# ``1 / sqrt(n_rows)``, which moves every good learning rate up by a large
# factor (see ``plot_normalization.py``).
pipeline = Pipeline(
    [
        ("scale", StandardScaler()),
        (
            "mlp",
            MLPClassifier(
                hidden_layer_sizes=(32,) * 6,
                activation="relu",
                solver="sgd",
                momentum=0.9,
                max_iter=25,
                random_state=0,
            ),
        ),
    ]
)
INITS = ["sklearn", "glorot_uniform", "xavier", "he"]
LEARNING_RATES = [0.001, 0.003, 0.01, 0.03, 0.1]
if QUICK:
    INITS, LEARNING_RATES = ["sklearn", "he"], [0.01, 0.1]
    pipeline.set_params(mlp__max_iter=3)
search = GridSearchCV(
    pipeline,
    {"mlp__init": INITS, "mlp__learning_rate_init": LEARNING_RATES},
    cv=3,
    error_score=0.0,  # a diverged fit scores 0 instead of stopping the search
)
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)
    warnings.simplefilter("ignore", RuntimeWarning)  # overflow in diverging fits
    warnings.simplefilter("ignore", UserWarning)  # GridSearchCV's failed-fit notes
    search.fit(X_train, y_train)

# %%
# The heatmap
# -----------
scores = np.empty((len(INITS), len(LEARNING_RATES)))
for params, score in zip(
    search.cv_results_["params"], search.cv_results_["mean_test_score"]
):
    i = INITS.index(params["mlp__init"])
    j = LEARNING_RATES.index(params["mlp__learning_rate_init"])
    scores[i, j] = score

fig, ax = plt.subplots(figsize=(7.5, 4.5))
image = ax.imshow(scores, cmap="viridis", vmin=0, vmax=1)
ax.set_xticks(range(len(LEARNING_RATES)), [f"{lr:g}" for lr in LEARNING_RATES])
ax.set_yticks(range(len(INITS)), INITS)
ax.set_xlabel("learning_rate_init")
ax.set_ylabel("init")
for i in range(len(INITS)):
    for j in range(len(LEARNING_RATES)):
        ax.text(
            j,
            i,
            f"{scores[i, j]:.2f}",
            ha="center",
            va="center",
            color="black" if scores[i, j] > 0.6 else "white",
        )
fig.colorbar(image, ax=ax, label="mean CV accuracy")
best = search.best_params_
test_score = search.score(X_test, y_test)
ax.set_title(
    f"StandardScaler + 6x32 ReLU MLP, SGD, {pipeline.get_params()['mlp__max_iter']} "
    "epochs, digits\n"
    f"best: init={best['mlp__init']}, lr={best['mlp__learning_rate_init']:g}, "
    f"test accuracy {test_score:.3f}",
    fontsize=10,
)
fig.tight_layout()
fig.savefig(FIGURE_DIR / "grid_search_init_lr.png", dpi=100)

# ``report`` prints each line and keeps it: the docs' claims page quotes the
# recorded copy (``grid_search_init_lr.txt`` beside the figure).
REPORT = []


def report(line):
    if line.startswith("What it shows: "):  # the closing sentence, wrapped
        line = textwrap.fill(line, width=79)
    print(line)
    REPORT.append(line)


report("Mean CV accuracy (rows: init, columns: learning_rate_init):")
report("  " + " " * 15 + "".join(f"{lr:>8g}" for lr in LEARNING_RATES))
for init, row in zip(INITS, scores):
    report(f"  {init:15s}" + "".join(f"{s:8.3f}" for s in row))
report(f"Best {best}; held-out test accuracy {test_score:.3f}")
best_lr = {
    init: LEARNING_RATES[int(np.argmax(row))] for init, row in zip(INITS, scores)
}
report(
    "What it shows: the initialization moves the range of learning rates that "
    "work; the best rate per init is "
    + ", ".join(f"{lr:g} for {init}" for init, lr in best_lr.items())
    + f", and the best pair scores {test_score:.3f} on the held-out quarter."
)
with open(FIGURE_DIR / "grid_search_init_lr.txt", "w") as recorded:
    recorded.write("\n".join(REPORT) + "\n")
