"""Structural primitives: reshape, transpose, broadcast, indexing, scatter,
concatenate, pad.  All linear; their transposes move cotangents back."""
import functools

import numpy as np

from ..core import ShapedArray, is_undefined
from .rules import P, def_linear, shape_by_dummy, unbroadcast
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
def _is_basic(idx):
    return all(isinstance(i, (slice, int, type(None), type(Ellipsis))) for i in idx)


def _getitem_transpose(ct, x, idx, unique):
    return (scatter_p.bind(ct, shape=x.aval.shape, idx=idx, unique=unique),)


_getitem_by_dummy = shape_by_dummy(lambda x, idx, unique: x[idx])


def _basic_key(idx):
    """A hashable stand-in for a basic index of ints, None, Ellipsis and slices with int
    bounds (slices are unhashable before Python 3.12), or None for any other index."""
    key = []
    for i in idx:
        if type(i) is slice:
            bounds = (i.start, i.stop, i.step)
            if not all(b is None or type(b) is int for b in bounds):
                return None
            key.append(bounds)
        elif type(i) is int or i is None or i is Ellipsis:    # not bool: True == 1
            key.append(i)
        else:
            return None
    return tuple(key)


@functools.lru_cache(maxsize=4096)
def _basic_getitem_aval(shape, dtype, key):
    idx = tuple(slice(*k) if type(k) is tuple else k for k in key)
    return _getitem_by_dummy(ShapedArray.fast(shape, dtype), idx=idx, unique=True)


def _getitem_shape(a, idx, unique):
    """Output aval of x[idx]: NumPy's own answer on a zero-strided dummy, remembered per
    (shape, dtype, basic index), since the same slices recur on every call of a function."""
    key = _basic_key(idx)
    if key is None:
        return _getitem_by_dummy(a, idx=idx, unique=unique)
    return _basic_getitem_aval(a.shape, a.dtype, key)


getitem_p = def_linear("getitem", lambda x, idx, unique: np.asarray(x)[idx], _getitem_shape,
                       _getitem_transpose)


# Indexing the stacked series: a basic index takes a leading slice for the order
# axis; an advanced one could move that axis (NumPy puts separated advanced indices
# first), so the order axis goes last, where a trailing slice never moves it.
def _with_order(idx):
    if _is_basic(idx):
        return (slice(None),) + idx, False
    has_ellipsis = any(i is Ellipsis for i in idx)
    return idx + ((slice(None),) if has_ellipsis else (Ellipsis, slice(None))), True


def _order_last(s):
    return transpose_p.bind(s, perm=tuple(range(1, s.ndim)) + (0,))


def _order_first(s):
    return transpose_p.bind(s, perm=(s.ndim - 1,) + tuple(range(s.ndim - 1)))


def _getitem_taylor(primals, series, idx, unique):
    s_idx, last = _with_order(idx)
    s = series[0]
    s = getitem_p.bind(_order_last(s) if last else s, idx=s_idx, unique=unique)
    return getitem_p.bind(primals[0], idx=idx, unique=unique), _order_first(s) if last else s


getitem_p.taylor = _getitem_taylor


def simple_index(idx):
    """Index whose positions are distinct: plain `out[idx] += u` is a correct scatter-add."""
    return _is_basic(idx) or (len(idx) == 1 and getattr(idx[0], "dtype", None) == bool)


def _add_into(acc, u, idx, unique):
    """acc[idx] += u in place, summing repeated indices."""
    if unique or simple_index(idx):
        acc[idx] += u             # plain indexing: np.add.at is ~20x slower (PERF_NOTES)
    else:
        np.add.at(acc, idx, u)    # repeated integer indices accumulate
    return acc


def _scatter_add_impl(x, u, idx, unique):
    return _add_into(np.array(x, dtype=np.result_type(x, u), copy=True), u, idx, unique)


# scatter: u placed into zeros of `shape` at idx (repeats summed): the transpose
# of getitem.  Its own primitive, not scatter_add onto zeros, to skip a full copy.
def _scatter_impl(u, shape, idx, unique):
    out = np.zeros(shape, np.result_type(u))
    if unique or simple_index(idx):
        out[idx] = u              # into zeros: assignment, not a read-modify-write
        return out
    return _add_into(out, u, idx, unique)


scatter_p = def_linear("scatter", _scatter_impl,
                       lambda u, shape, idx, unique: ShapedArray(shape, u.dtype),
                       lambda ct, u, shape, idx, unique: (getitem_p.bind(ct, idx=idx, unique=unique),))
# getitem's transpose on concrete arrays: into the source's buffer, or into new zeros
getitem_p.transpose_into = _add_into
getitem_p.fresh_transpose = True


def _scatter_add_transpose(ct, x, u, idx, unique):
    return (ct if _undef(x) else None,
            getitem_p.bind(ct, idx=idx, unique=unique) if _undef(u) else None)


scatter_add_p = def_linear("scatter_add", _scatter_add_impl,
                           lambda a, u, idx, unique: ShapedArray(a.shape, np.result_type(a.dtype, u.dtype)),
                           _scatter_add_transpose)


def _scatter_series(su, shape, idx, unique):
    K = su.shape[0]
    s_idx, last = _with_order(idx)
    if not last:
        return scatter_p.bind(su, shape=(K,) + tuple(shape), idx=s_idx, unique=unique)
    return _order_first(scatter_p.bind(_order_last(su), shape=tuple(shape) + (K,), idx=s_idx, unique=unique))


def _scatter_taylor(primals, series, shape, idx, unique):
    return (scatter_p.bind(primals[0], shape=shape, idx=idx, unique=unique),
            _scatter_series(series[0], shape, idx, unique))


def _scatter_add_taylor(primals, series, idx, unique):
    (x, u), (sx, su) = primals, series
    y = scatter_add_p.bind(x, u, idx=idx, unique=unique)
    if su is None:
        return y, P.convert_element_type.bind(sx, dtype=y.dtype) if sx.dtype != y.dtype else sx
    s = _scatter_series(su, x.shape, idx, unique)
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
            cts.append(getitem_p.bind(ct, idx=idx, unique=True))
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
    return (getitem_p.bind(ct, idx=idx, unique=True),)


pad_p = def_linear("pad", lambda x, widths: np.pad(x, widths),
                   lambda a, widths: ShapedArray(tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, widths)), a.dtype),
                   _pad_transpose)
_order_first_rule(pad_p, lambda K, widths: {"widths": ((0, 0),) + tuple(widths)})
