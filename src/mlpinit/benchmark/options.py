"""The benchmark's options and their checks, shared by the command line and
:func:`mlpinit.benchmark.run_benchmark`: a bad option is refused before any
row runs, so that no finished work is thrown away for it."""

import os

from mlpinit.initializers import INIT_NAMES

WORKLOAD_NAMES = ("digits", "wide", "regression", "tall", "predict")
DTYPES = ("float64", "float32")
DEFAULT_INITS = ("sklearn", "auto")


def unique(values):
    """The values in their order, each once: a repeated name adds no row."""
    return tuple(dict.fromkeys(values))


def _check_names(option, values, allowed):
    values = unique(values)
    if not values:
        raise ValueError(f"{option} needs at least one value")
    for value in values:
        if value not in allowed:
            raise ValueError(
                f"{option}: invalid choice: {value!r} "
                f"(choose from {', '.join(map(repr, allowed))})"
            )
    return values


def check_options(dtypes, inits, workloads, threads):
    """The options, checked and without repeats; a ValueError names a bad one.

    Parameters
    ----------
    dtypes, inits : sequence of str
    workloads : sequence of str or None
        None means every workload.
    threads : int or None
        None means every CPU; at most the machine's CPUs.

    Returns
    -------
    dtypes, inits, workloads : tuple of str
    threads : int
    """
    dtypes = _check_names("dtypes", dtypes, DTYPES)
    inits = _check_names("inits", inits, INIT_NAMES)
    if workloads is None:
        workloads = WORKLOAD_NAMES
    workloads = _check_names("workloads", workloads, WORKLOAD_NAMES)
    cpus = os.cpu_count() or 1
    if threads is None:
        threads = cpus
    elif isinstance(threads, bool) or not isinstance(threads, int) or threads < 1:
        raise ValueError(f"threads must be a positive integer, got {threads!r}")
    elif threads > cpus:
        # More threads than CPUs only oversubscribe: the timings would mislead.
        raise ValueError(
            f"threads must be at most the {cpus} CPUs of this machine, got {threads}"
        )
    return dtypes, inits, workloads, threads
