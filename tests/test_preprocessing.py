"""Tests for MeanNormStandardizer against independent NumPy computations."""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import NotFittedError
from sklearn.preprocessing import StandardScaler

from mlpinit import MeanNormStandardizer

AXES = [pytest.param(True, id="per_feature"), pytest.param(False, id="whole_array")]


def _axis(per_feature):
    return 0 if per_feature else None


def _data(n_samples=30, n_features=4, seed=0):
    rng = np.random.default_rng(seed)
    # Features on very different scales and offsets, as in the article.
    return rng.normal(size=(n_samples, n_features)) * [1, 10, 0.1, 5] + [0, 50, 3, -7]


def _offset_data(n_samples=200, seed=1):
    rng = np.random.default_rng(seed)
    return 1e8 + rng.standard_normal((n_samples, 3))


@pytest.mark.parametrize("per_feature", AXES)
def test_fit_matches_numpy(per_feature):
    X = _data()
    axis = _axis(per_feature)
    mean = np.mean(X, axis=axis)
    norm = np.linalg.norm(X - mean, axis=axis)  # Frobenius when axis is None
    scaler = MeanNormStandardizer(per_feature=per_feature).fit(X)

    assert_allclose(scaler.mean_, mean, rtol=1e-12)
    assert_allclose(scaler.norm_, norm, rtol=1e-12)
    assert_allclose(scaler.scale_, norm, rtol=1e-12)
    assert np.shape(scaler.mean_) == np.shape(mean) == np.shape(scaler.norm_)
    assert scaler.n_samples_seen_ == X.shape[0]
    assert isinstance(scaler.n_samples_seen_, int)
    assert scaler.n_features_in_ == X.shape[1]
    assert_allclose(scaler.transform(X), (X - mean) / norm, rtol=1e-12)
    assert_allclose(
        MeanNormStandardizer(per_feature=per_feature).fit_transform(X),
        (X - mean) / norm,
        rtol=1e-12,
    )
    # Test data is transformed with the statistics of the training data.
    X_test = _data(5, seed=7)
    assert_allclose(scaler.transform(X_test), (X_test - mean) / norm, rtol=1e-12)


def test_whole_array_statistics_are_scalars():
    scaler = MeanNormStandardizer(per_feature=False).fit(_data())
    for value in (scaler.mean_, scaler.norm_, scaler.scale_):
        assert isinstance(value, float)
        assert np.ndim(value) == 0


@pytest.mark.parametrize("n_samples", [4, 100])
def test_column_std_is_one_over_sqrt_n(n_samples):
    X = _data(n_samples)
    Xt = MeanNormStandardizer().fit_transform(X)
    assert_allclose(Xt.std(axis=0), 1 / np.sqrt(n_samples), rtol=1e-12)
    # StandardScaler divides by std instead: a factor sqrt(n) apart.
    assert_allclose(Xt * np.sqrt(n_samples), StandardScaler().fit_transform(X))


@pytest.mark.parametrize("per_feature", AXES)
def test_with_mean_false_uses_norm_of_raw_data(per_feature):
    X = _data()
    axis = _axis(per_feature)
    norm = np.linalg.norm(X, axis=axis)
    scaler = MeanNormStandardizer(with_mean=False, per_feature=per_feature).fit(X)
    assert scaler.mean_ is None
    assert_allclose(scaler.norm_, norm, rtol=1e-12)
    assert_allclose(scaler.transform(X), X / norm, rtol=1e-12)
    assert_allclose(scaler.inverse_transform(X / norm), X, rtol=1e-12)


@pytest.mark.parametrize("per_feature", AXES)
def test_with_norm_false_only_centres(per_feature):
    X = _data()
    mean = np.mean(X, axis=_axis(per_feature))
    scaler = MeanNormStandardizer(with_norm=False, per_feature=per_feature).fit(X)
    assert scaler.scale_ is None
    assert_allclose(scaler.norm_, np.linalg.norm(X - mean, axis=_axis(per_feature)))
    assert_allclose(scaler.transform(X), X - mean, rtol=1e-12)
    assert_allclose(scaler.inverse_transform(X - mean), X, rtol=1e-12)


@pytest.mark.parametrize("value", [0.1, 1e8 + 0.3, -3.7e-5])
def test_constant_column_gets_scale_one(value):
    X = _data(7)
    X[:, 1] = value
    scaler = MeanNormStandardizer().fit(X)
    assert scaler.norm_[1] == 0
    assert scaler.scale_[1] == 1
    assert scaler.mean_[1] == value
    assert_array_equal(scaler.transform(X)[:, 1], 0)
    assert np.all(scaler.scale_[[0, 2, 3]] != 1)

    streamed = MeanNormStandardizer()
    for row in X:
        streamed.partial_fit(row[None, :])
    assert streamed.norm_[1] == 0 and streamed.scale_[1] == 1

    whole = MeanNormStandardizer(per_feature=False).fit(np.full((5, 3), value))
    assert whole.norm_ == 0 and whole.scale_ == 1
    assert_array_equal(whole.transform(np.full((2, 3), value)), 0)


def _splits(n_samples):
    rng = np.random.default_rng(3)
    random_cuts = np.sort(rng.choice(np.arange(1, n_samples), 9, replace=False))
    return {
        "single_rows": np.arange(1, n_samples),
        "random": random_cuts,
        "uneven": [1, 2, n_samples - 1],
        "halves": [n_samples // 2],
    }


@pytest.mark.parametrize("per_feature", AXES)
@pytest.mark.parametrize("split", ["single_rows", "random", "uneven", "halves"])
def test_partial_fit_matches_fit_on_offset_data(per_feature, split):
    X = _offset_data()
    axis = _axis(per_feature)
    streamed = MeanNormStandardizer(per_feature=per_feature)
    for batch in np.split(X, _splits(len(X))[split]):
        streamed.partial_fit(batch)
    fitted = MeanNormStandardizer(per_feature=per_feature).fit(X)

    mean = np.mean(X, axis=axis)
    norm = np.linalg.norm(X - mean, axis=axis)
    assert streamed.n_samples_seen_ == fitted.n_samples_seen_ == len(X)
    for scaler in (streamed, fitted):
        assert_allclose(scaler.mean_, mean, rtol=1e-10)
        assert_allclose(scaler.norm_, norm, rtol=1e-10)
    assert_allclose(streamed.norm_, fitted.norm_, rtol=1e-10)


def test_naive_sum_of_squares_fails_on_offset_data():
    # Why the merge has to be careful: sum(x^2) - n * mean^2 cancels
    # catastrophically when the offset is 1e8 times the spread.
    X = _offset_data()
    n = len(X)
    m2_two_pass = np.sum((X - X.mean(axis=0)) ** 2, axis=0)
    m2_naive = np.sum(X**2, axis=0) - n * X.mean(axis=0) ** 2
    assert np.all(np.abs(m2_naive - m2_two_pass) > 0.5 * m2_two_pass)

    streamed = MeanNormStandardizer()
    for row in X:
        streamed.partial_fit(row[None, :])
    assert_allclose(streamed.norm_**2, m2_two_pass, rtol=1e-10)


@st.composite
def _finite_matrices(draw):
    n_rows = draw(st.integers(1, 12))
    n_cols = draw(st.integers(1, 4))
    elements = st.floats(-1e6, 1e6, allow_nan=False, allow_subnormal=False)
    X = draw(arrays(np.float64, (n_rows, n_cols), elements=elements))
    if draw(st.booleans()):
        X[:, draw(st.integers(0, n_cols - 1))] = draw(elements)
    return X


@settings(max_examples=60, deadline=None)
@given(X=_finite_matrices(), per_feature=st.booleans(), with_mean=st.booleans())
def test_inverse_transform_round_trip(X, per_feature, with_mean):
    scaler = MeanNormStandardizer(per_feature=per_feature, with_mean=with_mean)
    X_back = scaler.inverse_transform(scaler.fit_transform(X))
    # Rounding is relative to the largest value the arithmetic touched.
    atol = 1e-13 * max(1.0, np.abs(X).max())
    assert_allclose(X_back, X, rtol=1e-9, atol=atol)


@pytest.mark.parametrize("per_feature", AXES)
def test_nan_ignored_in_fit_and_kept_by_transform(per_feature):
    X = _data(20)
    X[[0, 3, 4], 0] = np.nan
    X[7, 2] = np.nan
    axis = _axis(per_feature)
    mean = np.nanmean(X, axis=axis)
    norm = np.sqrt(np.nansum((X - mean) ** 2, axis=axis))

    scaler = MeanNormStandardizer(per_feature=per_feature).fit(X)
    assert_allclose(scaler.mean_, mean, rtol=1e-12)
    assert_allclose(scaler.norm_, norm, rtol=1e-12)
    assert_array_equal(scaler.n_samples_seen_, [17, 20, 19, 20])
    assert scaler.n_samples_seen_.dtype == np.int64
    Xt = scaler.transform(X)
    assert_array_equal(np.isnan(Xt), np.isnan(X))
    assert_allclose(Xt, (X - mean) / norm, rtol=1e-12)

    streamed = MeanNormStandardizer(per_feature=per_feature)
    for batch in np.split(X, [1, 5, 6, 13]):
        streamed.partial_fit(batch)
    assert_allclose(streamed.mean_, mean, rtol=1e-12)
    assert_allclose(streamed.norm_, norm, rtol=1e-12)
    assert_array_equal(streamed.n_samples_seen_, scaler.n_samples_seen_)


def test_all_nan_column_is_undefined_without_warnings():
    X = _data(6)
    X[:, 1] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scaler = MeanNormStandardizer().fit(X)
        streamed = MeanNormStandardizer().partial_fit(X[:3])
        streamed.partial_fit(np.full((1, 4), 2.0))
        Xt = scaler.transform(X)
    assert np.isnan(scaler.mean_[1])
    assert scaler.norm_[1] == 0 and scaler.scale_[1] == 1
    assert np.all(np.isnan(Xt[:, 1])) and not np.any(np.isnan(Xt[:, 0]))
    # A value that arrives later starts the column's statistics.
    assert_array_equal(streamed.n_samples_seen_, [4, 1, 4, 4])
    assert streamed.mean_[1] == 2.0
    assert_allclose(streamed.mean_[0], np.mean(np.r_[X[:3, 0], 2.0]), rtol=1e-12)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_infinity_is_rejected(bad):
    X = _data(5)
    X[2, 1] = bad
    scaler = MeanNormStandardizer()
    with pytest.raises(ValueError, match="infinity"):
        scaler.fit(X)
    with pytest.raises(ValueError, match="infinity"):
        scaler.partial_fit(X)
    scaler.fit(_data(5))
    with pytest.raises(ValueError, match="infinity"):
        scaler.transform(X)


SPARSE = [sp.csr_matrix, sp.csc_matrix, sp.csr_array, sp.csc_array]


@pytest.mark.parametrize("per_feature", AXES)
@pytest.mark.parametrize("container", SPARSE)
def test_sparse_without_mean(container, per_feature):
    dense = _data()
    dense[np.random.default_rng(0).random(dense.shape) < 0.6] = 0
    dense[:, 2] = 0  # an empty column: zero norm, scale 1
    X = container(dense)
    norm = np.linalg.norm(dense, axis=_axis(per_feature))
    scaler = MeanNormStandardizer(with_mean=False, per_feature=per_feature).fit(X)
    assert scaler.mean_ is None
    assert_allclose(scaler.norm_, norm, rtol=1e-12)
    norm = np.where(norm == 0, 1, norm)
    assert_array_equal(scaler.scale_, norm)

    Xt = scaler.transform(X)
    assert type(Xt) is type(X) and Xt.format == X.format
    assert_allclose(Xt.toarray(), dense / norm, rtol=1e-12)
    assert_allclose(scaler.inverse_transform(Xt).toarray(), dense, rtol=1e-12)
    assert_allclose(X.toarray(), dense)  # copy=True: input untouched


def test_sparse_nan_and_duplicate_entries():
    # Duplicates sum to one value, so their squares must not be added apart.
    data, indices, indptr = [1.0, 2.0, np.nan, 4.0], [0, 0, 1, 1], [0, 2, 3, 4]
    X = sp.csr_matrix((data, indices, indptr), shape=(3, 2))
    assert not X.has_canonical_format
    dense = X.toarray()
    scaler = MeanNormStandardizer(with_mean=False).fit(X)
    assert_allclose(scaler.norm_, np.sqrt(np.nansum(dense**2, axis=0)))
    assert_array_equal(scaler.n_samples_seen_, [3, 2])
    assert_array_equal(np.isnan(scaler.transform(X).toarray()), np.isnan(dense))


@pytest.mark.parametrize("per_feature", AXES)
def test_sparse_with_mean_raises(per_feature):
    X = sp.csr_matrix(_data())
    scaler = MeanNormStandardizer(per_feature=per_feature)
    with pytest.raises(ValueError, match="with_mean=False"):
        scaler.fit(X)
    with pytest.raises(ValueError, match="with_mean=False"):
        scaler.partial_fit(X)
    scaler.fit(_data())
    with pytest.raises(ValueError, match="with_mean=False"):
        scaler.transform(X)


@pytest.mark.parametrize("per_feature", AXES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_dtype_is_preserved(dtype, per_feature):
    X64 = _data()
    X = X64.astype(dtype)
    scaler = MeanNormStandardizer(per_feature=per_feature).fit(X)
    Xt = scaler.transform(X)
    assert Xt.dtype == dtype
    assert scaler.fit_transform(X).dtype == dtype
    assert scaler.inverse_transform(Xt).dtype == dtype
    # Statistics stay float64 and match a float64 computation on the same data.
    axis = _axis(per_feature)
    exact = X.astype(np.float64)
    assert np.asarray(scaler.norm_).dtype == np.float64
    assert_allclose(scaler.mean_, np.mean(exact, axis=axis), rtol=1e-12)
    rtol = 1e-6 if dtype == np.float32 else 1e-12
    expected = (exact - np.mean(exact, axis=axis)) / scaler.norm_
    assert_allclose(Xt, expected, rtol=rtol, atol=rtol)

    sparse = MeanNormStandardizer(with_mean=False).fit_transform(sp.csr_matrix(X))
    assert sparse.dtype == dtype


def test_integer_input_becomes_float64():
    X = np.array([[1, 10], [2, 20], [6, 30]])
    Xt = MeanNormStandardizer().fit_transform(X)
    assert Xt.dtype == np.float64
    mean = X.mean(axis=0)
    assert_allclose(Xt, (X - mean) / np.linalg.norm(X - mean, axis=0))


@pytest.mark.parametrize("per_feature", AXES)
def test_copy_true_leaves_input_untouched(per_feature):
    X = _data()
    saved = X.copy()
    scaler = MeanNormStandardizer(per_feature=per_feature)
    Xt = scaler.fit_transform(X)
    scaler.partial_fit(X)
    X_back = scaler.inverse_transform(Xt)
    assert_array_equal(X, saved)
    assert not np.shares_memory(Xt, X) and not np.shares_memory(X_back, Xt)

    Xs = sp.csr_matrix(X)
    saved_data = Xs.data.copy()
    MeanNormStandardizer(with_mean=False).fit(Xs).transform(Xs)
    assert_array_equal(Xs.data, saved_data)


def test_copy_false_works_in_place_when_it_can():
    X = _data()
    expected = MeanNormStandardizer().fit_transform(X)
    scaler = MeanNormStandardizer(copy=False).fit(X)
    Xt = scaler.transform(X)
    assert np.shares_memory(Xt, X)
    assert_allclose(X, expected)
    back = scaler.inverse_transform(Xt)
    assert np.shares_memory(back, X)

    # Integer input cannot hold the result: it is copied and left alone.
    X_int = np.array([[1, 2], [3, 5], [4, 9]])
    saved = X_int.copy()
    MeanNormStandardizer(copy=False).fit_transform(X_int)
    assert_array_equal(X_int, saved)


def _check_scaler_on(X, reference):
    mean = np.mean(reference, axis=0)
    norm = np.linalg.norm(reference - mean, axis=0)
    for copy in (True, False):
        scaler = MeanNormStandardizer(copy=copy).fit(X)
        assert_allclose(scaler.transform(X), (reference - mean) / norm, rtol=1e-12)
    assert_array_equal(X, reference)


def test_read_only_input():
    X = _data()
    reference = X.copy()
    X.setflags(write=False)
    _check_scaler_on(X, reference)


def test_memmap_input(tmp_path):
    reference = _data()
    path = tmp_path / "X.dat"
    writer = np.memmap(path, dtype=np.float64, mode="w+", shape=reference.shape)
    writer[:] = reference
    writer.flush()
    del writer
    X = np.memmap(path, dtype=np.float64, mode="r", shape=reference.shape)
    _check_scaler_on(X, reference)


def test_set_output_pandas_keeps_column_names():
    X = pd.DataFrame(_data(), columns=["age", "income", "height", "score"])
    scaler = MeanNormStandardizer().set_output(transform="pandas").fit(X)
    Xt = scaler.transform(X)
    assert isinstance(Xt, pd.DataFrame)
    assert list(Xt.columns) == ["age", "income", "height", "score"]
    assert_array_equal(scaler.feature_names_in_, X.columns)
    values = X.to_numpy()
    mean = values.mean(axis=0)
    assert_allclose(
        Xt.to_numpy(), (values - mean) / np.linalg.norm(values - mean, axis=0)
    )

    unnamed = MeanNormStandardizer().fit(_data())
    assert list(unnamed.get_feature_names_out()) == ["x0", "x1", "x2", "x3"]


@pytest.mark.parametrize(
    "name", ["with_mean", "with_norm", "per_feature", "copy", "norm"]
)
@pytest.mark.parametrize("bad", ["yes", 1, None])
def test_parameter_validation(name, bad):
    scaler = MeanNormStandardizer(**{name: bad})
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        scaler.fit(_data())
    with pytest.raises(ValueError, match=f"'{name}' parameter"):
        scaler.partial_fit(_data())


def test_keyword_only_parameters_in_order():
    params = inspect.signature(MeanNormStandardizer).parameters
    # norm (issue 12) comes after the original four, keyword-only as they are.
    assert list(params) == ["with_mean", "with_norm", "per_feature", "copy", "norm"]
    assert all(p.kind is p.KEYWORD_ONLY for p in params.values())
    assert [p.default for p in params.values()] == [True, True, True, True, "l2"]
    with pytest.raises(TypeError):
        MeanNormStandardizer(False)


def test_wrong_number_of_features_raises():
    scaler = MeanNormStandardizer().fit(_data())
    narrow = _data()[:, :3]
    for method in (scaler.transform, scaler.inverse_transform, scaler.partial_fit):
        with pytest.raises(ValueError, match="4 features"):
            method(narrow)


def test_unfitted_and_refit():
    with pytest.raises(NotFittedError):
        MeanNormStandardizer().transform(_data())
    # fit starts over, partial_fit accumulates.
    A, B = _data(seed=1), _data(seed=2)
    refit = MeanNormStandardizer().fit(A).fit(B)
    assert_allclose(refit.mean_, B.mean(axis=0), rtol=1e-12)
    assert refit.n_samples_seen_ == len(B)
    both = MeanNormStandardizer().fit(A).partial_fit(B)
    assert_allclose(both.mean_, np.r_[A, B].mean(axis=0), rtol=1e-12)


# --------------------------------------------------------------------------
# norm="rms": divide by the root mean square, unit variance
# --------------------------------------------------------------------------
def _rms_reference(X, per_feature, with_mean=True):
    """numpy's mean and root mean square of the (centred) data, NaNs ignored."""
    axis = _axis(per_feature)
    mean = np.nanmean(X, axis=axis) if with_mean else 0.0
    rms = np.sqrt(np.nanmean((X - mean) ** 2, axis=axis))
    return mean, np.where(rms == 0, 1.0, rms)


@pytest.mark.parametrize("with_mean", [True, False])
@pytest.mark.parametrize("per_feature", AXES)
def test_rms_matches_numpy(per_feature, with_mean):
    X = _data()
    X[3, 1] = np.nan  # counts differ between columns
    X[:, 3] = 2.5  # a constant column: only centred
    mean, rms = _rms_reference(X, per_feature, with_mean)
    scaler = MeanNormStandardizer(
        norm="rms", per_feature=per_feature, with_mean=with_mean
    ).fit(X)
    assert_allclose(scaler.scale_, rms, rtol=1e-12)
    # norm_ stays the L2 norm; only the divisor changes.
    l2 = MeanNormStandardizer(per_feature=per_feature, with_mean=with_mean).fit(X)
    assert_allclose(scaler.norm_, l2.norm_, rtol=1e-15)
    Xt = scaler.transform(X)
    assert_allclose(Xt, (X - mean) / rms, rtol=1e-12)
    assert_allclose(scaler.inverse_transform(Xt), X, rtol=1e-12)


def test_rms_is_standard_scaler():
    X = _data(500)
    ours = MeanNormStandardizer(norm="rms").fit_transform(X)
    assert_allclose(ours, StandardScaler().fit_transform(X), rtol=1e-9, atol=1e-12)
    assert_allclose(ours.std(axis=0), 1.0, rtol=1e-12)


@pytest.mark.parametrize("per_feature", AXES)
@pytest.mark.parametrize("split", ["single_rows", "uneven"])
def test_rms_partial_fit_matches_fit(per_feature, split):
    X = _offset_data()
    cuts = {"single_rows": range(1, len(X)), "uneven": [3, 10, 150]}[split]
    scaler = MeanNormStandardizer(norm="rms", per_feature=per_feature)
    for batch in np.split(X, list(cuts)):
        scaler.partial_fit(batch)
    _, rms = _rms_reference(X, per_feature)
    assert_allclose(scaler.scale_, rms, rtol=1e-9)
    fitted = MeanNormStandardizer(norm="rms", per_feature=per_feature).fit(X)
    assert_allclose(scaler.scale_, fitted.scale_, rtol=1e-9)


@pytest.mark.parametrize("per_feature", AXES)
@pytest.mark.parametrize("container", SPARSE)
def test_rms_sparse_without_mean(container, per_feature):
    dense = _data()
    dense[np.random.default_rng(0).random(dense.shape) < 0.6] = 0
    dense[:, 2] = 0  # an empty column: scale 1
    _, rms = _rms_reference(dense, per_feature, with_mean=False)
    scaler = MeanNormStandardizer(norm="rms", with_mean=False, per_feature=per_feature)
    Xt = scaler.fit(container(dense)).transform(container(dense))
    assert_allclose(scaler.scale_, rms, rtol=1e-12)
    assert_allclose(Xt.toarray(), dense / rms, rtol=1e-12)
    assert_allclose(scaler.inverse_transform(Xt).toarray(), dense, rtol=1e-12)


def test_partial_fit_accepts_a_change_of_norm():
    # norm only decides how scale_ follows from norm_: the merged statistics
    # stay those of every batch.
    X = _data(60)
    scaler = MeanNormStandardizer().partial_fit(X[:20])
    scaler.set_params(norm="rms").partial_fit(X[20:])
    assert_allclose(scaler.scale_, _rms_reference(X, True)[1], rtol=1e-12)


@pytest.mark.parametrize(
    "change",
    [
        {"norm": "rms"},
        {"with_norm": False},
        {"with_mean": False},
        {"per_feature": False},
    ],
    ids=lambda change: next(iter(change)),
)
@pytest.mark.parametrize("method", ["transform", "inverse_transform"])
def test_transform_refuses_statistics_of_another_setting(change, method):
    X = _data()
    scaler = MeanNormStandardizer().fit(X)
    scaler.set_params(**change)
    name = next(iter(change))
    with pytest.raises(ValueError, match=f"fitted with {name}=.* Call fit"):
        getattr(scaler, method)(X)
    # Refitting under the new setting is what the message asks for.
    assert getattr(scaler.fit(X), method)(X).shape == X.shape
