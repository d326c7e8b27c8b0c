"""Orthogonal initialization and LSUV, its data-dependent rescaling.

Saxe et al.'s scaled orthogonal matrices, and Mishkin & Matas's
layer-sequential unit-variance rescaling of any start on a batch of data.
Public as :func:`mlpinit.initializers.orthogonal` and
:func:`mlpinit.initializers.lsuv`; see :mod:`mlpinit.initializers` for the
conventions (shapes ``(fan_in, fan_out)``, randomness from the
``RandomState`` passed in). The numerical core: numpy and scipy only.
"""

import math
import time

import numpy as np
import scipy.sparse as sp

from mlpinit._core.activations import ACTIVATIONS, activation_record
from mlpinit._core.init_common import (
    check_fan,
    check_layer,
    check_real,
    shared_doc,
)
from mlpinit._core.network import sparse_aware_dot

__all__ = ["lsuv", "orthogonal"]


# --------------------------------------------------------------------------
# orthogonal
# --------------------------------------------------------------------------
def orthogonal_draw(fan_in, fan_out, random_state, dtype, gain):
    draw = random_state.normal(0.0, 1.0, (fan_in, fan_out))
    # The reduced QR of a tall matrix gives orthonormal columns; a widening
    # layer factors the transpose and gets orthonormal rows.
    tall = draw if fan_in >= fan_out else draw.T
    q, r = np.linalg.qr(tall)
    # QR fixes Q only up to the sign of each column. Making diag(R) positive
    # picks one Q per Gaussian draw, and that Q is Haar (uniformly)
    # distributed; LAPACK's own signs are not (Mezzadri 2007).
    q *= np.where(np.diagonal(r) < 0.0, -1.0, 1.0)
    weights = q if fan_in >= fan_out else q.T
    return np.ascontiguousarray(gain * weights, dtype=dtype)


@shared_doc("saxe", "mezzadri")
def orthogonal(fan_in, fan_out, random_state, dtype=np.float64, *, gain=1.0):
    """Orthogonal initialization: ``W = gain * Q``, ``Q`` uniformly random orthogonal.

    For ``fan_in >= fan_out`` the columns of ``W`` are orthogonal,
    ``W.T @ W = gain**2 * I``; otherwise its rows are, ``W @ W.T = gain**2 *
    I``. Saxe, McClelland & Ganguli 2014 [1]_ show that such weights keep
    every singular value of a deep linear network at ``gain``, so signals and
    gradients neither grow nor vanish with depth, where Gaussian weights of
    the same variance only do so on average. ``Q`` is the QR factor of a
    standard Gaussian matrix with the signs of its columns set so that
    ``diag(R) > 0``, which makes it uniformly (Haar) distributed, Mezzadri
    2007 [2]_.

    Parameters
    ----------
    {layer_parameters}
    gain : float, default=1.0
        Positive finite scale, usually ``calculate_gain(activation)``; the
        estimators' ``init="orthogonal"`` takes the gain of the layer's
        activation.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
        C-contiguous; the QR runs in float64 whatever ``dtype``.

    Raises
    ------
    {layer_raises}
    ValueError
        If ``gain`` is not a positive finite number.

    See Also
    --------
    calculate_gain : The per-activation gains.

    {references}

    Examples
    --------
    >>> from mlpinit.initializers import calculate_gain, orthogonal
    >>> W = orthogonal(300, 100, np.random.RandomState(0), gain=calculate_gain("relu"))
    >>> bool(np.allclose(W.T @ W, 2 * np.eye(100)))
    True
    """
    args = check_layer(fan_in, fan_out, random_state, dtype)
    return orthogonal_draw(*args, check_real("gain", gain))


# --------------------------------------------------------------------------
# LSUV: a data-dependent rescaling of any start, orthogonal by default
# --------------------------------------------------------------------------
def _check_weights(coefs, intercepts):
    if isinstance(coefs, np.ndarray) or not isinstance(coefs, (list, tuple)):
        raise ValueError(
            f"coefs must be a list of weight matrices, got {type(coefs).__name__}."
        )
    if not coefs or len(intercepts) != len(coefs):
        raise ValueError(
            f"coefs and intercepts must be non-empty lists of the same length, "
            f"got {len(coefs)} and {len(intercepts)}."
        )
    fan_in = None
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        W, b = np.asarray(W), np.asarray(b)
        if W.ndim != 2 or not np.issubdtype(W.dtype, np.floating):
            raise ValueError(
                f"coefs[{i}] must be a 2-D floating array, got {W.ndim}-D {W.dtype}."
            )
        if fan_in is not None and W.shape[0] != fan_in:
            raise ValueError(
                f"coefs[{i}] has {W.shape[0]} rows but layer {i - 1} has "
                f"{fan_in} outputs."
            )
        if b.shape != (W.shape[1],):
            raise ValueError(
                f"intercepts[{i}] has shape {b.shape}; expected ({W.shape[1]},)."
            )
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ValueError(f"coefs[{i}] or intercepts[{i}] is not finite.")
        fan_in = W.shape[1]


def _check_hidden_activations(activation, n_hidden):
    names = [activation] * n_hidden if isinstance(activation, str) else activation
    if isinstance(names, (str, bytes)) or not hasattr(names, "__len__"):
        raise ValueError(f"activation must be a str or a list of str, got {names!r}.")
    if len(names) != n_hidden:
        raise ValueError(
            f"activation must name one activation per hidden layer ({n_hidden}), "
            f"got {len(names)}: {list(names)!r}."
        )
    for name in names:
        if not isinstance(name, str) or name not in ACTIVATIONS:
            raise ValueError(
                f"activation must be one of {list(ACTIVATIONS)}, got {name!r}."
            )
    return list(names)


def _check_batch(X, n_features):
    if not sp.issparse(X):
        X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] < 2:
        raise ValueError(
            f"X must be a 2-D batch of at least 2 rows, got shape {X.shape}."
        )
    if X.shape[1] != n_features:
        raise ValueError(
            f"X has {X.shape[1]} features, but coefs[0] takes {n_features}."
        )
    values = X.data if sp.issparse(X) else X
    if not np.issubdtype(values.dtype, np.number) or not np.isfinite(values).all():
        raise ValueError("X must hold finite numbers only (no NaN or inf).")
    return X


def _unit_variance_layer(A, W, b, tol, max_iter):
    """Rescale ``W`` in place until ``Var(A @ W + b)`` is within ``tol`` of 1.

    Returns the last pre-activation, its variance and the number of
    rescalings (each costs one more product with the batch).
    """
    n_rescaled = 0
    while True:
        Z = sparse_aware_dot(A, W)
        Z += b
        variance = float(Z.var(dtype=np.float64))
        done = abs(variance - 1.0) <= tol or n_rescaled == max_iter
        # A layer whose output is constant (every unit dead) cannot be scaled.
        if done or not (math.isfinite(variance) and variance > 0.0):
            return Z, variance, n_rescaled
        W *= W.dtype.type(1.0 / math.sqrt(variance))
        n_rescaled += 1


@shared_doc("mishkin", "saxe")
def lsuv(coefs, intercepts, activation, X, *, tol=0.1, max_iter=10):
    """Layer-sequential unit-variance initialization (LSUV) on a batch of data.

    Mishkin & Matas 2016 [1]_: start from orthogonal weights (Saxe et al.
    2014 [2]_, :func:`orthogonal`), then, from the first layer to the last,
    divide each layer's weights by ``sqrt(Var(Z))``, where ``Z = A @ W + b``
    is that layer's output on the batch (``A`` the previous layer's
    activations, ``X`` for the first), until ``|Var(Z) - 1| <= tol`` or
    ``max_iter`` rescalings. It enforces the article's second rule, unit
    variance through the network, on the user's own data. Nothing is
    random: the result depends only on the arguments, so a seeded start and
    a seeded batch give the same weights bit for bit.

    Parameters
    ----------
    coefs : list of ndarray of shape (n_units[i], n_units[i + 1])
        The starting weights, one floating matrix per layer, usually
        :func:`orthogonal`. Not modified.
    intercepts : list of ndarray of shape (n_units[i + 1],)
        The biases, used as they are and not modified; a constant shift does
        not change a variance, so zero biases (every ``init`` but
        ``"sklearn"``) leave the rescaling exact.
    activation : str or list of str
        The hidden activation, for every hidden layer, or one name per
        hidden layer (``len(coefs) - 1``), among the core's activations.
        The output layer's own activation is not needed: its ``Z`` is what
        is rescaled.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The batch, at least 2 rows, finite. A scipy.sparse ``X`` is
        multiplied with ``@`` as it is, never densified nor modified.
    tol : float, default=0.1
        Accepted distance of each layer's output variance from 1
        (Mishkin & Matas's ``Tol_var``).
    max_iter : int, default=10
        Most rescalings per layer (their ``T_max``).

    Returns
    -------
    coefs : list of ndarray
        The rescaled weights, new arrays of the dtypes and shapes given:
        each is a positive multiple of the starting matrix.
    record : dict
        What the rescaling did and cost:

        - ``"n_iter"``: list of int, the rescalings of each layer;
        - ``"variance"``: list of float, each layer's final output variance;
        - ``"converged"``: list of bool, whether it is within ``tol`` of 1
          (False for a layer cut off by ``max_iter``, or whose output is
          constant, for example every ReLU dead);
        - ``"n_forward"``: int, the layer products with the batch computed,
          ``sum(n_iter) + len(coefs)``;
        - ``"seconds"``: float, the wall time taken.

    Raises
    ------
    ValueError
        If the layers' shapes do not chain, an array is not finite, an
        activation is unknown or there is not one per hidden layer, ``X``
        has fewer than 2 rows or the wrong number of features, or ``tol``
        or ``max_iter`` is not positive.

    Notes
    -----
    ``Var`` is over every entry of ``Z``, as in the paper. This rescales the
    pre-activation ``Z``, not the activation that follows: a bounded
    activation such as tanh can never reach unit variance, and for a fixed
    batch ``Var(A @ (c W)) = c^2 Var(A @ W)``, so one rescaling per layer
    reaches 1 up to rounding; the next layer's check confirms it. The cost
    is about ``len(coefs) + sum(n_iter)`` forward layer products on the
    batch, a fraction of one training epoch for a batch of a few hundred
    rows.

    {references}

    Examples
    --------
    >>> from mlpinit.initializers import lsuv, orthogonal
    >>> rng = np.random.RandomState(0)
    >>> X = 5.0 * rng.normal(size=(256, 20))  # inputs far from unit variance
    >>> units = [20, 64, 64, 3]
    >>> coefs = [orthogonal(m, n, rng) for m, n in zip(units[:-1], units[1:])]
    >>> intercepts = [np.zeros(n) for n in units[1:]]
    >>> coefs, record = lsuv(coefs, intercepts, "relu", X)
    >>> record["converged"], record["n_forward"]
    ([True, True, True], 6)
    """
    _check_weights(coefs, intercepts)
    names = _check_hidden_activations(activation, len(coefs) - 1)
    X = _check_batch(X, np.shape(coefs[0])[0])
    tol = check_real("tol", tol)
    max_iter = check_fan("max_iter", max_iter)

    start = time.perf_counter()
    record = {"n_iter": [], "variance": [], "converged": [], "n_forward": 0}
    rescaled, A = [], X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        W = np.array(W, order="C")  # a copy: the caller's weights stay as they are
        Z, variance, n_iter = _unit_variance_layer(A, W, np.asarray(b), tol, max_iter)
        rescaled.append(W)
        record["n_iter"].append(n_iter)
        record["variance"].append(variance)
        record["converged"].append(abs(variance - 1.0) <= tol)
        record["n_forward"] += n_iter + 1
        if i < len(names):
            A = activation_record(names[i]).apply(Z)
    record["seconds"] = time.perf_counter() - start
    return rescaled, record
