"""Per-layer activation and gradient statistics of an MLP on one batch.

The numerical core: numpy and scipy only. Used by
:func:`mlpinit.diagnostics.layer_statistics` and by the estimators'
``record_layer_stats`` option.
"""

import numpy as np
import scipy.sparse as sp

from mlpinit._functions import ACTIVATIONS
from mlpinit._network import NetworkLayout, Workspace, loss_and_gradient

# A unit counts as saturated when its output is within 1% of the activation's
# range from either bound: |a| > 0.99 for tanh, a < 0.005 or a > 0.995 for
# the logistic.
_SATURATION = {
    "tanh": lambda A: np.abs(A) > 0.99,
    "logistic": lambda A: (A < 0.005) | (A > 0.995),
}

STAT_NAMES = (
    "preactivation_mean",
    "preactivation_std",
    "activation_mean",
    "activation_std",
    "saturated_fraction",
    "dead_fraction",
    "weight_norm",
    "gradient_norm",
    "gradient_to_weight_ratio",
)


def compute_layer_stats(coefs, intercepts, activation, out_activation, X, Y=None, alpha=0.0):
    """Statistics of each weight layer's outputs, and of its gradient given ``Y``.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Weights (fan_in, fan_out) and biases (fan_out,) of each layer.
    activation : str
        Hidden activation.
    out_activation : str
        Output activation.
    X : ndarray or sparse matrix of shape (n_rows, n_features)
        Probe batch.
    Y : ndarray of shape (n_rows, n_outputs), optional
        Encoded targets. Without them the gradient entries are NaN.
    alpha : float, default=0.0
        L2 penalty included in the gradient.

    Returns
    -------
    dict of str to ndarray of shape (n_layers - 1,)
        One entry per name in :data:`STAT_NAMES`, one value per weight layer
        (the last is the output layer). ``saturated_fraction`` is NaN for
        activations that do not saturate (relu, identity, and the output
        layer unless it is logistic); ``dead_fraction`` (units that output 0
        for every probe row) is NaN except for relu hidden layers.
    """
    n_layers = len(coefs)
    stats = {name: np.full(n_layers, np.nan) for name in STAT_NAMES}
    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = A @ W if sp.issparse(A) else np.dot(A, W)
        Z += b
        stats["preactivation_mean"][i] = Z.mean()
        stats["preactivation_std"][i] = Z.std()
        name = out_activation if i == n_layers - 1 else activation
        A = ACTIVATIONS[name](Z.copy())
        stats["activation_mean"][i] = A.mean()
        stats["activation_std"][i] = A.std()
        if name in _SATURATION:
            stats["saturated_fraction"][i] = _SATURATION[name](A).mean()
        if name == "relu":
            stats["dead_fraction"][i] = np.all(A <= 0, axis=0).mean()
        stats["weight_norm"][i] = np.linalg.norm(W)

    if Y is not None:
        layer_units = [coefs[0].shape[0]] + [W.shape[1] for W in coefs]
        layout = NetworkLayout(layer_units)
        dtype = coefs[-1].dtype
        theta = layout.pack(coefs, intercepts, dtype)
        grad = np.empty_like(theta)
        workspace = Workspace(layout, X.shape[0], dtype)
        loss_and_gradient(
            layout,
            theta,
            grad,
            X,
            np.asarray(Y, dtype=dtype),
            None,
            alpha,
            activation,
            out_activation,
            workspace,
        )
        coef_grads, _ = layout.views(grad)
        for i, G in enumerate(coef_grads):
            stats["gradient_norm"][i] = np.linalg.norm(G)
        with np.errstate(divide="ignore", invalid="ignore"):
            stats["gradient_to_weight_ratio"] = stats["gradient_norm"] / stats["weight_norm"]
    return stats
