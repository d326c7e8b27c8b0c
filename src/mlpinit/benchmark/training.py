"""Training rows: both libraries (and PyTorch, optionally) train the same network.

They alternate epoch by epoch (each epoch is one ``partial_fit`` call, and
the library that goes first rotates), and each row reports the median of the
per-epoch time ratios, so that load on a shared machine hits both sides
alike.
"""

import time

import numpy as np

from mlpinit.benchmark.torch_trainer import TorchTrainer


def run_training_row(workload, dtype, init, threads, seed=0, with_torch=False):
    """Train both libraries epoch by epoch and return one result row (a dict).

    Both run under a BLAS limit of ``threads`` (the benchmark passes the
    count mlpinit's thread policy trains this network on, so that both get
    the same). With ``with_torch`` (Adam workloads only) a :class:`TorchTrainer` is the
    third participant, with ``torch.set_num_threads(threads)``.
    """
    from threadpoolctl import threadpool_limits

    X_train, X_test, y_train, y_test = workload.data(dtype, seed)
    reference, ours = workload.estimators(init, seed, generators=True)
    fit_kwargs = {}
    classes = None
    if workload.task == "classification":
        classes = fit_kwargs["classes"] = np.unique(y_train)
    with_torch = with_torch and workload.solver == "adam"
    participants = ["sklearn", "mlpinit"] + (["torch"] if with_torch else [])
    seconds = {lib: [] for lib in participants}
    steps = {
        "sklearn": lambda: reference.partial_fit(X_train, y_train, **fit_kwargs),
        "mlpinit": lambda: ours.partial_fit(X_train, y_train, **fit_kwargs),
    }
    n_warm = min(len(X_train), 4 * workload.batch_size)
    if with_torch:
        import torch

        torch_threads = torch.get_num_threads()
        torch.set_num_threads(threads)
    try:
        if with_torch:
            trainer = TorchTrainer(ours, X_train, y_train, classes, seed)
            steps["torch"] = trainer.run_epoch
        with threadpool_limits(limits=threads, user_api="blas"):
            # An untimed epoch of throwaway models on a slice takes first-call
            # costs (imports, caches, BLAS warm-up) out of the first timed epoch.
            for warmup in workload.estimators(init, seed + 1, generators=True):
                warmup.partial_fit(X_train[:n_warm], y_train[:n_warm], **fit_kwargs)
            if with_torch:
                TorchTrainer(
                    ours, X_train[:n_warm], y_train[:n_warm], classes, seed + 1
                ).run_epoch()
            for epoch in range(workload.epochs):
                # Who goes first rotates from epoch to epoch.
                shift = epoch % len(participants)
                for lib in participants[shift:] + participants[:shift]:
                    start = time.perf_counter()
                    steps[lib]()
                    seconds[lib].append(time.perf_counter() - start)
    finally:
        if with_torch:
            torch.set_num_threads(torch_threads)
    ratios = np.array(seconds["sklearn"]) / np.array(seconds["mlpinit"])
    flops = workload.flops_per_epoch()
    ref_loss, our_loss = float(reference.loss_), float(ours.loss_)
    row = {
        "table": "epoch",
        "workload": workload.name,
        "dtype": np.dtype(dtype).name,
        "init": init,
        "shape": f"{workload.n_train}x{workload.n_features}",
        "hidden": list(workload.hidden),
        "epochs": workload.epochs,
        "batch_size": workload.batch_size,
        "threads": threads,
        "sklearn_s_per_epoch": float(np.median(seconds["sklearn"])),
        "mlpinit_s_per_epoch": float(np.median(seconds["mlpinit"])),
        "speedup": float(np.median(ratios)),
        "sklearn_gflops": flops / np.median(seconds["sklearn"]) / 1e9,
        "mlpinit_gflops": flops / np.median(seconds["mlpinit"]) / 1e9,
        "sklearn_loss": ref_loss,
        "mlpinit_loss": our_loss,
        "loss_rel_diff": abs(ref_loss - our_loss) / max(abs(ref_loss), 1e-300),
        "sklearn_score": float(reference.score(X_test, y_test)),
        "mlpinit_score": float(ours.score(X_test, y_test)),
        "same_epochs": len(reference.loss_curve_)
        == len(ours.loss_curve_)
        == workload.epochs,
        "same_samples_seen": reference.t_
        == ours.t_
        == workload.epochs * workload.n_train,
    }
    if with_torch:
        torch_loss = trainer.loss_curve[-1]
        row.update(
            torch_s_per_epoch=float(np.median(seconds["torch"])),
            speedup_vs_torch=float(
                np.median(np.array(seconds["torch"]) / np.array(seconds["mlpinit"]))
            ),
            torch_gflops=flops / np.median(seconds["torch"]) / 1e9,
            torch_loss=torch_loss,
            torch_loss_rel_diff=abs(torch_loss - our_loss) / max(abs(our_loss), 1e-300),
            torch_adam=trainer.adam,
            torch_threads=threads,
        )
    return row
