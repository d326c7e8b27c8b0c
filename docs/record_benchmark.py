"""Write the Benchmarks page's record of a run from the benchmark's own output.

Run after the benchmark command, from the repository root::

    python -m mlpinit benchmark \\
        --json docs/_static/benchmark.json --plot docs/_static/benchmark.png \\
        > docs/_static/benchmark.txt
    python docs/record_benchmark.py

(pass the benchmark's own options, if any, to both: ``--quick`` to the first
and ``--options=--quick`` to the second, so that the page names the command
that was run; ``--note="..."`` adds a sentence about the run). It reads
``docs/_static/benchmark.txt`` (the command's tables, in Markdown) and
``benchmark.json`` (the rows and the environment), and writes
``docs/_static/benchmark_run.rst``, which ``benchmarks.rst`` includes: the date
of the run, the machine, the command, the tables and the figure. Apart from
the note, nothing in it is typed by hand.
"""

import datetime
import json
import platform
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "_static"
COMMAND = (
    "python -m mlpinit benchmark {options}--json docs/_static/benchmark.json "
    "--plot docs/_static/benchmark.png > docs/_static/benchmark.txt"
)


def _cells(line):
    return [cell.strip() for cell in line.strip().strip("|").split("|")]


def markdown_tables_to_rst(text):
    """Each Markdown table of ``text`` as a reST list-table; the lines between
    them (how the run ran, the tables' titles, the noise note) as paragraphs."""
    blocks, current = [], []
    for line in text.splitlines() + [""]:
        if line.strip().startswith("|"):
            current.append(line)
            continue
        if current:
            blocks.append(current)
            current = []
        if line.strip():
            blocks.append(line.strip())
    out = []
    for block in blocks:
        if isinstance(block, str):
            out += [block, ""]
            continue
        header, rows = _cells(block[0]), [_cells(line) for line in block[2:]]
        out += [".. list-table::", "   :header-rows: 1", ""]
        for row in [header, *rows]:
            out.append(f"   * - {row[0]}")
            out += [f"     - {cell}" for cell in row[1:]]
        out.append("")
    return "\n".join(out)


def _cpu_model():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    options = " ".join(
        arg.split("=", 1)[1] for arg in argv if arg.startswith("--options=")
    )
    command = COMMAND.format(options=f"{options} " if options else "")
    notes = [arg.split("=", 1)[1] for arg in argv if arg.startswith("--note=")]
    table = (STATIC / "benchmark.txt").read_text()
    meta = json.loads((STATIC / "benchmark.json").read_text())
    when = datetime.datetime.fromtimestamp(
        (STATIC / "benchmark.json").stat().st_mtime, tz=datetime.timezone.utc
    )
    lines = [
        ".. Written by docs/record_benchmark.py from the benchmark's output files.",
        "",
        f"Recorded on {when:%Y-%m-%d %H:%M} UTC, on {meta['cpus']} CPUs "
        f"({_cpu_model()}), with Python {meta['python']}, NumPy {meta['numpy']} "
        f"and scikit-learn {meta['sklearn']}, by:",
        "",
        ".. code-block:: bash",
        "",
        f"   {command}",
        "",
        *[f"{note}\n" for note in notes],
        markdown_tables_to_rst(table),
        ".. figure:: /_static/benchmark.png",
        "   :alt: speedup of mlpinit over scikit-learn per workload",
        "",
        "   Median paired time ratio per workload, dtype and init (above 1: "
        "mlpinit is faster).",
        "",
        "The raw rows, with every measured column, are in "
        ":download:`benchmark.json </_static/benchmark.json>`.",
        "",
    ]
    (STATIC / "benchmark_run.rst").write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
