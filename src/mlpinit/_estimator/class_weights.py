"""Class weights as sample weights: from the full set of classes, checked.

A ``class_weight`` dict weighs each row by its class. The weight of a class
comes from the estimator's classes (``classes_``, or ``partial_fit``'s
``classes``), not from the classes one call's ``y`` happens to hold: a
``partial_fit`` batch that lacks a weighted class, or a multilabel column
that is all zeros, is as legal as any other. The values get the checks
``sample_weight`` gets (finite, non-negative, representable in the training
dtype), with errors that name ``class_weight``.
"""

from numbers import Real

import numpy as np
from sklearn.utils.class_weight import compute_sample_weight

# What decides the dtype a model trains in, for the messages that refuse
# values it cannot hold.
TRAINING_DTYPE = "the dtype of X (or of the estimator's dtype parameter, if set)"


def checked_class_weight(weights, dtype):
    """``weights`` (one dict) with float values; ValueError for a bad one.

    Every value is checked, also those of classes this call's y lacks: the
    parameter is wrong whatever the batch.
    """
    checked = {}
    for label, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, Real):
            raise ValueError(
                f"class_weight must map classes to numbers; class {label!r} has "
                f"{value!r} ({type(value).__name__})."
            )
        value = float(value)
        # scikit-learn's words for the same values in sample_weight.
        if np.isnan(value):
            raise ValueError(f"Input class_weight contains NaN (class {label!r}).")
        if np.isinf(value):
            raise ValueError(
                f"Input class_weight contains infinity (class {label!r}: {value})."
            )
        if value < 0:
            raise ValueError(
                "Negative values in `class_weight`: class "
                f"{label!r} has weight {value}; class weights must be >= 0."
            )
        _check_holds(label, value, dtype)
        checked[label] = value
    return checked


def _check_holds(label, value, dtype):
    with np.errstate(over="ignore"):
        cast = np.asarray(value, dtype=dtype)
    if (value > 0 and cast == 0) or not np.isfinite(cast):
        raise ValueError(
            f"class_weight has 1 weight(s) that {np.dtype(dtype)} cannot hold: "
            f"class {label!r}'s weight {value:.1e} would become {float(cast)} when "
            f"training in {np.dtype(dtype)}, {TRAINING_DTYPE}. Rescale "
            "class_weight, for example divide it by its mean, or train in float64."
        )


def _row_weights(weights, classes, y):
    """Each row's weight: its class's entry in ``weights``, 1 for the others."""
    per_class = np.array([weights.get(c, 1.0) for c in classes.tolist()])
    return per_class[np.searchsorted(classes, y)]


def class_sample_weight(class_weight, classes, y, multilabel, dtype):
    """The float64 weight of each row given by ``class_weight``.

    Parameters
    ----------
    class_weight : dict, list of dict or "balanced"
        Keys already checked against the classes.
    classes : ndarray
        The estimator's classes (``classes_``); for multilabel, the label
        indices (each label's classes are 0 and 1).
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        The call's labels.
    multilabel : bool
    dtype : dtype
        The training dtype, which must hold every class weight.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    if isinstance(class_weight, str):
        # "balanced" needs the frequencies in y (fit only, every class present).
        return compute_sample_weight(class_weight, y)
    if not multilabel:
        return _row_weights(checked_class_weight(class_weight, dtype), classes, y)
    binary = np.array([0, 1])
    columns = [
        _row_weights(checked_class_weight(weights, dtype), binary, np.asarray(y)[:, k])
        for k, weights in enumerate(class_weight)
    ]
    # The product over the labels, as scikit-learn's compute_sample_weight.
    return np.prod(columns, axis=0, dtype=np.float64)


def weights_in_dtype(class_weights, sample_weight, dtype):
    """``sample_weight`` (already in ``dtype``, or None) times the class weights.

    The product is taken in float64 of the two factors in ``dtype`` (exact
    for float32), then rounded once to ``dtype``, which must hold it:
    a weight that would become 0 or inf raises a ValueError naming
    ``class_weight``, as ``sample_weight``'s own check does.
    """
    with np.errstate(over="ignore"):  # an overflow is the error raised below
        factor = class_weights.astype(dtype).astype(np.float64)
        if sample_weight is not None:
            factor = factor * sample_weight.astype(np.float64)
        cast = factor.astype(dtype)
    wanted = class_weights > 0
    if sample_weight is not None:
        wanted &= sample_weight > 0
    lost = (wanted & (cast == 0)) | ~np.isfinite(cast)
    if lost.any():
        positive = class_weights[class_weights > 0]
        with_sample = "" if sample_weight is None else " times sample_weight"
        raise ValueError(
            f"class_weight{with_sample} has {int(lost.sum())} weight(s) that "
            f"{np.dtype(dtype)} cannot hold: they would become 0 or inf when "
            f"training in {np.dtype(dtype)}, the dtype of X (the class weights "
            f"of the rows range from {positive.min():.1e} to {positive.max():.1e}). "
            "Rescale class_weight, for example divide it by its mean, or pass X "
            "as float64."
        )
    if not cast.sum(dtype=np.float64) > 0:
        raise ValueError(
            "class_weight gives every row of this call weight 0"
            + ("" if sample_weight is None else " (with sample_weight)")
            + "; nothing to fit."
        )
    return cast
