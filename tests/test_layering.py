"""The floors of the package, enforced on the source.

- Floor 1, the numerical core (``src/mlpinit/_core/`` and
  ``src/mlpinit/initializers.py``), is plain numpy and scipy: no scikit-learn,
  matplotlib or pandas, and no mlpinit module above it.
- Floor 2, the estimators (every other module of the package but the ones of
  floor 3), never imports floor 3: the benchmark, the plotting helpers or
  the command line.

Every ``import`` is read from the syntax tree, wherever it stands: at the
top of a module or inside a function (a lazy import is still a dependency).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "mlpinit"

FOREIGN_TO_THE_CORE = ("sklearn", "matplotlib", "pandas")
CORE_MODULES = ("mlpinit._core", "mlpinit.initializers")
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


def core_violations(source, name, package=False):
    """Imports that floor 1 may not make."""
    return [
        module
        for module in imported_modules(source, name, package)
        if _within(module, FOREIGN_TO_THE_CORE)
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


def _id(path):
    return module_name(path)


def test_the_floors_are_where_the_layout_says():
    names = {module_name(p) for p in CORE_FILES}
    assert {"mlpinit.initializers", "mlpinit._core.network"} <= names
    estimators = {module_name(p) for p in ESTIMATOR_FILES}
    assert {"mlpinit.neural_network", "mlpinit._base_mlp", "mlpinit"} <= estimators
    assert not estimators & {"mlpinit.benchmark", "mlpinit.plotting"}


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
    ],
)
def test_the_core_check_flags_a_violation(source):
    assert core_violations(source, "mlpinit._core.network")


@pytest.mark.parametrize(
    "source",
    [
        "import numpy as np\nimport scipy.sparse as sp",
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
