"""MLPClassifier and MLPRegressor: scikit-learn's MLPs, plus a choice of init.

Drop-in replacements for :mod:`sklearn.neural_network`'s estimators: the same
parameters, defaults, fitted attributes and methods, with one new keyword,
``init``.
"""

import numpy as np
from sklearn.base import ClassifierMixin, RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from mlpinit._core.range_safe import (
    peak_magnitude,
    power_of_two_scale,
    r2_score_without_overflow,
    squares_overflow,
    squares_underflow,
)
from mlpinit._docs import INPUT_SCALE_NOTES, SHARED_ATTRIBUTES
from mlpinit._estimator import parameters
from mlpinit._estimator.base import BaseMLP
from mlpinit._estimator.targets import ClassifierTargets, RegressorTargets
from mlpinit._rollback import rolled_back_on_error


def target_type(classifier):
    """The kind of target a fitted :class:`MLPClassifier` learned.

    Parameters
    ----------
    classifier : MLPClassifier
        Fitted.

    Returns
    -------
    {"binary", "multiclass", "multilabel-indicator"}
        As :func:`sklearn.utils.multiclass.type_of_target` names it; it fixes
        the output layer (one logistic unit, a softmax, one logistic unit per
        label) and what ``predict`` returns.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit import MLPClassifier
    >>> from mlpinit.neural_network import target_type
    >>> clf = MLPClassifier(hidden_layer_sizes=(4,), solver="lbfgs", max_iter=200)
    >>> target_type(clf.fit(np.eye(6), np.arange(6) % 3))
    'multiclass'
    """
    check_is_fitted(classifier)
    return classifier._learned_target_type()


class MLPClassifier(ClassifierMixin, ClassifierTargets, BaseMLP):
    __doc__ = (
        """Multi-layer perceptron classifier with a choice of weight initialization.

A drop-in replacement for :class:`sklearn.neural_network.MLPClassifier`: the
same parameters, attributes and methods, plus ``class_weight``, ``init``,
``max_grad_norm``, ``record_layer_stats``, ``scoring``, ``weight_decay``,
``warmup_epochs``, ``dropout``, ``bias_init``, ``weight_decay_schedule`` and
``dropout_schedule`` (the parameters after scikit-learn's,
listed last below), the activations ``leaky_relu``, ``elu``, ``selu``,
``gelu`` and ``silu``, and ``learning_rate="cosine"``. It minimizes the log
loss with a logistic output (binary and multilabel) or a softmax output
(multiclass).

Parameters
----------
"""
        + parameters.documentation(
            parameters.SHARED, parameters.CLASS_WEIGHT, parameters.TRAINING
        )
        + """
Attributes
----------
classes_ : ndarray of shape (n_classes,)
    Class labels; for multilabel targets, ``arange(n_labels)``.

"""
        + SHARED_ATTRIBUTES
        + """
See Also
--------
MLPRegressor : The regression counterpart.
MeanNormStandardizer : The article's input normalization.
sklearn.neural_network.MLPClassifier : The estimator this one replaces.

Notes
-----
"""
        + INPUT_SCALE_NOTES
        + """
Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from mlpinit import MeanNormStandardizer, MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> model = make_pipeline(
...     MeanNormStandardizer(),
...     MLPClassifier(hidden_layer_sizes=(16,), init="he", solver="lbfgs",
...                   max_iter=500, random_state=0),
... ).fit(X, y)
>>> model.predict(X[:3])
array([0, 0, 0])
>>> float(model.score(X, y)) > 0.9
True

On imbalanced classes, ``class_weight="balanced"`` weighs each class by the
inverse of its frequency, as in scikit-learn's other classifiers:

>>> import numpy as np
>>> from sklearn.datasets import make_classification
>>> from sklearn.metrics import recall_score
>>> X, y = make_classification(500, weights=[0.95], random_state=0)
>>> balanced = MLPClassifier((16,), solver="lbfgs", max_iter=300, random_state=0,
...                          class_weight="balanced").fit(X, y)
>>> float(recall_score(y, balanced.predict(X))) > 0.9
True

Decoupled weight decay (AdamW) keeps the weights smaller:

>>> plain = MLPClassifier((16,), max_iter=500, random_state=0).fit(X, y)
>>> decayed = MLPClassifier((16,), max_iter=500, random_state=0,
...                         weight_decay=0.5).fit(X, y)
>>> bool(np.linalg.norm(decayed.coefs_[0]) < np.linalg.norm(plain.coefs_[0]))
True

Dropout thins the hidden layers while training; ``predict`` uses them whole:

>>> thinned = MLPClassifier((64, 32), dropout=[0.5, 0.2], max_iter=500,
...                         random_state=0).fit(X, y)
>>> float(thinned.score(X, y)) > 0.9
True
"""
    )

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        max_grad_norm=None,
        record_layer_stats=False,
        class_weight=None,
        scoring=None,
        weight_decay=0.0,
        warmup_epochs=0,
        dropout=0.0,
        bias_init=None,
        weight_decay_schedule="constant",
        dropout_schedule="constant",
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.init = init
        self.max_grad_norm = max_grad_norm
        self.record_layer_stats = record_layer_stats
        self.class_weight = class_weight
        self.scoring = scoring
        self.weight_decay = weight_decay
        self.warmup_epochs = warmup_epochs
        self.dropout = dropout
        self.bias_init = bias_init
        self.weight_decay_schedule = weight_decay_schedule
        self.dropout_schedule = dropout_schedule

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        **parameters.constraints(parameters.CLASS_WEIGHT),
    }

    # -- targets ------------------------------------------------------------
    # -- public API -----------------------------------------------------------
    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and labels ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 input trains in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a label indicator matrix for multilabel.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is their weighted mean.

        Returns
        -------
        self : MLPClassifier
            The fitted estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_partial_fit_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.
        classes : array-like of shape (n_classes,), default=None
            Every class that any call will see. Required on the first call,
            ignored afterwards. Labels outside it raise a ValueError.

        Returns
        -------
        self : MLPClassifier
            The updated estimator.
        """
        self._validate_params()
        with rolled_back_on_error(self):
            self._start_partial_fit(y, classes)
            return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict class labels.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted labels.
        """
        X = self._check_fitted_input(X)
        return self._labels_from_output(self._forward(X))

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, in the order of ``classes_``.
            Logistic outputs (binary and multilabel) are clipped to
            ``[eps, 1 - eps]``: in floating point the logistic saturates to
            exactly 0 or 1, while scikit-learn's multilabel ``predict_proba``
            check requires the open interval (0, 1); clipping also keeps
            ``predict_log_proba`` finite.
        """
        X = self._check_fitted_input(X)
        return self._proba_from_output(self._forward(X))

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            ``log(predict_proba(X))``.
        """
        proba = self.predict_proba(X)
        return np.log(proba, out=proba)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        return tags


class MLPRegressor(RegressorMixin, RegressorTargets, BaseMLP):
    __doc__ = (
        """Multi-layer perceptron regressor with a choice of weight initialization.

A drop-in replacement for :class:`sklearn.neural_network.MLPRegressor`: the
same parameters, attributes and methods, plus ``init``, ``max_grad_norm``,
``record_layer_stats``, ``scoring``, ``weight_decay``, ``warmup_epochs``,
``dropout``, ``bias_init``, ``weight_decay_schedule`` and
``dropout_schedule`` (the parameters after scikit-learn's, listed last
below), the
activations ``leaky_relu``, ``elu``, ``selu``, ``gelu`` and ``silu``, and
``learning_rate="cosine"``. It minimizes the squared error with an identity
output, or the Poisson deviance with an exponential output.

Parameters
----------
loss : {"squared_error", "poisson"}, default="squared_error"
    ``"poisson"`` needs non-negative targets; negative ones raise a
    ValueError (scikit-learn accepts them silently).

"""
        + parameters.documentation(parameters.SHARED, parameters.TRAINING)
        + """
Attributes
----------
"""
        + SHARED_ATTRIBUTES
        + """
See Also
--------
MLPClassifier : The classification counterpart.
sklearn.neural_network.MLPRegressor : The estimator this one replaces.

Notes
-----
One deliberate departure from scikit-learn: with several outputs and
``loss="squared_error"``, the loss is half the squared error *summed* over
the outputs (averaged over the samples), the function whose gradient both
libraries follow. scikit-learn reports that loss divided by ``n_outputs``
(its issue #8349), so with several outputs ``loss_``, ``loss_curve_`` and the
``tol`` stopping rule differ from its by that factor while SGD and Adam take
the same steps, and L-BFGS here searches along a consistent loss and
gradient. Single-output fits are unaffected. The user guide lists every
departure in one place (:ref:`departures`).

"""
        + INPUT_SCALE_NOTES
        + """
Examples
--------
>>> from sklearn.datasets import load_diabetes
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from mlpinit import MLPRegressor
>>> X, y = load_diabetes(return_X_y=True)
>>> model = make_pipeline(
...     StandardScaler(),
...     MLPRegressor(hidden_layer_sizes=(32,), solver="lbfgs", init="xavier",
...                  activation="tanh", max_iter=3000, random_state=0),
... ).fit(X, y / 100)
>>> model.predict(X[:2]).shape
(2,)

Early stopping on the validation loss, whose curve is kept:

>>> stopped = MLPRegressor(hidden_layer_sizes=(16,), early_stopping=True,
...                        scoring="loss", max_iter=500, random_state=0)
>>> stopped = stopped.fit(X, y / 100)
>>> len(stopped.validation_loss_curve_) == stopped.n_iter_
True
>>> stopped.best_validation_score_ == -min(stopped.validation_loss_curve_)
True

Adam on a cosine schedule with two epochs of warmup, over its 50 epochs.
``tol=0`` runs all 50 on purpose (the schedule ends at rate 0), so the
ConvergenceWarning that says max_iter was reached is expected here:

>>> import warnings
>>> from sklearn.exceptions import ConvergenceWarning
>>> cosine = MLPRegressor(hidden_layer_sizes=(16,), learning_rate="cosine",
...                       warmup_epochs=2, max_iter=50, tol=0, random_state=0)
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", ConvergenceWarning)
...     cosine = cosine.fit(X, y / 100)
>>> cosine.n_iter_
50
"""
    )

    _parameter_constraints: dict = {
        **BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size="auto",
        learning_rate="constant",
        learning_rate_init=0.001,
        power_t=0.5,
        max_iter=200,
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=False,
        validation_fraction=0.1,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        n_iter_no_change=10,
        max_fun=15000,
        init="auto",
        max_grad_norm=None,
        record_layer_stats=False,
        scoring=None,
        weight_decay=0.0,
        warmup_epochs=0,
        dropout=0.0,
        bias_init=None,
        weight_decay_schedule="constant",
        dropout_schedule="constant",
    ):
        self.loss = loss
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.init = init
        self.max_grad_norm = max_grad_norm
        self.record_layer_stats = record_layer_stats
        self.scoring = scoring
        self.weight_decay = weight_decay
        self.warmup_epochs = warmup_epochs
        self.dropout = dropout
        self.bias_init = bias_init
        self.weight_decay_schedule = weight_decay_schedule
        self.dropout_schedule = dropout_schedule

    def fit(self, X, y, sample_weight=None):
        """Fit the model to data ``X`` and targets ``y``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. float32 input trains in float32.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights; the loss is their weighted mean.

        Returns
        -------
        self : MLPRegressor
            The fitted estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(lambda est: est._check_partial_fit_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : MLPRegressor
            The updated estimator.
        """
        self._validate_params()
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X):
        """Predict targets.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Predicted values.
        """
        X = self._check_fitted_input(X)
        output = self._forward(X)
        return output.ravel() if output.shape[1] == 1 else output

    def score(self, X, y, sample_weight=None):
        """Coefficient of determination R^2 of ``predict(X)`` against ``y``.

        As :meth:`sklearn.base.RegressorMixin.score`, except for targets or
        predictions beyond ``2**400`` (about 2.6e120), or targets all below
        ``2**-400``, whose squares would overflow or vanish: their sums of
        squares are taken on values scaled by powers of two (exact), so that
        values near either end of the float range score what they should
        (possibly ``-inf``), not NaN or the 0.0 of a constant target.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Samples.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets.
        sample_weight : array-like of shape (n_samples,), default=None
            Sample weights.

        Returns
        -------
        score : float
            R^2 of ``self.predict(X)`` against ``y``.
        """
        y_pred = self.predict(X)
        values = np.asarray(y)
        if values.dtype.kind == "f" and values.size:
            with np.errstate(invalid="ignore"):  # NaN and inf: r2_score refuses them
                peak_y = float(peak_magnitude(values))
                peak = max(peak_y, float(np.abs(y_pred).max()))
            if np.isfinite(peak) and (
                squares_overflow(peak) or squares_underflow(peak_y)
            ):
                # Validates the inputs exactly as r2_score does.
                factor = power_of_two_scale(peak)
                r2_score(values * factor, y_pred * factor, sample_weight=sample_weight)
                return r2_score_without_overflow(values, y_pred, sample_weight)
        return r2_score(y, y_pred, sample_weight=sample_weight)
