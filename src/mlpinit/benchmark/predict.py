"""Prediction rows: ``predict_proba`` time and peak memory, in subprocesses.

Both libraries get the same weights, and each measurement runs in a fresh
process (:mod:`mlpinit.benchmark.predict_child`), the two libraries
alternating, so that neither inherits the other's caches or memory.
"""

import json
import math
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from mlpinit.benchmark.machine import spread

PREDICT_CLASSES = 10


def predict_weights(n_features, hidden, seed):
    """Glorot-uniform weights and zero biases of a 10-class network.

    Parameters
    ----------
    n_features : int
    hidden : sequence of int
    seed : int

    Returns
    -------
    dict of str to ndarray
        ``coef{i}`` and ``intercept{i}`` per layer, as the child reads them.
    """
    rng = np.random.RandomState(seed)
    units = [n_features, *hidden, PREDICT_CLASSES]
    arrays = {}
    for i, (a, b) in enumerate(zip(units[:-1], units[1:])):
        arrays[f"coef{i}"] = rng.uniform(-1, 1, (a, b)) * math.sqrt(6 / (a + b))
        arrays[f"intercept{i}"] = np.zeros(b)
    return arrays


def _child_environment():
    """The environment, with this mlpinit first on the path: the child must
    import the package the parent runs, not another installed copy."""
    import mlpinit

    package_parent = str(Path(mlpinit.__file__).resolve().parents[1])
    env = dict(os.environ)
    path = env.get("PYTHONPATH")
    env["PYTHONPATH"] = package_parent + (os.pathsep + path if path else "")
    return env


def run_child(args):
    """Run :mod:`mlpinit.benchmark.predict_child` with ``args``; its result.

    Parameters
    ----------
    args : dict

    Returns
    -------
    dict
    """
    out = subprocess.run(
        [sys.executable, "-m", "mlpinit.benchmark.predict_child", json.dumps(args)],
        check=True,
        capture_output=True,
        text=True,
        env=_child_environment(),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_predict_row(n_rows, n_features, hidden, dtype, threads, repeats, seed=0):
    """predict_proba time and peak extra memory of both libraries, in subprocesses.

    Parameters
    ----------
    n_rows, n_features : int
        Shape of the random input.
    hidden : sequence of int
    dtype : numpy dtype
    threads : int
        BLAS threads in each child.
    repeats : int
        Measurements per library, alternating which goes first.
    seed : int, default=0

    Returns
    -------
    dict
        The row: median times, their paired ratio (``speedup``), peak memory
        of each library and whether both computed the same probabilities.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "weights.npz")
        np.savez(path, **predict_weights(n_features, hidden, seed))
        results = {"sklearn": [], "mlpinit": []}
        for r in range(repeats):
            order = ("sklearn", "mlpinit") if r % 2 == 0 else ("mlpinit", "sklearn")
            for lib in order:
                args = dict(
                    lib=lib,
                    dtype=np.dtype(dtype).name,
                    weights=path,
                    seed=seed,
                    n_rows=n_rows,
                    threads=threads,
                )
                results[lib].append(run_child(args))
    sk_t = np.array([r["seconds"] for r in results["sklearn"]])
    mi_t = np.array([r["seconds"] for r in results["mlpinit"]])
    sk_mem = max(r["peak_bytes"] for r in results["sklearn"])
    mi_mem = max(r["peak_bytes"] for r in results["mlpinit"])
    checks = [r["checksum"] for lib in results for r in results[lib]]
    return {
        "table": "predict",
        "workload": "predict",
        "dtype": np.dtype(dtype).name,
        "init": "-",
        "shape": f"{n_rows}x{n_features}",
        "hidden": list(hidden),
        "threads": threads,
        "repeats": repeats,
        "sklearn_s": float(np.median(sk_t)),
        "mlpinit_s": float(np.median(mi_t)),
        **spread(sk_t / mi_t, shortest_s=float(min(np.median(sk_t), np.median(mi_t)))),
        "sklearn_peak_mb": sk_mem / 2**20,
        "mlpinit_peak_mb": mi_mem / 2**20,
        "memory_ratio": sk_mem / max(mi_mem, 1),
        "same_output": bool(np.allclose(checks, checks[0], rtol=1e-4)),
    }
