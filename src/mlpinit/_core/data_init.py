"""Data-dependent bias initialization: each hidden unit's kink among the data.

A hidden unit computes ``f(w . h + b)``: its hyperplane ``w . h + b = 0`` is
where a ReLU-like ``f`` bends. With zero biases every first-layer hyperplane
passes through the origin, which on centred data lies in the middle of the
rows but on one-hot or skewed features may leave many units dead or linear
on the whole training set. Holzmüller et al. ("Better by Default", 2024,
RealMLP's ``bias_init_mode="he+5"``, after Steinwart, "A Sober Look at
Neural Network Initializations", 2019) place each hyperplane through a
random point *of the data* instead:

    b_j = -w_j . p_j,   p_j = sum_k lambda_jk h(x_{r_jk}),

``r_j1 .. r_jK`` random training rows (K = 5), ``lambda_j`` uniform on the
simplex (independent Exponential(1) draws, normalized), ``h`` the layer's
input. So each unit's preactivation is 0 at a convex combination of K
training points, as the layer sees them, and takes both signs on the
training data unless every point lies on its hyperplane.

The layers are set first to last, each on the rows passed through the layers
before it with their new biases. The weights are not changed, nor the output
layer's bias (the output has no kink to place).

Numerical core: numpy and scipy only.
"""

import numpy as np
import scipy.sparse as sp

from mlpinit._core.activations import ACTIVATIONS

__all__ = ["DATA_BIAS_POINTS", "data_biases", "draw_rows"]

#: Training points whose convex combination each hyperplane passes through
#: (RealMLP's "he+5").
DATA_BIAS_POINTS = 5


def draw_rows(sample_weight, n_rows, size, random_state):
    """``size`` row indices drawn with replacement, by ``sample_weight``.

    Row ``i`` is drawn with probability ``w_i / sum(w)``, so a row of weight
    0 is never drawn and an integer weight acts as that many copies of the
    row. The draw is one ``random_sample`` call, inverted through the
    cumulative weights: rows of weight 1 (or no weights) and a subset of
    positive-weight rows draw alike, whatever the zero-weight rows between
    them.

    Parameters
    ----------
    sample_weight : ndarray of shape (n_rows,) or None
        Non-negative weights with a positive sum; None weighs every row 1.
    n_rows : int
    size : int or tuple of int
    random_state : numpy.random.RandomState

    Returns
    -------
    ndarray of int, of shape ``size``

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.data_init import draw_rows
    >>> rows = draw_rows(np.array([0.0, 1.0, 0.0, 3.0]), 4, 1000,
    ...                  np.random.RandomState(0))
    >>> sorted(set(rows.tolist()))
    [1, 3]
    """
    if sample_weight is None:
        cumulative = np.arange(1, n_rows + 1, dtype=np.float64)
    else:
        cumulative = np.cumsum(np.asarray(sample_weight, dtype=np.float64))
    total = cumulative[-1]
    targets = random_state.random_sample(size) * total
    rows = np.searchsorted(cumulative, targets, side="right")
    # u * total can round up to total: that is the last row of positive weight.
    last = int(np.searchsorted(cumulative, total, side="left"))
    return np.minimum(rows, last)


def _layer_inputs(coefs, intercepts, activation, X, layer):
    """The input of hidden layer ``layer`` for the rows ``X`` (dense)."""
    H = X
    function = ACTIVATIONS[activation]
    for W, b in zip(coefs[:layer], intercepts[:layer]):
        Z = np.asarray(H @ W)
        Z += b
        H = function(Z)
    return H.toarray() if sp.issparse(H) else np.asarray(H)


def data_biases(
    coefs,
    intercepts,
    activation,
    X,
    random_state,
    *,
    sample_weight=None,
    n_points=DATA_BIAS_POINTS,
):
    """Hidden biases that put each unit's hyperplane through the data.

    Parameters
    ----------
    coefs : list of ndarray
        The weights, (fan_in, fan_out) per layer. Not modified.
    intercepts : list of ndarray
        The biases; the hidden ones are replaced, the output one is kept.
        Not modified.
    activation : str
        The hidden activation.
    X : {ndarray, sparse matrix} of shape (n_samples, n_features)
        The training rows.
    random_state : numpy.random.RandomState
        Draws, for each hidden layer in turn, the rows (``n_units *
        n_points`` of them, :func:`draw_rows`) and then the simplex weights
        (``standard_exponential``).
    sample_weight : ndarray of shape (n_samples,) or None, default=None
        Rows are drawn in proportion to it: rows of weight 0 are never used.
    n_points : int, default=DATA_BIAS_POINTS
        Training points per hyperplane; 1 puts it through a training point.

    Returns
    -------
    intercepts : list of ndarray
        New biases, in the dtypes of the given ones.
    record : dict
        ``"rows"``: per hidden layer, the (n_units, n_points) rows drawn;
        ``"mix"``: the matching convex weights, rows summing to 1.

    Examples
    --------
    With one point per unit, every hyperplane passes through a training row:

    >>> import numpy as np
    >>> from mlpinit._core.data_init import data_biases
    >>> rng = np.random.RandomState(0)
    >>> X, W = rng.normal(size=(50, 3)), rng.normal(size=(3, 4))
    >>> biases, _ = data_biases([W, np.ones((4, 1))], [np.zeros(4), np.zeros(1)],
    ...                         "relu", X, rng, n_points=1)
    >>> bool(np.all(np.abs(X @ W + biases[0]).min(axis=0) < 1e-12))
    True
    """
    if sp.issparse(X):
        X = X.tocsr()
    n_samples = X.shape[0]
    new = [np.array(b, copy=True) for b in intercepts]
    record = {"rows": [], "mix": []}
    for layer, W in enumerate(coefs[:-1]):
        units = W.shape[1]
        rows = draw_rows(sample_weight, n_samples, (units, n_points), random_state)
        mix = random_state.standard_exponential((units, n_points))
        mix /= mix.sum(axis=1, keepdims=True)
        H = _layer_inputs(coefs, new, activation, X[rows.ravel()], layer)
        # Z[i, j] = the preactivation of unit j at drawn row i; unit j needs
        # only its own rows, j * n_points to (j + 1) * n_points.
        Z = H @ W
        own = Z[np.arange(units * n_points), np.repeat(np.arange(units), n_points)]
        bias = -(mix * own.reshape(units, n_points)).sum(axis=1)
        new[layer] = bias.astype(intercepts[layer].dtype)
        record["rows"].append(rows)
        record["mix"].append(mix)
    return new, record
