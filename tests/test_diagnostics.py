"""Layer diagnostics: the article's quantitative claims, and the API that measures them.

The claims are tested through the public API a user would reach for: an
estimator with a callable or named ``init``, :func:`initialized` to get the
network before training, and :func:`layer_statistics` to measure it.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.linear_model import LinearRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor
from mlpinit._core.layer_stats import (
    STAT_NAMES,
    compute_layer_stats,
    forward_backward,
    probe_rows,
)
from mlpinit._core.network import NetworkLayout, Workspace, loss_and_gradient
from mlpinit.diagnostics import (
    LayerStatistics,
    initialized,
    layer_activations,
    layer_gradients,
    layer_statistics,
)


def scaled_identity(c):
    """The article's W = c * I, as a callable ``init``."""

    def init(fan_in, fan_out, random_state, dtype):
        return c * np.eye(fan_in, fan_out, dtype=dtype)

    return init


def standard_uniform(fan_in, fan_out, random_state, dtype):
    """The old heuristic U(-1/sqrt(n), 1/sqrt(n)), n = fan_in ."""
    bound = 1.0 / np.sqrt(fan_in)
    return random_state.uniform(-bound, bound, (fan_in, fan_out)).astype(dtype)


def at_init(estimator, X, y):
    return layer_statistics(initialized(estimator, X, y), X, y)


# ---------------------------------------------------------------------------
# The article's claims, in numbers
# ---------------------------------------------------------------------------
def _linear_deep_net(c, width=16, n_weight_layers=50, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(256, width))
    y = rng.normal(size=256)
    model = MLPRegressor(
        hidden_layer_sizes=(width,) * (n_weight_layers - 1),
        activation="identity",
        init=scaled_identity(c),
    )
    stats = at_init(model, X, y)
    assert len(stats["activation_norm"]) == n_weight_layers
    # Hidden layers only: the output layer projects onto one coordinate.
    growth = stats["activation_norm"][:-1] / stats.input_stats["activation_norm"]
    return stats, growth


def test_scaled_identity_above_one_explodes():
    stats, growth = _linear_deep_net(1.5)
    assert growth[-1] >= 1e5
    # Exactly c**l, layer by layer: no activation, no bias.
    np.testing.assert_allclose(growth, 1.5 ** np.arange(1, 50), rtol=1e-10)
    # The backpropagated error explodes too, from the output toward the input.
    backward = stats["preactivation_gradient_norm"]
    assert backward[0] / backward[-2] >= 1e5


def test_scaled_identity_below_one_vanishes():
    stats, growth = _linear_deep_net(0.9)
    assert growth[-1] < 1e-2
    np.testing.assert_allclose(growth, 0.9 ** np.arange(1, 50), rtol=1e-10)
    backward = stats["preactivation_gradient_norm"]
    assert backward[0] / backward[-2] < 1e-2


def test_scaled_identity_one_keeps_the_norm():
    _, growth = _linear_deep_net(1.0)
    np.testing.assert_allclose(growth, 1.0)


@pytest.fixture(scope="module")
def wide_batch():
    rng = np.random.RandomState(0)
    return rng.normal(size=(512, 256)), rng.normal(size=512)


def _hidden_activation_std(init, activation, X, y):
    model = MLPRegressor(
        hidden_layer_sizes=(256,) * 20, activation=activation, init=init, random_state=0
    )
    return at_init(model, X, y)["activation_std"][:-1]


def test_xavier_with_tanh_decays_only_slowly(wide_batch):
    std = _hidden_activation_std("xavier", "tanh", *wide_batch)
    assert len(std) == 20
    assert std.min() > 0.1


def test_old_uniform_heuristic_vanishes_with_tanh(wide_batch):
    std = _hidden_activation_std(standard_uniform, "tanh", *wide_batch)
    assert std[-1] < 1e-3
    # Each layer roughly divides the std by sqrt(3): variance 1/(3 n) per weight.
    assert np.all(np.diff(np.log(std)) < 0)


def test_he_with_relu_keeps_the_std_level(wide_batch):
    std = _hidden_activation_std("he", "relu", *wide_batch)
    ratio = std / std[0]
    assert np.all((ratio > 0.5) & (ratio < 2.0)), ratio


def test_max_grad_norm_turns_a_diverging_fit_into_a_finite_one():
    # The article's raw features: one in 5..50, one in 3..7.
    rng = np.random.RandomState(0)
    X = np.column_stack([rng.uniform(5, 50, 500), rng.uniform(3, 7, 500)])
    y = 3 * X[:, 0] - 10 * X[:, 1] + rng.normal(size=500)
    params = dict(
        hidden_layer_sizes=(16,),
        activation="identity",
        solver="sgd",
        learning_rate_init=0.01,
        max_iter=30,
        random_state=0,
    )
    with pytest.raises(ValueError, match="diverged"):
        MLPRegressor(**params).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clipped = MLPRegressor(**params, max_grad_norm=1.0).fit(X, y)
    assert all(np.isfinite(W).all() for W in clipped.coefs_)
    assert np.isfinite(clipped.loss_curve_).all()
    assert clipped.loss_ < clipped.loss_curve_[0]
    assert clipped.score(X, y) > 0.9


# ---------------------------------------------------------------------------
# initialized: the network fit would start from
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400], y[:400]


@pytest.mark.parametrize("init", ["he", "xavier", "sklearn", "glorot_uniform"])
def test_initialized_holds_the_weights_fit_starts_from(digits, init):
    X, y = digits
    X = StandardScaler().fit_transform(X)
    model = MLPClassifier(
        hidden_layer_sizes=(32, 16),
        init=init,
        solver="sgd",
        shuffle=False,
        max_iter=3,
        random_state=0,
    )
    start = initialized(model, X, y)
    assert start.n_iter_ == 0
    assert not hasattr(model, "coefs_"), "the estimator passed in is not modified"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fresh = clone(model).fit(X, y)
        continued = start.set_params(warm_start=True).fit(X, y)
    for a, b in zip(
        fresh.coefs_ + fresh.intercepts_, continued.coefs_ + continued.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fresh.loss_curve_, continued.loss_curve_)


def test_initialized_predicts_with_the_untrained_network(digits):
    X, y = digits
    start = initialized(MLPClassifier((8,), random_state=0), X, y)
    assert start.predict_proba(X).shape == (len(X), 10)
    np.testing.assert_array_equal(start.classes_, np.arange(10))
    assert start.loss_curve_ == []


def test_initialized_pipeline_fits_the_preprocessing(digits):
    X, y = digits
    pipe = make_pipeline(MeanNormStandardizer(), MLPClassifier((8,), random_state=0))
    start = initialized(pipe, X, y)
    np.testing.assert_allclose(start[0].mean_, X.mean(axis=0))
    assert start[-1].coefs_[0].shape == (64, 8)
    assert not hasattr(pipe[0], "mean_"), "the pipeline passed in is not modified"


def test_initialized_validates_parameters(digits):
    X, y = digits
    with pytest.raises(ValueError, match="activation"):
        initialized(MLPClassifier(activation="softplus"), X, y)


def test_initialized_rejects_other_estimators(digits):
    X, y = digits
    with pytest.raises(TypeError, match="MLPClassifier or MLPRegressor"):
        initialized(LinearRegression(), X, y)
    with pytest.raises(TypeError, match="MLPClassifier or MLPRegressor"):
        layer_statistics(make_pipeline(StandardScaler(), LinearRegression()), X, y)


# ---------------------------------------------------------------------------
# layer_statistics
# ---------------------------------------------------------------------------
def test_layer_statistics_needs_weights(digits):
    X, y = digits
    with pytest.raises(NotFittedError, match="initialized"):
        layer_statistics(MLPClassifier(), X, y)


def test_layer_statistics_structure(digits):
    X, y = digits
    stats = at_init(MLPClassifier((16, 8), activation="tanh", random_state=0), X, y)
    assert isinstance(stats, LayerStatistics)
    assert list(stats) == list(STAT_NAMES)
    assert len(stats) == len(STAT_NAMES)
    assert stats.layer_names == ["hidden_1", "hidden_2", "output"]
    assert stats.units == [16, 8, 10]
    assert stats.activations == ["tanh", "tanh", "softmax"]
    assert stats.n_samples == len(X)
    assert set(stats.input_stats) == {
        "activation_mean",
        "activation_std",
        "activation_norm",
    }
    assert stats.input_stats["activation_std"] == pytest.approx(X.std())
    for name in STAT_NAMES:
        assert stats[name].shape == (3,) and stats[name].dtype == np.float64
    # Saturation applies to tanh layers only, dead units to relu only.
    assert np.isfinite(stats["saturated_fraction"][:2]).all()
    assert np.isnan(stats["saturated_fraction"][2])
    assert np.isnan(stats["dead_fraction"]).all()
    assert "LayerStatistics(n_layers=3" in repr(stats)

    frame = stats.to_frame()
    assert list(frame.index) == [1, 2, 3]
    assert frame.index.name == "layer"
    assert list(frame.columns) == ["name", "units", "activation", *STAT_NAMES]
    np.testing.assert_array_equal(frame["activation_std"], stats["activation_std"])


def test_layer_statistics_without_targets_has_no_gradients(digits):
    X, y = digits
    model = MLPClassifier((16,), max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    stats = layer_statistics(model, X)
    for name in (
        "gradient_norm",
        "gradient_to_weight_ratio",
        "preactivation_gradient_norm",
    ):
        assert np.isnan(stats[name]).all()
    assert np.isfinite(stats["activation_std"]).all()
    with_y = layer_statistics(model, X, y)
    assert np.isfinite(with_y["gradient_norm"]).all()
    np.testing.assert_allclose(
        with_y["gradient_to_weight_ratio"],
        with_y["gradient_norm"] / with_y["weight_norm"],
    )


def test_layer_statistics_matches_the_raw_values(digits):
    X, y = digits
    model = initialized(MLPRegressor(hidden_layer_sizes=(12, 6), random_state=0), X, y)
    stats = layer_statistics(model, X, y)
    acts = layer_activations(model, X)
    pre = layer_activations(model, X, preactivation=True)
    grads = layer_gradients(model, X, y)
    for i in range(3):
        assert stats["activation_mean"][i] == pytest.approx(acts[i].mean())
        assert stats["activation_std"][i] == pytest.approx(acts[i].std())
        assert stats["preactivation_std"][i] == pytest.approx(pre[i].std())
        assert stats["activation_norm"][i] == pytest.approx(
            np.linalg.norm(acts[i], axis=1).mean()
        )
        assert stats["preactivation_gradient_norm"][i] == pytest.approx(
            np.linalg.norm(grads[i], axis=1).mean()
        )
        assert stats["weight_norm"][i] == pytest.approx(np.linalg.norm(model.coefs_[i]))
        assert stats["dead_fraction"][i] == pytest.approx(
            np.all(acts[i] <= 0, axis=0).mean() if i < 2 else np.nan, nan_ok=True
        )
    np.testing.assert_allclose(acts[-1][:, 0], model.predict(X))
    # Squared error: the output error of row i is prediction - target.
    np.testing.assert_allclose(grads[-1][:, 0], model.predict(X) - y)


@pytest.mark.parametrize(
    "estimator, out_activation",
    [
        (MLPClassifier(activation="tanh"), "softmax"),
        (MLPClassifier(activation="logistic"), "logistic"),
        (MLPRegressor(activation="relu", alpha=0.5), "identity"),
        (MLPRegressor(activation="identity", loss="poisson"), "exp"),
        (MLPClassifier(activation="leaky_relu"), "softmax"),
        (MLPRegressor(activation="elu"), "identity"),
        (MLPClassifier(activation="selu"), "softmax"),
        (MLPRegressor(activation="gelu", alpha=0.5), "identity"),
        (MLPClassifier(activation="silu"), "softmax"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.activation,
)
def test_gradient_is_the_training_gradient(digits, estimator, out_activation):
    X, y = digits
    X = X / 16.0
    if out_activation == "logistic":
        y = (y > 4).astype(int)
    elif out_activation in ("identity", "exp"):
        y = y.astype(float)
    model = initialized(
        clone(estimator).set_params(hidden_layer_sizes=(10, 7), random_state=0), X, y
    )
    assert model.out_activation_ == out_activation
    stats = layer_statistics(model, X, y)

    # The gradient the training loop computes for one full batch.
    Y = model._validate_input(X, y, incremental=True, reset=False)[1]
    layout = NetworkLayout([X.shape[1], 10, 7, Y.shape[1]])
    theta = layout.pack(model.coefs_, model.intercepts_, np.float64)
    grad = np.empty_like(theta)
    loss_and_gradient(
        layout,
        theta,
        grad,
        X,
        Y,
        None,
        model.alpha,
        model.activation,
        model.out_activation_,
        Workspace(layout, X.shape[0], np.float64),
    )
    coef_grads, _ = layout.views(grad)
    np.testing.assert_allclose(
        stats["gradient_norm"], [np.linalg.norm(G) for G in coef_grads], rtol=1e-10
    )
    _, _, _, Gs = forward_backward(
        model.coefs_,
        model.intercepts_,
        model.activation,
        out_activation,
        X,
        Y,
        model.alpha,
    )
    for G, expected in zip(Gs, coef_grads):
        np.testing.assert_allclose(G, expected, rtol=1e-10, atol=1e-14)


def test_preactivation_gradient_matches_finite_differences():
    rng = np.random.RandomState(0)
    coefs = [rng.normal(size=(3, 5)), rng.normal(size=(5, 4)), rng.normal(size=(4, 2))]
    intercepts = [rng.normal(size=5), rng.normal(size=4), rng.normal(size=2)]
    X = rng.normal(size=(6, 3))
    Y = rng.normal(size=(6, 2))

    def mean_loss(b1):
        _, A, _, _ = forward_backward(
            coefs, [intercepts[0], b1, intercepts[2]], "tanh", "identity", X
        )
        return 0.5 * np.sum((A[-1] - Y) ** 2) / len(X)

    _, _, deltas, _ = forward_backward(coefs, intercepts, "tanh", "identity", X, Y)
    # d(mean loss)/d b_1 is the column sum of layer 1's deltas.
    eps = 1e-6
    numeric = [
        (mean_loss(intercepts[1] + eps * e) - mean_loss(intercepts[1] - eps * e))
        / (2 * eps)
        for e in np.eye(4)
    ]
    np.testing.assert_allclose(deltas[1].sum(axis=0), numeric, rtol=1e-6, atol=1e-9)


def test_saturated_and_dead_units():
    rng = np.random.RandomState(0)
    X = np.abs(rng.normal(size=(200, 10))) + 0.1
    y = rng.normal(size=200)

    def big(fan_in, fan_out, random_state, dtype):
        return 100.0 * random_state.normal(size=(fan_in, fan_out)).astype(dtype)

    def negative(fan_in, fan_out, random_state, dtype):
        return -np.ones((fan_in, fan_out), dtype=dtype)

    tanh = at_init(
        MLPRegressor(hidden_layer_sizes=(20,), activation="tanh", init=big), X, y
    )
    assert tanh["saturated_fraction"][0] > 0.95
    logistic = at_init(
        MLPRegressor(hidden_layer_sizes=(20,), activation="logistic", init=big), X, y
    )
    assert logistic["saturated_fraction"][0] > 0.95
    calm = at_init(
        MLPRegressor(hidden_layer_sizes=(20,), activation="tanh", init="xavier"),
        X / 100,
        y,
    )
    assert calm["saturated_fraction"][0] == 0.0
    # Non-negative inputs times negative weights: every ReLU is dead.
    relu = at_init(
        MLPRegressor(
            hidden_layer_sizes=(20, 5), activation="relu", init=negative, alpha=0
        ),
        X,
        y,
    )
    np.testing.assert_array_equal(relu["dead_fraction"][:2], [1.0, 1.0])
    assert relu["gradient_norm"][0] == 0.0


@pytest.mark.parametrize(
    "activation, saturated, dead",
    [
        ("leaky_relu", np.nan, 1.0),
        ("elu", 1.0, np.nan),
        ("selu", 1.0, np.nan),
        ("gelu", np.nan, np.nan),
        ("silu", np.nan, np.nan),
    ],
)
def test_saturation_and_dead_units_of_the_new_activations(activation, saturated, dead):
    # Non-negative inputs times negative weights: every pre-activation is
    # below -1, where elu and selu sit at their lower bound and leaky_relu
    # on its 1% slope; gelu and silu have neither notion.
    rng = np.random.RandomState(0)
    X = np.abs(rng.normal(size=(200, 10))) + 0.5
    y = rng.normal(size=200)

    def negative(fan_in, fan_out, random_state, dtype):
        return -np.ones((fan_in, fan_out), dtype=dtype)

    model = MLPRegressor(hidden_layer_sizes=(20,), activation=activation, init=negative)
    stats = at_init(model, X, y)
    np.testing.assert_array_equal(stats["saturated_fraction"][:1], [saturated])
    np.testing.assert_array_equal(stats["dead_fraction"][:1], [dead])
    # Far from the bound nothing counts: unit-scale inputs, LeCun weights.
    calm = at_init(model.set_params(init="xavier"), X / 100, y)
    if not np.isnan(saturated):
        assert calm["saturated_fraction"][0] == 0.0


def test_overflow_is_a_measurement_not_an_error():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(20, 4)), rng.normal(size=20)
    model = MLPRegressor(
        hidden_layer_sizes=(4,) * 40, activation="identity", init=scaled_identity(1e10)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = at_init(model, X, y)
    norms = stats["activation_norm"]
    assert np.isinf(norms).any()
    assert not np.isfinite(norms[-2])


def test_pipeline_is_measured_on_transformed_input(digits):
    X, y = digits
    pipe = initialized(
        make_pipeline(StandardScaler(), MLPClassifier((16,), random_state=0)), X, y
    )
    via_pipeline = layer_statistics(pipe, X, y)
    direct = layer_statistics(pipe[-1], pipe[0].transform(X), y)
    for name in STAT_NAMES:
        np.testing.assert_array_equal(via_pipeline[name], direct[name])


def test_sparse_and_float32_inputs(digits):
    X, y = digits
    X = X / 16.0
    model = initialized(MLPClassifier((16,), random_state=0), X, y)
    dense = layer_statistics(model, X, y)
    sparse = layer_statistics(model, sp.csr_matrix(X), y)
    for name in STAT_NAMES:
        np.testing.assert_allclose(sparse[name], dense[name], rtol=1e-10)
    for key, value in dense.input_stats.items():
        assert sparse.input_stats[key] == pytest.approx(value)

    model32 = initialized(MLPClassifier((16,), random_state=0), X.astype(np.float32), y)
    assert model32.coefs_[0].dtype == np.float32
    single = layer_statistics(model32, X.astype(np.float32), y)
    for name in STAT_NAMES:
        assert single[name].dtype == np.float64
        np.testing.assert_allclose(single[name], dense[name], rtol=1e-4)


def test_targets_are_checked_against_the_fitted_classes(digits):
    X, y = digits
    model = initialized(MLPClassifier((8,), random_state=0), X[y < 5], y[y < 5])
    with pytest.raises(ValueError, match="classes"):
        layer_statistics(model, X, y)
    with pytest.raises(ValueError, match="features"):
        layer_statistics(model, X[:, :10])


# ---------------------------------------------------------------------------
# record_layer_stats
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
def test_recorded_stats_are_layer_statistics_of_the_probe(digits, solver):
    X, y = digits
    X = StandardScaler().fit_transform(X)
    model = MLPClassifier(
        hidden_layer_sizes=(16, 8),
        solver=solver,
        max_iter=4,
        random_state=0,
        record_layer_stats=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert set(model.layer_stats_) == set(STAT_NAMES)
    for name in STAT_NAMES:
        assert model.layer_stats_[name].shape == (model.n_iter_, 3)
    # The last record is taken on the final weights and the probe rows: the
    # first 5% of the rows, within 64..256.
    n_probe = probe_rows(len(X))
    assert n_probe == min(256, max(64, len(X) // 20))
    final = layer_statistics(model, X[:n_probe], y[:n_probe])
    for name in STAT_NAMES:
        np.testing.assert_allclose(
            model.layer_stats_[name][-1], final[name], rtol=1e-10
        )


def test_record_layer_stats_off_records_nothing(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = MLPClassifier((8,), max_iter=2, random_state=0).fit(X, y)
    assert not hasattr(model, "layer_stats_")


def test_compute_layer_stats_without_targets_is_forward_only():
    rng = np.random.RandomState(0)
    coefs = [rng.normal(size=(4, 3)), rng.normal(size=(3, 1))]
    intercepts = [np.zeros(3), np.zeros(1)]
    X = rng.normal(size=(10, 4))
    stats = compute_layer_stats(coefs, intercepts, "relu", "identity", X)
    assert np.isnan(stats["gradient_norm"]).all()
    assert np.isfinite(stats["activation_std"]).all()
    assert np.isnan(stats["dead_fraction"][1])


def test_layer_stats_frame_is_layer_stats_row_by_row():
    pd = pytest.importorskip("pandas")
    from mlpinit.diagnostics import layer_stats_frame

    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(60, 4)), rng.randint(3, size=60)
    pipe = make_pipeline(
        MeanNormStandardizer(),
        MLPClassifier((6, 5), max_iter=4, record_layer_stats=True, random_state=0),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
        unrecorded = MLPClassifier((3,), max_iter=2).fit(X, y)
    model = pipe[-1]
    frame = layer_stats_frame(pipe)
    assert isinstance(frame, pd.DataFrame)
    assert len(frame) == 4 * 3  # epochs x weight layers
    for name, values in model.layer_stats_.items():
        rows = frame[["epoch", "layer"]].itertuples(index=False)
        for (epoch, layer), value in zip(rows, frame[name]):
            np.testing.assert_equal(value, values[epoch - 1, layer - 1])
    pd.testing.assert_frame_equal(layer_stats_frame(model), frame)
    with pytest.raises(ValueError, match="record_layer_stats=True"):
        layer_stats_frame(unrecorded)
