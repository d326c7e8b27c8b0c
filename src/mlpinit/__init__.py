"""mlpinit: scikit-learn compatible MLPs built on the article's advice.

Normalize the inputs (:class:`MeanNormStandardizer`), initialize the weights
for the activation (``init="xavier"`` for tanh, ``init="he"`` for ReLU), and
watch each layer's activations and gradients while training.
"""

from mlpinit.neural_network import MLPClassifier, MLPRegressor
from mlpinit.preprocessing import MeanNormStandardizer
from mlpinit.tabular import TabularMLPClassifier, TabularMLPRegressor

__version__ = "0.1.0"

__all__ = [
    "MLPClassifier",
    "MLPRegressor",
    "MeanNormStandardizer",
    "TabularMLPClassifier",
    "TabularMLPRegressor",
    "__version__",
]
