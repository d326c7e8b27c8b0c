"""Each schedule object against its formula, written here from the docs.

The formulas are evaluated with numpy on the whole step range, apart from
the classes' scalar code, and compared step by step; the optimizers are
checked to follow a schedule object as they followed the old string rules.
"""

import math

import numpy as np
import pytest

from mlpinit._core.optimizers import OPTIMIZERS, SGD, Adam, Optimizer
from mlpinit._core.schedules import (
    SCHEDULES,
    Adaptive,
    Constant,
    Cosine,
    CosLog4,
    FlatCos,
    InvScaling,
    make_schedule,
)

TOTAL = 40


def _values(schedule, steps):
    return np.array([schedule(int(k)) for k in steps])


def test_constant_is_its_value_at_every_step():
    np.testing.assert_array_equal(_values(Constant(0.3), range(100)), 0.3)


def test_invscaling_is_value_over_a_power_of_the_samples_seen():
    samples = np.array([0, 1, 10, 200, 12345])
    expected = 0.2 / (samples + 1.0) ** 0.7
    np.testing.assert_allclose(
        _values(InvScaling(0.2, power_t=0.7), samples), expected, rtol=1e-15
    )


def test_adaptive_divides_by_five_on_a_plateau_until_below_1e_6():
    schedule = Adaptive(1.0)
    rates = [1.0]
    while (rate := schedule.on_plateau(rates[-1])) is not None:
        rates.append(rate)
    # 1, 1/5, ..., 5**-9 (about 5.1e-7, the first value <= 1e-6).
    np.testing.assert_allclose(rates, 5.0 ** -np.arange(10), rtol=1e-14)
    assert rates[-1] <= 1e-6 < rates[-2]
    assert schedule(123) == 1.0  # it has no clock


@pytest.mark.parametrize("warmup", [0, 5])
def test_cosine_is_a_linear_warmup_then_half_a_cosine(warmup):
    steps = np.arange(TOTAL + 5)
    t = np.clip((steps - warmup) / (TOTAL - warmup), 0, 1)
    expected = np.where(
        steps < warmup, (steps + 1) / max(warmup, 1), 0.5 * (1 + np.cos(np.pi * t))
    )
    np.testing.assert_allclose(
        _values(Cosine(1.0, TOTAL, warmup), steps), expected, atol=1e-15
    )


def test_coslog4_is_four_cosine_cycles_on_a_log_axis():
    steps = np.arange(TOTAL + 1)
    t = steps / TOTAL
    expected = 0.5 * (1 - np.cos(2 * np.pi * np.log2(1 + 15 * t)))
    got = _values(CosLog4(2.0, TOTAL), steps)
    np.testing.assert_allclose(got, 2.0 * expected, atol=1e-12)
    # A property of the formula: the peaks (value 1) sit where
    # log2(1 + 15 t) is k + 1/2, one per cycle, each twice as late.
    peaks = (2.0 ** (np.arange(4) + 0.5) - 1) / 15
    np.testing.assert_allclose([CosLog4(total=10**6)(p * 10**6) for p in peaks], 1)


def test_flat_cos_is_flat_for_half_the_run_then_a_cosine_to_zero():
    steps = np.arange(TOTAL + 3)
    t = np.minimum(steps / TOTAL, 1)
    expected = np.where(t < 0.5, 1.0, 0.5 * (1 + np.cos(np.pi * (2 * t - 1))))
    np.testing.assert_allclose(
        _values(FlatCos(1.0, TOTAL), steps), expected, atol=1e-15
    )
    assert FlatCos(total=TOTAL)(TOTAL) == pytest.approx(0, abs=1e-16)


def test_every_schedule_is_a_factor_with_value_one():
    # The same objects schedule any quantity: value * factor(step).
    for name in SCHEDULES:
        one = make_schedule(name, 1.0, total=TOTAL, warmup=3, power_t=0.5)
        three = make_schedule(name, 3.0, total=TOTAL, warmup=3, power_t=0.5)
        for step in range(0, TOTAL, 7):
            assert three(step) == pytest.approx(3.0 * one(step), rel=1e-15)


def test_the_optimizers_register_themselves():
    assert OPTIMIZERS == {"sgd": SGD, "adam": Adam}
    assert all(issubclass(cls, Optimizer) for cls in OPTIMIZERS.values())


@pytest.mark.parametrize("cls", [FlatCos, CosLog4, Cosine])
def test_sgd_takes_its_steps_from_any_update_schedule(cls):
    schedule = cls(0.5, total=12)
    optimizer = SGD(1, np.float64, 0.5, "constant", 0.0, False, 0.5)
    optimizer.follow(schedule)
    theta, steps = np.zeros(1), []
    for _ in range(14):
        before = theta[0]
        optimizer.step(theta, np.ones(1))  # momentum 0: the step is the rate
        steps.append(before - theta[0])
    np.testing.assert_allclose(steps, [schedule(k) for k in range(14)], atol=1e-16)
    assert optimizer.cosine_update == 14  # kept with the state for partial_fit


def test_sgd_invscaling_is_read_at_each_epoch_end():
    optimizer = SGD(1, np.float64, 0.1, "invscaling", 0.9, True, 0.5)
    optimizer.epoch_ended(99)
    assert optimizer.learning_rate == pytest.approx(0.1 / math.sqrt(100), rel=1e-15)
