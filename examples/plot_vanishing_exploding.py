"""
=====================================================
Vanishing and exploding activations in a deep network
=====================================================

The article's second claim: in an ``L``-layer network whose weights are all
close to a scaled identity ``W = c * I`` (biases and activations ignored), the
output is ``c**L * x``. With ``c = 1.5`` the activations, and the gradients
with them, explode with depth; with ``c = 0.9`` they vanish.

We build exactly that network with the library's public API: an
:class:`~mlpinit.MLPRegressor` with 50 weight layers, ``activation="identity"``
and a callable ``init`` returning ``c * I``. :func:`mlpinit.diagnostics.initialized`
gives the network before any training, and
:func:`mlpinit.diagnostics.layer_statistics` measures, for each layer, the mean
norm of its output and of the error backpropagated to it.

Then the same depth with the article's cures: ``init="xavier"`` (variance
``1 / fan_in``) for tanh and ``init="he"`` (variance ``2 / fan_in``) for ReLU,
next to the mismatched pairs.

Figures are written to ``$MLPINIT_FIGURE_DIR`` (default ``examples/figures``).
``MLPINIT_QUICK=1`` runs a much smaller version, to check that the script
works; its numbers do not show the effect.
"""

import os
import textwrap
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from mlpinit import MLPRegressor
from mlpinit.diagnostics import initialized, layer_statistics
from mlpinit.plotting import plot_layer_stats

# sphinx_gallery_start_ignore
# Where the figures go, and whether this is a quick run (see above).
if "MLPINIT_FIGURE_DIR" in os.environ:
    FIGURE_DIR = Path(os.environ["MLPINIT_FIGURE_DIR"])
elif "__file__" in globals():
    FIGURE_DIR = Path(__file__).resolve().parent / "figures"
else:  # the docs gallery runs this script from examples/, without __file__
    FIGURE_DIR = Path.cwd() / "figures"
FIGURE_DIR.mkdir(parents=True, exist_ok=True)
QUICK = os.environ.get("MLPINIT_QUICK", "") not in ("", "0")
# sphinx_gallery_end_ignore

N_WEIGHT_LAYERS = 10 if QUICK else 50
rng = np.random.RandomState(0)

# ``report`` prints each result line and keeps it: the docs' claims page
# quotes the recorded copy (``vanishing_exploding.txt`` beside the figures).
REPORT = []


def report(line):
    if line.startswith("What it shows: "):  # the closing sentence, wrapped
        line = textwrap.fill(line, width=79)
    print(line)
    REPORT.append(line)


# %%
# The scaled identity, W = c * I
# ------------------------------
# Width 16, 49 hidden layers and one output unit: 50 weight matrices. The
# input is a batch of 256 standard normal rows; the target is noise (only the
# backpropagated error needs one).
def scaled_identity(c):
    def init(fan_in, fan_out, random_state, dtype):
        return c * np.eye(fan_in, fan_out, dtype=dtype)

    return init


width = 16
X = rng.normal(size=(256, width))
y = rng.normal(size=256)

identity_stats = {}
for c in (0.9, 1.0, 1.5):
    net = MLPRegressor(
        hidden_layer_sizes=(width,) * (N_WEIGHT_LAYERS - 1),
        activation="identity",
        init=scaled_identity(c),
    )
    identity_stats[c] = layer_statistics(initialized(net, X, y), X, y)

fig, (ax_fwd, ax_bwd) = plt.subplots(1, 2, figsize=(11, 4.2))
for c, stats in identity_stats.items():
    growth = stats["activation_norm"][:-1] / stats.input_stats["activation_norm"]
    plot_layer_stats(
        {"activation norm / input norm": growth},
        "activation norm / input norm",
        ax=ax_fwd,
        label=f"c = {c}",
    )
    plot_layer_stats(stats, "preactivation_gradient_norm", ax=ax_bwd, label=f"c = {c}")
ax_fwd.set_title("Forward: ||a_l|| / ||x|| = c**l")
ax_bwd.set_title("Backward: error reaching layer l")
ax_bwd.set_ylabel("mean ||dl/dz_l||")
for ax in (ax_fwd, ax_bwd):
    ax.legend()
    ax.grid(True, which="major", alpha=0.3)
fig.suptitle(f"W = c * I, no activation, {N_WEIGHT_LAYERS} layers")
fig.tight_layout()
fig.savefig(FIGURE_DIR / "vanishing_exploding_identity.png", dpi=100)

report(
    f"W = c * I, {N_WEIGHT_LAYERS} layers (activation norm relative to the input's):"
)
for c, stats in identity_stats.items():
    growth = stats["activation_norm"][:-1] / stats.input_stats["activation_norm"]
    backward = stats["preactivation_gradient_norm"]
    report(
        f"  c = {c}: layer 1 {growth[0]:.3g}, layer {len(growth)} {growth[-1]:.3g}; "
        "backpropagated error at layer 1 / at the output "
        f"{backward[0] / backward[-1]:.3g}"
    )

# %%
# The cures: Xavier for tanh, He for ReLU
# ---------------------------------------
# Width 256, 49 hidden layers. The article's pairs keep the activations'
# spread from layer to layer; swap them and the spread drifts by orders of
# magnitude. Two caveats the numbers below make visible: with tanh, even
# Xavier's ``1 / fan_in`` decays slowly, about as ``1 / sqrt(l)``, because
# tanh's slope is below 1 away from 0; and He with tanh keeps the forward
# spread level but lets the error grow on its way back to the first layer.
width = 32 if QUICK else 256
X = rng.normal(size=(256, width))
y = rng.normal(size=256)
pairs = [
    ("xavier", "tanh"),
    ("he", "relu"),
    ("xavier", "relu"),
    ("he", "tanh"),
]
cure_stats = {}
for init, activation in pairs:
    net = MLPRegressor(
        hidden_layer_sizes=(width,) * (N_WEIGHT_LAYERS - 1),
        activation=activation,
        init=init,
        random_state=0,
    )
    cure_stats[init, activation] = layer_statistics(initialized(net, X, y), X, y)

fig, (ax_fwd, ax_bwd) = plt.subplots(1, 2, figsize=(11, 4.2))
# Solid: the article's matched pairs; dashed: the mismatched ones.
MATCHED = {("xavier", "tanh"), ("he", "relu")}
for (init, activation), stats in cure_stats.items():
    matched = (init, activation) in MATCHED
    label = f"{init} + {activation} ({'matched' if matched else 'mismatched'})"
    style = "-" if matched else "--"
    hidden = {
        "activation_std": stats["activation_std"][:-1],
        "preactivation_gradient_norm": stats["preactivation_gradient_norm"][:-1],
    }
    plot_layer_stats(
        hidden, "activation_std", ax=ax_fwd, label=label, logy=True, ls=style
    )
    plot_layer_stats(
        hidden, "preactivation_gradient_norm", ax=ax_bwd, label=label, ls=style
    )
ax_fwd.set_title("Forward: std of each hidden layer's output")
ax_bwd.set_title("Backward: error reaching each hidden layer")
ax_bwd.set_ylabel("mean ||dl/dz_l||")
for ax in (ax_fwd, ax_bwd):
    ax.legend()
    ax.grid(True, which="major", alpha=0.3)
fig.suptitle(
    f"{N_WEIGHT_LAYERS} layers of width {width}: solid lines, the article's matched "
    "init + activation pairs; dashed, the pairs swapped"
)
fig.tight_layout()
fig.savefig(FIGURE_DIR / "vanishing_exploding_init.png", dpi=100)

report(
    f"Width {width}, {N_WEIGHT_LAYERS - 1} hidden layers "
    "(activation std: first layer -> last, max/min):"
)
for (init, activation), stats in cure_stats.items():
    std = stats["activation_std"][:-1]
    backward = stats["preactivation_gradient_norm"][:-1]
    saturated = stats["saturated_fraction"][:-1].mean()  # NaN for relu
    report(
        f"  {init:6s} + {activation}: {std[0]:.3g} -> {std[-1]:.3g} "
        f"(max/min {std.max() / std.min():.3g}); backpropagated error "
        f"first / last hidden layer {backward[0] / backward[-1]:.3g}"
        + ("" if np.isnan(saturated) else f"; saturated units {saturated:.0%}")
    )

identity_growth = {
    c: s["activation_norm"][-2] / s.input_stats["activation_norm"]
    for c, s in identity_stats.items()
}
spread = {
    pair: s["activation_std"][:-1].max() / s["activation_std"][:-1].min()
    for pair, s in cure_stats.items()
}
report(
    f"What it shows: over {N_WEIGHT_LAYERS} layers W = c * I multiplies the "
    f"signal by c**{N_WEIGHT_LAYERS - 1}: {identity_growth[1.5]:.2g} for c = 1.5 and "
    f"{identity_growth[0.9]:.2g} for c = 0.9. At width {width}, He + relu keeps "
    f"every hidden layer's std within a factor {spread['he', 'relu']:.3g} and "
    f"Xavier + tanh within {spread['xavier', 'tanh']:.3g}, while Xavier + relu "
    f"loses a factor {spread['xavier', 'relu']:.2g}."
)
with open(FIGURE_DIR / "vanishing_exploding.txt", "w") as recorded:
    recorded.write("\n".join(REPORT) + "\n")
