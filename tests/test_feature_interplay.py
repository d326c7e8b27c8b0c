"""Each issue-13 training feature with the machinery around training.

``record_layer_stats``, ``verbose``, the callback API and the rollback of a
fit that fails half-way were written before class_weight, early stopping on
a scorer, weight_decay, the cosine schedule and dropout existed. Here each
feature runs with each of them, and what they report is checked against the
model that comes out (its loss curve, its validation scores, its weights),
not only for the absence of an error.
"""

import copy
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning

import mlpinit._core.engine as engine
import mlpinit._estimator.validation as validation
from conftest import assert_identical
from mlpinit import MLPClassifier, MLPRegressor
from mlpinit._callbacks import CALLBACK_API_AVAILABLE
from mlpinit._core.layer_stats import compute_layer_stats, probe_rows

X, y = make_classification(
    n_samples=150, n_features=6, n_informative=4, n_classes=3, random_state=0
)
Y_REAL = X @ np.random.RandomState(1).normal(size=6)
BASE = dict(hidden_layer_sizes=(8, 6), max_iter=6, random_state=0)

# One setting per feature (and per solver where the feature acts differently).
FEATURES = {
    "class_weight": (MLPClassifier, {"class_weight": "balanced"}),
    "class_weight-dict": (MLPClassifier, {"class_weight": {0: 1.0, 1: 3.0, 2: 0.5}}),
    "scoring": (
        MLPClassifier,
        {"early_stopping": True, "scoring": "balanced_accuracy"},
    ),
    "scoring-loss": (MLPRegressor, {"early_stopping": True, "scoring": "loss"}),
    "weight_decay-adam": (MLPClassifier, {"weight_decay": 0.05}),
    "weight_decay-sgd": (MLPRegressor, {"weight_decay": 0.05, "solver": "sgd"}),
    "cosine-adam": (MLPClassifier, {"learning_rate": "cosine", "warmup_epochs": 2}),
    "cosine-sgd": (MLPRegressor, {"learning_rate": "cosine", "solver": "sgd"}),
    "dropout": (MLPClassifier, {"dropout": [0.3, 0.1]}),
}
needs_callback_api = pytest.mark.skipif(
    not CALLBACK_API_AVAILABLE, reason="needs sklearn.callback (scikit-learn >= 1.9)"
)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call(*args, **kwargs)


def make(feature, **extra):
    cls, params = FEATURES[feature]
    # n_iter_no_change keeps early stopping from ending the short fits.
    return cls(**BASE, n_iter_no_change=100, **params, **extra)


def targets(est):
    return y if isinstance(est, MLPClassifier) else Y_REAL


def encoded(est, labels):
    if isinstance(est, MLPClassifier):
        return (labels[:, None] == est.classes_).astype(float)
    return labels[:, None]


def training_rows(monkeypatch):
    """Record the training split early stopping keeps (X_train, y_train)."""
    real, seen = validation.train_test_split, []

    def spy(*arrays, **kwargs):
        parts = real(*arrays, **kwargs)
        seen.append((parts[0], parts[4]))
        return parts

    monkeypatch.setattr(validation, "train_test_split", spy)
    return seen


@pytest.mark.parametrize("feature", list(FEATURES))
def test_verbose_prints_the_loss_curve_and_the_validation_scores(capsys, feature):
    est = make(feature, verbose=True)
    quiet(est.fit, X, targets(est))
    lines = capsys.readouterr().out.splitlines()
    losses = [line for line in lines if line.startswith("Iteration")]
    assert losses == [
        f"Iteration {n}, loss = {loss:.8f}"
        for n, loss in enumerate(est.loss_curve_, start=1)
    ]
    assert len(losses) == est.n_iter_ == 6
    scores = [line for line in lines if line.startswith("Validation score")]
    if est.early_stopping:
        # The printed score is the chosen scorer's, as stored.
        assert scores == [f"Validation score: {s:f}" for s in est.validation_scores_]
    else:
        assert scores == []


@pytest.mark.parametrize("feature", list(FEATURES))
def test_layer_stats_are_the_statistics_of_the_kept_weights(monkeypatch, feature):
    seen = training_rows(monkeypatch)
    est = make(feature, record_layer_stats=True)
    quiet(est.fit, X, targets(est))
    stats = est.layer_stats_
    assert stats["activation_std"].shape == (6, 3)  # one row per epoch
    # Early stopping keeps the best epoch's weights; otherwise the last.
    row = int(np.argmax(est.validation_scores_)) if est.early_stopping else -1
    X_train, y_train = seen[0] if seen else (X, targets(est))
    n_probe = probe_rows(len(X_train))
    expected = compute_layer_stats(
        est.coefs_,
        est.intercepts_,
        est.activation,
        est.out_activation_,
        X_train[:n_probe],
        encoded(est, np.asarray(y_train)[:n_probe]),
        alpha=est.alpha,
    )
    for name, values in expected.items():
        np.testing.assert_allclose(stats[name][row], values, rtol=1e-10, atol=1e-14)
    # The statistics moved as the network trained.
    assert not np.array_equal(stats["activation_std"][0], stats["activation_std"][-1])


class Recorder:
    """A callback that keeps each epoch's end hook: the model it was handed."""

    def __init__(self):
        self.epoch_models = []
        self.tasks = []

    def setup(self, estimator, context):
        self.tasks.append(("setup", context.max_subtasks))

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, *, fitted_estimator=None, **kw):
        if context.task_name == "epoch":
            self.epoch_models.append(fitted_estimator)
        return False

    def teardown(self, estimator, context):
        self.tasks.append(("teardown",))


@needs_callback_api
@pytest.mark.parametrize("feature", list(FEATURES))
def test_callbacks_see_every_epoch_and_do_not_change_the_fit(feature):
    plain = quiet(make(feature).fit, X, targets(make(feature)))
    recorder = Recorder()
    watched = make(feature).set_callbacks(recorder)
    quiet(watched.fit, X, targets(watched))
    assert_identical(
        watched.coefs_ + watched.intercepts_, plain.coefs_ + plain.intercepts_
    )
    assert recorder.tasks == [("setup", 6), ("teardown",)]
    assert len(recorder.epoch_models) == 6
    # The model handed to the kept epoch's hook predicts as the fitted one.
    kept = int(np.argmax(plain.validation_scores_)) if plain.early_stopping else -1
    np.testing.assert_array_equal(
        recorder.epoch_models[kept].predict(X), plain.predict(X)
    )


class Boom(Exception):
    pass


@pytest.mark.parametrize("fitted", [False, True], ids=["unfitted", "fitted"])
@pytest.mark.parametrize("feature", list(FEATURES))
def test_an_exception_in_the_middle_of_training_leaves_no_trace(
    monkeypatch, feature, fitted
):
    est = make(feature, record_layer_stats=True)
    if fitted:
        quiet(est.fit, X, targets(est))
    before = copy.deepcopy(vars(est))
    calls = []

    class FailingTrainer(engine.BatchTrainer):
        def run_epoch(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 4:
                raise Boom
            return super().run_epoch(*args, **kwargs)

    monkeypatch.setattr(engine, "BatchTrainer", FailingTrainer)
    with pytest.raises(Boom):
        quiet(est.fit, X, targets(est))
    assert len(calls) == 4  # it did fail in the middle
    assert_identical(vars(est), before)
