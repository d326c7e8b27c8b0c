"""Export mlpinit's estimators to ONNX with skl2onnx.

Importing this module registers :class:`~mlpinit.MLPClassifier`,
:class:`~mlpinit.MLPRegressor`, :class:`~mlpinit.TabularMLPClassifier`,
:class:`~mlpinit.TabularMLPRegressor`, :class:`~mlpinit.MeanNormStandardizer`,
:class:`~mlpinit.preprocessing.RobustSmoothClipScaler` and
:class:`~mlpinit.preprocessing.PeriodicFeatures` with skl2onnx, after which
``skl2onnx.to_onnx`` converts them, alone or inside a scikit-learn
:class:`~sklearn.pipeline.Pipeline`::

    import mlpinit.onnx  # noqa: F401  (registers the converters)
    from skl2onnx import to_onnx

    onx = to_onnx(model, X[:1].astype("float32"))

It needs the ``onnx`` extra (``pip install "mlpinit[onnx]"``: skl2onnx to
convert, onnxruntime to run the result). Without skl2onnx the module still
imports (there is nothing to register with), and :func:`register` raises an
``ImportError`` that says what to install.

The hidden layers are written here, from the activation records: skl2onnx's
MLP converter knows only identity, tanh, logistic and relu, and each
activation's record gives its ONNX operator (or, for gelu and silu, the few
operators that compose it). The output layer and everything after it
(probabilities, labels, zipmap) come from skl2onnx's own converters for
scikit-learn's MLPs, shown a one-layer network that reads the last hidden
layer: the fitted attributes they read (``coefs_``, ``intercepts_``,
``n_layers_``, ``activation``, ``out_activation_``, ``classes_``) have the
same names and meaning here, and the one private attribute they also read
(the target type, which scikit-learn keeps in a ``LabelBinarizer``) is handed
over through a plain view of the fitted model. Two outputs get one extra node
each, because skl2onnx's regressor converter cannot produce them: several
regression targets (its converter flattens them to one column; the
flattening is undone with a Reshape) and ``loss="poisson"`` (its ``exp``
output, which is an Exp node on top of the identity output). A multilabel
classifier goes through the regressor converter too (its logistic outputs, one
column per label, are the probabilities; the labels are a Greater node),
because skl2onnx's classifier converter mistakes two labels for a binary
problem. A hidden activation with no ONNX form raises a ``ValueError`` that
names it.

The Tabular estimators are the same networks behind their own input steps:
their graph is the fitted ``input_transforms_``, written by the same node
writers as the standalone transformers, then the MLP converters above shown
the scaled input; the regressor's output then gets the target's units back
(``* target_scale_ + target_mean_``) and, with ``clip_predictions``, its clamp.
"""

from types import SimpleNamespace

import numpy as np
from sklearn.utils.validation import check_is_fitted

try:
    from skl2onnx import update_registered_converter
    from skl2onnx._parse import _parse_sklearn_classifier
    from skl2onnx.common.data_types import (
        DoubleTensorType,
        FloatTensorType,
        guess_proto_type,
    )
    from skl2onnx.common.shape_calculator import (
        calculate_linear_classifier_output_shapes,
        calculate_linear_regressor_output_shapes,
    )
    from skl2onnx.operator_converters.multilayer_perceptron import (
        convert_sklearn_mlp_classifier,
        convert_sklearn_mlp_regressor,
    )
    from skl2onnx.proto import onnx_proto
except ImportError as error:  # the onnx extra is not installed
    _SKL2ONNX_IMPORT_ERROR = error
else:
    _SKL2ONNX_IMPORT_ERROR = None

from mlpinit._core.activations import (
    HIDDEN_ACTIVATION_TABLE,
    OUTPUT_ACTIVATIONS,
    activation_record,
)
from mlpinit.neural_network import MLPClassifier, MLPRegressor, target_type
from mlpinit.preprocessing import (
    MeanNormStandardizer,
    PeriodicFeatures,
    RobustSmoothClipScaler,
)
from mlpinit.tabular import TabularMLPClassifier, TabularMLPRegressor

__all__ = ["register"]

# The output activations skl2onnx's MLP converters map onto ONNX operators
# (exp, Poisson's output, gets an Exp node of ours below).
_SKL2ONNX_ACTIVATIONS = set(OUTPUT_ACTIVATIONS) - {"exp"}

# The options skl2onnx declares for its own MLPClassifier converter.
_CLASSIFIER_OPTIONS = {
    "zipmap": [True, False, "columns"],
    "output_class_labels": [False, True],
    "nocl": [True, False],
}


def _float_proto_type(variable):
    """ONNX element type of the computation: double for double input, else float."""
    proto = guess_proto_type(variable.type)
    return (
        onnx_proto.TensorProto.DOUBLE
        if proto == onnx_proto.TensorProto.DOUBLE
        else onnx_proto.TensorProto.FLOAT
    )


def _network_view(model, **overrides):
    """The fitted attributes skl2onnx's MLP converters read, as a plain object."""
    check_is_fitted(model)
    exportable = _exportable_hidden()
    if model.activation not in exportable:
        raise ValueError(
            f"{type(model).__name__}(activation={model.activation!r}) cannot be "
            "exported to ONNX: mlpinit writes only "
            f"{sorted(exportable)} as ONNX operators."
        )
    attributes = {
        "coefs_": [np.asarray(c) for c in model.coefs_],
        "intercepts_": [np.asarray(b) for b in model.intercepts_],
        "n_layers_": model.n_layers_,
        "activation": model.activation,
        "out_activation_": model.out_activation_,
    }
    attributes.update(overrides)
    return SimpleNamespace(**attributes)


def _operator_with(operator, raw_operator, output_names=None, inputs=None):
    """A stand-in for ``operator`` that shows skl2onnx a different model, input or
    output."""
    return SimpleNamespace(
        raw_operator=raw_operator,
        inputs=operator.inputs if inputs is None else inputs,
        outputs=operator.outputs,
        output_full_names=(
            operator.output_full_names if output_names is None else output_names
        ),
    )


def _scalar(scope, container, proto, value):
    name = scope.get_unique_variable_name("constant")
    container.add_initializer(name, proto, [], [value])
    return name


def _node(scope, container, op_type, inputs, output=None, **attributes):
    """Add one node; return its output's name (``output``, or a new one)."""
    if output is None:
        output = scope.get_unique_variable_name(op_type.lower())
    name = scope.get_unique_operator_name(op_type)
    container.add_node(op_type, inputs, output, name=name, **attributes)
    return output


class _Graph:
    """The builder an activation record's ``onnx_nodes`` writes with.

    See :mod:`mlpinit._core.activations`: ``node`` adds one node and returns
    its output's name, ``constant`` a scalar of the graph's element type.
    """

    def __init__(self, scope, container, proto):
        self._scope, self._container = scope, container
        self.compute_type = proto
        self.float_type = onnx_proto.TensorProto.FLOAT
        self.double = proto == onnx_proto.TensorProto.DOUBLE

    def node(self, op_type, inputs, **attributes):
        return _node(self._scope, self._container, op_type, inputs, **attributes)

    def constant(self, value):
        return _scalar(self._scope, self._container, self.compute_type, value)


def _exportable_hidden():
    """The hidden activations whose record gives an ONNX form (read live)."""
    return {name for name, r in HIDDEN_ACTIVATION_TABLE.items() if r.exportable}


def _activation_nodes(graph, record, z):
    """``f(z)``: the record's operator, or the operators composing it.

    The composed form is used where there is no operator (gelu, silu), and in
    double precision, where onnxruntime lacks some operators' double
    kernels (Elu and Selu, LeakyRelu at some opsets).
    """
    if record.onnx_nodes is not None and (record.onnx_operator is None or graph.double):
        return record.onnx_nodes(graph, z)
    return graph.node(record.onnx_operator, z, **record.onnx_attributes)


def _hidden_layers(scope, operator, container, view):
    """Write the hidden layers of ``view`` as ONNX nodes.

    Returns the inputs and the one-layer view (the output layer alone) for
    skl2onnx's converter, which then reads the last hidden layer's output.
    """
    proto = _float_proto_type(operator.inputs[0])
    dtype = np.float64 if proto == onnx_proto.TensorProto.DOUBLE else np.float32
    current = _node(scope, container, "Cast", operator.inputs[0].full_name, to=proto)
    graph = _Graph(scope, container, proto)
    record = activation_record(view.activation)
    for W, b in zip(view.coefs_[:-1], view.intercepts_[:-1]):
        weights = scope.get_unique_variable_name("coefficient")
        container.add_initializer(
            weights, proto, W.shape, W.astype(dtype, copy=False).ravel()
        )
        biases = scope.get_unique_variable_name("intercepts")
        container.add_initializer(biases, proto, [1, b.size], b.astype(dtype))
        z = _node(scope, container, "MatMul", [current, weights])
        z = _node(scope, container, "Add", [z, biases])
        current = _activation_nodes(graph, record, z)
    last_hidden = SimpleNamespace(full_name=current, type=operator.inputs[0].type)
    output_layer = SimpleNamespace(
        **{
            **vars(view),
            "coefs_": view.coefs_[-1:],
            "intercepts_": view.intercepts_[-1:],
            "n_layers_": 2,
            # skl2onnx names the output node after the hidden activation.
            "activation": "identity",
        }
    )
    return [last_hidden], output_layer


def _parse_classifier(scope, model, inputs, custom_parsers=None):
    # skl2onnx's classifier parser reads classes_ before any shape or converter
    # function runs: check here, so an unfitted model raises NotFittedError.
    check_is_fitted(model)
    return _parse_sklearn_classifier(
        scope, model, inputs, custom_parsers=custom_parsers
    )


def _classifier_shapes(operator):
    check_is_fitted(operator.raw_operator)
    calculate_linear_classifier_output_shapes(operator)
    model = operator.raw_operator
    if target_type(model) == "multilabel-indicator":
        # One 0/1 label per column, as predict returns.
        n_rows = operator.inputs[0].get_first_dimension()
        operator.outputs[0].type.shape = [n_rows, len(model.classes_)]


def _convert_classifier(scope, operator, container):
    model = operator.raw_operator
    view = _network_view(
        model,
        classes_=np.asarray(model.classes_),
        # skl2onnx reads the target type where scikit-learn keeps it.
        _label_binarizer=SimpleNamespace(y_type_=target_type(model)),
    )
    inputs, view = _hidden_layers(scope, operator, container, view)
    if target_type(model) == "multilabel-indicator":
        _convert_multilabel(scope, operator, container, view, inputs)
    else:
        convert_sklearn_mlp_classifier(
            scope, _operator_with(operator, view, inputs=inputs), container
        )


def _convert_multilabel(scope, operator, container, view, inputs):
    """Multilabel: the logistic outputs are the probabilities, labels p > 0.5.

    skl2onnx's classifier converter is not used here: it takes two labels for
    a binary problem (probabilities [1 - p0, 1 - p1, p0, p1]), and its
    Binarizer node has no double-precision kernel in onnxruntime. Its
    regressor converter computes the same forward pass, flattened to one
    column; a Reshape restores one column per label.
    """
    n_labels = len(operator.raw_operator.classes_)
    proba = operator.outputs[1].full_name
    flat = scope.get_unique_variable_name("mlp_logistic_one_column")
    convert_sklearn_mlp_regressor(
        scope,
        _operator_with(operator, view, output_names=[flat], inputs=inputs),
        container,
    )
    shape = scope.get_unique_variable_name("proba_shape")
    container.add_initializer(shape, onnx_proto.TensorProto.INT64, [2], [-1, n_labels])
    container.add_node(
        "Reshape", [flat, shape], proba, name=scope.get_unique_operator_name("Reshape")
    )
    half = scope.get_unique_variable_name("half")
    container.add_initializer(half, _float_proto_type(operator.inputs[0]), [], [0.5])
    above = scope.get_unique_variable_name("above_half")
    container.add_node(
        "Greater", [proba, half], above, name=scope.get_unique_operator_name("Greater")
    )
    container.add_node(
        "Cast",
        above,
        operator.outputs[0].full_name,
        to=onnx_proto.TensorProto.INT64,
        name=scope.get_unique_operator_name("Cast"),
    )


def _regressor_shapes(operator):
    check_is_fitted(operator.raw_operator)
    calculate_linear_regressor_output_shapes(operator)
    n_outputs = operator.raw_operator.n_outputs_
    n_rows = operator.inputs[0].get_first_dimension()
    operator.outputs[0].type.shape = [n_rows, n_outputs]


def _convert_regressor(scope, operator, container):
    model = operator.raw_operator
    poisson = model.out_activation_ == "exp"
    if model.out_activation_ not in _SKL2ONNX_ACTIVATIONS and not poisson:
        raise ValueError(
            f"MLPRegressor with output activation {model.out_activation_!r} cannot "
            "be exported to ONNX."
        )
    # Poisson: the linear output, then an Exp node (skl2onnx maps no "exp").
    view = _network_view(model, **({"out_activation_": "identity"} if poisson else {}))
    inputs, view = _hidden_layers(scope, operator, container, view)
    final = operator.output_full_names[0]
    if model.n_outputs_ == 1 and not poisson:
        convert_sklearn_mlp_regressor(
            scope, _operator_with(operator, view, inputs=inputs), container
        )
        return
    # skl2onnx's converter ends with a Reshape to one column: write to an
    # intermediate name, then restore (n_samples, n_outputs) and the link.
    flat = scope.get_unique_variable_name("mlp_output_one_column")
    convert_sklearn_mlp_regressor(
        scope,
        _operator_with(operator, view, output_names=[flat], inputs=inputs),
        container,
    )
    shape = scope.get_unique_variable_name("output_shape")
    container.add_initializer(
        shape, onnx_proto.TensorProto.INT64, [2], [-1, model.n_outputs_]
    )
    if not poisson:
        container.add_node(
            "Reshape",
            [flat, shape],
            final,
            name=scope.get_unique_operator_name("Reshape"),
        )
        return
    reshaped = scope.get_unique_variable_name("mlp_linear_output")
    container.add_node(
        "Reshape",
        [flat, shape],
        reshaped,
        name=scope.get_unique_operator_name("Reshape"),
    )
    container.add_node(
        "Exp", reshaped, final, name=scope.get_unique_operator_name("Exp")
    )


# -- the input transformers ---------------------------------------------------
# Each writes its transform as nodes from the name of its (already cast)
# input, and returns the name of its output: the standalone converters and
# the Tabular estimators' input steps share them.


def _dtype_of(proto):
    return np.float64 if proto == onnx_proto.TensorProto.DOUBLE else np.float32


def _row_constant(scope, container, proto, values, n_features, name):
    """A (1, n_features) initializer: one value per feature, or one broadcast."""
    values = np.asarray(values, dtype=_dtype_of(proto))
    values = np.broadcast_to(values, (n_features,)).ravel()
    constant = scope.get_unique_variable_name(name)
    container.add_initializer(constant, proto, [1, n_features], values)
    return constant


def _standardizer_nodes(scope, container, model, current, proto):
    n_features = model.n_features_in_
    # per_feature=False stores one scalar for the whole array: broadcast.
    if model.with_mean and model.mean_ is not None:
        mean = _row_constant(scope, container, proto, model.mean_, n_features, "mean")
        current = _node(scope, container, "Sub", [current, mean])
    if model.with_norm and model.scale_ is not None:
        scale = _row_constant(
            scope, container, proto, model.scale_, n_features, "scale"
        )
        current = _node(scope, container, "Div", [current, scale])
    return current


def _robust_nodes(scope, container, model, current, proto):
    """``z = (x - center) / scale``, then ``z / hypot(1, z / clip)``.

    ONNX has no ``hypot``: it is written as ``m * sqrt((1/m)**2 + (a/m)**2)``
    with ``a = |z / clip|`` and ``m = max(a, 1)``, so that, as in the
    transform, no square overflows (float32 would, beyond ``|z| ~ 1e19``,
    and send a huge value to 0 rather than to the bound).
    """
    n_features = model.n_features_in_
    center = _row_constant(scope, container, proto, model.center_, n_features, "median")
    scale = _row_constant(scope, container, proto, model.scale_, n_features, "iqr")
    z = _node(scope, container, "Sub", [current, center])
    z = _node(scope, container, "Div", [z, scale])
    if model.clip is None:
        return z
    one = _scalar(scope, container, proto, 1.0)
    bound = _scalar(scope, container, proto, model.clip)
    a = _node(scope, container, "Abs", _node(scope, container, "Div", [z, bound]))
    m = _node(scope, container, "Max", [a, one])
    u = _node(scope, container, "Div", [one, m])
    v = _node(scope, container, "Div", [a, m])
    total = _node(
        scope,
        container,
        "Add",
        [
            _node(scope, container, "Mul", [u, u]),
            _node(scope, container, "Mul", [v, v]),
        ],
    )
    root = _node(scope, container, "Sqrt", total)
    return _node(
        scope, container, "Div", [z, _node(scope, container, "Mul", [m, root])]
    )


def _int64_constant(scope, container, values, name):
    constant = scope.get_unique_variable_name(name)
    container.add_initializer(
        constant, onnx_proto.TensorProto.INT64, [len(values)], list(values)
    )
    return constant


def _periodic_nodes(scope, container, model, current, proto):
    """Each feature's block ``[x_j,] cos(2 pi f_j. x_j), sin(2 pi f_j. x_j)``.

    ``x`` is reshaped to (n, features, 1) and multiplied by the (1, features,
    K) angular frequencies, as the transform's broadcast does; the blocks are
    concatenated on the last axis and flattened back to one row per sample.
    """
    n_features, n_frequencies = model.frequencies_.shape
    dtype = _dtype_of(proto)
    per_feature = 2 * n_frequencies + bool(model.include_original)
    column = _node(
        scope,
        container,
        "Reshape",
        [current, _int64_constant(scope, container, [-1, n_features, 1], "shape")],
    )
    omega = scope.get_unique_variable_name("angular_frequencies")
    container.add_initializer(
        omega,
        proto,
        [1, n_features, n_frequencies],
        (2 * np.pi * model.frequencies_).astype(dtype).ravel(),
    )
    angle = _node(scope, container, "Mul", [column, omega])
    parts = [
        _node(scope, container, "Cos", angle),
        _node(scope, container, "Sin", angle),
    ]
    if model.include_original:
        parts.insert(0, column)
    block = _node(scope, container, "Concat", parts, axis=2)
    flat_shape = [-1, n_features * per_feature]
    return _node(
        scope,
        container,
        "Reshape",
        [block, _int64_constant(scope, container, flat_shape, "shape")],
    )


def _transformer_nodes(model):
    """The node writer of a fitted input transformer."""
    writers = {
        MeanNormStandardizer: _standardizer_nodes,
        RobustSmoothClipScaler: _robust_nodes,
        PeriodicFeatures: _periodic_nodes,
    }
    if type(model) not in writers:
        raise ValueError(
            f"{type(model).__name__} has no ONNX converter in mlpinit; the "
            f"input steps it converts are {sorted(c.__name__ for c in writers)}."
        )
    return writers[type(model)]


def _cast_input(scope, operator, container):
    """The input, cast to the computation's element type; and that type."""
    proto = _float_proto_type(operator.inputs[0])
    name = _node(scope, container, "Cast", operator.inputs[0].full_name, to=proto)
    return name, proto


def _convert_transformer(scope, operator, container):
    model = operator.raw_operator
    check_is_fitted(model)
    current, proto = _cast_input(scope, operator, container)
    current = _transformer_nodes(model)(scope, container, model, current, proto)
    _node(scope, container, "Identity", current, output=operator.outputs[0].full_name)


def _transformer_shapes(operator):
    """One row out per row in, of the input's float type (double stays double)."""
    model = operator.raw_operator
    check_is_fitted(model)
    n_rows = operator.inputs[0].get_first_dimension()
    n_columns = model.n_features_in_
    if isinstance(model, PeriodicFeatures):
        n_columns *= 2 * model.n_frequencies + bool(model.include_original)
    tensor_type = (
        DoubleTensorType
        if isinstance(operator.inputs[0].type, DoubleTensorType)
        else FloatTensorType
    )
    operator.outputs[0].type = tensor_type([n_rows, n_columns])


# -- the Tabular estimators ---------------------------------------------------
# Their input steps, then the network as for MLPClassifier/MLPRegressor (the
# same converters, shown the scaled input), then, for the regressor, the
# target's units back and the optional clamp.


def _tabular_operator(scope, operator, container, output_names=None):
    """A stand-in for ``operator`` whose input is the scaled (and expanded) X."""
    model = operator.raw_operator
    check_is_fitted(model)
    current, proto = _cast_input(scope, operator, container)
    for step in model.input_transforms_:
        current = _transformer_nodes(step)(scope, container, step, current, proto)
    tensor_type = (
        DoubleTensorType if proto == onnx_proto.TensorProto.DOUBLE else FloatTensorType
    )
    scaled = SimpleNamespace(
        full_name=current, type=tensor_type([None, model.coefs_[0].shape[0]])
    )
    return _operator_with(operator, model, output_names, inputs=[scaled])


def _convert_tabular_classifier(scope, operator, container):
    # Label smoothing changes the training targets only: the graph is the MLP's.
    _convert_classifier(scope, _tabular_operator(scope, operator, container), container)


def _convert_tabular_regressor(scope, operator, container):
    """The network's standardized output ``u``, then ``u * scale + mean``,
    clamped to the training targets' range with ``clip_predictions``."""
    model = operator.raw_operator
    standardized = scope.get_unique_variable_name("standardized_prediction")
    _convert_regressor(
        scope,
        _tabular_operator(scope, operator, container, output_names=[standardized]),
        container,
    )
    proto = _float_proto_type(operator.inputs[0])
    n_outputs = model.n_outputs_

    def row(values, name):
        return _row_constant(scope, container, proto, values, n_outputs, name)

    steps = [
        ("Mul", row(model.target_scale_, "target_scale")),
        ("Add", row(model.target_mean_, "target_mean")),
    ]
    if model.clip_predictions:
        steps += [
            ("Max", row(model.target_min_, "target_min")),
            ("Min", row(model.target_max_, "target_max")),
        ]
    current = standardized
    for i, (op_type, constant) in enumerate(steps):
        last = i == len(steps) - 1
        current = _node(
            scope,
            container,
            op_type,
            [current, constant],
            output=operator.outputs[0].full_name if last else None,
        )


def register():
    """Register mlpinit's estimators with skl2onnx.

    Importing :mod:`mlpinit.onnx` calls this once; calling it again does no
    harm. Afterwards ``skl2onnx.to_onnx(model, X[:1])`` converts a fitted
    :class:`~mlpinit.MLPClassifier` (binary, multiclass or multilabel),
    :class:`~mlpinit.MLPRegressor` (one or several targets, squared error or
    Poisson loss), their Tabular counterparts (input steps and target units
    included), :class:`~mlpinit.MeanNormStandardizer`,
    :class:`~mlpinit.preprocessing.RobustSmoothClipScaler` or
    :class:`~mlpinit.preprocessing.PeriodicFeatures`, and pipelines made of
    them and of scikit-learn's own convertible estimators.

    The classifier's ONNX outputs are ``label`` (what ``predict`` returns) and
    ``probabilities`` (``predict_proba``; pass
    ``options={"zipmap": False}`` to get them as a plain tensor rather than a
    list of dicts). The regressor's single output is ``variable``, of shape
    (n_samples, n_outputs).

    Returns
    -------
    None

    Raises
    ------
    ImportError
        If skl2onnx is not installed.
    """
    if _SKL2ONNX_IMPORT_ERROR is not None:
        raise ImportError(
            "mlpinit.onnx needs skl2onnx (and onnxruntime to run the exported "
            'model): pip install "mlpinit[onnx]"'
        ) from _SKL2ONNX_IMPORT_ERROR
    # skl2onnx finds a converter by the model's exact class, so each
    # subclass is registered too.
    for classifier, convert in (
        (MLPClassifier, _convert_classifier),
        (TabularMLPClassifier, _convert_tabular_classifier),
    ):
        update_registered_converter(
            classifier,
            f"Mlpinit{classifier.__name__}",
            _classifier_shapes,
            convert,
            parser=_parse_classifier,
            options=_CLASSIFIER_OPTIONS,
        )
    for regressor, convert in (
        (MLPRegressor, _convert_regressor),
        (TabularMLPRegressor, _convert_tabular_regressor),
    ):
        update_registered_converter(
            regressor, f"Mlpinit{regressor.__name__}", _regressor_shapes, convert
        )
    for transformer in (MeanNormStandardizer, RobustSmoothClipScaler, PeriodicFeatures):
        update_registered_converter(
            transformer,
            f"Mlpinit{transformer.__name__}",
            _transformer_shapes,
            _convert_transformer,
        )


if _SKL2ONNX_IMPORT_ERROR is None:
    register()
