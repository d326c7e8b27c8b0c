"""The numbers behind the docs' "How to choose" page: scaler and learning rate.

1. The default network behind each input scaler, in a pipeline:
   ``make_pipeline(scaler, MLPClassifier(max_iter=100, random_state=seed))``
   on ``make_classification(n, 40, n_informative=20, n_classes=5)`` whose
   column j is multiplied by ``np.logspace(0, 3, 40)[j]`` (scales 1 to 1000),
   75/25 split. Scalers: none, StandardScaler, and MeanNormStandardizer with
   each value its ``norm`` parameter accepts (only the default if it has none).
2. The learning rate of Adam on the default network (digits and the n=2000
   problem above, StandardScaler in front), and of SGD with momentum on a
   16-layer ReLU network of width 64 (digits, 15 epochs).

Each cell is the test accuracy, mean ± standard deviation over the seeds.
Run from the repository root::

    python benchmarks/choosing.py            # about 5 minutes on two cores
"""

import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlpinit import MeanNormStandardizer, MLPClassifier


def badly_scaled(n_samples):
    X, y = make_classification(
        n_samples, 40, n_informative=20, n_classes=5, random_state=0
    )
    return train_test_split(
        X * np.logspace(0, 3, 40), y, test_size=0.25, random_state=0
    )


def score(model, data):
    X_train, X_test, y_train, y_test = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X_train, y_train).score(X_test, y_test)


def cell(scores):
    return f"{np.mean(scores):.3f} ± {np.std(scores, ddof=1):.3f}"


def scalers():
    """Name and factory of each scaler compared."""
    out = {"none": None, "StandardScaler": StandardScaler}
    constraint = MeanNormStandardizer._parameter_constraints.get("norm", [])
    options = sorted(option for c in constraint for option in getattr(c, "options", ()))
    out["MeanNormStandardizer()"] = MeanNormStandardizer
    for option in options:
        out[f'MeanNormStandardizer(norm="{option}")'] = lambda option=option: (
            MeanNormStandardizer(norm=option)
        )
    return out


def scaler_table(sizes=(2000, 20000), seeds=(0, 1, 2)):
    print("| scaler | " + " | ".join(f"n={n}" for n in sizes) + " |")
    print("|---" * (len(sizes) + 1) + "|")
    datasets = {n: badly_scaled(n) for n in sizes}
    for name, factory in scalers().items():
        cells = []
        for n in sizes:
            scores = []
            for seed in seeds:
                mlp = MLPClassifier(max_iter=100, random_state=seed)
                steps = [mlp] if factory is None else [factory(), mlp]
                scores.append(score(make_pipeline(*steps), datasets[n]))
            cells.append(cell(scores))
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def learning_rate_table(seeds=(0, 1)):
    X, y = load_digits(return_X_y=True)
    digits = train_test_split(X, y, test_size=0.25, random_state=0)
    problems = {"digits": digits, "generated n=2000": badly_scaled(2000)}
    print("\nAdam, the default network (100,), StandardScaler in front")
    rates = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2]
    print("| data | " + " | ".join(f"{r:g}" for r in rates) + " |")
    print("|---" * (len(rates) + 1) + "|")
    for name, data in problems.items():
        cells = []
        for rate in rates:
            scores = [
                score(
                    make_pipeline(
                        StandardScaler(),
                        MLPClassifier(
                            learning_rate_init=rate, max_iter=100, random_state=seed
                        ),
                    ),
                    data,
                )
                for seed in seeds
            ]
            cells.append(cell(scores))
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)

    print(
        "\nSGD with momentum 0.9, 16 ReLU layers of 64, init='auto', digits, 15 epochs"
    )
    rates = [1e-3, 3e-3, 1e-2, 3e-2, 1e-1]
    print("| init | " + " | ".join(f"{r:g}" for r in rates) + " |")
    print("|---" * (len(rates) + 1) + "|")
    cells = []
    for rate in rates:
        scores = []
        for seed in seeds:
            model = make_pipeline(
                StandardScaler(),
                MLPClassifier(
                    (64,) * 16,
                    solver="sgd",
                    learning_rate_init=rate,
                    batch_size=64,
                    max_iter=15,
                    tol=0.0,
                    n_iter_no_change=16,
                    random_state=seed,
                ),
            )
            try:
                scores.append(score(model, digits))
            except ValueError:  # diverged
                scores.append(np.nan)
        cells.append(cell(scores) if np.isfinite(scores).all() else "diverged")
    print("| auto | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    scaler_table()
    learning_rate_table()
