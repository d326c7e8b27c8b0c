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

The transcendental functions stay numpy's (its SIMD ``exp`` and ``log``
differ from the C library's that numba calls), with one exception: the log
loss takes its float64 logs in the kernel, and only the ones that count,
where a check at start-up finds the compiled ``log`` bit-identical to
numpy's (numpy then calls the C library's too: no AVX512F).

Scalars reach a kernel as the arrays' dtype (numpy's own rule for a Python
float meeting a float32 array), so float32 stays float32 arithmetic.

This module is the numerical core: numpy (and numba) only.
"""

import math

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


def reference_bias_softmax(Z, bias):
    """``Z = softmax(Z + bias)`` row by row, as numpy computes it.

    The shift by the row maximum keeps ``exp`` from overflowing; the row
    sums are numpy's pairwise sums. The compiled version runs the bias add,
    the maximum and the shift in one kernel, then numpy's own ``exp`` (LLVM's
    differs from numpy's SIMD one by an ulp here and there), then the row
    sums and the division in a second kernel: bit for bit this function.
    """
    Z += bias
    Z -= Z.max(axis=1, keepdims=True)
    np.exp(Z, out=Z)
    Z /= Z.sum(axis=1, keepdims=True)
    return Z


def reference_output_delta(P, Y, D, row_weights, clipped=None):
    """``D = (P - Y) * w``: the gradient at the output pre-activation.

    ``w`` is ``1 / n_rows`` when ``row_weights`` is None, else each row's
    weight (cast to ``D``'s dtype). With ``clipped``, also writes
    ``clip(P, eps, 1 - eps)`` there, the argument of the log loss.
    """
    if clipped is not None:
        eps = np.finfo(P.dtype).eps
        np.minimum(np.maximum(P, eps, out=clipped), 1 - eps, out=clipped)
    np.subtract(P, Y, out=D)
    if row_weights is None:
        D *= 1.0 / D.shape[0]
    else:
        D *= row_weights.astype(D.dtype, copy=False)[:, None]
    return D


def reference_log_loss_delta(P, Y, D, row_weights, terms):
    """:func:`reference_output_delta`, and ``terms = log(clip(P))``: the
    terms of the categorical log loss ``-sum(Y * terms)``. Returns ``terms``.

    The kernel writes the same values where ``Y`` is not 0 (or the clipped
    value a NaN) and -1 elsewhere: there ``Y * log(clip(P))`` is a zero, the
    log of a clipped probability being finite and negative, and ``Y * -1``
    the same zero with the same sign, so that every product, and the loss,
    keeps its bits.
    """
    reference_output_delta(P, Y, D, row_weights, terms)
    return np.log(terms, out=terms)


def reference_gather_rows(X, Y, idx, X_out, Y_out):
    """The rows ``idx`` of ``X`` and ``Y`` written to ``X_out`` and ``Y_out``."""
    return X.take(idx, axis=0, out=X_out), Y.take(idx, axis=0, out=Y_out)


def reference_batch_weights(sample_weight, out=None):
    """``(weight_sum, row_weights, nonzero)`` of one batch's sample weights.

    ``weight_sum`` is their sum in float64 (a float32 sum of large weights
    overflows), ``row_weights`` the weights over it in float64, or None when
    the sum is 0, ``nonzero`` whether any weight is not 0. ``out``, a float64
    buffer of the batch's length, is unused here (the kernel writes into it).
    """
    weight_sum = float(sample_weight.sum(dtype=np.float64))
    row_weights = None
    if weight_sum != 0:
        row_weights = sample_weight.astype(np.float64, copy=False) / weight_sum
    return weight_sum, row_weights, bool(sample_weight.any())


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

    @jit
    def pairwise_sum(a, lo, n, zero):
        # numpy's pairwise summation (its add.reduce over a contiguous axis):
        # a plain loop below 8 terms, 8 interleaved partial sums up to 128,
        # halves (cut at a multiple of 8) above; the same additions in the
        # same order, hence the same bits. ``zero`` is the accumulator's type
        # (numpy's ``sum(dtype=...)``): each term is cast to it, then added.
        if n < 8:
            total = zero
            for i in range(lo, lo + n):
                total += a[i]
            return total
        if n <= 128:
            r0, r1, r2, r3 = (
                zero + a[lo],
                zero + a[lo + 1],
                zero + a[lo + 2],
                zero + a[lo + 3],
            )
            r4, r5, r6, r7 = (
                zero + a[lo + 4],
                zero + a[lo + 5],
                zero + a[lo + 6],
                zero + a[lo + 7],
            )
            i = lo + 8
            end = lo + n - n % 8
            while i < end:
                r0 += a[i]
                r1 += a[i + 1]
                r2 += a[i + 2]
                r3 += a[i + 3]
                r4 += a[i + 4]
                r5 += a[i + 5]
                r6 += a[i + 6]
                r7 += a[i + 7]
                i += 8
            total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
            while i < lo + n:
                total += a[i]
                i += 1
            return total
        half = n // 2
        half -= half % 8
        return pairwise_sum(a, lo, half, zero) + pairwise_sum(
            a, lo + half, n - half, zero
        )

    @jit
    def batch_weights(weights, out):
        # sum(dtype=float64), then the weights over their sum in float64.
        total = pairwise_sum(weights, 0, weights.shape[0], 0.0)
        nonzero = False
        for i in range(weights.shape[0]):
            nonzero = nonzero or weights[i] != 0
        if total != 0:
            for i in range(weights.shape[0]):
                out[i] = np.float64(weights[i]) / total
        return total, nonzero

    @jit
    def bias_shift_max(Z, bias):
        for r in range(Z.shape[0]):
            top = Z[r, 0] + bias[0]
            for c in range(Z.shape[1]):
                z = Z[r, c] + bias[c]
                Z[r, c] = z
                # As np.maximum: a NaN wins and stays.
                if z > top or z != z:
                    top = z
            for c in range(Z.shape[1]):
                Z[r, c] = Z[r, c] - top

    @jit
    def normalize_rows(Z):
        n = Z.shape[1]
        for r in range(Z.shape[0]):
            # pairwise_sum's common cases written out: as a (recursive)
            # call per row it costs twice the rest of the kernel.
            if n < 8:
                total = Z.dtype.type(0)
                for c in range(n):
                    total += Z[r, c]
            elif n <= 128:
                r0, r1, r2, r3 = Z[r, 0], Z[r, 1], Z[r, 2], Z[r, 3]
                r4, r5, r6, r7 = Z[r, 4], Z[r, 5], Z[r, 6], Z[r, 7]
                c = 8
                end = n - n % 8
                while c < end:
                    r0 += Z[r, c]
                    r1 += Z[r, c + 1]
                    r2 += Z[r, c + 2]
                    r3 += Z[r, c + 3]
                    r4 += Z[r, c + 4]
                    r5 += Z[r, c + 5]
                    r6 += Z[r, c + 6]
                    r7 += Z[r, c + 7]
                    c += 8
                total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
                while c < n:
                    total += Z[r, c]
                    c += 1
            else:
                total = pairwise_sum(Z[r], 0, n, Z.dtype.type(0))
            for c in range(n):
                Z[r, c] = Z[r, c] / total

    @jit
    def output_delta(P, Y, D, row_weights, use_rows, scale, clipped, clip):
        eps = np.finfo(P.dtype).eps
        top = P.dtype.type(1) - eps
        for r in range(P.shape[0]):
            w = D.dtype.type(row_weights[r]) if use_rows else scale
            for c in range(P.shape[1]):
                p = P[r, c]
                if clip:
                    # np.maximum then np.minimum: a NaN stays a NaN.
                    q = eps if p < eps else p
                    clipped[r, c] = top if q > top else q
                D[r, c] = (p - Y[r, c]) * w

    @jit
    def log_loss_delta(P, Y, D, row_weights, use_rows, scale, terms):
        # output_delta with the clip, and the clipped value's log where it
        # changes a product with Y (Y not 0, or a NaN); -1 elsewhere. The
        # logs are taken over a row's list of such columns: in the first
        # loop LLVM would vectorize the branch away and take every log.
        eps = np.finfo(P.dtype).eps
        top = P.dtype.type(1) - eps
        minus_one = P.dtype.type(-1)
        n_cols = P.shape[1]
        counted = np.empty(n_cols, np.intp)
        for r in range(P.shape[0]):
            w = D.dtype.type(row_weights[r]) if use_rows else scale
            k = 0
            for c in range(n_cols):
                p = P[r, c]
                y = Y[r, c]
                q = eps if p < eps else p
                q = top if q > top else q
                counts = (y != 0) | (q != q)
                terms[r, c] = q if counts else minus_one
                counted[k] = c
                k += counts
                D[r, c] = (p - y) * w
            for j in range(k):
                terms[r, counted[j]] = np.log(terms[r, counted[j]])

    @jit
    def gather_rows(X, Y, idx, X_out, Y_out):
        for i in range(idx.shape[0]):
            row = idx[i]
            for c in range(X.shape[1]):
                X_out[i, c] = X[row, c]
            for c in range(Y.shape[1]):
                Y_out[i, c] = Y[row, c]

    @jit
    def elementwise_log(x, out):
        for i in range(x.shape[0]):
            out[i] = np.log(x[i])

    return (
        adam,
        sgd,
        add_scaled,
        bias_relu,
        bias_relu_dropout,
        backward,
        binary_log_loss,
        bias_shift_max,
        normalize_rows,
        output_delta,
        batch_weights,
        log_loss_delta,
        elementwise_log,
        gather_rows,
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
                self._bias_shift_max,
                self._normalize_rows,
                self._output_delta,
                self._batch_weights,
                self._log_loss_delta,
                self._elementwise_log,
                self._gather_rows,
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
        constants = _BACKWARD_CONSTANTS.get(A.dtype)
        if constants is None:
            # Built once per dtype: an array per call costs as much as the
            # kernel on a small layer.
            constants = np.array([1.0 - LEAKY_RELU_SLOPE, LEAKY_RELU_SLOPE], A.dtype)
            _BACKWARD_CONSTANTS[A.dtype] = constants
        self._backward(
            _KIND[kind], A, delta, mask if use_mask else A, use_mask, constants
        )

    def binary_log_loss(self, Y, P, out):
        """:func:`reference_binary_log_loss`, one pass, no temporaries."""
        if not self.compiled:
            return reference_binary_log_loss(Y, P, out)
        self._binary_log_loss(Y, P, out)
        return out

    def bias_softmax(self, Z, bias):
        """:func:`reference_bias_softmax` in two kernels around numpy's ``exp``."""
        if not self.compiled:
            return reference_bias_softmax(Z, bias)
        self._bias_shift_max(Z, bias)
        np.exp(Z, out=Z)
        self._normalize_rows(Z)
        return Z

    def output_delta(self, P, Y, D, row_weights, clipped=None):
        """:func:`reference_output_delta`, one pass."""
        if not self.compiled:
            return reference_output_delta(P, Y, D, row_weights, clipped)
        use_rows = row_weights is not None
        self._output_delta(
            P,
            Y,
            D,
            row_weights if use_rows else _NO_ROWS,
            use_rows,
            D.dtype.type(1.0 / D.shape[0]),
            P if clipped is None else clipped,
            clipped is not None,
        )
        return D

    def log_loss_delta(self, P, Y, D, row_weights, terms):
        """:func:`reference_log_loss_delta`: in one kernel that takes only
        the logs that count (one per row of one-hot ``Y``, not one per class)
        where the compiled ``log`` is numpy's (:data:`LIBM_DTYPES`), else as
        :meth:`output_delta` then numpy's ``log``."""
        if not self.compiled:
            return reference_log_loss_delta(P, Y, D, row_weights, terms)
        if P.dtype not in LIBM_DTYPES:
            self.output_delta(P, Y, D, row_weights, terms)
            return np.log(terms, out=terms)
        use_rows = row_weights is not None
        self._log_loss_delta(
            P,
            Y,
            D,
            row_weights if use_rows else _NO_ROWS,
            use_rows,
            D.dtype.type(1.0 / D.shape[0]),
            terms,
        )
        return terms

    def log_is_numpys(self, dtype):
        """Whether the kernels' ``log`` gives numpy's bits in ``dtype``, on
        values across its range: subnormals to the largest, 1 and about it,
        zeros, a negative number, the infinities and a NaN."""
        if not self.compiled:
            return False
        finfo = np.finfo(dtype)
        rng = np.random.default_rng(0)
        x = np.concatenate(
            [
                np.exp(rng.uniform(math.log(finfo.smallest_subnormal), 0, 8192)),
                np.exp(rng.uniform(0, math.log(finfo.max), 4096)),
                1 + rng.standard_normal(4096) * finfo.eps * 64,
                [np.nan, np.inf, -np.inf, 0.0, -0.0, -1.0, 1.0, finfo.max],
            ]
        ).astype(dtype)
        got, want = np.empty_like(x), np.empty_like(x)
        with np.errstate(all="ignore"):
            self._elementwise_log(x, got)
            np.log(x, out=want)
        bits = f"u{x.itemsize}"
        return np.array_equal(got.view(bits), want.view(bits))

    def gather_rows(self, X, Y, idx, X_out, Y_out):
        """``X.take(idx, axis=0, out=X_out)`` and the same of ``Y``, in one
        call: the two takes cost more than the copying. Returns the outputs.

        ``X`` and ``Y`` are dense arrays of native floats, ``idx`` of
        integers in range; the outputs have ``len(idx)`` rows.
        """
        if not self.compiled:
            return reference_gather_rows(X, Y, idx, X_out, Y_out)
        self._gather_rows(X, Y, idx, X_out, Y_out)
        return X_out, Y_out

    def batch_weights(self, sample_weight, out):
        """:func:`reference_batch_weights`, in one kernel, into ``out``."""
        # numpy sums a cast (float32) array in buffers of 8192 values, each
        # pairwise, and the kernel only knows the unbuffered pairwise order.
        if (
            not self.compiled
            or sample_weight.shape[0] > _NUMPY_BUFFER
            or not sample_weight.flags.c_contiguous
        ):
            return reference_batch_weights(sample_weight)
        out = out[: sample_weight.shape[0]]
        weight_sum, nonzero = self._batch_weights(sample_weight, out)
        return weight_sum, (out if weight_sum != 0 else None), nonzero


_BACKWARD_CONSTANTS = {}
_NUMPY_BUFFER = 8192

# A stand-in for "no row weights": numba compiles one version per argument type.
_NO_ROWS = np.zeros(1)

_KERNELS = None

#: The dtypes whose log loss takes its logs in the kernel, where the
#: compiled log gives numpy's bits; set by :func:`kernels`.
LIBM_DTYPES = ()


def kernels():
    """The process's :class:`_Kernels`, built (numba imported) on first use.

    Lazily, so that ``import mlpinit`` does not pay for importing numba.
    """
    global _KERNELS, LIBM_DTYPES
    if _KERNELS is None:
        _KERNELS = _Kernels()
        LIBM_DTYPES = _libm_dtypes(_KERNELS)
    return _KERNELS


def _libm_dtypes(kernels):
    # numpy vectorizes log itself (its own bits, not the C library's) in
    # float32 on AVX2, in float64 on AVX512F, as numba does with Intel's
    # SVML. Elsewhere both call the C library's, value by value, and give
    # the same bits: checked, not assumed.
    try:
        from numpy._core._multiarray_umath import __cpu_features__
    except ImportError:  # pragma: no cover - another numpy layout
        return ()
    import numba

    if __cpu_features__.get("AVX512F") or numba.config.USING_SVML:
        return ()
    return (np.dtype(np.float64),) if kernels.log_is_numpys(np.float64) else ()
