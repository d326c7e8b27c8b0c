"""scikit-learn's estimator checks over every estimator that mlpinit exports.

Estimators are discovered from ``mlpinit.__all__``, so a new public estimator
is checked without anyone remembering to list it here. ``CONFIGURATIONS``
only adds extra parameter settings worth checking on top of the defaults.
"""

import inspect

from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlpinit

# Extra settings per estimator class name; every estimator is also checked
# with its defaults. Settings shrink max_iter only where the checks' small
# datasets converge anyway, to keep the suite inside its time budget.
_MLP_CONFIGURATIONS = [
    {"init": "xavier"},
    {"init": "he"},
    {"init": "sklearn"},
    {"solver": "sgd"},
    {"solver": "lbfgs"},
    {"activation": "tanh"},
]
CONFIGURATIONS = {
    "MeanNormStandardizer": [{"per_feature": False}],
    "MLPClassifier": _MLP_CONFIGURATIONS,
    "MLPRegressor": _MLP_CONFIGURATIONS,
}


def _exported_estimator_classes():
    classes = []
    for name in mlpinit.__all__:
        obj = getattr(mlpinit, name)
        if inspect.isclass(obj) and issubclass(obj, BaseEstimator):
            classes.append(obj)
    return classes


def _instances():
    instances = []
    for cls in _exported_estimator_classes():
        instances.append(cls())
        for params in CONFIGURATIONS.get(cls.__name__, []):
            instances.append(cls(**params))
    return instances


def test_every_exported_estimator_is_checked():
    # A package that exports nothing would make the checks below vacuous.
    names = {type(est).__name__ for est in _instances()}
    assert "MeanNormStandardizer" in names
    assert names >= set(CONFIGURATIONS)


@parametrize_with_checks(_instances())
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
