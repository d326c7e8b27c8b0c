"""Sums of squares that neither overflow nor underflow: exact power-of-two scaling.

The square of a float64 above about 1.3e154 overflows, and the square of one
below about 1e-154 loses digits (subnormal) or vanishes. Multiplying by a
power of two only changes the exponent, so it is exact: statistics computed
on ``x * 2**k`` and divided by ``2**k`` afterwards are those of ``x``, without
the overflow or underflow. Data whose largest magnitude lies inside
:data:`SAFE_RANGE` is left alone, so ordinary data gets ordinary arithmetic,
bit for bit.

Two callers share this: the standardizer's norms
(:class:`mlpinit.MeanNormStandardizer`) and the regressor's R²
(:meth:`mlpinit.MLPRegressor.score`).
"""

import numpy as np

# Squares of magnitudes inside this range are far from both ends of float64.
SAFE_RANGE = (2.0**-400, 2.0**400)


def peak_magnitude(X, axis=None):
    """The largest ``|x|``, ignoring NaN, without the copy that ``abs`` makes.

    Parameters
    ----------
    X : ndarray
    axis : int or None, default=None
        None for the whole array, 0 for one value per column.

    Returns
    -------
    float or ndarray
        NaN where every value is NaN.
    """
    return np.fmax(np.fmax.reduce(X, axis=axis), -np.fmin.reduce(X, axis=axis))


def squares_overflow(peak):
    """Whether ``peak`` (elementwise) lies above :data:`SAFE_RANGE`."""
    return peak > SAFE_RANGE[1]


def squares_underflow(peak):
    """Whether ``peak`` (elementwise) is non-zero and below :data:`SAFE_RANGE`."""
    return (peak > 0) & (peak < SAFE_RANGE[0])


def power_of_two_scale(peak):
    """``2**k`` that brings ``peak`` into [0.5, 1), with ``|k| <= 1000``.

    The bound keeps ``2**k`` itself a normal float. Where it binds, the
    scaled peak is still safe to square: at most ``2**24`` for the float
    maximum, and at least ``2**-74`` (about 5e-23) for the smallest
    subnormal, whose square is a normal float.

    Parameters
    ----------
    peak : float or ndarray
        Finite, non-negative magnitudes.

    Returns
    -------
    float or ndarray
    """
    exponent = np.clip(-np.frexp(peak)[1], -1000, 1000)
    return np.ldexp(1.0, exponent)


def range_safe_factor(peak):
    """:func:`power_of_two_scale` where ``peak`` lies outside the safe range, else 1.

    Parameters
    ----------
    peak : float or ndarray
        The largest magnitude per column (or of the whole data).

    Returns
    -------
    ndarray
        The factor to multiply the data by before squaring it.
    """
    outside = squares_overflow(peak) | squares_underflow(peak)
    return np.where(outside, power_of_two_scale(peak), 1.0)


def r2_score_without_overflow(y, y_pred, sample_weight=None):
    """``r2_score(y, y_pred)`` for values too large (or small) to square in float64.

    Each sum of squares is taken on its terms scaled by a power of two per
    output (exact), and their ratio is scaled back with ``ldexp``: it may
    overflow to inf (R^2 = -inf), but is never inf / inf = NaN. As in
    scikit-learn's ``r2_score``, outputs are averaged uniformly and a
    constant target scores 1.0 if predicted exactly, else 0.0.

    Parameters
    ----------
    y, y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
        Finite targets and predictions (the caller validates them).
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    float
    """
    y = y.reshape(len(y), -1)
    y_pred = y_pred.reshape(len(y), -1)
    if sample_weight is None:
        weight = np.ones(len(y))
    else:
        weight = np.asarray(sample_weight, dtype=np.float64)

    def exponent(values):
        return np.frexp(np.abs(values).max(axis=0))[1]

    def sum_of_squares(values):
        e = exponent(values)
        return weight @ np.ldexp(values, -e) ** 2, e

    e_y = exponent(y)
    mean = np.ldexp(np.average(np.ldexp(y, -e_y), axis=0, weights=weight), e_y)
    residual, e_residual = sum_of_squares(y - y_pred)
    total, e_total = sum_of_squares(y - mean)
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        ratio = np.ldexp(residual / total, 2 * (e_residual - e_total))
    r2 = np.where(total > 0, 1 - ratio, np.where(residual > 0, 0.0, 1.0))
    return float(np.mean(r2))
