"""Attribute and notes text shared by the MLP docstrings, and the generated
lists (activations, init presets) that the parameters' text in
:mod:`mlpinit._estimator.parameters` shows.

The lists of activation and init names are built from their one table each
(:data:`mlpinit._core.activations.HIDDEN_ACTIVATION_TABLE` and
:data:`mlpinit.initializers.INIT_NAMES`), so that a new entry there appears
here without an edit.
"""

from mlpinit._core.activations import HIDDEN_ACTIVATION_TABLE, HIDDEN_ACTIVATIONS
from mlpinit.initializers import INITIALIZERS, resolve_init


def choices(names):
    """``{"a", "b"}``, the numpydoc spelling of a parameter's allowed strings."""
    return "{" + ", ".join(f'"{name}"' for name in names) + "}"


def _summary(function):
    return function.__doc__.strip().splitlines()[0]


_ACTIVATION_LINES = "\n".join(
    f'    - ``"{name}"``: ``f(x) = {entry.formula}``'
    for name, entry in HIDDEN_ACTIVATION_TABLE.items()
)


def _auto_rule_lines():
    """One line per preset ``"auto"`` gives deep networks' hidden layers."""
    by_preset = {}
    for name in HIDDEN_ACTIVATIONS:
        by_preset.setdefault(resolve_init("auto", name), []).append(name)
    return "\n".join(
        f'      - ``"{preset}"`` for {", ".join(names)};'
        for preset, names in by_preset.items()
    )


_AUTO_RULE_LINES = _auto_rule_lines()
_PRESET_LINES = "\n".join(
    f'    - ``"{name}"``: {_summary(function)}'
    for name, function in INITIALIZERS.items()
)

SHARED_ATTRIBUTES = """\
loss_ : float
    Loss at the end of training (the last epoch's mean batch loss for the
    stochastic solvers).

best_loss_ : float or None
    Lowest training loss seen (stochastic solvers without early stopping).

loss_curve_ : list of float
    Loss at the end of each epoch (stochastic solvers).

validation_scores_ : list of float or None
    Validation score per epoch, with ``early_stopping=True``.

validation_loss_curve_ : list of float or None
    With ``early_stopping=True``, the loss on the held-out rows after each
    epoch: the (sample-weighted) mean of the same per-sample loss as
    ``loss_curve_``, without the L2 term, so that it compares across
    ``alpha``. None otherwise.

best_validation_score_ : float or None
    Best validation score, with ``early_stopping=True``.

t_ : int
    Training samples seen by the solver, over all fits.

coefs_ : list of ndarray of shape (n_layers - 1,)
    Weight matrices; element i has shape (units in layer i, units in layer
    i + 1).

intercepts_ : list of ndarray of shape (n_layers - 1,)
    Bias vectors; element i has shape (units in layer i + 1,).

n_features_in_ : int
    Number of features seen during fit.

feature_names_in_ : ndarray of shape (n_features_in_,)
    Feature names seen during fit, when X has string column names.

n_iter_ : int
    Epochs (or L-BFGS iterations) run by the last fit.

n_layers_ : int
    Number of layers, input and output included.

n_outputs_ : int
    Number of outputs.

out_activation_ : str
    Output activation.

lsuv_record_ : dict
    Only with ``init="lsuv"``: what the rescaling did and cost, as returned
    by :func:`mlpinit.initializers.lsuv` (``"n_iter"``, ``"variance"``,
    ``"converged"`` per layer, ``"n_forward"`` layer products with the
    batch, ``"seconds"``), plus ``"n_rows"``, the batch's rows.

layer_stats_ : dict of str to ndarray of shape (n_epochs, n_layers - 1)
    Only with ``record_layer_stats=True``: each statistic of
    :func:`mlpinit.diagnostics.layer_statistics`, one row per epoch, one
    column per weight layer. With ``sgd`` and ``adam``, epochs of warm-started
    fits or ``partial_fit`` calls made with ``record_layer_stats=False`` are
    rows of NaN, so that row ``i`` is always epoch ``i`` of ``loss_curve_``.
"""

INPUT_SCALE_NOTES = """\
Feature scales: an MLP trains well on inputs of order one. ``fit`` and
``partial_fit`` warn (a ``UserWarning`` that starts "The features of X are
badly scaled") when the features' magnitudes, the largest ``|x|`` of each
non-zero column, exceed ``1e6`` or lie more than a factor ``1e6`` apart, for
example features spanning ``1e-8`` to ``1e8``; put
:class:`~mlpinit.MeanNormStandardizer` (or ``StandardScaler``) in front of
the model: their outputs stay within these bounds below ``10**12`` rows. A
fit whose loss or weights become infinite or NaN raises a ValueError that
begins with scikit-learn's "Solver produced non-finite parameter weights"
and gives the same advice; with ``early_stopping=True`` it ends instead on
the best validated weights, as scikit-learn's does, with NaN validation
scores for the diverged epochs and a ``ConvergenceWarning``. Every ``fit``,
``partial_fit`` or ``set_params`` that raises leaves the estimator as it was
before the call. Inputs so large that the forward pass overflows make
``predict`` raise a ValueError instead of returning inf or NaN.
"""
