"""Grid search on a Dask cluster through joblib gives the local run's results."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline

from mlpinit import MeanNormStandardizer, MLPClassifier

pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")

GRID = {
    "mlpclassifier__init": ["xavier", "he", "sklearn"],
    "mlpclassifier__learning_rate_init": [1e-3, 1e-2],
}


def _search(n_jobs):
    model = make_pipeline(
        MeanNormStandardizer(),
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=15, random_state=0),
    )
    return GridSearchCV(model, GRID, cv=3, n_jobs=n_jobs)


@pytest.fixture(scope="module")
def client():
    # Worker processes, as on a real cluster: the estimators, the data and the
    # fitted results all travel between processes.
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def test_dask_grid_search_matches_local_loky(client):
    X, y = load_digits(return_X_y=True)
    X, y = X[:450], y[:450]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        with joblib.parallel_config(backend="loky", n_jobs=2):
            local = _search(n_jobs=2).fit(X, y)
        with (
            distributed.get_task_stream(client) as stream,
            joblib.parallel_config(backend="dask"),
        ):
            remote = _search(n_jobs=-1).fit(X, y)

    # The fits ran on the cluster's workers, not in this process.
    workers = {task["worker"] for task in stream.data}
    assert workers and workers <= set(client.scheduler_info()["workers"])

    assert remote.best_params_ == local.best_params_
    assert remote.best_index_ == local.best_index_
    n_candidates = len(local.cv_results_["params"])
    assert n_candidates == 6
    assert remote.cv_results_["params"] == local.cv_results_["params"]
    for key in ["mean_test_score", "std_test_score", "rank_test_score"] + [
        f"split{i}_test_score" for i in range(3)
    ]:
        np.testing.assert_array_equal(remote.cv_results_[key], local.cv_results_[key])
    np.testing.assert_array_equal(remote.predict(X), local.predict(X))


def test_dask_workers_run_one_blas_thread_each(client):
    # Each MLP fit is GEMM-bound: n workers × m BLAS threads must not exceed
    # the cores. Dask's nanny starts workers with OMP/OPENBLAS_NUM_THREADS=1.
    threadpoolctl = pytest.importorskip("threadpoolctl")

    def blas_threads():
        import numpy  # noqa: F401  (loads the BLAS)

        info = threadpoolctl.threadpool_info()
        return {d["num_threads"] for d in info if d["user_api"] == "blas"}

    per_worker = client.run(blas_threads)
    assert per_worker and all(threads <= {1} for threads in per_worker.values())
