"""The suite's model registry: ``name -> factory(task, random_state)``.

A factory returns an unfitted scikit-learn estimator for ``task``
("classification" or "regression") that takes the suite's raw numeric ``X``
(and ``y`` as given, for regression). Extend the registry for an ablation by
passing a dict of your own to :func:`~mlpinit.benchmark.tabular.run_suite`::

    models = default_models()
    models["mlpinit-lr=0.01"] = lambda task, rs: make_pipeline(
        MeanNormStandardizer(), mlp_for(task)(learning_rate_init=0.01, random_state=rs)
    )

Every row uses public API only.
"""

from sklearn.compose import TransformedTargetRegressor
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)
from sklearn.neural_network import MLPClassifier as SkMLPClassifier
from sklearn.neural_network import MLPRegressor as SkMLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import mlpinit
from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor

# The row every other is compared with (wins / ties / losses).
REFERENCE = "sklearn-mlp"
# The row read from benchmarks/realmlp_runner.py's results file.
REALMLP = "realmlp-td"


def mlp_for(task):
    """mlpinit's MLPClassifier or MLPRegressor, by task."""
    return MLPClassifier if task == "classification" else MLPRegressor


def _sklearn_mlp(task, random_state):
    mlp = SkMLPClassifier if task == "classification" else SkMLPRegressor
    return make_pipeline(StandardScaler(), mlp(random_state=random_state))


def _mlpinit_default(task, random_state):
    # The README's advice: the rms standardizer and the MLP at its defaults.
    return make_pipeline(
        MeanNormStandardizer(norm="rms"), mlp_for(task)(random_state=random_state)
    )


def _mlpinit_article(task, random_state):
    # The article's recipe: l2 mean-norm scaling (the default norm) and He.
    return make_pipeline(
        MeanNormStandardizer(), mlp_for(task)(init="he", random_state=random_state)
    )


def _hgb(task, random_state):
    if task == "classification":
        return HistGradientBoostingClassifier(random_state=random_state)
    return HistGradientBoostingRegressor(random_state=random_state)


def tabular_mlp_available():
    """Whether this mlpinit has TabularMLPClassifier and TabularMLPRegressor."""
    return all(
        hasattr(mlpinit, name)
        for name in ("TabularMLPClassifier", "TabularMLPRegressor")
    )


def _tabular_mlp(task, random_state):
    name = "TabularMLPClassifier" if task == "classification" else "TabularMLPRegressor"
    return getattr(mlpinit, name)(random_state=random_state)


def default_models():
    """The suite's rows, in display order (a new dict each call).

    Returns
    -------
    dict of str to callable
        ``sklearn-mlp``, ``mlpinit-default``, ``mlpinit-article``, ``hgb``,
        and ``tabular-mlp`` when mlpinit has the TabularMLP estimators.
        RealMLP-TD is not here: it runs elsewhere and is read from its file.
    """
    models = {
        REFERENCE: _sklearn_mlp,
        "mlpinit-default": _mlpinit_default,
        "mlpinit-article": _mlpinit_article,
        "hgb": _hgb,
    }
    if tabular_mlp_available():
        models["tabular-mlp"] = _tabular_mlp
    return models


def scaled_target(factory):
    """The same row with a standardized regression target.

    Wraps the regressor in ``TransformedTargetRegressor(transformer=
    StandardScaler())``: it fits on ``(y - mean) / std`` of the training rows
    and predicts on the original scale, so R² is still on the original ``y``.
    Classification is unchanged.
    """

    def factory_with_scaled_target(task, random_state):
        estimator = factory(task, random_state)
        if task == "classification":
            return estimator
        return TransformedTargetRegressor(
            regressor=estimator, transformer=StandardScaler()
        )

    return factory_with_scaled_target


def extra_models():
    """Rows outside the default suite, for ``--models``: the three MLP rows
    with a standardized regression target (``+scaled-y``).

    The default rows give regressors ``y`` as given, as a user would; these
    show how much of an MLP's regression score is the target's scale alone.
    """
    return {
        f"{name}+scaled-y": scaled_target(factory)
        for name, factory in (
            (REFERENCE, _sklearn_mlp),
            ("mlpinit-default", _mlpinit_default),
            ("mlpinit-article", _mlpinit_article),
        )
    }


def available_models():
    """Every row ``--models`` can choose: the default ones, then the extras."""
    return {**default_models(), **extra_models()}
