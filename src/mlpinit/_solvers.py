"""The two training loops of the MLP estimators: mini-batch epochs and L-BFGS.

:func:`fit_stochastic` (sgd and adam) runs the epochs over
:class:`~mlpinit._core.training.BatchTrainer` with the stopping rules of
scikit-learn's MLP; :func:`fit_lbfgs` hands the loss and gradient to scipy's
L-BFGS-B. Both train the flat parameter vector ``theta`` in place and set
the estimator's training record (``n_iter_``, ``loss_``, ``loss_curve_``,
...); :class:`~mlpinit._base_mlp.BaseMLP` validates before and checks after.
"""

import copy
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split

from mlpinit._blas_threads import BLAS_THREADS
from mlpinit._callbacks import NO_HOOKS
from mlpinit._core.layer_stats import LayerStatsRecorder
from mlpinit._core.network import Workspace, loss_and_gradient
from mlpinit._core.optimizers import SGD, Adam, minimize_lbfgs
from mlpinit._core.training import BatchTrainer, Dropout
from mlpinit._stopping import StoppingTracker

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


def _optimizer_state_is_finite(optimizer):
    """True if every array the optimizer carries (velocity, moments) is finite."""
    return all(
        np.isfinite(value).all()
        for name, value in vars(optimizer).items()
        if name[0] != "_" and isinstance(value, np.ndarray)
    )


def divergence_error(detail, advice=DIVERGENCE_ADVICE):
    """The ValueError of a fit that diverged.

    It begins with scikit-learn's own message, which code and tests match on,
    then says what happened (``detail``) and what to change (``advice``).
    """
    return ValueError(f"{NON_FINITE_WEIGHTS} {detail} {advice}")


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


def _resumed_optimizer(mlp, layout, dtype, incremental):
    n_params = layout.size
    if mlp.solver == "sgd":
        optimizer = SGD(
            n_params,
            dtype,
            mlp.learning_rate_init,
            mlp.learning_rate,
            mlp.momentum,
            mlp.nesterovs_momentum,
            mlp.power_t,
        )
    else:
        optimizer = Adam(
            n_params,
            dtype,
            mlp.learning_rate_init,
            mlp.beta_1,
            mlp.beta_2,
            mlp.epsilon,
        )
    if mlp.weight_decay:
        optimizer.decay_weights(mlp.weight_decay, layout.n_coef)
    if incremental and hasattr(mlp, "_optimizer_state"):
        # The optimizer's state is kept as plain arrays and numbers (not
        # the object) so that skops can load a fitted model safely.
        for name, value in mlp._optimizer_state.items():
            setattr(optimizer, name, copy.copy(value))
    return optimizer


def _stratification(mlp, data):
    """What early stopping's validation split is stratified on, or None.

    Binary (and one-class) targets: the binarized column as bool, which is
    scikit-learn's own choice, so the same seed draws the same validation
    rows and a class too small to split is named as scikit-learn names it
    ('True', 'False'). scikit-learn leaves multiclass unstratified (it
    stratifies only single-column targets); here multiclass is stratified by
    its labels, a documented departure. Multilabel is not stratified.
    """
    if not mlp._stratify_validation():
        return None
    return data.Y.astype(bool) if data.Y.shape[1] == 1 else data.y_labels


def _split_validation(mlp, data):
    """``data`` without the validation rows, which go to its ``validation``."""
    stratify = _stratification(mlp, data)
    arrays = [data.X, data.Y, data.y_labels]
    if data.sample_weight is not None:
        arrays.append(data.sample_weight)
    try:
        parts = train_test_split(
            *arrays,
            random_state=data.random_state,
            test_size=mlp.validation_fraction,
            stratify=stratify,
        )
    except ValueError as error:
        # scikit-learn's words first ("The least populated classes in y have
        # only 1 member", "test_size = 1 should be greater or equal to the
        # number of classes"), then what to change here.
        raise ValueError(
            f"{error} The validation set is too small: early_stopping=True "
            f"holds out validation_fraction={mlp.validation_fraction} of the "
            f"{data.X.shape[0]} samples"
            + (", stratified by class" if stratify is not None else "")
            + ", which cannot be done. Increase 'validation_fraction' or the "
            "size of your dataset, or set early_stopping=False."
        ) from error
    train, val = parts[0::2], parts[1::2]
    if val[0].shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    if data.sample_weight is None:
        train.append(None)
        val.append(None)
    return data._replace(
        X=train[0],
        Y=train[1],
        y_labels=train[2],
        sample_weight=train[3],
        validation=val,
    )


def _early_stopping_scorer(mlp):
    """None (the estimator's own score), ``"loss"``, or a scikit-learn scorer."""
    if mlp.scoring is None or mlp.scoring == "loss":
        return mlp.scoring
    return check_scoring(mlp, scoring=mlp.scoring)


def dropout_rates(mlp, n_hidden):
    """The drop probability of each hidden layer, or None if every one is 0."""
    rates = np.atleast_1d(np.asarray(mlp.dropout, dtype=np.float64))
    if rates.ndim != 1 or rates.size not in (1, n_hidden):
        raise ValueError(
            f"dropout must be one number or one per hidden layer ({n_hidden}); "
            f"got {mlp.dropout!r}."
        )
    if not np.all((rates >= 0) & (rates < 1)):
        raise ValueError(f"dropout rates must lie in [0, 1); got {mlp.dropout!r}.")
    rates = np.broadcast_to(rates, n_hidden)
    return [float(r) for r in rates] if rates.any() else None


def _dropout(mlp, data, batch_size, dtype):
    rates = dropout_rates(mlp, data.layout.n_layers - 2)
    if rates is None:
        return None
    # A generator of its own, seeded from the fit's random state: the masks
    # are reproducible, and numpy's Generator draws them several times faster.
    seed = data.random_state.randint(np.iinfo(np.int32).max)
    return Dropout(
        rates, data.layout.layer_units, batch_size, dtype, np.random.default_rng(seed)
    )


def _batch_size(mlp, n_samples):
    if mlp.batch_size == "auto":
        return min(200, n_samples)
    if mlp.batch_size > n_samples:
        warnings.warn(
            "Got `batch_size` less than 1 or larger than sample size. "
            "It is going to be clipped",
            stacklevel=2,
        )
    return int(np.clip(mlp.batch_size, 1, n_samples))


def _layer_stats_recorder(mlp, X, Y):
    if not mlp.record_layer_stats:
        return None
    return LayerStatsRecorder(X, Y, mlp.activation, mlp.out_activation_, mlp.alpha)


def _store_layer_stats(mlp, recorder):
    if recorder is not None:
        mlp.layer_stats_ = recorder.stacked_under(getattr(mlp, "layer_stats_", None))


def fit_stochastic(mlp, data, theta, incremental, callbacks=NO_HOOKS):
    """Train ``theta`` with sgd or adam, epoch by epoch, as ``mlp`` is set up.

    Parameters
    ----------
    mlp : BaseMLP
        The estimator: its parameters, and the record it continues
        (``warm_start``, ``partial_fit``), which is updated at the end.
    data : TrainingData
        What :meth:`BaseMLP._begin_fit` returned.
    theta : ndarray
        The flat parameter vector, trained in place.
    incremental : bool
        ``partial_fit``: one epoch, the optimizer's state carried over.
    callbacks : hooks from :func:`mlpinit._callbacks.fit_with_callbacks`
    """
    if mlp.early_stopping and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if mlp.warmup_epochs and mlp.learning_rate != "cosine":
        raise ValueError(
            f"warmup_epochs={mlp.warmup_epochs} is the warmup of "
            f"learning_rate='cosine'; with learning_rate={mlp.learning_rate!r} "
            "set warmup_epochs=0."
        )
    optimizer = _resumed_optimizer(mlp, data.layout, theta.dtype, incremental)
    if mlp.early_stopping:
        data = _split_validation(mlp, data)
        callbacks.train_on(data.X, data.y_labels, data.sample_weight)
    X = data.X.tocsr() if sp.issparse(data.X) else data.X
    batch_size = _batch_size(mlp, X.shape[0])
    trainer = BatchTrainer(
        data.layout,
        X,
        data.Y,
        data.sample_weight,
        batch_size,
        mlp.alpha,
        mlp.activation,
        mlp.out_activation_,
        mlp.max_grad_norm,
        _dropout(mlp, data, batch_size, theta.dtype),
    )
    if mlp.learning_rate == "cosine":
        updates_per_epoch = -(-X.shape[0] // trainer.batch_size)
        optimizer.follow_cosine(
            mlp.max_iter * updates_per_epoch, mlp.warmup_epochs * updates_per_epoch
        )
    recorder = _layer_stats_recorder(mlp, X, data.Y)
    tracker = StoppingTracker.resume(mlp, theta)
    epochs = _run_epochs(
        mlp, data, theta, trainer, optimizer, tracker, recorder, incremental, callbacks
    )
    if mlp.early_stopping:
        theta[:] = tracker.best_params
    mlp.n_iter_ = epochs
    mlp.t_ += epochs * X.shape[0]
    if tracker.loss_curve:
        mlp.loss_ = tracker.loss_curve[-1]
    else:
        mlp.loss_ = getattr(mlp, "loss_", None)
    tracker.store(mlp)
    mlp._optimizer_state = {
        name: value for name, value in vars(optimizer).items() if name[0] != "_"
    }
    _store_layer_stats(mlp, recorder)


def _run_epochs(
    mlp, data, theta, trainer, optimizer, tracker, recorder, incremental, callbacks
):
    """The epoch loop; returns the number of epochs completed."""
    layout, random_state = data.layout, data.random_state
    scorer = _early_stopping_scorer(mlp) if data.validation is not None else None
    n_samples = trainer.X.shape[0]
    order = np.arange(n_samples)
    samples_seen = mlp.t_
    epochs = 0
    first_divergence = None  # early stopping only: what went wrong, when
    try:
        for _ in range(mlp.max_iter):
            callbacks.begin_task(layout, theta)
            if mlp.shuffle:
                # Permuting the previous order with a fresh shuffle of
                # arange(n) consumes the random state exactly as
                # scikit-learn's MLP does, so seeds reproduce its batches.
                permutation = np.arange(n_samples)
                random_state.shuffle(permutation)
                order = order[permutation]
            epoch_loss = trainer.run_epoch(
                theta, optimizer, order if mlp.shuffle else None
            )
            diverged = _divergence(epoch_loss, optimizer, epochs + 1, theta.dtype)
            if diverged is not None and data.validation is None:
                raise divergence_error(diverged)
            epochs += 1
            samples_seen += n_samples
            if recorder is not None:
                recorder.record(*layout.views(theta))
            if mlp.verbose:
                print(f"Iteration {epochs}, loss = {epoch_loss:.8f}")
            validation_loss = score = None
            if data.validation is not None:
                validation_loss, score = mlp._validation_loss_and_score(
                    *layout.views(theta), data.validation, scorer
                )
                if mlp.verbose:
                    print(f"Validation score: {score:f}")
            stalled = tracker.update(epoch_loss, score, theta, validation_loss)
            optimizer.epoch_ended(samples_seen)
            stop = callbacks.end_task(layout, theta)  # a callback asked to stop
            if diverged is not None and first_divergence is None:
                # scikit-learn (its #29504) trains on, recording the NaN
                # scores, and ends on the best validated weights. With no
                # finite score yet there is nothing to go back to.
                if not np.isfinite(tracker.best_score):
                    raise divergence_error(diverged)
                first_divergence = diverged
            if stop:
                break
            if stalled:
                if optimizer.on_plateau(tracker.plateau_message(), mlp.verbose):
                    break
                tracker.renew_patience()
            if incremental:
                break
            if epochs == mlp.max_iter:
                warnings.warn(
                    f"Stochastic Optimizer: Maximum iterations ({mlp.max_iter}) "
                    "reached and the optimization hasn't converged yet.",
                    ConvergenceWarning,
                    stacklevel=2,
                )
    except KeyboardInterrupt:
        warnings.warn("Training interrupted by user.", stacklevel=2)
    if first_divergence is not None:
        warnings.warn(
            f"{NON_FINITE_WEIGHTS} {first_divergence} Early stopping restored "
            "the weights of the best validation score, "
            f"{tracker.best_score:.6g}. {DIVERGENCE_ADVICE}",
            ConvergenceWarning,
            stacklevel=2,
        )
    return epochs


def fit_lbfgs(mlp, data, theta, callbacks=NO_HOOKS):
    """Train ``theta`` with scipy's L-BFGS-B on the full batch.

    The parameters are those of :func:`fit_stochastic`.
    """
    layout, X, Y = data.layout, data.X, data.Y
    if dropout_rates(mlp, layout.n_layers - 2) is not None:
        raise ValueError(
            "dropout needs solver='sgd' or 'adam': L-BFGS needs a deterministic "
            "objective, and dropout draws a new network at every step. Set "
            "dropout=0 for solver='lbfgs'."
        )
    workspace = Workspace(layout, X.shape[0], theta.dtype)
    grad = np.empty_like(theta)
    recorder = _layer_stats_recorder(mlp, X, Y)
    progress = {"iterations": 0, "loss": np.nan}

    def loss_and_grad(x):
        callbacks.begin_task(layout, x)
        theta[:] = x
        # Each evaluation, where the time goes, gets the caller's threads.
        with BLAS_THREADS.callers_threads():
            progress["loss"] = loss_and_gradient(
                layout,
                theta,
                grad,
                X,
                Y,
                data.sample_weight,
                mlp.alpha,
                mlp.activation,
                mlp.out_activation_,
                workspace,
            )
        return progress["loss"], grad.astype(np.float64)

    def after_iteration(x):
        progress["iterations"] += 1
        if recorder is not None:
            theta[:] = x
            recorder.record(*layout.views(theta))
        if mlp.verbose:
            print(f"Iteration {progress['iterations']}, loss = {progress['loss']:.8f}")
        callbacks.end_iteration(layout, x)  # may raise StopIteration

    # L-BFGS-B does its vector algebra with BLAS, and OpenBLAS splits long
    # dot products over its threads: the iterates would depend on the
    # thread count (which differs between n_jobs=1 and n_jobs=2).
    with BLAS_THREADS.one_thread():
        result = minimize_lbfgs(
            loss_and_grad,
            theta,
            max_iter=mlp.max_iter,
            max_fun=mlp.max_fun,
            tol=mlp.tol,
            callback=after_iteration,
        )
    _finish_lbfgs(mlp, result, theta, callbacks)
    _store_layer_stats(mlp, recorder)


def _finish_lbfgs(mlp, result, theta, callbacks):
    if not np.isfinite(result.fun):
        # L-BFGS-B gives up at once on a non-finite loss and returns the
        # untrained start; a model that never trained must not pass as fitted.
        raise divergence_error(
            f"The training loss is {float(result.fun)}; the optimization diverged."
        )
    if result.status != 0 and not callbacks.stopped:
        warnings.warn(
            f"lbfgs failed to converge after {result.nit} iteration(s) "
            f"(status={result.status}): {result.message}. Increase max_iter "
            "or scale the data (see mlpinit.MeanNormStandardizer).",
            ConvergenceWarning,
            stacklevel=2,
        )
    theta[:] = result.x
    mlp.n_iter_ = min(int(result.nit), mlp.max_iter)
    mlp.loss_ = float(result.fun)


# ------------------------------------------------------------------
