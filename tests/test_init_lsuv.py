"""init="orthogonal" and init="lsuv" through the estimators.

The truth is a property: after LSUV, every layer's pre-activation on the
probe batch has variance 1 within LSUV's tolerance (recomputed here with a
plain numpy forward pass), and LSUV's weights are positive multiples of the
orthogonal start drawn from the same seed.
"""

import io
import warnings
from contextlib import redirect_stdout

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.exceptions import ConvergenceWarning

from conftest import initial_parameters
from mlpinit import MLPClassifier, MLPRegressor
from mlpinit.diagnostics import initialized
from mlpinit.initializers import LSUV_BATCH_ROWS

ESTIMATORS = [MLPClassifier, MLPRegressor]
_ACT = {
    "relu": lambda z: np.maximum(z, 0),
    "tanh": np.tanh,
    "logistic": lambda z: 1 / (1 + np.exp(-z)),
    "identity": lambda z: z,
}


def _data(n_rows=200, n_features=12, seed=0):
    rng = np.random.RandomState(seed)
    # Far from unit scale, so the rescaling has work to do.
    X = 3.0 * rng.normal(size=(n_rows, n_features)) + 1.0
    y = (X[:, 0] + X[:, 1] > 2).astype(int)
    return X, y


def _pre_activation_variances(coefs, intercepts, activation, X):
    variances, A = [], X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        Z = A @ W + b
        variances.append(float(Z.var()))
        A = _ACT[activation](Z) if i < len(coefs) - 1 else None
    return variances


@settings(max_examples=15, deadline=None)
@given(
    activation=st.sampled_from(sorted(_ACT)),
    hidden=st.lists(st.integers(3, 24), min_size=0, max_size=6),
    seed=st.integers(0, 2**16),
    sparse=st.booleans(),
    regressor=st.booleans(),
)
def test_every_layer_has_unit_variance_on_the_batch(
    activation, hidden, seed, sparse, regressor
):
    # With fewer rows than LSUV_BATCH_ROWS the batch is every row, in order.
    X, y = _data(n_rows=120, seed=seed % 7)
    est = (MLPRegressor if regressor else MLPClassifier)(
        hidden_layer_sizes=hidden, activation=activation, init="lsuv", random_state=seed
    )
    model = initialized(est, sp.csr_matrix(X) if sparse else X, y)
    record = model.lsuv_record_
    variances = _pre_activation_variances(
        model.coefs_, model.intercepts_, activation, X
    )
    assert record["n_rows"] == X.shape[0]
    np.testing.assert_allclose(variances, record["variance"], rtol=1e-9)
    for variance, converged in zip(variances, record["converged"]):
        # A layer whose units are all dead on the batch cannot be rescaled.
        assert abs(variance - 1.0) <= 0.1 or (not converged and variance == 0.0)


@pytest.mark.parametrize("est_cls", ESTIMATORS)
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_lsuv_is_the_orthogonal_start_rescaled(est_cls, activation):
    X, y = _data()
    params = dict(hidden_layer_sizes=(16, 30, 8), activation=activation)
    orth = initialized(est_cls(init="orthogonal", random_state=3, **params), X, y)
    lsuv = initialized(est_cls(init="lsuv", random_state=3, **params), X, y)
    for W_orth, W_lsuv in zip(orth.coefs_, lsuv.coefs_):
        # Orthogonal columns (narrowing layers) or rows (widening ones).
        gram = (
            W_orth.T @ W_orth
            if W_orth.shape[0] >= W_orth.shape[1]
            else W_orth @ W_orth.T
        )
        np.testing.assert_allclose(gram, gram[0, 0] * np.eye(len(gram)), atol=1e-12)
        ratio = W_lsuv / W_orth
        assert ratio.min() > 0
        np.testing.assert_allclose(ratio, ratio.flat[0], rtol=1e-12)
    assert not hasattr(orth, "lsuv_record_")


@pytest.mark.parametrize("est_cls", ESTIMATORS)
def test_lsuv_fit_is_deterministic_under_random_state(est_cls):
    X, y = _data(n_rows=700)  # more rows than the batch: the rows are drawn
    params = dict(hidden_layer_sizes=(10, 10), init="lsuv", max_iter=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        a = est_cls(random_state=1, **params).fit(X, y)
        b = est_cls(random_state=1, **params).fit(X, y)
        c = est_cls(random_state=2, **params).fit(X, y)
    assert a.lsuv_record_["n_rows"] == LSUV_BATCH_ROWS
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(p, q)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


def test_lsuv_batch_is_drawn_from_the_rows():
    # With more rows than the batch, the variances are exact on the batch
    # only; on all the rows they are close to 1 but not equal to the record's.
    X, y = _data(n_rows=2 * LSUV_BATCH_ROWS)
    a = initialized(MLPClassifier((8,), init="lsuv", random_state=0), X, y)
    assert a.lsuv_record_["n_rows"] == LSUV_BATCH_ROWS
    variances = _pre_activation_variances(a.coefs_, a.intercepts_, "relu", X)
    assert all(0.7 < v < 1.3 for v in variances)
    assert variances != pytest.approx(a.lsuv_record_["variance"], rel=1e-9)


def test_lsuv_runs_on_the_first_partial_fit_only():
    X, y = _data()
    est = MLPClassifier((12, 12), init="lsuv", random_state=0)
    est.partial_fit(X, y, classes=[0, 1])
    record = est.lsuv_record_
    assert all(record["converged"])
    weights = [W.copy() for W in est.coefs_]
    est.partial_fit(X, y)
    assert est.lsuv_record_ is record  # not run again
    assert not np.array_equal(est.coefs_[0], weights[0])  # trained on, not reset


def test_warm_start_keeps_the_weights_and_does_not_rerun_lsuv():
    X, y = _data()
    params = dict(hidden_layer_sizes=(12,), init="lsuv", max_iter=2, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est = MLPClassifier(warm_start=True, **params).fit(X, y)
        record, start = est.lsuv_record_, [W.copy() for W in est.coefs_]
        est.fit(X, y)
        # The first fit was an ordinary cold fit.
        cold = MLPClassifier(**params).fit(X, y)
    assert est.lsuv_record_ is record
    assert not np.array_equal(est.coefs_[0], start[0])
    np.testing.assert_array_equal(cold.coefs_[0], start[0])


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_lsuv_with_sparse_X_matches_dense_and_leaves_X_alone(fmt):
    X, y = _data(n_rows=600)
    X[np.abs(X) < 2.5] = 0.0
    Xs = sp.csr_matrix(X) if fmt == "csr" else sp.csc_matrix(X)
    before = Xs.copy()
    dense = initialized(MLPClassifier((9, 9), init="lsuv", random_state=5), X, y)
    sparse = initialized(MLPClassifier((9, 9), init="lsuv", random_state=5), Xs, y)
    for a, b in zip(dense.coefs_, sparse.coefs_):
        np.testing.assert_allclose(a, b, rtol=1e-10)
    assert (Xs != before).nnz == 0
    np.testing.assert_array_equal(Xs.indices, before.indices)


def test_lsuv_float32_and_its_cost_is_reported():
    X, y = _data()
    est = MLPRegressor(
        hidden_layer_sizes=(20, 20),
        init="lsuv",
        random_state=0,
        verbose=True,
        max_iter=1,
    )
    out = io.StringIO()
    with redirect_stdout(out), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        est.fit(X.astype(np.float32), y)
    record = est.lsuv_record_
    assert all(W.dtype == np.float32 for W in est.coefs_)
    assert record["n_forward"] == sum(record["n_iter"]) + 3
    assert record["seconds"] > 0
    assert f"LSUV: {record['n_forward']} layer products on {X.shape[0]} rows" in (
        out.getvalue()
    )


def test_a_single_row_keeps_the_orthogonal_start():
    X, y = _data(n_rows=1)
    est = MLPRegressor(hidden_layer_sizes=(5,), init="lsuv", random_state=0)
    orth = MLPRegressor(hidden_layer_sizes=(5,), init="orthogonal", random_state=0)
    a = initial_parameters(est, X, y.astype(float))[0]
    b = initial_parameters(orth, X, y.astype(float))[0]
    np.testing.assert_array_equal(a[0], b[0])
    assert est.lsuv_record_["n_rows"] == 1 and est.lsuv_record_["n_forward"] == 0


# --------------------------------------------------------------------------
# issue 21: weights, the validation split, the dtype's bound
# --------------------------------------------------------------------------
def test_integer_sample_weights_rescale_as_the_repeated_rows():
    # Truth: a row of weight k counts as k copies of it in every variance.
    from mlpinit.initializers import lsuv, orthogonal

    rng = np.random.RandomState(0)
    X = 4.0 * rng.normal(size=(30, 6)) + 2.0
    weight = rng.randint(0, 4, size=30)
    units = [6, 16, 8, 2]
    start = [orthogonal(m, n, rng) for m, n in zip(units[:-1], units[1:])]
    zeros = [np.zeros(n) for n in units[1:]]
    weighted, record = lsuv(start, zeros, "relu", X, sample_weight=weight)
    repeated, reference = lsuv(start, zeros, "relu", np.repeat(X, weight, axis=0))
    for got, want in zip(weighted, repeated):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(record["variance"], reference["variance"], rtol=1e-12)


def test_the_probe_rows_have_positive_weight():
    from mlpinit.initializers import lsuv_on_data, orthogonal

    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 3))
    weight = np.where(np.arange(40) % 2 == 0, 1.0, 0.0)
    start = [orthogonal(3, 4, rng), orthogonal(4, 1, rng)]
    zeros = [np.zeros(4), np.zeros(1)]
    X_spoiled = X.copy()
    X_spoiled[weight == 0] = 1e6  # zero-weight rows must not be measured
    got, record = lsuv_on_data(
        start,
        zeros,
        "relu",
        X_spoiled,
        np.random.RandomState(1),
        sample_weight=weight,
        batch_rows=10,
    )
    want, _ = lsuv_on_data(
        start, zeros, "relu", X[weight > 0], np.random.RandomState(1), batch_rows=10
    )
    assert record["n_rows"] == 10
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


def test_lsuv_rescales_on_the_training_part_of_early_stopping():
    # Truth: the same rescaling on the training rows alone, drawn after the
    # split (scikit-learn's order: weights, split, then LSUV's rows).
    from sklearn.model_selection import train_test_split

    from mlpinit.initializers import initialize_network, lsuv_on_data

    X, y = _data(n_rows=100)
    est = MLPRegressor(
        hidden_layer_sizes=(8,), init="lsuv", early_stopping=True, random_state=0
    )
    start = initialized(est, X, y.astype(float))
    rng = np.random.RandomState(0)
    coefs, intercepts, _ = initialize_network(
        "lsuv", [12, 8, 1], rng, np.float64, "relu", "identity", rescale=False
    )
    X_train = train_test_split(X, random_state=rng, test_size=0.1)[0]
    want, record = lsuv_on_data(coefs, intercepts, "relu", X_train, rng)
    assert start.lsuv_record_["n_rows"] == 90 == record["n_rows"]
    for got, expected in zip(start.coefs_, want):
        np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_uniformly_tiny_inputs_keep_the_orthogonal_start(dtype):
    # float32 would need weights near 1e20 for unit variance on X * 1e-20,
    # whose squares it cannot hold (float64: 1e90 on X * 1e-90). Beyond
    # finfo.max ** 0.25 LSUV leaves the layers as orthogonal drew them.
    from mlpinit.initializers import lsuv, orthogonal

    rng = np.random.RandomState(0)
    scale = 1e-20 if dtype == np.float32 else 1e-90
    X = (scale * rng.normal(size=(50, 4))).astype(dtype)
    start = [orthogonal(4, 6, rng, dtype), orthogonal(6, 1, rng, dtype)]
    zeros = [np.zeros(6, dtype), np.zeros(1, dtype)]
    coefs, record = lsuv(start, zeros, "relu", X)
    for got, want in zip(coefs, start):
        np.testing.assert_array_equal(got, want)
    assert record["converged"] == [False, False]
    assert record["n_iter"] == [0, 0]


def test_a_scale_below_the_bound_is_still_done_in_float32():
    # X * 1e-6 needs weights of about 1e6: within float32's bound (4e9).
    from mlpinit.initializers import lsuv, orthogonal

    rng = np.random.RandomState(0)
    X = (1e-6 * rng.normal(size=(50, 4))).astype(np.float32)
    start = [orthogonal(4, 6, rng, np.float32), orthogonal(6, 1, rng, np.float32)]
    zeros = [np.zeros(6, np.float32), np.zeros(1, np.float32)]
    _, record = lsuv(start, zeros, "relu", X)
    assert record["converged"] == [True, True]
