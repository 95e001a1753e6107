"""Helpers that build primitives and their rules from one line each.

`def_elementwise` (unary math with a tangent formula), `def_linear` (jvp and
transpose of a linear op), `def_nondiff` (zero tangent), plus the shape rules
and tangent helpers they share.  Every primitive is filed in the registry of
`core` (`new_primitive`), so the registry test can check that each fills the
slots it must.

The op tables import this module and `series`, and each other only downward
(structural -> elementwise -> reductions -> linalg -> special).  A helper here,
or a rule of a lower table, that needs an op defined later reaches it by name
through the registry, `P.reduce_sum`, when it runs.
"""
import functools
import operator

import numpy as np

from ..core import ShapedArray, Zero, all_primitives, instantiate, new_primitive  # noqa: F401
from ..core import primitives as P


# -- shape rules ---------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def broadcast_shapes(*shapes):
    first = shapes[0]
    if all(s == first for s in shapes):
        return first
    return tuple(np.broadcast_shapes(*shapes))


_WEAK_DUMMY = {"b": True, "i": 1, "u": 1, "f": 1.0, "c": 1j}


@functools.lru_cache(maxsize=4096)
def _result_dtype(impl, keys, params):
    dummies = [_WEAK_DUMMY[np.dtype(d).kind] if weak else np.ones((), d) for d, weak in keys]
    with np.errstate(all="ignore"):
        return np.asarray(impl(*dummies, **dict(params))).dtype


@functools.lru_cache(maxsize=8192)
def _elementwise_aval(impl, keys, params):
    out_shape = broadcast_shapes(*[shape for shape, _, _ in keys])
    dtype = _result_dtype(impl, tuple((d, weak) for _, d, weak in keys), params)
    return ShapedArray(out_shape, dtype)


def elementwise_shape(impl, preserve=False):
    """Output aval of an elementwise op: broadcast shape; dtype as NumPy computes it
    (NEP 50, read off the impl applied to 0-d dummies and cached).  `preserve`
    marks ops whose float output has the dtype of float inputs, for a fast path."""
    def shape(*avals, **params):
        if preserve:   # the common case on the tape: tangent op residual, same aval
            first = avals[0]
            if first.dtype.kind == "f" and not first.weak:
                for a in avals:
                    if a.shape != first.shape or (a.dtype != first.dtype and not (a.weak and a.dtype.kind in "bif")):
                        break
                else:
                    return first
        keys = tuple((a.shape, a.dtype.str, a.weak) for a in avals)
        return _elementwise_aval(impl, keys, tuple(sorted(params.items())) if params else ())
    shape.__name__ = f"{getattr(impl, '__name__', 'op')}_shape"
    return shape


def zero_dummy(shape, dtype):
    """A read-only array of `shape` whose entries all alias one zero (every stride 0):
    exact NumPy semantics for shape rules at no memory cost.  Built with the ndarray
    constructor, about 5x cheaper than `as_strided`."""
    dtype = np.dtype(dtype)
    if dtype.hasobject or dtype.itemsize > len(_ZERO_BYTES):
        return np.lib.stride_tricks.as_strided(np.zeros(1, dtype), shape, (0,) * len(shape))
    return np.ndarray(shape, dtype, _ZERO_BYTES, 0, (0,) * len(shape))


_ZERO_BYTES = bytes(64)      # immutable, so the dummies are read-only


def shape_by_dummy(impl):
    """Shape rule for structural ops: run `impl` on zero-strided dummies, which is
    exact NumPy semantics (indexing, reshape, transpose...) at no memory cost."""
    def shape(*avals, **params):
        out = impl(*[zero_dummy(a.shape, a.dtype) for a in avals], **params)
        if isinstance(out, (list, tuple)):
            return [ShapedArray(np.shape(o), np.asarray(o).dtype) for o in out]
        return ShapedArray(np.shape(out), np.asarray(out).dtype)
    return shape


# -- tangent helpers ------------------------------------------------------------
def is_zero(t):
    return type(t) is Zero


def instantiate_like(t, x):
    """A tangent as an array: zeros shaped like primal `x` for a symbolic zero."""
    if type(t) is not Zero:
        return t
    aval = Zero(x).aval
    return np.zeros(aval.shape, aval.dtype)


def unbroadcast(ct, aval):
    """Sum a cotangent of a broadcast result back to the shape of one operand."""
    shape = aval.shape
    ct_shape = ct.shape
    if ct_shape == shape:
        return ct
    lead = len(ct_shape) - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and ct_shape[lead + i] != 1)
    if axes:
        ct = P.reduce_sum.bind(ct, axes=axes)
    return ct if ct.shape == shape else P.reshape.bind(ct, shape=shape)


def add_tangents(a, b):
    """a + b for tangents or cotangents, either of which may be a symbolic zero."""
    if is_zero(a):
        return b
    if is_zero(b):
        return a
    return P.add.bind(a, b)


# -- one-line constructors --------------------------------------------------------
def def_elementwise(name, impl, tangent):
    """Unary math op.  `tangent(t, x, y)` gives the output tangent in wengert ops."""
    prim = new_primitive(name)
    prim.impl, prim.shape = impl, elementwise_shape(impl)

    def jvp(xs, ts):
        x, t = xs[0], ts[0]
        y = prim.bind(x)
        return y, tangent(t, x, y)
    jvp.__name__ = f"_{name}_jvp"
    prim.jvp = jvp
    return prim


def def_nondiff(name, impl, shape=None):
    """An op whose outputs carry no derivative (comparisons, floor, argmax)."""
    prim = new_primitive(name)
    prim.impl, prim.shape, prim.nondiff = impl, shape or elementwise_shape(impl), True
    return prim


def def_linear(name, impl, shape, transpose):
    """An op linear in all of its array arguments: the jvp applies the op to the
    tangents and the transpose rule is all reverse mode needs."""
    prim = new_primitive(name)
    prim.impl, prim.shape, prim.transpose, prim.linear = impl, shape, transpose, True

    def jvp(xs, ts, **params):
        if len(ts) == 1:
            return prim.bind(xs[0], **params), prim.bind(ts[0], **params)
        ts = [instantiate(t) for t in ts]
        return prim.bind(*xs, **params), prim.bind(*ts, **params)
    jvp.__name__ = f"_{name}_jvp"
    prim.jvp = jvp
    return prim


# -- indexes ----------------------------------------------------------------------
# An equation's params must hash and compare (a jit cache, CSE), so an index is
# split in two.  Its static structure is the param `idx`: a tuple of ints, None,
# Ellipsis, ("s", start, stop, step) for a slice and ("a", k) for the k-th index
# array.  The index arrays themselves are data, so they are *inputs* of the
# equation, after the array being indexed: getitem_p(x, *arrays, idx=, unique=).
# A boolean mask becomes its integer arrays (np.nonzero) here, since the shape of
# the result depends on its values.  The primitives are in structural.py.
def split_index(idx):
    """(static structure, index arrays) of a NumPy index tuple."""
    static, arrays = [], []
    for i in idx:
        if type(i) is slice:
            static.append(("s", _bound(i.start), _bound(i.stop), _bound(i.step)))
        elif i is None or i is Ellipsis or type(i) is int:
            static.append(i)
        elif isinstance(i, np.integer):
            static.append(int(i))
        elif getattr(i, "dtype", None) == bool:
            for a in np.nonzero(i):
                static.append(("a", len(arrays)))
                arrays.append(a)
        else:                                   # an integer array, possibly traced
            static.append(("a", len(arrays)))
            arrays.append(i)
    return tuple(static), arrays


def _bound(b):
    if b is None:
        return None
    try:
        return operator.index(b)
    except TypeError:       # NumPy's message for the same mistake
        raise TypeError("slice indices must be integers or None or have an __index__ method") from None


def join_index(static, arrays):
    """The NumPy index tuple from its static structure and index arrays."""
    return tuple(slice(*i[1:]) if type(i) is tuple and i[0] == "s" else
                 arrays[i[1]] if type(i) is tuple else i for i in static)


def is_basic(static):
    return all(type(i) is not tuple or i[0] == "s" for i in static)


def getitem(x, idx, unique):
    """x[idx] for a NumPy index tuple (the form wengert.numpy and the rules use)."""
    static, arrays = split_index(idx)
    return P.getitem.bind(x, *arrays, idx=static, unique=unique)


def scatter(u, shape, idx, unique):
    """u placed into zeros of `shape` at idx (repeats summed)."""
    static, arrays = split_index(idx)
    return P.scatter.bind(u, *arrays, shape=shape, idx=static, unique=unique)


def scatter_add(x, u, idx, unique):
    """x with u added at idx (repeats summed)."""
    static, arrays = split_index(idx)
    return P.scatter_add.bind(x, u, *arrays, idx=static, unique=unique)


