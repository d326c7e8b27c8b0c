"""The benchmark compares equal work and reports what it measured.

These tests check the benchmark's correctness (same data, same epochs, same
loss), never its timings.
"""

import json

import numpy as np
import pytest

from mlpinit.__main__ import main
from mlpinit.benchmark import (
    Workload,
    default_workloads,
    format_table,
    run_predict_row,
    run_training_row,
)

TINY = Workload("digits", "classification", 1347, 450, 64, (16,), epochs=2)


def test_flops_count_matches_the_formula():
    w = Workload("wide", "classification", 1000, 10, 100, (256, 128), epochs=1)
    # 6 * n * sum(fan_in * fan_out), ten classes at the output.
    assert w.flops_per_epoch() == 6 * 1000 * (100 * 256 + 256 * 128 + 128 * 10)


@pytest.mark.parametrize(
    "workload",
    [TINY, Workload("regression", "regression", 600, 200, 20, (8, 8), epochs=3)],
    ids=["classification", "regression"],
)
def test_training_row_is_equal_work_with_equal_result(workload):
    row = run_training_row(workload, np.float64, "sklearn", threads=1)
    assert row["same_epochs"] and row["same_samples_seen"]
    # init="sklearn" in float64 follows scikit-learn's trajectory.
    assert row["loss_rel_diff"] < 1e-6
    assert row["sklearn_score"] == pytest.approx(row["mlpinit_score"], abs=1e-9)
    assert row["speedup"] > 0 and np.isfinite(row["speedup"])


def test_auto_init_row_trains_a_different_model_on_the_same_data():
    row = run_training_row(TINY, np.float64, "auto", threads=1)
    assert row["same_epochs"] and row["same_samples_seen"]
    assert row["loss_rel_diff"] > 1e-6


def test_predict_row_gives_the_same_output_with_less_memory():
    row = run_predict_row(20000, 30, (64, 64), np.float64, threads=1, repeats=1)
    assert row["same_output"]
    # scikit-learn keeps every hidden activation of every row; chunking does not.
    assert row["sklearn_peak_mb"] > 2 * row["mlpinit_peak_mb"]


def test_quick_workloads_are_the_full_ones_scaled_down():
    full = {w.name: w for w in default_workloads()}
    for w in default_workloads(quick=True):
        assert w.n_train < full[w.name].n_train or w.epochs < full[w.name].epochs
        assert w.hidden == full[w.name].hidden and w.batch_size == full[w.name].batch_size


def test_command_line_writes_table_and_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    code = main(
        [
            "benchmark", "--quick", "--workloads", "digits", "--dtypes", "float32",
            "--inits", "sklearn", "--threads", "1", "--json", str(path),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    assert out.startswith("| workload |") and "| digits | float32 | sklearn |" in out
    rows = json.loads(path.read_text())["rows"]
    assert [r["workload"] for r in rows] == ["digits"]
    assert format_table(rows).splitlines()[2] in out
