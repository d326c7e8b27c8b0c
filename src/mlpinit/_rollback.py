"""Failure atomicity for the estimators' state-changing methods."""

from contextlib import contextmanager


@contextmanager
def rolled_back_on_error(estimator):
    """Restore ``estimator``'s attributes if the body raises.

    A shallow copy of the attribute dictionary suffices because fitting never
    mutates the arrays it replaces: training works on copies, and the
    attributes are reassigned only once it has succeeded. So a failed
    ``fit``, ``partial_fit`` or ``set_params`` leaves the estimator exactly as
    it was, including attributes that validation set before the failure
    (``n_features_in_``, ``feature_names_in_``).
    """
    before = dict(estimator.__dict__)
    try:
        yield estimator
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise
