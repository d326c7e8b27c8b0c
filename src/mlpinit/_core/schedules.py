"""Schedules: a scheduled quantity's value as a function of the step.

Optax-style: a schedule is an object called with the step, ``schedule(step)
-> value``, where the value is ``value * factor(step)``. With ``value=1.0`` it
is a plain factor, which is how any other scheduled quantity (weight decay,
dropout rates) can use the same objects as the learning rate.

Each schedule says what its step counts (:attr:`Schedule.clock`):

- ``"update"``: the optimizer's updates, from 0 (cosine, coslog4, flat_cos);
- ``"sample"``: the samples seen so far, read at the end of each epoch
  (invscaling, scikit-learn's rule);
- ``None``: the value changes on no clock (constant; adaptive, which
  changes only when training stalls, :meth:`Schedule.on_plateau`).

Every schedule computes its value with the very operations the optimizers
used before they were objects, so float64 runs stay bit-identical.

Numerical core: plain Python and the standard library.
"""

import math

__all__ = [
    "SCHEDULES",
    "Adaptive",
    "Constant",
    "CosLog4",
    "Cosine",
    "FlatCos",
    "InvScaling",
    "Schedule",
    "make_schedule",
]


class Schedule:
    """A value that follows the step: ``schedule(step) -> value``.

    Parameters
    ----------
    value : float, default=1.0
        The value the schedule scales (the initial learning rate, say); 1.0
        makes the schedule a factor.
    """

    #: What ``step`` counts: "update", "sample", or None (no clock).
    clock = None

    def __init__(self, value=1.0):
        self.value = float(value)

    def __call__(self, step):
        return self.value

    def on_plateau(self, current):
        """Training stalled with the quantity at ``current``.

        Returns the new value to train on, or None to stop training (every
        schedule but :class:`Adaptive`).
        """
        return None

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({fields})"


class Constant(Schedule):
    """The value at every step.

    Examples
    --------
    >>> from mlpinit._core.schedules import Constant
    >>> Constant(0.1)(10**6)
    0.1
    """


class InvScaling(Schedule):
    """``value / (step + 1) ** power_t``, ``step`` the samples seen.

    scikit-learn's ``learning_rate="invscaling"``, evaluated at the end of
    each epoch.

    Examples
    --------
    >>> from mlpinit._core.schedules import InvScaling
    >>> InvScaling(1.0, power_t=0.5)(99)
    0.1
    """

    clock = "sample"

    def __init__(self, value=1.0, power_t=0.5):
        super().__init__(value)
        self.power_t = float(power_t)

    def __call__(self, step):
        return self.value / (step + 1) ** self.power_t


class Adaptive(Schedule):
    """Constant until training stalls; then divided by 5, until below 1e-6.

    scikit-learn's ``learning_rate="adaptive"``.

    Examples
    --------
    >>> from mlpinit._core.schedules import Adaptive
    >>> schedule = Adaptive(0.1)
    >>> schedule.on_plateau(0.1)
    0.02
    >>> schedule.on_plateau(1e-7) is None
    True
    """

    FACTOR = 5.0
    FLOOR = 1e-6

    def on_plateau(self, current):
        if current <= self.FLOOR:
            return None
        return current / self.FACTOR


class _OverTraining(Schedule):
    """A schedule over a fixed number of updates, ``total``.

    ``warmup`` first updates ramp linearly from ``value / warmup`` to
    ``value``; :meth:`shape` gives the factor over the rest, of progress
    ``t`` going from 0 to 1 (and staying 1 past ``total``).
    """

    clock = "update"

    def __init__(self, value=1.0, total=1, warmup=0):
        super().__init__(value)
        self.total, self.warmup = int(total), int(warmup)

    def progress(self, step):
        remaining = self.total - self.warmup
        if remaining <= 0:
            return 1.0
        return min(1.0, (step - self.warmup) / remaining)

    def __call__(self, step):
        if step < self.warmup:
            return self.value * (step + 1) / self.warmup
        return self.value * self.shape(self.progress(step))

    def shape(self, t):
        raise NotImplementedError


class Cosine(_OverTraining):
    """A linear warmup, then ``value * (1 + cos(pi * t)) / 2`` down to 0.

    Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm
    Restarts" (2017), without the restarts. Past ``total`` it stays 0.

    Examples
    --------
    >>> from mlpinit._core.schedules import Cosine
    >>> [round(Cosine(1.0, total=6, warmup=2)(k), 3) for k in range(7)]
    [0.5, 1.0, 1.0, 0.854, 0.5, 0.146, 0.0]
    """

    def shape(self, t):
        return 0.5 * (1.0 + math.cos(math.pi * t))


class CosLog4(_OverTraining):
    """Four cosine cycles on a log time axis: ``(1 - cos(2 pi log2(1 + 15 t))) / 2``.

    Each cycle rises from 0 to 1 and falls back to 0; each is twice as long
    as the one before (pytabkit's ``coslog4``, Holzmüller et al., "Better by
    default", 2024). It starts and ends at 0.

    Examples
    --------
    >>> from mlpinit._core.schedules import CosLog4
    >>> schedule = CosLog4(total=15)
    >>> [round(schedule(k), 3) for k in (0, 1, 3, 7, 15)]
    [0.0, 0.0, 0.0, 0.0, 0.0]
    """

    def shape(self, t):
        return 0.5 * (1.0 - math.cos(2.0 * math.pi * math.log2(1.0 + 15.0 * t)))


class FlatCos(_OverTraining):
    """``value`` for the first half, then a cosine from ``value`` down to 0.

    pytabkit's ``flat_cos``: over the second half, of local progress ``u``
    from 0 to 1, ``value * (1 + cos(pi * u)) / 2``.

    Examples
    --------
    >>> from mlpinit._core.schedules import FlatCos
    >>> [round(FlatCos(total=8)(k), 3) for k in range(0, 9, 2)]
    [1.0, 1.0, 1.0, 0.5, 0.0]
    """

    def shape(self, t):
        if t < 0.5:
            return 1.0
        return 0.5 * (1.0 + math.cos(math.pi * (t - 0.5) / 0.5))


#: Every schedule by name; the estimators' ``learning_rate`` names are a subset.
SCHEDULES = {
    "constant": Constant,
    "invscaling": InvScaling,
    "adaptive": Adaptive,
    "cosine": Cosine,
    "coslog4": CosLog4,
    "flat_cos": FlatCos,
}


def make_schedule(name, value=1.0, **options):
    """The schedule called ``name`` over ``value``.

    Parameters
    ----------
    name : str
        A key of :data:`SCHEDULES`.
    value : float, default=1.0
    **options
        The schedule's own: ``power_t`` (invscaling), ``total`` and
        ``warmup`` (cosine, coslog4, flat_cos). Options a schedule does not
        take are ignored, so a caller can pass them all.

    Returns
    -------
    Schedule
    """
    cls = SCHEDULES[name]
    if issubclass(cls, _OverTraining):
        keep = ("total", "warmup")
    elif cls is InvScaling:
        keep = ("power_t",)
    else:
        keep = ()
    return cls(value, **{k: v for k, v in options.items() if k in keep})
