"""Head-to-head benchmark of mlpinit against scikit-learn's own MLPs.

Run it as ``python -m mlpinit benchmark``. Both libraries train the same
network on the same data with the same settings (hidden sizes, solver, batch
size, number of epochs, seed), in one process, with the BLAS threads pinned
by threadpoolctl. A run reports, in this order:

- **the headline rows**: the whole ``fit()``, as a user calls it, with the
  same ``max_iter`` and ``tol=0`` so that both train the same epochs, timed in
  paired, interleaved repeats; ``speedup`` is the median of the paired time
  ratios, with their min and max beside it. Both libraries get the same
  BLAS threads: the count mlpinit's thread policy trains the network on
  (one thread for hidden layers of at most 128 units). Where that policy
  changes the count, a second row labelled ``mlpinit policy`` gives both
  the threads of ``--threads``, which is what a user sees out of the box;
- **the physical limit** beside each headline row: ``gemm_bound_s``, the
  matrix products of one epoch timed alone at the same shapes, dtype and
  threads (:mod:`~mlpinit.benchmark.gemm_bound`), each library's GEMM share
  (the bound over its epoch time), and ``gemm_only_speedup``, the speedup
  that perfect elementwise code would reach;
- **the per-epoch rows**: each epoch one ``partial_fit`` call, the two
  alternating epoch by epoch, with the median of the per-epoch ratios;
- **the prediction rows**.

The table, the JSON and the figure record quick or full, the thread counts,
the machine and its load, and the spread of the paired ratios; a run whose
ratios spread by more than a quiet machine explains for fits of their length
and number (:func:`~mlpinit.benchmark.machine.noise_threshold`) says it was
noisy. With ``init="sklearn"`` the float64 runs follow the same
trajectory, which the ``loss_rel_diff`` column shows.

When PyTorch is installed, Adam rows get a third participant (``torch=False``
turns it off): the same network as an ``nn.Sequential``, started from the
weights mlpinit starts from, fed the same shuffled batches, with the same
loss (scikit-learn's, L2 term included) and fused Adam, timed in the same
rotation; ``speedup_vs_torch`` is its paired median time ratio to mlpinit.

Prediction is measured in subprocesses: ``predict_proba`` time, and the peak
memory allocated beyond the input and the model (tracemalloc), with the same
weights in both libraries.

This package sits on top of mlpinit: it uses the public estimators only,
and nothing else in mlpinit imports it. Its modules:

- :mod:`~mlpinit.benchmark.options`: the options and their checks;
- :mod:`~mlpinit.benchmark.workloads`: the training settings;
- :mod:`~mlpinit.benchmark.fitting`: the whole-``fit()`` rows and the
  thread settings;
- :mod:`~mlpinit.benchmark.gemm_bound`: the matrix products of an epoch;
- :mod:`~mlpinit.benchmark.training`: the per-epoch rows;
- :mod:`~mlpinit.benchmark.machine`: the machine, its load and the noise;
- :mod:`~mlpinit.benchmark.torch_trainer`: the optional PyTorch participant;
- :mod:`~mlpinit.benchmark.predict` and its child process
  :mod:`~mlpinit.benchmark.predict_child`: the prediction rows;
- :mod:`~mlpinit.benchmark.report`: text, Markdown, JSON and the figure.
"""

import time

from mlpinit.benchmark.fitting import (
    MLPINIT_POLICY,
    add_gemm_bound,
    mlpinit_training_threads,
    run_fit_row,
)
from mlpinit.benchmark.gemm_bound import epoch_gemm_shapes, time_gemm_bound
from mlpinit.benchmark.machine import machine_info
from mlpinit.benchmark.options import DEFAULT_INITS, DTYPES, check_options
from mlpinit.benchmark.predict import run_predict_row
from mlpinit.benchmark.report import format_row, format_table, plot_speedups, save_json
from mlpinit.benchmark.torch_trainer import (
    TorchTrainer,
    torch_adam_kind,
    torch_installed,
)
from mlpinit.benchmark.training import run_training_row
from mlpinit.benchmark.workloads import (
    PREDICT_FEATURES,
    PREDICT_HIDDEN,
    Workload,
    default_workloads,
    predict_rows,
)

__all__ = [
    "Workload",
    "default_workloads",
    "run_fit_row",
    "run_training_row",
    "run_predict_row",
    "run_benchmark",
    "run_info",
    "epoch_gemm_shapes",
    "time_gemm_bound",
    "TorchTrainer",
    "torch_installed",
    "format_row",
    "format_table",
    "save_json",
    "plot_speedups",
]


def run_benchmark(
    quick=False,
    dtypes=DTYPES,
    inits=DEFAULT_INITS,
    workloads=None,
    threads=None,
    log=print,
    torch=None,
    on_row=None,
):
    """Run every training and prediction row and return the list of rows.

    Every option is checked before the first row runs.

    Parameters
    ----------
    quick : bool, default=False
        Smaller data and fewer epochs: the whole run takes well under a minute.
    dtypes : sequence of str, default=("float64", "float32")
    inits : sequence of str, default=("sklearn", "auto")
        mlpinit's ``init`` for each training row; scikit-learn always uses its own.
    workloads : sequence of str or None
        Names to run (``digits``, ``wide``, ``regression``, ``tall``,
        ``predict``); None runs all.
    threads : int or None
        BLAS threads for both libraries, at least 1; None means the number
        of CPUs.
    log : callable
        Receives a progress line per row.
    torch : bool or None
        Add PyTorch as a third participant to the Adam training rows; None
        means whenever it is installed.
    on_row : callable or None
        Called with each row as soon as it is finished, so that a caller can
        keep it even if a later row fails.

    Returns
    -------
    list of dict
        The headline rows first (``"table": "fit"``: whole ``fit()`` calls
        with both libraries on the same BLAS threads, then mlpinit's own
        thread policy where it changes the count), then the per-epoch rows
        (``"epoch"``) and the prediction rows (``"predict"``). Each row
        records ``quick`` and ``threads_given``.

    Raises
    ------
    ValueError
        For an unknown dtype, init or workload, or threads below 1, before
        any work; ``ImportError`` for ``torch=True`` without PyTorch.
    """
    dtypes, inits, workloads, threads = check_options(dtypes, inits, workloads, threads)
    with_torch = torch_installed() if torch is None else bool(torch)
    if with_torch and not torch_installed():
        raise ImportError("torch=True needs PyTorch, which is not installed")
    training = [w for w in default_workloads(quick) if w.name in workloads]
    if with_torch and training:
        start = time.perf_counter()
        import torch as torch_module

        seconds = time.perf_counter() - start
        log(
            f"torch {torch_module.__version__} imported in {seconds:.1f}s; "
            f"Adam: {torch_adam_kind(torch_module)}"
        )
    run = {"quick": bool(quick), "threads_given": threads}
    rows = []
    for row in _rows(quick, dtypes, inits, workloads, threads, training, with_torch):
        rows.append({**row, **run})
        log(format_row(rows[-1]))
        if on_row is not None:
            on_row(rows[-1])
    return rows


def _rows(quick, dtypes, inits, workloads, threads, training, with_torch):
    """Every row of a run, one at a time, in the order of the report."""
    # The thread count mlpinit trains each network on; both libraries get it
    # in the headline and per-epoch rows.
    same = {w.name: mlpinit_training_threads(w.hidden, threads) for w in training}
    timing = (
        dict(repeats=3, min_seconds=0.3) if quick else dict(repeats=5, min_seconds=2.0)
    )
    for workload in training:
        for dtype in dtypes:
            bound = time_gemm_bound(workload, dtype, same[workload.name])
            for init in inits:
                row = run_fit_row(workload, dtype, init, threads, **timing)
                yield add_gemm_bound(row, bound)
    for workload in training:
        if same[workload.name] == threads:
            continue  # the policy changes nothing here
        for dtype in dtypes:
            yield run_fit_row(
                workload, dtype, inits[0], threads, setting=MLPINIT_POLICY, **timing
            )
    for workload in training:
        for dtype in dtypes:
            for init in inits:
                yield run_training_row(
                    workload, dtype, init, same[workload.name], with_torch=with_torch
                )
    if "predict" in workloads:
        for dtype in dtypes:
            yield run_predict_row(
                predict_rows(quick),
                PREDICT_FEATURES,
                PREDICT_HIDDEN,
                dtype,
                threads,
                1 if quick else 3,
            )


def run_info(rows, load_before=None, seconds=None):
    """How a run ran, for its report: mode, threads, machine, load and noise.

    Parameters
    ----------
    rows : list of dict
        The rows of :func:`run_benchmark`.
    load_before : float or None
        The 1-minute load average taken before the run.
    seconds : float or None
        How long the run took.

    Returns
    -------
    dict
    """
    from mlpinit.benchmark.machine import load_average

    return {
        "mode": "quick" if rows and rows[0].get("quick") else "full",
        "threads_given": rows[0].get("threads_given") if rows else None,
        "machine": machine_info(),
        "load_before": load_before,
        "load_after": load_average(),
        "noisy_rows": sum(bool(r.get("noisy")) for r in rows),
        "seconds": None if seconds is None else round(seconds, 1),
    }
