"""Taylor mode: truncated Taylor series pushed through a function in one pass
(taylor), and what they give: all derivatives of a function of one scalar,
directional derivatives, and every partial derivative by interpolation."""
import functools
import itertools
import math
from fractions import Fraction

import numpy as np

from .. import numpy as wnp
from ..core import InputError, Tracer, get_aval, is_float
from ..interpreters.taylor import taylor_call
from ..tree import tree_flatten, tree_map, tree_unflatten
from ._inputs import _canon_leaf, _jdtype


def _series_leaf(s, x, k, fname):
    """A series leaf checked against its primal: shape (K, *x.shape), x's dtype."""
    xa = get_aval(x)
    if isinstance(s, Tracer):
        sa = s.aval
    else:
        s = np.asarray(s)
        if s.dtype.kind not in "biuf":
            raise InputError(f"{fname}: series leaf {k} has dtype {s.dtype}; series hold real "
                             "Taylor coefficients (floats)")
        s = s.astype(xa.dtype, copy=False)
        sa = get_aval(s)
    if sa.shape[1:] != xa.shape or not sa.shape:
        raise InputError(f"{fname}: series leaf {k} has shape {sa.shape} but its primal has shape "
                         f"{xa.shape}; a series holds the coefficients x1..xK of x(t) = x0 + x1 t + "
                         f"... + xK t^K stacked on a leading axis, shape (K, *{xa.shape})")
    if not is_float(sa.dtype):
        raise InputError(f"{fname}: series leaf {k} has dtype {sa.dtype}; cast it to {xa.dtype}")
    return s


def _taylor_flat(fname, f, primals, series):
    """Check and flatten the arguments of `taylor`; returns (fn, leaves, s_leaves, order)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(series, (tuple, list)):
        raise InputError(f"{fname}: primals and series must be tuples, e.g. {fname}(f, (x,), (s,)) "
                         "with s of shape (K, *x.shape)")
    leaves, td = tree_flatten(tuple(primals))
    s_leaves, std = tree_flatten(tuple(series))
    if td != std:
        raise InputError(f"{fname}: series have structure {std} but primals have {td}; pass one "
                         "series per primal")
    leaves = [_canon_leaf(x, fname, f"primal leaf {k}") for k, x in enumerate(leaves)]
    s_leaves = [_series_leaf(s, x, k, fname) for k, (s, x) in enumerate(zip(s_leaves, leaves))]
    orders = {get_aval(s).shape[0] for s in s_leaves}
    if len(orders) > 1:
        raise InputError(f"{fname}: the series have different lengths {sorted(orders)}; every "
                         "series needs the same number K of coefficients")
    return (lambda *xs: f(*tree_unflatten(td, xs))), leaves, s_leaves, orders.pop() if orders else 0


def taylor(f, primals, series):
    """Push truncated Taylor series through `f` (Taylor mode, one forward pass).

    Each input follows a curve x(t) = x0 + x1 t + x2 t^2 + ... + xK t^K given by
    its *normalised* Taylor coefficients x_j = x^(j)(0) / j!; the result holds the
    coefficients y_j = y^(j)(0) / j! of y(t) = f(x(t)), to the same order K.  Each
    operation costs O(K^2), so high orders are cheap (see docs/taylor.md).

    Args:
      f: function of positional arguments.
      primals: tuple of pytrees of floating arrays, the point x0.
      series: tuple of the same structure; each leaf has shape (K, *x0.shape) and
        holds x1..xK along its leading axis (K may be 0).

    Returns:
      `(y0, y_series)`: `f(*primals)` and, for each output leaf, an array of shape
      (K, *leaf.shape) holding y1..yK.

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> y0, ys = wg.taylor(wnp.exp, (0.0,), (np.array([1.0, 0.0, 0.0]),))   # x(t) = t
      >>> float(y0), ys.round(6)          # exp(t) = 1 + t + t^2/2 + t^3/6 + ...
      (1.0, array([1.      , 0.5     , 0.166667]))
    """
    fn, leaves, s_leaves, order = _taylor_flat("taylor", f, primals, series)
    if order == 0:
        out = fn(*leaves)
        return out, tree_map(lambda y: np.zeros((0,) + get_aval(y).shape, _jdtype(get_aval(y))), out)
    store = {}

    def fun_flat(*xs):
        out_leaves, store["td"] = tree_flatten(fn(*xs))
        return out_leaves
    ys, ss = taylor_call(fun_flat, leaves, s_leaves, order)
    ss = [_finalize_series(s, y, order) for s, y in zip(ss, ys)]
    return tree_unflatten(store["td"], ys), tree_unflatten(store["td"], ss)


def _finalize_series(s, y, order):
    aval = get_aval(y)
    if s is None:
        return np.zeros((order,) + aval.shape, _jdtype(aval))
    return s


def _factorials(n, dtype):
    return np.cumprod(np.concatenate([[1.0], np.arange(1.0, n + 1)])).astype(dtype)


def _with_factorials(y0, ys, order):
    """[y0, y1, ..., yK] scaled by j!: derivatives from normalised coefficients."""
    aval = get_aval(y0)
    full = wnp.concatenate([wnp.reshape(y0, (1,) + aval.shape), ys], axis=0)
    fact = _factorials(order, _jdtype(aval)).reshape((-1,) + (1,) * len(aval.shape))
    return full * fact


def _check_order(fname, order):
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise InputError(f"{fname}: order must be a non-negative integer, got {order!r}")
    return int(order)


def derivatives(f, x, order):
    """All derivatives [f(x), f'(x), ..., f^(order)(x)] of a function of one scalar, in
    one Taylor-mode pass (seed x(t) = x + t, then scale coefficient j by j!).

    Args:
      f: function of a scalar (its output may be an array or a pytree of arrays).
      x: the scalar point (float).
      order: the highest derivative wanted, >= 0.

    Returns:
      An array of shape (order + 1, *f(x).shape), derivative j at index j (a pytree
      of such arrays for a pytree output).

    Example:
      >>> import wengert as wg
      >>> wg.derivatives(lambda x: x ** 3, 2.0, order=5)     # the lecture's example
      array([ 8., 12., 12.,  6.,  0.,  0.])
    """
    order = _check_order("derivatives", order)
    x = _canon_leaf(x, "derivatives", "x")
    aval = get_aval(x)
    if aval.shape != ():
        raise InputError(f"derivatives: x must be a scalar, got shape {aval.shape}; for an array x "
                         "use directional_derivatives(f, x, v, order) or taylor_tensor(f, x, order)")
    seed = np.zeros((order,), aval.dtype)
    seed[:1] = 1.0
    y0, ys = taylor(f, (x,), (seed,))
    return tree_map(lambda y, s: _with_factorials(y, s, order), y0, ys)


def directional_derivatives(f, x, v, order):
    """Derivatives of t -> f(x + t v) at t = 0, orders 0..order, in one Taylor pass:
    [f(x), D f(x)[v], D^2 f(x)[v, v], ...].

    Args:
      f: function of one argument (a pytree of float arrays).
      x: the point.  v: the direction, shaped like x.
      order: the highest order wanted, >= 0.

    Returns:
      An array of shape (order + 1, *f(x).shape) (a pytree of them for pytree outputs).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> f = lambda x: wnp.sum(x ** 3)
      >>> wg.directional_derivatives(f, np.array([1.0, 2.0]), np.array([1.0, 1.0]), order=3)
      array([ 9., 15., 18., 12.])
    """
    order = _check_order("directional_derivatives", order)
    leaves, td = tree_flatten(x)
    v_leaves, vtd = tree_flatten(v)
    if td != vtd:
        raise InputError(f"directional_derivatives: v has structure {vtd} but x has {td}; pass a "
                         "direction shaped like x")
    leaves = [_canon_leaf(a, "directional_derivatives", f"x leaf {k}") for k, a in enumerate(leaves)]
    seeds = []
    for k, (a, d) in enumerate(zip(leaves, v_leaves)):
        aval, da = get_aval(a), get_aval(d)
        if da.shape != aval.shape:
            raise InputError(f"directional_derivatives: v leaf {k} has shape {da.shape} but x has "
                             f"shape {aval.shape}; the direction must be shaped like x")
        seed = np.zeros((order,) + aval.shape, aval.dtype)
        if order and not isinstance(d, Tracer):
            seed[0] = d
        elif order:
            seed = wnp.concatenate([wnp.reshape(d, (1,) + aval.shape), seed[1:]], axis=0)
        seeds.append(seed)
    y0, ys = taylor(f, (tree_unflatten(td, leaves),), (tree_unflatten(td, seeds),))
    return tree_map(lambda y, s: _with_factorials(y, s, order), y0, ys)


def _multi_indices(n, d):
    """All i in N^n with |i| = d, in lexicographic order (iteratively, no recursion)."""
    out = []
    for cut in itertools.combinations(range(d + n - 1), n - 1):    # stars and bars
        bounds = (-1,) + cut + (d + n - 1,)
        out.append(tuple(bounds[m + 1] - bounds[m] - 1 for m in range(n)))
    return out


@functools.lru_cache(maxsize=64)
def _interpolation_weights(n, d):
    """Exact interpolation on the lattice of Griewank, Utke and Walther (Math. Comp. 69,
    2000).  Along a direction i the d-th Taylor coefficient is the homogeneous polynomial
        f_d(i) = sum_{|j| = d} (D^j f / j!) i^j,
    and the points i in N^n with |i| = d are unisolvent for it (as many points as
    multi-indices j).  So D^j f = j! sum_i W[j, i] f_d(i) with W = V^-1, V[i, j] = i^j,
    inverted here in exact rationals and rounded once.  Returns (directions, W * j!)."""
    dirs = _multi_indices(n, d)
    N = len(dirs)
    V = [[Fraction(math.prod(a ** b for a, b in zip(i, j))) for j in dirs] + [Fraction(int(r == c)) for c in range(N)]
         for r, i in enumerate(dirs)]
    for c in range(N):                                  # Gauss-Jordan on [V | I]
        p = next(r for r in range(c, N) if V[r][c] != 0)
        V[c], V[p] = V[p], V[c]
        pivot = V[c][c]
        V[c] = [v / pivot for v in V[c]]
        for r in range(N):
            if r != c and V[r][c] != 0:
                factor = V[r][c]
                V[r] = [a - factor * b for a, b in zip(V[r], V[c])]
    W = np.array([[float(v * math.prod(math.factorial(a) for a in dirs[r])) for v in V[r][N:]]
                  for r in range(N)])
    return dirs, W


def taylor_tensor(f, x, order):
    """All partial derivatives of f of order <= `order` at x, from univariate Taylor
    series only (Griewank, Utke and Walther 2000): for each degree d, one series of
    order d along each direction i with non-negative integer entries summing to d,
    then exact interpolation of the d-th coefficients.  That is C(n + d - 1, d)
    passes for degree d, each O(d^2) per operation, and no nesting.

    Args:
      f: function of one array x of n elements (any shape); its output an array.
      x: the point.  order: the highest derivative order, >= 0.

    Returns:
      A list [f(x), D f(x), D^2 f(x), ..., D^order f(x)]; D^d f(x) has shape
      f(x).shape + x.shape * d (the layout of nested `jacfwd`), symmetric in its
      derivative axes.

    Example:
      >>> import numpy as np, wengert as wg
      >>> f = lambda x: x[0] ** 2 * x[1]
      >>> value, grad, hess = wg.taylor_tensor(f, np.array([1.0, 2.0]), order=2)
      >>> float(value), grad, hess
      (2.0, array([4., 1.]), array([[4., 2.],
             [2., 0.]]))
    """
    order = _check_order("taylor_tensor", order)
    x = _canon_leaf(x, "taylor_tensor", "x")
    xa, dtype = get_aval(x), _jdtype(get_aval(x))
    y0 = f(x)
    if isinstance(y0, (list, tuple, dict)):
        raise InputError("taylor_tensor: f must return one array; wrap a pytree output in "
                         "wnp.concatenate or call taylor_tensor per output")
    out, n, y_shape = [y0], xa.size, get_aval(y0).shape
    for d in range(1, order + 1):
        if n == 0:
            out.append(np.zeros(y_shape, dtype))
            continue
        dirs, W = _interpolation_weights(n, d)
        coefs = []                               # f_d(i) for each direction i
        for i in dirs:
            seed = np.zeros((d,) + xa.shape, dtype)
            seed[0] = np.asarray(i, dtype).reshape(xa.shape)
            coefs.append(taylor(f, (x,), (seed,))[1][d - 1])
        Dj = wnp.matmul(wnp.stack(coefs, axis=-1), W.T.astype(dtype))   # (*y.shape, multi-indices)
        out.append(_symmetric_tensor(Dj, dirs, n, d, y_shape, xa.shape))
    return out


def _symmetric_tensor(Dj, js, n, d, y_shape, x_shape):
    """The symmetric tensor with entry D^j f at every index tuple whose counts are j."""
    pos = {j: r for r, j in enumerate(js)}
    gather = [pos[tuple(idx.count(m) for m in range(n))] for idx in itertools.product(range(n), repeat=d)]
    return wnp.reshape(wnp.take(Dj, np.asarray(gather), axis=-1), tuple(y_shape) + tuple(x_shape) * d)
