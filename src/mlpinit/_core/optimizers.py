"""Optimizers that update the flat parameter vector in place.

SGD (momentum, Nesterov) and Adam, both subclasses of :class:`Optimizer`
(registered in :data:`OPTIMIZERS` by name), take their learning rate from a
schedule object (:mod:`mlpinit._core.schedules`) and follow the update
rules of scikit-learn's MLP operation for operation, so a float64 run
reproduces its trajectory; L-BFGS goes through ``scipy.optimize.minimize``.
Each step is a handful of vectorised operations over one array, with scratch
buffers allocated once. Learning rates are Python floats so that float32
parameters stay float32 arithmetic.

This module is the numerical core: numpy and scipy only.
"""

import copy
import math

import numpy as np
import scipy.optimize

from mlpinit._core.fused import kernels
from mlpinit._core.schedules import Adaptive, Constant, Cosine, make_schedule


def cosine_rate(rate_init, update, total_updates, warmup_updates):
    """The learning rate of update number ``update`` (from 0) on a cosine schedule.

    :class:`~mlpinit._core.schedules.Cosine` as a function: a linear warmup
    from ``rate_init / warmup_updates`` to ``rate_init`` over the first
    ``warmup_updates`` updates, then ``rate_init * (1 + cos(pi * progress)) /
    2`` towards 0 over the rest of ``total_updates``.

    Examples
    --------
    >>> from mlpinit._core.optimizers import cosine_rate
    >>> [round(cosine_rate(1.0, k, 6, 2), 3) for k in range(7)]
    [0.5, 1.0, 1.0, 0.854, 0.5, 0.146, 0.0]
    """
    return Cosine(rate_init, total_updates, warmup_updates)(update)


#: Every stochastic optimizer by solver name, filled by :class:`Optimizer`'s
#: subclasses as they are defined; the estimators' ``solver`` names are these
#: and ``"lbfgs"``.
OPTIMIZERS = {}


class Optimizer:
    """What every stochastic optimizer shares: the rate, its schedule, decay.

    A subclass names itself (``name = "sgd"``), which registers it in
    :data:`OPTIMIZERS`, lists the hyperparameters its constructor takes
    after ``n_params, dtype, learning_rate_init`` (:attr:`hyperparameters`),
    and implements :meth:`step`.

    The public attributes (no leading underscore) are the optimizer's state:
    the estimators keep them as plain arrays and numbers between
    ``partial_fit`` calls (and in skops files) and set them back on a new
    optimizer. The schedule objects are private: they are rebuilt from the
    hyperparameters on every call.
    """

    name = None
    hyperparameters = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.name is not None:
            OPTIMIZERS[cls.name] = cls

    @classmethod
    def from_hyperparameters(cls, n_params, dtype, learning_rate_init, params):
        """An optimizer built from ``params``, a mapping that holds at least
        :attr:`hyperparameters`."""
        return cls(
            n_params,
            dtype,
            learning_rate_init,
            *(params[name] for name in cls.hyperparameters),
        )

    def _start(self, learning_rate_init):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self._weight_decay, self._n_coef = 0.0, 0
        self._schedule = Constant(self.learning_rate_init)

    # -- the learning rate's schedule ---------------------------------------
    def follow(self, schedule):
        """Take the learning rate from ``schedule`` (a :mod:`.schedules` object).

        A schedule on the ``"update"`` clock is read before every update at
        the position ``cosine_update`` (the name files written before
        schedules were objects carry), kept with the optimizer's state, so
        ``partial_fit`` calls continue along it. One on the ``"sample"``
        clock is read at the end of each epoch.
        """
        self._schedule = schedule
        if schedule.clock == "update" and not hasattr(self, "cosine_update"):
            self.cosine_update = 0

    def follow_cosine(self, total_updates, warmup_updates):
        """Follow :class:`~mlpinit._core.schedules.Cosine` over ``total_updates``."""
        self.follow(Cosine(self.learning_rate_init, total_updates, warmup_updates))

    def _scheduled_rate(self):
        """The rate of this update: the schedule's if on the update clock."""
        if self._schedule.clock != "update":
            return self.learning_rate
        rate = self._schedule(self.cosine_update)
        self.cosine_update += 1
        return rate

    def epoch_ended(self, samples_seen):
        """Update the rate after an epoch of ``samples_seen`` total samples."""
        if self._schedule.clock == "sample":
            self.learning_rate = self._schedule(samples_seen)

    def on_plateau(self, message, verbose):
        """Training stopped improving: return True to stop, False to go on."""
        rate = self._schedule.on_plateau(self.learning_rate)
        if rate is None:
            if verbose:
                small = isinstance(self._schedule, Adaptive)
                print(
                    message
                    + (" Learning rate too small." if small else "")
                    + " Stopping."
                )
            return True
        self.learning_rate = rate
        if verbose:
            print(message + f" Setting learning rate to {self.learning_rate:f}")
        return False

    # -- decoupled weight decay ---------------------------------------------
    def decay_weights(self, weight_decay, n_coef):
        """Shrink the first ``n_coef`` parameters (the weights) at every step.

        Decoupled weight decay (Loshchilov & Hutter, 2019): before each
        update, ``W <- W * (1 - rate * weight_decay)``, apart from the
        gradient and the optimizer's moments; the biases are not decayed.
        ``rate`` is the scheduled learning rate, without Adam's bias
        correction, as in ``torch.optim.AdamW``. With plain SGD (no
        momentum) this is the L2 penalty ``weight_decay / 2 * ||W||^2`` on
        each batch.
        """
        self._weight_decay, self._n_coef = float(weight_decay), int(n_coef)

    def restore(self, state):
        """Continue from ``state``, the public attributes of an earlier optimizer."""
        for name, value in state.items():
            setattr(self, name, copy.copy(value))
        self._restored()

    def _restored(self):
        """Hook: rebuild what depends on restored state."""

    def state(self):
        """The public attributes: what :meth:`restore` continues from."""
        return {name: value for name, value in vars(self).items() if name[0] != "_"}

    def step(self, theta, grad):
        """Apply one update to ``theta`` in place."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with momentum.

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
    schedule : {"constant", "invscaling", "adaptive", "cosine"}
        The name of the learning rate's schedule (:mod:`.schedules`).
        ``invscaling`` sets the rate to ``learning_rate_init / (t + 1) **
        power_t`` after each epoch, ``t`` being the samples seen.
        ``adaptive`` divides it by 5 each time training stops improving,
        until it falls below 1e-6. ``cosine`` follows
        :class:`~mlpinit._core.schedules.Cosine` once :meth:`follow_cosine`
        (or :meth:`follow`) has set its length.
    momentum : float
    nesterov : bool
    power_t : float
    """

    name = "sgd"
    hyperparameters = ("learning_rate", "momentum", "nesterovs_momentum", "power_t")

    def __init__(
        self, n_params, dtype, learning_rate_init, schedule, momentum, nesterov, power_t
    ):
        self._start(learning_rate_init)
        self.schedule = schedule
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.power_t = float(power_t)
        self.velocity = np.zeros(n_params, dtype)
        self._scratch = np.empty(n_params, dtype)
        self._step = np.empty(n_params, dtype)
        self._follow_epoch_schedule()

    def _follow_epoch_schedule(self):
        if self.schedule in ("invscaling", "adaptive"):
            self.follow(
                make_schedule(
                    self.schedule, self.learning_rate_init, power_t=self.power_t
                )
            )

    def _restored(self):
        # The restored ``schedule`` name rules, as it did when the name was
        # the only thing SGD looked at; an update-clock schedule stays.
        if self._schedule.clock != "update":
            self._schedule = Constant(self.learning_rate_init)
            self._follow_epoch_schedule()

    def step(self, theta, grad):
        """Apply one update to ``theta`` in place, in one pass (:mod:`.fused`)."""
        self.learning_rate = self._scheduled_rate()
        decay_factor = 1 - self.learning_rate * self._weight_decay
        kernels().sgd(
            theta,
            grad,
            self.velocity,
            self._scratch,
            self._step,
            (
                self.learning_rate,
                self.momentum,
                self.nesterov,
                decay_factor,
                self._n_coef,
            ),
        )


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2014) with bias correction folded into the step size.

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates.
    epsilon : float
        Added to the root of the second moment for stability.

    Notes
    -----
    ``learning_rate`` is the bias-corrected step size of the last update;
    the schedule (constant or on the update clock) gives the rate it
    corrects. Adam keeps its step size across epochs and stops on a plateau.
    """

    name = "adam"
    hyperparameters = ("beta_1", "beta_2", "epsilon")

    def __init__(self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon):
        self._start(learning_rate_init)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.first_moment = np.zeros(n_params, dtype)
        self.second_moment = np.zeros(n_params, dtype)
        self._scratch = np.empty(n_params, dtype)
        self._denominator = np.empty(n_params, dtype)

    def _scheduled_rate(self):
        # ``learning_rate`` holds the corrected step size, not the rate.
        if self._schedule.clock != "update":
            return self.learning_rate_init
        return super()._scheduled_rate()

    def step(self, theta, grad):
        """Apply one update to ``theta`` in place, in one pass (:mod:`.fused`)."""
        rate = self._scheduled_rate()
        decay_factor = 1 - rate * self._weight_decay
        self.t += 1
        self.learning_rate = (
            rate * math.sqrt(1 - self.beta_2**self.t) / (1 - self.beta_1**self.t)
        )
        kernels().adam(
            theta,
            grad,
            self.first_moment,
            self.second_moment,
            self._scratch,
            self._denominator,
            (
                self.beta_1,
                1 - self.beta_1,
                self.beta_2,
                1 - self.beta_2,
                -self.learning_rate,
                self.epsilon,
                decay_factor,
                self._n_coef,
            ),
        )

    def epoch_ended(self, samples_seen):
        """Adam keeps its step size across epochs."""

    def on_plateau(self, message, verbose):
        """Training stopped improving: Adam always stops."""
        if verbose:
            print(message + " Stopping.")
        return True


#: The solver names, stochastic ones first in registry order, then L-BFGS.
STOCHASTIC_SOLVERS = tuple(OPTIMIZERS)
SOLVERS = (*STOCHASTIC_SOLVERS, "lbfgs")


def minimize_lbfgs(loss_and_grad, theta0, *, max_iter, max_fun, tol, callback=None):
    """Minimize with scipy's L-BFGS-B over the flat parameter vector.

    Parameters
    ----------
    loss_and_grad : callable
        ``loss_and_grad(theta) -> (loss, grad)`` on a float64 vector.
    theta0 : ndarray
        Starting point.
    max_iter, max_fun : int
        Caps on iterations and on loss evaluations.
    tol : float
        Projected-gradient tolerance (scipy's ``gtol``).
    callback : callable, optional
        Called after each iteration with the current vector.

    Returns
    -------
    scipy.optimize.OptimizeResult
    """
    return scipy.optimize.minimize(
        loss_and_grad,
        np.asarray(theta0, dtype=np.float64),
        method="L-BFGS-B",
        jac=True,
        callback=callback,
        options={"maxiter": max_iter, "maxfun": max_fun, "gtol": tol},
    )
