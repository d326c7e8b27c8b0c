"""
Grid search on a Dask cluster
=============================

A grid search over ``init`` × ``learning_rate_init`` fits one model per
candidate and cross-validation split, independently of the others. joblib runs
those fits in parallel; with ``joblib.parallel_config(backend="dask")`` it runs
them on the workers of a Dask cluster instead of local processes, and the
results are the same as a local run's. This script runs the search both ways
and checks that.

Run it with the ``dask`` extra (``pip install "mlpinit[dask]"``)::

    python examples/grid_search_dask.py

It starts a local cluster of two worker processes, or connects to an existing
one if ``DASK_SCHEDULER_ADDRESS`` is set (``tcp://host:8786``). With
``MLPINIT_QUICK=1`` it searches a smaller problem, in seconds.

Each MLP fit is dominated by matrix products, which the BLAS library runs on
several threads: Dask's worker processes start with one BLAS thread each
(``OMP_NUM_THREADS=1``), so that the fits running side by side do not fight
for the cores. The docs' "BLAS threads in parallel searches" section has the
details for other backends.
"""

import os
import sys
import time
import warnings

import joblib
import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from mlpinit import MeanNormStandardizer, MLPClassifier

QUICK = os.environ.get("MLPINIT_QUICK", "") not in ("", "0")

GRID = {
    "mlpclassifier__init": ["xavier", "he", "sklearn"],
    "mlpclassifier__learning_rate_init": [1e-3, 3e-3, 1e-2],
}


def make_search(n_jobs):
    """The grid search, identical for both runs."""
    model = make_pipeline(
        MeanNormStandardizer(),
        MLPClassifier(
            hidden_layer_sizes=(32,) if QUICK else (64, 64),
            max_iter=15 if QUICK else 100,
            random_state=0,
        ),
    )
    return GridSearchCV(model, GRID, cv=3, n_jobs=n_jobs)


def timed_fit(search, X, y):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search.fit(X, y)
    return time.perf_counter() - start


def main():
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        print(
            "This example needs dask and distributed: "
            'pip install "mlpinit[dask]". Nothing was run.'
        )
        return 0

    X, y = load_digits(return_X_y=True)
    if QUICK:
        X, y = X[:450], y[:450]

    address = os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address:
        client, cluster = Client(address), None
    else:
        cluster = LocalCluster(
            n_workers=2, threads_per_worker=1, dashboard_address=None
        )
        client = Client(cluster)
    try:
        print(f"Dask cluster: {len(client.scheduler_info()['workers'])} workers")
        remote = make_search(n_jobs=-1)
        with joblib.parallel_config(backend="dask"):
            remote_seconds = timed_fit(remote, X, y)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()

    local = make_search(n_jobs=2)
    with joblib.parallel_config(backend="loky"):
        local_seconds = timed_fit(local, X, y)

    print(f"dask: {remote_seconds:.1f} s, best {remote.best_params_}")
    print(f"loky: {local_seconds:.1f} s, best {local.best_params_}")
    print("mean test accuracy per candidate (dask):")
    for params, score in zip(
        remote.cv_results_["params"], remote.cv_results_["mean_test_score"]
    ):
        short = {name.split("__")[1]: value for name, value in params.items()}
        print(f"  {short}: {score:.4f}")

    same = remote.best_params_ == local.best_params_ and np.array_equal(
        remote.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"]
    )
    print("same results on the cluster and locally:", same)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
