"""Weight initializers: one variance-scaling mechanism and its named presets.

This module is the plain-numpy core behind the estimators' ``init``
parameter. Every initializer takes ``(fan_in, fan_out, random_state, dtype)``
and returns a weight matrix of shape ``(fan_in, fan_out)``, scikit-learn's
convention, so that a layer computes ``X @ W``. Randomness comes only from
the :class:`numpy.random.RandomState` passed in. The examples assume
``import numpy as np``.

All named presets are special cases of :func:`variance_scaling`: the weights
have mean 0 and variance ``scale / n``, where ``n`` is ``fan_in``, ``fan_out``
or their average, drawn from an untruncated Gaussian or from the uniform
distribution with the same variance. :func:`orthogonal` draws a scaled
orthogonal matrix instead, with the gain of :func:`calculate_gain`, which
each activation's record holds. :func:`lsuv` rescales any start, layer by
layer, to unit output variance on a batch of data. Those two live in
:mod:`mlpinit._core.init_orthogonal` and are public here.

This module belongs to the numerical core: it imports numpy and the core
(the activation records, the shared checks and docstring text, orthogonal
and LSUV), nothing of scikit-learn.

Naming
------
The article this project implements calls 1/fan_in "Xavier". The literature
calls that LeCun initialization and reserves "Xavier" (Glorot) for
2/(fan_in + fan_out):

=================  =============================  ==============================
name here          variance of the weights        source
=================  =============================  ==============================
``lecun_*``        1 / fan_in                     LeCun et al. 1998
``glorot_*``       2 / (fan_in + fan_out)         Glorot & Bengio 2010
``he_*``           2 / fan_in                     He et al. 2015 (Kaiming)
``"xavier"``       1 / fan_in (normal)            the article; = ``lecun_normal``
``"he"``           2 / fan_in (normal)            the article; = ``he_normal``
``"sklearn"``      2 / (fan_in + fan_out),        scikit-learn's MLP
                   uniform; 2/3 of that for
                   ``activation="logistic"``
=================  =============================  ==============================

**This project's** ``"xavier"`` **follows the article, variance 1/fan_in**, not
Glorot's 2/(fan_in + fan_out); use ``"glorot_normal"`` or ``"glorot_uniform"``
for the latter. ``"sklearn"`` reproduces scikit-learn's own MLP
initialization exactly: Glorot-uniform weights with bound
``sqrt(6 / (fan_in + fan_out))`` (factor 2 instead of 6 for the logistic
activation) and biases drawn from the same range, right after the weights,
from the same random state. Every other initializer sets the biases to zero.

Every public function checks its arguments once, on entry; the draws behind
it trust them.

References
----------
.. [1] Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient BackProp",
   in *Neural Networks: Tricks of the Trade*, Springer, 1998.
.. [2] X. Glorot and Y. Bengio, "Understanding the difficulty of training deep
   feedforward neural networks", AISTATS 2010.
.. [3] K. He, X. Zhang, S. Ren and J. Sun, "Delving Deep into Rectifiers:
   Surpassing Human-Level Performance on ImageNet Classification", ICCV 2015.
"""

import math

import numpy as np

from mlpinit._core.activations import ACTIVATIONS, activation_record
from mlpinit._core.init_common import (
    LAYER_PARAMETERS,
    LAYER_RAISES,
    check_activation,
    check_choice,
    check_fan,
    check_layer,
    check_real,
    references,
    shared_doc,
)
from mlpinit._core.init_orthogonal import lsuv, orthogonal, orthogonal_draw

__all__ = [
    "INITIALIZERS",
    "calculate_gain",
    "glorot_normal",
    "glorot_uniform",
    "he",
    "he_normal",
    "he_uniform",
    "initialize_layer",
    "initialize_network",
    "lecun_normal",
    "lecun_uniform",
    "lsuv",
    "orthogonal",
    "resolve_init",
    "sklearn_uniform",
    "variance_scaling",
    "xavier",
]


_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("normal", "uniform")

# Each named preset is variance_scaling with these (scale, mode, distribution).
_PRESETS = {
    "xavier": (1.0, "fan_in", "normal"),  # the article's name for lecun_normal
    "he": (2.0, "fan_in", "normal"),  # the article's name for he_normal
    "lecun_normal": (1.0, "fan_in", "normal"),
    "lecun_uniform": (1.0, "fan_in", "uniform"),
    "glorot_normal": (1.0, "fan_avg", "normal"),
    "glorot_uniform": (1.0, "fan_avg", "uniform"),
    "he_normal": (2.0, "fan_in", "normal"),
    "he_uniform": (2.0, "fan_in", "uniform"),
}


def _preset_sections(name, sources):
    scale, mode, distribution = _PRESETS[name]
    return f"""\
Parameters
----------
{LAYER_PARAMETERS}

Returns
-------
weights : ndarray of shape (fan_in, fan_out)
    The same array as ``variance_scaling(fan_in, fan_out, random_state,
    dtype, scale={scale}, mode="{mode}", distribution="{distribution}")``.

Raises
------
{LAYER_RAISES}

{references(sources)}"""


def _shared_doc(*sources):
    """:func:`~mlpinit._core.init_common.shared_doc` with ``{preset_sections}``:
    Parameters, Returns, Raises and References of the preset named like the
    function."""
    return shared_doc(
        *sources,
        blocks={
            "preset_sections": lambda func: _preset_sections(func.__name__, sources)
        },
    )


# --------------------------------------------------------------------------
# the one mechanism
# --------------------------------------------------------------------------
def _spread(fan_in, fan_out, scale, mode, distribution):
    """The normal's standard deviation, or the uniform's bound."""
    if mode == "fan_in":
        n = float(fan_in)
    elif mode == "fan_out":
        n = float(fan_out)
    else:
        n = (fan_in + fan_out) / 2.0
    # scale / n is rounded once, so e.g. Glorot's std equals
    # sqrt(2 / (fan_in + fan_out)) to the last bit; 3 * scale is exact for the
    # presets' scales, so the uniform bound equals e.g. sqrt(6 / (fan_in +
    # fan_out)).
    if distribution == "normal":
        return math.sqrt(scale / n)
    return math.sqrt(3.0 * scale / n)


def _draw(fan_in, fan_out, random_state, dtype, scale, mode, distribution):
    """variance_scaling without the checks: the arguments are already valid."""
    spread = _spread(fan_in, fan_out, scale, mode, distribution)
    size = (fan_in, fan_out)
    if distribution == "normal":
        weights = random_state.normal(0.0, spread, size)
    else:
        weights = random_state.uniform(-spread, spread, size)
    return weights.astype(dtype, copy=False)


@_shared_doc("lecun", "glorot", "he")
def variance_scaling(
    fan_in,
    fan_out,
    random_state,
    dtype=np.float64,
    *,
    scale=1.0,
    mode="fan_in",
    distribution="normal",
):
    """Draw a weight matrix whose variance is ``scale / n``.

    The general mechanism behind every named preset in this module, after
    Keras' ``VarianceScaling``.

    Parameters
    ----------
    {layer_parameters}
    scale : float, default=1.0
        Positive finite multiplier of the variance.
    mode : {"fan_in", "fan_out", "fan_avg"}, default="fan_in"
        Which ``n`` divides ``scale``: ``fan_in``, ``fan_out`` or
        ``(fan_in + fan_out) / 2``.
    distribution : {"normal", "uniform"}, default="normal"
        ``"normal"`` draws from the untruncated Gaussian
        ``N(0, scale / n)``; ``"uniform"`` draws from ``U(-limit, limit)``
        with ``limit = sqrt(3 * scale / n)``, which has the same variance.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
        The drawn weights, of the requested ``dtype``.

    Raises
    ------
    {layer_raises}
    ValueError
        If ``scale`` is not positive and finite (or so large that the spread
        overflows), or ``mode`` or ``distribution`` is unknown.

    See Also
    --------
    lecun_normal, lecun_uniform, glorot_normal, glorot_uniform, he_normal,
    he_uniform : The named presets.

    Notes
    -----
    With ``n`` chosen by ``mode``, the weights satisfy ``E[W] = 0`` and
    ``Var[W] = scale / n``. The presets are:

    - LeCun [1]_: ``scale=1, mode="fan_in"`` (variance ``1 / fan_in``);
    - Glorot [2]_: ``scale=1, mode="fan_avg"`` (variance
      ``2 / (fan_in + fan_out)``);
    - He [3]_: ``scale=2, mode="fan_in"`` (variance ``2 / fan_in``).

    Keeping ``Var[W] * fan_in`` fixed keeps the variance of the activations
    roughly constant from layer to layer in the forward pass; keeping
    ``Var[W] * fan_out`` fixed does the same for the gradients in the backward
    pass; ``fan_avg`` is Glorot's compromise between the two.

    {references}

    Examples
    --------
    >>> from mlpinit.initializers import variance_scaling
    >>> rng = np.random.RandomState(0)
    >>> W = variance_scaling(400, 100, rng, scale=2.0, mode="fan_in")
    >>> print(W.shape, W.dtype)
    (400, 100) float64
    >>> print(round(float(W.var()) * 400, 1))  # close to scale = 2
    2.0
    >>> U = variance_scaling(400, 100, rng, np.float32, distribution="uniform")
    >>> print(U.dtype, bool(np.abs(U).max() <= np.sqrt(3 / 400)))
    float32 True
    """
    fan_in, fan_out, random_state, dtype = check_layer(
        fan_in, fan_out, random_state, dtype
    )
    scale = check_real("scale", scale)
    mode = check_choice("mode", mode, _MODES)
    distribution = check_choice("distribution", distribution, _DISTRIBUTIONS)
    spread = _spread(fan_in, fan_out, scale, mode, distribution)
    if not (math.isfinite(spread) and spread > 0.0):
        what = "standard deviation" if distribution == "normal" else "uniform bound"
        raise ValueError(
            f"scale={scale!r} gives a {what} of {spread!r}; it must be positive "
            "and finite."
        )
    return _draw(fan_in, fan_out, random_state, dtype, scale, mode, distribution)


def _preset(name, fan_in, fan_out, random_state, dtype):
    args = check_layer(fan_in, fan_out, random_state, dtype)
    return _draw(*args, *_PRESETS[name])


# --------------------------------------------------------------------------
# named presets: each is variance_scaling with the arguments in _PRESETS
# --------------------------------------------------------------------------
@_shared_doc("lecun")
def lecun_normal(fan_in, fan_out, random_state, dtype=np.float64):
    """LeCun normal initialization: ``W ~ N(0, 1 / fan_in)``, untruncated.

    A linear layer with these weights keeps the variance of its inputs, the
    rule LeCun et al. 1998 [1]_ give for tanh-like activations. :func:`xavier`
    is the same initializer under the article's name.

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import lecun_normal
    >>> W = lecun_normal(500, 200, np.random.RandomState(0))
    >>> print(W.shape, round(float(W.var()) * 500, 1))
    (500, 200) 1.0
    """
    return _preset("lecun_normal", fan_in, fan_out, random_state, dtype)


@_shared_doc("lecun")
def lecun_uniform(fan_in, fan_out, random_state, dtype=np.float64):
    """LeCun uniform initialization: ``W ~ U(-sqrt(3 / fan_in), sqrt(3 / fan_in))``.

    The bound makes the variance ``limit^2 / 3 = 1 / fan_in``, LeCun et al.'s
    1998 [1]_ rule.

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import lecun_uniform
    >>> bool(np.abs(lecun_uniform(300, 100, np.random.RandomState(0))).max()
    ...      <= np.sqrt(3 / 300))
    True
    """
    return _preset("lecun_uniform", fan_in, fan_out, random_state, dtype)


@_shared_doc("glorot")
def glorot_normal(fan_in, fan_out, random_state, dtype=np.float64):
    """Glorot (Xavier) normal initialization: ``W ~ N(0, 2 / (fan_in + fan_out))``.

    The literature's "Xavier" initialization; the article's (and this
    project's) ``"xavier"`` is the different :func:`lecun_normal`. The
    variance is the harmonic compromise between keeping the forward
    activations' variance (``1 / fan_in``) and the backward gradients'
    (``1 / fan_out``) constant, from Glorot & Bengio 2010 [1]_.
    :func:`glorot_uniform` is the uniform version, the form used in the paper.

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import glorot_normal
    >>> W = glorot_normal(300, 100, np.random.RandomState(0))
    >>> round(float(W.var()) * (300 + 100) / 2, 1)
    1.0
    """
    return _preset("glorot_normal", fan_in, fan_out, random_state, dtype)


@_shared_doc("glorot")
def glorot_uniform(fan_in, fan_out, random_state, dtype=np.float64):
    """Glorot (Xavier) uniform initialization, bound ``sqrt(6 / (fan_in + fan_out))``.

    The variance is ``2 / (fan_in + fan_out)``: the "normalized
    initialization", eq. (16) of Glorot & Bengio 2010 [1]_.
    :func:`sklearn_uniform` is scikit-learn's variant, which also draws the
    biases.

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import glorot_uniform
    >>> W = glorot_uniform(300, 100, np.random.RandomState(0), np.float32)
    >>> print(W.dtype, bool(np.abs(W).max() <= np.sqrt(6 / 400)))
    float32 True
    """
    return _preset("glorot_uniform", fan_in, fan_out, random_state, dtype)


@_shared_doc("he")
def he_normal(fan_in, fan_out, random_state, dtype=np.float64):
    """He (Kaiming) normal initialization: ``W ~ N(0, 2 / fan_in)``, untruncated.

    A ReLU zeroes half of its inputs, halving the second moment; the factor 2
    makes up for it, so the variance stays constant through ReLU layers (He
    et al. 2015 [1]_). :func:`he` is the same initializer under the article's
    name.

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import he_normal
    >>> print(round(float(he_normal(500, 200, np.random.RandomState(0)).var()) * 500))
    2
    """
    return _preset("he_normal", fan_in, fan_out, random_state, dtype)


@_shared_doc("he")
def he_uniform(fan_in, fan_out, random_state, dtype=np.float64):
    """He (Kaiming) uniform initialization, bound ``sqrt(6 / fan_in)``.

    The variance is ``2 / fan_in``, He et al.'s 2015 [1]_ rule for ReLU
    layers.

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import he_uniform
    >>> W = he_uniform(300, 100, np.random.RandomState(0))
    >>> print(W.shape, bool(np.abs(W).max() <= np.sqrt(6 / 300)))
    (300, 100) True
    """
    return _preset("he_uniform", fan_in, fan_out, random_state, dtype)


@_shared_doc("lecun", "glorot")
def xavier(fan_in, fan_out, random_state, dtype=np.float64):
    """The article's "Xavier" initialization: ``W ~ N(0, 1 / fan_in)``.

    **The literature calls this LeCun normal** [1]_; it is exactly
    :func:`lecun_normal`, draw for draw. Glorot's own formula [2]_, variance
    ``2 / (fan_in + fan_out)``, is :func:`glorot_normal` /
    :func:`glorot_uniform`. The article's code is
    ``np.random.randn(n_out, n_in) * np.sqrt(1 / n_in)`` in its own
    ``(fan_out, fan_in)`` layout, recommended for tanh layers: Glorot's
    analysis simplified to the forward pass.

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import lecun_normal, xavier
    >>> same = lecun_normal(500, 200, np.random.RandomState(0))
    >>> bool(np.array_equal(xavier(500, 200, np.random.RandomState(0)), same))
    True
    """
    return _preset("xavier", fan_in, fan_out, random_state, dtype)


@_shared_doc("he")
def he(fan_in, fan_out, random_state, dtype=np.float64):
    """The article's "He" initialization: ``W ~ N(0, 2 / fan_in)``.

    Exactly :func:`he_normal`, draw for draw, under the article's name: its
    code is ``np.random.randn(n_out, n_in) * np.sqrt(2 / n_in)``, for ReLU
    layers, from He et al. 2015 [1]_ (also known as Kaiming initialization).

    {preset_sections}

    Examples
    --------
    >>> from mlpinit.initializers import he
    >>> W = he(500, 200, np.random.RandomState(0), np.float32)
    >>> print(W.dtype, round(float(W.var()) * 500, 1))
    float32 2.0
    """
    return _preset("he", fan_in, fan_out, random_state, dtype)


# --------------------------------------------------------------------------
# scikit-learn's scheme
# --------------------------------------------------------------------------
def _sklearn_draw(fan_in, fan_out, random_state, dtype, activation):
    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    weights = random_state.uniform(-bound, bound, (fan_in, fan_out))
    biases = random_state.uniform(-bound, bound, fan_out)
    return weights.astype(dtype, copy=False), biases.astype(dtype, copy=False)


@_shared_doc("glorot")
def sklearn_uniform(
    fan_in, fan_out, random_state, dtype=np.float64, *, activation="relu"
):
    """scikit-learn's MLP initialization: Glorot-uniform weights and biases.

    Reproduces ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor``
    initialization bit for bit: called layer by layer with the same
    ``RandomState``, it returns the same initial ``coefs_`` and
    ``intercepts_``. Both are drawn from ``U(-bound, bound)`` with ``bound =
    sqrt(factor / (fan_in + fan_out))``, ``factor = 6`` (Glorot & Bengio 2010
    [1]_, eq. 16) or ``factor = 2`` for ``activation="logistic"``; unlike
    every other initializer here, the biases are random, drawn right after
    the weights from the same random state.

    Parameters
    ----------
    {layer_parameters}
    activation : str, default="relu"
        The hidden activation of the network. Only ``"logistic"`` matters:
        it lowers the factor from 6 to 2. As in scikit-learn, the output
        layer uses the hidden activation's factor too.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    biases : ndarray of shape (fan_out,)
        The second ``uniform`` draw, of size ``fan_out``.

    Raises
    ------
    {layer_raises}
    ValueError
        If ``activation`` is not a string.

    See Also
    --------
    glorot_uniform : The same weights for ``factor = 6``, with zero biases.

    {references}

    Examples
    --------
    >>> from mlpinit.initializers import sklearn_uniform
    >>> W, b = sklearn_uniform(300, 100, np.random.RandomState(0))
    >>> bound = np.sqrt(6.0 / (300 + 100))
    >>> print(b.shape, bool(np.abs(W).max() <= bound), bool(np.abs(b).max() <= bound))
    (100,) True True
    """
    args = check_layer(fan_in, fan_out, random_state, dtype)
    return _sklearn_draw(*args, check_activation(activation))


# --------------------------------------------------------------------------
# gains: each activation's record holds its own (mlpinit._core.activations,
# where the values are derived)
# --------------------------------------------------------------------------
def _record_of(activation, purpose):
    try:
        return activation_record(activation)
    except ValueError:
        raise ValueError(
            f"activation must be one of {list(ACTIVATIONS)} {purpose}, got "
            f"{activation!r}."
        ) from None


@_shared_doc("he", "klambauer", "torch")
def calculate_gain(activation, param=None):
    """The gain of an activation: the weight scale factor that keeps the signal's.

    Each activation's record holds its gain (the table below), after
    ``torch.nn.init.calculate_gain`` [3]_. :func:`orthogonal` multiplies its
    matrix by the gain, and
    ``variance_scaling(scale=gain**2, mode="fan_in")`` is the Gaussian or
    uniform initialization with the same scale; ``init="orthogonal"`` takes
    the gain of the layer's activation.

    Parameters
    ----------
    activation : str
        A hidden activation, ``"identity"``, ``"logistic"``, ``"tanh"``,
        ``"relu"``, ``"leaky_relu"``, ``"elu"``, ``"selu"``, ``"gelu"`` or
        ``"silu"``, or an output activation, ``"softmax"`` or ``"exp"``.
    param : float or None, default=None
        The negative slope of ``"leaky_relu"`` (None: 0.01, any finite
        number) or the ``alpha`` of ``"elu"`` (None: 1.0, positive). The
        other activations take no parameter.

    Returns
    -------
    gain : float

    Raises
    ------
    ValueError
        If ``activation`` is unknown, or ``param`` is invalid or given to an
        activation without one.

    Notes
    -----
    ==============  ===================================  ============================
    activation      gain                                 source
    ==============  ===================================  ============================
    identity        1                                    torch [3]_
    logistic        1                                    torch [3]_
    tanh            5/3                                  torch [3]_
    relu            sqrt(2)                              He et al. 2015 [1]_
    leaky_relu      sqrt(2 / (1 + negative_slope^2))     He et al. 2015 [1]_
    selu            1 (torch: 3/4)                       Klambauer et al. 2017 [2]_
    elu             1 / sqrt(E[elu(z)^2]), 1.2452        this module, closed form
    gelu            1 / sqrt(1/3 + 1/(2 pi sqrt(3))),    this module, closed form
                    1.5335
    silu            1 / sqrt(E[silu(z)^2]), 1.6765       this module, numerical
                                                         integral
    softmax, exp    1                                    output layers
    ==============  ===================================  ============================

    ``z ~ N(0, 1)``; the elu value is for ``alpha=1``, and gelu is the exact
    ``z * Phi(z)``. **selu** gets 1, not torch's 3/4: the self-normalizing
    network of Klambauer et al. needs weights of variance ``1 / fan_in``
    (:func:`lecun_normal`), and torch's own documentation says to use the
    linear gain, 1, for it; its 3/4 trades the normalization for gradient
    flow. **elu, gelu and silu**, which torch and Keras leave out, get the
    gain that keeps the second moment of a unit-variance pre-activation,
    ``1 / sqrt(E[f(z)^2])``: He et al.'s argument for ReLU applied to ``f``.
    The same rule gives relu, leaky_relu and selu exactly their values above
    (tanh and logistic keep torch's conventions instead).

    {references}

    Examples
    --------
    >>> from mlpinit.initializers import calculate_gain
    >>> calculate_gain("tanh"), calculate_gain("selu")
    (1.6666666666666667, 1.0)
    >>> round(calculate_gain("leaky_relu", 0.2), 4)
    1.3868
    """
    record = _record_of(activation, "to have a gain")
    if record.gain_parameter is not None:
        parameter = record.gain_parameter
        value = parameter.default if param is None else param
        return record.gain(
            check_real(f"param ({parameter.name})", value, parameter.positive)
        )
    if param is not None:
        raise ValueError(
            f"activation={activation!r} takes no param; got param={param!r}."
        )
    gain = record.gain
    return gain


# --------------------------------------------------------------------------
# lookup used by the estimators
# --------------------------------------------------------------------------
INITIALIZERS = {
    "xavier": xavier,
    "he": he,
    "lecun_normal": lecun_normal,
    "lecun_uniform": lecun_uniform,
    "glorot_normal": glorot_normal,
    "glorot_uniform": glorot_uniform,
    "he_normal": he_normal,
    "he_uniform": he_uniform,
    "orthogonal": orthogonal,
}
"""Named weight initializers, by the names ``init`` accepts (besides
``"auto"`` and ``"sklearn"``). Called as ``init(fan_in, fan_out,
random_state, dtype)``; through ``init=``, ``"orthogonal"`` also gets the
gain of the layer's activation."""


INIT_NAMES = ("auto", *INITIALIZERS, "lsuv", "sklearn")
"""Every name ``init`` accepts; the one list the estimators' parameter
constraints, the docs and the error messages read."""

AUTO_SKLEARN_MAX_HIDDEN = 8
"""``init="auto"`` is ``"sklearn"`` for networks of at most this many hidden
layers, and the per-layer article rule (:func:`resolve_init`) beyond. The
threshold is the measured one: see :func:`initialize_network`."""

LSUV_BATCH_ROWS = 512
"""Rows of the training data on which ``init="lsuv"`` measures the variances."""


def resolve_init(init, activation):
    """Turn an ``init`` parameter into a concrete initializer name or callable.

    Parameters
    ----------
    init : str or callable
        ``"auto"``, ``"sklearn"``, a key of :data:`INITIALIZERS`, or a callable
        ``init(fan_in, fan_out, random_state, dtype)``.
    activation : str
        The activation of the layer to initialize, which ``"auto"`` follows:
        a hidden activation, or the output layer's own (``"identity"``,
        ``"logistic"``, ``"softmax"``, ``"exp"``). A caller that passes the
        network's hidden activation for every layer gives the output layer
        the hidden layers' preset instead.

    Returns
    -------
    init : str or callable
        For ``init="auto"``, the preset its rule (see Notes) picks for
        ``activation``; otherwise ``init`` itself.

    Raises
    ------
    ValueError
        If ``init`` is neither a known name nor a callable (the message lists
        the valid names), or if ``init="auto"`` and ``activation`` has no
        rule.

    Notes
    -----
    The ``"auto"`` rule is the article's, applied to each layer's own
    activation: He (variance ``2 / fan_in``, He et al. 2015) for ReLU layers
    and its "Xavier" (variance ``1 / fan_in``, LeCun et al. 1998) for tanh.
    Extended to every activation, with the reasons in the source:

    - ``"he"`` for relu, leaky_relu, elu, gelu and silu (rectifiers; the
      smooth ones' squared gains, 1.55 to 2.81, are nearer 2 than 1);
    - ``"lecun_normal"`` for selu, Klambauer et al.'s (2017)
      self-normalizing network;
    - ``"xavier"`` (the same draw as ``"lecun_normal"``) for tanh, logistic
      and identity, and for the output activations softmax and exp: a layer
      that is linear near 0, or that no activation of the network follows.

    Examples
    --------
    >>> from mlpinit.initializers import resolve_init
    >>> resolve_init("auto", "relu"), resolve_init("auto", "softmax")
    ('he', 'xavier')
    >>> resolve_init("glorot_uniform", "relu")
    'glorot_uniform'
    """
    if callable(init):
        return init
    if isinstance(init, str) and init == "auto":
        try:
            preset = activation_record(activation).auto_init
        except ValueError:
            raise ValueError(
                f"init='auto' has no rule for activation={activation!r}; "
                f"known activations are {list(ACTIVATIONS)}."
            ) from None
        if preset not in INITIALIZERS:
            raise ValueError(
                f"The record of activation {activation!r} gives init='auto' the "
                f"preset {preset!r}, which is not one of {list(INITIALIZERS)}."
            )
        return preset
    if isinstance(init, str) and init in INIT_NAMES:
        return init
    raise ValueError(
        f"init must be one of {list(INIT_NAMES)} or a callable "
        f"init(fan_in, fan_out, random_state, dtype), got {init!r}."
    )


@_shared_doc()
def initialize_layer(
    init, fan_in, fan_out, random_state, dtype, activation, *, layer_activation=None
):
    """Initial weights and biases of one layer: the estimators' entry point.

    Parameters
    ----------
    init : str or callable
        ``"auto"``, ``"sklearn"``, a key of :data:`INITIALIZERS`, or a callable
        ``init(fan_in, fan_out, random_state, dtype)`` returning an array-like
        of shape ``(fan_in, fan_out)``.
    {layer_parameters}
    activation : str
        The hidden activation of the network; picks the ``"sklearn"`` factor
        (as in scikit-learn, for the output layer too), and, unless
        ``layer_activation`` is given, the ``"auto"`` preset and the
        ``"orthogonal"`` gain (:func:`calculate_gain`).
    layer_activation : str or None, default=None
        This layer's own activation, for the ``"auto"`` preset and the
        ``"orthogonal"`` gain: for the output layer, ``"identity"``,
        ``"logistic"``, ``"softmax"`` or ``"exp"``. None uses
        ``activation``, which gives the output layer the hidden layers'
        preset.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    biases : ndarray of shape (fan_out,)
        Drawn by :func:`sklearn_uniform` for ``init="sklearn"``; zeros for
        every other ``init``.

    Raises
    ------
    {layer_raises}
    ValueError
        If ``init`` is unknown (see :func:`resolve_init`), or a callable
        ``init`` returns an array of the wrong shape or with non-finite
        values.

    Notes
    -----
    ``"auto"`` is resolved by :func:`resolve_init`, where its rule is stated.
    A callable's output is converted with ``np.asarray(out, dtype=dtype)``;
    the randomness it uses should come from ``random_state`` for the fit to
    be reproducible.

    Examples
    --------
    >>> from mlpinit.initializers import initialize_layer
    >>> rng = np.random.RandomState(0)
    >>> W, b = initialize_layer("auto", 64, 32, rng, np.float32, "relu")
    >>> print(W.shape, W.dtype, b.shape, bool(np.all(b == 0)))
    (64, 32) float32 (32,) True
    >>> W, b = initialize_layer("sklearn", 64, 32, rng, np.float64, "relu")
    >>> print(bool(np.any(b != 0)))
    True

    The output layer of a relu classifier, following its own activation:

    >>> W, b = initialize_layer("auto", 400, 10, rng, np.float64, "relu",
    ...                         layer_activation="softmax")
    >>> round(float(W.var()) * 400, 1)  # 1/fan_in, not He's 2/fan_in
    1.0
    """
    args = check_layer(fan_in, fan_out, random_state, dtype)
    own = activation if layer_activation is None else layer_activation
    init = resolve_init(init, own)
    if callable(init):
        weights = _call_user_init(init, *args)
    elif init == "sklearn":
        return _sklearn_draw(*args, check_activation(activation))
    elif init in ("orthogonal", "lsuv"):  # lsuv's start; initialize_network rescales
        weights = orthogonal_draw(*args, calculate_gain(own))
    else:
        weights = _draw(*args, *_PRESETS[init])
    return weights, np.zeros(args[1], dtype=args[3])


def initialize_network(
    init,
    layer_units,
    random_state,
    dtype,
    activation,
    out_activation,
    X=None,
    *,
    lsuv_batch_rows=LSUV_BATCH_ROWS,
):
    """Initial weights and biases of a whole network: what a fresh fit starts from.

    Parameters
    ----------
    init : str or callable
        Any name of :data:`INIT_NAMES`, or a callable as for
        :func:`initialize_layer`.
    layer_units : sequence of int
        Units per layer, inputs to outputs: ``[n_features, *hidden, n_outputs]``.
    random_state : numpy.random.RandomState
        Source of all randomness: the layers are drawn from it in order,
        first layer first, and then, for ``init="lsuv"``, the probe rows.
    dtype : dtype-like
        Floating dtype of the weights.
    activation : str
        The hidden activation of the network.
    out_activation : str
        The output layer's own activation (``"identity"``, ``"logistic"``,
        ``"softmax"`` or ``"exp"``), which ``"auto"`` and ``"orthogonal"``
        follow for the last layer.
    X : {ndarray, sparse matrix} of shape (n_samples, layer_units[0]) or None
        The training data; needed for ``init="lsuv"`` only.
    lsuv_batch_rows : int, default=LSUV_BATCH_ROWS
        Rows of ``X`` drawn (without replacement, sorted) as LSUV's batch.

    Returns
    -------
    coefs : list of ndarray of shape (layer_units[i], layer_units[i + 1])
    intercepts : list of ndarray of shape (layer_units[i + 1],)
    record : dict or None
        For ``init="lsuv"``, the :func:`lsuv` record plus ``"n_rows"``, the
        batch's rows; None otherwise.

    Raises
    ------
    ValueError
        As :func:`initialize_layer`, or if ``init="lsuv"`` and ``X`` is None.

    Notes
    -----
    ``init="auto"`` depends on the depth. A network of at most
    :data:`AUTO_SKLEARN_MAX_HIDDEN` (8) hidden layers gets ``"sklearn"``,
    scikit-learn's scheme, draw for draw: on such networks it trained as
    well as or better than every variance-preserving rule in this project's
    measurements (the article's He for ReLU costs test score there). A
    deeper network gets the article's rule, layer by layer, from that
    layer's own activation (:func:`resolve_init`): He for a ReLU hidden
    layer, LeCun's 1/fan_in for tanh and for the output layer. Deep ReLU
    networks stall on Glorot's variances and train on these.

    ``init="lsuv"`` draws :func:`orthogonal` layers (with each layer's
    gain), then runs :func:`lsuv` on ``min(lsuv_batch_rows, n_samples)``
    rows of ``X`` drawn from ``random_state``; with a single row there is
    no variance to measure and the orthogonal start is kept.

    Examples
    --------
    >>> from mlpinit.initializers import initialize_network
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(300, 8))
    >>> coefs, intercepts, record = initialize_network(
    ...     "lsuv", [8, 32, 32, 3], rng, np.float64, "relu", "softmax", X)
    >>> record["n_rows"], record["converged"]
    (300, [True, True, True])
    """
    n_hidden = len(layer_units) - 2
    if isinstance(init, str) and init == "auto":
        init = "sklearn" if n_hidden <= AUTO_SKLEARN_MAX_HIDDEN else "auto"
    coefs, intercepts = [], []
    for i, (fan_in, fan_out) in enumerate(zip(layer_units[:-1], layer_units[1:])):
        own = activation if i < n_hidden else out_activation
        W, b = initialize_layer(
            init, fan_in, fan_out, random_state, dtype, activation, layer_activation=own
        )
        coefs.append(W)
        intercepts.append(b)
    if not (isinstance(init, str) and init == "lsuv"):
        return coefs, intercepts, None
    if X is None:
        raise ValueError("init='lsuv' needs the training data X.")
    n_rows = min(check_fan("lsuv_batch_rows", lsuv_batch_rows), X.shape[0])
    if n_rows < 2:
        record = {"n_iter": [], "variance": [], "converged": [], "n_forward": 0}
        return coefs, intercepts, {**record, "seconds": 0.0, "n_rows": n_rows}
    rows = np.sort(random_state.choice(X.shape[0], n_rows, replace=False))
    coefs, record = lsuv(coefs, intercepts, activation, X[rows])
    record["n_rows"] = n_rows
    return coefs, intercepts, record


def _call_user_init(init, fan_in, fan_out, random_state, dtype):
    name = getattr(init, "__qualname__", None) or getattr(init, "__name__", None)
    name = name if name is not None else repr(init)
    out = init(fan_in, fan_out, random_state, dtype)
    try:
        weights = np.asarray(out, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"init={name} must return an array of shape {(fan_in, fan_out)} "
            f"convertible to {dtype}; converting its output failed: {exc}"
        ) from exc
    if weights.shape != (fan_in, fan_out):
        raise ValueError(
            f"init={name} returned an array of shape {weights.shape}; expected "
            f"shape {(fan_in, fan_out)} (fan_in, fan_out)."
        )
    finite = np.isfinite(weights)
    if not finite.all():
        n_bad = int(weights.size - np.count_nonzero(finite))
        raise ValueError(
            f"init={name} returned {n_bad} non-finite value(s) (NaN or inf) "
            f"in its {weights.shape} weight array; all weights must be finite."
        )
    return weights
