"""One record per activation: a toy one registered at run time works everywhere.

softsign, ``f(x) = x / (1 + |x|)``, is no built-in activation. Registered
here from its record alone, it trains, its gradients match finite
differences, ``init="auto"`` and the orthogonal gain follow its record, the
layer statistics use its saturation rule, and ONNX writes its operator (or,
in double precision, the operators that compose it). The registry is left
as it was after each test.
"""

import math

import numpy as np
import pytest
from scipy.integrate import quad
from sklearn.datasets import make_classification, make_regression
from sklearn.utils._param_validation import StrOptions

from conftest import quiet_fit
from mlpinit import MLPClassifier, MLPRegressor
from mlpinit._core.activations import (
    ACTIVATIONS,
    HIDDEN_ACTIVATION_TABLE,
    HIDDEN_ACTIVATIONS,
    ActivationRecord,
    activation_record,
    register_activation,
    unregister_activation,
)
from mlpinit._core.layer_stats import compute_layer_stats
from mlpinit._core.network import NetworkLayout, Workspace, loss_and_gradient
from mlpinit.initializers import (
    calculate_gain,
    glorot_normal,
    initialize_network,
    resolve_init,
    xavier,
)

TOY = "softsign"


def _softsign(Z):
    Z /= 1.0 + np.abs(Z)
    return Z


def _softsign_derivative(A, delta, scratch, preactivation=None):
    # f'(x) = 1 / (1 + |x|)^2 = (1 - |a|)^2, written through a = f(x).
    np.abs(A, out=scratch)
    np.subtract(1.0, scratch, out=scratch)
    scratch *= scratch
    return np.multiply(delta, scratch, out=delta)


def _softsign_nodes(graph, z):
    denominator = graph.node("Add", [graph.node("Abs", z), graph.constant(1.0)])
    return graph.node("Div", [z, denominator])


def _reference(z):
    # Written independently of the record's in-place function.
    return z / (1.0 + np.abs(z))


# 1 / sqrt(E[f(z)^2]) for z ~ N(0, 1), the rule of the smooth built-ins' gains.
_SECOND_MOMENT = quad(
    lambda z: _reference(z) ** 2 * math.exp(-z * z / 2) / math.sqrt(2 * math.pi),
    -np.inf,
    np.inf,
)[0]
SOFTSIGN_GAIN = 1.0 / math.sqrt(_SECOND_MOMENT)


def _record(**changes):
    fields = {
        "name": TOY,
        "function": _softsign,
        "derivative": _softsign_derivative,
        "formula": "x / (1 + |x|)",
        "source": "Elliott 1993 (a test's toy)",
        "gain": SOFTSIGN_GAIN,
        "auto_init": "glorot_normal",
        "saturated": lambda A: np.abs(A) > 0.99,
        "rectifier": False,
        "onnx_operator": "Softsign",
        "onnx_nodes": _softsign_nodes,
        "torch_module": "Softsign",
    }
    fields.update(changes)
    return ActivationRecord(**fields)


@pytest.fixture
def softsign():
    """softsign registered for one test, removed after it."""
    before = list(ACTIVATIONS)
    record = register_activation(_record())
    yield record
    unregister_activation(TOY)
    assert list(ACTIVATIONS) == before


# --------------------------------------------------------------------------
# the registry
# --------------------------------------------------------------------------
def test_a_registered_record_appears_in_every_live_view(softsign):
    assert TOY in HIDDEN_ACTIVATIONS and TOY in set(HIDDEN_ACTIVATIONS)
    assert list(HIDDEN_ACTIVATIONS)[-1] == TOY  # registration order
    assert HIDDEN_ACTIVATION_TABLE[TOY] is softsign
    assert ACTIVATIONS[TOY] is _softsign
    assert activation_record(TOY) is softsign
    # A constraint built on the live set, before or after, accepts it.
    assert StrOptions(HIDDEN_ACTIVATIONS).is_satisfied_by(TOY)


def test_unregistering_removes_it_everywhere():
    register_activation(_record())
    unregister_activation(TOY)
    assert TOY not in HIDDEN_ACTIVATIONS and TOY not in ACTIVATIONS
    with pytest.raises(ValueError, match="Unknown activation 'softsign'"):
        activation_record(TOY)


@pytest.mark.parametrize("cls", [MLPClassifier, MLPRegressor])
def test_the_estimators_constraint_reads_the_registry_at_validation_time(softsign, cls):
    cls(activation=TOY)._validate_params()


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"saturated": "no"}, ValueError, "saturated must be callable or None"),
        ({"fused_kind": "softsign"}, ValueError, "fused_kind must be one of"),
        ({"fused_forward": True}, ValueError, "fused_forward needs a fused_kind"),
        ({"derivative": None}, ValueError, "needs a callable derivative"),
        ({"gain": -1.0}, ValueError, "gain must be a positive finite number"),
        ({"gain": lambda a: 1.0}, ValueError, "callable gain needs a gain_parameter"),
        ({"name": "relu"}, ValueError, "'relu' is already registered"),
    ],
)
def test_an_inconsistent_record_is_refused_and_nothing_registered(
    changes, error, message
):
    before = list(ACTIVATIONS)
    with pytest.raises(error, match=message):
        register_activation(_record(**changes))
    assert list(ACTIVATIONS) == before


def test_a_record_without_its_rules_cannot_be_built():
    # Forgetting the saturation rule fails at once, not as a NaN statistic.
    fields = {
        "name": TOY,
        "function": _softsign,
        "derivative": _softsign_derivative,
        "formula": "x / (1 + |x|)",
        "source": "",
        "gain": 1.0,
        "auto_init": "xavier",
        "rectifier": False,
    }
    with pytest.raises(TypeError, match="saturated"):
        ActivationRecord(**fields)


def test_a_built_in_record_cannot_be_removed():
    with pytest.raises(ValueError, match="cannot be removed"):
        unregister_activation("relu")
    assert "relu" in HIDDEN_ACTIVATIONS


# --------------------------------------------------------------------------
# function, derivative and network gradient
# --------------------------------------------------------------------------
GRID = np.concatenate([-np.geomspace(1e4, 1e-3, 40), np.geomspace(1e-3, 1e4, 40)])


def test_function_and_derivative_match_the_formula_and_central_differences(
    softsign,
):
    A = softsign.function(GRID.copy())
    np.testing.assert_allclose(A, _reference(GRID), rtol=1e-14)
    h = 1e-6 * np.maximum(1.0, np.abs(GRID))
    numeric = (_reference(GRID + h) - _reference(GRID - h)) / (2 * h)
    delta = softsign.derivative(A, np.full_like(A, 3.0), np.empty_like(A), None)
    np.testing.assert_allclose(delta, 3.0 * numeric, rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize("out_activation", ["identity", "softmax", "logistic"])
def test_network_gradient_matches_central_differences(softsign, out_activation):
    layout = NetworkLayout([4, 6, 5, 3])
    rng = np.random.RandomState(0)
    theta = rng.normal(size=layout.size)
    X = rng.normal(size=(7, 4))
    if out_activation == "softmax":
        Y = np.eye(3)[rng.randint(3, size=7)]
    elif out_activation == "logistic":
        Y = (rng.uniform(size=(7, 3)) > 0.5).astype(float)
    else:
        Y = rng.normal(size=(7, 3))
    workspace = Workspace(layout, 7, np.float64)

    def loss(t):
        return loss_and_gradient(
            layout, t, np.empty_like(t), X, Y, None, 0.1, TOY, out_activation, workspace
        )

    grad = np.empty_like(theta)
    loss_and_gradient(
        layout, theta, grad, X, Y, None, 0.1, TOY, out_activation, workspace
    )
    eps = 1e-6
    numeric = np.array(
        [
            (loss(theta + eps * e) - loss(theta - eps * e)) / (2 * eps)
            for e in np.eye(layout.size)
        ]
    )
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------
# the initializers
# --------------------------------------------------------------------------
def test_gain_and_auto_init_come_from_the_record(softsign):
    assert calculate_gain(TOY) == SOFTSIGN_GAIN
    with pytest.raises(ValueError, match="takes no param"):
        calculate_gain(TOY, 0.5)
    assert resolve_init("auto", TOY) == "glorot_normal"
    # A deep network gets the per-layer rule: the toy's preset for the
    # hidden layers, the output's own (xavier for softmax) for the last.
    units = [5] + [7] * 9 + [3]
    coefs, intercepts, _ = initialize_network(
        "auto", units, np.random.RandomState(0), np.float64, TOY, "softmax"
    )
    rng = np.random.RandomState(0)
    expected = [glorot_normal(m, n, rng) for m, n in zip(units[:-2], units[1:-1])]
    expected.append(xavier(units[-2], units[-1], rng))
    for W, E in zip(coefs, expected):
        np.testing.assert_array_equal(W, E)
    assert all(not b.any() for b in intercepts)


def test_orthogonal_and_lsuv_use_the_records_gain_and_function(softsign):
    rng = np.random.RandomState(0)
    X = 3.0 * rng.normal(size=(300, 6))
    units = [6, 16, 16, 2]
    coefs, _, _ = initialize_network(
        "orthogonal", units, np.random.RandomState(1), np.float64, TOY, "identity"
    )
    # Orthogonal columns scaled by the toy's gain (the output by identity's 1).
    np.testing.assert_allclose(
        coefs[1].T @ coefs[1], SOFTSIGN_GAIN**2 * np.eye(16), atol=1e-12
    )
    np.testing.assert_allclose(coefs[2].T @ coefs[2], np.eye(2), atol=1e-12)
    coefs, intercepts, record = initialize_network(
        "lsuv", units, np.random.RandomState(1), np.float64, TOY, "identity", X
    )
    assert record["converged"] == [True, True, True]
    # Each layer's output variance on the batch (all 300 rows, fewer than
    # LSUV_BATCH_ROWS), by an independent pass.
    A = X
    for W in coefs:
        Z = A @ W
        assert abs(Z.var() - 1.0) <= 0.1
        A = _reference(Z)


# --------------------------------------------------------------------------
# layer statistics
# --------------------------------------------------------------------------
def test_layer_statistics_use_the_records_saturation_rule(softsign):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 4))
    coefs = [400.0 * rng.normal(size=(4, 8)), rng.normal(size=(8, 2))]
    intercepts = [np.zeros(8), np.zeros(2)]
    Y = rng.normal(size=(50, 2))
    stats = compute_layer_stats(coefs, intercepts, TOY, "identity", X, Y)
    hidden = _reference(X @ coefs[0])
    expected = np.mean(np.abs(hidden) > 0.99)
    assert 0.5 < expected < 1.0  # the check is not vacuous
    assert stats["saturated_fraction"][0] == expected
    assert np.isnan(stats["saturated_fraction"][1])  # identity output: no bound
    assert np.isnan(stats["dead_fraction"][0])  # not a rectifier
    np.testing.assert_allclose(stats["activation_mean"][0], hidden.mean())
    assert np.isfinite(stats["gradient_norm"]).all()


# --------------------------------------------------------------------------
# the estimators
# --------------------------------------------------------------------------
def _forward(model, X):
    A = X
    for i, (W, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        A = A @ W + b
        if i < len(model.coefs_) - 1:
            A = _reference(A)
    return A


def test_estimators_fit_and_predict_with_the_toy(softsign):
    X, y = make_regression(n_samples=120, n_features=5, noise=1.0, random_state=0)
    y = y / y.std()
    model = quiet_fit(
        MLPRegressor(
            hidden_layer_sizes=(16, 8), activation=TOY, solver="lbfgs", random_state=0
        ),
        X,
        y,
    )
    np.testing.assert_allclose(model.predict(X), _forward(model, X).ravel())
    assert model.score(X, y) > 0.9
    X, y = make_classification(n_samples=150, n_features=6, random_state=0)
    clf = quiet_fit(
        MLPClassifier(
            hidden_layer_sizes=(12,),
            activation=TOY,
            max_iter=200,
            record_layer_stats=True,
            random_state=0,
        ),
        X,
        y,
    )
    assert clf.score(X, y) > 0.85
    assert clf.loss_curve_[-1] < clf.loss_curve_[0]
    assert np.isfinite(clf.layer_stats_["saturated_fraction"][:, 0]).all()


# --------------------------------------------------------------------------
# ONNX
# --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_onnx_writes_the_records_operator(softsign, dtype):
    skl2onnx = pytest.importorskip("skl2onnx")
    rt = pytest.importorskip("onnxruntime")
    pytest.importorskip("mlpinit.onnx")
    X, y = make_regression(n_samples=100, n_features=4, noise=1.0, random_state=0)
    model = quiet_fit(
        MLPRegressor(
            hidden_layer_sizes=(10, 6), activation=TOY, max_iter=50, random_state=0
        ),
        X / 2.0,
        y / 100.0,
    )
    data = (X / 2.0).astype(dtype)
    onx = skl2onnx.to_onnx(model, data[:1])
    ops = {node.op_type for node in onx.graph.node}
    # float: the record's operator; double: the record's composition.
    if dtype == np.float32:
        assert "Softsign" in ops
    else:
        assert "Softsign" not in ops and {"Abs", "Div"} <= ops
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    (output,) = session.run(None, {session.get_inputs()[0].name: data})
    expected = model.predict(data)
    tol = 1e-5 if dtype == np.float32 else 1e-10
    scale = np.abs(expected).max()
    np.testing.assert_allclose(
        output.ravel(), expected.ravel(), rtol=tol, atol=tol * scale
    )


def test_an_activation_without_an_onnx_form_is_refused_by_name():
    skl2onnx = pytest.importorskip("skl2onnx")
    pytest.importorskip("mlpinit.onnx")
    register_activation(_record(onnx_operator=None, onnx_nodes=None))
    try:
        X, y = make_regression(n_samples=40, n_features=3, random_state=0)
        model = quiet_fit(
            MLPRegressor(hidden_layer_sizes=(4,), activation=TOY, max_iter=5), X, y
        )
        with pytest.raises(ValueError, match="activation='softsign'"):
            skl2onnx.to_onnx(model, X[:1].astype(np.float32))
    finally:
        unregister_activation(TOY)
