"""MeanNormStandardizer's two norms in front of an MLP, against StandardScaler.

The pipeline is ``make_pipeline(scaler, MLPClassifier((100,), max_iter=100))``
on ``make_classification`` data with 40 features and 5 classes, whose columns
are multiplied by scales spread log-uniformly from 1 to 1e3 (as users' raw
features are). The scalers compared:

- ``MeanNormStandardizer()``, ``norm="l2"``: the article's code, columns of
  standard deviation ``1 / sqrt(n_rows)``;
- ``MeanNormStandardizer(norm="rms")``: unit variance;
- ``StandardScaler()``: unit variance.

The score is the accuracy on a held-out quarter of the rows, for each data
size. Everything is seeded, so a run prints the same scores on one machine
(BLAS may change the last digits elsewhere).

Usage::

    python benchmarks/standardizer_norm.py               # 2,000 and 20,000 rows
    python benchmarks/standardizer_norm.py --rows 2000 --seed 1
"""

import argparse
import warnings

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from mlpinit import MeanNormStandardizer, MLPClassifier

SCALERS = {
    'MeanNormStandardizer(norm="l2")': lambda: MeanNormStandardizer(),
    'MeanNormStandardizer(norm="rms")': lambda: MeanNormStandardizer(norm="rms"),
    "StandardScaler()": StandardScaler,
}


def make_data(n_rows, seed):
    """The issue's dataset: 40 features, 5 classes, column scales 1 to 1e3."""
    X, y = make_classification(
        n_samples=n_rows,
        n_features=40,
        n_informative=20,
        n_classes=5,
        random_state=seed,
    )
    scales = np.logspace(0, 3, X.shape[1])
    np.random.RandomState(seed).shuffle(scales)
    return X * scales, y


def scores(n_rows, seed):
    """Test accuracy of each scaler's pipeline on data of ``n_rows`` rows."""
    X, y = make_data(n_rows, seed)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    result = {}
    for name, scaler in SCALERS.items():
        model = make_pipeline(
            scaler(), MLPClassifier((100,), max_iter=100, random_state=seed)
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        result[name] = model.score(X_test, y_test)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, nargs="+", default=[2000, 20000], help="data sizes"
    )
    parser.add_argument("--seed", type=int, default=0, help="data, split and MLP seed")
    args = parser.parse_args(argv)
    width = max(len(name) for name in SCALERS)
    print(f"{'scaler':<{width}}  " + "  ".join(f"{n:>8,}" for n in args.rows))
    table = {n: scores(n, args.seed) for n in args.rows}
    for name in SCALERS:
        row = "  ".join(f"{table[n][name]:>8.4f}" for n in args.rows)
        print(f"{name:<{width}}  {row}")


if __name__ == "__main__":
    main()
