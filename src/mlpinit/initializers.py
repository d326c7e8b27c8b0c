"""Weight initializers: one variance-scaling mechanism and its named presets.

This module is the plain-numpy core behind the estimators' ``init``
parameter. Every initializer takes ``(fan_in, fan_out, random_state, dtype)``
and returns a weight matrix of shape ``(fan_in, fan_out)``, scikit-learn's
convention, so that a layer computes ``X @ W``. Randomness comes only from
the :class:`numpy.random.RandomState` passed in.

All named presets are special cases of :func:`variance_scaling`: the weights
have mean 0 and variance ``scale / n``, where ``n`` is ``fan_in``, ``fan_out``
or their average, drawn from an untruncated Gaussian or from the uniform
distribution with the same variance.

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
import numbers

import numpy as np

__all__ = [
    "INITIALIZERS",
    "glorot_normal",
    "glorot_uniform",
    "he",
    "he_normal",
    "he_uniform",
    "initialize_layer",
    "lecun_normal",
    "lecun_uniform",
    "resolve_init",
    "sklearn_uniform",
    "variance_scaling",
    "xavier",
]

_MODES = ("fan_in", "fan_out", "fan_avg")
_DISTRIBUTIONS = ("normal", "uniform")

# The activation each ``init="auto"`` maps from, following the article:
# He for ReLU layers, its "Xavier" (1/fan_in) for the rest.
_AUTO_INIT = {
    "relu": "he",
    "tanh": "xavier",
    "logistic": "xavier",
    "identity": "xavier",
}


# --------------------------------------------------------------------------
# argument checks
# --------------------------------------------------------------------------
def _check_fan(name, value):
    """Return ``value`` as a Python int, or raise if it is not a positive int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be a positive integer, got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_random_state(random_state):
    if not isinstance(random_state, np.random.RandomState):
        raise TypeError(
            "random_state must be a numpy.random.RandomState instance (use "
            "sklearn.utils.check_random_state to make one), got "
            f"{type(random_state).__name__}."
        )
    return random_state


def _check_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"dtype must be a floating dtype, got {dtype!r}.") from exc
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype must be a floating dtype, got {dtype}.")
    return dtype


def _check_scale(scale):
    if isinstance(scale, bool) or not isinstance(scale, numbers.Real):
        raise ValueError(
            f"scale must be a positive finite number, got {scale!r} "
            f"of type {type(scale).__name__}."
        )
    scale = float(scale)
    if not (math.isfinite(scale) and scale > 0.0):
        raise ValueError(f"scale must be a positive finite number, got {scale!r}.")
    return scale


def _check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")
    return value


# --------------------------------------------------------------------------
# the one mechanism
# --------------------------------------------------------------------------
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
    fan_in : int
        Number of inputs of the layer (rows of the weight matrix), >= 1.
    fan_out : int
        Number of outputs of the layer (columns of the weight matrix), >= 1.
    random_state : numpy.random.RandomState
        Source of all randomness. Exactly one call to its ``normal`` or
        ``uniform`` method is made, with ``size=(fan_in, fan_out)``.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result. The values are drawn in float64 and
        then cast, so a float32 result holds the rounded float64 draw.
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
    ValueError
        If ``fan_in`` or ``fan_out`` is not a positive integer, ``scale`` is
        not positive and finite, ``mode`` or ``distribution`` is unknown, or
        ``dtype`` is not a floating dtype.
    TypeError
        If ``random_state`` is not a :class:`numpy.random.RandomState`.

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

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient
       BackProp", in *Neural Networks: Tricks of the Trade*, Springer, 1998.
    .. [2] X. Glorot and Y. Bengio, "Understanding the difficulty of training
       deep feedforward neural networks", AISTATS 2010.
    .. [3] K. He, X. Zhang, S. Ren and J. Sun, "Delving Deep into Rectifiers:
       Surpassing Human-Level Performance on ImageNet Classification",
       ICCV 2015.

    Examples
    --------
    >>> import numpy as np
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
    fan_in = _check_fan("fan_in", fan_in)
    fan_out = _check_fan("fan_out", fan_out)
    _check_random_state(random_state)
    dtype = _check_dtype(dtype)
    scale = _check_scale(scale)
    mode = _check_choice("mode", mode, _MODES)
    distribution = _check_choice("distribution", distribution, _DISTRIBUTIONS)

    if mode == "fan_in":
        n = float(fan_in)
    elif mode == "fan_out":
        n = float(fan_out)
    else:
        n = (fan_in + fan_out) / 2.0

    size = (fan_in, fan_out)
    if distribution == "normal":
        # scale / n is rounded once, so e.g. Glorot's std equals
        # sqrt(2 / (fan_in + fan_out)) to the last bit.
        std = math.sqrt(scale / n)
        _check_spread("standard deviation", std, scale)
        weights = random_state.normal(0.0, std, size)
    else:
        # 3 * scale is exact for the presets' scales, and the quotient is
        # rounded once, so the bound equals e.g. sqrt(6 / (fan_in + fan_out)).
        limit = math.sqrt(3.0 * scale / n)
        _check_spread("uniform bound", limit, scale)
        weights = random_state.uniform(-limit, limit, size)
    return weights.astype(dtype, copy=False)


def _check_spread(what, value, scale):
    if not (math.isfinite(value) and value > 0.0):
        raise ValueError(
            f"scale={scale!r} gives a {what} of {value!r}; it must be positive "
            "and finite."
        )


# --------------------------------------------------------------------------
# named presets
# --------------------------------------------------------------------------
def lecun_normal(fan_in, fan_out, random_state, dtype=np.float64):
    """LeCun normal initialization: ``W ~ N(0, 1 / fan_in)``.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``normal`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)

    See Also
    --------
    xavier : The same initializer under the article's name.
    variance_scaling : The general mechanism
        (``scale=1, mode="fan_in", distribution="normal"``).

    Notes
    -----
    ``W ~ N(0, sigma^2)`` with ``sigma^2 = 1 / fan_in`` (untruncated).
    This keeps the variance of a linear layer's output equal to that of its
    inputs, and suits tanh-like activations. From LeCun et al. 1998 [1]_.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient
       BackProp", in *Neural Networks: Tricks of the Trade*, Springer, 1998.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import lecun_normal
    >>> W = lecun_normal(500, 200, np.random.RandomState(0))
    >>> print(W.shape, round(float(W.var()) * 500, 1))
    (500, 200) 1.0
    """
    return variance_scaling(
        fan_in,
        fan_out,
        random_state,
        dtype,
        scale=1.0,
        mode="fan_in",
        distribution="normal",
    )


def lecun_uniform(fan_in, fan_out, random_state, dtype=np.float64):
    """LeCun uniform initialization: ``W ~ U(-sqrt(3 / fan_in), sqrt(3 / fan_in))``.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``uniform`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)

    See Also
    --------
    lecun_normal : The Gaussian version.
    variance_scaling : The general mechanism
        (``scale=1, mode="fan_in", distribution="uniform"``).

    Notes
    -----
    Uniform on ``[-limit, limit)`` with ``limit = sqrt(3 / fan_in)``, so that
    the variance ``limit^2 / 3`` equals ``1 / fan_in``. From LeCun et al.
    1998 [1]_.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient
       BackProp", in *Neural Networks: Tricks of the Trade*, Springer, 1998.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import lecun_uniform
    >>> W = lecun_uniform(300, 100, np.random.RandomState(0))
    >>> print(W.shape, bool(np.abs(W).max() <= np.sqrt(3 / 300)))
    (300, 100) True
    """
    return variance_scaling(
        fan_in,
        fan_out,
        random_state,
        dtype,
        scale=1.0,
        mode="fan_in",
        distribution="uniform",
    )


def glorot_normal(fan_in, fan_out, random_state, dtype=np.float64):
    """Glorot (Xavier) normal initialization: ``W ~ N(0, 2 / (fan_in + fan_out))``.

    This is the literature's "Xavier" initialization. The article's (and this
    project's) ``"xavier"`` is the different :func:`lecun_normal`.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``normal`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)

    See Also
    --------
    glorot_uniform : The uniform version, the form used in the paper.
    variance_scaling : The general mechanism
        (``scale=1, mode="fan_avg", distribution="normal"``).

    Notes
    -----
    ``W ~ N(0, sigma^2)`` with ``sigma^2 = 2 / (fan_in + fan_out)``
    (untruncated): the harmonic compromise between keeping the forward
    activations' variance (``1 / fan_in``) and the backward gradients'
    variance (``1 / fan_out``) constant. From Glorot & Bengio 2010 [1]_.

    References
    ----------
    .. [1] X. Glorot and Y. Bengio, "Understanding the difficulty of training
       deep feedforward neural networks", AISTATS 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import glorot_normal
    >>> W = glorot_normal(300, 100, np.random.RandomState(0))
    >>> print(W.shape, round(float(W.var()) * (300 + 100) / 2, 1))
    (300, 100) 1.0
    """
    return variance_scaling(
        fan_in,
        fan_out,
        random_state,
        dtype,
        scale=1.0,
        mode="fan_avg",
        distribution="normal",
    )


def glorot_uniform(fan_in, fan_out, random_state, dtype=np.float64):
    """Glorot (Xavier) uniform initialization, bound ``sqrt(6 / (fan_in + fan_out))``.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``uniform`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)

    See Also
    --------
    glorot_normal : The Gaussian version.
    sklearn_uniform : scikit-learn's variant, which also draws the biases.
    variance_scaling : The general mechanism
        (``scale=1, mode="fan_avg", distribution="uniform"``).

    Notes
    -----
    Uniform on ``[-limit, limit)`` with ``limit = sqrt(6 / (fan_in +
    fan_out))``, so that the variance is ``2 / (fan_in + fan_out)``. This is
    the "normalized initialization", eq. (16) of Glorot & Bengio 2010 [1]_.

    References
    ----------
    .. [1] X. Glorot and Y. Bengio, "Understanding the difficulty of training
       deep feedforward neural networks", AISTATS 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import glorot_uniform
    >>> W = glorot_uniform(300, 100, np.random.RandomState(0))
    >>> print(W.shape, bool(np.abs(W).max() <= np.sqrt(6 / 400)))
    (300, 100) True
    """
    return variance_scaling(
        fan_in,
        fan_out,
        random_state,
        dtype,
        scale=1.0,
        mode="fan_avg",
        distribution="uniform",
    )


def he_normal(fan_in, fan_out, random_state, dtype=np.float64):
    """He (Kaiming) normal initialization: ``W ~ N(0, 2 / fan_in)``.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``normal`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)

    See Also
    --------
    he : The same initializer under the article's name.
    variance_scaling : The general mechanism
        (``scale=2, mode="fan_in", distribution="normal"``).

    Notes
    -----
    ``W ~ N(0, sigma^2)`` with ``sigma^2 = 2 / fan_in`` (untruncated). A ReLU
    zeroes half of its inputs, halving the second moment; the factor 2 makes
    up for it, so the variance stays constant through ReLU layers. From He
    et al. 2015 [1]_.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Delving Deep into Rectifiers:
       Surpassing Human-Level Performance on ImageNet Classification",
       ICCV 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import he_normal
    >>> W = he_normal(500, 200, np.random.RandomState(0))
    >>> print(W.shape, round(float(W.var()) * 500, 1))
    (500, 200) 2.0
    """
    return variance_scaling(
        fan_in,
        fan_out,
        random_state,
        dtype,
        scale=2.0,
        mode="fan_in",
        distribution="normal",
    )


def he_uniform(fan_in, fan_out, random_state, dtype=np.float64):
    """He (Kaiming) uniform initialization, bound ``sqrt(6 / fan_in)``.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``uniform`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)

    See Also
    --------
    he_normal : The Gaussian version.
    variance_scaling : The general mechanism
        (``scale=2, mode="fan_in", distribution="uniform"``).

    Notes
    -----
    Uniform on ``[-limit, limit)`` with ``limit = sqrt(6 / fan_in)``, so that
    the variance is ``2 / fan_in``. From He et al. 2015 [1]_.

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Delving Deep into Rectifiers:
       Surpassing Human-Level Performance on ImageNet Classification",
       ICCV 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import he_uniform
    >>> W = he_uniform(300, 100, np.random.RandomState(0))
    >>> print(W.shape, bool(np.abs(W).max() <= np.sqrt(6 / 300)))
    (300, 100) True
    """
    return variance_scaling(
        fan_in,
        fan_out,
        random_state,
        dtype,
        scale=2.0,
        mode="fan_in",
        distribution="uniform",
    )


def xavier(fan_in, fan_out, random_state, dtype=np.float64):
    """The article's "Xavier" initialization: ``W ~ N(0, 1 / fan_in)``.

    **The literature calls this LeCun normal** (LeCun et al. 1998, "Efficient
    BackProp"); it is exactly :func:`lecun_normal`. Glorot's own formula,
    variance ``2 / (fan_in + fan_out)``, is :func:`glorot_normal` /
    :func:`glorot_uniform`. This project's ``init="xavier"`` follows the
    article, which recommends it for tanh layers.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``normal`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
        Identical, draw for draw, to ``lecun_normal`` with the same arguments.

    See Also
    --------
    lecun_normal : The same initializer under its literature name.
    glorot_normal, glorot_uniform : Glorot & Bengio's formula.

    Notes
    -----
    The article's code is ``np.random.randn(n_out, n_in) * np.sqrt(1 / n_in)``
    (in its own ``(fan_out, fan_in)`` layout), i.e. ``sigma^2 = 1 / fan_in``.
    The name comes from Glorot & Bengio 2010 [2]_, whose analysis the
    article's rule simplifies to the forward pass only; the formula itself
    is LeCun et al.'s [1]_.

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient
       BackProp", in *Neural Networks: Tricks of the Trade*, Springer, 1998.
    .. [2] X. Glorot and Y. Bengio, "Understanding the difficulty of training
       deep feedforward neural networks", AISTATS 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import lecun_normal, xavier
    >>> W = xavier(500, 200, np.random.RandomState(0))
    >>> print(W.shape, round(float(W.var()) * 500, 1))
    (500, 200) 1.0
    >>> bool(np.array_equal(W, lecun_normal(500, 200, np.random.RandomState(0))))
    True
    """
    return lecun_normal(fan_in, fan_out, random_state, dtype)


def he(fan_in, fan_out, random_state, dtype=np.float64):
    """The article's "He" initialization: ``W ~ N(0, 2 / fan_in)``.

    Exactly :func:`he_normal`, under the article's name; recommended for
    ReLU layers.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness; one ``normal`` draw of size
        ``(fan_in, fan_out)`` is taken from it.
    dtype : dtype-like, default=np.float64
        Floating dtype of the result (drawn in float64, then cast).

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
        Identical, draw for draw, to ``he_normal`` with the same arguments.

    See Also
    --------
    he_normal : The same initializer under its literature name.
    he_uniform : The uniform version.

    Notes
    -----
    The article's code is ``np.random.randn(n_out, n_in) * np.sqrt(2 / n_in)``,
    i.e. ``sigma^2 = 2 / fan_in``, from He et al. 2015 [1]_ (also known as
    Kaiming initialization).

    References
    ----------
    .. [1] K. He, X. Zhang, S. Ren and J. Sun, "Delving Deep into Rectifiers:
       Surpassing Human-Level Performance on ImageNet Classification",
       ICCV 2015.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import he
    >>> W = he(500, 200, np.random.RandomState(0), np.float32)
    >>> print(W.shape, W.dtype, round(float(W.var()) * 500, 1))
    (500, 200) float32 2.0
    """
    return he_normal(fan_in, fan_out, random_state, dtype)


# --------------------------------------------------------------------------
# scikit-learn's scheme
# --------------------------------------------------------------------------
def sklearn_uniform(
    fan_in, fan_out, random_state, dtype=np.float64, *, activation="relu"
):
    """scikit-learn's MLP initialization: Glorot-uniform weights and biases.

    Reproduces ``sklearn.neural_network.MLPClassifier`` / ``MLPRegressor``
    initialization bit for bit: called layer by layer with the same
    ``RandomState``, it returns the same initial ``coefs_`` and
    ``intercepts_``.

    Parameters
    ----------
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of randomness. Two ``uniform`` draws are taken, in this
        order: the weights, of size ``(fan_in, fan_out)``, then the biases,
        of size ``fan_out``.
    dtype : dtype-like, default=np.float64
        Floating dtype of the results (drawn in float64, then cast).
    activation : str, default="relu"
        The hidden activation of the network. Only ``"logistic"`` matters:
        it lowers the factor from 6 to 2. As in scikit-learn, the output
        layer uses the hidden activation's factor too.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    biases : ndarray of shape (fan_out,)

    See Also
    --------
    glorot_uniform : The same weights for ``factor = 6``, with zero biases.

    Notes
    -----
    Both weights and biases are drawn from ``U(-bound, bound)`` with
    ``bound = sqrt(factor / (fan_in + fan_out))``, ``factor = 6`` (Glorot &
    Bengio 2010 [1]_, eq. 16) or ``factor = 2`` for ``activation="logistic"``.
    Unlike every other initializer here, the biases are random, and they are
    drawn right after the weights from the same random state.

    References
    ----------
    .. [1] X. Glorot and Y. Bengio, "Understanding the difficulty of training
       deep feedforward neural networks", AISTATS 2010.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import sklearn_uniform
    >>> W, b = sklearn_uniform(300, 100, np.random.RandomState(0))
    >>> print(W.shape, b.shape)
    (300, 100) (100,)
    >>> bound = np.sqrt(6.0 / (300 + 100))
    >>> print(bool(np.abs(W).max() <= bound), bool(np.abs(b).max() <= bound))
    True True
    """
    fan_in = _check_fan("fan_in", fan_in)
    fan_out = _check_fan("fan_out", fan_out)
    _check_random_state(random_state)
    dtype = _check_dtype(dtype)
    if not isinstance(activation, str):
        raise ValueError(f"activation must be a string, got {activation!r}.")

    factor = 2.0 if activation == "logistic" else 6.0
    bound = np.sqrt(factor / (fan_in + fan_out))
    weights = random_state.uniform(-bound, bound, (fan_in, fan_out))
    biases = random_state.uniform(-bound, bound, fan_out)
    return weights.astype(dtype, copy=False), biases.astype(dtype, copy=False)


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
}
"""Named weight initializers, by the names ``init`` accepts (besides
``"auto"`` and ``"sklearn"``)."""


INIT_NAMES = ("auto", *INITIALIZERS, "sklearn")
"""Every name ``init`` accepts; the one list the estimators' parameter
constraints, the docs and the error messages read."""


def _valid_init_names():
    return list(INIT_NAMES)


def resolve_init(init, activation):
    """Turn an ``init`` parameter into a concrete initializer name or callable.

    Parameters
    ----------
    init : str or callable
        ``"auto"``, ``"sklearn"``, a key of :data:`INITIALIZERS`, or a callable
        ``init(fan_in, fan_out, random_state, dtype)``.
    activation : str
        The hidden activation of the network; used only by ``"auto"``.

    Returns
    -------
    init : str or callable
        ``"he"`` for ``init="auto"`` with ``activation="relu"``; ``"xavier"``
        for ``init="auto"`` with ``"tanh"``, ``"logistic"`` or ``"identity"``;
        otherwise ``init`` itself.

    Raises
    ------
    ValueError
        If ``init`` is neither a known name nor a callable (the message lists
        the valid names), or if ``init="auto"`` and ``activation`` has no
        rule.

    Notes
    -----
    The ``"auto"`` rule is the article's: He (variance ``2 / fan_in``, He et
    al. 2015) for ReLU layers and its "Xavier" (variance ``1 / fan_in``,
    LeCun et al. 1998) for tanh; logistic and identity layers get the same as
    tanh.

    Examples
    --------
    >>> from mlpinit.initializers import resolve_init
    >>> resolve_init("auto", "relu"), resolve_init("auto", "tanh")
    ('he', 'xavier')
    >>> resolve_init("glorot_uniform", "relu")
    'glorot_uniform'
    """
    if callable(init):
        return init
    if isinstance(init, str):
        if init == "auto":
            if activation not in _AUTO_INIT:
                raise ValueError(
                    f"init='auto' has no rule for activation={activation!r}; "
                    f"known activations are {list(_AUTO_INIT)}."
                )
            return _AUTO_INIT[activation]
        if init in INITIALIZERS or init == "sklearn":
            return init
    raise ValueError(
        f"init must be one of {_valid_init_names()} or a callable "
        f"init(fan_in, fan_out, random_state, dtype), got {init!r}."
    )


def _callable_name(func):
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    return name if name is not None else repr(func)


def initialize_layer(init, fan_in, fan_out, random_state, dtype, activation):
    """Initial weights and biases of one layer: the estimators' entry point.

    Parameters
    ----------
    init : str or callable
        ``"auto"``, ``"sklearn"``, a key of :data:`INITIALIZERS`, or a callable
        ``init(fan_in, fan_out, random_state, dtype)`` returning an array-like
        of shape ``(fan_in, fan_out)``.
    fan_in : int
        Number of inputs of the layer, >= 1.
    fan_out : int
        Number of outputs of the layer, >= 1.
    random_state : numpy.random.RandomState
        Source of all randomness, shared across the layers of a network.
    dtype : dtype-like
        Floating dtype of the results.
    activation : str
        The hidden activation of the network; picks the ``"auto"`` preset
        and the ``"sklearn"`` factor.

    Returns
    -------
    weights : ndarray of shape (fan_in, fan_out)
    biases : ndarray of shape (fan_out,)
        Drawn by :func:`sklearn_uniform` for ``init="sklearn"``; zeros for
        every other ``init``.

    Raises
    ------
    ValueError
        If ``init`` is unknown (see :func:`resolve_init`), or a callable
        ``init`` returns an array of the wrong shape or with non-finite
        values.

    Notes
    -----
    ``"auto"`` is resolved by :func:`resolve_init`: He for ReLU, the article's
    Xavier (LeCun, variance ``1 / fan_in``) for tanh, logistic and identity.
    A callable's output is converted with ``np.asarray(out, dtype=dtype)``;
    the randomness it uses should come from ``random_state`` for the fit to
    be reproducible.

    Examples
    --------
    >>> import numpy as np
    >>> from mlpinit.initializers import initialize_layer
    >>> rng = np.random.RandomState(0)
    >>> W, b = initialize_layer("auto", 64, 32, rng, np.float32, "relu")
    >>> print(W.shape, W.dtype, b.shape, bool(np.all(b == 0)))
    (64, 32) float32 (32,) True
    >>> W, b = initialize_layer("sklearn", 64, 32, rng, np.float64, "relu")
    >>> print(bool(np.any(b != 0)))
    True
    """
    fan_in = _check_fan("fan_in", fan_in)
    fan_out = _check_fan("fan_out", fan_out)
    _check_random_state(random_state)
    dtype = _check_dtype(dtype)
    init = resolve_init(init, activation)

    if callable(init):
        weights = _call_user_init(init, fan_in, fan_out, random_state, dtype)
    elif init == "sklearn":
        return sklearn_uniform(
            fan_in, fan_out, random_state, dtype, activation=activation
        )
    else:
        weights = INITIALIZERS[init](fan_in, fan_out, random_state, dtype)
    return weights, np.zeros(fan_out, dtype=dtype)


def _call_user_init(init, fan_in, fan_out, random_state, dtype):
    name = _callable_name(init)
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
