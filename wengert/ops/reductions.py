"""Reductions: sum, max, min, cumulative sum, argmax/argmin."""
import functools

import numpy as np

from ..core import ShapedArray
from . import elementwise as E
from . import structural as S
from .rules import def_linear, def_nondiff, new_primitive
from . import series as T


def _reduced_shape(shape, axes):
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _kept_shape(shape, axes):
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def expand_to(y, shape, axes):
    """Broadcast a reduced value back over the reduced `axes` of `shape`."""
    return S.broadcast_to_p.bind(S.reshape_p.bind(y, shape=_kept_shape(shape, axes)), shape=shape)


@functools.lru_cache(maxsize=None)
def _sum_dtype(dtype):
    return np.sum(np.ones((), dtype)).dtype     # small ints promote, as in NumPy


def _sum_shape(a, axes):
    return ShapedArray.fast(_reduced_shape(a.shape, axes), _sum_dtype(a.dtype))


def fast_reduce(ufunc, x, axes):
    """ufunc.reduce over `axes`.  NumPy reduces a short contiguous last axis slowly (15 us
    for the rows of a 256 x 10 array); reducing the leading axis of a transposed copy
    takes 2 us, so a short last axis goes that way."""
    if type(x) is np.ndarray and x.ndim and axes == (x.ndim - 1,) and x.shape[-1] <= 32 \
            and x.size >= 512 and x.flags.c_contiguous:
        n = x.shape[-1]
        return ufunc.reduce(np.ascontiguousarray(x.reshape(-1, n).T), axis=0).reshape(x.shape[:-1])
    return ufunc.reduce(x, axis=axes)


def _sum_impl(x, axes):
    if getattr(x, "dtype", None) is not None and x.dtype.kind == "f":
        return fast_reduce(np.add, x, axes)   # np.sum's Python wrapper costs more than the sum
    return np.sum(x, axis=axes)


reduce_sum_p = def_linear("reduce_sum", _sum_impl, _sum_shape,
                          lambda ct, x, axes: (expand_to(ct, x.aval.shape, axes),))
reduce_sum_p.taylor = lambda primals, series, axes: (
    reduce_sum_p.bind(primals[0], axes=axes), reduce_sum_p.bind(series[0], axes=tuple(a + 1 for a in axes)))


def _extremum(name, impl):
    prim = new_primitive(name)
    prim.impl = impl
    prim.shape = lambda a, axes: ShapedArray(_reduced_shape(a.shape, axes), a.dtype)

    def jvp(xs, ts, axes):    # tangent averaged over tied extrema
        convert_p, div_p, eq_p, mul_p = E.convert_p, E.div_p, E.eq_p, E.mul_p
        x, t = xs[0], ts[0]
        y = prim.bind(x, axes=axes)
        shape = np.shape(x) if not hasattr(x, "aval") else x.aval.shape
        mask = convert_p.bind(eq_p.bind(x, expand_to(y, shape, axes)), dtype=y.dtype)
        count = reduce_sum_p.bind(mask, axes=axes)
        return y, div_p.bind(reduce_sum_p.bind(mul_p.bind(t, mask), axes=axes), count)
    jvp.__name__ = f"_{name}_jvp"
    prim.jvp = jvp

    def taylor(primals, series, axes):    # by branch: the mean series of the tied extrema
        convert_p, div_p, eq_p, mul_p = E.convert_p, E.div_p, E.eq_p, E.mul_p
        x, s = primals[0], series[0]
        y = prim.bind(x, axes=axes)
        mask = convert_p.bind(eq_p.bind(x, expand_to(y, T._shape(x), axes)), dtype=y.dtype)
        count = reduce_sum_p.bind(mask, axes=axes)
        return y, div_p.bind(reduce_sum_p.bind(mul_p.bind(s, mask), axes=tuple(a + 1 for a in axes)), count)
    taylor.__name__ = f"_{name}_taylor"
    prim.taylor = taylor
    return prim


def _reduce_with(ufunc, fallback):
    def impl(x, axes):   # the ufunc's reduce skips np.max's Python-level wrapper
        return fast_reduce(ufunc, x, axes) if type(x) is np.ndarray and x.size else fallback(x, axis=axes)
    return impl


reduce_max_p = _extremum("reduce_max", _reduce_with(np.maximum, np.max))
reduce_min_p = _extremum("reduce_min", _reduce_with(np.minimum, np.min))


def _arg_shape(a, axis):
    return ShapedArray(_reduced_shape(a.shape, (axis,)) if axis is not None else (), np.intp)


argmax_p = def_nondiff("argmax", lambda x, axis: np.argmax(x, axis=axis), _arg_shape)
argmin_p = def_nondiff("argmin", lambda x, axis: np.argmin(x, axis=axis), _arg_shape)
argsort_p = def_nondiff("argsort", lambda x, axis: np.argsort(x, axis=axis, kind="stable"),
                        lambda a, axis: ShapedArray(a.shape, np.intp))


def _cumsum_impl(x, axis, reverse):
    if reverse:
        return np.flip(np.cumsum(np.flip(x, axis), axis=axis), axis)
    return np.cumsum(x, axis=axis)


cumsum_p = def_linear("cumsum", _cumsum_impl,
                      lambda a, axis, reverse: ShapedArray(a.shape, np.cumsum(np.ones(1, a.dtype)).dtype),
                      lambda ct, x, axis, reverse: (cumsum_p.bind(ct, axis=axis, reverse=not reverse),))
cumsum_p.taylor = lambda primals, series, axis, reverse: (
    cumsum_p.bind(primals[0], axis=axis, reverse=reverse), cumsum_p.bind(series[0], axis=axis + 1, reverse=reverse))


# logsumexp is a primitive, not the composite max/sub/exp/sum/log/add: the composite
# costs eleven dispatches forward (it dominated small MLP losses in B2); as one
# primitive its tangent is two tape entries, sum(t * softmax).
def _logsumexp_impl(x, axes):
    x = np.asarray(x)
    kept = _kept_shape(x.shape, axes)
    if x.size and all(x.shape[i] for i in axes):
        m = fast_reduce(np.maximum, x, axes).reshape(kept)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)
    else:
        m = np.zeros((1,) * x.ndim, x.dtype)
    with np.errstate(divide="ignore"):
        out = np.log(fast_reduce(np.add, np.exp(x - m), axes).reshape(kept)) + m
    return out.reshape(_reduced_shape(x.shape, axes))[()]


def _logsumexp_jvp(xs, ts, axes):
    x, t = xs[0], ts[0]
    y = logsumexp_p.bind(x, axes=axes)
    return y, reduce_sum_p.bind(E.mul_p.bind(t, exp_shift_p.bind(x, y, axes=axes)), axes=axes)


# exp(x - s), s reduced over `axes` and broadcast back: softmax given its logsumexp,
# the residual of logsumexp's tangent, in one dispatch instead of six (and without
# a second max over x).  Where s = -inf (a slice all -inf) the result is 0, not nan.
def _exp_shift_impl(x, s, axes):
    s = np.asarray(s).reshape(_kept_shape(np.shape(x), axes))
    return np.exp(x - np.where(np.isfinite(s), s, 0).astype(s.dtype, copy=False))


def _exp_shift_jvp(xs, ts, axes):   # d exp(x - s) = exp(x - s) * (tx - ts)
    x, s = xs
    tx, t_s = ts
    y = exp_shift_p.bind(x, s, axes=axes)
    if E.is_zero(t_s):
        return y, E.mul_p.bind(y, tx)
    t_s = expand_to(t_s, x.aval.shape if hasattr(x, "aval") else np.shape(x), axes)
    return y, E.mul_p.bind(y, E.neg_p.bind(t_s) if E.is_zero(tx) else E.sub_p.bind(tx, t_s))


exp_shift_p = new_primitive("exp_shift")
exp_shift_p.impl, exp_shift_p.jvp = _exp_shift_impl, _exp_shift_jvp
exp_shift_p.shape = lambda a, s, axes: ShapedArray(a.shape, np.result_type(a.dtype, s.dtype))

logsumexp_p = new_primitive("logsumexp")
logsumexp_p.impl, logsumexp_p.jvp = _logsumexp_impl, _logsumexp_jvp
logsumexp_p.shape = lambda a, axes: ShapedArray(_reduced_shape(a.shape, axes),
                                                a.dtype if a.dtype.kind == "f" else np.float64)


# Taylor: exp_shift is exp of x - s (s broadcast back over `axes`); logsumexp is
# log(sum(exp(x - c))) + c with c the max at t = 0, the log through its ODE.
def _exp_shift_taylor(primals, series, axes):
    (x, s), (sx, ss) = primals, series
    y = exp_shift_p.bind(x, s, axes=axes)
    K, shape = T.order_of(series), T._shape(y)
    X = T.join(x, sx, K)
    if ss is not None:    # x - s, with s broadcast back over the reduced axes
        X = E.sub_p.bind(X, expand_to(T.join(s, ss), (K + 1,) + shape, tuple(a + 1 for a in axes)))
    return y, T.exp_ode(T.derivative(X), y)


def _logsumexp_taylor(primals, series, axes):
    x, sx = primals[0], series[0]
    y = logsumexp_p.bind(x, axes=axes)
    U = reduce_sum_p.bind(T.join(*_exp_shift_taylor([x, y], [sx, None], axes)), axes=tuple(a + 1 for a in axes))
    return y, T.ode_div(U, U)


exp_shift_p.taylor, logsumexp_p.taylor = _exp_shift_taylor, _logsumexp_taylor
