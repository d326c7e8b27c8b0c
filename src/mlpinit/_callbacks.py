"""Support for scikit-learn's experimental callback API (``sklearn.callback``).

scikit-learn 1.9 ships ``sklearn.callback``: an estimator that opts in gets a
``set_callbacks`` method, opens a *callback context* at the start of ``fit``,
and reports each unit of work (here: each epoch of ``sgd``/``adam``, each
iteration of ``lbfgs``) as a sub-task, so that ``ProgressBar`` can draw a bar
over epochs and ``ScoringMonitor`` can score the model after each one (its log
also has one row for the whole fit, the root task, as for scikit-learn's own
estimators: 51 rows for 50 epochs). Inside a
meta-estimator that supports callbacks (``GridSearchCV``, ``Pipeline``), the
MLP's task tree is attached under the meta-estimator's, so the bars nest.

Under ``n_jobs=2`` (``GridSearchCV``, ``cross_val_score``) the workers'
warnings, a ConvergenceWarning per unconverged fit, break the bars' lines.
The cause is outside this module: ``ProgressBar`` draws a rich live display
in the main process, which captures that process's output only, while each
joblib worker process writes its warnings straight to the shared stderr. The
remedy is on the caller's side: ``warnings.filterwarnings("ignore",
category=ConvergenceWarning)`` (or raise ``max_iter``) before the fit;
scikit-learn's ``Parallel`` hands the filters on to the workers.

On an older scikit-learn the whole feature is absent: ``set_callbacks`` raises
an ``AttributeError`` that says which version is needed, ``hasattr(model,
"set_callbacks")`` is False, and fitting does exactly what it did before.

The estimators call three things from here: :class:`CallbackSupport` (a mixin),
:func:`fit_with_callbacks` (wraps one ``fit`` or ``partial_fit``) and the
hooks object it hands to the fitting code, whose methods are no-ops when no
callback is set.
"""

import sklearn

try:  # scikit-learn >= 1.9
    from sklearn.callback import CallbackSupportMixin as _SklearnCallbackSupport
    from sklearn.callback import with_callbacks as _with_callbacks

    CALLBACK_API_AVAILABLE = True
except ImportError:  # pragma: no cover - exercised on scikit-learn < 1.9 only
    _SklearnCallbackSupport = None
    _with_callbacks = None
    CALLBACK_API_AVAILABLE = False

import numpy as np
import scipy

from mlpinit._core.optimizers import STOCHASTIC_SOLVERS

__all__ = ["CALLBACK_API_AVAILABLE", "CallbackSupport", "fit_with_callbacks"]

# scipy.optimize.minimize stops L-BFGS cleanly when its callback raises
# StopIteration from scipy 1.11 on; before that the exception would escape.
_SCIPY_HONOURS_STOP_ITERATION = tuple(
    int(part) for part in scipy.__version__.split(".")[:2]
) >= (1, 11)

UNAVAILABLE_MESSAGE = (
    "set_callbacks needs scikit-learn's experimental callback API "
    "(sklearn.callback), which ships with scikit-learn >= 1.9; this is "
    "scikit-learn {version}. Upgrade scikit-learn to use ProgressBar or "
    "ScoringMonitor; verbose=True prints per-epoch progress on any version."
)


class _UnavailableMethod:
    """A method that exists only on newer scikit-learn: its lookup raises."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, owner=None):
        # An AttributeError makes hasattr() False, which is how scikit-learn's
        # meta-estimators decide whether a sub-estimator supports callbacks.
        raise AttributeError(UNAVAILABLE_MESSAGE.format(version=sklearn.__version__))


if CALLBACK_API_AVAILABLE:

    class CallbackSupport(_SklearnCallbackSupport):
        """scikit-learn's ``CallbackSupportMixin``: adds ``set_callbacks``."""

else:  # pragma: no cover - exercised on scikit-learn < 1.9 only

    class CallbackSupport:
        """Stand-in for scikit-learn < 1.9: ``set_callbacks`` is absent."""

        set_callbacks = _UnavailableMethod()


class _NoHooks:
    """The hooks of a fit without callbacks: every call does nothing."""

    stopped = False

    def train_on(self, X, y, sample_weight, dtype):
        pass

    def begin_task(self, layout, theta):
        pass

    def end_task(self, layout, theta):
        return False

    def end_iteration(self, layout, theta):
        pass

    def close(self):
        pass


NO_HOOKS = _NoHooks()


def _fitted_arrays(layout, theta, dtype):
    """``coefs_``/``intercepts_`` as they are now, decoupled from training."""
    coefs, intercepts = layout.views(np.array(theta, dtype=dtype))
    return {"coefs_": coefs, "intercepts_": intercepts}


class _Hooks:
    """Reports each epoch (or L-BFGS iteration) of one fit as a sub-task.

    Parameters
    ----------
    estimator : BaseMLP
        The estimator being fitted.
    context : sklearn.callback.CallbackContext
        The root context of this fit.
    task_name : str
        Name of each sub-task (``"epoch"`` or ``"lbfgs-iteration"``).
    """

    def __init__(self, estimator, context, task_name):
        self.estimator = estimator
        self.context = context
        self.task_name = task_name
        self.task = None
        self.stopped = False
        self.X = self.y = self.metadata = self.dtype = None

    def train_on(self, X, y, sample_weight, dtype):
        """Set the rows the next tasks train on (after any validation split),
        and the training dtype, which the fitted arrays handed out keep."""
        self.X, self.y, self.dtype = X, y, dtype
        self.metadata = (
            None if sample_weight is None else {"sample_weight": sample_weight}
        )

    def _call(self, hook, layout, theta):
        return hook(
            estimator=self.estimator,
            X=self.X,
            y=self.y,
            metadata=self.metadata,
            # Evaluated only if a callback asks for ``fitted_estimator``.
            reconstruction_attributes=lambda: _fitted_arrays(layout, theta, self.dtype),
        )

    def begin_task(self, layout, theta):
        """Open the next epoch's sub-task, unless one is open already.

        ``theta`` is the starting point. L-BFGS calls this on every loss
        evaluation, since scipy reports the end of an iteration, never its
        start: the first evaluation after an iteration opens the next task.
        """
        if self.task is None:
            self.task = self.context.subcontext(task_name=self.task_name)
            self._call(self.task.call_on_fit_task_begin, layout, theta)

    def end_task(self, layout, theta):
        """Close the open sub-task; return True if a callback asks to stop."""
        task, self.task = self.task, None
        stop = bool(self._call(task.call_on_fit_task_end, layout, theta))
        self.stopped = self.stopped or stop
        return stop

    def end_iteration(self, layout, theta):
        """L-BFGS iteration done: close its task, and stop scipy if asked to."""
        self.begin_task(layout, theta)
        if self.end_task(layout, theta) and _SCIPY_HONOURS_STOP_ITERATION:
            raise StopIteration

    def close(self):
        """End a task that was opened but never finished (L-BFGS gave up)."""
        if self.task is not None:
            task, self.task = self.task, None
            task.call_on_fit_task_end(estimator=self.estimator)


def _wants_callbacks(estimator):
    return CALLBACK_API_AVAILABLE and (
        bool(getattr(estimator, "_skl_callbacks", None))
        or hasattr(estimator, "_parent_callback_ctx")
    )


def _run_in_context(estimator, fit, max_subtasks, X, y, sample_weight):
    metadata = None if sample_weight is None else {"sample_weight": sample_weight}
    context = estimator._init_callback_context(max_subtasks=max_subtasks)
    context.call_on_fit_task_begin(estimator=estimator, X=X, y=y, metadata=metadata)
    stochastic = estimator.solver in STOCHASTIC_SOLVERS
    task_name = "epoch" if stochastic else "lbfgs-iteration"
    hooks = _Hooks(estimator, context, task_name)
    result = fit(hooks)
    hooks.close()
    context.call_on_fit_task_end(
        estimator=estimator,
        X=X,
        y=y,
        metadata=metadata,
        reconstruction_attributes={},
    )
    return result


if CALLBACK_API_AVAILABLE:
    # ``with_callbacks`` tears the callbacks down whether the fit succeeds or not.
    _run_in_context = _with_callbacks(_run_in_context)


def fit_with_callbacks(estimator, fit, *, max_subtasks, X, y, sample_weight=None):
    """Run ``fit(hooks)`` inside the estimator's callback context.

    Parameters
    ----------
    estimator : BaseMLP
        The estimator being fitted.
    fit : callable
        ``fit(hooks)`` does the work and calls the hooks once per epoch.
    max_subtasks : int
        Most epochs (or L-BFGS iterations) this call can run.
    X, y : array-like
        The training data as the user passed it, for the root task.
    sample_weight : array-like or None, default=None
        Passed to the callbacks as metadata.

    Returns
    -------
    result : object
        What ``fit`` returned.
    """
    if not _wants_callbacks(estimator):
        return fit(NO_HOOKS)
    return _run_in_context(estimator, fit, max_subtasks, X, y, sample_weight)
