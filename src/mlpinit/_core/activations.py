"""Activations, their derivatives, and the output losses, as small lookup tables.

Plain numpy and scipy: this is the numerical core and knows nothing of
scikit-learn. Every function works in place on preallocated arrays, because
the training loop calls them once per layer per batch and fresh temporaries
would dominate the cost of small layers.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.special import expit, xlogy


def _identity(Z):
    return Z


def _relu(Z):
    return np.maximum(Z, 0, out=Z)


def _tanh(Z):
    return np.tanh(Z, out=Z)


def _logistic(Z):
    return expit(Z, out=Z)


def _exp(Z):
    return np.exp(Z, out=Z)


def _softmax(Z):
    # Shifting by the row maximum keeps exp from overflowing.
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


# Each derivative is written in terms of the activation's output A, so the
# pre-activations need not be kept. ``scratch`` is a preallocated array of A's
# shape: multiplying by a 0/1 mask is several times cheaper than the boolean
# indexed assignment ``delta[A == 0] = 0``.
def _identity_derivative(A, delta, scratch):
    return delta


def _relu_derivative(A, delta, scratch):
    np.greater(A, 0, out=scratch)
    return np.multiply(delta, scratch, out=delta)


def _tanh_derivative(A, delta, scratch):
    np.multiply(A, A, out=scratch)
    np.subtract(1, scratch, out=scratch)
    return np.multiply(delta, scratch, out=delta)


def _logistic_derivative(A, delta, scratch):
    np.subtract(1, A, out=scratch)
    delta *= A
    return np.multiply(delta, scratch, out=delta)


class HiddenActivation(NamedTuple):
    """One hidden activation: its function, derivative, and how it is written.

    Attributes
    ----------
    function : callable
        ``function(Z)`` overwrites the pre-activations ``Z`` with ``f(Z)``.
    derivative : callable
        ``derivative(A, delta, scratch)`` multiplies ``delta`` in place by
        ``f'`` expressed through the activation's output ``A``.
    formula : str
        ``f(x)`` as the docstrings print it.
    onnx_operator : str or None
        The ONNX operator that computes ``f``; None if it cannot be exported.
    """

    function: Callable
    derivative: Callable
    formula: str
    onnx_operator: str | None


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
