"""Input normalization from the article: centre, then divide by the L2 norm
(or, with ``norm="rms"``, by the root mean square: unit variance)."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import (
    FLOAT_DTYPES,
    _check_sample_weight,
    check_array,
    check_is_fitted,
    validate_data,
)

from mlpinit._core.range_safe import peak_magnitude, range_safe_factor
from mlpinit._periodic import PeriodicFeatures
from mlpinit._robust_scaling import RobustSmoothClipScaler
from mlpinit._rollback import rolled_back_on_error

__all__ = ["MeanNormStandardizer", "PeriodicFeatures", "RobustSmoothClipScaler"]

_SPARSE_FORMATS = ("csr", "csc")

# The parameters the fitted statistics were computed under: mean_ and norm_
# depend on the first two, scale_ on all four.
_STATISTICS_PARAMETERS = ("with_mean", "per_feature")
_SCALE_PARAMETERS = ("with_norm", "norm")


def _safe_divide(numerator, denominator):
    """numerator / denominator, with 0 where the denominator is 0 (no warning)."""
    numerator = np.asarray(numerator, dtype=np.float64)
    out = np.zeros(np.broadcast(numerator, denominator).shape)
    return np.divide(numerator, denominator, out=out, where=denominator != 0)


def _stored_columns(X):
    """Column index of every stored value of a CSR or CSC matrix."""
    if X.format == "csr":
        return X.indices
    return np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))


def _dense_batch_stats(X, shift, per_feature, with_mean, weight=None):
    """Non-NaN count per column, mean of ``X - shift`` and M2 of one dense batch.

    With ``weight`` (one per row) the count is the sum of the weights of the
    non-NaN values, and the mean and M2 are weighted: those of the rows
    repeated ``weight`` times.

    ``shift`` holds, per column (or for the whole array), a value inside the
    data where one is already known and NaN where it is not; NaN entries are
    filled here with the batch's first non-NaN value. Working on ``X - shift``
    keeps every quantity of the order of the spread of the data rather than of
    its offset, which the merge in :meth:`MeanNormStandardizer.partial_fit`
    needs to stay accurate (Chan, Golub & LeVeque 1983 suggest shifting by a
    data point for the same reason).
    """
    X = np.asarray(X, dtype=np.float64)
    observed = ~np.isnan(X)
    # Without weights, every factor below is left out: the unweighted
    # statistics stay bit for bit what they were.
    w = 1.0 if weight is None else weight[:, None]
    col_count = observed.sum(axis=0) if weight is None else (observed * w).sum(axis=0)
    axis = 0 if per_feature else None
    count = col_count if per_feature else col_count.sum()
    if not with_mean:
        # Nothing is subtracted: the "centred" data is X itself.
        sumsq = np.nansum(X * X if weight is None else X * X * w, axis=axis)
        return col_count, shift, np.zeros_like(shift), sumsq
    if per_feature:
        first = X[observed.argmax(axis=0), np.arange(X.shape[1])]
    else:
        first = X.flat[observed.argmax()]
    # Still NaN for a column with no value yet: its deviations are all NaN,
    # so it adds nothing, and the next batch with a value picks the shift.
    shift = np.where(np.isnan(shift), first, shift)
    deviation = X - shift
    weighted = deviation if weight is None else deviation * w
    mean = _safe_divide(np.nansum(weighted, axis=axis), count)
    deviation -= mean
    squares = deviation * deviation
    if weight is not None:
        squares *= w
    return col_count, shift, mean, np.nansum(squares, axis=axis)


def _sparse_batch_sumsq(X, per_feature, weight=None):
    """Non-NaN count per column and sum of squares of one CSR/CSC batch
    (with ``weight``, the weights' sum and the weighted sum of squares)."""
    if not X.has_canonical_format:
        # Duplicate entries add up, so their squares must not be summed apart.
        X = X.copy()
        X.sum_duplicates()
    columns = _stored_columns(X)
    nan = np.isnan(X.data)
    n_features = X.shape[1]
    values = X.data[~nan].astype(np.float64)
    squares = values * values
    if weight is None:
        col_count = X.shape[0] - np.bincount(columns[nan], minlength=n_features)
    else:
        rows = _stored_rows(X)
        nan_weight = weight[rows[nan]]
        col_count = weight.sum() - np.bincount(
            columns[nan], weights=nan_weight, minlength=n_features
        )
        squares *= weight[rows[~nan]]
    sumsq = np.bincount(columns[~nan], weights=squares, minlength=n_features)
    return col_count, sumsq if per_feature else sumsq.sum()


def _stored_rows(X):
    """Row index of every stored value of a CSR or CSC matrix."""
    if X.format == "csc":
        return X.indices
    return np.repeat(np.arange(X.shape[0]), np.diff(X.indptr))


def _range_safe_factor(X, old_shift, old_mean, old_norm, per_feature):
    """``2**k`` per column (or for the whole array) bringing huge or tiny data
    near 1, else 1 (see :mod:`mlpinit._core.range_safe`).

    The peak covers the batch and the running statistics, which are scaled
    by the same factor before the merge.
    """
    if sp.issparse(X):
        values = np.abs(X.data)
        if per_feature:
            peak = np.zeros(X.shape[1])
            np.fmax.at(peak, _stored_columns(X), values)
        else:
            peak = np.fmax.reduce(values) if values.size else 0.0
    else:
        peak = peak_magnitude(X, axis=0 if per_feature else None)
    for statistic in (old_shift, old_mean, old_norm):
        peak = np.fmax(peak, np.abs(statistic))
    return range_safe_factor(peak)


def _scaled(X, factor, per_feature):
    """``X * factor``, the factor per column (``per_feature``) or one number."""
    if not sp.issparse(X):
        return X * factor
    X = X.astype(np.float64)  # a copy
    X.data *= factor[_stored_columns(X)] if per_feature else factor
    return X


class MeanNormStandardizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Centre features and divide them by the L2 norm (or the RMS) of the centred data.

    This is the input normalization of the article this package implements:
    ``mu = np.mean(X); X = X - mu; sigma = np.linalg.norm(X); X = X / sigma``,
    taken per feature by default, or over the whole array as its code reads.
    ``norm="rms"`` divides by the root mean square instead, the sigma of the
    course the article cites, which gives unit variance: use it in front of
    an MLP.

    Parameters
    ----------
    with_mean : bool, default=True
        Subtract the mean before scaling. Must be False for sparse input, since
        centring would make it dense.
    with_norm : bool, default=True
        Divide by the L2 norm of the (centred) data.
    per_feature : bool, default=True
        If True, one mean and one norm per column (what the article's text
        means). If False, one scalar mean over the whole array and the
        Frobenius norm of the whole centred array (what its code does).
    copy : bool, default=True
        If False, ``transform`` and ``inverse_transform`` work in place when
        the input is already a writeable float64/float32 NumPy array or a
        CSR/CSC matrix; any other input is still copied. Fitting never
        modifies the input.
    norm : {"l2", "rms"}, default="l2"
        What the (centred) data is divided by, per column or for the whole
        array:

        - ``"l2"``: its L2 norm, ``sqrt(sum((x - mean) ** 2))``, the article's
          code. Transformed columns have standard deviation ``1 / sqrt(n)``
          for ``n`` fitted rows.
        - ``"rms"``: its root mean square, ``sqrt(mean((x - mean) ** 2))``,
          that is the L2 norm divided by ``sqrt(n)``: the standard deviation
          (``ddof=0``) of a centred column, as ``StandardScaler`` divides by,
          so transformed columns have unit variance whatever ``n`` is. The
          name says what is computed in both cases: with ``with_mean=False``
          it is the root mean square of the data itself, not a standard
          deviation.

    Attributes
    ----------
    mean_ : ndarray of shape (n_features,), float, or None
        Mean of each column, or of the whole array (a ``np.float64``) when
        ``per_feature=False``; NaNs are ignored. None when ``with_mean=False``.
        NaN for a column that contained no non-NaN value.
    norm_ : ndarray of shape (n_features,) or float
        L2 norm of each centred column (``np.sqrt(np.nansum((x - mean) ** 2))``)
        or Frobenius norm of the centred array. With ``with_mean=False`` the data
        is not centred and this is the norm of the data itself.
    scale_ : ndarray of shape (n_features,), float, or None
        What ``transform`` divides by: ``norm_`` (``norm="l2"``) or
        ``norm_ / sqrt(n_samples_seen_)`` (``norm="rms"``; the count of
        non-NaN values of each column, or of the whole array), with zeros
        (constant or empty columns) replaced by 1, so a constant column is
        only centred. None when ``with_norm=False``.
    n_samples_seen_ : int, float or ndarray of shape (n_features,)
        Number of non-NaN values per column. An int when every column has the
        same count (in particular without NaNs), else an int64 array. Once
        ``sample_weight`` was given, the sum of the weights of those values
        instead (a float, or a float64 array).
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    sklearn.preprocessing.StandardScaler : Divide by the standard deviation.
    sklearn.preprocessing.Normalizer : Scale each sample (row) to unit norm.

    Notes
    -----
    Per column, the transform is ``x' = (x - mean) / ||x - mean||_2``
    (``norm="l2"``). As ``||x - mean||_2 = sqrt(n) * std`` for ``n`` fitted
    rows, transformed training columns have standard deviation
    ``1 / sqrt(n)``: the output scale depends on how many rows were fitted.
    ``norm="rms"`` gives ``x' = (x - mean) / (||x - mean||_2 / sqrt(n))
    = (x - mean) / std``, ``StandardScaler``'s transform, with standard
    deviation 1 whatever ``n`` is.

    The article's text says "divide by the variance" but its code divides by
    the norm; ``"l2"``, the default, follows the code. The scale matters for
    an MLP trained with Adam: on ``make_classification`` data (40 features,
    5 classes, column scales spread from 1 to 1e3),
    ``make_pipeline(MeanNormStandardizer(...), MLPClassifier((100,),
    max_iter=100))`` scores well below the ``StandardScaler`` pipeline with
    ``"l2"``, whose inputs of size ``1 / sqrt(n)`` barely move the first
    layer, and the same as it with ``"rms"``; the benchmark script
    ``benchmarks/standardizer_norm.py`` prints the scores.

    The statistics belong to the settings they were computed under. After
    ``set_params`` changes ``with_mean`` or ``per_feature``, ``partial_fit``
    raises a ValueError that names the parameter rather than merge
    statistics of two settings, and after a change of any of ``with_mean``,
    ``per_feature``, ``with_norm`` or ``norm``, so do ``transform`` and
    ``inverse_transform``: call ``fit`` to recompute them. ``partial_fit``
    accepts a change of ``with_norm`` or ``norm``, which only decide how
    ``scale_`` follows from ``norm_``.

    ``partial_fit`` merges batches with the pairwise update of Chan, Golub &
    LeVeque (count, mean and sum of squared deviations M2; ``norm_`` is
    ``sqrt(M2)``), computed about a reference value taken from the data, so any
    split of the rows gives the statistics of a single ``fit`` up to rounding.
    Statistics are accumulated in float64 whatever the input dtype; float32
    input gives float32 output. NaNs are ignored when fitting and kept by
    ``transform``; infinite values are rejected. Columns whose largest value
    lies beyond ``2**400`` (about 2.6e120) or below ``2**-400``, where squares
    would overflow or lose digits, are scaled by a power of two, which is
    exact, before their sums of squares: data near either end of the float
    range gets an accurate norm. A norm beyond the float maximum itself raises
    a ValueError. A ``fit``, ``partial_fit`` or ``set_params``
    that raises leaves the estimator as it was before the call.

    ``sample_weight`` counts a row as that many rows: ``mean_`` is
    ``sum(w * x) / sum(w)``, ``norm_`` is ``sqrt(sum(w * (x - mean) ** 2))``
    and the count of ``norm="rms"`` is ``sum(w)``, so integer weights give
    the statistics of the rows repeated (to rounding), a weight of 0 those
    of the data without the row, and weights of 1 the unweighted ones.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit import MeanNormStandardizer
    >>> X = np.array([[1.0, 10.0], [2.0, 10.0], [3.0, 10.0]])
    >>> scaler = MeanNormStandardizer().fit(X)
    >>> scaler.mean_
    array([ 2., 10.])
    >>> scaler.norm_
    array([1.41421356, 0.        ])
    >>> scaler.transform(X)
    array([[-0.70710678,  0.        ],
           [ 0.        ,  0.        ],
           [ 0.70710678,  0.        ]])
    >>> whole = MeanNormStandardizer(per_feature=False).fit(X)
    >>> float(whole.mean_), round(float(whole.norm_), 4)  # sqrt(98)
    (6.0, 9.8995)
    >>> unit = MeanNormStandardizer(norm="rms").fit(X)  # unit variance
    >>> unit.scale_  # sqrt(2 / 3), the standard deviation; 1 for the constant
    array([0.81649658, 1.        ])
    >>> unit.transform(X).std(axis=0)
    array([1., 0.])
    """

    _parameter_constraints: dict = {
        "with_mean": ["boolean"],
        "with_norm": ["boolean"],
        "per_feature": ["boolean"],
        "copy": ["boolean"],
        "norm": [StrOptions({"l2", "rms"})],
    }

    def __init__(
        self, *, with_mean=True, with_norm=True, per_feature=True, copy=True, norm="l2"
    ):
        self.with_mean = with_mean
        self.with_norm = with_norm
        self.per_feature = per_feature
        self.copy = copy
        self.norm = norm

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        # Sparse input is refused when centring, and scikit-learn's checks
        # require the tag to match what fit accepts with these parameters.
        tags.input_tags.sparse = not self.with_mean
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags

    def _reset(self):
        fitted = ("n_samples_seen_", "mean_", "norm_", "scale_")
        for name in fitted + ("_shift", "_shifted_mean", "_fitted_settings"):
            self.__dict__.pop(name, None)

    def _check_settings_unchanged(self, names, action):
        # Absent from a model fitted by an older version: nothing to compare.
        fitted = getattr(self, "_fitted_settings", None) or {}
        for name in names:
            if name in fitted and getattr(self, name) != fitted[name]:
                raise ValueError(
                    f"MeanNormStandardizer was fitted with {name}="
                    f"{fitted[name]!r}, but {name} is now {getattr(self, name)!r}: "
                    f"{action} would use statistics of the other setting. Call fit "
                    "to compute them again."
                )

    def _check_sparse(self, X):
        if sp.issparse(X) and self.with_mean:
            raise ValueError(
                "Cannot center sparse data: centring would make it dense. "
                "Pass with_mean=False to MeanNormStandardizer, or convert X to "
                "a dense array."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Compute the mean and norm to be used for later scaling.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data. NaNs are ignored. Sparse input needs
            ``with_mean=False``.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the rows: the statistics are those of
            the rows repeated as many times (see Notes). None weighs every
            row 1.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        # A failed fit leaves the previous fit in place.
        with rolled_back_on_error(self):
            self._reset()
            return self.partial_fit(X, y, sample_weight=sample_weight)

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None, sample_weight=None):
        """Update the mean and norm with one more batch of rows.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            A batch of rows, with the columns of the earlier batches; NaNs
            are ignored, and sparse input needs ``with_mean=False``.
        y : None
            Not used, present for API consistency by convention.
        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of this batch's rows, as in :meth:`fit`.

        Returns
        -------
        self : object
            This transformer, its statistics now over every batch since the
            last ``fit``.
        """
        with rolled_back_on_error(self):
            return self._partial_fit(X, sample_weight)

    def set_params(self, **params):
        # An invalid key after a valid one leaves nothing half set.
        with rolled_back_on_error(self):
            return super().set_params(**params)

    def _partial_fit(self, X, sample_weight):
        first_call = not hasattr(self, "n_samples_seen_")
        if not first_call:
            self._check_settings_unchanged(
                _STATISTICS_PARAMETERS, "partial_fit would merge them with"
            )
        X = validate_data(
            self,
            X,
            reset=first_call,
            accept_sparse=_SPARSE_FORMATS,
            dtype=FLOAT_DTYPES,
            ensure_all_finite="allow-nan",
        )
        self._check_sparse(X)
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=np.float64, ensure_non_negative=True
            )
        n_features = X.shape[1]
        stat_shape = (n_features,) if self.per_feature else ()
        if first_call:
            old_count = np.zeros(n_features, dtype=np.int64)
            old_shift = np.full(stat_shape, np.nan)
            old_mean = old_norm = np.zeros(stat_shape)
        else:
            old_count = np.broadcast_to(self.n_samples_seen_, (n_features,))
            old_shift, old_mean = self._shift, self._shifted_mean
            old_norm = self.norm_
        factor = _range_safe_factor(X, old_shift, old_mean, old_norm, self.per_feature)
        rescaled = bool(np.any(factor != 1.0))
        if rescaled:
            X = _scaled(X, factor, self.per_feature)
            old_shift, old_mean = old_shift * factor, old_mean * factor
            old_norm = old_norm * factor
        # sqrt then square is exact to an ulp or two, so M2 is not stored.
        old_m2 = np.square(old_norm)

        if sp.issparse(X):
            col_count, m2 = _sparse_batch_sumsq(X, self.per_feature, sample_weight)
            shift, mean = old_shift, np.zeros(stat_shape)
        else:
            col_count, shift, mean, m2 = _dense_batch_stats(
                X, old_shift, self.per_feature, self.with_mean, sample_weight
            )

        def total(counts):
            return counts if self.per_feature else counts.sum()

        # Chan et al.'s pairwise merge. Both means are relative to `shift`, so
        # `delta` is of the order of the data's spread: the running mean's
        # rounding error at a large offset would otherwise enter `delta` and
        # cost a few 1e-9 of relative accuracy in norm_ over many small batches.
        n_a, n_b = total(old_count), total(col_count)
        delta = mean - old_mean
        weight_b = _safe_divide(n_b, n_a + n_b)
        new_mean = old_mean + delta * weight_b
        new_m2 = old_m2 + m2 + delta * delta * n_a * weight_b

        norm = np.sqrt(new_m2)
        if rescaled:
            with np.errstate(over="ignore"):  # reported just below
                shift, new_mean = shift / factor, new_mean / factor
                norm = norm / factor
        if not np.isfinite(norm).all():
            raise ValueError(
                "The L2 norm of the centred data overflows float64 (the values "
                "are too close to the float maximum, about 1.8e308). Divide X "
                "by a constant first."
            )

        count = old_count + col_count
        # An int count unweighted; weighted (any batch), the sum of the weights.
        as_number = float if count.dtype.kind == "f" else int
        self.n_samples_seen_ = as_number(count[0]) if np.ptp(count) == 0 else count
        self._shift, self._shifted_mean = shift, new_mean
        if self.with_mean:
            observed = total(count) > 0
            self.mean_ = np.where(observed, shift + new_mean, np.nan)[()]
        else:
            self.mean_ = None
        self.norm_ = norm[()]
        self.scale_ = self._scale(norm, total(count)) if self.with_norm else None
        self._fitted_settings = {
            name: getattr(self, name)
            for name in _STATISTICS_PARAMETERS + _SCALE_PARAMETERS
        }
        return self

    def _scale(self, norm, count):
        """What transform divides by: the norm, or the root mean square."""
        if self.norm == "rms":
            norm = _safe_divide(norm, np.sqrt(count))
        return np.where(norm == 0, 1.0, norm)[()]

    def _validate_for_transform(self, X, reset_check):
        check_is_fitted(self)
        self._check_settings_unchanged(
            _STATISTICS_PARAMETERS + _SCALE_PARAMETERS, "transforming"
        )
        kwargs = dict(
            accept_sparse=_SPARSE_FORMATS,
            # copy=False works in place on NumPy arrays and sparse matrices
            # only: the array of a DataFrame can be a view of its columns,
            # which scikit-learn makes writeable, so the frame would change.
            copy=self.copy or not (isinstance(X, np.ndarray) or sp.issparse(X)),
            dtype=FLOAT_DTYPES,
            force_writeable=True,
            ensure_all_finite="allow-nan",
        )
        if reset_check:
            X = validate_data(self, X, reset=False, **kwargs)
        else:
            # The output of transform may carry no feature names, so only the
            # width is checked here.
            X = check_array(X, input_name="X", **kwargs)
            if X.shape[1] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[1]} features, but MeanNormStandardizer is "
                    f"expecting {self.n_features_in_} features as input."
                )
        self._check_sparse(X)
        return X

    def _scale_sparse(self, X, op):
        scale = self.scale_
        if self.per_feature:
            scale = scale[_stored_columns(X)]
        op(X.data, scale.astype(X.dtype), out=X.data)
        return X

    def transform(self, X):
        """Centre and divide by the norm learned in fit.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Data to transform. NaNs stay NaN.

        Returns
        -------
        X_new : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Transformed data, of the same float dtype as ``X`` (float64 for
            integer input).
        """
        X = self._validate_for_transform(X, reset_check=True)
        if sp.issparse(X):
            return self._scale_sparse(X, np.divide) if self.with_norm else X
        if self.with_mean:
            X -= self.mean_
        if self.with_norm:
            X /= self.scale_
        return X

    def inverse_transform(self, X):
        """Undo the transform: multiply by the norm, then add the mean back.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Transformed data.

        Returns
        -------
        X_original : {ndarray, sparse matrix} of shape (n_samples, n_features)
            Data in the original space, of the same float dtype as ``X``.
        """
        X = self._validate_for_transform(X, reset_check=False)
        if sp.issparse(X):
            return self._scale_sparse(X, np.multiply) if self.with_norm else X
        if self.with_norm:
            X *= self.scale_
        if self.with_mean:
            X += self.mean_
        return X
