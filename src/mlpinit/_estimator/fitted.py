"""The fitted attributes of the training record: read, start, write.

The only code that reads or writes the estimators' fitted private
attributes of training (``_optimizer_state``, ``_best_params``,
``_no_improvement_count``) and the public record (``loss_curve_``,
``validation_scores_``, ``best_loss_``, ...). The engine works on a
:class:`~mlpinit._core.engine.TrainingRecord`; :func:`record_of` builds one
from an estimator and :func:`store` writes a result back, only after
training has succeeded, so a fit that raises half way leaves the
estimator's record as it was. The names and the ``_optimizer_state``
format (a dict of the optimizer's public attributes, plain arrays and
numbers) are those of files written by earlier versions.
"""

import numpy as np

from mlpinit._core.engine import TrainingRecord
from mlpinit._core.layer_stats import stack_records


def fresh_record(estimator):
    """The attributes a first fit of a stochastic solver starts from."""
    estimator.loss_curve_ = []
    estimator._no_improvement_count = 0
    if estimator.early_stopping:
        estimator.validation_scores_ = []
        estimator.validation_loss_curve_ = []
        estimator.best_validation_score_ = -np.inf
        estimator.best_loss_ = None
    else:
        estimator.best_loss_ = np.inf
        estimator.validation_scores_ = None
        estimator.validation_loss_curve_ = None
        estimator.best_validation_score_ = None


def forget_training(estimator):
    """A fresh start forgets the state a warm start would continue from."""
    estimator._best_params = None
    estimator.__dict__.pop("_optimizer_state", None)
    estimator.__dict__.pop("layer_stats_", None)


def record_of(estimator, early_stopping):
    """The :class:`TrainingRecord` a fit of ``estimator`` continues.

    A warm start that switches early stopping on or off starts the part of
    the record it lacks (scikit-learn fails on None there).
    """
    scores = estimator.validation_scores_
    losses = getattr(estimator, "validation_loss_curve_", None)
    if losses is None and early_stopping:
        losses = []  # a warm start from a model fitted without it
    best_loss, best_score = estimator.best_loss_, estimator.best_validation_score_
    if early_stopping and scores is None:
        scores, best_score = [], -np.inf
    if not early_stopping and best_loss is None:
        best_loss = np.inf
    return TrainingRecord(
        loss_curve=list(estimator.loss_curve_),
        validation_scores=None if scores is None else list(scores),
        validation_losses=None if losses is None else list(losses),
        best_loss=best_loss,
        best_score=best_score,
        no_improvement=estimator._no_improvement_count,
        best_params=estimator._best_params,
        samples_seen=estimator.t_,
        optimizer_state=getattr(estimator, "_optimizer_state", None),
    )


def store(estimator, result):
    """Write the engine's ``result`` to ``estimator``'s fitted attributes."""
    estimator.n_iter_ = result.n_iter
    record = result.record
    if record is None:  # L-BFGS
        estimator.loss_ = result.loss
        _store_layer_stats(estimator, result.layer_stats)
        return
    estimator.t_ = record.samples_seen
    estimator.loss_ = (
        result.loss if result.loss is not None else getattr(estimator, "loss_", None)
    )
    estimator.loss_curve_ = record.loss_curve
    estimator.validation_scores_ = record.validation_scores
    estimator.validation_loss_curve_ = record.validation_losses
    estimator.best_loss_ = record.best_loss
    estimator.best_validation_score_ = record.best_score
    estimator._no_improvement_count = record.no_improvement
    estimator._best_params = record.best_params
    estimator._optimizer_state = record.optimizer_state
    _store_layer_stats(estimator, result.layer_stats, len(record.loss_curve))


def _store_layer_stats(estimator, recorder, n_epochs=None):
    # n_epochs (stochastic solvers: len(loss_curve_)) keeps one row per epoch
    # when record_layer_stats was off for some warm or partial fits: their
    # epochs get NaN rows.
    previous = getattr(estimator, "layer_stats_", None)
    if recorder is not None:
        stacked = recorder.stacked_under(previous, n_epochs)
    else:
        stacked = stack_records(previous, None, n_epochs)
    if stacked is not None:
        estimator.layer_stats_ = stacked
