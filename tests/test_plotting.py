"""The plotting helpers: what they draw and return, and life without matplotlib."""

import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlpinit import MLPClassifier, MLPRegressor
from mlpinit.diagnostics import initialized, layer_statistics
from mlpinit.plotting import plot_layer_stats, plot_loss_curves

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:300]), y[:300]


@pytest.fixture(scope="module")
def recorded(data):
    X, y = data
    model = MLPClassifier(
        (16, 8, 8), max_iter=5, random_state=0, record_layer_stats=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def test_one_measurement_is_a_line_over_layers(data):
    X, y = data
    stats = layer_statistics(
        initialized(MLPClassifier((16, 8), random_state=0), X, y), X, y
    )
    ax = plot_layer_stats(stats, "activation_std", label="he")
    assert isinstance(ax, matplotlib.axes.Axes)
    (line,) = ax.get_lines()
    np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(line.get_ydata(), stats["activation_std"])
    assert line.get_label() == "he"
    assert ax.get_xlabel() == "layer"
    assert ax.get_yscale() == "linear"


def test_norms_default_to_a_log_scale(data):
    X, y = data
    stats = layer_statistics(
        initialized(MLPClassifier((16,), random_state=0), X, y), X, y
    )
    assert plot_layer_stats(stats, "gradient_norm").get_yscale() == "log"
    assert plot_layer_stats(stats, "gradient_norm", logy=False).get_yscale() == "linear"
    assert plot_layer_stats(stats, "activation_std", logy=True).get_yscale() == "log"
    # NaN entries (no targets) do not stop the plot.
    no_y = layer_statistics(initialized(MLPClassifier((16,), random_state=0), X, y), X)
    assert plot_layer_stats(no_y, "gradient_norm").get_yscale() == "linear"


def test_comparisons_share_the_axes(data):
    X, y = data
    ax = None
    for init in ["he", "xavier", "sklearn"]:
        model = initialized(MLPClassifier((16, 16), init=init, random_state=0), X, y)
        ax = plot_layer_stats(layer_statistics(model, X, y), ax=ax, label=init)
    assert [line.get_label() for line in ax.get_lines()] == ["he", "xavier", "sklearn"]


def test_a_training_record_is_one_line_per_layer(recorded):
    for source in (recorded, recorded.layer_stats_, make_pipeline(recorded)):
        ax = plot_layer_stats(source, "gradient_to_weight_ratio")
        lines = ax.get_lines()
        assert [line.get_label() for line in lines] == [
            "layer 1",
            "layer 2",
            "layer 3",
            "output",
        ]
        np.testing.assert_array_equal(
            lines[0].get_xdata(), np.arange(1, recorded.n_iter_ + 1)
        )
        np.testing.assert_allclose(
            lines[2].get_ydata(),
            recorded.layer_stats_["gradient_to_weight_ratio"][:, 2],
        )
        assert ax.get_xlabel() == "epoch"
        assert ax.get_yscale() == "log"
        plt.close("all")


def test_a_deep_record_gets_a_colorbar_not_a_legend(data):
    X, y = data
    model = MLPRegressor(
        hidden_layer_sizes=(8,) * 12,
        max_iter=2,
        random_state=0,
        record_layer_stats=True,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, y.astype(float))
    ax = plot_layer_stats(model, "activation_std")
    assert len(ax.get_lines()) == 13
    assert ax.get_legend() is None
    assert len(ax.figure.axes) == 2  # the colorbar


def test_plot_layer_stats_errors(data, recorded):
    X, y = data
    with pytest.raises(TypeError, match="record_layer_stats=True"):
        plot_layer_stats(MLPClassifier(), "activation_std")
    with pytest.raises(KeyError, match="no_such_stat"):
        plot_layer_stats(recorded, "no_such_stat")
    with pytest.raises(ValueError, match="shape"):
        plot_layer_stats({"x": np.zeros((2, 2, 2))}, "x")


def test_loss_curves_from_estimators_curves_and_dicts(recorded):
    ax = plot_loss_curves(recorded)
    (line,) = ax.get_lines()
    np.testing.assert_allclose(line.get_ydata(), recorded.loss_curve_)
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "epoch"
    assert ax.get_legend() is None

    ax = plot_loss_curves({"he": recorded, "raw": [3.0, 2.0, 1.0]}, logy=False)
    assert [line.get_label() for line in ax.get_lines()] == ["he", "raw"]
    assert ax.get_yscale() == "linear"

    ax = plot_loss_curves([recorded, np.array([1.0, 0.5])])
    assert [line.get_label() for line in ax.get_lines()] == ["model 0", "model 1"]

    fig, own = plt.subplots()
    assert plot_loss_curves([1.0, 0.5, 0.25], ax=own) is own
    np.testing.assert_array_equal(own.get_lines()[0].get_xdata(), [1, 2, 3])


def test_loss_curves_need_a_loss_curve(data):
    X, y = data
    lbfgs = MLPClassifier((4,), solver="lbfgs", max_iter=5, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        lbfgs.fit(X, y)
    with pytest.raises(TypeError, match="loss_curve_"):
        plot_loss_curves(lbfgs)
    with pytest.raises(TypeError, match="loss curve"):
        plot_loss_curves({"bad": "text"})


def test_without_matplotlib_the_error_names_the_extra(monkeypatch, recorded):
    for module in list(sys.modules):
        if module == "matplotlib" or module.startswith("matplotlib."):
            monkeypatch.setitem(sys.modules, module, None)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    with pytest.raises(ImportError, match=r"pip install mlpinit\[plot\]"):
        plot_loss_curves(recorded)
    with pytest.raises(ImportError, match=r"pip install mlpinit\[plot\]"):
        plot_layer_stats(recorded)


def test_the_package_does_not_import_matplotlib():
    import subprocess

    code = (
        "import sys, mlpinit, mlpinit.diagnostics, mlpinit.plotting; "
        "print(any(m.split('.')[0] == 'matplotlib' for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
