"""predict works in row chunks: its memory is one chunk's, not the whole X's.

The full-size claim (2,000,000 x 100, hidden (256, 256), peak within 1.5 x
the memory of X beyond the model) is measured by
``benchmarks/predict_memory.py``; here the same mechanism is checked on a
small X with tracemalloc, which numpy reports its allocations to.
"""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import mlpinit._estimator.base as base_mlp
from mlpinit import MLPClassifier, MLPRegressor

HIDDEN = (64, 64)
N_FEATURES = 40


def _model(kind, dtype=np.float64):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, N_FEATURES)).astype(dtype)
    if kind == "classifier":
        est, y = MLPClassifier(HIDDEN, max_iter=2, random_state=0), np.arange(300) % 10
    else:
        est, y = (
            MLPRegressor(hidden_layer_sizes=HIDDEN, max_iter=2, random_state=0),
            X[:, 0],
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _big_X(n_rows, dtype=np.float64):
    return np.random.RandomState(1).normal(size=(n_rows, N_FEATURES)).astype(dtype)


def traced_peak(call, *args):
    """Bytes allocated at the peak of ``call(*args)``, beyond what existed."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        result = call(*args)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak, result


def chunk_bound(est, chunk_rows, itemsize=8):
    """Generous memory of one chunk: a few arrays of its widest layer."""
    widest = max([N_FEATURES, *HIDDEN, est.coefs_[-1].shape[1]])
    return 6 * chunk_rows * widest * itemsize


@pytest.mark.parametrize(
    "kind, method",
    [
        ("regressor", "predict"),
        ("classifier", "predict"),
        ("classifier", "predict_proba"),
    ],
)
def test_predict_memory_is_the_output_plus_one_chunk(kind, method):
    est = _model(kind)
    chunk = base_mlp.PREDICT_CHUNK_ROWS
    peaks = {}
    for n_rows in (10 * chunk, 40 * chunk):
        X = _big_X(n_rows)
        getattr(est, method)(X[:5])  # anything loaded lazily, loaded now
        peak, out = traced_peak(getattr(est, method), X)
        # The network's output (n_outputs wide) exists once, whatever method.
        output = n_rows * est.coefs_[-1].shape[1] * 8
        assert peak <= output + chunk_bound(est, chunk) + out.nbytes
        if n_rows == 40 * chunk:  # X large next to a chunk, as in the claim
            assert peak + X.nbytes <= 1.5 * X.nbytes
        peaks[n_rows] = peak - output - out.nbytes
    # Four times the rows: the part beyond the output does not grow.
    assert peaks[40 * chunk] <= 1.2 * peaks[10 * chunk] + 64 * 1024


def test_the_chunk_size_sets_the_memory(monkeypatch):
    est = _model("regressor")
    X = _big_X(16384)
    peaks, outputs = {}, {}
    for chunk in (256, 8192):
        monkeypatch.setattr(base_mlp, "PREDICT_CHUNK_ROWS", chunk)
        peaks[chunk], outputs[chunk] = traced_peak(est.predict, X)
    # A 32x bigger chunk costs several times the memory (the output, the
    # same for both, is 128 KiB of it) ...
    assert peaks[8192] > 4 * peaks[256]
    assert peaks[256] < chunk_bound(est, 256) + 2 * X.shape[0] * 8
    # ... and gives the same predictions (last bits aside: a different
    # number of rows per matrix product may round differently).
    np.testing.assert_allclose(outputs[256], outputs[8192], rtol=1e-12, atol=1e-14)


def test_float32_input_is_not_copied_to_float64():
    # dtype follows the input: a float32 X is used as it is, only each chunk's
    # products are float64 (the model's dtype).
    est = _model("regressor")
    X = _big_X(20 * base_mlp.PREDICT_CHUNK_ROWS, np.float32)
    peak, out = traced_peak(est.predict, X)
    assert peak < 0.5 * X.nbytes
    assert out.dtype == np.float64


def test_a_copy_of_X_would_be_caught():
    # The measurement sees a full copy of X, so the bounds above can fail.
    X = _big_X(4 * base_mlp.PREDICT_CHUNK_ROWS)
    peak, _ = traced_peak(np.array, X)
    assert peak >= X.nbytes
