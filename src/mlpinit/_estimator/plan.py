"""FitPlan: the hyperparameters of one fit, checked together, once.

:func:`FitPlan.build` reads the estimator's parameters (``get_params``, no
fitted attribute) and checks the rules that tie several of them together:
warmup needs a stochastic solver, a schedule that has one and no more epochs
than ``max_iter``, dropout needs a stochastic solver, early stopping cannot
run in ``partial_fit``, ``learning_rate_init * weight_decay`` must stay
below 1, and a schedule of weight decay or dropout needs that quantity to be
non-zero and a stochastic solver. The engine
(:mod:`mlpinit._core.engine`) then reads the plan's fields and nothing else.
"""

from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from mlpinit._core.optimizers import OPTIMIZERS, STOCHASTIC_SOLVERS
from mlpinit._core.schedules import SCHEDULES
from mlpinit._estimator.parameters import LEARNING_RATE_SCHEDULES


def dropout_rates(dropout, n_hidden):
    """The drop probability of each hidden layer, or None if every one is 0.

    Parameters
    ----------
    dropout : float or array-like
        The ``dropout`` parameter.
    n_hidden : int
        Hidden layers of the network.

    Returns
    -------
    tuple of float or None
    """
    # Only real numbers: numpy would turn the strings "0.5" into rates, and
    # a dict into a 0-d object array (a raw TypeError further on).
    try:
        given = None if isinstance(dropout, dict) else np.asarray(dropout)
    except ValueError:  # a ragged sequence
        given = None
    if given is None or given.dtype.kind not in "biuf":
        raise ValueError(
            "dropout must be a real number or a sequence of real numbers, one "
            f"per hidden layer ({n_hidden}); got {dropout!r}."
        )
    rates = np.atleast_1d(given.astype(np.float64))
    if rates.ndim != 1 or rates.size not in (1, n_hidden):
        raise ValueError(
            f"dropout must be one number or one per hidden layer ({n_hidden}); "
            f"got {dropout!r}."
        )
    if not np.all((rates >= 0) & (rates < 1)):
        raise ValueError(f"dropout rates must lie in [0, 1); got {dropout!r}.")
    rates = np.broadcast_to(rates, n_hidden)
    return tuple(float(r) for r in rates) if rates.any() else None


# The learning_rate schedules that have a warmup (warmup_epochs): those
# that run on the update clock over the whole fit.
_WARMUP_SCHEDULES = tuple(
    name for name in LEARNING_RATE_SCHEDULES if SCHEDULES[name].clock == "update"
)


@dataclass(frozen=True)
class FitPlan:
    """What one ``fit`` or ``partial_fit`` call does, as plain values.

    Built by :meth:`build`; the engine reads these fields. ``incremental``
    is ``partial_fit``; ``dropout_rates`` None (no dropout) or one rate per
    hidden layer; ``optimizer_params`` the hyperparameters of the solver's
    optimizer, by name (:attr:`mlpinit._core.optimizers.Optimizer.hyperparameters`).
    """

    solver: str
    incremental: bool
    max_iter: int
    max_fun: int
    tol: float
    n_iter_no_change: float
    shuffle: bool
    verbose: bool
    early_stopping: bool
    validation_fraction: float
    scoring: object
    alpha: float
    activation: str
    batch_size: object
    max_grad_norm: object
    learning_rate: str
    learning_rate_init: float
    warmup_epochs: int
    weight_decay: float
    dropout_rates: tuple
    weight_decay_schedule: str
    dropout_schedule: str
    record_layer_stats: bool
    optimizer_params: MappingProxyType

    @property
    def stochastic(self):
        return self.solver in STOCHASTIC_SOLVERS

    @classmethod
    def build(cls, params, n_hidden, incremental):
        """The plan of a fit with hyperparameters ``params``.

        Parameters
        ----------
        params : dict
            The estimator's ``get_params(deep=False)``, already validated
            one by one (``_validate_params``).
        n_hidden : int
            Hidden layers of the network.
        incremental : bool
            ``partial_fit``.

        Returns
        -------
        FitPlan
        """
        solver = params["solver"]
        stochastic = solver in STOCHASTIC_SOLVERS
        _check_rules(params, stochastic, incremental)
        rates = dropout_rates(params["dropout"], n_hidden)
        if rates is not None and not stochastic:
            raise ValueError(
                "dropout needs solver='sgd' or 'adam': L-BFGS needs a deterministic "
                "objective, and dropout draws a new network at every step. Set "
                "dropout=0 for solver='lbfgs'."
            )
        _check_regularizer_schedules(params, stochastic, rates)
        optimizer = OPTIMIZERS.get(solver)
        names = () if optimizer is None else optimizer.hyperparameters
        return cls(
            solver=solver,
            incremental=bool(incremental),
            max_iter=params["max_iter"],
            max_fun=params["max_fun"],
            tol=params["tol"],
            n_iter_no_change=params["n_iter_no_change"],
            shuffle=params["shuffle"],
            verbose=params["verbose"],
            early_stopping=params["early_stopping"] and stochastic,
            validation_fraction=params["validation_fraction"],
            scoring=params["scoring"],
            alpha=params["alpha"],
            activation=params["activation"],
            batch_size=params["batch_size"],
            max_grad_norm=params["max_grad_norm"],
            learning_rate=params["learning_rate"],
            learning_rate_init=params["learning_rate_init"],
            warmup_epochs=params["warmup_epochs"],
            weight_decay=params["weight_decay"],
            dropout_rates=rates,
            weight_decay_schedule=params["weight_decay_schedule"],
            dropout_schedule=params["dropout_schedule"],
            record_layer_stats=params["record_layer_stats"],
            optimizer_params=MappingProxyType({n: params[n] for n in names}),
        )


def _check_rules(params, stochastic, incremental):
    """The rules between parameters. L-BFGS ignores early stopping and the
    schedules, as in scikit-learn, but refuses a warmup, which no
    scikit-learn parameter asks for."""
    warmup, schedule = params["warmup_epochs"], params["learning_rate"]
    warmup_of = " or ".join(f"learning_rate={name!r}" for name in _WARMUP_SCHEDULES)
    if not stochastic:
        if warmup:
            raise ValueError(
                f"warmup_epochs={warmup} is the warmup of {warmup_of} with "
                f"solver='adam' or 'sgd'; solver={params['solver']!r} has no "
                "learning rate to warm up. Set warmup_epochs=0."
            )
        return
    if params["early_stopping"] and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    if warmup and schedule not in _WARMUP_SCHEDULES:
        raise ValueError(
            f"warmup_epochs={warmup} is the warmup of {warmup_of}; with "
            f"learning_rate={schedule!r} set warmup_epochs=0."
        )
    if warmup > params["max_iter"]:
        raise ValueError(
            f"warmup_epochs={warmup} is longer than the whole fit, "
            f"max_iter={params['max_iter']}: the rate would never reach "
            f"learning_rate_init. Set warmup_epochs <= max_iter."
        )
    _check_weight_decay(params["weight_decay"], params["learning_rate_init"])


def _check_weight_decay(weight_decay, learning_rate_init):
    # Each update multiplies the weights by 1 - rate * weight_decay, and no
    # schedule's rate exceeds learning_rate_init. At 1 the factor zeroes
    # the weights; beyond, it flips their sign and, below -1, grows them.
    if learning_rate_init * weight_decay >= 1:
        raise ValueError(
            f"weight_decay={weight_decay:g} with learning_rate_init="
            f"{learning_rate_init:g} makes the decay factor 1 - "
            f"learning_rate_init * weight_decay = "
            f"{1 - learning_rate_init * weight_decay:g}, which flips or erases "
            "the weights instead of shrinking them. weight_decay must be below "
            f"1 / learning_rate_init = {1 / learning_rate_init:g} (usually far "
            "below: 1e-4 to 1e-1)."
        )


def _check_regularizer_schedules(params, stochastic, dropout_rates):
    """A weight decay or dropout schedule needs something to schedule.

    Both quantities act in the stochastic solvers' updates only, and a
    schedule of 0 is 0 at every epoch: either way the schedule would be
    silently ignored, so it is refused.
    """
    scheduled = {
        "weight_decay": (params["weight_decay_schedule"], params["weight_decay"]),
        "dropout": (params["dropout_schedule"], dropout_rates),
    }
    for name, (schedule, value) in scheduled.items():
        if schedule == "constant":
            continue
        if not stochastic:
            raise ValueError(
                f"{name}_schedule={schedule!r} needs solver='sgd' or 'adam': "
                f"solver={params['solver']!r} has no epochs to schedule "
                f"{name} over. Set {name}_schedule='constant'."
            )
        if not value:
            raise ValueError(
                f"{name}_schedule={schedule!r} schedules {name}, which is 0: "
                f"the schedule would change nothing. Set {name} > 0 or "
                f"{name}_schedule='constant'."
            )
