"""The multilayer perceptron as plain arrays: layout, forward and backward passes.

All weights and biases live in one flat parameter vector ``theta``: the
weight matrices first, each of shape (fan_in, fan_out) in C order, then the
bias vectors. Optimizer steps then touch one array, L-BFGS gets the vector it
wants without packing, and the gradient has the same layout. The order is
scikit-learn's own packing order, so L-BFGS runs visit the same iterates.

This module is the numerical core: numpy and scipy only.
"""

import numpy as np
import scipy.sparse as sp

from mlpinit._core.activations import (
    ACTIVATIONS,
    DERIVATIVES,
    NEEDS_PREACTIVATION,
    sample_losses,
)


class NetworkLayout:
    """Where each layer's weights and biases sit in the flat vector.

    Parameters
    ----------
    layer_units : sequence of int
        Units per layer, input first and output last.
    """

    def __init__(self, layer_units):
        self.layer_units = [int(u) for u in layer_units]
        fans = list(zip(self.layer_units[:-1], self.layer_units[1:]))
        self.coef_shapes = fans
        self.coef_slices = []
        start = 0
        for fan_in, fan_out in fans:
            self.coef_slices.append(slice(start, start + fan_in * fan_out))
            start += fan_in * fan_out
        self.n_coef = start
        self.intercept_slices = []
        for _, fan_out in fans:
            self.intercept_slices.append(slice(start, start + fan_out))
            start += fan_out
        self.size = start

    @property
    def n_layers(self):
        return len(self.layer_units)

    def views(self, theta):
        """Weight matrices and bias vectors as views into ``theta``."""
        coefs = [
            theta[s].reshape(shape)
            for s, shape in zip(self.coef_slices, self.coef_shapes)
        ]
        intercepts = [theta[s] for s in self.intercept_slices]
        return coefs, intercepts

    def pack(self, coefs, intercepts, dtype):
        """Copy per-layer arrays into a new flat vector of ``dtype``."""
        theta = np.empty(self.size, dtype=dtype)
        for s, coef in zip(self.coef_slices, coefs):
            theta[s] = np.asarray(coef).ravel()
        for s, intercept in zip(self.intercept_slices, intercepts):
            theta[s] = intercept
        return theta


# OpenBLAS splits dot products of more than 10,000 elements over its threads,
# so their rounding depends on the thread count, which a grid search's n_jobs
# changes. Longer ones are summed by einsum, which uses no BLAS threads.
_BLAS_DOT_MAX = 10_000


def stable_dot(a, b):
    """``float(a @ b)`` of 1-D arrays, bit-identical whatever the BLAS threads."""
    if a.shape[0] <= _BLAS_DOT_MAX:
        return float(a @ b)
    return float(np.einsum("i,i->", a, b))


def canonical_sparse(X):
    """``X`` itself if its indices are sorted and unique, else a canonical copy.

    scipy sorts the indices and sums the duplicates of a matrix *in place* the
    first time an operation such as ``abs``, ``sum`` or ``multiply`` needs the
    canonical form. On the caller's matrix that rewrites the caller's data, and
    on a read-only one (a joblib memmap) it fails with "WRITEBACKIFCOPY base is
    read-only". Work on a copy whenever the form is not canonical already.
    """
    return X if X.has_canonical_format else X.copy()


def sparse_column_abs_max(X):
    """Largest ``|x|`` of each column of a sparse ``X``, caller's ``X`` untouched."""
    return abs(canonical_sparse(X)).max(axis=0).toarray().ravel()


def sparse_aware_dot(A, W):
    # Sparse inputs only ever appear as the first layer's activations.
    return A @ W if sp.issparse(A) else np.dot(A, W)


def predict_in_chunks(coefs, intercepts, activation, out_activation, X, chunk_rows):
    """Network output for ``X``, computed over row chunks so that memory is
    that of one chunk's hidden activations, not of every row's.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Per-layer weights (fan_in, fan_out) and biases (fan_out,).
    activation, out_activation : str
        Hidden and output activation names.
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    chunk_rows : int
        Rows per chunk.

    Returns
    -------
    ndarray of shape (n_samples, n_outputs), of the model's dtype

    Each layer's output buffer is allocated once per call and reused for
    every chunk, so no chunk pays for fresh pages. Every buffer is local to
    the call: concurrent calls on one model from several threads share no
    state.
    """
    n_samples = X.shape[0]
    if sp.issparse(X) and X.format != "csr":
        X = X.tocsr()
    dtype = coefs[-1].dtype
    out = np.empty((n_samples, coefs[-1].shape[1]), dtype=dtype)
    rows = min(chunk_rows, max(n_samples, 1))
    buffers = [np.empty((rows, W.shape[1]), dtype=dtype) for W in coefs[:-1]]
    hidden = ACTIVATIONS[activation]
    for start in range(0, n_samples, chunk_rows):
        stop = min(start + chunk_rows, n_samples)
        A = X[start:stop]
        for i, (W, b) in enumerate(zip(coefs, intercepts)):
            Z = out[start:stop] if i == len(coefs) - 1 else buffers[i][: stop - start]
            if sp.issparse(A):
                Z[...] = A @ W
            else:
                # Only the input can differ from the model's dtype; casting
                # one chunk of it is cheaper than a mixed-type product.
                np.dot(A.astype(dtype, copy=False), W, out=Z)
            Z += b
            A = ACTIVATIONS[out_activation](Z) if i == len(coefs) - 1 else hidden(Z)
    return out


class Workspace:
    """Activations, deltas and scratch for one batch, allocated once per fit.

    Batches smaller than ``max_rows`` (the last one of an epoch) use the
    leading rows of each buffer.
    """

    def __init__(self, layout, max_rows, dtype):
        units = layout.layer_units
        self.activations = [None] + [np.empty((max_rows, u), dtype) for u in units[1:]]
        self.deltas = [None] + [np.empty((max_rows, u), dtype) for u in units[1:]]
        self.scratch = [None] + [np.empty((max_rows, u), dtype) for u in units[1:]]
        # Column sums as a product with a ones vector go through BLAS, which
        # beats ndarray.sum(axis=0) on the small arrays of one batch.
        self.ones = np.ones(max_rows, dtype)
        self.layout = layout
        self._views = {}
        # The L2 term's buffer, as large as all the weights: allocated by
        # weight_scratch on first use, so that alpha=0 costs no memory.
        self._weight_scratch = None
        # The hidden layers' pre-activations, for the activations whose
        # derivative needs them (gelu, silu): allocated by preactivations on
        # first use, so that relu, tanh and logistic cost no extra array.
        self._preactivations = None

    def weight_scratch(self, n_coef):
        """A buffer of ``n_coef`` values for the L2 term, allocated on first use."""
        if self._weight_scratch is None:
            self._weight_scratch = np.empty(n_coef, self.ones.dtype)
        return self._weight_scratch

    def preactivations(self):
        """Buffers for the hidden layers' ``Z``, allocated on first use.

        Only a hidden activation in ``NEEDS_PREACTIVATION`` asks for them.
        """
        if self._preactivations is None:
            self._preactivations = (
                [None] + [np.empty_like(a) for a in self.activations[1:-1]] + [None]
            )
        return self._preactivations

    def views(self, flat):
        """``layout.views(flat)``, built once per array: a fit passes the same
        parameter and gradient vectors for every batch."""
        cached = self._views.get(id(flat))
        # Holding the array itself keeps its id from being reused.
        if cached is None or cached[0] is not flat:
            cached = (flat, self.layout.views(flat))
            self._views[id(flat)] = cached
        return cached[1]


def _forward_into(
    acts, coefs, intercepts, activation, out_activation, inputs, masks, preacts
):
    """Fill ``acts[1:]`` with each layer's output, from the input ``acts[0]``.

    ``inputs[i]`` is what layer ``i + 1`` reads: ``acts[i]`` itself, or, for a
    hidden layer with a dropout mask, ``acts[i] * masks[i]`` written there.
    ``preacts`` is None, or holds a buffer per hidden layer that keeps its
    pre-activation, for activations whose derivative needs it.
    """
    last = len(coefs)
    hidden = ACTIVATIONS[activation]
    for i in range(last):
        keep = preacts is not None and i + 1 < last
        Z = preacts[i + 1] if keep else acts[i + 1]
        if sp.issparse(inputs[i]):
            Z[...] = inputs[i] @ coefs[i]
        else:
            np.dot(inputs[i], coefs[i], out=Z)
        Z += intercepts[i]
        if i + 1 == last:
            ACTIVATIONS[out_activation](Z)
        else:
            if keep:
                hidden(Z, acts[i + 1])
            else:
                hidden(Z)
            if masks is not None and masks[i + 1] is not None:
                np.multiply(acts[i + 1], masks[i + 1], out=inputs[i + 1])


def loss_and_gradient(
    layout,
    theta,
    grad,
    X,
    Y,
    sample_weight,
    alpha,
    activation,
    out_activation,
    workspace,
    dropout=None,
):
    """Regularized mean loss of one batch and its gradient with respect to ``theta``.

    The loss is the (sample-weighted) mean of the per-sample losses plus
    ``0.5 * alpha * ||W||^2 / weight_sum``, where ``weight_sum`` is the number
    of rows, or the sum of the sample weights; this is scikit-learn's
    definition, so an L2 term scaled with the data.

    Parameters
    ----------
    layout : NetworkLayout
    theta : ndarray of shape (layout.size,)
        Parameters. Read only.
    grad : ndarray of shape (layout.size,)
        Written with the gradient.
    X : ndarray or sparse matrix of shape (n_rows, n_features)
    Y : ndarray of shape (n_rows, n_outputs)
    sample_weight : ndarray of shape (n_rows,) or None
    alpha : float
        L2 penalty.
    activation, out_activation : str
    workspace : Workspace
        Buffers with at least ``n_rows`` rows.
    dropout : Dropout, optional
        This batch's inverted-dropout masks of the hidden layers
        (:class:`mlpinit._core.training.Dropout`, already drawn); the loss
        and gradient are those of the thinned network. None: the full one.

    Returns
    -------
    loss : float
    """
    n_rows = X.shape[0]
    coefs, intercepts = workspace.views(theta)
    coef_grads, intercept_grads = workspace.views(grad)
    acts = [X] + [a[:n_rows] for a in workspace.activations[1:]]
    deltas = [None] + [d[:n_rows] for d in workspace.deltas[1:]]
    last = len(coefs)
    if dropout is None:
        inputs, masks = acts, None
    else:
        masks = [None if m is None else m[:n_rows] for m in dropout.masks]
        inputs = [a if d is None else d[:n_rows] for a, d in zip(acts, dropout.dropped)]
    preacts = None
    if activation in NEEDS_PREACTIVATION:
        preacts = [
            None if z is None else z[:n_rows] for z in workspace.preactivations()
        ]
    _forward_into(
        acts, coefs, intercepts, activation, out_activation, inputs, masks, preacts
    )
    P = acts[last]
    if sample_weight is None:
        weight_sum = float(n_rows)
        row_weights = None
    else:
        weight_sum = float(sample_weight.sum())
        row_weights = sample_weight / weight_sum
    per_sample = sample_losses(out_activation, Y, P)
    if row_weights is None:
        data_loss = float(per_sample.mean())
    else:
        data_loss = stable_dot(per_sample, row_weights)
    weights = theta[: layout.n_coef]
    loss = data_loss + 0.5 * alpha * stable_dot(weights, weights) / weight_sum

    # The 1/weight_sum of the mean is folded into the output delta once,
    # instead of dividing every gradient block.
    D = deltas[last]
    np.subtract(P, Y, out=D)
    if row_weights is None:
        D *= 1.0 / n_rows
    else:
        D *= row_weights.astype(D.dtype, copy=False)[:, None]

    derivative = DERIVATIVES[activation]
    ones = workspace.ones[:n_rows]
    for i in range(last, 0, -1):
        A_prev = inputs[i - 1]
        if sp.issparse(A_prev):
            coef_grads[i - 1][...] = A_prev.T @ deltas[i]
        else:
            np.dot(A_prev.T, deltas[i], out=coef_grads[i - 1])
        np.dot(ones, deltas[i], out=intercept_grads[i - 1])
        if i > 1:
            np.dot(deltas[i], coefs[i - 1].T, out=deltas[i - 1])
            if masks is not None and masks[i - 1] is not None:
                deltas[i - 1] *= masks[i - 1]
            derivative(
                acts[i - 1],
                deltas[i - 1],
                workspace.scratch[i - 1][:n_rows],
                None if preacts is None else preacts[i - 1],
            )

    # L2 in one pass over the flat weight block.
    if alpha:
        # Into a preallocated buffer: a fresh temporary the size of all the
        # weights would cost page faults on every batch.
        penalty = workspace.weight_scratch(layout.n_coef)
        np.multiply(weights, alpha / weight_sum, out=penalty)
        grad[: layout.n_coef] += penalty
    return loss
