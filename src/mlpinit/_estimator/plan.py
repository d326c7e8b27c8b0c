"""FitPlan: the hyperparameters of one fit, checked together, once.

:func:`FitPlan.build` reads the estimator's parameters (``get_params``, no
fitted attribute) and checks the rules that tie several of them together:
warmup needs a schedule that has one, dropout needs a stochastic solver,
early stopping cannot run in ``partial_fit``. The engine
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
    rates = np.atleast_1d(np.asarray(dropout, dtype=np.float64))
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
            record_layer_stats=params["record_layer_stats"],
            optimizer_params=MappingProxyType({n: params[n] for n in names}),
        )


def _check_rules(params, stochastic, incremental):
    """The rules between parameters, for the stochastic solvers (L-BFGS
    ignores early stopping and the schedules)."""
    if not stochastic:
        return
    if params["early_stopping"] and incremental:
        raise ValueError("partial_fit does not support early_stopping=True")
    warmup, schedule = params["warmup_epochs"], params["learning_rate"]
    if warmup and schedule not in _WARMUP_SCHEDULES:
        raise ValueError(
            f"warmup_epochs={warmup} is the warmup of "
            + " or ".join(f"learning_rate={name!r}" for name in _WARMUP_SCHEDULES)
            + f"; with learning_rate={schedule!r} "
            "set warmup_epochs=0."
        )
