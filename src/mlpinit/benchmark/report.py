"""The benchmark's reports: a line per row, Markdown tables, JSON and a figure.

Nothing here times anything: these functions take the rows that the
training and prediction modules return.
"""

import json
import os
import sys
from dataclasses import asdict

import numpy as np


def format_row(row):
    """One line of text for a result row."""
    if row["workload"] == "predict":
        return (
            f"predict {row['dtype']} {row['shape']}: sklearn {row['sklearn_s']:.3f}s "
            f"mlpinit {row['mlpinit_s']:.3f}s speedup {row['speedup']:.2f}x; peak memory "
            f"{row['sklearn_peak_mb']:.0f} MB vs {row['mlpinit_peak_mb']:.0f} MB "
            f"({row['memory_ratio']:.0f}x less)"
        )
    line = (
        f"{row['workload']} {row['dtype']} init={row['init']}: "
        f"speedup {row['speedup']:.2f}x, loss {row['sklearn_loss']:.6g} vs "
        f"{row['mlpinit_loss']:.6g}"
    )
    if "torch_s_per_epoch" in row:
        line += (
            f"; vs torch {row['speedup_vs_torch']:.2f}x, "
            f"torch loss {row['torch_loss']:.6g}"
        )
    return line


def format_table(rows):
    """The result rows as a markdown table (torch columns when any row has them)."""
    torch_columns = any("torch_s_per_epoch" in r for r in rows)
    lines = [
        "| workload | dtype | init | data | hidden | epochs | sklearn s/epoch | mlpinit s/epoch "
        "| speedup | sklearn GFLOP/s | mlpinit GFLOP/s | sklearn loss | mlpinit loss "
        "| loss rel diff | sklearn score | mlpinit score |"
        + (" torch s/epoch | speedup vs torch | torch loss |" if torch_columns else ""),
        "|" + "---|" * (19 if torch_columns else 16),
    ]
    for r in rows:
        if r["workload"] == "predict":
            continue
        line = (
            f"| {r['workload']} | {r['dtype']} | {r['init']} | {r['shape']} | {r['hidden']} "
            f"| {r['epochs']} | {r['sklearn_s_per_epoch']:.4f} | {r['mlpinit_s_per_epoch']:.4f} "
            f"| {r['speedup']:.2f}x | {r['sklearn_gflops']:.1f} | {r['mlpinit_gflops']:.1f} "
            f"| {r['sklearn_loss']:.8g} | {r['mlpinit_loss']:.8g} | {r['loss_rel_diff']:.1e} "
            f"| {r['sklearn_score']:.4f} | {r['mlpinit_score']:.4f} |"
        )
        if torch_columns and "torch_s_per_epoch" in r:
            line += (
                f" {r['torch_s_per_epoch']:.4f} | {r['speedup_vs_torch']:.2f}x "
                f"| {r['torch_loss']:.8g} |"
            )
        elif torch_columns:
            line += " - | - | - |"
        lines.append(line)
    predict = [r for r in rows if r["workload"] == "predict"]
    if predict:
        lines += [
            "",
            "| predict_proba | dtype | data | hidden | sklearn s | mlpinit s | speedup "
            "| sklearn peak MB | mlpinit peak MB | memory ratio | same output |",
            "|" + "---|" * 11,
        ]
        for r in predict:
            lines.append(
                f"| predict | {r['dtype']} | {r['shape']} | {r['hidden']} | {r['sklearn_s']:.3f} "
                f"| {r['mlpinit_s']:.3f} | {r['speedup']:.2f}x | {r['sklearn_peak_mb']:.0f} "
                f"| {r['mlpinit_peak_mb']:.1f} | {r['memory_ratio']:.0f}x | {r['same_output']} |"
            )
    return "\n".join(lines)


def plot_speedups(rows, path):
    """Save a bar chart of the speedup of each row to ``path``.

    The figure is drawn on its own Agg canvas, so the caller's matplotlib
    backend is left as it was.

    Parameters
    ----------
    rows : list of dict
    path : str or path-like

    Returns
    -------
    path : str or path-like
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("--plot needs matplotlib: pip install mlpinit[plot]") from exc
    labels = [f"{r['workload']}\n{r['dtype']}\n{r['init']}" for r in rows]
    speedups = [r["speedup"] for r in rows]
    fig = Figure(figsize=(max(6, 0.7 * len(rows)), 4))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    ax.bar(range(len(rows)), speedups, color="tab:blue")
    ax.axhline(1.0, color="black", lw=1)
    ax.set_xticks(range(len(rows)), labels, fontsize=7)
    ax.set_ylabel("speedup over scikit-learn (x)")
    ax.set_title("mlpinit vs sklearn.neural_network: median paired time ratio")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def save_json(rows, path, complete=True):
    """Write the rows, with the run's environment, as JSON.

    The file is written beside ``path`` and then renamed over it, so that a
    reader (or a run interrupted while writing) never sees half a file.

    Parameters
    ----------
    rows : list of dict
    path : str or path-like
    complete : bool, default=True
        False while the run goes on, or when it failed: the file then holds
        the rows finished so far, and says so.
    """
    import platform

    import sklearn

    document = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "sklearn": sklearn.__version__,
        "cpus": os.cpu_count(),
        "torch": getattr(sys.modules.get("torch"), "__version__", None),
        "complete": bool(complete),
        "rows": rows,
    }
    partial = f"{os.fspath(path)}.partial"
    with open(partial, "w") as f:
        json.dump(
            document,
            f,
            indent=2,
            default=lambda o: (
                asdict(o) if hasattr(o, "__dataclass_fields__") else str(o)
            ),
        )
    os.replace(partial, path)
