"""Truncated Taylor series arithmetic, in wengert ops (the taylor rules' toolbox).

A *full series* is an array X of shape (K+1, *shape): X[j] is the coefficient
x_j of t^j in x(t) = x0 + x1 t + ... + xK t^K (normalised coefficients,
x_j = x^(j)(0)/j!).  A tracer's series `s` omits x0: shape (K, *shape).

The recurrences (Griewank and Walther, Evaluating Derivatives, ch. 13) come
from differential equations the functions satisfy.  With x' the series of the
derivative, x'_j = (j+1) x_(j+1), and y_k = (y')_(k-1) / k:

    product   c = a b        c_k = sum_{j<=k} a_j b_(k-j)                  (Cauchy)
    quotient  q = a / b      q_k = (a_k - sum_{1<=j<=k} b_j q_(k-j)) / b_0
    y' = g y  (exp)          y_k = (1/k) sum_{j<k} g_j y_(k-1-j)
    y = x^r                  y_k = (1/(k x_0)) sum_{j<k} (r (k-j) - j) x_(k-j) y_j
    sin/cos                  s' = c x',  c' = -s x'
    y' = x' p(y)             tan: p = 1 + y^2, tanh: 1 - y^2, logistic: y - y^2
    y' = x' / b(x)           log: b = x, arctan: b = 1 + x^2, arcsin: sqrt(1 - x^2), ...

Each sequential recurrence is a loop over k whose body is a few whole-array
ops: the running output is kept as a stack in reverse order, so the sum over j
is one multiply and one reduction.  Cost O(K^2) elements per coefficient
element, O(K) operations.  Everything here runs under whatever interpreter is
current, so the series can themselves be traced (reverse over Taylor).
"""
import numpy as np

from ..core import Zero, current_interpreter, get_aval, running
from ..core import primitives as P   # the op tables import this toolbox: ops by name
from ..interpreters.taylor import TaylorInterpreter, TaylorTracer
from .rules import getitem


def _shape(x):
    return get_aval(x).shape


def _dtype(s):
    dt = get_aval(s).dtype
    return dt if dt.kind == "f" else np.dtype(np.float64)


def order_of(series):
    """K, the number of coefficients after x0, read from any non-constant series."""
    return next(s.shape[0] for s in series if s is not None)


def lift(s, ndim):
    """A series (K, *shape) reshaped to (K, 1, ..., 1, *shape) with `ndim` axes after the
    order axis, so it broadcasts against other series exactly as its primal does."""
    shape = _shape(s)
    if len(shape) - 1 == ndim:
        return s
    return P.reshape.bind(s, shape=shape[:1] + (1,) * (ndim + 1 - len(shape)) + shape[1:])


def _weights(values, s):
    """A constant (n,) vector shaped (n, 1, ..., 1) to scale series `s` along its order axis."""
    return np.asarray(values, _dtype(s)).reshape((-1,) + (1,) * (len(_shape(s)) - 1))


def scale(s, values):
    return P.mul.bind(s, _weights(values, s))


def first(s, n):
    return getitem(s, idx=(slice(0, n),), unique=True)


def rest(s, start=1):
    return getitem(s, idx=(slice(start, None),), unique=True)


def coef(s, k):
    return getitem(s, idx=(k,), unique=True)


def join(x0, s, order=None):
    """The full series (x0, x1, ..., xK) from a primal and its series (None: zeros)."""
    x0 = P.convert_element_type.bind(x0, dtype=_dtype(x0)) if get_aval(x0).dtype.kind != "f" else x0
    head = P.reshape.bind(x0, shape=(1,) + _shape(x0))
    if s is None:
        return P.concatenate.bind(head, np.zeros((order,) + _shape(x0), _dtype(x0)), axis=0)
    if _shape(s)[1:] != _shape(x0):
        head = P.broadcast_to.bind(head, shape=(1,) + _shape(s)[1:])
    return P.concatenate.bind(head, s, axis=0)


def derivative(X):
    """Series of x' from the series of x (full or not): (1 x1, 2 x2, ..., K xK) from X[1:]."""
    s = rest(X)
    return scale(s, np.arange(1, _shape(s)[0] + 1))


def integrate(d):
    """y1..yK from the series (d0, ..., d_(K-1)) of y': y_k = d_(k-1) / k."""
    return scale(d, 1.0 / np.arange(1, _shape(d)[0] + 1))


# ---------------------------------------------------------------- running stacks
def push(rev, y):
    """(y, *rev): the reversed stack (y_k, ..., y_0) grown by one coefficient."""
    y1 = P.reshape.bind(y, shape=(1,) + _shape(y))
    return y1 if rev is None else P.concatenate.bind(y1, rev, axis=0)


def conv(A, rev):
    """sum_i A_i rev_i over the first len(rev) entries of A (one Cauchy-product term)."""
    n = _shape(rev)[0]
    return P.reduce_sum.bind(P.mul.bind(first(A, n), rev), axes=(0,))


def unrev(rev):
    """The series (y1, ..., yK) from the reversed full stack (yK, ..., y0)."""
    n = _shape(rev)[0]
    return getitem(rev, idx=(slice(n - 2, None, -1),), unique=True) if n > 1 else rev


# ---------------------------------------------------------------- products
_TOEPLITZ_LIMIT = 1 << 18   # elements of the (K+1)^2 gathered operand; beyond: a loop


def cauchy(A, B):
    """The full series of a*b: c_k = sum_{j<=k} a_j b_(k-j).  A and B are full series of
    equal length and equal ndim (broadcasting like their primals)."""
    n = _shape(A)[0]
    if small(A, n):
        # the gathered T[k, j] = a_(k-j) (0 for j > k), one product and one sum over j
        return P.reduce_sum.bind(P.mul.bind(toeplitz(A), B), axes=(1,))
    return stack([conv(A, getitem(B, idx=(slice(k, None, -1),), unique=True)) for k in range(n)])


def stack(coefs):
    """A series from a list of coefficient arrays of one shape."""
    return P.concatenate.bind(*[P.reshape.bind(c, shape=(1,) + _shape(c)) for c in coefs], axis=0)


def small(A, n):
    """Whether an (n, n, *A's coefficient shape) gathered operand fits the Toeplitz limit."""
    return n * n * max(1, int(np.prod(_shape(A)[1:]))) <= _TOEPLITZ_LIMIT


def divide(A, B, q0):
    """The full series of a / b (q0 = a0 / b0 given, for an exact value at t = 0)."""
    n = max(_shape(A)[0], _shape(B)[0])
    b0 = coef(B, 0)
    rev = push(None, q0)
    for k in range(1, n):
        q = P.div.bind(P.sub.bind(coef(A, k), conv(rest(B), rev)), b0)
        rev = push(rev, q)
    return getitem(rev, idx=(slice(None, None, -1),), unique=True)


def exp_ode(G, y0):
    """y1..yK of y' = g y, y(0) = y0, from the series (g0, ..., g_(K-1)) of g."""
    rev = push(None, y0)
    for k in range(1, _shape(G)[0] + 1):
        rev = push(rev, P.mul.bind(conv(G, rev), 1.0 / k))
    return unrev(rev)


def power(X, r, y0):
    """y1..yK of y = x^r for a constant exponent r (scalar or array), y0 = x0^r."""
    XD, X1, x0 = derivative(X), rest(X), coef(X, 0)
    rev = push(None, y0)
    for k in range(1, _shape(X)[0]):
        a = P.mul.bind(P.add.bind(r, 1.0), conv(XD, rev))
        y = P.div.bind(P.sub.bind(a, P.mul.bind(float(k), conv(X1, rev))), P.mul.bind(x0, float(k)))
        rev = push(rev, y)
    return unrev(rev)


def sincos(X, s0, c0, sign=-1.0):
    """(s1..sK, c1..cK) of s' = c x', c' = sign * s x': sin/cos (sign -1), sinh/cosh (+1)."""
    XD = derivative(X)
    srev, crev = push(None, s0), push(None, c0)
    for k in range(1, _shape(X)[0]):
        s = P.mul.bind(conv(XD, crev), 1.0 / k)
        crev = push(crev, P.mul.bind(conv(XD, srev), sign / k))
        srev = push(srev, s)
    return unrev(srev), unrev(crev)


def quadratic_ode(X, y0, c0, c1, c2):
    """y1..yK of y' = x' (c0 + c1 y + c2 y^2) (tan, tanh, logistic)."""
    XD = derivative(X)
    yrev, prev = push(None, y0), None
    for k in range(1, _shape(X)[0]):
        # p_(k-1) from y_0..y_(k-1); (y^2)_m = sum_j y_j y_(m-j)
        flip = getitem(yrev, idx=(slice(None, None, -1),), unique=True)
        sq = P.reduce_sum.bind(P.mul.bind(yrev, flip), axes=(0,))
        p = P.add.bind(P.mul.bind(coef(yrev, 0), c1), P.mul.bind(sq, c2))
        p = P.add.bind(p, c0) if k == 1 else p
        prev = push(prev, p)
        yrev = push(yrev, P.mul.bind(conv(XD, prev), 1.0 / k))
    return unrev(yrev)


def ode_div(X, B):
    """y1..yK of y' = x' / b, from the full series of x and of b (b's known upfront)."""
    XD = derivative(X)
    K = _shape(XD)[0]
    B = first(B, K)
    q = divide(XD, B, P.div.bind(coef(XD, 0), coef(B, 0)))
    return integrate(q)


def ode_mul(X, H, c=1.0):
    """y1..yK of y' = c h x', from the full series of x and of h."""
    XD = derivative(X)
    return integrate(P.mul.bind(first(cauchy(XD, first(H, _shape(XD)[0])), _shape(XD)[0]), c))


def shift(X, c):
    """The full series of x + c (c constant): only x0 moves."""
    K = _shape(X)[0]
    w = np.zeros((K,) + (1,) * (len(_shape(X)) - 1), _dtype(X))
    w[0] = 1.0
    return P.add.bind(X, P.mul.bind(w, c))


def fit(s, out):
    """A series broadcast to (K, *shape of out): the exact shape a tracer's series has."""
    shape = (_shape(s)[0],) + _shape(out)
    s = lift(s, len(_shape(out)))
    return s if _shape(s) == shape else P.broadcast_to.bind(s, shape=shape)


def full_lifted(x, s, order, ndim):
    """The full series of an operand, zeros for a constant, lifted to `ndim` axes."""
    return lift(join(x, s, order), ndim)


def sqrt_full(W):
    """The full series of sqrt(w) from that of w."""
    b0 = P.sqrt.bind(coef(W, 0))
    return join(b0, power(W, 0.5, b0))


def compose(X, derivs):
    """y1..yK of f(x(t)) from f's derivatives at x0, derivs[j-1] = f^(j)(x0), j = 1..K:
    the Taylor polynomial of f at x0 composed with d(t) = x(t) - x0 (d0 = 0), by
    Horner's rule.  For functions whose derivatives are themselves primitives
    (digamma, polygamma) and no short ODE exists."""
    K = _shape(X)[0] - 1
    zero = np.zeros((1,) + (1,) * (len(_shape(X)) - 1), _dtype(X))
    D = P.concatenate.bind(P.broadcast_to.bind(zero, shape=(1,) + _shape(X)[1:]), rest(X), axis=0)
    acc = None
    for j in range(K, 0, -1):       # acc = c_j + d * acc, c_j = f^(j)(x0) / j!
        c = P.mul.bind(derivs[j - 1], 1.0 / float(np.prod(np.arange(1, j + 1), dtype=float)))
        term = join(c, None, K)
        acc = term if acc is None else P.add.bind(term, cauchy(D, acc))
    return rest(cauchy(D, acc))


def ndim(x):
    return len(_shape(x))


def toeplitz(A):
    """T[k, j] = a_(k-j) for j <= k, else 0: shape (n, n, *shape) from a full series of n
    coefficients.  Contracting its axis 1 with another full series B gives the Cauchy
    product sum_j a_(k-j) b_j for every k in one operation."""
    n = _shape(A)[0]
    k, j = np.indices((n, n))
    T = getitem(A, idx=(np.maximum(k - j, 0),), unique=False)
    return P.mul.bind(T, (j <= k).astype(_dtype(A)).reshape((n, n) + (1,) * (len(_shape(A)) - 1)))


# --------------------------------------------------------------------------
# A Taylor rule from a jvp rule.  With K coefficients wanted, write
#     y(t) = f(x(t)),   y'(t) = jvp_f(x(t); x'(t)).
# Evaluating the jvp rule on series of order K - 1 (x truncated, and
# x'(t) = x1 + 2 x2 t + ... + K xK t^(K-1)) gives y' to order K - 1; then
# y_k = (y')_(k-1) / k.  The rule calls f itself on the shorter series, which
# lands here again one order lower: K levels, each a jvp rule at O(K^2), so
# O(K^3) overall.  Used where no faster recurrence is written (eigh, qr, svd,
# custom_jvp functions); the recursion is over the order, never over the graph.
# --------------------------------------------------------------------------
def taylor_from_jvp(prim):
    def rule(primals, series, **params):
        order = order_of(series)
        if order == 1:     # the jvp itself: y1 = J x1
            ts = [Zero(x) if s is None else s[0] for x, s in zip(primals, series)]
            y, t = prim.jvp(primals, ts, **params)
            return y, _map_out(prim, t, _stack1)
        ys, dys = _jvp_on_series(prim, primals, series, order - 1, params)
        return ys, _map_out(prim, dys, integrate)
    rule.__name__ = f"_{prim.name}_taylor_from_jvp"
    return rule


def _jvp_on_series(prim, primals, series, order, params):
    """The jvp rule run on (x truncated to `order`, x'): y0 and the full series of y'."""
    interp = TaylorInterpreter(current_interpreter(), order, "taylor")
    xs, ts = [], []
    for x, s in zip(primals, series):
        if s is None:
            xs.append(x)
            ts.append(Zero(x))
        else:
            xs.append(TaylorTracer(interp, x, s[:order]))
            d = derivative(join(x, s))              # (1 x1, 2 x2, ..., K xK)
            ts.append(TaylorTracer(interp, d[0], d[1:]))
    with running(interp):
        y, t = prim.jvp(xs, ts, **params)

    def full(ti):       # the whole series (t0, t1, ..., t_order) of one tangent output
        if type(ti) is Zero:
            return None
        t0, st = interp.unwrap(ti)
        return join(t0, st, order)
    y0 = [interp.unwrap(yi)[0] for yi in y] if prim.multiple_results else interp.unwrap(y)[0]
    return y0, (_map_out(prim, t, full))


def _map_out(prim, t, fn):
    if prim.multiple_results:
        return [None if type(ti) is Zero or ti is None else fn(ti) for ti in t]
    return None if type(t) is Zero or t is None else fn(t)


def _stack1(t):
    return P.reshape.bind(t, shape=(1,) + tuple(get_aval(t).shape))
