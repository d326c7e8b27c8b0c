"""How mlpinit's training time per epoch scales with rows, width and depth.

Run it from the repository root::

    python benchmarks/scaling.py --quick        # seconds, small sizes
    python benchmarks/scaling.py                # full ranges, a few minutes
    python benchmarks/scaling.py --threads 2 --out /tmp/scaling

Three sweeps, each with everything else fixed (Adam, batch size 200, BLAS
threads pinned with threadpoolctl):

- ``n_samples``: 10k to 1M rows, 20 features, hidden (64, 64);
- ``width``: two hidden layers of 32 to 2048 units, 10k rows, 100 features;
- ``depth``: 1 to 16 hidden layers of 128 units, 20k rows, 128 features (so
  that every layer costs the same).

Each point is the median time of a few ``partial_fit`` epochs (after an
untimed warm-up call), timed in rounds across the sizes of a sweep so that
bursts of load from other processes spread over the sizes. Per sweep the
script fits the exponent ``k`` of ``time ~ size**k`` by least squares on
``log(time)`` against ``log(size)``, using only the upper part of the range
(``fit_min`` and above) where the fixed per-epoch and per-batch overheads no
longer dominate. Expected: about 1
in rows and in depth, about 2 in width (the hidden-to-hidden GEMMs and the
Adam update are quadratic in width). The table also gives the exponent fitted
on each point's fastest epoch, a check that is less sensitive to load.

Outputs in ``--out`` (default ``benchmarks/results/``, which git ignores):
``scaling.json`` and ``scaling_<sweep>.png`` (log-log; skipped with a message
when matplotlib is missing). Timings on a shared machine are noisy: read the
exponents and ratios, not the absolute seconds.

The functions here (:func:`fit_exponent`, :func:`run_sweep`,
:func:`write_outputs`, ...) are importable; ``tests/test_scaling.py`` tests
them on synthetic data and on a tiny sweep.
"""

import argparse
import json
import math
import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _arguments import positive_int, ready_out_folder

BATCH_SIZE = 200
DEFAULT_OUT = Path(__file__).resolve().parent / "results"


@dataclass
class Sweep:
    """One sweep: a parameter that varies and how each value builds a network.

    Parameters
    ----------
    name : str
        ``n_samples``, ``width`` or ``depth`` (used in file names).
    values : list of int
        The sizes, increasing.
    n_samples, n_features : int
        Rows and features when they are not the swept parameter.
    width, depth : int
        Hidden layer width and number of hidden layers when not swept.
    fit_min : int
        Smallest size that enters the exponent fit.
    expected : float
        The exponent the cost model predicts, for the table.
    """

    name: str
    values: list
    n_samples: int = 10_000
    n_features: int = 20
    width: int = 64
    depth: int = 2
    fit_min: int = 0
    expected: float = 1.0

    def config(self, value):
        """``(n_samples, n_features, hidden)`` of the point at ``value``."""
        n, width, depth = self.n_samples, self.width, self.depth
        if self.name == "n_samples":
            n = value
        elif self.name == "width":
            width = value
        elif self.name == "depth":
            depth = value
        else:
            raise ValueError(f"unknown sweep {self.name!r}")
        return n, self.n_features, (width,) * depth


def default_sweeps(quick=False):
    """The three sweeps; ``quick`` shrinks them to a run of seconds."""
    if quick:
        return [
            Sweep(
                "n_samples",
                [1000, 2000, 4000, 8000],
                n_features=20,
                width=64,
                depth=2,
                fit_min=2000,
                expected=1.0,
            ),
            Sweep(
                "width",
                [16, 32, 64, 128, 256],
                n_samples=1000,
                n_features=100,
                depth=2,
                fit_min=64,
                expected=2.0,
            ),
            Sweep(
                "depth",
                [1, 2, 4, 8],
                n_samples=2000,
                n_features=128,
                width=128,
                fit_min=2,
                expected=1.0,
            ),
        ]
    return [
        Sweep(
            "n_samples",
            [10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000],
            n_features=20,
            width=64,
            depth=2,
            fit_min=100_000,
            expected=1.0,
        ),
        Sweep(
            "width",
            [32, 64, 128, 256, 512, 1024, 2048],
            n_samples=10_000,
            n_features=100,
            depth=2,
            fit_min=256,
            expected=2.0,
        ),
        Sweep(
            "depth",
            [1, 2, 4, 8, 16],
            n_samples=20_000,
            n_features=128,
            width=128,
            fit_min=4,
            expected=1.0,
        ),
    ]


# -- the fit --------------------------------------------------------------------
def fit_exponent(sizes, seconds, fit_min=0):
    """Least-squares slope of ``log(seconds)`` against ``log(sizes)``.

    Parameters
    ----------
    sizes, seconds : sequence of float
        Positive sizes and times, one per point.
    fit_min : float, default=0
        Only points with ``size >= fit_min`` enter the fit.

    Returns
    -------
    dict
        ``exponent`` (the slope), ``coefficient`` (``c`` in ``c * size**k``),
        ``r2`` of the log-log fit, and ``sizes_used``.

    Raises
    ------
    ValueError
        If fewer than two distinct sizes are at or above ``fit_min``, or a
        used size or time is not positive.
    """
    sizes = np.asarray(sizes, dtype=float)
    seconds = np.asarray(seconds, dtype=float)
    if sizes.shape != seconds.shape or sizes.ndim != 1:
        raise ValueError("sizes and seconds must be 1-D of the same length")
    used = sizes >= fit_min
    x, y = sizes[used], seconds[used]
    if len(np.unique(x)) < 2:
        raise ValueError(
            f"need at least two distinct sizes >= {fit_min} to fit an exponent, "
            f"got {x.tolist()}"
        )
    if not (np.all(x > 0) and np.all(y > 0) and np.all(np.isfinite(y))):
        raise ValueError("sizes and times must be positive and finite")
    log_x, log_y = np.log(x), np.log(y)
    A = np.column_stack([log_x, np.ones_like(log_x)])
    (slope, intercept), *_ = np.linalg.lstsq(A, log_y, rcond=None)
    residual = log_y - A @ np.array([slope, intercept])
    total = log_y - log_y.mean()
    ss_tot = float(total @ total)
    r2 = 1.0 - float(residual @ residual) / ss_tot if ss_tot > 0 else 1.0
    return {
        "exponent": float(slope),
        "coefficient": float(math.exp(intercept)),
        "r2": r2,
        "sizes_used": [int(s) if float(s).is_integer() else float(s) for s in x],
    }


# -- timing ----------------------------------------------------------------------
def _data(n_samples, n_features, dtype, seed):
    rng = np.random.RandomState(seed)
    X = rng.standard_normal((n_samples, n_features)).astype(dtype)
    w = rng.standard_normal(n_features) / math.sqrt(n_features)
    y = (np.tanh(X @ w) + 0.1 * rng.standard_normal(n_samples)).astype(dtype)
    return X, y


def prepare_point(
    n_samples, n_features, hidden, *, dtype="float64", seed=0, batch_size=BATCH_SIZE
):
    """Data and a warmed-up model for one point; returns a function timing one epoch.

    An ``MLPRegressor`` (Adam, ``batch_size``) is called once on a few
    batches (initialization, first-call costs, untimed). Each call of the
    returned function runs one full ``partial_fit`` epoch and returns its
    seconds; the caller sets the BLAS threads.
    """
    from mlpinit import MLPRegressor

    X, y = _data(n_samples, n_features, dtype, seed)
    model = MLPRegressor(
        hidden_layer_sizes=hidden,
        solver="adam",
        batch_size=batch_size,
        random_state=np.random.RandomState(seed),
        tol=0.0,
    )
    n_warm = min(n_samples, 4 * batch_size)
    model.partial_fit(X[:n_warm], y[:n_warm])

    def epoch():
        start = time.perf_counter()
        model.partial_fit(X, y)
        seconds = time.perf_counter() - start
        if not np.isfinite(model.loss_):
            raise RuntimeError(
                f"training diverged at {n_samples}x{n_features} {hidden}"
            )
        return seconds

    return epoch


def run_sweep(sweep, *, epochs=3, threads=1, dtype="float64", log=print, prepare=None):
    """Time every point of ``sweep`` and fit its exponent.

    The points are timed in rounds, one epoch of each point per round
    (ascending, then descending sizes in the next round), so that a burst of
    load from other processes on a shared machine falls on several sizes
    rather than on all the epochs of one. Each point's time is the median of
    its ``epochs`` epochs; the fit on the fastest epoch of each point is kept
    too, as a check that is less sensitive to load.

    Parameters
    ----------
    sweep : Sweep
    epochs : int
        Rounds, that is timed epochs per point.
    threads : int
        BLAS threads (threadpoolctl) for the whole sweep.
    dtype : str
    log : callable
        Receives one line per point.
    prepare : callable, optional
        Replaces :func:`prepare_point` (same signature); for tests.

    Returns
    -------
    dict
        ``name``, ``expected``, ``fit_min``, ``points`` (one dict per size:
        ``size``, ``n_samples``, ``n_features``, ``hidden``, ``epoch_seconds``,
        ``seconds_per_epoch``, ``min_seconds``), ``fit`` (on the medians, see
        :func:`fit_exponent`) and ``fit_min_epoch`` (on the fastest epochs).
    """
    from threadpoolctl import threadpool_limits

    prepare = prepare or prepare_point
    configs = [sweep.config(value) for value in sweep.values]
    times = [[] for _ in configs]
    with threadpool_limits(limits=threads, user_api="blas"):
        epoch_fns = [prepare(n, d, hidden, dtype=dtype) for n, d, hidden in configs]
        for round_ in range(epochs):
            order = range(len(configs))
            for i in order if round_ % 2 == 0 else reversed(order):
                times[i].append(float(epoch_fns[i]()))
    points = []
    for value, (n, d, hidden), epoch_seconds in zip(sweep.values, configs, times):
        point = {
            "size": int(value),
            "n_samples": n,
            "n_features": d,
            "hidden": list(hidden),
            "epoch_seconds": epoch_seconds,
            "seconds_per_epoch": float(np.median(epoch_seconds)),
            "min_seconds": float(np.min(epoch_seconds)),
        }
        points.append(point)
        log(
            f"  {sweep.name}={value}: {point['seconds_per_epoch']:.4g} s/epoch median, "
            f"{point['min_seconds']:.4g} min "
            f"({n}x{d}, hidden {len(hidden)}x{hidden[0]})"
        )
    sizes = [p["size"] for p in points]
    medians = [p["seconds_per_epoch"] for p in points]
    fastest = [p["min_seconds"] for p in points]
    return {
        "name": sweep.name,
        "expected": sweep.expected,
        "fit_min": sweep.fit_min,
        "points": points,
        "fit": fit_exponent(sizes, medians, sweep.fit_min),
        "fit_min_epoch": fit_exponent(sizes, fastest, sweep.fit_min),
    }


# -- reporting -------------------------------------------------------------------
def format_table(results):
    """The exponent per sweep as a markdown table."""
    lines = [
        "| sweep | range | points in fit | exponent (median epochs) | R^2 "
        "| exponent (fastest epochs) | expected | time ratio largest/smallest |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        sizes = [p["size"] for p in r["points"]]
        secs = [p["seconds_per_epoch"] for p in r["points"]]
        used = r["fit"]["sizes_used"]
        lines.append(
            f"| {r['name']} | {sizes[0]}..{sizes[-1]} ({len(sizes)} points) "
            f"| {', '.join(str(s) for s in used)} | {r['fit']['exponent']:.2f} "
            f"| {r['fit']['r2']:.3f} | {r['fit_min_epoch']['exponent']:.2f} "
            f"| ~{r['expected']:g} "
            f"| {secs[-1] / secs[0]:.1f}x for {sizes[-1] / sizes[0]:g}x size |"
        )
    return "\n".join(lines)


def plot_sweep(result, path):
    """Save a log-log figure of one sweep's times and fitted line to ``path``.

    Returns ``path``, or None when matplotlib cannot be imported.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    sizes = np.array([p["size"] for p in result["points"]], dtype=float)
    secs = np.array([p["seconds_per_epoch"] for p in result["points"]])
    fit = result["fit"]
    used = sizes >= result["fit_min"]
    fig, ax = plt.subplots(figsize=(5.5, 4))
    ax.loglog(
        sizes[~used],
        secs[~used],
        "o",
        mfc="none",
        color="tab:blue",
        label="measured (not in fit)",
    )
    ax.loglog(sizes[used], secs[used], "o", color="tab:blue", label="measured (fit)")
    grid = np.geomspace(sizes[used].min(), sizes[used].max(), 50)
    ax.loglog(
        grid,
        fit["coefficient"] * grid ** fit["exponent"],
        "-",
        color="tab:red",
        label=f"fit: exponent {fit['exponent']:.2f}",
    )
    anchor = secs[used][-1] * (grid / sizes[used][-1]) ** result["expected"]
    ax.loglog(grid, anchor, ":", color="gray", label=f"slope {result['expected']:g}")
    ax.set_xlabel(result["name"])
    ax.set_ylabel("seconds per epoch (median)")
    ax.set_title(f"mlpinit training time vs {result['name']}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def environment(threads, dtype, quick):
    """What the JSON records about the run."""
    import sklearn
    import threadpoolctl

    import mlpinit

    try:
        load = os.getloadavg()
    except OSError:  # pragma: no cover - not on every platform
        load = None
    return {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "mlpinit": mlpinit.__version__,
        "cpus": os.cpu_count(),
        "load_average_at_end": load,
        "threads": threads,
        "dtype": dtype,
        "batch_size": BATCH_SIZE,
        "solver": "adam",
        "quick": quick,
        "blas": [
            {k: info.get(k) for k in ("internal_api", "version", "num_threads")}
            for info in threadpoolctl.threadpool_info()
        ],
    }


def write_outputs(results, out_dir, meta=None, log=print):
    """Write ``scaling.json`` and one ``scaling_<sweep>.png`` per sweep.

    Figures are skipped, with a message to ``log``, when matplotlib is
    missing. Returns the list of paths written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = out_dir / "scaling.json"
    with open(json_path, "w") as f:
        json.dump({"environment": meta or {}, "sweeps": results}, f, indent=2)
    written = [json_path]
    for result in results:
        path = plot_sweep(result, out_dir / f"scaling_{result['name']}.png")
        if path is None:
            log("matplotlib is not installed: figures skipped (pip install matplotlib)")
            break
        written.append(path)
    return written


def main(argv=None):
    """Command line; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, seconds")
    parser.add_argument(
        "--out",
        default=str(DEFAULT_OUT),
        help="output folder (default: benchmarks/results/)",
    )
    parser.add_argument(
        "--threads",
        type=positive_int,
        default=1,
        help="BLAS threads (threadpoolctl), default 1",
    )
    parser.add_argument(
        "--epochs",
        type=positive_int,
        default=None,
        help="timed epochs per point (default 5, 2 with --quick)",
    )
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    parser.add_argument(
        "--sweeps",
        nargs="+",
        choices=["n_samples", "width", "depth"],
        help="run only these sweeps",
    )
    args = parser.parse_args(argv)
    ready_out_folder(parser, args.out)
    epochs = args.epochs or (2 if args.quick else 5)

    def log(line):
        print(line, file=sys.stderr, flush=True)

    start = time.perf_counter()
    results = []
    for sweep in default_sweeps(args.quick):
        if args.sweeps and sweep.name not in args.sweeps:
            continue
        log(f"sweep {sweep.name} (fit on sizes >= {sweep.fit_min})")
        results.append(
            run_sweep(
                sweep, epochs=epochs, threads=args.threads, dtype=args.dtype, log=log
            )
        )
    meta = environment(args.threads, args.dtype, args.quick)
    meta["epochs_per_point"] = epochs
    meta["wall_seconds"] = time.perf_counter() - start
    written = write_outputs(results, args.out, meta, log=log)
    print(format_table(results))
    log(f"wrote {', '.join(str(p) for p in written)} in {meta['wall_seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
