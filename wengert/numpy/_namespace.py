"""The functions of wengert.numpy (see its __init__): NumPy's namespace built on the
primitives of wengert/ops."""
import builtins
import math

import numpy as _np
from numpy import (bool_, complex128, dtype, e, euler_gamma, finfo, float16, float32,  # noqa: F401
                   float64, iinfo, inf, int8, int16, int32, int64, intp, nan, ndarray, newaxis,
                   pi, uint8)

from ..core import InputError, Tracer, concrete
from ..ops import elementwise as E
from ..ops import linalg as L
from ..ops import reductions as R
from ..ops import structural as S

_PASS = (Tracer, _np.ndarray, _np.generic, float, int, bool, complex)


def _c(x):
    """An operand: arrays, scalars and tracers pass; sequences become arrays."""
    if isinstance(x, _PASS):
        return x
    if isinstance(x, (list, tuple)):
        return asarray(x)
    if hasattr(type(x), "_wengert_apply"):    # a value type such as wg.Dual: it applies ops itself
        return x
    raise InputError(f"wengert.numpy: cannot use a {type(x).__name__} ({x!r:.40}) as an array")


def _shape(x):
    return x.aval.shape if isinstance(x, Tracer) else _np.shape(x)


def _ndim(x):
    return len(_shape(x))


def _dtype(x):
    return x.aval.dtype if isinstance(x, Tracer) else _np.result_type(x)


def shape(x):
    return _shape(_c(x))


def ndim(x):
    return _ndim(_c(x))


def size(x):
    return math.prod(_shape(_c(x)))


def _norm_axis(axis, nd, fname="axis"):
    if nd == 0 and axis in (0, -1):      # NumPy lets axis 0 / -1 name a 0-d array's only "axis"
        return 0
    if not -nd <= axis < nd:
        raise _np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension {nd}")
    return axis % nd if nd else 0


def _axes(axis, nd):
    if axis is None:
        return tuple(range(nd))
    if nd == 0:      # axis 0 / -1 of a 0-d array: nothing to reduce (as NumPy)
        for a in (axis if isinstance(axis, (tuple, list)) else (axis,)):
            _norm_axis(a, 0)
        return ()
    if isinstance(axis, (tuple, list)):
        axes = tuple(sorted(_norm_axis(a, nd) for a in axis))
        if len(set(axes)) != len(axes):
            raise ValueError(f"duplicate value in 'axis': {axis}")
        return axes
    return (_norm_axis(axis, nd),)


# ---------------------------------------------------------------- elementwise
def _unary(prim):
    def fn(x):
        return prim.bind(x if isinstance(x, _PASS) else _c(x))
    fn.__name__ = prim.name
    fn.__doc__ = f"Elementwise {prim.name}, as numpy.{prim.name}."
    return fn


def _binary(prim):
    def fn(x, y):
        return prim.bind(x if isinstance(x, _PASS) else _c(x), y if isinstance(y, _PASS) else _c(y))
    fn.__name__ = prim.name
    fn.__doc__ = f"Elementwise {prim.name} with broadcasting, as in NumPy."
    return fn


sin, cos, tan = _unary(E.sin_p), _unary(E.cos_p), _unary(E.tan_p)
arcsin, arccos, arctan = _unary(E.arcsin_p), _unary(E.arccos_p), _unary(E.arctan_p)
sinh, cosh, tanh = _unary(E.sinh_p), _unary(E.cosh_p), _unary(E.tanh_p)
arcsinh, arccosh, arctanh = _unary(E.arcsinh_p), _unary(E.arccosh_p), _unary(E.arctanh_p)
exp, exp2, expm1 = _unary(E.exp_p), _unary(E.exp2_p), _unary(E.expm1_p)
log, log2, log10, log1p = _unary(E.log_p), _unary(E.log2_p), _unary(E.log10_p), _unary(E.log1p_p)
sqrt, cbrt, square = _unary(E.sqrt_p), _unary(E.cbrt_p), _unary(E.square_p)
abs = absolute = fabs = _unary(E.abs_p)
negative = _unary(E.neg_p)
sign, floor, ceil, trunc = _unary(E.sign_p), _unary(E.floor_p), _unary(E.ceil_p), _unary(E.trunc_p)
fix = trunc
isnan, isinf, isfinite = _unary(E.isnan_p), _unary(E.isinf_p), _unary(E.isfinite_p)
logical_not = _unary(E.not_p)

add, subtract, multiply = _binary(E.add_p), _binary(E.sub_p), _binary(E.mul_p)
divide = true_divide = _binary(E.div_p)
arctan2, hypot, logaddexp = _binary(E.arctan2_p), _binary(E.hypot_p), _binary(E.logaddexp_p)
maximum, minimum = _binary(E.maximum_p), _binary(E.minimum_p)
remainder = mod = _binary(E.remainder_p)
fmod, floor_divide = _binary(E.fmod_p), _binary(E.floor_divide_p)
heaviside = _binary(E.heaviside_p)
equal, not_equal = _binary(E.eq_p), _binary(E.ne_p)
less, less_equal, greater, greater_equal = (_binary(E.lt_p), _binary(E.le_p),
                                            _binary(E.gt_p), _binary(E.ge_p))
logical_and, logical_or, logical_xor = _binary(E.and_p), _binary(E.or_p), _binary(E.xor_p)


def positive(x):
    return _c(x)


def reciprocal(x):
    return E.div_p.bind(1.0, _c(x))


def deg2rad(x):
    return multiply(x, _np.pi / 180)


def rad2deg(x):
    return multiply(x, 180 / _np.pi)


radians, degrees = deg2rad, rad2deg


def power(x, y):
    """x ** y.  A constant integer exponent becomes `integer_pow` (repeated
    multiplication: exact at x = 0 to every order, and far faster than pow)."""
    x, y = _c(x), _c(y)
    if isinstance(y, (int, float, _np.integer, _np.floating)) and not isinstance(y, bool) \
            and not isinstance(x, (int, float)):
        # only where NumPy's result has the base's dtype (a float base, or an int base
        # with a non-negative int exponent): x ** 2.0 on ints is float, x ** np.float64(2)
        # on float32 is float64 (NEP 50)
        dt = _dtype(x)
        same = _np.result_type(dt, y) == dt and (dt.kind in "fc" or (isinstance(y, (int, _np.integer)) and y >= 0))
        if same and float(y).is_integer() and builtins.abs(y) <= 64:
            return E.integer_pow_p.bind(x, n=int(y))
        if same and y == 0.5:
            return E.sqrt_p.bind(x)
    return E.pow_p.bind(x, y)


float_power = power


def round(x, decimals=0):
    return E.round_p.bind(_c(x), decimals=decimals)


around = rint = round


def clip(x, a_min=None, a_max=None):
    """Clip to [a_min, a_max]; at a bound the derivative is 1/2 (the maximum/minimum
    tie convention)."""
    x = _c(x)
    if a_min is not None:
        x = maximum(x, a_min)
    if a_max is not None:
        x = minimum(x, a_max)
    return x


def fmax(x, y):
    x, y = _c(x), _c(y)
    return where(isnan(y), x, where(isnan(x), y, maximum(x, y)))


def fmin(x, y):
    x, y = _c(x), _c(y)
    return where(isnan(y), x, where(isnan(x), y, minimum(x, y)))


def where(condition, x=None, y=None):
    """Select from x where condition holds, else y.  The derivative flows only to
    the selected branch, but an inf/nan *derivative* in the other branch still
    poisons it (0 * inf = nan): use the double-where idiom (docs/conventions.md)."""
    if x is None and y is None:
        return _np.where(_concrete(condition, "where(condition)"))
    return E.select_p.bind(_c(condition), _c(x), _c(y))


def sinc(x):
    """sin(pi x) / (pi x), with the limit 1 at 0.  For |x| < 0.1 its Taylor polynomial
    (to (pi x)^20) is used instead, so derivatives up to order 20 are exact at and near 0,
    where the quotient's derivatives would cancel catastrophically."""
    x = _c(x)
    near = less(abs(x), 0.1)
    xs = where(near, 1.0, x)
    px = multiply(pi, xs)
    p2 = square(multiply(pi, where(near, x, 0.0)))
    one = _np.ones((), _np.result_type(_dtype(x), 1.0))
    series, term = 0.0 * one, one
    for k in range(11):            # sum over k of (-1)^k (pi x)^(2k) / (2k+1)!
        series = add(series, term)
        term = multiply(term, divide(negative(p2), float((2 * k + 2) * (2 * k + 3))))
    return where(near, series, divide(sin(px), px))


def astype(x, dtype):
    return E.convert_element_type(_c(x), dtype)


def real(x):
    return _c(x)


def conj(x):
    return _c(x)


conjugate = conj


def _concrete(x, what):
    """The concrete value of an index, a sort order or a mask (core.concrete)."""
    return _np.asarray(concrete(x, what))


# ---------------------------------------------------------------- reductions
def _keep(y, x_shape, axes, keepdims):
    if not keepdims:
        return y
    return S.reshape_p.bind(y, shape=tuple(1 if i in axes else n for i, n in enumerate(x_shape)))


def _masked(a, where, fill):
    """`where=` of NumPy's reductions: entries where the mask is False become `fill`
    (the reduction's identity), so they drop out of the value and get no derivative."""
    if where is True or where is None:
        return a
    mask = _concrete(where, "a where= mask") if isinstance(where, Tracer) else _np.asarray(where)
    if mask.dtype != bool:
        raise TypeError(f"where= must be a boolean mask, got dtype {mask.dtype}")
    return E.select_p.bind(_np.broadcast_to(mask, _shape(a)), a, _np.asarray(fill, _dtype(a)))


def _count(a, axes, where, keepdims):
    """How many entries each reduced slot combines (a constant array, or a number)."""
    if where is True or where is None:
        return float(math.prod(_shape(a)[i] for i in axes))
    mask = _np.broadcast_to(_np.asarray(where), _shape(a))
    dtype = _dtype(a) if _dtype(a).kind == "f" else _np.float64     # float32 stays float32
    return mask.sum(axis=axes, keepdims=keepdims).astype(dtype)


def sum(a, axis=None, dtype=None, keepdims=False, initial=None, where=True):
    """Sum over axes, as numpy.sum (with `initial` and a `where=` mask)."""
    a = _c(a)
    if dtype is not None:
        a = astype(a, dtype)
    a = _masked(a, where, 0)
    axes = _axes(axis, _ndim(a))
    out = _keep(R.reduce_sum_p.bind(a, axes=axes), _shape(a), axes, keepdims)
    return out if initial is None else add(out, initial)


def mean(a, axis=None, dtype=None, keepdims=False, where=True):
    """Mean over axes, as numpy.mean (a `where=` mask averages the selected entries)."""
    a = _c(a)
    axes = _axes(axis, _ndim(a))
    n = _count(a, axes, where, keepdims)
    s = sum(a, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    with _np.errstate(invalid="ignore", divide="ignore"):
        return divide(s, n if not isinstance(n, float) or n else _np.float64(n))


def var(a, axis=None, dtype=None, ddof=0, keepdims=False, where=True):
    a = _c(a)
    axes = _axes(axis, _ndim(a))
    n = _count(a, axes, where, keepdims)
    dev = subtract(a, mean(a, axis=axis, dtype=dtype, keepdims=True, where=where))
    dof = builtins.max(n - ddof, 0) if isinstance(n, float) else _np.maximum(n - ddof, 0)
    with _np.errstate(invalid="ignore", divide="ignore"):
        return divide(sum(square(dev), axis=axis, keepdims=keepdims, where=where),
                      float(dof) if isinstance(dof, float) else dof)


def std(a, axis=None, dtype=None, ddof=0, keepdims=False, where=True):
    """Standard deviation; note d std = inf*0 = nan where the variance is 0 (sqrt'(0) = inf)."""
    return sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where))


def _extremum(prim, a, axis, keepdims, initial, name, where=True):
    a = _c(a)
    if where is not True and where is not None:
        if initial is None:
            raise ValueError(f"{name} with a where= mask needs initial= (as in NumPy: the "
                             "reduction has no identity to stand for masked entries)")
        a = _masked(a, where, _np.inf if name == "min" else -_np.inf)
    axes = _axes(axis, _ndim(a))
    empty = math.prod(_shape(a)[i] for i in axes) == 0 and _shape(a)
    if initial is not None:   # as NumPy: initial joins the reduction (and fills an empty one)
        kept = tuple(n for i, n in enumerate(_shape(a)) if i not in axes)
        if empty:
            return _keep(_np.full(kept, initial, _np.result_type(_dtype(a), initial)), _shape(a), axes, keepdims)
        combine = maximum if name == "max" else minimum
        return _keep(combine(prim.bind(a, axes=axes), initial), _shape(a), axes, keepdims)
    if empty:
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
    return _keep(prim.bind(a, axes=axes), _shape(a), axes, keepdims)


def max(a, axis=None, keepdims=False, initial=None, where=True):
    """Maximum over axes; the derivative is split evenly among tied maxima."""
    return _extremum(R.reduce_max_p, a, axis, keepdims, initial, "max", where)


def min(a, axis=None, keepdims=False, initial=None, where=True):
    """Minimum over axes; the derivative is split evenly among tied minima."""
    return _extremum(R.reduce_min_p, a, axis, keepdims, initial, "min", where)


amax, amin = max, min


def ptp(a, axis=None, keepdims=False):
    return subtract(max(a, axis, keepdims), min(a, axis, keepdims))


def _arg(prim, a, axis, keepdims):
    a = _c(a)
    if axis is None:
        out = prim.bind(ravel(a), axis=0)
        return reshape(out, (1,) * _ndim(a)) if keepdims else out
    ax = _norm_axis(axis, _ndim(a))
    out = prim.bind(a, axis=ax)
    return expand_dims(out, ax) if keepdims else out


def argmax(a, axis=None, keepdims=False):
    return _arg(R.argmax_p, a, axis, keepdims)


def argmin(a, axis=None, keepdims=False):
    return _arg(R.argmin_p, a, axis, keepdims)


def argsort(a, axis=-1):
    a = _c(a)
    if axis is None:
        return R.argsort_p.bind(ravel(a), axis=0)
    return R.argsort_p.bind(a, axis=_norm_axis(axis, _ndim(a)))


def cumsum(a, axis=None, dtype=None):
    a = _c(a) if dtype is None else astype(a, dtype)
    if axis is None:
        a, axis = ravel(a), 0
    return R.cumsum_p.bind(a, axis=_norm_axis(axis, _ndim(a)), reverse=False)


def _last(a, axis):
    a = _c(a)
    if axis is None or _ndim(a) == 0:
        return ravel(a), 0
    return a, _norm_axis(axis, _ndim(a))


def prod(a, axis=None, keepdims=False, dtype=None, initial=None, where=True):
    """Product over axes, composed as a pairwise tree of multiplications: exact
    derivatives of every order even where entries are 0 (no division by x)."""
    if initial is not None:
        return multiply(prod(a, axis, keepdims, dtype, where=where), initial)
    a = _promote_small_ints(_c(a)) if dtype is None else astype(a, dtype)
    a = _masked(a, where, 1)
    axes = _axes(axis, _ndim(a))
    shp = _shape(a)
    rest = [i for i in range(len(shp)) if i not in axes]
    x = transpose(a, rest + list(axes))
    x = reshape(x, tuple(shp[i] for i in rest) + (math.prod(shp[i] for i in axes),))
    while _shape(x)[-1] > 1:
        if _shape(x)[-1] % 2:
            x = concatenate([x, _np.ones(_shape(x)[:-1] + (1,), _dtype(x))], axis=-1)
        x = multiply(x[..., 0::2], x[..., 1::2])
    if _shape(x)[-1] == 0:
        x = _np.ones(_shape(x)[:-1], _np.result_type(_dtype(a), _np.int_) if _dtype(a).kind in "bi" else _dtype(a))
    else:
        x = reshape(x, _shape(x)[:-1])
    return _keep(x, shp, axes, keepdims)


def _promote_small_ints(a):
    """As np.prod does: bools and integers narrower than the platform's accumulate in it."""
    dt = _dtype(a)
    if dt.kind == "b" or (dt.kind in "iu" and dt.itemsize < _np.dtype(_np.int_).itemsize):
        return astype(a, _np.uint64 if dt.kind == "u" else _np.int_)
    return a


def cumprod(a, axis=None, dtype=None):
    """Cumulative product by a log-depth (Hillis-Steele) scan of multiplications:
    exact derivatives at zeros, O(log n) primitives."""
    a, ax = _last(_promote_small_ints(_c(a)) if dtype is None else astype(a, dtype), axis)
    n, k, x = _shape(a)[ax], 1, a
    while k < n:
        lead = [slice(None)] * ax
        ones = _np.ones(_shape(x)[:ax] + (k,) + _shape(x)[ax + 1:], _dtype(x))
        shifted = concatenate([ones, x[tuple(lead + [slice(0, n - k)])]], axis=ax)
        x, k = multiply(x, shifted), 2 * k
    return x


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    if weights is None:
        avg = mean(a, axis=axis, keepdims=keepdims)
        wsum = _np.float64(math.prod(_shape(_c(a))[i] for i in _axes(axis, _ndim(_c(a)))))
    else:
        a, w = _c(a), _c(weights)
        if _shape(w) != _shape(a):
            if axis is None or _ndim(w) != 1:
                raise ValueError("average: 1-D weights need an axis; otherwise weights must match a's shape")
            ax = _norm_axis(axis, _ndim(a))
            w = reshape(w, tuple(-1 if i == ax else 1 for i in range(_ndim(a))))
            w = broadcast_to(w, _shape(a))
        wsum = sum(w, axis=axis, keepdims=keepdims)
        avg = divide(sum(multiply(a, w), axis=axis, keepdims=keepdims), wsum)
    return (avg, wsum) if returned else avg


# ---------------------------------------------------------------- shapes
def _resolve_shape(size, newshape):
    newshape = (newshape,) if isinstance(newshape, (int, _np.integer)) else tuple(int(n) for n in newshape)
    if newshape.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    if -1 in newshape:
        known = math.prod(n for n in newshape if n != -1)
        if known == 0 or size % known:
            raise ValueError(f"cannot reshape array of size {size} into shape {newshape}")
        newshape = tuple(size // known if n == -1 else n for n in newshape)
    if math.prod(newshape) != size:
        raise ValueError(f"cannot reshape array of size {size} into shape {newshape}")
    return newshape


def reshape(a, shape=None, order="C", newshape=None):
    a = _c(a)
    shape = shape if shape is not None else newshape
    new = _resolve_shape(math.prod(_shape(a)), shape)
    if order == "F":   # column-major: reverse the axes on both sides of a C-order reshape
        return transpose(reshape(transpose(a), tuple(reversed(new))))
    if order not in ("C", "A"):
        raise ValueError(f"reshape: order must be 'C', 'F' or 'A', got {order!r}")
    return a if new == _shape(a) else S.reshape_p.bind(a, shape=new)


def ravel(a):
    return reshape(a, (-1,))


def transpose(a, axes=None):
    a = _c(a)
    nd = _ndim(a)
    perm = tuple(reversed(range(nd))) if axes is None else tuple(_norm_axis(i, nd) for i in axes)
    if sorted(perm) != list(range(nd)):
        raise ValueError(f"axes {axes} don't match array of dimension {nd}")
    return a if perm == tuple(range(nd)) else S.transpose_p.bind(a, perm=perm)


permute_dims = transpose


def swapaxes(a, axis1, axis2):
    a = _c(a)
    perm = list(range(_ndim(a)))
    i, j = _norm_axis(axis1, len(perm)), _norm_axis(axis2, len(perm))
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(a, perm)


def moveaxis(a, source, destination):
    a = _c(a)
    nd = _ndim(a)
    src = [_norm_axis(int(s), nd) for s in _np.atleast_1d(source)]
    dst = [_norm_axis(int(d), nd) for d in _np.atleast_1d(destination)]
    if len(src) != len(dst):
        raise ValueError("moveaxis: source and destination must have the same number of elements")
    out = [None] * nd
    for s, d in zip(src, dst):
        out[d] = s
    rest = iter(i for i in range(nd) if i not in src)
    return transpose(a, [o if o is not None else next(rest) for o in out])


def expand_dims(a, axis):
    a = _c(a)
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    nd = _ndim(a) + len(axes)
    axes = {_norm_axis(x, nd) for x in axes}
    it = iter(_shape(a))
    return reshape(a, tuple(1 if i in axes else next(it) for i in range(nd)))


def squeeze(a, axis=None):
    a = _c(a)
    shp = _shape(a)
    axes = [i for i, n in enumerate(shp) if n == 1] if axis is None else _axes(axis, len(shp))
    for i in axes:
        if shp[i] != 1:
            raise ValueError(f"cannot select an axis to squeeze out which has size not equal to one (axis {i}, size {shp[i]})")
    return reshape(a, tuple(n for i, n in enumerate(shp) if i not in axes))


def broadcast_to(a, shape):
    a = _c(a)
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if _shape(a) == shape:
        return a
    _np.broadcast_shapes(_shape(a), shape)
    if len(shape) < _ndim(a):
        raise ValueError(f"cannot broadcast shape {_shape(a)} to {shape}")
    return a if _shape(a) == shape else S.broadcast_to_p.bind(a, shape=shape)


def broadcast_arrays(*args):
    args = [_c(a) for a in args]
    shp = _np.broadcast_shapes(*[_shape(a) for a in args])
    return [broadcast_to(a, shp) for a in args]


def atleast_1d(*arys):
    out = [reshape(a, (1,)) if _ndim(_c(a)) == 0 else _c(a) for a in arys]
    return out[0] if len(out) == 1 else out


def atleast_2d(*arys):
    out = []
    for a in arys:
        a = _c(a)
        out.append(reshape(a, (1,) * (2 - _ndim(a)) + _shape(a)) if _ndim(a) < 2 else a)
    return out[0] if len(out) == 1 else out


def atleast_3d(*arys):
    out = []
    for a in arys:
        a = _c(a)
        nd = _ndim(a)
        shp = {0: (1, 1, 1), 1: (1,) + _shape(a) + (1,), 2: _shape(a) + (1,)}.get(nd, _shape(a))
        out.append(reshape(a, shp))
    return out[0] if len(out) == 1 else out


def concatenate(arrays, axis=0):
    arrays = [_c(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    if axis is None:
        arrays, axis = [ravel(a) for a in arrays], 0
    nd = _ndim(arrays[0])
    if nd == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    ax = _norm_axis(axis, nd)
    for a in arrays[1:]:
        sa, s0 = _shape(a), _shape(arrays[0])
        if len(sa) != nd or any(x != y for i, (x, y) in enumerate(zip(sa, s0)) if i != ax):
            raise ValueError(f"concatenate: shapes {s0} and {sa} differ outside axis {ax}")
    if len(arrays) == 1:
        return arrays[0]
    return S.concatenate_p.bind(*arrays, axis=ax)


def stack(arrays, axis=0):
    arrays = [_c(a) for a in arrays]
    if not arrays:
        raise ValueError("need at least one array to stack")
    shapes = {_shape(a) for a in arrays}
    if len(shapes) != 1:
        raise ValueError(f"all input arrays must have the same shape, got {sorted(shapes)}")
    ax = _norm_axis(axis, _ndim(arrays[0]) + 1)
    return concatenate([expand_dims(a, ax) for a in arrays], axis=ax)


def vstack(tup):
    return concatenate([atleast_2d(a) for a in tup], axis=0)


def hstack(tup):
    arrs = [atleast_1d(a) for a in tup]
    return concatenate(arrs, axis=0 if _ndim(arrs[0]) == 1 else 1)


def column_stack(tup):
    return concatenate([reshape(a, (-1, 1)) if _ndim(_c(a)) < 2 else _c(a) for a in tup], axis=1)


def split(ary, indices_or_sections, axis=0):
    a = _c(ary)
    ax = _norm_axis(axis, _ndim(a))
    n = _shape(a)[ax]
    if isinstance(indices_or_sections, (int, _np.integer)):
        if n % indices_or_sections:
            raise ValueError("array split does not result in an equal division")
        step = n // indices_or_sections
        bounds = list(range(0, n + 1, step)) if step else [0] * (indices_or_sections + 1)
    else:
        bounds = [0] + [builtins.min(builtins.max(int(i) + n if int(i) < 0 else int(i), 0), n)
                        for i in indices_or_sections] + [n]
    lead = (slice(None),) * ax
    return [_getitem(a, lead + (slice(lo, builtins.max(lo, hi)),)) for lo, hi in zip(bounds[:-1], bounds[1:])]


def array_split(ary, indices_or_sections, axis=0):
    a = _c(ary)
    n = _shape(a)[_norm_axis(axis, _ndim(a))]
    if isinstance(indices_or_sections, (int, _np.integer)):
        q, r = divmod(n, int(indices_or_sections))
        sizes = [q + 1] * r + [q] * (int(indices_or_sections) - r)
        indices_or_sections = _np.cumsum(sizes)[:-1]
    return split(a, indices_or_sections, axis)


def _take_axis(a, idx, ax, unique):
    return S.getitem(a, (slice(None),) * ax + (_np.asarray(idx),), unique)


def flip(m, axis=None):
    a = _c(m)
    axes = _axes(axis, _ndim(a))
    return _getitem(a, tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(_ndim(a))))


def fliplr(m):
    return flip(m, 1)


def flipud(m):
    return flip(m, 0)


def roll(a, shift, axis=None):
    a = _c(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), _shape(a))
    shifts, axes = _np.broadcast_arrays(_np.atleast_1d(shift), _np.atleast_1d(axis))
    for s, ax in zip(shifts, axes):
        ax = _norm_axis(int(ax), _ndim(a))
        a = _take_axis(a, _np.roll(_np.arange(_shape(a)[ax]), int(s)), ax, True)
    return a


def tile(A, reps):
    a = _c(A)
    reps = (reps,) if isinstance(reps, (int, _np.integer)) else tuple(reps)
    nd = builtins.max(_ndim(a), len(reps))
    a = reshape(a, (1,) * (nd - _ndim(a)) + _shape(a))
    reps = (1,) * (nd - len(reps)) + reps
    shp = _shape(a)
    inter = tuple(x for n in shp for x in (1, n))
    big = broadcast_to(reshape(a, inter), tuple(x for r, n in zip(reps, shp) for x in (r, n)))
    return reshape(big, tuple(r * n for r, n in zip(reps, shp)))


def repeat(a, repeats, axis=None):
    a = _c(a)
    if axis is None:
        a, axis = ravel(a), 0
    ax = _norm_axis(axis, _ndim(a))
    idx = _np.repeat(_np.arange(_shape(a)[ax]), repeats)
    return _take_axis(a, idx, ax, False)


_PAD_GATHER = ("edge", "reflect", "symmetric", "wrap")
_PAD_STATS = {"maximum": lambda a, ax: max(a, axis=ax, keepdims=True),
              "minimum": lambda a, ax: min(a, axis=ax, keepdims=True),
              "mean": lambda a, ax: mean(a, axis=ax, keepdims=True),
              "median": lambda a, ax: median(a, axis=ax, keepdims=True)}


def pad(array, pad_width, mode="constant", constant_values=0, end_values=0, stat_length=None):
    """Pad as numpy.pad, every mode: constant (and empty, which pads zeros), edge,
    reflect, symmetric and wrap gather from index maps; maximum, minimum, mean and
    median pad with a statistic of the edge region (`stat_length`); linear_ramp
    ramps from `end_values` to the edge.  Axes are padded in order, as NumPy does,
    so corners see the padding of earlier axes."""
    a = _c(array)
    nd = _ndim(a)
    widths = _pairs(pad_width, nd, "pad_width")
    if mode in ("constant", "empty"):
        out = S.pad_p.bind(a, widths=widths)
        if mode == "constant" and _np.any(_np.asarray(constant_values) != 0):
            border = _np.pad(_np.zeros(_shape(a), _dtype(a)), widths, constant_values=constant_values)
            out = add(out, border)
        return out
    if mode not in _PAD_GATHER and mode not in _PAD_STATS and mode != "linear_ramp":
        raise ValueError(f"pad: mode {mode!r} is not a numpy.pad mode; use one of constant, edge, "
                         "linear_ramp, maximum, mean, median, minimum, reflect, symmetric, wrap, empty")
    lengths = _pairs(stat_length, nd, "stat_length") if stat_length is not None else None
    ends = _np.broadcast_to(_np.asarray(end_values, dtype=float), (nd, 2))
    for ax, (lo, hi) in enumerate(widths):
        if not (lo or hi):
            continue
        if mode in _PAD_GATHER:
            idx = _np.pad(_np.arange(_shape(a)[ax]), (lo, hi), mode=mode)
            a = _take_axis(a, idx, ax, False)
        elif mode == "linear_ramp":
            a = _pad_ramp(a, ax, lo, hi, ends[ax])
        else:
            a = _pad_stat(a, ax, lo, hi, _PAD_STATS[mode], lengths[ax] if lengths else None)
    return a


def _pairs(width, nd, what):
    try:
        pairs = _np.broadcast_to(_np.asarray(width), (nd, 2))
    except ValueError:
        raise ValueError(f"pad: {what} {width!r} does not fit an array of {nd} dimensions; give "
                         "one number, a (before, after) pair, or one pair per axis") from None
    if _np.any(pairs < 0):
        raise ValueError(f"pad: {what} must be non-negative, got {width!r}")
    return tuple(tuple(int(w) for w in row) for row in pairs)


def _edge_slice(a, ax, start, stop):
    idx = [slice(None)] * _ndim(a)
    idx[ax] = slice(start, stop)
    return a[tuple(idx)]


def _pad_stat(a, ax, lo, hi, stat, lengths):
    n = _shape(a)[ax]
    if n == 0:
        raise ValueError(f"pad: cannot take a statistic of an empty axis {ax} to pad it")
    first, last = (n, n) if lengths is None else (builtins.max(1, builtins.min(lengths[0], n)),
                                                   builtins.max(1, builtins.min(lengths[1], n)))
    parts = []
    for width, region in ((lo, _edge_slice(a, ax, 0, first)), (None, a),
                          (hi, _edge_slice(a, ax, n - last, n))):
        if width is None:
            parts.append(a)
        elif width:
            value = stat(region, ax)
            if _dtype(a).kind in "iu":
                value = astype(round(value), _dtype(a))
            shape = list(_shape(a))
            shape[ax] = width
            parts.append(broadcast_to(value, tuple(shape)))
    return concatenate(parts, axis=ax)


def _pad_ramp(a, ax, lo, hi, ends):
    n, nd = _shape(a)[ax], _ndim(a)
    if n == 0:
        raise ValueError(f"pad: linear_ramp needs an edge value on axis {ax}, which is empty")
    along = lambda v: v.reshape((-1,) + (1,) * (nd - ax - 1))  # noqa: E731
    parts = []
    if lo:       # end_value + (edge - end_value) * k / lo, k = 0 .. lo-1 (numpy's linspace)
        edge = _edge_slice(a, ax, 0, 1)
        parts.append(ends[0] + (edge - ends[0]) * along(_np.arange(lo) / lo))
    parts.append(a)
    if hi:
        edge = _edge_slice(a, ax, n - 1, n)
        parts.append(ends[1] + (edge - ends[1]) * along(_np.arange(hi - 1, -1, -1) / hi))
    out = concatenate(parts, axis=ax)
    # integer arrays: numpy's integer linspace rounds toward -inf
    return astype(floor(out), _dtype(a)) if _dtype(a).kind in "iu" else astype(out, _dtype(a))


def median(a, axis=None, keepdims=False):
    """Median as numpy.median: sort, then the middle entry or the mean of the two
    middle entries (so the derivative flows to those entries; ties split by sort)."""
    a = _c(a)
    if axis is None:
        out = median(ravel(a), 0)
        return reshape(out, (1,) * _ndim(a)) if keepdims else out
    ax = _norm_axis(axis, _ndim(a))
    n = _shape(a)[ax]
    if n == 0:
        raise ValueError("median of an empty axis")
    s = sort(a, axis=ax)
    mid = _np.array([n // 2]) if n % 2 else _np.array([n // 2 - 1, n // 2])
    return mean(_take_axis(s, mid, ax, True), axis=ax, keepdims=keepdims)


def diagonal(a, offset=0, axis1=0, axis2=1):
    a = _c(a)
    nd = _ndim(a)
    a = moveaxis(a, (_norm_axis(axis1, nd), _norm_axis(axis2, nd)), (-2, -1))
    n, m = _shape(a)[-2:]
    rows = _np.arange(builtins.max(0, -offset), builtins.min(n, m - offset))
    return S.getitem(a, (Ellipsis, rows, rows + offset), True)


def diag(v, k=0):
    v = _c(v)
    if _ndim(v) == 2:
        return diagonal(v, k)
    if _ndim(v) != 1:
        raise ValueError("diag: input must be 1-d or 2-d")
    n = _shape(v)[0] + builtins.abs(k)
    rows = _np.arange(_shape(v)[0]) + builtins.max(0, -k)
    return S.scatter_add(_np.zeros((n, n), _dtype(v)), v, (rows, rows + k), True)


def trace(a, offset=0, axis1=0, axis2=1):
    return sum(diagonal(a, offset, axis1, axis2), axis=-1)


def _tri_mask(shape, k, lower):
    n, m = shape[-2:]
    mask = _np.tri(n, m, k, dtype=bool) if lower else ~_np.tri(n, m, k - 1, dtype=bool)
    return mask


def tril(m, k=0):
    m = _c(m)
    return where(_tri_mask(_shape(m), k, True), m, _np.zeros((), _dtype(m)))


def triu(m, k=0):
    m = _c(m)
    return where(_tri_mask(_shape(m), k, False), m, _np.zeros((), _dtype(m)))


def take(a, indices, axis=None):
    a = _c(a)
    if axis is None:
        a, axis = ravel(a), 0
    return _take_axis(a, _np.asarray(_concrete(indices, "take indices")), _norm_axis(axis, _ndim(a)), False)


def _along_index(idx, ax):
    nd = idx.ndim
    return tuple(idx if i == ax else _np.arange(idx.shape[i]).reshape([-1 if j == i else 1 for j in range(nd)])
                 for i in range(nd))


def take_along_axis(arr, indices, axis, _unique=False):
    a = _c(arr)
    idx = indices if isinstance(indices, Tracer) and _dtype(indices).kind in "iu" else _np.asarray(
        _concrete(indices, "take_along_axis indices"))      # a traced index is staged as an input
    if axis is None:
        a, axis = ravel(a), 0
    ax = _norm_axis(axis, _ndim(a))
    if idx.ndim != _ndim(a):
        raise ValueError("take_along_axis: indices and arr must have the same number of dimensions")
    a = broadcast_to(a, tuple(s if i == ax else builtins.max(s, t) for i, (s, t) in enumerate(zip(_shape(a), idx.shape))))
    idx_shape = tuple(t if i == ax else s for i, (s, t) in enumerate(zip(_shape(a), idx.shape)))
    idx = idx if idx.shape == idx_shape else broadcast_to(idx, idx_shape)
    return S.getitem(a, _along_index(idx, ax), _unique)


def sort(a, axis=-1):
    """Sorted copy; derivatives follow each element to its place (ties keep order)."""
    a = _c(a)
    if axis is None:
        a, axis = ravel(a), 0
    elif _ndim(a) == 0:
        raise _np.exceptions.AxisError(f"axis {axis} is out of bounds for array of dimension 0")
    return take_along_axis(a, argsort(a, axis), axis, _unique=True)   # staged: the order is an input


# ---------------------------------------------------------------- indexing
def _normalize_index(idx):
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    for i in idx:
        if isinstance(i, Tracer) and _dtype(i).kind in "iu" and _ndim(i):
            out.append(i)         # an integer index array: staged as an input of getitem
            continue
        if isinstance(i, Tracer):
            i = _concrete(i, "an index")
            if not isinstance(i, _np.ndarray) and i is not None:
                raise InputError("indexing with a traced value: indices must be concrete integers")
        if isinstance(i, (list, _np.ndarray)):
            i = _np.asarray(i)
            if i.dtype.kind not in "biu" and i.size:
                raise IndexError(f"arrays used as indices must be of integer or boolean type, got {i.dtype}")
            if i.size == 0:
                i = i.astype(_np.intp)
            if i.ndim == 0:
                i = int(i) if i.dtype.kind != "b" else i
        elif isinstance(i, _np.integer):
            i = int(i)
        out.append(i)
    return tuple(out)


def _getitem(a, idx):
    idx = _normalize_index(idx)
    unique = all(isinstance(i, (slice, int, type(None), type(Ellipsis))) for i in idx) or (
        builtins.sum(isinstance(i, _np.ndarray) for i in idx) == 1
        and any(isinstance(i, _np.ndarray) and i.dtype == bool for i in idx))
    return S.getitem(a, idx, unique)


class _IndexUpdate:
    """`x.at[idx].set(v)`, `.add(v)`, `.multiply(v)`: functional updates."""

    def __init__(self, x):
        self.x = x

    def __getitem__(self, idx):
        return _IndexUpdateRef(self.x, _normalize_index(idx))


class _IndexUpdateRef:
    def __init__(self, x, idx):
        self.x, self.idx = x, idx

    def _spread(self, v):
        """v broadcast into the indexed region, zeros elsewhere; and the region's mask."""
        region = _np.zeros(_shape(self.x), bool)
        region[self.idx] = True
        target = _shape(_np.zeros(_shape(self.x))[self.idx])
        v = broadcast_to(astype(_c(v), _dtype(self.x)) if _dtype(_c(v)) != _dtype(self.x) else _c(v), target)
        return S.scatter_add(_np.zeros(_shape(self.x), _dtype(self.x)), v, self.idx, False), region

    def _rounds(self, v):
        """The update as rounds in which every element is hit at most once: the k-th
        occurrence of each repeated index goes in round k.  Yields (flat positions,
        values) per round, over the flattened array."""
        x_shape = _shape(self.x)
        pos = _np.arange(math.prod(x_shape)).reshape(x_shape)[self.idx].ravel()
        v = _c(v)
        if _dtype(v) != _dtype(self.x):
            v = astype(v, _dtype(self.x))
        v = reshape(broadcast_to(v, _shape(_np.zeros(x_shape)[self.idx])), (-1,))
        order = _np.argsort(pos, kind="stable")
        first = _np.r_[True, pos[order][1:] != pos[order][:-1]] if pos.size else _np.zeros(0, bool)
        rank = _np.empty(pos.size, _np.intp)
        starts = _np.flatnonzero(first)
        rank[order] = _np.arange(pos.size) - _np.repeat(starts, _np.diff(_np.r_[starts, pos.size]))
        for r in range(int(rank.max()) + 1 if pos.size else 0):
            sel = _np.flatnonzero(rank == r)
            yield pos[sel], S.getitem(v, (sel,), True)

    def _apply(self, v, combine):
        x_shape = _shape(self.x)
        flat = reshape(self.x, (-1,))
        for pos, vals in self._rounds(v):
            mask = _np.zeros(flat_size := math.prod(x_shape), bool)
            mask[pos] = True
            spread = S.scatter(vals, (flat_size,), (pos,), True)
            flat = combine(flat, spread, mask)
        return reshape(flat, x_shape)

    def add(self, v):
        spread, _ = self._spread(v)
        return add(self.x, spread)

    def set(self, v):
        """Set the indexed elements to v; for a repeated index the last value wins, as
        in NumPy's `x[idx] = v`."""
        return self._apply(v, lambda flat, spread, mask: where(mask, spread, flat))

    def multiply(self, v):
        """Multiply the indexed elements by v; a repeated index multiplies again (as
        `.add` adds again)."""
        one = _np.ones((), _dtype(self.x))
        return self._apply(v, lambda flat, spread, mask: multiply(flat, where(mask, spread, one)))

    def get(self):
        return _getitem(self.x, self.idx)


def at(x):
    """Functional index updates for any array: `wnp.at(x)[i].set(v)` (traced arrays
    also have `x.at[i]`)."""
    return _IndexUpdate(_c(x))


# ---------------------------------------------------------------- products
def _dot_general(a, b, contract, batch=((), ())):
    return L.dot_general_p.bind(a, b, dims=(contract, batch))


def matmul(a, b):
    """Matrix product with NumPy's broadcasting of leading (batch) dimensions."""
    a, b = _c(a), _c(b)
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        raise ValueError("matmul: input operand does not have enough dimensions (use multiply for scalars)")
    _check_contract(_shape(a)[-1], _shape(b)[-2 if nb > 1 else 0], "matmul")
    if na == 1:
        return _dot_general(a, b, ((0,), (nb - 2 if nb > 1 else 0,)))
    if nb == 1:
        return _dot_general(a, b, ((na - 1,), (0,)))
    if na == 2 and nb == 2:
        return _dot_general(a, b, ((1,), (0,)))
    batch = _np.broadcast_shapes(_shape(a)[:-2], _shape(b)[:-2])
    a = broadcast_to(a, batch + _shape(a)[-2:])
    b = broadcast_to(b, batch + _shape(b)[-2:])
    nbt = tuple(range(len(batch)))
    return _dot_general(a, b, ((len(batch) + 1,), (len(batch),)), (nbt, nbt))


def _check_contract(n, m, name):
    if n != m:
        raise ValueError(f"{name}: contracted dimensions differ ({n} vs {m})")


def dot(a, b):
    a, b = _c(a), _c(b)
    na, nb = _ndim(a), _ndim(b)
    if na == 0 or nb == 0:
        return multiply(a, b)
    kb = 0 if nb == 1 else nb - 2
    _check_contract(_shape(a)[-1], _shape(b)[kb], "dot")
    return _dot_general(a, b, ((na - 1,), (kb,)))


def vdot(a, b):
    return sum(multiply(ravel(a), ravel(b)))


def inner(a, b):
    a, b = _c(a), _c(b)
    if _ndim(a) == 0 or _ndim(b) == 0:
        return multiply(a, b)
    _check_contract(_shape(a)[-1], _shape(b)[-1], "inner")
    return _dot_general(a, b, ((_ndim(a) - 1,), (_ndim(b) - 1,)))


def outer(a, b):
    return multiply(reshape(a, (-1, 1)), reshape(b, (1, -1)))


def tensordot(a, b, axes=2):
    a, b = _c(a), _c(b)
    if isinstance(axes, (int, _np.integer)):
        ax_a = tuple(range(_ndim(a) - axes, _ndim(a)))
        ax_b = tuple(range(axes))
    else:
        ax_a, ax_b = (tuple(_np.atleast_1d(x).tolist()) for x in axes)
    ax_a = tuple(_norm_axis(i, _ndim(a)) for i in ax_a)
    ax_b = tuple(_norm_axis(i, _ndim(b)) for i in ax_b)
    for i, j in zip(ax_a, ax_b):
        _check_contract(_shape(a)[i], _shape(b)[j], "tensordot")
    return _dot_general(a, b, (ax_a, ax_b))


def kron(a, b):
    a, b = _c(a), _c(b)
    nd = builtins.max(_ndim(a), _ndim(b))
    a = reshape(a, (1,) * (nd - _ndim(a)) + _shape(a))
    b = reshape(b, (1,) * (nd - _ndim(b)) + _shape(b))
    sa, sb = _shape(a), _shape(b)
    a2 = reshape(a, tuple(x for n in sa for x in (n, 1)))
    b2 = reshape(b, tuple(x for n in sb for x in (1, n)))
    return reshape(multiply(a2, b2), tuple(m * n for m, n in zip(sa, sb)))




# ---------------------------------------------------------------- creation (constants)
zeros, ones, full, empty, eye, identity = _np.zeros, _np.ones, _np.full, _np.zeros, _np.eye, _np.identity
arange, tri = _np.arange, _np.tri


def _like_shape(a, shape):
    return _shape(_c(a)) if shape is None else shape


def zeros_like(a, dtype=None, shape=None):
    return _np.zeros(_like_shape(a, shape), dtype or _dtype(_c(a)))


def ones_like(a, dtype=None, shape=None):
    return _np.ones(_like_shape(a, shape), dtype or _dtype(_c(a)))


def full_like(a, fill_value, dtype=None, shape=None):
    return _np.full(_like_shape(a, shape), fill_value, dtype or _dtype(_c(a)))


empty_like = zeros_like


def linspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """As numpy.linspace; traced (or array) endpoints give a differentiable result."""
    if not (isinstance(start, Tracer) or isinstance(stop, Tracer)):
        return _np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype, axis=axis)
    start, stop = _c(start), _c(stop)
    out_dtype = dtype or _np.result_type(_dtype(start), _dtype(stop), 1.0)
    shp = _np.broadcast_shapes(_shape(start), _shape(stop))
    frac = _np.linspace(0.0, 1.0, num, endpoint=endpoint, dtype=out_dtype).reshape((num,) + (1,) * len(shp))
    out = add(start, multiply(subtract(stop, start), frac))
    out = astype(out, out_dtype) if _dtype(out) != out_dtype else out
    return moveaxis(out, 0, axis) if axis != 0 else out


def _has_tracer(x):
    if isinstance(x, Tracer):
        return True
    return isinstance(x, (list, tuple)) and builtins.any(_has_tracer(i) for i in x)


def asarray(a, dtype=None):
    """An array from an array, a scalar or (nested) sequences, which may hold traced
    values (they are stacked, so derivatives flow through)."""
    if isinstance(a, (list, tuple)) and _has_tracer(a):
        out = stack([asarray(i) for i in a])
        return out if dtype is None else astype(out, dtype)
    if isinstance(a, Tracer):
        return a if dtype is None else astype(a, dtype)
    return _np.asarray(a, dtype=dtype)


def array(a, dtype=None, copy=True):
    out = asarray(a, dtype)
    return _np.array(out, copy=True) if copy and isinstance(out, _np.ndarray) else out




def _attach_examples():
    """Give every function here a runnable example (wengert/numpy/_examples.py)."""
    from ._examples import EXAMPLES
    head = "import numpy as np, wengert as wg, wengert.numpy as wnp"
    for name, lines in EXAMPLES.items():
        fn = globals()[name]
        summary = (fn.__doc__ or f"{name}, as numpy.{name}; differentiable in every mode.").rstrip()
        body = [f"      >>> {head}"]
        for expr, out in lines:
            body.append(f"      >>> {expr}")
            body.extend(f"      {line}" if line else "" for line in out.splitlines())
        fn.__doc__ = f"{summary}\n\n    Example:\n" + "\n".join(body) + "\n"


_attach_examples()
