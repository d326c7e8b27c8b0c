"""Regression tests of issue 21: robustness of the issue-13 training features.

One test (or a few) per item of the issue, through the public API only
(estimators, fit/partial_fit/predict, public attributes, warnings and
errors), so that they hold across the refactor of issue 19. Items still open
are marked ``xfail(strict=True)``: each failed on the code of 3efe84d.
Item 11 (the command line) is tested with the command line.
"""

import threading
import warnings

import numpy as np
import pytest
import threadpoolctl
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data

from mlpinit import MLPClassifier, MLPRegressor

RNG = np.random.RandomState(0)
X = RNG.normal(size=(60, 4))
Y_BINARY = (X[:, 0] + 0.3 * X[:, 1] > 0).astype(int)
Y_THREE = np.arange(60) % 3
Y_REAL = X[:, 0] - 0.5 * X[:, 1] + 0.1 * RNG.normal(size=60)
SMALL = dict(hidden_layer_sizes=(5,), max_iter=3, random_state=0)


def quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return call(*args, **kwargs)


def params(est):
    return [a.copy() for a in est.coefs_ + est.intercepts_]


def assert_same_params(a, b):
    for left, right in zip(params(a), params(b), strict=True):
        np.testing.assert_array_equal(left, right)


# --------------------------------------------------------------------------
# item 1: class weights come from the full set of classes
# --------------------------------------------------------------------------
def test_item1_partial_fit_batch_lacking_a_weighted_class():
    # Truth: class_weight is sample_weight by class, so a batch of class 0
    # only (weight 1) trains as with no weights, a batch of class 1 as with 10.
    zeros, ones = Y_BINARY == 0, Y_BINARY == 1
    weighted = MLPClassifier(class_weight={1: 10.0}, **SMALL)
    plain = MLPClassifier(**SMALL)
    weighted.partial_fit(X[zeros], Y_BINARY[zeros], classes=[0, 1])
    plain.partial_fit(X[zeros], Y_BINARY[zeros], classes=[0, 1])
    assert_same_params(weighted, plain)
    weighted.partial_fit(X[ones], Y_BINARY[ones])
    plain.partial_fit(X[ones], Y_BINARY[ones], sample_weight=np.full(ones.sum(), 10.0))
    assert_same_params(weighted, plain)


def test_item1_multilabel_fit_with_an_all_zero_column():
    Y = np.stack([Y_BINARY, np.zeros(60, dtype=int), 1 - Y_BINARY], axis=1)
    class_weight = [{1: 2.0}, {1: 3.0}, {0: 0.5, 1: 4.0}]
    # Row weight: the product over the labels of each label's class weight.
    by_hand = np.where(Y[:, 0] == 1, 2.0, 1.0) * np.where(Y[:, 2] == 1, 4.0, 0.5)
    weighted = quiet(MLPClassifier(class_weight=class_weight, **SMALL).fit, X, Y)
    reference = quiet(MLPClassifier(**SMALL).fit, X, Y, sample_weight=by_hand)
    assert_same_params(weighted, reference)


def test_item1_classes_beyond_the_batch_still_refuse_unknown_keys():
    # The neighbouring case: a key that is no class at all stays an error.
    est = MLPClassifier(class_weight={7: 2.0}, **SMALL)
    with pytest.raises(ValueError, match="class_weight has keys that are not classes"):
        est.partial_fit(X, Y_BINARY, classes=[0, 1])


# --------------------------------------------------------------------------
# item 2: class weights get sample_weight's checks, naming class_weight
# --------------------------------------------------------------------------
FLOAT32_CANNOT = r"class_weight has \d+ weight\(s\) that float32 cannot hold"
BAD_CLASS_WEIGHTS = [
    ("negative", {0: -1.0}, np.float64, "Negative values in `class_weight`"),
    ("nan", {0: np.nan}, np.float64, "class_weight contains NaN"),
    ("inf", {0: np.inf}, np.float64, "class_weight contains infinity"),
    ("huge-float32", {0: 1e39}, np.float32, FLOAT32_CANNOT),
    ("tiny-float32", {0: 1e-50}, np.float32, FLOAT32_CANNOT),
    ("string", {0: "2"}, np.float64, "class_weight"),
    ("multilabel-negative", [{1: -2.0}, {1: 1.0}], np.float64, "class_weight"),
]


@pytest.mark.parametrize(
    "class_weight, dtype, match",
    [case[1:] for case in BAD_CLASS_WEIGHTS],
    ids=[case[0] for case in BAD_CLASS_WEIGHTS],
)
@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_item2_bad_class_weights_raise_naming_class_weight(
    class_weight, dtype, match, method
):
    multilabel = isinstance(class_weight, list)
    y = np.stack([Y_BINARY, 1 - Y_BINARY], axis=1) if multilabel else Y_BINARY
    est = MLPClassifier(class_weight=class_weight, **SMALL)
    kwargs = {"classes": [0, 1]} if method == "partial_fit" and not multilabel else {}
    if method == "partial_fit" and multilabel:
        kwargs = {"classes": [0, 1]}
    with pytest.raises(ValueError, match=match):
        quiet(getattr(est, method), X.astype(dtype), y, **kwargs)
    assert not hasattr(est, "coefs_")


def test_item2_class_weight_times_sample_weight_must_fit_the_dtype():
    # Each factor fits float32; their product (1e40) does not.
    est = MLPClassifier(class_weight={0: 1e20, 1: 1.0}, **SMALL)
    with pytest.raises(ValueError, match="class_weight"):
        quiet(est.fit, X.astype(np.float32), Y_BINARY, sample_weight=np.full(60, 1e20))


def test_item2_all_zero_class_weights_name_class_weight():
    est = MLPClassifier(class_weight={0: 0.0, 1: 0.0}, **SMALL)
    with pytest.raises(ValueError, match="class_weight"):
        quiet(est.fit, X, Y_BINARY)


def test_item2_zero_and_valid_class_weights_still_train():
    # Zero weight for one class is legal, as a zero sample_weight is.
    est = quiet(MLPClassifier(class_weight={0: 0.0, 1: 1.0}, **SMALL).fit, X, Y_BINARY)
    reference = quiet(
        MLPClassifier(**SMALL).fit, X, Y_BINARY, sample_weight=Y_BINARY.astype(float)
    )
    assert_same_params(est, reference)


# --------------------------------------------------------------------------
# item 3: the BLAS policy holds in worker threads
# --------------------------------------------------------------------------
def _blas_threads():
    return {
        lib["num_threads"]
        for lib in threadpoolctl.threadpool_info()
        if lib["user_api"] == "blas"
    }


@pytest.fixture
def plain_limit_of_two():
    """A plain ``threadpool_limits(2)`` call by this thread, undone afterwards."""
    original = threadpoolctl.threadpool_info()
    threadpoolctl.threadpool_limits(limits=2, user_api="blas")
    yield
    threadpoolctl.threadpool_limits(
        limits={lib["prefix"]: lib["num_threads"] for lib in original}
    )
    release = getattr(
        getattr(threadpoolctl, "OpenBLASController", None),
        "clear_controlling_thread",
        None,
    )
    if release is not None:
        release(force=True)


def _in_thread(call):
    out = {}

    def run():
        try:
            out["value"] = call()
        except BaseException as error:  # re-raised in the test's thread
            out["error"] = error

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in out:
        raise out["error"]
    return out["value"]


def test_item3_narrow_fit_in_a_worker_thread_runs_on_one_blas_thread(
    plain_limit_of_two,
):
    if _blas_threads() != {2}:
        pytest.skip("BLAS cannot run on 2 threads here")
    seen = []

    def scorer(est, X_val, y_val):
        seen.append(_blas_threads())  # called inside the fit, once per epoch
        return 0.0

    est = MLPRegressor(early_stopping=True, scoring=scorer, **SMALL)
    quiet(_in_thread, lambda: est.fit(X, Y_REAL))
    assert seen and all(threads == {1} for threads in seen), seen
    assert _blas_threads() == {2}  # the caller's setting is back


# --------------------------------------------------------------------------
# item 4: LSUV sees only the training rows, as weighted
# --------------------------------------------------------------------------
@pytest.mark.xfail(strict=True, reason="issue 21 item 4")
def test_item4_lsuv_ignores_zero_weight_rows():
    weight = np.where(np.arange(60) % 4 == 0, 0.0, 1.0)
    rows = weight > 0
    X_far = X.copy()
    X_far[~rows] *= 1e3  # rows that would dominate LSUV's variances
    kwargs = dict(init="lsuv", solver="lbfgs", hidden_layer_sizes=(8,), max_iter=5)
    weighted = quiet(
        MLPRegressor(random_state=0, **kwargs).fit, X_far, Y_REAL, sample_weight=weight
    )
    dropped = quiet(
        MLPRegressor(random_state=0, **kwargs).fit, X_far[rows], Y_REAL[rows]
    )
    np.testing.assert_allclose(
        np.linalg.norm(weighted.coefs_[0]), np.linalg.norm(dropped.coefs_[0]), rtol=0.1
    )


@pytest.mark.xfail(strict=True, reason="issue 21 item 4")
def test_item4_lsuv_passes_scikit_learns_sample_weight_equivalence():
    est = MLPRegressor(
        hidden_layer_sizes=(5,),
        solver="lbfgs",
        init="lsuv",
        max_iter=50,
        random_state=0,
    )
    quiet(check_sample_weight_equivalence_on_dense_data, "MLPRegressor", est)


@pytest.mark.xfail(strict=True, reason="issue 21 item 4")
def test_item4_lsuv_does_not_see_early_stoppings_validation_rows():
    est = MLPRegressor(
        init="lsuv", early_stopping=True, validation_fraction=0.2, **SMALL
    )
    quiet(est.fit, X, Y_REAL)
    assert est.lsuv_record_["n_rows"] == 48  # 60 rows less the 12 held out


# --------------------------------------------------------------------------
# item 5: a scorer that returns NaN
# --------------------------------------------------------------------------
@pytest.mark.xfail(strict=True, reason="issue 21 item 5")
def test_item5_a_scorer_that_is_always_nan_raises():
    est = MLPRegressor(early_stopping=True, scoring=lambda est, X_, y_: np.nan, **SMALL)
    with pytest.raises(ValueError, match="(?i)scor.*nan"):
        quiet(est.fit, X, Y_REAL)
    assert not hasattr(est, "coefs_")


@pytest.mark.xfail(strict=True, reason="issue 21 item 5")
def test_item5_a_scorer_that_turns_nan_warns_naming_it():
    calls = []

    def scorer(est, X_, y_):
        calls.append(1)
        return 1.0 if len(calls) < 2 else np.nan

    est = MLPRegressor(early_stopping=True, scoring=scorer, **{**SMALL, "max_iter": 4})
    with pytest.warns(UserWarning, match="(?i)scor.*nan"):
        est.fit(X, Y_REAL)


# --------------------------------------------------------------------------
# item 6: weight decay must not flip the weights' sign
# --------------------------------------------------------------------------
@pytest.mark.xfail(strict=True, reason="issue 21 item 6")
@pytest.mark.parametrize("solver", ["sgd", "adam"])
def test_item6_weight_decay_beyond_the_rate_is_refused_or_clamped(solver):
    est = MLPRegressor(
        solver=solver, weight_decay=1e4, learning_rate_init=1e-3, **SMALL
    )
    start = MLPRegressor(solver=solver, **{**SMALL, "max_iter": 1})
    start = quiet(start.set_params(learning_rate_init=1e-300).fit, X, Y_REAL)
    try:
        quiet(est.fit, X, Y_REAL)
    except ValueError as error:
        assert "weight_decay" in str(error) and "learning_rate_init" in str(error)
    else:  # clamped: the decay shrinks the weights, never grows them
        assert np.linalg.norm(est.coefs_[0]) <= np.linalg.norm(start.coefs_[0])


# --------------------------------------------------------------------------
# item 7: schedules
# --------------------------------------------------------------------------
@pytest.mark.xfail(strict=True, reason="issue 21 item 7")
def test_item7_partial_fit_after_a_whole_cosine_schedule_trains_at_rate_zero():
    # fit: 3 epochs of 3 batches; the partial_fit's 6 batches must not make
    # the schedule 18 updates long again.
    cosine = MLPRegressor(learning_rate="cosine", tol=0, batch_size=10, **SMALL)
    est = quiet(cosine.fit, X[:30], Y_REAL[:30])
    assert est.n_iter_ == SMALL["max_iter"]
    before = params(est)
    est.partial_fit(X, Y_REAL)  # another row count than fit's
    for left, right in zip(params(est), before, strict=True):
        np.testing.assert_array_equal(left, right)


@pytest.mark.xfail(strict=True, reason="issue 21 item 7")
def test_item7_warmup_longer_than_max_iter_is_refused():
    est = MLPRegressor(learning_rate="cosine", warmup_epochs=5, **SMALL)
    with pytest.raises(ValueError, match="warmup_epochs=5.*max_iter=3"):
        quiet(est.fit, X, Y_REAL)


@pytest.mark.xfail(strict=True, reason="issue 21 item 7")
def test_item7_warmup_with_lbfgs_is_refused_as_with_adam():
    est = MLPRegressor(solver="lbfgs", warmup_epochs=2, **SMALL)
    with pytest.raises(ValueError, match="warmup_epochs=2"):
        quiet(est.fit, X, Y_REAL)


# --------------------------------------------------------------------------
# item 8: messages
# --------------------------------------------------------------------------
@pytest.mark.xfail(strict=True, reason="issue 21 item 8")
def test_item8_lsuv_on_uniformly_tiny_float32_inputs_fits_like_he():
    tiny = (X * 1e-20).astype(np.float32)
    he = quiet(MLPRegressor(init="he", **SMALL).fit, tiny, Y_REAL)
    assert all(np.isfinite(c).all() for c in he.coefs_)
    lsuv = quiet(MLPRegressor(init="lsuv", **SMALL).fit, tiny, Y_REAL)
    assert all(np.isfinite(c).all() for c in lsuv.coefs_)


@pytest.mark.xfail(strict=True, reason="issue 21 item 8")
def test_item8_float32_model_on_huge_float64_input_names_float32():
    est = quiet(MLPRegressor(**SMALL).fit, X.astype(np.float32), Y_REAL)
    with pytest.raises(ValueError, match="float32") as info:
        est.predict(X * 1e100)
    assert "overflowed float64" not in str(info.value)


@pytest.mark.xfail(strict=True, reason="issue 21 item 8")
@pytest.mark.parametrize("dropout", [{0: 0.5}, ["0.5"]])
def test_item8_dropout_of_the_wrong_type_is_a_clear_error(dropout):
    est = MLPRegressor(dropout=dropout, **SMALL)
    with pytest.raises(ValueError, match="dropout"):
        quiet(est.fit, X, Y_REAL)


# --------------------------------------------------------------------------
# item 9: the record after Ctrl-C in the scorer
# --------------------------------------------------------------------------
@pytest.mark.xfail(strict=True, reason="issue 21 item 9")
def test_item9_interrupt_in_the_scorer_keeps_the_record_consistent():
    calls = []

    def scorer(est, X_, y_):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return -float(len(calls))

    est = MLPRegressor(early_stopping=True, scoring=scorer, **{**SMALL, "max_iter": 10})
    with pytest.warns(UserWarning, match="Training interrupted by user"):
        est.fit(X, Y_REAL)
    assert len(est.loss_curve_) == est.n_iter_
    assert len(est.validation_scores_) == est.n_iter_
    assert len(est.validation_loss_curve_) == est.n_iter_


# --------------------------------------------------------------------------
# item 10: early stopping on small multiclass data, as scikit-learn fits it
# --------------------------------------------------------------------------
@pytest.mark.xfail(strict=True, reason="issue 21 item 10")
@pytest.mark.parametrize("n_rows, n_classes", [(20, 3), (40, 5), (200, 30)])
def test_item10_small_multiclass_early_stopping_fits(n_rows, n_classes):
    rng = np.random.RandomState(0)
    X_ = rng.normal(size=(n_rows, 4))
    y_ = np.arange(n_rows) % n_classes
    est = quiet(MLPClassifier(early_stopping=True, **SMALL).fit, X_, y_)
    assert est.n_iter_ >= 1
    assert len(est.validation_scores_) == est.n_iter_
