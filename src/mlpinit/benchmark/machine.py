"""How a run ran: the machine, its libraries, its load, and whether it was noisy."""

import os
import platform
from pathlib import Path

import numpy as np

# Paired ratios whose largest is more than this factor above their smallest
# mean that something else competed for the CPUs during the row.
NOISY_SPREAD = 1.3


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


def spread(ratios):
    """Median, min and max of paired ratios, and whether they look noisy.

    Parameters
    ----------
    ratios : array-like of float

    Returns
    -------
    dict
        ``speedup`` (the median), ``speedup_min``, ``speedup_max`` and
        ``noisy``: the largest ratio exceeds the smallest by more than
        :data:`NOISY_SPREAD` times.
    """
    ratios = np.asarray(ratios, dtype=float)
    low, high = float(ratios.min()), float(ratios.max())
    return {
        "speedup": float(np.median(ratios)),
        "speedup_min": low,
        "speedup_max": high,
        "noisy": bool(high > NOISY_SPREAD * low),
    }
