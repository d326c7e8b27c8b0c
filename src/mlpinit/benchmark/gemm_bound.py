"""The physical limit: the matrix products of one training epoch, timed alone.

Both libraries spend an epoch's unavoidable work in the same matrix
products: per mini-batch and layer, the forward product ``A @ W``, the weight
gradient ``A.T @ delta`` and, above the first layer, the delta passed down,
``delta @ W.T``. Everything else (activations, loss, optimizer, batching,
Python) is overhead that better elementwise code could remove. The time of
those products alone, at the same shapes, dtype and BLAS threads, is then the
floor of this algorithm on this machine: ``gemm_bound_s``. Divided by a
library's epoch time it gives that library's GEMM share; scikit-learn's epoch
time divided by it is the speedup that perfect elementwise code would reach.
"""

import time

import numpy as np


def epoch_gemm_shapes(workload):
    """Every matrix product of one training epoch, as shapes and counts.

    Parameters
    ----------
    workload : Workload

    Returns
    -------
    list of ((int, int, int), int)
        ``((m, k, n), count)``: ``count`` products of an ``(m, k)`` by a
        ``(k, n)`` matrix. The batches are those of scikit-learn's
        ``gen_batches``: full batches of ``batch_size`` rows, then the rest.
    """
    units = workload.units()
    batch = min(workload.batch_size, workload.n_train)
    full, rest = divmod(workload.n_train, batch)
    batches = [(batch, full)] + ([(rest, 1)] if rest else [])
    shapes = []
    for rows, count in batches:
        for layer, (fan_in, fan_out) in enumerate(zip(units[:-1], units[1:])):
            shapes.append(((rows, fan_in, fan_out), count))  # A @ W
            shapes.append(((fan_in, rows, fan_out), count))  # A.T @ delta
            if layer > 0:  # the input layer needs no delta
                shapes.append(((rows, fan_out, fan_in), count))  # delta @ W.T
    return shapes


def gemm_flops(shapes):
    """Floating-point operations of ``shapes``: ``2 * m * k * n`` per product."""
    return sum(2 * m * k * n * count for (m, k, n), count in shapes)


def _operands(workload, dtype, rng):
    """Per layer: the epoch's input rows (first layer) or one batch's
    activations, the weights, a batch's deltas and the output buffers."""
    units = workload.units()
    batch = min(workload.batch_size, workload.n_train)
    layers = []
    for layer, (fan_in, fan_out) in enumerate(zip(units[:-1], units[1:])):
        # The first layer reads a fresh slice of X per batch, as in training.
        rows = workload.n_train if layer == 0 else batch
        layers.append(
            {
                "A": rng.standard_normal((rows, fan_in)).astype(dtype),
                "W": rng.standard_normal((fan_in, fan_out)).astype(dtype),
                "delta": rng.standard_normal((batch, fan_out)).astype(dtype),
                "Z": np.empty((batch, fan_out), dtype),
                "G": np.empty((fan_in, fan_out), dtype),
                "D": np.empty((batch, fan_in), dtype),
            }
        )
    return layers


def _one_epoch(workload, layers):
    batch = min(workload.batch_size, workload.n_train)
    for start in range(0, workload.n_train, batch):
        rows = min(batch, workload.n_train - start)
        for layer, ops in enumerate(layers):
            A = ops["A"][start : start + rows] if layer == 0 else ops["A"][:rows]
            delta = ops["delta"][:rows]
            np.matmul(A, ops["W"], out=ops["Z"][:rows])
            np.matmul(A.T, delta, out=ops["G"])
            if layer > 0:
                np.matmul(delta, ops["W"].T, out=ops["D"][:rows])


def time_gemm_bound(workload, dtype, threads, repeats=5, seed=0):
    """Seconds of one epoch's matrix products alone: the best of ``repeats``.

    Parameters
    ----------
    workload : Workload
    dtype : numpy dtype
    threads : int
        BLAS threads, as in the training rows it is compared with.
    repeats : int, default=5
    seed : int, default=0

    Returns
    -------
    float
        The fastest epoch: a floor, so the least disturbed run counts.
    """
    from threadpoolctl import threadpool_limits

    layers = _operands(workload, np.dtype(dtype), np.random.RandomState(seed))
    best = np.inf
    with threadpool_limits(limits=threads, user_api="blas"):
        _one_epoch(workload, layers)  # warm-up: first-call costs, caches
        for _ in range(repeats):
            start = time.perf_counter()
            _one_epoch(workload, layers)
            best = min(best, time.perf_counter() - start)
    return float(best)
