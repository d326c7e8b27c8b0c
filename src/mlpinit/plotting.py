"""Plots of layer statistics and loss curves. Needs matplotlib (``mlpinit[plot]``).

matplotlib is imported inside each function, so importing this module costs
nothing and works without it; calling a function without matplotlib raises an
ImportError that names the extra to install. Nothing else in mlpinit imports
this module.
"""

import numbers
from collections.abc import Mapping

import numpy as np

from mlpinit.diagnostics import _split_pipeline

__all__ = ["plot_layer_stats", "plot_loss_curves"]

_INSTALL_HINT = (
    "mlpinit's plotting helpers need matplotlib. Install it with: "
    "pip install mlpinit[plot]"
)

# Statistics that span orders of magnitude when a network explodes or
# vanishes; plot_layer_stats puts them on a log scale by default.
_LOG_SCALE_HINTS = ("norm", "ratio")


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(_INSTALL_HINT) from exc
    return plt


def _axes(ax):
    return _pyplot().subplots()[1] if ax is None else ax


def _stats_mapping(stats):
    """A mapping of statistic arrays from whatever the caller passed."""
    if isinstance(stats, Mapping):
        return stats
    recorded = getattr(_split_pipeline(stats)[0], "layer_stats_", None)
    if recorded is None:
        raise TypeError(
            "Expected the result of mlpinit.diagnostics.layer_statistics, a "
            "mapping of statistic arrays, or an estimator fitted with "
            f"record_layer_stats=True; got {type(stats).__name__}."
        )
    return recorded


def _use_log_scale(name, values, logy):
    if logy is not None:
        return logy
    finite = values[np.isfinite(values)]
    return (
        any(hint in name for hint in _LOG_SCALE_HINTS)
        and finite.size
        and (finite > 0).all()
    )


def plot_layer_stats(
    stats,
    name="activation_std",
    *,
    ax=None,
    label=None,
    logy=None,
    cmap="viridis",
    **kwargs,
):
    """Plot one layer statistic across layers, or across epochs for every layer.

    Parameters
    ----------
    stats : LayerStatistics, mapping, or fitted estimator
        Either one measurement, with one value per layer:

        - the result of :func:`mlpinit.diagnostics.layer_statistics`, or any
          mapping of statistic name to an array of shape ``(n_layers - 1,)``;
          plotted as one line against the layer number (1 = first hidden
          layer, the last is the output layer);

        or a training record, with one row per epoch:

        - an estimator (or a Pipeline ending in one) fitted with
          ``record_layer_stats=True``, or its ``layer_stats_``, arrays of
          shape ``(n_epochs, n_layers - 1)``; plotted as one line per layer
          against the epoch, coloured from the first layer to the last.
    name : str, default="activation_std"
        The statistic to plot; one of :data:`mlpinit.diagnostics.STAT_NAMES`.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; a new figure is made if None. Pass the same axes to
        several calls to compare networks.
    label : str, default=None
        Legend label of the line (one measurement only).
    logy : bool, default=None
        Log scale for the y axis. By default, on for norms and ratios
        (``"norm"`` or ``"ratio"`` in ``name``) when every value is positive.
    cmap : str, default="viridis"
        Colormap of the per-layer lines of a training record.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot`.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes drawn on.

    Raises
    ------
    ImportError
        If matplotlib is not installed (``pip install mlpinit[plot]``).
    KeyError
        If ``name`` is not a recorded statistic.

    See Also
    --------
    mlpinit.diagnostics.layer_statistics : One measurement.
    plot_loss_curves : The training loss per epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit import MLPRegressor
    >>> from mlpinit.diagnostics import initialized, layer_statistics
    >>> from mlpinit.plotting import plot_layer_stats
    >>> X = np.random.RandomState(0).normal(size=(200, 32))
    >>> y = X[:, 0]
    >>> ax = None
    >>> for init in ["he", "xavier"]:  # doctest: +SKIP
    ...     model = MLPRegressor(hidden_layer_sizes=(32,) * 10, init=init)
    ...     stats = layer_statistics(initialized(model, X, y), X, y)
    ...     ax = plot_layer_stats(stats, "activation_std", ax=ax, label=init)
    >>> ax.legend()  # doctest: +SKIP
    """
    data = _stats_mapping(stats)
    if name not in data:
        raise KeyError(f"No statistic named {name!r}; available: {sorted(data)}.")
    values = np.asarray(data[name], dtype=float)
    ax = _axes(ax)
    if values.ndim == 1:
        layers = np.arange(1, values.size + 1)
        ax.plot(layers, values, marker="o", markersize=3, label=label, **kwargs)
        ax.set_xlabel("layer")
    elif values.ndim == 2:
        _plot_epochs_per_layer(ax, values, cmap, **kwargs)
    else:
        raise ValueError(
            f"Statistic {name!r} has shape {values.shape}; expected one value per "
            "layer, or one row per epoch."
        )
    ax.set_ylabel(name.replace("_", " "))
    if _use_log_scale(name, values, logy):
        ax.set_yscale("log")
    return ax


def _plot_epochs_per_layer(ax, values, cmap, **kwargs):
    """One line per layer over epochs: a training record's statistic."""
    plt = _pyplot()
    n_epochs, n_layers = values.shape
    epochs = np.arange(1, n_epochs + 1)
    colors = plt.get_cmap(cmap)(np.linspace(0, 1, max(n_layers, 2)))
    for j in range(n_layers):
        layer_label = "output" if j == n_layers - 1 else f"layer {j + 1}"
        ax.plot(epochs, values[:, j], color=colors[j], label=layer_label, **kwargs)
    if n_layers <= 10:
        ax.legend(fontsize="small")
    else:
        mappable = plt.cm.ScalarMappable(
            cmap=cmap, norm=plt.Normalize(vmin=1, vmax=n_layers)
        )
        ax.figure.colorbar(mappable, ax=ax, label="layer")
    ax.set_xlabel("epoch")


def _is_estimator(item):
    return hasattr(item, "fit")


def _is_curve(item):
    """A non-empty flat sequence of numbers (a list of floats, a 1-D array)."""
    if _is_estimator(item) or isinstance(item, (str, Mapping)):
        return False
    try:
        return len(item) > 0 and all(isinstance(x, numbers.Real) for x in item)
    except TypeError:
        return False


def _loss_curve(item):
    if _is_estimator(item):
        curve = getattr(_split_pipeline(item)[0], "loss_curve_", None)
    elif _is_curve(item):
        curve = item
    else:
        curve = None
    if curve is None:
        raise TypeError(
            "Expected a loss curve (a sequence of floats) or an estimator fitted "
            "with solver='sgd' or 'adam' (it has loss_curve_); got "
            f"{type(item).__name__}."
        )
    return np.asarray(curve, dtype=float)


def plot_loss_curves(curves, *, ax=None, logy=True, **kwargs):
    """Plot training loss against epoch for one or several models.

    Parameters
    ----------
    curves : estimator, sequence, or mapping
        What to plot:

        - a fitted estimator (or Pipeline ending in one) with a
          ``loss_curve_`` (solver ``"sgd"`` or ``"adam"``);
        - a sequence of losses, one per epoch;
        - a list of either, labelled by position;
        - a dict from label to either, labelled by key.
    ax : matplotlib.axes.Axes, default=None
        Axes to draw on; a new figure is made if None.
    logy : bool, default=True
        Log scale for the loss.
    **kwargs
        Passed to :meth:`matplotlib.axes.Axes.plot` for every line.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The axes with one line per curve.

    Raises
    ------
    ImportError
        Without matplotlib, as :func:`plot_layer_stats`.
    TypeError
        If an item is neither a loss curve nor an estimator with
        ``loss_curve_``.

    See Also
    --------
    plot_layer_stats : Per-layer statistics.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from mlpinit import MLPClassifier
    >>> from mlpinit.plotting import plot_loss_curves
    >>> X, y = load_digits(return_X_y=True)
    >>> models = {
    ...     init: MLPClassifier(init=init, max_iter=20, random_state=0).fit(X / 16, y)
    ...     for init in ["he", "xavier"]
    ... }  # doctest: +SKIP
    >>> ax = plot_loss_curves(models)  # doctest: +SKIP
    """
    if isinstance(curves, Mapping):
        items = list(curves.items())
    elif _is_estimator(curves) or _is_curve(curves):
        items = [(None, curves)]
    else:
        items = [(f"model {i}", c) for i, c in enumerate(curves)]
    ax = _axes(ax)
    for label, item in items:
        curve = _loss_curve(item)
        ax.plot(np.arange(1, curve.size + 1), curve, label=label, **kwargs)
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    if logy:
        ax.set_yscale("log")
    if any(label is not None for label, _ in items):
        ax.legend()
    return ax
