"""How a run ran: the machine, its libraries, its load, and whether it was noisy."""

import math
import os
import platform
from pathlib import Path
from statistics import NormalDist

import numpy as np

# The least spread (max/min of a row's paired ratios) that ever marks a row
# noisy: below it, no row is flagged, however long and many its fits.
NOISY_SPREAD = 1.3

# How much one fit's time varies on a quiet machine, in two parts: a relative
# part (CPU frequency, cache and memory placement; the long quiet rows of a
# 2-core machine spread as a 4-7% jitter per fit) and an absolute part
# (scheduler ticks, allocator, garbage collector: about a millisecond, read
# off the quiet digits rows, whose fits take 8-12 ms and spread up to 2x over
# 15 pairs). A short fit is dominated by the absolute part.
QUIET_RELATIVE_JITTER = 0.06
QUIET_ABSOLUTE_JITTER_S = 0.001

# A row is noisy when its ratios spread over more than this many times the
# range a quiet machine gives the same number of pairs of the same length.
NOISE_MARGIN = 2.0


def cpu_model():
    """The CPU's model name (from /proc/cpuinfo on Linux)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average():
    """The 1-minute load average, or None where the system has none."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def machine_info():
    """The machine and the library versions, for the report of a run.

    Returns
    -------
    dict
    """
    import sklearn
    from threadpoolctl import threadpool_info

    blas = sorted(
        {
            f"{lib.get('internal_api')} {lib.get('version')}"
            for lib in threadpool_info()
            if lib.get("user_api") == "blas"
        }
    )
    return {
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "blas": blas,
    }


def _expected_normal_range(n):
    """The expected range (max - min) of ``n`` standard normal draws, by
    Blom's approximation of the expected maximum (within 5% for n >= 2)."""
    if n < 2:
        return 0.0
    return 2.0 * NormalDist().inv_cdf((n - 0.375) / (n + 0.25))


def noise_threshold(n_pairs, shortest_s):
    """The largest max/min spread of paired ratios that a quiet machine explains.

    Each fit's time jitters by a relative part and an absolute one
    (:data:`QUIET_RELATIVE_JITTER`, :data:`QUIET_ABSOLUTE_JITTER_S`), so the
    log of a time ratio has a standard deviation of about
    ``sqrt(2) * hypot(relative, absolute / seconds)`` (two independent
    times), which grows as the fits get shorter. The log of ``max/min`` over
    ``n_pairs`` ratios is their range, about that deviation times the
    expected range of ``n_pairs`` normal draws, which grows with the number
    of pairs. A row is noisy beyond :data:`NOISE_MARGIN` times that quiet
    range, and never below :data:`NOISY_SPREAD`. Short fits, which also take
    more pairs, thus get a wider threshold: a 10 ms fit over 15 pairs about
    3.2x, a 0.2 s fit over 3 pairs 1.34x, long fits over 5 pairs 1.49x.

    Parameters
    ----------
    n_pairs : int
        How many paired ratios the row has.
    shortest_s : float
        The shorter of the two libraries' median times, in seconds.

    Returns
    -------
    float
        ``inf`` for a single ratio, which has no spread to judge.
    """
    if n_pairs < 2:
        return math.inf
    relative = math.hypot(
        QUIET_RELATIVE_JITTER, QUIET_ABSOLUTE_JITTER_S / max(shortest_s, 1e-9)
    )
    quiet_log_range = math.sqrt(2.0) * relative * _expected_normal_range(n_pairs)
    return max(NOISY_SPREAD, math.exp(NOISE_MARGIN * quiet_log_range))


def spread(ratios, shortest_s=None):
    """Median, min and max of paired ratios, and whether they look noisy.

    Parameters
    ----------
    ratios : array-like of float
    shortest_s : float or None
        The shorter of the two libraries' median times (seconds), for
        :func:`noise_threshold`; None judges the ratios as long fits.

    Returns
    -------
    dict
        ``speedup`` (the median), ``speedup_min``, ``speedup_max``,
        ``noise_threshold`` (:func:`noise_threshold`) and ``noisy``: the
        largest ratio exceeds the smallest by more than that factor.
    """
    ratios = np.asarray(ratios, dtype=float)
    low, high = float(ratios.min()), float(ratios.max())
    threshold = noise_threshold(
        len(ratios), math.inf if shortest_s is None else shortest_s
    )
    return {
        "speedup": float(np.median(ratios)),
        "speedup_min": low,
        "speedup_max": high,
        "noise_threshold": threshold if math.isfinite(threshold) else None,
        "noisy": bool(high > threshold * low),
    }
