"""The MLP estimators in the scikit-learn ecosystem: pipelines, search, pickling,
dtypes, sparse input, sample weights, partial_fit, warm start, early stopping,
warnings, verbose output, max_grad_norm and record_layer_stats."""

import pickle
import re
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import (
    load_digits,
    make_multilabel_classification,
    make_regression,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import accuracy_score, r2_score
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.utils.validation import check_is_fitted

import mlpinit._estimator.validation as validation
from conftest import quiet_fit
from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor
from mlpinit._core.network import NetworkLayout, Workspace, loss_and_gradient

_DIGITS = load_digits()
X_DIGITS = _DIGITS.data[:400] / 16.0
Y_DIGITS = _DIGITS.target[:400]
X_REG, Y_REG = make_regression(150, 6, noise=0.5, random_state=0)
Y_REG = Y_REG / Y_REG.std()

SMALL = dict(hidden_layer_sizes=(16,), max_iter=15, random_state=0)
PROBLEMS = {
    "classifier": (MLPClassifier, X_DIGITS, Y_DIGITS),
    "regressor": (MLPRegressor, X_REG, Y_REG),
}


def assert_same_parameters(a, b, **tol):
    for x, y in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        if tol:
            np.testing.assert_allclose(x, y, **tol)
        else:
            np.testing.assert_array_equal(x, y)


# --------------------------------------------------------------------------
# model selection
# --------------------------------------------------------------------------
def test_grid_search_in_pipeline_is_the_same_in_parallel():
    pipe = make_pipeline(
        MeanNormStandardizer(),
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=10, random_state=0),
    )
    grid = {
        "mlpclassifier__init": ["xavier", "he"],
        "mlpclassifier__learning_rate_init": [1e-3, 1e-2],
    }
    X, y = X_DIGITS[:300], Y_DIGITS[:300]
    searches = []
    for n_jobs in (1, 2):
        search = GridSearchCV(pipe, grid, cv=3, n_jobs=n_jobs)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            searches.append(search.fit(X, y))
    serial, parallel = searches
    assert serial.best_params_ == parallel.best_params_
    np.testing.assert_allclose(
        serial.cv_results_["mean_test_score"],
        parallel.cv_results_["mean_test_score"],
        rtol=1e-12,
    )
    scores = serial.cv_results_["mean_test_score"]
    assert len(set(np.round(scores, 6))) > 1, "the grid must actually matter"
    # The larger rate learns more in 10 epochs on norm-scaled inputs.
    assert serial.best_params_["mlpclassifier__learning_rate_init"] == 1e-2
    assert serial.best_score_ > 0.5


@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_cross_val_score_equals_a_manual_loop(problem):
    est_cls, X, y = PROBLEMS[problem]
    est = est_cls(**SMALL)
    cv = KFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(est, X, y, cv=cv)
        manual = []
        for train, test in cv.split(X):
            fitted = clone(est).fit(X[train], y[train])
            metric = accuracy_score if problem == "classifier" else r2_score
            manual.append(metric(y[test], fitted.predict(X[test])))
    np.testing.assert_allclose(scores, manual, rtol=1e-12)


@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_clone_keeps_parameters_and_drops_fit(est_cls):
    def init(fi, fo, rs, dt):
        return rs.normal(size=(fi, fo)) * 0.1

    est = est_cls(init=init, max_grad_norm=2.0, record_layer_stats=True, **SMALL)
    quiet_fit(est, X_REG, Y_REG if est_cls is MLPRegressor else Y_REG > 0)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert copy.init is init
    with pytest.raises(Exception, match="not fitted"):
        check_is_fitted(copy)


# --------------------------------------------------------------------------
# pickling, determinism
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_pickle_round_trip_then_partial_fit(problem, solver):
    est_cls, X, y = PROBLEMS[problem]
    est = quiet_fit(est_cls(solver=solver, **SMALL), X[:100], y[:100])
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(restored.predict(X), est.predict(X))
    # coefs_ are views into one flat buffer; unpickled they are separate
    # arrays. Continuing must still work and match the original exactly,
    # optimizer state (momentum, Adam moments) included.
    kwargs = {"classes": np.unique(y)} if problem == "classifier" else {}
    for _ in range(2):
        est.partial_fit(X[100:], y[100:], **kwargs)
        restored.partial_fit(X[100:], y[100:], **kwargs)
    assert_same_parameters(est, restored)
    assert restored.loss_curve_ == est.loss_curve_
    assert len(est.loss_curve_) == 17  # 15 epochs of fit, then 2 partial fits
    assert restored.t_ == est.t_


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_same_seed_gives_bit_identical_coefs(problem, solver):
    est_cls, X, y = PROBLEMS[problem]
    a = quiet_fit(est_cls(solver=solver, **SMALL), X, y)
    b = quiet_fit(est_cls(solver=solver, **SMALL), X, y)
    c = quiet_fit(est_cls(solver=solver, **{**SMALL, "random_state": 1}), X, y)
    assert_same_parameters(a, b)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


# --------------------------------------------------------------------------
# dtypes and sparse input
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_float32_in_float32_out(problem, solver):
    est_cls, X, y = PROBLEMS[problem]
    params = {**SMALL, "solver": solver, "max_iter": 5}
    est32 = quiet_fit(est_cls(**params), X.astype(np.float32), y)
    est64 = quiet_fit(est_cls(**params), X, y)
    for array in est32.coefs_ + est32.intercepts_:
        assert array.dtype == np.float32
    out = est32.predict_proba(X) if problem == "classifier" else est32.predict(X)
    assert out.dtype == np.float32
    # float32 arithmetic follows the float64 run closely over a few epochs.
    ref = est64.predict_proba(X) if problem == "classifier" else est64.predict(X)
    np.testing.assert_allclose(out, ref, atol=2e-3 * np.abs(ref).max())


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_sparse_input_equals_dense(problem, solver, fmt):
    est_cls, X, y = PROBLEMS[problem]
    X = X.copy()
    X[np.abs(X) < np.quantile(np.abs(X), 0.5)] = 0.0
    X_sparse = sp.csr_matrix(X).asformat(fmt)
    params = {**SMALL, "solver": solver, "max_iter": 8}
    dense = quiet_fit(est_cls(**params), X, y)
    sparse = quiet_fit(est_cls(**params), X_sparse, y)
    # Same model up to the summation order of sparse products.
    assert_same_parameters(dense, sparse, rtol=1e-7, atol=1e-10)
    if problem == "classifier":
        np.testing.assert_array_equal(dense.predict(X_sparse), dense.predict(X))
        np.testing.assert_array_equal(sparse.predict(X_sparse), dense.predict(X))
    else:
        np.testing.assert_allclose(
            dense.predict(X_sparse), dense.predict(X), rtol=1e-12
        )
        np.testing.assert_allclose(
            sparse.predict(X_sparse), dense.predict(X), rtol=1e-6
        )


# --------------------------------------------------------------------------
# multi-output
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_multilabel_classification(solver):
    X, Y = make_multilabel_classification(300, 10, n_classes=4, random_state=0)
    X = X / X.max()
    est = quiet_fit(
        MLPClassifier(
            hidden_layer_sizes=(32,), solver=solver, max_iter=300, random_state=0
        ),
        X,
        Y,
    )
    np.testing.assert_array_equal(est.classes_, np.arange(4))
    pred, proba = est.predict(X), est.predict_proba(X)
    assert pred.shape == proba.shape == Y.shape
    assert set(np.unique(pred)) <= {0, 1}
    assert ((proba > 0) & (proba < 1)).all()
    np.testing.assert_array_equal(pred, (proba > 0.5).astype(int))
    # Per-label accuracy well above always predicting each label's majority.
    majority = np.maximum(Y.mean(axis=0), 1 - Y.mean(axis=0)).mean()
    assert (pred == Y).mean() > majority + 0.1
    assert est.score(X, Y) == accuracy_score(Y, pred)


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_multioutput_regression(solver):
    X, Y = make_regression(200, 6, n_targets=3, noise=0.1, random_state=0)
    Y = Y / Y.std(axis=0)
    est = quiet_fit(
        MLPRegressor(
            hidden_layer_sizes=(32,), solver=solver, max_iter=300, random_state=0
        ),
        X,
        Y,
    )
    pred = est.predict(X)
    assert pred.shape == Y.shape
    assert est.n_outputs_ == 3
    assert r2_score(Y, pred) > 0.9
    np.testing.assert_allclose(est.score(X, Y), r2_score(Y, pred))


# --------------------------------------------------------------------------
# sample_weight
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_integer_weights_equal_repeated_rows(problem, solver):
    est_cls, X, y = PROBLEMS[problem]
    X, y = X[:60], y[:60]
    if problem == "classifier":
        y = y % 3
    weights = np.random.RandomState(0).randint(0, 4, len(y))
    X_rep, y_rep = np.repeat(X, weights, axis=0), np.repeat(y, weights)
    assert len(y_rep) <= 200  # "auto" batches: one full batch in both runs
    params = dict(
        hidden_layer_sizes=(10,), random_state=0, solver=solver, shuffle=False
    )
    # L-BFGS: alpha=1 so that both runs converge (n_iter_ < max_iter) instead of
    # drifting apart chaotically on rounding differences.
    if solver == "lbfgs":
        params.update(max_iter=1000, alpha=1.0)
    else:
        params.update(max_iter=10)
    weighted = quiet_fit(est_cls(**params), X, y, sample_weight=weights)
    repeated = quiet_fit(est_cls(**params), X_rep, y_rep)
    if solver == "lbfgs":
        assert weighted.n_iter_ < 1000 and repeated.n_iter_ < 1000
        # The same objective, summed in another order. Its minimum is flat in
        # some directions (a classifier's two runs stop at weights 2x apart in
        # places), so compare the objective reached and the predictions. The two
        # runs can settle in neighbouring minima: measured 1.1e-4 apart with
        # numpy 2.4 and scipy 1.17 (under 1e-4 with earlier releases).
        np.testing.assert_allclose(weighted.loss_, repeated.loss_, rtol=5e-4)
        if problem == "classifier":
            out_w, out_r = weighted.predict_proba(X), repeated.predict_proba(X)
        else:
            out_w, out_r = weighted.predict(X), repeated.predict(X)
        # Measured: 4e-3 apart at most (classifier probabilities).
        np.testing.assert_allclose(out_w, out_r, atol=1e-2 * np.abs(out_r).max())
    else:
        np.testing.assert_allclose(
            weighted.loss_curve_, repeated.loss_curve_, rtol=1e-10
        )
        assert_same_parameters(weighted, repeated, rtol=1e-9, atol=1e-12)


# --------------------------------------------------------------------------
# partial_fit, warm_start, early stopping
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_partial_fit_first_batch_lacks_classes(solver):
    classes = np.arange(10)
    first = np.flatnonzero(Y_DIGITS < 5)[:100]
    est = MLPClassifier(
        solver=solver,
        hidden_layer_sizes=(20,),
        learning_rate_init=0.01,
        random_state=0,
        init="he",  # the trajectory the thresholds below were set on
    )
    est.partial_fit(X_DIGITS[first], Y_DIGITS[first], classes=classes)
    np.testing.assert_array_equal(est.classes_, classes)
    assert est.coefs_[-1].shape == (20, 10)
    assert est.predict_proba(X_DIGITS).shape == (400, 10)
    for _ in range(20):
        est.partial_fit(X_DIGITS[first], Y_DIGITS[first])
    # Classes 5-9 were never seen: their probabilities have been pushed down.
    assert est.predict_proba(X_DIGITS[first])[:, 5:].sum(axis=1).max() < 0.5
    for _ in range(30):
        est.partial_fit(X_DIGITS, Y_DIGITS)  # classes only needed the first time
    assert len(est.loss_curve_) == 51 and est.n_iter_ == 1
    assert est.score(X_DIGITS, Y_DIGITS) > 0.8
    assert set(est.predict(X_DIGITS)) == set(range(10))


def test_partial_fit_classes_on_later_calls_are_ignored_if_equal():
    est = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    est.partial_fit(X_DIGITS, Y_DIGITS, classes=np.arange(10))
    est.partial_fit(X_DIGITS, Y_DIGITS, classes=np.arange(10))
    with pytest.raises(ValueError, match="classes"):
        est.partial_fit(X_DIGITS, Y_DIGITS, classes=np.arange(11))


@pytest.mark.parametrize("est_cls", [MLPClassifier, MLPRegressor])
def test_partial_fit_not_available_for_lbfgs(est_cls):
    est = est_cls(solver="lbfgs")
    assert not hasattr(est, "partial_fit")
    with pytest.raises(AttributeError, match="partial_fit"):
        est.partial_fit(X_REG, Y_REG)


@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_warm_start_continues(problem, solver):
    est_cls, X, y = PROBLEMS[problem]
    params = {**SMALL, "solver": solver, "max_iter": 5}
    est = quiet_fit(est_cls(warm_start=True, **params), X, y)
    first_coefs = [c.copy() for c in est.coefs_]
    first_loss = est.loss_
    if solver != "lbfgs":
        first_curve = list(est.loss_curve_)
    quiet_fit(est, X, y)
    cold = quiet_fit(est_cls(**{**params, "max_iter": 5}), X, y)
    assert not np.array_equal(first_coefs[0], est.coefs_[0])
    assert est.loss_ < first_loss  # continued from the fitted weights ...
    assert est.loss_ < cold.loss_  # ... not from a fresh start
    if solver != "lbfgs":
        assert len(est.loss_curve_) == 10
        assert est.loss_curve_[:5] == first_curve
    # Without warm_start a second fit starts over.
    fresh = quiet_fit(est_cls(**params), X, y)
    quiet_fit(fresh, X, y)
    assert_same_parameters(fresh, cold)


def _spy_on_split(monkeypatch):
    calls = []
    real = validation.train_test_split

    def spy(*arrays, **kwargs):
        parts = real(*arrays, **kwargs)
        calls.append((kwargs, parts))
        return parts

    monkeypatch.setattr(validation, "train_test_split", spy)
    return calls


@pytest.mark.parametrize("target", ["binary", "multiclass"])
def test_early_stopping_split_is_stratified(monkeypatch, target):
    # Departure from scikit-learn, which stratifies only binary targets (a
    # single output column): mlpinit stratifies multiclass targets too.
    y = Y_DIGITS % 2 if target == "binary" else Y_DIGITS
    calls = _spy_on_split(monkeypatch)
    est = quiet_fit(
        MLPClassifier(
            early_stopping=True, validation_fraction=0.2, n_iter_no_change=3, **SMALL
        ),
        X_DIGITS,
        y,
    )
    ((kwargs, parts),) = calls
    assert kwargs["stratify"] is not None
    X_val, y_val = parts[1], parts[5]  # (X, Y, y_labels) train/validation pairs
    assert len(y_val) == 80
    # Stratified: each class's share of the validation set is its share of y
    # to within one sample.
    for label in np.unique(y):
        assert abs((y_val == label).sum() - 0.2 * (y == label).sum()) <= 1
    assert est.validation_scores_ is not None
    assert len(est.validation_scores_) == est.n_iter_
    assert est.best_validation_score_ == max(est.validation_scores_)
    # The kept weights are the best epoch's: they score exactly that on the
    # validation rows.
    assert est.score(X_val, y_val) == est.best_validation_score_
    assert est.best_loss_ is None


def test_early_stopping_multilabel_is_not_stratified(monkeypatch):
    X, Y = make_multilabel_classification(100, 10, n_classes=3, random_state=0)
    calls = _spy_on_split(monkeypatch)
    quiet_fit(MLPClassifier(early_stopping=True, **SMALL), X, Y)
    assert calls[0][0]["stratify"] is None


def test_no_early_stopping_leaves_validation_attributes_none():
    est = quiet_fit(MLPRegressor(**SMALL), X_REG, Y_REG)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.best_loss_ == min(est.loss_curve_)


# --------------------------------------------------------------------------
# warnings and verbose output
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_convergence_warning_at_max_iter(problem, solver):
    est_cls, X, y = PROBLEMS[problem]
    est = est_cls(solver=solver, hidden_layer_sizes=(16,), max_iter=3, random_state=0)
    with pytest.warns(ConvergenceWarning, match=r"(Maximum iterations \(3\)|lbfgs)"):
        est.fit(X, y)
    assert est.n_iter_ == 3


def test_no_convergence_warning_when_converged():
    est = MLPRegressor(
        hidden_layer_sizes=(5,), solver="lbfgs", alpha=10.0, max_iter=500
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X_REG, Y_REG)
    assert est.n_iter_ < 500


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_verbose_prints_each_iteration(capsys, solver):
    est = quiet_fit(
        MLPRegressor(solver=solver, verbose=True, **{**SMALL, "max_iter": 4}),
        X_REG,
        Y_REG,
    )
    lines = re.findall(
        r"^Iteration (\d+), loss = ([0-9.]+)$", capsys.readouterr().out, re.M
    )
    assert [int(i) for i, _ in lines] == [1, 2, 3, 4]
    expected = [f"{loss:.8f}" for loss in est.loss_curve_]
    assert [loss for _, loss in lines] == expected


def test_verbose_lbfgs_prints_iterations(capsys):
    est = quiet_fit(
        MLPRegressor(solver="lbfgs", verbose=True, **{**SMALL, "max_iter": 6}),
        X_REG,
        Y_REG,
    )
    out = capsys.readouterr().out
    numbers = [
        int(n) for n in re.findall(r"^Iteration (\d+), loss = [0-9.]+$", out, re.M)
    ]
    assert numbers == list(range(1, est.n_iter_ + 1))


def test_silent_when_not_verbose(capsys):
    quiet_fit(MLPRegressor(**SMALL), X_REG, Y_REG)
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------
# max_grad_norm
# --------------------------------------------------------------------------
def _badly_scaled_regression():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(200, 5)) * [1, 10, 100, 1000, 5000] + [0, 50, 500, 0, 1e4]
    y = X @ rng.normal(size=5) / 1000 + rng.normal(size=200)
    return X, y


def test_max_grad_norm_keeps_a_diverging_fit_finite():
    X, y = _badly_scaled_regression()
    params = dict(solver="sgd", learning_rate_init=1.0, max_iter=30, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow on the way to inf
        with pytest.raises(ValueError, match="diverged.*MeanNormStandardizer"):
            MLPRegressor(**params).fit(X, y)
    clipped = quiet_fit(MLPRegressor(max_grad_norm=1.0, **params), X, y)
    assert np.isfinite(clipped.loss_curve_).all()
    for array in clipped.coefs_ + clipped.intercepts_:
        assert np.isfinite(array).all()
    assert np.isfinite(clipped.predict(X)).all()


@pytest.mark.parametrize("max_grad_norm", [0.05, 1e6])
def test_max_grad_norm_clips_the_global_norm(max_grad_norm):
    # One full-batch SGD step without momentum: the update must be
    # -lr * g * min(1, max_grad_norm / ||g||), g computed independently.
    X, y = X_REG[:50], Y_REG[:50]
    lr = 0.1

    def init(fan_in, fan_out, random_state, dtype):
        return np.random.RandomState(fan_in * 100 + fan_out).normal(
            size=(fan_in, fan_out)
        )

    est = quiet_fit(
        MLPRegressor(
            hidden_layer_sizes=(7,),
            solver="sgd",
            momentum=0.0,
            learning_rate_init=lr,
            max_iter=1,
            batch_size=50,
            shuffle=False,
            alpha=0.01,
            init=init,
            max_grad_norm=max_grad_norm,
        ),
        X,
        y,
    )
    layout = NetworkLayout([6, 7, 1])
    W0 = [init(6, 7, None, None), init(7, 1, None, None)]
    theta0 = layout.pack(W0, [np.zeros(7), np.zeros(1)], np.float64)
    grad = np.empty(layout.size)
    loss_and_gradient(
        layout,
        theta0,
        grad,
        X,
        y[:, None],
        None,
        0.01,
        "relu",
        "identity",
        Workspace(layout, 50, np.float64),
    )
    norm = np.linalg.norm(grad)
    expected = theta0 - lr * grad * min(1.0, max_grad_norm / norm)
    got = layout.pack(est.coefs_, est.intercepts_, np.float64)
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-14)
    if max_grad_norm < norm:  # the clipped case really clipped
        assert np.linalg.norm(got - theta0) == pytest.approx(lr * max_grad_norm)


# --------------------------------------------------------------------------
# record_layer_stats
# --------------------------------------------------------------------------
@pytest.mark.parametrize("solver", ["sgd", "adam", "lbfgs"])
@pytest.mark.parametrize("problem", list(PROBLEMS))
def test_record_layer_stats_shapes(problem, solver):
    est_cls, X, y = PROBLEMS[problem]
    params = dict(hidden_layer_sizes=(12, 8), solver=solver, max_iter=6, random_state=0)
    est = quiet_fit(est_cls(record_layer_stats=True, **params), X, y)
    stats = est.layer_stats_
    assert est.n_layers_ == 4
    assert {"activation_std", "weight_norm", "gradient_norm"} <= set(stats)
    for name, values in stats.items():
        assert values.shape == (est.n_iter_, est.n_layers_ - 1), name
    # Recorded after each iteration: the last row describes the final model.
    np.testing.assert_allclose(
        stats["weight_norm"][-1], [np.linalg.norm(W) for W in est.coefs_], rtol=1e-12
    )
    plain = quiet_fit(est_cls(record_layer_stats=False, **params), X, y)
    assert not hasattr(plain, "layer_stats_")
    assert_same_parameters(plain, est)  # recording does not change training


def test_record_layer_stats_grows_with_warm_start_and_resets_without():
    params = dict(solver="adam", record_layer_stats=True, **{**SMALL, "max_iter": 4})
    est = quiet_fit(MLPRegressor(warm_start=True, **params), X_REG, Y_REG)
    quiet_fit(est, X_REG, Y_REG)
    assert est.layer_stats_["weight_norm"].shape == (8, 2)
    est.set_params(warm_start=False)
    quiet_fit(est, X_REG, Y_REG)
    assert est.layer_stats_["weight_norm"].shape == (4, 2)
    est.set_params(record_layer_stats=False)
    quiet_fit(est, X_REG, Y_REG)
    assert not hasattr(est, "layer_stats_")
