"""Periodic features of numeric inputs: cos and sin at fixed random frequencies.

Each feature ``x_j`` becomes ``cos(2 pi f_jk x_j)`` and ``sin(2 pi f_jk x_j)``
for ``k = 1 .. n_frequencies``, the frequencies ``f_jk`` drawn once from
``N(0, sigma**2)``: Gorishniy, Rubachev & Babenko 2022 ("On Embeddings for
Numerical Features in Tabular Deep Learning") with frozen frequencies, the
periodic part of RealMLP's PBLD embedding (Holzmüller et al. 2024, sigma 0.1).
"""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import (
    FLOAT_DTYPES,
    _check_feature_names_in,
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from mlpinit._rollback import rolled_back_on_error

__all__ = ["PeriodicFeatures"]


class PeriodicFeatures(TransformerMixin, BaseEstimator):
    """Expand each numeric feature into cosines and sines at random frequencies.

    For feature ``j`` and frequency ``k``, with ``f_jk`` drawn in ``fit``
    from ``N(0, sigma**2)``:

    .. math::

        \\cos(2 \\pi f_{jk} x_j), \\quad \\sin(2 \\pi f_{jk} x_j)

    An MLP fed these features can fit functions of ``x_j`` with sharp or
    periodic structure that a ReLU network needs many units to draw
    (Gorishniy, Rubachev & Babenko 2022, "On Embeddings for Numerical
    Features in Tabular Deep Learning"). RealMLP (Holzmüller, Grinsztajn &
    Steinwart 2024) uses such periodic features, with trainable
    frequencies, at ``sigma = 0.1`` on inputs of unit scale; here the
    frequencies are fixed, so the features are a plain transform in front of
    any model. Scale the inputs first (for example with
    :class:`RobustSmoothClipScaler`): ``sigma`` is relative to their scale.

    Parameters
    ----------
    n_frequencies : int, default=8
        Frequencies per feature; each gives a cosine and a sine.
    sigma : float, default=0.1
        Standard deviation of the normal distribution of the frequencies,
        > 0. Small values give smooth, nearly linear features.
    include_original : bool, default=True
        Keep each original feature in front of its periodic ones.
    random_state : int, RandomState instance or None, default=None
        Draws the frequencies in ``fit``.

    Attributes
    ----------
    frequencies_ : ndarray of shape (n_features_in_, n_frequencies)
        The frequencies ``f_jk``.
    n_features_in_ : int
        Number of features seen during fit.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during fit, when ``X`` has string column
        names.

    See Also
    --------
    RobustSmoothClipScaler : The scaling to put in front.
    sklearn.kernel_approximation.RBFSampler : Random Fourier features of all
        the features together, not of each one.

    Notes
    -----
    The output of feature ``j`` is the block ``[x_j,] cos(2 pi f_j1 x_j) ..
    cos(2 pi f_jK x_j), sin(2 pi f_j1 x_j) .. sin(2 pi f_jK x_j)``, one block
    per feature in order: ``(1 + 2K)`` columns each with the original, ``2K``
    without. NaN inputs give NaN features; sparse input is refused (cos 0 is
    1, so the output would be dense).

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.preprocessing import PeriodicFeatures
    >>> X = np.array([[0.0, 1.0], [0.5, -1.0]])
    >>> periodic = PeriodicFeatures(n_frequencies=2, random_state=0).fit(X)
    >>> periodic.transform(X).shape  # 2 features x (1 + 2 * 2)
    (2, 10)
    >>> periodic.get_feature_names_out()[:3].tolist()
    ['x0', 'x0_cos0', 'x0_cos1']
    """

    _parameter_constraints: dict = {
        "n_frequencies": [Interval(Integral, 1, None, closed="left")],
        "sigma": [Interval(Real, 0, None, closed="neither")],
        "include_original": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self, n_frequencies=8, *, sigma=0.1, include_original=True, random_state=None
    ):
        self.n_frequencies = n_frequencies
        self.sigma = sigma
        self.include_original = include_original
        self.random_state = random_state

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
                "Sparse data was passed to PeriodicFeatures, but dense data is "
                "required: cos(0) = 1, so its output would be dense. Use "
                "X.toarray() to convert to a dense numpy array."
            )

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, sample_weight=None):
        """Draw the frequencies.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Only its number of features (and names) is used.
        y : None
            Ignored.
        sample_weight : array-like of shape (n_samples,), default=None
            Validated as weights of the rows of ``X`` (non-negative, not all
            zero), then ignored: the frequencies do not depend on the data.
            Accepted so that a weighted fit can pass the weights to every step.

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
            if sample_weight is not None:
                _check_sample_weight(sample_weight, X, ensure_non_negative=True)
            random_state = check_random_state(self.random_state)
            self.frequencies_ = random_state.normal(
                0.0, self.sigma, size=(X.shape[1], self.n_frequencies)
            )
        return self

    def transform(self, X):
        """The periodic features of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Data to transform.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_features_out)
            ``n_features_out = n_features * (2 * n_frequencies + include_original)``.
            Of ``X``'s float dtype (float64 for integer input).
        """
        check_is_fitted(self)
        self._refuse_sparse(X)
        X = validate_data(
            self, X, reset=False, dtype=FLOAT_DTYPES, ensure_all_finite="allow-nan"
        )
        # angle[i, j, k] = 2 pi f_jk x_ij, in X's dtype.
        angle = X[:, :, None] * (2 * np.pi * self.frequencies_).astype(X.dtype)
        parts = [np.cos(angle), np.sin(angle)]
        if self.include_original:
            parts.insert(0, X[:, :, None])
        block = np.concatenate(parts, axis=2)  # (n, features, 1 + 2K)
        return block.reshape(X.shape[0], -1)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: ``name``, ``name_cos{k}``, ``name_sin{k}``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names; by default ``feature_names_in_`` or
            ``x0, x1, ...``.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        K = self.frequencies_.shape[1]
        out = []
        for name in names:
            if self.include_original:
                out.append(str(name))
            out += [f"{name}_cos{k}" for k in range(K)]
            out += [f"{name}_sin{k}" for k in range(K)]
        return np.asarray(out, dtype=object)
