"""Progress on long fits: verbose lines, and scikit-learn's callback API."""

import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.neural_network import MLPClassifier as SklearnMLPClassifier

from mlpinit import MLPClassifier, MLPRegressor
from mlpinit._callbacks import CALLBACK_API_AVAILABLE, UNAVAILABLE_MESSAGE

X, y = make_classification(
    n_samples=120, n_features=6, n_informative=4, n_classes=3, random_state=0
)
SMALL = dict(hidden_layer_sizes=(8,), random_state=0)

needs_callback_api = pytest.mark.skipif(
    not CALLBACK_API_AVAILABLE, reason="needs sklearn.callback (scikit-learn >= 1.9)"
)


def _template(text):
    """The text with every number replaced by '#': the shape of the lines."""
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "#", text)


# -- verbose ------------------------------------------------------------------
@pytest.mark.parametrize("early_stopping", [False, True])
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_verbose_prints_one_line_per_epoch(capsys, solver, early_stopping):
    model = MLPClassifier(
        solver=solver,
        max_iter=6,
        n_iter_no_change=100,
        verbose=True,
        early_stopping=early_stopping,
        **SMALL,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    iterations = [line for line in lines if line.startswith("Iteration")]
    assert len(iterations) == model.n_iter_ == 6
    for n, (line, loss) in enumerate(zip(iterations, model.loss_curve_), start=1):
        assert line == f"Iteration {n}, loss = {loss:.8f}"
    scores = [line for line in lines if line.startswith("Validation score")]
    if early_stopping:
        assert scores == [f"Validation score: {s:f}" for s in model.validation_scores_]
        # Each epoch's score follows its loss line, as in scikit-learn.
        assert lines[: 2 * 6 : 2] == iterations
    else:
        assert scores == []


@pytest.mark.parametrize("early_stopping", [False, True])
def test_verbose_lines_have_scikit_learns_shape(capsys, early_stopping):
    kwargs = dict(
        max_iter=5, n_iter_no_change=100, verbose=True, early_stopping=early_stopping
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        SklearnMLPClassifier(**SMALL, **kwargs).fit(X, y)
        theirs = capsys.readouterr().out
        MLPClassifier(**SMALL, **kwargs).fit(X, y)
        ours = capsys.readouterr().out
    assert ours.count("\n") == theirs.count("\n") > 0
    assert _template(ours) == _template(theirs)


def test_verbose_lbfgs_prints_each_iteration(capsys):
    model = MLPClassifier(solver="lbfgs", max_iter=7, verbose=True, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == model.n_iter_ == 7
    assert all(
        re.fullmatch(r"Iteration \d+, loss = \d+\.\d{8}", line) for line in lines
    )


def test_quiet_by_default(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        MLPClassifier(max_iter=3, **SMALL).fit(X, y)
    assert capsys.readouterr().out == ""


# -- the callback API ---------------------------------------------------------
class Recorder:
    """A callback that records each hook call, and can ask to stop."""

    def __init__(self, stop_after=None):
        self.calls = []
        self.stop_after = stop_after

    def setup(self, estimator, context):
        self.calls.append(("setup", context.task_name, context.max_subtasks))

    def on_fit_task_begin(self, estimator, context, *, X=None, fitted_estimator=None):
        self.calls.append(("begin", context.task_name, fitted_estimator))

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
        self.calls.append(("end", context.task_name, fitted_estimator, X, y, metadata))
        ended = sum(1 for c in self.calls if c[0] == "end" and c[1] != "fit")
        return self.stop_after is not None and ended >= self.stop_after

    def teardown(self, estimator, context):
        self.calls.append(("teardown", context.task_name))

    def of(self, kind, task=None):
        return [
            c for c in self.calls if c[0] == kind and (task is None or c[1] == task)
        ]


@needs_callback_api
@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_one_task_per_epoch(solver):
    recorder = Recorder()
    model = MLPClassifier(solver=solver, max_iter=4, **SMALL).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    assert recorder.calls[0] == ("setup", "fit", 4)  # the bar's length: max_iter
    assert len(recorder.of("begin", "epoch")) == len(recorder.of("end", "epoch")) == 4
    assert recorder.calls[-1] == ("teardown", "fit")
    # The model handed to the last epoch's end hook is the fitted model.
    last = recorder.of("end", "epoch")[-1][2]
    assert last is not model
    for got, want in zip(last.coefs_, model.coefs_):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(last.predict(X), model.predict(X))
    # ... and the first epoch's begin hook sees the initial weights.
    first = recorder.of("begin", "epoch")[0][2]
    assert not np.array_equal(first.coefs_[0], model.coefs_[0])
    # Epoch hooks receive the training data and labels.
    _, _, _, X_seen, y_seen, metadata = recorder.of("end", "epoch")[0]
    assert X_seen.shape == X.shape and np.array_equal(y_seen, y)
    assert metadata is None


@needs_callback_api
def test_epoch_hooks_see_the_training_split_and_weights():
    recorder = Recorder()
    weights = np.linspace(0.5, 1.5, len(y))
    model = MLPClassifier(
        max_iter=3, early_stopping=True, validation_fraction=0.25, **SMALL
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_callbacks(recorder).fit(X, y, sample_weight=weights)
    _, _, _, X_seen, y_seen, metadata = recorder.of("end", "epoch")[0]
    assert X_seen.shape[0] == len(y_seen) == len(metadata["sample_weight"]) == 90


@needs_callback_api
def test_lbfgs_reports_each_iteration():
    recorder = Recorder()
    model = MLPRegressor(solver="lbfgs", max_iter=6, **SMALL).set_callbacks(recorder)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y.astype(float))
    ends = recorder.of("end", "lbfgs-iteration")
    assert len(recorder.of("begin", "lbfgs-iteration")) == len(ends)
    assert model.n_iter_ <= len(ends) <= model.n_iter_ + 1
    np.testing.assert_allclose(ends[model.n_iter_ - 1][2].predict(X), model.predict(X))


@needs_callback_api
def test_lbfgs_stops_when_max_fun_cuts_an_iteration_short():
    # An iteration that L-BFGS abandons still gets its end hook.
    recorder = Recorder()
    model = MLPClassifier(solver="lbfgs", max_iter=50, max_fun=5, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.set_callbacks(recorder).fit(X, y)
    task = "lbfgs-iteration"
    assert len(recorder.of("begin", task)) == len(recorder.of("end", task)) >= 1


@needs_callback_api
@pytest.mark.parametrize("solver", ["adam", "sgd", "lbfgs"])
def test_a_callback_can_stop_the_fit(solver):
    model = MLPClassifier(solver=solver, max_iter=50, **SMALL)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        model.set_callbacks(Recorder(stop_after=3)).fit(X, y)
    assert model.n_iter_ == 3
    if solver != "lbfgs":
        assert len(model.loss_curve_) == 3


@needs_callback_api
def test_partial_fit_is_one_task():
    recorder = Recorder()
    model = MLPClassifier(**SMALL).set_callbacks(recorder)
    model.partial_fit(X, y, classes=np.unique(y))
    model.partial_fit(X, y)
    assert [c[:3] for c in recorder.of("setup")] == [("setup", "fit", 1)] * 2
    assert len(recorder.of("end", "epoch")) == 2


@needs_callback_api
def test_teardown_runs_when_the_fit_fails():
    recorder = Recorder()
    model = MLPClassifier(**SMALL).set_callbacks(recorder)
    with pytest.raises(ValueError, match="non-finite"), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # badly scaled X
        model.fit(X * 1e300, y)  # diverges in the first epoch
    assert recorder.calls[-1] == ("teardown", "fit")
    assert not hasattr(model, "_callback_fit_ctx")


@needs_callback_api
def test_callbacks_do_not_change_the_fit():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        plain = MLPClassifier(max_iter=5, **SMALL).fit(X, y)
        watched = MLPClassifier(max_iter=5, **SMALL).set_callbacks(Recorder()).fit(X, y)
    for a, b in zip(plain.coefs_, watched.coefs_):
        np.testing.assert_array_equal(a, b)


@needs_callback_api
def test_scoring_monitor_scores_every_epoch():
    pytest.importorskip("pandas")
    from sklearn.callback import ScoringMonitor

    monitor = ScoringMonitor(scoring="accuracy")
    model = MLPClassifier(max_iter=5, **SMALL).set_callbacks(monitor)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    log = monitor.get_logs().data_as_pandas
    epochs = log[log["task_name"] == "epoch"]
    assert len(epochs) == 5
    assert epochs["accuracy"].iloc[-1] == pytest.approx(model.score(X, y))


@needs_callback_api
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_scoring_monitor_log_is_shaped_as_scikit_learns(solver):
    # One row per epoch (or L-BFGS iteration), plus the root "fit" row that
    # scikit-learn's own LogisticRegression logs too; early stopping included.
    pytest.importorskip("pandas")
    from sklearn.callback import ScoringMonitor
    from sklearn.linear_model import LogisticRegression

    def log_of(model):
        monitor = ScoringMonitor(scoring="accuracy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.set_callbacks(monitor).fit(X, y)
        return monitor.get_logs().data_as_pandas

    reference = log_of(LogisticRegression(max_iter=4))
    params = dict(max_iter=40, solver=solver, **SMALL)
    if solver == "adam":
        params.update(early_stopping=True, n_iter_no_change=2)
    model = MLPClassifier(**params)
    log = log_of(model)
    task = "epoch" if solver == "adam" else "lbfgs-iteration"
    assert (reference["task_name"] == "fit").sum() == 1
    assert (log["task_name"] == "fit").sum() == 1
    assert (log["task_name"] == task).sum() == model.n_iter_
    assert len(log) == model.n_iter_ + 1
    if solver == "adam":
        assert model.n_iter_ == len(model.loss_curve_) < 40  # it stopped early
    fit_row = log[log["task_name"] == "fit"]
    assert fit_row["accuracy"].iloc[0] == pytest.approx(model.score(X, y))


@needs_callback_api
def test_progress_bar_over_epochs(capsys):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    model = MLPClassifier(max_iter=5, **SMALL).set_callbacks(ProgressBar())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y)
    out = capsys.readouterr().out
    assert "MLPClassifier - fit" in out
    assert "100%" in out


@needs_callback_api
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_progress_bar_nested_in_grid_search(capsys, n_jobs):
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    search = GridSearchCV(
        MLPClassifier(max_iter=3, **SMALL),
        {"init": ["xavier", "he"]},
        cv=2,
        n_jobs=n_jobs,
    )
    search.set_callbacks(ProgressBar())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    out = capsys.readouterr().out
    # One bar per candidate × split, and one for the refit, each over epochs.
    for i in range(4):
        assert f"MLPClassifier - fit #{i}" in out
    assert "refit-with-best-params | MLPClassifier - fit" in out
    assert not re.search(r"\b\d{1,2}%", out)  # every bar finished


@needs_callback_api
@pytest.mark.parametrize("filtered", [False, True])
def test_worker_warnings_and_their_documented_remedy(filtered):
    # The workers write their ConvergenceWarnings to stderr, past the bars
    # (the cause documented in mlpinit._callbacks); a filter set before the
    # fit reaches the workers and silences them.
    pytest.importorskip("rich")
    script = textwrap.dedent(
        f"""
        import warnings
        import numpy as np
        from sklearn.callback import ProgressBar
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.model_selection import GridSearchCV
        from mlpinit import MLPClassifier

        if {filtered}:
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
        X = np.random.RandomState(0).normal(size=(40, 3))
        y = (X[:, 0] > 0).astype(int)
        model = MLPClassifier(max_iter=2, hidden_layer_sizes=(4,), random_state=0)
        search = GridSearchCV(model, {{"alpha": [1e-4, 1e-3]}}, cv=2, n_jobs=2)
        search.set_callbacks(ProgressBar()).fit(X, y)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert ("ConvergenceWarning" in done.stderr) is not filtered


def test_set_callbacks_is_absent_without_the_api():
    # What scikit-learn < 1.9 gives: no sklearn.callback to import. scikit-learn
    # 1.9 itself needs the module, so mlpinit is reloaded once it is hidden.
    script = textwrap.dedent(
        """
        import importlib, sys, warnings
        import numpy as np
        import mlpinit._estimator.base, mlpinit._callbacks, mlpinit.neural_network
        sys.modules["sklearn.callback"] = None  # importing it now fails
        for name in ("_callbacks", "_estimator.base", "neural_network"):
            importlib.reload(sys.modules["mlpinit." + name])
        from mlpinit.neural_network import MLPClassifier
        assert not mlpinit._callbacks.CALLBACK_API_AVAILABLE
        model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=3, random_state=0)
        assert not hasattr(model, "set_callbacks")
        try:
            model.set_callbacks()
        except AttributeError as error:
            print(error)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(np.eye(6), np.arange(6) % 2)
        print("fitted", model.n_iter_)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert "scikit-learn >= 1.9" in result.stdout
    assert "fitted 3" in result.stdout
    assert UNAVAILABLE_MESSAGE.split("{")[0] in result.stdout
