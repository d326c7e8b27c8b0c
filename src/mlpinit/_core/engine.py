"""The training engine: the epoch loop, L-BFGS, divergence and stopping.

Everything here works on plain state: a *plan* (the hyperparameters, read as
attributes, :class:`mlpinit._estimator.plan.FitPlan` in practice), the
training data (:class:`TrainingData`), the flat parameter vector ``theta``
(trained in place), the record a warm start or ``partial_fit`` continues
(:class:`TrainingRecord`) and, with early stopping, a closure
``validate(theta) -> (loss, score)``. :func:`train` returns a
:class:`TrainingResult`: the record, the optimizer's state, the layer
statistics and the warnings to raise. Nothing here knows an estimator;
errors are raised as ``ValueError``, warnings are returned, by kind, for the
caller to raise in its own words and categories.

The hooks (callbacks) are any object with ``begin_task(layout, theta)``,
``end_task(layout, theta) -> bool`` (True asks to stop), ``end_iteration
(layout, theta)`` (may raise StopIteration) and ``stopped``;
:data:`NO_HOOKS` does nothing. ``threads`` is any object with the context
managers ``one_thread()`` and ``callers_threads()`` (the BLAS-thread policy);
:data:`NO_THREAD_POLICY` leaves the threads alone.

Numerical core: numpy and scipy only.
"""

import contextlib
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from mlpinit._core.layer_stats import LayerStatsRecorder
from mlpinit._core.network import NetworkLayout, Workspace, loss_and_gradient
from mlpinit._core.optimizers import OPTIMIZERS, minimize_lbfgs
from mlpinit._core.schedules import SCHEDULES, make_schedule
from mlpinit._core.training import BatchTrainer, Dropout

__all__ = [
    "NO_HOOKS",
    "NO_THREAD_POLICY",
    "RegularizerSchedules",
    "StoppingTracker",
    "TrainingData",
    "TrainingRecord",
    "TrainingResult",
    "divergence_advice",
    "divergence_error",
    "train",
]

# The kinds of the warnings a result carries; the estimators map them to
# their categories (ConvergenceWarning, UserWarning).
CONVERGENCE = "convergence"
USER = "user"

DIVERGENCE_ADVICE = (
    "Normalize the inputs (for example with mlpinit.MeanNormStandardizer or "
    "sklearn.preprocessing.StandardScaler), lower learning_rate_init, or set "
    "max_grad_norm."
)
# scikit-learn's message for a fit that diverged, word for word.
NON_FINITE_WEIGHTS = (
    "Solver produced non-finite parameter weights. The input data may contain "
    "large values and need to be preprocessed."
)
# The data term of the loss is of order one on normalized inputs. An L2
# coefficient (alpha over a batch's total weight) this many times larger is
# what made a fit diverge, whatever X looks like.
PENALTY_DOMINATES = 1e6


class _NoHooks:
    """Hooks that do nothing: a fit without callbacks."""

    stopped = False

    def begin_task(self, layout, theta):
        pass

    def end_task(self, layout, theta):
        return False

    def end_iteration(self, layout, theta):
        pass


NO_HOOKS = _NoHooks()


class _NoThreadPolicy:
    """A thread policy that leaves the BLAS threads as they are."""

    def one_thread(self):
        return contextlib.nullcontext()

    def callers_threads(self):
        return contextlib.nullcontext()


NO_THREAD_POLICY = _NoThreadPolicy()


class TrainingData(NamedTuple):
    """What the engine trains on.

    ``X`` is float32 or float64, dense or sparse; ``Y`` the encoded targets,
    (n_samples, n_outputs), in X's dtype; ``sample_weight`` None or one
    weight per row; ``out_activation`` the output layer's; ``random_state``
    a numpy RandomState, the only source of randomness (shuffling, dropout).
    """

    X: object
    Y: np.ndarray
    sample_weight: object
    layout: NetworkLayout
    out_activation: str
    random_state: np.random.RandomState


@dataclass
class TrainingRecord:
    """The stochastic solvers' record so far, which a fit continues.

    The validation lists are None without early stopping; ``best_params``
    is None until a validation score was kept; ``samples_seen`` is
    scikit-learn's ``t_``; ``optimizer_state`` the public attributes of the
    optimizer of the last call, or None (a fresh optimizer).
    """

    loss_curve: list = field(default_factory=list)
    validation_scores: list = None
    validation_losses: list = None
    best_loss: float = np.inf
    best_score: float = None
    no_improvement: int = 0
    best_params: np.ndarray = None
    samples_seen: int = 0
    optimizer_state: dict = None


@dataclass
class TrainingResult:
    """What a training run returns.

    ``record`` is the updated :class:`TrainingRecord` (stochastic solvers;
    None for L-BFGS), ``layer_stats`` the recorder of the per-epoch layer
    statistics or None, ``warnings`` a list of ``(kind, message)``, kind
    :data:`CONVERGENCE` or :data:`USER`, in the order they arose.
    """

    n_iter: int
    loss: float
    record: TrainingRecord = None
    layer_stats: LayerStatsRecorder = None
    warnings: list = field(default_factory=list)


# ----------------------------------------------------------------------
# Divergence
def divergence_advice(alpha, sample_weight, batch_rows):
    """What to change after a divergence: the L2 term's settings, or the inputs.

    Parameters
    ----------
    alpha : float
    sample_weight : ndarray or None
        The training rows' weights.
    batch_rows : int
        Rows per batch (all of them for L-BFGS).

    Returns
    -------
    str
    """
    mean_weight = 1.0
    if sample_weight is not None:
        mean_weight = float(np.mean(sample_weight, dtype=np.float64))
    coefficient = alpha / (batch_rows * mean_weight)
    if not coefficient > PENALTY_DOMINATES:
        return DIVERGENCE_ADVICE
    if sample_weight is None:
        return (
            f"The L2 penalty dominates: alpha={alpha:g} over batches of "
            f"{batch_rows} rows weighs {coefficient:.1e} times the data term. "
            "Lower alpha."
        )
    return (
        f"The L2 penalty dominates: alpha={alpha:g} over batches of {batch_rows} "
        f"rows of mean sample weight {mean_weight:.1e} weighs {coefficient:.1e} "
        "times the data term (the penalty is divided by the batch's total "
        "sample weight, as in scikit-learn). Scale sample_weight up (divide it "
        "by its mean: the weighted mean loss does not change) or lower alpha."
    )


def divergence_error(detail, advice=DIVERGENCE_ADVICE):
    """The ValueError of a fit that diverged.

    It begins with scikit-learn's own message, which code and tests match on,
    then says what happened (``detail``) and what to change (``advice``).
    """
    return ValueError(f"{NON_FINITE_WEIGHTS} {detail} {advice}")


def _optimizer_state_is_finite(optimizer):
    """True if every array the optimizer carries (velocity, moments) is finite."""
    return all(
        np.isfinite(value).all()
        for value in optimizer.state().values()
        if isinstance(value, np.ndarray)
    )


def _divergence(epoch_loss, optimizer, epoch, dtype):
    """What went wrong in an epoch that diverged, or None if it did not."""
    if not np.isfinite(epoch_loss):
        return (
            f"The training loss became {epoch_loss} at epoch {epoch}; the "
            "optimization diverged."
        )
    if not _optimizer_state_is_finite(optimizer):
        # Adam's second moment squares the gradient: above about 1e154 it is
        # inf, every later step of that weight is 0, and the model silently
        # stops learning for good.
        return (
            f"The gradients overflowed {dtype} at epoch {epoch}; the "
            "optimization diverged."
        )
    return None


# ----------------------------------------------------------------------
# Stopping
class StoppingTracker:
    """Loss curve, validation scores, best values and the no-improvement count.

    Each epoch ends with one :meth:`update`: it records the training loss
    (and, with early stopping, the validation score), keeps the best score's
    weights, and counts the epochs without ``tol`` improvement, the rule
    scikit-learn's MLP stops on.

    Parameters
    ----------
    early_stopping : bool
        Judge progress by the validation score (higher is better) instead of
        the training loss (lower is better).
    tol : float
        Improvement below which an epoch counts as no progress.
    n_iter_no_change : int or inf
        Epochs without progress after which :meth:`update` reports a plateau.
    loss_curve, validation_scores, validation_losses : list of float or None
        The record so far (the validation lists are None without early
        stopping); extended in place.
    best_loss, best_score : float or None
        Lowest training loss, highest validation score so far.
    no_improvement : int
        Epochs without progress so far.
    best_params : ndarray
        The weights of the best validation score so far (early stopping).

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit._core.engine import StoppingTracker
    >>> tracker = StoppingTracker(
    ...     early_stopping=False, tol=0.1, n_iter_no_change=1, loss_curve=[],
    ...     validation_scores=None, validation_losses=None, best_loss=np.inf,
    ...     best_score=None, no_improvement=0, best_params=np.zeros(2))
    >>> [tracker.update(loss, None, np.zeros(2)) for loss in (1.0, 0.95, 0.93)]
    [False, False, True]
    """

    def __init__(
        self,
        *,
        early_stopping,
        tol,
        n_iter_no_change,
        loss_curve,
        validation_scores,
        validation_losses,
        best_loss,
        best_score,
        no_improvement,
        best_params,
    ):
        self.early_stopping = early_stopping
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.loss_curve = loss_curve
        self.validation_scores = validation_scores
        self.validation_losses = validation_losses
        self.best_loss = best_loss
        self.best_score = best_score
        self.no_improvement = no_improvement
        self.best_params = best_params

    @classmethod
    def resume(cls, record, plan, theta):
        """A tracker continuing ``record`` (a :class:`TrainingRecord`, copied)."""
        return cls(
            early_stopping=plan.early_stopping,
            tol=plan.tol,
            n_iter_no_change=plan.n_iter_no_change,
            loss_curve=list(record.loss_curve),
            validation_scores=_copied(record.validation_scores),
            validation_losses=_copied(record.validation_losses),
            best_loss=record.best_loss,
            best_score=record.best_score,
            no_improvement=record.no_improvement,
            best_params=(
                theta.copy() if record.best_params is None else record.best_params
            ),
        )

    def update(self, epoch_loss, score, theta, validation_loss=None):
        """Record one epoch; True once ``n_iter_no_change`` epochs made no progress.

        Parameters
        ----------
        epoch_loss : float
            The epoch's training loss.
        score : float or None
            Its validation score (early stopping only).
        theta : ndarray
            The weights after the epoch; copied if they score best.
        validation_loss : float or None
            Its validation loss (early stopping only).

        Returns
        -------
        bool
        """
        self.loss_curve.append(epoch_loss)
        if self.early_stopping:
            self.validation_scores.append(score)
            self.validation_losses.append(validation_loss)
            # As in scikit-learn, a NaN score is no stall (NaN < x is False)
            # and, below, never the best.
            stalled = score < self.best_score + self.tol
            if score > self.best_score:
                self.best_score = score
                self.best_params = theta.copy()
        else:
            stalled = epoch_loss > self.best_loss - self.tol
            self.best_loss = min(self.best_loss, epoch_loss)
        self.no_improvement = self.no_improvement + 1 if stalled else 0
        return self.no_improvement > self.n_iter_no_change

    def plateau_message(self):
        """What :meth:`update` saw when it reported a plateau, for ``verbose``."""
        what = "Validation score" if self.early_stopping else "Training loss"
        return (
            f"{what} did not improve more than tol={self.tol:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )

    def renew_patience(self):
        """Start counting afresh (after the adaptive schedule lowered the rate)."""
        self.no_improvement = 0

    def to_record(self, samples_seen, optimizer_state):
        """The :class:`TrainingRecord` this tracker holds now."""
        return TrainingRecord(
            loss_curve=self.loss_curve,
            validation_scores=self.validation_scores,
            validation_losses=self.validation_losses,
            best_loss=self.best_loss,
            best_score=self.best_score,
            no_improvement=self.no_improvement,
            best_params=self.best_params,
            samples_seen=samples_seen,
            optimizer_state=optimizer_state,
        )


def _copied(values):
    return None if values is None else list(values)


# ----------------------------------------------------------------------
# The stochastic solvers
def _optimizer(plan, layout, dtype, record):
    cls = OPTIMIZERS[plan.solver]
    optimizer = cls.from_hyperparameters(
        layout.size, dtype, plan.learning_rate_init, plan.optimizer_params
    )
    if plan.weight_decay:
        optimizer.decay_weights(plan.weight_decay, layout.n_coef)
    if plan.incremental and record.optimizer_state is not None:
        # The state is kept as plain arrays and numbers (not the object) so
        # that skops can load a fitted model safely.
        optimizer.restore(record.optimizer_state)
    return optimizer


def _batch_size(plan, n_samples, warnings):
    if plan.batch_size == "auto":
        return min(200, n_samples)
    if plan.batch_size > n_samples:
        warnings.append(
            (
                USER,
                "Got `batch_size` less than 1 or larger than sample size. "
                "It is going to be clipped",
            )
        )
    return int(np.clip(plan.batch_size, 1, n_samples))


def _dropout(plan, data, batch_size, dtype):
    if plan.dropout_rates is None:
        return None
    # A generator of its own, seeded from the fit's random state: the masks
    # are reproducible, and numpy's Generator draws them several times faster.
    seed = data.random_state.randint(np.iinfo(np.int32).max)
    return Dropout(
        plan.dropout_rates,
        data.layout.layer_units,
        batch_size,
        dtype,
        np.random.default_rng(seed),
    )


def _layer_stats_recorder(plan, X, Y, out_activation):
    if not plan.record_layer_stats:
        return None
    return LayerStatsRecorder(X, Y, plan.activation, out_activation, plan.alpha)


def _follow_schedule(plan, optimizer, updates_per_epoch):
    """Give the optimizer the schedule of ``plan.learning_rate`` on updates.

    The schedule's length and warmup, in updates, are fixed by the call
    that starts it (``fit``, or a first ``partial_fit``) and kept with the
    optimizer's state (``schedule_total``, ``schedule_warmup``): a later
    ``partial_fit`` with another row count continues the same schedule, at
    rate 0 once it is over, instead of starting a longer one.
    """
    if SCHEDULES[plan.learning_rate].clock != "update":
        return  # constant, or SGD's own epoch schedules (see SGD)
    if getattr(optimizer, "schedule_total", None) is None:
        # Public attributes: they are part of optimizer.state().
        optimizer.schedule_total = plan.max_iter * updates_per_epoch
        optimizer.schedule_warmup = plan.warmup_epochs * updates_per_epoch
    optimizer.follow(
        make_schedule(
            plan.learning_rate,
            plan.learning_rate_init,
            total=optimizer.schedule_total,
            warmup=optimizer.schedule_warmup,
        )
    )


class RegularizerSchedules:
    """Weight decay and dropout along their schedules, epoch by epoch.

    At the start of each epoch (:meth:`begin_epoch`) the optimizer's weight
    decay becomes ``plan.weight_decay * factor`` and the dropout rates
    ``rate * factor``, ``factor`` the schedule's (:mod:`.schedules`, as a
    factor, ``value=1``) at epoch ``e`` of ``total`` epochs, progress ``e /
    total``. Per epoch, not per batch: the factor moves by at most ``pi /
    (2 total)`` between epochs, which a regularizer acting through many
    updates does not feel, and the batch loop stays free of it.

    The epoch count and the length are public attributes of the optimizer
    (``regularizer_epoch``, ``regularizer_epochs``), so they are kept with
    its state: successive ``partial_fit`` calls continue along the
    schedules, a fresh optimizer (``fit``) starts them again. With both
    schedules constant nothing is set, and training is as before.

    Parameters
    ----------
    plan : FitPlan
    optimizer : Optimizer
    dropout : Dropout or None
        The trainer's; its ``rates`` are set in place.
    n_coef : int
        Parameters that are weights (decayed), as for
        :meth:`~mlpinit._core.optimizers.Optimizer.decay_weights`.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from mlpinit._core.engine import RegularizerSchedules
    >>> from mlpinit._core.optimizers import Adam
    >>> plan = SimpleNamespace(weight_decay=0.1, weight_decay_schedule="flat_cos",
    ...                        dropout_schedule="constant", max_iter=4)
    >>> adam = Adam(3, float, 0.01, 0.9, 0.999, 1e-8)
    >>> schedules = RegularizerSchedules(plan, adam, None, 2)
    >>> [round(schedules.begin_epoch()["weight_decay"], 3) for _ in range(4)]
    [0.1, 0.1, 0.1, 0.05]
    """

    def __init__(self, plan, optimizer, dropout, n_coef):
        self.optimizer, self.dropout, self.n_coef = optimizer, dropout, n_coef
        self.weight_decay = self.dropout_rates = None
        scheduled = False
        if plan.weight_decay_schedule != "constant":
            self.weight_decay = (plan.weight_decay_schedule, plan.weight_decay)
            scheduled = True
        if plan.dropout_schedule != "constant" and dropout is not None:
            self.dropout_rates = (plan.dropout_schedule, tuple(dropout.rates))
            scheduled = True
        self.active = scheduled
        if scheduled and getattr(optimizer, "regularizer_epochs", None) is None:
            optimizer.regularizer_epoch = 0
            optimizer.regularizer_epochs = int(plan.max_iter)

    def _factor(self, name):
        total = self.optimizer.regularizer_epochs
        return make_schedule(name, 1.0, total=total)(self.optimizer.regularizer_epoch)

    def begin_epoch(self):
        """Set this epoch's values and advance; returns them, by name."""
        if not self.active:
            return {}
        values = {}
        if self.weight_decay is not None:
            name, value = self.weight_decay
            values["weight_decay"] = value * self._factor(name)
            self.optimizer.decay_weights(values["weight_decay"], self.n_coef)
        if self.dropout_rates is not None:
            name, rates = self.dropout_rates
            factor = self._factor(name)
            self.dropout.rates = [rate * factor for rate in rates]
            values["dropout"] = list(self.dropout.rates)
        self.optimizer.regularizer_epoch += 1
        return values


def train_stochastic(
    plan, data, theta, record, validate=None, hooks=NO_HOOKS, threads=None
):
    """Train ``theta`` with sgd or adam, epoch by epoch.

    Parameters
    ----------
    plan : FitPlan
    data : TrainingData
        The training rows (without early stopping's validation rows).
    theta : ndarray
        The flat parameter vector, trained in place.
    record : TrainingRecord
        What this fit continues (a fresh one on a first fit).
    validate : callable or None
        ``validate(theta) -> (loss, score)`` on the validation rows; given
        exactly when ``plan.early_stopping``.
    hooks : object
        Callback hooks (see the module's docstring).
    threads : object, optional
        Unused: the stochastic solvers run under the caller's thread policy.

    Returns
    -------
    TrainingResult
    """
    warnings = []
    optimizer = _optimizer(plan, data.layout, theta.dtype, record)
    X = data.X.tocsr() if sp.issparse(data.X) else data.X
    batch_size = _batch_size(plan, X.shape[0], warnings)
    trainer = BatchTrainer(
        data.layout,
        X,
        data.Y,
        data.sample_weight,
        batch_size,
        plan.alpha,
        plan.activation,
        data.out_activation,
        plan.max_grad_norm,
        _dropout(plan, data, batch_size, theta.dtype),
    )
    _follow_schedule(plan, optimizer, -(-X.shape[0] // trainer.batch_size))
    recorder = _layer_stats_recorder(plan, X, data.Y, data.out_activation)
    tracker = StoppingTracker.resume(record, plan, theta)
    regularizers = RegularizerSchedules(
        plan, optimizer, trainer.dropout, data.layout.n_coef
    )
    epochs = _run_epochs(
        plan,
        data,
        theta,
        trainer,
        optimizer,
        tracker,
        recorder,
        validate,
        hooks,
        record.samples_seen,
        warnings,
        regularizers,
    )
    if plan.early_stopping:
        theta[:] = tracker.best_params
    loss = tracker.loss_curve[-1] if tracker.loss_curve else None
    new_record = tracker.to_record(
        record.samples_seen + epochs * X.shape[0], optimizer.state()
    )
    _check_finite(theta)
    return TrainingResult(epochs, loss, new_record, recorder, warnings)


def _shuffled(order, random_state):
    # Permuting the previous order with a fresh shuffle of arange(n)
    # consumes the random state exactly as scikit-learn's MLP does, so
    # seeds reproduce its batches.
    permutation = np.arange(order.shape[0])
    random_state.shuffle(permutation)
    return order[permutation]


def _run_epochs(
    plan,
    data,
    theta,
    trainer,
    optimizer,
    tracker,
    recorder,
    validate,
    hooks,
    samples_seen,
    warnings,
    regularizers=None,
):
    """The epoch loop; returns the number of epochs completed."""
    layout, random_state = data.layout, data.random_state
    n_samples = trainer.X.shape[0]
    order = np.arange(n_samples)
    epochs = 0
    first_divergence = None  # early stopping only: what went wrong, when
    bad_score = None  # early stopping only: the first non-finite score's warning
    advice = divergence_advice(plan.alpha, trainer.sample_weight, trainer.batch_size)
    try:
        for _ in range(plan.max_iter):
            hooks.begin_task(layout, theta)
            if plan.shuffle:
                order = _shuffled(order, random_state)
            if regularizers is not None:
                regularizers.begin_epoch()
            epoch_loss = trainer.run_epoch(
                theta, optimizer, order if plan.shuffle else None
            )
            epoch = epochs + 1
            diverged = _divergence(epoch_loss, optimizer, epoch, theta.dtype)
            if diverged is not None and validate is None:
                raise divergence_error(diverged, advice)
            if plan.verbose:
                print(f"Iteration {epoch}, loss = {epoch_loss:.8f}")
            validation_loss = score = None
            if validate is not None:
                validation_loss, score = validate(theta)
                if plan.verbose:
                    print(f"Validation score: {score:f}")
                if diverged is None and not np.isfinite(score):
                    if np.isfinite(validation_loss):  # the scorer's doing
                        bad_score = bad_score or _non_finite_score(
                            validate, score, epoch, tracker.best_score
                        )
                    else:  # the network's output on the validation rows
                        diverged = (
                            f"The validation loss became {validation_loss} at "
                            f"epoch {epoch}; the optimization diverged."
                        )
            # An epoch counts once its record is complete: an interrupt in
            # the scorer leaves n_iter_, loss_curve_ and the scores aligned.
            stalled = tracker.update(epoch_loss, score, theta, validation_loss)
            epochs = epoch
            samples_seen += n_samples
            if recorder is not None:
                recorder.record(*layout.views(theta))
            optimizer.epoch_ended(samples_seen)
            stop = hooks.end_task(layout, theta)  # a callback asked to stop
            if diverged is not None and first_divergence is None:
                # scikit-learn (its #29504) trains on, recording the NaN
                # scores, and ends on the best validated weights. With no
                # finite score yet there is nothing to go back to.
                if not np.isfinite(tracker.best_score):
                    raise divergence_error(diverged, advice)
                first_divergence = diverged
            if stop:
                break
            if stalled:
                if optimizer.on_plateau(tracker.plateau_message(), plan.verbose):
                    break
                tracker.renew_patience()
            if plan.incremental:
                break
            if epochs == plan.max_iter:
                warnings.append(
                    (
                        CONVERGENCE,
                        f"Stochastic Optimizer: Maximum iterations ({plan.max_iter}) "
                        "reached and the optimization hasn't converged yet.",
                    )
                )
    except KeyboardInterrupt:
        warnings.append((USER, "Training interrupted by user."))
    if bad_score is not None:
        warnings.append((USER, bad_score))
    if first_divergence is not None:
        warnings.append(
            (
                CONVERGENCE,
                f"{NON_FINITE_WEIGHTS} {first_divergence} Early stopping restored "
                "the weights of the best validation score, "
                f"{tracker.best_score:.6g}. {advice}",
            )
        )
    return epochs


def _non_finite_score(validate, score, epoch, best_score):
    """The warning of early stopping's first non-finite score; raises if no
    finite score came before it (there are no weights to go back to)."""
    name = getattr(validate, "scorer_name", "the validation score")
    what = f"Early stopping's scorer, {name}, returned {score} at epoch {epoch}"
    if not np.isfinite(best_score):
        raise ValueError(
            f"{what}, and no finite score before it: early stopping cannot "
            "judge the epochs, and the model would stay untrained. Check that "
            "the scorer returns a number on the validation rows (a NaN score "
            "often means a metric undefined on them), or set scoring=None."
        )
    return (
        f"{what}. A non-finite score never counts as an improvement: the fit "
        f"keeps the weights of the best finite score, {best_score:.6g}."
    )


# ----------------------------------------------------------------------
# L-BFGS
def train_lbfgs(plan, data, theta, hooks=NO_HOOKS, threads=NO_THREAD_POLICY):
    """Train ``theta`` with scipy's L-BFGS-B on the full batch.

    The parameters are those of :func:`train_stochastic`, without the
    record and the validation (L-BFGS has neither).
    """
    layout, X, Y = data.layout, data.X, data.Y
    workspace = Workspace(layout, X.shape[0], theta.dtype)
    grad = np.empty_like(theta)
    recorder = _layer_stats_recorder(plan, X, Y, data.out_activation)
    progress = {"iterations": 0, "loss": np.nan}

    def loss_and_grad(x):
        hooks.begin_task(layout, x)
        theta[:] = x
        # Each evaluation, where the time goes, gets the caller's threads.
        with threads.callers_threads():
            progress["loss"] = loss_and_gradient(
                layout,
                theta,
                grad,
                X,
                Y,
                data.sample_weight,
                plan.alpha,
                plan.activation,
                data.out_activation,
                workspace,
            )
        return progress["loss"], grad.astype(np.float64)

    def after_iteration(x):
        progress["iterations"] += 1
        if recorder is not None:
            theta[:] = x
            recorder.record(*layout.views(theta))
        if plan.verbose:
            print(f"Iteration {progress['iterations']}, loss = {progress['loss']:.8f}")
        hooks.end_iteration(layout, x)  # may raise StopIteration

    # L-BFGS-B does its vector algebra with BLAS, and OpenBLAS splits long
    # dot products over its threads: the iterates would depend on the
    # thread count (which differs between n_jobs=1 and n_jobs=2).
    with threads.one_thread():
        result = minimize_lbfgs(
            loss_and_grad,
            theta,
            max_iter=plan.max_iter,
            max_fun=plan.max_fun,
            tol=plan.tol,
            callback=after_iteration,
        )
    if not np.isfinite(result.fun):
        # L-BFGS-B gives up at once on a non-finite loss and returns the
        # untrained start; a model that never trained must not pass as fitted.
        raise divergence_error(
            f"The training loss is {float(result.fun)}; the optimization diverged.",
            divergence_advice(plan.alpha, data.sample_weight, X.shape[0]),
        )
    warnings = []
    if result.status != 0 and not hooks.stopped:
        warnings.append(
            (
                CONVERGENCE,
                f"lbfgs failed to converge after {result.nit} iteration(s) "
                f"(status={result.status}): {result.message}. Increase max_iter "
                "or scale the data (see mlpinit.MeanNormStandardizer).",
            )
        )
    theta[:] = result.x
    _check_finite(theta)
    n_iter = min(int(result.nit), plan.max_iter)
    return TrainingResult(n_iter, float(result.fun), None, recorder, warnings)


def _check_finite(theta):
    if not np.isfinite(theta).all():
        raise divergence_error(
            "Training produced non-finite weights; the optimization diverged."
        )


def train(
    plan,
    data,
    theta,
    record=None,
    validate=None,
    hooks=NO_HOOKS,
    threads=NO_THREAD_POLICY,
):
    """Train ``theta`` in place as ``plan`` says; the solver picks the loop.

    See :func:`train_stochastic` and :func:`train_lbfgs`. ``record`` (the
    stochastic solvers' :class:`TrainingRecord`) defaults to a fresh one.

    Returns
    -------
    TrainingResult
    """
    if plan.solver == "lbfgs":
        return train_lbfgs(plan, data, theta, hooks, threads)
    if record is None:
        record = TrainingRecord()
    return train_stochastic(plan, data, theta, record, validate, hooks, threads)
