"""The README opens with the two commands, and CI runs the second verbatim."""

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands():
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```bash\n(.+?)\n```", text)


def test_readme_opens_with_the_two_commands():
    first, second = _readme_commands()[:2]
    assert "python -m mlpinit benchmark" in first and first.startswith("pip install")
    assert (
        second.startswith("pip install") and "[test]" in second and "pytest" in second
    )


def test_ci_runs_the_readme_test_command_verbatim():
    test_command = _readme_commands()[1]
    ci_lines = (ROOT / ".ci" / "run").read_text().splitlines()
    assert test_command in ci_lines


def _python_blocks(text, fence):
    return re.findall(fence, text, flags=re.S)


def _first_example():
    readme = (ROOT / "README.md").read_text()
    (code,) = _python_blocks(readme, r"```python\n(.+?)\n```")[:1]
    quoted = re.search(r"It prints\n`(.+?)`", readme).group(1)
    return code, quoted


def test_getting_started_opens_with_the_readme_example():
    code, _ = _first_example()
    text = (ROOT / "docs" / "getting_started.rst").read_text()
    block = text.split("A first model")[1].split(".. code-block:: python\n\n")[1]
    # The rst block is the README's code, indented by three spaces; it ends
    # at the first line that is neither blank nor indented.
    lines = []
    for line in block.splitlines():
        if line and not line.startswith("   "):
            break
        lines.append(line[3:])
    assert "\n".join(lines).strip() == code


@pytest.mark.slow
def test_readme_example_fits_well_without_convergence_warnings(capsys):
    from sklearn.exceptions import ConvergenceWarning

    code, quoted = _first_example()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out.strip()
    assert not [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    # What the README says it prints; the accuracy is measured, not assumed.
    assert float(printed.rsplit(" ", 1)[1]) >= 0.95, printed
    assert printed == quoted


def _recorded_run():
    import json

    document = json.loads((ROOT / "docs" / "_static" / "benchmark.json").read_text())
    return document["rows"], document["run"]


def _run_is_noisy(rows, info):
    # The rule, restated from the Benchmarks page: a timed row marked noisy,
    # or a load average before the run of at least half the CPUs.
    timed = [r for r in rows if "speedup_min" in r and r.get("repeats", 1) > 1]
    load = info.get("load_before")
    busy = load is not None and load >= 0.5 * (info["machine"]["cpus"] or 1)
    return any(r.get("noisy") for r in timed) or busy


def test_readme_headline_table_is_the_record_and_says_which_cells_are_noisy():
    readme = (ROOT / "README.md").read_text()
    block = readme.split("<!-- benchmark summary")[1].split("<!-- end of")[0]
    rows, info = _recorded_run()
    headline = [
        r
        for r in rows
        if r.get("table") == "fit"
        and r["setting"] == "same threads"
        and r["init"] == "sklearn"
    ]
    assert headline
    lines = {line.split(" | ")[0].lstrip("| "): line for line in block.splitlines()}
    dtypes = list(dict.fromkeys(r["dtype"] for r in headline))
    for row in headline:
        line = next(v for k, v in lines.items() if k.startswith(row["workload"] + " ("))
        cell = line.strip("| ").split(" | ")[1 + dtypes.index(row["dtype"])]
        expected = f"{row['speedup']:.2f}x" + (" (noisy)" if row.get("noisy") else "")
        assert cell == expected, (row["workload"], row["dtype"], cell)
    if _run_is_noisy(rows, info):
        assert "This run is marked noisy" in block
    else:
        assert "noisy" not in block


def test_benchmarks_page_never_calls_a_noisy_record_quiet():
    page = (ROOT / "docs" / "_static" / "benchmark_run.rst").read_text()
    rows, info = _recorded_run()
    if _run_is_noisy(rows, info):
        assert "NOISY RUN" in page and "Quiet run" not in page
        # "quiet" appears only in the advice to rerun on a quiet machine.
        assert page.lower().count("quiet") == page.lower().count(
            "rerun on a quiet machine"
        ) + page.lower().count("than a quiet machine explains")
    else:
        assert "Quiet run" in page and "NOISY" not in page
