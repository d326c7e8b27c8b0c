"""Each parameter the MLP estimators share, once: its constraint and its text.

A :class:`Parameter` pairs a name with its scikit-learn constraint (what
``_validate_params`` checks) and its numpydoc paragraph (what the class
docstrings show). ``BaseMLP._parameter_constraints`` is built from
:data:`SHARED` and :data:`TRAINING`; :mod:`mlpinit.neural_network` composes
its docstrings with :func:`documentation`. The choices of ``activation``,
``solver``, ``learning_rate`` and ``init`` are read from their registries,
so a new activation, optimizer or schedule appears here without an edit.
"""

from numbers import Integral, Real
from typing import NamedTuple

import numpy as np
from sklearn.metrics import get_scorer_names
from sklearn.utils._param_validation import Interval, Options, StrOptions

from mlpinit._core.activations import HIDDEN_ACTIVATIONS
from mlpinit._core.data_init import DATA_BIAS_POINTS
from mlpinit._core.optimizers import SOLVERS, STOCHASTIC_SOLVERS
from mlpinit._core.schedules import SCHEDULES
from mlpinit._docs import (
    _ACTIVATION_LINES,
    _AUTO_RULE_LINES,
    _PRESET_LINES,
    choices,
)
from mlpinit.initializers import AUTO_SKLEARN_MAX_HIDDEN, INIT_NAMES

# The schedules the learning_rate parameter offers (of SCHEDULES).
LEARNING_RATE_SCHEDULES = (
    "constant",
    "invscaling",
    "adaptive",
    "cosine",
    "coslog4",
    "flat_cos",
)
assert set(LEARNING_RATE_SCHEDULES) <= set(SCHEDULES)
# The schedules weight_decay and dropout can follow: constant, or one over
# the whole fit (the update-clock schedules, read once per epoch).
REGULARIZER_SCHEDULES = ("constant", "cosine", "coslog4", "flat_cos")
assert set(REGULARIZER_SCHEDULES) <= set(SCHEDULES)


class Parameter(NamedTuple):
    """One parameter: its name, constraint list and numpydoc paragraph.

    ``doc`` is empty for a parameter documented in the paragraph of the one
    before it (``beta_2`` with ``beta_1``).
    """

    name: str
    constraints: list
    doc: str


# scikit-learn's parameters, in its order, and the first additions.
SHARED = (
    Parameter(
        "hidden_layer_sizes",
        [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        """\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
    The ith element is the number of neurons in the ith hidden layer.
""",
    ),
    Parameter(
        "activation",
        [StrOptions(HIDDEN_ACTIVATIONS)],
        f"""\
activation : {choices(HIDDEN_ACTIVATIONS)}, default="relu"
    Hidden-layer activation:

{_ACTIVATION_LINES}
""",
    ),
    Parameter(
        "solver",
        [StrOptions(set(SOLVERS))],
        f"""\
solver : {choices(("lbfgs", *STOCHASTIC_SOLVERS))}, default="adam"
    Weight optimizer: quasi-Newton L-BFGS (scipy), stochastic gradient
    descent, or Adam (Kingma & Ba, 2014).
""",
    ),
    Parameter(
        "alpha",
        [Interval(Real, 0, None, closed="left")],
        """\
alpha : float, default=0.0001
    L2 penalty. The loss adds ``0.5 * alpha * ||W||^2 / n_samples`` (or the
    sum of the sample weights instead of ``n_samples``).
""",
    ),
    Parameter(
        "batch_size",
        [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        """\
batch_size : int or "auto", default="auto"
    Minibatch size for the stochastic solvers; ``"auto"`` is
    ``min(200, n_samples)``. Ignored by L-BFGS.
""",
    ),
    Parameter(
        "learning_rate",
        [StrOptions(set(LEARNING_RATE_SCHEDULES))],
        f"""\
learning_rate : {choices(LEARNING_RATE_SCHEDULES)}, default="constant"
    Step-size schedule. ``"invscaling"`` uses
    ``learning_rate_init / pow(t, power_t)``; ``"adaptive"`` divides the
    rate by 5 each time ``n_iter_no_change`` epochs fail to improve by
    ``tol``. These three are SGD's, and adam ignores them, as in
    scikit-learn. ``"cosine"``, for both sgd and adam, decays the rate at
    every update from ``learning_rate_init`` towards 0 over ``max_iter``
    epochs, ``learning_rate_init * (1 + cos(pi * progress)) / 2``
    (Loshchilov & Hutter, "SGDR", 2017, without restarts), after an
    optional linear warmup of ``warmup_epochs``. ``"coslog4"`` runs four
    cosine cycles on a log time axis,
    ``learning_rate_init * (1 - cos(2 pi log2(1 + 15 progress))) / 2``,
    each twice as long as the one before (Holzmüller et al., "Better by
    Default", 2024); ``"flat_cos"`` keeps ``learning_rate_init`` for the
    first half, then decays it along a cosine to 0. Like ``"cosine"``, both
    run over ``max_iter`` epochs of updates, after the optional warmup.
    Early stopping or the ``tol`` rule can end these three before they
    reach 0; every ``fit``, with
    ``warm_start`` too, starts the schedule again (a warm restart), while
    successive ``partial_fit`` calls continue along it, one epoch each, and
    stay at 0 after ``max_iter`` of them.
""",
    ),
    Parameter(
        "learning_rate_init",
        [Interval(Real, 0, None, closed="neither")],
        """\
learning_rate_init : float, default=0.001
    Initial step size of SGD and Adam.
""",
    ),
    Parameter(
        "power_t",
        [Interval(Real, 0, None, closed="left")],
        """\
power_t : float, default=0.5
    Exponent of the ``"invscaling"`` schedule.
""",
    ),
    Parameter(
        "max_iter",
        [Interval(Integral, 1, None, closed="left")],
        """\
max_iter : int, default=200
    Maximum epochs (stochastic solvers) or iterations (L-BFGS).
""",
    ),
    Parameter(
        "shuffle",
        ["boolean"],
        """\
shuffle : bool, default=True
    Shuffle the rows before each epoch (stochastic solvers).
""",
    ),
    Parameter(
        "random_state",
        ["random_state"],
        """\
random_state : int, RandomState instance or None, default=None
    Seeds the weight initialization, the validation split and the
    shuffling. An int gives the same model bit for bit on every fit.
    Networks at most 128 units wide train on one BLAS thread, so this holds
    across processes and a grid search's ``n_jobs`` too. Wider networks use
    the caller's BLAS threads, and OpenBLAS's matrix products round
    differently with different thread counts: their last bits can change
    with ``n_jobs``, which sets the threads of each worker.
""",
    ),
    Parameter(
        "tol",
        [Interval(Real, 0, None, closed="left")],
        """\
tol : float, default=1e-4
    Improvement below which an epoch counts as no progress; the L-BFGS
    gradient tolerance.
""",
    ),
    Parameter(
        "verbose",
        ["verbose"],
        """\
verbose : bool, default=False
    Print one line per iteration.
""",
    ),
    Parameter(
        "warm_start",
        ["boolean"],
        """\
warm_start : bool, default=False
    Continue from the previous fit's weights instead of reinitializing.
""",
    ),
    Parameter(
        "momentum",
        [Interval(Real, 0, 1, closed="both")],
        """\
momentum : float, default=0.9
    SGD momentum, in [0, 1].
""",
    ),
    Parameter(
        "nesterovs_momentum",
        ["boolean"],
        """\
nesterovs_momentum : bool, default=True
    Use Nesterov's momentum (SGD with ``momentum > 0``).
""",
    ),
    Parameter(
        "early_stopping",
        ["boolean"],
        """\
early_stopping : bool, default=False
    Hold out ``validation_fraction`` of the training data, stop when its
    score stops improving, and keep the best weights. Stochastic solvers
    only. The split is stratified for binary and multiclass targets;
    scikit-learn stratifies binary targets only, so its multiclass splits
    (and validation scores) differ from these at the same seed. Where a
    multiclass split cannot be stratified (a class of one row, or fewer
    validation rows than classes) it is drawn unstratified, scikit-learn's
    split for the same seed. With
    ``warm_start``, a fit ends on the best validated weights of all the
    fits so far (those of ``best_validation_score_``); scikit-learn's
    warm-started fit that finds no better score ends on its last weights.
""",
    ),
    Parameter(
        "validation_fraction",
        [Interval(Real, 0, 1, closed="left")],
        """\
validation_fraction : float, default=0.1
    Fraction held out for early stopping.
""",
    ),
    Parameter(
        "beta_1",
        [Interval(Real, 0, 1, closed="left")],
        """\
beta_1, beta_2 : float, default=0.9, 0.999
    Adam's decay rates for the first and second moment estimates.
""",
    ),
    Parameter(
        "beta_2",
        [Interval(Real, 0, 1, closed="left")],
        "",  # documented with the one before,
    ),
    Parameter(
        "epsilon",
        [Interval(Real, 0, None, closed="neither")],
        """\
epsilon : float, default=1e-8
    Adam's numerical-stability term.
""",
    ),
    Parameter(
        "n_iter_no_change",
        [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        """\
n_iter_no_change : int, default=10
    Epochs without ``tol`` improvement before stopping (stochastic solvers).
""",
    ),
    Parameter(
        "max_fun",
        [Interval(Integral, 1, None, closed="left")],
        """\
max_fun : int, default=15000
    Maximum loss evaluations of L-BFGS.
""",
    ),
    Parameter(
        "init",
        [StrOptions(set(INIT_NAMES)), callable],
        f"""\
init : str or callable, default="auto"
    Weight initialization (see :mod:`mlpinit.initializers`):

    - ``"auto"``: depth-aware. A network of at most {AUTO_SKLEARN_MAX_HIDDEN} hidden
      layers gets ``"sklearn"`` (below), draw for draw, so that the default
      network trains exactly as scikit-learn's. A deeper one gets the
      article's rule, from each layer's own activation, the hidden layers'

{_AUTO_RULE_LINES}
      - and ``"xavier"`` (1/fan_in) for the output layer.

      Measured: on shallow networks scikit-learn's smaller variances give
      equal or better test scores than He's (on the benchmark's workloads,
      up to 0.02 better), while deep ReLU networks stall on them and train
      on He's. See the "Initialization and depth" page of the docs.

{_PRESET_LINES}
    - ``"lsuv"``: layer-sequential unit variance (Mishkin & Matas 2016):
      ``"orthogonal"`` weights, then each layer, first to last, rescaled
      until its output variance is 1 (within 0.1) on a batch of up to
      512 training rows drawn with ``random_state``
      (:func:`mlpinit.initializers.lsuv`). The rows are drawn after the
      weights and after early stopping's split, from the training part's
      rows of positive ``sample_weight``, and the variances are weighted,
      so that integer weights act as repeated rows. It runs on a fresh fit
      and on the first ``partial_fit`` call, not on a ``warm_start``
      continuation; its cost is in ``lsuv_record_``.
    - ``"sklearn"``: scikit-learn's own scheme, uniform in
      ``+-sqrt(6/(fan_in + fan_out))`` (factor 2 for logistic), biases from
      the same range, the same draws in the same order. With it a fit can be
      compared with :mod:`sklearn.neural_network`: the same to rounding.
    - a callable ``init(fan_in, fan_out, random_state, dtype)`` returning
      the (fan_in, fan_out) weights, for experiments such as the article's
      scaled identity.

    The article's ``"xavier"``, ``N(0, 1/fan_in)``, is what the literature
    calls LeCun normal; Glorot & Bengio's own formula, variance
    ``2/(fan_in + fan_out)``, is ``"glorot_normal"`` or ``"glorot_uniform"``.
    Biases start at zero for every scheme except ``"sklearn"``.
""",
    ),
    Parameter(
        "max_grad_norm",
        [None, Interval(Real, 0, None, closed="neither")],
        """\
max_grad_norm : float or None, default=None
    Clip the global L2 norm of the gradient to this value before each
    update, the standard remedy for exploding gradients. Stochastic solvers
    only; None disables clipping.
""",
    ),
    Parameter(
        "record_layer_stats",
        ["boolean"],
        """\
record_layer_stats : bool, default=False
    Record per-layer activation and gradient statistics once per epoch (per
    iteration for L-BFGS) on a fixed probe batch, the first 5% of the
    training rows (at least 64, at most 256),
    into ``layer_stats_``. See :func:`mlpinit.diagnostics.layer_statistics`.
""",
    ),
)

# The training features added after them.
TRAINING = (
    Parameter(
        "scoring",
        # scikit-learn's scorer names, read when the class is defined.
        [StrOptions({"loss", *get_scorer_names()}), callable, None],
        """\
scoring : str, callable or None, default=None
    What early stopping maximizes on the held-out rows
    (``early_stopping=True`` only; ignored otherwise), as in
    ``HistGradientBoostingClassifier``: None is the estimator's ``score``
    (accuracy, or R^2; scikit-learn's behaviour), ``"loss"`` is minus the
    validation loss (``validation_loss_curve_``), and any other value is a
    scikit-learn scorer name (``"balanced_accuracy"``,
    ``"neg_mean_absolute_error"``, ...) or a callable
    ``scorer(estimator, X, y)``, higher being better. The scores go to
    ``validation_scores_``, and ``tol`` applies to them. A NaN or infinite
    score never counts as an improvement: before any finite score it is an
    error, after one a UserWarning, and the fit keeps the best finite
    score's weights.
""",
    ),
    Parameter(
        "weight_decay",
        [Interval(Real, 0, None, closed="left")],
        """\
weight_decay : float, default=0.0
    Decoupled weight decay (Loshchilov & Hutter, 2019, "Decoupled Weight
    Decay Regularization"): before each update the weights, not the biases,
    shrink by the factor ``1 - learning_rate * weight_decay``, outside the
    gradient. For adam this is AdamW (the factor uses
    ``learning_rate_init``, as ``torch.optim.AdamW`` does); for sgd the same
    decoupling, with the current learning rate. Stochastic solvers only;
    ignored by lbfgs. It is independent of ``alpha``, the L2 penalty added
    to the loss, which scikit-learn scales by ``1 / n_samples`` (so the same
    ``alpha`` regularizes less on more data, and Adam rescales its gradient
    per weight; scikit-learn issues #6780 and #10477). ``weight_decay``
    does neither: its strength per step does not depend on the data size.
    Typical values are 1e-4 to 1e-1. ``learning_rate_init * weight_decay``
    must be below 1 (no schedule's rate exceeds ``learning_rate_init``):
    at 1 the factor zeroes the weights, beyond it flips their sign. The L2
    term has a bound of the same kind that neither library checks: with
    plain sgd each step multiplies the weights by ``1 - learning_rate *
    alpha / batch_weight`` (the batch's total sample weight), which grows
    them once ``learning_rate * alpha`` exceeds twice the batch weight.
""",
    ),
    Parameter(
        "warmup_epochs",
        [Interval(Integral, 0, None, closed="left")],
        """\
warmup_epochs : int, default=0
    With ``learning_rate="cosine"``, the epochs over which the rate rises
    linearly from ``learning_rate_init / n_updates`` to
    ``learning_rate_init`` before the cosine decay, ``n_updates`` being the
    updates of those epochs. It steadies Adam's first steps, when its moment
    estimates rest on few batches. Any other ``learning_rate``, and
    ``solver="lbfgs"``, need 0; it must not exceed ``max_iter``. The
    schedule's length and warmup, in updates, are fixed by the call that
    starts it (``fit`` or a first ``partial_fit``): later ``partial_fit``
    calls continue it, at rate 0 once it is over.
""",
    ),
    Parameter(
        "dropout",
        [Interval(Real, 0, 1, closed="left"), "array-like"],
        """\
dropout : float or array-like of shape (n_layers - 2,), default=0.0
    Inverted dropout (Srivastava et al., 2014) on the hidden layers' outputs,
    during training only: at every batch each hidden unit is dropped with
    this probability, in [0, 1), and the kept ones are divided by
    ``1 - dropout``, so that ``predict``, ``predict_proba``, the validation
    score, ``layer_stats_``, :func:`mlpinit.diagnostics.layer_statistics` and
    the ONNX export all use the full network unscaled. One value for every
    hidden layer, or one per hidden layer. The masks come from the fit's
    ``random_state`` (a refit is bit-identical); ``loss_curve_`` is the
    thinned networks' loss. Stochastic solvers only: with ``lbfgs``, whose
    objective must be deterministic, a non-zero value raises a ValueError.
    0 costs nothing.
""",
    ),
    Parameter(
        "bias_init",
        [StrOptions({"data"}), None],
        f"""\
bias_init : "data" or None, default=None
    None keeps the biases of ``init``. ``"data"`` sets each hidden unit's
    bias so that its hyperplane passes through the training data: ``b_j =
    -w_j . p_j``, ``p_j`` a random convex combination of
    {DATA_BIAS_POINTS} training rows as the unit's layer sees them
    (simplex weights from normalized Exponential(1) draws), layer by layer,
    first to last (RealMLP's ``"he+5"``, Holzmüller et al., "Better by
    Default", 2024). Each unit's preactivation is then 0 inside the data, so
    no ReLU unit starts dead or linear on every row. The weights and the
    output bias are kept. The rows are drawn with ``random_state`` after the
    weights, early stopping's split and LSUV, from the training part only,
    in proportion to ``sample_weight``: rows of weight 0 are never used, and
    an integer weight draws a row as often as its repeats would be drawn (in
    distribution; the very draws differ when the rows are reordered). Like
    LSUV it runs on a fresh fit
    and on the first ``partial_fit`` call, not on a ``warm_start``
    continuation.
""",
    ),
    Parameter(
        "weight_decay_schedule",
        [StrOptions(set(REGULARIZER_SCHEDULES))],
        f"""\
weight_decay_schedule, dropout_schedule : {choices(REGULARIZER_SCHEDULES)}, \
default="constant"
    Schedules of ``weight_decay`` and of the ``dropout`` rates, the shapes of
    ``learning_rate``'s schedules of those names over ``max_iter`` epochs:
    at the start of epoch ``e`` (from 0) the value is the parameter's times
    the schedule's factor at progress ``e / max_iter`` (``"flat_cos"``, as in
    RealMLP: 1 for the first half, then a cosine down towards 0). They
    change once per epoch, not per batch: regularization acts through many
    updates, a per-epoch step is at most ``pi / (2 max_iter)`` of the
    factor, and the batch loop stays as it is. ``"constant"`` trains exactly
    as before. Successive ``partial_fit`` calls continue along the schedule,
    one epoch each; ``fit`` (``warm_start`` too) starts it again. A schedule
    other than ``"constant"`` needs its quantity to be non-zero and a
    stochastic solver.
""",
    ),
    Parameter(
        "dropout_schedule",
        [StrOptions(set(REGULARIZER_SCHEDULES))],
        "",  # documented with the one before
    ),
)

# MLPClassifier only.
CLASS_WEIGHT = (
    Parameter(
        "class_weight",
        [dict, list, StrOptions({"balanced"}), None],
        """\
class_weight : dict, list of dict, "balanced" or None, default=None
    Weights of the classes, multiplying ``sample_weight``, with the meaning
    they have in scikit-learn's other classifiers
    (:func:`sklearn.utils.class_weight.compute_sample_weight`): a dict from
    class label to weight (classes left out weigh 1), or ``"balanced"``,
    ``n_samples / (n_classes * np.bincount(y))``, which evens out the
    classes' total weights. Multilabel targets follow
    ``RandomForestClassifier``: a list of one ``{0: w0, 1: w1}`` dict per
    label, or ``"balanced"`` per label; a sample's weight is the product of
    its labels' weights. Keys that are not classes of ``y`` raise a
    ValueError. ``"balanced"`` needs the whole class distribution, so
    ``partial_fit`` refuses it, as ``SGDClassifier`` does: pass the weights
    of ``compute_class_weight("balanced", classes=classes, y=y)`` on a large
    sample as a dict instead. With early stopping, the validation score is
    weighted too. scikit-learn's MLP has no class weights.
""",
    ),
)


def constraints(*groups):
    """``_parameter_constraints`` of the parameters in ``groups``."""
    return {p.name: p.constraints for group in groups for p in group}


def documentation(*groups):
    """The numpydoc text of the parameters in ``groups``, in order."""
    return "\n".join(p.doc for group in groups for p in group if p.doc)
