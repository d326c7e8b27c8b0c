"""Headline rows: the whole ``fit()``, as a user calls it, timed in pairs.

Both libraries get the same estimator parameters, with ``max_iter`` epochs
and ``tol=0`` (and a patience longer than the run), so both train exactly
``max_iter`` epochs on the same rows. Each repeat fits a fresh model of each
library, one right after the other, and the order alternates between
repeats; a row reports the median of the per-repeat time ratios, with their
minimum and maximum, so that load on a shared machine shows as spread.

Threads. mlpinit trains networks whose hidden layers are all at most 128
units wide on one BLAS thread, whatever the caller allows (its thread
policy, documented in the estimators' docstrings). A row's ``setting`` says
how the two libraries were limited:

- ``"same threads"``: both under the same BLAS limit, the thread count that
  mlpinit trains this network on when given ``threads``. scikit-learn then
  gets exactly what mlpinit uses; the headline rows are these.
- ``"mlpinit policy"``: both given ``threads``; mlpinit lowers itself and
  scikit-learn keeps them. What a user gets out of the box. Run only where
  the policy changes the count.
"""

import time
import warnings

import numpy as np

from mlpinit.benchmark.machine import spread

SAME_THREADS = "same threads"
MLPINIT_POLICY = "mlpinit policy"


class _ThreadProbe:
    """A ``sklearn.callback`` callback that records the BLAS threads per epoch."""

    def __init__(self):
        self.threads = []

    def setup(self, estimator, context):
        pass

    def teardown(self, estimator, context):
        pass

    def on_fit_task_begin(self, estimator, context, **kwargs):
        pass

    def on_fit_task_end(self, estimator, context, **kwargs):
        from threadpoolctl import threadpool_info

        counts = [
            i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"
        ]
        self.threads.append(max(counts, default=1))
        return False


def mlpinit_training_threads(hidden, threads):
    """The BLAS threads mlpinit trains ``hidden`` on, when given ``threads``.

    Observed, not assumed: a two-epoch fit on a few rows, under a limit of
    ``threads``, with a callback that reads the BLAS setting at each epoch.

    Parameters
    ----------
    hidden : tuple of int
    threads : int

    Returns
    -------
    int
        ``threads`` where the callback API (scikit-learn >= 1.9) is missing.
    """
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    from mlpinit import MLPClassifier

    model = MLPClassifier(hidden_layer_sizes=hidden, max_iter=2, random_state=0)
    if not hasattr(model, "set_callbacks"):
        return threads
    probe = _ThreadProbe()
    model.set_callbacks(probe)
    X = np.random.RandomState(0).standard_normal((8, 3))
    with threadpool_limits(limits=threads, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(X, np.arange(8) % 2)
    # The last task is the whole fit, which ends outside the policy's limit.
    return min(probe.threads[:-1] or probe.threads or [threads])


def _timed_fit(template, X, y, threads):
    from sklearn.base import clone
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    model = clone(template)
    with threadpool_limits(limits=threads, user_api="blas"), warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # max_iter, by design
        start = time.perf_counter()
        model.fit(X, y)
        seconds = time.perf_counter() - start
    return model, seconds


def _paired_fits(templates, X, y, limit, repeats, min_seconds):
    """Fit each template in turn, the order alternating; the times and the
    last fitted model of each library."""
    seconds = {lib: [] for lib in templates}
    models = {}
    r = 0
    # Fits of a few milliseconds jitter by more than the ratio's digits: such
    # rows take more pairs, up to five times as many, until each library has
    # been timed for min_seconds.
    while r < repeats or (
        r < 5 * repeats and min(map(sum, seconds.values())) < min_seconds
    ):
        order = ("sklearn", "mlpinit") if r % 2 == 0 else ("mlpinit", "sklearn")
        for lib in order:
            models[lib], elapsed = _timed_fit(templates[lib], X, y, limit[lib])
            seconds[lib].append(elapsed)
        r += 1
    return seconds, models


def run_fit_row(
    workload,
    dtype,
    init,
    threads,
    repeats,
    seed=0,
    setting=SAME_THREADS,
    min_seconds=0.0,
):
    """Time both libraries' whole ``fit`` in interleaved pairs; one result row.

    Parameters
    ----------
    workload : Workload
    dtype : numpy dtype
    init : str
    threads : int
        The BLAS threads the run was given.
    repeats : int
        Pairs of fits, at least.
    seed : int, default=0
    setting : {"same threads", "mlpinit policy"}, default="same threads"
        How the threads are shared out (see the module docstring).
    min_seconds : float, default=0.0
        More pairs (up to ``5 * repeats``) until each library's fits add up
        to this many seconds.

    Returns
    -------
    dict
    """
    from sklearn.base import clone

    X_train, X_test, y_train, y_test = workload.data(dtype, seed)
    reference, ours = workload.estimators(init, seed)
    mlpinit_threads = mlpinit_training_threads(workload.hidden, threads)
    limit = {"sklearn": threads, "mlpinit": threads}
    if setting == SAME_THREADS:
        limit = {"sklearn": mlpinit_threads, "mlpinit": mlpinit_threads}
    templates = {"sklearn": reference, "mlpinit": ours}
    # An untimed short fit of each takes first-call costs out of the first pair.
    n_warm = min(len(X_train), 4 * workload.batch_size)
    for lib, template in templates.items():
        warmup = clone(template).set_params(max_iter=1)
        _timed_fit(warmup, X_train[:n_warm], y_train[:n_warm], limit[lib])
    seconds, models = _paired_fits(
        templates, X_train, y_train, limit, repeats, min_seconds
    )
    fitted_ref, fitted_ours = models["sklearn"], models["mlpinit"]
    ref_loss, our_loss = float(fitted_ref.loss_), float(fitted_ours.loss_)
    sk_fit, mi_fit = np.median(seconds["sklearn"]), np.median(seconds["mlpinit"])
    return {
        "table": "fit",
        "workload": workload.name,
        "dtype": np.dtype(dtype).name,
        "init": init,
        "setting": setting,
        "shape": f"{workload.n_train}x{workload.n_features}",
        "hidden": list(workload.hidden),
        "epochs": workload.epochs,
        "batch_size": workload.batch_size,
        "repeats": len(seconds["mlpinit"]),
        "sklearn_threads": limit["sklearn"],
        "mlpinit_threads": mlpinit_threads,
        "sklearn_fit_s": float(sk_fit),
        "mlpinit_fit_s": float(mi_fit),
        "sklearn_s_per_epoch": float(sk_fit) / workload.epochs,
        "mlpinit_s_per_epoch": float(mi_fit) / workload.epochs,
        **spread(
            np.array(seconds["sklearn"]) / np.array(seconds["mlpinit"]),
            shortest_s=float(min(sk_fit, mi_fit)),
        ),
        "sklearn_epochs": int(fitted_ref.n_iter_),
        "mlpinit_epochs": int(fitted_ours.n_iter_),
        "same_epochs": fitted_ref.n_iter_ == fitted_ours.n_iter_ == workload.epochs,
        "same_samples_seen": fitted_ref.t_
        == fitted_ours.t_
        == workload.epochs * workload.n_train,
        "sklearn_loss": ref_loss,
        "mlpinit_loss": our_loss,
        "loss_rel_diff": abs(ref_loss - our_loss) / max(abs(ref_loss), 1e-300),
        "sklearn_score": float(fitted_ref.score(X_test, y_test)),
        "mlpinit_score": float(fitted_ours.score(X_test, y_test)),
    }


def add_gemm_bound(row, gemm_bound_s):
    """Add the GEMM bound and what follows from it to a fit row (in place).

    Parameters
    ----------
    row : dict
        A ``"same threads"`` fit row.
    gemm_bound_s : float
        Seconds of one epoch's matrix products alone, at the row's threads.

    Returns
    -------
    dict
        ``row``, with ``gemm_bound_s``, ``sklearn_gemm_share`` and
        ``mlpinit_gemm_share`` (the bound over each library's epoch time)
        and ``gemm_only_speedup`` (scikit-learn's epoch time over the bound:
        the speedup if mlpinit spent nothing outside the matrix products).
        A share above 1 marks the row ``noisy``.
    """
    row["gemm_bound_s"] = gemm_bound_s
    row["sklearn_gemm_share"] = gemm_bound_s / row["sklearn_s_per_epoch"]
    row["mlpinit_gemm_share"] = gemm_bound_s / row["mlpinit_s_per_epoch"]
    row["gemm_only_speedup"] = row["sklearn_s_per_epoch"] / gemm_bound_s
    # The products alone cannot take longer than an epoch that contains them:
    # a share above 1 means the bound's timing was disturbed.
    if max(row["sklearn_gemm_share"], row["mlpinit_gemm_share"]) > 1:
        row["noisy"] = True
    return row
