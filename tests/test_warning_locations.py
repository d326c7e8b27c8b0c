"""Every warning mlpinit raises while fitting names the caller's line.

A warning that points into mlpinit's own files tells the user nothing, and
``warnings.filterwarnings(module=...)`` aimed at the user's module misses it.
Each case here checks that the warning's filename is this test file.
"""

import sys
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from mlpinit import MLPClassifier, MLPRegressor
from mlpinit._callbacks import CALLBACK_API_AVAILABLE

RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 3))
X_BADLY_SCALED = X * [1.0, 1e8, 1.0]
Y = (X[:, 0] > 0).astype(int)
SMALL = dict(hidden_layer_sizes=(4,), random_state=0)


def _caught(call, category, match):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    found = [w for w in caught if issubclass(w.category, category)]
    found = [w for w in found if match in str(w.message)]
    assert found, f"no {category.__name__} matching {match!r}"
    return found


CASES = {
    "sgd max_iter": (
        lambda: MLPClassifier(solver="sgd", max_iter=2, **SMALL).fit(X, Y),
        ConvergenceWarning,
        "Maximum iterations",
    ),
    "adam max_iter, regressor": (
        lambda: MLPRegressor(max_iter=2, **SMALL).fit(X, X[:, 0]),
        ConvergenceWarning,
        "Maximum iterations",
    ),
    "lbfgs": (
        lambda: MLPClassifier(solver="lbfgs", max_iter=2, **SMALL).fit(X, Y),
        ConvergenceWarning,
        "lbfgs failed to converge",
    ),
    "badly scaled, fit": (
        lambda: MLPClassifier(max_iter=200, **SMALL).fit(X_BADLY_SCALED, Y),
        UserWarning,
        "badly scaled",
    ),
    "badly scaled, partial_fit": (
        lambda: MLPRegressor(**SMALL).partial_fit(X_BADLY_SCALED, X[:, 0]),
        UserWarning,
        "badly scaled",
    ),
    "batch_size clipped": (
        lambda: MLPClassifier(batch_size=1000, max_iter=300, **SMALL).fit(X, Y),
        UserWarning,
        "clipped",
    ),
    "divergence under early stopping": (
        # scikit-learn's test_mlp_diverging_loss setup: trains on, warns.
        lambda: MLPRegressor(
            hidden_layer_sizes=100,
            activation="identity",
            solver="sgd",
            learning_rate_init=1,
            max_iter=20,
            early_stopping=True,
            random_state=0,
        ).fit(*load_iris(return_X_y=True)),
        ConvergenceWarning,
        "non-finite",
    ),
    "inside a Pipeline": (
        lambda: make_pipeline(
            FunctionTransformer(), MLPClassifier(max_iter=2, **SMALL)
        ).fit(X, Y),
        ConvergenceWarning,
        "Maximum iterations",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_warning_names_the_callers_file(case):
    call, category, match = CASES[case]
    for warning in _caught(call, category, match):
        assert warning.filename == __file__, warning.filename


@pytest.mark.skipif(not CALLBACK_API_AVAILABLE, reason="needs sklearn.callback")
def test_warning_through_callbacks_names_the_callers_file():
    from sklearn.callback import ProgressBar

    model = MLPClassifier(max_iter=2, **SMALL).set_callbacks(ProgressBar())
    for warning in _caught(
        lambda: model.fit(X, Y), ConvergenceWarning, "Maximum iterations"
    ):
        assert warning.filename == __file__, warning.filename


def test_warning_line_is_the_call():
    # Not only the file: the very line that called fit.
    model = MLPClassifier(solver="sgd", max_iter=2, **SMALL)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        line = sys._getframe().f_lineno + 1
        model.fit(X, Y)
    assert [w.lineno for w in caught if w.category is ConvergenceWarning] == [line]
