"""Elementwise primitives.  One block per op; tangents in wengert ops.

Conventions at non-smooth points (docs/conventions.md):
  abs'(0) = sign(0) = 0; maximum/minimum ties split the tangent evenly
  (so abs = max(x, -x) agrees); sqrt'(0) = +inf; floor/ceil/round/sign: 0.
"""
import operator

import numpy as np

from ..core import ShapedArray, Tracer, UndefinedPrimal, Zero, is_float, is_undefined, reject_tracer
from . import structural as S
from .rules import (add_tangents, def_elementwise, def_linear, def_nondiff, elementwise_shape,  # noqa: F401
                    is_zero, new_primitive, unbroadcast)
from . import series as T


_FLOAT_SCALARS = (np.float64, np.float32, float)


def _scalar_fast(ufunc, op):
    """A binary ufunc that takes Python's operator on NumPy float scalars: the ufunc
    machinery costs ~0.5 us per scalar call, the operator ~0.05 us (same result and
    dtype).  Two Python floats still go to the ufunc, which makes them strong."""
    def impl(x, y):
        tx, ty = type(x), type(y)
        if tx in _FLOAT_SCALARS and ty in _FLOAT_SCALARS and (tx is not float or ty is not float):
            return op(x, y)
        return ufunc(x, y)
    impl.__name__ = ufunc.__name__
    return impl


def match(t, y):
    """Broadcast tangent `t` up to the shape of output `y` (used when the other
    operand's tangent was a symbolic zero)."""
    shape = getattr(y, "shape", ())
    return t if getattr(t, "shape", ()) == shape else S.broadcast_to_p.bind(t, shape=shape)


def _linear_binary_transpose(sign_y):
    def transpose(ct, x, y):
        ct_x = ct_y = None
        if type(x) is UndefinedPrimal:
            ct_x = ct if ct.shape == x.aval.shape else unbroadcast(ct, x.aval)
        if type(y) is UndefinedPrimal:
            ct_y = unbroadcast(ct if sign_y > 0 else neg_p.bind(ct), y.aval)
        return ct_x, ct_y
    return transpose


# ---------------------------------------------------------------- linear
neg_p = def_linear("neg", np.negative, elementwise_shape(np.negative, True),
                   lambda ct, x: (neg_p.bind(ct),))
neg_p.fresh_transpose = True
neg_p.transpose_in_place = lambda ct, args, i: np.negative(ct, out=ct) is ct

add_p = def_linear("add", _scalar_fast(np.add, operator.add), elementwise_shape(np.add, True),
                   _linear_binary_transpose(+1))
sub_p = def_linear("sub", _scalar_fast(np.subtract, operator.sub), elementwise_shape(np.subtract, True),
                   _linear_binary_transpose(-1))


def _add_jvp(xs, ts):
    y = add_p.bind(*xs)
    tx, ty = ts
    if type(ty) is Zero:
        return y, (Zero(y) if type(tx) is Zero else match(tx, y))
    return y, (match(ty, y) if type(tx) is Zero else add_p.bind(tx, ty))


def _sub_jvp(xs, ts):
    y = sub_p.bind(*xs)
    tx, ty = ts
    if type(ty) is Zero:
        return y, (Zero(y) if type(tx) is Zero else match(tx, y))
    return y, (match(neg_p.bind(ty), y) if type(tx) is Zero else sub_p.bind(tx, ty))


add_p.jvp, sub_p.jvp = _add_jvp, _sub_jvp


def _add_taylor(sign):     # coefficient-wise: (x +- y)_k = x_k +- y_k
    def rule(primals, series):
        x, y = primals
        sx, sy = series
        out = (add_p if sign > 0 else sub_p).bind(x, y)
        if sy is None:
            return out, T.fit(sx, out)
        sy = T.fit(sy, out) if sign > 0 else T.fit(neg_p.bind(sy), out)
        return out, sy if sx is None else add_p.bind(T.fit(sx, out), sy)
    return rule


add_p.taylor, sub_p.taylor = _add_taylor(+1), _add_taylor(-1)
neg_p.taylor = lambda primals, series: (neg_p.bind(primals[0]), neg_p.bind(series[0]))


# ---------------------------------------------------------------- bilinear: mul
mul_p = new_primitive("mul")
mul_p.impl = _scalar_fast(np.multiply, operator.mul)
mul_p.shape, mul_p.linear, mul_p.linear_args = elementwise_shape(np.multiply, True), True, "one"


def _mul_jvp(xs, ts):
    x, y = xs
    tx, ty = ts
    out = mul_p.bind(x, y)
    if type(ty) is Zero:
        return out, (Zero(out) if type(tx) is Zero else mul_p.bind(tx, y))
    if type(tx) is Zero:
        return out, mul_p.bind(x, ty)
    return out, mul_tangent_p.bind(tx, ty, x, y)


def _mul_transpose(ct, x, y):
    if is_undefined(x):
        return unbroadcast(_scale(ct, y), x.aval), None
    return None, unbroadcast(_scale(ct, x), y.aval)


def _uniform_value(ct):
    """The one value of a concrete zero-stride cotangent (as the transpose of a sum
    makes), else None.  Scaling it by a scalar then costs O(1), not a pass."""
    if type(ct) is np.ndarray and ct.size > 1 and not any(ct.strides):
        return ct.reshape(-1)[0]
    return None


def _scale(ct, c):
    """ct * c, keeping a uniform cotangent uniform when c is a constant scalar."""
    if type(c) in _FLOAT_SCALARS or (type(c) is np.ndarray and c.ndim == 0):
        v = _uniform_value(ct)
        if v is not None:
            return S.broadcast_to_p.bind(mul_p.bind(v, c), shape=ct.shape)
    return mul_p.bind(ct, c)


# d(x*y) = tx*y + x*ty as ONE linear op rather than mul, mul, add: reverse mode
# pays per tape entry, so the product rule gets its own entry (one, not three).
mul_tangent_p = new_primitive("mul_tangent")
mul_tangent_p.impl = lambda tx, ty, x, y: tx * y + x * ty
mul_tangent_p.shape, mul_tangent_p.linear = elementwise_shape(mul_tangent_p.impl, True), True


def _mul_tangent_transpose(ct, tx, ty, x, y):
    return (unbroadcast(mul_p.bind(ct, y), tx.aval) if is_undefined(tx) else None,
            unbroadcast(mul_p.bind(x, ct), ty.aval) if is_undefined(ty) else None, None, None)


def _mul_tangent_jvp(xs, ts):     # differentiate the composite tx*y + x*ty
    tx, ty, x, y = xs
    dtx, dty, dx, dy = ts
    a, da = _mul_jvp((tx, y), (dtx, dy))
    b, db = _mul_jvp((x, ty), (dx, dty))
    return _add_jvp((a, b), (da, db))


def _scale_in_place(ufunc):
    """In-place transpose of scaling by a residual: ct <- ufunc(ct, residual)."""
    def in_place(ct, args, i):
        r = args[1 - i]
        if np.shape(r) not in ((), ct.shape) or np.result_type(ct, r) != ct.dtype:
            return False
        ufunc(ct, r, out=ct)
        return True
    in_place.__name__ = f"_{ufunc.__name__}_transpose_in_place"
    return in_place


mul_tangent_p.transpose, mul_tangent_p.jvp = _mul_tangent_transpose, _mul_tangent_jvp
mul_p.jvp, mul_p.transpose = _mul_jvp, _mul_transpose
mul_p.transpose_in_place = _scale_in_place(np.multiply)
mul_p.fresh_transpose = mul_tangent_p.fresh_transpose = True


def _mul_taylor(primals, series):   # the Cauchy product; coefficient-wise by a constant
    x, y = primals
    sx, sy = series
    out = mul_p.bind(x, y)
    nd = T.ndim(out)
    if sy is None or sx is None:
        return out, T.fit(mul_p.bind(T.lift(sx, nd), y) if sy is None else mul_p.bind(x, T.lift(sy, nd)), out)
    K = T.order_of(series)
    return out, T.rest(T.cauchy(T.full_lifted(x, sx, K, nd), T.full_lifted(y, sy, K, nd)))


def _mul_tangent_taylor(primals, series):   # the composite tx*y + x*ty, through mul's rule
    tx, ty, x, y = primals
    stx, sty, sx, sy = series
    a = _taylor_or_const(mul_p, (tx, y), (stx, sy))
    b = _taylor_or_const(mul_p, (x, ty), (sx, sty))
    return _taylor_or_const(add_p, (a[0], b[0]), (a[1], b[1]))


def _taylor_or_const(prim, primals, series):
    """(y0, series) by prim's taylor rule, or (value, None) when every operand is constant."""
    if all(s is None for s in series):
        return prim.bind(*primals), None
    return prim.taylor(list(primals), list(series))


mul_p.taylor, mul_tangent_p.taylor = _mul_taylor, _mul_tangent_taylor


# ---------------------------------------------------------------- div: linear in the numerator
div_p = new_primitive("div")
div_p.impl = _scalar_fast(np.true_divide, operator.truediv)   # never float / float: that raises on 0
div_p.shape, div_p.linear, div_p.linear_args = elementwise_shape(np.true_divide, True), True, (0,)


def _div_jvp(xs, ts):
    x, y = xs
    tx, ty = ts
    out = div_p.bind(x, y)
    if type(ty) is Zero:
        return out, (Zero(out) if type(tx) is Zero else match(div_p.bind(tx, y), out))
    if type(tx) is Zero:   # d(x/y)/dy = -out/y
        return out, neg_p.bind(mul_p.bind(ty, div_p.bind(out, y)))
    return out, div_tangent_p.bind(tx, ty, y, out)


# d(x/y) = (tx - ty*out)/y as one tape entry, for the reason given at mul_tangent.
div_tangent_p = new_primitive("div_tangent")
div_tangent_p.impl = lambda tx, ty, y, out: (tx - ty * out) / y
div_tangent_p.shape, div_tangent_p.linear = elementwise_shape(div_tangent_p.impl, True), True


def _div_tangent_transpose(ct, tx, ty, y, out):
    g = div_p.bind(ct, y)
    return (unbroadcast(g, tx.aval) if is_undefined(tx) else None,
            unbroadcast(neg_p.bind(mul_p.bind(g, out)), ty.aval) if is_undefined(ty) else None,
            None, None)


def _div_tangent_jvp(xs, ts):     # differentiate the composite (tx - ty*out)/y
    tx, ty, y, out = xs
    dtx, dty, dy, dout = ts
    a, da = _mul_jvp((ty, out), (dty, dout))
    b, db = _sub_jvp((tx, a), (dtx, da))
    return _div_jvp((b, y), (db, dy))


div_tangent_p.transpose, div_tangent_p.jvp = _div_tangent_transpose, _div_tangent_jvp


def _div_transpose(ct, x, y):   # linear in x only (linear_args); y is a residual
    return unbroadcast(div_p.bind(ct, y), x.aval), None


div_p.jvp, div_p.transpose = _div_jvp, _div_transpose
div_p.transpose_in_place = _scale_in_place(np.divide)   # i == 0 only: linear_args
div_p.fresh_transpose = div_tangent_p.fresh_transpose = True


def _div_taylor(primals, series):   # q_k = (x_k - sum_{j>=1} y_j q_(k-j)) / y0
    x, y = primals
    sx, sy = series
    out = div_p.bind(x, y)
    nd = T.ndim(out)
    if sy is None:
        return out, T.fit(div_p.bind(T.lift(sx, nd), y), out)
    K = T.order_of(series)
    return out, T.rest(T.divide(T.full_lifted(x, sx, K, nd), T.full_lifted(y, sy, K, nd), out))


def _div_tangent_taylor(primals, series):   # the composite (tx - ty*out) / y
    tx, ty, y, out = primals
    stx, sty, sy, sout = series
    a = _taylor_or_const(mul_p, (ty, out), (sty, sout))
    b = _taylor_or_const(sub_p, (tx, a[0]), (stx, a[1]))
    return _taylor_or_const(div_p, (b[0], y), (b[1], sy))


div_p.taylor, div_tangent_p.taylor = _div_taylor, _div_tangent_taylor


# ---------------------------------------------------------------- select (where): linear in x, y
select_p = new_primitive("select")
select_p.impl, select_p.shape, select_p.linear = np.where, elementwise_shape(np.where), True
select_p.linear_args = (1, 2)


def _select_jvp(xs, ts):
    c, x, y = xs
    _, tx, ty = ts
    out = select_p.bind(c, x, y)
    if is_zero(tx) and is_zero(ty):
        return out, Zero(out)
    tx = np.zeros((), out.dtype) if is_zero(tx) else tx
    ty = np.zeros((), out.dtype) if is_zero(ty) else ty
    return out, match(select_p.bind(c, tx, ty), out)


def _select_transpose(ct, c, x, y):
    zero = np.zeros((), ct.dtype)
    ct_x = unbroadcast(select_p.bind(c, ct, zero), x.aval) if is_undefined(x) else None
    ct_y = unbroadcast(select_p.bind(c, zero, ct), y.aval) if is_undefined(y) else None
    return None, ct_x, ct_y


select_p.jvp, select_p.transpose = _select_jvp, _select_transpose


def _select_taylor(primals, series):   # by branch: the series of the branch taken
    c, x, y = primals
    _, sx, sy = series
    out = select_p.bind(c, x, y)
    nd = T.ndim(out)
    zero = np.zeros((), out.dtype)
    sx = zero if sx is None else T.lift(sx, nd)
    sy = zero if sy is None else T.lift(sy, nd)
    return out, T.fit(select_p.bind(c, sx, sy), out)


select_p.taylor = _select_taylor


# ---------------------------------------------------------------- dtype conversion
def _convert_impl(x, dtype):
    return np.asarray(x).astype(dtype, copy=False) if not np.isscalar(x) else np.dtype(dtype).type(x)


def _convert_shape(a, dtype):
    return ShapedArray(a.shape, dtype)


def _convert_jvp(xs, ts, dtype):
    y = convert_p.bind(xs[0], dtype=dtype)
    if not is_float(np.dtype(dtype)):
        return y, Zero(y)
    return y, convert_p.bind(ts[0], dtype=dtype)


convert_p = def_linear("convert_element_type", _convert_impl, _convert_shape,
                       lambda ct, x, dtype: (convert_p.bind(ct, dtype=x.aval.dtype),))
convert_p.jvp = _convert_jvp
convert_p.taylor = lambda primals, series, dtype: (
    convert_p.bind(primals[0], dtype=dtype),
    convert_p.bind(series[0], dtype=dtype) if is_float(np.dtype(dtype)) else None)


def convert_element_type(x, dtype):
    return convert_p.bind(x, dtype=np.dtype(dtype))


# ---------------------------------------------------------------- unary math
m, d = mul_p.bind, div_p.bind
LN2, LN10 = float(np.log(2.0)), float(np.log(10.0))

sin_p = def_elementwise("sin", np.sin, lambda t, x, y: m(t, cos_p.bind(x)))
cos_p = def_elementwise("cos", np.cos, lambda t, x, y: neg_p.bind(m(t, sin_p.bind(x))))
tan_p = def_elementwise("tan", np.tan, lambda t, x, y: m(t, add_p.bind(1.0, square_p.bind(y))))
arcsin_p = def_elementwise("arcsin", np.arcsin,
                           lambda t, x, y: d(t, sqrt_p.bind(sub_p.bind(1.0, square_p.bind(x)))))
arccos_p = def_elementwise("arccos", np.arccos,
                           lambda t, x, y: neg_p.bind(d(t, sqrt_p.bind(sub_p.bind(1.0, square_p.bind(x))))))
arctan_p = def_elementwise("arctan", np.arctan, lambda t, x, y: d(t, add_p.bind(1.0, square_p.bind(x))))
sinh_p = def_elementwise("sinh", np.sinh, lambda t, x, y: m(t, cosh_p.bind(x)))
cosh_p = def_elementwise("cosh", np.cosh, lambda t, x, y: m(t, sinh_p.bind(x)))
tanh_p = def_elementwise("tanh", np.tanh, lambda t, x, y: m(t, sub_p.bind(1.0, square_p.bind(y))))
arcsinh_p = def_elementwise("arcsinh", np.arcsinh,
                            lambda t, x, y: d(t, sqrt_p.bind(add_p.bind(square_p.bind(x), 1.0))))
# sqrt(x-1)*sqrt(x+1) rather than sqrt(x*x-1): no cancellation near x = 1.
arccosh_p = def_elementwise("arccosh", np.arccosh, lambda t, x, y: d(
    t, m(sqrt_p.bind(sub_p.bind(x, 1.0)), sqrt_p.bind(add_p.bind(x, 1.0)))))
arctanh_p = def_elementwise("arctanh", np.arctanh, lambda t, x, y: d(t, sub_p.bind(1.0, square_p.bind(x))))
exp_p = def_elementwise("exp", np.exp, lambda t, x, y: m(t, y))
exp2_p = def_elementwise("exp2", np.exp2, lambda t, x, y: m(t, m(y, LN2)))
expm1_p = def_elementwise("expm1", np.expm1, lambda t, x, y: m(t, add_p.bind(y, 1.0)))
log_p = def_elementwise("log", np.log, lambda t, x, y: d(t, x))
log2_p = def_elementwise("log2", np.log2, lambda t, x, y: d(t, m(x, LN2)))
log10_p = def_elementwise("log10", np.log10, lambda t, x, y: d(t, m(x, LN10)))
log1p_p = def_elementwise("log1p", np.log1p, lambda t, x, y: d(t, add_p.bind(x, 1.0)))
sqrt_p = def_elementwise("sqrt", np.sqrt, lambda t, x, y: d(t, m(y, 2.0)))
cbrt_p = def_elementwise("cbrt", np.cbrt, lambda t, x, y: d(t, m(square_p.bind(y), 3.0)))
square_p = def_elementwise("square", np.square, lambda t, x, y: m(t, m(x, 2.0)))
abs_p = def_elementwise("abs", np.abs, lambda t, x, y: m(t, sign_p.bind(x)))
# expit is a primitive, not 1/(1+exp(-x)): that composite overflows for x << 0.
logistic_p = def_elementwise("logistic", lambda x: _logistic(x),
                             lambda t, x, y: m(t, m(y, sub_p.bind(1.0, y))))


def _logistic(x):
    x = np.asarray(x)
    with np.errstate(over="ignore"):
        e = np.exp(-np.abs(x))
    out = np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    return out.astype(np.result_type(x.dtype, np.float16), copy=False)[()]


def _integer_pow_impl(x, n):
    if n == 1:
        return x
    if n == 2:
        return np.square(x)
    if n == 3:
        return x * x * x          # 80x faster than np.power(x, 3): see PERF_NOTES
    if n < 0:
        return np.true_divide(1.0, _integer_pow_impl(x, -n))
    if n == 0:
        return np.ones_like(x)
    acc, base = None, x           # exponentiation by squaring
    while True:
        if n & 1:
            acc = base if acc is None else acc * base
        n >>= 1
        if not n:
            return acc
        base = base * base


integer_pow_p = new_primitive("integer_pow")
integer_pow_p.impl = _integer_pow_impl
integer_pow_p.shape = lambda a, n: ShapedArray(a.shape, elementwise_shape(_integer_pow_impl)(a, n=n).dtype)


def _integer_pow_jvp(xs, ts, n):
    x, t = xs[0], ts[0]
    y = integer_pow_p.bind(x, n=n)
    if n == 0:
        return y, Zero(y)
    if n == 1:
        return y, t
    if n == 2:   # (t * x) * 2: no residual pass over x, and the 2 folds into uniform cotangents
        return y, m(m(t, x), 2.0)
    return y, m(t, m(float(n), integer_pow_p.bind(x, n=n - 1)))


integer_pow_p.jvp = _integer_pow_jvp


# ---------------------------------------------------------------- unary math: Taylor rules
# Each rule gets the full input series X = (x0, ..., xK) and the primal output y and
# returns y1..yK, from the recurrences in series.py.  The inverse functions go
# through their ODEs, y' = x' / b(x), with b's series computed first.
def _taylor(prim, series_fn):
    def rule(primals, series):
        x = primals[0]
        y = prim.bind(x)
        return y, series_fn(T.join(x, series[0]), x, y)
    rule.__name__ = f"_{prim.name}_taylor"
    prim.taylor = rule


def _one_minus_square(X):
    return T.shift(neg_p.bind(T.cauchy(X, X)), 1.0)


def _one_plus_square(X):
    return T.shift(T.cauchy(X, X), 1.0)


_taylor(sin_p, lambda X, x, y: T.sincos(X, y, cos_p.bind(x))[0])
_taylor(cos_p, lambda X, x, y: T.sincos(X, sin_p.bind(x), y)[1])
_taylor(tan_p, lambda X, x, y: T.quadratic_ode(X, y, 1.0, 0.0, 1.0))
_taylor(arcsin_p, lambda X, x, y: T.ode_div(X, T.sqrt_full(_one_minus_square(X))))
_taylor(arccos_p, lambda X, x, y: neg_p.bind(T.ode_div(X, T.sqrt_full(_one_minus_square(X)))))
_taylor(arctan_p, lambda X, x, y: T.ode_div(X, _one_plus_square(X)))
_taylor(sinh_p, lambda X, x, y: T.sincos(X, y, cosh_p.bind(x), +1.0)[0])
_taylor(cosh_p, lambda X, x, y: T.sincos(X, sinh_p.bind(x), y, +1.0)[1])
_taylor(tanh_p, lambda X, x, y: T.quadratic_ode(X, y, 1.0, 0.0, -1.0))
_taylor(arcsinh_p, lambda X, x, y: T.ode_div(X, T.sqrt_full(_one_plus_square(X))))
_taylor(arccosh_p, lambda X, x, y: T.ode_div(X, T.sqrt_full(T.cauchy(T.shift(X, -1.0), T.shift(X, 1.0)))))
_taylor(arctanh_p, lambda X, x, y: T.ode_div(X, _one_minus_square(X)))
_taylor(exp_p, lambda X, x, y: T.exp_ode(T.derivative(X), y))
_taylor(exp2_p, lambda X, x, y: T.exp_ode(m(T.derivative(X), LN2), y))
_taylor(expm1_p, lambda X, x, y: T.exp_ode(T.derivative(X), add_p.bind(y, 1.0)))
_taylor(log_p, lambda X, x, y: T.ode_div(X, X))
_taylor(log2_p, lambda X, x, y: T.ode_div(X, m(X, LN2)))
_taylor(log10_p, lambda X, x, y: T.ode_div(X, m(X, LN10)))
_taylor(log1p_p, lambda X, x, y: T.ode_div(X, T.shift(X, 1.0)))
_taylor(sqrt_p, lambda X, x, y: T.power(X, 0.5, y))
_taylor(cbrt_p, lambda X, x, y: T.power(X, 1.0 / 3.0, y))
_taylor(square_p, lambda X, x, y: T.rest(T.cauchy(X, X)))
_taylor(abs_p, lambda X, x, y: m(T.rest(X), sign_p.bind(x)))    # the branch at t = 0; 0 at x0 = 0
_taylor(logistic_p, lambda X, x, y: T.quadratic_ode(X, y, 0.0, 1.0, -1.0))


def _integer_pow_taylor(primals, series, n):
    # repeated Cauchy products (exact at x0 = 0, like the impl); a reciprocal for n < 0
    x, s = primals[0], series[0]
    y = integer_pow_p.bind(x, n=n)
    if n == 0:
        return y, None
    X = T.join(x, s)
    P, base, k = None, X, abs(n)
    while k:
        if k & 1:
            P = base if P is None else T.cauchy(P, base)
        k >>= 1
        if k:
            base = T.cauchy(base, base)
    if n < 0:
        one = np.ones(T._shape(x), T._dtype(x))
        P = T.divide(T.join(one, None, T.order_of(series)), P, y)
    return y, T.rest(P)


integer_pow_p.taylor = _integer_pow_taylor

# ---------------------------------------------------------------- binary math
def def_binary(name, impl, dx, dy):
    """A binary math op from its partial derivatives `dx(x, y, out)` and `dy(x, y, out)`,
    written in wengert ops (None: the partial is 1).  Only the partials whose
    tangent is nonzero are computed: d out = dx * tx + dy * ty."""
    prim = new_primitive(name)
    prim.impl, prim.shape = impl, elementwise_shape(impl)

    def jvp(xs, ts):
        x, y = xs
        tx, ty = ts
        out = prim.bind(x, y)
        t = Zero(out) if is_zero(tx) else tx if dx is None else m(tx, dx(x, y, out))
        if not is_zero(ty):
            t = add_tangents(t, m(ty, dy(x, y, out)))
        return out, match(t, out)
    jvp.__name__ = f"_{name}_jvp"
    prim.jvp = jvp
    return prim


def _safe_log(x):   # log x, taken as 0 where x == 0 (0**y is flat in y for y > 0)
    x0 = eq_p.bind(x, 0.0)
    return select_p.bind(x0, 0.0, log_p.bind(select_p.bind(x0, 1.0, x)))


def _max_weight(gt):   # ties split evenly: weight 1/2 to each side
    return lambda x, y, out: add_p.bind(convert_p.bind(gt.bind(x, y), dtype=out.dtype),
                                        m(0.5, convert_p.bind(eq_p.bind(x, y), dtype=out.dtype)))


def _r2(a, b):
    return add_p.bind(square_p.bind(a), square_p.bind(b))


def _pow_dx(x, y, out):   # y * x**(y-1), taken as 0 at x == y == 0 (x**0 is flat in x, even at 0)
    y0 = and_p.bind(eq_p.bind(y, 0.0), eq_p.bind(x, 0.0))
    y_safe = select_p.bind(y0, 1.0, y)
    return select_p.bind(y0, 0.0, m(y_safe, pow_p.bind(x, sub_p.bind(y_safe, 1.0))))


pow_p = def_binary("pow", np.power, _pow_dx, lambda x, y, out: m(_safe_log(x), out))
# arctan2(a, b): d = (b da - a db) / (a^2 + b^2)
arctan2_p = def_binary("arctan2", np.arctan2, lambda a, b, out: d(b, _r2(a, b)),
                       lambda a, b, out: d(neg_p.bind(a), _r2(a, b)))
# np.hypot, not sqrt(x*x + y*y), which overflows
hypot_p = def_binary("hypot", np.hypot, lambda x, y, out: d(x, out), lambda x, y, out: d(y, out))
logaddexp_p = def_binary("logaddexp", np.logaddexp, lambda x, y, out: exp_p.bind(sub_p.bind(x, out)),
                         lambda x, y, out: exp_p.bind(sub_p.bind(y, out)))


# ---------------------------------------------------------------- non-differentiable
eq_p = def_nondiff("eq", np.equal)
ne_p = def_nondiff("ne", np.not_equal)
lt_p = def_nondiff("lt", np.less)
le_p = def_nondiff("le", np.less_equal)
gt_p = def_nondiff("gt", np.greater)
ge_p = def_nondiff("ge", np.greater_equal)
and_p = def_nondiff("logical_and", np.logical_and)
or_p = def_nondiff("logical_or", np.logical_or)
xor_p = def_nondiff("logical_xor", np.logical_xor)
not_p = def_nondiff("logical_not", np.logical_not)
isnan_p = def_nondiff("isnan", np.isnan)
isinf_p = def_nondiff("isinf", np.isinf)
isfinite_p = def_nondiff("isfinite", np.isfinite)
sign_p = def_nondiff("sign", np.sign)
floor_p = def_nondiff("floor", np.floor)
ceil_p = def_nondiff("ceil", np.ceil)
trunc_p = def_nondiff("trunc", np.trunc)
round_p = def_nondiff("round", lambda x, decimals=0: np.round(x, decimals))
floor_divide_p = def_nondiff("floor_divide", np.floor_divide)
heaviside_p = def_nondiff("heaviside", np.heaviside)
bitwise_and_p = def_nondiff("bitwise_and", np.bitwise_and)
bitwise_or_p = def_nondiff("bitwise_or", np.bitwise_or)
invert_p = def_nondiff("invert", np.invert)

def _stop_gradient_impl(x):
    if isinstance(x, Tracer):   # identity would hand a stale tracer back unnoticed
        reject_tracer(x)
    return x


stop_gradient_p = def_nondiff("stop_gradient", _stop_gradient_impl)

maximum_p = def_binary("maximum", np.maximum, _max_weight(gt_p),
                       lambda x, y, out: sub_p.bind(1.0, _max_weight(gt_p)(x, y, out)))
minimum_p = def_binary("minimum", np.minimum, _max_weight(lt_p),
                       lambda x, y, out: sub_p.bind(1.0, _max_weight(lt_p)(x, y, out)))
# x - q(x/y) * y with q piecewise constant (floor, trunc): d = dx - q(x/y) dy
remainder_p = def_binary("remainder", np.remainder, None,
                         lambda x, y, out: neg_p.bind(floor_p.bind(d(x, y))))
fmod_p = def_binary("fmod", np.fmod, None, lambda x, y, out: neg_p.bind(trunc_p.bind(d(x, y))))


# ---------------------------------------------------------------- binary math: Taylor rules
def _binary_taylor(prim, series_fn):
    """A rule from `series_fn(X, Y, x, y, out) -> y1..yK` on full series lifted to out's ndim
    (a constant operand's series is zeros beyond x0)."""
    def rule(primals, series):
        x, y = primals
        out = prim.bind(x, y)
        nd, K = T.ndim(out), T.order_of(series)
        X, Y = T.full_lifted(x, series[0], K, nd), T.full_lifted(y, series[1], K, nd)
        return out, T.fit(series_fn(X, Y, x, y, out, series), out)
    rule.__name__ = f"_{prim.name}_taylor"
    prim.taylor = rule


def _pow_series(X, Y, x, y, out, series):
    if series[1] is None:                         # constant exponent: x^r recurrence
        return T.power(X, y, out)
    log_x = _safe_log(x)
    if series[0] is None:                         # constant base: exp(y log x)
        return T.exp_ode(m(T.derivative(Y), log_x), out)
    L = T.join(log_x, T.ode_div(X, X))            # both: exp(y log x), log x by its ODE
    return T.exp_ode(T.derivative(T.cauchy(Y, L)), out)


def _arctan2_series(A, B, a, b, out, series):     # y' = (b a' - a b') / (a^2 + b^2)
    K = A.shape[0] - 1
    A_, B_ = T.first(A, K), T.first(B, K)
    N = sub_p.bind(T.cauchy(B_, T.derivative(A)), T.cauchy(A_, T.derivative(B)))
    D = add_p.bind(T.cauchy(A_, A_), T.cauchy(B_, B_))
    return T.integrate(T.divide(N, D, d(T.coef(N, 0), T.coef(D, 0))))


def _logaddexp_series(X, Y, x, y, out, series):   # log(e^(x-c) + e^(y-c)), c = max(x0, y0)
    c = neg_p.bind(maximum_p.bind(x, y))
    ex, ey = exp_p.bind(add_p.bind(x, c)), exp_p.bind(add_p.bind(y, c))
    EX = T.join(ex, T.exp_ode(T.derivative(X), ex))
    EY = T.join(ey, T.exp_ode(T.derivative(Y), ey))
    U = add_p.bind(EX, EY)
    return T.ode_div(U, U)


_binary_taylor(pow_p, _pow_series)
_binary_taylor(arctan2_p, _arctan2_series)
_binary_taylor(hypot_p, lambda X, Y, x, y, out, s: T.power(add_p.bind(T.cauchy(X, X), T.cauchy(Y, Y)), 0.5, out))
_binary_taylor(logaddexp_p, _logaddexp_series)


def _weighted_taylor(prim, wx, wy):
    """Piecewise ops by branch: y_k = wx x_k + wy y_k, weights from the values at t = 0
    (maximum/minimum: the side taken, ties 1/2 each; remainder/fmod: 1 and -q)."""
    def rule(primals, series):
        x, y = primals
        sx, sy = series
        out = prim.bind(x, y)
        nd, s = T.ndim(out), None
        if sx is not None:
            s = T.lift(sx, nd) if wx is None else m(T.lift(sx, nd), wx(x, y, out))
        if sy is not None:
            t = m(T.lift(sy, nd), wy(x, y, out))
            s = t if s is None else add_p.bind(s, t)
        return out, T.fit(s, out)
    rule.__name__ = f"_{prim.name}_taylor"
    prim.taylor = rule


_weighted_taylor(maximum_p, _max_weight(gt_p), lambda x, y, out: sub_p.bind(1.0, _max_weight(gt_p)(x, y, out)))
_weighted_taylor(minimum_p, _max_weight(lt_p), lambda x, y, out: sub_p.bind(1.0, _max_weight(lt_p)(x, y, out)))
_weighted_taylor(remainder_p, None, lambda x, y, out: neg_p.bind(floor_p.bind(d(x, y))))
_weighted_taylor(fmod_p, None, lambda x, y, out: neg_p.bind(trunc_p.bind(d(x, y))))
