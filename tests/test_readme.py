"""The README opens with the two commands, and CI runs the second verbatim."""

import re
from pathlib import Path

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
