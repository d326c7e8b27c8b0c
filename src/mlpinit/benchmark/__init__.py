"""Head-to-head benchmark of mlpinit against scikit-learn's own MLPs.

Run it as ``python -m mlpinit benchmark``. Both libraries train the same
network on the same data with the same settings (hidden sizes, solver, batch
size, number of epochs, seed), in one process, with the BLAS threads pinned
by threadpoolctl. The two alternate epoch by epoch (each epoch is one
``partial_fit`` call, and the library that goes first alternates), and each
row reports the median of the per-epoch time ratios, so that load on a shared
machine hits both sides alike. With ``init="sklearn"`` the float64 runs
follow the same trajectory, which the ``loss_rel_diff`` column shows.

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
- :mod:`~mlpinit.benchmark.training`: the paired training rows;
- :mod:`~mlpinit.benchmark.torch_trainer`: the optional PyTorch participant;
- :mod:`~mlpinit.benchmark.predict` and its child process
  :mod:`~mlpinit.benchmark.predict_child`: the prediction rows;
- :mod:`~mlpinit.benchmark.report`: text, Markdown, JSON and the figure.
"""

import time

from mlpinit.benchmark.options import DEFAULT_INITS, DTYPES, check_options
from mlpinit.benchmark.predict import run_predict_row
from mlpinit.benchmark.report import format_row, format_table, plot_speedups, save_json
from mlpinit.benchmark.torch_trainer import (
    TorchTrainer,
    torch_adam_kind,
    torch_installed,
)
from mlpinit.benchmark.training import run_training_row
from mlpinit.benchmark.workloads import Workload, default_workloads

__all__ = [
    "Workload",
    "default_workloads",
    "run_training_row",
    "run_predict_row",
    "run_benchmark",
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
    rows = []

    def finished(row):
        rows.append(row)
        log(format_row(row))
        if on_row is not None:
            on_row(row)

    for workload in training:
        for dtype in dtypes:
            for init in inits:
                finished(
                    run_training_row(
                        workload, dtype, init, threads, with_torch=with_torch
                    )
                )
    if "predict" in workloads:
        n_rows = 100_000 if quick else 1_000_000
        for dtype in dtypes:
            finished(
                run_predict_row(
                    n_rows, 100, (256, 256), dtype, threads, 1 if quick else 3
                )
            )
    return rows
