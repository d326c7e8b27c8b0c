"""Fit every model on every data set and split, with a results cache.

Each fit runs under ``threadpool_limits(1)`` (one BLAS thread, for every
library alike), and its ``fit`` alone is timed. The score is test accuracy
(classification) or R² on the original ``y`` (regression).

The cache is one JSON line per (model, config hash, data set, data
fingerprint, split), appended to ``<cache_dir>/results.jsonl`` as each fit
finishes: a rerun, or an ablation that adds one model, fits only what is
missing. The config hash is taken from the estimator's ``get_params`` and
the versions of mlpinit and scikit-learn, so a changed parameter or library
refits; a change in the library's code under the same version does not, so
pass ``cache_dir=None`` (``--no-cache``) when timing or testing new code.
"""

import hashlib
import json
import os
import time
import warnings
from pathlib import Path

from sklearn.base import BaseEstimator
from sklearn.metrics import accuracy_score, r2_score
from threadpoolctl import threadpool_limits

from mlpinit.benchmark.tabular import datasets as _datasets
from mlpinit.benchmark.tabular.splits import DEFAULT_SPLITS, split_indices

CACHE_FILE = "results.jsonl"


def _describe(value):
    """A stable text for one parameter value (estimators are described by
    their own parameters, which ``get_params(deep=True)`` lists)."""
    if isinstance(value, BaseEstimator):
        return type(value).__qualname__
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_describe(item) for item in value) + "]"
    return repr(value)


def config_hash(estimator):
    """A short hash of an estimator's class, parameters and library versions.

    ``random_state`` is left out: the split number sets it, and the cache
    key holds the split.
    """
    import sklearn

    import mlpinit

    params = estimator.get_params(deep=True)
    text = [type(estimator).__qualname__, mlpinit.__version__, sklearn.__version__]
    for key in sorted(params):
        if key == "random_state" or key.endswith("__random_state"):
            continue
        text.append(f"{key}={_describe(params[key])}")
    return hashlib.sha256("\n".join(text).encode()).hexdigest()[:16]


def score(task, y_true, y_pred):
    """Accuracy for classification, R² for regression."""
    if task == "classification":
        return float(accuracy_score(y_true, y_pred))
    return float(r2_score(y_true, y_pred))


def fit_and_score(estimator, task, X, y, train, test):
    """Fit on one thread; the test score and the seconds of ``fit``."""
    with threadpool_limits(limits=1), warnings.catch_warnings():
        # Not converging within max_iter is part of a default's result here.
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        estimator.fit(X[train], y[train])
        seconds = time.perf_counter() - start
        predicted = estimator.predict(X[test])
    return score(task, y[test], predicted), seconds


def _warm_up(factory, task, X, y, train):
    """One untimed fit on a few rows, so that a model's first timed fit does
    not include one-off costs of the process (imports, numba's kernels)."""
    rows = train[: min(len(train), 60)]
    if task == "classification" and len(set(y[rows].tolist())) < 2:
        rows = train
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        factory(task, 0).fit(X[rows], y[rows])


class ResultsCache:
    """The JSON-lines cache of finished fits (None folder: no cache).

    Parameters
    ----------
    folder : str or Path or None
        Where ``results.jsonl`` lives; created when first written.
    """

    def __init__(self, folder):
        self.path = None if folder is None else Path(folder) / CACHE_FILE
        self._records = {}
        if self.path is not None and self.path.exists():
            for line in self.path.read_text().splitlines():
                try:
                    record = json.loads(line)
                    self._records[self.key(record)] = record
                except (json.JSONDecodeError, KeyError):
                    continue  # a line cut short by an interrupted run

    @staticmethod
    def key(record):
        """(model, config, dataset, fingerprint, split) of a record."""
        return (
            record["model"],
            record["config"],
            record["dataset"],
            record["fingerprint"],
            record["split"],
        )

    def get(self, key):
        """The cached record of ``key``, or None."""
        return self._records.get(key)

    def put(self, record):
        """Keep ``record``, and append it to the file."""
        self._records[self.key(record)] = record
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path, "a") as stream:
            stream.write(json.dumps(record) + "\n")


def _dataset_specs(names):
    if names is None:
        return list(_datasets.SPECS)
    unknown = [name for name in names if name not in _datasets.DATASETS]
    if unknown:
        raise ValueError(
            f"unknown data sets {unknown}; choose from {sorted(_datasets.DATASETS)}"
        )
    return [_datasets.DATASETS[name] for name in dict.fromkeys(names)]


def run_suite(models, datasets=None, n_splits=DEFAULT_SPLITS, cache_dir=None, log=None):
    """Fit each model on each data set's splits and score it.

    Parameters
    ----------
    models : dict of str to callable
        ``name -> factory(task, random_state) -> estimator``, e.g.
        :func:`~mlpinit.benchmark.tabular.models.default_models`.
    datasets : sequence of str, optional
        Names of :data:`~mlpinit.benchmark.tabular.datasets.DATASETS`;
        default all. Sets whose package is not installed are skipped and
        listed in ``"unavailable"``.
    n_splits : int, default=3
        Splits 0..n_splits-1 of each set (80/20, seed = split number).
    cache_dir : str or Path, optional
        Folder of the results cache; None fits everything afresh.
    log : callable, optional
        Called with one line per finished fit.

    Returns
    -------
    dict
        ``"results"``: one dict per fit (model, config, dataset, task,
        fingerprint, split, score, fit_seconds, load: the 1-minute load
        average when the fit started, cached); ``"models"``,
        ``"datasets"``: the names, in order; ``"fingerprints"``: data set
        name to the hash of its ``X`` and ``y``; ``"n_splits"``;
        ``"unavailable"``: the data sets skipped.
    """
    if isinstance(n_splits, bool) or not isinstance(n_splits, int) or n_splits < 1:
        raise ValueError(f"n_splits must be a positive integer, got {n_splits!r}")
    if not models:
        raise ValueError("models needs at least one entry")
    specs = _dataset_specs(datasets)
    cache = ResultsCache(cache_dir)
    results, fingerprints, unavailable, warmed = [], {}, [], set()
    for spec in specs:
        if not _datasets.available(spec):
            unavailable.append(spec.name)
            continue
        X, y = _datasets.load(spec)
        digest = fingerprints[spec.name] = _datasets.fingerprint(X, y)
        for split in range(n_splits):
            train, test = split_indices(y, spec.task, split)
            for name, factory in models.items():
                estimator = factory(spec.task, split)
                key = (name, config_hash(estimator), spec.name, digest, split)
                record = cache.get(key)
                if record is None:
                    if name not in warmed:
                        _warm_up(factory, spec.task, X, y, train)
                        warmed.add(name)
                    # The machine's load when the fit ran, kept with its
                    # time: a cached fit's seconds come from another run.
                    load = os.getloadavg()[0]
                    value, seconds = fit_and_score(
                        estimator, spec.task, X, y, train, test
                    )
                    record = dict(
                        zip(
                            ("model", "config", "dataset", "fingerprint", "split"), key
                        ),
                        task=spec.task,
                        score=value,
                        fit_seconds=seconds,
                        load=round(load, 2),
                    )
                    cache.put(record)
                    cached = False
                else:
                    cached = True
                results.append(dict(record, cached=cached))
                if log is not None:
                    note = " (cached)" if cached else ""
                    log(
                        f"{spec.name} split {split} {name}: {record['score']:.4f}, "
                        f"{record['fit_seconds']:.2f} s{note}"
                    )
    return {
        "results": results,
        "models": list(models),
        "datasets": list(fingerprints),
        "fingerprints": fingerprints,
        "n_splits": n_splits,
        "unavailable": unavailable,
    }
