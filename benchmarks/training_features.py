"""Evidence for the issue-13 training features: class_weight, dropout, the
cosine schedule and decoupled weight decay, each against the baseline a
scikit-learn user has today. It prints one table per feature, averaged over
seeds (mean and, in brackets, min-max), and asserts nothing: the numbers are
whatever the run gives, gains or none.

- class_weight="balanced" on two imbalanced problems: make_classification
  with weights [0.95, 0.05], and scikit-learn's digits as "is it a 9?"
  (10% positives; ships with scikit-learn). Against scikit-learn's MLP
  (which has no class_weight), and the workaround of passing
  ``sample_weight=compute_sample_weight("balanced", y)`` to it.
- dropout on a small noisy problem (200 training rows, 40 features of which
  5 informative, 20% flipped labels, a (128, 64) network trained 100
  epochs): train and test accuracy and their gap.
- learning_rate="cosine" and weight_decay against constant Adam on digits:
  the epoch at which the training loss first falls below a target, and the
  test accuracy after a fixed budget.

Every seed sets the train/test split and the models' random_state; inputs
are standardized on the training rows.

Usage::

    python benchmarks/training_features.py            # 5 seeds
    python benchmarks/training_features.py --seeds 5 --only dropout
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, balanced_accuracy_score, recall_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.utils.class_weight import compute_sample_weight

from mlpinit import MLPClassifier


def _split(X, y, seed):
    X_tr, X_te, y_tr, y_te = train_test_split(
        X, y, test_size=0.3, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_tr)
    return scaler.transform(X_tr), scaler.transform(X_te), y_tr, y_te


def _fit(model, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y, **kwargs)


def _summary(values):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3f} [{values.min():.3f}-{values.max():.3f}]"


def _print_table(title, header, rows):
    print(f"\n{title}\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


# --------------------------------------------------------------------------
# class_weight
# --------------------------------------------------------------------------
def _imbalanced_problems():
    X_syn, y_syn = make_classification(
        3000,
        n_features=20,
        n_informative=5,
        weights=[0.95, 0.05],
        flip_y=0.01,
        class_sep=0.8,
        random_state=0,
    )
    digits = load_digits()
    return {
        "make_classification [0.95, 0.05]": (X_syn, y_syn),
        "digits, 9 against the rest": (digits.data, (digits.target == 9).astype(int)),
    }


def class_weight_table(seeds):
    params = dict(hidden_layer_sizes=(32,), max_iter=200)
    models = {
        "scikit-learn MLP": lambda s: (SkMLPClassifier(random_state=s, **params), {}),
        "scikit-learn MLP + balanced sample_weight": lambda s: (
            SkMLPClassifier(random_state=s, **params),
            "sample_weight",
        ),
        "mlpinit, class_weight=None": lambda s: (
            MLPClassifier(random_state=s, **params),
            {},
        ),
        'mlpinit, class_weight="balanced"': lambda s: (
            MLPClassifier(class_weight="balanced", random_state=s, **params),
            {},
        ),
    }
    rows = []
    for problem, (X, y) in _imbalanced_problems().items():
        for name, factory in models.items():
            scores = {"bacc": [], "recall": []}
            for seed in seeds:
                X_tr, X_te, y_tr, y_te = _split(X, y, seed)
                model, extra = factory(seed)
                if extra == "sample_weight":
                    extra = {"sample_weight": compute_sample_weight("balanced", y_tr)}
                _fit(model, X_tr, y_tr, **extra)
                predicted = model.predict(X_te)
                scores["bacc"].append(balanced_accuracy_score(y_te, predicted))
                scores["recall"].append(recall_score(y_te, predicted))
            rows.append(
                [problem, name, _summary(scores["bacc"]), _summary(scores["recall"])]
            )
    _print_table(
        "class_weight: test balanced accuracy and minority-class recall",
        ["problem", "model", "balanced accuracy", "minority recall"],
        rows,
    )


# --------------------------------------------------------------------------
# dropout
# --------------------------------------------------------------------------
def dropout_table(seeds):
    X, y = make_classification(
        1200, n_features=40, n_informative=5, flip_y=0.2, random_state=0
    )
    rows = []
    for rate in (0.0, 0.2, 0.5):
        train, test = [], []
        for seed in seeds:
            X_tr, X_te, y_tr, y_te = train_test_split(
                X, y, train_size=200, stratify=y, random_state=seed
            )
            scaler = StandardScaler().fit(X_tr)
            model = MLPClassifier(
                hidden_layer_sizes=(128, 64),
                max_iter=100,
                dropout=rate,
                random_state=seed,
            )
            _fit(model, scaler.transform(X_tr), y_tr)
            train.append(model.score(scaler.transform(X_tr), y_tr))
            test.append(model.score(scaler.transform(X_te), y_te))
        gap = np.subtract(train, test)
        rows.append([f"{rate}", _summary(train), _summary(test), _summary(gap)])
    _print_table(
        "dropout: 200 noisy training rows, (128, 64) network, 100 epochs",
        ["dropout", "train accuracy", "test accuracy", "train - test"],
        rows,
    )


# --------------------------------------------------------------------------
# cosine schedule and weight decay
# --------------------------------------------------------------------------
SCHEDULES = {
    "adam, constant 1e-3": {},
    "adam, constant 3e-3": {"learning_rate_init": 3e-3},
    "adam, cosine 1e-3": {"learning_rate": "cosine"},
    "adam, cosine 3e-3, 5 warmup": {
        "learning_rate": "cosine",
        "learning_rate_init": 3e-3,
        "warmup_epochs": 5,
    },
    "adamw, weight_decay 0.01": {"weight_decay": 0.01},
    "adamw, weight_decay 0.1": {"weight_decay": 0.1},
    "adamw 0.01 + cosine 3e-3": {
        "weight_decay": 0.01,
        "learning_rate": "cosine",
        "learning_rate_init": 3e-3,
    },
}
TARGET_LOSS = 0.1
EPOCHS = 60


def schedule_table(seeds):
    digits = load_digits()
    rows = []
    for name, extra in SCHEDULES.items():
        reached, final, test = [], [], []
        for seed in seeds:
            X_tr, X_te, y_tr, y_te = _split(digits.data, digits.target, seed)
            model = MLPClassifier(
                hidden_layer_sizes=(64,),
                max_iter=EPOCHS,
                tol=0.0,
                n_iter_no_change=EPOCHS,
                random_state=seed,
                **extra,
            )
            _fit(model, X_tr, y_tr)
            below = np.flatnonzero(np.asarray(model.loss_curve_) < TARGET_LOSS)
            reached.append(below[0] + 1 if below.size else np.nan)
            final.append(model.loss_curve_[-1])
            test.append(accuracy_score(y_te, model.predict(X_te)))
        hits = [r for r in reached if not np.isnan(r)]
        epochs = (
            f"{np.mean(hits):.1f} [{min(hits):.0f}-{max(hits):.0f}]" if hits else "-"
        )
        rows.append(
            [
                name,
                f"{epochs} ({len(hits)}/{len(seeds)} seeds)",
                _summary(final),
                _summary(test),
            ]
        )
    _print_table(
        f"cosine and weight_decay on digits, (64,) network, {EPOCHS} epochs",
        [
            "optimizer",
            f"epochs to training loss < {TARGET_LOSS}",
            "final training loss",
            "test accuracy",
        ],
        rows,
    )


TABLES = {
    "class_weight": class_weight_table,
    "dropout": dropout_table,
    "schedules": schedule_table,
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--only", choices=sorted(TABLES), nargs="+")
    args = parser.parse_args(argv)
    seeds = list(range(args.seeds))
    for name in args.only or TABLES:
        start = time.perf_counter()
        TABLES[name](seeds)
        print(f"\n({name}: {time.perf_counter() - start:.0f} s, seeds {seeds})")


if __name__ == "__main__":
    main()
