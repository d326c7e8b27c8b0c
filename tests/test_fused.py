"""The fused kernels against their unfused numpy references, bit for bit.

Each compiled kernel of ``mlpinit._core.fused`` promises the same
floating-point operations, in the same order and precision, as its numpy
reference: the results must be identical (``assert_array_equal``), in float64
and float32, with and without the options (weight decay, Nesterov, dropout
masks). The references themselves are the code the optimizers and the
backward pass ran before the fusion; tests/test_mlp_gradients.py checks the
gradient they produce against finite differences, tests/test_mlp_parity.py
the trajectory against scikit-learn.
"""

import math

import numpy as np
import pytest

from mlpinit._core import fused
from mlpinit._core.network import (
    NetworkLayout,
    Workspace,
    loss_and_gradient,
    stable_dot,
)
from mlpinit._core.optimizers import SGD, Adam

pytest.importorskip("numba")
KERNELS = fused.kernels()
DTYPES = [np.float64, np.float32]


def _rng_arrays(dtype, n, count, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(n).astype(dtype) for _ in range(count)]


def test_numba_kernels_are_in_use():
    assert KERNELS.compiled


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_decayed", [0, 700])
def test_adam_kernel_equals_reference(dtype, n_decayed):
    theta, grad, m = _rng_arrays(dtype, 1001, 3)
    v = np.abs(_rng_arrays(dtype, 1001, 1, seed=1)[0])
    step = 1e-3 * math.sqrt(1 - 0.999**3) / (1 - 0.9**3)
    coefs = (0.9, 1 - 0.9, 0.999, 1 - 0.999, -step, 1e-8, 1 - 1e-3 * 0.1, n_decayed)
    if n_decayed == 0:
        coefs = coefs[:6] + (1.0, 0)
    expected = [a.copy() for a in (theta, m, v)]
    fused.reference_adam(
        *expected[:1], grad, *expected[1:], np.empty_like(m), np.empty_like(m), coefs
    )
    KERNELS.adam(theta, grad, m, v, None, None, coefs)
    for got, want in zip((theta, m, v), expected):
        assert got.dtype == dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("decay", [1.0, 1 - 1e-3])
def test_sgd_kernel_equals_reference(dtype, nesterov, decay):
    theta, grad, velocity = _rng_arrays(dtype, 999, 3)
    coefs = (0.01, 0.9, nesterov, decay, 500 if decay != 1.0 else 0)
    expected = [theta.copy(), velocity.copy()]
    scratch = [np.empty_like(theta) for _ in range(2)]
    fused.reference_sgd(expected[0], grad, expected[1], *scratch, coefs)
    KERNELS.sgd(theta, grad, velocity, None, None, coefs)
    np.testing.assert_array_equal(theta, expected[0])
    np.testing.assert_array_equal(velocity, expected[1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_add_scaled_kernel_equals_reference(dtype):
    target, source = _rng_arrays(dtype, 777, 2)
    expected = target.copy()
    fused.reference_add_scaled(expected, source, 1e-4 / 3, np.empty_like(source))
    KERNELS.add_scaled(target, source, 1e-4 / 3, None)
    np.testing.assert_array_equal(target, expected)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dropout", [False, True])
@pytest.mark.parametrize("leaky", [False, True], ids=["relu", "leaky_relu"])
def test_bias_relu_kernel_equals_reference(dtype, dropout, leaky):
    rng = np.random.default_rng(2)
    Z = rng.standard_normal((37, 13)).astype(dtype)
    Z[0, 0] = np.nan  # np.maximum keeps a NaN; so must the kernel
    bias = rng.standard_normal(13).astype(dtype)
    mask = dropped = None
    if dropout:
        mask = (rng.random((37, 13)) > 0.3).astype(dtype) / dtype(0.7)
        dropped = np.empty_like(Z)
    expected_Z = Z.copy()
    expected_dropped = None if mask is None else np.empty_like(Z)
    fused.reference_bias_relu(expected_Z, bias, mask, expected_dropped, leaky)
    KERNELS.bias_relu(Z, bias, mask, dropped, leaky)
    np.testing.assert_array_equal(Z, expected_Z)
    assert np.isnan(Z[0, 0])
    if dropout:
        np.testing.assert_array_equal(dropped, expected_dropped)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dropout", [False, True])
@pytest.mark.parametrize("kind", fused.FUSED_DERIVATIVES)
def test_backward_kernel_equals_reference(kind, dropout, dtype):
    rng = np.random.default_rng(3)
    A = rng.standard_normal((41, 9)).astype(dtype)
    if kind == "relu":
        A = np.maximum(A, 0)
    elif kind == "leaky_relu":
        A = np.where(A < 0, A * 0.01, A)
    elif kind == "logistic":
        A = 1 / (1 + np.exp(-A))
    else:
        A = np.tanh(A)
    delta = rng.standard_normal((41, 9)).astype(dtype)
    mask = None
    if dropout:
        mask = (rng.random((41, 9)) > 0.5).astype(dtype) * dtype(2)
    expected = delta.copy()
    fused.reference_backward(kind, A, expected, mask, np.empty_like(A))
    KERNELS.backward(kind, A, delta, mask, None)
    np.testing.assert_array_equal(delta, expected)


def _reference_kernels(monkeypatch):
    # The same object with numba switched off: the numpy references run.
    monkeypatch.setattr(KERNELS, "compiled", False)


@pytest.mark.parametrize(
    "activation", ["relu", "leaky_relu", "tanh", "logistic", "gelu", "elu"]
)
@pytest.mark.parametrize("dropout", [False, True])
def test_loss_and_gradient_equal_with_and_without_numba(
    monkeypatch, activation, dropout
):
    from mlpinit._core.training import Dropout

    layout = NetworkLayout([6, 11, 8, 4])
    rng = np.random.default_rng(4)
    theta = rng.standard_normal(layout.size) * 0.5
    X = rng.standard_normal((25, 6))
    Y = np.eye(4)[rng.integers(0, 4, 25)]

    def run():
        grad = np.empty_like(theta)
        masks = None
        if dropout:
            masks = Dropout([0.3, 0.5], layout.layer_units, 30, np.float64, None)
            masks.rng = np.random.default_rng(5)
            masks.draw(25)
        loss = loss_and_gradient(
            layout,
            theta,
            grad,
            X,
            Y,
            None,
            1e-2,
            activation,
            "softmax",
            Workspace(layout, 30, np.float64),
            masks,
        )
        return loss, grad

    fast = run()
    _reference_kernels(monkeypatch)
    slow = run()
    assert fast[0] == slow[0]
    np.testing.assert_array_equal(fast[1], slow[1])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_optimizer_steps_equal_with_and_without_numba(monkeypatch, solver, dtype):
    def run():
        if solver == "sgd":
            opt = SGD(500, dtype, 0.05, "constant", 0.9, True, 0.5)
        else:
            opt = Adam(500, dtype, 0.01, 0.9, 0.999, 1e-8)
        opt.decay_weights(0.1, 300)
        theta = _rng_arrays(dtype, 500, 1, seed=6)[0]
        for seed in range(5):
            opt.step(theta, _rng_arrays(dtype, 500, 1, seed=seed)[0])
        return theta

    fast = run()
    _reference_kernels(monkeypatch)
    np.testing.assert_array_equal(fast, run())


@pytest.mark.parametrize("dtype", DTYPES)
def test_binary_log_loss_kernel_matches_reference(dtype):
    # Not bit for bit: the kernel's log is LLVM's, numpy has its own; both are
    # within an ulp or so of the true value, and only the reported loss uses it.
    rng = np.random.default_rng(7)
    P = rng.random((50, 3)).astype(dtype)
    P[0] = [0.0, 1.0, 0.5]  # clipped at eps and 1 - eps
    Y = (rng.random((50, 3)) > 0.5).astype(dtype)
    Y[1] = [0.25, 0.5, 1.0]  # soft targets follow the same formula
    expected = fused.reference_binary_log_loss(Y, P, np.empty(50, dtype))
    got = KERNELS.binary_log_loss(Y, P, np.empty(50, dtype))
    assert got.dtype == dtype
    rtol = 1e-13 if dtype == np.float64 else 1e-5
    np.testing.assert_allclose(got, expected, rtol=rtol)
    P[2, 1] = np.nan  # a diverged model's NaN must reach the loss
    assert np.isnan(KERNELS.binary_log_loss(Y, P, got)[2])


@pytest.mark.parametrize(
    "params",
    [
        dict(solver="adam"),
        dict(solver="adam", dropout=0.3, alpha=1e-2, weight_decay=1e-3),
        dict(solver="sgd", activation="tanh"),
        dict(solver="sgd", activation="leaky_relu", nesterovs_momentum=False),
    ],
    ids=["adam", "adam-dropout-decay", "sgd-tanh", "sgd-leaky"],
)
def test_fits_are_bit_identical_with_and_without_numba(monkeypatch, params):
    # End to end: the compiled path changes no bit of the trained model (the
    # reported loss may differ by an ulp for logistic outputs, not here).
    from sklearn.datasets import load_digits

    from mlpinit import MLPClassifier

    X, y = load_digits(return_X_y=True)
    X = X[:300] / 16.0

    def fit():
        return MLPClassifier(
            hidden_layer_sizes=(20, 10), max_iter=5, random_state=0, **params
        ).fit(X, y[:300])

    with pytest.warns(Warning):  # ConvergenceWarning after 5 epochs
        fast = fit()
    _reference_kernels(monkeypatch)
    with pytest.warns(Warning):
        slow = fit()
    for a, b in zip(fast.coefs_ + fast.intercepts_, slow.coefs_ + slow.intercepts_):
        np.testing.assert_array_equal(a, b)
    assert fast.loss_curve_ == slow.loss_curve_


def _unfused_softmax(Z, bias):
    # The output layer as it ran before the fusion: bias add, then the
    # activation record's softmax.
    from mlpinit._core.activations import activation_record

    Z += bias
    return activation_record("softmax").apply(Z)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_classes", [1, 2, 3, 7, 8, 9, 10, 16, 23, 128, 129, 300])
def test_bias_softmax_kernel_equals_reference(dtype, n_classes):
    # The row sums cross every branch of numpy's pairwise summation (< 8
    # terms, blocks of 8 up to 128, halves above), so a wrong order of the
    # additions would show in the last bits of the probabilities.
    rng = np.random.default_rng(8)
    Z = (rng.standard_normal((37, n_classes)) * 4).astype(dtype)
    bias = rng.standard_normal(n_classes).astype(dtype)
    expected = fused.reference_bias_softmax(Z.copy(), bias)
    unfused = _unfused_softmax(Z.copy(), bias)
    got = KERNELS.bias_softmax(Z, bias)
    assert got is Z and got.dtype == dtype
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(got, unfused)
    np.testing.assert_allclose(got.sum(axis=1), 1, rtol=1e-5)


def test_bias_softmax_kernel_keeps_a_nan_and_survives_huge_logits():
    Z = np.array([[1.0, np.nan, 3.0], [1000.0, -1000.0, 999.0], [np.inf, 0, 1]])
    bias = np.zeros(3)
    with np.errstate(invalid="ignore"):
        expected = fused.reference_bias_softmax(Z.copy(), bias)
        got = KERNELS.bias_softmax(Z, bias)
    assert np.isnan(got[0]).all()  # a diverged model's NaN reaches the loss
    np.testing.assert_array_equal(got, expected)
    assert np.isfinite(got[1]).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("clip", [False, True])
def test_output_delta_kernel_equals_reference(dtype, weighted, clip):
    rng = np.random.default_rng(9)
    P = rng.random((41, 5)).astype(dtype)
    P[0] = [0.0, 1.0, 0.5, np.nan, 1e-30]  # the clip's bounds, and a NaN
    Y = np.eye(5, dtype=dtype)[rng.integers(0, 5, 41)]
    weights = None
    if weighted:
        weights = rng.random(41)
        weights /= weights.sum()
    outputs = []
    for run in (fused.reference_output_delta, KERNELS.output_delta):
        D, clipped = np.empty_like(P), (np.empty_like(P) if clip else None)
        assert run(P, Y, D, weights, clipped) is D
        outputs.append((D, clipped))
    (D_ref, clip_ref), (D, clipped) = outputs
    assert D.dtype == dtype
    np.testing.assert_array_equal(D, D_ref)
    if clip:
        np.testing.assert_array_equal(clipped, clip_ref)
        eps = np.finfo(dtype).eps
        assert clipped[0, 0] == eps and clipped[0, 1] == 1 - eps
        assert np.isnan(clipped[0, 3])
    # The reference against its definition, independently of both codes.
    w = np.full(41, 1 / 41) if weights is None else weights
    np.testing.assert_allclose(D[1:], (P[1:] - Y[1:]) * w[1:, None], rtol=1e-6)


def _unfused_predict(coefs, intercepts, activation, out_activation, X):
    from mlpinit._core.activations import activation_record

    A = X
    for i, (W, b) in enumerate(zip(coefs, intercepts)):
        last = i == len(coefs) - 1
        Z = A @ W
        Z += b
        A = activation_record(out_activation if last else activation).apply(Z)
    return A


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "activation,out_activation",
    [
        ("relu", "softmax"),
        ("leaky_relu", "logistic"),
        ("tanh", "identity"),
        ("gelu", "softmax"),
    ],
)
def test_predict_in_chunks_equals_the_unfused_forward(
    monkeypatch, dtype, activation, out_activation
):
    # The fused predict (bias and activation in one pass), chunk by chunk,
    # gives the unfused forward pass over the same chunks bit for bit. (Not
    # the whole-array pass: OpenBLAS's float32 GEMM may round a row by its
    # place in the block, which differs between 10 rows and 53.)
    from mlpinit._core.network import predict_in_chunks

    rng = np.random.default_rng(10)
    shapes = [(7, 13), (13, 9), (9, 4)]
    coefs = [rng.standard_normal(s).astype(dtype) for s in shapes]
    intercepts = [rng.standard_normal(s[1]).astype(dtype) for s in shapes]
    X = rng.standard_normal((53, 7)).astype(dtype)
    expected = np.vstack(
        [
            _unfused_predict(
                coefs, intercepts, activation, out_activation, X[i : i + 10]
            )
            for i in range(0, len(X), 10)
        ]
    )
    got = predict_in_chunks(coefs, intercepts, activation, out_activation, X, 10)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, expected)
    _reference_kernels(monkeypatch)
    slow = predict_in_chunks(coefs, intercepts, activation, out_activation, X, 10)
    np.testing.assert_array_equal(slow, expected)


@pytest.mark.parametrize("out_activation", ["softmax", "logistic", "identity"])
@pytest.mark.parametrize("weighted", [False, True])
def test_loss_and_gradient_outputs_equal_with_and_without_numba(
    monkeypatch, out_activation, weighted
):
    # Every output's fused loss and delta against the numpy references, with
    # and without sample weights; the logistic loss alone may differ by an ulp
    # (its kernel's log is LLVM's), its gradient may not.
    layout = NetworkLayout([5, 9, 3])
    rng = np.random.default_rng(11)
    theta = rng.standard_normal(layout.size) * 0.5
    X = rng.standard_normal((30, 5))
    if out_activation == "softmax":
        Y = np.eye(3)[rng.integers(0, 3, 30)]
    elif out_activation == "logistic":
        Y = (rng.random((30, 3)) > 0.5).astype(float)
    else:
        Y = rng.standard_normal((30, 3))
    sample_weight = rng.random(30) if weighted else None

    def run():
        grad = np.empty_like(theta)
        loss = loss_and_gradient(
            layout,
            theta,
            grad,
            X,
            Y,
            sample_weight,
            1e-3,
            "relu",
            out_activation,
            Workspace(layout, 32, np.float64),
        )
        return loss, grad

    fast = run()
    _reference_kernels(monkeypatch)
    slow = run()
    np.testing.assert_array_equal(fast[1], slow[1])
    if out_activation == "logistic":
        assert fast[0] == pytest.approx(slow[0], rel=1e-13)
    else:
        assert fast[0] == slow[0]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_rows", [1, 5, 8, 9, 100, 128, 129, 200, 256, 1000, 8192])
def test_batch_weights_kernel_equals_reference(dtype, n_rows):
    # The float64 sum of (cast) weights in numpy's pairwise order, then each
    # weight over it: bit for bit what sample_weight.sum(dtype=np.float64)
    # and the float64 division give.
    rng = np.random.default_rng(12)
    weights = (rng.random(n_rows) * 10 ** rng.uniform(-3, 3, n_rows)).astype(dtype)
    want = fused.reference_batch_weights(weights)
    got = KERNELS.batch_weights(weights, np.empty(9000))
    assert isinstance(got[0], float) and isinstance(got[2], bool)
    assert got[0] == want[0] == float(np.sum(weights, dtype=np.float64))
    assert got[1].dtype == np.float64
    np.testing.assert_array_equal(got[1], want[1])
    assert got[2] is True


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_weights_kernel_edge_cases(dtype):
    zeros = np.zeros(10, dtype)
    assert KERNELS.batch_weights(zeros, np.empty(10)) == (0.0, None, False)
    # A float32 sum of these would overflow; the float64 one does not.
    huge = np.full(300, np.finfo(np.float32).max / 2).astype(dtype)
    got = KERNELS.batch_weights(huge, np.empty(300))
    assert np.isfinite(got[0]) and got[0] == fused.reference_batch_weights(huge)[0]
    # Past numpy's cast buffer the reference itself runs: the same values.
    many = np.random.default_rng(13).random(9000).astype(dtype)
    got = KERNELS.batch_weights(many, np.empty(9000))
    want = fused.reference_batch_weights(many)
    assert got[0] == want[0]
    np.testing.assert_array_equal(got[1], want[1])


def _bits(a):
    return np.ascontiguousarray(a).view(f"u{a.itemsize}")


def _libm_or_skip(monkeypatch, dtype):
    # The kernel's own log in ``dtype``, where it gives numpy's bits.
    if not KERNELS.log_is_numpys(dtype):
        pytest.skip(f"the compiled log is not numpy's in {dtype}")
    monkeypatch.setattr(fused, "LIBM_DTYPES", (np.dtype(dtype),))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("rows,cols", [(200, 10), (1, 10), (37, 3), (5, 1)])
@pytest.mark.parametrize("libm", [False, True], ids=["numpy_log", "libm_log"])
def test_log_loss_delta_kernel_keeps_every_product_and_the_loss(
    monkeypatch, dtype, weighted, rows, cols, libm
):
    if libm:
        _libm_or_skip(monkeypatch, dtype)
    else:
        monkeypatch.setattr(fused, "LIBM_DTYPES", ())
    rng = np.random.default_rng(rows * cols)
    logits = rng.standard_normal((rows + 4, cols)) * 3
    P = np.exp(logits - logits.max(axis=1, keepdims=True)).astype(dtype)
    P /= P.sum(axis=1, keepdims=True)
    Y = np.eye(cols, dtype=dtype)[rng.integers(0, cols, rows + 4)]
    if rows > 1:
        last = rows - 1
        P[0, 0], P[last, 0] = 0.0, np.nan  # the clip's bound; a NaN where Y is 0
        Y[0, 0], Y[last, 0] = -0.0, 0.0  # a negative zero keeps its sign
        Y[1] = 1.0 / cols  # soft labels: every class counts
        Y[2] = 0.0  # a row that counts for nothing
    # The leading rows of larger buffers, as the last batch of an epoch.
    P, Y = P[:rows], Y[:rows]
    weights = None
    if weighted:
        weights = rng.random(rows)
        weights /= weights.sum()
    outputs = []
    for run in (fused.reference_log_loss_delta, KERNELS.log_loss_delta):
        D, terms = np.empty_like(P), np.empty_like(P)
        assert run(P, Y, D, weights, terms) is terms
        loss = stable_dot(Y.ravel(), terms.ravel())
        if weighted:
            loss = stable_dot(np.einsum("ij,ij->i", Y, terms), weights)
        outputs.append((D, Y * terms, loss))
    (D_ref, products_ref, loss_ref), (D, products, loss) = outputs
    assert D.dtype == products.dtype == dtype
    np.testing.assert_array_equal(_bits(D), _bits(D_ref))
    np.testing.assert_array_equal(_bits(products), _bits(products_ref))
    assert _bits(np.float64(loss)) == _bits(np.float64(loss_ref))


@pytest.mark.parametrize("dtype", DTYPES)
def test_log_loss_delta_kernel_takes_only_the_logs_that_count(monkeypatch, dtype):
    _libm_or_skip(monkeypatch, dtype)
    P = np.array([[0.2, 0.8], [0.5, 0.5], [np.nan, 0.3]], dtype)
    Y = np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 1.0]], dtype)
    terms = np.empty_like(P)
    KERNELS.log_loss_delta(P, Y, np.empty_like(P), None, terms)
    logs = np.log(P)
    expected = [[-1.0, logs[0, 1]], [logs[1, 0], -1.0], [np.nan, logs[2, 1]]]
    np.testing.assert_array_equal(terms, np.array(expected, dtype))


def test_log_check_sees_a_different_function(monkeypatch):
    # Its comparison must be able to fail: numpy's log swapped for log1p.
    monkeypatch.setattr(np, "log", np.log1p)
    assert not KERNELS.log_is_numpys(np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("n_rows", [200, 1, 197])
@pytest.mark.parametrize("layout", ["C", "F"])
def test_gather_rows_kernel_equals_take(dtype, n_rows, layout):
    rng = np.random.default_rng(n_rows)
    X = np.asarray(rng.standard_normal((397, 7)).astype(dtype), order=layout)
    X[3, 2] = np.nan
    Y = np.eye(1, dtype=np.float64)[np.zeros(397, int)]  # one output, another dtype
    idx = rng.permutation(397)[:n_rows]
    # The leading rows of buffers for the largest batch, as in an epoch.
    outputs = [
        run(X, Y, idx, np.empty((200, 7), dtype)[:n_rows], np.empty((200, 1))[:n_rows])
        for run in (fused.reference_gather_rows, KERNELS.gather_rows)
    ]
    for got, want in zip(outputs[1], outputs[0]):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(_bits(got), _bits(want))


def test_trainer_gathers_through_take_what_the_kernel_cannot_read():
    from mlpinit._core.training import BatchTrainer

    layout = NetworkLayout([3, 4, 2])
    X = np.arange(30.0).reshape(10, 3)
    Y = np.eye(2)[np.arange(10) % 2]
    swapped = X.astype(X.dtype.newbyteorder())
    for data, compiled in ((X, True), (swapped, False)):
        trainer = BatchTrainer(layout, data, Y, None, 4, 0.0, "relu", "softmax")
        assert trainer._compiled_gather is compiled
        X_batch, Y_batch, _ = trainer._gather(np.array([7, 2]))
        np.testing.assert_array_equal(X_batch, X[[7, 2]])
        np.testing.assert_array_equal(Y_batch, Y[[7, 2]])
