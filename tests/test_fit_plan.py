"""FitPlan: one frozen record per fit, where the rules between parameters live."""

import dataclasses

import numpy as np
import pytest

import mlpinit._estimator.plan as plan_module
from mlpinit import MLPClassifier, MLPRegressor
from mlpinit._estimator.plan import FitPlan

X = np.random.RandomState(0).normal(size=(40, 3))
y = (X[:, 0] > 0).astype(int)


def _params(**changes):
    return MLPRegressor(**changes).get_params(deep=False)


def test_the_plan_is_frozen_and_holds_the_parameters():
    plan = FitPlan.build(_params(solver="sgd", momentum=0.5), 1, incremental=False)
    assert plan.optimizer_params["momentum"] == 0.5
    assert plan.stochastic and plan.dropout_rates is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        plan.max_iter = 3
    with pytest.raises(TypeError):
        plan.optimizer_params["momentum"] = 0.1


def test_the_plan_broadcasts_one_dropout_rate_to_every_hidden_layer():
    plan = FitPlan.build(_params(dropout=0.25), 3, incremental=False)
    assert plan.dropout_rates == (0.25, 0.25, 0.25)


@pytest.mark.parametrize(
    "params, incremental, match",
    [
        ({"warmup_epochs": 2}, False, "warmup of learning_rate='cosine'"),
        ({"dropout": 0.5, "solver": "lbfgs"}, False, "dropout needs solver"),
        ({"early_stopping": True}, True, "partial_fit does not support"),
        ({"dropout": [0.1, 0.2]}, False, "one per hidden layer"),
    ],
)
def test_the_plan_checks_the_rules_between_parameters(params, incremental, match):
    with pytest.raises(ValueError, match=match):
        FitPlan.build(_params(**params), 1, incremental)


def test_lbfgs_ignores_the_stochastic_rules():
    # As before the plan: L-BFGS has no schedule to warm up nor epochs to stop.
    plan = FitPlan.build(
        _params(solver="lbfgs", warmup_epochs=3, early_stopping=True), 1, True
    )
    assert not plan.early_stopping and not plan.stochastic


def test_dropout_is_validated_once_per_fit(monkeypatch):
    calls = []
    real = plan_module.dropout_rates

    def counting(*args):
        calls.append(args)
        return real(*args)

    monkeypatch.setattr(plan_module, "dropout_rates", counting)
    MLPClassifier((4, 3), dropout=[0.2, 0.1], max_iter=2, random_state=0).fit(X, y)
    assert len(calls) == 1
