"""Bad input to the MLP estimators: a clear error, and no trace of the failed call.

Every case is run on an unfitted estimator (which must stay unfitted, with an
unchanged ``__dict__``) and, where it makes sense, on a fitted one (whose fitted
attributes, optimizer state included, must stay bit-identical).
"""

import copy
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.utils.validation import check_is_fitted

from conftest import assert_identical
from mlpinit import MLPClassifier, MLPRegressor

RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 6))
Y_CLF = np.arange(60) % 3
Y_REG = X[:, 0] - 0.5 * X[:, 1] + 0.1 * RNG.normal(size=60)


def _with(array, index, value):
    out = array.astype(float).copy()
    out[index] = value
    return out


def _badly_scaled():
    rng = np.random.RandomState(0)
    Xb = rng.normal(size=(200, 6)) * [1, 10, 100, 1000, 5000, 1] + [
        0,
        50,
        500,
        0,
        1e4,
        0,
    ]
    return Xb, Xb @ rng.normal(size=6) / 1000 + rng.normal(size=200)


X_BAD, Y_BAD = _badly_scaled()
DIVERGE = dict(solver="sgd", learning_rate_init=1.0, max_iter=30)


# --------------------------------------------------------------------------
# state snapshots
# --------------------------------------------------------------------------
def _fitted(est, fit_X, fit_y, partial=False):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if partial:
            return est.partial_fit(fit_X, fit_y, **_classes_kw(est, fit_y))
        return est.fit(fit_X, fit_y)


def _classes_kw(est, y):
    return {"classes": np.unique(y)} if isinstance(est, MLPClassifier) else {}


def _run_case(est, call, exc, match):
    before = copy.deepcopy(est.__dict__)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with pytest.raises(exc, match=match):
            call(est)
    assert_identical(est.__dict__, before)


# --------------------------------------------------------------------------
# cases: (estimator, failing call, exception, match)
# --------------------------------------------------------------------------
def _fit(X_, y_, **kw):
    return lambda est: est.fit(X_, y_, **kw)


def _partial_fit(X_, y_, **kw):
    return lambda est: est.partial_fit(X_, y_, **kw)


# name: (make_call(y), match, extra estimator parameters)
COMMON_CASES = {
    "nan-X": (lambda y: _fit(_with(X, (3, 2), np.nan), y), "Input X contains NaN", {}),
    "inf-X": (
        lambda y: _fit(_with(X, (3, 2), np.inf), y),
        "Input X contains infinity",
        {},
    ),
    "neg-inf-X": (
        lambda y: _fit(_with(X, (0, 0), -np.inf), y),
        "Input X contains inf",
        {},
    ),
    "nan-y": (lambda y: _fit(X, _with(y, 5, np.nan)), "Input y contains NaN", {}),
    "short-y": (lambda y: _fit(X, y[:-1]), "inconsistent numbers of samples", {}),
    "empty": (lambda y: _fit(X[:0], y[:0]), r"0 sample\(s\)", {}),
    "no-features": (lambda y: _fit(X[:, :0], y), r"0 feature\(s\)", {}),
    "3d-X": (lambda y: _fit(X[:, :, None], y), "dim", {}),
    "string-X": (
        lambda y: _fit(X.astype(str).astype(object) + "a", y),
        "(convert|could not)",
        {},
    ),
    "negative-weight": (
        lambda y: _fit(X, y, sample_weight=-np.ones(60)),
        "Negative values in data passed to `sample_weight`",
        {},
    ),
    "nan-weight": (
        lambda y: _fit(X, y, sample_weight=_with(np.ones(60), 4, np.nan)),
        "sample_weight contains NaN",
        {},
    ),
    "zero-weights": (
        lambda y: _fit(X, y, sample_weight=np.zeros(60)),
        "(non-zero|sums to zero)",
        {},
    ),
    "short-weights": (
        lambda y: _fit(X, y, sample_weight=np.ones(59)),
        "sample_weight",
        {},
    ),
    "zero-hidden-units": (
        lambda y: _fit(X, y),
        "hidden_layer_sizes",
        {"hidden_layer_sizes": (5, 0)},
    ),
    "validation-set-too-small": (
        lambda y: _fit(X[:20], y[:20]),
        # The classifier's stratified split fails first, in train_test_split.
        "(validation set is too small|test_size = 1 should be greater)",
        {"early_stopping": True, "validation_fraction": 0.05},
    ),
}


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize("case", list(COMMON_CASES))
@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_bad_fit_input_raises_and_leaves_no_trace(est_cls, case, fitted):
    y = Y_CLF if est_cls is MLPClassifier else Y_REG
    make_call, match, params = COMMON_CASES[case]
    est = est_cls(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    if fitted:
        _fitted(est, X, y)
    est.set_params(**params)
    _run_case(est, make_call(y), ValueError, match)
    if not fitted:
        with pytest.raises(NotFittedError):
            check_is_fitted(est)


@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_inf_y_raises(est_cls, warm_start):
    y = Y_CLF if est_cls is MLPClassifier else Y_REG
    est = _fitted(est_cls(max_iter=5, warm_start=warm_start, random_state=0), X, y)
    match = (
        "Input y contains infinity"
        if est_cls is MLPRegressor
        else "(infinity|Unknown label)"
    )
    _run_case(est, _fit(X, _with(y, 1, np.inf)), ValueError, match)


@pytest.mark.parametrize("method", ["predict", "predict_proba", "score"])
@pytest.mark.parametrize("n_features", [5, 7])
def test_predict_with_wrong_n_features(method, n_features):
    est = _fitted(MLPClassifier(hidden_layer_sizes=(5,), max_iter=5), X, Y_CLF)
    X_wrong = np.ones((4, n_features))
    args = (X_wrong, Y_CLF[:4]) if method == "score" else (X_wrong,)
    _run_case(
        est,
        lambda e: getattr(e, method)(*args),
        ValueError,
        f"X has {n_features} features, but MLPClassifier is expecting 6 features",
    )


@pytest.mark.parametrize("method", ["predict", "predict_proba", "predict_log_proba"])
def test_predict_before_fit_raises_not_fitted(method):
    with pytest.raises(NotFittedError, match="not fitted"):
        getattr(MLPClassifier(), method)(X)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_predict_with_non_finite_X(bad):
    est = _fitted(MLPRegressor(hidden_layer_sizes=(5,), max_iter=5), X, Y_REG)
    _run_case(
        est, lambda e: e.predict(_with(X, (0, 1), bad)), ValueError, "Input X contains"
    )


@pytest.mark.parametrize("warm_start", [False, True])
@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_refit_with_other_n_features(est_cls, warm_start):
    y = Y_CLF if est_cls is MLPClassifier else Y_REG
    est = _fitted(est_cls(max_iter=5, warm_start=warm_start, random_state=0), X, y)
    if warm_start:  # continuing needs the same inputs
        _run_case(est, _fit(X[:, :4], y), ValueError, "X has 4 features")
    else:  # a fresh fit may change them
        _fitted(est, X[:, :4], y)
        assert est.n_features_in_ == 4


@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_warm_start_with_other_layer_sizes(est_cls):
    y = Y_CLF if est_cls is MLPClassifier else Y_REG
    est = _fitted(est_cls(hidden_layer_sizes=(5,), max_iter=5, warm_start=True), X, y)
    est.set_params(hidden_layer_sizes=(6,))
    _run_case(est, _fit(X, y), ValueError, "same layer sizes")


# --------------------------------------------------------------------------
# classification labels
# --------------------------------------------------------------------------
@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize(
    "labels", [np.zeros(60), np.full(60, "a")], ids=["zeros", "str"]
)
def test_single_class_fit_as_scikit_learn(fitted, labels):
    # A cross-validation fold with one class is real: scikit-learn fits it
    # (one logistic output trained toward 0) and predicts that class.
    params = dict(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    est = MLPClassifier(init="sklearn", **params)
    if fitted:
        _fitted(est, X, Y_CLF)
    _fitted(est, X, labels)
    reference = _fitted(SkMLPClassifier(**params), X, labels)
    assert list(est.classes_) == list(reference.classes_) == [labels[0]]
    assert (est.n_outputs_, est.out_activation_) == (1, "logistic")
    assert (reference.n_outputs_, reference.out_activation_) == (1, "logistic")
    np.testing.assert_array_equal(est.predict(X), reference.predict(X))
    np.testing.assert_allclose(est.predict_proba(X), reference.predict_proba(X))


def test_single_class_partial_fit_as_scikit_learn():
    est = MLPClassifier(hidden_layer_sizes=(5,), init="sklearn", random_state=0)
    reference = SkMLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    for model in (est, reference):
        model.partial_fit(X, np.zeros(60), classes=[0])
        model.partial_fit(X, np.zeros(60))
    np.testing.assert_array_equal(est.predict(X), np.zeros(60))
    np.testing.assert_allclose(est.predict_proba(X), reference.predict_proba(X))


@pytest.mark.parametrize("fitted", [False, True], ids=["first-call", "later-call"])
def test_partial_fit_label_not_in_classes(fitted):
    est = MLPClassifier(hidden_layer_sizes=(5,), random_state=0)
    if fitted:
        est.partial_fit(X, Y_CLF, classes=[0, 1, 2])
        call = _partial_fit(X, Y_CLF + 1)
    else:
        call = _partial_fit(X, Y_CLF + 1, classes=[0, 1, 2, 4])
    _run_case(est, call, ValueError, r"not in `self.classes_`: \[3\]")


def test_partial_fit_without_classes_on_first_call():
    _run_case(
        MLPClassifier(), _partial_fit(X, Y_CLF), ValueError, "classes must be passed"
    )


def test_continuous_labels_for_classifier():
    _run_case(MLPClassifier(), _fit(X, Y_REG), ValueError, "Unknown label type")


def test_warm_start_with_other_classes():
    est = _fitted(MLPClassifier(max_iter=5, warm_start=True), X, Y_CLF)
    _run_case(est, _fit(X, Y_CLF + 1), ValueError, "same classes")


def test_multilabel_indicator_width_change():
    Y = (X[:, :3] > 0).astype(int)
    est = _fitted(MLPClassifier(max_iter=5, warm_start=True), X, Y)
    _run_case(
        est, _fit(X, (X[:, :4] > 0).astype(int)), ValueError, "(3 columns|layer sizes)"
    )


@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_partial_fit_with_early_stopping(est_cls):
    y = Y_CLF if est_cls is MLPClassifier else Y_REG
    est = est_cls(early_stopping=True)
    _run_case(
        est, _partial_fit(X, y, **_classes_kw(est, y)), ValueError, "early_stopping"
    )


# --------------------------------------------------------------------------
# Poisson targets
# --------------------------------------------------------------------------
@pytest.mark.parametrize("how", ["fit", "partial_fit", "fitted-partial_fit"])
def test_poisson_negative_targets(how):
    est = MLPRegressor(
        loss="poisson", hidden_layer_sizes=(5,), max_iter=5, random_state=0
    )
    if how == "fitted-partial_fit":
        _fitted(est, X, np.abs(Y_REG), partial=True)
    call = _fit(X, Y_REG) if how == "fit" else _partial_fit(X, Y_REG)
    _run_case(est, call, ValueError, r"loss='poisson' requires non-negative targets")


def test_poisson_zero_targets_are_fine():
    est = _fitted(MLPRegressor(loss="poisson", max_iter=5), X, np.zeros(60))
    assert (est.predict(X) > 0).all()


# --------------------------------------------------------------------------
# divergence: non-finite weights during training
# --------------------------------------------------------------------------
ADVICE = (
    r"diverged\. Normalize the inputs \(for example with mlpinit\.MeanNormStandardizer"
)


@pytest.mark.parametrize("state", ["unfitted", "fitted", "warm_start"])
def test_diverging_fit(state):
    est = MLPRegressor(random_state=0, **DIVERGE)
    if state != "unfitted":
        _fitted(est.set_params(learning_rate_init=1e-4), X_BAD / 1e4, Y_BAD)
        est.set_params(learning_rate_init=1.0, warm_start=state == "warm_start")
    _run_case(est, _fit(X_BAD, Y_BAD), ValueError, ADVICE)


def test_diverging_partial_fit_keeps_fitted_state():
    # (partial_fit continues with the optimizer's stored learning rate, as in
    # scikit-learn, so the divergence comes from the data's scale.)
    est = MLPRegressor(solver="sgd", batch_size=20, random_state=0)
    _fitted(est, X_BAD / 1e4, Y_BAD, partial=True)
    _run_case(est, _partial_fit(X_BAD * 1e3, Y_BAD), ValueError, ADVICE)


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
def test_diverging_lbfgs(fitted):
    est = MLPRegressor(solver="lbfgs", max_iter=20, random_state=0)
    if fitted:
        _fitted(est, X, Y_REG)
    _run_case(
        est,
        _fit(X * 1e200, Y_REG * 1e200),
        ValueError,
        "training loss is nan.*" + ADVICE[9:],
    )


def test_diverging_fit_with_max_grad_norm_does_not_raise():
    est = _fitted(
        MLPRegressor(random_state=0, max_grad_norm=1.0, **DIVERGE), X_BAD, Y_BAD
    )
    assert np.isfinite(est.loss_curve_).all()


def test_snapshot_comparison_detects_changes():
    # The no-trace checks above are only as good as assert_identical.
    est = _fitted(MLPClassifier(hidden_layer_sizes=(5,), max_iter=5), X, Y_CLF)
    before = copy.deepcopy(est.__dict__)
    assert_identical(est.__dict__, before)
    est.coefs_[0][0, 0] = np.nextafter(est.coefs_[0][0, 0], np.inf)  # one ulp
    with pytest.raises(AssertionError):
        assert_identical(est.__dict__, before)
    est.__dict__.update(copy.deepcopy(before))
    est.loss_curve_.append(1.0)
    with pytest.raises(AssertionError):
        assert_identical(est.__dict__, before)
    est.__dict__.update(copy.deepcopy(before))
    est.new_attribute_ = 1
    with pytest.raises(AssertionError):
        assert_identical(est.__dict__, before)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_targets_beyond_float32_are_refused_without_an_overflow_warning(loss, method):
    # float32 X trains in float32: y of 1e39 cannot be held. The refusal is
    # the ValueError alone, not a RuntimeWarning from comparing y with
    # float32's maximum in float32 first.
    X = np.random.RandomState(0).normal(size=(20, 3)).astype(np.float32)
    y = np.full(20, 1e39)
    est = MLPRegressor(loss=loss, hidden_layer_sizes=(4,), max_iter=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(ValueError, match="beyond the largest float32 number"):
            getattr(est, method)(X, y)
