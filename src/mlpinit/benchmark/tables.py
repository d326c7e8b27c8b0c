"""The benchmark's tables, defined once and written three ways.

Each table is a list of columns, a header and a function of a row. The
same columns give the Markdown tables (``--markdown``, the docs' record), the
terminal tables (plain aligned text, or rich's when it is installed) and the
docs page's reST list-tables, so that no figure is ever typed twice. The
terminal shows the columns marked ``short``, chosen so that a table fits a
100-column terminal; the Markdown tables show them all.

Nothing here times anything: these functions take the rows that the
training and prediction modules return.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column: its header, how a row fills it, and whether the terminal
    (short) table shows it."""

    header: str
    cell: object
    short: bool = False


def table_of(row):
    """Which table a row belongs to; rows saved before the tables had names
    are per-epoch or predict rows."""
    return row.get("table") or ("predict" if row["workload"] == "predict" else "epoch")


def threads_text(row, short=False):
    """``sklearn/mlpinit`` BLAS threads, and the setting when it is not the same."""
    if "sklearn_threads" not in row:
        return str(row.get("threads", "-"))
    text = f"{row['sklearn_threads']}/{row['mlpinit_threads']}"
    if row["setting"] != "same threads":
        text += " policy" if short else " (mlpinit policy)"
    return text


def spread_text(row):
    """``min-max`` of the paired ratios, with ``noisy`` when they are."""
    if "speedup_min" not in row:
        return "-"
    text = f"{row['speedup_min']:.2f}-{row['speedup_max']:.2f}"
    return text + (" noisy" if row.get("noisy") else "")


def _share(key):
    # Above 100% the GEMM bound took longer than the whole epoch that contains
    # it: the bound was disturbed, and the row is marked noisy for it.
    return lambda r: (
        "-" if key not in r else f"{r[key]:.0%}" + (" noisy" if r[key] > 1 else "")
    )


def _torch(key, fmt):
    return lambda r: (
        format(r[key], fmt) + ("x" if "speedup" in key else "") if key in r else "-"
    )


FIT_COLUMNS = [
    Column("workload", lambda r: r["workload"], True),
    Column("dtype", lambda r: r["dtype"], True),
    Column("init", lambda r: r["init"], True),
    Column("threads sklearn/mlpinit", threads_text),
    Column("threads", lambda r: threads_text(r, short=True), True),
    Column("data", lambda r: r["shape"]),
    Column("hidden", lambda r: str(r["hidden"])),
    Column("epochs", lambda r: str(r["epochs"])),
    Column("sklearn fit s", lambda r: f"{r['sklearn_fit_s']:.3f}", True),
    Column("mlpinit fit s", lambda r: f"{r['mlpinit_fit_s']:.3f}", True),
    Column("speedup", lambda r: f"{r['speedup']:.2f}x", True),
    Column("min-max", spread_text, True),
    Column(
        "GEMM bound s/epoch",
        lambda r: f"{r['gemm_bound_s']:.4f}" if "gemm_bound_s" in r else "-",
    ),
    Column("sklearn GEMM share", _share("sklearn_gemm_share")),
    Column("mlpinit GEMM share", _share("mlpinit_gemm_share"), True),
    Column(
        "GEMM-only speedup",
        lambda r: f"{r['gemm_only_speedup']:.2f}x" if "gemm_only_speedup" in r else "-",
    ),
    Column("same epochs", lambda r: str(r["same_epochs"] and r["same_samples_seen"])),
    Column("loss rel diff", lambda r: f"{r['loss_rel_diff']:.1e}"),
    Column("sklearn score", lambda r: f"{r['sklearn_score']:.4f}"),
    Column("mlpinit score", lambda r: f"{r['mlpinit_score']:.4f}"),
]
# The terminal's short fit table names the columns more briefly.
SHORT_HEADERS = {
    "sklearn fit s": "sklearn",  # the title says the times are seconds
    "mlpinit fit s": "mlpinit",
    "mlpinit GEMM share": "GEMM",
    "sklearn s/epoch": "sklearn s",
    "mlpinit s/epoch": "mlpinit s",
    "loss rel diff": "loss diff",
    "torch s/epoch": "torch s",
    "speedup vs torch": "vs torch",
    "sklearn peak MB": "sklearn MB",
    "mlpinit peak MB": "mlpinit MB",
    "memory ratio": "memory",
    "same output": "same",
}

EPOCH_COLUMNS = [
    Column("workload", lambda r: r["workload"], True),
    Column("dtype", lambda r: r["dtype"], True),
    Column("init", lambda r: r["init"], True),
    Column("data", lambda r: r["shape"]),
    Column("hidden", lambda r: str(r["hidden"])),
    Column("epochs", lambda r: str(r["epochs"])),
    Column("sklearn s/epoch", lambda r: f"{r['sklearn_s_per_epoch']:.4f}", True),
    Column("mlpinit s/epoch", lambda r: f"{r['mlpinit_s_per_epoch']:.4f}", True),
    Column("speedup", lambda r: f"{r['speedup']:.2f}x", True),
    Column("sklearn GFLOP/s", lambda r: f"{r['sklearn_gflops']:.1f}"),
    Column("mlpinit GFLOP/s", lambda r: f"{r['mlpinit_gflops']:.1f}"),
    Column("sklearn loss", lambda r: f"{r['sklearn_loss']:.8g}"),
    Column("mlpinit loss", lambda r: f"{r['mlpinit_loss']:.8g}"),
    Column("loss rel diff", lambda r: f"{r['loss_rel_diff']:.1e}", True),
    Column("sklearn score", lambda r: f"{r['sklearn_score']:.4f}"),
    Column("mlpinit score", lambda r: f"{r['mlpinit_score']:.4f}"),
]
TORCH_COLUMNS = [
    Column("torch s/epoch", _torch("torch_s_per_epoch", ".4f"), True),
    Column("speedup vs torch", _torch("speedup_vs_torch", ".2f"), True),
    Column("torch loss", _torch("torch_loss", ".8g")),
]

PREDICT_COLUMNS = [
    Column("workload", lambda r: "predict_proba"),
    Column("dtype", lambda r: r["dtype"], True),
    Column("data", lambda r: r["shape"], True),
    Column("hidden", lambda r: str(r["hidden"])),
    Column("sklearn s", lambda r: f"{r['sklearn_s']:.3f}", True),
    Column("mlpinit s", lambda r: f"{r['mlpinit_s']:.3f}", True),
    Column("speedup", lambda r: f"{r['speedup']:.2f}x", True),
    Column("sklearn peak MB", lambda r: f"{r['sklearn_peak_mb']:.0f}", True),
    Column("mlpinit peak MB", lambda r: f"{r['mlpinit_peak_mb']:.1f}", True),
    Column("memory ratio", lambda r: f"{r['memory_ratio']:.0f}x", True),
    Column("same output", lambda r: str(r["same_output"]), True),
]

TITLES = {
    "fit": (
        "Whole fit(), as a user calls it (times in seconds): the same max_iter "
        "with tol=0, median of paired, interleaved repeats (min-max), both "
        "libraries on the BLAS threads mlpinit trains each network on, then "
        "mlpinit's own thread policy where it changes that count. GEMM bound: "
        "the epoch's matrix products alone."
    ),
    "epoch": (
        "Per epoch (one partial_fit call each, alternating), median of the "
        "paired epoch ratios, on the same threads as above:"
    ),
    "predict": "predict_proba on random rows, in fresh subprocesses:",
}


def columns_for(table, rows, short=False):
    """The columns of ``table`` for these rows (torch columns only when a row
    has them), all of them or the terminal's short set."""
    columns = {"fit": FIT_COLUMNS, "epoch": EPOCH_COLUMNS, "predict": PREDICT_COLUMNS}
    chosen = list(columns[table])
    if table == "epoch" and any("torch_s_per_epoch" in r for r in rows):
        chosen += TORCH_COLUMNS
    if table == "fit" and not short:
        chosen = [c for c in chosen if c.header != "threads"]
    if short:
        chosen = [c for c in chosen if c.short]
    return chosen


def cells(table, rows, short=False):
    """The header and the rows of a table, as lists of strings."""
    columns = columns_for(table, rows, short)
    header = [
        SHORT_HEADERS.get(c.header, c.header) if short else c.header for c in columns
    ]
    return header, [[c.cell(r) for c in columns] for r in rows]


def markdown_table(header, body):
    """A Markdown (GitHub) table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def numeric_columns(header, body):
    """Per column, whether every cell is a number (or ``-``): those are
    right-aligned, in the plain and in rich's tables."""
    return [
        all(cell[:1].isdigit() or cell == "-" for cell in column)
        for column in zip(*body)
    ] or [False] * len(header)


def text_table(header, body):
    """Plain text, aligned: text columns to the left, numbers to the right."""
    widths = [max(len(x) for x in column) for column in zip(header, *body)]
    numeric = numeric_columns(header, body)

    def line(row):
        padded = [
            cell.rjust(w) if num else cell.ljust(w)
            for cell, w, num in zip(row, widths, numeric)
        ]
        return "  ".join(padded).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *map(line, body)])


def _rst_cell(cell):
    # A lone "-" in a list-table cell starts a bullet list; escape it.
    return "\\-" if str(cell) == "-" else cell


def rst_list_table(header, body, indent=""):
    """A reST list-table."""
    out = [f"{indent}.. list-table::", f"{indent}   :header-rows: 1", ""]
    for row in [header, *body]:
        out.append(f"{indent}   * - {_rst_cell(row[0])}")
        out += [f"{indent}     - {_rst_cell(cell)}" for cell in row[1:]]
    return "\n".join(out)


def rows_by_table(rows):
    """The rows of each table, in the report's order."""
    return {name: [r for r in rows if table_of(r) == name] for name in TITLES}


def _pair_key(row):
    return (
        table_of(row),
        row["workload"],
        row["dtype"],
        row.get("setting"),
        row.get("sklearn_threads"),
        row.get("mlpinit_threads"),
    )


def same_model_as_sklearn(row, rows):
    """Whether an ``init="auto"`` row trained the same network as the
    ``init="sklearn"`` row beside it (same workload, dtype and threads): the
    same final losses, bit for bit, which ``"auto"`` gives on networks of up
    to 8 hidden layers, where it is scikit-learn's scheme."""
    if row.get("init") != "auto":
        return False
    for other in rows:
        if other.get("init") == "sklearn" and _pair_key(other) == _pair_key(row):
            losses = [
                (r.get("mlpinit_loss"), r.get("sklearn_loss")) for r in (other, row)
            ]
            return None not in losses[0] and losses[0] == losses[1]
    return False


def collapse_auto_rows(rows):
    """The rows without the ``init="auto"`` ones that repeat an
    ``init="sklearn"`` row's network (:func:`same_model_as_sklearn`); the
    kept ``init="sklearn"`` rows then read ``init`` as ``sklearn=auto``.

    Returns
    -------
    rows, n_dropped
    """
    dropped = [r for r in rows if same_model_as_sklearn(r, rows)]
    keys = {_pair_key(r) for r in dropped}
    kept = [
        dict(r, init="sklearn=auto")
        if r.get("init") == "sklearn" and _pair_key(r) in keys
        else r
        for r in rows
        if not any(r is d for d in dropped)
    ]
    return kept, len(dropped)


SAME_MODEL_NOTE = (
    "init=sklearn=auto: on these networks (at most 8 hidden layers) "
    'init="auto" is scikit-learn\'s scheme and trained the same model (the '
    "same losses, bit for bit), so the terminal shows one row; --markdown and "
    "--json keep the init=auto timings."
)


def _summary_init(rows):
    inits = [r["init"] for r in rows]
    return "sklearn" if "sklearn" in inits else (inits[0] if inits else None)


def summary_cells(rows):
    """The compact headline table: per workload, the speedup of each dtype and
    mlpinit's GEMM share (whole ``fit()``, same threads, one init) and, for
    prediction, the speedup and the memory ratio.

    Returns
    -------
    header, body, init
        ``init`` is the mlpinit init the training rows use (``"sklearn"``
        when it was run, so that both libraries train the same network).
    """
    fit = [r for r in rows if table_of(r) == "fit" and r["setting"] == "same threads"]
    predict = [r for r in rows if table_of(r) == "predict"]
    init = _summary_init(fit)
    dtypes = list(dict.fromkeys(r["dtype"] for r in fit + predict))
    header = ["workload"] + [f"speedup {d}" for d in dtypes]
    header += [f"mlpinit GEMM share {d}" for d in dtypes]
    body = []
    for name in dict.fromkeys(r["workload"] for r in fit):
        by_dtype = {
            r["dtype"]: r for r in fit if r["workload"] == name and r["init"] == init
        }
        some = next(iter(by_dtype.values()))
        label = f"{name} ({some['shape']}, hidden {tuple(some['hidden'])})"
        speed = [_speed(by_dtype.get(d)) for d in dtypes]
        share = [
            _share("mlpinit_gemm_share")(by_dtype[d]) if d in by_dtype else "-"
            for d in dtypes
        ]
        body.append([label, *speed, *share])
    if predict:
        by_dtype = {r["dtype"]: r for r in predict}
        some = predict[0]
        label = f"predict_proba ({some['shape']}, hidden {tuple(some['hidden'])})"
        speed = [
            _speed(by_dtype[d]) + f", {by_dtype[d]['memory_ratio']:.0f}x less memory"
            if d in by_dtype
            else "-"
            for d in dtypes
        ]
        body.append([label, *speed, *["-"] * len(dtypes)])
    return header, body, init


def _speed(row):
    if row is None:
        return "-"
    return f"{row['speedup']:.2f}x" + (" (noisy)" if row.get("noisy") else "")
