"""sample_weight in the statistics of the scalers and of the Tabular estimators.

A weight counts a row as that many rows, as scikit-learn users expect: the
statistics fitted with integer weights are those of the rows repeated
(``np.repeat``), a weight of 0 removes the row, and the weighted mean and
norm are checked against plain numpy formulas. Without weights nothing
changed: the statistics are those of the unweighted formulas, bit for bit.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from mlpinit import MeanNormStandardizer, TabularMLPClassifier, TabularMLPRegressor
from mlpinit._robust_scaling import weighted_quantiles
from mlpinit.preprocessing import PeriodicFeatures, RobustSmoothClipScaler

RNG = np.random.RandomState(0)
N, D = 40, 4
# Heavy tails and an offset: quantiles and means that differ from 0 and 1.
X = RNG.standard_t(2, size=(N, D)) * [1.0, 10.0, 1e3, 1e-3] + 5.0
X_NAN = X.copy()
X_NAN[[3, 7], [1, 2]] = np.nan
WEIGHTS = RNG.randint(0, 4, size=N)  # integers, zeros among them
Y = X[:, 0] - 0.5 * X[:, 1] / 10 + RNG.normal(size=N)

SCALERS = {
    "l2": MeanNormStandardizer,
    "rms": lambda: MeanNormStandardizer(norm="rms"),
    "whole-array": lambda: MeanNormStandardizer(per_feature=False),
    "no-mean": lambda: MeanNormStandardizer(with_mean=False),
    "robust": RobustSmoothClipScaler,
}
STATISTICS = ("mean_", "norm_", "scale_", "n_samples_seen_", "center_")


def statistics(scaler):
    return {name: getattr(scaler, name) for name in STATISTICS if hasattr(scaler, name)}


def assert_same_statistics(a, b, rtol=1e-12):
    got, want = statistics(a), statistics(b)
    assert got.keys() == want.keys() and got
    for name in got:
        if got[name] is None:
            assert want[name] is None, name
        else:
            np.testing.assert_allclose(got[name], want[name], rtol=rtol, err_msg=name)


@pytest.mark.parametrize("data", [X, X_NAN], ids=["finite", "nan"])
@pytest.mark.parametrize("scaler", list(SCALERS))
def test_integer_weights_are_repeated_rows(scaler, data):
    weighted = SCALERS[scaler]().fit(data, sample_weight=WEIGHTS)
    repeated = SCALERS[scaler]().fit(np.repeat(data, WEIGHTS, axis=0))
    assert_same_statistics(weighted, repeated)
    np.testing.assert_allclose(
        weighted.transform(data), repeated.transform(data), rtol=1e-12
    )


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_integer_weights_are_repeated_rows_for_sparse_input(fmt):
    data = np.where(RNG.uniform(size=(N, D)) < 0.5, 0.0, X_NAN)
    weighted = MeanNormStandardizer(with_mean=False).fit(
        sp.csr_matrix(data).asformat(fmt), sample_weight=WEIGHTS
    )
    repeated = MeanNormStandardizer(with_mean=False).fit(
        np.repeat(data, WEIGHTS, axis=0)
    )
    assert_same_statistics(weighted, repeated)


@pytest.mark.parametrize("scaler", list(SCALERS))
def test_a_zero_weight_removes_the_row(scaler):
    present = WEIGHTS > 0
    weighted = SCALERS[scaler]().fit(X_NAN, sample_weight=present.astype(float))
    removed = SCALERS[scaler]().fit(X_NAN[present])
    assert_same_statistics(weighted, removed)


def test_weighted_mean_and_norm_against_numpy():
    weight = RNG.uniform(0.1, 3.0, size=N)  # not integers
    mean = np.average(X, axis=0, weights=weight)
    norm = np.sqrt(np.sum(weight[:, None] * (X - mean) ** 2, axis=0))
    l2 = MeanNormStandardizer().fit(X, sample_weight=weight)
    np.testing.assert_allclose(l2.mean_, mean, rtol=1e-13)
    np.testing.assert_allclose(l2.norm_, norm, rtol=1e-13)
    np.testing.assert_allclose(l2.scale_, norm, rtol=1e-13)
    rms = MeanNormStandardizer(norm="rms").fit(X, sample_weight=weight)
    np.testing.assert_allclose(rms.scale_, norm / np.sqrt(weight.sum()), rtol=1e-13)
    assert rms.n_samples_seen_ == pytest.approx(weight.sum(), rel=1e-15)
    # The weighted standard deviation: transformed columns of unit weighted
    # variance.
    Z = rms.transform(X)
    np.testing.assert_allclose(np.average(Z**2, axis=0, weights=weight), 1.0)


def test_weighted_batches_merge_into_the_weighted_fit():
    weight = RNG.uniform(0.0, 3.0, size=N)
    whole = MeanNormStandardizer(norm="rms").fit(X_NAN, sample_weight=weight)
    batches = MeanNormStandardizer(norm="rms")
    for rows in np.array_split(np.arange(N), 3):
        batches.partial_fit(X_NAN[rows], sample_weight=weight[rows])
    assert_same_statistics(batches, whole)


@pytest.mark.parametrize("scaler", list(SCALERS))
def test_without_weights_the_statistics_are_the_unweighted_formulas(scaler):
    fitted = SCALERS[scaler]().fit(X_NAN)
    if scaler == "robust":
        # The code before sample_weight: nanpercentile's default, bit for bit.
        assert_bits(fitted.center_, np.nanpercentile(X_NAN, 50, axis=0))
        q25, q75 = np.nanpercentile(X_NAN, [25, 75], axis=0)
        assert_bits(fitted.scale_, q75 - q25)
    else:
        assert isinstance(fitted.n_samples_seen_, (int, np.ndarray))
        assert np.asarray(fitted.n_samples_seen_).dtype.kind == "i"
    ones = SCALERS[scaler]().fit(X_NAN, sample_weight=np.ones(N))
    assert_same_statistics(ones, fitted, rtol=0)


def assert_bits(got, want):
    assert got.dtype == want.dtype and got.tobytes() == want.tobytes()


@pytest.mark.parametrize("scaler", [*SCALERS.values(), PeriodicFeatures])
def test_negative_weights_are_refused_with_scikit_learns_message(scaler):
    with pytest.raises(ValueError, match="Negative values in data passed to"):
        scaler().fit(X, sample_weight=np.linspace(-1, 1, N))


def test_periodic_features_ignore_the_weights():
    plain = PeriodicFeatures(random_state=0).fit(X)
    weighted = PeriodicFeatures(random_state=0).fit(X, sample_weight=WEIGHTS)
    assert_bits(weighted.frequencies_, plain.frequencies_)


def test_weighted_quantiles_are_those_of_the_repeated_values():
    rng = np.random.RandomState(1)
    quantiles = [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]
    for trial in range(300):
        n = rng.randint(1, 15)
        values = rng.normal(size=n)
        if trial % 2:
            values = np.round(values)  # ties
        weights = rng.randint(0, 5, size=n)
        weights[rng.randint(n)] += 1  # a positive sum
        np.testing.assert_allclose(
            weighted_quantiles(values, weights.astype(float), quantiles),
            np.quantile(np.repeat(values, weights), quantiles),
            rtol=1e-14,
            atol=1e-15,
        )


# --------------------------------------------------------------------------
# the Tabular estimators
# --------------------------------------------------------------------------
SMALL = dict(hidden_layer_sizes=(3,), max_iter=1, random_state=0)


@pytest.mark.parametrize("scaling", ["l2", "rms", "robust"])
def test_tabular_scaling_is_fitted_with_the_weights(scaling):
    y = (Y > np.median(Y)).astype(int)
    clf = TabularMLPClassifier(scaling=scaling, **SMALL)
    clf.fit(X, y, sample_weight=WEIGHTS)
    repeated = SCALERS[scaling]().fit(np.repeat(X, WEIGHTS, axis=0))
    assert_same_statistics(clf.input_transforms_[0], repeated)
    # partial_fit's first batch too.
    first = TabularMLPClassifier(scaling=scaling, **SMALL)
    first.partial_fit(X, y, classes=[0, 1], sample_weight=WEIGHTS)
    assert_same_statistics(first.input_transforms_[0], repeated)


def target_statistics(reg):
    return [reg.target_mean_, reg.target_scale_, reg.target_min_, reg.target_max_]


@pytest.mark.parametrize("outputs", [1, 2])
def test_tabular_target_statistics_are_those_of_the_repeated_rows(outputs):
    y = Y if outputs == 1 else np.column_stack([Y, 1e3 * Y**2])
    weighted = TabularMLPRegressor(**SMALL).fit(X, y, sample_weight=WEIGHTS)
    repeated = TabularMLPRegressor(**SMALL).fit(
        np.repeat(X, WEIGHTS, axis=0), np.repeat(y, WEIGHTS, axis=0)
    )
    for got, want in zip(target_statistics(weighted), target_statistics(repeated)):
        np.testing.assert_allclose(got, want, rtol=1e-12)
    # And numpy's weighted mean and standard deviation.
    Y2 = y.reshape(N, -1)
    mean = np.average(Y2, axis=0, weights=WEIGHTS)
    std = np.sqrt(np.average((Y2 - mean) ** 2, axis=0, weights=WEIGHTS))
    np.testing.assert_allclose(weighted.target_mean_, mean, rtol=1e-13)
    np.testing.assert_allclose(weighted.target_scale_, std, rtol=1e-13)


def test_a_zero_weight_row_is_absent_from_the_tabular_statistics():
    # The row of the largest target, at weight 0: no bound, no share of the
    # mean, the std or the scaling.
    top = int(np.argmax(Y))
    weight = np.ones(N)
    weight[top] = 0.0
    weighted = TabularMLPRegressor(scaling="robust", **SMALL)
    weighted.fit(X, Y, sample_weight=weight)
    kept = np.arange(N) != top
    removed = TabularMLPRegressor(scaling="robust", **SMALL).fit(X[kept], Y[kept])
    for got, want in zip(target_statistics(weighted), target_statistics(removed)):
        np.testing.assert_allclose(got, want, rtol=1e-13)
    assert weighted.target_max_[0] < Y[top]
    assert_same_statistics(
        weighted.input_transforms_[0], removed.input_transforms_[0], rtol=1e-13
    )


def test_unweighted_tabular_target_statistics_are_numpy_s_bit_for_bit():
    reg = TabularMLPRegressor(**SMALL).fit(X, Y)
    assert_bits(reg.target_mean_, Y.reshape(N, 1).mean(axis=0))
    assert_bits(reg.target_scale_, Y.reshape(N, 1).std(axis=0))
    assert_bits(reg.target_min_, np.array([Y.min()]))


def test_class_weight_weighs_the_tabular_scaling_as_sample_weight_does():
    y = (Y > np.median(Y)).astype(int)
    clf = TabularMLPClassifier(class_weight={0: 3.0}, **SMALL)
    clf.fit(X, y, sample_weight=WEIGHTS)
    rows = np.where(y == 0, 3, 1) * WEIGHTS
    repeated = MeanNormStandardizer().fit(np.repeat(X, rows, axis=0))
    assert_same_statistics(clf.input_transforms_[0], repeated)
