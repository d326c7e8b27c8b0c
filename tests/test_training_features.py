"""The training features scikit-learn's MLP lacks (issue 13), one section each.

Each is checked against an independent truth (an equivalent scikit-learn
computation, a numpy reference, finite differences, or a property), for bad
input that must leave no trace, across a skops round trip and ``partial_fit``
continuation. Their defaults are covered by the parity tests, which must stay
bit-exact.
"""

import warnings

import numpy as np
import pytest
from scipy.special import expit, ndtr
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import get_scorer, log_loss, mean_squared_error, recall_score
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

import mlpinit._estimator.validation as validation
from mlpinit import MLPClassifier, MLPRegressor
from mlpinit._core.layer_stats import compute_layer_stats, probe_rows
from mlpinit._core.network import NetworkLayout, Workspace, loss_and_gradient
from mlpinit.diagnostics import initialized
from test_mlp_bad_input import _run_case, assert_identical
from test_mlp_gradients import STEP, _ref_loss

RNG = np.random.RandomState(0)
X = RNG.normal(size=(120, 6))
Y3 = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.7)  # three unequal classes
Y_MULTILABEL = np.c_[X[:, 0] > 0, X[:, 1] > 0.5, X[:, 2] > 1].astype(int)
Y_REAL = X @ RNG.normal(size=6)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call(*args, **kwargs)


def same_weights(a, b):
    return all(
        np.array_equal(p, q)
        for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_)
    )


def skops_round_trip(model, tmp_path):
    sio = pytest.importorskip("skops.io")
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    return sio.load(path, trusted=sio.get_untrusted_types(file=path))


# --------------------------------------------------------------------------
# class_weight
# --------------------------------------------------------------------------
CLASS_WEIGHTS = {
    "balanced": "balanced",
    "dict": {0: 1.0, 1: 3.0, 2: 0.5},
    "partial-dict": {2: 4.0},  # classes left out weigh 1
}


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
@pytest.mark.parametrize("name", list(CLASS_WEIGHTS))
def test_class_weight_is_the_sample_weight_scikit_learn_computes(name, solver):
    class_weight = CLASS_WEIGHTS[name]
    params = dict(hidden_layer_sizes=(8,), solver=solver, max_iter=20, random_state=0)
    weighted = quiet(MLPClassifier(class_weight=class_weight, **params).fit, X, Y3)
    expected = compute_sample_weight(class_weight, Y3)
    by_hand = quiet(MLPClassifier(**params).fit, X, Y3, sample_weight=expected)
    assert same_weights(weighted, by_hand)
    assert not same_weights(weighted, quiet(MLPClassifier(**params).fit, X, Y3))


def test_class_weight_multiplies_sample_weight():
    params = dict(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    sample_weight = RNG.uniform(0.5, 2.0, len(Y3))
    class_weight = CLASS_WEIGHTS["dict"]
    both = quiet(
        MLPClassifier(class_weight=class_weight, **params).fit,
        X,
        Y3,
        sample_weight=sample_weight,
    )
    product = sample_weight * compute_sample_weight(class_weight, Y3)
    by_hand = quiet(MLPClassifier(**params).fit, X, Y3, sample_weight=product)
    assert same_weights(both, by_hand)


@pytest.mark.parametrize(
    "class_weight",
    ["balanced", [{0: 1.0, 1: 2.0}, {0: 1.0, 1: 1.0}, {0: 0.5, 1: 4.0}]],
    ids=["balanced", "list-of-dicts"],
)
def test_multilabel_class_weight_follows_random_forest(class_weight):
    # A sample weighs the product of its labels' weights.
    params = dict(hidden_layer_sizes=(8,), max_iter=10, random_state=0)
    weighted = quiet(
        MLPClassifier(class_weight=class_weight, **params).fit, X, Y_MULTILABEL
    )
    expected = compute_sample_weight(class_weight, Y_MULTILABEL)
    by_hand = quiet(
        MLPClassifier(**params).fit, X, Y_MULTILABEL, sample_weight=expected
    )
    assert same_weights(weighted, by_hand)


def test_class_weight_loss_and_gradient_against_finite_differences():
    # The loss an L-BFGS fit reports is the class-weighted mean of the numpy
    # reference, and the core's gradient is that function's derivative.
    class_weight = CLASS_WEIGHTS["dict"]
    est = quiet(
        MLPClassifier(
            hidden_layer_sizes=(5,),
            activation="tanh",
            solver="lbfgs",
            alpha=0.1,
            max_iter=3,
            random_state=0,
            class_weight=class_weight,
        ).fit,
        X[:30],
        Y3[:30],
    )
    layout = NetworkLayout([6, 5, 3])
    theta = layout.pack(est.coefs_, est.intercepts_, np.float64)
    Y = np.eye(3)[Y3[:30]]
    w = np.array([class_weight[c] for c in Y3[:30]])

    def reference(t):
        return _ref_loss(t, layout.layer_units, X[:30], Y, w, 0.1, "tanh", "softmax")

    assert est.loss_ == pytest.approx(reference(theta), rel=1e-10)
    grad = np.empty(layout.size)
    workspace = Workspace(layout, 30, np.float64)
    loss_and_gradient(
        layout, theta, grad, X[:30], Y, w, 0.1, "tanh", "softmax", workspace
    )
    numeric = np.array(
        [
            (reference(theta + STEP * e) - reference(theta - STEP * e)) / (2 * STEP)
            for e in np.eye(layout.size)
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_balanced_class_weight_raises_minority_recall():
    X_imb, y_imb = make_classification(
        2000, n_features=10, weights=[0.95], flip_y=0.02, random_state=0
    )
    params = dict(hidden_layer_sizes=(16,), max_iter=50, random_state=0)
    plain = quiet(MLPClassifier(**params).fit, X_imb, y_imb)
    balanced = quiet(MLPClassifier(class_weight="balanced", **params).fit, X_imb, y_imb)
    assert recall_score(y_imb, balanced.predict(X_imb)) > recall_score(
        y_imb, plain.predict(X_imb)
    )


def test_class_weight_with_partial_fit_continues_across_a_skops_round_trip(tmp_path):
    # partial_fit takes explicit weights (as SGDClassifier asks), and a
    # loaded model continues exactly as the original.
    weights = compute_class_weight("balanced", classes=np.arange(3), y=Y3)
    class_weight = dict(enumerate(weights))
    est = MLPClassifier(
        hidden_layer_sizes=(8,), random_state=0, class_weight=class_weight
    )
    est.partial_fit(X, Y3, classes=[0, 1, 2])
    loaded = skops_round_trip(est, tmp_path)
    assert loaded.class_weight == class_weight
    for _ in range(3):
        est.partial_fit(X, Y3)
        loaded.partial_fit(X, Y3)
    assert same_weights(est, loaded)
    by_hand = MLPClassifier(hidden_layer_sizes=(8,), random_state=0)
    sample_weight = compute_sample_weight(class_weight, Y3)
    by_hand.partial_fit(X, Y3, classes=[0, 1, 2], sample_weight=sample_weight)
    for _ in range(3):
        by_hand.partial_fit(X, Y3, sample_weight=sample_weight)
    assert same_weights(est, by_hand)


def _fit_call(y, **kwargs):
    return lambda est: est.fit(X, y, **kwargs)


CLASS_WEIGHT_BAD_INPUT = {
    "unknown-key": ({0: 1.0, 7: 2.0}, _fit_call(Y3), "not classes of y: \\[7\\]"),
    "list-for-multiclass": ([{0: 1.0}], _fit_call(Y3), "must be a dict"),
    "dict-for-multilabel": (
        {0: 1.0},
        _fit_call(Y_MULTILABEL),
        "must be a list of dicts",
    ),
    "too-few-label-dicts": (
        [{0: 1.0, 1: 2.0}],
        _fit_call(Y_MULTILABEL),
        "1 dicts for a target of 3 labels",
    ),
    "label-key-not-0-or-1": (
        [{0: 1.0, 2: 2.0}] * 3,
        _fit_call(Y_MULTILABEL),
        "not classes of y: \\[2\\]",
    ),
    "all-zero": (
        {0: 0.0, 1: 0.0, 2: 0.0},
        _fit_call(Y3),
        "class_weight gives every row of this call weight 0",
    ),
    "balanced-partial-fit": (
        "balanced",
        lambda est: est.partial_fit(X, Y3, classes=[0, 1, 2]),
        "'balanced' is not supported for partial_fit",
    ),
    "bad-string": ("even", _fit_call(Y3), "class_weight"),
}


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize("case", list(CLASS_WEIGHT_BAD_INPUT))
def test_bad_class_weight_raises_and_leaves_no_trace(case, fitted):
    class_weight, call, match = CLASS_WEIGHT_BAD_INPUT[case]
    est = MLPClassifier(hidden_layer_sizes=(5,), max_iter=5, random_state=0)
    if fitted:
        quiet(est.fit, X, Y_MULTILABEL if "label" in case else Y3)
    est.set_params(class_weight=class_weight)
    _run_case(est, call, ValueError, match)


def test_regressor_has_no_class_weight():
    assert "class_weight" not in MLPRegressor().get_params()


def test_class_weight_none_is_exactly_the_default():
    a = quiet(MLPClassifier((8,), max_iter=5, random_state=0).fit, X, Y3)
    b = quiet(
        MLPClassifier((8,), max_iter=5, random_state=0, class_weight=None).fit, X, Y3
    )
    assert_identical(vars(a), vars(b))


# --------------------------------------------------------------------------
# validation_loss_curve_ and scoring
# --------------------------------------------------------------------------
def _held_out_rows(monkeypatch):
    """Record the validation rows early stopping holds out."""
    real, seen = validation.train_test_split, []

    def spy(*arrays, **kwargs):
        parts = real(*arrays, **kwargs)
        seen.append(parts)
        return parts

    monkeypatch.setattr(validation, "train_test_split", spy)
    return seen


ES = dict(hidden_layer_sizes=(8,), early_stopping=True, random_state=0)


@pytest.mark.parametrize(
    "est_cls, y, reference",
    [
        (MLPClassifier, Y3, lambda m, X_, y_: log_loss(y_, m.predict_proba(X_))),
        (
            MLPClassifier,
            (Y3 > 0).astype(int),
            lambda m, X_, y_: log_loss(y_, m.predict_proba(X_)),
        ),
        (
            MLPRegressor,
            Y_REAL,
            lambda m, X_, y_: 0.5 * mean_squared_error(y_, m.predict(X_)),
        ),
    ],
    ids=["multiclass", "binary", "regressor"],
)
def test_validation_loss_is_the_held_out_loss(monkeypatch, est_cls, y, reference):
    # With one epoch, the kept weights are that epoch's: the recorded loss is
    # scikit-learn's metric of the final model on the held-out rows.
    seen = _held_out_rows(monkeypatch)
    model = quiet(est_cls(max_iter=1, **ES).fit, X, y)
    X_val, y_val = seen[0][1], seen[0][5]
    assert len(model.validation_loss_curve_) == 1
    assert model.validation_loss_curve_[0] == pytest.approx(
        reference(model, X_val, y_val), rel=1e-10
    )


def test_validation_loss_curve_has_one_entry_per_epoch_and_continues():
    model = quiet(MLPRegressor(max_iter=7, n_iter_no_change=100, **ES).fit, X, Y_REAL)
    assert len(model.validation_loss_curve_) == len(model.loss_curve_) == 7
    assert all(np.isfinite(model.validation_loss_curve_))
    model.set_params(warm_start=True, max_iter=3)
    first = list(model.validation_loss_curve_)
    quiet(model.fit, X, Y_REAL)
    assert model.validation_loss_curve_[:7] == first
    assert len(model.validation_loss_curve_) == 10


def test_validation_loss_curve_is_none_without_early_stopping():
    model = quiet(MLPRegressor(hidden_layer_sizes=(4,), max_iter=3).fit, X, Y_REAL)
    assert model.validation_loss_curve_ is None


def test_scoring_loss_stops_on_the_validation_loss():
    model = quiet(MLPRegressor(max_iter=40, scoring="loss", **ES).fit, X, Y_REAL)
    np.testing.assert_array_equal(
        model.validation_scores_, -np.asarray(model.validation_loss_curve_)
    )
    assert model.best_validation_score_ == -min(model.validation_loss_curve_)


@pytest.mark.parametrize(
    "est_cls, y, scoring",
    [
        (MLPClassifier, Y3, "balanced_accuracy"),
        (MLPClassifier, Y3, "neg_log_loss"),
        (MLPRegressor, Y_REAL, "neg_mean_absolute_error"),
        (MLPRegressor, Y_REAL, get_scorer("neg_median_absolute_error")),
    ],
    ids=["balanced_accuracy", "neg_log_loss", "neg_mae", "callable"],
)
def test_scoring_is_the_scorer_on_the_held_out_rows(monkeypatch, est_cls, y, scoring):
    seen = _held_out_rows(monkeypatch)
    model = quiet(est_cls(max_iter=1, scoring=scoring, **ES).fit, X, y)
    X_val, y_val = seen[0][1], seen[0][5]
    scorer = get_scorer(scoring) if isinstance(scoring, str) else scoring
    assert model.validation_scores_[0] == pytest.approx(
        scorer(model, X_val, y_val), rel=1e-12
    )


def test_scoring_none_is_exactly_the_default():
    a = quiet(MLPClassifier(max_iter=8, **ES).fit, X, Y3)
    b = quiet(MLPClassifier(max_iter=8, scoring=None, **ES).fit, X, Y3)
    assert_identical(vars(a), vars(b))


def test_validation_record_survives_a_skops_round_trip(tmp_path):
    model = quiet(MLPClassifier(max_iter=5, scoring="loss", **ES).fit, X, Y3)
    loaded = skops_round_trip(model, tmp_path)
    assert loaded.validation_loss_curve_ == model.validation_loss_curve_
    assert loaded.scoring == "loss"


class ScorerFailure(Exception):
    pass


def _failing_scorer(estimator, X_, y_):
    raise ScorerFailure


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize(
    "scoring, exc, match",
    [
        ("bogus", InvalidParameterError, "'scoring' parameter"),
        (3, InvalidParameterError, "'scoring' parameter"),
        (_failing_scorer, ScorerFailure, None),
    ],
    ids=["unknown-name", "not-a-scorer", "scorer-raises"],
)
def test_bad_scoring_raises_and_leaves_no_trace(scoring, exc, match, fitted):
    est = MLPRegressor(max_iter=5, **ES)
    if fitted:
        quiet(est.fit, X, Y_REAL)
    est.set_params(scoring=scoring)
    _run_case(est, lambda e: e.fit(X, Y_REAL), exc, match)


# --------------------------------------------------------------------------
# weight_decay
# --------------------------------------------------------------------------
FULL_BATCH = dict(
    hidden_layer_sizes=(5,),
    activation="tanh",
    batch_size=len(X),
    shuffle=False,
    alpha=0.0,
    tol=0.0,
    n_iter_no_change=1000,
    random_state=0,
)


def _start(est):
    start = initialized(est, X, Y_REAL)
    layout = NetworkLayout([6, 5, 1])
    return layout, layout.pack(start.coefs_, start.intercepts_, np.float64)


def _core_gradient(layout, theta):
    grad = np.empty(layout.size)
    workspace = Workspace(layout, len(X), np.float64)
    Y = Y_REAL[:, None]
    loss_and_gradient(
        layout, theta, grad, X, Y, None, 0.0, "tanh", "identity", workspace
    )
    return grad


def test_adamw_follows_the_reference_update():
    # Loshchilov & Hutter's AdamW with scikit-learn's Adam (bias correction
    # folded into the step size), written out in numpy.
    lr, decay, b1, b2, eps, epochs = 0.01, 0.3, 0.9, 0.999, 1e-8, 6
    est = MLPRegressor(
        solver="adam",
        learning_rate_init=lr,
        weight_decay=decay,
        max_iter=epochs,
        **FULL_BATCH,
    )
    layout, theta = _start(est)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(1, epochs + 1):
        g = _core_gradient(layout, theta)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta[: layout.n_coef] *= 1 - lr * decay  # the weights only
        step = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        theta = theta - step * m / (np.sqrt(v) + eps)
    fitted = quiet(est.fit, X, Y_REAL)
    got = layout.pack(fitted.coefs_, fitted.intercepts_, np.float64)
    np.testing.assert_allclose(got, theta, rtol=1e-12, atol=1e-14)


def test_sgd_weight_decay_is_the_l2_gradient_without_momentum():
    # Plain full-batch SGD: decaying by lr * decay equals a step on the L2
    # term decay / 2 * ||W||^2, whose gradient the finite-difference tests
    # check through alpha (scaled by 1 / n_samples).
    params = dict(solver="sgd", momentum=0.0, learning_rate_init=0.05, max_iter=8)
    decayed = quiet(
        MLPRegressor(weight_decay=0.2, **params, **FULL_BATCH).fit, X, Y_REAL
    )
    l2 = {**FULL_BATCH, "alpha": 0.2 * len(X)}
    penalized = quiet(MLPRegressor(**params, **l2).fit, X, Y_REAL)
    for a, b in zip(
        decayed.coefs_ + decayed.intercepts_, penalized.coefs_ + penalized.intercepts_
    ):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-13)


def _numeric_gradient(function, theta):
    return np.array(
        [
            (function(theta + STEP * e) - function(theta - STEP * e)) / (2 * STEP)
            for e in np.eye(theta.size)
        ]
    )


@pytest.mark.parametrize("target", ["regressor", "class-weighted-classifier"])
def test_sgd_weight_decay_steps_along_finite_differences_of_a_reference(target):
    # Full-batch SGD without momentum descends L(theta) + decay / 2 * ||W||^2
    # (weights only): each of the fit's steps equals a step along the central
    # differences of that objective, written in numpy from the test module's
    # reference loss (class weights included), not from the core.
    lr, decay, steps = 0.05, 0.3, 3
    params = dict(solver="sgd", momentum=0.0, learning_rate_init=lr, weight_decay=decay)
    if target == "regressor":
        est, y, out = (
            MLPRegressor(max_iter=steps, **params, **FULL_BATCH),
            Y_REAL,
            "identity",
        )
        Y, w, units = Y_REAL[:, None], None, [6, 5, 1]
    else:
        class_weight = CLASS_WEIGHTS["dict"]
        est = MLPClassifier(
            max_iter=steps, class_weight=class_weight, **params, **FULL_BATCH
        )
        y, out, units = Y3, "softmax", [6, 5, 3]
        Y, w = np.eye(3)[Y3], np.array([class_weight[c] for c in Y3])
    start = initialized(est, X, y)
    layout = NetworkLayout(units)
    theta = layout.pack(start.coefs_, start.intercepts_, np.float64)

    def objective(t):
        weights = t[: layout.n_coef]
        loss = _ref_loss(t, units, X, Y, w, 0.0, "tanh", out)
        return loss + decay / 2 * float(weights @ weights)

    for _ in range(steps):
        theta = theta - lr * _numeric_gradient(objective, theta)
    fitted = quiet(est.fit, X, y)
    got = layout.pack(fitted.coefs_, fitted.intercepts_, np.float64)
    np.testing.assert_allclose(got, theta, rtol=1e-7, atol=1e-9)
    # The decay did act: without it the fit ends elsewhere.
    plain = quiet(est.set_params(weight_decay=0.0).fit, X, y)
    assert not np.allclose(
        layout.pack(plain.coefs_, plain.intercepts_, np.float64), got
    )


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_weight_decay_shrinks_weights_and_leaves_biases(solver):
    from mlpinit._core.optimizers import SGD, Adam

    layout = NetworkLayout([3, 4, 2])
    if solver == "sgd":
        optimizer = SGD(layout.size, np.float64, 0.1, "constant", 0.9, True, 0.5)
    else:
        optimizer = Adam(layout.size, np.float64, 0.1, 0.9, 0.999, 1e-8)
    optimizer.decay_weights(0.5, layout.n_coef)
    theta = RNG.normal(size=layout.size)
    before = theta.copy()
    optimizer.step(theta, np.zeros(layout.size))  # no gradient: decay alone
    np.testing.assert_allclose(theta[: layout.n_coef], 0.95 * before[: layout.n_coef])
    np.testing.assert_array_equal(theta[layout.n_coef :], before[layout.n_coef :])


def test_weight_decay_zero_is_exactly_the_default():
    a = quiet(MLPClassifier((8,), max_iter=5, random_state=0).fit, X, Y3)
    b = quiet(
        MLPClassifier((8,), max_iter=5, random_state=0, weight_decay=0.0).fit, X, Y3
    )
    assert_identical(vars(a), vars(b))


@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_weight_decay_partial_fit_continues_across_a_skops_round_trip(solver, tmp_path):
    est = MLPRegressor(
        hidden_layer_sizes=(8,), solver=solver, weight_decay=0.05, random_state=0
    )
    quiet(est.partial_fit, X, Y_REAL)
    loaded = skops_round_trip(est, tmp_path)
    for _ in range(3):
        est.partial_fit(X, Y_REAL)
        loaded.partial_fit(X, Y_REAL)
    assert same_weights(est, loaded)
    undecayed = MLPRegressor(hidden_layer_sizes=(8,), solver=solver, random_state=0)
    for _ in range(4):
        undecayed.partial_fit(X, Y_REAL)
    assert np.linalg.norm(est.coefs_[0]) < np.linalg.norm(undecayed.coefs_[0])


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize("value", [-0.1, "0.1", None, np.nan])
def test_bad_weight_decay_raises_and_leaves_no_trace(value, fitted):
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    if fitted:
        quiet(est.fit, X, Y_REAL)
    est.set_params(weight_decay=value)
    _run_case(est, lambda e: e.fit(X, Y_REAL), InvalidParameterError, "weight_decay")


# --------------------------------------------------------------------------
# learning_rate="cosine" and warmup_epochs
# --------------------------------------------------------------------------
def _expected_rate(rate_init, k, total, warmup):
    # Written from the formula in the docs, independently of cosine_rate.
    if k < warmup:
        return rate_init * (k + 1) / warmup
    if k >= total:
        return 0.0
    return rate_init * (1 + np.cos(np.pi * (k - warmup) / (total - warmup))) / 2


@pytest.mark.parametrize("warmup", [0, 3])
def test_sgd_follows_the_cosine_rates_update_by_update(warmup):
    from mlpinit._core.optimizers import SGD

    optimizer = SGD(1, np.float64, 0.5, "cosine", 0.0, False, 0.5)
    optimizer.follow_cosine(10, warmup)
    theta, steps = np.zeros(1), []
    for _ in range(12):
        before = theta[0]
        optimizer.step(theta, np.ones(1))  # momentum 0: the step is the rate
        steps.append(before - theta[0])
    expected = [_expected_rate(0.5, k, 10, warmup) for k in range(12)]
    np.testing.assert_allclose(steps, expected, rtol=1e-12, atol=1e-15)


def test_adam_with_cosine_follows_the_reference_update():
    lr, b1, b2, eps, epochs, warmup = 0.02, 0.9, 0.999, 1e-8, 6, 2
    est = MLPRegressor(
        solver="adam",
        learning_rate="cosine",
        warmup_epochs=warmup,
        learning_rate_init=lr,
        weight_decay=0.1,
        max_iter=epochs,
        **FULL_BATCH,
    )
    layout, theta = _start(est)
    m, v = np.zeros_like(theta), np.zeros_like(theta)
    for t in range(1, epochs + 1):
        rate = _expected_rate(lr, t - 1, epochs, warmup)  # one update per epoch
        g = _core_gradient(layout, theta)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        theta[: layout.n_coef] *= 1 - rate * 0.1
        theta = theta - rate * np.sqrt(1 - b2**t) / (1 - b1**t) * m / (np.sqrt(v) + eps)
    fitted = quiet(est.fit, X, Y_REAL)
    got = layout.pack(fitted.coefs_, fitted.intercepts_, np.float64)
    np.testing.assert_allclose(got, theta, rtol=1e-12, atol=1e-14)


def test_each_fit_restarts_the_schedule_and_partial_fit_continues_it(tmp_path):
    params = dict(hidden_layer_sizes=(6,), learning_rate="cosine", batch_size=40)
    n_batches = 3  # 120 rows
    est = MLPRegressor(max_iter=4, random_state=0, warm_start=True, **params)
    for _ in range(2):  # a warm start restarts: the position counts one fit
        quiet(est.fit, X, Y_REAL)
        assert est._optimizer_state["cosine_update"] == 4 * n_batches
    stream = MLPRegressor(
        solver="sgd", momentum=0.0, max_iter=3, random_state=0, **params
    )
    stream.partial_fit(X, Y_REAL)
    loaded = skops_round_trip(stream, tmp_path)
    for calls in (2, 3):
        stream.partial_fit(X, Y_REAL)
        loaded.partial_fit(X, Y_REAL)
        assert stream._optimizer_state["cosine_update"] == calls * n_batches
    assert same_weights(stream, loaded)
    # Past max_iter epochs the rate is 0: plain SGD no longer moves.
    frozen = [w.copy() for w in stream.coefs_]
    stream.partial_fit(X, Y_REAL)
    assert all(np.array_equal(a, b) for a, b in zip(frozen, stream.coefs_))


def test_cosine_with_early_stopping_ends_early_and_keeps_the_best():
    est = MLPClassifier(
        learning_rate="cosine",
        warmup_epochs=2,
        max_iter=200,
        n_iter_no_change=3,
        **ES,
    )
    quiet(est.fit, X, Y3)
    assert est.n_iter_ < 200
    assert est.best_validation_score_ == max(est.validation_scores_)


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize(
    "params, exc, match",
    [
        ({"learning_rate": "cos"}, InvalidParameterError, "learning_rate"),
        ({"warmup_epochs": -1}, InvalidParameterError, "warmup_epochs"),
        ({"warmup_epochs": 1.5}, InvalidParameterError, "warmup_epochs"),
        ({"warmup_epochs": 2}, ValueError, "warmup of learning_rate='cosine'"),
    ],
    ids=["unknown-schedule", "negative-warmup", "fractional-warmup", "no-cosine"],
)
def test_bad_schedule_raises_and_leaves_no_trace(params, exc, match, fitted):
    est = MLPRegressor(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
    if fitted:
        quiet(est.fit, X, Y_REAL)
    est.set_params(**params)
    _run_case(est, lambda e: e.fit(X, Y_REAL), exc, match)


# --------------------------------------------------------------------------
# dropout
# --------------------------------------------------------------------------
def _dropout_problem(activation):
    from mlpinit._core.training import Dropout

    layout = NetworkLayout([6, 7, 5, 2])
    theta = np.random.RandomState(1).normal(scale=0.5, size=layout.size)
    dropout = Dropout(
        [0.3, 0.5], layout.layer_units, 20, np.float64, np.random.default_rng(0)
    ).draw(20)
    Y = np.eye(2)[Y3[:20] % 2]
    return layout, theta, dropout, Y


def _thinned_reference_loss(theta, layout, dropout, Y, activation):
    # numpy: each hidden output times its mask, then the softmax log loss.
    coefs, intercepts = layout.views(theta)
    A = X[:20]
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = A @ W + b
        if i == len(coefs) - 1:
            E = np.exp(Z - Z.max(axis=1, keepdims=True))
            P = E / E.sum(axis=1, keepdims=True)
        else:
            A = _REFERENCE_HIDDEN[activation](Z) * dropout.masks[i + 1]
    return float(-(Y * np.log(P)).sum(axis=1).mean())


# gelu: an activation whose pre-activation training keeps beside the masks.
_REFERENCE_HIDDEN = {"tanh": np.tanh, "logistic": expit, "gelu": lambda z: z * ndtr(z)}


@pytest.mark.parametrize("activation", list(_REFERENCE_HIDDEN))
def test_dropout_loss_and_gradient_against_a_reference_and_finite_differences(
    activation,
):
    layout, theta, dropout, Y = _dropout_problem(activation)

    def core(t):
        grad = np.empty(layout.size)
        workspace = Workspace(layout, 20, np.float64)
        loss = loss_and_gradient(
            layout,
            t,
            grad,
            X[:20],
            Y,
            None,
            0.0,
            activation,
            "softmax",
            workspace,
            dropout,
        )
        return loss, grad

    loss, grad = core(theta)
    assert loss == pytest.approx(
        _thinned_reference_loss(theta, layout, dropout, Y, activation), rel=1e-12
    )
    numeric = np.array(
        [
            (core(theta + STEP * e)[0] - core(theta - STEP * e)[0]) / (2 * STEP)
            for e in np.eye(layout.size)
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)
    # The masks matter: the full network has another loss.
    full = Workspace(layout, 20, np.float64)
    plain = loss_and_gradient(
        layout,
        theta,
        np.empty(layout.size),
        X[:20],
        Y,
        None,
        0.0,
        activation,
        "softmax",
        full,
    )
    assert plain != pytest.approx(loss)


def test_dropout_masks_keep_the_expectation():
    from mlpinit._core.training import Dropout

    dropout = Dropout([0.25], [3, 4000, 1], 50, np.float32, np.random.default_rng(0))
    mask = dropout.draw(50).masks[1]
    assert mask.dtype == np.float32
    assert set(np.unique(mask)) == {0.0, np.float32(1 / 0.75)}
    assert np.mean(mask == 0) == pytest.approx(0.25, abs=0.01)
    assert mask.mean() == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("dropout", [0.0, [0.0, 0.0]], ids=["zero", "zeros"])
def test_dropout_zero_is_exactly_the_default(dropout):
    params = dict(hidden_layer_sizes=(8, 4), max_iter=5, random_state=0)
    a = quiet(MLPClassifier(**params).fit, X, Y3)
    b = quiet(MLPClassifier(dropout=dropout, **params).fit, X, Y3)
    fitted_a, fitted_b = dict(vars(a)), dict(vars(b))
    fitted_a.pop("dropout"), fitted_b.pop("dropout")  # 0.0 against [0.0, 0.0]
    assert_identical(fitted_a, fitted_b)


def test_dropout_refits_bit_identically_and_the_seed_matters():
    params = dict(hidden_layer_sizes=(16,), max_iter=5, dropout=0.3)
    a = quiet(MLPClassifier(random_state=0, **params).fit, X, Y3)
    b = quiet(MLPClassifier(random_state=0, **params).fit, X, Y3)
    c = quiet(MLPClassifier(random_state=1, **params).fit, X, Y3)
    assert same_weights(a, b)
    assert not same_weights(a, c)
    plain = quiet(
        MLPClassifier(random_state=0, hidden_layer_sizes=(16,), max_iter=5).fit, X, Y3
    )
    assert not same_weights(a, plain)


def test_prediction_and_layer_stats_see_the_full_network():
    est = MLPClassifier(
        hidden_layer_sizes=(16, 8),
        activation="tanh",
        max_iter=4,
        dropout=[0.5, 0.2],
        random_state=0,
        record_layer_stats=True,
    )
    quiet(est.fit, X, Y3)
    A = X
    for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
        A = np.tanh(A @ W + b)  # no mask, no rescaling
    Z = A @ est.coefs_[-1] + est.intercepts_[-1]
    P = np.exp(Z - Z.max(axis=1, keepdims=True))
    np.testing.assert_allclose(est.predict_proba(X), P / P.sum(1, keepdims=True))
    assert est.layer_stats_["activation_std"].shape == (4, 3)
    n_probe = probe_rows(len(X))
    full = compute_layer_stats(
        est.coefs_,
        est.intercepts_,
        "tanh",
        "softmax",
        X[:n_probe],
        np.eye(3)[Y3[:n_probe]],
        alpha=est.alpha,
    )
    for name, values in full.items():
        np.testing.assert_allclose(est.layer_stats_[name][-1], values, rtol=1e-10)


def test_dropout_narrows_the_train_test_gap_on_a_noisy_problem():
    # Few rows, many features, 20% flipped labels: the plain network
    # memorizes its training set. Averaged over seeds, dropout gives up
    # training accuracy and keeps a smaller gap.
    X_all, y_all = make_classification(
        600, n_features=40, n_informative=5, flip_y=0.2, random_state=0
    )
    gaps = {0.0: [], 0.5: []}
    for seed in range(3):
        for rate in gaps:
            est = quiet(
                MLPClassifier(
                    hidden_layer_sizes=(128, 64),
                    max_iter=100,
                    dropout=rate,
                    random_state=seed,
                ).fit,
                X_all[:200],
                y_all[:200],
            )
            gaps[rate].append(
                est.score(X_all[:200], y_all[:200])
                - est.score(X_all[200:], y_all[200:])
            )
    assert np.mean(gaps[0.5]) < np.mean(gaps[0.0])


def test_dropout_partial_fit_continues_across_a_skops_round_trip(tmp_path):
    est = MLPClassifier(hidden_layer_sizes=(8,), dropout=0.3, random_state=0)
    est.partial_fit(X, Y3, classes=[0, 1, 2])
    loaded = skops_round_trip(est, tmp_path)
    for _ in range(3):
        est.partial_fit(X, Y3)
        loaded.partial_fit(X, Y3)
    assert same_weights(est, loaded)


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize(
    "params, exc, match",
    [
        ({"dropout": 1.0}, InvalidParameterError, "dropout"),
        ({"dropout": -0.1}, InvalidParameterError, "dropout"),
        ({"dropout": "half"}, InvalidParameterError, "dropout"),
        ({"dropout": [0.1, 0.2, 0.3]}, ValueError, "one per hidden layer \\(2\\)"),
        ({"dropout": [0.1, 1.5]}, ValueError, "must lie in \\[0, 1\\)"),
        ({"dropout": [0.1, np.nan]}, ValueError, "must lie in \\[0, 1\\)"),
        ({"dropout": 0.2, "solver": "lbfgs"}, ValueError, "deterministic"),
    ],
    ids=["one", "negative", "string", "too-many", "above-one", "nan", "lbfgs"],
)
def test_bad_dropout_raises_and_leaves_no_trace(params, exc, match, fitted):
    est = MLPRegressor(hidden_layer_sizes=(4, 3), max_iter=3, random_state=0)
    if fitted:
        quiet(est.fit, X, Y_REAL)
    est.set_params(**params)
    _run_case(est, lambda e: e.fit(X, Y_REAL), exc, match)


# --------------------------------------------------------------------------
# the evidence script (benchmarks/training_features.py)
# --------------------------------------------------------------------------
def test_the_evidence_script_prints_one_row_per_setting(capsys):
    from pathlib import Path

    from conftest import load_script

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "training_features.py"
    script = load_script(path, "benchmark_training_features")
    script.main(["--seeds", "1", "--only", "dropout"])
    rows = [line for line in capsys.readouterr().out.splitlines() if line[:3] == "| 0"]
    assert [row.split(" | ")[0] for row in rows] == ["| 0.0", "| 0.2", "| 0.5"]
    # train - test is the difference of the two accuracy columns.
    for row in rows:
        train, test, gap = (float(cell.split()[0]) for cell in row.split(" | ")[1:4])
        assert gap == pytest.approx(train - test, abs=2e-3)
