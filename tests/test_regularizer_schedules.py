"""weight_decay_schedule and dropout_schedule: the factor, once per epoch.

The truth: factors computed by hand (flat_cos, cosine) or from the paper's
formula (coslog4), the first half of a flat_cos fit equal bit for bit to a
constant one (its factor is exactly 1 there), and "constant" equal to the
fit without the parameters.
"""

import math
from types import SimpleNamespace

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from mlpinit import MLPClassifier, MLPRegressor, TabularMLPRegressor
from mlpinit._core.engine import RegularizerSchedules
from mlpinit._core.optimizers import Adam
from mlpinit._core.training import Dropout
from mlpinit._estimator.plan import FitPlan

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

RNG = np.random.RandomState(0)
X = RNG.normal(size=(90, 5))
y = (X[:, 0] - X[:, 1] > 0).astype(int)


def _factors(name, epochs):
    plan = SimpleNamespace(
        weight_decay=1.0,
        weight_decay_schedule=name,
        dropout_schedule=name,
        max_iter=epochs,
    )
    dropout = Dropout([0.5], [5, 4, 1], 8, np.float64, np.random.default_rng(0))
    schedules = RegularizerSchedules(
        plan, Adam(3, np.float64, 0.01, 0.9, 0.9, 1e-8), dropout, 2
    )
    values = [schedules.begin_epoch() for _ in range(epochs)]
    return [v["weight_decay"] for v in values], [v["dropout"][0] for v in values]


def test_flat_cos_and_cosine_factors_by_hand():
    # flat_cos over 4 epochs: progress 0, 1/4, 1/2, 3/4 -> 1, 1, 1, (1 + cos(pi/2)) / 2.
    decay, rates = _factors("flat_cos", 4)
    assert decay == pytest.approx([1.0, 1.0, 1.0, 0.5])
    assert rates == pytest.approx([0.5, 0.5, 0.5, 0.25])
    # cosine over 4 epochs: (1 + cos(pi e / 4)) / 2.
    decay, _ = _factors("cosine", 4)
    assert decay == pytest.approx([1.0, 0.8535534, 0.5, 0.1464466])


def test_coslog4_factor_is_the_papers_formula():
    decay, _ = _factors("coslog4", 10)
    expected = [
        0.5 * (1 - math.cos(2 * math.pi * math.log2(1 + 15 * e / 10)))
        for e in range(10)
    ]
    assert decay == pytest.approx(expected, abs=1e-12)


def test_constant_sets_nothing():
    plan = SimpleNamespace(
        weight_decay=0.1,
        weight_decay_schedule="constant",
        dropout_schedule="constant",
        max_iter=3,
    )
    adam = Adam(3, np.float64, 0.01, 0.9, 0.9, 1e-8)
    schedules = RegularizerSchedules(plan, adam, None, 2)
    assert schedules.begin_epoch() == {}
    assert "regularizer_epoch" not in adam.state()


def _fit(**params):
    base = dict(hidden_layer_sizes=(16,), max_iter=8, random_state=0, batch_size=30)
    return MLPClassifier(**{**base, **params}).fit(X, y)


@pytest.mark.parametrize(
    "params",
    [
        {"weight_decay": 0.5, "weight_decay_schedule": "flat_cos"},
        {"dropout": 0.4, "dropout_schedule": "flat_cos"},
    ],
)
def test_flat_cos_trains_as_constant_for_its_first_half(params):
    constant = {k: v for k, v in params.items() if not k.endswith("_schedule")}
    a, b = _fit(**constant), _fit(**params)
    # max_iter=8: epochs 0..4 have progress <= 1/2, factor exactly 1.
    assert a.loss_curve_[:5] == b.loss_curve_[:5]
    assert a.loss_curve_[5:] != b.loss_curve_[5:]


def test_constant_is_bit_identical_to_leaving_the_parameters_out():
    a = _fit(weight_decay=0.1, dropout=0.3)
    b = _fit(
        weight_decay=0.1,
        dropout=0.3,
        weight_decay_schedule="constant",
        dropout_schedule="constant",
    )
    for p, q in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(p, q)


def test_partial_fit_continues_along_the_schedule():
    # Successive partial_fit calls are successive epochs of one schedule:
    # flat_cos over max_iter=4 has factors 1, 1, 1, 0.5, so the fourth call
    # (and only it) differs from the constant schedule's. A schedule that
    # started again at every call would never leave factor 1.
    def calls(schedule):
        est = MLPRegressor(
            hidden_layer_sizes=(8,),
            max_iter=4,
            weight_decay=0.5,
            weight_decay_schedule=schedule,
            random_state=0,
        )
        weights = []
        for _ in range(4):
            est.partial_fit(X, X[:, 0])
            weights.append(est.coefs_[0].copy())
        return weights

    constant, scheduled = calls("constant"), calls("flat_cos")
    for k in range(3):
        np.testing.assert_array_equal(constant[k], scheduled[k])
    assert not np.array_equal(constant[3], scheduled[3])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"weight_decay_schedule": "flat_cos"}, "weight_decay, which is 0"),
        ({"dropout_schedule": "cosine"}, "dropout, which is 0"),
        (
            {
                "solver": "lbfgs",
                "weight_decay": 0.1,
                "weight_decay_schedule": "flat_cos",
            },
            "weight_decay_schedule='flat_cos' needs solver",
        ),
        ({"solver": "lbfgs", "dropout_schedule": "coslog4"}, "needs solver"),
    ],
)
def test_the_plan_refuses_a_schedule_with_nothing_to_schedule(params, match):
    with pytest.raises(ValueError, match=match):
        FitPlan.build(MLPRegressor(**params).get_params(deep=False), 1, False)


def test_the_plan_carries_the_schedules():
    params = MLPRegressor(dropout=0.2, dropout_schedule="flat_cos").get_params()
    plan = FitPlan.build(params, 1, False)
    assert (plan.dropout_schedule, plan.weight_decay_schedule) == (
        "flat_cos",
        "constant",
    )


@pytest.mark.parametrize("name", ["invscaling", "adaptive", "linear"])
def test_other_names_are_invalid_parameters(name):
    with pytest.raises(InvalidParameterError, match="dropout_schedule"):
        MLPClassifier(dropout=0.1, dropout_schedule=name).fit(X, y)


def test_the_tabular_estimators_take_them():
    est = TabularMLPRegressor(
        hidden_layer_sizes=(16,),
        max_iter=4,
        weight_decay=0.05,
        weight_decay_schedule="flat_cos",
        dropout_schedule="flat_cos",
        bias_init="data",
        random_state=0,
    ).fit(X, X[:, 0])
    assert est.n_iter_ == 4 and np.isfinite(est.loss_curve_).all()
