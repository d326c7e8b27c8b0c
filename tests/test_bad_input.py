"""Bad input crossed with every public method of every estimator, as one table.

Each cell is (estimator, method, input). It either succeeds with a result that
is checked (usually: bit-identical to the same call on the clean, canonical
float64 array), or raises exactly the exception type in the table with a
message that names the problem. Every cell also checks that its inputs were
not written to. Besides the plain estimators, the table holds estimators with
the issue-13 training features on (class_weight, dropout, weight_decay, the
cosine schedule, early stopping on the validation loss); they inherit the
plain one's outcomes except where a feature changes them.

The fitted estimators the cells start from come from ``fit`` on clean data;
``test_atomicity.py`` reruns the failing ``fit``/``partial_fit`` cells on
unfitted and fitted estimators and checks that nothing changed. The end of
this file covers ill-conditioned data (features spanning 1e-8 to 1e8).
"""

import copy
import decimal
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from scipy.special import expit, softmax
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from conftest import assert_identical, digest
from mlpinit import (
    MeanNormStandardizer,
    MLPClassifier,
    MLPRegressor,
    TabularMLPClassifier,
    TabularMLPRegressor,
)
from mlpinit.preprocessing import PeriodicFeatures, RobustSmoothClipScaler

RNG = np.random.RandomState(0)
N, D = 24, 4
MOSTLY_ZERO_WEIGHTS = np.where(np.arange(N) < 3, 1.0, 0.0)
X = RNG.normal(size=(N, D))
Y_CLASSES = np.arange(N) % 3
Y_REAL = X[:, 0] - 0.5 * X[:, 1] + 0.1 * RNG.normal(size=N)
# init="he": the models whose outputs the expected messages below describe.
SMALL = dict(hidden_layer_sizes=(5,), max_iter=2, random_state=0, init="he")
SKLEARN_SMALL = {key: value for key, value in SMALL.items() if key != "init"}
# The Tabular estimators keep their own defaults (init="he" among them),
# early stopping on a 20% validation split included.
TABULAR_SMALL = dict(hidden_layer_sizes=(5,), max_iter=2, random_state=0)
PERIODIC = dict(periodic_features=2, scaling="robust")

# name: (factory, clean training targets)
ESTIMATORS = {
    "standardizer": (MeanNormStandardizer, None),
    "classifier": (lambda: MLPClassifier(**SMALL), Y_CLASSES),
    "regressor": (lambda: MLPRegressor(**SMALL), Y_REAL),
    "poisson": (lambda: MLPRegressor(loss="poisson", **SMALL), np.abs(Y_REAL)),
    # The issue-13 training features, all on at once where they combine.
    "classifier+features": (
        lambda: MLPClassifier(
            class_weight={0: 1.0, 1: 2.0, 2: 0.5},
            dropout=0.2,
            weight_decay=0.01,
            **SMALL,
        ),
        Y_CLASSES,
    ),
    # A huge tol ends the fit after 3 of its 50 epochs, so the cosine schedule
    # has not reached its zero rate and partial_fit still moves the weights.
    "regressor+features": (
        lambda: MLPRegressor(
            solver="sgd",
            learning_rate="cosine",
            warmup_epochs=1,
            weight_decay=0.01,
            dropout=0.2,
            **{**SMALL, "max_iter": 50, "tol": 1e9, "n_iter_no_change": 1},
        ),
        Y_REAL,
    ),
    "regressor+early_stopping": (
        lambda: MLPRegressor(early_stopping=True, scoring="loss", **SMALL),
        Y_REAL,
    ),
    # LSUV measures variances on the (weighted) data before training.
    "regressor+lsuv": (lambda: MLPRegressor(**{**SMALL, "init": "lsuv"}), Y_REAL),
    # Input scaling (and a standardized target) inside fit.
    "tabular-classifier": (lambda: TabularMLPClassifier(**TABULAR_SMALL), Y_CLASSES),
    "tabular-regressor": (lambda: TabularMLPRegressor(**TABULAR_SMALL), Y_REAL),
    "tabular-regressor+periodic": (
        lambda: TabularMLPRegressor(**TABULAR_SMALL, **PERIODIC),
        Y_REAL,
    ),
}
# The plain estimator whose table entries a featured one inherits.
FAMILY = {
    "classifier+features": "classifier",
    "regressor+features": "regressor",
    "regressor+early_stopping": "regressor",
    "regressor+lsuv": "regressor",
    "tabular-classifier": "classifier",
    "tabular-regressor": "regressor",
    "tabular-regressor+periodic": "tabular-regressor",
}
METHODS = {
    "standardizer": ("fit", "partial_fit", "transform", "inverse_transform"),
    "classifier": ("fit", "partial_fit", "predict", "predict_proba", "score"),
    "regressor": ("fit", "partial_fit", "predict", "score"),
    "poisson": ("fit", "partial_fit", "predict", "score"),
    "classifier+features": ("fit", "partial_fit", "predict", "predict_proba", "score"),
    "regressor+features": ("fit", "partial_fit", "predict", "score"),
    # partial_fit refuses early stopping whatever the input, as in scikit-learn.
    "regressor+early_stopping": ("fit", "predict", "score"),
    "regressor+lsuv": ("fit", "partial_fit", "predict", "score"),
    "tabular-classifier": ("fit", "partial_fit", "predict", "predict_proba", "score"),
    "tabular-regressor": ("fit", "partial_fit", "predict", "score"),
    "tabular-regressor+periodic": ("fit", "partial_fit", "predict", "score"),
}
# Which methods take which input.
TAKES_Y = {"fit", "partial_fit", "score"}
FITTING = {"fit", "partial_fit"}
BADLY_SCALED = "The features of X are badly scaled"
DIVERGED = r"the optimization diverged\. Normalize the inputs"
GRADIENTS_OVERFLOW = "The gradients overflowed float64 at epoch 1; " + DIVERGED
SCALED_BEYOND_FLOAT32 = (
    r"X, once scaled, reaches \S+, beyond the largest float32 number"
)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call(*args, **kwargs)


def lineage(name):
    """``name`` and the estimators it inherits table entries from, nearest first."""
    names = [name]
    while names[-1] in FAMILY:
        names.append(FAMILY[names[-1]])
    return names


def family(name):
    """The plain estimator at the root of ``name``'s lineage."""
    return lineage(name)[-1]


def fresh(name):
    return ESTIMATORS[name][0]()


_PROTOTYPES = {}


def fitted(name):
    """A fitted estimator of this kind (a deep copy of one shared prototype)."""
    if name not in _PROTOTYPES:
        _PROTOTYPES[name] = quiet(fresh(name).fit, X, ESTIMATORS[name][1])
    return copy.deepcopy(_PROTOTYPES[name])


def call(est, method, inputs):
    """``est.method`` on the inputs it takes; ``sample_weight`` only if given."""
    if method not in TAKES_Y:
        return getattr(est, method)(inputs["X"])
    if isinstance(est, MeanNormStandardizer):
        return getattr(est, method)(inputs["X"], inputs["y"])
    kwargs = {}
    if inputs.get("sample_weight") is not None:
        kwargs["sample_weight"] = inputs["sample_weight"]
    return getattr(est, method)(inputs["X"], inputs["y"], **kwargs)


# --------------------------------------------------------------------------
# comparisons
# --------------------------------------------------------------------------
def fitted_state(est):
    """Everything an estimator holds except the names of its features (and
    the wall time LSUV took)."""
    state = {k: v for k, v in vars(est).items() if k != "feature_names_in_"}
    if "lsuv_record_" in state:
        record = dict(state["lsuv_record_"])
        del record["seconds"]
        state["lsuv_record_"] = record
    return state


def assert_same_result(result, reference):
    if hasattr(result, "get_params"):
        assert_identical(fitted_state(result), fitted_state(reference))
    elif isinstance(result, float):
        assert result == reference
    else:
        assert_identical(np.asarray(result), np.asarray(reference))


# --------------------------------------------------------------------------
# outcomes
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Raises:
    """The call raises exactly ``exc`` (not a subclass) matching ``match``."""

    match: str
    exc: type = ValueError


@dataclass(frozen=True)
class Same:
    """Success, bit-identical to the same call on ``clean(inputs)``.

    A ``fit`` is compared with a fit of a fresh, unfitted estimator: refitting
    a fitted one must leave no trace of the earlier fit.
    """

    clean: Callable


@dataclass(frozen=True)
class Check:
    """Success, and ``check(result, name, method, inputs, caught)`` holds."""

    check: Callable


NA = None  # the input does not apply to this estimator or method


def run_cell(name, method, kind, tmp_path):
    inputs = KINDS[kind].make(name, tmp_path)
    outcome = expected(name, method, kind)
    est = fitted(name)
    hashes = {key: digest(value) for key, value in inputs.items()}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if isinstance(outcome, Raises):
            with pytest.raises(Exception) as info:
                call(est, method, inputs)
            assert type(info.value) is outcome.exc, repr(info.value)
            assert info.match(outcome.match)
        else:
            result = call(est, method, inputs)
    # Numerical trouble is reported as an exception or a UserWarning, never
    # as a RuntimeWarning (overflow, invalid value) escaping from mlpinit.
    leaked = [
        w
        for w in caught
        if issubclass(w.category, RuntimeWarning) and "mlpinit" in w.filename
    ]
    assert not leaked, [str(w.message) for w in leaked]
    assert {key: digest(value) for key, value in inputs.items()} == hashes
    if isinstance(outcome, Same):
        clean = outcome.clean(inputs)
        if method == "fit":
            reference = quiet(call, fresh(name), method, clean)
        else:
            reference = quiet(call, fitted(name), method, clean)
        assert_same_result(result, reference)
    elif isinstance(outcome, Check):
        outcome.check(result, name, method, inputs, caught)


# --------------------------------------------------------------------------
# inputs
# --------------------------------------------------------------------------
@dataclass(frozen=True)
class Kind:
    """One bad input. ``role`` is the argument it spoils: X, y or sample_weight.

    ``make(name, tmp_path)`` returns the inputs of the call: X, y and
    sample_weight, with clean values for the ones this kind leaves alone.
    """

    role: str
    make: Callable


def clean_inputs(name):
    return {"X": X, "y": ESTIMATORS[name][1], "sample_weight": None}


def spoil_X(transform):
    def make(name, tmp_path):
        return {**clean_inputs(name), "X": transform(X)}

    return Kind("X", make)


def spoil_rows(rows):
    """X, y and sample_weight cut to the same rows."""

    def make(name, tmp_path):
        y = ESTIMATORS[name][1]
        return {
            "X": X[rows],
            "y": None if y is None else y[rows],
            "sample_weight": None,
        }

    return Kind("X", make)


def spoil_y(transform):
    def make(name, tmp_path):
        y = ESTIMATORS[name][1]
        return {**clean_inputs(name), "y": transform(Y_CLASSES if y is None else y)}

    return Kind("y", make)


def spoil_weight(weight):
    def make(name, tmp_path):
        return {**clean_inputs(name), "sample_weight": weight}

    return Kind("sample_weight", make)


def float32_with_weight(weight):
    """float32 X with sample weights that float32 holds, just (issue 21)."""

    def make(name, tmp_path):
        return {
            **clean_inputs(name),
            "X": X.astype(np.float32),
            "sample_weight": np.full(N, weight),
        }

    return Kind("sample_weight", make)


def with_value(array, index, value):
    out = np.array(array, dtype=float)
    out[index] = value
    return out


def strings(shape):
    return np.array(["a", "b", "c"] * (int(np.prod(shape)) // 3), dtype=object).reshape(
        shape
    )


MIXED_FRAME = pd.DataFrame(
    {
        "f64": X[:, 0],
        "i8": (X[:, 1] * 10).astype(np.int8),
        "flag": X[:, 2] > 0,
        "f32": X[:, 3].astype(np.float32),
    }
)


def memmap_inputs(name, tmp_path):
    """Every input of the call as a read-only memory map."""
    inputs = clean_inputs(name)
    inputs["sample_weight"] = None if name == "standardizer" else np.linspace(0.5, 2, N)
    out = {}
    for key, value in inputs.items():
        if value is None:
            out[key] = None
            continue
        path = tmp_path / f"{key}.npy"
        np.save(path, np.ascontiguousarray(value))
        out[key] = np.load(path, mmap_mode="r")
        assert not out[key].flags.writeable
    return out


KINDS = {
    "nan-X": spoil_X(lambda a: with_value(a, (2, 1), np.nan)),
    "+inf-X": spoil_X(lambda a: with_value(a, (2, 1), np.inf)),
    "-inf-X": spoil_X(lambda a: with_value(a, (5, 0), -np.inf)),
    "1d-X": spoil_X(lambda a: a[:, 0]),
    "3d-X": spoil_X(lambda a: a[:, :, None]),
    "wrong-n_features": spoil_X(lambda a: a[:, :3]),
    "zero-rows": spoil_rows(slice(0, 0)),
    "zero-columns": spoil_X(lambda a: a[:, :0]),
    "single-row": spoil_rows(slice(0, 1)),
    "string-objects-X": spoil_X(lambda a: strings(a.shape)),
    "complex-X": spoil_X(lambda a: a + 1j),
    "1e300-X": spoil_X(lambda a: a * 1e300),
    "1e-300-X": spoil_X(lambda a: a * 1e-300),
    # Uniformly tiny float32: LSUV would need weights whose squares overflow.
    "1e-20-float32-X": spoil_X(lambda a: (a * 1e-20).astype(np.float32)),
    "bool-X": spoil_X(lambda a: a > 0),
    "int8-X": spoil_X(lambda a: (a * 10).astype(np.int8)),
    "float16-X": spoil_X(lambda a: a.astype(np.float16)),
    "pandas-mixed-dtypes": spoil_X(lambda a: MIXED_FRAME.copy()),
    "pandas-string-column": spoil_X(lambda a: MIXED_FRAME.assign(i8=strings(N))),
    "pandas-nullable-NA": spoil_X(
        lambda a: MIXED_FRAME.assign(
            i8=pd.array([None] + list(MIXED_FRAME["i8"][1:]), dtype="Int64")
        )
    ),
    "non-contiguous-X": spoil_X(lambda a: np.repeat(a, 2, axis=1)[:, ::2]),
    "fortran-X": spoil_X(np.asfortranarray),
    "read-only-memmap": Kind("X", memmap_inputs),
    "nan-y": spoil_y(lambda y: with_value(y, 3, np.nan)),
    "+inf-y": spoil_y(lambda y: with_value(y, 3, np.inf)),
    "-inf-y": spoil_y(lambda y: with_value(y, 3, -np.inf)),
    "short-y": spoil_y(lambda y: y[:-1]),
    "single-class-y": spoil_y(lambda y: np.zeros_like(y)),
    "negative-y": spoil_y(lambda y: -np.abs(y) - 1),
    "unseen-labels-y": spoil_y(lambda y: y + 1),
    "string-objects-y": spoil_y(lambda y: strings(len(y))),
    "complex-y": spoil_y(lambda y: y + 1j),
    "1e300-y": spoil_y(lambda y: y * 1e300),
    "1e-300-y": spoil_y(lambda y: y * 1e-300),
    "bool-y": spoil_y(lambda y: y > np.median(y)),
    "nan-weight": spoil_weight(with_value(np.ones(N), 4, np.nan)),
    "+inf-weight": spoil_weight(with_value(np.ones(N), 4, np.inf)),
    "-inf-weight": spoil_weight(with_value(np.ones(N), 4, -np.inf)),
    "negative-weight": spoil_weight(np.linspace(-0.5, 1.5, N)),
    "zero-weights": spoil_weight(np.zeros(N)),
    "mostly-zero-weights": spoil_weight(MOSTLY_ZERO_WEIGHTS),
    "short-weight": spoil_weight(np.ones(N - 1)),
    # Near float32's largest number: class weights above 1 overflow it.
    "float32-near-max-weight": float32_with_weight(3e38),
}


# --------------------------------------------------------------------------
# checks of successful cells
# --------------------------------------------------------------------------
def as_float(inputs):
    return {**inputs, "X": np.asarray(inputs["X"], dtype=np.float64)}


def standardizer_statistics(data):
    """mean_, norm_ and counts of ``data`` from first principles (NaN ignored)."""
    mean = np.nanmean(data, axis=0)
    norm = np.sqrt(np.nansum((data - mean) ** 2, axis=0))
    return mean, norm, (~np.isnan(data)).sum(axis=0)


def check_standardizer(result, name, method, inputs, caught):
    """Statistics from first principles; transforms by their formula.

    The reference divides the data by its largest value first, so that its
    squares neither overflow nor vanish.
    """
    Xf = np.asarray(inputs["X"], dtype=np.float64)
    if method in FITTING:
        data = Xf if method == "fit" else np.vstack([X, Xf])
        scale = np.nanmax(np.abs(data))
        mean, norm, count = standardizer_statistics(data / scale)
        np.testing.assert_allclose(result.mean_, mean * scale, rtol=1e-13)
        np.testing.assert_allclose(result.norm_, norm * scale, rtol=1e-12)
        np.testing.assert_array_equal(np.broadcast_to(result.n_samples_seen_, D), count)
        return
    est = fitted(name)
    if method == "transform":
        formula = (Xf - est.mean_) / est.scale_
    else:
        formula = Xf * est.scale_ + est.mean_
    np.testing.assert_array_equal(result, formula)
    assert np.isfinite(result).sum() == np.isfinite(Xf).sum()


def check_float16_transform(result, name, method, inputs, caught):
    assert result.dtype == np.float16
    reference = getattr(fitted(name), method)(np.asarray(inputs["X"], np.float64))
    np.testing.assert_allclose(result, reference, rtol=2e-3, atol=2e-3)


def check_nan_frame(result, name, method, inputs, caught):
    as_nan = inputs["X"].astype({"i8": np.float64})
    check_standardizer(result, name, method, {"X": as_nan.to_numpy()}, caught)


def check_single_row(result, name, method, inputs, caught):
    if method in FITTING:
        return check_finite_fit(result, name, method, inputs, caught)
    full = getattr(fitted(name), method)(X)
    # One row may take a different BLAS path (gemv) than many: last-bit
    # differences are allowed, nothing more.
    np.testing.assert_allclose(result, full[:1], rtol=1e-12, atol=1e-15)


def check_single_row_score(result, name, method, inputs, caught):
    if family(name) == "classifier":
        assert result == float(fitted(name).predict(X[:1])[0] == Y_CLASSES[0])
    else:  # R^2 is undefined for one sample: scikit-learn returns NaN
        assert np.isnan(result)
        assert any("less than two samples" in str(w.message) for w in caught)


def schedule_finished(est):
    """Whether ``est``'s cosine schedule ran to its rate of 0 (Tabular's does:
    it runs all max_iter epochs), after which partial_fit moves no weight."""
    return est.learning_rate == "cosine" and est.n_iter_ >= est.max_iter


def check_finite_fit(result, name, method, inputs, caught):
    """Trained: finite weights, and for partial_fit exactly one more epoch."""
    assert all(np.isfinite(c).all() for c in result.coefs_ + result.intercepts_)
    if method == "partial_fit":
        before = fitted(name)
        assert result.t_ == before.t_ + len(inputs["X"])
        assert len(result.loss_curve_) == len(before.loss_curve_) + 1
        # In the dtype of this call's X, which the model takes on.
        start = before.coefs_[0].astype(result.coefs_[0].dtype)
        moved = not np.array_equal(result.coefs_[0], start)
        assert moved != schedule_finished(before)
    else:
        assert result.n_iter_ >= 1
    sample = np.asarray(inputs["X"], dtype=float)[:2]
    if isinstance(result, MLPClassifier):
        assert np.isfinite(result.predict_proba(sample)).all()
    else:
        assert np.isfinite(result.predict(sample)).all()


def check_one_class(result, name, method, inputs, caught):
    """One class fits as in scikit-learn: one logistic output, the class predicted.

    scikit-learn trains that output toward 0 for every row and reports it as
    two probability columns; with its initialization the numbers match too.
    """
    check_finite_fit(result, name, method, inputs, caught)
    reference = quiet(SkMLPClassifier(**SKLEARN_SMALL).fit, inputs["X"], inputs["y"])
    for attribute in ("classes_", "n_outputs_", "out_activation_"):
        assert_identical(getattr(result, attribute), getattr(reference, attribute))
    assert_identical(result.predict(X), reference.predict(X))
    same_init = quiet(
        MLPClassifier(init="sklearn", **SKLEARN_SMALL).fit, inputs["X"], inputs["y"]
    )
    np.testing.assert_allclose(
        same_init.predict_proba(X), reference.predict_proba(X), rtol=1e-10
    )


def _relabelled(name, y):
    """``y`` with new targets on the rows of zero weight (same classes)."""
    y = np.array(y, copy=True)
    zero = MOSTLY_ZERO_WEIGHTS == 0
    y[zero] = (y[zero] + 1) % 3 if family(name) == "classifier" else 2 * y[zero] + 1
    return y


def check_zero_weight_rows_ignored(result, name, method, inputs, caught):
    """Rows of zero weight change nothing, in batches of zero weight too."""
    check_finite_fit(result, name, method, inputs, caught)
    other = {**inputs, "y": _relabelled(name, inputs["y"])}
    start = fresh(name) if method == "fit" else fitted(name)
    assert_same_result(result, quiet(call, start, method, other))
    # In batches of 4, most batches of an epoch weigh nothing.
    first = fresh if method == "fit" else fitted
    results = [
        quiet(call, first(name).set_params(batch_size=4), method, data)
        for data in (inputs, other)
    ]
    assert np.isfinite(results[0].loss_curve_).all()
    assert_same_result(*results)


def check_huge_fit(result, name, method, inputs, caught):
    check_finite_fit(result, name, method, inputs, caught)
    assert any(BADLY_SCALED in str(w.message) for w in caught)


def reference_input(est, data):
    """What the network of ``est`` sees: Tabular's input transforms by their
    formulas, in float64 (plain MLPs see ``data`` itself)."""
    A = np.asarray(data, dtype=np.float64)
    for step in getattr(est, "input_transforms_", []):
        if isinstance(step, MeanNormStandardizer):
            A = (A - step.mean_) / step.scale_
        elif isinstance(step, RobustSmoothClipScaler):
            Z = (A - step.center_) / step.scale_
            A = Z / np.hypot(1.0, Z / step.clip)  # z / sqrt(1 + (z/c)^2)
        else:
            assert isinstance(step, PeriodicFeatures)
            angle = 2 * np.pi * A[:, :, None] * step.frequencies_
            parts = [A[:, :, None], np.cos(angle), np.sin(angle)]
            A = np.concatenate(parts, axis=2).reshape(len(A), -1)
    return A


def reference_output(est, data):
    """The network's output from first principles, in plain numpy (in y's
    units for a Tabular regressor)."""
    hidden = {"relu": lambda z: np.maximum(z, 0), "tanh": np.tanh}[est.activation]
    out = {
        "softmax": lambda z: softmax(z, axis=1),
        "logistic": expit,
        "identity": lambda z: z,
        "exp": np.exp,
    }[est.out_activation_]
    A = reference_input(est, data)
    for i, (W, b) in enumerate(zip(est.coefs_, est.intercepts_)):
        Z = A @ W + b
        A = out(Z) if i == len(est.coefs_) - 1 else hidden(Z)
    if isinstance(est, TabularMLPRegressor):
        A = A * est.target_scale_ + est.target_mean_
    return A


def check_extreme_prediction(result, name, method, inputs, caught):
    est = fitted(name)
    assert np.isfinite(result).all()
    output = reference_output(est, inputs["X"])
    if method == "predict_proba":
        np.testing.assert_allclose(result, output, rtol=1e-12)
    elif family(name) == "classifier":
        np.testing.assert_array_equal(result, est.classes_[np.argmax(output, axis=1)])
    else:
        np.testing.assert_allclose(result, output.ravel(), rtol=1e-12)


def r2_from_first_principles(y, prediction, weight=None):
    """R^2 in exact decimal arithmetic (no overflow), rounded to a float.

    A constant target scores 1.0 if predicted exactly, else 0.0, as in
    scikit-learn's ``r2_score``.
    """
    context = decimal.Context(prec=60, Emax=10**6, Emin=-(10**6))
    y = [context.create_decimal(float(v)) for v in y]
    p = [context.create_decimal(float(v)) for v in prediction]
    w = [
        context.create_decimal(1 if weight is None else float(v))
        for v in (weight if weight is not None else y)
    ]
    mean = context.divide(sum(wi * yi for wi, yi in zip(w, y)), sum(w))
    total = sum(wi * (yi - mean) ** 2 for wi, yi in zip(w, y))
    residual = sum(wi * (yi - pi) ** 2 for wi, yi, pi in zip(w, y, p))
    if total == 0:
        return 1.0 if residual == 0 else 0.0
    return float(1 - context.divide(residual, total))


def check_score(result, name, method, inputs, caught):
    """The score is the metric of predict, with the given weights."""
    est = fitted(name)
    X_, y = inputs["X"], inputs["y"]
    weight = inputs.get("sample_weight")
    prediction = est.predict(X_)
    if family(name) == "classifier":
        assert result == accuracy_score(y, prediction, sample_weight=weight)
        return
    y = np.asarray(y, dtype=float)
    np.testing.assert_allclose(
        result, r2_from_first_principles(y, prediction, weight), rtol=1e-10
    )
    peak = max(np.abs(y).max(), np.abs(prediction).max())
    if 1e-100 < np.abs(y).max() and peak < 1e100:  # ordinary values
        assert result == r2_score(y, prediction, sample_weight=weight)


def check_rescaled_X_fit(factor):
    """A Tabular fit on ``X * factor`` is the fit on ``X``, to rounding: the
    scaling inside fit is invariant to the units of X (no warning either)."""

    def check(result, name, method, inputs, caught):
        check_finite_fit(result, name, method, inputs, caught)
        reference = quiet(fresh(name).fit, X, ESTIMATORS[name][1])
        np.testing.assert_allclose(
            result.predict(X * factor), reference.predict(X), rtol=1e-7
        )
        assert not any(BADLY_SCALED in str(w.message) for w in caught)

    return check


def check_rescaled_y_fit(factor):
    """A Tabular regressor fit on ``y * factor`` is the fit on ``y`` in other
    units: the target's statistics and the predictions scale by ``factor``."""

    def check(result, name, method, inputs, caught):
        check_finite_fit(result, name, method, inputs, caught)
        reference = quiet(fresh(name).fit, X, ESTIMATORS[name][1])
        for attribute in ("target_mean_", "target_scale_", "target_min_"):
            np.testing.assert_allclose(
                getattr(result, attribute) / factor,
                getattr(reference, attribute),
                rtol=1e-13,
            )
        np.testing.assert_allclose(
            result.predict(X) / factor, reference.predict(X), rtol=1e-9
        )
        # Early stopping judged the epochs on finite R^2 scores.
        np.testing.assert_allclose(
            result.validation_scores_, reference.validation_scores_, rtol=1e-9
        )

    return check


def check_classes(classes):
    def check(result, name, method, inputs, caught):
        np.testing.assert_array_equal(result.classes_, classes)
        assert result.classes_.dtype == np.asarray(classes).dtype
        assert set(result.predict(X)) <= set(classes)
        check_finite_fit(result, name, method, inputs, caught)

    return check


def same(clean):
    return Same(clean)


SAME_AS_FLOAT = Same(as_float)
SAME_AS_ARRAY = Same(
    lambda inputs: {k: None if v is None else np.array(v) for k, v in inputs.items()}
)
IGNORED_Y = Same(lambda inputs: {**inputs, "y": None})


# --------------------------------------------------------------------------
# the table: kind -> {(estimator, method): outcome}, with "*" as a wildcard
# --------------------------------------------------------------------------
MLPS = ("classifier", "regressor", "poisson")
NO_NAN = "Input X contains NaN"
NO_INF = r"Input X contains infinity or a value too large for dtype\('float64'\)"
NOT_STRINGS = "could not convert string to float: 'a'"
N_FEATURES = "X has 3 features, but {est} is expecting 4 features as input"
# class_weight={0: ..., 1: ..., 2: ...} meets labels other than 0, 1, 2.
UNKNOWN_KEYS = "class_weight has keys that are not classes of y:"
CLASS_WEIGHT_TOO_LARGE = (
    r"class_weight times sample_weight has 8 weight\(s\) that float32 cannot hold"
)

# Tabular's defaults hold out a validation_fraction=0.2 of the rows.
SPLIT_TOO_SMALL = (
    "The validation set is too small: early_stopping=True holds out "
    "validation_fraction=0.2 of the 1 samples"
)
UNWEIGHTED_VALIDATION = (
    "The validation part of early stopping's split has zero total sample weight"
)

EXPECTED = {
    "nan-X": {
        ("standardizer", "*"): Check(check_standardizer),
        ("*", "*"): Raises(NO_NAN),
    },
    "+inf-X": {("*", "*"): Raises(NO_INF)},
    "-inf-X": {("*", "*"): Raises(NO_INF)},
    "1d-X": {("*", "*"): Raises("Expected 2D array, got 1D array instead")},
    "3d-X": {("*", "*"): Raises("Found array with dim 3, while dim <= 2 is required")},
    "wrong-n_features": {
        ("*", "fit"): Same(lambda inputs: inputs),
        ("*", "*"): Raises(N_FEATURES),
    },
    "zero-rows": {("*", "*"): Raises(r"Found array with 0 sample\(s\)")},
    "zero-columns": {("*", "*"): Raises(r"Found array with 0 feature\(s\)")},
    "single-row": {
        ("regressor+early_stopping", "fit"): Raises(
            "The validation set is too small: early_stopping=True holds out "
            "validation_fraction=0.1 of the 1 samples"
        ),
        ("standardizer", "fit"): Check(check_standardizer),
        ("standardizer", "partial_fit"): Check(check_standardizer),
        ("tabular-classifier", "fit"): Raises(SPLIT_TOO_SMALL),
        ("tabular-regressor", "fit"): Raises(SPLIT_TOO_SMALL),
        ("classifier", "fit"): Check(check_one_class),
        # One class now fits; the featured classifier's class_weight names
        # classes this y does not have.
        ("classifier+features", "fit"): Raises(
            rf"{UNKNOWN_KEYS} \[1, 2\]; the classes are \[0\]"
        ),
        ("*", "score"): Check(check_single_row_score),
        ("*", "*"): Check(check_single_row),
    },
    "string-objects-X": {("*", "*"): Raises(NOT_STRINGS)},
    "complex-X": {("*", "*"): Raises("Complex data not supported")},
    "1e300-X": {
        ("standardizer", "*"): Check(check_standardizer),
        # Scaled inside fit: X's units do not matter.
        ("tabular-classifier", "fit"): Check(check_rescaled_X_fit(1e300)),
        ("tabular-regressor", "fit"): Check(check_rescaled_X_fit(1e300)),
        # After the fit on ordinary X, l2 scaling leaves these rows beyond
        # float32, the dtype the Tabular models train in.
        ("tabular-classifier", "partial_fit"): Raises(SCALED_BEYOND_FLOAT32),
        ("tabular-regressor", "partial_fit"): Raises(SCALED_BEYOND_FLOAT32),
        # After the fit on ordinary X: the smooth clip bounds the scaled X.
        ("tabular-regressor+periodic", "partial_fit"): Check(check_finite_fit),
        # Adam's squared gradients overflow for the classifier; the losses of
        # the regressors do.
        ("classifier", "fit"): Raises(GRADIENTS_OVERFLOW),
        ("classifier", "partial_fit"): Raises(GRADIENTS_OVERFLOW),
        ("regressor", "fit"): Raises(
            "The training loss became inf at epoch 1; " + DIVERGED
        ),
        ("regressor", "partial_fit"): Raises(
            "The training loss became inf at epoch 1; " + DIVERGED
        ),
        ("poisson", "fit"): Raises(
            "The training loss became nan at epoch 1; " + DIVERGED
        ),
        ("poisson", "partial_fit"): Raises(
            "The training loss became nan at epoch 1; " + DIVERGED
        ),
        ("classifier", "score"): Check(check_score),
        ("regressor", "score"): Check(check_score),
        ("poisson", "*"): Raises(
            r"output is not finite for \d+ of the 24 rows of X: the forward pass "
            r"overflowed float64, the dtype of this model \(the largest \|x\| in X is "
            r"2\.6e\+300\)"
        ),
        ("*", "*"): Check(check_extreme_prediction),
    },
    "1e-300-X": {
        ("standardizer", "*"): Check(check_standardizer),
        ("tabular-classifier", "fit"): Check(check_rescaled_X_fit(1e-300)),
        ("tabular-regressor", "fit"): Check(check_rescaled_X_fit(1e-300)),
        ("*", "fit"): Check(check_finite_fit),
        ("*", "partial_fit"): Check(check_finite_fit),
        ("*", "score"): Check(check_score),
        ("*", "*"): Check(check_extreme_prediction),
    },
    "1e-20-float32-X": {
        ("standardizer", "*"): NA,  # an MLP case: LSUV's scale
        ("*", "fit"): Check(check_finite_fit),
        ("*", "partial_fit"): Check(check_finite_fit),
        ("*", "score"): Check(check_score),
        ("*", "*"): Check(check_extreme_prediction),
    },
    "bool-X": {("*", "*"): SAME_AS_FLOAT},
    "int8-X": {("*", "*"): SAME_AS_FLOAT},
    "float16-X": {
        ("standardizer", "transform"): Check(check_float16_transform),
        ("standardizer", "inverse_transform"): Check(check_float16_transform),
        ("*", "*"): SAME_AS_FLOAT,
    },
    "pandas-mixed-dtypes": {
        ("*", "*"): Same(lambda i: {**i, "X": i["X"].to_numpy(float)})
    },
    "pandas-string-column": {("*", "*"): Raises(NOT_STRINGS)},
    "pandas-nullable-NA": {
        ("standardizer", "*"): Check(check_nan_frame),
        ("*", "*"): Raises(NO_NAN),
    },
    "non-contiguous-X": {("*", "*"): SAME_AS_ARRAY},
    "fortran-X": {("*", "*"): SAME_AS_ARRAY},
    "read-only-memmap": {("*", "*"): SAME_AS_ARRAY},
    "nan-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier", "score"): Raises("Input y_true contains NaN"),
        ("*", "score"): Raises("Input contains NaN"),
        ("*", "*"): Raises("Input y contains NaN"),
    },
    "+inf-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier", "score"): Raises("Input y_true contains infinity"),
        ("*", "score"): Raises("Input contains infinity"),
        ("*", "*"): Raises("Input y contains infinity"),
    },
    "-inf-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier", "score"): Raises("Input y_true contains infinity"),
        ("*", "score"): Raises("Input contains infinity"),
        ("*", "*"): Raises("Input y contains infinity"),
    },
    "short-y": {
        ("standardizer", "*"): IGNORED_Y,
        # score compares y with predict(X); fit checks X against y
        ("*", "score"): Raises(r"inconsistent numbers of samples: \[23, 24\]$"),
        ("*", "*"): Raises(r"inconsistent numbers of samples: \[24, 23\]$"),
    },
    "single-class-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier", "fit"): Check(check_one_class),
        ("classifier+features", "fit"): Raises(
            rf"{UNKNOWN_KEYS} \[1, 2\]; the classes are \[0\]"
        ),
        ("*", "score"): Check(check_score),
        ("*", "*"): Check(check_finite_fit),
    },
    "negative-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier+features", "fit"): Raises(
            rf"{UNKNOWN_KEYS} \[0, 1, 2\]; the classes are \[-3, -2, -1\]"
        ),
        ("classifier", "fit"): Check(check_classes([-3, -2, -1])),
        ("classifier", "partial_fit"): Raises(
            r"`y` has classes not in `self.classes_`: \[-3 -2 -1\]"
        ),
        ("poisson", "fit"): Raises("loss='poisson' requires non-negative targets y"),
        ("poisson", "partial_fit"): Raises(
            "loss='poisson' requires non-negative targets y"
        ),
        ("*", "score"): Check(check_score),
        ("*", "*"): Check(check_finite_fit),
    },
    "unseen-labels-y": {
        ("classifier+features", "fit"): Raises(
            rf"{UNKNOWN_KEYS} \[0\]; the classes are \[1, 2, 3\]"
        ),
        ("classifier", "fit"): Check(check_classes([1, 2, 3])),
        ("classifier", "partial_fit"): Raises(
            r"`y` has classes not in `self.classes_`: \[3\]\. `self.classes_` has "
            r"\[0 1 2\]; pass every class in `classes` on the first call"
        ),
        ("classifier", "score"): Check(check_score),
        ("*", "*"): NA,
    },
    "string-objects-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier+features", "fit"): Raises(
            rf"{UNKNOWN_KEYS} \[0, 1, 2\]; the classes are \['a', 'b', 'c'\]"
        ),
        ("classifier", "fit"): Check(check_classes(np.array(["a", "b", "c"]))),
        ("classifier", "partial_fit"): Raises(
            r"`y` has classes not in `self.classes_`: \['a' 'b' 'c'\]"
        ),
        ("classifier", "score"): Raises(
            r"Mix of label input types \(string and number\)"
        ),
        ("*", "*"): Raises(NOT_STRINGS),
    },
    "complex-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("*", "*"): Raises("Complex data not supported"),
    },
    "1e300-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier", "score"): Raises(
            "Classification metrics can't handle a mix of continuous and multiclass"
        ),
        ("classifier", "*"): Raises("Unknown label type: continuous"),
        # The standardized target is that of y: y's units do not matter.
        ("tabular-regressor", "fit"): Check(check_rescaled_y_fit(1e300)),
        # After the fit on ordinary y, its statistics leave these targets
        # beyond float32, the dtype the Tabular models train in.
        ("tabular-regressor", "partial_fit"): Raises(
            r"The targets y reach \S+, beyond the largest float32 number"
        ),
        # Poisson's loss stays finite, but Adam's squared gradients overflow.
        ("poisson", "fit"): Raises(GRADIENTS_OVERFLOW),
        ("poisson", "partial_fit"): Raises(GRADIENTS_OVERFLOW),
        ("*", "score"): Check(check_score),
        ("*", "*"): Raises("The training loss became inf at epoch 1; " + DIVERGED),
    },
    "1e-300-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("tabular-regressor", "fit"): Check(check_rescaled_y_fit(1e-300)),
        ("classifier", "score"): Raises(
            "Classification metrics can't handle a mix of continuous and multiclass"
        ),
        ("classifier", "*"): Raises("Unknown label type: continuous"),
        ("*", "score"): Check(check_score),
        ("*", "*"): Check(check_finite_fit),
    },
    "bool-y": {
        ("standardizer", "*"): IGNORED_Y,
        ("classifier+features", "fit"): Raises(
            rf"{UNKNOWN_KEYS} \[2\]; the classes are \[False, True\]"
        ),
        ("classifier", "fit"): Check(check_classes([False, True])),
        ("classifier", "partial_fit"): NA,  # False == 0 and True == 1 to numpy
        ("classifier", "score"): Check(check_score),
        ("*", "*"): Same(lambda i: {**i, "y": i["y"].astype(float)}),
    },
    "nan-weight": {("*", "*"): Raises("Input sample_weight contains NaN")},
    "+inf-weight": {("*", "*"): Raises("Input sample_weight contains infinity")},
    "-inf-weight": {("*", "*"): Raises("Input sample_weight contains infinity")},
    "negative-weight": {
        # Metrics accept negative weights (scikit-learn's scores do the same).
        ("*", "score"): Check(check_score),
        ("*", "*"): Raises("Negative values in data passed to `sample_weight`"),
    },
    "zero-weights": {
        ("*", "*"): Raises("Sample weights must contain at least one non-zero number")
    },
    "mostly-zero-weights": {
        # Its 10% validation rows all have weight 0: nothing to score.
        ("regressor+early_stopping", "fit"): Raises(UNWEIGHTED_VALIDATION),
        # Tabular's 20%: the same for these random draws (not the regressor's).
        ("tabular-classifier", "fit"): Raises(UNWEIGHTED_VALIDATION),
        ("tabular-regressor+periodic", "fit"): Raises(UNWEIGHTED_VALIDATION),
        ("*", "score"): Check(check_score),
        ("*", "*"): Check(check_zero_weight_rows_ignored),
    },
    "short-weight": {
        ("*", "score"): Raises(r"inconsistent numbers of samples: \[24, 24, 23\]"),
        ("*", "*"): Raises(r"sample_weight.shape == \(23,\), expected \(24,\)!"),
    },
    "float32-near-max-weight": {
        # class_weight's 2.0 times 3e38 is no float32: named, not a divergence.
        ("classifier+features", "fit"): Raises(CLASS_WEIGHT_TOO_LARGE),
        ("classifier+features", "partial_fit"): Raises(CLASS_WEIGHT_TOO_LARGE),
        ("*", "score"): Check(check_score),
        ("*", "*"): Check(check_finite_fit),
    },
}


def expected(name, method, kind):
    table = EXPECTED[kind]
    keys = [
        key
        for ancestor in lineage(name)
        for key in ((ancestor, method), (ancestor, "*"))
    ]
    keys += [("*", method), ("*", "*")]
    for key in keys:
        if key in table:
            outcome = table[key]
            if isinstance(outcome, Raises):
                est = type(fresh(name)).__name__
                return Raises(outcome.match.replace("{est}", est), outcome.exc)
            return outcome
    raise KeyError((name, method, kind))


def applies(name, method, kind):
    role = KINDS[kind].role
    if role == "y" and method not in TAKES_Y:
        return False
    if role == "sample_weight" and (name == "standardizer" or method not in TAKES_Y):
        return False
    return expected(name, method, kind) is not NA


CELLS = [
    (name, method, kind)
    for kind in KINDS
    for name in ESTIMATORS
    for method in METHODS[name]
    if applies(name, method, kind)
]


def test_the_table_covers_every_input_and_method():
    assert set(EXPECTED) == set(KINDS)
    assert {name for name, _, _ in CELLS} == set(ESTIMATORS)
    methods = {method for _, method, _ in CELLS}
    assert methods == {
        "fit",
        "partial_fit",
        "predict",
        "predict_proba",
        "transform",
        "inverse_transform",
        "score",
    }
    # The count quoted in the closing note, for the plain estimators
    # (551, and 9 of issue 11's mostly-zero weights), and issue 21's 9 of
    # float32 weights near its maximum and 13 of uniformly tiny float32 X;
    # the featured ones add 579 (149 of them init="lsuv"), the Tabular ones
    # 472 (of issue 20).
    assert len([cell for cell in CELLS if cell[0] not in FAMILY]) == 582
    assert len([cell for cell in CELLS if cell[0].startswith("tabular")]) == 472
    assert len(CELLS) == 1633
    outcomes = [type(expected(*cell)).__name__ for cell in CELLS]
    assert {kind: outcomes.count(kind) for kind in set(outcomes)} == {
        "Raises": 937,
        "Same": 373,
        "Check": 323,
    }


@pytest.mark.parametrize("name, method, kind", CELLS, ids=["-".join(c) for c in CELLS])
def test_cell(name, method, kind, tmp_path):
    run_cell(name, method, kind, tmp_path)


# --------------------------------------------------------------------------
# the checks themselves must be able to fail
# --------------------------------------------------------------------------
def test_a_wrong_exception_type_or_message_fails_the_cell(tmp_path, monkeypatch):
    monkeypatch.setitem(EXPECTED, "1d-X", {("*", "*"): Raises("Expected", TypeError)})
    with pytest.raises(AssertionError):
        run_cell("regressor", "predict", "1d-X", tmp_path)
    monkeypatch.setitem(EXPECTED, "1d-X", {("*", "*"): Raises("no such message")})
    with pytest.raises(AssertionError):
        run_cell("regressor", "predict", "1d-X", tmp_path)


def test_a_result_that_differs_from_the_clean_call_fails_the_cell(
    tmp_path, monkeypatch
):
    monkeypatch.setitem(
        EXPECTED, "bool-X", {("*", "*"): Same(lambda i: {**i, "X": i["X"] * 2.0})}
    )
    with pytest.raises(AssertionError):
        run_cell("regressor", "predict", "bool-X", tmp_path)
    with pytest.raises(AssertionError):
        run_cell("regressor", "fit", "bool-X", tmp_path)


def test_a_call_that_writes_to_its_input_fails_the_cell(tmp_path, monkeypatch):
    def scribble(self, X, y=None):
        X[0, 0] += 1.0
        return self

    monkeypatch.setattr(MeanNormStandardizer, "partial_fit", scribble)
    with pytest.raises(AssertionError):
        run_cell("standardizer", "partial_fit", "fortran-X", tmp_path)


# --------------------------------------------------------------------------
# overflow inside the network
# --------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_forward_overflow_raises_instead_of_returning_garbage(method):
    # Finite inputs, finite weights, a hidden layer that overflows to inf:
    # without the check, softmax of inf - inf is NaN and argmax picks class 0.
    est = fitted("classifier")
    est.coefs_[0][:] = 1e200
    before = copy.deepcopy(vars(est))
    with pytest.raises(ValueError, match=r"not finite for [1-9]\d* of the 24 rows"):
        getattr(est, method)(X * 1e200)
    assert_identical(vars(est), before)
    assert np.isfinite(getattr(est, method)(X * 1e-200)).all()


# --------------------------------------------------------------------------
# ill-conditioned data: features spanning 1e-8 to 1e8
# --------------------------------------------------------------------------
SCALES = np.array([1e-8, 1e-4, 1.0, 1e2, 1e5, 1e8])


def _ill_conditioned(n=300):
    rng = np.random.RandomState(1)
    Z = rng.normal(size=(n, len(SCALES)))
    y = Z @ np.array([1.0, -1.0, 0.5, 2.0, -0.5, 1.0]) + 0.05 * rng.normal(size=n)
    return Z * SCALES + 3 * SCALES, y / y.std()


X_ILL, Y_ILL = _ill_conditioned()


def test_raw_ill_conditioned_fit_warns_and_then_trains_or_says_diverged():
    outcomes = set()
    for solver, lr in [("lbfgs", 1e-3), ("adam", 1e-3), ("sgd", 1e-2)]:
        est = MLPRegressor(
            hidden_layer_sizes=(16,),
            solver=solver,
            learning_rate_init=lr,
            max_iter=20,
            random_state=0,
        )
        with pytest.warns(UserWarning, match=BADLY_SCALED) as record:
            try:
                quiet(est.fit, X_ILL, Y_ILL)
                outcomes.add("trained")
                assert all(np.isfinite(c).all() for c in est.coefs_)
            except ValueError as error:
                assert "diverged" in str(error)
                assert "MeanNormStandardizer" in str(error)
                outcomes.add("diverged")
        message = next(str(w.message) for w in record if BADLY_SCALED in str(w.message))
        assert re.search(r"range from \d\.\de-08 to \d\.\de\+08\.", message)
        assert "MeanNormStandardizer" in message
    # sgd on raw inputs diverges, the others survive: both paths are covered.
    assert outcomes == {"trained", "diverged"}


@pytest.mark.parametrize("scaler", [MeanNormStandardizer, StandardScaler])
def test_ill_conditioned_data_trains_well_after_a_scaler_without_warning(scaler):
    model = make_pipeline(
        scaler(),
        MLPRegressor(
            hidden_layer_sizes=(16,), solver="lbfgs", max_iter=200, random_state=0
        ),
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=BADLY_SCALED)
        quiet(model.fit, X_ILL[:200], Y_ILL[:200])
    assert model.score(X_ILL[200:], Y_ILL[200:]) > 0.95


@pytest.mark.parametrize(
    "columns, warns",
    [
        ([1.0, 9.9e5], False),  # a spread just under the limit
        ([1.0, 1.1e6], True),  # just over it
        ([1e-3, 1e-8], False),  # all small, within a factor 1e5 of each other
        ([2e6, 3e6], True),  # magnitudes over the limit, though alike
        ([0.0, 5.0], False),  # an all-zero column has no scale
    ],
)
@pytest.mark.parametrize("sparse", [False, True])
def test_the_scale_warning_threshold(columns, warns, sparse):
    rng = np.random.RandomState(0)
    X_ = rng.uniform(-1, 1, size=(40, 2)) * columns
    X_[0] = columns  # the largest |x| of each column is exactly its scale
    X_ = sp.csr_matrix(X_) if sparse else X_
    y = rng.normal(size=40)
    est = MLPRegressor(hidden_layer_sizes=(3,), max_iter=1, random_state=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        est.fit(X_, y)
        est.partial_fit(X_, y)
    scale_warnings = [w for w in caught if BADLY_SCALED in str(w.message)]
    assert len(scale_warnings) == (2 if warns else 0)
    assert all(w.category is UserWarning for w in scale_warnings)
