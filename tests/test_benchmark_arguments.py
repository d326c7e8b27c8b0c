"""The benchmarks/ scripts refuse bad arguments before any work starts.

Each bad argument must end the script at once with argparse's exit status 2
and one line that names the argument; no row may be computed first.
"""

import os
from pathlib import Path

import pytest

from conftest import load_script

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

BAD_ARGUMENTS = [
    ("accuracy", ["--seeds", "0"], "--seeds"),
    ("accuracy", ["--seeds", "-1"], "--seeds"),
    ("accuracy", ["--datasets", "bogus"], "--datasets"),
    ("predict_memory", ["--rows", "0"], "--rows"),
    ("predict_memory", ["--features", "-3"], "--features"),
    ("predict_memory", ["--hidden", "64", "0"], "--hidden"),
    ("predict_memory", ["--dtype", "float16"], "--dtype"),
    ("predict_memory", ["--out", "{file}/inside"], "--out"),
    ("scaling", ["--threads", "0"], "--threads"),
    ("scaling", ["--threads", "-1"], "--threads"),
    ("scaling", ["--epochs", "0"], "--epochs"),
    ("scaling", ["--sweeps", "bogus"], "--sweeps"),
    ("scaling", ["--out", "{file}"], "--out"),
    ("realmlp_runner", ["--out", "r.json", "--splits", "0"], "--splits"),
    ("realmlp_runner", ["--out", "r.json", "--datasets", "bogus"], "--datasets"),
]


@pytest.mark.parametrize(
    "script, argv, named", BAD_ARGUMENTS, ids=[" ".join(a[1]) for a in BAD_ARGUMENTS]
)
def test_bad_argument_exits_2_at_once_naming_it(
    script, argv, named, tmp_path, capsys, monkeypatch
):
    module = load_script(BENCHMARKS / f"{script}.py", f"bench_args_{script}")
    a_file = tmp_path / "a_file"
    a_file.write_text("")
    argv = [arg.format(file=a_file) for arg in argv]

    def no_work(*args, **kwargs):
        raise AssertionError("the benchmark started before the arguments failed")

    # Whatever does the work, it must not be reached.
    for name in ("compare", "run", "run_sweep", "fit_one"):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, no_work)
    with pytest.raises(SystemExit) as exit_info:
        module.main(argv)
    assert exit_info.value.code == 2
    error_lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert f"error: argument {named}" in error_lines[-1]


# -- python -m mlpinit benchmark (issue 21, item 11) --------------------------
@pytest.fixture
def no_benchmark_work(monkeypatch):
    """Any benchmark work fails the test: the checks must come first."""
    import mlpinit.__main__ as cli
    from mlpinit import benchmark

    def refuse(*args, **kwargs):
        raise AssertionError("the benchmark started before the arguments failed")

    for name in ("run_training_row", "run_predict_row", "run_benchmark"):
        monkeypatch.setattr(benchmark, name, refuse)
    for name in ("_run", "_run_tabular"):
        if hasattr(cli, name):
            monkeypatch.setattr(cli, name, refuse)


def _cli_error(argv, capsys):
    from mlpinit.__main__ import main

    with pytest.raises(SystemExit) as exit_info:
        main(["benchmark", *argv])
    lines = [line for line in capsys.readouterr().err.splitlines() if line]
    return exit_info.value.code, lines[-1]


@pytest.mark.parametrize("option", ["--json", "--plot"])
def test_an_empty_output_path_is_refused(option, no_benchmark_work, capsys):
    # It used to start the full run and then write nothing.
    status, line = _cli_error(["--quick", option, ""], capsys)
    assert status == 2 and f"{option}: an empty path" in line


@pytest.mark.parametrize("spelling", ["same", "dotted"])
def test_json_and_plot_on_one_file_are_refused(
    spelling, tmp_path, no_benchmark_work, capsys, monkeypatch
):
    # The figure, written last, used to overwrite the JSON.
    monkeypatch.chdir(tmp_path)
    plot = "R.png" if spelling == "same" else "./sub/../R.png"
    status, line = _cli_error(["--quick", "--json", "R.png", "--plot", plot], capsys)
    assert status == 2 and "--json" in line and "--plot" in line
    assert "the same file" in line


@pytest.mark.parametrize("extra", [1, 100000])
def test_more_threads_than_cpus_are_refused(extra, no_benchmark_work, capsys):
    cpus = os.cpu_count() or 1
    threads = str(cpus + extra if extra == 1 else extra)
    status, line = _cli_error(["--quick", "--threads", threads], capsys)
    assert status == 2 and "argument --threads" in line and f"{cpus} CPUs" in line


def test_all_cpus_as_threads_are_accepted(monkeypatch):
    from mlpinit.__main__ import _parser

    parser, _ = _parser()
    cpus = os.cpu_count() or 1
    args = parser.parse_args(["benchmark", "--threads", str(cpus)])
    assert args.threads == cpus


def test_check_options_refuses_more_threads_than_cpus():
    from mlpinit.benchmark.options import check_options

    cpus = os.cpu_count() or 1
    with pytest.raises(ValueError, match=f"at most the {cpus} CPUs.*got {cpus + 1}"):
        check_options(["float64"], ["sklearn"], None, cpus + 1)
    assert check_options(["float64"], ["sklearn"], None, cpus)[3] == cpus


@pytest.mark.parametrize(
    "argv, named",
    [
        (["--suite", "tabular", "--workloads", "digits"], "--workloads"),
        (["--suite", "tabular", "--threads", "1"], "--threads"),
        (["--suite", "tabular", "--torch"], "--torch"),
        (["--datasets", "iris"], "--datasets"),
        (["--no-cache"], "--no-cache"),
        (["--suite", "tabular", "--realmlp", "{missing}"], "--realmlp"),
        (["--suite", "tabular", "--datasets", "bogus"], "--datasets"),
        (["--suite", "tabular", "--splits", "0"], "--splits"),
        (["--suite", "tabular", "--json", ""], "--json"),
    ],
)
def test_an_option_of_the_other_suite_is_refused(
    argv, named, tmp_path, no_benchmark_work, capsys
):
    argv = [a.format(missing=tmp_path / "missing.json") for a in argv]
    status, line = _cli_error(argv, capsys)
    assert status == 2 and named in line
