"""Per-layer diagnostics: see the article's claims happen on your own network.

The article says that badly scaled weights make activations and gradients
explode or vanish with depth, and that Xavier (tanh) and He (ReLU)
initialization keep each layer's activation variance constant. These
functions measure exactly that, layer by layer, on a network given as a
fitted :class:`~mlpinit.MLPClassifier` / :class:`~mlpinit.MLPRegressor` (or
a :class:`~sklearn.pipeline.Pipeline` ending in one):

- :func:`layer_statistics`: mean and standard deviation of each layer's
  pre-activations and activations, the fraction of saturated tanh/logistic
  units and of dead ReLUs, and, given targets, each layer's weight-gradient
  norm and its ratio to the weight norm;
- :func:`initialized`: the same network *before* training, with exactly the
  weights ``fit`` would start from, so that an initialization can be judged
  without training anything;
- :func:`layer_activations` and :func:`layer_gradients`: the raw per-layer
  values, for histograms in the style of Glorot & Bengio (2010).

During training, ``record_layer_stats=True`` records the statistics of
:func:`layer_statistics` once per epoch into the estimator's ``layer_stats_``;
:func:`mlpinit.plotting.plot_layer_stats` draws either.
"""

from collections.abc import Mapping

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import Pipeline

from mlpinit._core import layer_stats as _layer_stats
from mlpinit._core.layer_stats import (
    compute_input_stats,
    compute_layer_stats,
    forward_backward,
)
from mlpinit._estimator.base import (
    BaseMLP,
    checked_input,
    checked_input_and_targets,
    draw_initial_weights,
)

__all__ = [
    "INPUT_STAT_NAMES",
    "STAT_NAMES",
    "LayerStatistics",
    "initialized",
    "layer_activations",
    "layer_gradients",
    "layer_statistics",
]

#: Names of the per-layer statistics, in the order :func:`layer_statistics`
#: returns them and ``record_layer_stats`` records them; each is defined in
#: :class:`LayerStatistics`.
STAT_NAMES = _layer_stats.STAT_NAMES

#: Names of the statistics of the input batch, in
#: ``LayerStatistics.input_stats``: the mean and standard deviation of its
#: entries, and the mean Euclidean norm of its rows.
INPUT_STAT_NAMES = _layer_stats.INPUT_STAT_NAMES


class LayerStatistics(Mapping):
    """Per-layer statistics of one network on one batch, by name.

    A read-only mapping from each name in :data:`STAT_NAMES` to a float64
    array with one value per weight layer (hidden layers first, the output
    layer last), plus a description of the layers and of the input. Returned
    by :func:`layer_statistics`; not meant to be built by hand.

    Parameters
    ----------
    stats : dict of str to ndarray of shape (n_layers - 1,)
        The statistics, as :func:`mlpinit._core.layer_stats.compute_layer_stats`
        returns them.
    units : list of int
        Width of each weight layer's output.
    activations : list of str
        Activation of each weight layer.
    input_stats : dict of str to float
        ``activation_mean``, ``activation_std`` and ``activation_norm`` of the
        input batch.
    n_samples : int
        Rows of the batch.

    Attributes
    ----------
    layer_names : list of str
        ``"hidden_1"``, ..., ``"hidden_k"``, ``"output"``.
    units : list of int
        Width of each layer.
    activations : list of str
        Activation of each layer.
    input_stats : dict of str to float
        The input's ``activation_mean``, ``activation_std`` and
        ``activation_norm`` (mean row norm), to compare layer ``l`` with
        layer 0: ``stats["activation_norm"] / stats.input_stats["activation_norm"]``.
    n_samples : int
        Rows the statistics were computed on.

    See Also
    --------
    layer_statistics : Computes this.

    Notes
    -----
    The statistics (see :data:`STAT_NAMES`):

    ===============================  ==================================================
    ``preactivation_mean``           mean of ``z = a_prev @ W + b`` over rows and units
    ``preactivation_std``            its standard deviation
    ``activation_mean``              mean of ``a = f(z)`` over rows and units
    ``activation_std``               its standard deviation
    ``activation_norm``              mean over rows of ``||a_i||``
    ``saturated_fraction``           tanh ``|a| > 0.99``, logistic ``a < 0.005`` or
                                     ``a > 0.995``, elu ``a < -0.99``, selu within 1%
                                     of its bound; NaN for other activations
    ``dead_fraction``                relu and leaky_relu units that are <= 0 on every
                                     row; NaN for other activations
    ``weight_norm``                  ``||W||_F``
    ``gradient_norm``                ``||dL / dW||_F``, ``L`` the mean loss of the
                                     batch with the L2 penalty (needs ``y``)
    ``gradient_to_weight_ratio``     ``gradient_norm / weight_norm`` (needs ``y``)
    ``preactivation_gradient_norm``  mean over rows of ``||dl_i / dz_i||``, the
                                     backpropagated error (needs ``y``)
    ===============================  ==================================================

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit import MLPRegressor
    >>> from mlpinit.diagnostics import initialized, layer_statistics
    >>> X = np.random.RandomState(0).normal(size=(200, 8))
    >>> y = X.sum(axis=1)
    >>> model = MLPRegressor(hidden_layer_sizes=(16, 16), random_state=0)
    >>> stats = layer_statistics(initialized(model, X, y), X, y)
    >>> stats.layer_names, stats.units
    (['hidden_1', 'hidden_2', 'output'], [16, 16, 1])
    >>> stats["activation_std"].shape
    (3,)
    >>> sorted(stats.input_stats)
    ['activation_mean', 'activation_norm', 'activation_std']
    """

    def __init__(self, stats, units, activations, input_stats, n_samples):
        self._stats = {
            name: np.asarray(stats[name], dtype=np.float64) for name in STAT_NAMES
        }
        self.units = list(units)
        self.activations = list(activations)
        self.input_stats = dict(input_stats)
        self.n_samples = int(n_samples)
        n_hidden = len(self.units) - 1
        self.layer_names = [f"hidden_{i + 1}" for i in range(n_hidden)] + ["output"]

    def __getitem__(self, name):
        return self._stats[name]

    def __iter__(self):
        return iter(self._stats)

    def __len__(self):
        return len(self._stats)

    def __repr__(self):
        return (
            f"LayerStatistics(n_layers={len(self.units)}, n_samples={self.n_samples}, "
            f"statistics={list(self._stats)})"
        )

    def to_frame(self):
        """The statistics as a pandas DataFrame, one row per weight layer.

        Returns
        -------
        pandas.DataFrame
            Indexed by layer number (``layer``, 1 for the first hidden layer,
            ``n_layers - 1`` for the output layer), with columns ``name``,
            ``units``, ``activation`` and one column per statistic.

        Raises
        ------
        ImportError
            If pandas is not installed.

        Examples
        --------
        >>> import numpy as np
        >>> from mlpinit import MLPClassifier
        >>> from mlpinit.diagnostics import initialized, layer_statistics
        >>> rng = np.random.RandomState(0)
        >>> X, y = rng.normal(size=(100, 5)), rng.randint(2, size=100)
        >>> model = initialized(MLPClassifier((10, 10), random_state=0), X, y)
        >>> frame = layer_statistics(model, X, y).to_frame()
        >>> frame[["name", "units", "activation"]]  # doctest: +NORMALIZE_WHITESPACE
                   name  units activation
        layer
        1      hidden_1     10       relu
        2      hidden_2     10       relu
        3        output      1   logistic
        """
        try:
            import pandas as pd
        except ImportError as exc:  # pragma: no cover - pandas is a test dependency
            raise ImportError(
                "LayerStatistics.to_frame needs pandas (pip install pandas); "
                "the statistics themselves are available as a mapping of arrays."
            ) from exc
        frame = pd.DataFrame(
            {
                "name": self.layer_names,
                "units": self.units,
                "activation": self.activations,
                **self._stats,
            },
            index=pd.RangeIndex(1, len(self.units) + 1, name="layer"),
        )
        return frame


def _split_pipeline(estimator):
    """The last step of a Pipeline and the steps before it (None if none);
    any other estimator is its own last step. Also :mod:`mlpinit.plotting`'s."""
    if isinstance(estimator, Pipeline):
        final = estimator.steps[-1][1]
        return final, estimator[:-1] if len(estimator.steps) > 1 else None
    return estimator, None


def _final_step(estimator):
    """The MLP at the end of ``estimator`` and the pipeline steps before it."""
    final, head = _split_pipeline(estimator)
    if not isinstance(final, BaseMLP):
        raise TypeError(
            "Expected an mlpinit MLPClassifier or MLPRegressor, or a Pipeline "
            f"ending in one; got {type(final).__name__}."
        )
    return final, head


def _fitted_network(estimator, X, y):
    """The MLP, X as it sees it, and encoded targets (or None)."""
    mlp, head = _final_step(estimator)
    if not hasattr(mlp, "coefs_"):
        raise NotFittedError(
            f"This {type(mlp).__name__} has no weights yet. Fit it, or pass "
            "mlpinit.diagnostics.initialized(estimator, X, y) to measure the "
            "network as initialized, before any training."
        )
    if head is not None:
        X = head.transform(X)
    if y is None:
        X, Y = checked_input(mlp, X), None
    else:
        # X must match the fitted features and y the fitted classes.
        X, Y = checked_input_and_targets(mlp, X, y)
    if sp.issparse(X):
        X = X.tocsr()
    return mlp, X, Y


def _layer_activation_names(mlp):
    n_weight_layers = len(mlp.coefs_)
    return [mlp.activation] * (n_weight_layers - 1) + [mlp.out_activation_]


def initialized(estimator, X, y):
    """A copy of ``estimator`` holding the weights ``fit(X, y)`` would start from.

    Use it to measure a network before any training:
    ``layer_statistics(initialized(model, X, y), X, y)``.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        An mlpinit MLP, or a :class:`~sklearn.pipeline.Pipeline` whose last
        step is one. Fitted or not; it is not modified.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data. Fixes the input width (and, in a pipeline, is used to
        fit the steps before the MLP).
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets. Fix the output width and activation (the classes for a
        classifier).

    Returns
    -------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        A clone of ``estimator``. The steps before the MLP are fitted on
        ``X``; the MLP has its fitted attributes (``coefs_``,
        ``intercepts_``, ``classes_``, ``n_layers_``, ``out_activation_``,
        ...) set as after zero epochs: ``n_iter_`` is 0 and ``loss_curve_``
        is empty. ``predict`` works and gives the untrained network's output.

    See Also
    --------
    layer_statistics : Measure the returned network.

    Notes
    -----
    The weights are drawn by the estimator's own initialization, from
    ``check_random_state(random_state)``, exactly as ``fit`` draws them. So,
    when ``random_state`` is an int (or a ``RandomState``, which the clone
    copies), ``fit(X, y)`` starts from these very weights, and
    ``set_params(warm_start=True).fit(X, y)`` on the returned copy trains
    from them. With ``random_state=None`` every call draws afresh.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from mlpinit import MLPClassifier
    >>> from mlpinit.diagnostics import initialized, layer_statistics
    >>> X, y = load_digits(return_X_y=True)
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     MLPClassifier(hidden_layer_sizes=(256,) * 4, activation="relu",
    ...                   init="he", random_state=0),
    ... )
    >>> start = initialized(model, X, y)
    >>> start[-1].n_iter_, [W.shape for W in start[-1].coefs_][:2]
    (0, [(64, 256), (256, 256)])
    >>> stats = layer_statistics(start, X, y)
    >>> std = stats["preactivation_std"][:4]  # He keeps it level
    >>> bool(std.max() / std.min() < 1.1)
    True
    """
    estimator = clone(estimator)
    mlp, head = _final_step(estimator)
    if head is not None:
        X = head.fit_transform(X, y)
    draw_initial_weights(mlp, X, y)  # fit's own first pass
    return estimator


def layer_statistics(estimator, X, y=None):
    """Activation and gradient statistics of every layer of an MLP on a batch.

    Works on a fitted estimator, or, through :func:`initialized`, on the
    network as initialized, before training:
    ``layer_statistics(initialized(model, X, y), X, y)``.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        A fitted mlpinit MLP, or a fitted Pipeline ending in one (the steps
        before it transform ``X`` first).
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        The batch to measure on. Every row is used; a few hundred rows give
        stable statistics.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Targets (class labels for a classifier). Needed for the gradient
        statistics, which are NaN without them.

    Returns
    -------
    stats : LayerStatistics
        A mapping from each name in :data:`STAT_NAMES` to an array of shape
        ``(n_layers - 1,)``, one value per weight layer, the output layer
        last, with ``layer_names``, ``units``, ``activations`` and
        ``input_stats`` (the input's mean, std and mean row norm) attributes
        and a ``to_frame()`` method (pandas). See :class:`LayerStatistics`
        for the definition of each statistic.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the MLP has no weights; use :func:`initialized`.

    See Also
    --------
    initialized : The network before training.
    mlpinit.plotting.plot_layer_stats : Plot the result.

    Notes
    -----
    The gradient is that of the mean loss over ``X`` with the estimator's L2
    penalty ``alpha``, exactly the gradient a full-batch step on ``X`` would
    take. The same statistics are what ``record_layer_stats=True`` records
    once per epoch into ``layer_stats_``, on a fixed probe batch: the first
    5% of the training rows, at least 64 and at most 256.

    Examples
    --------
    The article's scaled identity ``W = c * I``: with no activation the output
    of layer ``l`` is ``c**l * x``.

    >>> import numpy as np
    >>> from mlpinit import MLPRegressor
    >>> from mlpinit.diagnostics import initialized, layer_statistics
    >>> def scaled_identity(fan_in, fan_out, random_state, dtype):
    ...     return 1.5 * np.eye(fan_in, fan_out, dtype=dtype)
    >>> X = np.random.RandomState(0).normal(size=(100, 4))
    >>> y = X[:, 0]
    >>> deep = MLPRegressor(hidden_layer_sizes=(4,) * 9, activation="identity",
    ...                     init=scaled_identity)
    >>> stats = layer_statistics(initialized(deep, X, y), X, y)
    >>> growth = stats["activation_norm"][:-1] / stats.input_stats["activation_norm"]
    >>> np.round(growth, 1)
    array([ 1.5,  2.2,  3.4,  5.1,  7.6, 11.4, 17.1, 25.6, 38.4])
    >>> bool(np.allclose(growth, 1.5 ** np.arange(1, 10)))
    True

    On a fitted model, with a DataFrame view:

    >>> from mlpinit import MLPClassifier
    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> clf = MLPClassifier(hidden_layer_sizes=(8,), activation="tanh",
    ...                     solver="lbfgs", max_iter=300, random_state=0).fit(X, y)
    >>> frame = layer_statistics(clf, X, y).to_frame()
    >>> list(frame.index), list(frame["activation"])
    ([1, 2], ['tanh', 'softmax'])
    """
    mlp, X, Y = _fitted_network(estimator, X, y)
    stats = compute_layer_stats(
        mlp.coefs_,
        mlp.intercepts_,
        mlp.activation,
        mlp.out_activation_,
        X,
        Y,
        alpha=mlp.alpha,
    )
    return LayerStatistics(
        stats,
        units=[W.shape[1] for W in mlp.coefs_],
        activations=_layer_activation_names(mlp),
        input_stats=compute_input_stats(X),
        n_samples=X.shape[0],
    )


def layer_activations(estimator, X, *, preactivation=False):
    """The output of every layer of an MLP, for histograms and custom statistics.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        A fitted mlpinit MLP, a fitted Pipeline ending in one, or either from
        :func:`initialized`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Input rows.
    preactivation : bool, default=False
        Return ``z = a_prev @ W + b`` instead of ``a = f(z)``.

    Returns
    -------
    activations : list of ndarray of shape (n_samples, units)
        One array per weight layer, hidden layers first; the last is the
        network's output (class probabilities for a classifier).

    See Also
    --------
    layer_statistics : Summary statistics of the same values.
    layer_gradients : The backpropagated errors.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit import MLPRegressor
    >>> from mlpinit.diagnostics import initialized, layer_activations
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(50, 3))
    >>> net = MLPRegressor(hidden_layer_sizes=(8, 4), activation="tanh")
    >>> model = initialized(net, X, X[:, 0])
    >>> [a.shape for a in layer_activations(model, X)]
    [(50, 8), (50, 4), (50, 1)]
    >>> bool(np.all(np.abs(layer_activations(model, X)[0]) < 1))
    True
    """
    mlp, X, _ = _fitted_network(estimator, X, None)
    Zs, As, _, _ = forward_backward(
        mlp.coefs_, mlp.intercepts_, mlp.activation, mlp.out_activation_, X
    )
    return Zs if preactivation else As


def layer_gradients(estimator, X, y):
    """The error backpropagated to every layer: ``dl_i / dz`` for each row ``i``.

    Glorot & Bengio (2010) plot histograms of these ("back-propagated
    gradients") per layer: a well-initialized network keeps their spread
    similar from layer to layer.

    Parameters
    ----------
    estimator : MLPClassifier, MLPRegressor or Pipeline
        As for :func:`layer_activations`.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Input rows.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Targets.

    Returns
    -------
    gradients : list of ndarray of shape (n_samples, units)
        One array per weight layer, hidden layers first: row ``i`` is the
        gradient of row ``i``'s own loss ``l_i`` with respect to the layer's
        pre-activations ``z_i``. (The gradient of the batch's mean loss is
        this divided by ``n_samples``.)

    See Also
    --------
    layer_activations : The forward values.
    layer_statistics : Its ``preactivation_gradient_norm`` is the mean row norm
        of these arrays.

    Notes
    -----
    The output layer's error is ``prediction - target``, the gradient of the
    canonical loss of its activation, exactly as in training. For a
    regressor that loss is half the squared error summed over the outputs,
    so the error is its exact derivative for any number of outputs.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit import MLPRegressor
    >>> from mlpinit.diagnostics import initialized, layer_gradients
    >>> X = np.random.RandomState(0).normal(size=(50, 3))
    >>> y = X[:, 0]  # a target the untrained network misses
    >>> net = MLPRegressor(hidden_layer_sizes=(8, 4), random_state=0)
    >>> model = initialized(net, X, y)
    >>> grads = layer_gradients(model, X, y)
    >>> [g.shape for g in grads]
    [(50, 8), (50, 4), (50, 1)]
    >>> bool(np.allclose(grads[-1][:, 0], model.predict(X) - y))
    True
    """
    mlp, X, Y = _fitted_network(estimator, X, y)
    _, _, deltas, _ = forward_backward(
        mlp.coefs_, mlp.intercepts_, mlp.activation, mlp.out_activation_, X, Y
    )
    n_rows = X.shape[0]
    return [n_rows * D for D in deltas]
