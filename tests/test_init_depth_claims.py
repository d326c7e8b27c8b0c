"""One test per claim of the "Initialization and depth" docs page.

Each test reruns a small cell of ``examples/plot_init_depth.py`` (the same
data, width, batch and learning rates; fewer seeds or epochs) and asserts the
direction of the claim, measured against the chance-level loss ``ln(K)`` or
against another init on the same seeds, never against a stored figure.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import load_digits, make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

from mlpinit import MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _split(X, y):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=800, random_state=0, stratify=y
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@pytest.fixture(scope="module")
def digits():
    return _split(*load_digits(return_X_y=True))


@pytest.fixture(scope="module")
def generated():
    return _split(
        *make_classification(
            n_samples=1500, n_features=20, n_informative=10, n_classes=5, random_state=0
        )
    )


def _fit(data, init, depth, activation="relu", solver="adam", epochs=15, seed=0):
    model = MLPClassifier(
        hidden_layer_sizes=(64,) * depth,
        activation=activation,
        solver=solver,
        init=init,
        learning_rate_init={"adam": 1e-3, "sgd": 1e-2}[solver],
        batch_size=64,
        max_iter=epochs,
        tol=0.0,
        n_iter_no_change=epochs + 1,
        random_state=seed,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(data[0], data[2])


def test_deep_relu_with_sgd_trains_on_the_articles_rule_and_stalls_on_glorots(digits):
    # Helps: 16 ReLU layers, SGD. He, LSUV and the default reach a loss well
    # below chance (0.65 ln 10 = 1.5); Glorot's variances stay near chance.
    chance = np.log(10)
    for init in ("he", "lsuv", "auto"):
        model = _fit(digits, init, 16, solver="sgd", epochs=10)
        assert min(model.loss_curve_) < 0.65 * chance, init
    for init in ("sklearn", "glorot_uniform"):
        model = _fit(digits, init, 16, solver="sgd", epochs=10)
        assert model.loss_curve_[-1] > 0.9 * chance, init


def test_he_costs_test_score_on_a_shallow_relu_network(generated):
    # Hurts: one hidden ReLU layer, Adam. He's 2/fan_in scores below
    # scikit-learn's Glorot-uniform scheme, the default there, on every seed.
    for seed in range(3):
        he = _fit(generated, "he", 1, seed=seed).score(generated[1], generated[3])
        auto = _fit(generated, "auto", 1, seed=seed).score(generated[1], generated[3])
        assert he < auto, seed


@pytest.mark.parametrize("activation", ["tanh", "selu"])
def test_glorots_variances_do_not_stall_tanh_or_selu_at_depth_16(digits, activation):
    # No difference: with tanh or selu, scikit-learn's scheme trains a
    # 16-layer network to the table's target loss (0.5) as fast as the rule
    # the article gives them ("auto" there: 1/fan_in), within two epochs.
    epochs = {}
    for init in ("sklearn", "auto"):
        curve = np.asarray(_fit(digits, init, 16, activation, epochs=8).loss_curve_)
        assert (curve <= 0.5).any(), init
        epochs[init] = int(np.argmax(curve <= 0.5))
    assert abs(epochs["sklearn"] - epochs["auto"]) <= 2


def test_he_hurts_selu(digits):
    # Hurts: He's variance breaks SELU's self-normalization; the LeCun-normal
    # weights "auto" gives a deep selu network score clearly higher.
    he = _fit(digits, "he", 16, "selu").score(digits[1], digits[3])
    auto = _fit(digits, "auto", 16, "selu").score(digits[1], digits[3])
    assert he < auto - 0.05


def test_he_overfits_tanh(generated):
    # Hurts: He's 2/fan_in on an 8-layer tanh network reaches a lower training
    # loss than the 1/fan_in-family default, and a lower test score.
    he = _fit(generated, "he", 8, "tanh")
    auto = _fit(generated, "auto", 8, "tanh")
    assert he.loss_curve_[-1] < auto.loss_curve_[-1]
    assert he.score(generated[1], generated[3]) < auto.score(generated[1], generated[3])
