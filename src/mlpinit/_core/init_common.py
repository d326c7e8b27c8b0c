"""What the initializer modules share: argument checks and docstring text.

:mod:`mlpinit.initializers` (the variance-scaling presets, the gains and
the estimators' entry points) and :mod:`mlpinit._core.init_orthogonal`
(orthogonal and LSUV) check their arguments and write their docstrings with
these. Plain Python and numpy: the numerical core.
"""

import math
import numbers
import re
import textwrap

import numpy as np

# --------------------------------------------------------------------------
# shared docstring text, written once and filled in by shared_doc
# --------------------------------------------------------------------------
SOURCES = {
    "lecun": 'Y. LeCun, L. Bottou, G. B. Orr and K.-R. Müller, "Efficient '
    'BackProp", in *Neural Networks: Tricks of the Trade*, Springer, 1998.',
    "glorot": 'X. Glorot and Y. Bengio, "Understanding the difficulty of '
    'training deep feedforward neural networks", AISTATS 2010.',
    "he": 'K. He, X. Zhang, S. Ren and J. Sun, "Delving Deep into Rectifiers: '
    'Surpassing Human-Level Performance on ImageNet Classification", ICCV 2015.',
    "klambauer": "G. Klambauer, T. Unterthiner, A. Mayr and S. Hochreiter, "
    '"Self-Normalizing Neural Networks", NeurIPS 2017.',
    "saxe": 'A. M. Saxe, J. L. McClelland and S. Ganguli, "Exact solutions to '
    'the nonlinear dynamics of learning in deep linear neural networks", '
    "ICLR 2014.",
    "mezzadri": 'F. Mezzadri, "How to generate random matrices from the '
    'classical compact groups", Notices of the AMS 54(5), 2007.',
    "mishkin": 'D. Mishkin and J. Matas, "All you need is a good init", ICLR 2016.',
    "torch": "PyTorch, ``torch.nn.init.calculate_gain``, "
    "https://pytorch.org/docs/stable/nn.init.html.",
}

LAYER_PARAMETERS = """\
fan_in : int
    Number of inputs of the layer (rows of the weight matrix), >= 1.
fan_out : int
    Number of outputs of the layer (columns of the weight matrix), >= 1.
random_state : numpy.random.RandomState
    Source of all randomness. The weights are one draw of size
    ``(fan_in, fan_out)`` from its ``normal`` or ``uniform`` method.
dtype : dtype-like, default=np.float64
    Floating dtype of the result. The values are drawn in float64 and then
    cast, so a float32 result holds the rounded float64 draw."""

LAYER_RAISES = """\
ValueError
    If ``fan_in`` or ``fan_out`` is not a positive integer, or ``dtype`` is
    not a floating dtype.
TypeError
    If ``random_state`` is not a :class:`numpy.random.RandomState`."""


def references(sources):
    entries = [
        textwrap.fill(
            f".. [{number}] {SOURCES[key]}", width=76, subsequent_indent="   "
        )
        for number, key in enumerate(sources, start=1)
    ]
    return "References\n----------\n" + "\n".join(entries)


def shared_doc(*sources, blocks=None):
    """Fill in the shared text of a docstring.

    A line that holds only ``{layer_parameters}``, ``{layer_raises}``,
    ``{references}`` (the ``sources``, keys of ``SOURCES``, numbered
    ``[1]_``, ``[2]_``, ... in the order given) or a key of ``blocks`` (a
    mapping of ``key -> text(func)``, such as the initializers'
    ``{preset_sections}``) is replaced by that text, indented like the line.
    The result is an ordinary numpydoc docstring, so Sphinx, ``help()`` and
    doctest read it as if it were written out.
    """

    def decorate(func):
        if func.__doc__ is None:  # python -OO strips docstrings
            return func
        texts = {
            "layer_parameters": lambda: LAYER_PARAMETERS,
            "layer_raises": lambda: LAYER_RAISES,
            "references": lambda: references(sources),
            **{
                key: (lambda text=text: text(func))
                for key, text in (blocks or {}).items()
            },
        }
        lines = []
        for line in func.__doc__.splitlines():
            placeholder = re.fullmatch(r"(\s*)\{(\w+)\}", line)
            if placeholder is None:
                lines.append(line)
                continue
            indent, key = placeholder.groups()
            # A KeyError here, at import, is a misspelt placeholder.
            text = texts[key]()
            lines.extend(indent + row if row else "" for row in text.split("\n"))
        func.__doc__ = "\n".join(lines)
        return func

    return decorate


# --------------------------------------------------------------------------
# argument checks, made once by each public function
# --------------------------------------------------------------------------
def check_fan(name, value):
    """Return ``value`` as a Python int, or raise if it is not a positive int."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(
            f"{name} must be a positive integer, got {value!r} "
            f"of type {type(value).__name__}."
        )
    if value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def check_dtype(dtype):
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise ValueError(f"dtype must be a floating dtype, got {dtype!r}.") from exc
    if not np.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype must be a floating dtype, got {dtype}.")
    return dtype


def check_layer(fan_in, fan_out, random_state, dtype):
    """Check the four arguments every initializer takes; return them normalized."""
    fan_in = check_fan("fan_in", fan_in)
    fan_out = check_fan("fan_out", fan_out)
    if not isinstance(random_state, np.random.RandomState):
        raise TypeError(
            "random_state must be a numpy.random.RandomState instance (use "
            "sklearn.utils.check_random_state to make one), got "
            f"{type(random_state).__name__}."
        )
    return fan_in, fan_out, random_state, check_dtype(dtype)


def check_real(name, value, positive=True):
    """Return ``value`` as a float, or raise if it is not a finite (positive) real."""
    what = "a positive finite number" if positive else "a finite number"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"{name} must be {what}, got {value!r} of type {type(value).__name__}."
        )
    value = float(value)
    if not (math.isfinite(value) and (value > 0.0 or not positive)):
        raise ValueError(f"{name} must be {what}, got {value!r}.")
    return value


def check_choice(name, value, choices):
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)}, got {value!r}.")
    return value


def check_activation(activation):
    if not isinstance(activation, str):
        raise ValueError(f"activation must be a string, got {activation!r}.")
    return activation
