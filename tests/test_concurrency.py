"""One fitted model, many threads: results identical to serial calls.

A service shares one fitted estimator between request threads. predict and
predict_proba keep every buffer local to the call, so 8 threads calling at
once (released together by a barrier, on inputs large enough to span several
prediction chunks) must get exactly the serial answers.
"""

import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse as sp
import threadpoolctl
from sklearn.exceptions import ConvergenceWarning

import mlpinit._estimator.base as base_mlp
from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor
from mlpinit._blas_threads import BlasThreadPolicy

N_THREADS = 8
ROUNDS = 3
RNG = np.random.RandomState(0)
# More rows than one prediction chunk, so each call loops over chunks.
N_ROWS = 2 * base_mlp.PREDICT_CHUNK_ROWS + 123
X = RNG.normal(size=(N_ROWS, 12))
Y_CLASSES = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0.5)
Y_REAL = X @ RNG.normal(size=12)
# Each thread gets its own rows, so a mix-up between calls shows.
INPUTS = [np.roll(X, 37 * i, axis=0) for i in range(N_THREADS)]


def _fit(est, y, dtype=np.float64):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X[:400].astype(dtype), y[:400])


MODELS = {
    # narrow: one BLAS thread inside each call; wide: BLAS's own threads too
    "classifier-narrow": lambda: _fit(
        MLPClassifier(hidden_layer_sizes=(32, 16), max_iter=5, random_state=0),
        Y_CLASSES,
    ),
    "classifier-wide": lambda: _fit(
        MLPClassifier(hidden_layer_sizes=(200,), max_iter=3, random_state=0),
        Y_CLASSES,
    ),
    "binary-float32": lambda: _fit(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=3, random_state=0),
        Y_CLASSES > 0,
        np.float32,
    ),
    "regressor-tanh": lambda: _fit(
        MLPRegressor(
            hidden_layer_sizes=(64,), activation="tanh", max_iter=5, random_state=0
        ),
        Y_REAL,
    ),
}


def _hammer(method, inputs):
    """Every thread calls ``method`` ROUNDS times, all starting together."""
    barrier = threading.Barrier(N_THREADS)

    def work(i):
        barrier.wait()
        return [method(inputs[i]) for _ in range(ROUNDS)]

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        return list(pool.map(work, range(N_THREADS)))


def _assert_like_serial(method, inputs):
    serial = [method(x) for x in inputs]
    concurrent = _hammer(method, inputs)
    for i, results in enumerate(concurrent):
        for result in results:
            assert result.dtype == serial[i].dtype
            assert result.tobytes() == serial[i].tobytes(), f"thread {i}"
    return serial


@pytest.mark.parametrize(
    "model, method",
    [(m, "predict") for m in MODELS]
    + [(m, "predict_proba") for m in MODELS if not m.startswith("regressor")],
)
def test_concurrent_calls_equal_serial_calls(model, method):
    est = MODELS[model]()
    serial = _assert_like_serial(getattr(est, method), INPUTS)
    # The inputs differ per thread, so the answers do too: a result handed
    # to the wrong caller would have been caught.
    assert serial[0].tobytes() != serial[1].tobytes()


def test_mixed_methods_at_once():
    est = MODELS["classifier-narrow"]()
    methods = [est.predict, est.predict_proba, est.predict_log_proba]
    calls = [(methods[i % 3], INPUTS[i]) for i in range(N_THREADS)]
    serial = [method(x) for method, x in calls]
    barrier = threading.Barrier(N_THREADS)

    def work(i):
        barrier.wait()
        method, x = calls[i]
        return method(x)

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        results = list(pool.map(work, range(N_THREADS)))
    for expected, got in zip(serial, results):
        assert got.tobytes() == expected.tobytes()


def test_sparse_input_and_the_standardizer_concurrently():
    est = MODELS["regressor-tanh"]()
    sparse_inputs = [sp.csr_matrix(np.where(np.abs(x) > 1, x, 0)) for x in INPUTS]
    _assert_like_serial(est.predict, sparse_inputs)
    scaler = MeanNormStandardizer().fit(X)
    _assert_like_serial(scaler.transform, INPUTS)
    _assert_like_serial(scaler.inverse_transform, INPUTS)


def test_predict_errors_in_threads_do_not_disturb_the_others():
    est = MODELS["classifier-narrow"]()
    bad = X[:, :5]
    inputs = [bad if i % 2 else INPUTS[i] for i in range(N_THREADS)]
    expected = {i: est.predict(INPUTS[i]) for i in range(0, N_THREADS, 2)}
    barrier = threading.Barrier(N_THREADS)

    def work(i):
        barrier.wait()
        try:
            return est.predict(inputs[i])
        except ValueError as error:
            return error

    with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
        results = list(pool.map(work, range(N_THREADS)))
    for i, result in enumerate(results):
        if i % 2:
            assert isinstance(result, ValueError)
            assert "X has 5 features" in str(result)
        else:
            assert result.tobytes() == expected[i].tobytes()


# -- fits in several threads: the process's BLAS setting -------------------


def _blas_threads():
    return [
        lib["num_threads"]
        for lib in threadpoolctl.threadpool_info()
        if lib["user_api"] == "blas"
    ]


def test_overlapping_one_thread_contexts_restore_the_callers_setting():
    # Left in the order they were entered, not the reverse: what two fits in
    # two threads do when the first to start is the first to finish.
    policy = BlasThreadPolicy()
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        first, second = policy.one_thread(), policy.one_thread()
        first.__enter__()
        second.__enter__()
        assert set(_blas_threads()) == {1}
        first.__exit__(None, None, None)
        assert set(_blas_threads()) == {1}  # the second still needs one
        second.__exit__(None, None, None)
        assert _blas_threads() == before


def test_lent_threads_come_back_only_when_no_one_else_needs_one():
    policy = BlasThreadPolicy()
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        with policy.one_thread():
            with policy.callers_threads():
                assert _blas_threads() == before  # an L-BFGS evaluation
            assert set(_blas_threads()) == {1}
        with policy.for_network([16]), policy.one_thread():
            with policy.callers_threads():
                assert set(_blas_threads()) == {1}  # a narrow L-BFGS fit
        assert _blas_threads() == before


def test_a_thread_needing_the_callers_setting_waits_for_one_thread_sections():
    # An L-BFGS evaluation (or a wide fit) in another thread must not run
    # under a narrow fit's limit: it waits until the limit is gone.
    policy = BlasThreadPolicy()
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        before = _blas_threads()
        seen, done = [], threading.Event()

        def evaluate():
            with policy.callers_threads():
                seen.append(_blas_threads())
            done.set()

        worker = threading.Thread(target=evaluate)
        with policy.for_network([16]):
            worker.start()
            assert not done.wait(0.3)  # held back while one thread is in force
            assert set(_blas_threads()) == {1}
        worker.join(5)
        assert seen == [before]
        assert _blas_threads() == before


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_fits_in_several_threads_restore_blas_and_match_serial_fits(solver):
    # The process's own setting, not one set from this thread: threadpoolctl
    # >= 3.8 gives control to the thread that sets a limit.
    before = _blas_threads()
    if max(before, default=1) < 2:
        pytest.skip("BLAS runs one thread already: nothing to restore")

    def fit(seed):
        est = MLPClassifier(
            hidden_layer_sizes=(16,),
            solver=solver,
            max_iter=5 + 3 * seed,  # different lengths: they end out of order
            random_state=seed,
        )
        return est.fit(X[:300], Y_CLASSES[:300]).coefs_[0].tobytes()

    serial = [fit(seed) for seed in range(N_THREADS)]
    barrier = threading.Barrier(N_THREADS)

    def work(seed):
        barrier.wait()
        return fit(seed)

    for _ in range(ROUNDS):
        with ThreadPoolExecutor(max_workers=N_THREADS) as pool:
            concurrent = list(pool.map(work, range(N_THREADS)))
        assert concurrent == serial
        assert _blas_threads() == before
