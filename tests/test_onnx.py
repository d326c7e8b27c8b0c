"""ONNX export through skl2onnx, checked against onnxruntime."""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification, make_regression
from sklearn.exceptions import NotFittedError
from sklearn.pipeline import make_pipeline

from conftest import quiet_fit
from mlpinit import (
    MeanNormStandardizer,
    MLPClassifier,
    MLPRegressor,
    TabularMLPClassifier,
    TabularMLPRegressor,
)
from mlpinit._core.activations import HIDDEN_ACTIVATIONS
from mlpinit.preprocessing import PeriodicFeatures, RobustSmoothClipScaler

skl2onnx = pytest.importorskip("skl2onnx")
rt = pytest.importorskip("onnxruntime")
mlpinit_onnx = pytest.importorskip("mlpinit.onnx")

# A float32 graph against predict's arithmetic (float64 for a float64
# model): each product and sum rounds to float32's eps (6e-8), a few layers
# deep; the differences seen are below 3e-7, and 1e-5 leaves a margin of 30.
TOL = 1e-5
# A float64 graph does predict's operations in predict's dtype and order:
# only the libraries' last bits differ (seen: below 5e-16).
TOL64 = 1e-10

X, y = make_classification(
    n_samples=200, n_features=6, n_informative=5, n_redundant=0, n_classes=3,
    random_state=0,
)  # fmt: skip
X = X * [1, 10, 100, 0.1, 1, 5] + [0, 50, -200, 0, 3, 0]  # unscaled, as users have
X32 = X.astype(np.float32)
TARGETS = {
    "binary-int": (y == 1).astype(int) * 7,
    "binary-str": np.where(y == 1, "yes", "no"),
    "binary-bool": y == 2,
    "multiclass-int": y,
    "multiclass-str": np.array(["cat", "dog", "eel"])[y],
    "multilabel": np.c_[y == 0, y == 1, X[:, 0] > 0].astype(int),
}


def _run(onx, data):
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: data})


def _classifier(activation="relu", solver="adam", **kwargs):
    return make_pipeline(
        MeanNormStandardizer(**kwargs),
        MLPClassifier(
            hidden_layer_sizes=(16, 8),
            activation=activation,
            solver=solver,
            max_iter=60,
            learning_rate_init=0.01,
            random_state=0,
        ),
    )


def _assert_labels_match(labels, model, data, proba):
    expected = model.predict(data)
    assert labels.shape == expected.shape
    if expected.ndim == 2:  # multilabel: 0/1 per column, thresholded at 0.5
        clear = np.abs(proba - 0.5) > TOL
    else:  # a label may flip only where two classes tie within float32 error
        top2 = np.sort(proba, axis=1)[:, -2:]
        clear = np.broadcast_to((top2[:, 1] - top2[:, 0] > TOL), expected.shape)
    assert clear.mean() > 0.95
    np.testing.assert_array_equal(np.asarray(labels)[clear], expected[clear])


@pytest.mark.parametrize("target", sorted(TARGETS))
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_classifier_matches_onnxruntime(target, activation):
    model = quiet_fit(_classifier(activation), X, TARGETS[target])
    onx = skl2onnx.to_onnx(model, X32[:1], options={"zipmap": False})
    labels, proba = _run(onx, X32)
    expected = model.predict_proba(X32)
    np.testing.assert_allclose(proba, expected, rtol=TOL, atol=TOL)
    _assert_labels_match(labels, model, X32, expected)


@pytest.mark.parametrize("target", ["binary-str", "multiclass-int", "multilabel"])
def test_classifier_default_options_zipmap(target):
    # skl2onnx's default: probabilities as one {class: probability} per row.
    model = quiet_fit(_classifier(), X, TARGETS[target])
    labels, proba = _run(skl2onnx.to_onnx(model, X32[:1]), X32)
    expected = model.predict_proba(X32)
    keys = list(proba[0])
    as_array = np.array([[row[k] for k in keys] for row in proba])
    np.testing.assert_allclose(as_array, expected, rtol=TOL, atol=TOL)
    _assert_labels_match(labels, model, X32, expected)


def test_classifier_without_pipeline_and_in_double_precision():
    model = quiet_fit(
        MLPClassifier(hidden_layer_sizes=(8,), solver="lbfgs", random_state=0),
        X / X.std(axis=0),
        y,
    )
    data = X / X.std(axis=0)
    labels, proba = _run(
        skl2onnx.to_onnx(model, data[:1], options={"zipmap": False}), data
    )
    assert proba.dtype == np.float64
    np.testing.assert_allclose(proba, model.predict_proba(data), rtol=1e-10)
    np.testing.assert_array_equal(labels, model.predict(data))


@pytest.mark.parametrize("n_targets", [1, 3])
@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
@pytest.mark.parametrize("per_feature", [True, False])
def test_regressor_matches_onnxruntime(n_targets, loss, per_feature):
    X_reg, y_reg = make_regression(
        n_samples=200, n_features=5, n_targets=n_targets, noise=1.0, random_state=0
    )
    if loss == "poisson":
        y_reg = np.exp(y_reg / np.abs(y_reg).max())
    model = make_pipeline(
        MeanNormStandardizer(per_feature=per_feature),
        MLPRegressor(
            loss=loss,
            hidden_layer_sizes=(16,),
            activation="tanh",
            max_iter=80,
            learning_rate_init=0.01,
            random_state=0,
        ),
    )
    quiet_fit(model, X_reg, y_reg)
    data = X_reg.astype(np.float32)
    (output,) = _run(skl2onnx.to_onnx(model, data[:1]), data)
    expected = model.predict(data)
    assert output.shape == (len(data), n_targets)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(
        output.reshape(expected.shape), expected, rtol=TOL, atol=TOL * scale
    )


@pytest.mark.parametrize("init", ["orthogonal", "lsuv"])
def test_init_does_not_change_the_export(init):
    # The export reads the fitted weights only: a model started with any init
    # matches onnxruntime as the default-init models above do.
    model = quiet_fit(_classifier(), X, TARGETS["multiclass-int"])
    model[-1].set_params(init=init)
    quiet_fit(model, X, TARGETS["multiclass-int"])
    onx = skl2onnx.to_onnx(model, X32[:1], options={"zipmap": False})
    labels, proba = _run(onx, X32)
    expected = model.predict_proba(X32)
    np.testing.assert_allclose(proba, expected, rtol=TOL, atol=TOL)
    _assert_labels_match(labels, model, X32, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("activation", HIDDEN_ACTIVATIONS)
def test_regressor_hidden_activations_match_onnxruntime(activation, dtype):
    # Two hidden layers, three targets, in float32 and float64 arithmetic.
    X_reg, y_reg = make_regression(
        n_samples=200, n_features=5, n_targets=3, noise=1.0, random_state=0
    )
    model = MLPRegressor(
        hidden_layer_sizes=(12, 9),
        activation=activation,
        max_iter=60,
        learning_rate_init=0.01,
        random_state=0,
    )
    quiet_fit(model, X_reg / 2.0, y_reg / 100.0)
    data = X_reg.astype(dtype)
    (output,) = _run(skl2onnx.to_onnx(model, data[:1]), data)
    expected = model.predict(data)
    assert output.dtype == dtype
    # A double graph is exact to rounding, but for gelu's erf, taken in float.
    tol = TOL if dtype == np.float32 else (1e-6 if activation == "gelu" else 1e-10)
    scale = np.abs(expected).max()
    np.testing.assert_allclose(output, expected, rtol=tol, atol=tol * scale)


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"per_feature": False},
        {"with_mean": False},
        {"with_norm": False},
        {"with_mean": False, "with_norm": False},
        {"norm": "rms"},
        {"norm": "rms", "per_feature": False},
        {"norm": "rms", "with_mean": False},
    ],
)
def test_standardizer_matches_onnxruntime(kwargs):
    scaler = MeanNormStandardizer(**kwargs).fit(X)
    (output,) = _run(skl2onnx.to_onnx(scaler, X32[:1]), X32)
    expected = scaler.transform(X32)
    np.testing.assert_allclose(output, expected, rtol=TOL, atol=TOL * 1e-2)


@pytest.mark.parametrize(
    "model",
    [
        MLPClassifier(),
        MLPRegressor(),
        MeanNormStandardizer(),
        RobustSmoothClipScaler(),
        PeriodicFeatures(),
        TabularMLPClassifier(),
        TabularMLPRegressor(),
    ],
    ids=lambda model: type(model).__name__,
)
def test_unfitted_model_is_refused(model):
    with pytest.raises(NotFittedError):
        skl2onnx.to_onnx(model, X32[:1])


def test_an_activation_skl2onnx_cannot_map_raises_a_clear_error():
    model = quiet_fit(MLPRegressor(hidden_layer_sizes=(4,), max_iter=5), X, X[:, 0])
    model.activation = "softplus"  # as a future activation would be
    with pytest.raises(ValueError, match="activation='softplus'.*cannot be exported"):
        skl2onnx.to_onnx(model, X32[:1])


def test_register_is_idempotent():
    mlpinit_onnx.register()
    mlpinit_onnx.register()
    model = quiet_fit(_classifier(), X, y)
    labels, _ = _run(skl2onnx.to_onnx(model, X32[:1]), X32)
    assert labels.shape == (len(X),)


def test_without_skl2onnx_register_says_what_to_install():
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent(
        """
        import sys
        sys.modules["skl2onnx"] = None  # as if the onnx extra were missing
        import mlpinit.onnx
        try:
            mlpinit.onnx.register()
        except ImportError as error:
            print(error)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert 'pip install "mlpinit[onnx]"' in result.stdout


# -- RobustSmoothClipScaler and PeriodicFeatures ----------------------------
def _tol(*dtypes):
    """TOL64 where every dtype involved (input, model) is float64, else TOL."""
    return TOL64 if all(d == np.float64 for d in dtypes) else TOL


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("clip", [3.0, 0.5, None])
def test_robust_scaler_matches_onnxruntime(clip, dtype):
    # Heavy tails, so that the clip bends many values (clip=0.5: nearly all).
    rng = np.random.RandomState(0)
    X_heavy = np.c_[X, rng.standard_cauchy(len(X)) * 50]
    scaler = RobustSmoothClipScaler(clip=clip).fit(X_heavy)
    data = X_heavy.astype(dtype)
    (output,) = _run(skl2onnx.to_onnx(scaler, data[:1]), data)
    expected = scaler.transform(data)
    assert output.dtype == dtype
    if clip is not None:  # the clip is exercised: values far beyond z = clip
        z = np.abs((X_heavy - scaler.center_) / scaler.scale_)
        assert (z > clip).mean() >= 0.01 and z.max() > 10 * clip
    np.testing.assert_allclose(output, expected, rtol=_tol(dtype), atol=_tol(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_robust_scaler_graph_sends_huge_values_to_the_bound(dtype):
    # (z / clip)**2 overflows float32 beyond |z| ~ 1e19: the graph must not
    # square it, or a huge value would come out as 0 instead of +-clip.
    scaler = RobustSmoothClipScaler().fit(X)
    huge = np.finfo(dtype).max / 10
    data = np.vstack([X[:3], X[:3] + [huge, -huge, 1e20, -1e20, huge, 0]])
    data = data.astype(dtype)
    (output,) = _run(skl2onnx.to_onnx(scaler, data[:1]), data)
    expected = scaler.transform(data)
    np.testing.assert_allclose(output, expected, rtol=_tol(dtype), atol=_tol(dtype))
    np.testing.assert_allclose(np.abs(output[3:, :4]), 3.0, rtol=1e-6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("include_original", [True, False])
def test_periodic_features_match_onnxruntime(include_original, dtype):
    data = (X / X.std(axis=0)).astype(dtype)
    periodic = PeriodicFeatures(
        3, sigma=0.5, include_original=include_original, random_state=0
    ).fit(data)
    (output,) = _run(skl2onnx.to_onnx(periodic, data[:1]), data)
    expected = periodic.transform(data)
    assert output.shape == expected.shape and output.dtype == dtype
    np.testing.assert_allclose(output, expected, rtol=_tol(dtype), atol=_tol(dtype))


def test_the_new_transformers_convert_inside_a_pipeline():
    model = make_pipeline(
        RobustSmoothClipScaler(),
        PeriodicFeatures(2, random_state=0),
        MLPClassifier(hidden_layer_sizes=(8,), max_iter=40, random_state=0),
    )
    quiet_fit(model, X, y)
    onx = skl2onnx.to_onnx(model, X32[:1], options={"zipmap": False})
    labels, proba = _run(onx, X32)
    expected = model.predict_proba(X32)
    np.testing.assert_allclose(proba, expected, rtol=TOL, atol=TOL)
    _assert_labels_match(labels, model, X32, expected)


# -- TabularMLPClassifier and TabularMLPRegressor ---------------------------
# Each input step, and both with periodic features: the graph must hold the
# fitted steps of input_transforms_ in order, then the network.
TABULAR_INPUTS = {
    "l2": {},
    "rms": {"scaling": "rms"},
    "robust": {"scaling": "robust"},
    "none": {"scaling": None},
    "l2-periodic": {"periodic_features": 3},
    "robust-periodic": {"scaling": "robust", "periodic_features": 2},
}
TABULAR_SMALL = dict(hidden_layer_sizes=(16, 8), max_iter=15, random_state=0)


def _tabular_fit(model, X_fit, y_fit):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scaling=None on unscaled X warns
        return model.fit(X_fit, y_fit)


def _check_tabular_classifier(model, X_fit):
    """Its graph in both float types against predict_proba and predict."""
    for dtype in (np.float32, np.float64):
        data = X_fit.astype(dtype)
        onx = skl2onnx.to_onnx(model, data[:1], options={"zipmap": False})
        labels, proba = _run(onx, data)
        assert proba.dtype == dtype
        expected = model.predict_proba(data)
        tol = _tol(dtype, model.coefs_[0].dtype)
        np.testing.assert_allclose(proba, expected, rtol=tol, atol=tol)
        _assert_labels_match(labels, model, data, expected)


@pytest.mark.parametrize("inputs", sorted(TABULAR_INPUTS))
@pytest.mark.parametrize("target", ["binary-str", "multiclass-int", "multilabel"])
def test_tabular_classifier_matches_onnxruntime(target, inputs):
    model = TabularMLPClassifier(**TABULAR_INPUTS[inputs], **TABULAR_SMALL)
    _tabular_fit(model, X, TARGETS[target])
    assert len(model.input_transforms_) == (inputs != "none") + ("periodic" in inputs)
    _check_tabular_classifier(model, X)


def test_tabular_classifier_with_label_smoothing_and_in_float32():
    # Smoothing changes the training targets, not the prediction's graph; a
    # float32 model computes in float32 in predict and in the graph alike.
    model = TabularMLPClassifier(label_smoothing=0.1, **TABULAR_SMALL)
    _tabular_fit(model, X32, TARGETS["multiclass-str"])
    assert model.coefs_[0].dtype == np.float32
    _check_tabular_classifier(model, X32)


def test_tabular_classifier_at_its_defaults():
    # Three layers of 256, dropout, early stopping: the graph is the network
    # whose weights were kept, without dropout (prediction uses none).
    model = TabularMLPClassifier(max_iter=3, random_state=0)
    _tabular_fit(model, X, TARGETS["multiclass-int"])
    assert model.coefs_[0].shape == (X.shape[1], 256)
    _check_tabular_classifier(model, X)


def test_tabular_classifier_default_options_zipmap():
    model = _tabular_fit(
        TabularMLPClassifier(periodic_features=2, **TABULAR_SMALL),
        X,
        TARGETS["binary-str"],
    )
    labels, proba = _run(skl2onnx.to_onnx(model, X32[:1]), X32)
    expected = model.predict_proba(X32)
    keys = list(proba[0])
    assert keys == list(model.classes_)
    as_array = np.array([[row[k] for k in keys] for row in proba])
    np.testing.assert_allclose(as_array, expected, rtol=TOL, atol=TOL)
    _assert_labels_match(labels, model, X32, expected)


def _regression_data(n_targets):
    X_reg, y_reg = make_regression(
        n_samples=200, n_features=5, n_targets=n_targets, noise=1.0, random_state=0
    )
    # Raw units, as users have: inputs and targets far from unit scale.
    return X_reg * [1, 10, 100, 0.1, 1] + 7, y_reg / 2 + 1000


def _check_tabular_regressor(model, data):
    (output,) = _run(skl2onnx.to_onnx(model, data[:1]), data)
    expected = model.predict(data)
    assert output.dtype == data.dtype
    assert output.shape == (len(data), model.n_outputs_)
    # Relative to the targets' scale: the outputs are offset by 1000.
    scale = np.abs(expected).max()
    tol = _tol(data.dtype, model.coefs_[0].dtype)
    np.testing.assert_allclose(
        output.reshape(expected.shape), expected, rtol=tol, atol=tol * scale
    )
    return expected


@pytest.mark.parametrize("inputs", sorted(TABULAR_INPUTS))
@pytest.mark.parametrize("n_targets", [1, 3])
def test_tabular_regressor_matches_onnxruntime(n_targets, inputs):
    X_reg, y_reg = _regression_data(n_targets)
    model = TabularMLPRegressor(**TABULAR_INPUTS[inputs], **TABULAR_SMALL)
    _tabular_fit(model, X_reg, y_reg)
    # The standardization is really undone in the graph: far from 0 and 1.
    assert np.all(model.target_mean_ > 500) and np.all(model.target_scale_ > 10)
    for dtype in (np.float32, np.float64):
        _check_tabular_regressor(model, X_reg.astype(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("n_targets", [1, 3])
def test_tabular_regressor_clip_predictions_in_the_graph(n_targets, dtype):
    X_reg, y_reg = _regression_data(n_targets)
    model = TabularMLPRegressor(
        clip_predictions=True, periodic_features=2, **TABULAR_SMALL
    )
    _tabular_fit(model, X_reg, y_reg)
    # Far outside the training rows, where unclipped predictions leave the
    # training range: the clamp must be in the graph for these to match.
    far = ((X_reg - 7) * 100 + 7).astype(dtype)
    expected = _check_tabular_regressor(model, far).reshape(len(far), -1)
    at_bound = np.isclose(expected, model.target_min_) | np.isclose(
        expected, model.target_max_
    )
    assert at_bound.mean() > 0.05
    assert np.all(expected >= model.target_min_ - 1e-3 * np.abs(model.target_min_))
    assert np.all(expected <= model.target_max_ + 1e-3 * np.abs(model.target_max_))


def test_tabular_regressor_poisson_and_float32_model():
    X_reg, y_reg = _regression_data(1)
    counts = np.exp((y_reg - 1000) / np.abs(y_reg - 1000).max())
    model = TabularMLPRegressor(loss="poisson", scaling="robust", **TABULAR_SMALL)
    _tabular_fit(model, X_reg.astype(np.float32), counts)
    assert model.coefs_[0].dtype == np.float32
    _check_tabular_regressor(model, X_reg.astype(np.float32))
