"""Where the MLP estimators' shared base lived; it is now :mod:`mlpinit._estimator`.

Kept so that the names other modules import from here (the diagnostics)
stay where they were.
"""

from mlpinit._estimator.base import (
    PREDICT_CHUNK_ROWS,
    BaseMLP,
    TrainingData,
    checked_input,
    checked_input_and_targets,
    draw_initial_weights,
)

__all__ = [
    "PREDICT_CHUNK_ROWS",
    "BaseMLP",
    "TrainingData",
    "checked_input",
    "checked_input_and_targets",
    "draw_initial_weights",
]
