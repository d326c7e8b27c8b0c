"""Fused elementwise kernels of one training step, compiled by numba.

Why: every numpy ufunc is one pass over its arrays and one Python call. An
Adam step is twelve of them over the whole parameter vector (two of them a
square root and a division), a ReLU layer's bias, activation and derivative
four more over each batch's activations. Here each is one loop, compiled by
numba (``cache=True``: the compiled code is kept on disk, so only the first
fit on a machine pays the compilation).

Every kernel performs the same floating-point operations, in the same order
and at the same precision, as its numpy reference (``reference_*`` below);
numba does not reorder them or contract ``a * b + c`` into an FMA unless
asked to (``fastmath``, which is off). The two give bit-identical results,
and tests/test_fused.py checks it. Where numba is not installed, the numpy
references run instead: slower, never different.

Scalars reach a kernel as the arrays' dtype (numpy's own rule for a Python
float meeting a float32 array), so float32 stays float32 arithmetic.

This module is the numerical core: numpy (and numba) only.
"""

import numpy as np

from mlpinit._core.activations import (
    FUSED_KINDS,
    FUSED_RECTIFIER_KINDS,
    LEAKY_RELU_SLOPE,
    sample_losses,
)


# ----------------------------------------------------------------------
# numpy references: the unfused operations, also the fallback
# ----------------------------------------------------------------------
def reference_adam(theta, grad, m, v, tmp, den, coefs):
    """Adam's update of ``theta`` in place (see :class:`~.optimizers.Adam`).

    ``coefs`` is ``(beta_1, 1 - beta_1, beta_2, 1 - beta_2, -step_size,
    epsilon, decay_factor, n_decayed)``; the first ``n_decayed`` entries of
    ``theta`` are multiplied by ``decay_factor`` first (AdamW).
    """
    beta_1, one_minus_beta_1, beta_2, one_minus_beta_2 = coefs[:4]
    minus_step, epsilon, decay_factor, n_decayed = coefs[4:]
    if decay_factor != 1.0:
        theta[:n_decayed] *= decay_factor
    m *= beta_1
    m += np.multiply(grad, one_minus_beta_1, out=tmp)
    v *= beta_2
    np.multiply(grad, grad, out=tmp)
    tmp *= one_minus_beta_2
    v += tmp
    np.sqrt(v, out=den)
    den += epsilon
    np.multiply(m, minus_step, out=tmp)
    tmp /= den
    theta += tmp


def reference_sgd(theta, grad, velocity, tmp, step, coefs):
    """SGD with momentum, in place (see :class:`~.optimizers.SGD`).

    ``coefs`` is ``(learning_rate, momentum, nesterov, decay_factor,
    n_decayed)``.
    """
    rate, momentum, nesterov, decay_factor, n_decayed = coefs
    if decay_factor != 1.0:
        theta[:n_decayed] *= decay_factor
    scaled_grad = np.multiply(grad, rate, out=tmp)
    velocity *= momentum
    velocity -= scaled_grad
    if nesterov:
        np.multiply(velocity, momentum, out=step)
        step -= scaled_grad
        theta += step
    else:
        theta += velocity


def reference_add_scaled(target, source, factor, scratch):
    """``target += source * factor``, in two passes through ``scratch``."""
    np.multiply(source, factor, out=scratch)
    target += scratch


def reference_bias_relu(Z, bias, mask, dropped, leaky=False):
    """``Z = relu(Z + bias)``; with a dropout ``mask``, ``dropped = Z * mask``.

    ``leaky``: leaky_relu, ``z * LEAKY_RELU_SLOPE`` where ``z < 0``.
    """
    Z += bias
    if leaky:
        np.multiply(Z, LEAKY_RELU_SLOPE, out=Z, where=Z < 0)
    else:
        np.maximum(Z, 0, out=Z)
    if mask is not None:
        np.multiply(Z, mask, out=dropped)


def reference_backward(kind, A, delta, mask, scratch):
    """``delta *= mask`` (if any), then ``delta *= f'``, written through ``A``.

    ``kind`` is one of :data:`FUSED_DERIVATIVES`; the operations are those of
    the derivatives in :mod:`mlpinit._core.activations`.
    """
    if mask is not None:
        delta *= mask
    if kind == "relu":
        np.greater(A, 0, out=scratch)
    elif kind == "leaky_relu":
        np.greater(A, 0, out=scratch)
        scratch *= 1.0 - LEAKY_RELU_SLOPE
        scratch += LEAKY_RELU_SLOPE
    elif kind == "tanh":
        np.multiply(A, A, out=scratch)
        np.subtract(1, scratch, out=scratch)
    elif kind == "logistic":
        np.subtract(1, A, out=scratch)
        delta *= A
    np.multiply(delta, scratch, out=delta)


def reference_binary_log_loss(Y, P, out):
    """Per-sample binary log loss into ``out``: the reference of
    :func:`mlpinit._core.activations.sample_losses` for a logistic output.

    The compiled kernel sums the same terms in the same order; its ``log``
    is LLVM's, not numpy's, so the two agree to an ulp or so, not bit for
    bit. Only the reported loss depends on it, never the gradient.
    """
    out[...] = sample_losses("logistic", Y, P)
    return out


#: The derivative kinds with a fused kernel: an activation record names its
#: own (``fused_kind``), so that this module knows kinds, not activations.
FUSED_DERIVATIVES = FUSED_KINDS

#: The kinds whose bias add, activation and dropout have a fused kernel.
FUSED_ACTIVATIONS = FUSED_RECTIFIER_KINDS
_KIND = {name: code for code, name in enumerate(FUSED_DERIVATIVES)}


# ----------------------------------------------------------------------
# the compiled kernels
# ----------------------------------------------------------------------
def _compile(numba):
    # error_model="numpy": a division by zero gives inf as in numpy, instead
    # of a Python exception whose check keeps the loop from vectorizing.
    jit = numba.njit(cache=True, error_model="numpy", nogil=True)

    @jit
    def adam(theta, grad, m, v, coefs, n_decayed):
        beta_1, one_minus_beta_1, beta_2, one_minus_beta_2 = coefs[:4]
        minus_step, epsilon, decay_factor = coefs[4:7]
        for i in range(theta.shape[0]):
            g = grad[i]
            m_i = beta_1 * m[i] + g * one_minus_beta_1
            v_i = beta_2 * v[i] + (g * g) * one_minus_beta_2
            m[i], v[i] = m_i, v_i
            t = theta[i] * decay_factor if i < n_decayed else theta[i]
            theta[i] = t + (m_i * minus_step) / (np.sqrt(v_i) + epsilon)

    @jit
    def sgd(theta, grad, velocity, coefs, nesterov, n_decayed):
        rate, momentum, decay_factor = coefs[0], coefs[1], coefs[2]
        for i in range(theta.shape[0]):
            scaled = grad[i] * rate
            v_i = velocity[i] * momentum - scaled
            velocity[i] = v_i
            t = theta[i] * decay_factor if i < n_decayed else theta[i]
            theta[i] = t + (v_i * momentum - scaled if nesterov else v_i)

    @jit
    def add_scaled(target, source, factor):
        for i in range(target.shape[0]):
            target[i] += source[i] * factor

    @jit
    def rectify(z, leaky, slope):
        # As np.maximum(z, 0), or leaky_relu's where=z < 0: a NaN stays NaN.
        if z < 0:
            return z * slope if leaky else 0 * slope
        return z

    @jit
    def bias_relu(Z, bias, leaky, slope):
        for r in range(Z.shape[0]):
            for c in range(Z.shape[1]):
                Z[r, c] = rectify(Z[r, c] + bias[c], leaky, slope)

    @jit
    def bias_relu_dropout(Z, bias, leaky, slope, mask, dropped):
        for r in range(Z.shape[0]):
            for c in range(Z.shape[1]):
                z = rectify(Z[r, c] + bias[c], leaky, slope)
                Z[r, c] = z
                dropped[r, c] = z * mask[r, c]

    @jit
    def backward(kind, A, delta, mask, use_mask, constants):
        one = A.dtype.type(1)
        one_minus_slope, slope = constants[0], constants[1]
        for r in range(A.shape[0]):
            for c in range(A.shape[1]):
                d = delta[r, c] * mask[r, c] if use_mask else delta[r, c]
                a = A[r, c]
                if kind == 0:
                    d = d * (one if a > 0 else 0)
                elif kind == 1:
                    d = d * (one - a * a)
                elif kind == 2:
                    d = (d * a) * (one - a)
                else:
                    d = d * ((one if a > 0 else 0) * one_minus_slope + slope)
                delta[r, c] = d

    @jit
    def binary_log_loss(Y, P, out):
        one = P.dtype.type(1)
        eps = np.finfo(P.dtype).eps
        for r in range(P.shape[0]):
            total = P.dtype.type(0)
            for c in range(P.shape[1]):
                # np.clip's bounds; comparisons keep a NaN a NaN.
                p = P[r, c]
                p = eps if p < eps else (one - eps if p > one - eps else p)
                y = Y[r, c]
                # xlogy: a zero weight gives a zero term.
                hit = y * np.log(p) if y != 0 else 0 * p
                miss = (one - y) * np.log(one - p) if y != one else 0 * p
                total += hit + miss
            out[r] = -total

    return (
        adam,
        sgd,
        add_scaled,
        bias_relu,
        bias_relu_dropout,
        backward,
        binary_log_loss,
    )


class _Kernels:
    """The step's elementwise work, compiled if numba is there, else numpy."""

    def __init__(self):
        try:
            import numba
        except ImportError:  # pragma: no cover - numba is a dependency
            numba = None
        self.compiled = numba is not None
        if self.compiled:
            (
                self._adam,
                self._sgd,
                self._add_scaled,
                self._bias_relu,
                self._bias_relu_dropout,
                self._backward,
                self._binary_log_loss,
            ) = _compile(numba)

    def adam(self, theta, grad, m, v, tmp, den, coefs):
        """:func:`reference_adam`, one pass."""
        if not self.compiled:
            return reference_adam(theta, grad, m, v, tmp, den, coefs)
        # The integer apart: float32 holds integers exactly only to 2**24.
        self._adam(theta, grad, m, v, np.array(coefs[:7], theta.dtype), coefs[7])

    def sgd(self, theta, grad, velocity, tmp, step, coefs):
        """:func:`reference_sgd`, one pass."""
        if not self.compiled:
            return reference_sgd(theta, grad, velocity, tmp, step, coefs)
        rate, momentum, nesterov, decay_factor, n_decayed = coefs
        scalars = np.array([rate, momentum, decay_factor], theta.dtype)
        self._sgd(theta, grad, velocity, scalars, bool(nesterov), n_decayed)

    def add_scaled(self, target, source, factor, scratch):
        """:func:`reference_add_scaled`, one pass."""
        if not self.compiled:
            return reference_add_scaled(target, source, factor, scratch)
        self._add_scaled(target, source, target.dtype.type(factor))

    def bias_relu(self, Z, bias, mask=None, dropped=None, leaky=False):
        """:func:`reference_bias_relu`, one pass."""
        if not self.compiled:
            return reference_bias_relu(Z, bias, mask, dropped, leaky)
        slope = Z.dtype.type(LEAKY_RELU_SLOPE)
        if mask is None:
            self._bias_relu(Z, bias, leaky, slope)
        else:
            self._bias_relu_dropout(Z, bias, leaky, slope, mask, dropped)

    def bias_rectify(self, kind, Z, bias, mask=None, dropped=None):
        """:meth:`bias_relu` of the rectifier ``kind`` (:data:`FUSED_ACTIVATIONS`)."""
        self.bias_relu(Z, bias, mask, dropped, leaky=kind == "leaky_relu")

    def backward(self, kind, A, delta, mask, scratch):
        """:func:`reference_backward`, one pass."""
        if not self.compiled:
            return reference_backward(kind, A, delta, mask, scratch)
        use_mask = mask is not None
        constants = np.array([1.0 - LEAKY_RELU_SLOPE, LEAKY_RELU_SLOPE], A.dtype)
        self._backward(
            _KIND[kind], A, delta, mask if use_mask else A, use_mask, constants
        )

    def binary_log_loss(self, Y, P, out):
        """:func:`reference_binary_log_loss`, one pass, no temporaries."""
        if not self.compiled:
            return reference_binary_log_loss(Y, P, out)
        self._binary_log_loss(Y, P, out)
        return out


_KERNELS = None


def kernels():
    """The process's :class:`_Kernels`, built (numba imported) on first use.

    Lazily, so that ``import mlpinit`` does not pay for importing numba.
    """
    global _KERNELS
    if _KERNELS is None:
        _KERNELS = _Kernels()
    return _KERNELS
