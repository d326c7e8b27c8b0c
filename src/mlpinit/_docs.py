"""Parameter and attribute text shared by the MLP docstrings.

The lists of activation and init names are built from their one table each
(:data:`mlpinit._core.activations.HIDDEN_ACTIVATION_TABLE` and
:data:`mlpinit.initializers.INIT_NAMES`), so that a new entry there appears
here without an edit.
"""

from mlpinit._core.activations import HIDDEN_ACTIVATION_TABLE, HIDDEN_ACTIVATIONS
from mlpinit.initializers import AUTO_SKLEARN_MAX_HIDDEN, INITIALIZERS, resolve_init


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

SHARED_PARAMETERS = f"""\
hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
    The ith element is the number of neurons in the ith hidden layer.

activation : {choices(HIDDEN_ACTIVATIONS)}, default="relu"
    Hidden-layer activation:

{_ACTIVATION_LINES}

solver : {{"lbfgs", "sgd", "adam"}}, default="adam"
    Weight optimizer: quasi-Newton L-BFGS (scipy), stochastic gradient
    descent, or Adam (Kingma & Ba, 2014).

alpha : float, default=0.0001
    L2 penalty. The loss adds ``0.5 * alpha * ||W||^2 / n_samples`` (or the
    sum of the sample weights instead of ``n_samples``).

batch_size : int or "auto", default="auto"
    Minibatch size for the stochastic solvers; ``"auto"`` is
    ``min(200, n_samples)``. Ignored by L-BFGS.

learning_rate : {{"constant", "invscaling", "adaptive", "cosine"}}, default="constant"
    Step-size schedule. ``"invscaling"`` uses
    ``learning_rate_init / pow(t, power_t)``; ``"adaptive"`` divides the
    rate by 5 each time ``n_iter_no_change`` epochs fail to improve by
    ``tol``. These three are SGD's, and adam ignores them, as in
    scikit-learn. ``"cosine"``, for both sgd and adam, decays the rate at
    every update from ``learning_rate_init`` towards 0 over ``max_iter``
    epochs, ``learning_rate_init * (1 + cos(pi * progress)) / 2``
    (Loshchilov & Hutter, "SGDR", 2017, without restarts), after an
    optional linear warmup of ``warmup_epochs``. Early stopping or the
    ``tol`` rule can end it before it reaches 0; every ``fit``, with
    ``warm_start`` too, starts the schedule again (a warm restart), while
    successive ``partial_fit`` calls continue along it, one epoch each, and
    stay at 0 after ``max_iter`` of them.

learning_rate_init : float, default=0.001
    Initial step size of SGD and Adam.

power_t : float, default=0.5
    Exponent of the ``"invscaling"`` schedule.

max_iter : int, default=200
    Maximum epochs (stochastic solvers) or iterations (L-BFGS).

shuffle : bool, default=True
    Shuffle the rows before each epoch (stochastic solvers).

random_state : int, RandomState instance or None, default=None
    Seeds the weight initialization, the validation split and the
    shuffling. An int gives the same model bit for bit on every fit.
    Networks at most 128 units wide train on one BLAS thread, so this holds
    across processes and a grid search's ``n_jobs`` too. Wider networks use
    the caller's BLAS threads, and OpenBLAS's matrix products round
    differently with different thread counts: their last bits can change
    with ``n_jobs``, which sets the threads of each worker.

tol : float, default=1e-4
    Improvement below which an epoch counts as no progress; the L-BFGS
    gradient tolerance.

verbose : bool, default=False
    Print one line per iteration.

warm_start : bool, default=False
    Continue from the previous fit's weights instead of reinitializing.

momentum : float, default=0.9
    SGD momentum, in [0, 1].

nesterovs_momentum : bool, default=True
    Use Nesterov's momentum (SGD with ``momentum > 0``).

early_stopping : bool, default=False
    Hold out ``validation_fraction`` of the training data, stop when its
    score stops improving, and keep the best weights. Stochastic solvers
    only. The split is stratified for binary and multiclass targets;
    scikit-learn stratifies binary targets only, so its multiclass splits
    (and validation scores) differ from these at the same seed. With
    ``warm_start``, a fit ends on the best validated weights of all the
    fits so far (those of ``best_validation_score_``); scikit-learn's
    warm-started fit that finds no better score ends on its last weights.

validation_fraction : float, default=0.1
    Fraction held out for early stopping.

beta_1, beta_2 : float, default=0.9, 0.999
    Adam's decay rates for the first and second moment estimates.

epsilon : float, default=1e-8
    Adam's numerical-stability term.

n_iter_no_change : int, default=10
    Epochs without ``tol`` improvement before stopping (stochastic solvers).

max_fun : int, default=15000
    Maximum loss evaluations of L-BFGS.

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
      (:func:`mlpinit.initializers.lsuv`). It runs on a fresh fit and on the
      first ``partial_fit`` call, not on a ``warm_start`` continuation; its
      cost is in ``lsuv_record_``.
    - ``"sklearn"``: scikit-learn's own scheme, uniform in
      ``+-sqrt(6/(fan_in + fan_out))`` (factor 2 for logistic), biases from
      the same range, the same draws in the same order. With it a fit can be
      compared number for number with :mod:`sklearn.neural_network`.
    - a callable ``init(fan_in, fan_out, random_state, dtype)`` returning
      the (fan_in, fan_out) weights, for experiments such as the article's
      scaled identity.

    The article's ``"xavier"``, ``N(0, 1/fan_in)``, is what the literature
    calls LeCun normal; Glorot & Bengio's own formula, variance
    ``2/(fan_in + fan_out)``, is ``"glorot_normal"`` or ``"glorot_uniform"``.
    Biases start at zero for every scheme except ``"sklearn"``.

max_grad_norm : float or None, default=None
    Clip the global L2 norm of the gradient to this value before each
    update, the standard remedy for exploding gradients. Stochastic solvers
    only; None disables clipping.

record_layer_stats : bool, default=False
    Record per-layer activation and gradient statistics once per epoch (per
    iteration for L-BFGS) on a fixed probe batch, the first 5% of the
    training rows (at least 64, at most 256),
    into ``layer_stats_``. See :func:`mlpinit.diagnostics.layer_statistics`.
"""

CLASS_WEIGHT_PARAMETER = """
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
"""

TRAINING_PARAMETERS = """
scoring : str, callable or None, default=None
    What early stopping maximizes on the held-out rows
    (``early_stopping=True`` only; ignored otherwise), as in
    ``HistGradientBoostingClassifier``: None is the estimator's ``score``
    (accuracy, or R^2; scikit-learn's behaviour), ``"loss"`` is minus the
    validation loss (``validation_loss_curve_``), and any other value is a
    scikit-learn scorer name (``"balanced_accuracy"``,
    ``"neg_mean_absolute_error"``, ...) or a callable
    ``scorer(estimator, X, y)``, higher being better. The scores go to
    ``validation_scores_``, and ``tol`` applies to them.

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
    Typical values are 1e-4 to 1e-1.

warmup_epochs : int, default=0
    With ``learning_rate="cosine"``, the epochs over which the rate rises
    linearly from ``learning_rate_init / n_updates`` to
    ``learning_rate_init`` before the cosine decay, ``n_updates`` being the
    updates of those epochs. It steadies Adam's first steps, when its moment
    estimates rest on few batches. Any other ``learning_rate`` needs 0.

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
"""

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
