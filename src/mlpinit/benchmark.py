"""Head-to-head benchmark of mlpinit against scikit-learn's own MLPs.

Run it as ``python -m mlpinit benchmark``. Both libraries train the same
network on the same data with the same settings (hidden sizes, solver, batch
size, number of epochs, seed), in one process, with the BLAS threads pinned
by threadpoolctl. The two alternate epoch by epoch (each epoch is one
``partial_fit`` call, and the library that goes first alternates), and each
row reports the median of the per-epoch time ratios, so that load on a shared
machine hits both sides alike. With ``init="sklearn"`` the float64 runs
follow the same trajectory, which the ``loss_rel_diff`` column shows.

When PyTorch is installed, Adam rows get a third participant (``torch=False``
turns it off): the same network as an ``nn.Sequential``, started from the
weights mlpinit starts from, fed the same shuffled batches, with the same
loss (scikit-learn's, L2 term included) and fused Adam, timed in the same
rotation; ``speedup_vs_torch`` is its paired median time ratio to mlpinit.

Prediction is measured in subprocesses: ``predict_proba`` time, and the peak
memory allocated beyond the input and the model (tracemalloc), with the same
weights in both libraries.

This module sits on top of the package: it uses the public estimators only,
and nothing else in mlpinit imports it.
"""

import importlib.util
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass

import numpy as np

PREDICT_CLASSES = 10


@dataclass(frozen=True)
class Workload:
    """One training setting, identical for both libraries.

    Parameters
    ----------
    name : str
    task : {"classification", "regression"}
    n_train, n_test, n_features : int
    hidden : tuple of int
    solver : str
    batch_size : int
    epochs : int
    """

    name: str
    task: str
    n_train: int
    n_test: int
    n_features: int
    hidden: tuple
    solver: str = "adam"
    batch_size: int = 200
    epochs: int = 5

    def data(self, dtype, seed=0):
        """Train and test arrays of ``dtype``; digits ships with scikit-learn."""
        from sklearn.datasets import load_digits, make_classification, make_regression
        from sklearn.model_selection import train_test_split

        n = self.n_train + self.n_test
        if self.name.startswith("digits"):
            X, y = load_digits(return_X_y=True)
            X = X / 16.0
        elif self.task == "regression":
            X, y = make_regression(
                n,
                self.n_features,
                n_informative=self.n_features // 2,
                noise=1.0,
                random_state=seed,
            )
            y = y / np.std(y)
        else:
            n_classes = 10 if self.n_features >= 100 else 2
            X, y = make_classification(
                n,
                self.n_features,
                n_informative=min(30, self.n_features // 2),
                n_classes=n_classes,
                random_state=seed,
            )
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=self.n_test, random_state=seed
        )
        if self.task == "regression":
            y_train, y_test = y_train.astype(dtype), y_test.astype(dtype)
        return X_train.astype(dtype), X_test.astype(dtype), y_train, y_test

    def flops_per_epoch(self):
        """Training FLOPs of one epoch, counted as 6 * n * sum(fan_in * fan_out)."""
        units = [self.n_features, *self.hidden, self._n_outputs()]
        return 6 * self.n_train * sum(a * b for a, b in zip(units[:-1], units[1:]))

    def _n_outputs(self):
        if self.task == "regression":
            return 1
        if self.name.startswith("digits"):
            return 10
        return 10 if self.n_features >= 100 else 1


def default_workloads(quick=False):
    """The benchmark's training workloads; ``quick`` shrinks them to seconds."""
    if quick:
        return [
            Workload("digits", "classification", 1347, 450, 64, (100,), epochs=4),
            Workload("wide", "classification", 4000, 1000, 100, (256, 256), epochs=3),
            Workload("regression", "regression", 4000, 1000, 100, (256, 256), epochs=3),
            Workload("tall", "classification", 16000, 4000, 20, (64, 64), epochs=3),
        ]
    return [
        Workload("digits", "classification", 1347, 450, 64, (100,), epochs=20),
        Workload("wide", "classification", 50000, 10000, 100, (256, 256), epochs=5),
        Workload("regression", "regression", 50000, 10000, 100, (256, 256), epochs=5),
        Workload("tall", "classification", 200000, 20000, 20, (64, 64), epochs=5),
    ]


def _estimators(workload, init, seed):
    from sklearn import neural_network

    import mlpinit

    name = "MLPClassifier" if workload.task == "classification" else "MLPRegressor"
    common = dict(
        hidden_layer_sizes=workload.hidden,
        solver=workload.solver,
        batch_size=workload.batch_size,
        max_iter=workload.epochs,
        tol=0.0,
        n_iter_no_change=workload.epochs + 1,
    )
    # Separate but identically seeded generators: each library's shuffles
    # continue from epoch to epoch exactly as in one multi-epoch fit.
    reference = getattr(neural_network, name)(
        random_state=np.random.RandomState(seed), **common
    )
    ours = getattr(mlpinit, name)(
        init=init, random_state=np.random.RandomState(seed), **common
    )
    return reference, ours


# -- the optional PyTorch participant ---------------------------------------------
def torch_installed():
    """Whether PyTorch can be imported (checked without importing it)."""
    return importlib.util.find_spec("torch") is not None


def _torch_adam_kind(torch):
    """``"fused"`` if torch has a fused Adam for CPU tensors, else ``"foreach"``."""
    probe = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    try:
        optimizer = torch.optim.Adam([probe], fused=True)
        probe.grad = torch.ones_like(probe)
        optimizer.step()
    except (RuntimeError, TypeError, ValueError):
        return "foreach"
    return "fused"


class TorchTrainer:
    """mlpinit's network, batches, loss and Adam, in PyTorch: equal work.

    The weights start as mlpinit's do (``initialize_layer`` with the
    estimator's ``init`` and a ``RandomState(seed)`` like the estimator's),
    and the same generator then shuffles each epoch exactly as mlpinit's
    ``partial_fit`` does, so both see the same batches in the same order. The
    loss is scikit-learn's: mean log loss (softmax or logistic output) or half
    the mean squared error, plus ``0.5 * alpha * ||W||^2 / batch_rows``; the
    L2 gradient is Adam's ``weight_decay`` (``alpha / batch_rows``, weights
    only), as in scikit-learn, which adds it to the gradient. Adam's epsilon
    enters after the bias correction in torch and before it in scikit-learn,
    so the trajectories agree closely but not to the last digit.

    Parameters
    ----------
    estimator : mlpinit MLPClassifier or MLPRegressor
        Its parameters (hidden sizes, activation, init, alpha, batch size,
        Adam's settings) are used; it is not modified.
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
    classes : ndarray or None
        All class labels for a classifier, None for a regressor.
    seed : int
    """

    def __init__(self, estimator, X, y, classes, seed):
        import torch

        from mlpinit.initializers import initialize_layer

        self.torch = torch
        params = estimator.get_params()
        if params["solver"] != "adam":
            raise ValueError("the torch participant runs Adam workloads only")
        if params.get("loss", "squared_error") != "squared_error":
            raise ValueError("the torch participant supports the squared error only")
        dtype = np.dtype(X.dtype)
        tdtype = {"float64": torch.float64, "float32": torch.float32}[dtype.name]
        if classes is None:
            Y, n_out, self.kind = y.astype(dtype).reshape(-1, 1), 1, "squared_error"
        elif len(classes) == 2:
            Y, n_out, self.kind = (y == classes[1]).astype(dtype)[:, None], 1, "binary"
        else:
            Y, n_out = np.searchsorted(classes, y).astype(np.int64), len(classes)
            self.kind = "multiclass"
        hidden = params["hidden_layer_sizes"]
        hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
        units = [X.shape[1], *hidden, n_out]
        activation = {
            "relu": torch.nn.ReLU,
            "tanh": torch.nn.Tanh,
            "logistic": torch.nn.Sigmoid,
            "identity": torch.nn.Identity,
        }[params["activation"]]
        self.random_state = np.random.RandomState(seed)
        layers, linears = [], []
        for i, (fan_in, fan_out) in enumerate(zip(units[:-1], units[1:])):
            W, b = initialize_layer(
                params["init"],
                fan_in,
                fan_out,
                self.random_state,
                dtype,
                params["activation"],
            )
            linear = torch.nn.Linear(fan_in, fan_out, dtype=tdtype)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                linear.bias.copy_(torch.from_numpy(np.ascontiguousarray(b)))
            layers.append(linear)
            linears.append(linear)
            if i < len(units) - 2:
                layers.append(activation())
        self.model = torch.nn.Sequential(*layers)
        self.weights = [lin.weight for lin in linears]
        self.adam = _torch_adam_kind(torch)
        self.optimizer = torch.optim.Adam(
            [
                {"params": self.weights, "weight_decay": 0.0},
                {"params": [lin.bias for lin in linears], "weight_decay": 0.0},
            ],
            lr=params["learning_rate_init"],
            betas=(params["beta_1"], params["beta_2"]),
            eps=params["epsilon"],
            **({"fused": True} if self.adam == "fused" else {"foreach": True}),
        )
        self.alpha = float(params["alpha"])
        batch_size = params["batch_size"]
        n = X.shape[0]
        self.batch_size = min(200, n) if batch_size == "auto" else min(batch_size, n)
        self.X = torch.from_numpy(np.ascontiguousarray(X))
        self.Y = torch.from_numpy(np.ascontiguousarray(Y))
        self.loss_curve = []

    def _data_loss(self, output, target):
        F = self.torch.nn.functional
        if self.kind == "multiclass":
            return F.cross_entropy(output, target)
        if self.kind == "binary":
            return F.binary_cross_entropy_with_logits(output, target)
        return 0.5 * F.mse_loss(output, target)

    def run_epoch(self):
        """One shuffled pass over the data; returns the epoch loss (scikit-learn's)."""
        torch = self.torch
        n = self.X.shape[0]
        permutation = np.arange(n)
        self.random_state.shuffle(permutation)
        index = torch.from_numpy(permutation)
        X, Y = self.X.index_select(0, index), self.Y.index_select(0, index)
        weight_group = self.optimizer.param_groups[0]
        total = torch.zeros((), dtype=torch.float64)
        for start in range(0, n, self.batch_size):
            X_batch = X[start : start + self.batch_size]
            Y_batch = Y[start : start + self.batch_size]
            rows = X_batch.shape[0]
            weight_group["weight_decay"] = self.alpha / rows
            loss = self._data_loss(self.model(X_batch), Y_batch)
            self.optimizer.zero_grad()
            loss.backward()
            with torch.no_grad():
                # The reported loss includes the L2 term at the pre-step weights.
                squares = torch.stack(torch._foreach_norm(self.weights)).square().sum()
                total += (loss.detach() + (0.5 * self.alpha / rows) * squares) * rows
            self.optimizer.step()
        self.loss_curve.append(float(total) / n)
        return self.loss_curve[-1]


def run_training_row(workload, dtype, init, threads, seed=0, with_torch=False):
    """Train both libraries epoch by epoch and return one result row (a dict).

    With ``with_torch`` (Adam workloads only) a :class:`TorchTrainer` is the
    third participant, with ``torch.set_num_threads(threads)``.
    """
    from threadpoolctl import threadpool_limits

    X_train, X_test, y_train, y_test = workload.data(dtype, seed)
    reference, ours = _estimators(workload, init, seed)
    fit_kwargs = {}
    classes = None
    if workload.task == "classification":
        classes = fit_kwargs["classes"] = np.unique(y_train)
    with_torch = with_torch and workload.solver == "adam"
    participants = ["sklearn", "mlpinit"] + (["torch"] if with_torch else [])
    seconds = {lib: [] for lib in participants}
    steps = {
        "sklearn": lambda: reference.partial_fit(X_train, y_train, **fit_kwargs),
        "mlpinit": lambda: ours.partial_fit(X_train, y_train, **fit_kwargs),
    }
    n_warm = min(len(X_train), 4 * workload.batch_size)
    if with_torch:
        import torch

        torch_threads = torch.get_num_threads()
        torch.set_num_threads(threads)
    try:
        if with_torch:
            trainer = TorchTrainer(ours, X_train, y_train, classes, seed)
            steps["torch"] = trainer.run_epoch
        with threadpool_limits(limits=threads, user_api="blas"):
            # An untimed epoch of throwaway models on a slice takes first-call
            # costs (imports, caches, BLAS warm-up) out of the first timed epoch.
            for warmup in _estimators(workload, init, seed + 1):
                warmup.partial_fit(X_train[:n_warm], y_train[:n_warm], **fit_kwargs)
            if with_torch:
                TorchTrainer(
                    ours, X_train[:n_warm], y_train[:n_warm], classes, seed + 1
                ).run_epoch()
            for epoch in range(workload.epochs):
                # Who goes first rotates from epoch to epoch.
                shift = epoch % len(participants)
                for lib in participants[shift:] + participants[:shift]:
                    start = time.perf_counter()
                    steps[lib]()
                    seconds[lib].append(time.perf_counter() - start)
    finally:
        if with_torch:
            torch.set_num_threads(torch_threads)
    ratios = np.array(seconds["sklearn"]) / np.array(seconds["mlpinit"])
    flops = workload.flops_per_epoch()
    ref_loss, our_loss = float(reference.loss_), float(ours.loss_)
    row = {
        "workload": workload.name,
        "dtype": np.dtype(dtype).name,
        "init": init,
        "shape": f"{workload.n_train}x{workload.n_features}",
        "hidden": list(workload.hidden),
        "epochs": workload.epochs,
        "batch_size": workload.batch_size,
        "sklearn_s_per_epoch": float(np.median(seconds["sklearn"])),
        "mlpinit_s_per_epoch": float(np.median(seconds["mlpinit"])),
        "speedup": float(np.median(ratios)),
        "sklearn_gflops": flops / np.median(seconds["sklearn"]) / 1e9,
        "mlpinit_gflops": flops / np.median(seconds["mlpinit"]) / 1e9,
        "sklearn_loss": ref_loss,
        "mlpinit_loss": our_loss,
        "loss_rel_diff": abs(ref_loss - our_loss) / max(abs(ref_loss), 1e-300),
        "sklearn_score": float(reference.score(X_test, y_test)),
        "mlpinit_score": float(ours.score(X_test, y_test)),
        "same_epochs": len(reference.loss_curve_)
        == len(ours.loss_curve_)
        == workload.epochs,
        "same_samples_seen": reference.t_
        == ours.t_
        == workload.epochs * workload.n_train,
    }
    if with_torch:
        torch_loss = trainer.loss_curve[-1]
        row.update(
            torch_s_per_epoch=float(np.median(seconds["torch"])),
            speedup_vs_torch=float(
                np.median(np.array(seconds["torch"]) / np.array(seconds["mlpinit"]))
            ),
            torch_gflops=flops / np.median(seconds["torch"]) / 1e9,
            torch_loss=torch_loss,
            torch_loss_rel_diff=abs(torch_loss - our_loss) / max(abs(our_loss), 1e-300),
            torch_adam=trainer.adam,
            torch_threads=threads,
        )
    return row


# -- prediction, in subprocesses ------------------------------------------------
_PREDICT_CHILD = r"""
import json, sys, time, tracemalloc
import numpy as np
from threadpoolctl import threadpool_limits
args = json.loads(sys.argv[1])
dtype = np.dtype(args["dtype"])
weights = np.load(args["weights"])
n_layers = len(weights.files) // 2
coefs = [weights[f"coef{i}"].astype(dtype) for i in range(n_layers)]
intercepts = [weights[f"intercept{i}"].astype(dtype) for i in range(n_layers)]
X = np.random.RandomState(args["seed"]).standard_normal(
    (args["n_rows"], coefs[0].shape[0])).astype(dtype)
if args["lib"] == "sklearn":
    from sklearn.neural_network import MLPClassifier
else:
    from mlpinit import MLPClassifier
n_out = coefs[-1].shape[1]
X_small = X[: 4 * n_out]
y_small = np.arange(len(X_small)) % n_out
model = MLPClassifier(hidden_layer_sizes=[c.shape[1] for c in coefs[:-1]], max_iter=1)
import warnings
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    model.fit(X_small, y_small)
model.coefs_, model.intercepts_ = coefs, intercepts
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
print(json.dumps({"seconds": seconds, "peak_bytes": peak, "checksum": checksum}))
"""


def _predict_weights(n_features, hidden, seed):
    rng = np.random.RandomState(seed)
    units = [n_features, *hidden, PREDICT_CLASSES]
    arrays = {}
    for i, (a, b) in enumerate(zip(units[:-1], units[1:])):
        arrays[f"coef{i}"] = rng.uniform(-1, 1, (a, b)) * math.sqrt(6 / (a + b))
        arrays[f"intercept{i}"] = np.zeros(b)
    return arrays


def run_predict_row(n_rows, n_features, hidden, dtype, threads, repeats, seed=0):
    """predict_proba time and peak extra memory of both libraries, in subprocesses."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "weights.npz")
        np.savez(path, **_predict_weights(n_features, hidden, seed))
        results = {"sklearn": [], "mlpinit": []}
        for r in range(repeats):
            order = ("sklearn", "mlpinit") if r % 2 == 0 else ("mlpinit", "sklearn")
            for lib in order:
                args = dict(
                    lib=lib,
                    dtype=np.dtype(dtype).name,
                    weights=path,
                    seed=seed,
                    n_rows=n_rows,
                    threads=threads,
                )
                out = subprocess.run(
                    [sys.executable, "-c", _PREDICT_CHILD, json.dumps(args)],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                results[lib].append(json.loads(out.stdout.strip().splitlines()[-1]))
    sk_t = np.array([r["seconds"] for r in results["sklearn"]])
    mi_t = np.array([r["seconds"] for r in results["mlpinit"]])
    sk_mem = max(r["peak_bytes"] for r in results["sklearn"])
    mi_mem = max(r["peak_bytes"] for r in results["mlpinit"])
    checks = [r["checksum"] for lib in results for r in results[lib]]
    return {
        "workload": "predict",
        "dtype": np.dtype(dtype).name,
        "init": "-",
        "shape": f"{n_rows}x{n_features}",
        "hidden": list(hidden),
        "sklearn_s": float(np.median(sk_t)),
        "mlpinit_s": float(np.median(mi_t)),
        "speedup": float(np.median(sk_t / mi_t)),
        "sklearn_peak_mb": sk_mem / 2**20,
        "mlpinit_peak_mb": mi_mem / 2**20,
        "memory_ratio": sk_mem / max(mi_mem, 1),
        "same_output": bool(np.allclose(checks, checks[0], rtol=1e-4)),
    }


# -- running and reporting --------------------------------------------------------
def run_benchmark(
    quick=False,
    dtypes=("float64", "float32"),
    inits=("sklearn", "auto"),
    workloads=None,
    threads=None,
    log=print,
    torch=None,
):
    """Run every training and prediction row and return the list of rows.

    Parameters
    ----------
    quick : bool, default=False
        Smaller data and fewer epochs: the whole run takes well under a minute.
    dtypes : sequence of str, default=("float64", "float32")
    inits : sequence of str, default=("sklearn", "auto")
        mlpinit's ``init`` for each training row; scikit-learn always uses its own.
    workloads : sequence of str or None
        Names to run (``digits``, ``wide``, ``regression``, ``tall``,
        ``predict``); None runs all.
    threads : int or None
        BLAS threads for both libraries; None means the number of CPUs.
    log : callable
        Receives a progress line per row.
    torch : bool or None
        Add PyTorch as a third participant to the Adam training rows; None
        means whenever it is installed.

    Returns
    -------
    list of dict
    """
    threads = threads or os.cpu_count() or 1
    with_torch = torch_installed() if torch is None else bool(torch)
    training = [
        w for w in default_workloads(quick) if not workloads or w.name in workloads
    ]
    if with_torch and training:
        start = time.perf_counter()
        import torch as torch_module

        seconds = time.perf_counter() - start
        log(
            f"torch {torch_module.__version__} imported in {seconds:.1f}s; "
            f"Adam: {_torch_adam_kind(torch_module)}"
        )
    rows = []
    for workload in default_workloads(quick):
        if workloads and workload.name not in workloads:
            continue
        for dtype in dtypes:
            for init in inits:
                rows.append(
                    run_training_row(
                        workload, dtype, init, threads, with_torch=with_torch
                    )
                )
                log(format_row(rows[-1]))
    if not workloads or "predict" in workloads:
        n_rows = 100_000 if quick else 1_000_000
        for dtype in dtypes:
            rows.append(
                run_predict_row(
                    n_rows, 100, (256, 256), dtype, threads, 1 if quick else 3
                )
            )
            log(format_row(rows[-1]))
    return rows


def format_row(row):
    """One line of text for a result row."""
    if row["workload"] == "predict":
        return (
            f"predict {row['dtype']} {row['shape']}: sklearn {row['sklearn_s']:.3f}s "
            f"mlpinit {row['mlpinit_s']:.3f}s speedup {row['speedup']:.2f}x; peak memory "
            f"{row['sklearn_peak_mb']:.0f} MB vs {row['mlpinit_peak_mb']:.0f} MB "
            f"({row['memory_ratio']:.0f}x less)"
        )
    line = (
        f"{row['workload']} {row['dtype']} init={row['init']}: "
        f"speedup {row['speedup']:.2f}x, loss {row['sklearn_loss']:.6g} vs "
        f"{row['mlpinit_loss']:.6g}"
    )
    if "torch_s_per_epoch" in row:
        line += (
            f"; vs torch {row['speedup_vs_torch']:.2f}x, "
            f"torch loss {row['torch_loss']:.6g}"
        )
    return line


def format_table(rows):
    """The result rows as a markdown table (torch columns when any row has them)."""
    torch_columns = any("torch_s_per_epoch" in r for r in rows)
    lines = [
        "| workload | dtype | init | data | hidden | epochs | sklearn s/epoch | mlpinit s/epoch "
        "| speedup | sklearn GFLOP/s | mlpinit GFLOP/s | sklearn loss | mlpinit loss "
        "| loss rel diff | sklearn score | mlpinit score |"
        + (" torch s/epoch | speedup vs torch | torch loss |" if torch_columns else ""),
        "|" + "---|" * (19 if torch_columns else 16),
    ]
    for r in rows:
        if r["workload"] == "predict":
            continue
        line = (
            f"| {r['workload']} | {r['dtype']} | {r['init']} | {r['shape']} | {r['hidden']} "
            f"| {r['epochs']} | {r['sklearn_s_per_epoch']:.4f} | {r['mlpinit_s_per_epoch']:.4f} "
            f"| {r['speedup']:.2f}x | {r['sklearn_gflops']:.1f} | {r['mlpinit_gflops']:.1f} "
            f"| {r['sklearn_loss']:.8g} | {r['mlpinit_loss']:.8g} | {r['loss_rel_diff']:.1e} "
            f"| {r['sklearn_score']:.4f} | {r['mlpinit_score']:.4f} |"
        )
        if torch_columns and "torch_s_per_epoch" in r:
            line += (
                f" {r['torch_s_per_epoch']:.4f} | {r['speedup_vs_torch']:.2f}x "
                f"| {r['torch_loss']:.8g} |"
            )
        elif torch_columns:
            line += " - | - | - |"
        lines.append(line)
    predict = [r for r in rows if r["workload"] == "predict"]
    if predict:
        lines += [
            "",
            "| predict_proba | dtype | data | hidden | sklearn s | mlpinit s | speedup "
            "| sklearn peak MB | mlpinit peak MB | memory ratio | same output |",
            "|" + "---|" * 11,
        ]
        for r in predict:
            lines.append(
                f"| predict | {r['dtype']} | {r['shape']} | {r['hidden']} | {r['sklearn_s']:.3f} "
                f"| {r['mlpinit_s']:.3f} | {r['speedup']:.2f}x | {r['sklearn_peak_mb']:.0f} "
                f"| {r['mlpinit_peak_mb']:.1f} | {r['memory_ratio']:.0f}x | {r['same_output']} |"
            )
    return "\n".join(lines)


def plot_speedups(rows, path):
    """Save a bar chart of the speedup of each row to ``path``."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("--plot needs matplotlib: pip install mlpinit[plot]") from exc
    labels = [f"{r['workload']}\n{r['dtype']}\n{r['init']}" for r in rows]
    speedups = [r["speedup"] for r in rows]
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(rows)), 4))
    ax.bar(range(len(rows)), speedups, color="tab:blue")
    ax.axhline(1.0, color="black", lw=1)
    ax.set_xticks(range(len(rows)), labels, fontsize=7)
    ax.set_ylabel("speedup over scikit-learn (x)")
    ax.set_title("mlpinit vs sklearn.neural_network: median paired time ratio")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def save_json(rows, path):
    """Write the rows, with the run's environment, as JSON."""
    import platform

    import sklearn

    with open(path, "w") as f:
        json.dump(
            {
                "python": platform.python_version(),
                "numpy": np.__version__,
                "sklearn": sklearn.__version__,
                "cpus": os.cpu_count(),
                "torch": getattr(sys.modules.get("torch"), "__version__", None),
                "rows": rows,
            },
            f,
            indent=2,
            default=lambda o: (
                asdict(o) if hasattr(o, "__dataclass_fields__") else str(o)
            ),
        )
