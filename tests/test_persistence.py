"""Persistence that does not execute code: skops.io round trips and audited loads."""

import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.pipeline import make_pipeline

from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor

sio = pytest.importorskip("skops.io")

OWN_TYPES = {
    "mlpinit.neural_network.MLPClassifier",
    "mlpinit.neural_network.MLPRegressor",
    "mlpinit.preprocessing.MeanNormStandardizer",
}

X, y3 = make_classification(
    n_samples=150, n_features=5, n_informative=4, n_redundant=0, n_classes=3,
    random_state=0,
)  # fmt: skip
Y_multilabel = np.c_[y3 == 0, y3 == 1, X[:, 0] > 0].astype(int)
X_reg, y_reg = make_regression(n_samples=150, n_features=5, n_targets=2, random_state=0)
SMALL = dict(hidden_layer_sizes=(7, 5), max_iter=15, random_state=0)


def _fitted(kind, solver="adam", **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        if kind == "regressor":
            return MLPRegressor(solver=solver, **SMALL, **kwargs).fit(X_reg, y_reg)
        target = {
            "binary": np.where(y3 == 1, "yes", "no"),
            "multiclass": y3,
            "multilabel": Y_multilabel,
        }[kind]
        model = make_pipeline(
            MeanNormStandardizer(), MLPClassifier(solver=solver, **SMALL, **kwargs)
        )
        return model.fit(X, target)


CASES = [
    ("binary", "adam", {}),
    ("multiclass", "sgd", {"early_stopping": True}),
    ("multilabel", "lbfgs", {}),
    ("multiclass", "adam", {"record_layer_stats": True}),
    ("regressor", "sgd", {"learning_rate": "invscaling"}),
    ("regressor", "lbfgs", {}),
    ("multiclass", "adam", {"init": "lsuv"}),
    ("regressor", "adam", {"init": "orthogonal"}),
    # The activations issue 12 added: nothing of theirs is stored but the name.
    ("multiclass", "adam", {"activation": "leaky_relu"}),
    ("regressor", "lbfgs", {"activation": "elu"}),
    ("binary", "sgd", {"activation": "selu", "init": "lecun_normal"}),
    ("multilabel", "adam", {"activation": "gelu"}),
    ("regressor", "adam", {"activation": "silu"}),
    # The issue-13 training features (the optimizer keeps the cosine position).
    (
        "multiclass",
        "adam",
        {
            "class_weight": "balanced",
            "dropout": 0.2,
            "weight_decay": 0.01,
            "learning_rate": "cosine",
            "warmup_epochs": 2,
        },
    ),
    (
        "regressor",
        "sgd",
        {"early_stopping": True, "scoring": "neg_mean_absolute_error"},
    ),
]
# Training features that partial_fit continues. A huge tol ends the fit after
# 3 of its 15 epochs, before the cosine schedule reaches its zero rate.
FEATURES_ON = {
    "dropout": [0.3, 0.1],
    "weight_decay": 0.01,
    "learning_rate": "cosine",
    "warmup_epochs": 1,
    "tol": 1e9,
    "n_iter_no_change": 1,
}


def _only_arrays_and_builtins(value, path="model"):
    """Assert that ``value`` is made of numpy arrays and Python builtins only."""
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str), f"{path} has a non-str key {key!r}"
            _only_arrays_and_builtins(item, f"{path}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _only_arrays_and_builtins(item, f"{path}[{i}]")
    else:
        allowed = (np.ndarray, np.generic, str, int, float, bool, type(None))
        kind = f"{type(value).__module__}.{type(value).__qualname__}"
        assert isinstance(value, allowed), f"{path} is a {kind}"
        if isinstance(value, np.ndarray):
            assert value.dtype != object, f"{path} is an object array"


def _final(model):
    return model[-1] if hasattr(model, "steps") else model


@pytest.mark.parametrize("kind, solver, kwargs", CASES)
def test_fitted_state_is_arrays_and_builtins(kind, solver, kwargs):
    model = _final(_fitted(kind, solver, **kwargs))
    _only_arrays_and_builtins(vars(model))


@pytest.mark.parametrize("kind, solver, kwargs", CASES)
def test_untrusted_types_are_only_mlpinit_classes(kind, solver, kwargs, tmp_path):
    model = _fitted(kind, solver, **kwargs)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = set(sio.get_untrusted_types(file=path))
    assert untrusted, "mlpinit's own classes must be audited, not trusted silently"
    assert untrusted <= OWN_TYPES


@pytest.mark.parametrize("kind, solver, kwargs", CASES)
def test_round_trip_predicts_identically(kind, solver, kwargs, tmp_path):
    model = _fitted(kind, solver, **kwargs)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    loaded = sio.load(path, trusted=sorted(OWN_TYPES))
    data = X_reg if kind == "regressor" else X
    np.testing.assert_array_equal(loaded.predict(data), model.predict(data))
    if kind != "regressor":
        np.testing.assert_array_equal(
            loaded.predict_proba(data), model.predict_proba(data)
        )
    final, final_loaded = _final(model), _final(loaded)
    assert final_loaded.get_params() == final.get_params()
    for name in ("loss_curve_", "validation_scores_", "n_iter_", "t_", "classes_"):
        if hasattr(final, name):
            np.testing.assert_array_equal(
                getattr(final_loaded, name), getattr(final, name)
            )


@pytest.mark.parametrize("features", [False, True], ids=["plain", "features"])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
@pytest.mark.parametrize("kind", ["multiclass", "regressor"])
def test_partial_fit_after_loading_continues_exactly(kind, solver, features, tmp_path):
    # The optimizer's state (momentum, Adam moments, step count, the cosine
    # position) survives the round trip, so training resumes where it stopped.
    kwargs = dict(FEATURES_ON) if features else {}
    if features and kind == "multiclass":
        kwargs["class_weight"] = {0: 1.0, 1: 2.0, 2: 0.5}
    model = _final(_fitted(kind, solver, **kwargs))
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    loaded = sio.load(path, trusted=sorted(OWN_TYPES))
    data, target = (X_reg, y_reg) if kind == "regressor" else (X, y3)
    start = model.coefs_[0].copy()
    for _ in range(3):
        model.partial_fit(data, target)
        loaded.partial_fit(data, target)
    assert not np.array_equal(model.coefs_[0], start)
    for a, b in zip(
        model.coefs_ + model.intercepts_, loaded.coefs_ + loaded.intercepts_
    ):
        np.testing.assert_array_equal(a, b)
    # A fresh optimizer would have taken different steps.
    restarted = _final(_fitted(kind, solver, **kwargs))
    del restarted._optimizer_state
    for _ in range(3):
        restarted.partial_fit(data, target)
    assert not np.array_equal(restarted.coefs_[0], model.coefs_[0])


def test_default_load_refuses_mlpinit_types(tmp_path):
    path = tmp_path / "model.skops"
    sio.dump(_fitted("binary"), path)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException):
        sio.load(path)


class Payload:
    """Stands for any object a tampered file could smuggle in."""

    def __init__(self):
        self.note = "not an mlpinit class"


def test_audited_load_refuses_an_unexpected_type(tmp_path):
    model = _fitted("multiclass")
    model[-1].payload_ = Payload()
    path = tmp_path / "tampered.skops"
    sio.dump(model, path)
    assert f"{__name__}.Payload" in sio.get_untrusted_types(file=path)
    with pytest.raises(sio.exceptions.UntrustedTypesFoundException, match="Payload"):
        sio.load(path, trusted=sorted(OWN_TYPES))


FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.mark.parametrize("case", range(len(CASES)))
def test_files_written_by_an_earlier_version_load_and_predict_the_same(case):
    # tests/fixtures/make_skops_fixtures.py wrote these from main at 0e22e25,
    # before the architecture change: a user's saved models must keep working.
    kind, solver, _ = CASES[case]
    expected = np.load(FIXTURES / "skops_expected.npz")
    path = FIXTURES / f"skops_{case}.skops"
    assert set(sio.get_untrusted_types(file=path)) <= OWN_TYPES
    loaded = sio.load(path, trusted=sorted(OWN_TYPES))
    probe = expected[f"probe_{case}"]
    np.testing.assert_array_equal(loaded.predict(probe), expected[f"predict_{case}"])
    if f"proba_{case}" in expected:
        np.testing.assert_array_equal(
            loaded.predict_proba(probe), expected[f"proba_{case}"]
        )
    final = _final(loaded)
    balanced = getattr(final, "class_weight", None) == "balanced"
    resumable = not final.early_stopping and not balanced
    if solver != "lbfgs" and resumable:
        # The stored optimizer state is still one that training continues from.
        if kind == "regressor":
            data, target = X_reg, y_reg
        else:
            data = loaded[:-1].transform(X)
            target = {
                "binary": np.where(y3 == 1, "yes", "no"),
                "multiclass": y3,
                "multilabel": Y_multilabel,
            }[kind]
        before = final.coefs_[0].copy()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            final.partial_fit(data, target)
        assert np.all(np.isfinite(final.coefs_[0]))
        assert not np.array_equal(final.coefs_[0], before)
