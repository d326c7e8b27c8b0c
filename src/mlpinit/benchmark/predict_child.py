"""One library's ``predict_proba`` time and peak memory, in a process of its own.

Run by :func:`mlpinit.benchmark.predict.run_predict_row` as
``python -m mlpinit.benchmark.predict_child ARGUMENTS_JSON``; it prints one
JSON line. A fresh process per measurement keeps one library's caches and
allocations out of the other's figures. The arguments are a JSON object with
``lib`` (``"sklearn"`` or ``"mlpinit"``), ``dtype``, ``weights`` (an ``.npz``
file of ``coef{i}`` and ``intercept{i}`` arrays), ``seed``, ``n_rows`` and
``threads``.
"""

import json
import sys
import time
import tracemalloc
import warnings

import numpy as np


def load_weights(path, dtype):
    """The ``coef{i}`` and ``intercept{i}`` arrays of an ``.npz`` file, as ``dtype``.

    Parameters
    ----------
    path : str
    dtype : numpy dtype

    Returns
    -------
    coefs, intercepts : list of ndarray
    """
    with np.load(path) as weights:
        n_layers = len(weights.files) // 2
        coefs = [weights[f"coef{i}"].astype(dtype) for i in range(n_layers)]
        intercepts = [weights[f"intercept{i}"].astype(dtype) for i in range(n_layers)]
    return coefs, intercepts


def fitted_classifier(lib, coefs, intercepts, X):
    """A classifier of ``lib`` fitted on a few rows, then given these weights.

    Parameters
    ----------
    lib : {"sklearn", "mlpinit"}
    coefs, intercepts : list of ndarray
    X : ndarray
        Rows of the right width; the first few are fitted on.

    Returns
    -------
    MLPClassifier
    """
    if lib == "sklearn":
        from sklearn.neural_network import MLPClassifier
    else:
        from mlpinit import MLPClassifier
    n_out = coefs[-1].shape[1]
    X_small = X[: 4 * n_out]
    y_small = np.arange(len(X_small)) % n_out
    model = MLPClassifier(
        hidden_layer_sizes=[c.shape[1] for c in coefs[:-1]], max_iter=1
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # one epoch does not converge
        model.fit(X_small, y_small)
    model.coefs_, model.intercepts_ = coefs, intercepts
    return model


def measure(args):
    """Time ``predict_proba`` on ``n_rows`` rows, then trace its peak memory.

    Parameters
    ----------
    args : dict
        The arguments described in the module docstring.

    Returns
    -------
    dict
        ``seconds``, ``peak_bytes`` (tracemalloc's peak during a second
        call) and ``checksum`` (a sum over every thousandth row of
        probabilities, to check that both libraries computed the same).
    """
    from threadpoolctl import threadpool_limits

    dtype = np.dtype(args["dtype"])
    coefs, intercepts = load_weights(args["weights"], dtype)
    X = np.random.RandomState(args["seed"]).standard_normal(
        (args["n_rows"], coefs[0].shape[0])
    )
    X = X.astype(dtype)
    model = fitted_classifier(args["lib"], coefs, intercepts, X)
    with threadpool_limits(limits=args["threads"], user_api="blas"):
        model.predict_proba(X[:1000])
        start = time.perf_counter()
        proba = model.predict_proba(X)
        seconds = time.perf_counter() - start
        checksum = float(proba[:: max(1, len(proba) // 1000)].sum())
        del proba
        tracemalloc.start()
        model.predict_proba(X)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {"seconds": seconds, "peak_bytes": peak, "checksum": checksum}


def main(argv=None):
    """Print :func:`measure` of the JSON arguments as one JSON line.

    Parameters
    ----------
    argv : list of str, optional
        One element, the arguments as JSON; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Exit status.
    """
    argv = sys.argv[1:] if argv is None else argv
    print(json.dumps(measure(json.loads(argv[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
