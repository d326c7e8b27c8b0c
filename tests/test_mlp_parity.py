"""Parity with scikit-learn's own MLP: with ``init="sklearn"`` and the same seed,
mlpinit must reproduce ``sklearn.neural_network``'s trajectory.

Tolerances: ``rtol=1e-6`` everywhere, with an absolute floor of ``1e-9`` times the
largest magnitude of the reference array (so that entries that happen to be close to
0 are not judged by their relative error alone). The differences measured on this
machine are ~1e-15 relative for the stochastic solvers and ~1e-11 for L-BFGS.

No configuration here is bit-exact with scikit-learn, before or after the fused
kernels of ``mlpinit._core.fused``: mlpinit folds the 1/n of the mean into the output
delta (one scaling instead of one per gradient block), which rounds differently. The
20-epoch stochastic runs below differ by 2e-16 to 1.5e-15 relative in the parameters,
well inside rtol 1e-6. The fused kernels themselves change no bit of mlpinit's own
trajectory (tests/test_fused.py checks each against its numpy reference, and whole
fits with and without numba).
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import (
    load_digits,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor

from conftest import initial_parameters
from mlpinit import MLPClassifier, MLPRegressor

RTOL = 1e-6
ATOL_FRACTION = 1e-9
EPOCHS = 20


def assert_close(actual, reference, rtol=RTOL, what=""):
    reference = np.asarray(reference, dtype=np.float64)
    atol = ATOL_FRACTION * max(np.abs(reference).max(), 1e-300)
    np.testing.assert_allclose(actual, reference, rtol=rtol, atol=atol, err_msg=what)


def assert_same_parameters(ours, theirs, rtol=RTOL):
    assert len(ours.coefs_) == len(theirs.coefs_)
    for i, (a, b) in enumerate(zip(ours.coefs_, theirs.coefs_)):
        assert a.shape == b.shape and a.dtype == b.dtype
        assert_close(a, b, rtol, f"coefs_[{i}]")
    for i, (a, b) in enumerate(zip(ours.intercepts_, theirs.intercepts_)):
        assert a.shape == b.shape
        assert_close(a, b, rtol, f"intercepts_[{i}]")


# --------------------------------------------------------------------------
# data, loaded once
# --------------------------------------------------------------------------
_DIGITS = load_digits()
X_DIGITS = _DIGITS.data[:300] / 16.0
Y_DIGITS = _DIGITS.target[:300]
X_REG, Y_REG = make_regression(200, 8, n_informative=6, noise=1.0, random_state=0)
Y_REG = Y_REG / 100.0
X_MREG, Y_MREG = make_regression(200, 8, n_targets=3, noise=1.0, random_state=1)
Y_MREG = Y_MREG / 100.0
X_ML, Y_ML = make_multilabel_classification(200, 10, n_classes=4, random_state=0)
X_ML = X_ML / X_ML.max()

PROBLEMS = {
    "multiclass": (MLPClassifier, SkMLPClassifier, X_DIGITS, Y_DIGITS),
    "binary": (MLPClassifier, SkMLPClassifier, X_DIGITS, Y_DIGITS % 2),
    "regression": (MLPRegressor, SkMLPRegressor, X_REG, Y_REG),
}

STOCHASTIC = dict(
    hidden_layer_sizes=(15,),
    max_iter=EPOCHS,
    tol=0.0,
    n_iter_no_change=10_000,
    batch_size=32,
    learning_rate_init=0.01,
    random_state=3,
)


def _fit_both(ours_cls, theirs_cls, X, y, fit_params=None, **params):
    fit_params = fit_params or {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours = ours_cls(init="sklearn", **params).fit(X, y, **fit_params)
        theirs = theirs_cls(**params).fit(X, y, **fit_params)
    return ours, theirs


def _assert_same_training(ours, theirs, loss_factor=1.0):
    assert ours.n_iter_ == theirs.n_iter_
    assert ours.t_ == theirs.t_
    assert len(ours.loss_curve_) == len(theirs.loss_curve_)
    if loss_factor is not None:
        their_curve = loss_factor * np.asarray(theirs.loss_curve_)
        assert_close(ours.loss_curve_, their_curve, what="loss_curve_")
        assert_close(ours.loss_, loss_factor * theirs.loss_, what="loss_")
    assert_same_parameters(ours, theirs)


# --------------------------------------------------------------------------
# (a) stochastic solvers, 20 epochs
# --------------------------------------------------------------------------
@pytest.mark.parametrize("shuffle", [False, True], ids=["ordered", "shuffled"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_stochastic_trajectory_matches_sklearn(problem, solver, shuffle):
    ours_cls, theirs_cls, X, y = PROBLEMS[problem]
    ours, theirs = _fit_both(
        ours_cls, theirs_cls, X, y, solver=solver, shuffle=shuffle, **STOCHASTIC
    )
    assert ours.n_iter_ == EPOCHS, "both must run every epoch for the comparison"
    _assert_same_training(ours, theirs)


@pytest.mark.parametrize(
    "params",
    [
        dict(activation="tanh", nesterovs_momentum=False),
        dict(activation="logistic", momentum=0.5),
        dict(activation="identity", alpha=0.5),
        dict(hidden_layer_sizes=(12, 7), batch_size=50),
    ],
    ids=["tanh-no-nesterov", "logistic-momentum0.5", "identity-alpha0.5", "two-layers"],
)
def test_sgd_options_match_sklearn(params):
    kwargs = {**STOCHASTIC, "solver": "sgd", **params}
    ours, theirs = _fit_both(
        MLPClassifier, SkMLPClassifier, X_DIGITS, Y_DIGITS, **kwargs
    )
    _assert_same_training(ours, theirs)


@pytest.mark.parametrize(
    "schedule", [dict(learning_rate="invscaling", learning_rate_init=0.5), "adaptive"]
)
def test_sgd_learning_rate_schedules_match_sklearn(schedule):
    if schedule == "adaptive":
        # tol large enough that the plateau rule fires and the rate is divided
        # by 5 several times before 40 epochs.
        params = dict(
            learning_rate="adaptive", n_iter_no_change=2, tol=0.05, max_iter=40
        )
    else:
        params = schedule
    kwargs = {**STOCHASTIC, "solver": "sgd", **params}
    ours, theirs = _fit_both(
        MLPClassifier, SkMLPClassifier, X_DIGITS, Y_DIGITS, **kwargs
    )
    _assert_same_training(ours, theirs)
    if schedule == "adaptive":
        # The schedule really fired (the rate was divided at least twice).
        assert theirs._optimizer.learning_rate < kwargs["learning_rate_init"] / 5


@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("problem", ["multiclass", "binary", "regression"])
def test_sample_weight_matches_sklearn(problem, solver):
    ours_cls, theirs_cls, X, y = PROBLEMS[problem]
    rng = np.random.RandomState(0)
    sample_weight = rng.randint(0, 4, X.shape[0]).astype(float)
    ours, theirs = _fit_both(
        ours_cls,
        theirs_cls,
        X,
        y,
        fit_params=dict(sample_weight=sample_weight),
        solver=solver,
        **STOCHASTIC,
    )
    _assert_same_training(ours, theirs)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("problem", ["binary", "regression"])
def test_early_stopping_matches_sklearn(problem, weighted):
    # scikit-learn stratifies the validation split only when there is a single
    # output column (binary); see test_mlp_api for mlpinit's multiclass split.
    ours_cls, theirs_cls, X, y = PROBLEMS[problem]
    fit_params = {}
    if weighted:
        fit_params["sample_weight"] = np.random.RandomState(1).uniform(0.5, 2, len(y))
    kwargs = {**STOCHASTIC, "n_iter_no_change": 3, "tol": 1e-3, "max_iter": 60}
    ours, theirs = _fit_both(
        ours_cls,
        theirs_cls,
        X,
        y,
        fit_params=fit_params,
        solver="adam",
        early_stopping=True,
        **kwargs,
    )
    assert ours.validation_scores_ is not None
    assert len(ours.validation_scores_) == ours.n_iter_ == theirs.n_iter_
    assert_close(ours.validation_scores_, theirs.validation_scores_, what="val scores")
    assert_close(ours.best_validation_score_, theirs.best_validation_score_)
    _assert_same_training(ours, theirs)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_multilabel_matches_sklearn(solver):
    ours, theirs = _fit_both(
        MLPClassifier, SkMLPClassifier, X_ML, Y_ML, solver=solver, **STOCHASTIC
    )
    _assert_same_training(ours, theirs)
    np.testing.assert_array_equal(ours.predict(X_ML), theirs.predict(X_ML))
    assert_close(ours.predict_proba(X_ML), theirs.predict_proba(X_ML))


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("alpha", [0.0, 1e-2])
def test_multioutput_regression_matches_sklearn(solver, loss, alpha):
    y = np.abs(Y_MREG) if loss == "poisson" else Y_MREG
    params = {**STOCHASTIC, "alpha": alpha}
    ours, theirs = _fit_both(
        MLPRegressor, SkMLPRegressor, X_MREG, y, solver=solver, loss=loss, **params
    )
    # Same gradients, so the same weights. The squared-error VALUE departs from
    # scikit-learn: summed over the outputs, not averaged (scikit-learn issue
    # #8349), so without a penalty it is exactly n_outputs times scikit-learn's.
    factor = 1.0
    if loss == "squared_error":
        factor = Y_MREG.shape[1] if alpha == 0.0 else None
    _assert_same_training(ours, theirs, loss_factor=factor)
    assert_close(ours.predict(X_MREG), theirs.predict(X_MREG))


def test_warm_start_matches_sklearn():
    kwargs = {**STOCHASTIC, "max_iter": 5, "solver": "adam", "warm_start": True}
    ours, theirs = _fit_both(
        MLPClassifier, SkMLPClassifier, X_DIGITS, Y_DIGITS, **kwargs
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ours.fit(X_DIGITS, Y_DIGITS)
        theirs.fit(X_DIGITS, Y_DIGITS)
    assert len(ours.loss_curve_) == 10
    _assert_same_training(ours, theirs)


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_sequence_matches_sklearn(solver):
    # The first batch lacks classes 8 and 9; both must size the output from classes.
    classes = np.arange(10)
    batches = [np.flatnonzero(Y_DIGITS < 8)[:100], np.arange(100, 300)]
    kwargs = {k: v for k, v in STOCHASTIC.items() if k not in ("max_iter",)}
    ours = MLPClassifier(init="sklearn", solver=solver, **kwargs)
    theirs = SkMLPClassifier(solver=solver, **kwargs)
    for rows in batches * 2:
        ours.partial_fit(X_DIGITS[rows], Y_DIGITS[rows], classes=classes)
        theirs.partial_fit(X_DIGITS[rows], Y_DIGITS[rows], classes=classes)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    _assert_same_training(ours, theirs)


# --------------------------------------------------------------------------
# (b) L-BFGS on problems where both converge before max_iter
# --------------------------------------------------------------------------
_X_REG_PLAIN, _Y_REG_PLAIN = make_regression(200, 8, noise=1.0, random_state=0)
_Y_REG_PLAIN = _Y_REG_PLAIN / 100.0

# (ours, theirs, X, y, params, weighted). Chosen so that both converge well
# before max_iter: a regressor with alpha=1 on X_REG needs ~160 iterations and
# the two runs drift apart chaotically (1e-2) before they stop.
LBFGS_PROBLEMS = {
    "digits-clf": (
        MLPClassifier,
        SkMLPClassifier,
        X_DIGITS,
        Y_DIGITS,
        dict(hidden_layer_sizes=(15,)),
        False,
    ),
    "weighted-digits-clf": (
        MLPClassifier,
        SkMLPClassifier,
        X_DIGITS,
        Y_DIGITS,
        dict(hidden_layer_sizes=(15,)),
        True,
    ),
    "regression-alpha10": (
        MLPRegressor,
        SkMLPRegressor,
        X_REG,
        Y_REG,
        dict(hidden_layer_sizes=(5,), alpha=10.0),
        False,
    ),
    "weighted-regression-alpha1": (
        MLPRegressor,
        SkMLPRegressor,
        _X_REG_PLAIN,
        _Y_REG_PLAIN,
        dict(hidden_layer_sizes=(5,), alpha=1.0),
        True,
    ),
}


@pytest.mark.parametrize("problem", list(LBFGS_PROBLEMS))
def test_lbfgs_converges_to_sklearn_solution(problem):
    ours_cls, theirs_cls, X, y, params, weighted = LBFGS_PROBLEMS[problem]
    fit_params = {}
    if weighted:
        fit_params["sample_weight"] = np.random.RandomState(2).randint(1, 4, len(y))
    max_iter = 500
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # both must converge
        ours = ours_cls(
            init="sklearn", solver="lbfgs", max_iter=max_iter, random_state=0, **params
        ).fit(X, y, **fit_params)
        theirs = theirs_cls(
            solver="lbfgs", max_iter=max_iter, random_state=0, **params
        ).fit(X, y, **fit_params)
    assert ours.n_iter_ == theirs.n_iter_ < max_iter
    assert_close(ours.loss_, theirs.loss_, what="loss_")
    assert_same_parameters(ours, theirs)
    np.testing.assert_allclose(ours.score(X, y), theirs.score(X, y), rtol=1e-6)


# --------------------------------------------------------------------------
# initial weights and predictions
# --------------------------------------------------------------------------
@pytest.mark.parametrize("hidden", [(15,), (9, 4)])
@pytest.mark.parametrize("activation", ["relu", "logistic", "tanh"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_initial_weights_equal_sklearn_exactly(problem, activation, hidden):
    ours_cls, theirs_cls, X, y = PROBLEMS[problem]
    params = dict(hidden_layer_sizes=hidden, activation=activation, random_state=7)
    ours = initial_parameters(ours_cls(init="sklearn", **params), X, y)
    theirs = initial_parameters(theirs_cls(**params), X, y)
    for a, b in zip(ours[0] + ours[1], theirs[0] + theirs[1]):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    # The scheme itself: Glorot-uniform bound, factor 2 for logistic, 6 otherwise.
    factor = 2.0 if activation == "logistic" else 6.0
    for W, b in zip(*ours):
        bound = np.sqrt(factor / sum(W.shape))
        assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
        assert np.any(b != 0)
        if W.size >= 50:  # large enough to come near the bound
            assert np.abs(W).max() > 0.8 * bound


@pytest.mark.parametrize("problem", ["multiclass", "binary"])
def test_predictions_equal_sklearn_given_equal_weights(problem):
    ours_cls, theirs_cls, X, y = PROBLEMS[problem]
    ours, theirs = _fit_both(ours_cls, theirs_cls, X, y, solver="adam", **STOCHASTIC)
    # Give ours scikit-learn's exact weights, so only prediction code differs.
    ours.coefs_ = [c.copy() for c in theirs.coefs_]
    ours.intercepts_ = [c.copy() for c in theirs.intercepts_]
    X_new = np.random.RandomState(0).uniform(-1, 2, size=(50, X.shape[1]))
    for data in (X, X_new):
        np.testing.assert_array_equal(ours.predict(data), theirs.predict(data))
        assert_close(ours.predict_proba(data), theirs.predict_proba(data), rtol=1e-12)
        assert_close(
            ours.predict_log_proba(data), theirs.predict_log_proba(data), rtol=1e-12
        )
    assert ours.score(X, y) == theirs.score(X, y)


def test_regression_predictions_equal_sklearn_given_equal_weights():
    ours, theirs = _fit_both(
        MLPRegressor, SkMLPRegressor, X_REG, Y_REG, solver="sgd", **STOCHASTIC
    )
    ours.coefs_ = [c.copy() for c in theirs.coefs_]
    ours.intercepts_ = [c.copy() for c in theirs.intercepts_]
    assert_close(ours.predict(X_REG), theirs.predict(X_REG), rtol=1e-12)
    np.testing.assert_allclose(ours.score(X_REG, Y_REG), theirs.score(X_REG, Y_REG))
