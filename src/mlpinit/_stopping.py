"""The stochastic solvers' stopping bookkeeping, as one object.

Each epoch ends with one :meth:`StoppingTracker.update`: it records the
training loss (and, with early stopping, the validation score), keeps the
best score's weights, and counts the epochs without ``tol`` improvement, the
rule scikit-learn's MLP stops on.

A fit works on a tracker resumed from the estimator (its lists copied), and
writes it back with :meth:`StoppingTracker.store` only after training has
succeeded: a fit that raises half way leaves the estimator's record as it was.
"""

import numpy as np


class StoppingTracker:
    """Loss curve, validation scores, best values and the no-improvement count.

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
    >>> from mlpinit._stopping import StoppingTracker
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
    def resume(cls, estimator, theta):
        """A tracker holding copies of ``estimator``'s record; ``theta`` its weights."""
        scores = estimator.validation_scores_
        losses = getattr(estimator, "validation_loss_curve_", None)
        if losses is None and estimator.early_stopping:
            losses = []  # a warm start from a model fitted without it
        best_params = estimator._best_params
        best_loss, best_score = estimator.best_loss_, estimator.best_validation_score_
        # A warm start that switches early_stopping on or off starts the
        # record it lacks (scikit-learn fails on None here).
        if estimator.early_stopping and scores is None:
            scores, best_score = [], -np.inf
        if not estimator.early_stopping and best_loss is None:
            best_loss = np.inf
        return cls(
            early_stopping=estimator.early_stopping,
            tol=estimator.tol,
            n_iter_no_change=estimator.n_iter_no_change,
            loss_curve=list(estimator.loss_curve_),
            validation_scores=None if scores is None else list(scores),
            validation_losses=None if losses is None else list(losses),
            best_loss=best_loss,
            best_score=best_score,
            no_improvement=estimator._no_improvement_count,
            best_params=theta.copy() if best_params is None else best_params,
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

    def store(self, estimator):
        """Write the record back to ``estimator``'s attributes."""
        estimator.loss_curve_ = self.loss_curve
        estimator.validation_scores_ = self.validation_scores
        estimator.validation_loss_curve_ = self.validation_losses
        estimator.best_loss_ = self.best_loss
        estimator.best_validation_score_ = self.best_score
        estimator._no_improvement_count = self.no_improvement
        estimator._best_params = self.best_params


def fresh_record(estimator):
    """The attributes a first fit starts from, set on ``estimator``."""
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
