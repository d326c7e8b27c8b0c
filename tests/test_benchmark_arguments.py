"""The benchmarks/ scripts refuse bad arguments before any work starts.

Each bad argument must end the script at once with argparse's exit status 2
and one line that names the argument; no row may be computed first.
"""

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
    for name in ("compare", "run", "run_sweep"):
        if hasattr(module, name):
            monkeypatch.setattr(module, name, no_work)
    with pytest.raises(SystemExit) as exit_info:
        module.main(argv)
    assert exit_info.value.code == 2
    error_lines = [line for line in capsys.readouterr().err.splitlines() if line]
    assert f"error: argument {named}" in error_lines[-1]
