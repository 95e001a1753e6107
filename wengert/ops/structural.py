"""Structural primitives: reshape, transpose, broadcast, indexing, scatter,
concatenate, pad.  All linear; their transposes move cotangents back."""
import functools

import numpy as np

from ..core import ShapedArray, is_undefined
from .rules import (P, def_linear, getitem, instantiate_like, is_basic, join_index,  # noqa: F401
                    scatter, scatter_add, shape_by_dummy, split_index, unbroadcast)
from . import series as T


_undef = is_undefined


def _reshape_shape(a, shape):
    return ShapedArray(shape, a.dtype)


def _reshape_impl(x, shape):   # the method skips np.reshape's Python-level wrapper
    return x.reshape(shape) if type(x) is np.ndarray else np.reshape(x, shape)


def broadcast_view(x, shape):
    """`np.broadcast_to(x, shape)`: a read-only view with zero strides on the broadcast
    axes.  For a contiguous `x` it is built with the ndarray constructor, which costs a
    quarter of np.broadcast_to's Python wrapper (1 us against 4 us); anything else, and
    every error, goes to NumPy."""
    if type(x) is not np.ndarray:
        x = np.asarray(x)
    xshape = x.shape
    if xshape == shape:
        return x
    lead = len(shape) - len(xshape)
    if lead < 0 or not x.flags.c_contiguous or x.dtype.hasobject:
        return np.broadcast_to(x, shape)
    strides = [0] * lead
    for n, st, m in zip(xshape, x.strides, shape[lead:]):
        if n == m:
            strides.append(st)
        elif n == 1:
            strides.append(0)
        else:
            return np.broadcast_to(x, shape)     # raises NumPy's message
    out = np.ndarray(shape, x.dtype, x, 0, tuple(strides))
    out.flags.writeable = False
    return out


def _broadcast_to_impl(x, shape):
    return x if getattr(x, "shape", None) == shape else broadcast_view(x, shape)


reshape_p = def_linear("reshape", _reshape_impl, _reshape_shape,
                       lambda ct, x, shape: (reshape_p.bind(ct, shape=x.aval.shape),))

transpose_p = def_linear(
    "transpose", lambda x, perm: x.transpose(perm) if type(x) is np.ndarray else np.transpose(x, perm),
    lambda a, perm: ShapedArray(tuple(a.shape[i] for i in perm), a.dtype),
    lambda ct, x, perm: (transpose_p.bind(ct, perm=tuple(np.argsort(perm))),))


def _broadcast_to_transpose(ct, x, shape):
    return (unbroadcast(ct, x.aval),)


broadcast_to_p = def_linear("broadcast_to", _broadcast_to_impl,
                            lambda a, shape: ShapedArray(shape, a.dtype), _broadcast_to_transpose)


# Taylor rules of linear ops: coefficient-wise, the op applied once to the stacked
# series with the leading order axis carried through by adjusting the op's params.
def _order_first_rule(prim, params_fn):
    def rule(primals, series, **params):
        s = series[0]
        return prim.bind(primals[0], **params), prim.bind(s, **params_fn(s.shape[0], **params))
    rule.__name__ = f"_{prim.name}_taylor"
    prim.taylor = rule


_order_first_rule(reshape_p, lambda K, shape: {"shape": (K,) + tuple(shape)})
_order_first_rule(transpose_p, lambda K, perm: {"perm": (0,) + tuple(p + 1 for p in perm)})
broadcast_to_p.taylor = lambda primals, series, shape: (
    broadcast_to_p.bind(primals[0], shape=shape), T.fit(series[0], broadcast_to_p.bind(primals[0], shape=shape)))


# -- indexing: x[idx] and its transpose, scatter-add --------------------------------
# The param `idx` is an index's static structure and its index arrays are inputs
# after the indexed array (rules.split_index says why); `getitem(x, idx, unique)`
# and friends in rules.py bind them from a NumPy index.
def _getitem_impl(x, *arrays, idx, unique):
    return np.asarray(x)[join_index(idx, arrays)]


_getitem_by_dummy = shape_by_dummy(lambda x, *arrays, idx, unique: x[join_index(idx, arrays)])


@functools.lru_cache(maxsize=4096)
def _getitem_aval(shape, dtype, array_avals, idx):
    """NumPy's own answer on zero-strided dummies (index arrays of zeros), remembered,
    since the same slices recur on every call of a function."""
    return _getitem_by_dummy(ShapedArray.fast(shape, dtype), *array_avals, idx=idx, unique=True)


def _getitem_shape(a, *array_avals, idx, unique):
    return _getitem_aval(a.shape, a.dtype, array_avals, idx)


def _getitem_jvp(xs, ts, idx, unique):
    x, *arrays = xs
    return (getitem_p.bind(x, *arrays, idx=idx, unique=unique),
            getitem_p.bind(ts[0], *arrays, idx=idx, unique=unique))


def _getitem_transpose(ct, x, *arrays, idx, unique):
    return (scatter_p.bind(ct, *arrays, shape=x.aval.shape, idx=idx, unique=unique),) + (None,) * len(arrays)


getitem_p = def_linear("getitem", _getitem_impl, _getitem_shape, _getitem_transpose)
getitem_p.jvp, getitem_p.linear_args = _getitem_jvp, (0,)


# Indexing the stacked series: a basic index takes a leading slice for the order
# axis; an advanced one could move that axis (NumPy puts separated advanced indices
# first), so the order axis goes last, where a trailing slice never moves it.
_ALL = ("s", None, None, None)


def _with_order(idx):
    if is_basic(idx):
        return (_ALL,) + idx, False
    return idx + ((_ALL,) if Ellipsis in idx else (Ellipsis, _ALL)), True


def _order_last(s):
    return transpose_p.bind(s, perm=tuple(range(1, s.ndim)) + (0,))


def _order_first(s):
    return transpose_p.bind(s, perm=(s.ndim - 1,) + tuple(range(s.ndim - 1)))


def _getitem_taylor(primals, series, idx, unique):
    x, *arrays = primals
    s_idx, last = _with_order(idx)
    s = series[0]
    s = getitem_p.bind(_order_last(s) if last else s, *arrays, idx=s_idx, unique=unique)
    return getitem_p.bind(x, *arrays, idx=idx, unique=unique), _order_first(s) if last else s


getitem_p.taylor = _getitem_taylor


def simple_index(index):
    """A NumPy index whose positions are distinct: plain `out[index] += u` is a correct
    scatter-add."""
    return all(isinstance(i, (slice, int, type(None), type(Ellipsis))) for i in index)


def _add_into(acc, u, index, unique):
    """acc[index] += u in place, summing repeated indices."""
    if unique or simple_index(index):
        acc[index] += u           # plain indexing: np.add.at is ~20x slower (PERF_NOTES)
    else:
        np.add.at(acc, index, u)  # repeated integer indices accumulate
    return acc


def _scatter_add_impl(x, u, *arrays, idx, unique):
    return _add_into(np.array(x, dtype=np.result_type(x, u), copy=True), u, join_index(idx, arrays), unique)


# scatter: u placed into zeros of `shape` at idx (repeats summed): the transpose
# of getitem.  Its own primitive, not scatter_add onto zeros, to skip a full copy.
def _scatter_impl(u, *arrays, shape, idx, unique):
    out = np.zeros(shape, np.result_type(u))
    index = join_index(idx, arrays)
    if unique or simple_index(index):
        out[index] = u            # into zeros: assignment, not a read-modify-write
        return out
    return _add_into(out, u, index, unique)


def _scatter_jvp(xs, ts, shape, idx, unique):
    u, *arrays = xs
    return (scatter_p.bind(u, *arrays, shape=shape, idx=idx, unique=unique),
            scatter_p.bind(ts[0], *arrays, shape=shape, idx=idx, unique=unique))


def _scatter_transpose(ct, u, *arrays, shape, idx, unique):
    return (getitem_p.bind(ct, *arrays, idx=idx, unique=unique),) + (None,) * len(arrays)


scatter_p = def_linear("scatter", _scatter_impl,
                       lambda u, *arrays, shape, idx, unique: ShapedArray(shape, u.dtype),
                       _scatter_transpose)
scatter_p.jvp, scatter_p.linear_args = _scatter_jvp, (0,)


def _getitem_into(acc, ct, args, idx, unique):
    """getitem's transpose on concrete arrays: added into the source's buffer."""
    return _add_into(acc, ct, join_index(idx, args[1:]), unique)


getitem_p.transpose_into = _getitem_into
getitem_p.fresh_transpose = True


def _scatter_add_jvp(xs, ts, idx, unique):
    x, u, *arrays = xs
    tx, tu = (instantiate_like(t, a) for t, a in zip(ts[:2], (x, u)))
    return (scatter_add_p.bind(x, u, *arrays, idx=idx, unique=unique),
            scatter_add_p.bind(tx, tu, *arrays, idx=idx, unique=unique))


def _scatter_add_transpose(ct, x, u, *arrays, idx, unique):
    return (ct if _undef(x) else None,
            getitem_p.bind(ct, *arrays, idx=idx, unique=unique) if _undef(u) else None) + (None,) * len(arrays)


scatter_add_p = def_linear("scatter_add", _scatter_add_impl,
                           lambda a, u, *arrays, idx, unique: ShapedArray(a.shape, np.result_type(a.dtype, u.dtype)),
                           _scatter_add_transpose)
scatter_add_p.jvp, scatter_add_p.linear_args = _scatter_add_jvp, (0, 1)


def _scatter_series(su, arrays, shape, idx, unique):
    K = su.shape[0]
    s_idx, last = _with_order(idx)
    if not last:
        return scatter_p.bind(su, *arrays, shape=(K,) + tuple(shape), idx=s_idx, unique=unique)
    return _order_first(scatter_p.bind(_order_last(su), *arrays, shape=tuple(shape) + (K,), idx=s_idx,
                                       unique=unique))


def _scatter_taylor(primals, series, shape, idx, unique):
    u, *arrays = primals
    return (scatter_p.bind(u, *arrays, shape=shape, idx=idx, unique=unique),
            _scatter_series(series[0], arrays, shape, idx, unique))


def _scatter_add_taylor(primals, series, idx, unique):
    (x, u, *arrays), (sx, su) = primals, series[:2]
    y = scatter_add_p.bind(x, u, *arrays, idx=idx, unique=unique)
    if su is None:
        return y, P.convert_element_type.bind(sx, dtype=y.dtype) if sx.dtype != y.dtype else sx
    s = _scatter_series(su, arrays, x.shape, idx, unique)
    s = s if sx is None else P.add.bind(sx, s)
    return y, P.convert_element_type.bind(s, dtype=y.dtype) if s.dtype != y.dtype else s


scatter_p.taylor, scatter_add_p.taylor = _scatter_taylor, _scatter_add_taylor


# -- concatenate and pad ---------------------------------------------------------
def _concatenate_shape(*avals, axis):
    shape = list(avals[0].shape)
    shape[axis] = sum(a.shape[axis] for a in avals)
    return ShapedArray(shape, np.result_type(*[a.dtype for a in avals]))


def _concatenate_transpose(ct, *xs, axis):
    cts, start = [], 0
    for x in xs:
        n = x.aval.shape[axis] if _undef(x) else np.shape(x)[axis]
        if _undef(x):
            idx = (slice(None),) * axis + (slice(start, start + n),)
            cts.append(getitem(ct, idx, True))
        else:
            cts.append(None)
        start += n
    return cts


concatenate_p = def_linear("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis),
                           _concatenate_shape, _concatenate_transpose)


def _concatenate_taylor(primals, series, axis):
    K = T.order_of(series)
    y = concatenate_p.bind(*primals, axis=axis)
    ss = [np.zeros((K,) + tuple(T._shape(x)), y.dtype) if s is None else s for x, s in zip(primals, series)]
    return y, concatenate_p.bind(*ss, axis=axis + 1)


concatenate_p.taylor = _concatenate_taylor


def _pad_transpose(ct, x, widths):
    idx = tuple(slice(lo, lo + n) for (lo, hi), n in zip(widths, x.aval.shape))
    return (getitem(ct, idx, True),)


pad_p = def_linear("pad", lambda x, widths: np.pad(x, widths),
                   lambda a, widths: ShapedArray(tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, widths)), a.dtype),
                   _pad_transpose)
_order_first_rule(pad_p, lambda K, widths: {"widths": ((0, 0),) + tuple(widths)})
