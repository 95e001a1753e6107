"""Structural primitives: reshape, transpose, broadcast, indexing, scatter,
concatenate, pad.  All linear; their transposes move cotangents back."""
import numpy as np

from ..core import ShapedArray, is_undefined
from . import elementwise as E
from .rules import def_linear, shape_by_dummy


_undef = is_undefined


def _reshape_shape(a, shape):
    return ShapedArray(shape, a.dtype)


def _reshape_impl(x, shape):   # the method skips np.reshape's Python-level wrapper
    return x.reshape(shape) if type(x) is np.ndarray else np.reshape(x, shape)


def _broadcast_to_impl(x, shape):
    return x if getattr(x, "shape", None) == shape else np.broadcast_to(x, shape)


reshape_p = def_linear("reshape", _reshape_impl, _reshape_shape,
                       lambda ct, x, shape: (reshape_p.bind(ct, shape=x.aval.shape),))

transpose_p = def_linear(
    "transpose", lambda x, perm: x.transpose(perm) if type(x) is np.ndarray else np.transpose(x, perm),
    lambda a, perm: ShapedArray(tuple(a.shape[i] for i in perm), a.dtype),
    lambda ct, x, perm: (transpose_p.bind(ct, perm=tuple(np.argsort(perm))),))


def _broadcast_to_transpose(ct, x, shape):
    return (E.unbroadcast(ct, x.aval),)


broadcast_to_p = def_linear("broadcast_to", _broadcast_to_impl,
                            lambda a, shape: ShapedArray(shape, a.dtype), _broadcast_to_transpose)


# -- indexing: x[idx] and its transpose, scatter-add --------------------------------
def _is_basic(idx):
    return all(isinstance(i, (slice, int, type(None), type(Ellipsis))) for i in idx)


def _getitem_transpose(ct, x, idx, unique):
    return (scatter_p.bind(ct, shape=x.aval.shape, idx=idx, unique=unique),)


getitem_p = def_linear("getitem", lambda x, idx, unique: np.asarray(x)[idx],
                       shape_by_dummy(lambda x, idx, unique: x[idx]), _getitem_transpose)


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


def _pad_transpose(ct, x, widths):
    idx = tuple(slice(lo, lo + n) for (lo, hi), n in zip(widths, x.aval.shape))
    return (getitem_p.bind(ct, idx=idx, unique=True),)


pad_p = def_linear("pad", lambda x, widths: np.pad(x, widths),
                   lambda a, widths: ShapedArray(tuple(n + lo + hi for n, (lo, hi) in zip(a.shape, widths)), a.dtype),
                   _pad_transpose)
