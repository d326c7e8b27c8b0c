"""The cost of one training batch, this tree against a git revision, paired.

Run it from the repository root::

    python benchmarks/batch_overhead.py                 # against main
    python benchmarks/batch_overhead.py --base cf11720  # against a commit
    python benchmarks/batch_overhead.py --reps 1001 --hidden 8

What it measures: ``BatchTrainer.run_epoch`` (the whole inner loop: gather,
forward, loss, backward, optimizer step) on digits-sized random data (1797
rows, 64 features, 10 classes, batch 200, Adam), for the hidden sizes given,
on one BLAS thread. A tiny net (``--hidden 8`` on 8 features) leaves almost
nothing but the fixed per-batch cost: the Python and the calls around the
GEMMs.

How: the base revision's ``src/mlpinit`` is exported with ``git archive``
into a temporary folder as the package ``mlpinit_base``, so both versions run
in one process on the same data. Their epochs alternate (ABAB, then BABA),
and the report is the median of the paired ratios new / base, with its
quartiles, beside each side's median and minimum time per batch: on a busy
machine the minimum is the least disturbed run. It also checks that both
versions train to bit-identical parameters and losses, which the fusions
promise.
"""

import argparse
import io
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import numpy as np
from _arguments import positive_int

ROOT = Path(__file__).resolve().parents[1]


def export_base(revision, folder):
    """``src/mlpinit`` at ``revision`` as the package ``mlpinit_base`` in ``folder``."""
    archive = subprocess.run(
        ["git", "archive", revision, "src/mlpinit"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    package = Path(folder) / "mlpinit_base"
    (Path(folder) / "src" / "mlpinit").rename(package)
    for path in package.rglob("*.py"):
        text = path.read_text()
        path.write_text(re.sub(r"\bmlpinit(?=[.\s])", "mlpinit_base", text))
    sys.path.insert(0, str(folder))


def _modules(prefix):
    import importlib

    return [
        importlib.import_module(f"{prefix}._core.{name}")
        for name in ("network", "training", "optimizers")
    ]


def _setup(modules, hidden, n_features, dtype, sample_weight):
    network, training, optimizers = modules
    rng = np.random.default_rng(0)
    X = rng.standard_normal((1797, n_features)).astype(dtype)
    Y = np.eye(10, dtype=dtype)[rng.integers(0, 10, 1797)]
    weights = rng.random(1797) if sample_weight else None
    layout = network.NetworkLayout([n_features, *hidden, 10])
    theta = (rng.standard_normal(layout.size) * 0.05).astype(dtype)
    trainer = training.BatchTrainer(layout, X, Y, weights, 200, 1e-4, "relu", "softmax")
    adam = optimizers.Adam(layout.size, dtype, 1e-3, 0.9, 0.999, 1e-8)
    return trainer, adam, theta, rng.permutation(1797)


def compare(hidden, n_features, dtype, sample_weight, reps):
    """One row: per-batch microseconds of base and new, and their ratios."""
    sides = [
        _setup(_modules(prefix), hidden, n_features, dtype, sample_weight)
        for prefix in ("mlpinit_base", "mlpinit")
    ]
    losses = [[], []]
    for _ in range(3):  # compile, warm the caches
        for side, loss in zip(sides, losses):
            trainer, adam, theta, order = side
            loss.append(trainer.run_epoch(theta, adam, order))
    times = [[], []]
    n_batches = -(-1797 // 200)
    for rep in range(reps):
        for index in (0, 1) if rep % 2 == 0 else (1, 0):
            trainer, adam, theta, order = sides[index]
            start = time.perf_counter()
            trainer.run_epoch(theta, adam, order)
            times[index].append((time.perf_counter() - start) / n_batches * 1e6)
    base, new = (np.array(t) for t in times)
    ratio = new / base
    identical = losses[0] == losses[1] and np.array_equal(sides[0][2], sides[1][2])
    return {
        "hidden": hidden,
        "features": n_features,
        "dtype": np.dtype(dtype).name,
        "sample_weight": sample_weight,
        "base_median_us": float(np.median(base)),
        "new_median_us": float(np.median(new)),
        "base_min_us": float(base.min()),
        "new_min_us": float(new.min()),
        "ratio_median": float(np.median(ratio)),
        "ratio_q25": float(np.quantile(ratio, 0.25)),
        "ratio_q75": float(np.quantile(ratio, 0.75)),
        "bit_identical": bool(identical),
    }


def _hidden(text):
    sizes = tuple(positive_int(part) for part in text.split(","))
    return sizes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--base", default="main", help="git revision to compare with")
    parser.add_argument(
        "--hidden",
        type=_hidden,
        nargs="+",
        default=[(8,), (100,), (256, 256, 256)],
        help="hidden sizes, comma-separated per net (default: 8 100 256,256,256)",
    )
    parser.add_argument("--reps", type=positive_int, default=201)
    args = parser.parse_args(argv)
    from threadpoolctl import threadpool_limits

    with tempfile.TemporaryDirectory() as folder:
        export_base(args.base, folder)
        print(f"base {args.base}; load average {os.getloadavg()}")
        with threadpool_limits(1):
            for hidden in args.hidden:
                n_features = 8 if max(hidden) <= 8 else 64
                reps = args.reps if sum(hidden) < 500 else max(11, args.reps // 10)
                for dtype, weighted in (
                    (np.float64, False),
                    (np.float32, False),
                    (np.float64, True),
                ):
                    row = compare(hidden, n_features, dtype, weighted, reps)
                    print(
                        f"{str(row['hidden']):16s} {row['dtype']:7s} "
                        f"sw={int(weighted)} per batch: base "
                        f"{row['base_median_us']:8.1f} us (min "
                        f"{row['base_min_us']:7.1f}), new {row['new_median_us']:8.1f}"
                        f" us (min {row['new_min_us']:7.1f}); new/base median "
                        f"{row['ratio_median']:.3f} [{row['ratio_q25']:.3f}, "
                        f"{row['ratio_q75']:.3f}]; bit-identical "
                        f"{row['bit_identical']}"
                    )
        print(f"load average {os.getloadavg()}")


if __name__ == "__main__":
    main()
