"""Helpers shared by the test modules: bit-level comparisons, input digests,
the initial weights read through the public API, quiet fits, and loading a
script of ``benchmarks/`` as a module; and the warnings filter of the modules
whose fits are expected not to converge.

Test modules import them by name (``from conftest import assert_identical``):
pytest puts this folder on ``sys.path``.
"""

import hashlib
import importlib.util
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

# Test modules whose fits are expected not to converge: scikit-learn's
# estimator checks (test_common.py, test_sklearn_suite.py) train on tiny data
# with a few iterations and test the API, not the fit. Their
# ConvergenceWarnings are filtered there only, so that a warning anywhere
# else (a new kind, or a fit that should converge) stands out in the summary.
EXPECTED_NOT_TO_CONVERGE = {"test_common.py", "test_sklearn_suite.py"}


def pytest_collection_modifyitems(config, items):
    ignore = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
    for item in items:
        if item.path.name in EXPECTED_NOT_TO_CONVERGE:
            item.add_marker(ignore)


def assert_identical(a, b, path="state"):
    """Bit-level equality of two attribute trees (NaN equals NaN, -0.0 != 0.0).

    Arrays compare dtype, shape and bytes; floats their bytes; dicts, lists
    and tuples item by item; other objects with attributes (an optimizer, a
    label binarizer) attribute by attribute; anything else with ``==``.
    ``path`` names the place of a difference in the assertion message.
    """
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        assert isinstance(a, np.ndarray) and isinstance(b, np.ndarray), path
        assert (a.dtype, a.shape) == (b.dtype, b.shape), path
        assert a.tobytes() == b.tobytes(), path
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), (path, a.keys() ^ b.keys())
        for key in a:
            assert_identical(a[key], b[key], f"{path}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert type(a) is type(b) and len(a) == len(b), path
        for i, (u, v) in enumerate(zip(a, b)):
            assert_identical(u, v, f"{path}[{i}]")
    elif isinstance(a, (float, np.floating)):
        assert type(a) is type(b), path
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes(), path
    elif hasattr(a, "__dict__") and not callable(a):
        assert type(a) is type(b), path
        assert_identical(vars(a), vars(b), f"{path}.__dict__")
    else:
        assert type(a) is type(b) and a == b, path


def digest(value):
    """A hash of an input's contents, to prove that no call writes to it."""
    import pandas as pd
    import scipy.sparse as sp

    if value is None or isinstance(value, (int, float, str)):
        return repr(value)
    if isinstance(value, pd.DataFrame):
        return hashlib.sha256(
            pd.util.hash_pandas_object(value, index=True).to_numpy().tobytes()
            + repr(list(value.dtypes)).encode()
        ).hexdigest()
    if sp.issparse(value):
        return digest((value.data, value.indices, value.indptr))
    if isinstance(value, tuple):
        return "|".join(digest(v) for v in value)
    array = np.asarray(value)
    if array.dtype == object:
        return hashlib.sha256(repr(array.tolist()).encode()).hexdigest()
    return hashlib.sha256(
        np.ascontiguousarray(array).tobytes() + str(array.dtype).encode()
    ).hexdigest()


def quiet_fit(est, *args, **kwargs):
    """``est.fit(*args, **kwargs)`` without its ConvergenceWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kwargs)


def initial_parameters(est, X, y):
    """The estimator's initial weights, read through the public API only.

    One full-batch SGD step without momentum and a learning rate of 1e-300
    moves no weight of magnitude above ~1e-284 (the step is far below half an
    ulp), so ``coefs_`` after ``fit`` are the initial weights bit for bit,
    except that exact zeros (zero biases, say) may move by ~1e-300.
    """
    est.set_params(
        solver="sgd",
        learning_rate_init=1e-300,
        momentum=0.0,
        max_iter=1,
        batch_size=X.shape[0],
        shuffle=False,
    )
    quiet_fit(est, X, y)
    return est.coefs_, est.intercepts_


def load_script(path, name):
    """Import the Python file at ``path`` as a module called ``name``.

    As ``python path`` does, the script's folder is on ``sys.path`` while it
    runs, so its imports of modules beside it (``benchmarks/_arguments.py``)
    resolve.
    """
    folder = str(Path(path).resolve().parent)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, folder)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(folder)
    return module
