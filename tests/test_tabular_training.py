"""The MLPs' training features through the Tabular estimators' own scaling.

- ``record_layer_stats=True`` records on the scaled input (a numpy forward
  pass of the formula-scaled rows is the truth);
- Ctrl-C in the middle of a fit keeps a consistent model: the scaling, the
  target's statistics and the weights all belong to the interrupted fit;
- scikit-learn's callback API (``ProgressBar``, a recording callback).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

import mlpinit._core.engine as engine
from mlpinit import TabularMLPClassifier, TabularMLPRegressor
from mlpinit._callbacks import CALLBACK_API_AVAILABLE
from mlpinit.diagnostics import STAT_NAMES, layer_statistics

RNG = np.random.RandomState(0)
# 64 rows: the whole of them is the layer statistics' probe batch (at least
# 64 training rows), so the truth can be computed on all of them. Raw
# scales far from 1: the network would see other numbers unscaled.
X = RNG.normal(size=(64, 5)) * [1.0, 10.0, 100.0, 0.1, 5.0] + 7.0
Y_REAL = X @ RNG.normal(size=5)
Y_CLASSES = (Y_REAL > np.median(Y_REAL)).astype(int)
SMALL = dict(hidden_layer_sizes=(6,), max_iter=3, random_state=0)

needs_callback_api = pytest.mark.skipif(
    not CALLBACK_API_AVAILABLE, reason="needs sklearn.callback (scikit-learn >= 1.9)"
)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Got `batch_size`")
        yield


def _l2_scaled(X_):
    """MeanNormStandardizer's default, written out: (x - mean) / ||x - mean||."""
    centred = X_ - X_.mean(axis=0)
    return centred / np.sqrt((centred**2).sum(axis=0))


@pytest.mark.parametrize("estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_layer_stats_are_recorded_on_the_scaled_input(estimator):
    y = Y_CLASSES if estimator is TabularMLPClassifier else Y_REAL
    # float64, so that the numpy truth below holds to 1e-10.
    model = estimator(
        record_layer_stats=True, early_stopping=False, dtype=np.float64, **SMALL
    )
    model.fit(X, y)
    assert all(len(v) == model.n_iter_ == 3 for v in model.layer_stats_.values())
    # The last row is the fitted network on the probe (every row), its first
    # layer fed the scaled rows: a numpy forward pass says what that gives.
    Z = _l2_scaled(X) @ model.coefs_[0] + model.intercepts_[0]
    np.testing.assert_allclose(
        model.layer_stats_["preactivation_mean"][-1, 0], Z.mean(), rtol=1e-10
    )
    np.testing.assert_allclose(
        model.layer_stats_["preactivation_std"][-1, 0], Z.std(), rtol=1e-10
    )
    raw = X @ model.coefs_[0] + model.intercepts_[0]
    assert abs(raw.std() - Z.std()) > 0.5 * Z.std()  # unscaled would differ
    # ... and every statistic is what the diagnostics measure on raw rows
    # through predict's scaling (the regressor's gradients on the
    # standardized target).
    measured = layer_statistics(model, X, y)
    for name in STAT_NAMES:
        np.testing.assert_allclose(
            model.layer_stats_[name][-1], measured[name], rtol=1e-9, err_msg=name
        )


class _InterruptAtEpoch(engine.BatchTrainer):
    """Ctrl-C while the given epoch trains."""

    epoch = 3
    calls = 0

    def run_epoch(self, *args, **kwargs):
        type(self).calls += 1
        if type(self).calls == self.epoch:
            raise KeyboardInterrupt
        return super().run_epoch(*args, **kwargs)


@pytest.mark.parametrize("estimator", [TabularMLPClassifier, TabularMLPRegressor])
@pytest.mark.parametrize("early_stopping", [False, True])
def test_ctrl_c_in_a_tabular_fit_keeps_a_consistent_model(
    monkeypatch, estimator, early_stopping
):
    y = Y_CLASSES if estimator is TabularMLPClassifier else Y_REAL
    params = dict(SMALL, max_iter=6, early_stopping=early_stopping)
    # Fitted first on other data, so that stale statistics would show.
    model = estimator(**params).fit(X * 3 - 100, y * 2 + 50)
    monkeypatch.setattr(_InterruptAtEpoch, "calls", 0)
    monkeypatch.setattr(engine, "BatchTrainer", _InterruptAtEpoch)
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        model.fit(X, y)
    # Two whole epochs, recorded as such.
    assert model.n_iter_ == len(model.loss_curve_) == 2
    if early_stopping:
        assert len(model.validation_scores_) == 2
    # The scaling (and the target's statistics) are this fit's, on its rows.
    np.testing.assert_allclose(model.input_transforms_[0].mean_, X.mean(axis=0))
    if estimator is TabularMLPRegressor:
        np.testing.assert_allclose(model.target_mean_, [y.mean()])
        np.testing.assert_allclose(model.target_scale_, [y.std()])
    # The model predicts with them: a numpy forward pass agrees.
    hidden = np.maximum(_l2_scaled(X) @ model.coefs_[0] + model.intercepts_[0], 0)
    output = hidden @ model.coefs_[1] + model.intercepts_[1]
    if estimator is TabularMLPRegressor:
        expected = output.ravel() * model.target_scale_[0] + model.target_mean_[0]
        np.testing.assert_allclose(model.predict(X), expected, rtol=1e-10)
    else:
        expected = 1 / (1 + np.exp(-output.ravel()))
        np.testing.assert_allclose(model.predict_proba(X)[:, 1], expected, rtol=1e-10)


class _Recorder:
    """Records the callback API's hook calls."""

    def __init__(self):
        self.calls = []

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name, context.max_subtasks))

    def on_fit_task_begin(self, estimator, context, *, X=None, fitted_estimator=None):
        self.calls.append(("begin", context.task_name))

    def on_fit_task_end(self, estimator, context, **kwargs):
        self.calls.append(("end", context.task_name))

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name))


@needs_callback_api
@pytest.mark.parametrize("estimator", [TabularMLPClassifier, TabularMLPRegressor])
def test_a_tabular_fit_reports_each_epoch_to_callbacks(estimator):
    y = Y_CLASSES if estimator is TabularMLPClassifier else Y_REAL
    recorder = _Recorder()
    model = estimator(**dict(SMALL, max_iter=4)).set_callbacks(recorder)
    model.fit(X, y)
    assert recorder.calls[0] == ("setup", "fit", 4)
    assert recorder.calls.count(("end", "epoch")) == model.n_iter_ == 4
    assert recorder.calls[-1] == ("teardown", "fit")


@needs_callback_api
def test_progress_bar_over_a_tabular_fit(capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    model = TabularMLPClassifier(**dict(SMALL, max_iter=5))
    model.set_callbacks(ProgressBar()).fit(X, Y_CLASSES)
    out = capsys.readouterr().out
    assert "TabularMLPClassifier - fit" in out
    assert "100%" in out


class _RowsSeen(_Recorder):
    """Also keeps the rows and the model each epoch's end hook is given."""

    def on_fit_task_end(
        self,
        estimator,
        context,
        *,
        X=None,
        y=None,
        metadata=None,
        fitted_estimator=None,
    ):
        if context.task_name == "epoch":
            self.calls.append(("rows", X, y, fitted_estimator))
        super().on_fit_task_end(estimator, context)


@needs_callback_api
@pytest.mark.parametrize("early_stopping", [False, True])
def test_callbacks_get_the_training_rows_as_given(early_stopping):
    # The fitted model scales its input itself: handed the scaled rows, a
    # ScoringMonitor scored it on rows scaled twice (a constant accuracy).
    recorder = _RowsSeen()
    model = TabularMLPRegressor(**dict(SMALL, early_stopping=early_stopping))
    model.set_callbacks(recorder).fit(X, Y_REAL)
    _, X_seen, y_seen, last = [c for c in recorder.calls if c[0] == "rows"][-1]
    n_train = 51 if early_stopping else 64  # 20% held out
    assert X_seen.shape == (n_train, X.shape[1])
    # Raw rows of X, with their targets.
    rows = [int(np.flatnonzero((X == row).all(axis=1))[0]) for row in X_seen]
    np.testing.assert_array_equal(y_seen, Y_REAL[rows])
    assert len(set(rows)) == n_train
    np.testing.assert_array_equal(last.predict(X_seen), model.predict(X_seen))


@needs_callback_api
def test_scoring_monitor_scores_a_tabular_fit_on_its_own_units():
    pytest.importorskip("pandas")
    from sklearn.callback import ScoringMonitor

    monitor = ScoringMonitor(scoring="accuracy")
    params = dict(SMALL, max_iter=5, early_stopping=False)
    model = TabularMLPClassifier(**params).set_callbacks(monitor)
    model.fit(X, Y_CLASSES)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["task_name"] == "epoch"]
    assert len(epochs) == 5
    assert epochs["accuracy"].iloc[-1] == pytest.approx(model.score(X, Y_CLASSES))


class _ArrayLike:
    """Only ``__array__``: no shape, no indexing (scikit-learn's _NotAnArray)."""

    def __init__(self, data):
        self.data = data

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.data, dtype=dtype)


@needs_callback_api
@pytest.mark.parametrize(
    "given", [list, _ArrayLike, pd.DataFrame], ids=["list", "array-like", "frame"]
)
def test_callbacks_get_training_rows_of_any_array_like(given):
    recorder = _RowsSeen()
    model = TabularMLPRegressor(**SMALL).set_callbacks(recorder)
    model.fit(given(X.tolist()), Y_REAL)
    _, X_seen, _, _ = [c for c in recorder.calls if c[0] == "rows"][-1]
    assert np.asarray(X_seen).shape == (51, X.shape[1])
    # Without callbacks too (the rows are then not picked at all).
    TabularMLPRegressor(**SMALL).fit(given(X.tolist()), Y_REAL)
