"""sample_weight in the statistics of the scalers.

A weight counts a row as that many rows, as scikit-learn users expect: the
statistics fitted with integer weights are those of the rows repeated
(``np.repeat``), a weight of 0 removes the row, and the weighted mean and
norm are checked against plain numpy formulas. Without weights nothing
changed: the statistics are those of the unweighted formulas, bit for bit.
"""

import numpy as np
import pytest
import scipy.sparse as sp

from mlpinit import MeanNormStandardizer
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
