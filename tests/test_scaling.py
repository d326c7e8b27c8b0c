"""benchmarks/scaling.py: the exponent fit, the sweeps and their output files.

Nothing here asserts a timing: the fit is checked on synthetic times, and
the real sweep only for its structure and files.
"""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

from conftest import load_script

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "scaling.py"


@pytest.fixture(scope="module")
def scaling():
    return load_script(SCRIPT, "mlpinit_bench_scaling")


@pytest.mark.parametrize("exponent", [1.0, 2.0, 0.5])
def test_fit_recovers_an_exact_power_law(scaling, exponent):
    sizes = [10_000, 20_000, 50_000, 100_000, 1_000_000]
    times = [3e-6 * n**exponent for n in sizes]
    fit = scaling.fit_exponent(sizes, times)
    assert fit["exponent"] == pytest.approx(exponent, abs=1e-9)
    assert fit["coefficient"] == pytest.approx(3e-6, rel=1e-6)
    assert fit["r2"] == pytest.approx(1.0, abs=1e-12)
    assert fit["sizes_used"] == sizes


def test_fit_uses_only_the_points_at_or_above_fit_min(scaling):
    # Below 256 a fixed overhead dominates; above, time is exactly quadratic.
    sizes = np.array([32, 64, 128, 256, 512, 1024, 2048])
    times = np.where(sizes >= 256, 1e-7 * sizes**2.0, 0.05)
    fit = scaling.fit_exponent(sizes, times, fit_min=256)
    assert fit["exponent"] == pytest.approx(2.0, abs=1e-9)
    assert fit["sizes_used"] == [256, 512, 1024, 2048]
    # Over the whole range the flat start pulls the slope down.
    assert scaling.fit_exponent(sizes, times)["exponent"] < 1.5


def test_fit_of_noisy_times_is_the_least_squares_slope(scaling):
    rng = np.random.RandomState(0)
    sizes = np.geomspace(10, 1e4, 12)
    times = 2e-3 * sizes**1.3 * np.exp(0.05 * rng.standard_normal(12))
    fit = scaling.fit_exponent(sizes, times)
    slope, _ = np.polyfit(np.log(sizes), np.log(times), 1)
    assert fit["exponent"] == pytest.approx(slope, abs=1e-9)
    assert 0.9 < fit["r2"] < 1.0


@pytest.mark.parametrize(
    "sizes, times, fit_min",
    [([1, 2, 4], [1.0, 2.0, 4.0], 3), ([5, 5], [1.0, 2.0], 0), ([1, 2], [0.0, 1.0], 0)],
    ids=["one-point-above-fit_min", "one-distinct-size", "zero-time"],
)
def test_fit_refuses_what_it_cannot_fit(scaling, sizes, times, fit_min):
    with pytest.raises(ValueError):
        scaling.fit_exponent(sizes, times, fit_min)


def test_sweeps_build_the_networks_they_describe(scaling):
    full = {s.name: s for s in scaling.default_sweeps()}
    assert full["n_samples"].values[0] == 10_000
    assert full["n_samples"].values[-1] == 1_000_000
    assert full["width"].values[0] == 32 and full["width"].values[-1] == 2048
    assert full["depth"].values[0] == 1 and full["depth"].values[-1] == 16
    assert full["width"].config(512) == (10_000, 100, (512, 512))
    assert full["depth"].config(3) == (20_000, 128, (128, 128, 128))
    assert full["n_samples"].config(50_000) == (50_000, 20, (64, 64))
    for quick in (False, True):
        for sweep in scaling.default_sweeps(quick):
            assert sweep.values == sorted(sweep.values)
            # At least two points enter every fit.
            assert sum(v >= sweep.fit_min for v in sweep.values) >= 2


def test_run_sweep_times_in_rounds_and_fits_median_and_fastest(scaling):
    calls, prepared = [], []

    def prepare(n, d, hidden, **kwargs):
        prepared.append((n, d, hidden, kwargs))
        cost = n * (d * hidden[0] + hidden[0] ** 2 * (len(hidden) - 1))
        # Epochs: the cost, then 3x the cost (load), then 0.5x (fastest).
        factors = iter([1.0, 3.0, 0.5])

        def epoch():
            calls.append(hidden[0])
            return 1e-9 * cost * next(factors)

        return epoch

    sweep = scaling.Sweep(
        "width",
        [100, 200, 400, 800],
        n_samples=1000,
        n_features=1,
        depth=2,
        fit_min=200,
        expected=2.0,
    )
    result = scaling.run_sweep(
        sweep, epochs=3, threads=1, log=lambda line: None, prepare=prepare
    )
    assert [c[2] for c in prepared] == [(100, 100), (200, 200), (400, 400), (800, 800)]
    assert prepared[0][3] == {"dtype": "float64"}
    # One epoch of every point per round, the order reversed every other round.
    assert calls == [100, 200, 400, 800, 800, 400, 200, 100, 100, 200, 400, 800]
    assert [p["size"] for p in result["points"]] == [100, 200, 400, 800]
    first = result["points"][0]
    assert first["epoch_seconds"] == pytest.approx(
        [1e-9 * 1000 * 10100 * f for f in (1.0, 3.0, 0.5)]
    )
    assert first["seconds_per_epoch"] == pytest.approx(1e-9 * 1000 * 10100)
    assert first["min_seconds"] == pytest.approx(0.5e-9 * 1000 * 10100)
    for fit in (result["fit"], result["fit_min_epoch"]):
        assert fit["sizes_used"] == [200, 400, 800]
        # d log(w + w^2) / d log(w) is just under 2 here.
        assert 1.99 < fit["exponent"] < 2.0
    assert result["fit"]["exponent"] == pytest.approx(
        result["fit_min_epoch"]["exponent"]
    )


def test_tiny_real_sweep_writes_json_and_figures(scaling, tmp_path):
    pytest.importorskip("matplotlib")
    sweeps = [
        scaling.Sweep(
            "n_samples", [200, 400, 800], n_features=5, width=8, depth=1, fit_min=400
        ),
        scaling.Sweep("depth", [1, 2], n_samples=200, n_features=5, width=8, fit_min=1),
    ]
    lines = []
    results = [
        scaling.run_sweep(s, epochs=2, threads=1, log=lines.append) for s in sweeps
    ]
    assert len(lines) == 5
    for result, sweep in zip(results, sweeps):
        assert result["name"] == sweep.name
        assert [p["size"] for p in result["points"]] == sweep.values
        for p in result["points"]:
            assert len(p["epoch_seconds"]) == 2
            assert 0 < p["min_seconds"] <= p["seconds_per_epoch"]
        assert np.isfinite(result["fit"]["exponent"])
        assert np.isfinite(result["fit_min_epoch"]["exponent"])
    assert results[0]["points"][2]["n_samples"] == 800
    assert results[1]["points"][1]["hidden"] == [8, 8]

    written = scaling.write_outputs(
        results, tmp_path / "out", {"threads": 1}, log=lines.append
    )
    names = sorted(Path(p).name for p in written)
    assert names == ["scaling.json", "scaling_depth.png", "scaling_n_samples.png"]
    for p in written:
        if str(p).endswith(".png"):
            assert Path(p).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    saved = json.loads((tmp_path / "out" / "scaling.json").read_text())
    assert saved["environment"] == {"threads": 1}
    assert [s["name"] for s in saved["sweeps"]] == ["n_samples", "depth"]
    assert saved["sweeps"][0]["fit"]["sizes_used"] == [400, 800]

    table = scaling.format_table(results)
    assert table.splitlines()[0].startswith("| sweep |")
    assert "| n_samples | 200..800 (3 points) | 400, 800 |" in table
    assert len(table.splitlines()) == 4


def test_figures_are_skipped_with_a_message_without_matplotlib(
    scaling, tmp_path, monkeypatch
):
    result = {
        "name": "depth",
        "expected": 1.0,
        "fit_min": 1,
        "points": [
            {"size": 1, "seconds_per_epoch": 1.0},
            {"size": 2, "seconds_per_epoch": 2.0},
        ],
        "fit": scaling.fit_exponent([1, 2], [1.0, 2.0]),
        "fit_min_epoch": scaling.fit_exponent([1, 2], [1.0, 2.0]),
    }
    # None in sys.modules makes `import matplotlib` raise ImportError.
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    lines = []
    written = scaling.write_outputs([result], tmp_path, log=lines.append)
    assert [Path(p).name for p in written] == ["scaling.json"]
    assert not list(tmp_path.glob("*.png"))
    assert any("matplotlib" in line and "skipped" in line for line in lines)


def test_command_line_quick_writes_its_outputs(scaling, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    code = scaling.main(
        ["--quick", "--sweeps", "depth", "--epochs", "1", "--out", str(tmp_path)]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("| sweep |") and "| depth |" in out
    saved = json.loads((tmp_path / "scaling.json").read_text())
    assert saved["environment"]["threads"] == 1 and saved["environment"]["quick"]
    assert [s["name"] for s in saved["sweeps"]] == ["depth"]
    assert (tmp_path / "scaling_depth.png").exists()
