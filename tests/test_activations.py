"""The hidden activations one by one, and selu's self-normalizing property.

Each activation's function and derivative in the core's table are checked,
elementwise, against a numpy reference written from the paper's formula and
against central differences of that reference, over a grid that reaches far
into both tails (where exp overflows or underflows), in float64 and float32.
"""

import numpy as np
import pytest
from scipy.stats import norm

from mlpinit import MLPRegressor
from mlpinit._core.activations import (
    HIDDEN_ACTIVATION_TABLE,
    NEEDS_PREACTIVATION,
)
from mlpinit.diagnostics import initialized, layer_statistics

SELU_ALPHA, SELU_SCALE = 1.6732632423543772, 1.0507009873554805  # Klambauer 2017

REFERENCE = {
    "identity": lambda z: z,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "relu": lambda z: np.where(z > 0, z, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.expm1(z)),
    "selu": lambda z: SELU_SCALE * np.where(z > 0, z, SELU_ALPHA * np.expm1(z)),
    "gelu": lambda z: z * norm.cdf(z),
    "silu": lambda z: z * (1.0 / (1.0 + np.exp(-z))),
}

# Away from 0, where relu, leaky_relu and selu have a kink; out to where
# exp(-z) overflows and the tails are flat.
GRID = np.concatenate([-np.geomspace(800, 1e-3, 60), np.geomspace(1e-3, 800, 60)])


def test_every_activation_has_a_reference():
    assert set(REFERENCE) == set(HIDDEN_ACTIVATION_TABLE)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(HIDDEN_ACTIVATION_TABLE))
def test_function_matches_the_reference(name, dtype):
    entry = HIDDEN_ACTIVATION_TABLE[name]
    with np.errstate(over="ignore"):
        expected = REFERENCE[name](GRID)
    Z = GRID.astype(dtype)
    got = entry.function(Z.copy())
    assert got.dtype == dtype
    rtol = 1e-12 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got, expected, rtol=rtol, atol=rtol * 1e-3)
    if entry.needs_preactivation:
        # The training path: f(Z) written beside Z, which stays as it was.
        out = np.empty_like(Z)
        kept = Z.copy()
        entry.function(kept, out)
        np.testing.assert_array_equal(out, got)
        np.testing.assert_array_equal(kept, Z)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", list(HIDDEN_ACTIVATION_TABLE))
def test_derivative_matches_central_differences_of_the_reference(name, dtype):
    entry = HIDDEN_ACTIVATION_TABLE[name]
    h = 1e-6 * np.maximum(1.0, np.abs(GRID))
    with np.errstate(over="ignore"):
        numeric = (REFERENCE[name](GRID + h) - REFERENCE[name](GRID - h)) / (2 * h)
    Z = GRID.astype(dtype)
    A = entry.function(Z.copy())
    delta = np.full_like(Z, 3.0)  # the derivative multiplies delta in place
    scratch = np.empty_like(Z)
    preactivation = Z.copy() if name in NEEDS_PREACTIVATION else None
    entry.derivative(A, delta, scratch, preactivation)
    assert np.isfinite(delta).all()
    atol = 1e-7 if dtype == np.float64 else 1e-6
    rtol = 1e-6 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(delta, 3.0 * numeric, rtol=rtol, atol=atol)


def test_only_gelu_and_silu_keep_their_preactivation():
    # Every other derivative is written from the activation's output alone,
    # so relu, tanh and logistic (and elu, selu, leaky_relu) train with no
    # extra array.
    assert NEEDS_PREACTIVATION == {"gelu", "silu"}


def _hidden_moments(activation, init, seed):
    # Standardized random data through 16 layers of width 128, untrained.
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(2000, 128))
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    model = MLPRegressor(
        hidden_layer_sizes=(128,) * 16,
        activation=activation,
        init=init,
        random_state=seed,
    )
    stats = layer_statistics(initialized(model, X, X[:, 0]), X)
    return stats["activation_mean"][:-1], stats["activation_std"][:-1] ** 2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_selu_with_lecun_normal_keeps_mean_0_and_variance_1_layer_after_layer(seed):
    # Klambauer et al. 2017: (0, 1) is an attracting fixed point of the
    # mean and variance of selu layers with weights of variance 1 / fan_in.
    mean, variance = _hidden_moments("selu", "lecun_normal", seed)
    assert np.abs(mean).max() < 0.05
    assert np.abs(variance - 1.0).max() < 0.15
    # The same weights under relu lose half the variance per layer: the
    # property is selu's, not the weights'.
    _, relu_variance = _hidden_moments("relu", "lecun_normal", seed)
    assert relu_variance[-1] < 1e-3


def test_auto_init_gives_selu_lecun_normal():
    np.testing.assert_array_equal(
        _hidden_moments("selu", "auto", 0)[1],
        _hidden_moments("selu", "lecun_normal", 0)[1],
    )
