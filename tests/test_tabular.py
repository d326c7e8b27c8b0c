"""The tabular pieces against independent truths, and the tabular estimators' promises.

- RobustSmoothClipScaler against a numpy reference of its formula;
- PeriodicFeatures against a loop over features and frequencies;
- the label-smoothed log loss: the core's gradient against central
  differences, with soft targets;
- TabularMLP*: determinism, sample and class weights, skops, clone, and
  the parameter list kept in step with MLPClassifier/MLPRegressor's.
"""

import inspect
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.datasets import load_breast_cancer, load_diabetes, load_iris
from sklearn.exceptions import ConvergenceWarning

from mlpinit import (
    MLPClassifier,
    MLPRegressor,
    TabularMLPClassifier,
    TabularMLPRegressor,
)
from mlpinit._core.network import NetworkLayout, Workspace, loss_and_gradient
from mlpinit._estimator.base import checked_input_and_targets, draw_initial_weights
from mlpinit.preprocessing import PeriodicFeatures, RobustSmoothClipScaler

SMALL = dict(hidden_layer_sizes=(16, 8), max_iter=8, random_state=0)


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.filterwarnings("ignore", "Got `batch_size`")
        yield


# -- RobustSmoothClipScaler ----------------------------------------------
def _reference_robust(X_fit, X, c=3.0):
    """The formula, written out column by column with numpy's own quantiles."""
    out = np.empty_like(X, dtype=float)
    for j in range(X.shape[1]):
        col = X_fit[:, j]
        median = np.median(col)
        iqr = np.percentile(col, 75) - np.percentile(col, 25)
        scale = iqr if iqr > 0 else (col.max() - col.min()) / 2
        scale = scale if scale > 0 else 1.0
        z = (X[:, j] - median) / scale
        out[:, j] = z / np.sqrt(1 + (z / c) ** 2) if c is not None else z
    return out


def _heavy_tailed(n=200, seed=0):
    rng = np.random.RandomState(seed)
    X = np.c_[
        rng.standard_cauchy(n),  # outliers
        rng.exponential(5.0, n) + 100,  # skewed, offset
        np.r_[np.zeros(n - 20), rng.normal(size=20)],  # IQR 0: half range
        np.full(n, 7.0),  # constant: scale 1
    ]
    return X


@pytest.mark.parametrize("clip", [3.0, 1.5, None])
def test_robust_scaler_matches_numpy_reference(clip):
    X = _heavy_tailed()
    X_new = _heavy_tailed(50, seed=1)
    scaler = RobustSmoothClipScaler(clip=clip).fit(X)
    np.testing.assert_allclose(
        scaler.transform(X_new), _reference_robust(X, X_new, clip), rtol=1e-12
    )
    assert scaler.scale_[2] == pytest.approx((X[:, 2].max() - X[:, 2].min()) / 2)
    assert scaler.scale_[3] == 1.0


def test_robust_scaler_output_is_bounded_and_invertible():
    X = _heavy_tailed()
    scaler = RobustSmoothClipScaler().fit(X)
    Z = scaler.transform(X)
    assert np.abs(Z).max() < 3.0
    keep = np.abs(Z).max(axis=1) < 2.9  # away from the bound, where it is exact
    np.testing.assert_allclose(
        scaler.inverse_transform(Z[keep]), X[keep], rtol=1e-9, atol=1e-9
    )
    with pytest.raises(ValueError, match=r"inside \(-clip, clip\)"):
        scaler.inverse_transform(np.full((1, 4), 3.0))


def test_robust_scaler_keeps_nan_refuses_sparse_and_keeps_input():
    X = _heavy_tailed()
    X[3, 0] = np.nan
    before = X.copy()
    scaler = RobustSmoothClipScaler().fit(X)
    np.testing.assert_array_equal(X, before)
    assert scaler.center_[0] == pytest.approx(np.nanmedian(X[:, 0]))
    assert np.isnan(scaler.transform(X)[3, 0])
    with pytest.raises(TypeError, match="dense data is required"):
        RobustSmoothClipScaler().fit(sp.csr_matrix(np.eye(3)))


def test_robust_scaler_float32_in_float32_out():
    X = _heavy_tailed().astype(np.float32)
    assert RobustSmoothClipScaler().fit_transform(X).dtype == np.float32


# -- PeriodicFeatures ---------------------------------------------------------
@pytest.mark.parametrize("include_original", [True, False])
def test_periodic_features_match_a_loop(include_original):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 3))
    periodic = PeriodicFeatures(
        4, sigma=0.7, include_original=include_original, random_state=0
    ).fit(X)
    F = periodic.frequencies_
    expected = []
    for j in range(3):
        if include_original:
            expected.append(X[:, j])
        expected += [np.cos(2 * np.pi * F[j, k] * X[:, j]) for k in range(4)]
        expected += [np.sin(2 * np.pi * F[j, k] * X[:, j]) for k in range(4)]
    np.testing.assert_allclose(periodic.transform(X), np.column_stack(expected))
    names = periodic.get_feature_names_out()
    assert len(names) == periodic.transform(X).shape[1]


def test_periodic_frequencies_are_normal_with_sigma_and_seeded():
    X = np.zeros((2, 50))
    a = PeriodicFeatures(200, sigma=0.1, random_state=3).fit(X).frequencies_
    b = PeriodicFeatures(200, sigma=0.1, random_state=3).fit(X).frequencies_
    np.testing.assert_array_equal(a, b)
    # 10,000 draws: the sample standard deviation is within 3% of sigma.
    assert abs(a.std() - 0.1) < 0.003
    assert abs(a.mean()) < 0.003


# -- label smoothing ---------------------------------------------------------
STEP = 1e-6


@pytest.mark.parametrize("out_activation,n_out", [("softmax", 3), ("logistic", 1)])
def test_soft_target_log_loss_gradient_matches_central_differences(
    out_activation, n_out
):
    # The core's gradient P - Y is that of -sum Y log P (softmax, rows of Y
    # summing to 1) and of the binary log loss, for soft targets too.
    rng = np.random.RandomState(0)
    layout = NetworkLayout([4, 5, n_out])
    X = rng.normal(size=(12, 4))
    labels = rng.randint(0, max(n_out, 2), 12)
    eps = 0.1
    K = 2 if n_out == 1 else n_out
    Y = (np.eye(K)[labels][:, 1:] if n_out == 1 else np.eye(K)[labels]) * (1 - eps)
    Y += eps / K
    theta = rng.normal(scale=0.5, size=layout.size)

    def core(t):
        grad = np.empty(layout.size)
        ws = Workspace(layout, 12, np.float64)
        loss = loss_and_gradient(
            layout, t, grad, X, Y, None, 0.0, "tanh", out_activation, ws
        )
        return loss, grad

    _, grad = core(theta)
    numeric = np.empty(layout.size)
    for k in range(layout.size):
        plus, minus = theta.copy(), theta.copy()
        plus[k] += STEP
        minus[k] -= STEP
        numeric[k] = (core(plus)[0] - core(minus)[0]) / (2 * STEP)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-8)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_label_smoothing_encodes_the_soft_targets(n_classes):
    X, y = load_iris(return_X_y=True)
    keep = y < n_classes
    X, y = X[keep], y[keep]
    clf = TabularMLPClassifier(label_smoothing=0.2, **SMALL).fit(X, y)
    _, Y = checked_input_and_targets(clf, X, y)
    if n_classes == 2:
        expected = np.where(y == 1, 0.9, 0.1)[:, None]
    else:
        expected = np.eye(3)[y] * 0.8 + 0.2 / 3
    np.testing.assert_allclose(Y, expected)


# -- the estimators ------------------------------------------------------------
def _data(kind):
    if kind == "classifier":
        return (TabularMLPClassifier, *load_breast_cancer(return_X_y=True))
    return (TabularMLPRegressor, *load_diabetes(return_X_y=True))


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
@pytest.mark.parametrize("extra", [{}, {"periodic_features": 2}])
def test_same_seed_same_model(kind, extra):
    cls, X, y = _data(kind)
    a = cls(**SMALL, **extra).fit(X, y)
    b = cls(**SMALL, **extra).fit(X, y)
    for wa, wb in zip(a.coefs_ + a.intercepts_, b.coefs_ + b.intercepts_):
        np.testing.assert_array_equal(wa, wb)
    c = cls(**{**SMALL, "random_state": 1}, **extra).fit(X, y)
    assert not np.array_equal(a.coefs_[0], c.coefs_[0])


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_raw_inputs_are_scaled_inside(kind):
    # The model on raw X equals MLP* fitted on the scaler's output, with the
    # same settings: the scaling is all that was added.
    cls, X, y = _data(kind)
    base = MLPClassifier if kind == "classifier" else MLPRegressor
    params = dict(SMALL, early_stopping=False, scaling="robust", dtype=None)
    ours = cls(**params).fit(X, y)
    Xs = RobustSmoothClipScaler().fit_transform(X)
    inherited = {k: v for k, v in ours.get_params().items() if k in base().get_params()}
    if kind == "classifier":
        theirs = base(**inherited).fit(Xs, y)
        np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(Xs))
    else:
        target = (y - y.mean()) / y.std()
        theirs = base(**inherited).fit(Xs, target)
        expected = np.clip(theirs.predict(Xs) * y.std() + y.mean(), y.min(), y.max())
        np.testing.assert_allclose(ours.predict(X), expected, rtol=1e-12)


def test_regressor_predictions_stay_in_the_training_range():
    _, X, y = _data("regressor")
    reg = TabularMLPRegressor(**SMALL, clip_predictions=True).fit(X, y)
    far = X * 50
    pred = reg.predict(far)
    assert pred.min() >= y.min() and pred.max() <= y.max()
    assert reg.target_mean_[0] == pytest.approx(y.mean())
    unclipped = TabularMLPRegressor(**SMALL, clip_predictions=False).fit(X, y)
    assert (
        unclipped.predict(far).max() > y.max() or unclipped.predict(far).min() < y.min()
    )


def test_class_weight_equals_its_sample_weight():
    _, X, y = _data("classifier")
    a = TabularMLPClassifier(class_weight={0: 3.0}, **SMALL).fit(X, y)
    b = TabularMLPClassifier(**SMALL).fit(
        X, y, sample_weight=np.where(y == 0, 3.0, 1.0)
    )
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_sample_weight_counts(kind):
    cls, X, y = _data(kind)
    # Doubling every weight changes no weighted mean: the same model (with
    # alpha=0; the L2 term is divided by the weights' sum, as in scikit-learn).
    # With scaling="rms": weights count as repeated rows, and the default
    # "l2" norm of twice the rows is sqrt(2) times larger.
    params = dict(SMALL, alpha=0.0, scaling="rms")
    a = cls(**params).fit(X, y)
    b = cls(**params).fit(X, y, sample_weight=np.full(len(y), 2.0))
    np.testing.assert_allclose(a.coefs_[0], b.coefs_[0], rtol=1e-9, atol=1e-12)
    # Weighting half the rows by 0 changes it.
    w = (np.arange(len(y)) % 2).astype(float)
    c = cls(**params).fit(X, y, sample_weight=w)
    assert not np.allclose(a.coefs_[0], c.coefs_[0])


def test_upweighting_a_class_raises_its_recall():
    X, y = load_breast_cancer(return_X_y=True)
    params = dict(
        hidden_layer_sizes=(8,), max_iter=30, random_state=0, early_stopping=False
    )
    plain = TabularMLPClassifier(**params).fit(X, y)
    heavy = TabularMLPClassifier(class_weight={0: 20.0}, **params).fit(X, y)
    recall = [
        [np.mean(m.predict(X)[y == c] == c) for c in (0, 1)] for m in (plain, heavy)
    ]
    assert recall[1][0] > recall[0][0]  # the heavy class is found more often
    assert recall[1][1] < recall[0][1]  # at the other's expense


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_partial_fit_trains_without_a_validation_split(kind):
    cls, X, y = _data(kind)
    model = cls(**SMALL, learning_rate="constant")
    extra = {"classes": np.unique(y)} if kind == "classifier" else {}
    model.partial_fit(X, y, **extra)
    first = model.coefs_[0].copy()
    model.partial_fit(X, y)
    assert model.early_stopping is True  # the parameter is left as it was
    assert model.validation_scores_ is None
    assert not np.array_equal(first, model.coefs_[0])


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_clone_and_parameters_follow_the_base_class(kind):
    cls, X, y = _data(kind)
    base = MLPClassifier if kind == "classifier" else MLPRegressor
    ours = list(inspect.signature(cls).parameters)
    theirs = list(inspect.signature(base).parameters)
    # Every parameter of the base, in its order, then the new ones.
    assert ours[: len(theirs)] == theirs
    model = cls(scaling="rms", periodic_features=3)
    twin = clone(model)
    assert twin.get_params() == model.get_params()
    assert twin.set_params(scaling=None).scaling is None


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_skops_round_trip(kind, tmp_path):
    sio = pytest.importorskip("skops.io")
    cls, X, y = _data(kind)
    model = cls(**SMALL, periodic_features=2).fit(X, y)
    path = tmp_path / "model.skops"
    sio.dump(model, path)
    untrusted = set(sio.get_untrusted_types(file=path))
    assert untrusted <= {
        f"mlpinit.tabular.{cls.__name__}",
        "mlpinit._robust_scaling.RobustSmoothClipScaler",
        "mlpinit._periodic.PeriodicFeatures",
        "mlpinit.preprocessing.MeanNormStandardizer",
    }
    loaded = sio.load(path, trusted=sorted(untrusted))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_sparse_input_needs_scaling_none():
    X, y = load_iris(return_X_y=True)
    with pytest.raises(TypeError, match="dense data is required"):
        TabularMLPClassifier(**SMALL, scaling="robust").fit(sp.csr_matrix(X), y)
    with pytest.raises(ValueError, match="Cannot center sparse data"):
        TabularMLPClassifier(**SMALL).fit(sp.csr_matrix(X), y)  # l2, the default
    sparse = TabularMLPClassifier(**SMALL, scaling=None).fit(sp.csr_matrix(X), y)
    dense = TabularMLPClassifier(**SMALL, scaling=None).fit(X, y)
    # Trained in float32: the sparse and dense products round apart.
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-4, atol=1e-6
    )


# -- the schedules offered as learning_rate, and the warnings by design ----
def _small_regression():
    X, y = load_diabetes(return_X_y=True)
    return X[:64], (y[:64] - y[:64].mean()) / y[:64].std()


# One full batch, no shuffling: epoch k is update k.
_FULL_BATCH = dict(
    hidden_layer_sizes=(8,), batch_size=64, shuffle=False, random_state=0
)


def test_coslog4_starts_at_rate_zero():
    # (1 - cos(2 pi log2(1 + 15 t))) / 2 is 0 at t = 0: one full-batch epoch
    # leaves the initial weights as drawn, where the constant schedule moves them.
    X, y = _small_regression()
    start = MLPRegressor(**_FULL_BATCH)
    draw_initial_weights(start, X, y)
    for schedule, moves in (("coslog4", False), ("constant", True)):
        mlp = MLPRegressor(**_FULL_BATCH, learning_rate=schedule, max_iter=1)
        mlp.fit(X, y)
        same = all(np.array_equal(a, b) for a, b in zip(mlp.coefs_, start.coefs_))
        assert same is not moves, schedule


def test_flat_cos_keeps_the_rate_for_the_first_half():
    # Over 4 full-batch updates flat_cos's rate is 1, 1, 1 (t = 0, 1/4, 1/2),
    # then 1/2 (t = 3/4): the losses of the 4 epochs (each before its update)
    # are the constant schedule's, the final weights are not.
    X, y = _small_regression()
    flat = MLPRegressor(**_FULL_BATCH, learning_rate="flat_cos", max_iter=4).fit(X, y)
    const = MLPRegressor(**_FULL_BATCH, learning_rate="constant", max_iter=4).fit(X, y)
    np.testing.assert_allclose(flat.loss_curve_, const.loss_curve_, rtol=1e-12)
    assert not np.allclose(flat.coefs_[0], const.coefs_[0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_the_designed_full_schedule_does_not_warn(kind):
    X, y = (load_iris if kind == "classifier" else load_diabetes)(return_X_y=True)
    est = (TabularMLPClassifier if kind == "classifier" else TabularMLPRegressor)(
        hidden_layer_sizes=(8,), max_iter=3, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        est.fit(X[::3], y[::3])  # 50 rows: batch_size 256 > the training rows
    # The same run with a constant rate is not designed to end there.
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        est.set_params(learning_rate="constant").fit(X[::3], y[::3])


@pytest.mark.parametrize(
    "make, scoring",
    [
        # float64: a float32 model's own score comes from its float32
        # training pass, the scorer's from predict, which is float64.
        (lambda: TabularMLPRegressor(**SMALL, dtype=None), "r2"),
        (lambda: TabularMLPClassifier(**SMALL, dtype=None), "accuracy"),
    ],
)
def test_an_early_stopping_scorer_sees_the_inputs_scaled_once(make, scoring):
    # R² and accuracy are the estimators' own scores: the scorer, which goes
    # through predict, must judge every epoch exactly as scoring=None does.
    # Scaling X_val twice (once in fit, once more in predict) breaks this.
    rng = np.random.default_rng(0)
    X = rng.normal(50.0, 20.0, size=(240, 4))
    y = X[:, 0] - 0.5 * X[:, 1] + rng.normal(0, 5, 240)
    if scoring == "accuracy":
        y = (y > np.median(y)).astype(int)
    own = make().fit(X, y)
    scored = make().set_params(scoring=scoring).fit(X, y)
    np.testing.assert_allclose(
        scored.validation_scores_, own.validation_scores_, rtol=1e-12, atol=1e-12
    )


def test_float16_input_is_scaled_in_float64():
    rng = np.random.default_rng(1)
    X = rng.normal(1000.0, 1.0, size=(200, 3))
    X16 = X.astype(np.float16)
    reg = TabularMLPRegressor(**SMALL).fit(X, X[:, 0])
    expected = reg.input_transforms_[0].transform(X16.astype(np.float64))
    np.testing.assert_array_equal(reg._transform_input(X16), expected)


# -- dtype -----------------------------------------------------------------
@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_dtype_float32_trains_on_the_float32_cast_of_the_scaled_input(kind):
    # Independent truth: the plain MLP fitted on the float64 scaler's output
    # cast to float32 (and, for regression, the standardized target cast):
    # the same weights, bit for bit; predictions in float64 from them.
    cls, X, y = _data(kind)
    base = MLPClassifier if kind == "classifier" else MLPRegressor
    params = dict(SMALL, early_stopping=False, scaling="robust", dtype=np.float32)
    ours = cls(**params).fit(X, y)
    Xs = RobustSmoothClipScaler().fit_transform(X)
    inherited = {k: v for k, v in ours.get_params().items() if k in base().get_params()}
    target = y if kind == "classifier" else (y - y.mean()) / y.std()
    theirs = base(**inherited).fit(Xs.astype(np.float32), target.astype(np.float32))
    for a, b in zip(ours.coefs_ + ours.intercepts_, theirs.coefs_ + theirs.intercepts_):
        assert a.dtype == np.float32
        np.testing.assert_array_equal(a, b)
    # theirs, upcast, predicts in float64 on the float64 scaled rows.
    theirs.coefs_ = [W.astype(np.float64) for W in theirs.coefs_]
    theirs.intercepts_ = [b.astype(np.float64) for b in theirs.intercepts_]
    if kind == "classifier":
        proba = ours.predict_proba(X)
        assert proba.dtype == np.float64
        np.testing.assert_array_equal(proba, theirs.predict_proba(Xs))
    else:
        expected = theirs.predict(Xs) * y.std() + y.mean()
        assert ours.predict(X).dtype == np.float64
        np.testing.assert_allclose(ours.predict(X), expected, rtol=1e-12)


def test_a_float32_models_predictions_do_not_depend_on_the_rows_beside_them():
    # The property scikit-learn's sample-order and subset checks ask for.
    cls, X, y = _data("classifier")
    model = cls(**SMALL).fit(X, y)
    assert model.coefs_[0].dtype == np.float32
    whole = model.predict_proba(X)
    rows = np.vstack([model.predict_proba(X[i : i + 7]) for i in range(0, len(X), 7)])
    order = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_array_equal(whole, rows)
    np.testing.assert_array_equal(whole[order], model.predict_proba(X[order]))


@pytest.mark.parametrize("kind", ["classifier", "regressor"])
def test_dtype_none_follows_x_and_float64_overrides_float32_x(kind):
    cls, X, y = _data(kind)
    X32 = X.astype(np.float32)
    assert cls(**SMALL, dtype=None).fit(X32, y).coefs_[0].dtype == np.float32
    assert cls(**SMALL, dtype=None).fit(X, y).coefs_[0].dtype == np.float64
    model = cls(**SMALL, dtype=np.float64).fit(X32, y)
    assert model.coefs_[0].dtype == np.float64


def test_dtype_float32_refuses_raw_targets_beyond_float32():
    _, X, y = _data("regressor")
    huge = y * 1e37  # fits float64, beyond float32 once not standardized
    reg = TabularMLPRegressor(**SMALL, dtype=np.float32, standardize_target=False)
    with pytest.raises(ValueError, match="beyond the largest float32 number"):
        reg.fit(X, huge)
    # Standardized, the same targets train in float32.
    TabularMLPRegressor(**SMALL, dtype=np.float32).fit(X, huge)
