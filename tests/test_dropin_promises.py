"""Regression tests for the drop-in promises of issue 11 that broke when tried
from outside, and for faults of the same kind found beside them.

Each test was first written as a strict xfail naming its bug, and failed on
the code before the fix; the fix removed the mark. Only the public API is
used: the estimators, ``mlpinit.diagnostics``, ``mlpinit.onnx`` and
threadpoolctl's own API.
"""

import contextlib
import io
import threading
import tracemalloc
import warnings
from concurrent.futures import ThreadPoolExecutor

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_iris
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor, diagnostics

RNG = np.random.RandomState(0)
X_DENSE = RNG.normal(size=(200, 6))
Y_BINARY = (X_DENSE[:, 0] + X_DENSE[:, 1] > 0).astype(int)
Y_REAL = X_DENSE @ RNG.normal(size=6)


@pytest.fixture(autouse=True)
def _quiet_convergence():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        yield


# ---------------------------------------------------------------------------
# "Inputs are never modified", sparse structure included


def _unsorted_csr():
    """A CSR matrix whose indices are unsorted, as a column reorder leaves it."""
    dense = np.where(np.abs(X_DENSE) > 0.5, X_DENSE, 0.0)
    X = sp.csr_matrix(dense)[:, [5, 3, 1, 0, 2, 4]]
    assert not X.has_sorted_indices
    return X


def _csr_with_duplicates():
    """A CSR matrix whose first row stores column 0 twice (1 + 2 = 3)."""
    X = _unsorted_csr().tolil().tocsr()  # sorted, canonical
    data = np.concatenate([[1.0, 2.0], X.data[X.indptr[1] :]])
    indices = np.concatenate([[0, 0], X.indices[X.indptr[1] :]])
    indptr = np.concatenate([[0], X.indptr[1:] - X.indptr[1] + 2])
    X = sp.csr_matrix((data, indices, indptr), shape=X.shape)
    assert not X.has_canonical_format
    return X


def _snapshot(X):
    return [a.copy() for a in (X.data, X.indices, X.indptr)]


def _assert_unchanged(X, snapshot):
    for before, now in zip(snapshot, (X.data, X.indices, X.indptr)):
        np.testing.assert_array_equal(now, before)


def _read_only_memmap(X, tmp_path):
    """X as a joblib worker receives it when joblib memory-maps a big CSR."""
    path = tmp_path / "X.joblib"
    joblib.dump(X, path)
    X_mapped = joblib.load(path, mmap_mode="r")
    assert not X_mapped.data.flags.writeable
    return X_mapped


FITS = {
    "classifier-adam": lambda X: MLPClassifier(max_iter=3, random_state=0).fit(
        X, Y_BINARY
    ),
    "classifier-partial_fit": lambda X: MLPClassifier(random_state=0).partial_fit(
        X, Y_BINARY, classes=[0, 1]
    ),
    "regressor-lbfgs": lambda X: MLPRegressor(
        solver="lbfgs", max_iter=5, random_state=0
    ).fit(X, Y_REAL),
    "regressor-early_stopping": lambda X: MLPRegressor(
        early_stopping=True, max_iter=3, random_state=0
    ).fit(X, Y_REAL),
}
SPARSE_INPUTS = {"unsorted": _unsorted_csr, "duplicates": _csr_with_duplicates}


# Failed before the issue-11 fix: fit sorts and sums the duplicates of the caller's
# CSR (abs(X) in the scale check)
@pytest.mark.parametrize("kind", SPARSE_INPUTS)
@pytest.mark.parametrize("fit", FITS)
def test_fit_leaves_the_sparse_structure_untouched(fit, kind):
    X = SPARSE_INPUTS[kind]()
    snapshot = _snapshot(X)
    FITS[fit](X)
    _assert_unchanged(X, snapshot)


# Failed before the issue-11 fix: a failed fit has already rewritten the caller's CSR
# (abs(X) in the scale check)
@pytest.mark.parametrize("kind", SPARSE_INPUTS)
def test_failed_fit_leaves_the_sparse_structure_untouched(kind):
    model = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, warm_start=True)
    model.fit(X_DENSE, Y_BINARY)
    model.set_params(hidden_layer_sizes=(5,))  # refused after validation
    X = SPARSE_INPUTS[kind]()
    snapshot = _snapshot(X)
    with pytest.raises(ValueError, match="same layer sizes"):
        model.fit(X, Y_BINARY)
    _assert_unchanged(X, snapshot)


# Failed before the issue-11 fix: a read-only unsorted CSR (a joblib memmap) failed
# with 'WRITEBACKIFCOPY base is read-only'.
@pytest.mark.parametrize("fit", FITS)
def test_read_only_sparse_input_fits(fit, tmp_path):
    X = _read_only_memmap(_unsorted_csr(), tmp_path)
    model = FITS[fit](X)
    # The same fit on a writeable copy of the same matrix: same model.
    expected = FITS[fit](_unsorted_csr())
    for got, want in zip(model.coefs_, expected.coefs_):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_scikit_learn_fits_a_read_only_unsorted_csr(tmp_path):
    # The reference behaviour the test above asks for.
    X = _read_only_memmap(_unsorted_csr(), tmp_path)
    SkMLPClassifier(max_iter=3, random_state=0).fit(X, Y_BINARY)


# Failed before the issue-11 fix: layer_statistics sorts the caller's CSR (X.sum() in
# compute_input_stats)
@pytest.mark.parametrize("with_y", [True, False])
def test_layer_statistics_leaves_the_sparse_structure_untouched(with_y):
    model = MLPClassifier(max_iter=3, random_state=0).fit(X_DENSE, Y_BINARY)
    X = _unsorted_csr()
    snapshot = _snapshot(X)
    diagnostics.layer_statistics(model, X, Y_BINARY if with_y else None)
    _assert_unchanged(X, snapshot)


# Failed before the issue-11 fix: layer_statistics failed on a read-only unsorted CSR
# ('WRITEBACKIFCOPY base is read-only').
def test_layer_statistics_on_read_only_sparse_input(tmp_path):
    model = MLPClassifier(max_iter=3, random_state=0).fit(X_DENSE, Y_BINARY)
    X = _read_only_memmap(_unsorted_csr(), tmp_path)
    got = diagnostics.layer_statistics(model, X, Y_BINARY)
    want = diagnostics.layer_statistics(model, _unsorted_csr().toarray(), Y_BINARY)
    for name in want:
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10)


def _overflowing_predict_input():
    # Finite, but the forward pass of a linear network overflows on it.
    X = _unsorted_csr()
    X.data = 1.7e308 * np.sign(X.data)
    model = MLPRegressor(
        hidden_layer_sizes=(200,),
        activation="identity",
        max_iter=3,
        random_state=0,
        init="he",  # the model these overflow tests were written for
    )
    return model.fit(X_DENSE, Y_REAL), X


# Failed before the issue-11 fix: predict's overflow error sorts the caller's CSR
# (abs(X).max() in the message)
def test_predict_overflow_error_leaves_the_sparse_structure_untouched():
    model, X = _overflowing_predict_input()
    snapshot = _snapshot(X)
    with pytest.raises(ValueError, match="not finite"):
        model.predict(X)
    _assert_unchanged(X, snapshot)


# Failed before the issue-11 fix: on a read-only unsorted CSR predict's overflow error
# becomes 'WRITEBACKIFCOPY base is read-only'
def test_predict_overflow_error_on_read_only_sparse_input(tmp_path):
    model, X = _overflowing_predict_input()
    X = _read_only_memmap(X, tmp_path)
    with pytest.raises(ValueError, match="not finite"):
        model.predict(X)


@pytest.mark.parametrize(
    "call",
    [
        lambda model, X: model.predict(X),
        lambda model, X: diagnostics.layer_activations(model, X),
        lambda model, X: diagnostics.layer_gradients(model, X, Y_BINARY),
        lambda model, X: diagnostics.initialized(MLPClassifier(), X, Y_BINARY),
    ],
    ids=["predict", "layer_activations", "layer_gradients", "initialized"],
)
def test_other_sparse_paths_leave_the_structure_untouched(call):
    # These paths are sound today; kept so that a refactor cannot break them.
    model = MLPClassifier(max_iter=3, random_state=0).fit(X_DENSE, Y_BINARY)
    X = _unsorted_csr()
    snapshot = _snapshot(X)
    call(model, X)
    _assert_unchanged(X, snapshot)


# ---------------------------------------------------------------------------
# Concurrent fits: the caller's BLAS setting, and same seed same model


def _blas_threads():
    return [
        lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"
    ]


class _PrintHooks(io.StringIO):
    """A stdout that runs a thread's hook at that thread's first print.

    With ``verbose=True`` a fit prints its first line from inside its
    training loop, so a hook there runs while the fit holds its BLAS thread
    setting: the tests use that to fix the order in which overlapping fits
    enter and leave it, instead of hoping for an unlucky schedule.
    """

    def __init__(self):
        super().__init__()
        self.hooks = {}

    def on_first_print(self, hook):
        self.hooks[threading.get_ident()] = hook

    def write(self, text):
        hook = self.hooks.pop(threading.get_ident(), None)
        if hook is not None:
            hook()
        return super().write(text)


WAIT = 5.0  # seconds; only reached if a fix serializes fits, which is fine


def _narrow_fit(verbose=False):
    return MLPRegressor(
        hidden_layer_sizes=(16,), max_iter=3, random_state=0, verbose=verbose
    ).fit(X_DENSE, Y_REAL)


_X_WIDE = RNG.normal(size=(600, 30))
_Y_WIDE = _X_WIDE @ RNG.normal(size=30)


def _wide_lbfgs_fit(verbose=False):
    # Wide enough to use the caller's BLAS threads; its iterates depend on
    # their number, so it shows which setting it ran under.
    return MLPRegressor(
        hidden_layer_sizes=(256,),
        solver="lbfgs",
        max_iter=20,
        random_state=0,
        verbose=verbose,
    ).fit(_X_WIDE, _Y_WIDE)


def _set_blas_threads_from_a_passing_thread(n_threads):
    # threadpoolctl (>= 3.8) lets one thread at a time control a pthreads
    # OpenBLAS; a thread that ends gives that control up, so setting the
    # limit from a short-lived thread leaves every thread free to limit.
    worker = threading.Thread(
        target=threadpool_limits, kwargs={"limits": n_threads, "user_api": "blas"}
    )
    worker.start()
    worker.join()


@pytest.fixture
def two_blas_threads():
    """The caller's BLAS setting, at least 2 threads; restored afterwards."""
    original = _blas_threads()
    if not original:
        pytest.skip("no BLAS library found by threadpoolctl")
    _set_blas_threads_from_a_passing_thread(max(2, max(original)))
    if min(_blas_threads()) < 2:
        pytest.skip("needs a BLAS that can run 2 threads")
    yield _blas_threads()
    _set_blas_threads_from_a_passing_thread(max(original))


# Failed before the issue-10 thread policy (mlpinit._blas_threads): the process was
# left at 1 BLAS thread for good.
def test_overlapping_fits_restore_the_callers_blas_setting(two_blas_threads):
    # A enters its limit, B enters (and records A's 1 thread as "the
    # caller's"), A leaves, B leaves: B must not restore 1.
    hooks = _PrintHooks()
    a_training, b_training, a_done = (threading.Event() for _ in range(3))

    def fit_a():
        hooks.on_first_print(lambda: (a_training.set(), b_training.wait(WAIT)))
        _narrow_fit(verbose=True)
        a_done.set()

    def fit_b():
        a_training.wait(WAIT)
        hooks.on_first_print(lambda: (b_training.set(), a_done.wait(WAIT)))
        _narrow_fit(verbose=True)

    with contextlib.redirect_stdout(hooks), ThreadPoolExecutor(2) as pool:
        for future in [pool.submit(fit_a), pool.submit(fit_b)]:
            future.result()
    assert _blas_threads() == two_blas_threads


# Failed before the issue-11 fix: a concurrent narrow fit's 1-thread BLAS limit changes
# a wide fit's iterates
def test_concurrent_fits_equal_serial_fits(two_blas_threads):
    serial_narrow = _narrow_fit().coefs_[0].tobytes()
    serial_wide = _wide_lbfgs_fit().coefs_[0].tobytes()
    hooks = _PrintHooks()
    narrow_training, wide_done = threading.Event(), threading.Event()

    def fit_narrow():
        # Holds its thread limit until the wide fit has run.
        hooks.on_first_print(lambda: (narrow_training.set(), wide_done.wait(WAIT)))
        return _narrow_fit(verbose=True).coefs_[0].tobytes()

    def fit_wide():
        narrow_training.wait(WAIT)
        try:
            return _wide_lbfgs_fit().coefs_[0].tobytes()
        finally:
            wide_done.set()

    with contextlib.redirect_stdout(hooks), ThreadPoolExecutor(2) as pool:
        narrow, wide = pool.submit(fit_narrow), pool.submit(fit_wide)
        assert narrow.result() == serial_narrow
        assert wide.result() == serial_wide
    # Afterwards too: a later fit runs under the caller's setting.
    assert _wide_lbfgs_fit().coefs_[0].tobytes() == serial_wide


def test_many_concurrent_narrow_fits_equal_the_serial_fit(two_blas_threads):
    # Passes today: narrow fits always run on one BLAS thread.
    serial = _narrow_fit().coefs_[0].tobytes()
    barrier = threading.Barrier(4)

    def work(_):
        barrier.wait()
        return _narrow_fit().coefs_[0].tobytes()

    with ThreadPoolExecutor(4) as pool:
        assert all(result == serial for result in pool.map(work, range(4)))


# ---------------------------------------------------------------------------
# Sample weights

_X_1000 = RNG.normal(size=(1000, 5))
_Y_1000 = (_X_1000[:, 0] > 0).astype(int)


# Failed before the issue-11 fix: a mini-batch of zero total weight raises
# ZeroDivisionError in the network code
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_mostly_zero_sample_weights_train(solver, shuffle):
    # 2% of the rows weighted. In order, they all fall in the first batch;
    # shuffled into batches of 50, about a third of the batches weigh 0.
    weights = np.zeros(1000)
    weights[:20] = 1.0
    model = MLPClassifier(
        solver=solver, batch_size=50, shuffle=shuffle, max_iter=5, random_state=0
    )
    model.fit(_X_1000, _Y_1000, sample_weight=weights)
    assert np.isfinite(model.loss_curve_).all()
    assert all(np.isfinite(W).all() for W in model.coefs_)
    # What was learned comes from the weighted rows alone: the zero-weight
    # rows could be anything.
    relabelled = _Y_1000.copy()
    relabelled[20:] = RNG.randint(0, 2, size=980)
    other = MLPClassifier(
        solver=solver, batch_size=50, shuffle=shuffle, max_iter=5, random_state=0
    ).fit(_X_1000, relabelled, sample_weight=weights)
    for got, want in zip(other.coefs_, model.coefs_):
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)


def test_all_zero_sample_weights_are_a_clear_error():
    # Passes today (scikit-learn's words, from _check_sample_weight).
    with pytest.raises(ValueError, match="at least one non-zero"):
        MLPClassifier().fit(_X_1000, _Y_1000, sample_weight=np.zeros(1000))


# Failed before the issue-11 fix: with early stopping, a split whose part has zero
# weight gives a wrong message or a validation score of 0. With one weighted row,
# one side of the (stratified) split always has zero weight, whatever the seed.
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_early_stopping_split_without_weight_names_the_split(seed):
    weights = np.zeros(200)
    weights[seed] = 1.0
    model = MLPClassifier(early_stopping=True, max_iter=3, random_state=seed)
    with pytest.raises(ValueError, match="(training|validation) part .*zero total"):
        model.fit(X_DENSE, Y_BINARY, sample_weight=weights)


def test_early_stopping_split_names_the_part_without_weight():
    # One weighted row lands on one side of the split or the other: either
    # side left without weight is named, never trained on or scored.
    weights = np.zeros(200)
    weights[7] = 1.0
    named = set()
    for seed in range(10):
        model = MLPRegressor(
            early_stopping=True, validation_fraction=0.5, max_iter=2, random_state=seed
        )
        with pytest.raises(ValueError, match="zero total sample weight") as error:
            model.fit(X_DENSE, Y_REAL, sample_weight=weights)
        named.add(str(error.value).split()[1])
    assert named == {"training", "validation"}


def _float32_regressor(sample_weight):
    X = _X_1000[:400].astype(np.float32)
    model = MLPRegressor(
        hidden_layer_sizes=(8,),
        solver="sgd",
        alpha=0.0,  # then a common factor on the weights changes nothing
        shuffle=False,
        max_iter=5,
        random_state=0,
    )
    return model.fit(X, X[:, 0] * 2, sample_weight=sample_weight)


# Failed before the issue-11 fix: float32 batch weight sums overflow to inf: the weights
# become 0 and nothing trains
def test_float32_batch_weight_sums_do_not_overflow():
    # 200 rows of 1e37 sum to 2e39 > float32's 3.4e38.
    big = _float32_regressor(np.full(400, 1e37))
    unit = _float32_regressor(None)
    np.testing.assert_allclose(big.loss_curve_, unit.loss_curve_, rtol=1e-4)
    for got, want in zip(big.coefs_, unit.coefs_):
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-6)


# Failed before the issue-11 fix: weights that underflow float32 (1e-300) are reported
# as 'must contain at least one non-zero number'
def test_float32_tiny_sample_weights_name_the_problem():
    weights = np.full(400, 1e-300)
    try:
        model = _float32_regressor(weights)
    except ValueError as error:
        assert "float32" in str(error)
    else:  # or the weights are normalized first, and it trains as unweighted
        np.testing.assert_allclose(
            model.loss_curve_, _float32_regressor(None).loss_curve_, rtol=1e-4
        )


# Failed before the issue-11 fix: float64 targets beyond float32's range, with float32
# X, become inf and get the 'diverged, normalize your inputs' advice
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_targets_beyond_float32_range_are_named(loss):
    X = X_DENSE.astype(np.float32)
    y = np.abs(Y_REAL) * 1e39  # finite in float64, inf in float32
    try:
        with warnings.catch_warnings():
            # numpy's cast warning is not the message this test is about
            warnings.simplefilter("ignore", RuntimeWarning)
            model = MLPRegressor(loss=loss, max_iter=2).fit(X, y)
    except ValueError as error:
        assert "float32" in str(error)
        assert "Normalize the inputs" not in str(error)
    else:  # or they are trained without overflow (in float64, say)
        assert all(np.isfinite(W).all() for W in model.coefs_)


# ---------------------------------------------------------------------------
# Layer statistics accumulate in float64


# Failed before the issue-11 fix: float32 sums of squares made
# preactivation_std inf where float64 gives 1e18
def test_float32_layer_statistics_do_not_overflow():
    X64 = X_DENSE * 1e18  # squares of 1e18 overflow float32, not float64
    X32 = X64.astype(np.float32)
    template = MLPRegressor(
        hidden_layer_sizes=(16,), activation="identity", random_state=0
    )
    stats32 = diagnostics.layer_statistics(
        diagnostics.initialized(template, X32, Y_REAL), X32
    )
    stats64 = diagnostics.layer_statistics(
        diagnostics.initialized(template, X32.astype(np.float64), Y_REAL),
        X32.astype(np.float64),
    )
    for name in ("preactivation_mean", "preactivation_std", "activation_norm"):
        np.testing.assert_allclose(stats32[name], stats64[name], rtol=1e-3)


# ---------------------------------------------------------------------------
# MeanNormStandardizer after set_params

_A = RNG.normal(3, 2, size=(40, 3))
_B = RNG.normal(-1, 5, size=(30, 3))

SETTING_CHANGES = [
    ({"with_mean": False}, {"with_mean": True}),
    ({"with_mean": True}, {"with_mean": False}),
    ({"per_feature": True}, {"per_feature": False}),
    ({"per_feature": False}, {"per_feature": True}),
]


@pytest.mark.parametrize(
    "first, second",
    SETTING_CHANGES,
    ids=lambda p: "-".join(f"{k}={v}" for k, v in p.items()),
)
def test_standardizer_partial_fit_after_set_params(first, second):
    scaler = MeanNormStandardizer(**first).partial_fit(_A)
    scaler.set_params(**second)
    try:
        scaler.partial_fit(_B)
    except ValueError as error:  # a clear refusal is allowed
        assert next(iter(second)) in str(error)
        return
    expected = MeanNormStandardizer(**second).fit(np.vstack([_A, _B]))
    if expected.mean_ is None:
        assert scaler.mean_ is None
    else:
        np.testing.assert_allclose(scaler.mean_, expected.mean_, rtol=1e-12)
    np.testing.assert_allclose(scaler.norm_, expected.norm_, rtol=1e-12)


@pytest.mark.parametrize("param", ["with_mean", "with_norm"])
def test_standardizer_transform_after_enabling_a_statistic(param):
    scaler = MeanNormStandardizer(**{param: False}).fit(_A)
    scaler.set_params(**{param: True})
    try:
        out = scaler.transform(_A)
    except ValueError as error:  # a clear refusal is allowed
        assert param in str(error)
        return
    # Or it works: the statistic it now uses is the data's.
    if param == "with_mean":
        np.testing.assert_allclose(scaler.mean_, _A.mean(axis=0), rtol=1e-12)
    centred = _A - scaler.mean_ if scaler.with_mean else _A
    np.testing.assert_allclose(out, centred / scaler.scale_, rtol=1e-12)


@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
@pytest.mark.parametrize("per_feature", [True, False])
def test_standardizer_sparse_transform_after_switching_per_feature(per_feature, method):
    X = _unsorted_csr()
    scaler = MeanNormStandardizer(with_mean=False, per_feature=per_feature).fit(X)
    scaler.set_params(per_feature=not per_feature)
    try:
        got = getattr(scaler, method)(X)
    except ValueError as error:  # a clear refusal is allowed
        assert "per_feature" in str(error)
        return
    # Or sparse agrees with dense, which uses the fitted scale_.
    want = getattr(scaler, method)(X.toarray())
    np.testing.assert_allclose(got.toarray(), want)


# ---------------------------------------------------------------------------
# warm_start with early_stopping
#
# mlpinit's choice, a documented departure: every fit with early stopping ends
# on the best validated weights seen so far, the ones best_validation_score_
# belongs to. scikit-learn means the same (it restores its _best_coefs), but
# after a first fit those alias coefs_, so a warm-started fit that finds no
# better score ends on its last weights, whose score is lower. The truth used
# here is scikit-learn's own trajectory: the same validation scores, and its
# first fit's weights, the best of both fits.


_IRIS_X, _IRIS_Y = load_iris(return_X_y=True)
_REG_RNG = np.random.RandomState(0)
_X_REG = _REG_RNG.normal(size=(200, 4))
_Y_REG = _X_REG[:, 0] + 0.5 * _REG_RNG.normal(size=200)


@pytest.mark.parametrize(
    "ours, theirs, X, y",
    [
        (MLPClassifier, SkMLPClassifier, _IRIS_X, (_IRIS_Y == 2).astype(int)),
        (MLPRegressor, SkMLPRegressor, _X_REG, _Y_REG),
    ],
    ids=["binary", "regression"],
)
def test_warm_start_with_early_stopping_ends_on_the_best_weights(ours, theirs, X, y):
    params = dict(
        hidden_layer_sizes=(8,),
        max_iter=30,
        learning_rate_init=0.05,
        warm_start=True,
        early_stopping=True,
        random_state=0,
    )
    mine, reference = ours(init="sklearn", **params), theirs(**params)
    mine.fit(X, y)
    reference.fit(X, y)
    best_of_first_fit = reference.best_validation_score_
    best_weights = [W.copy() for W in reference.coefs_]
    mine.fit(X, y)
    reference.fit(X, y)
    # The case in question: the second fit finds no better validation score.
    assert reference.best_validation_score_ == best_of_first_fit
    # Both trained along the same path, validated the same way ...
    np.testing.assert_allclose(
        mine.validation_scores_, reference.validation_scores_, rtol=1e-6
    )
    np.testing.assert_allclose(mine.best_validation_score_, best_of_first_fit)
    # ... and mlpinit ends on the weights of that best score, where
    # scikit-learn ends elsewhere.
    for got, want in zip(mine.coefs_, best_weights):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-9)
    assert not all(
        np.allclose(got, want) for got, want in zip(reference.coefs_, best_weights)
    )


@pytest.mark.parametrize("first", [False, True], ids=["on", "off"])
def test_warm_start_can_switch_early_stopping(first):
    # scikit-learn fails here (None.append, None - tol); the switched-on
    # fit starts a validation record of its own, the switched-off one a
    # training-loss one.
    model = MLPRegressor(
        hidden_layer_sizes=(8,), max_iter=5, tol=0, warm_start=True, random_state=0
    )
    model.set_params(early_stopping=first).fit(_X_REG, _Y_REG)
    model.set_params(early_stopping=not first).fit(_X_REG, _Y_REG)
    assert len(model.loss_curve_) == 10
    if first:
        assert model.best_loss_ == min(model.loss_curve_[5:])
    else:
        assert len(model.validation_scores_) == 5
        assert model.best_validation_score_ == max(model.validation_scores_)


# ---------------------------------------------------------------------------
# Messages that name the actual problem


# Failed before the issue-11 fix: an indicator y after a binary partial_fit fails with a
# numpy error
def test_indicator_after_binary_partial_fit_names_multilabel():
    model = MLPClassifier().partial_fit(X_DENSE, Y_BINARY, classes=[0, 1])
    indicator = np.c_[Y_BINARY, 1 - Y_BINARY]
    with pytest.raises(ValueError, match="multilabel"):
        model.partial_fit(X_DENSE, indicator)


# Failed before the issue-11 fix: object-dtype integer labels are reported as
# 'continuous values'
def test_object_dtype_integer_labels():
    y = Y_BINARY.astype(object)
    try:
        model = MLPClassifier(max_iter=3, random_state=0).fit(X_DENSE, y)
    except ValueError as error:
        assert "continuous" not in str(error)
        assert "object" in str(error)
    else:
        assert list(model.classes_) == [0, 1]


# Failed before the issue-11 fix: mixed labels [1, '1', 2] are reported as 'continuous
# values'
def test_mixed_label_types_are_named():
    y = np.array([1, "1", 2] * 10, dtype=object)
    with pytest.raises(ValueError, match="(?i)mix") as error:
        MLPClassifier(max_iter=3).fit(X_DENSE[:30], y)
    assert "continuous" not in str(error.value)


# Failed before the issue-11 fix: alpha=1e308 gets the 'diverged, normalize your inputs'
# advice
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_huge_alpha_is_named(solver):
    model = MLPClassifier(solver=solver, alpha=1e308, max_iter=3)
    try:
        model.fit(X_DENSE, Y_BINARY)
    except ValueError as error:
        assert "alpha" in str(error)
        assert "Normalize the inputs" not in str(error)
    else:  # scikit-learn fits it; then the weights must be finite
        assert all(np.isfinite(W).all() for W in model.coefs_)


# Failed before the issue-11 fix: sample weights of 1e-300 get the 'diverged, normalize
# your inputs' advice
def test_tiny_sample_weights_are_named():
    model = MLPClassifier(max_iter=3, random_state=0)
    try:
        model.fit(X_DENSE, Y_BINARY, sample_weight=np.full(200, 1e-300))
    except ValueError as error:
        assert "sample_weight" in str(error) or "sample weight" in str(error)
        assert "Normalize the inputs" not in str(error)
    else:  # scikit-learn fits it
        assert all(np.isfinite(W).all() for W in model.coefs_)


# ---------------------------------------------------------------------------
# predict memory for every input dtype


def _traced_peak(call, *args):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = call(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


@pytest.mark.parametrize("dtype", [np.float16, np.int8, np.bool_])
@pytest.mark.parametrize("method", ["regressor-predict", "classifier-predict_proba"])
def test_predict_memory_does_not_grow_with_a_float64_copy(dtype, method):
    rng = np.random.RandomState(0)
    X_fit = rng.normal(size=(300, 40))
    if method.startswith("regressor"):
        model = MLPRegressor(hidden_layer_sizes=(64, 64), max_iter=2, random_state=0)
        model.fit(X_fit, X_fit[:, 0])
    else:
        model = MLPClassifier(hidden_layer_sizes=(64, 64), max_iter=2, random_state=0)
        model.fit(X_fit, np.arange(300) % 3)
    call = getattr(model, method.split("-")[1])
    X = (rng.normal(size=(160_000, 40)) > 0).astype(dtype)
    call(X[:5])  # anything loaded lazily, loaded now
    peak, out = _traced_peak(call, X)
    # A float64 copy of X is 8 / itemsize times X; a chunked predict needs
    # its output and one chunk's buffers, far below a quarter of that copy.
    assert peak - out.nbytes < X.size * 8 / 4


@pytest.mark.parametrize("fit_dtype", [np.float64, np.float32])
@pytest.mark.parametrize("dtype", [np.float16, np.int8, np.uint16, np.bool_])
def test_predict_on_small_dtypes_equals_predict_on_a_float_copy(dtype, fit_dtype):
    # Chunked casting must give what the whole conversion gave, bit for bit,
    # on more rows than one chunk; sparse input (its own product) agrees too.
    rng = np.random.RandomState(0)
    X_fit = rng.normal(size=(200, 6)).astype(fit_dtype)
    y = np.arange(200) % 3
    clf = MLPClassifier(hidden_layer_sizes=(8,), max_iter=5, random_state=0)
    clf.fit(X_fit, y)
    X = (rng.normal(size=(9000, 6)) * 3).clip(0, None).astype(dtype)
    as_float = X.astype(fit_dtype)
    np.testing.assert_array_equal(clf.predict_proba(X), clf.predict_proba(as_float))
    np.testing.assert_array_equal(clf.predict(X), clf.predict(as_float))
    assert clf.predict_proba(X).dtype == fit_dtype
    if dtype == np.float16:
        return  # scipy.sparse has no float16
    np.testing.assert_allclose(
        clf.predict_proba(sp.csr_matrix(X)),
        clf.predict_proba(as_float),
        rtol=1e-5 if fit_dtype == np.float32 else 1e-12,
    )


def test_predict_small_dtype_edge_cases(tmp_path):
    # The chunk-cast path must not change what predict accepts or refuses.
    X_fit = RNG.normal(size=(40, 3))
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    clf.fit(X_fit, np.arange(40) % 2)
    small = (X_fit * 10).astype(np.int8)
    as_float = small.astype(np.float64)
    expected = clf.predict_proba(as_float)
    # Numbers as strings convert whole, as fit converts them.
    np.testing.assert_array_equal(clf.predict_proba(small.astype(str)), expected)
    with pytest.raises(ValueError, match="Complex data not supported"):
        clf.predict(X_fit.astype(complex))
    # A read-only memmap (what joblib hands a worker) is read, never written.
    path = tmp_path / "X.npy"
    np.save(path, small)
    mapped = np.load(path, mmap_mode="r")
    np.testing.assert_array_equal(clf.predict_proba(mapped), expected)
    np.testing.assert_array_equal(np.load(path), small)
    # The diagnostics see the same network input.
    by_int = diagnostics.layer_statistics(clf, small)
    by_float = diagnostics.layer_statistics(clf, as_float)
    for name in by_int:
        np.testing.assert_array_equal(by_int[name], by_float[name])


def test_predict_rejects_non_finite_float16():
    clf = MLPClassifier(hidden_layer_sizes=(4,), max_iter=2, random_state=0)
    clf.fit(RNG.normal(size=(30, 3)), np.arange(30) % 2)
    X = np.ones((4, 3), dtype=np.float16)
    X[1, 2] = np.inf
    with pytest.raises(ValueError, match="Input X contains infinity"):
        clf.predict(X)


# ---------------------------------------------------------------------------
# ONNX export of a two-label multilabel classifier


@pytest.fixture
def two_label_model():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("mlpinit.onnx")
    X = RNG.normal(size=(100, 4)).astype(np.float32)
    Y = np.c_[X[:, 0] > 0, X[:, 1] > 0].astype(int)
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    return model.fit(X, Y), X


def _run_onnx(onx, X):
    import onnxruntime as rt

    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


# Failed before the issue-11 fix: with zipmap=False the probabilities were 4
# columns [1-p0, 1-p1, p0, p1] (skl2onnx's converter took two labels for binary)
@pytest.mark.parametrize("input_dtype", [np.float32, np.float64])
def test_onnx_two_label_multilabel_probabilities(two_label_model, input_dtype):
    from skl2onnx import to_onnx

    model, X = two_label_model
    X = X.astype(input_dtype)
    onx = to_onnx(model, X[:1], options={id(model): {"zipmap": False}})
    labels, proba = _run_onnx(onx, X)
    assert proba.shape == (X.shape[0], 2)
    np.testing.assert_allclose(proba, model.predict_proba(X), atol=1e-5)
    np.testing.assert_array_equal(labels, model.predict(X))


def test_onnx_three_label_multilabel_in_double_precision():
    pytest.importorskip("onnxruntime")
    pytest.importorskip("mlpinit.onnx")
    from skl2onnx import to_onnx

    X = RNG.normal(size=(100, 4))
    Y = (X[:, :3] > 0).astype(int)
    model = MLPClassifier(hidden_layer_sizes=(8,), max_iter=50, random_state=0)
    model.fit(X, Y)
    onx = to_onnx(model, X[:1], options={id(model): {"zipmap": False}})
    labels, proba = _run_onnx(onx, X)
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, model.predict_proba(X), rtol=1e-10)
    np.testing.assert_array_equal(labels, model.predict(X))


def test_onnx_two_label_multilabel_zipmap_columns(two_label_model):
    from skl2onnx import to_onnx

    model, X = two_label_model
    onx = to_onnx(model, X[:1], options={id(model): {"zipmap": "columns"}})
    labels, *columns = _run_onnx(onx, X)
    np.testing.assert_allclose(
        np.column_stack(columns), model.predict_proba(X), atol=1e-5
    )
    np.testing.assert_array_equal(labels, model.predict(X))


# Failed before the issue-11 fix: onnxruntime refused the graph ("ZipMap ...
# features_per_batch[4] != number of classlabels[2]")
def test_onnx_two_label_multilabel_default_zipmap(two_label_model):
    from skl2onnx import to_onnx

    model, X = two_label_model
    try:
        onx = to_onnx(model, X[:1])
    except (ValueError, RuntimeError, NotImplementedError) as error:
        assert "zipmap" in str(error)  # a clear refusal at export time
        return
    _, proba = _run_onnx(onx, X)
    expected = model.predict_proba(X)
    got = np.array([[row[key] for key in sorted(row)] for row in proba])
    np.testing.assert_allclose(got, expected, atol=1e-5)


# ---------------------------------------------------------------------------
# record_layer_stats under warm_start


# Failed before the issue-11 fix: 6 rows for 9 epochs
def test_layer_stats_keep_one_row_per_epoch_when_toggled():
    model = MLPClassifier(
        max_iter=3, warm_start=True, record_layer_stats=True, random_state=0
    )
    model.fit(X_DENSE, Y_BINARY)
    model.set_params(record_layer_stats=False).fit(X_DENSE, Y_BINARY)
    model.set_params(record_layer_stats=True).fit(X_DENSE, Y_BINARY)
    rows = {len(values) for values in model.layer_stats_.values()}
    assert rows == {len(model.loss_curve_)}


@pytest.mark.parametrize("how", ["warm_start", "partial_fit"])
@pytest.mark.parametrize("pattern", [(False, True, True), (True, False, True)])
def test_unrecorded_epochs_are_nan_rows_in_their_place(how, pattern):
    # Row i stays epoch i: each fit's rows equal those of a model recording
    # every fit, and the unrecorded fit's rows are NaN.
    def train(record_each):
        model = MLPClassifier(
            hidden_layer_sizes=(6,), max_iter=2, warm_start=True, random_state=0
        )
        for record in record_each:
            model.set_params(record_layer_stats=record)
            if how == "warm_start":
                model.fit(X_DENSE, Y_BINARY)
            else:
                model.partial_fit(X_DENSE, Y_BINARY, classes=[0, 1])
        return model

    always = train([True] * 3).layer_stats_["activation_std"]
    toggled_model = train(pattern)
    toggled = toggled_model.layer_stats_["activation_std"]
    assert len(toggled) == len(toggled_model.loss_curve_) == len(always)
    epochs_per_fit = len(always) // 3
    for i, recorded in enumerate(pattern):
        rows = slice(i * epochs_per_fit, (i + 1) * epochs_per_fit)
        if recorded:
            np.testing.assert_array_equal(toggled[rows], always[rows])
        else:
            assert np.isnan(toggled[rows]).all()


def test_no_record_when_recording_was_never_on():
    model = MLPClassifier(hidden_layer_sizes=(6,), max_iter=2, warm_start=True)
    model.fit(X_DENSE, Y_BINARY).fit(X_DENSE, Y_BINARY)
    assert not hasattr(model, "layer_stats_")


# ---------------------------------------------------------------------------
# hidden_layer_sizes=(): no hidden layer


# Failed before the issue-11 fix: hidden_layer_sizes=() crashes with 'max() arg is an
# empty sequence'
@pytest.mark.parametrize(
    "ours, theirs, y",
    [
        (MLPRegressor, SkMLPRegressor, Y_REAL),
        (MLPClassifier, SkMLPClassifier, Y_BINARY),
    ],
    ids=["regressor", "classifier"],
)
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_no_hidden_layer_fits_as_scikit_learn(ours, theirs, y, solver):
    params = dict(hidden_layer_sizes=(), solver=solver, max_iter=20, random_state=0)
    model = ours(init="sklearn", **params).fit(X_DENSE, y)
    reference = theirs(**params).fit(X_DENSE, y)
    assert model.n_layers_ == reference.n_layers_ == 2
    assert [W.shape for W in model.coefs_] == [W.shape for W in reference.coefs_]
    np.testing.assert_allclose(model.coefs_[0], reference.coefs_[0], rtol=1e-6)


# Failed before the issue-11 fix: diagnostics.initialized accepts
# hidden_layer_sizes=() but fit crashes on it
def test_no_hidden_layer_initialized_agrees_with_fit():
    params = dict(hidden_layer_sizes=(), solver="lbfgs", max_iter=20, random_state=0)
    start = diagnostics.initialized(MLPRegressor(**params), X_DENSE, Y_REAL)
    assert [W.shape for W in start.coefs_] == [(6, 1)]
    # Documented: fit starts from the weights initialized() draws.
    resumed = start.set_params(warm_start=True).fit(X_DENSE, Y_REAL)
    fitted = MLPRegressor(**params).fit(X_DENSE, Y_REAL)
    assert resumed.coefs_[0].tobytes() == fitted.coefs_[0].tobytes()


# ---------------------------------------------------------------------------
# A diverging fit with early stopping (scikit-learn #29504)

_DIVERGING = dict(
    hidden_layer_sizes=(100,),
    activation="identity",
    solver="sgd",
    learning_rate_init=1.0,
    max_iter=20,
    early_stopping=True,
    random_state=0,
)


def test_diverging_early_stopping_fit_is_scikit_learns():
    # Failed before the issue-11 fix: it raised at the first NaN epoch.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # scikit-learn overflows
        reference = SkMLPRegressor(**_DIVERGING).fit(_IRIS_X, _IRIS_Y)
    with pytest.warns(ConvergenceWarning, match="^Solver produced non-finite"):
        mine = MLPRegressor(init="sklearn", **_DIVERGING).fit(_IRIS_X, _IRIS_Y)
    assert mine.n_iter_ == reference.n_iter_
    # The values grow to 1e210 before they overflow, so rounding differs
    # in the last bits; the NaNs must be at the same epochs.
    for name in ("loss_curve_", "validation_scores_"):
        np.testing.assert_allclose(
            getattr(mine, name), getattr(reference, name), rtol=1e-9, equal_nan=True
        )
    assert isinstance(mine.validation_scores_[-1], float)
    assert np.isnan(mine.validation_scores_[-1])
    np.testing.assert_allclose(
        mine.best_validation_score_, reference.best_validation_score_, rtol=1e-12
    )
    for got, want in zip(mine.coefs_, reference.coefs_):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)


def test_diverging_from_the_first_epoch_with_early_stopping_raises():
    # With no finite validation score there are no weights to go back to.
    model = MLPRegressor(**_DIVERGING)
    with pytest.raises(ValueError, match="^Solver produced non-finite parameter"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # badly scaled X
            model.fit(_IRIS_X * 1e150, _IRIS_Y)
    assert not hasattr(model, "coefs_")
