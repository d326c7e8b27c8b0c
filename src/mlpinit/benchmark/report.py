"""The benchmark's reports: a line per row, Markdown tables, JSON and a figure.

Nothing here times anything: these functions take the rows that the
training and prediction modules return.
"""

import json
import os
import sys
from dataclasses import asdict

import numpy as np


def _table_of(row):
    """Which table a row belongs to; rows saved before the tables had names
    are per-epoch or predict rows."""
    return row.get("table") or ("predict" if row["workload"] == "predict" else "epoch")


def _threads(row):
    if "sklearn_threads" not in row:
        return str(row.get("threads", "-"))
    text = f"{row['sklearn_threads']}/{row['mlpinit_threads']}"
    return text + (" (mlpinit policy)" if row["setting"] != "same threads" else "")


def _spread_text(row):
    if "speedup_min" not in row:
        return "-"
    text = f"{row['speedup_min']:.2f}-{row['speedup_max']:.2f}"
    return text + (" noisy" if row.get("noisy") else "")


def format_row(row):
    """One line of text for a result row."""
    table = _table_of(row)
    if table == "predict":
        return (
            f"predict {row['dtype']} {row['shape']}: sklearn {row['sklearn_s']:.3f}s "
            f"mlpinit {row['mlpinit_s']:.3f}s speedup {row['speedup']:.2f}x; peak memory "
            f"{row['sklearn_peak_mb']:.0f} MB vs {row['mlpinit_peak_mb']:.0f} MB "
            f"({row['memory_ratio']:.0f}x less)"
        )
    kind = "fit()" if table == "fit" else "per epoch"
    line = (
        f"{row['workload']} {row['dtype']} init={row['init']} {kind}, threads "
        f"{_threads(row)}: speedup {row['speedup']:.2f}x"
    )
    if table == "fit":
        line += f" ({_spread_text(row)})"
    line += f", loss {row['sklearn_loss']:.6g} vs {row['mlpinit_loss']:.6g}"
    if "gemm_bound_s" in row:
        line += f", GEMM share {row['mlpinit_gemm_share']:.0%}"
    if "torch_s_per_epoch" in row:
        line += (
            f"; vs torch {row['speedup_vs_torch']:.2f}x, "
            f"torch loss {row['torch_loss']:.6g}"
        )
    return line


def format_fit_table(rows):
    """The headline rows (whole ``fit()``) as a markdown table."""
    lines = [
        "| workload | dtype | init | threads sklearn/mlpinit | data | hidden | epochs "
        "| sklearn fit s | mlpinit fit s | speedup | min-max | GEMM bound s/epoch "
        "| sklearn GEMM share | mlpinit GEMM share | GEMM-only speedup | same epochs "
        "| loss rel diff | sklearn score | mlpinit score |",
        "|" + "---|" * 19,
    ]
    for r in rows:
        if "gemm_bound_s" in r:
            gemm = (
                f"{r['gemm_bound_s']:.4f} | {r['sklearn_gemm_share']:.0%} "
                f"| {r['mlpinit_gemm_share']:.0%} | {r['gemm_only_speedup']:.2f}x"
            )
        else:
            gemm = "- | - | - | -"
        lines.append(
            f"| {r['workload']} | {r['dtype']} | {r['init']} | {_threads(r)} | {r['shape']} "
            f"| {r['hidden']} | {r['epochs']} | {r['sklearn_fit_s']:.3f} | {r['mlpinit_fit_s']:.3f} "
            f"| {r['speedup']:.2f}x | {_spread_text(r)} | {gemm} "
            f"| {r['same_epochs'] and r['same_samples_seen']} | {r['loss_rel_diff']:.1e} "
            f"| {r['sklearn_score']:.4f} | {r['mlpinit_score']:.4f} |"
        )
    return "\n".join(lines)


def format_epoch_table(rows):
    """The per-epoch rows as a markdown table (torch columns when any row has them)."""
    torch_columns = any("torch_s_per_epoch" in r for r in rows)
    lines = [
        "| workload | dtype | init | data | hidden | epochs | sklearn s/epoch | mlpinit s/epoch "
        "| speedup | sklearn GFLOP/s | mlpinit GFLOP/s | sklearn loss | mlpinit loss "
        "| loss rel diff | sklearn score | mlpinit score |"
        + (" torch s/epoch | speedup vs torch | torch loss |" if torch_columns else ""),
        "|" + "---|" * (19 if torch_columns else 16),
    ]
    for r in rows:
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
    return "\n".join(lines)


def format_predict_table(rows):
    """The prediction rows as a markdown table."""
    lines = [
        "| predict_proba | dtype | data | hidden | sklearn s | mlpinit s | speedup "
        "| sklearn peak MB | mlpinit peak MB | memory ratio | same output |",
        "|" + "---|" * 11,
    ]
    for r in rows:
        lines.append(
            f"| predict | {r['dtype']} | {r['shape']} | {r['hidden']} | {r['sklearn_s']:.3f} "
            f"| {r['mlpinit_s']:.3f} | {r['speedup']:.2f}x | {r['sklearn_peak_mb']:.0f} "
            f"| {r['mlpinit_peak_mb']:.1f} | {r['memory_ratio']:.0f}x | {r['same_output']} |"
        )
    return "\n".join(lines)


def describe_run(info):
    """One line: quick or full, threads, the machine and its load."""
    machine = info["machine"]
    load = ""
    if info.get("load_before") is not None:
        load = (
            f"; 1-minute load average {info['load_before']} before the run, "
            f"{info['load_after']} after"
        )
    return (
        f"mlpinit benchmark, {info['mode']} run, {info['threads_given']} BLAS threads "
        f"given; {machine['cpu']} ({machine['cpus']} CPUs), "
        f"{', '.join(machine['blas']) or 'BLAS unknown'}, Python {machine['python']}, "
        f"NumPy {machine['numpy']}, scikit-learn {machine['sklearn']}{load}"
        + (f"; {info['seconds']:.0f} s in all." if info.get("seconds") else ".")
    )


def noise_note(rows, info=None):
    """Whether the run was quiet enough to quote, in one sentence."""
    timed = [r for r in rows if "speedup_min" in r and r.get("repeats", 1) > 1]
    noisy = [r for r in timed if r.get("noisy")]
    busy = ""
    if info and info.get("load_before") is not None:
        cpus = info["machine"]["cpus"] or 1
        if info["load_before"] >= 0.5 * cpus:
            busy = (
                f" The load average before the run ({info['load_before']} on "
                f"{cpus} CPUs) says other work was running."
            )
    if noisy:
        return (
            f"NOISY RUN: in {len(noisy)} of {len(timed)} rows the paired ratios "
            "spread (max/min) more than a quiet machine explains for fits of "
            "their length and number, or a GEMM bound exceeded an epoch, so "
            "something else competed for the CPUs; rerun on a quiet machine "
            f"before quoting these figures.{busy}"
        )
    if not timed:
        return busy.strip()
    return (
        "Quiet run: in every row the paired ratios stay within what a quiet "
        f"machine gives fits of their length and number.{busy}"
    )


def format_table(rows, info=None):
    """Every table of a run in markdown, the headline (whole ``fit()``) first.

    Parameters
    ----------
    rows : list of dict
    info : dict or None
        :func:`mlpinit.benchmark.run_info`; adds the line that says how the
        run ran, and the note on its noise.

    Returns
    -------
    str
    """
    sections = []
    if info is not None:
        sections.append(describe_run(info))
    by_table = {name: [r for r in rows if _table_of(r) == name] for name in TABLES}
    for name, title in TABLES.items():
        if by_table[name]:
            if info is not None:
                sections.append(title)
            sections.append(FORMATTERS[name](by_table[name]))
    if info is not None:
        note = noise_note(rows, info)
        if note:
            sections.append(note)
    return "\n\n".join(sections)


TABLES = {
    "fit": "Whole fit(), as a user calls it: the same max_iter with tol=0, median "
    "of paired, interleaved repeats (min-max), both libraries on the BLAS threads "
    "mlpinit trains each network on, then mlpinit's own thread policy where it "
    "changes that count. GEMM bound: the epoch's matrix products alone.",
    "epoch": "Per epoch (one partial_fit call each, alternating), median of the "
    "paired epoch ratios, on the same threads as above:",
    "predict": "predict_proba, in fresh subprocesses:",
}
FORMATTERS = {
    "fit": format_fit_table,
    "epoch": format_epoch_table,
    "predict": format_predict_table,
}


def _plotted(rows):
    """The headline rows (whole fit, same threads), then the prediction rows."""
    headline = [
        r for r in rows if _table_of(r) == "fit" and r["setting"] == "same threads"
    ]
    if not headline:  # a run without fit rows (or saved before they existed)
        headline = [r for r in rows if _table_of(r) == "epoch"]
    return headline + [r for r in rows if _table_of(r) == "predict"]


def plot_speedups(rows, path, info=None):
    """Save a bar chart of the headline speedups, with their spread, to ``path``.

    One bar per whole-``fit()`` row (same threads) and per prediction row,
    with the min-max of the paired ratios as an error bar and, where known,
    the GEMM-only speedup (perfect elementwise code) as a marker. The
    figure is drawn on its own Agg canvas, so the caller's matplotlib
    backend is left as it was.

    Parameters
    ----------
    rows : list of dict
    path : str or path-like
    info : dict or None
        :func:`mlpinit.benchmark.run_info`, for the title and the noise note.

    Returns
    -------
    path : str or path-like
    """
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("--plot needs matplotlib: pip install mlpinit[plot]") from exc
    rows = _plotted(rows)
    labels = [
        f"{r['workload']}\n{r['dtype']}\n"
        + (r["shape"] if _table_of(r) == "predict" else f"init={r['init']}")
        for r in rows
    ]
    speedups = np.array([r["speedup"] for r in rows])
    low = np.array([r.get("speedup_min", r["speedup"]) for r in rows])
    high = np.array([r.get("speedup_max", r["speedup"]) for r in rows])
    fig = Figure(figsize=(max(7, 0.8 * len(rows)), 4.8))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    x = np.arange(len(rows))
    colors = ["tab:red" if r.get("noisy") else "tab:blue" for r in rows]
    ax.bar(x, speedups, color=colors, yerr=[speedups - low, high - speedups])
    for i, (value, top) in enumerate(zip(speedups, high)):
        ax.annotate(f"{value:.2f}", (i, top), ha="center", va="bottom", fontsize=7)
    ceiling = [
        (i, r["gemm_only_speedup"]) for i, r in enumerate(rows) if "gemm_bound_s" in r
    ]
    if ceiling:
        ax.scatter(
            *zip(*ceiling),
            marker="_",
            s=300,
            color="black",
            zorder=3,
            label="GEMM-only speedup (perfect elementwise code)",
        )
        ax.legend(fontsize=7, loc="upper left")
    ax.axhline(1.0, color="black", lw=1)
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylabel("speedup over scikit-learn (x)")
    title = "mlpinit vs sklearn.neural_network: median paired ratio (min-max)"
    if info is not None:
        title += (
            f"\n{info['mode']} run, {info['threads_given']} threads given, "
            f"{info['machine']['cpu']} ({info['machine']['cpus']} CPUs)"
        )
        if info.get("noisy_rows"):
            title += f"; NOISY: {info['noisy_rows']} rows (red)"
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    return path


def save_json(rows, path, complete=True, info=None):
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
    info : dict or None
        :func:`mlpinit.benchmark.run_info`, saved as ``"run"``.
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
        "run": info,
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
