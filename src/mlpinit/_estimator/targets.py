"""The targets of the two estimators: validation, encoding, scoring.

:class:`ClassifierTargets` and :class:`RegressorTargets` implement the
hooks :class:`~mlpinit._estimator.base.BaseMLP` calls (``_validate_input``,
``_output_activation``, ``_score_output``, ...) for
:class:`mlpinit.MLPClassifier` and :class:`mlpinit.MLPRegressor`. The
classifier's label bookkeeping, its fitted private ``_target_type``, is
read and written here only.
"""

import numpy as np
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils.multiclass import (
    _check_partial_fit_first_call,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d, validate_data

from mlpinit._estimator.class_weights import (
    TRAINING_DTYPE,
    class_sample_weight,
    weights_in_dtype,
)

# What MLPClassifier can learn; multiclass-multioutput is not among them.
_CLASSIFICATION_TARGETS = ("binary", "multiclass", "multilabel-indicator")


def _validate_xy(estimator, X, y, reset, **kwargs):
    X, y = validate_data(
        estimator,
        X,
        y,
        accept_sparse=["csr", "csc"],
        multi_output=True,
        dtype=(np.float64, np.float32),
        reset=reset,
        **kwargs,
    )
    if y.ndim == 2 and y.shape[1] == 1:
        y = column_or_1d(y, warn=True)
    return X, y


def _label_type_error(y, target_type):
    """The ValueError for targets a classifier cannot learn, naming why."""
    if y.dtype == object and target_type == "unknown":
        # type_of_target calls any object array not of strings "unknown".
        kinds = {isinstance(value, str) for value in y.ravel()}
        if kinds == {True, False}:
            return ValueError(
                "Mix of label input types (string and number): y holds both "
                "strings and numbers, so '1' and 1 would be different classes. "
                "Convert y to one type first, for example y.astype(str)."
            )
        example = type(y.flat[0]).__name__ if y.size else "object"
        return ValueError(
            "Unknown label type: unknown. y has dtype object and holds "
            f"{example} values, which scikit-learn classifies only when they are "
            "strings. Convert y first, for example with y.astype(int) for "
            "integer labels."
        )
    return ValueError(
        f"Unknown label type: {target_type}. Maybe you are trying to fit a "
        "classifier, which expects discrete classes, on a regression "
        "target with continuous values."
    )


def _check_targets_fit(y, dtype):
    """Refuse targets beyond the range of the training dtype."""
    # A Python float: against numpy's float32 maximum, a larger target would
    # be cast to float32 (an overflow warning) before the comparison.
    largest = float(np.finfo(dtype).max)
    if y.size and float(np.max(np.abs(y))) > largest:
        raise ValueError(
            f"The targets y reach {float(np.max(np.abs(y))):.1e}, beyond the "
            f"largest {np.dtype(dtype)} number ({largest:.1e}); the model trains "
            f"in {np.dtype(dtype)}, {TRAINING_DTYPE}, and these targets would "
            "become inf. Scale y down (and the predictions back up), or train "
            "in float64."
        )


class ClassifierTargets:
    """Labels: their types, classes, encoding, class weights and scores."""

    def _learned_target_type(self):
        return self._target_type

    def _start_partial_fit(self, y, classes):
        """On the first ``partial_fit`` call, the classes from ``classes``."""
        if _check_partial_fit_first_call(self, classes):
            # The first batch may lack some classes, so the output layer's
            # shape comes from ``classes``, not from y.
            if type_of_target(y).startswith("multilabel"):
                self.classes_ = np.arange(np.shape(y)[1])
                self._target_type = "multilabel-indicator"
            elif len(self.classes_) <= 2:
                self._target_type = "binary"
            else:
                self._target_type = "multiclass"

    def _proba_from_output(self, output):
        """``predict_proba`` of the network's ``output`` (modified in place)."""
        if self.out_activation_ == "logistic":
            eps = np.finfo(output.dtype).eps
            np.clip(output, eps, 1 - eps, out=output)
        if output.shape[1] == 1 and self._target_type != "multilabel-indicator":
            return np.hstack([1 - output, output])
        return output

    def _validate_input(self, X, y, incremental, reset, sample_weight=None):
        X, y = _validate_xy(self, X, y, reset)
        # One type_of_target call: it scans y, and partial_fit pays for it on
        # every batch.
        target_type = type_of_target(y, input_name="y")
        if target_type not in _CLASSIFICATION_TARGETS:
            raise _label_type_error(y, target_type)
        if not hasattr(self, "classes_") or (not self.warm_start and not incremental):
            self._target_type = target_type
            self.classes_ = (
                np.arange(y.shape[1])
                if target_type == "multilabel-indicator"
                else unique_labels(y)
            )
        else:
            # Numeric labels need no mixed-type check, and np.unique is far
            # cheaper than unique_labels, which scans y's type again.
            seen = np.unique(y) if y.dtype.kind in "biuf" else unique_labels(y)
            if (
                target_type == "multilabel-indicator"
                and self._target_type != target_type
            ):
                # scikit-learn's words (its LabelBinarizer's).
                raise ValueError("The object was not fitted with multilabel input.")
            if self._target_type == "multilabel-indicator":
                if y.ndim != 2 or y.shape[1] != len(self.classes_):
                    raise ValueError(
                        f"y must be a label indicator matrix with {len(self.classes_)} "
                        "columns, as in the earlier fit."
                    )
            elif self.warm_start and not incremental:
                if set(seen) != set(self.classes_):
                    raise ValueError(
                        "warm_start can only be used where `y` has the same "
                        "classes as in the previous call to fit. Previously got "
                        f"{self.classes_}, `y` has {seen}"
                    )
            else:
                unseen = np.setdiff1d(seen, self.classes_)
                if len(unseen):
                    raise ValueError(
                        f"`y` has classes not in `self.classes_`: {unseen}. "
                        f"`self.classes_` has {self.classes_}; pass every class in "
                        "`classes` on the first call to partial_fit."
                    )
        return X, self._binarize(y, X.dtype), y

    def _with_class_weight(self, y, sample_weight, incremental, dtype):
        if self.class_weight is None:
            return sample_weight
        if isinstance(self.class_weight, str) and incremental:
            # SGDClassifier's words: one batch does not show the class
            # frequencies of the whole stream.
            raise ValueError(
                "class_weight 'balanced' is not supported for partial_fit. In "
                "order to use 'balanced' weights, use compute_class_weight("
                "'balanced', classes=classes, y=y). In place of y you can use a "
                "large enough sample of the full training set target to properly "
                "estimate the class frequency distributions. Pass the resulting "
                "weights as the class_weight parameter."
            )
        self._check_class_weight_keys()
        # From classes_, not from this call's y (issue 21).
        weights = class_sample_weight(
            self.class_weight,
            self.classes_,
            y,
            self._target_type == "multilabel-indicator",
            dtype,
        )
        return weights_in_dtype(weights, sample_weight, dtype)

    def _check_class_weight_keys(self):
        multilabel = self._target_type == "multilabel-indicator"
        class_weight = self.class_weight
        if isinstance(class_weight, str):
            return
        if isinstance(class_weight, dict) == multilabel:
            expected = "a list of dicts, one per label," if multilabel else "a dict"
            raise ValueError(
                f"class_weight must be {expected} or 'balanced' for a "
                f"{self._target_type} target; got {type(class_weight).__name__}."
            )
        per_output = class_weight if multilabel else [class_weight]
        if multilabel and len(per_output) != len(self.classes_):
            raise ValueError(
                f"class_weight has {len(per_output)} dicts for a target of "
                f"{len(self.classes_)} labels; give one dict per label."
            )
        known = [0, 1] if multilabel else self.classes_.tolist()
        for weights in per_output:
            unknown = [key for key in weights if key not in known]
            if unknown:
                raise ValueError(
                    f"class_weight has keys that are not classes of y: {unknown}; "
                    f"the classes are {known}."
                )

    def _binarize(self, y, dtype):
        if self._target_type == "multilabel-indicator":
            return np.asarray(y, dtype=dtype)
        index = np.searchsorted(self.classes_, y)
        # One class trains as scikit-learn does: one logistic output whose
        # target is 0 for every row.
        if len(self.classes_) <= 2:
            return (index == 1).astype(dtype)[:, None]
        Y = np.zeros((len(y), len(self.classes_)), dtype=dtype)
        Y[np.arange(len(y)), index] = 1
        return Y

    def _output_activation(self, Y):
        return "softmax" if self._target_type == "multiclass" else "logistic"

    def _stratify_validation(self):
        return self._target_type != "multilabel-indicator"

    def _labels_from_output(self, output):
        if self._target_type == "multilabel-indicator":
            return (output > 0.5).astype(int)
        if len(self.classes_) == 1:
            return np.repeat(self.classes_, output.shape[0])
        if output.shape[1] == 1:
            return self.classes_[(output[:, 0] > 0.5).astype(int)]
        return self.classes_[np.argmax(output, axis=1)]

    def _score_output(self, output, y, sample_weight):
        return accuracy_score(
            y, self._labels_from_output(output), sample_weight=sample_weight
        )


class RegressorTargets:
    """Real targets: their range, the output activation and R^2."""

    def _validate_input(self, X, y, incremental, reset, sample_weight=None):
        X, y = _validate_xy(self, X, y, reset, y_numeric=True)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                "loss='poisson' requires non-negative targets y; the smallest "
                f"given is {np.min(y)}."
            )
        _check_targets_fit(y, X.dtype)
        Y = np.asarray(y, dtype=X.dtype)
        return X, Y.reshape(-1, 1) if Y.ndim == 1 else Y, y

    def _output_activation(self, Y):
        return "exp" if self.loss == "poisson" else "identity"

    def _score_output(self, output, y, sample_weight):
        prediction = output.ravel() if output.shape[1] == 1 else output
        return r2_score(y, prediction, sample_weight=sample_weight)
