"""One epoch of minibatch training over the flat parameter vector.

The numerical core: numpy and scipy only. The engine
(:mod:`mlpinit._core.engine`) owns the epoch loop (stopping rules,
validation, warnings); this module owns the hot inner loop over batches.
"""

import math

import numpy as np
import scipy.sparse as sp

from mlpinit._core.fused import kernels
from mlpinit._core.network import Workspace, loss_and_gradient, stable_dot


class BatchTrainer:
    """Runs epochs of minibatch updates with buffers allocated once.

    Parameters
    ----------
    layout : NetworkLayout
    X : ndarray or CSR matrix of shape (n_samples, n_features)
    Y : ndarray of shape (n_samples, n_outputs)
    sample_weight : ndarray of shape (n_samples,) or None
    batch_size : int
    alpha : float
    activation, out_activation : str
    max_grad_norm : float or None
        When set, the gradient is rescaled so its global L2 norm is at most
        this value before each update.
    dropout : Dropout or None
        Inverted dropout on the hidden layers, new masks for every batch.
    """

    def __init__(
        self,
        layout,
        X,
        Y,
        sample_weight,
        batch_size,
        alpha,
        activation,
        out_activation,
        max_grad_norm=None,
        dropout=None,
    ):
        self.layout = layout
        self.dropout = dropout
        self.X, self.Y, self.sample_weight = X, Y, sample_weight
        self.batch_size = batch_size
        self.alpha = alpha
        self.activation, self.out_activation = activation, out_activation
        self.max_grad_norm = max_grad_norm
        dtype = Y.dtype
        self.workspace = Workspace(layout, batch_size, dtype)
        self.grad = np.empty(layout.size, dtype)
        self._dense = not sp.issparse(X)
        # The gather kernel's arrays: dense native floats (numba rejects a
        # swapped byte order), the rest goes to take.
        self._compiled_gather = self._dense and all(
            a.dtype in (np.float32, np.float64) and a.dtype.isnative for a in (X, Y)
        )
        if self._dense:
            self._X_batch = np.empty((batch_size, X.shape[1]), X.dtype)
        self._Y_batch = np.empty((batch_size, Y.shape[1]), Y.dtype)
        if sample_weight is not None:
            self._sw_batch = np.empty(batch_size, sample_weight.dtype)
            self._row_weights = np.empty(batch_size, np.float64)

    def _gather(self, idx):
        # take into a preallocated buffer is an order of magnitude cheaper
        # per batch than generic fancy indexing.
        m = len(idx)
        if self._compiled_gather:
            X_batch, Y_batch = kernels().gather_rows(
                self.X, self.Y, idx, self._X_batch[:m], self._Y_batch[:m]
            )
        else:
            if self._dense:
                X_batch = self.X.take(idx, axis=0, out=self._X_batch[:m])
            else:
                X_batch = self.X[idx]
            Y_batch = self.Y.take(idx, axis=0, out=self._Y_batch[:m])
        sw = None
        if self.sample_weight is not None:
            sw = self.sample_weight.take(idx, out=self._sw_batch[:m])
        return X_batch, Y_batch, sw

    def run_epoch(self, theta, optimizer, order=None):
        """One pass over the data; returns the mean of the batch losses.

        Parameters
        ----------
        theta : ndarray
            Parameters, updated in place.
        optimizer : SGD or Adam
        order : ndarray of int or None
            Row order for this epoch; None walks the rows in place, in
            contiguous slices that need no copy.

        Returns
        -------
        float
            Sum over batches of ``batch_loss * batch_rows``, divided by the
            number of rows, as scikit-learn reports it.
        """
        n = self.X.shape[0]
        total = 0.0
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            if order is None:
                X_batch, Y_batch = self.X[start:stop], self.Y[start:stop]
                sw = (
                    None
                    if self.sample_weight is None
                    else self.sample_weight[start:stop]
                )
            else:
                X_batch, Y_batch, sw = self._gather(order[start:stop])
            weights = None
            if sw is not None:
                # The sum, the row weights and the check in one kernel.
                weight_sum, row_weights, nonzero = kernels().batch_weights(
                    sw, self._row_weights
                )
                if not nonzero:
                    continue  # zero total weight: no step, the optimizer untouched
                weights = (weight_sum, row_weights)
            if self.dropout is not None:
                self.dropout.draw(stop - start)
            loss = loss_and_gradient(
                self.layout,
                theta,
                self.grad,
                X_batch,
                Y_batch,
                sw,
                self.alpha,
                self.activation,
                self.out_activation,
                self.workspace,
                self.dropout,
                weights,
            )
            total += loss * (stop - start)
            if self.max_grad_norm is not None:
                clip_by_global_norm(self.grad, self.max_grad_norm)
            optimizer.step(theta, self.grad)
        return total / n


class Dropout:
    """Inverted dropout masks for the hidden layers, drawn batch by batch.

    Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks
    from Overfitting" (JMLR, 2014), in its inverted form: during training
    each hidden unit's output is kept with probability ``1 - rate`` and
    divided by it, so that its expectation is unchanged and the full network
    predicts without rescaling.

    Parameters
    ----------
    rates : sequence of float
        Drop probability of each hidden layer, in [0, 1); 0 leaves a layer
        whole and costs nothing.
    layer_units : sequence of int
        Units per layer, input first, output last.
    max_rows : int
        Rows of the largest batch.
    dtype : numpy dtype
    rng : numpy.random.Generator
        The source of the masks.

    Attributes
    ----------
    masks, dropped : list of ndarray or None
        Indexed like the layers (0 is the input): each hidden layer's mask,
        0 or ``1 / (1 - rate)``, and the buffer of its thinned output; None
        for the input, the output and layers that keep every unit.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.training import Dropout
    >>> dropout = Dropout([0.5], [3, 1000, 1], 10, np.float64,
    ...                   np.random.default_rng(0))
    >>> mask = dropout.draw(10).masks[1]
    >>> sorted(set(mask.ravel().tolist()))
    [0.0, 2.0]
    >>> bool(abs(mask.mean() - 1) < 0.05)
    True
    """

    def __init__(self, rates, layer_units, max_rows, dtype, rng):
        self.rates = [float(r) for r in rates]
        hidden = (
            [None]
            + [
                np.empty((max_rows, units), dtype) if rate > 0 else None
                for units, rate in zip(layer_units[1:-1], self.rates)
            ]
            + [None]
        )
        self.masks = hidden
        self.dropped = [None if m is None else np.empty_like(m) for m in hidden]
        self.rng = rng
        self._rows = {}

    def rows(self, n_rows):
        """``(masks, dropped)``, each buffer cut to its leading ``n_rows`` rows.

        Sliced once per batch size rather than once per batch.
        """
        cached = self._rows.get(n_rows)
        if cached is None:
            cached = tuple(
                [None if b is None else b[:n_rows] for b in buffers]
                for buffers in (self.masks, self.dropped)
            )
            self._rows[n_rows] = cached
        return cached

    def draw(self, n_rows):
        """New masks for a batch of ``n_rows`` rows; returns ``self``."""
        for mask, rate in zip(self.masks[1:-1], self.rates):
            if mask is None:
                continue
            mask = mask[:n_rows]
            self.rng.random(out=mask, dtype=mask.dtype)
            np.greater_equal(mask, rate, out=mask)
            mask *= 1.0 / (1.0 - rate)
        return self


def clip_by_global_norm(grad, max_norm):
    """Rescale ``grad`` in place so that its L2 norm is at most ``max_norm``.

    Returns the norm before clipping.
    """
    norm = math.sqrt(stable_dot(grad, grad))
    if norm > max_norm:
        grad *= max_norm / norm
    return norm
