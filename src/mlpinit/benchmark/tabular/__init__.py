"""The real-data accuracy suite: ``python -m mlpinit benchmark --suite tabular``.

Each model of a registry is fitted on real tabular data sets that ship
inside installable packages (nothing is downloaded), on repeated 80/20
splits with fixed seeds (stratified for classification), on one thread, and
scored on the test rows (accuracy, or R² on the original ``y``). The output
gives each set's score mean ± std, each model's mean rank over the sets, its
wins / ties / losses against scikit-learn's MLP under a stated tie rule, and
its median fit seconds, as a table, JSON and a figure of rank against time.

For an ablation, pass your own registry::

    from mlpinit.benchmark.tabular import default_models, run_suite, summarize
    models = default_models()
    models["mine"] = lambda task, random_state: ...  # an unfitted estimator
    suite = run_suite(models, n_splits=3, cache_dir="tabular-cache")
    print(summarize(suite)["models"]["mine"])

Its modules:

- :mod:`~mlpinit.benchmark.tabular.datasets`: the data sets' specs, their
  loader and the preprocessing (no mlpinit import: RealMLP's environment
  loads it by file path);
- :mod:`~mlpinit.benchmark.tabular.splits`: the splits (likewise);
- :mod:`~mlpinit.benchmark.tabular.models`: the model registry;
- :mod:`~mlpinit.benchmark.tabular.runner`: the fits and the results cache;
- :mod:`~mlpinit.benchmark.tabular.external`: RealMLP-TD's results file;
- :mod:`~mlpinit.benchmark.tabular.report`: ranks, wins/ties/losses, the
  tables, JSON and the figure.
"""

import os
import platform
import time

from mlpinit.benchmark.tabular.datasets import DATASETS, PREPROCESSING, QUICK, SPECS
from mlpinit.benchmark.tabular.external import add_external
from mlpinit.benchmark.tabular.models import REALMLP, REFERENCE, default_models
from mlpinit.benchmark.tabular.report import (
    TIE_RULE,
    format_report,
    plot_rank_vs_time,
    save_json,
    summarize,
)
from mlpinit.benchmark.tabular.runner import run_suite
from mlpinit.benchmark.tabular.splits import DEFAULT_SPLITS

QUICK_SPLITS = 2

__all__ = [
    "DATASETS",
    "DEFAULT_SPLITS",
    "PREPROCESSING",
    "QUICK",
    "REALMLP",
    "REFERENCE",
    "SPECS",
    "TIE_RULE",
    "add_external",
    "default_cache_dir",
    "default_models",
    "format_report",
    "plot_rank_vs_time",
    "run_suite",
    "run_tabular",
    "save_json",
    "summarize",
]


def default_cache_dir():
    """``$XDG_CACHE_HOME/mlpinit/tabular`` (``~/.cache/mlpinit/tabular``)."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(
        os.path.expanduser("~"), ".cache"
    )
    return os.path.join(base, "mlpinit", "tabular")


def _load_average():
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run_tabular(
    models=None,
    datasets=None,
    n_splits=None,
    quick=False,
    cache_dir=None,
    realmlp=None,
    log=None,
):
    """Run the suite and summarize it: what the command line prints and saves.

    Parameters
    ----------
    models : dict, optional
        The registry; default :func:`default_models`.
    datasets : sequence of str, optional
        Default all, or :data:`QUICK` with ``quick=True``.
    n_splits : int, optional
        Default 3, or 2 with ``quick=True``.
    quick : bool, default=False
    cache_dir : str or Path, optional
        None: no cache.
    realmlp : str or Path, optional
        The results file of ``benchmarks/realmlp_runner.py``.
    log : callable, optional
        Called with one line per fit.

    Returns
    -------
    suite, summary, info : dict
        The results (:func:`run_suite`, with the external rows added), their
        summary (:func:`summarize`) and the run's information.
    """
    if datasets is None and quick:
        datasets = QUICK
    if n_splits is None:
        n_splits = QUICK_SPLITS if quick else DEFAULT_SPLITS
    load_before, start = _load_average(), time.perf_counter()
    suite = run_suite(
        default_models() if models is None else models,
        datasets=datasets,
        n_splits=n_splits,
        cache_dir=cache_dir,
        log=log,
    )
    note = add_external(suite, realmlp)
    summary = summarize(suite)
    info = {
        "quick": bool(quick),
        "n_splits": n_splits,
        "threads": 1,
        "preprocessing": PREPROCESSING,
        "tie_rule": TIE_RULE,
        "external_note": note,
        "cache_dir": None if cache_dir is None else str(cache_dir),
        "fits_from_cache": sum(r["cached"] for r in suite["results"]),
        "load_average": {"before": load_before, "after": _load_average()},
        "seconds": round(time.perf_counter() - start, 1),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "datasets": [
            {
                "name": s.name,
                "package": s.package,
                "source": s.source,
                "task": s.task,
                "rows": s.rows,
                "features": s.features,
            }
            for s in SPECS
            if s.name in suite["datasets"]
        ],
    }
    return suite, summary, info
