"""Run the benchmark and refresh every record of it, in one command.

From the repository root, on a quiet machine::

    python docs/record_benchmark.py                 # the full run
    python docs/record_benchmark.py --quick         # a quick one, to try it
    python docs/record_benchmark.py --note="..."    # a sentence about the run
    python docs/record_benchmark.py --from-json     # rewrite from the last run

Options other than ``--note``, ``--from-json`` and ``--no-readme`` go to
``python -m mlpinit benchmark`` (``--quick``, ``--threads 2``, ...). The
script runs::

    python -m mlpinit benchmark --markdown \\
        --json docs/_static/benchmark.json --plot docs/_static/benchmark.png \\
        > docs/_static/benchmark.txt

then writes, from ``benchmark.json`` alone, ``docs/_static/benchmark_run.rst``
(which ``benchmarks.rst`` includes: the compact table, the figure, and every
table with every column) and the README's benchmark table, between its two
marker comments. A run that fails or is interrupted leaves the page and the
README as they were. Apart from the note, nothing is typed by hand.
"""

import datetime
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This checkout's mlpinit, in this process and in the benchmark's, whatever
# copy is installed.
SOURCE = str(ROOT / "src")
STATIC = ROOT / "docs" / "_static"
OUTPUTS = [
    "--markdown",
    "--json",
    "docs/_static/benchmark.json",
    "--plot",
    "docs/_static/benchmark.png",
]
OWN_OPTIONS = ("--note=", "--from-json", "--no-readme")


def command_line(options):
    """The benchmark command as the page shows it."""
    words = ["python -m mlpinit benchmark", *options, *OUTPUTS]
    return " ".join(words) + " > docs/_static/benchmark.txt"


def run_benchmark(options):
    """Run the benchmark from the repository root; its exit status."""
    with open(STATIC / "benchmark.txt.partial", "w") as out:
        status = subprocess.call(
            [sys.executable, "-m", "mlpinit", "benchmark", *options, *OUTPUTS],
            cwd=ROOT,
            stdout=out,
            env={
                **os.environ,
                "PYTHONPATH": os.pathsep.join(
                    filter(None, [SOURCE, os.environ.get("PYTHONPATH")])
                ),
            },
        )
    if status == 0:
        (STATIC / "benchmark.txt.partial").replace(STATIC / "benchmark.txt")
    return status


def recorded_when(default):
    """When the run on the page was recorded, read back from the page: a
    checkout gives benchmark.json a new mtime, and rewriting the records from
    it (``--from-json``) must keep the run's own date."""
    page = STATIC / "benchmark_run.rst"
    if page.is_file():
        found = re.search(
            r"Recorded on (\d{4}-\d\d-\d\d \d\d:\d\d) UTC", page.read_text()
        )
        if found:
            return datetime.datetime.strptime(found[1], "%Y-%m-%d %H:%M").replace(
                tzinfo=datetime.timezone.utc
            )
    return default


def write_records(options, notes, readme=True, from_json=False):
    """Write the page's section and the README's table from benchmark.json."""
    from mlpinit.benchmark.record import (
        format_rst,
        replace_between_markers,
        summary_markdown,
    )

    document = json.loads((STATIC / "benchmark.json").read_text())
    if not document.get("complete") or not document.get("run"):
        raise SystemExit("benchmark.json holds no complete run: nothing written")
    rows, info = document["rows"], document["run"]
    when = datetime.datetime.fromtimestamp(
        (STATIC / "benchmark.json").stat().st_mtime, tz=datetime.timezone.utc
    )
    if from_json:
        when = recorded_when(when)
    # The command the run itself recorded, else the one this script ran.
    command = info.get("command") or command_line(options).split(" > ")[0]
    command += " > docs/_static/benchmark.txt"
    page = format_rst(rows, info, command, notes, when)
    (STATIC / "benchmark_run.rst").write_text(page)
    if readme:
        path = ROOT / "README.md"
        table = summary_markdown(rows, info, when)
        path.write_text(replace_between_markers(path.read_text(), table))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if SOURCE not in sys.path:
        sys.path.insert(0, SOURCE)
    notes = [arg.split("=", 1)[1] for arg in argv if arg.startswith("--note=")]
    options = [arg for arg in argv if not arg.startswith(OWN_OPTIONS)]
    if "--from-json" not in argv:
        status = run_benchmark(options)
        if status != 0:
            print(f"the benchmark stopped (status {status}): records kept as they were")
            return status
    write_records(
        options,
        notes,
        readme="--no-readme" not in argv,
        from_json="--from-json" in argv,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
