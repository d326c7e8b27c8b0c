"""A call that raises loses nothing, and no call writes to its inputs.

A ``fit``, ``partial_fit`` or ``set_params`` that raises leaves the estimator
exactly as it was: the same fitted arrays bit for bit (optimizer state and
feature names included), or still unfitted. This is checked for every failing
``fit``/``partial_fit`` cell of the bad-input table (``test_bad_input.py``),
from three starting states, for divergence and other failures in the middle
of training, and for ``set_params``. Every method is also shown to leave its
inputs bit-identical, with read-only arrays (a write raises) and hashes.
"""

import copy
import warnings
from functools import partial

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

import mlpinit._core.engine as solvers
from conftest import assert_identical, digest
from mlpinit import (
    MeanNormStandardizer,
    MLPClassifier,
    MLPRegressor,
    TabularMLPClassifier,
    TabularMLPRegressor,
)
from mlpinit.tabular import _TabularInput
from test_bad_input import (
    CELLS,
    ESTIMATORS,
    FAMILY,
    FITTING,
    KINDS,
    METHODS,
    Raises,
    call,
    expected,
    family,
    fresh,
)
from test_bad_input import (
    X as TABLE_X,
)

RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 5))
Y_CLASSES = np.arange(60) % 3
Y_REAL = X @ RNG.normal(size=5)


def quiet(method, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        # scikit-learn's label checks cast NaN and inf labels on their way to
        # the errors under test.
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="sklearn")
        return method(*args, **kwargs)


def snapshot(est):
    return copy.deepcopy(vars(est))


def assert_unchanged(est, before):
    assert_identical(vars(est), before)


# --------------------------------------------------------------------------
# every failing fit / partial_fit cell of the bad-input table
# --------------------------------------------------------------------------
FAILING = [
    cell for cell in CELLS if cell[1] in FITTING and isinstance(expected(*cell), Raises)
]


def _start(name, state):
    """An estimator in one of three states, from the table's clean data."""
    est = fresh(name)
    clean_X, clean_y = TABLE_X, ESTIMATORS[name][1]
    if state == "fitted":
        quiet(est.fit, clean_X, clean_y)
    elif state == "partial-fitted":
        kwargs = {"classes": [0, 1, 2]} if isinstance(est, MLPClassifier) else {}
        quiet(est.partial_fit, clean_X, clean_y, **kwargs)
        quiet(est.partial_fit, clean_X, clean_y)
    return est


def test_the_state_comparison_sees_one_ulp_and_any_attribute():
    est = _start("classifier", "partial-fitted")
    before = snapshot(est)
    assert_unchanged(est, before)
    est.coefs_[0][0, 0] = np.nextafter(est.coefs_[0][0, 0], np.inf)
    with pytest.raises(AssertionError):
        assert_unchanged(est, before)
    est.__dict__.update(copy.deepcopy(before))
    est._optimizer_state["t"] += 1
    with pytest.raises(AssertionError):
        assert_unchanged(est, before)
    est.__dict__.update(copy.deepcopy(before))
    est.feature_names_in_ = np.array(["a", "b", "c", "d"], dtype=object)
    with pytest.raises(AssertionError):
        assert_unchanged(est, before)
    del est.feature_names_in_, est.n_iter_
    with pytest.raises(AssertionError):
        assert_unchanged(est, before)


def test_there_are_failing_cells_of_every_estimator():
    assert {name for name, _, _ in FAILING} == set(ESTIMATORS)
    assert len(FAILING) == 523  # 177 of the plain estimators, 155 of Tabular's
    assert len([cell for cell in FAILING if cell[0] not in FAMILY]) == 177
    assert len([cell for cell in FAILING if cell[0].startswith("tabular")]) == 155


# Where a first call may succeed where a continuation fails: a fresh estimator
# has no n_features_in_ or classes_ to disagree with, and a fresh Tabular
# one fits its scaling (and target statistics) on the data given, whatever
# its units.
FIRST_CALL_SUCCEEDS = {"wrong-n_features", "negative-y", "string-objects-y"}
TABULAR_FIRST_CALL_SUCCEEDS = FIRST_CALL_SUCCEEDS | {"1e300-X", "1e300-y"}


@pytest.mark.parametrize(
    "name, method, kind", FAILING, ids=["-".join(c) for c in FAILING]
)
def test_failing_fit_leaves_no_trace(name, method, kind, tmp_path):
    outcome = expected(name, method, kind)
    inputs = KINDS[kind].make(name, tmp_path)
    states = ["unfitted", "fitted"]
    if "partial_fit" in METHODS[name]:  # early stopping refuses partial_fit
        states.append("partial-fitted")
    for state in states:
        est = _start(name, state)
        before = snapshot(est)
        first_call = state == "unfitted" and method == "partial_fit"
        # A classifier's first partial_fit must name the classes, or that is
        # the error.
        if first_call and family(name) == "classifier":
            est.partial_fit = partial(est.partial_fit, classes=[0, 1, 2])
        try:
            quiet(call, est, method, inputs)
        except Exception as error:
            assert type(error) is outcome.exc
            vars(est).pop("partial_fit", None)
            assert_unchanged(est, before)
            if state == "unfitted":
                with pytest.raises(NotFittedError):
                    check_is_fitted(est)
        else:
            # Only a first call may succeed where a continuation fails: a
            # fresh estimator has no n_features_in_ or classes_ to disagree with.
            assert state == "unfitted", f"{state} {name}.{method} did not raise"
            if isinstance(est, _TabularInput):
                assert kind in TABULAR_FIRST_CALL_SUCCEEDS
            else:
                assert kind in FIRST_CALL_SUCCEEDS


# --------------------------------------------------------------------------
# failures in the middle of training
# --------------------------------------------------------------------------
DIVERGING = dict(
    init="he",  # the trajectory these tests were calibrated on
    hidden_layer_sizes=(8,),
    solver="sgd",
    learning_rate_init=0.2,
    batch_size=10,
    max_iter=30,
    n_iter_no_change=100,
    random_state=0,
)


@pytest.mark.parametrize("state", ["unfitted", "fitted", "warm_start"])
def test_divergence_after_some_epochs_leaves_no_trace(state):
    est = MLPRegressor(**DIVERGING)
    if state != "unfitted":
        quiet(est.set_params(learning_rate_init=0.01).fit, X, Y_REAL)
        est.set_params(learning_rate_init=0.2, warm_start=state == "warm_start")
    before = snapshot(est)
    # Several epochs succeed and change the weights before the loss is NaN.
    with pytest.raises(ValueError, match=r"became nan at epoch ([3-9]|\d\d);"):
        quiet(est.fit, X, Y_REAL)
    assert_unchanged(est, before)


def test_divergence_after_some_partial_fits_leaves_the_last_good_state():
    est = MLPRegressor(**DIVERGING)
    good_calls = 0
    with pytest.raises(ValueError, match="the optimization diverged"):
        for _ in range(30):
            before = snapshot(est)
            quiet(est.partial_fit, X, Y_REAL)
            good_calls += 1
    assert good_calls >= 2
    assert_unchanged(est, before)
    assert len(est.loss_curve_) == good_calls


# Issue 21: class weights get sample_weight's checks; a refused one changes
# nothing, in fit and in partial_fit (whose batch may lack a weighted class).
BAD_CLASS_WEIGHTS = {
    "negative": ({0: -1.0}, np.float64, "Negative values in `class_weight`"),
    "nan": ({0: np.nan}, np.float64, "Input class_weight contains NaN"),
    "inf": ({1: np.inf}, np.float64, "Input class_weight contains infinity"),
    "huge-float32": ({0: 1e39}, np.float32, "float32 cannot hold"),
    "tiny-float32": ({2: 1e-50}, np.float32, "float32 cannot hold"),
    "string": ({0: "2"}, np.float64, "class_weight must map classes to numbers"),
    "all-zero": (
        {0: 0.0, 1: 0.0, 2: 0.0},
        np.float64,
        "class_weight gives every row of this call weight 0",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CLASS_WEIGHTS))
@pytest.mark.parametrize("state", ["unfitted", "fitted", "partial_fit"])
def test_a_refused_class_weight_leaves_no_trace(state, case):
    class_weight, dtype, message = BAD_CLASS_WEIGHTS[case]
    est = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    X_fit = X.astype(dtype)
    if state == "fitted":
        quiet(est.fit, X_fit, Y_CLASSES)
    elif state == "partial_fit":
        quiet(est.partial_fit, X_fit, Y_CLASSES, classes=[0, 1, 2])
    est.set_params(class_weight=class_weight)
    before = snapshot(est)
    if state == "partial_fit":
        # A batch of class 0 rows only: the bad weights of classes 1 and 2
        # are refused all the same.
        rows = Y_CLASSES == 0
        fit = partial(est.partial_fit, X_fit[rows], Y_CLASSES[rows])
    else:
        fit = partial(est.fit, X_fit, Y_CLASSES)
    with pytest.raises(ValueError, match=message):
        quiet(fit)
    assert_unchanged(est, before)


def quiet_badly_scaled(method, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "The features of X are badly scaled")
        return method(*args, **kwargs)


EARLY_STOPPING_FAILURES = {
    # The first epoch diverges: no validated weights to fall back on.
    "diverging": (dict(learning_rate_init=1e6), X * 1e100, None, "non-finite"),
    # Every weighted row lands in the training part.
    "unweighted-validation": (
        {},
        X,
        np.where(np.arange(60) < 2, 1.0, 0.0),
        "validation part of early stopping's split has zero total sample weight",
    ),
}


@pytest.mark.parametrize("failure", sorted(EARLY_STOPPING_FAILURES))
@pytest.mark.parametrize("state", ["unfitted", "fitted", "warm_start"])
def test_early_stopping_failures_leave_no_trace(state, failure):
    params, X_fit, weight, message = EARLY_STOPPING_FAILURES[failure]
    est = MLPRegressor(**{**DIVERGING, "early_stopping": True})
    if state != "unfitted":
        quiet(est.set_params(learning_rate_init=0.01).fit, X, Y_REAL)
        est.set_params(warm_start=state == "warm_start")
    est.set_params(**params)
    before = snapshot(est)
    if state == "warm_start" and failure == "diverging":
        # Not a failure: the earlier fit's validated best is there to go
        # back to, and nothing better was found.
        with pytest.warns(ConvergenceWarning, match="^Solver produced non-finite"):
            quiet_badly_scaled(est.fit, X_fit, Y_REAL)
        for got, want in zip(est.coefs_, before["coefs_"]):
            assert_identical(got, want)
        return
    with pytest.raises(ValueError, match=message):
        quiet(est.fit, X_fit, Y_REAL, sample_weight=weight)
    assert_unchanged(est, before)


# Refusals of issue 21 (items 5 to 8): each comes after validation, some
# after the weights are drawn or epochs are trained.
ISSUE_21_REFUSALS = {
    "weight-decay-beyond-the-rate": (
        dict(weight_decay=1e4, learning_rate_init=1e-3),
        r"weight_decay=10000 .* below 1 / learning_rate_init = 1000",
    ),
    "warmup-beyond-max-iter": (
        dict(learning_rate="cosine", warmup_epochs=5, max_iter=3),
        "warmup_epochs=5 is longer than the whole fit, max_iter=3",
    ),
    "warmup-with-lbfgs": (
        dict(solver="lbfgs", warmup_epochs=2),
        "warmup_epochs=2 .* solver='lbfgs' has no learning rate",
    ),
    "dropout-dict": (dict(dropout={0: 0.5}), "dropout must be a real number"),
    "dropout-strings": (dict(dropout=["0.5"]), "dropout must be a real number"),
    "always-nan-scorer": (
        dict(early_stopping=True, scoring=lambda est, X_, y_: np.nan),
        r"scorer, scoring=.*<lambda>, returned nan at epoch 1, and no finite",
    ),
}


@pytest.mark.parametrize("case", sorted(ISSUE_21_REFUSALS))
@pytest.mark.parametrize("state", ["unfitted", "fitted"])
def test_the_refusals_of_issue_21_leave_no_trace(state, case):
    params, message = ISSUE_21_REFUSALS[case]
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    if state == "fitted":
        quiet(est.fit, X, Y_REAL)
    est.set_params(**params)
    before = snapshot(est)
    with pytest.raises(ValueError, match=message):
        quiet(est.fit, X, Y_REAL)
    assert_unchanged(est, before)


def test_a_diverging_fit_with_early_stopping_keeps_its_best_weights_whole():
    # Not a failure (scikit-learn's #29504): the fit ends on the best
    # validated weights, and the record is complete and consistent.
    est = MLPRegressor(**{**DIVERGING, "early_stopping": True, "max_iter": 60})
    with pytest.warns(ConvergenceWarning, match="^Solver produced non-finite"):
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "The features of X are badly scaled")
            est.fit(X, Y_REAL)
    assert np.isnan(est.loss_curve_[-1]) and np.isnan(est.validation_scores_[-1])
    assert len(est.loss_curve_) == len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == np.nanmax(est.validation_scores_)
    assert all(np.isfinite(W).all() for W in est.coefs_ + est.intercepts_)
    np.testing.assert_allclose(est.score(X, Y_REAL), est.score(X, Y_REAL))


class Boom(Exception):
    pass


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
def test_an_exception_in_the_middle_of_training_leaves_no_trace(
    monkeypatch, solver, fitted
):
    """Any exception (MemoryError, a bug, a callback) mid-fit rolls back."""
    est = MLPClassifier(
        hidden_layer_sizes=(6,),
        solver=solver,
        max_iter=8,
        random_state=0,
        record_layer_stats=True,
    )
    if fitted:
        quiet(est.fit, X, Y_CLASSES)
    before = snapshot(est)
    calls = []
    real = solvers.loss_and_gradient if solver == "lbfgs" else solvers.BatchTrainer

    if solver == "lbfgs":

        def failing(*args, **kwargs):
            calls.append(1)
            if len(calls) == 5:
                raise Boom
            return real(*args, **kwargs)

        monkeypatch.setattr(solvers, "loss_and_gradient", failing)
    else:

        class FailingTrainer(real):
            def run_epoch(self, *args, **kwargs):
                calls.append(1)
                if len(calls) == 4:
                    raise Boom
                return super().run_epoch(*args, **kwargs)

        monkeypatch.setattr(solvers, "BatchTrainer", FailingTrainer)
    with pytest.raises(Boom):
        quiet(est.fit, X, Y_CLASSES)
    assert len(calls) in (4, 5)  # it did fail in the middle
    assert_unchanged(est, before)


# Tabular's fit sets input_transforms_ (and the regressor's target_*_) while
# it validates, before training: a fit failing after that must undo them.
TABULAR_SMALL = dict(hidden_layer_sizes=(6,), max_iter=8, random_state=0)
TABULAR_FAILURES = {
    # sgd at this rate overflows after a few epochs of fit (no early
    # stopping's validated weights to fall back on).
    "diverging": (
        dict(
            solver="sgd",
            learning_rate="constant",
            learning_rate_init=1e3,
            batch_size=10,
            early_stopping=False,
            # The default weight decay refuses this rate before any epoch.
            weight_decay=0.0,
            weight_decay_schedule="constant",
        ),
        None,
        np.float64,
        "the optimization diverged",
    ),
    # Checked after the input and the targets: float32 cannot hold them.
    "float32-weights": ({}, np.full(60, 1e39), np.float32, "float32 cannot hold"),
    # The scaling is weighted in float64; training in float32 refuses it.
    "float32-class-weight": (
        dict(class_weight={0: 1e39}),
        None,
        np.float32,
        "float32 cannot hold",
    ),
}


def _tabular_cases():
    for estimator in (TabularMLPClassifier, TabularMLPRegressor):
        for failure in TABULAR_FAILURES:
            if estimator is TabularMLPRegressor and "class" in failure:
                continue
            if estimator is TabularMLPClassifier and failure == "diverging":
                continue  # the log loss's bounded gradients do not overflow
            for method in ("fit", "partial_fit"):
                if method == "partial_fit" and failure == "diverging":
                    continue  # one epoch does not diverge
                for state in ("unfitted", "fitted", "partial-fitted"):
                    yield estimator, failure, method, state


@pytest.mark.parametrize(
    "estimator, failure, method, state",
    list(_tabular_cases()),
    ids=lambda value: getattr(value, "__name__", value),
)
def test_a_tabular_fit_failing_after_its_scaling_leaves_no_trace(
    monkeypatch, estimator, failure, method, state
):
    params, weight, dtype, message = TABULAR_FAILURES[failure]
    est = estimator(**TABULAR_SMALL)
    y = Y_CLASSES if estimator is TabularMLPClassifier else Y_REAL
    classes = {"classes": [0, 1, 2]} if estimator is TabularMLPClassifier else {}
    if state == "fitted":
        quiet(est.fit, X, y)
    elif state == "partial-fitted":
        quiet(est.partial_fit, X, y, **classes)
    est.set_params(**params)
    before = snapshot(est)
    # The failure comes after the scaling was fitted (on a first pass) or
    # applied: the statistics were set or used before it.
    scaled = []
    real = _TabularInput._scaled_input

    def spy(self, *args):
        scaled.append(1)
        return real(self, *args)

    monkeypatch.setattr(_TabularInput, "_scaled_input", spy)
    kwargs = {} if weight is None else {"sample_weight": weight}
    if method == "partial_fit" and state == "unfitted":
        kwargs.update(classes)
    with pytest.raises(ValueError, match=message):
        quiet(getattr(est, method), X.astype(dtype), y, **kwargs)
    assert scaled
    assert_unchanged(est, before)
    if state == "unfitted":
        with pytest.raises(NotFittedError):
            check_is_fitted(est)


@pytest.mark.parametrize("estimator", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
def test_an_exception_in_the_middle_of_a_tabular_fit_leaves_no_trace(
    monkeypatch, estimator, fitted
):
    est = estimator(**TABULAR_SMALL)
    y = Y_CLASSES if estimator is TabularMLPClassifier else Y_REAL
    if fitted:
        quiet(est.fit, X, y)
    before = snapshot(est)
    calls = []

    class FailingTrainer(solvers.BatchTrainer):
        def run_epoch(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 3:
                raise Boom
            return super().run_epoch(*args, **kwargs)

    monkeypatch.setattr(solvers, "BatchTrainer", FailingTrainer)
    with pytest.raises(Boom):
        quiet(est.fit, X * 10 + 3, y * 2)  # other statistics than the first fit's
    assert len(calls) == 3
    assert_unchanged(est, before)


def test_standardizer_overflow_after_validation_leaves_no_trace():
    est = MeanNormStandardizer().fit(X)
    before = snapshot(est)
    huge = np.full((4, 5), 1.7e308) * np.array([[1], [-1], [1], [-1]])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn's finite check
        with pytest.raises(ValueError, match="norm of the centred data overflows"):
            est.partial_fit(huge)
        with pytest.raises(ValueError, match="norm of the centred data overflows"):
            est.fit(huge)
    assert_unchanged(est, before)


def test_standardizer_failed_fit_keeps_names_it_never_had():
    # validate_data records feature names before converting the values, so
    # without the rollback a failed fit on a frame left feature_names_in_.
    est = MeanNormStandardizer()
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    with pytest.raises(ValueError, match="could not convert string"):
        est.fit(frame)
    assert vars(est) == vars(MeanNormStandardizer())


def test_invalid_parameter_value_at_fit_leaves_the_fit():
    est = quiet(MLPRegressor(hidden_layer_sizes=(4,), max_iter=3).fit, X, Y_REAL)
    fitted_before = {k: v for k, v in snapshot(est).items() if k != "alpha"}
    est.set_params(alpha=-1.0)  # values are validated by fit, as in scikit-learn
    with pytest.raises(InvalidParameterError, match="'alpha' parameter"):
        est.fit(X, Y_REAL)
    assert_identical(
        {k: v for k, v in vars(est).items() if k != "alpha"}, fitted_before
    )


# --------------------------------------------------------------------------
# set_params
# --------------------------------------------------------------------------
SET_PARAMS_CASES = {
    "standardizer": (
        MeanNormStandardizer,
        dict(with_mean=False, per_feature=False),
        "bogus",
    ),
    "classifier": (
        lambda: MLPClassifier(hidden_layer_sizes=(4,), max_iter=3),
        dict(alpha=1.0, init="he", max_iter=7),
        "bogus",
    ),
    "regressor": (
        lambda: MLPRegressor(hidden_layer_sizes=(4,), max_iter=3),
        dict(loss="poisson", learning_rate_init=0.5),
        "hidden_layer_size",
    ),
}


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize("name", list(SET_PARAMS_CASES))
def test_set_params_with_a_bad_key_after_good_ones_changes_nothing(name, fitted):
    factory, good, bad = SET_PARAMS_CASES[name]
    est = factory()
    if fitted:
        y = None if name == "standardizer" else Y_CLASSES
        quiet(est.fit, X, y)
    before = snapshot(est)
    with pytest.raises(ValueError, match=f"Invalid parameter '{bad}'"):
        est.set_params(**good, **{bad: 1})
    assert_unchanged(est, before)
    # A nested key on a parameter that is not an estimator fails later, in
    # scikit-learn's second pass, after the plain keys were set.
    first = next(iter(good))
    with pytest.raises(AttributeError, match="set_params"):
        est.set_params(**good, **{f"{first}__x": 1})
    assert_unchanged(est, before)
    # And the good keys alone do apply.
    est.set_params(**good)
    assert {k: est.get_params()[k] for k in good} == good


# --------------------------------------------------------------------------
# inputs are never written to
# --------------------------------------------------------------------------
def read_only(value):
    """The same data, with every underlying buffer read-only."""
    if value is None or isinstance(value, pd.DataFrame):
        return value
    if sp.issparse(value):
        value = value.copy()
        for array in (value.data, value.indices, value.indptr):
            array.flags.writeable = False
        return value
    value = value.copy(order="K")
    value.flags.writeable = False
    return value


LAYOUTS = {
    "C-float64": lambda a: np.ascontiguousarray(a, dtype=np.float64),
    "F-float64": lambda a: np.asfortranarray(a, dtype=np.float64),
    "float32": lambda a: a.astype(np.float32),
    "int64": lambda a: (a * 10).astype(np.int64),
    "strided": lambda a: np.repeat(a, 2, axis=0)[::2],
    "csr": sp.csr_matrix,
    "csc": sp.csc_matrix,
    "pandas": lambda a: pd.DataFrame(a, columns=[f"f{i}" for i in range(a.shape[1])]),
}

ESTIMATOR_SETUPS = {
    "standardizer": (lambda: MeanNormStandardizer(), None),
    "standardizer-no-copy": (lambda: MeanNormStandardizer(copy=False), None),
    "standardizer-sparse": (lambda: MeanNormStandardizer(with_mean=False), None),
    "classifier-adam": (
        lambda: MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0),
        Y_CLASSES,
    ),
    "classifier-sgd-early-stopping": (
        lambda: MLPClassifier(
            hidden_layer_sizes=(4,),
            solver="sgd",
            early_stopping=True,
            max_iter=2,
            random_state=0,
        ),
        Y_CLASSES,
    ),
    "regressor-lbfgs": (
        lambda: MLPRegressor(
            hidden_layer_sizes=(4,), solver="lbfgs", max_iter=3, random_state=0
        ),
        Y_REAL,
    ),
    "regressor-sgd-no-shuffle": (
        lambda: MLPRegressor(
            hidden_layer_sizes=(4,),
            solver="sgd",
            shuffle=False,
            max_iter=2,
            random_state=0,
        ),
        Y_REAL,
    ),
}


def _methods(est):
    if isinstance(est, MeanNormStandardizer):
        return ["fit", "partial_fit", "transform", "inverse_transform", "fit_transform"]
    methods = ["fit", "predict", "score"]
    if isinstance(est, MLPClassifier):
        methods += ["predict_proba", "predict_log_proba"]
    if est.solver != "lbfgs" and not est.early_stopping:
        methods.append("partial_fit")
    return methods


@pytest.mark.parametrize(
    "setup, layout",
    [
        (setup, layout)
        for setup in ESTIMATOR_SETUPS
        for layout in LAYOUTS
        # centring sparse input is refused (tested in test_preprocessing.py)
        if not (
            layout in ("csr", "csc")
            and setup.startswith("standardizer")
            and "sparse" not in setup
        )
    ],
)
def test_no_method_writes_to_its_inputs(setup, layout):
    factory, y = ESTIMATOR_SETUPS[setup]
    est = factory()
    X_in = read_only(LAYOUTS[layout](X))
    y_in = read_only(None if y is None else np.array(y))
    weight = None if y is None else read_only(np.linspace(0.5, 1.5, len(X)))
    inputs = {"X": X_in, "y": y_in, "sample_weight": weight}
    hashes = {key: digest(value) for key, value in inputs.items()}
    is_mlp = y is not None
    quiet(est.fit, X_in, y_in, **({"sample_weight": weight} if is_mlp else {}))
    for method in _methods(est):
        if method in ("fit", "partial_fit", "score") and is_mlp:
            quiet(getattr(est, method), X_in, y_in, sample_weight=weight)
        elif method in ("fit", "partial_fit", "fit_transform"):
            quiet(getattr(est, method), X_in)
        else:
            out = quiet(getattr(est, method), X_in)
            assert out is not X_in
        assert {key: digest(value) for key, value in inputs.items()} == hashes, method


def test_the_input_checks_can_fail():
    # A write to a read-only array raises; a write to a writable one changes
    # its hash. Either way the test above would notice.
    data = read_only(X)
    with pytest.raises(ValueError, match="read-only"):
        data[0, 0] = 1.0
    writable = X.copy()
    before = digest(writable)
    MeanNormStandardizer(copy=False).fit(writable).transform(writable)
    assert digest(writable) != before  # copy=False is documented to work in place
