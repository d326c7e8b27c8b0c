"""The record of a run for the docs and the README, written from its JSON.

:func:`format_rst` writes the Benchmarks page's section (the compact table
first, then every table with every column), :func:`summary_markdown` the
README's table, and :func:`replace_between_markers` puts the latter between
two comment lines of the README. Every figure comes from the rows, through
the same column definitions as the command's own tables
(:mod:`~mlpinit.benchmark.tables`): nothing is typed by hand.
"""

from mlpinit.benchmark.report import busy_before, describe_run, noise_note, run_is_noisy
from mlpinit.benchmark.tables import (
    TITLES,
    cells,
    markdown_table,
    rows_by_table,
    rst_list_table,
    summary_cells,
)

README_START = "<!-- benchmark summary: written by docs/record_benchmark.py -->"
README_END = "<!-- end of benchmark summary -->"


def summary_caption(rows, info):
    """What the compact table shows, and of which run, in one paragraph."""
    _, _, init = summary_cells(rows)
    machine = info["machine"]
    init_text = f'mlpinit with ``init="{init}"``' if init else "mlpinit"
    if init == "sklearn":
        init_text += " (scikit-learn's initialization: both train the same network)"
    return (
        f"{info['mode'].capitalize()} run on {machine['cpus']} CPUs "
        f"({machine['cpu']}), {info['threads_given']} BLAS threads given, "
        f"scikit-learn {machine['sklearn']}: median paired speedup of the whole "
        f"``fit()`` over scikit-learn's, both on the same BLAS threads, "
        f"{init_text}; the GEMM share is the part of mlpinit's epoch spent in "
        "the matrix products that no implementation can avoid."
    )


def noisy_cells_text(rows, info):
    """What the compact table's ``(noisy)`` marks mean for this run, in one
    paragraph, or ``""`` for a quiet run (:func:`run_is_noisy`)."""
    if not run_is_noisy(rows, info):
        return ""
    if busy_before(info):
        return (
            "This run is marked noisy: the load average before it says other "
            "work was running, so every cell may be off, the ones marked "
            "(noisy) the most. Rerun on a quiet machine before quoting them."
        )
    return (
        "This run is marked noisy: the cells marked (noisy) come from rows whose "
        "paired ratios spread more than a quiet machine explains; the other "
        "cells' rows stayed within it. Rerun on a quiet machine before quoting "
        "the cells marked (noisy)."
    )


def check_notes(rows, info, notes):
    """A ValueError if a note calls a noisy run quiet: the run's own verdict
    (:func:`~mlpinit.benchmark.report.noise_note`) is the only one."""
    if run_is_noisy(rows, info):
        for note in notes:
            if "quiet" in note.lower():
                raise ValueError(
                    f"the note {note!r} speaks of a quiet machine, but the run "
                    "is marked noisy: leave the verdict to the run's own note"
                )


def format_rst(rows, info, command, notes=(), when=None):
    """The Benchmarks page's record of a run, in reST.

    Parameters
    ----------
    rows : list of dict
        The run's rows (its JSON's ``"rows"``).
    info : dict
        The run's description (its JSON's ``"run"``).
    command : str
        The command that produced the run, shown as a code block.
    notes : sequence of str, default=()
        Sentences about the run, added under the command.
    when : datetime or None
        When the run was recorded.

    Returns
    -------
    str
    """
    check_notes(rows, info, notes)
    lines = [".. Written by docs/record_benchmark.py from benchmark.json.", ""]
    if when is not None:
        lines += [f"Recorded on {when:%Y-%m-%d %H:%M} UTC by:", ""]
    lines += [".. code-block:: bash", "", f"   {command}", ""]
    lines += [f"{note}\n" for note in notes]
    lines += [describe_run(info), ""]
    # The run's verdict, quiet or noisy, comes before any of its figures.
    note = noise_note(rows, info)
    if note:
        lines += [note, ""]
    lines += ["Summary", "^^^^^^^", "", summary_caption(rows, info), ""]
    header, body, _ = summary_cells(rows)
    lines += [rst_list_table(header, body), ""]
    noisy = noisy_cells_text(rows, info)
    if noisy:
        lines += [noisy, ""]
    lines += [
        ".. figure:: /_static/benchmark.png",
        "   :alt: speedup of mlpinit over scikit-learn per workload, dtype and init",
        "   :width: 100%",
        "",
        "   Median paired speedup per headline row (whole ``fit()``, same "
        "threads) and per prediction row, with the min-max of the paired "
        "ratios; the black mark is the speedup that perfect elementwise code "
        "would reach (the GEMM-only speedup).",
        "",
        "Every table",
        "^^^^^^^^^^^",
        "",
    ]
    for name, table_rows in rows_by_table(rows).items():
        if table_rows:
            lines += [TITLES[name], "", rst_list_table(*cells(name, table_rows)), ""]
    lines += [
        "The raw rows, with every measured field, are in "
        ":download:`benchmark.json </_static/benchmark.json>`.",
        "",
    ]
    return "\n".join(lines)


def summary_markdown(rows, info, when=None):
    """The README's benchmark table, in Markdown, with a line on the run."""
    header, body, _ = summary_cells(rows)
    date = f" on {when:%Y-%m-%d}" if when is not None else ""
    caption = summary_caption(rows, info).replace("``", "`")
    text = (
        f"From the latest recorded run{date} (`docs/_static/benchmark.txt`). "
        f"{caption}\n\n{markdown_table(header, body)}"
    )
    noisy = noisy_cells_text(rows, info)
    return text + (f"\n\n{noisy}" if noisy else "")


def replace_between_markers(text, block, start=README_START, end=README_END):
    """``text`` with what lies between the ``start`` and ``end`` lines
    replaced by ``block``; a ValueError if either marker is missing."""
    if start not in text or end not in text:
        raise ValueError(f"the markers {start!r} and {end!r} are not in the text")
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}\n{block}\n{end}{after}"
