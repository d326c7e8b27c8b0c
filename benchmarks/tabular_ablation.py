"""Ablation of the TabularMLP defaults on the real-data suite.

Each configuration is the provisional defaults (:data:`BASE`) with one piece
switched off or changed (:data:`CHANGES`). Every configuration is fitted by
the suite's own runner (:func:`mlpinit.benchmark.tabular.run_suite`: its
data sets, its 80/20 splits with seed = split number, one BLAS thread, its
results cache) and summarized by its report (mean rank among the rows run,
mean score, wins / ties / losses against scikit-learn's MLP under the
suite's tie rule, median fit seconds).

A piece that applies to one task only (label smoothing for classification;
the target's standardization and the clamping of predictions for
regression) is fitted on that task's sets; on the other task's sets its row
takes the base row's results, so that every row is summarized over the same
sets.

Usage::

    python benchmarks/tabular_ablation.py --cache-dir DIR --list
    python benchmarks/tabular_ablation.py --cache-dir DIR --only base,lr=0.01
    python benchmarks/tabular_ablation.py --cache-dir DIR --summary-only --only final

``benchmarks/results/ablation_cache`` holds the fits of rounds 4 and 5 (and
the reference row): with it as ``--cache-dir``, ``--summary-only`` rebuilds
their tables without fitting.
"""

import argparse
import time

import numpy as np
from _arguments import positive_int

from mlpinit import TabularMLPClassifier, TabularMLPRegressor
from mlpinit.benchmark.tabular import (
    DATASETS,
    REFERENCE,
    default_models,
    run_suite,
    summarize,
)

# The provisional defaults (the first ablation rounds, on 13 sets), written
# out here so that the ablation does not move when tabular.py's defaults do.
BASE = dict(
    scaling="robust",
    hidden_layer_sizes=(256, 256, 256),
    activation="relu",
    init="he",
    solver="adam",
    learning_rate_init=0.004,
    beta_2=0.95,
    learning_rate="cosine",
    max_iter=100,
    batch_size=256,
    dropout=0.15,
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=float("inf"),
    weight_decay=0.0,
    periodic_features=0,
    bias_init=None,
    weight_decay_schedule="constant",
    dropout_schedule="constant",
    dtype=None,
)
# The chosen defaults (tabular.py's TABULAR_DEFAULTS): round 5's "final".
CHOSEN = "final"
FINAL_WEIGHT_DECAY = 2.0
CLASSIFICATION_ONLY = dict(label_smoothing=0.0)
REGRESSION_ONLY = dict(standardize_target=True, clip_predictions=True)

# The single changes of both round 1 (on BASE) and round 5 (on FINAL):
# name -> (the parameters changed, the task it applies to or None).
SHARED_PIECES = {
    "scaling=rms": ({"scaling": "rms"}, None),
    "dropout=0": ({"dropout": 0.0}, None),
    "lr=0.001": ({"learning_rate_init": 0.001}, None),
    "lr=0.01": ({"learning_rate_init": 0.01}, None),
    "schedule=coslog4": ({"learning_rate": "coslog4"}, None),
    "best_epoch=off": ({"early_stopping": False}, None),
    "width=100": ({"hidden_layer_sizes": (100,)}, None),
    "epochs=50": ({"max_iter": 50}, None),
    "beta_2=0.999": ({"beta_2": 0.999}, None),
    "label_smoothing=0.1": ({"label_smoothing": 0.1}, "classification"),
    "standardize_target=off": ({"standardize_target": False}, "regression"),
}

# name -> (the parameters changed from BASE, the task it applies to or None).
CHANGES = {
    "base": ({}, None),
    **SHARED_PIECES,
    "scaling=l2": ({"scaling": "l2"}, None),
    "scaling=none": ({"scaling": None}, None),
    "schedule=constant": ({"learning_rate": "constant"}, None),
    "clip_predictions=off": ({"clip_predictions": False}, "regression"),
    "periodic=8": ({"periodic_features": 8}, None),
    "epochs=256": ({"max_iter": 256}, None),
    "weight_decay=0.02": ({"weight_decay": 0.02}, None),
    # Round 2: the single changes the first round supports, together.
    "l2+dropout=0": ({"scaling": "l2", "dropout": 0.0}, None),
    "l2+width=100": ({"scaling": "l2", "hidden_layer_sizes": (100,)}, None),
    "l2+dropout=0+width=100": (
        {"scaling": "l2", "dropout": 0.0, "hidden_layer_sizes": (100,)},
        None,
    ),
    "l2+dropout=0+epochs=50": (
        {"scaling": "l2", "dropout": 0.0, "max_iter": 50},
        None,
    ),
    # Round 3: RealMLP's data biases and regularizer schedules, on the chosen
    # defaults. RealMLP's weight decay is 0.02 at lr 0.04: a shrink of
    # lr * wd = 8e-4 per step, which at our lr 0.004 is weight_decay=0.2.
    "l2+bias_init=data": ({"scaling": "l2", "bias_init": "data"}, None),
    "l2+dropout_schedule=flat_cos": (
        {"scaling": "l2", "dropout_schedule": "flat_cos"},
        None,
    ),
    "l2+weight_decay=0.02+wd_schedule=flat_cos": (
        {"scaling": "l2", "weight_decay": 0.02, "weight_decay_schedule": "flat_cos"},
        None,
    ),
    "l2+weight_decay=0.2+wd_schedule=flat_cos": (
        {"scaling": "l2", "weight_decay": 0.2, "weight_decay_schedule": "flat_cos"},
        None,
    ),
    "l2+bias+dropout_sched+wd=0.02_sched": (
        {
            "scaling": "l2",
            "bias_init": "data",
            "dropout_schedule": "flat_cos",
            "weight_decay": 0.02,
            "weight_decay_schedule": "flat_cos",
        },
        None,
    ),
    # Round 4: training in float32 (half the memory traffic of float64), and
    # RealMLP's weight decay at this rate, scheduled, around its value.
    "l2+float32": ({"scaling": "l2", "dtype": np.float32}, None),
    **{
        f"l2+float32+weight_decay={wd}+wd_schedule=flat_cos": (
            {
                "scaling": "l2",
                "dtype": np.float32,
                "weight_decay": wd,
                "weight_decay_schedule": "flat_cos",
            },
            None,
        )
        for wd in (0.1, 0.2, 0.5, 1.0, 2.0, 5.0)
    },
}

# Round 5: the final defaults (tabular.py's TABULAR_DEFAULTS), and each piece
# of them switched off or changed, so that the docs can say what each is worth.
FINAL = {
    "scaling": "l2",
    "dtype": np.float32,
    "weight_decay": FINAL_WEIGHT_DECAY,
    "weight_decay_schedule": "flat_cos",
    "clip_predictions": False,
}
FINAL_CHANGES = {
    "dtype=float64": ({"dtype": None}, None),
    "weight_decay=0": (
        {"weight_decay": 0.0, "weight_decay_schedule": "constant"},
        None,
    ),
    "dropout_schedule=flat_cos": ({"dropout_schedule": "flat_cos"}, None),
    "bias_init=data": ({"bias_init": "data"}, None),
    "scaling=robust": ({"scaling": "robust"}, None),
    **SHARED_PIECES,
}
CHANGES["final"] = (FINAL, None)
for _name, (_change, _task) in FINAL_CHANGES.items():
    CHANGES[f"final/{_name}"] = ({**FINAL, **_change}, _task)


def factory(change):
    """The suite factory of the base with ``change`` applied."""

    def make(task, random_state):
        if task == "classification":
            params = {**BASE, **CLASSIFICATION_ONLY}
            cls = TabularMLPClassifier
        else:
            params = {**BASE, **REGRESSION_ONLY}
            cls = TabularMLPRegressor
        params.update({k: v for k, v in change.items() if k in params})
        return cls(random_state=random_state, **params)

    return make


def datasets_of(task):
    """The suite's data sets of ``task`` (None: all)."""
    return [name for name, spec in DATASETS.items() if task in (None, spec.task)]


def run(names, cache_dir, n_splits, log):
    """Fit the configurations ``names`` (cached fits are read back)."""
    suites = []
    for name in names:
        change, task = CHANGES[name]
        suites.append(
            run_suite(
                {name: factory(change)},
                datasets=datasets_of(task),
                n_splits=n_splits,
                cache_dir=cache_dir,
                log=log,
            )
        )
    return suites


def combined(names, cache_dir, n_splits):
    """One suite result of the reference and every configuration, over all sets.

    A task-specific configuration borrows, on the other task's sets, the
    results of the row it changes: ``final`` for round 5's rows, ``base``
    for the others.
    """
    reference = {REFERENCE: default_models()[REFERENCE]}
    suite = run_suite(reference, n_splits=n_splits, cache_dir=cache_dir)
    for name in names:
        change, task = CHANGES[name]
        own = run([name], cache_dir, n_splits, None)[0]["results"]
        borrowed = []
        if task is not None:
            parent = "final" if name.startswith("final/") else "base"
            borrowed = [
                dict(r, model=name)
                for r in run([parent], cache_dir, n_splits, None)[0]["results"]
                if DATASETS[r["dataset"]].task != task
            ]
        suite["results"].extend(own + borrowed)
        suite["models"].append(name)
    return suite


def _against_base(summary, name, base="base"):
    """Wins / ties / losses of ``name`` against the row ``base``, by data set
    (a tie: mean difference within 0.005); "—" if ``base`` was not run."""
    if base not in summary["models"]:
        return "—"
    wins = ties = losses = 0
    for by_model in summary["per_dataset"].values():
        if name not in by_model or base not in by_model:
            continue
        diff = by_model[name]["mean"] - by_model[base]["mean"]
        if abs(diff) <= 0.005:
            ties += 1
        elif diff > 0:
            wins += 1
        else:
            losses += 1
    return f"{wins}/{ties}/{losses}"


def ablation_table(summary, names, against="base"):
    """Markdown: one row per configuration, the reference first."""
    lines = [
        "| configuration | mean rank | mean score | W/T/L vs sklearn-mlp "
        f"| W/T/L vs {against} | W/T/L vs {CHOSEN} (chosen) | median fit s |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in [REFERENCE, *names]:
        row = summary["models"][name]
        scores = [
            by_model[name]["mean"]
            for by_model in summary["per_dataset"].values()
            if name in by_model
        ]
        wtl = "—" if name == REFERENCE else "{wins}/{ties}/{losses}".format(**row)
        lines.append(
            f"| {name} | {row['mean_rank']:.2f} | {sum(scores) / len(scores):.4f} "
            f"| {wtl} | {_against_base(summary, name, against)} "
            f"| {_against_base(summary, name, CHOSEN)} "
            f"| {row['median_fit_seconds']:.2f} |"
        )
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache-dir", required=True)
    parser.add_argument("--splits", type=positive_int, default=3)
    parser.add_argument("--only", help="comma-separated configurations to fit")
    parser.add_argument("--list", action="store_true")
    parser.add_argument("--summary-only", action="store_true")
    parser.add_argument(
        "--against", default="base", help="the row of the second W/T/L column"
    )
    args = parser.parse_args(argv)
    if args.list:
        for name, (change, task) in CHANGES.items():
            print(f"{name:24s} {change} {task or ''}")
        return
    names = list(CHANGES) if args.only is None else args.only.split(",")
    if not args.summary_only:
        start = time.perf_counter()

        def log(line):
            print(f"{time.perf_counter() - start:7.0f} s  {line}", flush=True)

        run(names, args.cache_dir, args.splits, log)
    summary = summarize(combined(names, args.cache_dir, args.splits))
    print(ablation_table(summary, names, args.against))


if __name__ == "__main__":
    main()
