"""The optional PyTorch participant: mlpinit's network, batches, loss and Adam.

Imported only when PyTorch takes part; ``torch_installed`` checks for it
without importing it.
"""

import importlib.util

import numpy as np

from mlpinit._core.activations import activation_record


def torch_installed():
    """Whether PyTorch can be imported (checked without importing it)."""
    return importlib.util.find_spec("torch") is not None


def torch_adam_kind(torch):
    """``"fused"`` if torch has a fused Adam for CPU tensors, else ``"foreach"``.

    Parameters
    ----------
    torch : module
        The imported ``torch``.

    Returns
    -------
    str
    """
    probe = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    try:
        optimizer = torch.optim.Adam([probe], fused=True)
        probe.grad = torch.ones_like(probe)
        optimizer.step()
    except (RuntimeError, TypeError, ValueError):
        return "foreach"
    return "fused"


def _torch_activation(torch, name):
    """The ``torch.nn`` module class of activation ``name``, from its record."""
    module = activation_record(name).torch_module
    if module is None:
        raise ValueError(f"the torch participant has no module for activation={name!r}")
    return getattr(torch.nn, module)


class TorchTrainer:
    """mlpinit's network, batches, loss and Adam, in PyTorch: equal work.

    The weights start as mlpinit's do (``initialize_network`` with the
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

        from mlpinit.initializers import initialize_network

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
        activation = _torch_activation(torch, params["activation"])
        self.random_state = np.random.RandomState(seed)
        out_activation = {
            "squared_error": "identity",
            "binary": "logistic",
            "multiclass": "softmax",
        }[self.kind]
        coefs, intercepts, _ = initialize_network(
            params["init"],
            units,
            self.random_state,
            dtype,
            params["activation"],
            out_activation,
            X,
        )
        layers, linears = [], []
        for i, (fan_in, fan_out) in enumerate(zip(units[:-1], units[1:])):
            W, b = coefs[i], intercepts[i]
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
        self.adam = torch_adam_kind(torch)
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
