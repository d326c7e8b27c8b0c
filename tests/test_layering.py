"""The floors of the package, enforced on the source.

- Floor 1, the numerical core (``src/mlpinit/_core/`` and
  ``src/mlpinit/initializers.py``), imports only numpy, scipy, numba,
  threadpoolctl, the standard library and itself: no scikit-learn,
  matplotlib or pandas, and no mlpinit module above it. No function or
  method of ``_core/`` takes an estimator.
- Floor 2, the estimators (every other module of the package but the ones of
  floor 3), never imports floor 3: the benchmark, the plotting helpers or
  the command line. Its private part, ``src/mlpinit/_estimator/``, imports
  no public module (``neural_network``, ``diagnostics``, ``onnx``, ...): the
  public modules sit on it, not the other way round.

Every ``import`` is read from the syntax tree, wherever it stands: at the
top of a module or inside a function (a lazy import is still a dependency).
"""

import ast
import importlib
import inspect
import sys
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from mlpinit import MLPRegressor
from mlpinit._core.engine import TrainingData, TrainingRecord, train
from mlpinit._core.network import NetworkLayout
from mlpinit._estimator.base import draw_initial_weights

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mlpinit"

FOREIGN_TO_THE_CORE = ("sklearn", "matplotlib", "pandas")
# The only packages outside the standard library the core may import.
CORE_DEPENDENCIES = ("numpy", "scipy", "numba", "threadpoolctl")
CORE_MODULES = ("mlpinit._core", "mlpinit.initializers")
ESTIMATOR_PACKAGE = "mlpinit._estimator"
TOP_FLOOR_MODULES = ("mlpinit.benchmark", "mlpinit.plotting", "mlpinit.__main__")


def module_name(path):
    """``mlpinit._core.network`` for ``src/mlpinit/_core/network.py``."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def is_package(path):
    return path.name == "__init__.py"


def imported_modules(source, name, package=False):
    """Every module ``source`` (the module ``name``) imports, by absolute name.

    ``from a import b`` counts as importing both ``a`` and ``a.b``, since ``b``
    may be a submodule; relative imports are resolved against ``name``.
    """
    base = name.split(".") if package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = base[: len(base) - node.level + 1]
                parent = ".".join(anchor + ([node.module] if node.module else []))
            else:
                parent = node.module
            found.append(parent)
            found.extend(f"{parent}.{alias.name}" for alias in node.names)
    return found


def _within(module, prefixes):
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def _third_party(module):
    top = module.split(".")[0]
    return top != "mlpinit" and top not in sys.stdlib_module_names


def core_violations(source, name, package=False):
    """Imports that floor 1 may not make."""
    return [
        module
        for module in imported_modules(source, name, package)
        if _within(module, FOREIGN_TO_THE_CORE)
        or (_third_party(module) and not _within(module, CORE_DEPENDENCIES))
        # "mlpinit" alone is the parent named by "from mlpinit import x": the
        # check falls on "mlpinit.x".
        or (
            module != "mlpinit"
            and module.startswith("mlpinit.")
            and not _within(module, CORE_MODULES)
        )
    ]


def estimator_violations(source, name, package=False):
    """Imports of floor 3 from a floor-2 module."""
    return [
        module
        for module in imported_modules(source, name, package)
        if _within(module, TOP_FLOOR_MODULES)
    ]


def _is_public(module):
    """A module of the public floor 2 (``mlpinit.neural_network``), not the
    core (``mlpinit.initializers``), nor a private one (``mlpinit._warnings``)."""
    parts = module.split(".")
    return (
        len(parts) >= 2
        and parts[0] == "mlpinit"
        and not parts[1].startswith("_")
        and not _within(module, CORE_MODULES)
    )


def private_estimator_violations(source, name, package=False):
    """Imports of a public module from ``mlpinit._estimator``."""
    return [m for m in imported_modules(source, name, package) if _is_public(m)]


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _floor(path):
    name = module_name(path)
    if _within(name, CORE_MODULES):
        return 1
    if _within(name, TOP_FLOOR_MODULES):
        return 3
    return 2


CORE_FILES = [p for p in _modules() if _floor(p) == 1]
ESTIMATOR_FILES = [p for p in _modules() if _floor(p) == 2]
PRIVATE_ESTIMATOR_FILES = [
    p for p in ESTIMATOR_FILES if _within(module_name(p), (ESTIMATOR_PACKAGE,))
]


def _id(path):
    return module_name(path)


def test_the_floors_are_where_the_layout_says():
    names = {module_name(p) for p in CORE_FILES}
    assert {"mlpinit.initializers", "mlpinit._core.network"} <= names
    estimators = {module_name(p) for p in ESTIMATOR_FILES}
    assert {"mlpinit.neural_network", "mlpinit.diagnostics", "mlpinit"} <= estimators
    assert not estimators & {"mlpinit.benchmark", "mlpinit.plotting"}
    private = {module_name(p) for p in PRIVATE_ESTIMATOR_FILES}
    assert {"mlpinit._estimator.base", "mlpinit._estimator.plan"} <= private


@pytest.mark.parametrize("path", CORE_FILES, ids=_id)
def test_the_core_imports_only_numpy_scipy_and_itself(path):
    violations = core_violations(
        path.read_text(), module_name(path), package=is_package(path)
    )
    assert not violations, f"{module_name(path)} imports {violations}"


@pytest.mark.parametrize("path", ESTIMATOR_FILES, ids=_id)
def test_the_estimators_do_not_import_the_top_floor(path):
    violations = estimator_violations(
        path.read_text(), module_name(path), package=is_package(path)
    )
    assert not violations, f"{module_name(path)} imports {violations}"


@pytest.mark.parametrize(
    "source",
    [
        "import sklearn",
        "import sklearn.utils as u",
        "from sklearn.base import clone",
        "import matplotlib.pyplot as plt",
        "def lazy():\n    import pandas\n",
        "import mlpinit.neural_network",
        "from mlpinit import neural_network",
        "from .. import diagnostics",
        "from ..preprocessing import MeanNormStandardizer",
        "import torch",
        "from joblib import Parallel",
        "from .. import _estimator",
    ],
)
def test_the_core_check_flags_a_violation(source):
    assert core_violations(source, "mlpinit._core.network")


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nimport scipy.sparse as sp",
        "import numba\nfrom threadpoolctl import threadpool_limits",
        "import math\nfrom dataclasses import dataclass",
        "from mlpinit._core.activations import ACTIVATIONS",
        "from mlpinit.initializers import INIT_NAMES",
        "from .activations import ACTIVATIONS",
        "from . import network",
        "from mlpinit import initializers",
        "from ..initializers import initialize_layer",
    ],
)
def test_the_core_check_accepts_what_the_core_may_import(source):
    assert not core_violations(source, "mlpinit._core.network")


@pytest.mark.parametrize(
    "source",
    [
        "from mlpinit.benchmark import run",
        "from mlpinit.benchmark.timing import time_fit",
        "import mlpinit.plotting",
        "from mlpinit import plotting",
        "from . import benchmark",
        "def later():\n    from mlpinit.__main__ import main\n",
    ],
)
def test_the_estimator_check_flags_a_violation(source):
    assert estimator_violations(source, "mlpinit.diagnostics")


def test_the_estimator_check_accepts_the_lower_floors():
    source = "from mlpinit._core.network import NetworkLayout\nimport sklearn"
    assert not estimator_violations(source, "mlpinit.diagnostics")


@pytest.mark.parametrize("path", PRIVATE_ESTIMATOR_FILES, ids=_id)
def test_the_private_estimator_floor_imports_no_public_module(path):
    violations = private_estimator_violations(
        path.read_text(), module_name(path), package=is_package(path)
    )
    assert not violations, f"{module_name(path)} imports {violations}"


@pytest.mark.parametrize(
    "source, flagged",
    [
        ("from mlpinit.neural_network import MLPClassifier", True),
        ("from mlpinit import diagnostics", True),
        ("from ..onnx import to_onnx", True),
        ("def later():\n    import mlpinit.preprocessing\n", True),
        ("from mlpinit.initializers import INIT_NAMES", False),
        ("from mlpinit._core.engine import train", False),
        ("from mlpinit._warnings import warn_at_caller", False),
        ("from . import fitted", False),
        ("import sklearn.base", False),
    ],
)
def test_the_private_estimator_check(source, flagged):
    found = private_estimator_violations(source, "mlpinit._estimator.base")
    assert bool(found) == flagged, found


# Names a parameter that would carry an estimator into the core.
ESTIMATOR_PARAMETER_NAMES = {"mlp", "estimator", "model", "est", "clf", "reg"}


def _core_callables():
    """Every function and method defined in a module of ``_core/``."""
    for path in CORE_FILES:
        name = module_name(path)
        if not name.startswith("mlpinit._core"):
            continue
        module = importlib.import_module(name)
        for _, obj in inspect.getmembers(module):
            if getattr(obj, "__module__", None) != name:
                continue
            if inspect.isclass(obj):
                for attr in vars(obj).values():
                    attr = getattr(attr, "__func__", attr)
                    if inspect.isfunction(attr):
                        yield f"{name}.{obj.__name__}.{attr.__name__}", attr
            elif inspect.isfunction(obj):
                yield f"{name}.{obj.__name__}", obj


def test_no_function_of_the_core_takes_an_estimator():
    found = [
        (where, parameter)
        for where, function in _core_callables()
        for parameter in inspect.signature(function).parameters
        if parameter in ESTIMATOR_PARAMETER_NAMES
    ]
    names = [where for where, _ in _core_callables()]
    assert "mlpinit._core.engine.train" in names  # the scan reaches the engine
    assert not found, found


def test_the_engine_trains_on_plain_state_as_the_estimator_does():
    # The engine gets a plain namespace for a plan (no estimator, no FitPlan)
    # and plain arrays; what it trains must be what MLPRegressor trains
    # through it, number for number.
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 3))
    y = X @ np.array([1.0, -2.0, 0.5])
    params = dict(hidden_layer_sizes=(5,), max_iter=7, random_state=0, tol=0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = MLPRegressor(**params).fit(X, y)
    start = MLPRegressor(**params)
    draw_initial_weights(start, X, y)
    layout = NetworkLayout([3, 5, 1])
    theta = layout.pack(start.coefs_, start.intercepts_, np.float64)
    random_state = np.random.RandomState(0)
    random_state.uniform(size=layout.size)  # what init="sklearn" drew
    plan = SimpleNamespace(
        solver="adam",
        incremental=False,
        max_iter=7,
        tol=0.0,
        n_iter_no_change=10,
        shuffle=True,
        verbose=False,
        early_stopping=False,
        alpha=0.0001,
        activation="relu",
        batch_size="auto",
        max_grad_norm=None,
        learning_rate="constant",
        learning_rate_init=0.001,
        warmup_epochs=0,
        weight_decay=0.0,
        dropout_rates=None,
        weight_decay_schedule="constant",
        dropout_schedule="constant",
        record_layer_stats=False,
        optimizer_params={"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-8},
    )
    data = TrainingData(X, y[:, None].copy(), None, layout, "identity", random_state)
    result = train(plan, data, theta, TrainingRecord())
    assert result.n_iter == reference.n_iter_ == 7
    np.testing.assert_array_equal(result.record.loss_curve, reference.loss_curve_)
    np.testing.assert_array_equal(
        theta, layout.pack(reference.coefs_, reference.intercepts_, np.float64)
    )
    assert [kind for kind, _ in result.warnings] == ["convergence"]
