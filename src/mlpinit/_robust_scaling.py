"""Robust scaling with smooth clipping: RealMLP's numeric preprocessing.

Per feature, ``z = (x - median) / IQR``, then ``z / sqrt(1 + (z / c)**2)``
with ``c = 3``: the bulk of the data keeps a unit scale, and outliers are
squashed smoothly into ``(-c, c)`` instead of dominating the first layer
(Holzmüller, Grinsztajn & Steinwart 2024, "Better by Default: Strong
Pre-Tuned MLPs and Boosted Trees on Tabular Data").
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import (
    FLOAT_DTYPES,
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from mlpinit._rollback import rolled_back_on_error

__all__ = [
    "RobustSmoothClipScaler",
    "smooth_clip",
    "smooth_clip_inverse",
    "weighted_quantiles",
]


def smooth_clip(Z, bound):
    """``Z / sqrt(1 + (Z / bound)**2)``, in place: odd, increasing, below ``bound``.

    Near 0 it is the identity (slope 1); for ``|z| >> bound`` it tends to
    ``bound * sign(z)``. ``bound=None`` leaves ``Z`` as it is.

    The denominator is ``hypot(1, z / bound)``: the same number, but without
    squaring ``z / bound``, whose square overflows beyond ``|z| ~ 1e154``
    (float64) or ``1e19`` (float32) and would map a huge value to 0, not to
    ``bound * sign(z)``.
    """
    if bound is None:
        return Z
    ratio = Z / bound
    np.hypot(1.0, ratio, out=ratio)
    Z /= ratio
    return Z


def smooth_clip_inverse(U, bound):
    """The inverse of :func:`smooth_clip`, ``U / sqrt(1 - (U / bound)**2)``, in place.

    Defined for ``|u| < bound`` only; the caller checks that.
    """
    if bound is None:
        return U
    ratio = U / bound
    np.square(ratio, out=ratio)
    np.subtract(1.0, ratio, out=ratio)
    np.sqrt(ratio, out=ratio)
    U /= ratio
    return U


def weighted_quantiles(values, weights, quantiles):
    """``np.quantile(np.repeat(values, weights), quantiles)`` without repeating.

    The weights are counts of repetitions, not necessarily integers. The
    sorted values take up consecutive ranks, value ``i`` the ranks ``k`` with
    ``cumsum(w)[i - 1] <= k < cumsum(w)[i]`` (a weight of 0 takes none).
    Quantile ``q`` interpolates linearly between the values at ranks
    ``floor(h)`` and ``floor(h) + 1`` for ``h = q * (sum(w) - 1)``, as
    NumPy's default (``method="linear"``) does on the repeated data: for
    integer weights the result is that of the repeated values, to rounding;
    for weights of 1, that of the values. Like repeating rows, it depends on
    the scale of the weights; ``h`` is clipped at 0 when they sum below 1.

    Parameters
    ----------
    values, weights : ndarray of shape (n,)
        Finite values and non-negative weights of positive sum.
    quantiles : sequence of float in [0, 1]

    Returns
    -------
    ndarray of shape (len(quantiles),)
    """
    order = np.argsort(values, kind="stable")
    values, rank_end = values[order], np.cumsum(weights[order])
    h = np.maximum(np.asarray(quantiles) * (rank_end[-1] - 1), 0.0)
    low = np.floor(h)

    def at_rank(k):
        # The first value whose ranks reach beyond k (clipped to the last).
        return values[
            np.minimum(np.searchsorted(rank_end, k, side="right"), len(values) - 1)
        ]

    below, above = at_rank(low), at_rank(low + 1)
    return below + (h - low) * (above - below)


def _weighted_robust_scale(X, sample_weight):
    """:func:`_robust_scale` of the rows repeated ``sample_weight`` times."""
    n_features = X.shape[1]
    center = np.full(n_features, np.nan)
    scale = np.ones(n_features)
    for j in range(n_features):
        # A row of weight 0 is absent, as a NaN is.
        kept = ~np.isnan(X[:, j]) & (sample_weight > 0)
        if not kept.any():
            continue
        values, weights = X[kept, j], sample_weight[kept]
        q25, q50, q75 = weighted_quantiles(values, weights, [0.25, 0.5, 0.75])
        half_range = (values.max() - values.min()) / 2
        spread = q75 - q25 if q75 - q25 > 0 else half_range
        center[j], scale[j] = q50, spread if spread > 0 else 1.0
    return center, scale


def _robust_scale(X):
    """Per-column median and the divisor: IQR, else half the range, else 1.

    NaNs are ignored; a column with no value gets median NaN and divisor 1.
    """
    n_features = X.shape[1]
    observed = ~np.isnan(X).all(axis=0)
    center = np.full(n_features, np.nan)
    scale = np.ones(n_features)
    if observed.any():
        # nanpercentile's default linear interpolation, as RobustScaler's.
        part = X[:, observed]
        q25, q50, q75 = np.nanpercentile(part, [25, 50, 75], axis=0)
        half_range = (np.nanmax(part, axis=0) - np.nanmin(part, axis=0)) / 2
        spread = np.where(q75 - q25 > 0, q75 - q25, half_range)
        center[observed] = q50
        scale[observed] = np.where(spread > 0, spread, 1.0)
    return center, scale


class RobustSmoothClipScaler(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Centre on the median, divide by the interquartile range, then clip smoothly.

    RealMLP's numeric preprocessing (Holzmüller, Grinsztajn & Steinwart
    2024, "Better by Default: Strong Pre-Tuned MLPs and Boosted Trees on
    Tabular Data", NeurIPS): per feature,

    .. math::

        z = \\frac{x - \\mathrm{median}(x)}{q_{75}(x) - q_{25}(x)}, \\qquad
        x' = \\frac{z}{\\sqrt{1 + (z / c)^2}}

    with ``c = clip`` (3 by default). Where the interquartile range is 0
    (a feature with more than half its values equal), half the range
    ``(max - min) / 2`` takes its place, and where that is 0 too (a constant
    feature), 1. The median and quartiles ignore outliers, and the smooth
    clip maps any value into ``(-c, c)`` while leaving the bulk (``|z|``
    small) almost unchanged: a heavy-tailed feature neither dominates the
    first layer of an MLP nor gets squeezed to nothing as it would under
    ``StandardScaler``. A sibling of :class:`~mlpinit.MeanNormStandardizer`.

    Parameters
    ----------
    clip : float or None, default=3.0
        The bound ``c`` of the smooth clip, > 0. None skips the clip,
        leaving plain robust scaling (``sklearn.preprocessing.RobustScaler``
        with the half-range fallback).
    copy : bool, default=True
        If False, ``transform`` and ``inverse_transform`` work in place when
        the input is already a writeable float64/float32 NumPy array.

    Attributes
    ----------
    center_ : ndarray of shape (n_features,)
        Median of each feature (NaNs ignored; NaN for a feature with no value).
    scale_ : ndarray of shape (n_features,)
        What the centred feature is divided by: its interquartile range,
        else half its range, else 1.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    MeanNormStandardizer : Centre on the mean and divide by the L2 norm or RMS.
    sklearn.preprocessing.RobustScaler : Median and IQR, without the clip.

    Notes
    -----
    Sparse input is refused: subtracting the median would make it dense.
    NaNs are ignored by ``fit`` and stay NaN. ``sample_weight`` counts a
    row as that many rows: the median and quartiles are NumPy's default
    (linear) quantiles of the rows repeated, to rounding for integer
    weights, computed without the copy. For any weights: the sorted values
    take up consecutive ranks, as many as their weight (a value's ranks end
    at its cumulative weight), and quantile ``q`` interpolates linearly
    between the values at ranks ``floor(h)`` and ``floor(h) + 1``, ``h = q *
    (sum(w) - 1)``; so, as with repeated rows, the quantiles depend on the
    scale of the weights. A row of weight 0 is left out, from the range of
    the half-range fallback too. The statistics are
    computed in float64; float32 input gives float32 output.
    ``inverse_transform`` exists only for values inside ``(-clip, clip)``,
    the image of the transform, and raises a ValueError for any other.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.preprocessing import RobustSmoothClipScaler
    >>> X = np.array([[1.0], [2.0], [3.0], [4.0], [100.0]])
    >>> scaler = RobustSmoothClipScaler().fit(X)
    >>> scaler.center_, scaler.scale_
    (array([3.]), array([2.]))
    >>> scaler.transform(X).round(3).ravel()  # 100 lands below 3
    array([-0.949, -0.493,  0.   ,  0.493,  2.994])
    >>> scaler.inverse_transform(scaler.transform(X)).round(6).ravel()
    array([  1.,   2.,   3.,   4., 100.])
    """

    _parameter_constraints: dict = {
        "clip": [Interval(Real, 0, None, closed="neither"), None],
        "copy": ["boolean"],
    }

    def __init__(self, *, clip=3.0, copy=True):
        self.clip = clip
        self.copy = copy

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.sparse = False
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    @staticmethod
    def _refuse_sparse(X):
        if sp.issparse(X):
            raise TypeError(
                "Sparse data was passed to RobustSmoothClipScaler, but dense data "
                "is required: subtracting the median would make it dense. Use "
                "X.toarray() to convert to a dense numpy array."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute each feature's median and robust scale.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data. NaNs are ignored.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows: the quantiles are those of the
            rows repeated as many times (see Notes). None weighs every row 1.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        with rolled_back_on_error(self):
            self._refuse_sparse(X)
            X = validate_data(
                self, X, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
            )
            X64 = X.astype(np.float64, copy=False)
            if sample_weight is None:
                center, scale = _robust_scale(X64)
            else:
                sample_weight = _check_sample_weight(
                    sample_weight, X, dtype=np.float64, ensure_non_negative=True
                )
                center, scale = _weighted_robust_scale(X64, sample_weight)
            # Neither depends on clip, so set_params(clip=...) needs no refit.
            self.center_, self.scale_ = center, scale
        return self

    def _validated(self, X, reset_check):
        check_is_fitted(self)
        self._refuse_sparse(X)
        kwargs = dict(
            copy=self.copy or not isinstance(X, np.ndarray),
            dtype=FLOAT_DTYPES,
            force_writeable=True,
            ensure_all_finite="allow-nan",
        )
        if reset_check:
            return validate_data(self, X, reset=False, **kwargs)
        X = check_array(X, input_name="X", **kwargs)
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {X.shape[1]} features, but RobustSmoothClipScaler is "
                f"expecting {self.n_features_in_} features as input."
            )
        return X

    def transform(self, X):
        """Centre, scale and smoothly clip ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to transform. NaNs stay NaN.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features)
            Values in ``(-clip, clip)``, of ``X``'s float dtype (float64 for
            integer input).
        """
        X = self._validated(X, reset_check=True)
        X -= self.center_.astype(X.dtype)
        X /= self.scale_.astype(X.dtype)
        return smooth_clip(X, self.clip)

    def inverse_transform(self, X):
        """Undo the transform: unclip, multiply by the scale, add the median.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Transformed data, every value inside ``(-clip, clip)``.

        Returns
        -------
        X_original : ndarray of shape (n_samples, n_features)
            Data in the original space, of ``X``'s float dtype.
        """
        X = self._validated(X, reset_check=False)
        if self.clip is not None:
            outside = np.abs(X) >= self.clip
            if outside.any():
                raise ValueError(
                    f"inverse_transform is defined only inside (-clip, clip) = "
                    f"({-self.clip:g}, {self.clip:g}), the image of the smooth "
                    f"clip; {int(outside.sum())} value(s) of X lie outside it."
                )
        smooth_clip_inverse(X, self.clip)
        X *= self.scale_.astype(X.dtype)
        X += self.center_.astype(X.dtype)
        return X
