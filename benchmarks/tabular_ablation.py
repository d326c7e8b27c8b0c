"""Ablation of the tabular defaults: each piece on and off, over real data sets.

Each configuration is a dict of pieces (see :func:`build`): the input
scaling, periodic features, and the MLP's own parameters. Every
configuration is fitted on every data set, on ``--splits`` repeated splits
(75% train, 25% test, stratified for classification; split ``s`` uses seed
``s`` for the split and for the model's ``random_state``), on one BLAS thread.
The score is test accuracy (classification) or R² (regression).

Every fit appends one JSON line to ``--out`` (so an interrupted run keeps
what it did, and a rerun skips what is there), and the summary prints, per
configuration: its mean score over the data sets, its mean rank among the
configurations run, wins/ties/losses against ``--reference`` (a tie is a
mean difference within ``TIE`` of the reference's), and the median fit time.

The data sets ship inside scikit-learn and statsmodels; nothing is
downloaded.

Usage::

    python benchmarks/tabular_ablation.py --list
    python benchmarks/tabular_ablation.py --configs base,scaler=standard --splits 3
    python benchmarks/tabular_ablation.py --summary-only --out results.jsonl
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np
from _arguments import positive_int
from sklearn import datasets as skd
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor
from mlpinit.preprocessing import PeriodicFeatures, RobustSmoothClipScaler

# A mean difference this small (accuracy or R²) counts as a tie.
TIE = 0.005
# Rows kept of the larger sets, drawn once with a fixed seed: the machine
# is shared, and the ablation compares configurations, not data sizes.
MAX_ROWS = 2000


# -- data sets ------------------------------------------------------------
def _subsample(X, y, seed=0):
    if len(y) <= MAX_ROWS:
        return X, y
    keep = np.random.RandomState(seed).choice(len(y), MAX_ROWS, replace=False)
    return X[np.sort(keep)], y[np.sort(keep)]


def _sklearn(loader):
    def load():
        return loader(return_X_y=True)

    return load


def _statsmodels(name, target, drop=(), one_hot=(), transform=None):
    """A statsmodels data set: ``target`` column as y, the rest as X."""

    def load():
        import pandas as pd
        from statsmodels import datasets as smd

        frame = getattr(smd, name).load_pandas().data.dropna()
        y = frame[target].to_numpy() if transform is None else transform(frame)
        X = frame.drop(columns=[target, *drop])
        X = pd.get_dummies(X, columns=list(one_hot), dtype=float)
        return X.to_numpy(dtype=float), y

    return load


DATASETS = {
    # name: (loader, task)
    "breast_cancer": (_sklearn(skd.load_breast_cancer), "classification"),
    "wine": (_sklearn(skd.load_wine), "classification"),
    "iris": (_sklearn(skd.load_iris), "classification"),
    "digits": (_sklearn(skd.load_digits), "classification"),
    "fair": (
        _statsmodels("fair", "affairs", transform=lambda f: (f.affairs > 0).to_numpy()),
        "classification",
    ),
    "anes96": (
        _statsmodels("anes96", "vote", drop=("logpopul",)),
        "classification",
    ),
    "modechoice": (
        _statsmodels("modechoice", "choice", drop=("individual",), one_hot=("mode",)),
        "classification",
    ),
    "diabetes": (_sklearn(skd.load_diabetes), "regression"),
    "engel": (_statsmodels("engel", "foodexp"), "regression"),
    "star98": (
        _statsmodels(
            "star98",
            "NABOVE",
            drop=("NBELOW",),
            transform=lambda f: (f.NABOVE / (f.NABOVE + f.NBELOW)).to_numpy(),
        ),
        "regression",
    ),
    "grunfeld": (
        _statsmodels("grunfeld", "invest", one_hot=("firm",)),
        "regression",
    ),
    "randhie": (_statsmodels("randhie", "mdvis"), "regression"),
    "ccard": (_statsmodels("ccard", "AVGEXP"), "regression"),
}


def load(name):
    loader, task = DATASETS[name]
    X, y = loader()
    X, y = _subsample(np.asarray(X, dtype=float), np.asarray(y))
    if task == "regression":
        y = y.astype(float)
    return X, y, task


# -- configurations ---------------------------------------------------------
# The starting point: RealMLP-TD's pieces that exist in mlpinit today.
BASE = dict(
    scaler="robust",
    periodic=0,
    hidden_layer_sizes=(256, 256, 256),
    activation="relu",
    init="he",
    learning_rate_init=0.001,
    learning_rate="cosine",
    beta_2=0.95,
    batch_size=256,
    max_iter=100,
    weight_decay=0.0,
    dropout=0.0,
    best_epoch=True,
)

# Each variant changes one piece of BASE.
VARIANTS = {
    "base": {},
    "scaler=standard": {"scaler": "standard"},
    "scaler=l2": {"scaler": "l2"},
    "width=100": {"hidden_layer_sizes": (100,)},
    "beta_2=0.999": {"beta_2": 0.999},
    "lr=0.004": {"learning_rate_init": 0.004},
    "lr=0.0003": {"learning_rate_init": 0.0003},
    "schedule=constant": {"learning_rate": "constant"},
    "wd=0.02": {"weight_decay": 0.02},
    "dropout=0.15": {"dropout": 0.15},
    "best_epoch=off": {"best_epoch": False},
    "epochs=50": {"max_iter": 50},
    "epochs=200": {"max_iter": 200},
    "init=lsuv": {"init": "lsuv"},
    "activation=selu": {"activation": "selu", "init": "lecun_normal"},
    "periodic=8": {"periodic": 8},
    "label_smoothing=0.1": {"label_smoothing": 0.1},
    # Round 2: the pieces that helped in round 1, together.
    "drop+lr": {"dropout": 0.15, "learning_rate_init": 0.004},
    "drop+lr+l2": {"dropout": 0.15, "learning_rate_init": 0.004, "scaler": "l2"},
    "drop+lr+ls": {
        "dropout": 0.15,
        "learning_rate_init": 0.004,
        "label_smoothing": 0.1,
    },
    "drop+lr+wd": {"dropout": 0.15, "learning_rate_init": 0.004, "weight_decay": 0.02},
    "drop+lr+e50": {"dropout": 0.15, "learning_rate_init": 0.004, "max_iter": 50},
    "drop.3+lr": {"dropout": 0.3, "learning_rate_init": 0.004},
}

# Reference rows: what a user gets today.
REFERENCES = {
    "sklearn": {"reference": "sklearn"},
    "article": {"reference": "article"},
}


def config(name):
    if name in REFERENCES:
        return dict(REFERENCES[name])
    return {**BASE, **VARIANTS[name]}


def _scaler(kind):
    return {
        "robust": RobustSmoothClipScaler,
        "standard": StandardScaler,
        "l2": MeanNormStandardizer,
        "rms": lambda: MeanNormStandardizer(norm="rms"),
    }[kind]()


def build(cfg, task, seed):
    """The model of configuration ``cfg`` for ``task``, seeded with ``seed``."""
    cfg = dict(cfg)
    reference = cfg.pop("reference", None)
    if reference == "sklearn":
        # scikit-learn's MLP at its defaults, with StandardScaler.
        estimator = (SkMLPClassifier if task == "classification" else SkMLPRegressor)(
            random_state=seed
        )
        steps = [StandardScaler(), estimator]
    elif reference == "article":
        estimator = (MLPClassifier if task == "classification" else MLPRegressor)(
            init="he", random_state=seed
        )
        steps = [MeanNormStandardizer(), estimator]
    else:
        steps = _pieces(cfg, task, seed)
    model = make_pipeline(*steps)
    if task == "regression":
        model = TransformedTargetRegressor(model, transformer=StandardScaler())
    return model


def _pieces(cfg, task, seed):
    steps = [_scaler(cfg.pop("scaler"))]
    periodic = cfg.pop("periodic")
    if periodic:
        steps.append(PeriodicFeatures(periodic, random_state=seed))
    smoothing = cfg.pop("label_smoothing", 0.0)
    if cfg.pop("best_epoch"):
        # The whole schedule runs; the best validated epoch is restored.
        cfg.update(
            early_stopping=True,
            validation_fraction=0.2,
            n_iter_no_change=cfg["max_iter"],
        )
    if smoothing:
        from mlpinit.tabular import TabularMLPClassifier

        steps.append(
            TabularMLPClassifier(
                random_state=seed, scaling=None, label_smoothing=smoothing, **cfg
            )
        )
        return steps
    estimator = MLPClassifier if task == "classification" else MLPRegressor
    steps.append(estimator(random_state=seed, **cfg))
    return steps


# -- running --------------------------------------------------------------
def fit_and_score(cfg, name, split):
    X, y, task = load(name)
    X_train, X_test, y_train, y_test = train_test_split(
        X,
        y,
        test_size=0.25,
        random_state=split,
        stratify=y if task == "classification" else None,
    )
    if task == "regression" and "label_smoothing" in cfg:
        cfg = {k: v for k, v in cfg.items() if k != "label_smoothing"}
    model = build(cfg, task, split)
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
    return float(model.score(X_test, y_test)), seconds


def _done(out):
    done = set()
    if Path(out).exists():
        for line in Path(out).read_text().splitlines():
            row = json.loads(line)
            done.add((row["config"], row["dataset"], row["split"]))
    return done


def run(configs, names, splits, out):
    done = _done(out)
    for config_name in configs:
        for name in names:
            for split in range(splits):
                if (config_name, name, split) in done:
                    continue
                score, seconds = fit_and_score(config(config_name), name, split)
                row = dict(
                    config=config_name,
                    dataset=name,
                    split=split,
                    score=score,
                    seconds=seconds,
                    load=os.getloadavg()[0],
                )
                with open(out, "a") as f:
                    f.write(json.dumps(row) + "\n")
                print(
                    f"{config_name:24s} {name:14s} {split} {score:.4f} {seconds:7.2f}s",
                    flush=True,
                )


def summary(out, reference, configs=None, names=None):
    rows = [json.loads(line) for line in Path(out).read_text().splitlines()]
    if configs:
        rows = [r for r in rows if r["config"] in configs]
    if names:
        rows = [r for r in rows if r["dataset"] in names]
    configs = list(dict.fromkeys(r["config"] for r in rows))
    # Only data sets every configuration has finished, so means compare.
    names = sorted(
        n
        for n in {r["dataset"] for r in rows}
        if all(
            any(r["config"] == c and r["dataset"] == n for r in rows) for c in configs
        )
    )
    mean = {
        (c, n): np.mean(
            [r["score"] for r in rows if r["config"] == c and r["dataset"] == n]
        )
        for c in configs
        for n in names
    }
    ranks = {c: [] for c in configs}
    for n in names:
        order = sorted(configs, key=lambda c: -mean[c, n])
        scores = np.array([mean[c, n] for c in order])
        for c in configs:
            # Ties within TIE of the best share the rank they would span.
            ranks[c].append(1 + np.sum(scores > mean[c, n] + TIE))
    lines = [
        f"{len(names)} data sets: {', '.join(names)}",
        f"{'config':24s} {'mean':>7s} {'rank':>5s} {'W/T/L vs ' + reference:>14s} "
        f"{'median s':>9s}",
    ]
    for c in sorted(configs, key=lambda c: np.mean(ranks[c])):
        wins = ties = losses = 0
        if reference in configs:
            for n in names:
                diff = mean[c, n] - mean[reference, n]
                wins += diff > TIE
                losses += diff < -TIE
                ties += abs(diff) <= TIE
        seconds = [
            r["seconds"] for r in rows if r["config"] == c and r["dataset"] in names
        ]
        lines.append(
            f"{c:24s} {np.mean([mean[c, n] for n in names]):7.4f} "
            f"{np.mean(ranks[c]):5.2f} {f'{wins}/{ties}/{losses}':>14s} "
            f"{np.median(seconds):9.2f}"
        )
    per_set = [f"{'':24s} " + " ".join(f"{n[:8]:>8s}" for n in names)]
    for c in configs:
        per_set.append(f"{c:24s} " + " ".join(f"{mean[c, n]:8.3f}" for n in names))
    return "\n".join(lines + [""] + per_set)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="sklearn,article,base")
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--splits", type=positive_int, default=3)
    parser.add_argument("--out", default="tabular_ablation.jsonl")
    parser.add_argument("--reference", default="sklearn")
    parser.add_argument("--summary-only", action="store_true")
    parser.add_argument("--list", action="store_true")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join([*REFERENCES, *VARIANTS]))
        return
    configs = args.configs.split(",")
    names = args.datasets.split(",")
    for c in configs:
        if c not in REFERENCES and c not in VARIANTS:
            parser.error(f"unknown configuration {c!r}; see --list")
    if not args.summary_only:
        run(configs, names, args.splits, args.out)
    print(summary(args.out, args.reference, configs, names))


if __name__ == "__main__":
    main()
