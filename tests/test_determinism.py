"""The same data and random_state give bit-identical models.

Across repeated fits (new object, refit of the same object, clone), across
BLAS thread counts and processes, across ``n_jobs`` in a grid search, and
after a pickle round trip followed by ``partial_fit``. Complements
``test_mlp_api.py`` (repeated fits of the default configurations and a
pickle round trip of the multiclass and regression adam/sgd models).
"""

import copy
import hashlib
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline
from threadpoolctl import threadpool_limits

from conftest import quiet_fit
from mlpinit import MeanNormStandardizer, MLPClassifier, MLPRegressor
from mlpinit._core.network import stable_dot

RNG = np.random.RandomState(0)
X = RNG.normal(size=(120, 6))
Y_CLASSES = (X[:, 0] + X[:, 1] > 0).astype(int) + (X[:, 2] > 0.5)
Y_BINARY = (X[:, 0] > 0).astype(int)
Y_MULTILABEL = (X[:, :3] > 0).astype(int)
Y_REAL = X @ RNG.normal(size=6)


def fingerprint(est):
    """Bytes of everything a fit produces that later calls depend on."""
    parts = [a.tobytes() for a in est.coefs_ + est.intercepts_]
    parts.append(repr(getattr(est, "loss_curve_", None)).encode())
    parts.append(repr(getattr(est, "validation_scores_", None)).encode())
    parts.append(repr((est.n_iter_, est.t_, float(est.loss_))).encode())
    state = getattr(est, "_optimizer_state", {})
    for name in sorted(state):
        value = state[name]
        parts.append(
            value.tobytes() if isinstance(value, np.ndarray) else repr(value).encode()
        )
    return hashlib.sha256(b"|".join(parts)).hexdigest()


CONFIGS = {
    "classifier-adam-he-relu": (
        lambda: MLPClassifier(init="he", random_state=3),
        X,
        Y_CLASSES,
    ),
    "classifier-sgd-xavier-tanh-float32-early-stopping": (
        lambda: MLPClassifier(
            solver="sgd",
            init="xavier",
            activation="tanh",
            early_stopping=True,
            random_state=3,
        ),
        X.astype(np.float32),
        Y_CLASSES,
    ),
    "multilabel-adam-lecun-uniform-logistic": (
        lambda: MLPClassifier(
            init="lecun_uniform", activation="logistic", random_state=3
        ),
        X,
        Y_MULTILABEL,
    ),
    "regressor-lbfgs-sklearn-init": (
        lambda: MLPRegressor(solver="lbfgs", init="sklearn", random_state=3),
        X,
        Y_REAL,
    ),
    "regressor-adam-glorot-identity-sparse": (
        lambda: MLPRegressor(
            init="glorot_uniform", activation="identity", random_state=3
        ),
        sp.csr_matrix(np.where(np.abs(X) > 1, X, 0)),
        Y_REAL,
    ),
    "poisson-sgd-he-uniform-clipped": (
        lambda: MLPRegressor(
            loss="poisson",
            solver="sgd",
            init="he_uniform",
            max_grad_norm=0.5,
            random_state=3,
        ),
        X,
        np.exp(Y_REAL / 4),
    ),
}


@pytest.mark.parametrize("config", list(CONFIGS))
def test_repeated_fits_are_bit_identical(config):
    factory, X_, y = CONFIGS[config]
    est = factory().set_params(hidden_layer_sizes=(7, 5), max_iter=8)
    first = fingerprint(quiet_fit(est, X_, y))
    again = fingerprint(quiet_fit(est, X_, y))  # refit of the same object
    cloned = fingerprint(quiet_fit(clone(est), X_, y))
    assert first == again == cloned
    other_seed = clone(est).set_params(random_state=4)
    assert fingerprint(quiet_fit(other_seed, X_, y)) != first


# At most 128 units wide: such fits run on one BLAS thread whatever the
# caller's setting, so even a grid search's n_jobs (which sets the threads of
# each worker) cannot change their bits. Wider networks use the caller's
# threads and are bit-identical for a given thread count only (documented
# under random_state).
NARROW = dict(hidden_layer_sizes=(128,), max_iter=6, random_state=0, alpha=1e-3)
X_GRID = np.random.RandomState(1).normal(size=(400, 40))
Y_GRID = (X_GRID[:, :5].sum(axis=1) > 0).astype(int)


@pytest.mark.parametrize("solver", ["sgd", "lbfgs"])
def test_blas_thread_count_does_not_change_a_fit(solver):
    prints = []
    for threads in (1, 2):
        with threadpool_limits(limits=threads, user_api="blas"):
            est = MLPClassifier(solver=solver, **NARROW)
            # 266 rows: a shape whose matrix products OpenBLAS rounds
            # differently on one and on two threads.
            prints.append(fingerprint(quiet_fit(est, X_GRID[134:], Y_GRID[134:])))
    assert prints[0] == prints[1]


def test_dot_products_of_the_loss_do_not_depend_on_blas_threads():
    # The L2 penalty and the gradient norm are dot products over every
    # weight. OpenBLAS splits those longer than 10,000 elements over its
    # threads, so for wide networks np.dot rounds by thread count.
    a = np.random.RandomState(0).normal(size=60_000)
    with threadpool_limits(limits=1, user_api="blas"):
        one = (stable_dot(a, a), float(a @ a))
    with threadpool_limits(limits=2, user_api="blas"):
        two = (stable_dot(a, a), float(a @ a))
    assert one[0] == two[0]
    np.testing.assert_allclose(one[0], one[1], rtol=1e-13)


@pytest.mark.slow  # worker processes; CI runs it
def test_grid_search_n_jobs_gives_bit_identical_models():
    pipe = make_pipeline(MeanNormStandardizer(), MLPClassifier(**NARROW))
    grid = {
        "mlpclassifier__solver": ["lbfgs", "adam"],
        "mlpclassifier__hidden_layer_sizes": [(8,), (128,)],
    }
    results = []
    for n_jobs in (1, 2):
        search = GridSearchCV(pipe, grid, cv=KFold(3), n_jobs=n_jobs)
        results.append(quiet_fit(search, X_GRID, Y_GRID))
    serial, parallel = results
    for key in serial.cv_results_:
        if key.startswith(("split", "mean_test", "std_test", "rank")):
            np.testing.assert_array_equal(
                serial.cv_results_[key], parallel.cv_results_[key]
            )
    assert serial.best_params_ == parallel.best_params_
    assert fingerprint(serial.best_estimator_[-1]) == fingerprint(
        parallel.best_estimator_[-1]
    )
    # The grid matters, so equal scores are not equal by accident.
    assert len(set(serial.cv_results_["mean_test_score"])) > 1


@pytest.mark.parametrize("solver", ["adam", "lbfgs"])
def test_cross_validate_n_jobs_gives_bit_identical_fold_models(solver):
    # Unlike best_estimator_ (refitted in the main process), these models
    # were fitted in the workers.
    est = MLPClassifier(solver=solver, **NARROW)
    runs = []
    for n_jobs in (1, 2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            runs.append(
                cross_validate(
                    est, X_GRID, Y_GRID, cv=3, n_jobs=n_jobs, return_estimator=True
                )
            )
    serial, parallel = ([fingerprint(e) for e in run["estimator"]] for run in runs)
    assert serial == parallel
    assert len(set(serial)) == 3  # three different folds, three models


_CHILD = """
import hashlib, sys, warnings
import numpy as np
sys.path.insert(0, {tests!r})
import test_determinism as t
warnings.simplefilter("ignore")
factory, X_, y = t.CONFIGS[{config!r}]
est = factory().set_params(hidden_layer_sizes=(7, 5), max_iter=8)
print(t.fingerprint(t.quiet_fit(est, X_, y)))
"""


@pytest.mark.slow  # worker processes; CI runs it
def test_another_process_fits_the_same_bits():
    config = "regressor-lbfgs-sklearn-init"
    factory, X_, y = CONFIGS[config]
    est = factory().set_params(hidden_layer_sizes=(7, 5), max_iter=8)
    here = fingerprint(quiet_fit(est, X_, y))
    tests = str(__import__("pathlib").Path(__file__).parent)
    child = subprocess.run(
        [sys.executable, "-c", _CHILD.format(tests=tests, config=config)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert child.stdout.strip() == here


# --------------------------------------------------------------------------
# pickle round trip, then partial_fit
# --------------------------------------------------------------------------
ROUND_TRIPS = {
    "binary-sgd-nesterov": (
        lambda: MLPClassifier(solver="sgd", momentum=0.9, random_state=0),
        X,
        Y_BINARY,
    ),
    "multilabel-adam": (lambda: MLPClassifier(random_state=0), X, Y_MULTILABEL),
    "poisson-adam": (
        lambda: MLPRegressor(loss="poisson", random_state=0),
        X,
        np.exp(Y_REAL / 4),
    ),
    "float32-regressor-sgd-invscaling": (
        lambda: MLPRegressor(solver="sgd", learning_rate="invscaling", random_state=0),
        X.astype(np.float32),
        Y_REAL,
    ),
}


@pytest.mark.parametrize("started_with", ["fit", "partial_fit"])
@pytest.mark.parametrize("case", list(ROUND_TRIPS))
def test_pickle_round_trip_then_partial_fit_is_bit_identical(case, started_with):
    factory, X_, y = ROUND_TRIPS[case]
    est = factory().set_params(hidden_layer_sizes=(6,), max_iter=4)
    classes = {}
    if isinstance(est, MLPClassifier):
        classes = {"classes": np.unique(y) if y.ndim == 1 else np.arange(y.shape[1])}
    if started_with == "fit":
        quiet_fit(est, X_[:80], y[:80])
    else:
        est.partial_fit(X_[:80], y[:80], **classes)
    restored = pickle.loads(pickle.dumps(est))
    copied = copy.deepcopy(est)
    before = fingerprint(est)
    assert fingerprint(restored) == before
    for model in (est, restored, copied):
        for _ in range(3):
            model.partial_fit(X_[80:], y[80:])
    assert fingerprint(restored) == fingerprint(est) == fingerprint(copied)
    assert fingerprint(est) != before  # the continuation did train
    assert restored.coefs_[0].dtype == X_.dtype
