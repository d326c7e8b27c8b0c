"""Activations, their derivatives, and the output losses, as small lookup tables.

Plain numpy and scipy: this is the numerical core and knows nothing of
scikit-learn. Every function works in place on preallocated arrays, because
the training loop calls them once per layer per batch and fresh temporaries
would dominate the cost of small layers.
"""

import math
from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import erf, expit, xlogy


def _identity(Z):
    return Z


def _relu(Z):
    return np.maximum(Z, 0, out=Z)


def _tanh(Z):
    return np.tanh(Z, out=Z)


def _logistic(Z):
    return expit(Z, out=Z)


# The new activations' constants. SELU's two are Klambauer et al.'s (2017)
# solution for a fixed point at mean 0, variance 1 under LeCun-normal weights.
LEAKY_RELU_SLOPE = 0.01
ELU_ALPHA = 1.0
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _leaky_relu(Z):
    # A boolean mask (an eighth of Z's bytes) instead of a float temporary.
    return np.multiply(Z, LEAKY_RELU_SLOPE, out=Z, where=Z < 0)


def _exponential_linear(Z, alpha, scale):
    # scale * (z if z > 0 else alpha * (exp(z) - 1)): elu and selu. expm1 is
    # exact near 0, and runs only where z < 0.
    negative = Z < 0
    np.expm1(Z, out=Z, where=negative)
    np.multiply(Z, alpha, out=Z, where=negative)
    if scale != 1.0:
        Z *= scale
    return Z


def _elu(Z):
    return _exponential_linear(Z, ELU_ALPHA, 1.0)


def _selu(Z):
    return _exponential_linear(Z, SELU_ALPHA, SELU_SCALE)


# gelu and silu also take ``out``: training keeps their pre-activation Z,
# which their derivatives need, and writes f(Z) beside it.
def _gelu(Z, out=None):
    # The exact form, z * Phi(z) with Phi(z) = (1 + erf(z / sqrt 2)) / 2.
    cdf = np.multiply(Z, SQRT_HALF, out=out)
    erf(cdf, out=cdf)
    cdf += 1.0
    cdf *= 0.5
    if out is None:
        Z *= cdf
        return Z
    return np.multiply(cdf, Z, out=out)


def _silu(Z, out=None):
    sigmoid = expit(Z, out=out)
    if out is None:
        Z *= sigmoid
        return Z
    return np.multiply(sigmoid, Z, out=out)


def _exp(Z):
    return np.exp(Z, out=Z)


def _softmax(Z):
    # Shifting by the row maximum keeps exp from overflowing.
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


# Each derivative is written in terms of the activation's output A where it
# can be, so the pre-activations need not be kept: only gelu and silu, whose
# f' is no function of f, read Z (``preactivation``; None for the others).
# ``scratch`` is a preallocated array of A's shape: multiplying by a 0/1 mask
# is several times cheaper than the boolean indexed assignment
# ``delta[A == 0] = 0``.
def _identity_derivative(A, delta, scratch, preactivation=None):
    return delta


def _relu_derivative(A, delta, scratch, preactivation=None):
    np.greater(A, 0, out=scratch)
    return np.multiply(delta, scratch, out=delta)


def _tanh_derivative(A, delta, scratch, preactivation=None):
    np.multiply(A, A, out=scratch)
    np.subtract(1, scratch, out=scratch)
    return np.multiply(delta, scratch, out=delta)


def _logistic_derivative(A, delta, scratch, preactivation=None):
    np.subtract(1, A, out=scratch)
    delta *= A
    return np.multiply(delta, scratch, out=delta)


def _leaky_relu_derivative(A, delta, scratch, preactivation=None):
    # 1 where a > 0, the slope elsewhere: a has z's sign.
    np.greater(A, 0, out=scratch)
    scratch *= 1.0 - LEAKY_RELU_SLOPE
    scratch += LEAKY_RELU_SLOPE
    return np.multiply(delta, scratch, out=delta)


def _exponential_linear_derivative(A, delta, scratch, alpha, scale):
    # For z < 0, f'(z) = scale * alpha * exp(z) = a + scale * alpha: written
    # from a, so elu and selu need no stored pre-activation.
    np.add(A, scale * alpha, out=scratch)
    np.copyto(scratch, scale, where=A > 0)
    return np.multiply(delta, scratch, out=delta)


def _elu_derivative(A, delta, scratch, preactivation=None):
    return _exponential_linear_derivative(A, delta, scratch, ELU_ALPHA, 1.0)


def _selu_derivative(A, delta, scratch, preactivation=None):
    return _exponential_linear_derivative(A, delta, scratch, SELU_ALPHA, SELU_SCALE)


def _gelu_derivative(A, delta, scratch, preactivation):
    # f'(z) = Phi(z) + z * phi(z). z is used up: it becomes Phi(z), which
    # saves a second scratch array (the training loop recomputes z on the
    # next batch; layer statistics pass a copy).
    Z = preactivation
    np.multiply(Z, Z, out=scratch)
    scratch *= -0.5
    np.exp(scratch, out=scratch)
    scratch *= Z
    scratch *= _INV_SQRT_2PI
    Z *= SQRT_HALF
    erf(Z, out=Z)
    Z += 1.0
    Z *= 0.5
    scratch += Z
    return np.multiply(delta, scratch, out=delta)


def _silu_derivative(A, delta, scratch, preactivation):
    # f'(z) = s(z) * (1 + z * (1 - s(z))) = s(z) * (1 + z - a), s the logistic.
    np.subtract(preactivation, A, out=scratch)
    scratch += 1.0
    delta *= scratch
    expit(preactivation, out=scratch)
    return np.multiply(delta, scratch, out=delta)


class HiddenActivation(NamedTuple):
    """One hidden activation: its function, derivative, and how it is written.

    Attributes
    ----------
    function : callable
        ``function(Z)`` overwrites the pre-activations ``Z`` with ``f(Z)``.
    derivative : callable
        ``derivative(A, delta, scratch, preactivation)`` multiplies ``delta``
        in place by ``f'``, expressed through the activation's output ``A``
        where possible. ``preactivation`` is ``Z`` for the activations that
        need it (``needs_preactivation``), which may overwrite it; None for
        the others.
    formula : str
        ``f(x)`` as the docstrings print it.
    onnx_operator : str or None
        The ONNX operator that computes ``f``, with ``onnx_attributes``; None
        where ``mlpinit.onnx`` composes it from several operators.
    needs_preactivation : bool
        Whether ``f'`` needs ``Z``, not only ``A``: training then keeps each
        hidden layer's ``Z`` beside its ``A`` (one more array per layer), and
        ``function(Z, out)`` writes ``f(Z)`` to ``out``, leaving ``Z``.
    source : str
        Where the activation comes from.
    onnx_attributes : dict
        Attributes of ``onnx_operator``.
    """

    function: Callable
    derivative: Callable
    formula: str
    onnx_operator: str | None
    needs_preactivation: bool = False
    source: str = ""
    onnx_attributes: dict = {}


#: The hidden activations, in the order the docs list them. This table is the
#: one place they are defined: the estimators' parameter constraints and
#: docstrings, the ONNX export and the tests read it. A new activation is a
#: new entry here (and its two functions above).
HIDDEN_ACTIVATION_TABLE = {
    "identity": HiddenActivation(_identity, _identity_derivative, "x", "Identity"),
    "logistic": HiddenActivation(
        _logistic, _logistic_derivative, "1 / (1 + exp(-x))", "Sigmoid"
    ),
    "tanh": HiddenActivation(_tanh, _tanh_derivative, "tanh(x)", "Tanh"),
    "relu": HiddenActivation(_relu, _relu_derivative, "max(0, x)", "Relu"),
    "leaky_relu": HiddenActivation(
        _leaky_relu,
        _leaky_relu_derivative,
        f"max(x, {LEAKY_RELU_SLOPE} x)",
        "LeakyRelu",
        source="Maas, Hannun & Ng 2013, rectifier nonlinearities (slope 0.01)",
        onnx_attributes={"alpha": LEAKY_RELU_SLOPE},
    ),
    "elu": HiddenActivation(
        _elu,
        _elu_derivative,
        "x if x > 0 else exp(x) - 1",
        "Elu",
        source="Clevert, Unterthiner & Hochreiter 2016, ELU (alpha = 1)",
        onnx_attributes={"alpha": ELU_ALPHA},
    ),
    "selu": HiddenActivation(
        _selu,
        _selu_derivative,
        "scale * (x if x > 0 else alpha * (exp(x) - 1)), "
        f"alpha = {SELU_ALPHA!r}, scale = {SELU_SCALE!r}",
        "Selu",
        source="Klambauer, Unterthiner, Mayr & Hochreiter 2017, "
        "self-normalizing networks (use with lecun_normal weights)",
        onnx_attributes={"alpha": SELU_ALPHA, "gamma": SELU_SCALE},
    ),
    "gelu": HiddenActivation(
        _gelu,
        _gelu_derivative,
        "x * Phi(x) = x * (1 + erf(x / sqrt(2))) / 2 (exact, not the tanh form)",
        None,
        needs_preactivation=True,
        source="Hendrycks & Gimpel 2016, Gaussian error linear units",
    ),
    "silu": HiddenActivation(
        _silu,
        _silu_derivative,
        "x / (1 + exp(-x))",
        None,
        needs_preactivation=True,
        source="Elfwing, Uchibe & Doya 2018 (SiLU); Ramachandran, Zoph & Le "
        "2017's swish with beta = 1",
    ),
}

#: The names of the hidden activations, from :data:`HIDDEN_ACTIVATION_TABLE`.
HIDDEN_ACTIVATIONS = tuple(HIDDEN_ACTIVATION_TABLE)

#: Output activations, each paired with its canonical loss (below).
OUTPUT_ACTIVATIONS = {
    "identity": _identity,
    "exp": _exp,
    "logistic": _logistic,
    "softmax": _softmax,
}

#: Every activation function by name, hidden and output.
ACTIVATIONS = {
    **{name: a.function for name, a in HIDDEN_ACTIVATION_TABLE.items()},
    **OUTPUT_ACTIVATIONS,
}

#: The derivative of each hidden activation, by name.
DERIVATIVES = {name: a.derivative for name, a in HIDDEN_ACTIVATION_TABLE.items()}

#: The hidden activations whose derivative reads the pre-activation ``Z``.
NEEDS_PREACTIVATION = frozenset(
    name for name, a in HIDDEN_ACTIVATION_TABLE.items() if a.needs_preactivation
)


# Per-sample losses, summed over the outputs. Each output
# activation is paired with its canonical loss, so the gradient with respect
# to the output pre-activation is simply ``prediction - target``.
def _squared_error(Y, P):
    # Half the squared error summed over the outputs: the function whose
    # gradient is ``P - Y``. scikit-learn averages over the outputs instead,
    # so its multi-output loss is n_outputs times smaller than the function
    # its gradient belongs to, which misleads L-BFGS's line search
    # (scikit-learn issue #8349). Single-output losses are identical.
    diff = Y - P
    return 0.5 * np.einsum("ij,ij->i", diff, diff)


def _poisson(Y, P):
    return (xlogy(Y, Y / P) - Y + P).sum(axis=1)


def _clipped(P):
    eps = np.finfo(P.dtype).eps
    return np.clip(P, eps, 1 - eps)


def _binary_log_loss(Y, P):
    P = _clipped(P)
    return -(xlogy(Y, P) + xlogy(1 - Y, 1 - P)).sum(axis=1)


def _log_loss(Y, P):
    return -xlogy(Y, _clipped(P)).sum(axis=1)


# Keyed by the output activation: it determines the loss.
OUTPUT_LOSSES = {
    "identity": _squared_error,
    "exp": _poisson,
    "logistic": _binary_log_loss,
    "softmax": _log_loss,
}


def sample_losses(out_activation, Y, P):
    """Per-sample loss of predictions ``P`` against targets ``Y``.

    Parameters
    ----------
    out_activation : {"identity", "exp", "logistic", "softmax"}
        The output activation, which fixes the canonical loss: half the
        squared error, Poisson deviance (halved), binary or categorical log
        loss, each summed over the outputs.
    Y, P : ndarray of shape (n_samples, n_outputs)
        Targets and predictions.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return OUTPUT_LOSSES[out_activation](Y, P)
