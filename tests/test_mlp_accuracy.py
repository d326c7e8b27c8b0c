"""mlpinit's MLPs (init="auto") are as accurate as scikit-learn's at equal settings.

Runs ``benchmarks/accuracy.py`` itself, so the published table and this test
cannot drift apart.
"""

from pathlib import Path

import pytest

from conftest import load_script

_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy.py"


@pytest.fixture(scope="module")
def accuracy():
    return load_script(_SCRIPT, "benchmark_accuracy")


def _check(result, accuracy):
    assert len(result["ours_scores"]) == len(result["theirs_scores"])
    # Both really learned: far above chance (digits 0.1, breast cancer 0.63).
    if result["metric"] == "accuracy":
        assert min(result["ours_scores"] + result["theirs_scores"]) > 0.9
    assert accuracy.within_tolerance(result), (
        f"mlpinit is {-result['difference']:.4f} below scikit-learn on "
        f"{result['dataset']}: {result}"
    )


def test_digits_two_seeds_short_training(accuracy):
    # The full table's settings with 100 epochs instead of 300 (~3 s).
    result = accuracy.compare("digits", range(2), dict(max_iter=100))
    _check(result, accuracy)


def test_markdown_table_reports_the_verdict(accuracy):
    fake = [
        {
            "dataset": "a",
            "metric": "accuracy",
            "ours": 0.9,
            "theirs": 0.95,
            "difference": -0.05,
        },
        {
            "dataset": "b",
            "metric": "R^2",
            "ours": 0.5,
            "theirs": 0.505,
            "difference": -0.005,
        },
    ]
    table = accuracy.markdown_table(fake, 5).splitlines()
    assert table[2].endswith("| -0.0500 | **no** |")
    assert table[3].endswith("| -0.0050 | yes |")


@pytest.mark.slow
@pytest.mark.parametrize("dataset", ["digits", "breast_cancer", "diabetes"])
def test_full_benchmark_five_seeds(accuracy, dataset):
    _check(accuracy.compare(dataset, range(5)), accuracy)
