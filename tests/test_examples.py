"""Every plotting example, ``examples/plot_*.py``, runs and writes its figures.

(The other scripts in ``examples/`` need extras, such as dask, and are not
run here.) Each script runs in a fresh interpreter, as a user would run it,
with the non-interactive Agg backend and ``MLPINIT_FIGURE_DIR`` pointing at a
temporary directory. Deselect with ``-m "not examples"``.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"

# The figures each plotting example must write. A new plot_*.py must be listed
# here, which test_every_plotting_example_is_listed enforces.
FIGURES = {
    "plot_normalization.py": ["normalization_contours.png", "normalization_epochs.png"],
    "plot_vanishing_exploding.py": [
        "vanishing_exploding_identity.png",
        "vanishing_exploding_init.png",
    ],
    "plot_activation_statistics.py": ["activation_statistics.png"],
    "plot_deep_relu.py": ["deep_relu.png"],
    "plot_grid_search_init_lr.py": ["grid_search_init_lr.png"],
    "plot_init_depth.py": ["init_depth.png"],
}
# Examples whose full run takes minutes run here in their quick mode.
QUICK_IN_SUITE = {"plot_init_depth.py"}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TIME_LIMIT_SECONDS = 60  # per example, on 2 cores, as the issue requires


def test_every_plotting_example_is_listed():
    scripts = sorted(p.name for p in EXAMPLES_DIR.glob("plot_*.py"))
    assert scripts == sorted(FIGURES)


@pytest.mark.examples
@pytest.mark.parametrize("script", sorted(FIGURES))
def test_example_runs_and_saves_its_figures(script, tmp_path):
    pytest.importorskip("matplotlib")
    env = dict(os.environ, MPLBACKEND="Agg", MLPINIT_FIGURE_DIR=str(tmp_path))
    if script in QUICK_IN_SUITE:
        env["MLPINIT_QUICK"] = "1"
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, str(EXAMPLES_DIR / script)],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=10 * TIME_LIMIT_SECONDS,
    )
    elapsed = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip(), "each example prints what it measured"
    written = sorted(p.name for p in tmp_path.glob("*.png"))
    assert written == sorted(FIGURES[script])
    for name in written:
        data = (tmp_path / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE)
        assert len(data) > 10_000, f"{name} looks empty"
    # Generous: the machine running the suite may be shared.
    assert elapsed < 3 * TIME_LIMIT_SECONDS, f"{script} took {elapsed:.0f} s"
