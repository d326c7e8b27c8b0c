"""Peak memory of predict on a large X, against the memory of X itself.

Run it from the repository root::

    python benchmarks/predict_memory.py            # 2,000,000 x 100, hidden (256, 256)
    python benchmarks/predict_memory.py --quick    # 200,000 x 100, seconds
    python benchmarks/predict_memory.py --rows 500000 --features 50 --hidden 64

The claim measured: ``predict`` on 2,000,000 rows x 100 features with hidden
layers (256, 256) peaks at no more than 1.5 x the memory of X itself beyond
the model. predict works through the rows in chunks of
``mlpinit._estimator.base.PREDICT_CHUNK_ROWS``, so besides X it holds one chunk's
activations and the output.

Each estimator is measured in a fresh subprocess, twice:

- **peak RSS**: the process's resident memory after the interpreter, the
  libraries and the fitted model are loaded is the baseline. X is then filled
  block by block (so that making it costs no temporary copy), Linux's peak
  counter is reset (``/proc/self/clear_refs``), predict runs, and the peak
  resident memory (``VmHWM``) is read. Reported: ``(peak - baseline) /
  X.nbytes``, the figure the claim bounds (X itself counts as 1.0), and the
  part of it that predict added on top of X.
- **tracemalloc**: numpy reports its allocations to tracemalloc, so the
  traced peak during predict, after X exists, is what predict allocated:
  the output plus the chunk buffers.

Outputs: a table on stdout and ``predict_memory.json`` in ``--out`` (default
``benchmarks/results/``, which git ignores). Linux only (``/proc``).
"""

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from _arguments import positive_int, ready_out_folder

DEFAULT_OUT = Path(__file__).resolve().parent / "results"
LIMIT = 1.5

_CHILD = r"""
import gc, json, sys, time, tracemalloc, warnings
import numpy as np
from mlpinit import MLPClassifier, MLPRegressor
from mlpinit._estimator.base import PREDICT_CHUNK_ROWS

cfg = json.loads(sys.argv[1])


def status(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise RuntimeError(field)


def reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


dtype = np.dtype(cfg["dtype"])
rng = np.random.default_rng(0)
X_small = rng.standard_normal((2000, cfg["features"])).astype(dtype)
if cfg["estimator"] == "classifier":
    est = MLPClassifier(hidden_layer_sizes=tuple(cfg["hidden"]), max_iter=1,
                        random_state=0)
    y_small = rng.integers(0, cfg["classes"], size=2000)
else:
    est = MLPRegressor(hidden_layer_sizes=tuple(cfg["hidden"]), max_iter=1,
                       random_state=0)
    y_small = X_small[:, 0].astype(np.float64)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    est.fit(X_small, y_small)
method = getattr(est, cfg["method"])
method(X_small[:10])  # load whatever predict loads lazily
del X_small, y_small
model_bytes = sum(a.nbytes for a in est.coefs_ + est.intercepts_)
gc.collect()
baseline = status("VmRSS")

# X, filled block by block: no temporary as large as X.
X = np.empty((cfg["rows"], cfg["features"]), dtype=dtype)
for start in range(0, cfg["rows"], 65536):
    block = X[start:start + 65536]
    block[...] = rng.standard_normal(block.shape, dtype=np.float64)
after_X = status("VmRSS")

result = {"baseline_rss": baseline, "rss_with_X": after_X,
          "model_bytes": model_bytes, "X_bytes": X.nbytes,
          "chunk_rows": PREDICT_CHUNK_ROWS}
if cfg["mode"] == "rss":
    result["peak_reset"] = reset_peak()
    start = time.perf_counter()
    out = method(X)
    result["seconds"] = time.perf_counter() - start
    result["peak_rss"] = status("VmHWM")
    result["output_bytes"] = out.nbytes
else:
    tracemalloc.start()
    tracemalloc.reset_peak()
    out = method(X)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result["traced_peak"] = peak
    result["output_bytes"] = out.nbytes
print(json.dumps(result))
"""


def measure(config):
    """Run one configuration in a fresh interpreter; return its figures."""
    child = subprocess.run(
        [sys.executable, "-c", _CHILD, json.dumps(config)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(child.stdout.strip().splitlines()[-1])


def run(rows, features, hidden, dtype, cases):
    """Measure each (estimator, method, classes) case; return rows of results."""
    results = []
    for estimator, method, classes in cases:
        config = dict(
            rows=rows,
            features=features,
            hidden=hidden,
            dtype=dtype,
            estimator=estimator,
            method=method,
            classes=classes,
        )
        rss = measure({**config, "mode": "rss"})
        traced = measure({**config, "mode": "tracemalloc"})
        x_bytes = rss["X_bytes"]
        beyond_model = rss["peak_rss"] - rss["baseline_rss"]
        results.append(
            {
                **config,
                "X_bytes": x_bytes,
                "model_bytes": rss["model_bytes"],
                "output_bytes": rss["output_bytes"],
                "peak_rss_beyond_model": beyond_model,
                "ratio_to_X": beyond_model / x_bytes,
                "added_by_predict_rss": rss["peak_rss"] - rss["rss_with_X"],
                "added_by_predict_traced": traced["traced_peak"],
                "traced_ratio_to_X": traced["traced_peak"] / x_bytes,
                "peak_counter_reset": rss["peak_reset"],
                "predict_seconds": rss["seconds"],
                "chunk_rows": rss["chunk_rows"],
            }
        )
    return results


def print_table(results):
    mb = 1024**2
    print(
        f"{'estimator.method':40} {'X MB':>8} {'peak-base MB':>13} {'ratio':>6} "
        f"{'predict +MB (rss)':>18} {'(traced)':>9} {'out MB':>7} {'s':>6}"
    )
    for r in results:
        name = f"{r['estimator']}.{r['method']}"
        if r["estimator"] == "classifier":
            name += f" ({r['classes']} classes)"
        print(
            f"{name:40} {r['X_bytes'] / mb:8.0f} "
            f"{r['peak_rss_beyond_model'] / mb:13.0f} {r['ratio_to_X']:6.3f} "
            f"{r['added_by_predict_rss'] / mb:18.1f} "
            f"{r['added_by_predict_traced'] / mb:9.1f} "
            f"{r['output_bytes'] / mb:7.1f} {r['predict_seconds']:6.1f}"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=positive_int, default=2_000_000)
    parser.add_argument("--features", type=positive_int, default=100)
    parser.add_argument("--hidden", type=positive_int, nargs="+", default=[256, 256])
    parser.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    parser.add_argument("--quick", action="store_true", help="200,000 rows")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not Path("/proc/self/status").exists():
        sys.exit("predict_memory.py reads /proc: Linux only.")
    ready_out_folder(parser, args.out)
    rows = 200_000 if args.quick else args.rows
    cases = [
        ("regressor", "predict", 0),
        ("classifier", "predict", 10),
        ("classifier", "predict_proba", 10),
    ]
    start = time.perf_counter()
    results = run(rows, args.features, args.hidden, args.dtype, cases)
    print_table(results)
    worst = max(r["ratio_to_X"] for r in results)
    verdict = "within" if worst <= LIMIT else "OVER"
    print(
        f"\nworst peak beyond the model: {worst:.3f} x X ({verdict} the "
        f"{LIMIT} x limit); {time.perf_counter() - start:.0f} s in all"
    )
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "predict_memory.json"
    path.write_text(
        json.dumps(
            {
                "limit": LIMIT,
                "worst_ratio": worst,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "cpus": os.cpu_count(),
                "results": results,
            },
            indent=2,
        )
    )
    print(f"wrote {path}")
    return 0 if worst <= LIMIT else 1


if __name__ == "__main__":
    sys.exit(main())
