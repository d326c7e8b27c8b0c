"""scikit-learn's estimator checks over every estimator that mlpinit exports.

Estimators are discovered from ``mlpinit.__all__``, so a new public estimator
is checked without anyone remembering to list it here. ``CONFIGURATIONS``
only adds extra parameter settings worth checking on top of the defaults.
"""

import inspect

from sklearn.base import BaseEstimator
from sklearn.utils.estimator_checks import parametrize_with_checks

import mlpinit
import mlpinit.preprocessing

# Extra settings per estimator class name; every estimator is also checked
# with its defaults. Settings shrink max_iter only where the checks' small
# datasets converge anyway, to keep the suite inside its time budget.
_MLP_CONFIGURATIONS = [
    {"init": "xavier"},
    {"init": "he"},
    {"init": "sklearn"},
    {"init": "orthogonal"},
    {"init": "lsuv"},
    {"solver": "sgd"},
    {"solver": "lbfgs"},
    {"activation": "tanh"},
    # The activations of issue 12.
    {"activation": "leaky_relu"},
    {"activation": "elu"},
    {"activation": "selu"},
    {"activation": "gelu"},
    {"activation": "silu"},
    {"early_stopping": True, "scoring": "loss", "validation_fraction": 0.2},
    {"weight_decay": 0.01},
    {"solver": "sgd", "weight_decay": 0.01},
    {"learning_rate": "cosine", "warmup_epochs": 2},
    {"solver": "sgd", "learning_rate": "cosine"},
    {"dropout": 0.2},
    # Issue 20's general pieces.
    {"bias_init": "data"},
    {"weight_decay": 0.01, "weight_decay_schedule": "flat_cos"},
    {"dropout": 0.2, "dropout_schedule": "flat_cos"},
]
# Tabular's periodic features behind its robust scaling, small enough that
# one configuration's checks stay fast. Under the default weight decay, (16,)
# or 60 epochs fit too little for check_class_weight_classifiers and
# check_classifiers_train; (32,) over the default 100 epochs passes both.
_TABULAR_PERIODIC = {
    "periodic_features": 2,
    "scaling": "robust",
    "hidden_layer_sizes": (32,),
}
CONFIGURATIONS = {
    "MeanNormStandardizer": [{"per_feature": False}, {"norm": "rms"}],
    "TabularMLPClassifier": [_TABULAR_PERIODIC],
    "TabularMLPRegressor": [_TABULAR_PERIODIC],
    "MLPClassifier": _MLP_CONFIGURATIONS + [{"class_weight": "balanced"}],
    "MLPRegressor": _MLP_CONFIGURATIONS
    + [
        {
            "early_stopping": True,
            "scoring": "neg_mean_absolute_error",
            "validation_fraction": 0.2,
        }
    ],
}


_BALANCED_REFUSES_PARTIAL_FIT = (
    "class_weight='balanced' needs the whole class distribution, so partial_fit "
    "refuses it, as SGDClassifier does"
)
_ES_REFUSES_PARTIAL_FIT = (
    "partial_fit does not support early_stopping=True, as in scikit-learn"
)
_DROPOUT_PER_ROW = (
    "dropout draws a mask per row: a repeated row gets masks of its own, "
    "a weighted one a single mask"
)
_DATA_BIAS_DRAWS = (
    "bias_init='data' draws random training rows: a weighted row is drawn as "
    "often as its repeats in distribution, but the check shuffles the weighted "
    "rows, so the same draws land on other rows"
)
# Checks a setting fails by design, with the reason.
_EXPECTED_FAILURES = {
    "bias_init": {
        "check_sample_weight_equivalence_on_dense_data": _DATA_BIAS_DRAWS,
        "check_sample_weight_equivalence_on_sparse_data": _DATA_BIAS_DRAWS,
    },
    "balanced": {
        "check_sample_weight_equivalence_on_dense_data": (
            "'balanced' weights follow the class frequencies, which repeating "
            "rows changes"
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "'balanced' weights follow the class frequencies, which repeating "
            "rows changes"
        ),
        "check_fit_score_takes_y": _BALANCED_REFUSES_PARTIAL_FIT,
        "check_n_features_in_after_fitting": _BALANCED_REFUSES_PARTIAL_FIT,
        "check_estimators_partial_fit_n_features": _BALANCED_REFUSES_PARTIAL_FIT,
    },
    "early_stopping": {
        "check_sample_weight_equivalence_on_dense_data": (
            "the held-out validation rows differ when rows are repeated"
        ),
        "check_sample_weight_equivalence_on_sparse_data": (
            "the held-out validation rows differ when rows are repeated"
        ),
        "check_fit_score_takes_y": _ES_REFUSES_PARTIAL_FIT,
        "check_n_features_in_after_fitting": _ES_REFUSES_PARTIAL_FIT,
        "check_estimators_partial_fit_n_features": _ES_REFUSES_PARTIAL_FIT,
    },
    "dropout": {
        "check_sample_weight_equivalence_on_dense_data": _DROPOUT_PER_ROW,
        "check_sample_weight_equivalence_on_sparse_data": _DROPOUT_PER_ROW,
    },
    "tanh": {
        "check_class_weight_classifiers": (
            "on the check's unscaled 3-blob data, a saturated tanh network fits "
            "the heavily weighted class's rows and is free elsewhere: 68% of the "
            "test rows go to class 0, against the 87% asked (relu: 100%)"
        ),
    },
}


def _expected_failures(estimator):
    params = estimator.get_params()
    if type(estimator).__name__.startswith("TabularMLP") and params["early_stopping"]:
        # Their partial_fit trains without a validation split, so only the
        # weight-equivalence checks see the held-out rows differ.
        return {
            check: reason
            for check, reason in _EXPECTED_FAILURES["early_stopping"].items()
            if check.startswith("check_sample_weight_equivalence")
        }
    if params.get("class_weight") == "balanced":
        return _EXPECTED_FAILURES["balanced"]
    if params.get("early_stopping"):
        return _EXPECTED_FAILURES["early_stopping"]
    if params.get("dropout"):
        return _EXPECTED_FAILURES["dropout"]
    if params.get("bias_init") == "data":
        return _EXPECTED_FAILURES["bias_init"]
    if type(estimator).__name__ == "MLPClassifier" and params["activation"] == "tanh":
        return _EXPECTED_FAILURES["tanh"]
    return {}


def _exported_estimator_classes():
    # mlpinit's and mlpinit.preprocessing's: the transformers that only the
    # latter exports (RobustSmoothClipScaler, PeriodicFeatures) are public too.
    classes = []
    for module in (mlpinit, mlpinit.preprocessing):
        for name in module.__all__:
            obj = getattr(module, name)
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseEstimator)
                and obj not in classes
            ):
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
    assert {"RobustSmoothClipScaler", "PeriodicFeatures"} <= names
    assert {"TabularMLPClassifier", "TabularMLPRegressor"} <= names
    assert names >= set(CONFIGURATIONS)


@parametrize_with_checks(_instances(), expected_failed_checks=_expected_failures)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
