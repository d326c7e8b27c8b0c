"""Command line: ``python -m mlpinit benchmark [--quick] [--json F] [--plot F]``."""

import argparse
import sys


def main(argv=None):
    """Entry point of ``python -m mlpinit`` and the ``mlpinit`` script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status.
    """
    parser = argparse.ArgumentParser(prog="python -m mlpinit")
    commands = parser.add_subparsers(dest="command", required=True)
    bench = commands.add_parser(
        "benchmark", help="mlpinit against sklearn.neural_network, side by side"
    )
    bench.add_argument(
        "--quick", action="store_true", help="small sizes, under a minute"
    )
    bench.add_argument("--json", metavar="PATH", help="also write the table as JSON")
    bench.add_argument(
        "--plot", metavar="PATH", help="also save a speedup figure (PNG)"
    )
    bench.add_argument(
        "--workloads",
        nargs="+",
        choices=["digits", "wide", "regression", "tall", "predict"],
        help="run only these workloads",
    )
    bench.add_argument(
        "--dtypes",
        nargs="+",
        default=["float64", "float32"],
        choices=["float64", "float32"],
    )
    bench.add_argument(
        "--inits",
        nargs="+",
        default=["sklearn", "auto"],
        help="mlpinit init values to compare (default: sklearn auto)",
    )
    bench.add_argument(
        "--threads",
        type=int,
        default=None,
        help="BLAS threads for both libraries (default: all CPUs)",
    )
    bench.add_argument(
        "--torch",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="add PyTorch (same network, batches, loss and Adam) to the Adam rows "
        "(default: when torch is installed)",
    )
    args = parser.parse_args(argv)

    from mlpinit.benchmark import format_table, plot_speedups, run_benchmark, save_json

    rows = run_benchmark(
        quick=args.quick,
        dtypes=args.dtypes,
        inits=args.inits,
        workloads=args.workloads,
        threads=args.threads,
        torch=args.torch,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(format_table(rows))
    if args.json:
        save_json(rows, args.json)
    if args.plot:
        plot_speedups(rows, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
