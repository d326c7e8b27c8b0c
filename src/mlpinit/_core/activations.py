"""Activations, one record each, and the output losses.

Every fact about an activation sits in its :class:`ActivationRecord`: the
function and its derivative, the formula and source the docs print, the
weight gain and the ``init="auto"`` preset, the saturation and dead-unit
rules of the layer statistics, the fused kernel that may replace it, the
ONNX operator (or the few operators composing it) and the PyTorch module
of the benchmark. The training loop, the layer statistics, the
initializers, the ONNX export and the torch participant all read the
record; none keeps a table of its own. A new activation is one
:func:`register_activation` call, here for the built-in ones, or at run time.

Plain numpy and scipy: this is the numerical core and knows nothing of
scikit-learn. Every function works in place on preallocated arrays, because
the training loop calls them once per layer per batch and fresh temporaries
would dominate the cost of small layers.
"""

import math
import numbers
from collections.abc import Callable, Mapping, Set
from dataclasses import dataclass, field

import numpy as np
from scipy.special import erf, expit, xlogy


def _identity(Z):
    return Z


def _relu(Z):
    return np.maximum(Z, 0, out=Z)


def _tanh(Z):
    return np.tanh(Z, out=Z)


def _logistic(Z):
    return expit(Z, out=Z)


# The new activations' constants. SELU's two are Klambauer et al.'s (2017)
# solution for a fixed point at mean 0, variance 1 under LeCun-normal weights.
LEAKY_RELU_SLOPE = 0.01
ELU_ALPHA = 1.0
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _leaky_relu(Z):
    # A boolean mask (an eighth of Z's bytes) instead of a float temporary.
    return np.multiply(Z, LEAKY_RELU_SLOPE, out=Z, where=Z < 0)


def _exponential_linear(Z, alpha, scale):
    # scale * (z if z > 0 else alpha * (exp(z) - 1)): elu and selu. expm1 is
    # exact near 0, and runs only where z < 0.
    negative = Z < 0
    np.expm1(Z, out=Z, where=negative)
    np.multiply(Z, alpha, out=Z, where=negative)
    if scale != 1.0:
        Z *= scale
    return Z


def _elu(Z):
    return _exponential_linear(Z, ELU_ALPHA, 1.0)


def _selu(Z):
    return _exponential_linear(Z, SELU_ALPHA, SELU_SCALE)


# gelu and silu also take ``out``: training keeps their pre-activation Z,
# which their derivatives need, and writes f(Z) beside it.
def _gelu(Z, out=None):
    # The exact form, z * Phi(z) with Phi(z) = (1 + erf(z / sqrt 2)) / 2.
    cdf = np.multiply(Z, SQRT_HALF, out=out)
    erf(cdf, out=cdf)
    cdf += 1.0
    cdf *= 0.5
    if out is None:
        Z *= cdf
        return Z
    return np.multiply(cdf, Z, out=out)


def _silu(Z, out=None):
    sigmoid = expit(Z, out=out)
    if out is None:
        Z *= sigmoid
        return Z
    return np.multiply(sigmoid, Z, out=out)


def _exp(Z):
    return np.exp(Z, out=Z)


def _softmax(Z):
    # Shifting by the row maximum keeps exp from overflowing.
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


# Each derivative is written in terms of the activation's output A where it
# can be, so the pre-activations need not be kept: only gelu and silu, whose
# f' is no function of f, read Z (``preactivation``; None for the others).
# ``scratch`` is a preallocated array of A's shape: multiplying by a 0/1 mask
# is several times cheaper than the boolean indexed assignment
# ``delta[A == 0] = 0``.
def _identity_derivative(A, delta, scratch, preactivation=None):
    return delta


def _relu_derivative(A, delta, scratch, preactivation=None):
    np.greater(A, 0, out=scratch)
    return np.multiply(delta, scratch, out=delta)


def _tanh_derivative(A, delta, scratch, preactivation=None):
    np.multiply(A, A, out=scratch)
    np.subtract(1, scratch, out=scratch)
    return np.multiply(delta, scratch, out=delta)


def _logistic_derivative(A, delta, scratch, preactivation=None):
    np.subtract(1, A, out=scratch)
    delta *= A
    return np.multiply(delta, scratch, out=delta)


def _leaky_relu_derivative(A, delta, scratch, preactivation=None):
    # 1 where a > 0, the slope elsewhere: a has z's sign.
    np.greater(A, 0, out=scratch)
    scratch *= 1.0 - LEAKY_RELU_SLOPE
    scratch += LEAKY_RELU_SLOPE
    return np.multiply(delta, scratch, out=delta)


def _exponential_linear_derivative(A, delta, scratch, alpha, scale):
    # For z < 0, f'(z) = scale * alpha * exp(z) = a + scale * alpha: written
    # from a, so elu and selu need no stored pre-activation.
    np.add(A, scale * alpha, out=scratch)
    np.copyto(scratch, scale, where=A > 0)
    return np.multiply(delta, scratch, out=delta)


def _elu_derivative(A, delta, scratch, preactivation=None):
    return _exponential_linear_derivative(A, delta, scratch, ELU_ALPHA, 1.0)


def _selu_derivative(A, delta, scratch, preactivation=None):
    return _exponential_linear_derivative(A, delta, scratch, SELU_ALPHA, SELU_SCALE)


def _gelu_derivative(A, delta, scratch, preactivation):
    # f'(z) = Phi(z) + z * phi(z). z is used up: it becomes Phi(z), which
    # saves a second scratch array (the training loop recomputes z on the
    # next batch; layer statistics pass a copy).
    Z = preactivation
    np.multiply(Z, Z, out=scratch)
    scratch *= -0.5
    np.exp(scratch, out=scratch)
    scratch *= Z
    scratch *= _INV_SQRT_2PI
    Z *= SQRT_HALF
    erf(Z, out=Z)
    Z += 1.0
    Z *= 0.5
    scratch += Z
    return np.multiply(delta, scratch, out=delta)


def _silu_derivative(A, delta, scratch, preactivation):
    # f'(z) = s(z) * (1 + z * (1 - s(z))) = s(z) * (1 + z - a), s the logistic.
    np.subtract(preactivation, A, out=scratch)
    scratch += 1.0
    delta *= scratch
    expit(preactivation, out=scratch)
    return np.multiply(delta, scratch, out=delta)


# ----------------------------------------------------------------------
# gains: the weight scale that keeps a unit-variance signal's scale
# ----------------------------------------------------------------------
def _leaky_relu_gain(negative_slope):
    # He et al.'s 2015 rule for rectifiers with slope a below 0: 2 / (1 + a^2).
    return math.sqrt(2.0 / (1.0 + negative_slope**2))


def _elu_gain(alpha):
    # 1 / sqrt(E[elu(z)^2]), z ~ N(0, 1), in closed form: the positive half
    # gives 1/2, and E[exp(t z); z < 0] = exp(t^2 / 2) Phi(-t) gives the rest.
    def phi_below(t):  # Phi(-t), the standard normal CDF at -t
        return 0.5 * math.erfc(t / math.sqrt(2.0))

    negative = math.exp(2.0) * phi_below(2.0) - 2.0 * math.exp(0.5) * phi_below(1.0)
    return 1.0 / math.sqrt(0.5 + alpha**2 * (negative + 0.5))


# identity, logistic, tanh, relu and leaky_relu get torch.nn.init's values.
# selu gets 1, not torch's 3/4: with it, lecun_normal and orthogonal keep the
# unit variance of Klambauer et al.'s self-normalizing fixed point (torch's
# own note says to use 1 for that). elu, gelu and silu, which torch and Keras
# leave out, get 1 / sqrt(E[f(z)^2]) for z ~ N(0, 1): the gain that keeps
# the second moment of a unit-variance pre-activation, He et al.'s argument
# applied to f. That rule gives relu, leaky_relu and selu their values
# exactly; gelu's moment is 1/3 + 1/(2 pi sqrt 3), silu's was integrated
# numerically (tests check all three by quadrature).
_GELU_GAIN = 1.0 / math.sqrt(1.0 / 3.0 + 1.0 / (2.0 * math.pi * math.sqrt(3.0)))
_SILU_GAIN = 1.6765324703310913


# ----------------------------------------------------------------------
# ONNX forms written from several operators
# ----------------------------------------------------------------------
# Each takes ``graph`` (mlpinit.onnx's builder: ``graph.node(op_type, inputs,
# **attributes)`` adds a node and returns its output's name,
# ``graph.constant(value)`` a scalar of the graph's type, ``graph.double``
# whether that type is double, ``graph.float_type`` and ``graph.compute_type``
# the ONNX element types) and the pre-activation's name; it returns f's name.
def _gelu_nodes(graph, z):
    # The exact form, z * (1 + erf(z / sqrt 2)) / 2: Erf is in every opset
    # since 9, where the Gelu operator needs opset 20. onnxruntime has no
    # double Erf, so a double graph takes erf in float (relative error 6e-8).
    scaled = graph.node("Mul", [z, graph.constant(SQRT_HALF)])
    if graph.double:
        scaled = graph.node("Cast", scaled, to=graph.float_type)
        cdf = graph.node("Erf", scaled)
        cdf = graph.node("Cast", cdf, to=graph.compute_type)
    else:
        cdf = graph.node("Erf", scaled)
    cdf = graph.node("Add", [cdf, graph.constant(1.0)])
    cdf = graph.node("Mul", [cdf, graph.constant(0.5)])
    return graph.node("Mul", [z, cdf])


def _silu_nodes(graph, z):
    return graph.node("Mul", [z, graph.node("Sigmoid", z)])


def _leaky_relu_nodes(graph, z):
    # max(z, slope * z), for a slope below 1.
    slope = graph.constant(LEAKY_RELU_SLOPE)
    return graph.node("Max", [z, graph.node("Mul", [z, slope])])


def _exponential_linear_nodes(alpha, scale):
    # scale * (relu(z) + alpha * (exp(min(z, 0)) - 1)): elu and selu.
    def nodes(graph, z):
        zero, one = graph.constant(0.0), graph.constant(1.0)
        tail = graph.node("Exp", graph.node("Min", [z, zero]))
        tail = graph.node("Sub", [tail, one])
        tail = graph.node("Mul", [tail, graph.constant(alpha)])
        out = graph.node("Add", [graph.node("Relu", z), tail])
        if scale == 1.0:
            return out
        return graph.node("Mul", [out, graph.constant(scale)])

    return nodes


# ----------------------------------------------------------------------
# the record
# ----------------------------------------------------------------------
#: The derivative shapes :mod:`mlpinit._core.fused` compiles, each written
#: through the activation's output ``a``: relu's step ``a > 0``, leaky_relu's
#: step with slope :data:`LEAKY_RELU_SLOPE`, tanh's ``1 - a^2``, the
#: logistic's ``a (1 - a)``. The two rectifiers also have a fused bias add,
#: activation and dropout (:data:`FUSED_RECTIFIER_KINDS`).
FUSED_KINDS = ("relu", "tanh", "logistic", "leaky_relu")
FUSED_RECTIFIER_KINDS = ("relu", "leaky_relu")


@dataclass(frozen=True, kw_only=True, eq=False)
class GainParameter:
    """The one parameter of a gain that depends on one (leaky_relu's slope).

    Attributes
    ----------
    name : str
        Its name in :func:`mlpinit.initializers.calculate_gain`'s messages.
    default : float
        The value of the activation the core computes.
    positive : bool
        Whether it must be positive (else any finite number).
    """

    name: str
    default: float
    positive: bool


@dataclass(frozen=True, kw_only=True, eq=False)
class ActivationRecord:
    """Everything the package knows about one activation.

    The fields without a default must be given: a record that forgets its
    saturation or rectifier rule, its gain or its ``"auto"`` preset fails
    when it is built, instead of giving a silent NaN statistic later.

    Attributes
    ----------
    name : str
        The ``activation`` parameter's value.
    function : callable
        ``function(Z)`` overwrites the pre-activations ``Z`` with ``f(Z)``
        and returns ``Z``. With ``needs_preactivation``, ``function(Z, out)``
        also writes ``f(Z)`` to ``out`` and leaves ``Z``.
    formula : str
        ``f(x)`` as the docstrings print it.
    source : str
        Where the activation comes from (a citation), or "".
    gain : float or callable
        The weight gain (:func:`mlpinit.initializers.calculate_gain`); a
        callable ``gain(parameter)`` when ``gain_parameter`` is given.
    auto_init : str
        The preset ``init="auto"`` gives a layer of this activation (a key
        of :data:`mlpinit.initializers.INITIALIZERS`).
    saturated : callable or None
        ``saturated(A)``: the boolean mask of outputs within 1% of a bound
        of the range, for the ``saturated_fraction`` statistic; None for an
        activation without a bound (whose statistic is then NaN by
        definition).
    rectifier : bool
        Whether a unit whose output is <= 0 on every probe row counts as
        dead (the ``dead_fraction`` statistic; NaN for the others).
    derivative : callable or None, default=None
        ``derivative(A, delta, scratch, preactivation)`` multiplies ``delta``
        in place by ``f'``, expressed through the output ``A`` where
        possible, and returns it; ``scratch`` is an array of ``A``'s shape,
        ``preactivation`` is ``Z`` (which it may overwrite) with
        ``needs_preactivation``, else None. Required of a hidden activation.
    hidden : bool, default=True
        Whether it may be a hidden layer's activation; output-only
        activations (softmax, exp) come with their loss.
    gain_parameter : GainParameter or None, default=None
        The parameter of a callable ``gain``.
    needs_preactivation : bool, default=False
        Whether ``f'`` needs ``Z``, not only ``A``: training then keeps each
        hidden layer's ``Z`` beside its ``A`` (one more array per layer).
    fused_kind : str or None, default=None
        One of :data:`FUSED_KINDS` whose compiled kernel computes exactly
        this ``derivative`` (bit for bit), or None for numpy.
    fused_forward : bool, default=False
        Whether the bias add, activation and dropout run as the fused
        rectifier kernel of ``fused_kind`` (one of
        :data:`FUSED_RECTIFIER_KINDS`).
    onnx_operator : str or None, default=None
        The ONNX operator computing ``f``, with ``onnx_attributes``.
    onnx_attributes : mapping, default={}
    onnx_nodes : callable or None, default=None
        ``onnx_nodes(graph, z)`` composes ``f`` from several operators (see
        the builders in this module): used when there is no
        ``onnx_operator``, and for double graphs, where onnxruntime lacks
        some operators' double kernels. Without either, the activation
        cannot be exported.
    torch_module : str or None, default=None
        The ``torch.nn`` module computing ``f`` (with its defaults), for the
        benchmark's PyTorch participant.
    """

    name: str
    function: Callable
    formula: str
    source: str
    gain: float | Callable
    auto_init: str
    saturated: Callable | None
    rectifier: bool
    derivative: Callable | None = None
    hidden: bool = True
    gain_parameter: GainParameter | None = None
    needs_preactivation: bool = False
    fused_kind: str | None = None
    fused_forward: bool = False
    onnx_operator: str | None = None
    onnx_attributes: Mapping = field(default_factory=dict)
    onnx_nodes: Callable | None = None
    torch_module: str | None = None

    def apply(self, Z, out=None):
        """``f(Z)``: in place, or, given ``out``, into ``out`` with ``Z`` kept."""
        if out is None:
            return self.function(Z)
        if self.needs_preactivation:
            return self.function(Z, out)
        np.copyto(out, Z)
        return self.function(out)

    @property
    def exportable(self):
        """Whether :mod:`mlpinit.onnx` can write it."""
        return self.onnx_operator is not None or self.onnx_nodes is not None


_REGISTRY = {}
_BUILT_IN = set()


def _check_record(record):
    def fail(problem):
        raise ValueError(f"Activation record {record.name!r}: {problem}.")

    if not isinstance(record, ActivationRecord):
        raise TypeError(
            f"register_activation takes an ActivationRecord, got "
            f"{type(record).__name__}."
        )
    if not isinstance(record.name, str) or not record.name:
        raise ValueError(
            f"Activation record name must be a non-empty string, got {record.name!r}."
        )
    if not callable(record.function):
        fail("function must be callable")
    if record.hidden and not callable(record.derivative):
        fail("a hidden activation needs a callable derivative")
    if record.saturated is not None and not callable(record.saturated):
        fail("saturated must be callable or None (no bound)")
    if not isinstance(record.rectifier, bool):
        fail("rectifier must be True or False")
    if not isinstance(record.auto_init, str) or not record.auto_init:
        fail("auto_init must name an initializer preset")
    if callable(record.gain) != (record.gain_parameter is not None):
        fail("a callable gain needs a gain_parameter, and only it has one")
    if not callable(record.gain) and not (
        isinstance(record.gain, numbers.Real)
        and math.isfinite(record.gain)
        and record.gain > 0
    ):
        fail(f"gain must be a positive finite number, got {record.gain!r}")
    if record.fused_kind is not None and record.fused_kind not in FUSED_KINDS:
        fail(f"fused_kind must be one of {list(FUSED_KINDS)} or None")
    if record.fused_forward and record.fused_kind not in FUSED_RECTIFIER_KINDS:
        fail(f"fused_forward needs a fused_kind among {list(FUSED_RECTIFIER_KINDS)}")
    if record.onnx_nodes is not None and not callable(record.onnx_nodes):
        fail("onnx_nodes must be callable or None")


def register_activation(record, *, replace=False):
    """Add an activation, known from then on to every part of the package.

    Private to the core on purpose (the module is private): a record's
    contracts (the in-place function and derivative, the fused kinds, the
    ONNX graph builder) are internal conventions, not a public promise, and
    a model fitted with a run-time activation only loads in a process that
    registered it again. The built-in activations are registered by this
    module through this very function; the tests register toy ones.

    Parameters
    ----------
    record : ActivationRecord
    replace : bool, default=False
        Allow replacing a run-time record of the same name (a built-in one
        can never be replaced).

    Returns
    -------
    record : ActivationRecord

    Raises
    ------
    ValueError
        If the record is inconsistent (see :class:`ActivationRecord`) or its
        name is taken.
    """
    _check_record(record)
    if record.name in _BUILT_IN or (record.name in _REGISTRY and not replace):
        raise ValueError(f"An activation named {record.name!r} is already registered.")
    _REGISTRY[record.name] = record
    return record


def unregister_activation(name):
    """Remove a run-time record (a built-in one cannot be removed)."""
    if name in _BUILT_IN:
        raise ValueError(f"The built-in activation {name!r} cannot be removed.")
    del _REGISTRY[name]


def activation_record(name):
    """The record of activation ``name``; a ValueError naming the known ones."""
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown activation {name!r}; known activations are {list(_REGISTRY)}."
        ) from None


class _NameView(Set):
    """The names of the registered records that pass ``keep``, live.

    A set (in registration order) that follows the registry: a constraint or
    a check built on it at import sees activations registered later.
    """

    def __init__(self, keep):
        self._keep = keep

    def _names(self):
        return [name for name, r in _REGISTRY.items() if self._keep(r)]

    def __iter__(self):
        return iter(self._names())

    def __len__(self):
        return len(self._names())

    def __contains__(self, name):
        record = _REGISTRY.get(name) if isinstance(name, str) else None
        return record is not None and self._keep(record)

    def __getitem__(self, index):
        return self._names()[index]

    def __repr__(self):
        return repr(tuple(self._names()))

    @classmethod
    def _from_iterable(cls, iterable):
        return frozenset(iterable)


class _RecordView(Mapping):
    """``name -> get(record)`` over the records that pass ``keep``, live."""

    def __init__(self, keep, get):
        self._names = _NameView(keep)
        self._get = get

    def __getitem__(self, name):
        if name not in self._names:
            raise KeyError(name)
        return self._get(_REGISTRY[name])

    def __iter__(self):
        return iter(self._names)

    def __len__(self):
        return len(self._names)

    def __repr__(self):
        return repr(dict(self))


def _is_hidden(record):
    return record.hidden


# ----------------------------------------------------------------------
# the built-in activations, in the order the docs list them
# ----------------------------------------------------------------------
def _saturated_tanh(A):
    # Within 1% of the distance from the centre of the range to a bound.
    return np.abs(A) > 0.99


def _saturated_logistic(A):
    # tanh rescaled to (0, 1), so the same rule as tanh's.
    return (A < 0.005) | (A > 0.995)


def _saturated_elu(A):
    # One-sided, towards -alpha: within 1% of it, f' is below 1% of f'(0-).
    return A < -0.99 * ELU_ALPHA


def _saturated_selu(A):
    return A < -0.99 * SELU_SCALE * SELU_ALPHA


# gelu and silu have no bound (their negative side returns to 0): no
# saturation is defined for them, nor for the unbounded identity and the
# rectifiers, whose flat side is the dead-unit rule instead.
_BUILT_IN_RECORDS = (
    ActivationRecord(
        name="identity",
        function=_identity,
        derivative=_identity_derivative,
        formula="x",
        source="",
        gain=1.0,
        # Linear: the article's "Xavier", 1/fan_in, as every non-ReLU layer.
        auto_init="xavier",
        saturated=None,
        rectifier=False,
        onnx_operator="Identity",
        torch_module="Identity",
    ),
    ActivationRecord(
        name="logistic",
        function=_logistic,
        derivative=_logistic_derivative,
        formula="1 / (1 + exp(-x))",
        source="",
        gain=1.0,
        auto_init="xavier",  # linear near 0
        saturated=_saturated_logistic,
        rectifier=False,
        fused_kind="logistic",
        onnx_operator="Sigmoid",
        torch_module="Sigmoid",
    ),
    ActivationRecord(
        name="tanh",
        function=_tanh,
        derivative=_tanh_derivative,
        formula="tanh(x)",
        source="",
        gain=5.0 / 3.0,
        auto_init="xavier",  # the article's rule for tanh
        saturated=_saturated_tanh,
        rectifier=False,
        fused_kind="tanh",
        onnx_operator="Tanh",
        torch_module="Tanh",
    ),
    ActivationRecord(
        name="relu",
        function=_relu,
        derivative=_relu_derivative,
        formula="max(0, x)",
        source="",
        gain=math.sqrt(2.0),
        auto_init="he",  # He et al. 2015: 2/fan_in for rectifiers
        saturated=None,
        rectifier=True,
        fused_kind="relu",
        fused_forward=True,
        onnx_operator="Relu",
        torch_module="ReLU",
    ),
    ActivationRecord(
        name="leaky_relu",
        function=_leaky_relu,
        derivative=_leaky_relu_derivative,
        formula=f"max(x, {LEAKY_RELU_SLOPE} x)",
        source="Maas, Hannun & Ng 2013, rectifier nonlinearities (slope 0.01)",
        gain=_leaky_relu_gain,
        gain_parameter=GainParameter(
            name="negative_slope", default=LEAKY_RELU_SLOPE, positive=False
        ),
        # He's 2/fan_in: the exact 2 / (1 + a^2) is within 0.01% of it at
        # the default slope a = 0.01.
        auto_init="he",
        saturated=None,
        # Nearly flat below 0 (slope 0.01): a unit there on every row
        # gets 1% of a live unit's gradient.
        rectifier=True,
        fused_kind="leaky_relu",
        fused_forward=True,
        onnx_operator="LeakyRelu",
        onnx_attributes={"alpha": LEAKY_RELU_SLOPE},
        # onnxruntime lacks a double LeakyRelu at some opsets.
        onnx_nodes=_leaky_relu_nodes,
        torch_module="LeakyReLU",
    ),
    ActivationRecord(
        name="elu",
        function=_elu,
        derivative=_elu_derivative,
        formula="x if x > 0 else exp(x) - 1",
        source="Clevert, Unterthiner & Hochreiter 2016, ELU (alpha = 1)",
        gain=_elu_gain,
        gain_parameter=GainParameter(name="alpha", default=ELU_ALPHA, positive=True),
        # A smooth rectifier: its squared gain, 1.55, is nearer He's 2
        # than LeCun's 1.
        auto_init="he",
        saturated=_saturated_elu,
        rectifier=False,
        onnx_operator="Elu",
        onnx_attributes={"alpha": ELU_ALPHA},
        onnx_nodes=_exponential_linear_nodes(ELU_ALPHA, 1.0),  # no double Elu
        torch_module="ELU",
    ),
    ActivationRecord(
        name="selu",
        function=_selu,
        derivative=_selu_derivative,
        formula="scale * (x if x > 0 else alpha * (exp(x) - 1)), "
        f"alpha = {SELU_ALPHA!r}, scale = {SELU_SCALE!r}",
        source="Klambauer, Unterthiner, Mayr & Hochreiter 2017, "
        "self-normalizing networks (use with lecun_normal weights)",
        gain=1.0,
        # Klambauer et al. 2017: SELU self-normalizes on LeCun-normal weights.
        auto_init="lecun_normal",
        saturated=_saturated_selu,
        rectifier=False,
        onnx_operator="Selu",
        onnx_attributes={"alpha": SELU_ALPHA, "gamma": SELU_SCALE},
        onnx_nodes=_exponential_linear_nodes(SELU_ALPHA, SELU_SCALE),
        torch_module="SELU",
    ),
    ActivationRecord(
        name="gelu",
        function=_gelu,
        derivative=_gelu_derivative,
        formula="x * Phi(x) = x * (1 + erf(x / sqrt(2))) / 2 "
        "(exact, not the tanh form)",
        source="Hendrycks & Gimpel 2016, Gaussian error linear units",
        gain=_GELU_GAIN,
        auto_init="he",  # squared gain 2.35
        saturated=None,
        rectifier=False,
        needs_preactivation=True,
        # No operator of the common opsets computes it.
        onnx_nodes=_gelu_nodes,
        torch_module="GELU",
    ),
    ActivationRecord(
        name="silu",
        function=_silu,
        derivative=_silu_derivative,
        formula="x / (1 + exp(-x))",
        source="Elfwing, Uchibe & Doya 2018 (SiLU); Ramachandran, Zoph & Le "
        "2017's swish with beta = 1",
        gain=_SILU_GAIN,
        auto_init="he",  # squared gain 2.81
        saturated=None,
        rectifier=False,
        needs_preactivation=True,
        onnx_nodes=_silu_nodes,
        torch_module="SiLU",
    ),
    # Output layers: no activation of the network follows them, so gain 1
    # and the linear rule, 1/fan_in, as the article gives every non-ReLU
    # layer. Each comes with its loss (OUTPUT_LOSSES); no hidden layer uses
    # them.
    ActivationRecord(
        name="exp",
        function=_exp,
        formula="exp(x)",
        source="",
        gain=1.0,
        auto_init="xavier",
        saturated=None,
        rectifier=False,
        hidden=False,
    ),
    ActivationRecord(
        name="softmax",
        function=_softmax,
        formula="exp(x) / sum(exp(x))",
        source="",
        gain=1.0,
        auto_init="xavier",
        saturated=None,
        rectifier=False,
        hidden=False,
    ),
)

for _record in _BUILT_IN_RECORDS:
    register_activation(_record)
    _BUILT_IN.add(_record.name)
del _record

#: The hidden activations' records by name, in the order the docs list them:
#: a live view of the registry (a run-time record appears in it).
HIDDEN_ACTIVATION_TABLE = _RecordView(_is_hidden, lambda record: record)

#: The names of the hidden activations: a live set, in registration order,
#: so that a parameter constraint built on it sees run-time records.
HIDDEN_ACTIVATIONS = _NameView(_is_hidden)

#: Output activations, each paired with its canonical loss (below): fixed,
#: since a loss comes with each.
OUTPUT_ACTIVATIONS = {
    name: _REGISTRY[name].function
    for name in ("identity", "exp", "logistic", "softmax")
}

#: Every activation function by name, hidden and output (live).
ACTIVATIONS = _RecordView(lambda record: True, lambda record: record.function)

#: The derivative of each hidden activation, by name (live).
DERIVATIVES = _RecordView(_is_hidden, lambda record: record.derivative)

#: The hidden activations whose derivative reads the pre-activation ``Z`` (live).
NEEDS_PREACTIVATION = _NameView(
    lambda record: record.hidden and record.needs_preactivation
)


# Per-sample losses, summed over the outputs. Each output
# activation is paired with its canonical loss, so the gradient with respect
# to the output pre-activation is simply ``prediction - target``.
def _squared_error(Y, P):
    # Half the squared error summed over the outputs: the function whose
    # gradient is ``P - Y``. scikit-learn averages over the outputs instead,
    # so its multi-output loss is n_outputs times smaller than the function
    # its gradient belongs to, which misleads L-BFGS's line search
    # (scikit-learn issue #8349). Single-output losses are identical.
    diff = Y - P
    return 0.5 * np.einsum("ij,ij->i", diff, diff)


def _poisson(Y, P):
    return (xlogy(Y, Y / P) - Y + P).sum(axis=1)


def _clipped(P):
    eps = np.finfo(P.dtype).eps
    return np.clip(P, eps, 1 - eps)


def _binary_log_loss(Y, P):
    P = _clipped(P)
    return -(xlogy(Y, P) + xlogy(1 - Y, 1 - P)).sum(axis=1)


def _log_loss(Y, P):
    return -xlogy(Y, _clipped(P)).sum(axis=1)


# Keyed by the output activation: it determines the loss.
OUTPUT_LOSSES = {
    "identity": _squared_error,
    "exp": _poisson,
    "logistic": _binary_log_loss,
    "softmax": _log_loss,
}


def sample_losses(out_activation, Y, P):
    """Per-sample loss of predictions ``P`` against targets ``Y``.

    Parameters
    ----------
    out_activation : {"identity", "exp", "logistic", "softmax"}
        The output activation, which fixes the canonical loss: half the
        squared error, Poisson deviance (halved), binary or categorical log
        loss, each summed over the outputs.
    Y, P : ndarray of shape (n_samples, n_outputs)
        Targets and predictions.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    return OUTPUT_LOSSES[out_activation](Y, P)
