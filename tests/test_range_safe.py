"""mlpinit._core.range_safe: power-of-two scaling against plain numpy and
scikit-learn's r2_score on the same data brought into range exactly."""

import warnings

import numpy as np
import pytest
from sklearn.metrics import r2_score

from mlpinit import MLPRegressor
from mlpinit._core.range_safe import (
    SAFE_RANGE,
    peak_magnitude,
    power_of_two_scale,
    r2_score_without_overflow,
    range_safe_factor,
)

RNG = np.random.RandomState(0)


def test_peak_magnitude_is_the_nan_ignoring_max_of_abs():
    X = RNG.standard_normal((30, 4))
    X[3, 1] = np.nan
    X[:, 3] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the all-NaN column
        expected = np.nanmax(np.abs(X), axis=0)
    np.testing.assert_array_equal(peak_magnitude(X, axis=0), expected)
    assert peak_magnitude(X) == np.nanmax(np.abs(X))


@pytest.mark.parametrize("peak", [1.0, 3e-100, 2e100, 0.0])
def test_data_inside_the_safe_range_is_left_alone(peak):
    assert range_safe_factor(np.array(peak)) == 1.0


@pytest.mark.parametrize("peak", [1e130, 1e200, 1e300, 1e-130, 1e-300])
def test_data_outside_is_brought_near_one_by_a_power_of_two(peak):
    assert not SAFE_RANGE[0] <= peak <= SAFE_RANGE[1]
    factor = range_safe_factor(np.array(peak))
    mantissa, _ = np.frexp(factor)
    assert mantissa == 0.5  # a power of two: multiplying by it is exact
    assert 0.5 <= peak * factor < 1.0


@pytest.mark.parametrize("peak", [5e-324, 1e-310, np.finfo(np.float64).max])
def test_the_ends_of_the_float_range_get_a_normal_factor_and_safe_squares(peak):
    # 2**k itself must stay a normal float: |k| is bounded by 1000.
    factor = power_of_two_scale(np.array(peak))
    assert factor in (2.0**1000, 2.0**-1000)
    square = (peak * factor) ** 2
    assert np.isfinite(square) and square >= np.finfo(np.float64).tiny


@pytest.mark.parametrize("exponent", [0, 700, -700, 1000, -1040])
@pytest.mark.parametrize("n_outputs", [1, 3])
@pytest.mark.parametrize("weighted", [False, True])
def test_r2_matches_r2_score_on_the_data_scaled_into_range(
    exponent, n_outputs, weighted
):
    y = RNG.standard_normal((50, n_outputs))
    y_pred = y + 0.3 * RNG.standard_normal((50, n_outputs))
    weight = RNG.uniform(0.5, 2.0, 50) if weighted else None
    expected = r2_score(y, y_pred, sample_weight=weight)
    # Scaling by 2**exponent is exact (subnormals aside, which keep the
    # leading digits), so R^2 of the scaled data is R^2 of the data.
    scaled = r2_score_without_overflow(
        np.ldexp(y, exponent), np.ldexp(y_pred, exponent), weight
    )
    assert scaled == pytest.approx(expected, rel=1e-12 if exponent > -1000 else 1e-9)


@pytest.mark.parametrize("scale", [2.0**900, 2.0**-1030])
def test_r2_of_a_constant_target_follows_r2_score(scale):
    y = np.full(5, 3.0)
    assert r2_score_without_overflow(y * scale, y * scale) == r2_score(y, y) == 1.0
    off = r2_score_without_overflow(y * scale, 2 * y * scale)
    assert off == r2_score(y, 2 * y) == 0.0


def test_regressor_scores_subnormal_targets_and_predictions():
    # Both below 2**-1000: a scale of 2**-e with e unbounded was inf here, and
    # the validation pass raised "Input contains infinity" on finite input.
    X = RNG.standard_normal((30, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = MLPRegressor(hidden_layer_sizes=(3,), max_iter=2).fit(X, X[:, 0])
    y = np.linspace(1.0, 2.0, 30) * 2.0**-1040
    prediction = y[::-1].copy()
    model.predict = lambda X: prediction
    expected = r2_score(np.ldexp(y, 1040), np.ldexp(prediction, 1040))
    assert model.score(X, y) == pytest.approx(expected, rel=1e-9)
