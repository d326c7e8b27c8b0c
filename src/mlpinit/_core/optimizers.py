"""Optimizers that update the flat parameter vector in place.

SGD (momentum, Nesterov, three learning-rate schedules) and Adam follow the
update rules of scikit-learn's MLP operation for operation, so a float64 run
reproduces its trajectory; L-BFGS goes through ``scipy.optimize.minimize``.
Each step is a handful of vectorised operations over one array, with scratch
buffers allocated once. Learning rates are Python floats so that float32
parameters stay float32 arithmetic.

This module is the numerical core: numpy and scipy only.
"""

import math

import numpy as np
import scipy.optimize

from mlpinit._core.fused import kernels


def cosine_rate(rate_init, update, total_updates, warmup_updates):
    """The learning rate of update number ``update`` (from 0) on a cosine schedule.

    A linear warmup from ``rate_init / warmup_updates`` to ``rate_init`` over
    the first ``warmup_updates`` updates, then a cosine decay towards 0 over
    the rest of ``total_updates`` (Loshchilov & Hutter, "SGDR: Stochastic
    Gradient Descent with Warm Restarts", 2017, without the restarts):
    ``rate_init * (1 + cos(pi * progress)) / 2``, ``progress`` going from 0
    to 1. Past ``total_updates`` the rate stays 0.

    Examples
    --------
    >>> from mlpinit._core.optimizers import cosine_rate
    >>> [round(cosine_rate(1.0, k, 6, 2), 3) for k in range(7)]
    [0.5, 1.0, 1.0, 0.854, 0.5, 0.146, 0.0]
    """
    if update < warmup_updates:
        return rate_init * (update + 1) / warmup_updates
    remaining = total_updates - warmup_updates
    progress = (
        1.0 if remaining <= 0 else min(1.0, (update - warmup_updates) / remaining)
    )
    return rate_init * 0.5 * (1.0 + math.cos(math.pi * progress))


class _CosineSchedule:
    """What SGD and Adam share to follow :func:`cosine_rate`, update by update."""

    _cosine = None  # (total_updates, warmup_updates) once following it

    def follow_cosine(self, total_updates, warmup_updates):
        """Take the learning rate from :func:`cosine_rate` at every update.

        The position, ``cosine_update``, is kept with the optimizer's state,
        so ``partial_fit`` calls continue along the schedule.
        """
        self._cosine = (int(total_updates), int(warmup_updates))
        if not hasattr(self, "cosine_update"):
            self.cosine_update = 0

    def _next_rate(self):
        rate = cosine_rate(self.learning_rate_init, self.cosine_update, *self._cosine)
        self.cosine_update += 1
        return rate


class SGD(_CosineSchedule):
    """Stochastic gradient descent with momentum.

    Parameters
    ----------
    n_params : int
    dtype : numpy dtype
    learning_rate_init : float
    schedule : {"constant", "invscaling", "adaptive", "cosine"}
        ``invscaling`` sets the rate to ``learning_rate_init / (t + 1) ** power_t``
        after each epoch, ``t`` being the samples seen. ``adaptive`` divides
        it by 5 each time training stops improving, until it falls below 1e-6.
        ``cosine`` follows :func:`cosine_rate` once :meth:`follow_cosine`
        has set its length.
    momentum : float
    nesterov : bool
    power_t : float
    """

    def __init__(
        self, n_params, dtype, learning_rate_init, schedule, momentum, nesterov, power_t
    ):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.schedule = schedule
        self.momentum = float(momentum)
        self.nesterov = bool(nesterov)
        self.power_t = float(power_t)
        self.velocity = np.zeros(n_params, dtype)
        self._scratch = np.empty(n_params, dtype)
        self._step = np.empty(n_params, dtype)
        self._weight_decay, self._n_coef = 0.0, 0

    def decay_weights(self, weight_decay, n_coef):
        """Shrink the first ``n_coef`` parameters (the weights) at every step.

        Decoupled weight decay (Loshchilov & Hutter, 2019): before each
        update, ``W <- W * (1 - learning_rate * weight_decay)``, apart from
        the gradient and its momentum; the biases are not decayed. With plain
        SGD (no momentum) this is the L2 penalty ``weight_decay / 2 * ||W||^2``
        on each batch.
        """
        self._weight_decay, self._n_coef = float(weight_decay), int(n_coef)

    def step(self, theta, grad):
        """Apply one update to ``theta`` in place, in one pass (:mod:`.fused`)."""
        if self._cosine is not None:
            self.learning_rate = self._next_rate()
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

    def epoch_ended(self, samples_seen):
        """Update the schedule after an epoch of ``samples_seen`` total samples."""
        if self.schedule == "invscaling":
            self.learning_rate = (
                self.learning_rate_init / (samples_seen + 1) ** self.power_t
            )

    def on_plateau(self, message, verbose):
        """Training stopped improving: return True to stop, False to go on."""
        if self.schedule != "adaptive":
            if verbose:
                print(message + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(message + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(message + f" Setting learning rate to {self.learning_rate:f}")
        return False


class Adam(_CosineSchedule):
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
    """

    def __init__(self, n_params, dtype, learning_rate_init, beta_1, beta_2, epsilon):
        self.learning_rate_init = float(learning_rate_init)
        self.learning_rate = float(learning_rate_init)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.t = 0
        self.first_moment = np.zeros(n_params, dtype)
        self.second_moment = np.zeros(n_params, dtype)
        self._scratch = np.empty(n_params, dtype)
        self._denominator = np.empty(n_params, dtype)
        self._weight_decay, self._n_coef = 0.0, 0

    def decay_weights(self, weight_decay, n_coef):
        """AdamW: shrink the first ``n_coef`` parameters (the weights) each step.

        Loshchilov & Hutter (2019): before each update, ``W <- W * (1 -
        learning_rate_init * weight_decay)``, outside Adam's moment estimates
        (where an L2 gradient would be rescaled per weight, and so would
        regularize large-gradient weights less). As in ``torch.optim.AdamW``,
        the factor uses the (scheduled) step size without Adam's bias
        correction. The
        biases are not decayed.
        """
        self._weight_decay, self._n_coef = float(weight_decay), int(n_coef)

    def step(self, theta, grad):
        """Apply one update to ``theta`` in place, in one pass (:mod:`.fused`)."""
        rate = self.learning_rate_init if self._cosine is None else self._next_rate()
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
