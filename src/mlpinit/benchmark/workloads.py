"""The benchmark's workloads: one training setting, identical for both libraries."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Workload:
    """One training setting, identical for both libraries.

    Parameters
    ----------
    name : str
        ``"digits"`` (scikit-learn's digits, 64 pixels, 10 classes), or a
        synthetic problem: ``"wide"``, ``"regression"``, ``"tall"``.
    task : {"classification", "regression"}
    n_train, n_test, n_features : int
        Rows to train on and to score on, and columns.
    hidden : tuple of int
        ``hidden_layer_sizes``.
    solver : str, default="adam"
    batch_size : int, default=200
    epochs : int, default=5
        ``max_iter``: the number of passes over the training rows.
    """

    name: str
    task: str
    n_train: int
    n_test: int
    n_features: int
    hidden: tuple
    solver: str = "adam"
    batch_size: int = 200
    epochs: int = 5

    def data(self, dtype, seed=0):
        """Train and test arrays of ``dtype``; digits ships with scikit-learn.

        Parameters
        ----------
        dtype : numpy dtype
        seed : int, default=0

        Returns
        -------
        X_train, X_test, y_train, y_test : ndarray
        """
        from sklearn.datasets import load_digits, make_classification, make_regression
        from sklearn.model_selection import train_test_split

        n = self.n_train + self.n_test
        if self.name.startswith("digits"):
            X, y = load_digits(return_X_y=True)
            X = X / 16.0
        elif self.task == "regression":
            X, y = make_regression(
                n,
                self.n_features,
                n_informative=self.n_features // 2,
                noise=1.0,
                random_state=seed,
            )
            y = y / np.std(y)
        else:
            X, y = make_classification(
                n,
                self.n_features,
                n_informative=min(30, self.n_features // 2),
                n_classes=max(2, self.n_outputs()),
                random_state=seed,
            )
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=self.n_test, random_state=seed
        )
        if self.task == "regression":
            y_train, y_test = y_train.astype(dtype), y_test.astype(dtype)
        return X_train.astype(dtype), X_test.astype(dtype), y_train, y_test

    def estimators(self, init, seed, generators=False):
        """scikit-learn's and mlpinit's estimator for this workload, unfitted.

        Both train ``epochs`` epochs: ``max_iter=epochs``, ``tol=0`` and a
        patience longer than the run, so that neither stops early.

        Parameters
        ----------
        init : str
            mlpinit's ``init``; scikit-learn always uses its own.
        seed : int
        generators : bool, default=False
            False: ``random_state=seed``, so every fit is the same fit. True:
            separate but identically seeded ``RandomState`` objects, whose
            shuffles continue from one ``partial_fit`` call to the next
            exactly as in one multi-epoch fit.

        Returns
        -------
        reference, ours : estimator
        """
        from sklearn import neural_network

        import mlpinit

        name = "MLPClassifier" if self.task == "classification" else "MLPRegressor"
        common = dict(
            hidden_layer_sizes=self.hidden,
            solver=self.solver,
            batch_size=self.batch_size,
            max_iter=self.epochs,
            tol=0.0,
            n_iter_no_change=self.epochs + 1,
        )

        def random_state():
            return np.random.RandomState(seed) if generators else seed

        reference = getattr(neural_network, name)(random_state=random_state(), **common)
        ours = getattr(mlpinit, name)(init=init, random_state=random_state(), **common)
        return reference, ours

    def units(self):
        """Units per layer, inputs to outputs: ``[n_features, *hidden, n_outputs]``."""
        return [self.n_features, *self.hidden, self.n_outputs()]

    def flops_per_epoch(self):
        """Training FLOPs of one epoch, counted as 6 * n * sum(fan_in * fan_out)."""
        units = self.units()
        return 6 * self.n_train * sum(a * b for a, b in zip(units[:-1], units[1:]))

    def n_outputs(self):
        """Output units: 1 for regression and binary tasks, else the classes."""
        if self.task == "regression":
            return 1
        if self.name.startswith("digits"):
            return 10
        return 10 if self.n_features >= 100 else 1


def default_workloads(quick=False):
    """The benchmark's training workloads; ``quick`` shrinks them to seconds.

    Parameters
    ----------
    quick : bool, default=False

    Returns
    -------
    list of Workload
    """
    if quick:
        return [
            Workload("digits", "classification", 1347, 450, 64, (100,), epochs=4),
            Workload("wide", "classification", 4000, 1000, 100, (256, 256), epochs=3),
            Workload("regression", "regression", 4000, 1000, 100, (256, 256), epochs=3),
            Workload("tall", "classification", 16000, 4000, 20, (64, 64), epochs=3),
        ]
    return [
        Workload("digits", "classification", 1347, 450, 64, (100,), epochs=20),
        Workload("wide", "classification", 50000, 10000, 100, (256, 256), epochs=5),
        Workload("regression", "regression", 50000, 10000, 100, (256, 256), epochs=5),
        Workload("tall", "classification", 200000, 20000, 20, (64, 64), epochs=5),
    ]


# The prediction rows: predict_proba on random rows, the same weights in both.
PREDICT_FEATURES, PREDICT_HIDDEN = 100, (256, 256)


def predict_rows(quick=False):
    """Rows of the prediction workload: a million, or 100,000 with ``quick``."""
    return 100_000 if quick else 1_000_000


def describe_workloads():
    """The workloads and their sizes, full and ``--quick``, two lines each.

    Returns
    -------
    str
    """
    quick = {w.name: w for w in default_workloads(quick=True)}
    lines = ["workload    rows x features, full / --quick; network; epochs"]
    for w in default_workloads():
        q = quick[w.name]
        if w.task == "regression":
            target = "regression, 1 output"
        else:
            target = f"{max(2, w.n_outputs())} classes"
        source = "scikit-learn's digits" if w.name == "digits" else "generated"
        lines += [
            f"{w.name:<11} {w.n_train}x{w.n_features} / {q.n_train}x{q.n_features}; "
            f"hidden {w.hidden}; {w.epochs} / {q.epochs} epochs",
            f"{'':<11} {source}, {target}; {w.solver}, batch {w.batch_size}",
        ]
    lines += [
        f"{'predict':<11} {predict_rows()}x{PREDICT_FEATURES} / "
        f"{predict_rows(True)}x{PREDICT_FEATURES}; hidden {PREDICT_HIDDEN}",
        f"{'':<11} predict_proba on random rows, 10 classes, the same weights",
    ]
    return "\n".join(lines)
