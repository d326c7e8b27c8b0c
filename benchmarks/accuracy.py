"""Test accuracy of mlpinit's MLPs (init="auto") against scikit-learn's own MLPs.

Both models get the same data, the same preprocessing (a StandardScaler fitted
inside the pipeline; for the regression target, a StandardScaler on y through
TransformedTargetRegressor) and the same settings (hidden_layer_sizes, solver,
max_iter, alpha, learning rate, random_state). The only difference is the
initialization: He (relu) for mlpinit's ``init="auto"``, Glorot-uniform weights
and biases for scikit-learn.

For each dataset and seed, the seed picks the train/test split (stratified for
classification) and both models' random_state. The score is accuracy for
classification and R^2 for regression, on the held-out quarter.

Usage::

    python benchmarks/accuracy.py            # 5 seeds, all datasets
    python benchmarks/accuracy.py --seeds 2 --datasets digits
"""

import argparse
import time
import warnings

import numpy as np
from _arguments import positive_int
from sklearn.compose import TransformedTargetRegressor
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlpinit import MLPClassifier, MLPRegressor

# A difference this small or in mlpinit's favour counts as "as good".
TOLERANCE = 0.01

SETTINGS = dict(
    hidden_layer_sizes=(64,),
    activation="relu",
    solver="adam",
    alpha=1e-4,
    learning_rate_init=1e-3,
    max_iter=300,
)

DATASETS = {
    "digits": (load_digits, "classification"),
    "breast_cancer": (load_breast_cancer, "classification"),
    "diabetes": (load_diabetes, "regression"),
}


def _models(task, seed, settings):
    if task == "classification":
        ours = MLPClassifier(init="auto", random_state=seed, **settings)
        theirs = SkMLPClassifier(random_state=seed, **settings)
        return (make_pipeline(StandardScaler(), m) for m in (ours, theirs))
    ours = MLPRegressor(init="auto", random_state=seed, **settings)
    theirs = SkMLPRegressor(random_state=seed, **settings)
    return (
        TransformedTargetRegressor(
            regressor=make_pipeline(StandardScaler(), m), transformer=StandardScaler()
        )
        for m in (ours, theirs)
    )


def compare(dataset, seeds, settings=None):
    """Mean test score of mlpinit and scikit-learn on ``dataset`` over ``seeds``.

    Returns
    -------
    dict with keys dataset, metric, ours, theirs (mean scores), difference
    (ours - theirs), ours_scores and theirs_scores (per seed), seconds.
    """
    settings = {**SETTINGS, **(settings or {})}
    loader, task = DATASETS[dataset]
    X, y = loader(return_X_y=True)
    ours_scores, theirs_scores = [], []
    start = time.perf_counter()
    for seed in seeds:
        X_train, X_test, y_train, y_test = train_test_split(
            X,
            y,
            test_size=0.25,
            random_state=seed,
            stratify=y if task == "classification" else None,
        )
        ours, theirs = _models(task, seed, settings)
        # Scores do not depend on the thread count; one BLAS thread spares
        # these small GEMMs the oversubscription that makes scikit-learn's
        # runs ten times slower on a busy 2-core machine.
        with warnings.catch_warnings(), threadpool_limits(limits=1, user_api="blas"):
            warnings.simplefilter("ignore", ConvergenceWarning)
            ours_scores.append(ours.fit(X_train, y_train).score(X_test, y_test))
            theirs_scores.append(theirs.fit(X_train, y_train).score(X_test, y_test))
    ours_mean, theirs_mean = float(np.mean(ours_scores)), float(np.mean(theirs_scores))
    return {
        "dataset": dataset,
        "metric": "accuracy" if task == "classification" else "R^2",
        "ours": ours_mean,
        "theirs": theirs_mean,
        "difference": ours_mean - theirs_mean,
        "ours_scores": ours_scores,
        "theirs_scores": theirs_scores,
        "seconds": time.perf_counter() - start,
    }


def within_tolerance(result, tolerance=TOLERANCE):
    """True when mlpinit is at most ``tolerance`` worse than scikit-learn, or better."""
    return result["difference"] >= -tolerance


def markdown_table(results, n_seeds):
    lines = [
        f'| dataset | metric | mlpinit init="auto" | scikit-learn | difference | '
        f"within {TOLERANCE} or better |",
        "|---|---|---|---|---|---|",
    ]
    for r in results:
        verdict = "yes" if within_tolerance(r) else "**no**"
        lines.append(
            f"| {r['dataset']} | {r['metric']} | {r['ours']:.4f} | {r['theirs']:.4f} | "
            f"{r['difference']:+.4f} | {verdict} |"
        )
    settings = ", ".join(f"{k}={v!r}" for k, v in SETTINGS.items())
    lines.append("")
    lines.append(
        f"Mean test score over {n_seeds} seeds (0..{n_seeds - 1}); {settings}."
    )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=positive_int, default=5)
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS)
    )
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    results = [compare(name, seeds) for name in args.datasets]
    print(markdown_table(results, args.seeds))
    return 0 if all(within_tolerance(r) for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
