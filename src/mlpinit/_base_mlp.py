"""What MLPClassifier and MLPRegressor share: parameters, fitting, prediction.

This floor speaks scikit-learn (parameter validation, ``validate_data``,
tags, early stopping, ``partial_fit`` and ``warm_start``) and calls the
plain-numpy core for every number it computes.
"""

import copy
import warnings
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, Options, StrOptions
from sklearn.utils.validation import _check_sample_weight, check_is_fitted
from threadpoolctl import ThreadpoolController

from mlpinit._callbacks import NO_HOOKS, CallbackSupport, fit_with_callbacks
from mlpinit._core.layer_stats import compute_layer_stats
from mlpinit._core.network import (
    NetworkLayout,
    Workspace,
    loss_and_gradient,
    predict_in_chunks,
)
from mlpinit._core.optimizers import SGD, Adam, minimize_lbfgs
from mlpinit._core.training import BatchTrainer
from mlpinit._rollback import rolled_back_on_error
from mlpinit.initializers import INIT_NAMES, initialize_layer

_STOCHASTIC_SOLVERS = ("sgd", "adam")
# Rows per chunk in predict: big enough for efficient GEMMs, small enough
# that one chunk's hidden activations stay in cache-sized megabytes.
PREDICT_CHUNK_ROWS = 4096
# Rows of the fixed probe batch that record_layer_stats evaluates each epoch:
# 5% of the training rows, between 64 and 256. Enough rows for stable means
# and deviations; few enough that one evaluation (about two training steps'
# work at 256 rows) stays under 10% of an epoch even on small data such as
# digits, where an epoch is only nine steps.
PROBE_ROWS = 256
MIN_PROBE_ROWS = 64


def probe_rows(n_samples):
    """Rows of the fixed probe batch used by ``record_layer_stats``."""
    return min(PROBE_ROWS, max(MIN_PROBE_ROWS, n_samples // 20))


# Below this width one BLAS thread beats two on a busy 2-core machine.
_SINGLE_THREAD_MAX_WIDTH = 128

DIVERGENCE_ADVICE = (
    "Normalize the inputs (for example with mlpinit.MeanNormStandardizer or "
    "sklearn.preprocessing.StandardScaler), lower learning_rate_init, or set "
    "max_grad_norm."
)


# Raw inputs whose feature magnitudes (max |x| of each non-zero column) exceed
# this, or lie further apart than this factor, draw a UserWarning at fit time.
# MeanNormStandardizer's and StandardScaler's outputs stay within it: their
# column magnitudes lie between 1/sqrt(n_samples) and 1, or 1 and sqrt(n_samples).
FEATURE_SCALE_LIMIT = 1e6


def _warn_if_badly_scaled(X):
    """Warn, suggesting MeanNormStandardizer, when X's feature scales are extreme."""
    if sp.issparse(X):
        magnitude = abs(X).max(axis=0).toarray().ravel()
    else:
        magnitude = np.maximum(X.max(axis=0), -X.min(axis=0))
    magnitude = magnitude[magnitude > 0]
    if magnitude.size == 0:
        return
    largest, smallest = float(magnitude.max()), float(magnitude.min())
    if largest > FEATURE_SCALE_LIMIT or largest > FEATURE_SCALE_LIMIT * smallest:
        warnings.warn(
            "The features of X are badly scaled for an MLP: their magnitudes "
            f"(max |x| per column) range from {smallest:.1e} to {largest:.1e}. "
            "On such raw inputs training is slow and inaccurate, or diverges. "
            "Normalize them first, for example with make_pipeline("
            "mlpinit.MeanNormStandardizer(), <this estimator>).",
            UserWarning,
            stacklevel=2,
        )


def _optimizer_state_is_finite(optimizer):
    """True if every array the optimizer carries (velocity, moments) is finite."""
    return all(
        np.isfinite(value).all()
        for name, value in vars(optimizer).items()
        if name[0] != "_" and isinstance(value, np.ndarray)
    )


_blas_controller = None


def _blas_thread_limit(hidden):
    """One BLAS thread for narrow networks; leave the caller's setting otherwise.

    The controller is built once: inspecting the loaded libraries costs
    milliseconds, as much as a whole epoch of a small network.
    """
    if max(hidden) > _SINGLE_THREAD_MAX_WIDTH:
        return nullcontext()
    return _controller().limit(limits=1, user_api="blas")


def _controller():
    global _blas_controller
    if _blas_controller is None:
        _blas_controller = ThreadpoolController()
    return _blas_controller


def _lbfgs_thread_limits():
    """Contexts for scipy's L-BFGS-B loop (one BLAS thread) and for each loss.

    L-BFGS-B does its vector algebra with BLAS, and OpenBLAS splits long dot
    products over its threads, so the iterates would depend on the thread
    count (which differs between a grid search with n_jobs=1 and n_jobs=2).
    The loop therefore runs on one thread, and each loss and gradient
    evaluation, where the time goes, gets the caller's threads back.
    """
    controller = _controller()
    threads = [
        lib["num_threads"] for lib in controller.info() if lib["user_api"] == "blas"
    ]
    if max(threads, default=1) <= 1:
        return nullcontext, nullcontext
    outer = max(threads)
    return (
        lambda: controller.limit(limits=1, user_api="blas"),
        lambda: controller.limit(limits=outer, user_api="blas"),
    )


class _LayerStatsRecorder:
    """Per-epoch layer statistics on a fixed probe batch (record_layer_stats)."""

    def __init__(self, estimator, X, Y):
        self.estimator = estimator
        n_probe = probe_rows(X.shape[0])
        self.X_probe, self.Y_probe = X[:n_probe], Y[:n_probe]
        self.rows = []

    def record(self, layout, theta):
        coefs, intercepts = layout.views(theta)
        est = self.estimator
        self.rows.append(
            compute_layer_stats(
                coefs,
                intercepts,
                est.activation,
                est.out_activation_,
                self.X_probe,
                self.Y_probe,
                alpha=est.alpha,
            )
        )

    def merged_with(self, previous):
        """Stack the recorded epochs under ``previous`` (a warm start's record)."""
        if not self.rows:
            return previous
        stacked = {
            name: np.array([row[name] for row in self.rows]) for name in self.rows[0]
        }
        if previous:
            stacked = {
                name: np.concatenate([previous[name], values])
                for name, values in stacked.items()
            }
        return stacked


class BaseMLP(CallbackSupport, BaseEstimator):
    """Shared machinery of the MLP estimators. Not for direct use."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "activation": [StrOptions({"identity", "logistic", "tanh", "relu"})],
        "solver": [StrOptions({"lbfgs", "sgd", "adam"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [
            StrOptions({"auto"}),
            Interval(Integral, 1, None, closed="left"),
        ],
        "learning_rate": [StrOptions({"constant", "invscaling", "adaptive"})],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "power_t": [Interval(Real, 0, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
        "momentum": [Interval(Real, 0, 1, closed="both")],
        "nesterovs_momentum": ["boolean"],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="left")],
        "beta_1": [Interval(Real, 0, 1, closed="left")],
        "beta_2": [Interval(Real, 0, 1, closed="left")],
        "epsilon": [Interval(Real, 0, None, closed="neither")],
        "n_iter_no_change": [
            Interval(Integral, 1, None, closed="left"),
            Options(Real, {np.inf}),
        ],
        "max_fun": [Interval(Integral, 1, None, closed="left")],
        "init": [StrOptions(set(INIT_NAMES)), callable],
        "max_grad_norm": [None, Interval(Real, 0, None, closed="neither")],
        "record_layer_stats": ["boolean"],
    }

    # ------------------------------------------------------------------
    # Subclass hooks
    def _validate_input(self, X, y, incremental, reset):
        """Return X (float32/64, dense or CSR/CSC) and 2-D float targets."""
        raise NotImplementedError

    def _output_activation(self, Y):
        raise NotImplementedError

    def _score_output(self, output, y, sample_weight):
        """Score the network's raw output against original targets."""
        raise NotImplementedError

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
        if self.solver in _STOCHASTIC_SOLVERS:
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
        hidden = self._hidden_sizes()
        first_pass = not hasattr(self, "coefs_") or (
            not self.warm_start and not incremental
        )
        X, Y, y_labels = self._validate_input(X, y, incremental, reset=first_pass)
        if X.shape[0] == 0:
            raise ValueError("Found array with 0 sample(s); at least 1 is required.")
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=X.dtype, ensure_non_negative=True
            )
            if not sample_weight.sum() > 0:
                raise ValueError("sample_weight sums to zero; nothing to fit.")
        _warn_if_badly_scaled(X)
        layer_units = [X.shape[1], *hidden, Y.shape[1]]
        random_state = check_random_state(self.random_state)

        if first_pass:
            self._initialize(layer_units, Y, X.dtype, random_state)
        elif [c.shape for c in self.coefs_] != list(
            zip(layer_units[:-1], layer_units[1:])
        ):
            raise ValueError(
                "warm_start or partial_fit needs the same layer sizes as the "
                f"fitted model: it has {[c.shape for c in self.coefs_]}, this call "
                f"needs {list(zip(layer_units[:-1], layer_units[1:]))}."
            )
        layout = NetworkLayout(layer_units)
        theta = layout.pack(self.coefs_, self.intercepts_, X.dtype)
        callbacks.train_on(X, y_labels, sample_weight)

        # A diverging fit overflows on its way to inf; it is reported once, as
        # the ValueError below with advice, not as numpy RuntimeWarnings first
        # (which ``-W error`` would turn into a less helpful exception).
        with (
            _blas_thread_limit(hidden),
            np.errstate(over="ignore", invalid="ignore", divide="ignore"),
        ):
            if self.solver in _STOCHASTIC_SOLVERS:
                self._fit_stochastic(
                    layout,
                    theta,
                    X,
                    Y,
                    y_labels,
                    sample_weight,
                    random_state,
                    incremental,
                    callbacks,
                )
            else:
                self._fit_lbfgs(layout, theta, X, Y, sample_weight, callbacks)

        if not np.isfinite(theta).all():
            raise ValueError(
                "Training produced non-finite weights; the optimization diverged. "
                + DIVERGENCE_ADVICE
            )
        self.coefs_, self.intercepts_ = layout.views(theta)

    def _initialize(self, layer_units, Y, dtype, random_state):
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = Y.shape[1]
        self.n_layers_ = len(layer_units)
        self.out_activation_ = self._output_activation(Y)
        coefs, intercepts = [], []
        for fan_in, fan_out in zip(layer_units[:-1], layer_units[1:]):
            W, b = initialize_layer(
                self.init, fan_in, fan_out, random_state, dtype, self.activation
            )
            coefs.append(W)
            intercepts.append(b)
        self.coefs_, self.intercepts_ = coefs, intercepts
        self._best_params = None
        # A fresh start forgets the state a warm start would continue from.
        self.__dict__.pop("_optimizer_state", None)
        self.__dict__.pop("layer_stats_", None)
        if self.solver in _STOCHASTIC_SOLVERS:
            self.loss_curve_ = []
            self._no_improvement_count = 0
            if self.early_stopping:
                self.validation_scores_ = []
                self.best_validation_score_ = -np.inf
                self.best_loss_ = None
            else:
                self.best_loss_ = np.inf
                self.validation_scores_ = None
                self.best_validation_score_ = None

    def _new_optimizer(self, n_params, dtype):
        if self.solver == "sgd":
            return SGD(
                n_params,
                dtype,
                self.learning_rate_init,
                self.learning_rate,
                self.momentum,
                self.nesterovs_momentum,
                self.power_t,
            )
        return Adam(
            n_params,
            dtype,
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
        )

    def _split_validation(self, X, Y, y_labels, sample_weight, random_state):
        # Stratify on the binarized targets. For binary targets this is what
        # scikit-learn does, so the same seed draws the same validation rows.
        # scikit-learn leaves multiclass unstratified (it stratifies only
        # single-column targets); here every single-label classification is
        # stratified, a documented departure. Multilabel is not stratified.
        stratify = Y if self._stratify_validation() else None
        arrays = [X, Y, y_labels] + ([] if sample_weight is None else [sample_weight])
        try:
            parts = train_test_split(
                *arrays,
                random_state=random_state,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
        except ValueError as error:
            # scikit-learn's words ("The least populated class in y has only
            # 1 member", "test_size = 1 should be greater or equal to the
            # number of classes") do not say what to change here.
            raise ValueError(
                "The validation set is too small: early_stopping=True holds out "
                f"validation_fraction={self.validation_fraction} of the "
                f"{X.shape[0]} samples"
                + (", stratified by class" if stratify is not None else "")
                + f", which cannot be done ({error}). Increase "
                "'validation_fraction' or the size of your dataset, or set "
                "early_stopping=False."
            ) from error
        train, val = parts[0::2], parts[1::2]
        if val[0].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        if sample_weight is None:
            train.append(None)
            val.append(None)
        return train, val

    def _stratify_validation(self):
        return False

    def _fit_stochastic(
        self,
        layout,
        theta,
        X,
        Y,
        y_labels,
        sample_weight,
        random_state,
        incremental,
        callbacks=NO_HOOKS,
    ):
        if self.early_stopping and incremental:
            raise ValueError("partial_fit does not support early_stopping=True")
        optimizer = self._new_optimizer(layout.size, theta.dtype)
        if incremental and hasattr(self, "_optimizer_state"):
            # The optimizer's state is kept as plain arrays and numbers (not
            # the object) so that skops can load a fitted model safely.
            for name, value in self._optimizer_state.items():
                setattr(optimizer, name, copy.copy(value))

        if self.early_stopping:
            (X, Y, y_labels, sample_weight), (X_val, _, y_val, sw_val) = (
                self._split_validation(X, Y, y_labels, sample_weight, random_state)
            )
            callbacks.train_on(X, y_labels, sample_weight)
        if sp.issparse(X):
            X = X.tocsr()
        n_samples = X.shape[0]
        if self.batch_size == "auto":
            batch_size = min(200, n_samples)
        else:
            if self.batch_size > n_samples:
                warnings.warn(
                    "Got `batch_size` less than 1 or larger than sample size. "
                    "It is going to be clipped",
                    stacklevel=2,
                )
            batch_size = int(np.clip(self.batch_size, 1, n_samples))

        trainer = BatchTrainer(
            layout,
            X,
            Y,
            sample_weight,
            batch_size,
            self.alpha,
            self.activation,
            self.out_activation_,
            self.max_grad_norm,
        )
        recorder = _LayerStatsRecorder(self, X, Y) if self.record_layer_stats else None
        loss_curve = list(self.loss_curve_)
        validation_scores = (
            None if self.validation_scores_ is None else list(self.validation_scores_)
        )
        best_params = self._best_params
        if best_params is None:
            best_params = theta.copy()
        no_improvement = self._no_improvement_count
        best_loss, best_score = self.best_loss_, self.best_validation_score_
        t = self.t_
        order = np.arange(n_samples)
        n_iter = 0
        try:
            for _ in range(self.max_iter):
                callbacks.begin_task(layout, theta)
                if self.shuffle:
                    # Permuting the previous order with a fresh shuffle of
                    # arange(n) consumes the random state exactly as
                    # scikit-learn's MLP does, so seeds reproduce its batches.
                    permutation = np.arange(n_samples)
                    random_state.shuffle(permutation)
                    order = order[permutation]
                epoch_loss = trainer.run_epoch(
                    theta, optimizer, order if self.shuffle else None
                )
                if not np.isfinite(epoch_loss):
                    raise ValueError(
                        f"The training loss became {epoch_loss} at epoch "
                        f"{n_iter + 1}; the optimization diverged. " + DIVERGENCE_ADVICE
                    )
                if not _optimizer_state_is_finite(optimizer):
                    # Adam's second moment squares the gradient: above about
                    # 1e154 it is inf, every later step of that weight is 0,
                    # and the model silently stops learning for good.
                    raise ValueError(
                        f"The gradients overflowed {theta.dtype} at epoch "
                        f"{n_iter + 1}; the optimization diverged. " + DIVERGENCE_ADVICE
                    )
                n_iter += 1
                t += n_samples
                loss_curve.append(epoch_loss)
                if recorder is not None:
                    recorder.record(layout, theta)
                if self.verbose:
                    print(f"Iteration {n_iter}, loss = {epoch_loss:.8f}")

                if self.early_stopping:
                    coefs, intercepts = layout.views(theta)
                    score = self._validation_score_with(
                        coefs, intercepts, X_val, y_val, sw_val
                    )
                    validation_scores.append(score)
                    if self.verbose:
                        print(f"Validation score: {score:f}")
                    no_improvement = (
                        no_improvement + 1 if score < best_score + self.tol else 0
                    )
                    if score > best_score:
                        best_score = score
                        best_params = theta.copy()
                else:
                    no_improvement = (
                        no_improvement + 1 if epoch_loss > best_loss - self.tol else 0
                    )
                    best_loss = min(best_loss, epoch_loss)

                optimizer.epoch_ended(t)
                if callbacks.end_task(layout, theta):
                    break  # a callback asked to stop
                if no_improvement > self.n_iter_no_change:
                    what = (
                        "Validation score" if self.early_stopping else "Training loss"
                    )
                    message = (
                        f"{what} did not improve more than tol={self.tol:f} for "
                        f"{self.n_iter_no_change} consecutive epochs."
                    )
                    if optimizer.on_plateau(message, self.verbose):
                        break
                    no_improvement = 0
                if incremental:
                    break
                if n_iter == self.max_iter:
                    warnings.warn(
                        f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                        "reached and the optimization hasn't converged yet.",
                        ConvergenceWarning,
                        stacklevel=2,
                    )
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.", stacklevel=2)

        if self.early_stopping:
            theta[:] = best_params
        self.n_iter_ = n_iter
        self.t_ = t
        self.loss_ = loss_curve[-1] if loss_curve else getattr(self, "loss_", None)
        self.loss_curve_ = loss_curve
        self.validation_scores_ = validation_scores
        self.best_loss_, self.best_validation_score_ = best_loss, best_score
        self._no_improvement_count = no_improvement
        self._best_params = best_params
        self._optimizer_state = {
            name: value for name, value in vars(optimizer).items() if name[0] != "_"
        }
        self._store_layer_stats(recorder)

    def _store_layer_stats(self, recorder):
        if recorder is None:
            return
        self.layer_stats_ = recorder.merged_with(getattr(self, "layer_stats_", None))

    def _fit_lbfgs(self, layout, theta, X, Y, sample_weight, callbacks=NO_HOOKS):
        workspace = Workspace(layout, X.shape[0], theta.dtype)
        grad = np.empty_like(theta)

        def loss_and_grad(x):
            theta[:] = x
            loss = loss_and_gradient(
                layout,
                theta,
                grad,
                X,
                Y,
                sample_weight,
                self.alpha,
                self.activation,
                self.out_activation_,
                workspace,
            )
            return loss, grad.astype(np.float64)

        recorder = _LayerStatsRecorder(self, X, Y) if self.record_layer_stats else None
        iteration = [0]

        def report(x):
            iteration[0] += 1
            if recorder is not None:
                theta[:] = x
                recorder.record(layout, theta)
            if self.verbose:
                print(f"Iteration {iteration[0]}, loss = {result_loss[0]:.8f}")
            callbacks.end_iteration(layout, x)  # may raise StopIteration

        result_loss = [np.nan]
        single_thread, caller_threads = _lbfgs_thread_limits()

        def tracked(x):
            callbacks.begin_task(layout, x)
            with caller_threads():
                loss, g = loss_and_grad(x)
            result_loss[0] = loss
            return loss, g

        with single_thread():
            result = minimize_lbfgs(
                tracked,
                theta,
                max_iter=self.max_iter,
                max_fun=self.max_fun,
                tol=self.tol,
                callback=report,
            )
        if not np.isfinite(result.fun):
            # L-BFGS-B gives up at once on a non-finite loss and returns the
            # untrained start; a model that never trained must not pass as fitted.
            raise ValueError(
                f"The training loss is {float(result.fun)}; the optimization "
                "diverged. " + DIVERGENCE_ADVICE
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
        self.n_iter_ = min(int(result.nit), self.max_iter)
        self.loss_ = float(result.fun)
        self._store_layer_stats(recorder)

    # ------------------------------------------------------------------
    def _forward(self, X):
        # Inputs near the float maximum can overflow inside the network: that
        # is an error here, not inf or NaN predictions (or an arbitrary class).
        with np.errstate(over="ignore", invalid="ignore"):
            output = predict_in_chunks(
                self.coefs_,
                self.intercepts_,
                self.activation,
                self.out_activation_,
                X,
                PREDICT_CHUNK_ROWS,
            )
        if not np.isfinite(output).all():
            bad_rows = int((~np.isfinite(output)).any(axis=1).sum())
            largest = float(abs(X).max()) if sp.issparse(X) else float(np.abs(X).max())
            raise ValueError(
                f"The network's output is not finite for {bad_rows} of the "
                f"{X.shape[0]} rows of X: the forward pass overflowed float64 "
                f"(the largest |x| in X is {largest:.1e}). Scale the inputs as "
                "for training, for example with mlpinit.MeanNormStandardizer."
            )
        return output

    def _validation_score_with(self, coefs, intercepts, X, y, sample_weight):
        output = predict_in_chunks(
            coefs,
            intercepts,
            self.activation,
            self.out_activation_,
            X,
            PREDICT_CHUNK_ROWS,
        )
        if not np.isfinite(output).all():
            return np.nan
        return self._score_output(output, y, sample_weight)

    def _check_fitted_input(self, X):
        from sklearn.utils.validation import validate_data

        check_is_fitted(self)
        return validate_data(
            self,
            X,
            accept_sparse=["csr", "csc"],
            dtype=(np.float64, np.float32),
            reset=False,
        )

    def _check_partial_fit_solver(self):
        if self.solver not in _STOCHASTIC_SOLVERS:
            raise AttributeError(
                "partial_fit is only available for stochastic optimizers. "
                f"{self.solver} is not stochastic."
            )
        return True

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags
