"""Per-layer activation and gradient statistics of an MLP on one batch.

The numerical core: numpy and scipy only. Used by :mod:`mlpinit.diagnostics`
and by the estimators' ``record_layer_stats`` option, which calls
:func:`compute_layer_stats` once per epoch on a fixed probe batch.

The forward pass is the training loop's own
(:func:`mlpinit._core.network.forward_into`), run on buffers that keep every
layer's pre-activations and activations; the backward pass keeps every
layer's backpropagated errors, which the training loop does not, and
computes the same gradient as :func:`mlpinit._core.network.loss_and_gradient`
for an unweighted batch. Which outputs count as saturated or dead is each
activation's record's rule (:class:`~mlpinit._core.activations.ActivationRecord`).
"""

import numpy as np
import scipy.sparse as sp

from mlpinit._core.activations import activation_record
from mlpinit._core.network import canonical_sparse, forward_into, sparse_aware_dot

STAT_NAMES = (
    "preactivation_mean",
    "preactivation_std",
    "activation_mean",
    "activation_std",
    "activation_norm",
    "saturated_fraction",
    "dead_fraction",
    "weight_norm",
    "gradient_norm",
    "gradient_to_weight_ratio",
    "preactivation_gradient_norm",
)
"""Names of the statistics :func:`compute_layer_stats` returns, in order.

- ``preactivation_mean``, ``preactivation_std``: mean and standard deviation
  of ``z = a_prev @ W + b`` over every probe row and unit of the layer.
- ``activation_mean``, ``activation_std``: the same for the layer's output
  ``a = f(z)``.
- ``activation_norm``: mean over probe rows of the Euclidean norm of the
  layer's output vector, ``mean_i ||a_i||``; the article's ``c**L * ||x||``.
- ``saturated_fraction``: fraction of outputs within 1% of a bound (tanh:
  ``|a| > 0.99``; logistic: ``a < 0.005`` or ``a > 0.995``; elu:
  ``a < -0.99``; selu: ``a < -0.99 * scale * alpha``, its lower bound); NaN
  for layers whose activation does not saturate (relu, leaky_relu, gelu,
  silu, identity).
- ``dead_fraction``: fraction of rectifier units (relu, leaky_relu) whose
  output is <= 0 on every probe row; NaN for layers of other activations.
- ``weight_norm``: Frobenius norm of the layer's weight matrix.
- ``gradient_norm``: Frobenius norm of the gradient of the mean probe loss
  (with the L2 penalty) with respect to the layer's weights: the gradient
  the optimizer would see.
- ``gradient_to_weight_ratio``: ``gradient_norm / weight_norm``, the relative
  size of a plain gradient step.
- ``preactivation_gradient_norm``: mean over probe rows of ``||dl_i / dz_i||``,
  the norm of the error backpropagated to the layer's pre-activations for one
  example's loss ``l_i``; vanishing and exploding gradients show here.

The last four need targets; without them they are NaN.
"""

INPUT_STAT_NAMES = ("activation_mean", "activation_std", "activation_norm")
"""Statistics of the input batch itself, by :func:`compute_input_stats`."""

# Rows of the fixed probe batch that record_layer_stats evaluates each epoch:
# 5% of the training rows, between 64 and 256. Enough rows for stable means
# and deviations; few enough that one evaluation (about two training steps'
# work at 256 rows) stays under 10% of an epoch even on small data such as
# digits, where an epoch is only nine steps.
PROBE_ROWS = 256
MIN_PROBE_ROWS = 64


def probe_rows(n_samples):
    """Rows of the fixed probe batch used by ``record_layer_stats``.

    Examples
    --------
    >>> from mlpinit._core.layer_stats import probe_rows
    >>> probe_rows(100), probe_rows(2000), probe_rows(100_000)
    (64, 100, 256)
    """
    return min(PROBE_ROWS, max(MIN_PROBE_ROWS, n_samples // 20))


class LayerStatsRecorder:
    """Per-epoch layer statistics on a fixed probe batch (``record_layer_stats``).

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The training rows; the first :func:`probe_rows` of them are the probe.
    Y : ndarray of shape (n_samples, n_outputs)
        Their encoded targets.
    activation, out_activation : str
        Hidden and output activation names.
    alpha : float
        L2 penalty, included in the recorded gradients.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.layer_stats import LayerStatsRecorder
    >>> rng = np.random.RandomState(0)
    >>> X, Y = rng.normal(size=(100, 3)), rng.normal(size=(100, 1))
    >>> coefs, intercepts = [rng.normal(size=(3, 4)), rng.normal(size=(4, 1))], [
    ...     np.zeros(4), np.zeros(1)]
    >>> recorder = LayerStatsRecorder(X, Y, "relu", "identity", alpha=0.0)
    >>> recorder.record(coefs, intercepts)
    >>> recorder.record(coefs, intercepts)
    >>> recorder.stacked_under(None)["activation_std"].shape  # epochs, layers
    (2, 2)
    """

    def __init__(self, X, Y, activation, out_activation, alpha):
        n_probe = probe_rows(X.shape[0])
        self.X_probe, self.Y_probe = X[:n_probe], Y[:n_probe]
        self.activation, self.out_activation = activation, out_activation
        self.alpha = alpha
        self.rows = []

    def record(self, coefs, intercepts):
        """Append one row: the statistics of the network ``coefs, intercepts``."""
        self.rows.append(
            compute_layer_stats(
                coefs,
                intercepts,
                self.activation,
                self.out_activation,
                self.X_probe,
                self.Y_probe,
                alpha=self.alpha,
            )
        )

    def stacked_under(self, previous, n_rows=None):
        """The recorded epochs as arrays, below ``previous`` (a warm start's record).

        Returns ``previous`` unchanged when nothing was recorded and no
        ``n_rows`` is given; see :func:`stack_records` for ``n_rows``.
        """
        recorded = None
        if self.rows:
            recorded = {
                name: np.array([row[name] for row in self.rows])
                for name in self.rows[0]
            }
        return stack_records(previous, recorded, n_rows)


def stack_records(previous, recorded, n_rows=None):
    """``previous`` rows, then NaN rows for epochs not recorded, then ``recorded``.

    Parameters
    ----------
    previous, recorded : dict of str to ndarray of shape (n, n_layers), or None
        An earlier record (a warm start's) and this fit's.
    n_rows : int, optional
        The epochs the model has trained in all. Those that neither record
        covers (fits with recording off) get NaN rows, between the two
        records, so that row ``i`` stays epoch ``i``. Without it, the two are
        stacked as they are.

    Returns
    -------
    dict of str to ndarray, or None when there is neither record.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.layer_stats import stack_records
    >>> stack_records({"x": np.ones((2, 1))}, None, n_rows=3)["x"].ravel()
    array([ 1.,  1., nan])
    """
    parts = [part for part in (previous, recorded) if part]
    if not parts:
        return previous
    gap = 0 if n_rows is None else n_rows - sum(_n_rows(part) for part in parts)
    if gap > 0:
        template = parts[0]
        nan_rows = {
            name: np.full((gap, *values.shape[1:]), np.nan)
            for name, values in template.items()
        }
        parts.insert(1 if previous else 0, nan_rows)
    if len(parts) == 1:
        return parts[0]
    return {name: np.concatenate([part[name] for part in parts]) for name in parts[0]}


def _n_rows(record):
    return len(next(iter(record.values())))


def forward_backward(
    coefs, intercepts, activation, out_activation, X, Y=None, alpha=0.0
):
    """Forward and backward passes that keep every layer's values.

    Parameters
    ----------
    coefs, intercepts : list of ndarray
        Weights (fan_in, fan_out) and biases (fan_out,) of each layer.
    activation : str
        Hidden activation, a name of
        :data:`~mlpinit._core.activations.HIDDEN_ACTIVATION_TABLE`.
    out_activation : str
        Output activation: ``"identity"``, ``"exp"``, ``"logistic"`` or
        ``"softmax"``. It fixes the canonical loss, whose gradient with
        respect to the output pre-activation is ``prediction - target``.
    X : ndarray or sparse matrix of shape (n_rows, n_features)
        Input batch.
    Y : ndarray of shape (n_rows, n_outputs), optional
        Encoded targets (one-hot or indicator columns for classifiers). Without
        them only the forward pass runs.
    alpha : float, default=0.0
        L2 penalty, included in the weight gradients as in training:
        ``alpha / n_rows * W``.

    Returns
    -------
    preactivations : list of ndarray of shape (n_rows, fan_out)
        ``z = a_prev @ W + b`` for each weight layer.
    activations : list of ndarray of shape (n_rows, fan_out)
        ``a = f(z)`` for each weight layer; the last is the network output.
    deltas : list of ndarray of shape (n_rows, fan_out) or None
        Gradient of the batch-mean loss with respect to each layer's
        pre-activations (row ``i`` is ``(1 / n_rows) * dl_i / dz_i``). None
        without ``Y``.
    coef_grads : list of ndarray of shape (fan_in, fan_out) or None
        Gradient of the regularized batch-mean loss with respect to each
        weight matrix. None without ``Y``.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.layer_stats import forward_backward
    >>> rng = np.random.RandomState(0)
    >>> coefs = [rng.normal(size=(3, 4)), rng.normal(size=(4, 1))]
    >>> intercepts = [np.zeros(4), np.zeros(1)]
    >>> X, Y = rng.normal(size=(5, 3)), rng.normal(size=(5, 1))
    >>> Z, A, D, G = forward_backward(coefs, intercepts, "relu", "identity", X, Y)
    >>> [a.shape for a in A], [g.shape for g in G]
    ([(5, 4), (5, 1)], [(3, 4), (4, 1)])
    >>> bool(np.all(A[0] >= 0)), bool(np.allclose(A[-1], Z[-1]))
    (True, True)
    """
    n_layers = len(coefs)
    preactivations, activations = _kept_buffers(coefs, X)
    acts = [X, *activations]
    forward_into(
        acts,
        coefs,
        intercepts,
        activation,
        out_activation,
        acts,
        preacts=[None, *preactivations],
    )
    if Y is None:
        return preactivations, activations, None, None

    n_rows = X.shape[0]
    P = activations[-1]
    D = P - np.asarray(Y, dtype=P.dtype)
    D *= 1.0 / n_rows
    deltas = [None] * n_layers
    coef_grads = [None] * n_layers
    deltas[-1] = D
    derivative = activation_record(activation).derivative
    for i in range(n_layers - 1, -1, -1):
        A_prev = X if i == 0 else activations[i - 1]
        G = sparse_aware_dot(A_prev.T, deltas[i])
        if alpha:
            G += (alpha / n_rows) * coefs[i]
        coef_grads[i] = G
        if i > 0:
            D = np.dot(deltas[i], coefs[i].T)
            # A copy: gelu's derivative uses up the pre-activation it reads.
            Z_prev = preactivations[i - 1].copy()
            deltas[i - 1] = derivative(A_prev, D, np.empty_like(D), Z_prev)
    return preactivations, activations, deltas, coef_grads


def _kept_buffers(coefs, X):
    """Empty pre-activation and activation arrays for every layer.

    Each layer's dtype is that of its product, ``result_type`` of its input
    and weights, as a fresh ``A @ W`` would have it.
    """
    n_rows, dtype = X.shape[0], X.dtype
    preactivations, activations = [], []
    for W in coefs:
        dtype = np.result_type(dtype, W.dtype)
        shape = (n_rows, W.shape[1])
        preactivations.append(np.empty(shape, dtype))
        activations.append(np.empty(shape, dtype))
    return preactivations, activations


def _mean_row_norm(A):
    # float64 whatever A's dtype: a float32 row's squares overflow at 1.8e19.
    A = np.asarray(A, dtype=np.float64)
    return float(np.sqrt(np.einsum("ij,ij->i", A, A)).mean())


def compute_input_stats(X):
    """Mean, standard deviation and mean row norm of an input batch.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_rows, n_features)
        Input batch.

    Returns
    -------
    dict of str to float
        ``activation_mean``, ``activation_std`` (over every entry) and
        ``activation_norm`` (mean over rows of each row's Euclidean norm):
        the statistics of :data:`STAT_NAMES` that make sense for the input,
        so that layer ``l``'s value can be divided by the input's.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.layer_stats import compute_input_stats
    >>> stats = compute_input_stats(np.array([[3.0, 4.0], [0.0, 0.0]]))
    >>> {name: round(value, 3) for name, value in stats.items()}
    {'activation_mean': 1.75, 'activation_std': 1.785, 'activation_norm': 2.5}
    """
    with np.errstate(over="ignore", invalid="ignore"):
        if sp.issparse(X):
            # csr_matrix may share the caller's arrays: never let the sums
            # below canonicalize them in place.
            X = canonical_sparse(sp.csr_matrix(X, dtype=np.float64))
            size = X.shape[0] * X.shape[1]
            mean = X.sum() / size
            squares = X.multiply(X)
            var = max(squares.sum() / size - mean**2, 0.0)
            norm = float(np.sqrt(np.asarray(squares.sum(axis=1)).ravel()).mean())
            return {
                "activation_mean": float(mean),
                "activation_std": float(np.sqrt(var)),
                "activation_norm": norm,
            }
        X = np.asarray(X, dtype=np.float64)
        return {
            "activation_mean": float(X.mean()),
            "activation_std": float(X.std()),
            "activation_norm": _mean_row_norm(X),
        }


def compute_layer_stats(
    coefs, intercepts, activation, out_activation, X, Y=None, alpha=0.0
):
    """Statistics of each weight layer's outputs, and of its gradient given ``Y``.

    Parameters
    ----------
    coefs, intercepts, activation, out_activation, X, Y, alpha
        The network and the batch, as for :func:`forward_backward`. Without
        ``Y`` the gradient entries are NaN.

    Returns
    -------
    dict of str to ndarray of shape (n_layers - 1,)
        One float64 array per name in :data:`STAT_NAMES` (see there for the
        definitions), one value per weight layer; the last is the output
        layer. ``saturated_fraction`` is NaN for activations that do not
        saturate (relu, leaky_relu, gelu, silu, identity, and the output
        layer unless it is logistic); ``dead_fraction`` is NaN except for
        relu and leaky_relu hidden layers.
        Overflow is not an error: an exploding network gives ``inf``.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.layer_stats import compute_layer_stats
    >>> c, width, depth = 1.5, 4, 10
    >>> coefs = [c * np.eye(width)] * depth
    >>> intercepts = [np.zeros(width)] * depth
    >>> X = np.ones((2, width))
    >>> stats = compute_layer_stats(coefs, intercepts, "identity", "identity", X)
    >>> ratio = stats["activation_norm"] / np.linalg.norm(X[0])
    >>> bool(np.allclose(ratio, c ** np.arange(1, depth + 1)))
    True
    """
    n_layers = len(coefs)
    stats = {name: np.full(n_layers, np.nan) for name in STAT_NAMES}
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        Zs, As, Ds, Gs = forward_backward(
            coefs, intercepts, activation, out_activation, X, Y, alpha
        )
        hidden = activation_record(activation)
        output = activation_record(out_activation)
        for i in range(n_layers):
            record = output if i == n_layers - 1 else hidden
            # Sums of squares overflow float32 long before the values do:
            # accumulate in float64 (the probe batch is small; a no-op for
            # a float64 network).
            Z, A = (M.astype(np.float64, copy=False) for M in (Zs[i], As[i]))
            mean, std = _mean_std(Z.sum(), np.vdot(Z, Z), Z.size)
            stats["preactivation_mean"][i] = mean
            stats["preactivation_std"][i] = std
            # The squared row norms give both the mean row norm and, summed,
            # the second moment for the standard deviation.
            row_squares = np.einsum("ij,ij->i", A, A)
            mean, std = _mean_std(A.sum(), row_squares.sum(), A.size)
            stats["activation_mean"][i] = mean
            stats["activation_std"][i] = std
            stats["activation_norm"][i] = np.sqrt(row_squares).mean()
            if record.saturated is not None:
                stats["saturated_fraction"][i] = (
                    np.count_nonzero(record.saturated(A)) / A.size
                )
            if record.rectifier:
                stats["dead_fraction"][i] = (
                    np.count_nonzero(A.max(axis=0) <= 0) / A.shape[1]
                )
            stats["weight_norm"][i] = np.linalg.norm(_float64(coefs[i]))
        if Ds is not None:
            n_rows = X.shape[0]
            for i in range(n_layers):
                stats["gradient_norm"][i] = np.linalg.norm(_float64(Gs[i]))
                stats["preactivation_gradient_norm"][i] = n_rows * _mean_row_norm(Ds[i])
            stats["gradient_to_weight_ratio"] = (
                stats["gradient_norm"] / stats["weight_norm"]
            )
    return stats


def _float64(M):
    return np.asarray(M, dtype=np.float64)


def _mean_std(total, sum_of_squares, size):
    # One pass for both moments; float64 keeps the cancellation in
    # E[x^2] - E[x]^2 harmless for activations (|mean| is at most a few std).
    mean = float(total) / size
    var = float(sum_of_squares) / size - mean * mean
    if np.isnan(var):
        return mean, np.nan
    return mean, float(np.sqrt(max(var, 0.0)))
