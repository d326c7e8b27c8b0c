"""The benchmark compares equal work and reports what it measured.

These tests check the benchmark's correctness (same data, same epochs, same
loss), never its timings.
"""

import importlib.util
import io
import json
import re
from pathlib import Path

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

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("sklearn", "mlpinit")
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


def test_he_init_row_trains_a_different_model_on_the_same_data():
    # (The default "auto" is "sklearn" on these shallow networks.)
    row = run_training_row(TINY, np.float64, "he", threads=1)
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
        assert (
            w.hidden == full[w.name].hidden and w.batch_size == full[w.name].batch_size
        )


def test_command_line_writes_table_and_json(tmp_path, capsys):
    path = tmp_path / "bench.json"
    code = main(
        [
            "benchmark",
            "--quick",
            "--workloads",
            "digits",
            "--dtypes",
            "float32",
            "--inits",
            "sklearn",
            "--threads",
            "1",
            "--json",
            str(path),
            "--markdown",
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    document = json.loads(path.read_text())
    rows, run = document["rows"], document["run"]
    # The run says how it ran: quick or full, the threads, the machine.
    assert out.startswith("mlpinit benchmark, quick run, 1 BLAS threads given; ")
    assert run["mode"] == "quick" and run["threads_given"] == 1
    assert run["machine"]["cpus"] >= 1 and run["machine"]["numpy"] == np.__version__
    assert document["complete"]
    # Headline whole-fit row first, then the per-epoch row, both on the table.
    assert [(r["table"], r["workload"]) for r in rows] == [
        ("fit", "digits"),
        ("epoch", "digits"),
    ]
    assert "| digits | float32 | sklearn | 1/1 |" in out
    assert "| digits | float32 | sklearn | 1347x64 |" in out
    assert all(line in out for line in format_table(rows).splitlines())
    # One verdict: noisy when the row is, or when the load before the run was
    # at least half the CPUs (this test runs on a shared machine); else quiet.
    busy = run["load_before"] is not None and (
        run["load_before"] >= 0.5 * run["machine"]["cpus"]
    )
    assert ("NOISY RUN" in out) == (rows[0]["noisy"] or busy)
    assert ("Quiet run" in out) != ("NOISY RUN" in out)
    # The JSON records, per row, the mode, the threads and the spread.
    fit = rows[0]
    assert fit["quick"] is True and fit["threads_given"] == 1
    assert fit["sklearn_threads"] == fit["mlpinit_threads"] == 1
    assert fit["speedup_min"] <= fit["speedup"] <= fit["speedup_max"]
    assert fit["repeats"] >= 3 and fit["noise_threshold"] >= 1.3
    assert {"gemm_bound_s", "mlpinit_gemm_share", "gemm_only_speedup"} <= set(fit)
    assert rows[1]["quick"] is True and rows[1]["threads"] == 1
    assert {"cpu", "cpus", "blas", "platform"} <= set(run["machine"])
    assert {"load_before", "load_after", "seconds", "noisy_rows"} <= set(run)


def test_predict_child_runs_in_process_and_agrees_across_libraries(tmp_path):
    from mlpinit.benchmark import predict_child
    from mlpinit.benchmark.predict import predict_weights

    path = tmp_path / "weights.npz"
    np.savez(path, **predict_weights(12, (8,), seed=0))
    args = dict(dtype="float64", weights=str(path), seed=0, n_rows=3000, threads=1)
    results = [predict_child.measure(dict(args, lib=lib)) for lib in LIBRARIES]
    # Same weights, same rows: the probabilities agree. The checksum adds
    # every third of the 3000 rows, 1000 rows that each sum to one.
    assert results[0]["checksum"] == pytest.approx(results[1]["checksum"], rel=1e-12)
    assert results[0]["checksum"] == pytest.approx(1000, rel=1e-12)
    assert all(r["seconds"] > 0 and r["peak_bytes"] > 0 for r in results)


def test_predict_child_is_a_module_with_a_json_line(tmp_path, capsys):
    from mlpinit.benchmark import predict_child
    from mlpinit.benchmark.predict import predict_weights, run_child

    path = tmp_path / "weights.npz"
    np.savez(path, **predict_weights(6, (4,), seed=1))
    args = dict(lib="mlpinit", dtype="float32", weights=str(path), seed=1)
    args.update(n_rows=500, threads=1)
    assert predict_child.main([json.dumps(args)]) == 0
    in_process = json.loads(capsys.readouterr().out)
    # The same measurement through ``python -m``, in a subprocess.
    assert run_child(args)["checksum"] == in_process["checksum"]


def test_plot_leaves_the_matplotlib_backend_alone(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    from mlpinit.benchmark import plot_speedups

    rows = [{"workload": "digits", "dtype": "float64", "init": "auto", "speedup": 2.0}]
    before = matplotlib.get_backend()
    try:
        matplotlib.use("svg")
        plot_speedups(rows, tmp_path / "speedups.png")
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
    assert (tmp_path / "speedups.png").read_bytes().startswith(b"\x89PNG")


# -- the optional PyTorch participant ------------------------------------------
@pytest.mark.parametrize(
    "workload",
    [
        TINY,
        Workload("regression", "regression", 600, 200, 20, (8, 8), epochs=2),
        Workload("tall", "classification", 1000, 200, 20, (16, 16), epochs=2),
    ],
    ids=["multiclass", "regression", "binary"],
)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_torch_column_is_equal_work(workload, dtype):
    pytest.importorskip("torch")
    row = run_training_row(workload, dtype, "sklearn", threads=1, with_torch=True)
    # Same initial weights, batches, loss and Adam: the losses agree to about
    # 1e-6 (Adam's epsilon sits after the bias correction in torch, before it
    # in scikit-learn); another init or batch order is off by 1e-2 or more.
    assert row["torch_loss_rel_diff"] < 2e-5
    assert row["torch_loss"] != row["mlpinit_loss"]
    assert row["speedup_vs_torch"] > 0 and row["torch_s_per_epoch"] > 0
    assert row["torch_adam"] in ("fused", "foreach")
    other_init = run_training_row(workload, dtype, "he", threads=1)
    assert abs(other_init["mlpinit_loss"] - row["torch_loss"]) > 100 * abs(
        row["torch_loss"] - row["mlpinit_loss"]
    )


@pytest.mark.parametrize("task", ["multiclass", "binary", "regression"])
def test_torch_trainer_follows_mlpinit_when_epsilon_is_negligible(task):
    pytest.importorskip("torch")
    import torch

    from mlpinit import MLPClassifier, MLPRegressor
    from mlpinit.benchmark.torch_trainer import TorchTrainer

    rng = np.random.RandomState(0)
    X = rng.standard_normal((500, 12))
    if task == "regression":
        y, model, classes = X[:, 0] - X[:, 1] ** 2, MLPRegressor, None
    else:
        y = (X[:, 0] > 0).astype(int) + (task == "multiclass") * (X[:, 1] > 0)
        model, classes = MLPClassifier, np.unique(y)
    # With a tiny epsilon the one remaining difference in Adam vanishes, so
    # the trajectories must agree to rounding; alpha is large enough that a
    # missing or mis-scaled L2 term would show.
    ours = model(
        hidden_layer_sizes=(10, 7),
        init="he",
        alpha=0.1,
        batch_size=64,
        epsilon=1e-14,
        random_state=np.random.RandomState(3),
    )
    torch.set_num_threads(1)
    trainer = TorchTrainer(ours, X, y, classes, seed=3)
    kwargs = {} if classes is None else {"classes": classes}
    for _ in range(3):
        ours.partial_fit(X, y, **kwargs)
        trainer.run_epoch()
    np.testing.assert_allclose(trainer.loss_curve, ours.loss_curve_, rtol=1e-9)
    linears = [m for m in trainer.model if isinstance(m, torch.nn.Linear)]
    for coef, intercept, linear in zip(ours.coefs_, ours.intercepts_, linears):
        np.testing.assert_allclose(linear.weight.detach().numpy().T, coef, atol=1e-8)
        np.testing.assert_allclose(linear.bias.detach().numpy(), intercept, atol=1e-8)


def test_table_has_torch_columns_only_when_a_row_has_them():
    pytest.importorskip("torch")
    rows = [
        run_training_row(TINY, np.float64, "sklearn", threads=1, with_torch=True),
        run_training_row(TINY, np.float64, "sklearn", threads=1),
    ]
    lines = format_table(rows).splitlines()
    assert lines[0].endswith("| torch s/epoch | speedup vs torch | torch loss |")
    assert lines[1].count("---|") == lines[0].count("|") - 1 == 19
    assert lines[2].count("|") == lines[3].count("|") == 20
    assert f"{rows[0]['torch_loss']:.8g}" in lines[2]
    assert lines[3].endswith("| - | - | - |")
    assert "torch" not in format_table(rows[1:])


def test_torch_participant_follows_the_option_and_the_installation(monkeypatch):
    from mlpinit import benchmark

    def run(**kwargs):
        return benchmark.run_benchmark(
            quick=True,
            dtypes=["float32"],
            inits=["sklearn"],
            workloads=["digits"],
            threads=1,
            log=lambda line: None,
            **kwargs,
        )

    # Not installed: no torch column by default, and the table has none.
    monkeypatch.setattr(benchmark, "torch_installed", lambda: False)
    rows = run()
    assert not any(key.startswith("torch") for key in rows[0])
    assert "torch" not in format_table(rows)
    monkeypatch.undo()  # the real installation from here on
    if importlib.util.find_spec("torch") is not None:
        # The torch columns belong to the per-epoch rows.
        assert not any("torch_loss" in row for row in run(torch=False))
        with_torch = run(torch=True)
        assert [r["table"] for r in with_torch if "torch_loss" in r] == ["epoch"]


# -- the command line: checked before any work, finished rows kept ----------------
@pytest.fixture
def no_work(monkeypatch):
    """Make any benchmark work fail the test: the checks must come first."""
    from mlpinit import benchmark

    def refuse(*args, **kwargs):
        raise AssertionError("the benchmark started before the arguments were checked")

    monkeypatch.setattr(benchmark, "run_training_row", refuse)
    monkeypatch.setattr(benchmark, "run_predict_row", refuse)


def _exit_status_and_error(argv, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["benchmark", *argv])
    err = capsys.readouterr().err.strip().splitlines()
    return caught.value.code, err[-1]


@pytest.mark.parametrize(
    "argv, names",
    [
        (["--inits", "sklearn", "bogus"], "--inits"),
        (["--workloads", "digits", "bogus"], "--workloads"),
        (["--dtypes", "float16"], "--dtypes"),
        (["--threads", "0"], "--threads"),
        (["--threads", "-1"], "--threads"),
        (["--threads", "two"], "--threads"),
        (["--plot", "speedups.xyz"], "--plot"),
    ],
)
def test_a_bad_argument_exits_2_with_one_line_before_any_work(
    argv, names, no_work, capsys
):
    status, line = _exit_status_and_error(["--quick", *argv], capsys)
    assert status == 2
    assert line.startswith("python -m mlpinit benchmark: error: ") and names in line


def test_torch_without_pytorch_is_refused_up_front(no_work, capsys, monkeypatch):
    from mlpinit import benchmark

    monkeypatch.setattr(benchmark, "torch_installed", lambda: False)
    status, line = _exit_status_and_error(["--torch"], capsys)
    assert status == 2 and "--torch" in line and "not installed" in line


@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_an_output_path_that_cannot_be_a_file_is_refused_up_front(
    option, tmp_path, no_work, capsys
):
    blocker = tmp_path / "a_file"
    blocker.write_text("")
    for path, reason in [
        (blocker / "out.json", "is a file, not a folder"),
        (tmp_path, "is a folder"),
    ]:
        status, line = _exit_status_and_error([option, str(path)], capsys)
        assert status == 2 and option in line and reason in line


def test_run_benchmark_checks_its_options_before_any_work(no_work):
    from mlpinit.benchmark import run_benchmark

    for kwargs, match in [
        (dict(inits=["sklearn", "bogus"]), "inits: invalid choice: 'bogus'"),
        (dict(workloads=["nope"]), "workloads: invalid choice"),
        (dict(dtypes=["float16"]), "dtypes: invalid choice"),
        (dict(threads=0), "threads must be a positive integer, got 0"),
        (dict(threads=-1), "threads must be a positive integer, got -1"),
        (dict(inits=[]), "inits needs at least one value"),
    ]:
        with pytest.raises(ValueError, match=re.escape(match)):
            run_benchmark(quick=True, log=lambda line: None, **kwargs)


def _quick_digits(monkeypatch, predict=None):
    """The command line on TINY alone, with the prediction row replaced."""
    from mlpinit import benchmark

    monkeypatch.setattr(benchmark, "default_workloads", lambda quick: [TINY])
    if predict is not None:
        monkeypatch.setattr(benchmark, "run_predict_row", predict)
    return ["benchmark", "--quick", "--dtypes", "float64", "--threads", "1"]


def test_json_and_plot_into_missing_folders_are_created(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib")
    argv = _quick_digits(monkeypatch)
    json_path = tmp_path / "new" / "deeper" / "bench.json"
    plot_path = tmp_path / "other" / "speedups.png"
    argv += ["--workloads", "digits", "--inits", "sklearn"]
    assert main([*argv, "--json", str(json_path), "--plot", str(plot_path)]) == 0
    document = json.loads(json_path.read_text())
    assert document["complete"]
    assert [(r["table"], r["workload"]) for r in document["rows"]] == [
        ("fit", "digits"),
        ("epoch", "digits"),
    ]
    assert plot_path.read_bytes().startswith(b"\x89PNG")


def test_a_late_failure_keeps_the_finished_rows(tmp_path, monkeypatch, capsys):
    def broken_predict(*args, **kwargs):
        raise RuntimeError("the predict child crashed")

    argv = _quick_digits(monkeypatch, predict=broken_predict)
    json_path = tmp_path / "bench.json"
    argv += ["--inits", "sklearn", "auto", "--json", str(json_path), "--markdown"]
    assert main(argv) == 1
    captured = capsys.readouterr()
    # The training rows, in the tables on stdout and in the JSON file.
    assert "| digits | float64 | sklearn |" in captured.out
    assert "| digits | float64 | auto |" in captured.out
    document = json.loads(json_path.read_text())
    assert not document["complete"]
    assert [(r["table"], r["init"]) for r in document["rows"]] == [
        ("fit", "sklearn"),
        ("fit", "auto"),
        ("epoch", "sklearn"),
        ("epoch", "auto"),
    ]
    last = captured.err.strip().splitlines()[-1]
    assert "RuntimeError" in last and "4 finished rows" in last


def test_each_finished_row_is_saved_before_the_next_starts(tmp_path, monkeypatch):
    json_path = tmp_path / "bench.json"
    seen = []

    def predict_reads_the_file(*args, **kwargs):
        seen.append(json.loads(json_path.read_text()))
        raise KeyboardInterrupt

    argv = _quick_digits(monkeypatch, predict=predict_reads_the_file)
    status = main([*argv, "--inits", "sklearn", "--json", str(json_path)])
    assert status == 130
    # While the prediction row ran, the training rows were already on disk.
    assert [r["table"] for r in seen[0]["rows"]] == ["fit", "epoch"]
    assert not seen[0]["complete"]


# -- whole fit() rows, the GEMM bound and the run's description ---------------------
def _count(shapes):
    counts = {}
    for shape, count in shapes:
        counts[shape] = counts.get(shape, 0) + count
    return counts


# 1000 rows in batches of 300: three full batches and one of 100.
UNEVEN = Workload("tall", "classification", 1000, 10, 20, (16, 8), batch_size=300)


def test_gemm_shapes_are_the_products_scikit_learn_computes(monkeypatch):
    from sklearn.neural_network import MLPClassifier as SkMLPClassifier
    from sklearn.neural_network import _multilayer_perceptron as sk_mlp

    from mlpinit.benchmark import epoch_gemm_shapes

    seen = []
    original = sk_mlp.safe_sparse_dot

    def recording(a, b, **kwargs):
        seen.append((a.shape[0], a.shape[1], b.shape[1]))
        return original(a, b, **kwargs)

    X, _, y, _ = UNEVEN.data(np.float64)
    model = SkMLPClassifier(hidden_layer_sizes=UNEVEN.hidden, batch_size=300)
    monkeypatch.setattr(sk_mlp, "safe_sparse_dot", recording)
    model.partial_fit(X, y, classes=np.unique(y))  # one epoch
    assert _count((shape, 1) for shape in seen) == _count(epoch_gemm_shapes(UNEVEN))


def test_gemm_bound_times_exactly_the_counted_products(monkeypatch):
    from mlpinit.benchmark import epoch_gemm_shapes, time_gemm_bound

    seen = []
    original = np.matmul

    def recording(a, b, **kwargs):
        seen.append((a.shape[0], a.shape[1], b.shape[1]))
        return original(a, b, **kwargs)

    monkeypatch.setattr(np, "matmul", recording)
    seconds = time_gemm_bound(UNEVEN, np.float32, threads=1, repeats=2)
    assert seconds > 0
    # A warm-up epoch, then two timed ones, each the epoch's products.
    expected = {k: 3 * v for k, v in _count(epoch_gemm_shapes(UNEVEN)).items()}
    assert _count((shape, 1) for shape in seen) == expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_gemm_bound_runs_in_the_training_dtype_and_threads(monkeypatch, dtype):
    from threadpoolctl import threadpool_info

    from mlpinit.benchmark import time_gemm_bound

    seen = []
    original = np.matmul

    def recording(a, b, **kwargs):
        blas = [i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]
        seen.append((a.dtype, b.dtype, kwargs["out"].dtype, max(blas, default=1)))
        return original(a, b, **kwargs)

    monkeypatch.setattr(np, "matmul", recording)
    time_gemm_bound(UNEVEN, dtype, threads=1, repeats=1)
    assert seen and set(seen) == {(np.dtype(dtype),) * 3 + (1,)}


def test_the_bound_of_a_row_is_timed_on_the_rows_threads(monkeypatch):
    from mlpinit import benchmark

    bound_threads = []
    monkeypatch.setattr(benchmark, "default_workloads", lambda quick: [TINY])
    monkeypatch.setattr(
        benchmark,
        "time_gemm_bound",
        lambda workload, dtype, threads: bound_threads.append(threads) or 0.001,
    )
    rows = benchmark.run_benchmark(
        quick=True,
        dtypes=["float32"],
        inits=["sklearn"],
        workloads=["digits"],
        threads=2,
        log=lambda line: None,
    )
    fit = rows[0]
    assert bound_threads == [fit["mlpinit_threads"]] == [fit["sklearn_threads"]]


def test_gemm_flops_are_three_products_per_layer_but_the_input_delta():
    from mlpinit.benchmark.gemm_bound import epoch_gemm_shapes, gemm_flops

    units = UNEVEN.units()
    assert units == [20, 16, 8, 1]
    pairs = [a * b for a, b in zip(units[:-1], units[1:])]
    expected = 2 * UNEVEN.n_train * (3 * sum(pairs) - pairs[0])
    assert gemm_flops(epoch_gemm_shapes(UNEVEN)) == expected


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_fit_row_is_whole_fits_of_equal_work(dtype):
    from mlpinit.benchmark import run_fit_row

    row = run_fit_row(TINY, dtype, "sklearn", threads=1, repeats=3)
    assert row["table"] == "fit" and row["repeats"] == 3
    # tol=0: both train max_iter epochs on every training row.
    assert row["sklearn_epochs"] == row["mlpinit_epochs"] == TINY.epochs
    assert row["same_epochs"] and row["same_samples_seen"]
    if dtype == np.float64:  # init="sklearn" follows scikit-learn's trajectory
        assert row["loss_rel_diff"] < 1e-6
    assert row["speedup_min"] <= row["speedup"] <= row["speedup_max"]
    assert row["sklearn_s_per_epoch"] == row["sklearn_fit_s"] / TINY.epochs


def test_short_fits_take_more_pairs_up_to_five_times_the_repeats():
    from mlpinit.benchmark import run_fit_row

    # TINY fits take milliseconds: ten seconds are never reached.
    row = run_fit_row(TINY, np.float64, "sklearn", 1, repeats=2, min_seconds=10.0)
    assert row["repeats"] == 10


def _blas_can_run_two_threads():
    from threadpoolctl import threadpool_info, threadpool_limits

    with threadpool_limits(limits=2, user_api="blas"):
        return any(
            i["num_threads"] >= 2 for i in threadpool_info() if i["user_api"] == "blas"
        )


def test_thread_settings_are_observed_and_labelled():
    from mlpinit.benchmark import run_fit_row
    from mlpinit.benchmark.fitting import MLPINIT_POLICY, mlpinit_training_threads

    if not _blas_can_run_two_threads():
        pytest.skip("this BLAS runs one thread at most")
    # mlpinit's documented policy: hidden layers of at most 128 units train
    # on one BLAS thread; wider ones keep the caller's threads.
    assert mlpinit_training_threads((16,), 2) == 1
    assert mlpinit_training_threads((128, 4), 2) == 1
    assert mlpinit_training_threads((129,), 2) == 2
    assert mlpinit_training_threads((200,), 1) == 1
    same = run_fit_row(TINY, np.float64, "sklearn", threads=2, repeats=1)
    assert same["sklearn_threads"] == same["mlpinit_threads"] == 1
    policy = run_fit_row(
        TINY, np.float64, "sklearn", threads=2, repeats=1, setting=MLPINIT_POLICY
    )
    assert (policy["sklearn_threads"], policy["mlpinit_threads"]) == (2, 1)
    assert "(mlpinit policy)" in format_table([policy])


def test_gemm_share_and_ceiling_follow_from_the_bound():
    from mlpinit.benchmark.fitting import add_gemm_bound

    row = add_gemm_bound({"sklearn_s_per_epoch": 0.8, "mlpinit_s_per_epoch": 0.4}, 0.2)
    assert row["sklearn_gemm_share"] == pytest.approx(0.25)
    assert row["mlpinit_gemm_share"] == pytest.approx(0.5)
    assert row["gemm_only_speedup"] == pytest.approx(4.0)
    assert "noisy" not in row
    # A bound above an epoch that contains it was disturbed.
    slow = add_gemm_bound({"sklearn_s_per_epoch": 0.8, "mlpinit_s_per_epoch": 0.4}, 0.5)
    assert slow["noisy"]


def test_spread_flags_a_noisy_row_and_the_run_says_so():
    from mlpinit.benchmark.machine import NOISY_SPREAD, spread
    from mlpinit.benchmark.report import noise_note

    quiet = spread([1.50, 1.55, 1.52])
    assert quiet["speedup"] == 1.52 and not quiet["noisy"]
    noisy = spread([1.2, 2.0, 1.25 * NOISY_SPREAD])
    assert (noisy["speedup_min"], noisy["speedup_max"]) == (1.2, 2.0)
    assert noisy["noisy"]
    rows = [dict(quiet, repeats=3), dict(noisy, repeats=3)]
    assert noise_note(rows).startswith("NOISY RUN: in 1 of 2 rows")
    assert noise_note(rows[:1]).startswith("Quiet run")


def _synthetic_ratios(seconds, n_pairs, relative, absolute, speedup, seed):
    """Paired ratios of simulated fits: each time jitters by ``relative``
    (a fraction) and ``absolute`` (seconds), as normal noise, never real
    timings."""
    rng = np.random.RandomState(seed)

    def times(mean):
        noise = rng.standard_normal(n_pairs) * np.hypot(relative * mean, absolute)
        return np.maximum(mean + noise, 1e-6)

    return times(seconds * speedup) / times(seconds)


def test_noise_threshold_widens_for_short_fits_and_more_pairs():
    from mlpinit.benchmark.machine import NOISY_SPREAD, noise_threshold

    assert (
        noise_threshold(15, 0.01) > noise_threshold(15, 0.1) > noise_threshold(15, 10)
    )
    assert noise_threshold(15, 0.01) > noise_threshold(3, 0.01)
    assert noise_threshold(2, 100.0) == NOISY_SPREAD  # the floor
    assert noise_threshold(1, 0.01) == np.inf  # one ratio has no spread
    # Long fits: the threshold settles, and does not depend on their length.
    assert noise_threshold(5, 5.0) == pytest.approx(noise_threshold(5, 50.0), rel=1e-4)


@pytest.mark.parametrize(
    "seconds, n_pairs", [(0.008, 15), (0.03, 10), (0.15, 3), (0.5, 5), (3.0, 5)]
)
def test_quiet_synthetic_timings_are_not_flagged(seconds, n_pairs):
    from mlpinit.benchmark.machine import (
        QUIET_ABSOLUTE_JITTER_S,
        QUIET_RELATIVE_JITTER,
        spread,
    )

    flagged = [
        spread(
            _synthetic_ratios(
                seconds,
                n_pairs,
                QUIET_RELATIVE_JITTER,
                QUIET_ABSOLUTE_JITTER_S,
                1.8,
                seed,
            ),
            shortest_s=seconds,
        )["noisy"]
        for seed in range(200)
    ]
    # A quiet machine's jitter, at the rule's own estimate of it, is flagged
    # rarely (the margin is twice the expected range).
    assert np.mean(flagged) < 0.05


@pytest.mark.parametrize(
    "seconds, n_pairs", [(0.008, 15), (0.03, 10), (0.15, 3), (0.5, 5), (3.0, 5)]
)
def test_loaded_synthetic_timings_are_flagged(seconds, n_pairs):
    from mlpinit.benchmark.machine import spread

    # Load that slows single fits by tens of percent, several times the
    # quiet jitter, as seen when other jobs share the CPUs.
    flagged = [
        spread(
            _synthetic_ratios(seconds, n_pairs, 0.35, 0.0, 1.8, seed),
            shortest_s=seconds,
        )["noisy"]
        for seed in range(200)
    ]
    assert np.mean(flagged) > 0.8


def test_the_old_fixed_rule_flagged_quiet_short_fits():
    """The reason for the length-aware rule: quiet 10 ms fits over 15 pairs
    spread past the fixed 1.3x most of the time."""
    from mlpinit.benchmark.machine import (
        NOISY_SPREAD,
        QUIET_ABSOLUTE_JITTER_S,
        QUIET_RELATIVE_JITTER,
    )

    spreads = [
        np.ptp(np.log(r))
        for r in (
            _synthetic_ratios(
                0.01, 15, QUIET_RELATIVE_JITTER, QUIET_ABSOLUTE_JITTER_S, 1.8, seed
            )
            for seed in range(200)
        )
    ]
    assert np.mean(np.exp(spreads) > NOISY_SPREAD) > 0.5


def test_run_benchmark_orders_and_labels_every_table(monkeypatch):
    from mlpinit import benchmark

    if not _blas_can_run_two_threads():
        pytest.skip("this BLAS runs one thread at most")
    monkeypatch.setattr(benchmark, "default_workloads", lambda quick: [TINY])
    rows = benchmark.run_benchmark(
        quick=True,
        dtypes=["float64"],
        inits=["sklearn", "auto"],
        workloads=["digits"],
        threads=2,
        log=lambda line: None,
    )
    # Headline fits (one per init, same threads, with the GEMM bound), then
    # the policy row (TINY is narrow: mlpinit takes one thread of two), then
    # the per-epoch rows on the same threads as the headline.
    assert [(r["table"], r["init"], r.get("setting")) for r in rows] == [
        ("fit", "sklearn", "same threads"),
        ("fit", "auto", "same threads"),
        ("fit", "sklearn", "mlpinit policy"),
        ("epoch", "sklearn", None),
        ("epoch", "auto", None),
    ]
    assert rows[0]["gemm_bound_s"] == rows[1]["gemm_bound_s"] > 0
    assert "gemm_bound_s" not in rows[2]
    assert all(r["quick"] and r["threads_given"] == 2 for r in rows)
    assert [r["threads"] for r in rows[3:]] == [1, 1]


def test_plot_marks_noise_and_the_run(tmp_path):
    pytest.importorskip("matplotlib")
    from mlpinit.benchmark import plot_speedups, run_info
    from mlpinit.benchmark.fitting import add_gemm_bound

    row = dict(
        table="fit",
        setting="same threads",
        workload="wide",
        dtype="float32",
        init="sklearn",
        sklearn_s_per_epoch=0.6,
        mlpinit_s_per_epoch=0.3,
        quick=True,
        threads_given=2,
        **{"speedup": 2.0, "speedup_min": 1.0, "speedup_max": 3.0, "noisy": True},
    )
    rows = [add_gemm_bound(row, 0.15)]
    path = plot_speedups(rows, tmp_path / "bench.png", run_info(rows))
    assert path.read_bytes().startswith(b"\x89PNG")


# -- the terminal tables, on made-up rows (no timing) -----------------------------
def _made_up_rows():
    """One row of each kind, with the widest values the tables meet."""
    fit = {
        "table": "fit",
        "workload": "regression",
        "dtype": "float64",
        "init": "glorot_uniform",
        "setting": "same threads",
        "shape": "200000x100",
        "hidden": [256, 256],
        "epochs": 20,
        "repeats": 5,
        "sklearn_threads": 2,
        "mlpinit_threads": 2,
        "sklearn_fit_s": 123.456,
        "mlpinit_fit_s": 99.999,
        "speedup": 12.34,
        "speedup_min": 10.01,
        "speedup_max": 19.99,
        "noisy": True,
        "gemm_bound_s": 0.5,
        "sklearn_gemm_share": 0.42,
        "mlpinit_gemm_share": 1.0,
        "gemm_only_speedup": 3.21,
        "same_epochs": True,
        "same_samples_seen": True,
        "loss_rel_diff": 1e-16,
        "sklearn_score": 0.5,
        "mlpinit_score": 0.5,
        "sklearn_s_per_epoch": 6.2,
        "mlpinit_s_per_epoch": 5.0,
    }
    policy = dict(fit, setting="mlpinit policy", mlpinit_threads=1)
    for key in ("gemm_bound_s", "sklearn_gemm_share", "mlpinit_gemm_share"):
        policy.pop(key)
    epoch = {
        "table": "epoch",
        **{k: fit[k] for k in ("workload", "dtype", "init", "shape", "hidden")},
        "epochs": 20,
        "threads": 2,
        "sklearn_s_per_epoch": 12.3456,
        "mlpinit_s_per_epoch": 10.1234,
        "speedup": 1.22,
        "sklearn_gflops": 12.3,
        "mlpinit_gflops": 15.1,
        "sklearn_loss": 0.123456789,
        "mlpinit_loss": 0.123456789,
        "loss_rel_diff": 3.3e-16,
        "sklearn_score": 0.9,
        "mlpinit_score": 0.9,
        "torch_s_per_epoch": 20.1234,
        "speedup_vs_torch": 2.0,
        "torch_loss": 0.12,
    }
    predict = {
        "table": "predict",
        "workload": "predict",
        "dtype": "float32",
        "init": "-",
        "shape": "1000000x100",
        "hidden": [256, 256],
        "repeats": 3,
        "sklearn_s": 10.123,
        "mlpinit_s": 5.123,
        "speedup": 1.98,
        "speedup_min": 1.9,
        "speedup_max": 2.1,
        "noisy": False,
        "sklearn_peak_mb": 3906.0,
        "mlpinit_peak_mb": 95.4,
        "memory_ratio": 41.0,
        "same_output": True,
    }
    return [fit, policy, dict(epoch, torch_s_per_epoch=1.0), epoch, predict]


def _made_up_info():
    machine = {
        "cpu": "AMD EPYC 7B13 64-Core Processor",
        "cpus": 2,
        "platform": "Linux",
        "python": "3.11.7",
        "numpy": np.__version__,
        "sklearn": "1.9.1",
        "blas": ["openblas 0.3.30"],
    }
    return {
        "mode": "full",
        "threads_given": 2,
        "machine": machine,
        "load_before": 0.1,
        "load_after": 0.2,
        "noisy_rows": 1,
        "seconds": 600.0,
    }


@pytest.fixture
def made_up_run(monkeypatch):
    """The command line, with run_benchmark returning made-up rows."""
    from mlpinit import benchmark

    rows = _made_up_rows()
    monkeypatch.setattr(benchmark, "run_benchmark", lambda **kwargs: rows)
    monkeypatch.setattr(benchmark, "run_info", lambda *args: _made_up_info())
    return rows


@pytest.mark.parametrize("rich", [False, True], ids=["plain", "rich"])
def test_terminal_tables_fit_100_columns_and_keep_the_headline(
    made_up_run, capsys, monkeypatch, rich
):
    from mlpinit.benchmark import report

    if rich:
        pytest.importorskip("rich")
    monkeypatch.setattr(report, "rich_installed", lambda: rich)
    assert main(["benchmark", "--quick"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 100
    assert "|" not in out  # no Markdown without --markdown
    # Each row keeps what a reader needs: its name, speedup, spread and share.
    fit_line = next(line for line in lines if "glorot_uniform" in line)
    for text in ("regression", "float64", "12.34x", "10.01-19.99 noisy", "100%"):
        assert text in fit_line
    assert any("2/1 policy" in line for line in lines)
    assert any("2.00x" in line and "20.1234" in line for line in lines)  # torch
    assert any("41x" in line and "3906" in line for line in lines)  # predict
    assert "NOISY RUN" in out


def test_markdown_only_with_the_flag_and_with_every_column(made_up_run, capsys):
    assert main(["benchmark", "--quick", "--markdown"]) == 0
    out = capsys.readouterr().out
    headers = [line for line in out.splitlines() if line.startswith("| workload")]
    assert len(headers) == 3
    assert headers[0].count("|") == 20 and "GEMM-only speedup" in headers[0]
    assert "sklearn GFLOP/s" in headers[1] and "torch loss" in headers[1]
    # The prediction table's header and its rows say the same thing.
    assert "| predict_proba | float32 | 1000000x100 |" in out


def test_help_says_what_the_tool_is_and_every_option_has_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    top = capsys.readouterr().out
    assert "scikit-learn compatible" in top and "benchmark" in top
    with pytest.raises(SystemExit):
        main(["benchmark", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    from mlpinit.__main__ import _parser

    _, bench = _parser()
    for action in bench._actions:
        assert action.help, action.option_strings
    assert "default: sklearn and auto" in text
    assert "(default: sklearn auto)" not in text
    # The workloads' sizes, full and quick.
    assert "50000x100 / 4000x100" in text and "200000x20 / 16000x20" in text


def test_list_prints_the_workloads_and_runs_nothing(no_work, capsys):
    from mlpinit.benchmark import default_workloads

    assert main(["benchmark", "--list"]) == 0
    out = capsys.readouterr().out
    for full, quick in zip(default_workloads(), default_workloads(quick=True)):
        line = next(x for x in out.splitlines() if x.startswith(full.name + " "))
        assert f"{full.n_train}x{full.n_features} / {quick.n_train}x" in line
        assert f"{full.epochs} / {quick.epochs} epochs" in line
    assert out.splitlines()[-2].startswith("predict")


# -- the docs' record and the README's table, written from the JSON ---------------
def test_docs_record_leads_with_the_summary_and_has_every_row():
    from mlpinit.benchmark.record import format_rst

    rows, info = _made_up_rows(), _made_up_info()
    page = format_rst(rows, info, "python -m mlpinit benchmark", ["A note."])
    summary = page.index("Summary")
    every = page.index("Every table")
    assert summary < page.index(".. figure::") < every
    # The compact table: workload, speedup per dtype, GEMM share.
    compact = page[summary:every]
    assert "speedup float64" in compact and "mlpinit GEMM share float64" in compact
    assert "12.34x (noisy)" in compact and "1.98x, 41x less memory" in compact
    # Below it, every row of every table, with its own figures.
    for row in rows:
        assert f"{row['speedup']:.2f}x" in page[every:]
    assert "- predict_proba" in page[every:] and "- predict\n" not in page
    assert "A note." in page and "NOISY RUN" in page


def test_readme_summary_replaces_only_what_lies_between_the_markers():
    from mlpinit.benchmark.record import (
        README_END,
        README_START,
        replace_between_markers,
        summary_markdown,
    )

    table = summary_markdown(_made_up_rows(), _made_up_info())
    assert "| workload | speedup float64 | speedup float32 |" in table
    text = f"before\n{README_START}\nold table\n{README_END}\nafter\n"
    new = replace_between_markers(text, table)
    assert new.startswith("before\n") and new.endswith(f"{README_END}\nafter\n")
    assert "old table" not in new and table in new
    assert replace_between_markers(new, table) == new  # idempotent
    with pytest.raises(ValueError, match="markers"):
        replace_between_markers("no markers", table)
    readme = (ROOT / "README.md").read_text()
    assert README_START in readme and README_END in readme


def test_record_script_rewrites_page_and_readme_from_the_json(tmp_path, monkeypatch):
    from conftest import load_script

    script = load_script(ROOT / "docs" / "record_benchmark.py", "record_benchmark")
    from mlpinit.benchmark.record import README_END, README_START

    static = tmp_path / "docs" / "_static"
    static.mkdir(parents=True)
    info = dict(_made_up_info(), command="python -m mlpinit benchmark --quick")
    document = {"complete": True, "run": info, "rows": _made_up_rows()}
    (static / "benchmark.json").write_text(json.dumps(document))
    (tmp_path / "README.md").write_text(f"# x\n{README_START}\nold\n{README_END}\n")
    monkeypatch.setattr(script, "ROOT", tmp_path)
    monkeypatch.setattr(script, "STATIC", static)
    # The made-up run has a noisy row: a note may not call it quiet.
    with pytest.raises(ValueError, match="quiet"):
        script.main(["--from-json", "--note=Quiet machine."])
    assert script.main(["--from-json", "--note=Made-up rows."]) == 0
    page = (static / "benchmark_run.rst").read_text()
    assert "python -m mlpinit benchmark --quick > docs/_static/benchmark.txt" in page
    assert "Made-up rows." in page and "12.34x" in page
    readme = (tmp_path / "README.md").read_text()
    assert "old" not in readme and "| regression (200000x100" in readme
    assert "12.34x (noisy)" in readme and "This run is marked noisy" in readme
    # An incomplete run writes nothing.
    (static / "benchmark.json").write_text(json.dumps(dict(document, complete=False)))
    with pytest.raises(SystemExit, match="no complete run"):
        script.main(["--from-json"])


def test_rst_list_table_keeps_a_dash_cell_as_text():
    # A bare "-" cell would start a bullet list inside the table.
    docutils_core = pytest.importorskip("docutils.core")
    from mlpinit.benchmark.tables import rst_list_table

    source = rst_list_table(["workload", "share"], [["predict_proba", "-"]])
    tree = docutils_core.publish_doctree(source)
    assert not list(tree.findall(lambda node: node.tagname == "bullet_list"))
    cells = [node.astext() for node in tree.findall(lambda n: n.tagname == "entry")]
    assert cells == ["workload", "share", "predict_proba", "-"]


# -- one verdict per run, and terminal tables that read as tables (issue 23) --


def _busy_info(load_before):
    info = _made_up_info()
    return dict(info, load_before=load_before, machine=dict(info["machine"], cpus=2))


def test_a_run_is_quiet_or_noisy_never_both():
    from mlpinit.benchmark.report import noise_note, run_is_noisy

    quiet_row = dict(_made_up_rows()[0], noisy=False)
    # Quiet rows on a busy machine: the run is noisy, and says why.
    busy = noise_note([quiet_row], _busy_info(2.26))
    assert run_is_noisy([quiet_row], _busy_info(2.26))
    assert busy.startswith("NOISY RUN") and "2.26 on 2 CPUs" in busy
    assert "quiet run" not in busy.lower()
    # Quiet rows on an idle machine: quiet, and nothing says noisy.
    idle = noise_note([quiet_row], _busy_info(0.1))
    assert idle.startswith("Quiet run") and "noisy" not in idle.lower()
    assert not run_is_noisy([quiet_row], _busy_info(0.1))


def test_a_gemm_share_above_100_percent_is_marked_noisy():
    from mlpinit.benchmark.tables import cells

    row = dict(_made_up_rows()[0], mlpinit_gemm_share=1.04)
    header, body = cells("fit", [row])
    assert body[0][header.index("mlpinit GEMM share")] == "104% noisy"
    row["mlpinit_gemm_share"] = 0.93
    assert cells("fit", [row])[1][0][header.index("mlpinit GEMM share")] == "93%"


def test_the_record_refuses_a_note_that_calls_a_noisy_run_quiet():
    from mlpinit.benchmark.record import format_rst

    rows, info = _made_up_rows(), _made_up_info()
    with pytest.raises(ValueError, match="quiet"):
        format_rst(rows, info, "cmd", ["Run on a quiet machine."])
    page = format_rst(rows, info, "cmd", ["torch installed."])
    # The verdict comes before the first figure of the run.
    assert page.index("NOISY RUN") < page.index("Summary")
    assert "This run is marked noisy" in page


def _same_model_pair():
    """An init=sklearn row and the init=auto row of the same network."""
    sklearn_row = dict(
        _made_up_rows()[0], init="sklearn", sklearn_loss=0.25, mlpinit_loss=0.25
    )
    return sklearn_row, dict(sklearn_row, init="auto", speedup=1.5)


def test_terminal_shows_auto_once_where_it_is_the_sklearn_model():
    from mlpinit.benchmark.report import format_text
    from mlpinit.benchmark.tables import collapse_auto_rows

    sklearn_row, auto_row = _same_model_pair()
    kept, dropped = collapse_auto_rows([sklearn_row, auto_row])
    assert dropped == 1 and [r["init"] for r in kept] == ["sklearn=auto"]
    # A different model (another loss) keeps its own row.
    other = dict(auto_row, mlpinit_loss=0.3)
    assert collapse_auto_rows([sklearn_row, other])[1] == 0
    text = format_text([sklearn_row, auto_row], _made_up_info())
    assert "sklearn=auto" in text and "same model" in text
    assert "12.34x" in text and "1.50x" not in text


def test_rich_tables_align_numbers_right_and_end_lines_with_text():
    pytest.importorskip("rich")
    from mlpinit.benchmark.report import _print_rich

    out = io.StringIO()
    _print_rich(_made_up_rows(), _made_up_info(), out)
    lines = out.getvalue().splitlines()
    assert all(line == line.rstrip() for line in lines)
    assert max(map(len, lines)) <= 100
    header_at = next(i for i, line in enumerate(lines) if line.startswith("workload"))
    header, first = lines[header_at], lines[header_at + 1]
    # Each header fits on its line: the one after it is a data row.
    assert first.startswith("regression")
    # A numeric column's cells end where its header ends.
    end = header.index("speedup") + len("speedup")
    assert first[:end].endswith("x") and first[end : end + 1] in ("", " ")
