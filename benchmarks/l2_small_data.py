"""Why does the article's l2 scaling + He beat rms scaling on small regression sets?

l2 scaling divides each centred column by its L2 norm, so the inputs have
standard deviation ``1 / sqrt(n)`` instead of rms scaling's 1. Under Adam the
first layer's weights still move by about ``learning_rate_init`` per step, so
the first layer's preactivations start ``sqrt(n)`` times smaller and move
``sqrt(n)`` times slower. Three explanations are possible, and each has a
row here, on the suite's small regression sets (its loaders and splits, one
BLAS thread):

- a learning rate: rms scaling at smaller and larger rates;
- the number of epochs: rms scaling with fewer epochs, or with early
  stopping on a validation split;
- implicit regularization: train R² against test R² (a regularizer lowers
  the first and raises the second), and rms scaling with a weight penalty;
- and the target's scale: both with a standardized ``y``.

Prints one row per configuration: mean test R², mean train R², mean epochs,
and the wins of each against rms + He at its defaults (tie: mean difference
within 0.005).

Usage::

    python benchmarks/l2_small_data.py [--splits 3] [--json out.json]
"""

import argparse
import json
import warnings

import numpy as np
from _arguments import positive_int
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import r2_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlpinit import MeanNormStandardizer, MLPRegressor
from mlpinit.benchmark.tabular import DATASETS
from mlpinit.benchmark.tabular.datasets import load
from mlpinit.benchmark.tabular.splits import split_indices

SMALL = 1000  # rows at most
TIE = 0.005


def _mlp(norm, scaled_y=False, **params):
    def make(random_state):
        model = make_pipeline(
            MeanNormStandardizer(norm=norm),
            MLPRegressor(init="he", random_state=random_state, **params),
        )
        if scaled_y:
            model = TransformedTargetRegressor(model, transformer=StandardScaler())
        return model

    return make


CONFIGS = {
    "l2 + He (article)": _mlp("l2"),
    "rms + He": _mlp("rms"),
    "rms + He, lr=0.0001": _mlp("rms", learning_rate_init=0.0001),
    "rms + He, lr=0.0003": _mlp("rms", learning_rate_init=0.0003),
    "rms + He, lr=0.003": _mlp("rms", learning_rate_init=0.003),
    "rms + He, lr=0.01": _mlp("rms", learning_rate_init=0.01),
    "rms + He, max_iter=20": _mlp("rms", max_iter=20),
    "rms + He, max_iter=50": _mlp("rms", max_iter=50),
    "rms + He, early_stopping": _mlp("rms", early_stopping=True),
    "rms + He, alpha=1": _mlp("rms", alpha=1.0),
    "rms + He, alpha=10": _mlp("rms", alpha=10.0),
    "l2 + He, scaled y": _mlp("l2", scaled_y=True),
    "rms + He, scaled y": _mlp("rms", scaled_y=True),
    "rms + He, scaled y, early_stopping": _mlp(
        "rms", scaled_y=True, early_stopping=True
    ),
    "rms + He, scaled y, lr=0.0003": _mlp(
        "rms", scaled_y=True, learning_rate_init=0.0003
    ),
    "rms + He, scaled y, lr=0.003": _mlp(
        "rms", scaled_y=True, learning_rate_init=0.003
    ),
    "rms + He, scaled y, alpha=1": _mlp("rms", scaled_y=True, alpha=1.0),
    "rms + He, scaled y, alpha=10": _mlp("rms", scaled_y=True, alpha=10.0),
}


def _epochs(model):
    while not hasattr(model, "n_iter_"):
        model = model.regressor_ if hasattr(model, "regressor_") else model[-1]
    return model.n_iter_


def run(n_splits, only=()):
    names = [
        name
        for name, spec in DATASETS.items()
        if spec.task == "regression" and spec.rows <= SMALL
    ]
    rows = []
    for dataset in names:
        X, y = load(dataset)
        for split in range(n_splits):
            train, test = split_indices(y, "regression", split)
            for config, make in CONFIGS.items():
                if only and config not in only:
                    continue
                model = make(split)
                with threadpool_limits(1), warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    model.fit(X[train], y[train])
                rows.append(
                    dict(
                        dataset=dataset,
                        split=split,
                        config=config,
                        test=r2_score(y[test], model.predict(X[test])),
                        train=r2_score(y[train], model.predict(X[train])),
                        epochs=_epochs(model),
                    )
                )
        print(f"done {dataset}", flush=True)
    return names, rows


def table(names, rows):
    def mean_of(config, dataset, key):
        return np.mean(
            [r[key] for r in rows if r["config"] == config and r["dataset"] == dataset]
        )

    lines = [
        "| configuration | test R² | train R² | epochs | W/T/L vs rms + He |",
        "|---|---|---|---|---|",
    ]
    for config in CONFIGS:
        if not any(r["config"] == config for r in rows):
            continue
        test = [mean_of(config, d, "test") for d in names]
        ref = [mean_of("rms + He", d, "test") for d in names]
        diff = np.subtract(test, ref)
        wtl = (
            f"{int((diff > TIE).sum())}/{int((abs(diff) <= TIE).sum())}/"
            f"{int((diff < -TIE).sum())}"
        )
        lines.append(
            f"| {config} | {np.mean(test):.3f} "
            f"| {np.mean([mean_of(config, d, 'train') for d in names]):.3f} "
            f"| {np.mean([mean_of(config, d, 'epochs') for d in names]):.0f} "
            f"| {wtl} |"
        )
    ran = [c for c in CONFIGS if any(r["config"] == c for r in rows)]
    per_set = ["", "| data set | " + " | ".join(ran) + " |"]
    per_set.append("|---" * (len(ran) + 1) + "|")
    for d in names:
        cells = " | ".join(f"{mean_of(c, d, 'test'):.3f}" for c in ran)
        per_set.append(f"| {d} | {cells} |")
    return "\n".join(lines + per_set)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=positive_int, default=3)
    parser.add_argument("--json", help="also write every fit's row here")
    parser.add_argument(
        "--only", help="';'-separated configurations (default: all)", default=""
    )
    args = parser.parse_args(argv)
    only = [c for c in args.only.split(";") if c]
    names, rows = run(args.splits, only)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=1)
    print(table(names, rows))


if __name__ == "__main__":
    main()
