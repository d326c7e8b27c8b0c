"""The benchmark's reports: a line per row, Markdown tables, JSON and a figure.

Nothing here times anything: these functions take the rows that the
training and prediction modules return.
"""

import importlib.util
import json
import os
import shutil
import sys
import textwrap
from dataclasses import asdict

import numpy as np

from mlpinit.benchmark.tables import (
    SAME_MODEL_NOTE,
    TITLES,
    cells,
    collapse_auto_rows,
    markdown_table,
    numeric_columns,
    rows_by_table,
    spread_text,
    table_of,
    text_table,
    threads_text,
)


def format_row(row):
    """One line of text for a result row."""
    table = table_of(row)
    if table == "predict":
        return (
            f"predict_proba {row['dtype']} {row['shape']}: sklearn {row['sklearn_s']:.3f}s "
            f"mlpinit {row['mlpinit_s']:.3f}s speedup {row['speedup']:.2f}x; peak memory "
            f"{row['sklearn_peak_mb']:.0f} MB vs {row['mlpinit_peak_mb']:.0f} MB "
            f"({row['memory_ratio']:.0f}x less)"
        )
    kind = "fit()" if table == "fit" else "per epoch"
    line = (
        f"{row['workload']} {row['dtype']} init={row['init']} {kind}, threads "
        f"{threads_text(row)}: speedup {row['speedup']:.2f}x"
    )
    if table == "fit":
        line += f" ({spread_text(row)})"
    line += f", loss {row['sklearn_loss']:.6g} vs {row['mlpinit_loss']:.6g}"
    if "gemm_bound_s" in row:
        line += f", GEMM share {row['mlpinit_gemm_share']:.0%}"
    if "torch_s_per_epoch" in row:
        line += (
            f"; vs torch {row['speedup_vs_torch']:.2f}x, "
            f"torch loss {row['torch_loss']:.6g}"
        )
    return line


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


def busy_before(info):
    """Whether the load average before the run says other work was running:
    at least half a CPU's worth of runnable work, per CPU of the machine."""
    if not info or info.get("load_before") is None:
        return False
    cpus = info["machine"]["cpus"] or 1
    return info["load_before"] >= 0.5 * cpus


def run_is_noisy(rows, info=None):
    """The one rule that calls a run noisy: a timed row is marked noisy (its
    paired ratios spread more than a quiet machine explains, or a GEMM bound
    exceeded its epoch), or the load average before the run was high. Every
    report (the closing note, the docs' record, the README) asks this."""
    timed = [r for r in rows if "speedup_min" in r and r.get("repeats", 1) > 1]
    return any(r.get("noisy") for r in timed) or busy_before(info)


def noise_note(rows, info=None):
    """Whether the run was quiet enough to quote, in one statement.

    A run is noisy by :func:`run_is_noisy`; a noisy run opens with
    ``NOISY RUN`` and gives each reason, a quiet one opens with ``Quiet
    run``. No run is called both.
    """
    timed = [r for r in rows if "speedup_min" in r and r.get("repeats", 1) > 1]
    noisy = [r for r in timed if r.get("noisy")]
    reasons = []
    if noisy:
        reasons.append(
            f"in {len(noisy)} of {len(timed)} rows the paired ratios spread "
            "(max/min) more than a quiet machine explains for fits of their "
            "length and number, or a GEMM bound exceeded an epoch (a GEMM share "
            "above 100%)"
        )
    if busy_before(info):
        reasons.append(
            f"the load average before the run ({info['load_before']} on "
            f"{info['machine']['cpus'] or 1} CPUs) says other work was running"
        )
    if reasons:
        return (
            f"NOISY RUN: {'; and '.join(reasons)}. Something else competed for "
            "the CPUs: rerun on a quiet machine before quoting these figures; "
            "the rows marked noisy are the least reliable."
        )
    if not timed:
        return ""
    return (
        "Quiet run: in every row the paired ratios stay within what a quiet "
        "machine gives fits of their length and number, and the load average "
        "before the run was low."
    )


def _sections(rows, info, render, short):
    """The run's line, each table under its title, and the noise note.

    The short (terminal) tables show an ``init="auto"`` row that trained the
    same model as its ``init="sklearn"`` row once, and say so.
    """
    sections = [describe_run(info)] if info is not None else []
    collapsed = 0
    for name, table_rows in rows_by_table(rows).items():
        if short:
            table_rows, dropped = collapse_auto_rows(table_rows)
            collapsed += dropped
        if table_rows:
            if info is not None:
                sections.append(TITLES[name])
            sections.append(render(*cells(name, table_rows, short)))
    if collapsed:
        sections.append(SAME_MODEL_NOTE)
    note = noise_note(rows, info) if info is not None else ""
    return sections + ([note] if note else [])


def format_table(rows, info=None):
    """Every table of a run in Markdown, with every column, the headline
    (whole ``fit()``) first.

    Parameters
    ----------
    rows : list of dict
    info : dict or None
        :func:`mlpinit.benchmark.run_info`; adds the line that says how the
        run ran, the tables' titles, and the note on its noise.

    Returns
    -------
    str
    """
    return "\n\n".join(_sections(rows, info, markdown_table, short=False))


def format_text(rows, info=None, width=100):
    """Every table of a run as plain aligned text that fits ``width`` columns.

    The tables keep their short columns (speedups, their spread, GEMM
    share, times); ``--markdown`` and ``--json`` have every column.

    Parameters
    ----------
    rows : list of dict
    info : dict or None
    width : int, default=100

    Returns
    -------
    str
    """
    parts = _sections(rows, info, text_table, short=True)
    return "\n\n".join(
        p if "\n" in p else textwrap.fill(p, width, break_on_hyphens=False)
        for p in parts
    )


def rich_installed():
    """Whether rich (the ``progress`` extra) can be imported."""
    return importlib.util.find_spec("rich") is not None


def print_report(rows, info=None, markdown=False, file=None):
    """Print a run's tables: Markdown with ``markdown``, else for a terminal,
    with rich's tables when rich is installed, plain aligned text otherwise.

    Parameters
    ----------
    rows : list of dict
    info : dict or None
    markdown : bool, default=False
    file : file-like or None
        Defaults to ``sys.stdout``.
    """
    file = sys.stdout if file is None else file
    if markdown:
        print(format_table(rows, info), file=file, flush=True)
        return
    if not rich_installed():
        print(format_text(rows, info), file=file, flush=True)
        return
    _print_rich(rows, info, file)


def _print_rich(rows, info, file):
    import io

    from rich.console import Console
    from rich.table import Table

    # A terminal narrower than 100 columns gets its own width; a file or a
    # pipe gets 100 (rich would assume 80 and cut the columns short).
    width = 100
    if hasattr(file, "isatty") and file.isatty():
        width = min(width, shutil.get_terminal_size((width, 24)).columns)
    # rich pads every line to the table's width: draw into a buffer and strip
    # the trailing spaces, so that a copied line ends where its text does.
    buffer = io.StringIO()
    console = Console(
        file=buffer, width=width, highlight=False, soft_wrap=False, color_system=None
    )
    for part in _sections(rows, info, lambda h, b: (h, b), short=True):
        if isinstance(part, str):
            console.print(textwrap.fill(part, width, break_on_hyphens=False))
            console.print()
            continue
        header, body = part
        table = Table(box=None, pad_edge=False, header_style="bold")
        for name, numeric in zip(header, numeric_columns(header, body)):
            # A header never wraps: its column is at least as wide as it.
            table.add_column(
                name,
                no_wrap=True,
                min_width=len(name),
                justify="right" if numeric else "left",
            )
        for row in body:
            table.add_row(*row)
        console.print(table)
        console.print()
    lines = buffer.getvalue().splitlines()
    print("\n".join(line.rstrip() for line in lines), file=file, flush=True)


def _plotted(rows):
    """The headline rows (whole fit, same threads), then the prediction rows."""
    headline = [
        r for r in rows if table_of(r) == "fit" and r["setting"] == "same threads"
    ]
    if not headline:  # a run without fit rows (or saved before they existed)
        headline = [r for r in rows if table_of(r) == "epoch"]
    return headline + [r for r in rows if table_of(r) == "predict"]


def _tick_label(row):
    """Workload, dtype, then the init, named so that it does not read like a
    library: ``init=sklearn`` is mlpinit's parameter."""
    if table_of(row) == "predict":
        return f"predict_proba {row['dtype']}, {row['shape'].split('x')[0]} rows"
    return f"{row['workload']} {row['dtype']} init={row['init']}"


def plot_speedups(rows, path, info=None):
    """Save a bar chart of the headline speedups, with their spread, to ``path``.

    One horizontal bar per whole-``fit()`` row (same threads) and per
    prediction row, with the min-max of the paired ratios as an error bar
    and, where known, the GEMM-only speedup (perfect elementwise code) as a
    marker. The bars run across and the labels sit on the left, so that the
    figure keeps a page's width however many rows it has; the legend sits
    under the axes, clear of every bar and marker. The figure is drawn on its
    own Agg canvas, so the caller's matplotlib backend is left as it was.

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
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("--plot needs matplotlib: pip install mlpinit[plot]") from exc
    rows = _plotted(rows)
    labels = [_tick_label(r) for r in rows]
    speedups = np.array([r["speedup"] for r in rows])
    low = np.array([r.get("speedup_min", r["speedup"]) for r in rows])
    high = np.array([r.get("speedup_max", r["speedup"]) for r in rows])
    fig = Figure(figsize=(8, 2.4 + 0.34 * len(rows)))
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    y = np.arange(len(rows))
    colors = ["tab:red" if r.get("noisy") else "tab:blue" for r in rows]
    # The y = 1 line (as fast as scikit-learn) is drawn under the bars.
    ax.axvline(1.0, color="black", lw=1, zorder=1)
    ax.barh(
        y,
        speedups,
        color=colors,
        xerr=[speedups - low, high - speedups],
        height=0.7,
        zorder=2,
    )
    ceiling = {
        i: r["gemm_only_speedup"] for i, r in enumerate(rows) if "gemm_bound_s" in r
    }
    if ceiling:
        ax.scatter(
            list(ceiling.values()),
            list(ceiling.keys()),
            marker="|",
            s=200,
            color="black",
            zorder=3,
        )
    # The values go in the row labels, where no bar, line or marker can
    # cross them.
    right = np.maximum(high, [ceiling.get(i, 0) for i in range(len(rows))])
    ax.set_xlim(0, 1.05 * right.max())
    labels = [f"{label}: {value:.2f}x" for label, value in zip(labels, speedups)]
    n_fit = sum(table_of(r) != "predict" for r in rows)
    if 0 < n_fit < len(rows):  # training rows, then prediction rows
        ax.axhline(n_fit - 0.5, color="gray", ls=":", lw=1)
    ax.set_yticks(y, labels, fontsize=10)
    ax.invert_yaxis()
    ax.set_xlabel(
        "speedup over scikit-learn (x)\ninit=: mlpinit's init parameter "
        "(init=sklearn is the same network in both)",
        fontsize=9,
    )
    handles = [
        Patch(color="tab:blue", label="median paired speedup (min-max)"),
        Patch(color="tab:red", label="row marked noisy"),
        Line2D([], [], color="black", lw=1, label="1x: as fast as scikit-learn"),
    ]
    if ceiling:
        handles.append(
            Line2D(
                [],
                [],
                color="black",
                marker="|",
                ls="",
                markersize=12,
                label="GEMM-only speedup (perfect elementwise code)",
            )
        )
    fig.legend(handles=handles, loc="lower center", ncol=2, fontsize=8, frameon=False)
    title = "mlpinit vs sklearn.neural_network: whole fit() and predict_proba"
    if info is not None:
        title += (
            f"\n{info['mode']} run, {info['threads_given']} threads given, "
            f"{info['machine']['cpu']} ({info['machine']['cpus']} CPUs)"
        )
        if info.get("noisy_rows"):
            title += f"; NOISY: {info['noisy_rows']} rows"
    ax.set_title(title, fontsize=10)
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    fig.savefig(path, dpi=110)
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
