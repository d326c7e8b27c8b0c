"""TabularMLPClassifier and TabularMLPRegressor: MLPs with defaults for tabular data.

They take raw numeric ``X`` (and, for regression, raw ``y``) and do their
own scaling inside; every default is one that the ablation
(``benchmarks/tabular_ablation.py``) supports on real data sets. They are
:class:`~mlpinit.MLPClassifier` and :class:`~mlpinit.MLPRegressor` with other
defaults and a few more parameters, so everything those promise
(``sample_weight``, ``class_weight``, ``random_state``, ``partial_fit``,
``warm_start``, skops) holds here too.
"""

from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_sample_weight

from mlpinit._core.range_safe import (
    peak_magnitude,
    r2_score_without_overflow,
    range_safe_factor,
    squares_overflow,
    squares_underflow,
)
from mlpinit._estimator.targets import _check_targets_fit

# The one import of the estimators these extend.
from mlpinit.neural_network import MLPClassifier, MLPRegressor
from mlpinit.preprocessing import (
    MeanNormStandardizer,
    PeriodicFeatures,
    RobustSmoothClipScaler,
)

__all__ = ["TabularMLPClassifier", "TabularMLPRegressor"]

_SCALERS = {
    "robust": RobustSmoothClipScaler,
    "rms": lambda: MeanNormStandardizer(norm="rms"),
    "l2": MeanNormStandardizer,
}

# Defaults shared by both estimators, where they differ from MLPClassifier's.
TABULAR_DEFAULTS = dict(
    hidden_layer_sizes=(256, 256, 256),
    init="he",
    learning_rate="cosine",
    learning_rate_init=0.004,
    beta_2=0.95,
    batch_size=256,
    max_iter=100,
    early_stopping=True,
    validation_fraction=0.2,
    n_iter_no_change=np.inf,
    dropout=0.15,
    weight_decay=2.0,
    weight_decay_schedule="flat_cos",
    scaling="l2",
    dtype=np.float32,
)

# The starts of the two engine warnings that the design makes expected.
_MAX_ITER_REACHED = "Stochastic Optimizer: Maximum iterations"
_CLIPPED_BATCH = "Got `batch_size` less than 1 or larger than sample size"
# Schedules that bring the rate to 0 at max_iter: reaching it is the plan.
_SCHEDULES_TO_ZERO = ("cosine", "coslog4", "flat_cos")

_TABULAR_CONSTRAINTS = {
    "scaling": [StrOptions(set(_SCALERS)), None],
    "periodic_features": [Interval(Integral, 0, None, closed="left")],
    "periodic_sigma": [Interval(Real, 0, None, closed="neither")],
    "dtype": [Options(type, {np.float32, np.float64}), None],
}


def _in_training_dtype(X, dtype):
    """The scaled rows cast to ``dtype``, refused if it cannot hold them.

    A fitted scaling bounds the rows it was fitted on, not others: a
    partial_fit on rows of another scale can leave float32's range.
    """
    largest = float(np.finfo(dtype).max)
    values = X.data if sp.issparse(X) else X
    if values.size and np.dtype(values.dtype).itemsize > np.dtype(dtype).itemsize:
        peak = float(peak_magnitude(values))
        if peak > largest:
            raise ValueError(
                f"X, once scaled, reaches {peak:.1e}, beyond the largest "
                f"{np.dtype(dtype)} number ({largest:.1e}), the dtype this model "
                "trains in: the fitted scaling does not bound rows of another "
                "scale. Fit on these rows, or set dtype=np.float64."
            )
    return X.astype(dtype, copy=False)


def _checked_weights(sample_weight, X):
    """The fit's weights validated as the MLP validates them (None stays None)."""
    if sample_weight is None:
        return None
    return _check_sample_weight(
        sample_weight, X, dtype=np.float64, ensure_non_negative=True
    )


def _mean_and_std(Y, sample_weight):
    """Per-column mean and standard deviation (``ddof=0``), weighted as repeats.

    Targets beyond ``2**400`` or all below ``2**-400``, whose squares would
    overflow or vanish, are scaled by a power of two first (exact) and the
    statistics scaled back; ordinary targets get plain numpy, bit for bit.
    """
    factor = range_safe_factor(peak_magnitude(Y, axis=0))
    Z = Y * factor
    if sample_weight is None:
        mean, std = Z.mean(axis=0), Z.std(axis=0)
    else:
        mean = np.average(Z, axis=0, weights=sample_weight)
        std = np.sqrt(np.average((Z - mean) ** 2, axis=0, weights=sample_weight))
    return mean / factor, std / factor


class _TabularInput:
    """Input scaling (and periodic features) fitted inside ``fit``.

    Mixed in before the MLP class: it wraps the two places where the MLP
    validates ``X``, in training (``_validate_input``) and in prediction
    (``_check_fitted_input``), so the network only ever sees scaled inputs.
    """

    def _fit_input_transforms(self, X, sample_weight):
        steps = []
        if self.scaling is not None:
            steps.append(_SCALERS[self.scaling]())
        if self.periodic_features:
            # Its own seed, drawn only when there are periodic features, so
            # that without them the weights are drawn as MLPClassifier's.
            seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
            steps.append(
                PeriodicFeatures(
                    self.periodic_features, sigma=self.periodic_sigma, random_state=seed
                )
            )
        for step in steps:
            X = step.fit_transform(X, sample_weight=sample_weight)
        self.input_transforms_ = steps
        return X

    def _transform_input(self, X, dtype=None):
        """X scaled in ``dtype`` (None: X's float dtype, float64 for others)."""
        if getattr(self, "_scaled_during_fit", False):
            return X  # early stopping's scorer: X_val is scaled already
        # Cast first: a float16 X scaled in float16, or (in prediction) a
        # float32 X scaled in float32 for the float64 prediction, would lose
        # digits that the network keeps.
        if dtype is None:
            dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        X = X.astype(dtype, copy=False)
        for step in self.input_transforms_:
            X = step.transform(X)
        return X.astype(dtype, copy=False)

    def _validation_loss_and_score(self, coefs, intercepts, validation, scorer):
        # A scorer calls predict on early stopping's X_val, which fit has
        # already scaled: predict must not scale it a second time.
        self._scaled_during_fit = True
        try:
            return super()._validation_loss_and_score(
                coefs, intercepts, validation, scorer
            )
        finally:
            del self._scaled_during_fit

    def _fits_input_transforms(self, reset):
        """Whether this call fits the scaling (else it applies the fitted one)."""
        return reset or not hasattr(self, "input_transforms_")

    def _scaled_input(self, X, reset, sample_weight):
        """The training rows, scaled, in the dtype the network trains in."""
        if self._fits_input_transforms(reset):
            X = self._fit_input_transforms(X, _checked_weights(sample_weight, X))
        else:
            X = self._transform_input(X)
        return X if self.dtype is None else _in_training_dtype(X, self.dtype)

    def _prediction_weights(self):
        # Trained in float32 for speed, predicted in float64: a float32 GEMM
        # rounds a row differently by its place in the block (1e-6 apart), so
        # a row's prediction would depend on the rows predicted beside it.
        coefs, intercepts = super()._prediction_weights()
        if coefs[0].dtype == np.float64:
            return coefs, intercepts
        return (
            [W.astype(np.float64) for W in coefs],
            [b.astype(np.float64) for b in intercepts],
        )

    def _check_fitted_input(self, X):
        X = super()._check_fitted_input(X)
        # Scaled in float64, the dtype of prediction (_prediction_weights).
        return self._transform_input(X, np.float64)

    def _callback_rows(self, X, data):
        # Callbacks score the fitted model, which scales its input itself:
        # they get the training rows as given, not the scaled ones.
        if data.rows is None:
            return X
        # _safe_indexing takes arrays, lists, frames and sparse matrices.
        given = X if hasattr(X, "shape") or isinstance(X, list) else np.asarray(X)
        return _safe_indexing(given, data.rows)

    def _fit_warnings(self, warnings):
        # By design the schedule runs all max_iter epochs (the best epoch is
        # kept), and batch_size is at most the number of training rows:
        # neither is news to the user, so neither warns.
        return [
            (kind, message)
            for kind, message in warnings
            if not (
                message.startswith(_CLIPPED_BATCH)
                or (
                    message.startswith(_MAX_ITER_REACHED)
                    and self.learning_rate in _SCHEDULES_TO_ZERO
                )
            )
        ]

    @contextmanager
    def _without_early_stopping(self):
        # partial_fit has no validation split: it trains on every row given.
        saved = self.early_stopping
        self.early_stopping = False
        try:
            yield
        finally:
            self.early_stopping = saved

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The scalers refuse sparse input; without them the MLP takes it.
        tags.input_tags.sparse = self.scaling is None and not self.periodic_features
        tags.input_tags.allow_nan = False
        return tags


_TABULAR_PARAMETERS_DOC = """
Every parameter of {base} is accepted and keeps its meaning; the
Parameters section below lists only the ones added here. These defaults
differ: ``hidden_layer_sizes=(256, 256, 256)``, ``init="he"``,
``learning_rate="cosine"``, ``learning_rate_init=0.004``, ``beta_2=0.95``,
``batch_size=256`` (at most the training rows, without a warning),
``max_iter=100``, ``dropout=0.15``, ``weight_decay=2.0`` with
``weight_decay_schedule="flat_cos"``, ``early_stopping=True``,
``validation_fraction=0.2`` and ``n_iter_no_change=inf``: the whole cosine
schedule runs (so reaching ``max_iter`` raises no ``ConvergenceWarning``),
and the weights of the best validated epoch are kept. Each Adam step
shrinks the weights by ``1 - rate * 2.0 * s(t)`` (``s`` the flat_cos factor),
so ``learning_rate_init`` must stay below 0.5. Each default is the
one the ablation on the real-data suite supports
(``benchmarks/tabular_ablation.py``; the table is in the documentation's
"How to choose settings" page).

Parameters
----------
scaling : {{"robust", "rms", "l2"}} or None, default="l2"
    How ``X`` is scaled inside ``fit``, fitted on every row given to
    ``fit`` (early stopping's validation rows included: the scaling never
    sees ``y``): ``"robust"``
    is :class:`~mlpinit.preprocessing.RobustSmoothClipScaler` (median,
    interquartile range, smooth clip to (-3, 3)), ``"rms"`` and ``"l2"`` are
    :class:`~mlpinit.MeanNormStandardizer` with that ``norm``, None passes
    ``X`` through as given. ``"l2"`` (each column of standard deviation
    ``1 / sqrt(n)``) ranked best in the ablation, ahead of ``"robust"``.
    The fitted transformer is in ``input_transforms_``; ``partial_fit``
    fits it on its first batch and keeps it. Its statistics are weighted by
    ``sample_weight`` (times ``class_weight``'s weight of each row), as if each
    row were repeated that many times.
periodic_features : int, default=0
    If > 0, each scaled feature is expanded by
    :class:`~mlpinit.preprocessing.PeriodicFeatures` into this many cosine
    and sine pairs at fixed random frequencies (plus itself).
periodic_sigma : float, default=0.1
    Standard deviation of those frequencies.
dtype : {{np.float32, np.float64}} or None, default=np.float32
    The dtype the network trains in, whatever the dtype of ``X``: the
    scaling is computed in float64 (or float32 for float32 ``X``) and its
    output is cast to it. None: the dtype of ``X`` (float32 stays float32,
    anything else is float64), as in {base}. float32 halves the fit time
    and, in the ablation, changed no score beyond noise. Prediction is
    always computed in float64 (the fitted float32 weights, upcast): each
    row's output then does not depend on the rows predicted with it, and
    ``predict_proba`` is float64.
"""


class TabularMLPClassifier(_TabularInput, MLPClassifier):
    __doc__ = (
        """Multi-layer perceptron classifier with defaults for tabular data.

:class:`~mlpinit.MLPClassifier` with defaults chosen on real tabular data sets
(``benchmarks/tabular_ablation.py``), its own input scaling, and label
smoothing (off by default). Give it the raw numeric features: it scales
them inside ``fit``.
"""
        + _TABULAR_PARAMETERS_DOC.format(base=":class:`~mlpinit.MLPClassifier`")
        + """label_smoothing : float, default=0.0
    The encoded targets become ``(1 - label_smoothing) * Y + label_smoothing / K``
    for ``K`` classes (Szegedy et al. 2016, "Rethinking the Inception
    Architecture"); a binary target's one logistic column, and each label of
    a multilabel one, moves toward 0.5. The log loss with these soft targets
    keeps its gradient ``P - Y``. In [0, 1).

Attributes
----------
input_transforms_ : list of transformers
    The fitted input scaling (and periodic features), applied in order
    before the network, in ``fit`` and ``predict`` alike.

See Also
--------
TabularMLPRegressor : The regression counterpart.
MLPClassifier : The drop-in estimator these defaults are set on.

Notes
-----
Every attribute of :class:`~mlpinit.MLPClassifier` is set too.

``partial_fit`` trains one epoch on every row it is given: with no whole
training set there is no validation split, so ``early_stopping`` applies to
``fit`` only. After a ``fit`` whose schedule ran to its end (the default
cosine reaches a rate of 0 at ``max_iter``), ``partial_fit`` trains at rate
0 and changes no weight. Sparse ``X`` needs ``scaling=None`` and no
periodic features.

Examples
--------
>>> from sklearn.datasets import load_breast_cancer
>>> from mlpinit import TabularMLPClassifier
>>> X, y = load_breast_cancer(return_X_y=True)
>>> clf = TabularMLPClassifier(hidden_layer_sizes=(32,), random_state=0).fit(X, y)
>>> float(clf.score(X, y)) > 0.9
True
"""
    )

    _parameter_constraints: dict = {
        **MLPClassifier._parameter_constraints,
        **_TABULAR_CONSTRAINTS,
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        hidden_layer_sizes=TABULAR_DEFAULTS["hidden_layer_sizes"],
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size=TABULAR_DEFAULTS["batch_size"],
        learning_rate=TABULAR_DEFAULTS["learning_rate"],
        learning_rate_init=TABULAR_DEFAULTS["learning_rate_init"],
        power_t=0.5,
        max_iter=TABULAR_DEFAULTS["max_iter"],
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=TABULAR_DEFAULTS["early_stopping"],
        validation_fraction=TABULAR_DEFAULTS["validation_fraction"],
        beta_1=0.9,
        beta_2=TABULAR_DEFAULTS["beta_2"],
        epsilon=1e-8,
        n_iter_no_change=TABULAR_DEFAULTS["n_iter_no_change"],
        max_fun=15000,
        init=TABULAR_DEFAULTS["init"],
        max_grad_norm=None,
        record_layer_stats=False,
        class_weight=None,
        scoring=None,
        weight_decay=TABULAR_DEFAULTS["weight_decay"],
        warmup_epochs=0,
        dropout=TABULAR_DEFAULTS["dropout"],
        bias_init=None,
        weight_decay_schedule=TABULAR_DEFAULTS["weight_decay_schedule"],
        dropout_schedule="constant",
        scaling=TABULAR_DEFAULTS["scaling"],
        periodic_features=0,
        periodic_sigma=0.1,
        dtype=TABULAR_DEFAULTS["dtype"],
        label_smoothing=0.0,
    ):
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            init=init,
            max_grad_norm=max_grad_norm,
            record_layer_stats=record_layer_stats,
            class_weight=class_weight,
            scoring=scoring,
            weight_decay=weight_decay,
            warmup_epochs=warmup_epochs,
            dropout=dropout,
            bias_init=bias_init,
            weight_decay_schedule=weight_decay_schedule,
            dropout_schedule=dropout_schedule,
        )
        self.scaling = scaling
        self.periodic_features = periodic_features
        self.periodic_sigma = periodic_sigma
        self.dtype = dtype
        self.label_smoothing = label_smoothing

    def _validate_input(self, X, y, incremental, reset, sample_weight=None):
        X, Y, y_labels = super()._validate_input(X, y, incremental, reset)
        if self.class_weight is not None and self._fits_input_transforms(reset):
            # class_weight is a sample_weight per class (the loss sees their
            # product): so does the scaling.
            sample_weight = self._with_class_weight(
                y_labels, _checked_weights(sample_weight, X), incremental, np.float64
            )
        X = self._scaled_input(X, reset, sample_weight)
        return X, Y.astype(X.dtype, copy=False), y_labels

    def _binarize(self, y, dtype):
        Y = super()._binarize(y, dtype)
        eps = self.label_smoothing
        if not eps or len(self.classes_) < 2:
            return Y
        # One logistic column (binary, or each label of a multilabel target)
        # is a two-class distribution: its target moves toward 1/2.
        K = (
            2
            if Y.shape[1] == 1 or self._target_type == "multilabel-indicator"
            else Y.shape[1]
        )
        Y *= 1 - eps
        Y += eps / K
        return Y

    @available_if(lambda est: est._check_partial_fit_solver())
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, raw: the first call fits the input scaling.
        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.
        classes : array-like of shape (n_classes,), default=None
            Every class that any call will see. Required on the first call.

        Returns
        -------
        self : TabularMLPClassifier
            The updated estimator.
        """
        with self._without_early_stopping():
            return super().partial_fit(
                X, y, sample_weight=sample_weight, classes=classes
            )


class TabularMLPRegressor(_TabularInput, MLPRegressor):
    __doc__ = (
        """Multi-layer perceptron regressor with defaults for tabular data.

:class:`~mlpinit.MLPRegressor` with defaults chosen on real tabular data sets
(``benchmarks/tabular_ablation.py``), its own input scaling and a
standardized target.
Give it the raw numeric features and targets.
"""
        + _TABULAR_PARAMETERS_DOC.format(base=":class:`~mlpinit.MLPRegressor`")
        + """standardize_target : bool, default=True
    Train on ``(y - mean) / std`` of the training targets (``loss="squared_error"``
    only; ignored for ``"poisson"``, whose targets must stay non-negative),
    and predict back in the units of ``y``. ``loss_`` and ``loss_curve_`` are
    then in standardized units. The mean and std (``ddof=0``) are weighted
    by ``sample_weight``, as if each row were repeated that many times.
clip_predictions : bool, default=False
    Clamp predictions to ``[min(y), max(y)]`` of the training targets (of
    positive weight), per output. Off by default: in the ablation it changed
    no data set's score.

Attributes
----------
input_transforms_ : list of transformers
    The fitted input scaling (and periodic features).
target_mean_, target_scale_ : ndarray of shape (n_outputs,)
    What the targets were standardized with (0 and 1 when they were not).
target_min_, target_max_ : ndarray of shape (n_outputs,)
    The range of the training targets of positive weight, which predictions
    are clamped to with ``clip_predictions=True``.

See Also
--------
TabularMLPClassifier : The classification counterpart.
MLPRegressor : The drop-in estimator these defaults are set on.

Notes
-----
Every attribute of :class:`~mlpinit.MLPRegressor` is set too.

``partial_fit`` fits the input scaling and the target's statistics on its
first batch and keeps them; it trains one epoch on every row given (no
validation split), at rate 0 after a ``fit`` whose cosine schedule ran to
its end. Sparse ``X`` needs ``scaling=None`` and no periodic
features.

Examples
--------
>>> from sklearn.datasets import load_diabetes
>>> from mlpinit import TabularMLPRegressor
>>> X, y = load_diabetes(return_X_y=True)
>>> reg = TabularMLPRegressor(hidden_layer_sizes=(32,), random_state=0).fit(X, y)
>>> float(reg.score(X, y)) > 0.3
True
"""
    )

    _parameter_constraints: dict = {
        **MLPRegressor._parameter_constraints,
        **_TABULAR_CONSTRAINTS,
        "standardize_target": ["boolean"],
        "clip_predictions": ["boolean"],
    }

    def __init__(
        self,
        loss="squared_error",
        hidden_layer_sizes=TABULAR_DEFAULTS["hidden_layer_sizes"],
        activation="relu",
        *,
        solver="adam",
        alpha=0.0001,
        batch_size=TABULAR_DEFAULTS["batch_size"],
        learning_rate=TABULAR_DEFAULTS["learning_rate"],
        learning_rate_init=TABULAR_DEFAULTS["learning_rate_init"],
        power_t=0.5,
        max_iter=TABULAR_DEFAULTS["max_iter"],
        shuffle=True,
        random_state=None,
        tol=1e-4,
        verbose=False,
        warm_start=False,
        momentum=0.9,
        nesterovs_momentum=True,
        early_stopping=TABULAR_DEFAULTS["early_stopping"],
        validation_fraction=TABULAR_DEFAULTS["validation_fraction"],
        beta_1=0.9,
        beta_2=TABULAR_DEFAULTS["beta_2"],
        epsilon=1e-8,
        n_iter_no_change=TABULAR_DEFAULTS["n_iter_no_change"],
        max_fun=15000,
        init=TABULAR_DEFAULTS["init"],
        max_grad_norm=None,
        record_layer_stats=False,
        scoring=None,
        weight_decay=TABULAR_DEFAULTS["weight_decay"],
        warmup_epochs=0,
        dropout=TABULAR_DEFAULTS["dropout"],
        bias_init=None,
        weight_decay_schedule=TABULAR_DEFAULTS["weight_decay_schedule"],
        dropout_schedule="constant",
        scaling=TABULAR_DEFAULTS["scaling"],
        periodic_features=0,
        periodic_sigma=0.1,
        dtype=TABULAR_DEFAULTS["dtype"],
        standardize_target=True,
        clip_predictions=False,
    ):
        super().__init__(
            loss=loss,
            hidden_layer_sizes=hidden_layer_sizes,
            activation=activation,
            solver=solver,
            alpha=alpha,
            batch_size=batch_size,
            learning_rate=learning_rate,
            learning_rate_init=learning_rate_init,
            power_t=power_t,
            max_iter=max_iter,
            shuffle=shuffle,
            random_state=random_state,
            tol=tol,
            verbose=verbose,
            warm_start=warm_start,
            momentum=momentum,
            nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping,
            validation_fraction=validation_fraction,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            n_iter_no_change=n_iter_no_change,
            max_fun=max_fun,
            init=init,
            max_grad_norm=max_grad_norm,
            record_layer_stats=record_layer_stats,
            scoring=scoring,
            weight_decay=weight_decay,
            warmup_epochs=warmup_epochs,
            dropout=dropout,
            bias_init=bias_init,
            weight_decay_schedule=weight_decay_schedule,
            dropout_schedule=dropout_schedule,
        )
        self.scaling = scaling
        self.periodic_features = periodic_features
        self.periodic_sigma = periodic_sigma
        self.dtype = dtype
        self.standardize_target = standardize_target
        self.clip_predictions = clip_predictions

    def _validate_input(self, X, y, incremental, reset, sample_weight=None):
        X, Y, y_values = super()._validate_input(X, y, incremental, reset)
        if reset or not hasattr(self, "target_mean_"):
            self._fit_target(Y, _checked_weights(sample_weight, X))
        Y = (Y - self.target_mean_.astype(Y.dtype)) / self.target_scale_.astype(Y.dtype)
        X = self._scaled_input(X, reset, sample_weight)
        # Standardized targets fit float32; raw ones (poisson, or
        # standardize_target=False) may not.
        _check_targets_fit(Y, X.dtype)
        return X, Y.astype(X.dtype, copy=False), y_values

    def _fit_target(self, Y, sample_weight):
        Y64 = Y.astype(np.float64)
        # A row of weight 0 is absent: it bounds no prediction.
        kept = Y64 if sample_weight is None else Y64[sample_weight > 0]
        self.target_min_, self.target_max_ = kept.min(axis=0), kept.max(axis=0)
        if self.standardize_target and self.loss == "squared_error":
            self.target_mean_, scale = _mean_and_std(Y64, sample_weight)
            self.target_scale_ = np.where(scale > 0, scale, 1.0)
        else:
            self.target_mean_ = np.zeros(Y.shape[1])
            self.target_scale_ = np.ones(Y.shape[1])

    def _in_target_units(self, output):
        """The network's output in the units of y, clamped to the training range."""
        output = output * self.target_scale_ + self.target_mean_
        if self.clip_predictions:
            np.clip(output, self.target_min_, self.target_max_, out=output)
        return output

    def _score_output(self, output, y, sample_weight):
        # Early stopping's R^2, in y's units. Targets too large or too small
        # to square (the standardized network handles them) would score NaN,
        # or 1.0 as if constant: their sums of squares are scaled, as in score.
        prediction = self._in_target_units(output)
        values = np.asarray(y, dtype=np.float64)
        peak_y = float(peak_magnitude(values))
        peak = max(peak_y, float(peak_magnitude(prediction)))
        if squares_overflow(peak) or squares_underflow(peak_y):
            return r2_score_without_overflow(values, prediction, sample_weight)
        return super()._score_output(prediction, y, sample_weight)

    def _forward(self, X):
        # predict and score go through here: both see y's units.
        output = super()._forward(X)
        return self._in_target_units(output).astype(output.dtype, copy=False)

    @available_if(lambda est: est._check_partial_fit_solver())
    def partial_fit(self, X, y, sample_weight=None):
        """Update the model with one epoch over the given data.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, raw: the first call fits the input scaling.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Targets, raw: the first call fits their standardization.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights.

        Returns
        -------
        self : TabularMLPRegressor
            The updated estimator.
        """
        with self._without_early_stopping():
            return super().partial_fit(X, y, sample_weight=sample_weight)
