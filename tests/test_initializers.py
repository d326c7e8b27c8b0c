"""Tests for mlpinit.initializers against independent truths.

The truths are the papers' formulas written out literally below, fresh
``numpy.random.RandomState`` draws with those parameters, and scikit-learn's
own MLP initialization.
"""

import ast
import inspect
import re
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

from mlpinit import initializers as init_mod
from mlpinit.initializers import (
    INITIALIZERS,
    glorot_normal,
    glorot_uniform,
    he,
    he_normal,
    he_uniform,
    initialize_layer,
    lecun_normal,
    lecun_uniform,
    resolve_init,
    sklearn_uniform,
    variance_scaling,
    xavier,
)

# name -> (function, distribution, parameter(fan_in, fan_out)).
# The parameter is the standard deviation for "normal" and the bound for
# "uniform", each written as the literature states it.
PRESETS = {
    "lecun_normal": (lecun_normal, "normal", lambda fi, fo: np.sqrt(1 / fi)),
    "lecun_uniform": (lecun_uniform, "uniform", lambda fi, fo: np.sqrt(3 / fi)),
    "glorot_normal": (
        glorot_normal,
        "normal",
        lambda fi, fo: np.sqrt(2 / (fi + fo)),
    ),
    "glorot_uniform": (
        glorot_uniform,
        "uniform",
        lambda fi, fo: np.sqrt(6 / (fi + fo)),
    ),
    "he_normal": (he_normal, "normal", lambda fi, fo: np.sqrt(2 / fi)),
    "he_uniform": (he_uniform, "uniform", lambda fi, fo: np.sqrt(6 / fi)),
    # the article's names: Xavier is N(0, 1/fan_in), He is N(0, 2/fan_in)
    "xavier": (xavier, "normal", lambda fi, fo: np.sqrt(1 / fi)),
    "he": (he, "normal", lambda fi, fo: np.sqrt(2 / fi)),
}
UNIFORM = [name for name, (_, dist, _) in PRESETS.items() if dist == "uniform"]


def _variance(name, fi, fo):
    _, dist, param = PRESETS[name]
    p = param(fi, fo)
    return p**2 if dist == "normal" else p**2 / 3


def _reference_draw(name, fi, fo, seed):
    _, dist, param = PRESETS[name]
    rng = np.random.RandomState(seed)
    p = param(fi, fo)
    if dist == "normal":
        return rng.normal(0, p, (fi, fo))
    return rng.uniform(-p, p, (fi, fo))


# --------------------------------------------------------------------------
# the table itself
# --------------------------------------------------------------------------
def test_initializers_table_has_exactly_the_documented_names():
    assert set(INITIALIZERS) == set(PRESETS) | {"orthogonal"}
    assert INITIALIZERS["orthogonal"] is init_mod.orthogonal
    for name, (func, _, _) in PRESETS.items():
        assert INITIALIZERS[name] is func


def test_expected_variances_are_the_literature_formulas():
    # guards the PRESETS table above against typos: the variances in closed
    # form, fan_in=2000, fan_out=500
    expected = {
        "lecun_normal": 1 / 2000,
        "lecun_uniform": 1 / 2000,
        "xavier": 1 / 2000,
        "glorot_normal": 2 / 2500,
        "glorot_uniform": 2 / 2500,
        "he_normal": 2 / 2000,
        "he_uniform": 2 / 2000,
        "he": 2 / 2000,
    }
    for name, var in expected.items():
        assert _variance(name, 2000, 500) == pytest.approx(var, rel=1e-12)


def test_module_imports_only_numpy_scipy_the_core_and_stdlib():
    source = Path(init_mod.__file__).read_text(encoding="utf-8")
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add(node.module or "")
    non_stdlib = {m for m in modules if m.split(".")[0] not in sys.stdlib_module_names}

    def allowed(module):
        # the plain-numpy floor: numpy, scipy and the core package only
        return module.split(".")[0] in {"numpy", "scipy"} or (
            module == "mlpinit._core" or module.startswith("mlpinit._core.")
        )

    assert "numpy" in non_stdlib
    assert {m for m in non_stdlib if not allowed(m)} == set()


# --------------------------------------------------------------------------
# statistics at large size
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_sample_variance_and_mean(name):
    fi, fo = 2000, 500
    func = PRESETS[name][0]
    W = func(fi, fo, np.random.RandomState(0))
    var = _variance(name, fi, fo)
    assert W.shape == (fi, fo)
    assert W.dtype == np.float64
    # 10**6 draws: the relative standard error of the variance is < 0.2 %
    assert W.var() == pytest.approx(var, rel=0.02)
    # mean within 5 standard errors of 0
    assert abs(W.mean()) < 5 * np.sqrt(var / W.size)


@pytest.mark.parametrize("name", UNIFORM)
def test_uniform_presets_stay_within_and_reach_their_bound(name):
    fi, fo = 2000, 500
    func, _, param = PRESETS[name]
    bound = param(fi, fo)
    W = func(fi, fo, np.random.RandomState(1))
    assert np.abs(W).max() <= bound
    assert W.max() > 0.999 * bound
    assert W.min() < -0.999 * bound


@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("shape", [(1, 1), (7, 4), (33, 10), (5, 5), (64, 3)])
def test_preset_draw_is_bit_identical_to_fresh_randomstate(name, shape):
    fi, fo = shape
    W = PRESETS[name][0](fi, fo, np.random.RandomState(42))
    np.testing.assert_array_equal(W, _reference_draw(name, fi, fo, 42))


@pytest.mark.parametrize("name", list(PRESETS))
def test_preset_takes_exactly_one_draw_from_the_random_state(name):
    fi, fo = 6, 4
    rng = np.random.RandomState(3)
    PRESETS[name][0](fi, fo, rng)
    ref = np.random.RandomState(3)
    _, dist, _ = PRESETS[name]
    if dist == "normal":
        ref.normal(size=(fi, fo))
    else:
        ref.uniform(size=(fi, fo))
    np.testing.assert_array_equal(rng.random_sample(5), ref.random_sample(5))


@pytest.mark.parametrize("name", list(PRESETS))
def test_float32_output_is_the_cast_float64_draw(name):
    func = PRESETS[name][0]
    W32 = func(20, 30, np.random.RandomState(5), np.float32)
    W64 = func(20, 30, np.random.RandomState(5), np.float64)
    assert W32.dtype == np.float32
    assert W64.dtype == np.float64
    np.testing.assert_array_equal(W32, W64.astype(np.float32))


@pytest.mark.parametrize("name", list(PRESETS))
def test_same_seed_same_array_different_seed_different(name):
    func = PRESETS[name][0]
    a = func(10, 8, np.random.RandomState(0))
    b = func(10, 8, np.random.RandomState(0))
    c = func(10, 8, np.random.RandomState(1))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_article_names_are_the_literature_presets():
    for fi, fo in [(3, 9), (50, 20)]:
        np.testing.assert_array_equal(
            xavier(fi, fo, np.random.RandomState(7)),
            lecun_normal(fi, fo, np.random.RandomState(7)),
        )
        np.testing.assert_array_equal(
            he(fi, fo, np.random.RandomState(7)),
            he_normal(fi, fo, np.random.RandomState(7)),
        )
    # the article's Xavier is *not* Glorot's formula
    assert not np.array_equal(
        xavier(50, 20, np.random.RandomState(7)),
        glorot_normal(50, 20, np.random.RandomState(7)),
    )


def test_xavier_docstring_names_lecun_and_glorot():
    doc = xavier.__doc__
    assert "LeCun normal" in doc
    assert "Efficient" in doc and "BackProp" in doc
    assert "glorot_normal" in doc and "glorot_uniform" in doc


def _public_functions():
    return [n for n in init_mod.__all__ if callable(getattr(init_mod, n))]


@pytest.mark.parametrize("name", _public_functions())
def test_docstrings_are_complete_numpydoc(name):
    # The shared text is filled in at import; what Sphinx and help() read must
    # be whole numpydoc, with no placeholder left and each cited source listed.
    docscrape = pytest.importorskip("numpydoc.docscrape")
    func = getattr(init_mod, name)
    doc = docscrape.FunctionDoc(func)
    assert not re.search(r"^\s*\{\w+\}\s*$", func.__doc__, re.MULTILINE)
    assert doc["Summary"] and doc["Examples"]
    documented = [p.name for p in doc["Parameters"]]
    signature = list(inspect.signature(func).parameters)
    assert documented == signature
    cited = set(re.findall(r"\[(\d+)\]_", func.__doc__))
    listed = set(re.findall(r"^\s*\.\. \[(\d+)\]", func.__doc__, re.MULTILINE))
    assert cited == listed
    if name in PRESETS:
        assert listed and doc["Returns"] and doc["Raises"]


# --------------------------------------------------------------------------
# variance_scaling itself
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("mode", "n"),
    [("fan_in", 30), ("fan_out", 12), ("fan_avg", (30 + 12) / 2)],
)
@pytest.mark.parametrize("scale", [1.0, 2.0, 0.5, 3])
def test_variance_scaling_modes_and_distributions(mode, n, scale):
    W = variance_scaling(30, 12, np.random.RandomState(9), scale=scale, mode=mode)
    ref = np.random.RandomState(9).normal(0, np.sqrt(scale / n), (30, 12))
    np.testing.assert_array_equal(W, ref)

    U = variance_scaling(
        30,
        12,
        np.random.RandomState(9),
        scale=scale,
        mode=mode,
        distribution="uniform",
    )
    limit = np.sqrt(3 * scale / n)
    ref = np.random.RandomState(9).uniform(-limit, limit, (30, 12))
    np.testing.assert_array_equal(U, ref)


def test_variance_scaling_fan_out_mode_statistics():
    W = variance_scaling(500, 2000, np.random.RandomState(0), scale=2.0, mode="fan_out")
    assert W.var() == pytest.approx(2.0 / 2000, rel=0.02)


def test_variance_scaling_accepts_numpy_integers_and_dtype_strings():
    W = variance_scaling(np.int64(4), np.int32(3), np.random.RandomState(0), "float32")
    assert W.shape == (4, 3)
    assert W.dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"fan_in": 0}, "fan_in must be a positive integer"),
        ({"fan_in": -3}, "fan_in must be a positive integer"),
        ({"fan_in": 2.5}, "fan_in must be a positive integer"),
        ({"fan_in": 3.0}, "fan_in must be a positive integer"),
        ({"fan_in": True}, "fan_in must be a positive integer"),
        ({"fan_in": "4"}, "fan_in must be a positive integer"),
        ({"fan_out": 0}, "fan_out must be a positive integer"),
        ({"fan_out": None}, "fan_out must be a positive integer"),
        ({"scale": 0.0}, "scale must be a positive finite number"),
        ({"scale": -1.0}, "scale must be a positive finite number"),
        ({"scale": float("nan")}, "scale must be a positive finite number"),
        ({"scale": float("inf")}, "scale must be a positive finite number"),
        ({"scale": "2"}, "scale must be a positive finite number"),
        ({"scale": 1e308}, "uniform bound"),
        ({"mode": "fan_sum"}, r"mode must be one of \['fan_in', 'fan_out'"),
        ({"mode": None}, "mode must be one of"),
        ({"distribution": "truncated_normal"}, "distribution must be one of"),
        ({"dtype": np.int64}, "dtype must be a floating dtype"),
        ({"dtype": "not-a-dtype"}, "dtype must be a floating dtype"),
    ],
)
def test_variance_scaling_rejects_invalid_arguments(kwargs, match):
    args = {
        "fan_in": 4,
        "fan_out": 3,
        "dtype": np.float64,
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "uniform",
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        variance_scaling(random_state=np.random.RandomState(0), **args)


@pytest.mark.parametrize("random_state", [0, None, np.random.default_rng(0)])
def test_random_state_must_be_a_randomstate(random_state):
    with pytest.raises(TypeError, match="numpy.random.RandomState"):
        he_normal(3, 2, random_state)
    with pytest.raises(TypeError, match="numpy.random.RandomState"):
        sklearn_uniform(3, 2, random_state)


# --------------------------------------------------------------------------
# scikit-learn's scheme
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("activation", "factor"),
    [("relu", 6.0), ("tanh", 6.0), ("identity", 6.0), ("logistic", 2.0)],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sklearn_uniform_formula(activation, factor, dtype):
    layers = [(13, 7), (7, 5), (5, 1)]
    rng = np.random.RandomState(11)
    ref = np.random.RandomState(11)
    for fi, fo in layers:
        W, b = sklearn_uniform(fi, fo, rng, dtype, activation=activation)
        bound = np.sqrt(factor / (fi + fo))
        W_ref = ref.uniform(-bound, bound, (fi, fo))
        b_ref = ref.uniform(-bound, bound, fo)
        assert W.shape == (fi, fo) and b.shape == (fo,)
        assert W.dtype == dtype and b.dtype == dtype
        np.testing.assert_array_equal(W, W_ref.astype(dtype))
        np.testing.assert_array_equal(b, b_ref.astype(dtype))


def test_sklearn_uniform_logistic_bound_is_smaller():
    W, b = sklearn_uniform(400, 600, np.random.RandomState(0), activation="logistic")
    bound = np.sqrt(2.0 / 1000)
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(W).max() > 0.99 * bound
    assert W.var() == pytest.approx(bound**2 / 3, rel=0.02)


def _sklearn_initial_params(estimator, X, y):
    """Fit a scikit-learn MLP for one SGD step that cannot move any weight.

    With ``learning_rate_init=1e-300`` and no momentum, each update is about
    1e-300 times the gradient, far below one ulp of any initial weight, so
    the fitted ``coefs_`` and ``intercepts_`` are the initial ones.
    """
    estimator.set_params(
        solver="sgd",
        learning_rate="constant",
        learning_rate_init=1e-300,
        momentum=0.0,
        nesterovs_momentum=False,
        alpha=0.0,
        max_iter=1,
        shuffle=False,
        early_stopping=False,
        batch_size=len(X),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X, y)
    return estimator.coefs_, estimator.intercepts_


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_sklearn_uniform_reproduces_sklearn_mlp(activation, dtype, kind):
    data_rng = np.random.RandomState(0)
    X = data_rng.normal(size=(40, 6)).astype(dtype)
    if kind == "classifier":
        y = np.arange(40) % 3
        est = MLPClassifier(hidden_layer_sizes=(9, 4), activation=activation)
    else:
        y = data_rng.normal(size=(40, 2))
        est = MLPRegressor(hidden_layer_sizes=(9, 4), activation=activation)
    est.set_params(random_state=123)
    coefs, intercepts = _sklearn_initial_params(est, X, y)

    rng = np.random.RandomState(123)
    assert len(coefs) == 3
    for coef, intercept in zip(coefs, intercepts):
        fi, fo = coef.shape
        W, b = sklearn_uniform(fi, fo, rng, dtype, activation=activation)
        assert W.dtype == coef.dtype and b.dtype == intercept.dtype
        np.testing.assert_array_equal(W, coef)
        np.testing.assert_array_equal(b, intercept)


# --------------------------------------------------------------------------
# resolve_init
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("init", "activation", "expected"),
    [
        ("auto", "relu", "he"),
        ("auto", "tanh", "xavier"),
        ("auto", "logistic", "xavier"),
        ("auto", "identity", "xavier"),
        ("sklearn", "relu", "sklearn"),
        ("sklearn", "logistic", "sklearn"),
        ("xavier", "relu", "xavier"),
        ("he", "tanh", "he"),
        ("glorot_uniform", "relu", "glorot_uniform"),
        ("glorot_normal", "tanh", "glorot_normal"),
        ("lecun_normal", "relu", "lecun_normal"),
        ("lecun_uniform", "relu", "lecun_uniform"),
        ("he_normal", "logistic", "he_normal"),
        ("he_uniform", "identity", "he_uniform"),
    ],
)
def test_resolve_init_table(init, activation, expected):
    assert resolve_init(init, activation) == expected


def test_resolve_init_passes_callables_through():
    def my_init(fan_in, fan_out, random_state, dtype):
        return np.zeros((fan_in, fan_out), dtype)

    assert resolve_init(my_init, "relu") is my_init


@pytest.mark.parametrize("bad", ["glorot", "Xavier", "", "kaiming", 3, None, ["he"]])
def test_resolve_init_rejects_unknown_and_lists_valid_names(bad):
    with pytest.raises(ValueError, match="init must be one of") as excinfo:
        resolve_init(bad, "relu")
    message = str(excinfo.value)
    for name in ["auto", "sklearn", *INITIALIZERS]:
        assert repr(name) in message


@pytest.mark.parametrize("activation", ["swish", "", None, ["relu"]])
def test_resolve_init_auto_with_unknown_activation(activation):
    with pytest.raises(ValueError, match="no rule for activation="):
        resolve_init("auto", activation)


# The "auto" rule for each layer's own activation, as the docstring states it:
# rectifiers get He, selu LeCun normal, the rest (output layers included)
# the article's Xavier, 1/fan_in.
AUTO_BY_LAYER_ACTIVATION = {
    "relu": "he",
    "leaky_relu": "he",
    "elu": "he",
    "gelu": "he",
    "silu": "he",
    "selu": "lecun_normal",
    "tanh": "xavier",
    "logistic": "xavier",
    "identity": "xavier",
    "softmax": "xavier",
    "exp": "xavier",
}


@pytest.mark.parametrize("activation", list(AUTO_BY_LAYER_ACTIVATION))
def test_resolve_init_auto_follows_the_layer_activation(activation):
    assert resolve_init("auto", activation) == AUTO_BY_LAYER_ACTIVATION[activation]


def test_every_gain_activation_has_an_auto_rule_and_back():
    # one name set: each activation's record carries both its gain and its
    # "auto" rule, and the records are exactly the activations listed here
    from mlpinit._core.activations import ACTIVATIONS

    assert set(ACTIVATIONS) == set(AUTO_BY_LAYER_ACTIVATION)
    for name in ACTIVATIONS:
        assert init_mod.calculate_gain(name) > 0
        assert resolve_init("auto", name) in INITIALIZERS


@pytest.mark.parametrize(
    ("hidden", "output", "variance"),
    [
        ("relu", "softmax", 1.0),
        ("relu", "identity", 1.0),
        ("relu", "logistic", 1.0),
        ("tanh", "softmax", 1.0),
        ("selu", "identity", 1.0),
        ("relu", "relu", 2.0),
    ],
)
def test_initialize_layer_auto_output_layer_follows_its_own_activation(
    hidden, output, variance
):
    fan_in, fan_out = 2000, 200
    W, b = initialize_layer(
        "auto",
        fan_in,
        fan_out,
        np.random.RandomState(0),
        np.float64,
        hidden,
        layer_activation=output,
    )
    ref = np.random.RandomState(0).normal(0, np.sqrt(variance / fan_in), W.shape)
    np.testing.assert_array_equal(W, ref)
    np.testing.assert_array_equal(b, np.zeros(fan_out))


def test_initialize_layer_without_layer_activation_keeps_the_old_rule():
    # the entry point the estimators call today: the hidden activation's
    # preset for every layer, the output one included
    old, _ = initialize_layer("auto", 50, 3, np.random.RandomState(1), "f8", "relu")
    np.testing.assert_array_equal(old, he_normal(50, 3, np.random.RandomState(1)))


def test_layer_activation_leaves_the_sklearn_factor_alone():
    # scikit-learn uses the hidden activation's factor for the output layer
    W, b = initialize_layer(
        "sklearn",
        9,
        4,
        np.random.RandomState(2),
        np.float64,
        "relu",
        layer_activation="logistic",
    )
    W_ref, b_ref = sklearn_uniform(9, 4, np.random.RandomState(2), activation="relu")
    np.testing.assert_array_equal(W, W_ref)
    np.testing.assert_array_equal(b, b_ref)


def test_layer_activation_sets_the_orthogonal_gain():
    W, _ = initialize_layer(
        "orthogonal",
        30,
        10,
        np.random.RandomState(3),
        np.float64,
        "relu",
        layer_activation="softmax",
    )
    np.testing.assert_allclose(W.T @ W, np.eye(10), atol=1e-12)


# --------------------------------------------------------------------------
# initialize_layer
# --------------------------------------------------------------------------
@pytest.mark.parametrize("name", list(PRESETS))
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_initialize_layer_named_presets(name, dtype):
    W, b = initialize_layer(name, 12, 5, np.random.RandomState(4), dtype, "tanh")
    ref = _reference_draw(name, 12, 5, 4).astype(dtype)
    assert W.dtype == dtype and b.dtype == dtype
    np.testing.assert_array_equal(W, ref)
    assert b.shape == (5,)
    np.testing.assert_array_equal(b, np.zeros(5))


@pytest.mark.parametrize(
    ("activation", "preset"),
    [
        ("relu", "he"),
        ("tanh", "xavier"),
        ("logistic", "xavier"),
        ("identity", "xavier"),
    ],
)
def test_initialize_layer_auto_follows_the_article(activation, preset):
    W, b = initialize_layer(
        "auto", 30, 20, np.random.RandomState(2), np.float64, activation
    )
    np.testing.assert_array_equal(W, _reference_draw(preset, 30, 20, 2))
    np.testing.assert_array_equal(b, np.zeros(20))


@pytest.mark.parametrize("activation", ["relu", "logistic"])
def test_initialize_layer_sklearn_draws_biases(activation):
    W, b = initialize_layer(
        "sklearn", 8, 6, np.random.RandomState(2), np.float32, activation
    )
    W_ref, b_ref = sklearn_uniform(
        8, 6, np.random.RandomState(2), np.float32, activation=activation
    )
    np.testing.assert_array_equal(W, W_ref)
    np.testing.assert_array_equal(b, b_ref)
    assert np.all(b != 0)


def test_initialize_layer_callable_valid():
    seen = {}

    def my_init(fan_in, fan_out, random_state, dtype):
        seen["args"] = (fan_in, fan_out, random_state, dtype)
        # a nested list, to check the conversion to the requested dtype
        return (random_state.uniform(-1, 1, (fan_in, fan_out))).tolist()

    rng = np.random.RandomState(8)
    W, b = initialize_layer(my_init, 4, 3, rng, np.float32, "relu")
    assert seen["args"][:2] == (4, 3)
    assert seen["args"][2] is rng
    assert np.dtype(seen["args"][3]) == np.float32
    assert W.shape == (4, 3) and W.dtype == np.float32
    np.testing.assert_array_equal(
        W, np.random.RandomState(8).uniform(-1, 1, (4, 3)).astype(np.float32)
    )
    assert b.dtype == np.float32
    np.testing.assert_array_equal(b, np.zeros(3))


@pytest.mark.parametrize("returned_shape", [(3, 4), (4,), (4, 3, 1), (12,)])
def test_initialize_layer_callable_wrong_shape(returned_shape):
    def transposed_init(fan_in, fan_out, random_state, dtype):
        return np.ones(returned_shape)

    with pytest.raises(ValueError) as excinfo:
        initialize_layer(
            transposed_init, 4, 3, np.random.RandomState(0), np.float64, "relu"
        )
    message = str(excinfo.value)
    assert "transposed_init" in message
    assert str(returned_shape) in message
    assert "(4, 3)" in message


@pytest.mark.parametrize("bad_value", [np.nan, np.inf, -np.inf])
def test_initialize_layer_callable_non_finite(bad_value):
    def nan_init(fan_in, fan_out, random_state, dtype):
        W = np.zeros((fan_in, fan_out))
        W[1, 2] = bad_value
        return W

    with pytest.raises(ValueError, match="nan_init.*1 non-finite"):
        initialize_layer(nan_init, 4, 3, np.random.RandomState(0), np.float64, "relu")


def test_initialize_layer_callable_unconvertible_output():
    def text_init(fan_in, fan_out, random_state, dtype):
        return "weights"

    with pytest.raises(ValueError, match="text_init"):
        initialize_layer(text_init, 2, 2, np.random.RandomState(0), np.float64, "relu")


def test_initialize_layer_rejects_invalid_arguments():
    rng = np.random.RandomState(0)
    with pytest.raises(ValueError, match="init must be one of"):
        initialize_layer("glorot", 3, 2, rng, np.float64, "relu")
    with pytest.raises(ValueError, match="fan_in must be a positive integer"):
        initialize_layer("he", 0, 2, rng, np.float64, "relu")
    with pytest.raises(ValueError, match="fan_out must be a positive integer"):
        initialize_layer("sklearn", 3, -2, rng, np.float64, "relu")
    with pytest.raises(ValueError, match="dtype must be a floating dtype"):
        initialize_layer("he", 3, 2, rng, np.int32, "relu")
    with pytest.raises(TypeError, match="RandomState"):
        initialize_layer("he", 3, 2, 0, np.float64, "relu")


def test_initialize_layer_shares_the_random_state_across_layers():
    # two layers from one RandomState equal the two draws in sequence
    rng = np.random.RandomState(21)
    W1, _ = initialize_layer("he", 5, 4, rng, np.float64, "relu")
    W2, _ = initialize_layer("glorot_uniform", 4, 2, rng, np.float64, "relu")
    ref = np.random.RandomState(21)
    np.testing.assert_array_equal(W1, ref.normal(0, np.sqrt(2 / 5), (5, 4)))
    bound = np.sqrt(6 / (4 + 2))
    np.testing.assert_array_equal(W2, ref.uniform(-bound, bound, (4, 2)))


# --------------------------------------------------------------------------
# property
# --------------------------------------------------------------------------
@settings(max_examples=150, deadline=None)
@given(
    fan_in=st.integers(1, 64),
    fan_out=st.integers(1, 64),
    init=st.sampled_from(["auto", "sklearn", *INITIALIZERS]),
    activation=st.sampled_from(["relu", "tanh", "logistic", "identity"]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
)
def test_property_shapes_dtypes_finite(fan_in, fan_out, init, activation, dtype, seed):
    W, b = initialize_layer(
        init, fan_in, fan_out, np.random.RandomState(seed), dtype, activation
    )
    assert W.shape == (fan_in, fan_out)
    assert b.shape == (fan_out,)
    assert W.dtype == dtype and b.dtype == dtype
    assert np.all(np.isfinite(W)) and np.all(np.isfinite(b))
    name = resolve_init(init, activation)
    if name == "sklearn":
        factor = 2.0 if activation == "logistic" else 6.0
        bound = np.sqrt(factor / (fan_in + fan_out))
    elif name in UNIFORM:
        bound = PRESETS[name][2](fan_in, fan_out)
    else:
        bound = None
    if bound is not None:
        # a float32 cast may round up onto the bound, by at most one ulp
        tol = 1e-6 if dtype == np.float32 else 0.0
        assert np.abs(W.astype(np.float64)).max() <= bound * (1 + tol)
    if name == "sklearn":
        assert np.abs(b.astype(np.float64)).max() <= bound * (1 + tol)
    else:
        assert np.all(b == 0)


# --------------------------------------------------------------------------
# calculate_gain
# --------------------------------------------------------------------------
SELU_LAMBDA = 1.0507009873554804934193349852946
SELU_ALPHA = 1.6732632423543772848170429916717


def _second_moment(f):
    """E[f(z)^2] for z ~ N(0, 1), by adaptive quadrature (scipy)."""
    from scipy import integrate, stats

    value, _ = integrate.quad(
        lambda z: f(z) ** 2 * stats.norm.pdf(z),
        -np.inf,
        np.inf,
        epsabs=1e-14,
        epsrel=1e-12,
        limit=500,
    )
    return value


def _elu(alpha):
    return lambda z: z if z > 0 else alpha * np.expm1(z)


def _sigmoid(z):
    from scipy.special import expit

    return expit(z)


def _normal_cdf(z):
    from scipy.special import ndtr

    return ndtr(z)


@pytest.mark.parametrize(
    ("activation", "param", "f"),
    [
        ("relu", None, lambda z: max(z, 0.0)),
        ("leaky_relu", None, lambda z: z if z > 0 else 0.01 * z),
        ("leaky_relu", 0.3, lambda z: z if z > 0 else 0.3 * z),
        ("leaky_relu", -0.5, lambda z: z if z > 0 else -0.5 * z),
        ("elu", None, _elu(1.0)),
        ("elu", 0.5, _elu(0.5)),
        ("elu", 2.0, _elu(2.0)),
        ("selu", None, lambda z: SELU_LAMBDA * _elu(SELU_ALPHA)(z)),
        ("gelu", None, lambda z: z * _normal_cdf(z)),
        ("silu", None, lambda z: z * _sigmoid(z)),
        ("identity", None, lambda z: z),
    ],
)
def test_gain_keeps_the_second_moment_of_a_unit_normal(activation, param, f):
    # The documented rule: gain^2 * E[f(z)^2] = 1, with the expectation
    # integrated here independently of the module's closed forms.
    gain = init_mod.calculate_gain(activation, param)
    assert gain**2 * _second_moment(f) == pytest.approx(1.0, rel=1e-9)


@pytest.mark.parametrize(
    ("activation", "param", "expected"),
    [
        # torch.nn.init.calculate_gain's documented table
        ("identity", None, 1.0),
        ("logistic", None, 1.0),
        ("tanh", None, 5.0 / 3.0),
        ("relu", None, np.sqrt(2.0)),
        ("leaky_relu", None, np.sqrt(2.0 / (1 + 0.01**2))),
        ("leaky_relu", 0.2, np.sqrt(2.0 / (1 + 0.2**2))),
        ("leaky_relu", 0, np.sqrt(2.0)),
        # this module's choices, stated in its docstring
        ("selu", None, 1.0),
        ("softmax", None, 1.0),
        ("exp", None, 1.0),
    ],
)
def test_gain_table(activation, param, expected):
    assert init_mod.calculate_gain(activation, param) == pytest.approx(
        expected, rel=1e-15
    )


def test_gain_relu_monte_carlo_keeps_the_variance_through_depth():
    # A property, not a formula: 20 He-scaled ReLU layers of width 512 keep
    # the second moment of the signal within a factor 2 of 1, while the
    # LeCun scale (gain 1) loses half of it at every layer.
    rng = np.random.RandomState(0)
    x = rng.normal(size=(256, 512))
    moments = {}
    for gain in (init_mod.calculate_gain("relu"), 1.0):
        a = x
        for _ in range(20):
            a = np.maximum(a @ (gain * rng.normal(size=(512, 512)) / np.sqrt(512)), 0)
        moments[gain] = float(np.mean(a**2))
    assert 0.25 < moments[np.sqrt(2.0)] < 2.0
    assert moments[1.0] < 1e-4


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (("swish",), "activation must be one of"),
        ((None,), "activation must be one of"),
        (("relu", 0.1), "takes no param"),
        (("leaky_relu", float("nan")), "param"),
        (("leaky_relu", "0.1"), "param"),
        (("leaky_relu", True), "param"),
        (("elu", 0.0), "positive"),
        (("elu", -1.0), "positive"),
    ],
)
def test_gain_rejects_invalid_arguments(args, match):
    with pytest.raises(ValueError, match=match):
        init_mod.calculate_gain(*args)


# --------------------------------------------------------------------------
# orthogonal
# --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape", [(1, 1), (5, 3), (3, 5), (64, 64), (200, 17), (9, 40)]
)
@pytest.mark.parametrize("gain", [1.0, np.sqrt(2.0), 0.5])
def test_orthogonal_is_orthogonal_times_gain(shape, gain):
    fan_in, fan_out = shape
    W = init_mod.orthogonal(fan_in, fan_out, np.random.RandomState(0), gain=gain)
    assert W.shape == shape and W.dtype == np.float64 and W.flags.c_contiguous
    # W^T W = gain^2 I for fan_in >= fan_out, W W^T = gain^2 I otherwise
    gram = W.T @ W if fan_in >= fan_out else W @ W.T
    np.testing.assert_allclose(gram, gain**2 * np.eye(min(shape)), atol=1e-12)


def test_orthogonal_square_layer_preserves_every_norm():
    # a property of the output, not of W: ||x W|| = gain ||x|| for every row
    W = init_mod.orthogonal(50, 50, np.random.RandomState(1), gain=1.7)
    X = np.random.RandomState(2).normal(size=(300, 50))
    np.testing.assert_allclose(
        np.linalg.norm(X @ W, axis=1), 1.7 * np.linalg.norm(X, axis=1), rtol=1e-12
    )


def test_orthogonal_is_haar_distributed():
    # For a Haar 2x2 orthogonal matrix the rotation angle is uniform on
    # (-pi, pi] and the determinant is +1 or -1 with probability 1/2 each.
    # LAPACK's QR signs without the correction fail this: its Q[0, 0] is
    # always negative.
    from scipy import stats

    rng = np.random.RandomState(3)
    draws = [init_mod.orthogonal(2, 2, rng) for _ in range(4000)]
    angles = np.array([np.arctan2(W[1, 0], W[0, 0]) for W in draws])
    dets = np.array([np.linalg.det(W) for W in draws])
    assert stats.kstest(angles, stats.uniform(-np.pi, 2 * np.pi).cdf).pvalue > 1e-3
    assert abs(np.mean(dets > 0) - 0.5) < 5 * 0.5 / np.sqrt(len(draws))
    # every entry of a larger Haar matrix has mean 0 and variance 1/n
    big = np.stack([init_mod.orthogonal(6, 6, rng) for _ in range(4000)])
    assert np.abs(big.mean(axis=0)).max() < 5 * np.sqrt(1 / 6 / len(big))
    np.testing.assert_allclose(big.var(axis=0), 1 / 6, rtol=0.15)


def _gram_schmidt(A):
    """Orthonormalize the columns of A in order: the QR factor with diag(R) > 0."""
    Q = np.zeros_like(A)
    for j in range(A.shape[1]):
        v = A[:, j] - Q[:, :j] @ (Q[:, :j].T @ A[:, j])
        Q[:, j] = v / np.linalg.norm(v)
    return Q


def test_orthogonal_takes_one_normal_draw_and_matches_a_numpy_reference():
    rng = np.random.RandomState(4)
    W = init_mod.orthogonal(7, 3, rng, gain=2.0)
    ref = np.random.RandomState(4)
    A = ref.normal(size=(7, 3))
    np.testing.assert_array_equal(rng.random_sample(4), ref.random_sample(4))
    # an independent construction: Gram-Schmidt on the columns of the draw
    np.testing.assert_allclose(W, 2.0 * _gram_schmidt(A), atol=1e-12)
    # a widening layer orthonormalizes the rows of its (3, 7) draw
    W_wide = init_mod.orthogonal(3, 7, np.random.RandomState(4), gain=2.0)
    B = np.random.RandomState(4).normal(size=(3, 7))
    np.testing.assert_allclose(W_wide, 2.0 * _gram_schmidt(B.T).T, atol=1e-12)


def test_orthogonal_determinism_and_float32():
    a = init_mod.orthogonal(30, 20, np.random.RandomState(5), np.float32)
    b = init_mod.orthogonal(30, 20, np.random.RandomState(5), np.float32)
    c = init_mod.orthogonal(30, 20, np.random.RandomState(6), np.float32)
    d = init_mod.orthogonal(30, 20, np.random.RandomState(5), np.float64)
    assert a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    np.testing.assert_array_equal(a, d.astype(np.float32))


@pytest.mark.parametrize("activation", ["relu", "tanh", "logistic", "identity"])
def test_initialize_layer_orthogonal_takes_the_activation_gain(activation):
    W, b = initialize_layer(
        "orthogonal", 40, 25, np.random.RandomState(7), np.float64, activation
    )
    gain = init_mod.calculate_gain(activation)
    expected = init_mod.orthogonal(40, 25, np.random.RandomState(7), gain=gain)
    np.testing.assert_array_equal(W, expected)
    np.testing.assert_array_equal(b, np.zeros(25))


@pytest.mark.parametrize("gain", [0.0, -1.0, np.inf, np.nan, "1", True, None])
def test_orthogonal_rejects_a_bad_gain(gain):
    with pytest.raises(ValueError, match="gain must be a positive finite number"):
        init_mod.orthogonal(3, 2, np.random.RandomState(0), gain=gain)


# --------------------------------------------------------------------------
# LSUV
# --------------------------------------------------------------------------
NUMPY_ACTIVATIONS = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "logistic": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "identity": lambda z: z,
}


def _orthogonal_network(units, seed, dtype=np.float64):
    rng = np.random.RandomState(seed)
    coefs = [
        init_mod.orthogonal(m, n, rng, dtype) for m, n in zip(units[:-1], units[1:])
    ]
    return coefs, [np.zeros(n, dtype) for n in units[1:]]


def _pre_activation_variances(coefs, intercepts, activation, X):
    """Each layer's Var(A @ W + b) on X, by a forward pass written here."""
    variances, A = [], X
    for W, b in zip(coefs, intercepts):
        Z = np.asarray(A @ W) + b
        variances.append(float(Z.astype(np.float64).var()))
        A = NUMPY_ACTIVATIONS[activation](Z)
    return variances


def _scaled_batch(n_rows=300, n_features=30, seed=0):
    # columns on scales from 0.1 to 100: far from unit variance on purpose
    rng = np.random.RandomState(seed)
    return rng.normal(size=(n_rows, n_features)) * np.logspace(-1, 2, n_features)


@pytest.mark.parametrize("activation", list(NUMPY_ACTIVATIONS))
@pytest.mark.parametrize("tol", [0.1, 1e-3])
def test_lsuv_gives_every_layer_unit_output_variance(activation, tol):
    X = _scaled_batch()
    coefs, intercepts = _orthogonal_network([30, 64, 64, 64, 5], seed=1)
    before = _pre_activation_variances(coefs, intercepts, activation, X)
    new, record = init_mod.lsuv(coefs, intercepts, activation, X, tol=tol)
    after = _pre_activation_variances(new, intercepts, activation, X)
    assert abs(before[0] - 1) > 1  # the start was far from it
    np.testing.assert_allclose(after, 1.0, atol=tol)
    np.testing.assert_allclose(record["variance"], after, rtol=1e-10)
    assert record["converged"] == [True] * 4
    assert record["n_forward"] == sum(record["n_iter"]) + 4
    assert record["seconds"] >= 0.0
    # only a rescaling: each new matrix is a positive multiple of the start
    for W0, W1 in zip(coefs, new):
        ratio = W1 / W0
        assert ratio.min() > 0
        np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-12)


def test_lsuv_leaves_its_inputs_alone_and_is_deterministic():
    X = sp.random(200, 30, density=0.2, format="csr", random_state=2) * 10.0
    X = X[:, np.random.RandomState(0).permutation(30)]  # unsorted indices
    assert not X.has_sorted_indices
    snapshot = (X.data.copy(), X.indices.copy(), X.indptr.copy())
    coefs, intercepts = _orthogonal_network([30, 40, 3], seed=3)
    kept = [W.copy() for W in coefs], [b.copy() for b in intercepts]
    first, record1 = init_mod.lsuv(coefs, intercepts, ["tanh"], X)
    second, record2 = init_mod.lsuv(coefs, intercepts, ["tanh"], X)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert record1["n_iter"] == record2["n_iter"]
    for a, b in zip(coefs + intercepts, kept[0] + kept[1]):
        np.testing.assert_array_equal(a, b)
    for a, b in zip((X.data, X.indices, X.indptr), snapshot):
        np.testing.assert_array_equal(a, b)
    assert not X.has_sorted_indices


def test_lsuv_on_sparse_X_matches_dense_X():
    X = sp.random(150, 25, density=0.3, format="csr", random_state=4) * 3.0
    coefs, intercepts = _orthogonal_network([25, 32, 32, 2], seed=5)
    sparse, _ = init_mod.lsuv(coefs, intercepts, "relu", X)
    dense, _ = init_mod.lsuv(coefs, intercepts, "relu", X.toarray())
    for a, b in zip(sparse, dense):
        np.testing.assert_allclose(a, b, rtol=1e-12)


def test_lsuv_float32_keeps_the_dtype():
    X = _scaled_batch().astype(np.float32)
    coefs, intercepts = _orthogonal_network([30, 20, 4], seed=6, dtype=np.float32)
    new, record = init_mod.lsuv(coefs, intercepts, "relu", X, tol=1e-3)
    assert [W.dtype for W in new] == [np.float32, np.float32]
    assert record["converged"] == [True, True]


def test_lsuv_start_from_the_same_seed_gives_the_same_weights():
    X = _scaled_batch(seed=7)
    a, _ = init_mod.lsuv(*_orthogonal_network([30, 16, 3], seed=8), "relu", X)
    b, _ = init_mod.lsuv(*_orthogonal_network([30, 16, 3], seed=8), "relu", X)
    c, _ = init_mod.lsuv(*_orthogonal_network([30, 16, 3], seed=9), "relu", X)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], c[0])


def test_lsuv_per_layer_activations():
    X = _scaled_batch()
    coefs, intercepts = _orthogonal_network([30, 20, 20, 1], seed=10)
    new, _ = init_mod.lsuv(coefs, intercepts, ["tanh", "relu"], X, tol=1e-6)
    # the reference forward with the same two activations
    A = np.tanh(X @ new[0])
    A = np.maximum(A @ new[1], 0)
    assert (A @ new[2]).var() == pytest.approx(1.0, abs=1e-6)


def test_lsuv_keeps_a_deep_relu_network_at_unit_variance_where_glorot_vanishes():
    # the article's rule 2, measured at the output of 16 relu layers
    X = _scaled_batch(n_rows=256, n_features=64, seed=11) / 30.0
    rng = np.random.RandomState(12)
    units = [64] + [64] * 16 + [10]
    glorot = [glorot_uniform(m, n, rng) for m, n in zip(units[:-1], units[1:])]
    zeros = [np.zeros(n) for n in units[1:]]
    start = _pre_activation_variances(glorot, zeros, "relu", X)[-1]
    lsuv_coefs, record = init_mod.lsuv(glorot, zeros, "relu", X)
    end = _pre_activation_variances(lsuv_coefs, zeros, "relu", X)[-1]
    assert start < 0.01  # halved at every relu layer
    assert abs(end - 1) <= 0.1
    assert all(record["converged"])


def test_lsuv_stops_after_max_iter_and_reports_it():
    # with a large bias the variance cannot reach 1 by scaling W: the bias
    # alone spreads the output (its units differ by +-3)
    X = _scaled_batch()
    coefs, _ = _orthogonal_network([30, 8], seed=13)
    intercepts = [np.array([3.0, -3.0] * 4)]
    _, record = init_mod.lsuv(coefs, intercepts, "relu", X, max_iter=4)
    assert record["n_iter"] == [4]
    assert record["converged"] == [False]
    assert record["n_forward"] == 5


def test_lsuv_dead_layer_is_reported_not_divided_by_zero():
    X = np.abs(_scaled_batch()) + 1.0
    coefs = [
        -np.abs(init_mod.orthogonal(30, 10, np.random.RandomState(0))),
        np.ones((10, 2)),
    ]
    intercepts = [np.zeros(10), np.zeros(2)]
    new, record = init_mod.lsuv(coefs, intercepts, "relu", X)
    assert record["converged"] == [True, False]  # every relu of layer 1 is off
    assert record["variance"][1] == 0.0
    np.testing.assert_array_equal(new[1], coefs[1])


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"coefs": np.ones((30, 8))}, "coefs must be a list"),
        ({"coefs": []}, "non-empty lists of the same length"),
        ({"intercepts": [np.zeros(8)]}, "same length"),
        ({"coefs": [np.ones((30, 8)), np.ones((7, 2))]}, r"coefs\[1\] has 7 rows"),
        ({"coefs": [np.ones((30, 8), int), np.ones((8, 2))]}, "floating"),
        ({"intercepts": [np.zeros(8), np.zeros(3)]}, r"intercepts\[1\] has shape"),
        ({"coefs": [np.full((30, 8), np.nan), np.ones((8, 2))]}, "not finite"),
        ({"activation": "swish"}, "activation must be one of"),
        ({"activation": ["relu", "relu"]}, "one activation per hidden layer"),
        ({"activation": 3}, "activation must be a str or a list"),
        ({"X": np.ones((1, 30))}, "at least 2 rows"),
        ({"X": np.ones(30)}, "2-D batch"),
        ({"X": np.ones((5, 29))}, "X has 29 features"),
        ({"X": np.full((5, 30), np.inf)}, "finite numbers"),
        ({"tol": 0.0}, "tol must be a positive finite number"),
        ({"max_iter": 0}, "max_iter must be a positive integer"),
        ({"max_iter": 2.0}, "max_iter must be a positive integer"),
    ],
)
def test_lsuv_rejects_invalid_arguments(change, match):
    args = {
        "coefs": [np.ones((30, 8)), np.ones((8, 2))],
        "intercepts": [np.zeros(8), np.zeros(2)],
        "activation": "relu",
        "X": np.ones((5, 30)),
    }
    args.update(change)
    keywords = {k: args.pop(k) for k in ("tol", "max_iter") if k in args}
    with pytest.raises(ValueError, match=match):
        init_mod.lsuv(
            args["coefs"], args["intercepts"], args["activation"], args["X"], **keywords
        )
