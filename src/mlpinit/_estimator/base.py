"""What MLPClassifier and MLPRegressor share: parameters, fitting, prediction.

This floor speaks scikit-learn (parameter validation, ``validate_data``,
tags, early stopping, ``partial_fit`` and ``warm_start``). A fit validates,
builds the training data, builds a :class:`~mlpinit._estimator.plan.FitPlan`,
runs the engine (:func:`mlpinit._core.engine.train`, which knows no
estimator), writes the fitted attributes (:mod:`mlpinit._estimator.fitted`)
and raises the warnings of the engine's result. The BLAS-thread policy lives
in :mod:`mlpinit._blas_threads`.

Three functions give the diagnostics what they need from a model without
reaching into its methods: :func:`draw_initial_weights` (fit's own first
pass), :func:`checked_input` and :func:`checked_input_and_targets`.
"""

import warnings
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import _check_sample_weight, check_is_fitted

from mlpinit._blas_threads import BLAS_THREADS
from mlpinit._callbacks import NO_HOOKS, CallbackSupport, fit_with_callbacks
from mlpinit._core.activations import sample_losses
from mlpinit._core.data_init import data_biases
from mlpinit._core.engine import CONVERGENCE, USER, train
from mlpinit._core.engine import TrainingData as EngineData
from mlpinit._core.network import (
    NetworkLayout,
    predict_in_chunks,
    sparse_column_abs_max,
)
from mlpinit._core.optimizers import STOCHASTIC_SOLVERS
from mlpinit._estimator import fitted, parameters
from mlpinit._estimator.class_weights import TRAINING_DTYPE
from mlpinit._estimator.plan import FitPlan
from mlpinit._estimator.validation import split_validation, validation_closure
from mlpinit._rollback import rolled_back_on_error
from mlpinit._warnings import warn_at_caller
from mlpinit.initializers import initialize_network, lsuv_on_data

# The engine's warning kinds, in scikit-learn's categories.
_WARNING_CATEGORIES = {CONVERGENCE: ConvergenceWarning, USER: UserWarning}
# Rows per chunk in predict: big enough for efficient GEMMs, small enough
# that one chunk's hidden activations stay in cache-sized megabytes.
PREDICT_CHUNK_ROWS = 4096

# Raw inputs whose feature magnitudes (max |x| of each non-zero column) exceed
# this, or lie further apart than this factor, draw a UserWarning at fit time.
# MeanNormStandardizer's and StandardScaler's outputs stay within it: their
# column magnitudes lie between 1/sqrt(n_samples) and 1, or 1 and sqrt(n_samples).
FEATURE_SCALE_LIMIT = 1e6


def _warn_if_badly_scaled(X):
    """Warn, suggesting MeanNormStandardizer, when X's feature scales are extreme."""
    if sp.issparse(X):
        magnitude = sparse_column_abs_max(X)
    else:
        magnitude = np.maximum(X.max(axis=0), -X.min(axis=0))
    magnitude = magnitude[magnitude > 0]
    if magnitude.size == 0:
        return
    largest, smallest = float(magnitude.max()), float(magnitude.min())
    if largest > FEATURE_SCALE_LIMIT or largest > FEATURE_SCALE_LIMIT * smallest:
        warn_at_caller(
            "The features of X are badly scaled for an MLP: their magnitudes "
            f"(max |x| per column) range from {smallest:.1e} to {largest:.1e}. "
            "On such raw inputs training is slow and inaccurate, or diverges. "
            "Normalize them first, for example with make_pipeline("
            "mlpinit.MeanNormStandardizer(), <this estimator>).",
            UserWarning,
        )


def _weights_in_dtype(sample_weight, dtype):
    """The validated float64 weights in the training dtype, which must hold them."""
    with np.errstate(over="ignore"):  # reported below, as a ValueError
        cast = sample_weight.astype(dtype, copy=False)
    lost = ((sample_weight > 0) & (cast == 0)) | ~np.isfinite(cast)
    if lost.any():
        positive = sample_weight[sample_weight > 0]
        raise ValueError(
            f"sample_weight has {int(lost.sum())} weight(s) that {np.dtype(dtype)} "
            "cannot hold: they would become 0 or inf when training in "
            f"{np.dtype(dtype)}, {TRAINING_DTYPE} (the weights range from "
            f"{positive.min():.1e} to {positive.max():.1e}). Rescale "
            "sample_weight, for example divide it by its mean, or train in "
            "float64."
        )
    return cast


class TrainingData(NamedTuple):
    """What fit's first steps hand to the solvers."""

    X: object  # validated, float32 or float64, dense or sparse
    Y: np.ndarray  # encoded targets, (n_samples, n_outputs), X's dtype
    y_labels: object  # the targets as given (validated), for scoring
    sample_weight: object  # validated weights, or None
    layout: NetworkLayout
    random_state: np.random.RandomState
    # Early stopping's held-out rows: [X, Y, y_labels, sample_weight].
    validation: object = None
    # The indices of the training rows in the fit's X (None: every row).
    rows: object = None


def draw_initial_weights(mlp, X, y):
    """Give ``mlp`` the weights ``fit(X, y)`` would start from, without training.

    It runs fit's own first steps (parameter and input validation, label
    encoding, layout, initialization), the very method ``fit`` calls, so the
    two cannot drift apart. Used by :func:`mlpinit.diagnostics.initialized`.

    Parameters
    ----------
    mlp : MLPClassifier or MLPRegressor
        Modified in place: it gets every fitted attribute of zero epochs.
    X : {array-like, sparse matrix} of shape (n_samples, n_features)
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
    """
    mlp._validate_params()
    mlp._begin_fit(X, y, None, incremental=False)


def checked_input(mlp, X):
    """``X`` validated against the fitted ``mlp``, as ``predict`` validates it,
    then float64 or float32 whatever its dtype (a diagnostics probe is small)."""
    X = mlp._check_fitted_input(X)
    if X.dtype not in (np.float64, np.float32):
        X = X.astype(np.float64)
    return X


def checked_input_and_targets(mlp, X, y):
    """``X`` and ``y`` validated as ``partial_fit`` validates them, and ``y`` encoded.

    Nothing on ``mlp`` changes. Returns ``X`` and the encoded targets, of
    shape (n_samples, n_outputs).
    """
    X, Y, _ = mlp._validate_input(X, y, incremental=True, reset=False)
    return X, Y


class BaseMLP(CallbackSupport, BaseEstimator):
    """Shared machinery of the MLP estimators. Not for direct use."""

    # Each parameter's constraint is written once, with its text, in
    # mlpinit._estimator.parameters.
    _parameter_constraints: dict = parameters.constraints(
        parameters.SHARED, parameters.TRAINING
    )
    # A model saved (pickle, skops) before these parameters existed has no
    # instance attribute for them: it reads their defaults, the behaviour it
    # was trained with, here.
    bias_init = None
    weight_decay_schedule = "constant"
    dropout_schedule = "constant"

    # ------------------------------------------------------------------
    # Subclass hooks
    def _validate_input(self, X, y, incremental, reset, sample_weight=None):
        """Return X (float32/64, dense or CSR/CSC) and 2-D float targets.

        ``sample_weight`` is the fit's, as given (not validated yet), for a
        subclass that fits statistics of the rows (Tabular's input scaling).
        """
        raise NotImplementedError

    def _output_activation(self, Y):
        raise NotImplementedError

    def _score_output(self, output, y, sample_weight):
        """Score the network's raw output against original targets."""
        raise NotImplementedError

    def _with_class_weight(self, y, sample_weight, incremental, dtype):
        """``sample_weight`` times the class weights (classifiers only)."""
        return sample_weight

    # ------------------------------------------------------------------
    def set_params(self, **params):
        # An invalid key after a valid one leaves nothing half set.
        with rolled_back_on_error(self):
            return super().set_params(**params)

    def _hidden_sizes(self):
        sizes = self.hidden_layer_sizes
        if not hasattr(sizes, "__iter__"):
            sizes = [sizes]
        sizes = list(sizes)
        if any(int(s) != s or s <= 0 for s in sizes):
            raise ValueError(f"hidden_layer_sizes must be > 0, got {sizes}.")
        return [int(s) for s in sizes]

    def _fit(self, X, y, sample_weight, incremental):
        # With scikit-learn >= 1.9 callbacks (set_callbacks), each epoch or
        # L-BFGS iteration is reported as one task; see mlpinit._callbacks.
        if self.solver in STOCHASTIC_SOLVERS:
            max_tasks = 1 if incremental else self.max_iter
        else:
            max_tasks = self.max_iter + 1
        return fit_with_callbacks(
            self,
            lambda hooks: self._fit_guarded(X, y, sample_weight, incremental, hooks),
            max_subtasks=max_tasks,
            X=X,
            y=y,
            sample_weight=sample_weight,
        )

    def _fit_guarded(self, X, y, sample_weight, incremental, callbacks=NO_HOOKS):
        with rolled_back_on_error(self):
            self._fit_unguarded(X, y, sample_weight, incremental, callbacks)
        return self

    def _fit_unguarded(self, X, y, sample_weight, incremental, callbacks=NO_HOOKS):
        # validate and build the training data, plan, train, write, warn.
        data = self._begin_fit(X, y, sample_weight, incremental)
        layout = data.layout
        plan = FitPlan.build(
            self.get_params(deep=False), layout.n_layers - 2, incremental
        )
        theta = layout.pack(self.coefs_, self.intercepts_, data.X.dtype)
        # The training rows: without early stopping's validation rows,
        # which _begin_fit has held out already.
        if callbacks is not NO_HOOKS:  # Tabular's rows cost a copy
            callbacks.train_on(
                self._callback_rows(X, data),
                data.y_labels,
                data.sample_weight,
                data.X.dtype,
            )
        validate = record = None
        if plan.stochastic:
            record = fitted.record_of(self, plan.early_stopping)
            if plan.early_stopping:
                validate = validation_closure(self, data, plan.scoring)
        engine_data = EngineData(
            data.X,
            data.Y,
            data.sample_weight,
            layout,
            self.out_activation_,
            data.random_state,
        )
        # A diverging fit overflows on its way to inf; it is reported once, as
        # the engine's ValueError with advice, not as numpy RuntimeWarnings
        # first (which ``-W error`` would turn into a less helpful exception).
        with (
            BLAS_THREADS.for_network(layout.layer_units[1:-1]),
            np.errstate(over="ignore", invalid="ignore", divide="ignore"),
        ):
            result = train(
                plan, engine_data, theta, record, validate, callbacks, BLAS_THREADS
            )
        for kind, message in self._fit_warnings(result.warnings):
            warn_at_caller(message, _WARNING_CATEGORIES[kind])
        fitted.store(self, result)
        self.coefs_, self.intercepts_ = layout.views(theta)

    def _callback_rows(self, X, data):
        """The training rows handed to the callbacks, which score the fitted
        model on them: the validated rows here; a subclass that transforms
        ``X`` before the network (Tabular) hands them as given instead."""
        return data.X

    def _fit_warnings(self, warnings):
        """The engine's ``(kind, message)`` warnings that this fit raises.

        All of them; a subclass whose design makes one of them the expected
        outcome (a schedule meant to run to its end) drops that one.
        """
        return warnings

    def _begin_fit(self, X, y, sample_weight, incremental):
        """fit's first steps: validate, encode the labels, lay out, initialize.

        On a first pass (no weights yet, or neither ``warm_start`` nor
        ``partial_fit``) the weights are drawn; otherwise the fitted ones must
        match the layout. :func:`draw_initial_weights` calls this too.
        """
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y, y_labels = self._validate_input(
            X, y, incremental, reset=first_pass, sample_weight=sample_weight
        )
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s); at least 1 is required.")
        if sample_weight is not None:
            sample_weight = _weights_in_dtype(
                _check_sample_weight(
                    sample_weight, X, dtype=np.float64, ensure_non_negative=True
                ),
                X.dtype,
            )
        sample_weight = self._with_class_weight(
            y_labels, sample_weight, incremental, X.dtype
        )
        if sample_weight is not None and not sample_weight.sum(dtype=np.float64) > 0:
            raise ValueError("sample_weight sums to zero; nothing to fit.")
        _warn_if_badly_scaled(X)
        layout = NetworkLayout([X.shape[1], *hidden, Y.shape[1]])
        random_state = check_random_state(self.random_state)
        # The draws (orthogonal's QR) and LSUV's products with the data
        # follow training's thread policy.
        threads = BLAS_THREADS.for_network(layout.layer_units[1:-1])
        if first_pass:
            with threads:
                self._initialize(layout, Y, X.dtype, random_state)
        elif [c.shape for c in self.coefs_] != layout.coef_shapes:
            raise ValueError(
                "warm_start or partial_fit needs the same layer sizes as the "
                f"fitted model: it has {[c.shape for c in self.coefs_]}, this call "
                f"needs {layout.coef_shapes}."
            )
        data = TrainingData(X, Y, y_labels, sample_weight, layout, random_state)
        # The random state is drawn from in scikit-learn's order: the
        # weights, then early stopping's split; LSUV's rows come after both,
        # from the training part only, so that it sees no validation row.
        if self._holds_out_validation(incremental):
            data = split_validation(self, data, self.validation_fraction)
        if first_pass and isinstance(self.init, str) and self.init == "lsuv":
            with BLAS_THREADS.for_network(layout.layer_units[1:-1]):
                self._rescale_lsuv(data)
        # The data biases come last: after LSUV's weights, whose rescaling
        # measures the layers with the biases of init.
        if first_pass and self.bias_init == "data":
            with BLAS_THREADS.for_network(layout.layer_units[1:-1]):
                self._set_data_biases(data)
        return data

    def _holds_out_validation(self, incremental):
        """Whether this fit holds out early stopping's validation rows
        (``partial_fit`` refuses early stopping: see FitPlan)."""
        return (
            bool(self.early_stopping)
            and self.solver in STOCHASTIC_SOLVERS
            and not incremental
        )

    def _stratify_validation(self):
        """Whether early stopping's validation split is stratified by class."""
        return False

    def _initialize(self, layout, Y, dtype, random_state):
        """Draw the starting weights; LSUV's rescaling comes later
        (:meth:`_rescale_lsuv`), once the training rows are known."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = layout.n_layers
        self.out_activation_ = self._output_activation(Y)
        self.coefs_, self.intercepts_, _ = initialize_network(
            self.init,
            layout.layer_units,
            random_state,
            dtype,
            self.activation,
            self.out_activation_,
            rescale=False,
        )
        self.__dict__.pop("lsuv_record_", None)
        fitted.forget_training(self)
        if self.solver in STOCHASTIC_SOLVERS:
            fitted.fresh_record(self)

    def _rescale_lsuv(self, data):
        """init="lsuv": rescale the start on the training rows, as weighted."""
        self.coefs_, record = lsuv_on_data(
            self.coefs_,
            self.intercepts_,
            self.activation,
            data.X,
            data.random_state,
            sample_weight=data.sample_weight,
        )
        self.lsuv_record_ = record
        if self.verbose:
            print(
                f"LSUV: {record['n_forward']} layer products on "
                f"{record['n_rows']} rows, {1e3 * record['seconds']:.1f} ms"
            )

    def _set_data_biases(self, data):
        """bias_init="data": each hidden hyperplane through the training rows."""
        self.intercepts_, _ = data_biases(
            self.coefs_,
            self.intercepts_,
            self.activation,
            data.X,
            data.random_state,
            sample_weight=data.sample_weight,
        )

    def _prediction_weights(self):
        """The weights and biases that predict computes with: the fitted ones."""
        return self.coefs_, self.intercepts_

    def _forward(self, X):
        coefs, intercepts = self._prediction_weights()
        # Inputs near the float maximum can overflow inside the network: that
        # is an error here, not inf or NaN predictions (or an arbitrary class).
        with np.errstate(over="ignore", invalid="ignore"):
            output = predict_in_chunks(
                coefs,
                intercepts,
                self.activation,
                self.out_activation_,
                X,
                PREDICT_CHUNK_ROWS,
            )
        if not np.isfinite(output).all():
            bad_rows = int((~np.isfinite(output)).any(axis=1).sum())
            if sp.issparse(X):
                largest = float(sparse_column_abs_max(X).max(initial=0.0))
            else:
                # From the extremes: no |X| copy, no int8 overflow of -(-128).
                largest = max(abs(float(X.max())), abs(float(X.min())))
            # The network computes in its own dtype (X is cast to it).
            dtype = coefs[0].dtype
            dtype_max = float(np.finfo(dtype).max)
            if largest > dtype_max:
                cause = (
                    f"X holds values beyond {dtype}'s range, the dtype of this "
                    f"model (the largest |x| in X is {largest:.1e}, {dtype} "
                    f"holds at most {dtype_max:.1e})"
                )
            else:
                cause = (
                    f"the forward pass overflowed {dtype}, the dtype of this "
                    f"model (the largest |x| in X is {largest:.1e})"
                )
            raise ValueError(
                f"The network's output is not finite for {bad_rows} of the "
                f"{X.shape[0]} rows of X: {cause}. Scale the inputs as "
                "for training, for example with mlpinit.MeanNormStandardizer."
            )
        return output

    def _validation_loss_and_score(self, coefs, intercepts, validation, scorer):
        """Early stopping's view of one epoch: the held-out rows' loss and score.

        The loss is the (sample-weighted) mean of the per-sample losses,
        without the L2 term. The score is the estimator's own (``scoring=None``),
        minus that loss (``"loss"``), or ``scorer(self, X_val, y_val)``.
        """
        X_val, Y_val, y_val, sw_val = validation
        output = predict_in_chunks(
            coefs,
            intercepts,
            self.activation,
            self.out_activation_,
            X_val,
            PREDICT_CHUNK_ROWS,
        )
        if not np.isfinite(output).all():
            return np.nan, np.nan
        per_sample = sample_losses(self.out_activation_, Y_val, output)
        # In float64: float32 weights near its maximum overflow their sum,
        # and the NaN loss would stop early stopping from judging any epoch.
        weights = None if sw_val is None else sw_val.astype(np.float64)
        loss = float(np.average(per_sample, weights=weights))
        if scorer is None:
            return loss, self._score_output(output, y_val, sw_val)
        if scorer == "loss":
            return loss, -loss
        # The scorer calls predict or predict_proba: they read these.
        self.coefs_, self.intercepts_ = coefs, intercepts
        kwargs = {} if sw_val is None else {"sample_weight": sw_val}
        with warnings.catch_warnings():
            # X_val is the validated array, without the fitted column names.
            warnings.filterwarnings("ignore", "X does not have valid feature names")
            return loss, float(scorer(self, X_val, y_val, **kwargs))

    def _check_fitted_input(self, X):
        """``X`` validated against the fitted model, as predict needs it.

        A dense integer, bool or float16 ndarray keeps its dtype: the chunked
        forward pass casts one chunk at a time, so an int8 X never costs a
        whole float64 copy (eight times its size). Anything else (lists,
        frames, sparse X, strings of numbers) becomes float64 or float32 as
        in fit.
        """
        from sklearn.utils.validation import validate_data

        check_is_fitted(self)
        kind = getattr(getattr(X, "dtype", None), "kind", None)
        chunk_cast = isinstance(X, np.ndarray) and (
            kind in "biu" or X.dtype == np.float16
        )
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype="numeric" if chunk_cast else (np.float64, np.float32),
            reset=False,
        )

    def _check_partial_fit_solver(self):
        if self.solver not in STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
