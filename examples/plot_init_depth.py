"""
=====================================================
When does the initialization matter? Depth 1 to 32
=====================================================

The article's second rule says to initialize each layer so that its
activations keep zero mean and unit variance: He's ``2 / fan_in`` for ReLU,
``1 / fan_in`` for tanh, LeCun-normal weights for SELU (Klambauer et al.
2017's self-normalizing network). This script measures when following it
changes the result, against scikit-learn's own Glorot-uniform scheme.

Every ``init`` of :class:`~mlpinit.MLPClassifier` (``"sklearn"``,
``"glorot_uniform"``, ``"xavier"``, ``"he"``, ``"orthogonal"``, ``"lsuv"``
and the default ``"auto"``) trains MLPs of 1, 2, 4, 8, 16 and 32 hidden
layers of 64 units, with relu (Adam, and SGD with Nesterov momentum), tanh
and selu (Adam), on two datasets: the digits (800 training rows) and a
generated 5-class problem (``make_classification``, 20 features, 800
training rows), both standardized. Each fit runs a fixed number of epochs
from 3 seeds. Reported per cell: the final training loss, the epochs to
reach a target training loss (0.5 on digits, 1.0 on the generated data;
"never" if not reached, "k/3" if only k seeds did), and the test accuracy.
"STALL" marks a final loss still above 90% of the chance level ``ln(K)``.

``"auto"`` is ``"sklearn"`` for at most 8 hidden layers, so those cells are
the ``"sklearn"`` cells (the fits are identical); beyond, it follows each
layer's activation (He for relu hidden layers, ``1 / fan_in`` for tanh
and for the output layer, LeCun normal for selu).

The full run takes about 10 to 15 minutes on two cores. Results are cached
in ``$MLPINIT_FIGURE_DIR/init_depth_results.json``, so a rerun computes only
the missing cells. Figures and the table (``init_depth.txt``) are written to
``$MLPINIT_FIGURE_DIR`` (default ``examples/figures``). ``MLPINIT_QUICK=1``
runs a much smaller version, to check that the script works; its numbers do
not show the effect.
"""

import json
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from mlpinit import MLPClassifier
from mlpinit.initializers import AUTO_SKLEARN_MAX_HIDDEN

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

INITS = ["sklearn", "glorot_uniform", "xavier", "he", "orthogonal", "lsuv", "auto"]
# (activation, solver): relu twice, since SGD is where depth hurts most.
SETTINGS = [("relu", "adam"), ("relu", "sgd"), ("tanh", "adam"), ("selu", "adam")]
LEARNING_RATE = {"adam": 1e-3, "sgd": 1e-2}
TARGET_LOSS = {"digits": 0.5, "generated": 1.0}
if QUICK:
    DEPTHS, WIDTH, EPOCHS, SEEDS, N_TRAIN = [1, 4], 16, 3, [0], 200
    SETTINGS = SETTINGS[:2]
else:
    DEPTHS, WIDTH, EPOCHS, SEEDS, N_TRAIN = [1, 2, 4, 8, 16, 32], 64, 15, [0, 1, 2], 800
BATCH_SIZE = 64


def datasets():
    """Standardized train/test splits of the two problems, with their classes."""
    X_digits, y_digits = load_digits(return_X_y=True)
    X_gen, y_gen = make_classification(
        n_samples=1500, n_features=20, n_informative=10, n_classes=5, random_state=0
    )
    out = {}
    for name, X, y in [("digits", X_digits, y_digits), ("generated", X_gen, y_gen)]:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, train_size=N_TRAIN, random_state=0, stratify=y
        )
        scaler = StandardScaler().fit(X_train)
        out[name] = (
            scaler.transform(X_train),
            scaler.transform(X_test),
            y_train,
            y_test,
        )
    return out


def train(data, target, activation, solver, init, depth, seed):
    """Final training loss, epochs to ``target`` (None: never), test accuracy."""
    X_train, X_test, y_train, y_test = data
    model = MLPClassifier(
        hidden_layer_sizes=(WIDTH,) * depth,
        activation=activation,
        solver=solver,
        init=init,
        learning_rate_init=LEARNING_RATE[solver],
        batch_size=BATCH_SIZE,
        max_iter=EPOCHS,
        tol=0.0,  # every epoch runs: the budget is fixed
        n_iter_no_change=EPOCHS + 1,
        random_state=seed,
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
    except ValueError:  # diverged: mlpinit refuses non-finite weights
        return [float("nan"), None, float("nan")]
    curve = np.asarray(model.loss_curve_)
    reached = np.flatnonzero(curve <= target)
    epochs = int(reached[0]) + 1 if reached.size else None
    return [float(curve[-1]), epochs, float(model.score(X_test, y_test))]


# %%
# The sweep (cached)
# ------------------
cache_path = FIGURE_DIR / "init_depth_results.json"
results = {}
if cache_path.exists() and not QUICK:
    results = json.loads(cache_path.read_text())
for dataset, data in datasets().items():
    for activation, solver in SETTINGS:
        for depth in DEPTHS:
            for init in INITS:
                for seed in SEEDS:
                    key = f"{activation}|{solver}|{dataset}|{depth}|{init}|{seed}"
                    if key in results:
                        continue
                    if init == "auto" and depth <= AUTO_SKLEARN_MAX_HIDDEN:
                        # "auto" is "sklearn" here: the same fit, draw for draw.
                        results[key] = results[key.replace("|auto|", "|sklearn|")]
                        continue
                    results[key] = train(
                        data,
                        TARGET_LOSS[dataset],
                        activation,
                        solver,
                        init,
                        depth,
                        seed,
                    )
            if not QUICK:
                cache_path.write_text(json.dumps(results))


def cell(activation, solver, dataset, depth, init):
    """The seeds' runs of one cell: losses, epochs to target, test scores."""
    runs = [
        results[f"{activation}|{solver}|{dataset}|{depth}|{init}|{seed}"]
        for seed in SEEDS
    ]
    losses = np.array([r[0] for r in runs])
    epochs = [r[1] for r in runs if r[1] is not None]
    scores = np.array([r[2] for r in runs])
    return losses, epochs, scores


def describe(activation, solver, dataset, depth, init):
    losses, epochs, scores = cell(activation, solver, dataset, depth, init)
    if np.isnan(losses).any():
        return f"diverged ({int(np.isnan(losses).sum())}/{len(SEEDS)})"
    n_classes = 10 if dataset == "digits" else 5
    reached = "never"
    if epochs:
        reached = f"{np.mean(epochs):.0f}"
        if len(epochs) < len(SEEDS):
            reached += f" ({len(epochs)}/{len(SEEDS)})"
    stall = " STALL" if losses.mean() > 0.9 * np.log(n_classes) else ""
    return f"{losses.mean():.3f} / {reached} / {scores.mean():.3f}{stall}"


# %%
# The table
# ---------
# One row per setting, dataset and depth; each cell is "final training
# loss / epochs to the target loss / test accuracy", averaged over the seeds.
lines = [
    f"{len(SEEDS)} seeds, {EPOCHS} epochs, width {WIDTH}, batch {BATCH_SIZE}, "
    f"{N_TRAIN} training rows; target loss {TARGET_LOSS}",
    "cell: final training loss / epochs to target / test accuracy",
    "",
    "| setting | data | depth | " + " | ".join(INITS) + " |",
    "|---" * (3 + len(INITS)) + "|",
]
for activation, solver in SETTINGS:
    for dataset in TARGET_LOSS:
        for depth in DEPTHS:
            cells = [describe(activation, solver, dataset, depth, i) for i in INITS]
            lines.append(
                f"| {activation} {solver} | {dataset} | {depth} | "
                + " | ".join(cells)
                + " |"
            )

# %%
# Summary: test accuracy against scikit-learn's scheme
# ----------------------------------------------------
# Mean test accuracy of each init minus that of ``"sklearn"`` (same seeds),
# averaged over the two datasets, with the seed-to-seed standard deviation
# of ``"sklearn"``'s score beside it.
lines += [
    "",
    "test accuracy minus sklearn's, mean of the two datasets",
    "| setting | depth | sklearn (std) | " + " | ".join(INITS[1:]) + " |",
    "|---" * (2 + len(INITS)) + "|",
]
for activation, solver in SETTINGS:
    for depth in DEPTHS:
        base = [cell(activation, solver, d, depth, "sklearn")[2] for d in TARGET_LOSS]
        base_mean = np.mean([b.mean() for b in base])
        base_std = np.mean([b.std(ddof=1) if b.size > 1 else 0.0 for b in base])
        diffs = []
        for init in INITS[1:]:
            other = [cell(activation, solver, d, depth, init)[2] for d in TARGET_LOSS]
            diff = np.mean([o.mean() for o in other]) - base_mean
            diffs.append(f"{diff:+.3f}")
        lines.append(
            f"| {activation} {solver} | {depth} | {base_mean:.3f} ({base_std:.3f}) | "
            + " | ".join(diffs)
            + " |"
        )
# What it shows, in numbers of this run.
deep = max(d for d in DEPTHS if d <= 16)
sgd_loss = {
    i: cell("relu", "sgd", "digits", deep, i)[0].mean() for i in ("sklearn", "he")
}
# One line of at most 79 characters; the docs page has the full reading.
lines += [
    "",
    f"What it shows: {deep} ReLU layers, SGD: He's loss {sgd_loss['he']:.3f}, "
    f"scikit-learn's {sgd_loss['sklearn']:.3f}",
]
table = "\n".join(lines)
print(table)
(FIGURE_DIR / "init_depth.txt").write_text(table + "\n")

# %%
# The figure
# ----------
# Final training loss (log scale) and test accuracy against depth, one panel
# row per setting. A flat loss at ``ln(K)`` is a network that never trained.
fig, axes = plt.subplots(
    len(SETTINGS), 4, figsize=(17, 3.2 * len(SETTINGS)), squeeze=False
)
for row, (activation, solver) in enumerate(SETTINGS):
    for col, (dataset, metric) in enumerate(
        [(d, m) for d in TARGET_LOSS for m in ("loss", "test accuracy")]
    ):
        ax = axes[row, col]
        for init in INITS:
            values = [
                cell(activation, solver, dataset, depth, init)[
                    0 if metric == "loss" else 2
                ].mean()
                for depth in DEPTHS
            ]
            style = "--" if init == "auto" else "-"
            ax.plot(DEPTHS, values, style, marker="o", ms=3, label=init)
        ax.set_xscale("log", base=2)
        ax.set_xticks(DEPTHS, [str(d) for d in DEPTHS])
        if metric == "loss":
            ax.set_yscale("log")
        ax.set_title(f"{activation}, {solver}: {dataset}, {metric}", fontsize=9)
        ax.set_xlabel("hidden layers")
        ax.grid(True, alpha=0.3)
axes[0, 0].legend(fontsize=7)
fig.suptitle(
    f"Initialization against depth (width {WIDTH}, {EPOCHS} epochs, "
    f"mean of {len(SEEDS)} seeds)"
)
fig.tight_layout()
fig.savefig(FIGURE_DIR / "init_depth.png", dpi=80)
