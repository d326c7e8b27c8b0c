"""The numerical core against independent truths: numpy formulas and finite differences.

``mlpinit._core.network.loss_and_gradient`` is checked in float64

* for its loss VALUE, against a from-scratch numpy forward pass and scikit-learn's
  loss definitions (Poisson: weighted mean over samples of the per-sample sum of
  ``y log(y / p) - y + p``; binary / multilabel and categorical log losses; plus
  ``0.5 * alpha * sum(W**2) / sum(sample_weight or n)``), except squared error:
  half the weighted mean over samples of the SUM over outputs, where scikit-learn
  takes the mean over outputs. scikit-learn's multi-output value is n_outputs
  times smaller than the function its gradient belongs to (scikit-learn issue
  #8349); mlpinit keeps the gradient and fixes the value. Single-output: equal.
* for its GRADIENT, against central differences of its own loss with respect to
  every entry of the flat parameter vector.

The reference forward pass unpacks ``theta`` by the layout the module documents
(all weight matrices in C order, then all bias vectors), without using
``NetworkLayout.views``, so the layout is checked too.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit, xlogy
from scipy.stats import norm

from mlpinit._core.activations import HIDDEN_ACTIVATIONS
from mlpinit._core.network import NetworkLayout, Workspace, loss_and_gradient
from mlpinit.initializers import initialize_network

# (out_activation, n_outputs, kind of target); the id names the loss.
OUTPUT_CASES = {
    "squared-1out": ("identity", 1, "real"),
    "squared-3out": ("identity", 3, "real"),
    "poisson-2out": ("exp", 2, "counts"),
    "binary-logloss": ("logistic", 1, "binary"),
    "multilabel-logloss": ("logistic", 3, "multilabel"),
    "multiclass-logloss": ("softmax", 4, "onehot"),
}

N_ROWS, N_FEATURES, HIDDEN = 12, 5, (7, 6)
# Central-difference step: truncation error ~ h**2, rounding ~ eps / h; both
# about 1e-10 of the gradient's scale here.
STEP = 1e-6
# No pre-activation of an activation with a kink at 0 may lie closer to it
# than this; a step of STEP in one parameter moves a pre-activation by at
# most ~STEP * 3.
KINK_MARGIN = 1e-3
KINKED = {"relu", "leaky_relu", "selu"}


# --------------------------------------------------------------------------
# independent numpy reference
# --------------------------------------------------------------------------
def _unpack(theta, layer_units):
    """Weights (C order) then biases, as the core's module docstring specifies."""
    coefs, intercepts, start = [], [], 0
    for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
        coefs.append(theta[start : start + fan_in * fan_out].reshape(fan_in, fan_out))
        start += fan_in * fan_out
    for fan_out in layer_units[1:]:
        intercepts.append(theta[start : start + fan_out])
        start += fan_out
    assert start == theta.size
    return coefs, intercepts


_REF_ACT = {
    "identity": lambda z: z,
    "logistic": expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    # The new activations from their papers' definitions, written apart from
    # the core's in-place versions.
    "leaky_relu": lambda z: np.where(z > 0, z, 0.01 * z),
    "elu": lambda z: np.where(z > 0, z, np.exp(z) - 1.0),
    "selu": lambda z: (
        1.0507009873554805 * np.where(z > 0, z, 1.6732632423543772 * (np.exp(z) - 1.0))
    ),
    "gelu": lambda z: z * norm.cdf(z),
    "silu": lambda z: z / (1.0 + np.exp(-z)),
    "exp": np.exp,
    "softmax": lambda z: (
        np.exp(z - z.max(1, keepdims=True))
        / np.exp(z - z.max(1, keepdims=True)).sum(1, keepdims=True)
    ),
}


def _ref_preactivations(theta, layer_units, X, activation, out_activation):
    coefs, intercepts = _unpack(theta, layer_units)
    A = np.asarray(X.toarray() if sp.issparse(X) else X, dtype=np.float64)
    Zs = []
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = A @ W + b
        Zs.append(Z)
        A = _REF_ACT[out_activation if i == len(coefs) - 1 else activation](Z)
    return Zs, A


def _ref_loss(theta, layer_units, X, Y, sample_weight, alpha, activation, out_act):
    _, P = _ref_preactivations(theta, layer_units, X, activation, out_act)
    n = X.shape[0]
    w = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    if out_act == "identity":
        per_sample = 0.5 * ((Y - P) ** 2).sum(axis=1)  # sklearn: .mean(axis=1)
    elif out_act == "exp":
        per_sample = (xlogy(Y, Y / P) - Y + P).sum(axis=1)
    elif out_act == "logistic":
        Pc = np.clip(P, np.finfo(float).eps, 1 - np.finfo(float).eps)
        per_sample = -(Y * np.log(Pc) + (1 - Y) * np.log(1 - Pc)).sum(axis=1)
    else:
        Pc = np.clip(P, np.finfo(float).eps, 1 - np.finfo(float).eps)
        per_sample = -(Y * np.log(Pc)).sum(axis=1)
    coefs, _ = _unpack(theta, layer_units)
    penalty = 0.5 * alpha * sum((W**2).sum() for W in coefs) / w.sum()
    return float((w * per_sample).sum() / w.sum() + penalty)


# --------------------------------------------------------------------------
# problems
# --------------------------------------------------------------------------
def _targets(kind, n_outputs, rng):
    if kind == "real":
        return rng.normal(size=(N_ROWS, n_outputs))
    if kind == "counts":
        return rng.poisson(1.5, size=(N_ROWS, n_outputs)).astype(float)
    if kind == "binary":
        return rng.randint(0, 2, size=(N_ROWS, 1)).astype(float)
    if kind == "multilabel":
        return rng.randint(0, 2, size=(N_ROWS, n_outputs)).astype(float)
    Y = np.zeros((N_ROWS, n_outputs))
    Y[np.arange(N_ROWS), rng.randint(0, n_outputs, N_ROWS)] = 1.0
    return Y


def _problem(activation, output_case, seed=0):
    out_act, n_outputs, kind = OUTPUT_CASES[output_case]
    layer_units = [N_FEATURES, *HIDDEN, n_outputs]
    layout = NetworkLayout(layer_units)
    for attempt in range(50):
        rng = np.random.RandomState(1000 * seed + attempt)
        X = rng.normal(size=(N_ROWS, N_FEATURES))
        theta = rng.normal(scale=0.5, size=layout.size)
        Zs, _ = _ref_preactivations(theta, layer_units, X, activation, out_act)
        hidden_z = np.concatenate([Z.ravel() for Z in Zs[:-1]])
        if activation not in KINKED or np.abs(hidden_z).min() > KINK_MARGIN:
            break
    else:  # pragma: no cover - 50 draws all near a kink is astronomically unlikely
        raise AssertionError("no draw kept the pre-activations off the kink")
    Y = _targets(kind, n_outputs, rng)
    sample_weight = rng.uniform(0.2, 3.0, N_ROWS)
    return layout, theta, X, Y, sample_weight, out_act


def _core(layout, theta, X, Y, sample_weight, alpha, activation, out_act, rows=None):
    """Loss and gradient from the core, with a stale NaN-filled grad buffer."""
    grad = np.full(layout.size, np.nan)
    workspace = Workspace(layout, rows or X.shape[0], theta.dtype)
    loss = loss_and_gradient(
        layout, theta, grad, X, Y, sample_weight, alpha, activation, out_act, workspace
    )
    return loss, grad


def _central_differences(
    layout, theta, X, Y, sample_weight, alpha, activation, out_act
):
    numeric = np.empty(layout.size)
    for k in range(layout.size):
        plus, minus = theta.copy(), theta.copy()
        plus[k] += STEP
        minus[k] -= STEP
        f_plus, _ = _core(layout, plus, X, Y, sample_weight, alpha, activation, out_act)
        f_minus, _ = _core(
            layout, minus, X, Y, sample_weight, alpha, activation, out_act
        )
        numeric[k] = (f_plus - f_minus) / (2 * STEP)
    return numeric


# --------------------------------------------------------------------------
# tests
# --------------------------------------------------------------------------
@pytest.mark.parametrize("alpha", [0.0, 0.3], ids=["alpha0", "alpha0.3"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("output_case", list(OUTPUT_CASES))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_loss_value_matches_numpy_reference(activation, output_case, weighted, alpha):
    layout, theta, X, Y, sw, out_act = _problem(activation, output_case)
    sw = sw if weighted else None
    loss, grad = _core(layout, theta, X, Y, sw, alpha, activation, out_act)
    expected = _ref_loss(
        theta, layout.layer_units, X, Y, sw, alpha, activation, out_act
    )
    assert isinstance(loss, float)
    np.testing.assert_allclose(loss, expected, rtol=1e-12)
    assert np.isfinite(grad).all(), "the gradient buffer was not fully written"


@pytest.mark.parametrize("alpha", [0.0, 0.3], ids=["alpha0", "alpha0.3"])
@pytest.mark.parametrize("weighted", [False, True], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("output_case", list(OUTPUT_CASES))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_gradient_matches_central_differences(activation, output_case, weighted, alpha):
    # "squared-3out" catches scikit-learn's issue #8349: there the gradient is
    # n_outputs times the gradient of the loss value it returns.
    layout, theta, X, Y, sw, out_act = _problem(activation, output_case)
    sw = sw if weighted else None
    _, grad = _core(layout, theta, X, Y, sw, alpha, activation, out_act)
    numeric = _central_differences(layout, theta, X, Y, sw, alpha, activation, out_act)
    scale = np.abs(numeric).max()
    assert scale > 1e-3, "degenerate problem: the gradient is ~0"
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7 * scale)


@pytest.mark.parametrize("alpha", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("output_case", ["squared-1out", "multiclass-logloss"])
def test_sparse_csr_input_equals_dense(output_case, weighted, alpha):
    layout, theta, X, Y, sw, out_act = _problem("tanh", output_case, seed=3)
    X[np.abs(X) < 0.8] = 0.0  # about 60% zeros
    sw = sw if weighted else None
    dense = _core(layout, theta, X, Y, sw, alpha, "tanh", out_act)
    sparse = _core(layout, theta, sp.csr_matrix(X), Y, sw, alpha, "tanh", out_act)
    np.testing.assert_allclose(sparse[0], dense[0], rtol=1e-13)
    np.testing.assert_allclose(sparse[1], dense[1], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_workspace_larger_than_batch_and_reused(activation):
    # Training reuses one workspace sized for the largest batch; a short last
    # batch uses its leading rows. Stale contents must not leak into results.
    layout, theta, X, Y, sw, out_act = _problem(activation, "multiclass-logloss", 1)
    workspace = Workspace(layout, 3 * N_ROWS, theta.dtype)
    grad = np.empty(layout.size)
    rng = np.random.RandomState(5)
    for buffer in workspace.activations[1:] + workspace.deltas[1:]:
        buffer[...] = rng.normal(size=buffer.shape) * 1e3
    loss = loss_and_gradient(
        layout, theta, grad, X, Y, sw, 0.1, activation, out_act, workspace
    )
    expected_loss, expected_grad = _core(
        layout, theta, X, Y, sw, 0.1, activation, out_act
    )
    assert loss == expected_loss
    np.testing.assert_array_equal(grad, expected_grad)


@pytest.mark.parametrize("output_case", list(OUTPUT_CASES))
def test_inputs_are_not_modified(output_case):
    layout, theta, X, Y, sw, out_act = _problem("tanh", output_case, seed=2)
    copies = [a.copy() for a in (theta, X, Y, sw)]
    _core(layout, theta, X, Y, sw, 0.5, "tanh", out_act)
    for before, after in zip(copies, (theta, X, Y, sw)):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize(
    "output_case", ["squared-1out", "poisson-2out", "multiclass-logloss"]
)
def test_float32_agrees_with_float64(output_case):
    layout, theta, X, Y, sw, out_act = _problem("tanh", output_case, seed=4)
    loss64, grad64 = _core(layout, theta, X, Y, sw, 0.1, "tanh", out_act)
    f32 = [a.astype(np.float32) for a in (theta, X, Y, sw)]
    grad32 = np.full(layout.size, np.nan, dtype=np.float32)
    workspace = Workspace(layout, N_ROWS, np.float32)
    loss32 = loss_and_gradient(
        layout, f32[0], grad32, f32[1], f32[2], f32[3], 0.1, "tanh", out_act, workspace
    )
    assert grad32.dtype == np.float32
    np.testing.assert_allclose(loss32, loss64, rtol=1e-5)
    np.testing.assert_allclose(
        grad32, grad64, rtol=1e-3, atol=1e-5 * np.abs(grad64).max()
    )


def test_layout_offsets_are_weights_then_biases():
    layout = NetworkLayout([3, 4, 2])
    assert layout.size == 3 * 4 + 4 * 2 + 4 + 2
    assert layout.n_coef == 3 * 4 + 4 * 2
    theta = np.arange(layout.size, dtype=float)
    coefs, intercepts = layout.views(theta)
    ref_coefs, ref_intercepts = _unpack(theta, [3, 4, 2])
    for got, want in zip(coefs + intercepts, ref_coefs + ref_intercepts):
        np.testing.assert_array_equal(got, want)
        assert np.shares_memory(got, theta)
    packed = layout.pack(coefs, intercepts, np.float32)
    assert packed.dtype == np.float32
    np.testing.assert_array_equal(packed, theta)


@pytest.mark.parametrize("activation", ["relu", "tanh", "selu"])
@pytest.mark.parametrize("init", ["orthogonal", "lsuv"])
def test_gradient_at_the_new_initializers_weights(init, activation):
    # The starting point a fit with init="orthogonal" or "lsuv" trains from:
    # the gradient there is the gradient of the loss, as anywhere else.
    out_act, n_outputs, kind = OUTPUT_CASES["multiclass-logloss"]
    layer_units = [N_FEATURES, *HIDDEN, n_outputs]
    layout = NetworkLayout(layer_units)
    for attempt in range(50):
        rng = np.random.RandomState(attempt)
        X = rng.normal(size=(N_ROWS, N_FEATURES))
        coefs, intercepts, _ = initialize_network(
            init, layer_units, rng, np.float64, activation, out_act, X
        )
        # Biases start at zero; small random ones keep ReLU's kink away.
        intercepts = [b + rng.uniform(-0.1, 0.1, b.shape) for b in intercepts]
        theta = layout.pack(coefs, intercepts, np.float64)
        Zs, _ = _ref_preactivations(theta, layer_units, X, activation, out_act)
        hidden_z = np.concatenate([Z.ravel() for Z in Zs[:-1]])
        if activation not in KINKED or np.abs(hidden_z).min() > KINK_MARGIN:
            break
    Y = _targets(kind, n_outputs, rng)
    _, grad = _core(layout, theta, X, Y, None, 0.3, activation, out_act)
    numeric = _central_differences(layout, theta, X, Y, None, 0.3, activation, out_act)
    scale = np.abs(numeric).max()
    assert scale > 1e-3, "degenerate problem: the gradient is ~0"
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-7 * scale)
