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

from mlpinit._core.activations import activation_record, sample_losses
from mlpinit._core.fused import kernels, reference_batch_weights


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


def sparse_aware_dot(A, W, out=None, sparse=None):
    """``A @ W`` for a dense or scipy.sparse ``A``: the one such product.

    Parameters
    ----------
    A : ndarray or sparse matrix
        Sparse inputs only ever appear as the first layer's activations (or,
        transposed, in its weight gradient).
    W : ndarray
    out : ndarray, optional
        Written with the product (of the product's dtype, C-contiguous) and
        returned; else a new array.
    sparse : bool, optional
        Whether ``A`` is sparse, when the caller knows: saves the check.

    Returns
    -------
    ndarray
    """
    if sparse is None:
        sparse = sp.issparse(A)
    if out is None:
        return np.asarray(A @ W) if sparse else np.dot(A, W)
    if sparse:
        out[...] = A @ W
    else:
        np.dot(A, W, out=out)
    return out


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
    hidden, output = activation_record(activation), activation_record(out_activation)
    sparse = sp.issparse(X)
    for start in range(0, n_samples, chunk_rows):
        stop = min(start + chunk_rows, n_samples)
        A = X[start:stop]
        if not sparse:
            # Only the input can differ from the model's dtype; casting one
            # chunk of it is cheaper than a mixed-type product.
            A = A.astype(dtype, copy=False)
        for i, (W, b) in enumerate(zip(coefs, intercepts)):
            last = i == len(coefs) - 1
            Z = out[start:stop] if last else buffers[i][: stop - start]
            sparse_aware_dot(A, W, out=Z, sparse=sparse and i == 0)
            record = output if last else hidden
            # The bias and the activation in one pass where a kernel has them.
            if _bias_activation(record, Z, b):
                A = Z
            else:
                Z += b
                A = record.apply(Z)
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
        self._rows = {}
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

        Only a hidden activation whose record ``needs_preactivation`` asks
        for them.
        """
        if self._preactivations is None:
            self._preactivations = (
                [None] + [np.empty_like(a) for a in self.activations[1:-1]] + [None]
            )
        return self._preactivations

    def rows(self, n_rows, preactivations=False):
        """Every buffer's leading ``n_rows`` rows, sliced once per batch size.

        Returns ``(activations, deltas, scratch, ones, preactivations)``,
        the lists indexed by layer (index 0 is None); ``preactivations`` is
        None unless asked for. An epoch has at most two batch sizes, so the
        slicing, a few microseconds per batch, is done twice per fit.
        """
        key = (n_rows, preactivations)
        cached = self._rows.get(key)
        if cached is None:
            sliced = [
                [None] + [a[:n_rows] for a in buffers[1:]]
                for buffers in (self.activations, self.deltas, self.scratch)
            ]
            preacts = None
            if preactivations:
                preacts = [
                    None if z is None else z[:n_rows] for z in self.preactivations()
                ]
            cached = (*sliced, self.ones[:n_rows], preacts)
            self._rows[key] = cached
        return cached

    def views(self, flat):
        """``layout.views(flat)``, built once per array: a fit passes the same
        parameter and gradient vectors for every batch."""
        cached = self._views.get(id(flat))
        # Holding the array itself keeps its id from being reused.
        if cached is None or cached[0] is not flat:
            cached = (flat, self.layout.views(flat))
            self._views[id(flat)] = cached
        return cached[1]


def forward_into(
    acts,
    coefs,
    intercepts,
    activation,
    out_activation,
    inputs,
    masks=None,
    preacts=None,
):
    """Fill ``acts[1:]`` with each layer's output, from the input ``acts[0]``.

    The one forward pass of the core: training runs it on the workspace's
    buffers, the layer statistics on buffers that keep every layer's values.

    ``inputs[i]`` is what layer ``i + 1`` reads: ``acts[i]`` itself, or, for a
    hidden layer with a dropout mask (``masks[i]``, None for none),
    ``acts[i] * masks[i]`` written there. ``preacts`` is None, or a list by
    layer whose entry is None or a buffer that keeps that layer's
    pre-activation ``Z``, the layer's output ``f(Z)`` then going to
    ``acts``: training keeps the hidden ones of an activation whose
    derivative needs them, the statistics all. A relu or leaky_relu layer
    whose ``Z`` is not kept adds its bias, rectifies and drops out in one
    pass (:mod:`.fused`).
    """
    last = len(coefs)
    hidden, output = activation_record(activation), activation_record(out_activation)
    # Only the input can be sparse; checking it once saves the others' check.
    sparse_input = sp.issparse(inputs[0])
    for layer in range(1, last + 1):
        record = output if layer == last else hidden
        kept = None if preacts is None else preacts[layer]
        Z = acts[layer] if kept is None else kept
        if sparse_input and layer == 1:
            sparse_aware_dot(inputs[0], coefs[0], out=Z, sparse=True)
        else:  # the hot path: no call layer around the GEMM
            np.dot(inputs[layer - 1], coefs[layer - 1], out=Z)
        mask = None if masks is None or layer == last else masks[layer]
        if kept is None and _bias_activation(
            record, Z, intercepts[layer - 1], mask, inputs[layer]
        ):
            continue
        Z += intercepts[layer - 1]
        record.apply(Z, None if kept is None else acts[layer])
        if mask is not None:
            np.multiply(acts[layer], mask, out=inputs[layer])


def _bias_activation(record, Z, bias, mask=None, dropped=None):
    """``Z = f(Z + bias)`` (and the dropout) in fused kernels, if ``f`` has them.

    Returns whether it did: relu and leaky_relu add the bias, rectify and
    drop out in one pass; softmax runs as :func:`.fused.reference_bias_softmax`.
    Anything else is left to the caller. Called only where ``Z`` is not kept
    apart from ``f(Z)``: kernels() here only, so the statistics' pass never
    imports numba.
    """
    if record.fused_forward:
        kernels().bias_rectify(record.fused_kind, Z, bias, mask, dropped)
        return True
    if record.name == "softmax" and mask is None:
        kernels().bias_softmax(Z, bias)
        return True
    return False


def _data_loss_and_delta(out_activation, Y, P, row_weights, scratch, D):
    """The (row-weighted) mean of the per-sample losses of ``P`` against ``Y``;
    also writes the output delta ``D`` (:func:`.fused.reference_output_delta`).

    ``row_weights`` is None (the plain mean) or sums to 1. The categorical log
    loss ``-sum(Y * log(clip(P)))`` is computed in ``scratch``, without the
    three temporaries of :func:`sample_losses`: it is the loss of every
    multiclass batch. Its clip and the delta are one pass over ``P``
    (:func:`.fused.reference_log_loss_delta`).
    """
    if out_activation == "softmax":
        log_p = kernels().log_loss_delta(P, Y, D, row_weights, scratch)
        if row_weights is None:
            return -stable_dot(Y.ravel(), log_p.ravel()) / P.shape[0]
        return -stable_dot(np.einsum("ij,ij->i", Y, log_p), row_weights)
    kernels().output_delta(P, Y, D, row_weights)
    if out_activation == "logistic":
        per_sample = kernels().binary_log_loss(Y, P, scratch[:, 0])
    else:
        per_sample = sample_losses(out_activation, Y, P)
    if row_weights is None:
        return float(per_sample.mean())
    return stable_dot(per_sample, row_weights)


def _backward_into(grads, coefs, acts, inputs, deltas, rows, activation, dropout):
    """Fill the gradient blocks and ``deltas[1:-1]`` from the output delta.

    ``grads`` is ``(coef_grads, intercept_grads)``; ``rows`` the workspace's
    ``(scratch, ones, preacts)`` for this batch; ``dropout`` the masks or
    None. A layer whose activation record names a ``fused_kind`` (relu,
    leaky_relu, tanh, logistic) applies its dropout mask and derivative in
    one pass (:mod:`.fused`).
    """
    coef_grads, intercept_grads = grads
    scratch, ones, preacts = rows
    record = activation_record(activation)
    fused = None if record.fused_kind is None else kernels()
    derivative = record.derivative
    # Only the first layer's input may be sparse.
    sparse_input = sp.issparse(inputs[0])
    for i in range(len(coefs), 0, -1):
        A_prev = inputs[i - 1]
        if sparse_input and i == 1:
            sparse_aware_dot(A_prev.T, deltas[i], out=coef_grads[0], sparse=True)
        else:  # the hot path: no call layer around the GEMM
            np.dot(A_prev.T, deltas[i], out=coef_grads[i - 1])
        np.dot(ones, deltas[i], out=intercept_grads[i - 1])
        if i == 1:
            break
        np.dot(deltas[i], coefs[i - 1].T, out=deltas[i - 1])
        mask = None if dropout is None else dropout[i - 1]
        if fused is not None:
            fused.backward(
                record.fused_kind, acts[i - 1], deltas[i - 1], mask, scratch[i - 1]
            )
            continue
        if mask is not None:
            deltas[i - 1] *= mask
        preact = None if preacts is None else preacts[i - 1]
        derivative(acts[i - 1], deltas[i - 1], scratch[i - 1], preact)


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
    batch_weights=None,
):
    """Regularized mean loss of one batch and its gradient with respect to ``theta``.

    The loss is the (sample-weighted) mean of the per-sample losses plus
    ``0.5 * alpha * ||W||^2 / weight_sum``, where ``weight_sum`` is the number
    of rows, or the sum of the sample weights; this is scikit-learn's
    definition, so an L2 term scaled with the data. A batch whose weights
    are all zero has loss 0 and gradient 0.

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
    batch_weights : tuple, optional
        ``(weight_sum, row_weights)`` of ``sample_weight`` as
        :func:`.fused.reference_batch_weights` gives them, when the caller
        has them already; None computes them here.

    Returns
    -------
    loss : float
    """
    n_rows = X.shape[0]
    coefs, intercepts = workspace.views(theta)
    acts, deltas, scratch, ones, preacts = workspace.rows(
        n_rows, activation_record(activation).needs_preactivation
    )
    acts = [X, *acts[1:]]
    if dropout is None:
        inputs, masks = acts, None
    else:
        masks, dropped = dropout.rows(n_rows)
        inputs = [a if d is None else d for a, d in zip(acts, dropped)]
    forward_into(
        acts, coefs, intercepts, activation, out_activation, inputs, masks, preacts
    )
    if sample_weight is None:
        weight_sum, row_weights = float(n_rows), None
    else:
        if batch_weights is None:
            # In float64: a float32 sum of large weights overflows to inf.
            batch_weights = reference_batch_weights(sample_weight)[:2]
        weight_sum, row_weights = batch_weights
        if weight_sum == 0:  # no weighted mean: the batch contributes nothing
            grad[:] = 0
            return 0.0
    loss = _data_loss_and_delta(
        out_activation, Y, acts[-1], row_weights, scratch[-1], deltas[-1]
    )
    weights = theta[: layout.n_coef]
    if alpha:
        loss += 0.5 * alpha * stable_dot(weights, weights) / weight_sum
    _backward_into(
        workspace.views(grad),
        coefs,
        acts,
        inputs,
        deltas,
        (scratch, ones, preacts),
        activation,
        masks,
    )
    if alpha:
        # L2 in one pass over the flat weight block.
        kernels().add_scaled(
            grad[: layout.n_coef],
            weights,
            alpha / weight_sum,
            workspace.weight_scratch(layout.n_coef),
        )
    return loss
