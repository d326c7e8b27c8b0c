"""The default ``init`` against scikit-learn's scheme on the benchmark's workloads.

For each training workload of :func:`mlpinit.benchmark.default_workloads`
(trained as the benchmark trains them: adam, batch 200, a fixed number of
epochs), this fits mlpinit's classifier or regressor from several weight
seeds with:

- ``init="auto"``, the default (``"sklearn"`` on these shallow networks);
- ``init="sklearn"``, scikit-learn's own scheme;
- ``init="he"``, which ``"auto"`` was on these ReLU networks before;
- ``init="lsuv"``, with its cost against one training epoch.

It prints each init's test score, mean and standard deviation over the seeds
(the seed-to-seed noise), whether ``"auto"`` and ``"sklearn"`` gave the same
model bit for bit, and LSUV's time as a fraction of one epoch.

Run from the repository root::

    python benchmarks/default_init.py                  # the quick workloads, 5 seeds
    python benchmarks/default_init.py --full --seeds 3 # the full-size workloads
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import mlpinit
from mlpinit.benchmark import default_workloads

INITS = ("auto", "sklearn", "he", "lsuv")


def fit(workload, init, seed, data):
    """The fitted estimator and its fit time in seconds."""
    X_train, _, y_train, _ = data
    name = "MLPClassifier" if workload.task == "classification" else "MLPRegressor"
    estimator = getattr(mlpinit, name)(
        hidden_layer_sizes=workload.hidden,
        solver=workload.solver,
        batch_size=workload.batch_size,
        max_iter=workload.epochs,
        tol=0.0,
        n_iter_no_change=workload.epochs + 1,
        init=init,
        random_state=seed,
    )
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        estimator.fit(X_train, y_train)
    return estimator, time.perf_counter() - start


def same_model(a, b):
    return all(
        np.array_equal(p, q)
        for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="full-size workloads")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workloads", default="digits,wide,regression,tall")
    args = parser.parse_args()
    names = args.workloads.split(",")
    print("| workload | " + " | ".join(INITS) + " | auto == sklearn | LSUV / epoch |")
    print("|---" * (len(INITS) + 3) + "|")
    for workload in default_workloads(quick=not args.full):
        if workload.name not in names:
            continue
        data = workload.data(np.float64, 0)
        scores = {init: [] for init in INITS}
        identical, lsuv_ratio = True, []
        for seed in range(args.seeds):
            models = {}
            for init in INITS:
                models[init], seconds = fit(workload, init, seed, data)
                scores[init].append(models[init].score(data[1], data[3]))
                if init == "lsuv":
                    # LSUV's seconds against the mean epoch of this fit.
                    epoch = (seconds - models[init].lsuv_record_["seconds"]) / (
                        workload.epochs
                    )
                    lsuv_ratio.append(models[init].lsuv_record_["seconds"] / epoch)
            identical &= same_model(models["auto"], models["sklearn"])
        cells = [
            f"{np.mean(scores[i]):.4f} ± {np.std(scores[i], ddof=1):.4f}" for i in INITS
        ]
        print(
            f"| {workload.name} | "
            + " | ".join(cells)
            + f" | {identical} | {np.median(lsuv_ratio):.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
