"""Property tests: whatever the shapes, dtypes and settings, no surprises.

For random shapes, dtypes, targets, hidden sizes, activations, solvers,
initializations and learning settings, ``fit`` then ``predict`` either
succeed with finite outputs of the right shape and dtype, or raise a
ValueError with one of the documented messages; never another exception,
and never a RuntimeWarning from mlpinit. MeanNormStandardizer gets the same
treatment over magnitudes from 1e-300 to 1e300.
"""

import re
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor
from mlpinit.initializers import INIT_NAMES

# What fit and predict may raise (ValueError), by message.
DOCUMENTED = [
    r"the optimization diverged",  # loss, weights or gradients not finite
    r"The network's output is not finite",  # predict overflowed
    r"The validation set is too small",  # early_stopping on few rows
]


def _documented(error):
    return type(error) is ValueError and any(
        re.search(pattern, str(error)) for pattern in DOCUMENTED
    )


@st.composite
def problems(draw):
    """An estimator with random settings, and data for it."""
    kind = draw(
        st.sampled_from(
            [
                "binary",
                "multiclass",
                "multilabel",
                "regression",
                "multioutput",
                "poisson",
            ]
        )
    )
    n_samples = draw(st.integers(1, 30))
    n_features = draw(st.integers(1, 5))
    dtype = draw(st.sampled_from([np.float64, np.float32, np.int64, np.bool_]))
    scale = draw(st.sampled_from([1e-3, 1.0, 1e3]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_samples, n_features)) * scale
    X = (X > 0) if dtype is np.bool_ else X.astype(dtype)
    if kind == "binary":
        y = rng.randint(0, 2, n_samples)
    elif kind == "multiclass":
        y = rng.choice(np.array(["a", "b", "c", "d"]), n_samples)
    elif kind == "multilabel":
        y = rng.randint(0, 2, (n_samples, 3))
    elif kind == "regression":
        y = rng.normal(size=n_samples) * draw(st.sampled_from([1e-3, 1.0, 1e3]))
    elif kind == "multioutput":
        y = rng.normal(size=(n_samples, 2))
    else:
        y = rng.poisson(2.0, n_samples).astype(float)
    params = dict(
        hidden_layer_sizes=tuple(
            draw(st.lists(st.integers(1, 8), min_size=1, max_size=3))
        ),
        activation=draw(st.sampled_from(["identity", "logistic", "tanh", "relu"])),
        solver=draw(st.sampled_from(["lbfgs", "sgd", "adam"])),
        init=draw(st.sampled_from(sorted(INIT_NAMES))),
        learning_rate_init=draw(st.sampled_from([1e-3, 0.1, 1.0])),
        alpha=draw(st.sampled_from([0.0, 1e-4, 10.0])),
        batch_size=draw(st.one_of(st.just("auto"), st.integers(1, 40))),
        max_iter=draw(st.integers(1, 4)),
        early_stopping=draw(st.booleans()),
        max_grad_norm=draw(st.sampled_from([None, 1.0])),
        random_state=seed,
    )
    if kind in ("regression", "multioutput", "poisson"):
        loss = "poisson" if kind == "poisson" else "squared_error"
        est = MLPRegressor(loss=loss, **params)
    else:
        est = MLPClassifier(**params)
    return est, X, y, kind


def _check_outputs(est, X, y, kind):
    n = X.shape[0]
    float_dtype = np.float32 if X.dtype == np.float32 else np.float64
    assert all(c.dtype == float_dtype for c in est.coefs_ + est.intercepts_)
    prediction = est.predict(X)
    if isinstance(est, MLPRegressor):
        assert prediction.shape == y.shape
        assert prediction.dtype == float_dtype
        assert np.isfinite(prediction).all()
        if kind == "poisson":
            assert (prediction >= 0).all()
        return
    assert prediction.shape == y.shape
    assert set(np.unique(prediction)) <= set(np.unique(y)) | {0, 1}
    proba = est.predict_proba(X)
    # One class gives two columns, as in scikit-learn (1 - p and p of its
    # single logistic output).
    n_columns = 3 if kind == "multilabel" else max(2, len(est.classes_))
    assert proba.shape == (n, n_columns)
    assert proba.dtype == float_dtype
    assert np.isfinite(proba).all()
    assert ((proba >= 0) & (proba <= 1)).all()
    if kind != "multilabel":
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-4)
        if len(est.classes_) == 1:
            # scikit-learn predicts the one class whatever its output says.
            assert (prediction == est.classes_[0]).all()
        else:
            winners = est.classes_[np.argmax(proba, axis=1)]
            assert np.array_equal(prediction, winners)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_fit_predict_succeeds_or_raises_a_documented_error(problem):
    est, X, y, kind = problem
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            est.fit(X, y)
            _check_outputs(est, X, y, kind)
        except ValueError as error:
            assert _documented(error), repr(error)
    leaked = [
        str(w.message)
        for w in caught
        if issubclass(w.category, RuntimeWarning) and "mlpinit" in w.filename
    ]
    assert not leaked


def test_the_documented_list_is_not_a_catch_all():
    assert not _documented(ValueError("Input X contains NaN."))
    assert not _documented(TypeError("the optimization diverged"))
    assert _documented(ValueError("... the optimization diverged. Normalize ..."))


# --------------------------------------------------------------------------
# MeanNormStandardizer over the whole float range
# --------------------------------------------------------------------------
@st.composite
def wide_range_matrices(draw):
    n_samples = draw(st.integers(1, 12))
    n_features = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.RandomState(seed)
    # Each column has its own magnitude, 1e-300 to 1e300, and an offset.
    exponents = rng.randint(-300, 301, n_features)
    X = rng.normal(size=(n_samples, n_features)) * 10.0**exponents
    X += (
        rng.normal(size=n_features)
        * 10.0**exponents
        * draw(st.sampled_from([0, 1, 100]))
    )
    if draw(st.booleans()) and n_samples > 1:
        X[rng.rand(n_samples, n_features) < 0.2] = np.nan
    return X


@settings(max_examples=100, deadline=None)
@given(X=wide_range_matrices(), per_feature=st.booleans())
def test_standardizer_statistics_are_finite_at_any_magnitude(X, per_feature):
    with warnings.catch_warnings():
        # scikit-learn's own finiteness check sums X, which may overflow
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="sklearn")
        warnings.filterwarnings("error", category=RuntimeWarning, module="mlpinit")
        scaler = MeanNormStandardizer(per_feature=per_feature).fit(X)
        Z = scaler.transform(X)
    observed = ~np.isnan(X)
    assert np.isfinite(scaler.norm_).all()
    assert np.isfinite(Z[observed]).all()
    # (x - mean) / ||x - mean|| is at most 1 in magnitude, on training rows.
    assert np.all(np.abs(Z[observed]) <= 1 + 1e-12)
    np.testing.assert_array_equal(np.isnan(Z), ~observed)
    back = scaler.inverse_transform(Z)
    scale = np.fmax.reduce(np.abs(X), axis=0 if per_feature else None)
    scale = np.where(np.isnan(scale) | (scale == 0), 1.0, scale)
    np.testing.assert_allclose(
        np.nan_to_num(back / scale), np.nan_to_num(X / scale), rtol=1e-9, atol=1e-12
    )
    # Rows in two batches give the statistics of one fit.
    if X.shape[0] > 1:
        half = X.shape[0] // 2
        merged = MeanNormStandardizer(per_feature=per_feature).partial_fit(X[:half])
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=RuntimeWarning, module="sklearn")
            merged.partial_fit(X[half:])
        np.testing.assert_allclose(merged.norm_, scaler.norm_, rtol=1e-9, atol=0)
        np.testing.assert_allclose(merged.mean_, scaler.mean_, rtol=1e-9, atol=0)


@pytest.mark.parametrize("magnitude", [1e300, 1e-300, 1e-310])
@pytest.mark.parametrize("per_feature", [True, False])
def test_standardizer_at_the_ends_of_the_float_range(per_feature, magnitude):
    # Pinned examples of what the property above explores: squares of 1e300
    # overflow (the norm came out inf per feature, NaN for the whole array),
    # squares of 1e-300 vanish (the norm came out 0, so scale_ 1 and the
    # transform did nothing), and 1e-310 is subnormal already.
    X = np.array([[1.0, -2.0], [3.0, 1.0], [-1.0, 5.0]])
    scaler = MeanNormStandardizer(per_feature=per_feature).fit(X * magnitude)
    reference = MeanNormStandardizer(per_feature=per_feature).fit(X)
    np.testing.assert_allclose(scaler.norm_, reference.norm_ * magnitude, rtol=1e-12)
    np.testing.assert_allclose(scaler.mean_, reference.mean_ * magnitude, rtol=1e-12)
    np.testing.assert_allclose(
        scaler.transform(X * magnitude), reference.transform(X), rtol=1e-12, atol=1e-15
    )
