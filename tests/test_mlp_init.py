"""The estimators' ``init`` parameter: "auto" rules, named schemes, callables,
errors."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import check_is_fitted

from conftest import initial_parameters
from mlpinit import MLPClassifier, MLPRegressor
from mlpinit.initializers import AUTO_SKLEARN_MAX_HIDDEN

ESTIMATORS = [MLPClassifier, MLPRegressor]


def _data(n_features=400, n_rows=6, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n_rows, n_features))
    y = np.arange(n_rows) % 2
    return X, y


DEEP = AUTO_SKLEARN_MAX_HIDDEN + 1  # the fewest hidden layers "auto" treats as deep


@pytest.mark.parametrize("est_cls", ESTIMATORS)
@pytest.mark.parametrize(
    "activation, variance",
    [("relu", 2.0), ("tanh", 1.0), ("logistic", 1.0), ("identity", 1.0)],
)
def test_deep_auto_init_follows_each_layers_activation(est_cls, activation, variance):
    # He (2 / fan_in) for relu, the article's "Xavier" (1 / fan_in) otherwise,
    # and 1 / fan_in for the output layer, whose activation is never relu.
    fan_in, width = 400, 300  # 120,000 weights: the std is known to ~0.3%
    X, y = _data(fan_in)
    est = est_cls(hidden_layer_sizes=(width,) * DEEP, activation=activation)
    coefs, intercepts = initial_parameters(est.set_params(random_state=0), X, y)
    for W in coefs[:-1]:
        np.testing.assert_allclose(W.std(), np.sqrt(variance / W.shape[0]), rtol=0.02)
        assert abs(W.mean()) < 5 * np.sqrt(variance / W.shape[0]) / np.sqrt(W.size)
    # Normal, not uniform: the kurtosis of a Gaussian is 3 (uniform: 1.8).
    W = coefs[0]
    kurtosis = ((W - W.mean()) ** 4).mean() / W.var() ** 2
    assert 2.9 < kurtosis < 3.1
    np.testing.assert_allclose(coefs[-1].std(), np.sqrt(1.0 / width), rtol=0.25)
    for b in intercepts:
        assert np.abs(b).max() < 1e-250


@pytest.mark.parametrize("est_cls", ESTIMATORS)
@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic"])
@pytest.mark.parametrize(
    "hidden", [(), (20,), (20, 10), (7,) * AUTO_SKLEARN_MAX_HIDDEN]
)
def test_shallow_auto_is_exactly_sklearn(est_cls, activation, hidden):
    X, y = _data(30, n_rows=40)
    params = dict(hidden_layer_sizes=hidden, activation=activation, random_state=4)
    params.update(max_iter=3, solver="adam")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        auto = est_cls(**params).fit(X, y)  # the default init
        explicit = est_cls(init="sklearn", **params).fit(X, y)
        other = est_cls(init="he", **params).fit(X, y)
    for a, b in zip(
        auto.coefs_ + auto.intercepts_, explicit.coefs_ + explicit.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(auto.coefs_[0], other.coefs_[0])


@pytest.mark.parametrize("est_cls", ESTIMATORS)
@pytest.mark.parametrize("activation, named", [("relu", "he"), ("tanh", "xavier")])
def test_deep_auto_is_the_named_scheme_but_for_the_output_layer(
    est_cls, activation, named
):
    X, y = _data(30, n_rows=40)
    params = dict(hidden_layer_sizes=(9,) * DEEP, activation=activation)
    auto = initial_parameters(est_cls(random_state=4, **params), X, y)[0]
    explicit = initial_parameters(est_cls(init=named, random_state=4, **params), X, y)[
        0
    ]
    # The same draws in the same order: equal hidden layers, and an output
    # layer that differs from He's only by the factor sqrt(2).
    for a, b in zip(auto[:-1], explicit[:-1]):
        np.testing.assert_array_equal(a, b)
    factor = np.sqrt(2.0) if named == "he" else 1.0
    np.testing.assert_allclose(auto[-1] * factor, explicit[-1], rtol=1e-12)


@pytest.mark.parametrize(
    "init, variance",
    [
        ("xavier", lambda fi, fo: 1 / fi),
        ("lecun_normal", lambda fi, fo: 1 / fi),
        ("he", lambda fi, fo: 2 / fi),
        ("he_uniform", lambda fi, fo: 2 / fi),
        ("glorot_normal", lambda fi, fo: 2 / (fi + fo)),
        ("glorot_uniform", lambda fi, fo: 2 / (fi + fo)),
        ("sklearn", lambda fi, fo: 2 / (fi + fo)),
    ],
)
def test_named_init_variance_on_a_wide_layer(init, variance):
    fan_in, width = 400, 300
    X, y = _data(fan_in)
    est = MLPRegressor(hidden_layer_sizes=(width,), init=init, random_state=1)
    coefs, intercepts = initial_parameters(est, X, y)
    np.testing.assert_allclose(coefs[0].var(), variance(fan_in, width), rtol=0.03)
    if init == "sklearn":
        assert np.abs(intercepts[0]).max() > 0.5 * np.sqrt(6 / (fan_in + width))
    else:
        assert np.abs(intercepts[0]).max() < 1e-250


@pytest.mark.parametrize("est_cls", ESTIMATORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_callable_init_is_used_with_its_documented_arguments(est_cls, dtype):
    calls = []

    def scaled_identity(fan_in, fan_out, random_state, dtype):
        calls.append((fan_in, fan_out, type(random_state), np.dtype(dtype)))
        return 1.5 * np.eye(fan_in, fan_out, dtype=dtype)

    X, y = _data(8, n_rows=10)
    est = est_cls(hidden_layer_sizes=(8, 8), init=scaled_identity, random_state=0)
    coefs, intercepts = initial_parameters(est, X.astype(dtype), y)
    assert calls == [
        (8, 8, np.random.RandomState, np.dtype(dtype)),
        (8, 8, np.random.RandomState, np.dtype(dtype)),
        (8, 1, np.random.RandomState, np.dtype(dtype)),
    ]
    for W in coefs:
        assert W.dtype == dtype
        # Exact zeros may move by ~1e-300 in the helper's single step.
        expected = 1.5 * np.eye(*W.shape, dtype=dtype)
        np.testing.assert_allclose(W, expected, rtol=0, atol=1e-250)
        assert np.all(W[expected != 0] == 1.5)
    for b in intercepts:
        assert np.abs(b).max() < 1e-30


@pytest.mark.parametrize("scale, grows", [(1.5, True), (0.9, False)])
def test_scaled_identity_explodes_or_vanishes_with_depth(scale, grows):
    # The article's section 2: with W = c * I and no biases or activations, the
    # layer outputs scale as c**depth. record_layer_stats shows it.
    depth, width = 8, 6
    X, y = _data(width, n_rows=50, seed=3)
    est = MLPRegressor(
        hidden_layer_sizes=(width,) * depth,
        activation="identity",
        init=lambda fi, fo, rs, dt: scale * np.eye(fi, fo, dtype=dt),
        record_layer_stats=True,
    )
    initial_parameters(est, X, y.astype(float))
    std = est.layer_stats_["activation_std"][0][:depth]  # hidden layers only
    expected = X.std() * scale ** np.arange(1, depth + 1)
    np.testing.assert_allclose(std, expected, rtol=1e-10)
    assert (std[-1] > 10 * std[0]) if grows else (std[-1] < 0.6 * std[0])


@pytest.mark.parametrize(
    "bad_init, match",
    [
        (lambda fi, fo, rs, dt: np.zeros((fi + 1, fo)), r"shape \(6, 4\).*expected"),
        (lambda fi, fo, rs, dt: np.zeros(fi * fo), r"shape \(20,\).*expected"),
        (lambda fi, fo, rs, dt: np.full((fi, fo), np.nan), "non-finite"),
        (lambda fi, fo, rs, dt: np.full((fi, fo), np.inf), "non-finite"),
        (lambda fi, fo, rs, dt: [["a"] * fo] * fi, "convert"),
    ],
    ids=["extra-row", "flat", "nan", "inf", "strings"],
)
@pytest.mark.parametrize("est_cls", ESTIMATORS)
def test_bad_callable_init_raises_and_leaves_estimator_unfitted(
    est_cls, bad_init, match
):
    X, y = _data(5, n_rows=12)
    est = est_cls(hidden_layer_sizes=(4,), init=bad_init)
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    with pytest.raises(Exception, match="not fitted"):
        check_is_fitted(est)


def test_callable_init_error_names_the_callable():
    def my_broken_init(fan_in, fan_out, random_state, dtype):
        return np.ones((fan_out, fan_in))  # transposed

    X, y = _data(5, n_rows=12)
    with pytest.raises(ValueError, match="my_broken_init.*shape"):
        MLPClassifier(hidden_layer_sizes=(4,), init=my_broken_init).fit(X, y)


@pytest.mark.parametrize("est_cls", ESTIMATORS)
@pytest.mark.parametrize("bad", ["glorot", "Xavier", "he-normal", "", None, 3])
def test_unknown_init_raises(est_cls, bad):
    X, y = _data(5, n_rows=12)
    with pytest.raises(ValueError, match="'init' parameter"):
        est_cls(init=bad).fit(X, y)


@pytest.mark.parametrize("init", ["xavier", "he", "glorot_uniform", "sklearn"])
def test_init_draws_only_from_random_state(init):
    X, y = _data(20, n_rows=30)
    a = initial_parameters(MLPClassifier(init=init, random_state=5), X, y)
    b = initial_parameters(MLPClassifier(init=init, random_state=5), X, y)
    c = initial_parameters(MLPClassifier(init=init, random_state=6), X, y)
    np.testing.assert_array_equal(a[0][0], b[0][0])
    assert not np.array_equal(a[0][0], c[0][0])
