"""Warnings that name the user's line, not a line inside mlpinit.

A fixed ``stacklevel`` cannot do that: the same warning is raised from fit,
partial_fit, through the callback wrapper or scikit-learn's Pipeline, each at
a different depth. :func:`warn_at_caller` walks the stack instead.
"""

import os
import sys
import warnings

import sklearn

# Frames in these folders are library code, never the line a user wrote.
_LIBRARY_DIRS = tuple(
    os.path.dirname(os.path.abspath(path)) + os.sep
    for path in (__file__, sklearn.__file__)
)


def warn_at_caller(message, category=UserWarning):
    """``warnings.warn`` attributed to the first frame outside mlpinit and sklearn.

    Through a Pipeline or ``cross_val_score`` that is the line that called
    them; inside joblib's workers, joblib's own frame.
    """
    frame, level = sys._getframe(1), 2
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(
        _LIBRARY_DIRS
    ):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, category, stacklevel=level if frame is not None else 2)
