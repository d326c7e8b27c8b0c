"""bias_init="data": each hidden unit's hyperplane through the training data.

The truth here is the formula's own properties: a hyperplane through a
training point (one point per unit) or through the data's convex hull (the
default five), a numpy reference of ``b_j = -w_j . sum_k lambda_jk h(x_r)``,
and sampling in proportion to ``sample_weight``.
"""

import numpy as np
import pytest
import scipy.sparse as sp

import mlpinit._estimator.base as base_module
from mlpinit import MLPClassifier, MLPRegressor, TabularMLPClassifier
from mlpinit._core.data_init import DATA_BIAS_POINTS, data_biases, draw_rows
from mlpinit._estimator.base import draw_initial_weights

# Short fits, stopped before convergence on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
# Skewed, uncentred features: zero biases would put hyperplanes far away.
X = np.abs(RNG.standard_normal((120, 4))) * [1.0, 3.0, 0.5, 2.0] + [5.0, 0.0, 1.0, 2.0]
y = (X[:, 0] + X[:, 1] > 6.5).astype(int)


def _network(sizes, seed=1):
    rng = np.random.RandomState(seed)
    coefs = [rng.normal(size=(a, b)) / np.sqrt(a) for a, b in zip(sizes, sizes[1:])]
    intercepts = [rng.normal(size=b) for b in sizes[1:]]
    return coefs, intercepts


def _relu_forward(coefs, intercepts, X, layer):
    """Plain numpy: the preactivations of hidden layer ``layer`` on X."""
    H = X
    for W, b in zip(coefs[:layer], intercepts[:layer]):
        H = np.maximum(H @ W + b, 0.0)
    return H @ coefs[layer] + intercepts[layer]


def test_one_point_per_unit_puts_every_hyperplane_through_a_training_row():
    coefs, intercepts = _network([4, 16, 8, 1])
    new, _ = data_biases(
        coefs, intercepts, "relu", X, np.random.RandomState(3), n_points=1
    )
    for layer in (0, 1):
        Z = _relu_forward(coefs, new, X, layer)
        # Each unit's preactivation is 0 (to rounding) at some training row.
        assert np.abs(Z).min(axis=0).max() < 1e-10
    # The output layer's bias and every weight are kept.
    np.testing.assert_array_equal(new[-1], intercepts[-1])


def test_the_biases_follow_the_formula_on_the_drawn_rows():
    coefs, intercepts = _network([4, 12, 6, 2])
    new, record = data_biases(coefs, intercepts, "relu", X, np.random.RandomState(5))
    for layer in (0, 1):
        rows, mix = record["rows"][layer], record["mix"][layer]
        assert rows.shape == mix.shape == (coefs[layer].shape[1], DATA_BIAS_POINTS)
        np.testing.assert_allclose(mix.sum(axis=1), 1.0)
        assert (mix > 0).all()
        # The reference: the layer's input at the drawn rows, through the
        # layers before it with their new biases, mixed, projected on w_j.
        H = X if layer == 0 else np.maximum(X @ coefs[0] + new[0], 0.0)
        for j in range(coefs[layer].shape[1]):
            point = mix[j] @ H[rows[j]]
            assert new[layer][j] == pytest.approx(-point @ coefs[layer][:, j])


def test_with_five_points_every_unit_takes_both_signs_on_the_training_rows():
    coefs, intercepts = _network([4, 64, 1])
    before = X @ coefs[0]  # zero biases: on these features many units are one-signed
    assert ((before > 0).all(axis=0) | (before < 0).all(axis=0)).mean() > 0.3
    new, _ = data_biases(coefs, intercepts, "relu", X, np.random.RandomState(0))
    Z = X @ coefs[0] + new[0]
    assert (Z.min(axis=0) <= 0).all() and (Z.max(axis=0) >= 0).all()


def test_zero_weight_rows_are_never_used():
    weight = np.where(np.arange(X.shape[0]) % 3 == 0, 0.0, 1.0)
    coefs, intercepts = _network([4, 10, 5, 1])
    weighted, record = data_biases(
        coefs, intercepts, "relu", X, np.random.RandomState(7), sample_weight=weight
    )
    kept, _ = data_biases(
        coefs, intercepts, "relu", X[weight > 0], np.random.RandomState(7)
    )
    # The same draws land on the same rows: the result of the kept rows alone.
    for a, b in zip(weighted, kept):
        np.testing.assert_array_equal(a, b)
    assert all((weight[rows] > 0).all() for rows in record["rows"])


def test_an_integer_weight_draws_as_repeated_rows():
    weight = np.array([2.0, 0.0, 1.0, 3.0])
    repeated = np.repeat(np.arange(4), weight.astype(int))  # [0, 0, 2, 3, 3, 3]
    drawn = draw_rows(weight, 4, 500, np.random.RandomState(0))
    plain = draw_rows(None, repeated.size, 500, np.random.RandomState(0))
    np.testing.assert_array_equal(drawn, repeated[plain])


def test_sparse_input_gives_the_dense_biases():
    coefs, intercepts = _network([4, 8, 1])
    dense, _ = data_biases(coefs, intercepts, "tanh", X, np.random.RandomState(2))
    sparse, _ = data_biases(
        coefs, intercepts, "tanh", sp.csc_matrix(X), np.random.RandomState(2)
    )
    np.testing.assert_allclose(sparse[0], dense[0], rtol=1e-12)


# -- the estimators ---------------------------------------------------------
def _start(est):
    draw_initial_weights(est, X, y)
    return est.coefs_, est.intercepts_


def test_the_estimator_changes_only_the_hidden_biases():
    coefs, intercepts = _start(MLPClassifier((16, 8), init="he", random_state=0))
    data_coefs, data_intercepts = _start(
        MLPClassifier((16, 8), init="he", random_state=0, bias_init="data")
    )
    for a, b in zip(coefs, data_coefs):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(intercepts[-1], data_intercepts[-1])
    Z = X @ data_coefs[0] + data_intercepts[0]
    assert (Z.min(axis=0) <= 0).all() and (Z.max(axis=0) >= 0).all()
    assert not np.array_equal(intercepts[0], data_intercepts[0])


def test_the_estimator_is_deterministic_and_off_by_default():
    a = MLPRegressor(
        hidden_layer_sizes=(8,), bias_init="data", random_state=4, max_iter=5
    )
    b = MLPRegressor(
        hidden_layer_sizes=(8,), bias_init="data", random_state=4, max_iter=5
    )
    a.fit(X, y)
    b.fit(X, y)
    np.testing.assert_array_equal(a.intercepts_[0], b.intercepts_[0])
    assert MLPRegressor().bias_init is None


def test_early_stopping_draws_from_the_training_part_only(monkeypatch):
    seen = {}

    def spy(coefs, intercepts, activation, X_rows, random_state, sample_weight):
        seen["rows"] = X_rows.shape[0]
        return data_biases(
            coefs,
            intercepts,
            activation,
            X_rows,
            random_state,
            sample_weight=sample_weight,
        )

    monkeypatch.setattr(base_module, "data_biases", spy)
    est = MLPClassifier(
        (8,),
        bias_init="data",
        early_stopping=True,
        validation_fraction=0.25,
        random_state=0,
    )
    draw_initial_weights(est, X, y)
    assert seen["rows"] == X.shape[0] - int(np.ceil(0.25 * X.shape[0]))


def test_sample_weight_reaches_the_draw(monkeypatch):
    seen = {}

    def spy(coefs, intercepts, activation, X_rows, random_state, sample_weight):
        seen["weight"] = sample_weight
        return data_biases(
            coefs,
            intercepts,
            activation,
            X_rows,
            random_state,
            sample_weight=sample_weight,
        )

    monkeypatch.setattr(base_module, "data_biases", spy)
    weight = np.where(np.arange(X.shape[0]) < 60, 0.0, 2.0)
    est = MLPClassifier((8,), bias_init="data", random_state=0, max_iter=2)
    est.fit(X, y, sample_weight=weight)
    np.testing.assert_array_equal(seen["weight"], weight)


def test_a_warm_start_continuation_keeps_the_trained_biases():
    est = MLPClassifier((8,), bias_init="data", random_state=0, max_iter=3)
    est.fit(X, y)
    trained = [b.copy() for b in est.intercepts_]
    calls = []
    original = base_module.data_biases
    try:
        base_module.data_biases = lambda *a, **k: calls.append(1) or original(*a, **k)
        est.set_params(warm_start=True, max_iter=1)
        est.fit(X, y)
    finally:
        base_module.data_biases = original
    assert calls == []
    assert not np.array_equal(trained[0], est.intercepts_[0])  # trained on


def test_tabular_estimators_take_it_on_the_scaled_input():
    est = TabularMLPClassifier((16,), bias_init="data", max_iter=3, random_state=0).fit(
        X, y
    )
    scaled = est._transform_input(X)
    Z = scaled @ est.coefs_[0]
    # Trained for three epochs only: the hyperplanes still cut the data.
    assert ((Z + est.intercepts_[0]).max(axis=0) > 0).mean() > 0.9
