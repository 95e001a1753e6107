"""Checking and canonicalising what users pass to the transforms: argnums, input
leaves, tangents, cotangents; and shaping what the transforms hand back."""
import functools

import numpy as np

from ..core import InputError, Tracer, Zero, get_aval, is_float
from ..tree import tree_flatten, tree_unflatten


@functools.lru_cache(maxsize=256)
def _argnums_tuple(argnums, nargs, fname):
    single = isinstance(argnums, (int, np.integer))
    if not single and not (isinstance(argnums, tuple) and argnums
                           and all(isinstance(a, (int, np.integer)) for a in argnums)):
        raise InputError(f"{fname}: argnums must be an int or a non-empty tuple of ints, got "
                         f"{argnums!r}")
    nums = (int(argnums),) if single else tuple(int(a) for a in argnums)
    for a in nums:
        if not -nargs <= a < nargs:
            raise InputError(f"{fname}: argnums={argnums!r} is out of range for a function called "
                             f"with {nargs} positional argument(s); use 0..{nargs - 1}")
    nums = tuple(a % nargs for a in nums)
    if len(set(nums)) != len(nums):
        raise InputError(f"{fname}: argnums={argnums!r} names the same argument twice; list each "
                         "argument once")
    return single, nums


def _canon_leaf(x, fname, where, allow_int=False):
    """A differentiable input leaf as a NumPy value (Python floats -> float64)."""
    if isinstance(x, Tracer):
        dtype = x.aval.dtype
    elif isinstance(x, (bool, int, float, complex, np.ndarray, np.generic)):
        x = np.asarray(x)[()] if not isinstance(x, np.ndarray) else x
        dtype = x.dtype
    else:
        raise InputError(f"{fname}: {where} is a {type(x).__name__} ({x!r:.40}); wengert "
                         "differentiates numbers, NumPy arrays and pytrees of them")
    if not is_float(dtype) and not allow_int:
        raise InputError(f"{fname}: {where} has dtype {dtype} (value {x!r:.40}); only floating "
                         "inputs can be differentiated. Cast it, e.g. `x.astype(float)` or `float(x)`,"
                         " or pass allow_int=True to treat it as a constant with zero gradient")
    return x


_FLOATS = (float, np.float64, np.float32)


def _dyn_args(fname, args, argnums, allow_int=False):
    try:
        single, nums = _argnums_tuple(tuple(argnums) if type(argnums) is list else argnums,
                                      len(args), fname)
    except InputError:
        raise
    except TypeError:   # unhashable: not an int or a tuple of ints
        raise InputError(f"{fname}: argnums must be an int or a non-empty tuple of ints, got "
                         f"{argnums!r}") from None
    for i in nums:
        if type(args[i]) not in _FLOATS:
            break
    else:                                               # fast path: plain float arguments
        leaves = [np.float64(args[i]) if type(args[i]) is float else args[i] for i in nums]
        if nums == _all_args(len(args)):
            return leaves, (_SINGLE if single else _tuple_td(len(nums))), None

        def rebuild_flat(new_leaves):
            full = list(args)
            for i, v in zip(nums, new_leaves):
                full[i] = v
            return full
        return leaves, (_SINGLE if single else _tuple_td(len(nums))), rebuild_flat
    dyn = args[nums[0]] if single else tuple(args[i] for i in nums)
    leaves, td = tree_flatten(dyn)
    rebuild = _rebuild_tree(args, single, nums, td)
    leaves = [_canon_leaf(x, fname, f"argument {nums[0] if single else nums} leaf {k}", allow_int)
              for k, x in enumerate(leaves)]

    return leaves, td, rebuild


@functools.lru_cache(maxsize=64)
def _all_args(n):
    return tuple(range(n))


def _rebuild_tree(args, single, nums, td):
    def rebuild(new_leaves):
        new = tree_unflatten(td, new_leaves)
        full = list(args)
        if single:
            full[nums[0]] = new
        else:
            for i, v in zip(nums, new):
                full[i] = v
        return full
    return rebuild


_SINGLE = tree_flatten(0.0)[1]


@functools.lru_cache(maxsize=64)
def _tuple_td(n):
    return tree_flatten((0.0,) * n)[1]


_ZERO64 = np.float64(0.0)


def _finalize(ct, x):
    """A cotangent/tangent for input `x`: concrete zeros if None, x's dtype and shape."""
    if type(x) is np.float64 and (type(ct) is np.float64 or ct is None):
        return ct if ct is not None else _ZERO64
    aval = get_aval(x)
    if ct is None or type(ct) is Zero:
        z = np.zeros(aval.shape, aval.dtype if is_float(aval.dtype) else np.float64)
        return z[()] if aval.shape == () else z
    if isinstance(ct, Tracer):
        return ct
    ct = np.asarray(ct)
    if ct.dtype != aval.dtype and is_float(aval.dtype):
        ct = ct.astype(aval.dtype)
    elif not ct.flags.writeable:      # a broadcast view: hand the user an array they own
        ct = ct.copy()
    if ct.shape != aval.shape:
        ct = np.broadcast_to(ct, aval.shape).copy()
    return ct[()] if aval.shape == () else ct



def _check_cts(name, lin, ct_tree):
    leaves, td = tree_flatten(ct_tree)
    if td != lin.out_td:
        raise InputError(f"{name}: the cotangent's structure {td} does not match the output's "
                         f"structure {lin.out_td}")
    cts = []
    for k, (c, o) in enumerate(zip(leaves, lin.out)):
        ca, oa = get_aval(c), get_aval(o)
        if ca.shape != oa.shape:
            raise InputError(f"{name}: cotangent {k} has shape {ca.shape} but the output has shape "
                             f"{oa.shape}; pass a cotangent shaped like the output")
        if not isinstance(c, Tracer):
            c = np.asarray(c, dtype=oa.dtype if is_float(oa.dtype) else None)[()]
        cts.append(c)
    return cts



def _check_tangents(fname, primals, tangents, ptd, ttd):
    if ptd != ttd:
        raise InputError(f"{fname}: tangents have structure {ttd} but primals have {ptd}; "
                         "pass one tangent per primal, shaped alike")
    for k, (x, t) in enumerate(zip(primals, tangents)):
        xa, ta = get_aval(x), get_aval(t)
        if xa.shape != ta.shape:
            raise InputError(f"{fname}: tangent {k} has shape {ta.shape} but its primal has shape "
                             f"{xa.shape}; tangents must match their primals' shapes")
        if not is_float(ta.dtype) or (ta.dtype != xa.dtype and not ta.weak and not xa.weak):
            raise InputError(f"{fname}: tangent {k} has dtype {ta.dtype} but its primal has dtype "
                             f"{xa.dtype}; cast the tangent, e.g. t.astype({xa.dtype.name!r})")


def _canon_tangent(t, x):
    if isinstance(t, Tracer):
        return t
    return np.asarray(t, dtype=get_aval(x).dtype)[()]



def _jdtype(aval):
    return aval.dtype if is_float(aval.dtype) else np.float64
