"""Early stopping's held-out rows: the split, and the closure that scores them.

:func:`split_validation` draws the validation rows with scikit-learn's
``train_test_split`` (from the fit's random state, so seeds reproduce
scikit-learn's split); :func:`validation_closure` gives the engine the
``validate(theta) -> (loss, score)`` it calls after each epoch.
"""

import numpy as np
from sklearn.metrics import check_scoring
from sklearn.model_selection import train_test_split


def _stratification(estimator, data):
    """What early stopping's validation split is stratified on, or None.

    Binary (and one-class) targets: the binarized column as bool (above 0.5,
    so that label-smoothed targets, which are never exactly 0, split as the
    plain ones do), which is scikit-learn's own choice, so the same seed
    draws the same validation rows and a class too small to split is named
    as scikit-learn names it ('True', 'False'). scikit-learn leaves
    multiclass unstratified (it stratifies only single-column targets); here
    multiclass is stratified by its labels, a documented departure, unless
    that is impossible (:func:`_split`). Multilabel is not stratified.
    """
    if not estimator._stratify_validation():
        return None
    return data.Y > 0.5 if data.Y.shape[1] == 1 else data.y_labels


def _split(arrays, data, validation_fraction, stratify):
    """train_test_split's parts. A multiclass split that cannot be stratified
    (a class of one row, fewer validation rows than classes) is drawn
    unstratified, as scikit-learn always draws it, from the same random
    state: the departure never refuses data scikit-learn fits."""
    state = data.random_state.get_state()
    try:
        return train_test_split(
            *arrays,
            random_state=data.random_state,
            test_size=validation_fraction,
            stratify=stratify,
        )
    except ValueError:
        if stratify is None or data.Y.shape[1] == 1:
            raise  # scikit-learn refuses these too
    data.random_state.set_state(state)
    return train_test_split(
        *arrays, random_state=data.random_state, test_size=validation_fraction
    )


def split_validation(estimator, data, validation_fraction):
    """``data`` without the validation rows, which go to its ``validation``."""
    stratify = _stratification(estimator, data)
    # The row indices go along (the same draws): which rows train.
    arrays = [data.X, data.Y, data.y_labels, np.arange(data.X.shape[0])]
    if data.sample_weight is not None:
        arrays.append(data.sample_weight)
    try:
        parts = _split(arrays, data, validation_fraction, stratify)
    except ValueError as error:
        # scikit-learn's words first ("The least populated classes in y have
        # only 1 member", "test_size = 1 should be greater or equal to the
        # number of classes"), then what to change here.
        raise ValueError(
            f"{error} The validation set is too small: early_stopping=True "
            f"holds out validation_fraction={validation_fraction} of the "
            f"{data.X.shape[0]} samples"
            + (", stratified by class" if stratify is not None else "")
            + ", which cannot be done. Increase 'validation_fraction' or the "
            "size of your dataset, or set early_stopping=False."
        ) from error
    train, val = parts[0::2], parts[1::2]
    if val[0].shape[0] < 2:
        raise ValueError(
            "The validation set is too small. Increase 'validation_fraction' "
            "or the size of your dataset."
        )
    train_rows = train.pop(3)
    del val[3]
    if data.sample_weight is None:
        train.append(None)
        val.append(None)
    else:
        _check_part_weights(validation_fraction, train[3], val[3])
    return data._replace(
        X=train[0],
        Y=train[1],
        y_labels=train[2],
        sample_weight=train[3],
        validation=val,
        rows=train_rows,
    )


def _check_part_weights(validation_fraction, train_weight, val_weight):
    # A part of zero total weight has no weighted loss or score: the fit
    # would train on nothing, or stop on a meaningless score.
    for part, weight in (("training", train_weight), ("validation", val_weight)):
        if not weight.sum(dtype=np.float64) > 0:
            raise ValueError(
                f"The {part} part of early stopping's split has zero total "
                f"sample weight: early_stopping=True holds out validation_fraction="
                f"{validation_fraction} of the rows, and every {part} row "
                f"drawn has weight 0 ({np.count_nonzero(train_weight)} training and "
                f"{np.count_nonzero(val_weight)} validation rows have weight > 0). "
                "Give more rows a positive weight, change validation_fraction or "
                "random_state, or set early_stopping=False."
            )


def _early_stopping_scorer(estimator, scoring):
    """None (the estimator's own score), ``"loss"``, or a scikit-learn scorer."""
    if scoring is None or scoring == "loss":
        return scoring
    return check_scoring(estimator, scoring=scoring)


def validation_closure(estimator, data, scoring):
    """``validate(theta) -> (loss, score)`` on ``data.validation``."""
    scorer = _early_stopping_scorer(estimator, scoring)
    layout = data.layout

    def validate(theta):
        return estimator._validation_loss_and_score(
            *layout.views(theta), data.validation, scorer
        )

    # What the engine's messages call the scorer.
    label = getattr(scoring, "__qualname__", None) if callable(scoring) else None
    validate.scorer_name = f"scoring={label or repr(scoring)}"
    return validate
