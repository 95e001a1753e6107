"""Linear algebra primitives.  `dot_general` is the one contraction every
product (matmul, dot, tensordot, einsum, inner, outer, kron) is built from."""
import functools
import math
from functools import partial

import numpy as np

from ..core import ConcretizationError, ShapedArray, Zero, concrete, is_undefined
from . import elementwise as E
from . import reductions as R
from . import structural as S
from .rules import is_zero, new_primitive, unbroadcast
from . import series as T
from .series import taylor_from_jvp


# -- dot_general: contract lc of x with rc of y, batch over lb/rb ------------------
# Output layout (as in JAX's dot_general): batch dims, then x's free dims, then
# y's free dims.  It is bilinear: jvp = dx.y + x.dy, and each transpose is
# another dot_general followed by a transpose of axes.
def _free(ndim, contract, batch):
    return [i for i in range(ndim) if i not in contract and i not in batch]


_MATMUL_2D = {(((1,), (0,)), ((), ())): lambda x, y: np.matmul(x, y),
              (((1,), (1,)), ((), ())): lambda x, y: np.matmul(x, y.T),
              (((0,), (0,)), ((), ())): lambda x, y: np.matmul(x.T, y)}


def _dot_general_impl(x, y, dims):
    if np.ndim(x) == 2 and np.ndim(y) == 2 and dims in _MATMUL_2D:   # the common products
        return _MATMUL_2D[dims](x, y)
    (lc, rc), (lb, rb) = dims
    x, y = np.asarray(x), np.asarray(y)
    xf, yf = _free(x.ndim, lc, lb), _free(y.ndim, rc, rb)
    b_shape = tuple(x.shape[i] for i in lb)
    xf_shape, yf_shape = tuple(x.shape[i] for i in xf), tuple(y.shape[i] for i in yf)
    k = math.prod(x.shape[i] for i in lc)
    m, n = math.prod(xf_shape), math.prod(yf_shape)
    if lb:
        bsz = math.prod(b_shape)
        xt = np.transpose(x, list(lb) + xf + list(lc)).reshape(bsz, m, k)
        yt = np.transpose(y, list(rb) + list(rc) + yf).reshape(bsz, k, n)
    else:   # a plain 2-D matmul; transposed views go straight to BLAS
        xt = np.transpose(x, xf + list(lc)).reshape(m, k)
        yt = np.transpose(y, list(rc) + yf).reshape(k, n)
    return np.matmul(xt, yt).reshape(b_shape + xf_shape + yf_shape)


def _dot_general_shape(x, y, dims):
    return _dot_general_aval(x.shape, x.dtype, y.shape, y.dtype, dims)


@functools.lru_cache(maxsize=4096)
def _dot_general_aval(x_shape, x_dtype, y_shape, y_dtype, dims):
    # cached: the tape asks for it on every product, and the answer depends on shapes only
    (lc, rc), (lb, rb) = dims
    xf, yf = _free(len(x_shape), lc, lb), _free(len(y_shape), rc, rb)
    for i, j in list(zip(lc, rc)) + list(zip(lb, rb)):
        if x_shape[i] != y_shape[j]:
            x, y = ShapedArray(x_shape, x_dtype), ShapedArray(y_shape, y_dtype)
            raise ValueError(f"dot_general: dimension {i} of lhs {x} (size {x_shape[i]}) does not "
                             f"match dimension {j} of rhs {y} (size {y_shape[j]})")
    shape = tuple(x_shape[i] for i in lb) + tuple(x_shape[i] for i in xf) + tuple(y_shape[i] for i in yf)
    return ShapedArray(shape, np.result_type(x_dtype, y_dtype))


def _dot_general_jvp(xs, ts, dims):
    add_p = E.add_p
    x, y = xs
    tx, ty = ts
    out = dot_general_p.bind(x, y, dims=dims)
    if is_zero(ty):
        return out, dot_general_p.bind(tx, y, dims=dims)
    if is_zero(tx):
        return out, dot_general_p.bind(x, ty, dims=dims)
    return out, add_p.bind(dot_general_p.bind(tx, y, dims=dims), dot_general_p.bind(x, ty, dims=dims))


def _dot_general_transpose(ct, x, y, dims):
    if is_undefined(x):
        ct_dims, perm = _transpose_dims(dims, x.aval.ndim, _ndim(y), True)
        return _untranspose(dot_general_p.bind(ct, y, dims=ct_dims), perm), None
    ct_dims, perm = _transpose_dims(dims, _ndim(x), y.aval.ndim, False)
    return None, _untranspose(dot_general_p.bind(x, ct, dims=ct_dims), perm)


def _ndim(a):
    return a.aval.ndim if hasattr(a, "aval") else np.ndim(a)


@functools.lru_cache(maxsize=1024)
def _transpose_dims(dims, xnd, ynd, lhs):
    """The contraction giving the cotangent of the lhs (or rhs) of dot_general, and the
    axis permutation that puts its result in that operand's layout (None: as it is)."""
    (lc, rc), (lb, rb) = dims
    nb = len(lb)
    xf, yf = _free(xnd, lc, lb), _free(ynd, rc, rb)
    if lhs:
        ct_yf = tuple(range(nb + len(xf), nb + len(xf) + len(yf)))
        ct_dims = ((ct_yf, tuple(yf)), (tuple(range(nb)), rb))
        order = list(lb) + xf + [lc[rc.index(r)] for r in sorted(rc)]
    else:
        ct_xf = tuple(range(nb, nb + len(xf)))
        ct_dims = ((tuple(xf), ct_xf), (lb, tuple(range(nb))))
        order = list(rb) + [rc[lc.index(l)] for l in sorted(lc)] + yf
    perm = tuple(sorted(range(len(order)), key=order.__getitem__))
    return ct_dims, (None if perm == tuple(range(len(perm))) else perm)


def _untranspose(out, perm):
    return out if perm is None else S.transpose_p.bind(out, perm=perm)


dot_general_p = new_primitive("dot_general")
dot_general_p.impl, dot_general_p.shape, dot_general_p.linear = _dot_general_impl, _dot_general_shape, True
dot_general_p.linear_args = "one"
dot_general_p.jvp, dot_general_p.transpose = _dot_general_jvp, _dot_general_transpose


# ==================================================================== matrix functions
# Each acts on the last two axes and batches over the leading ones, as numpy.linalg
# does.  The jvp rules are written with the small stacked-matrix helpers below
# (matmul, tril, diagonal, swap of the last two axes), all made of primitives, and
# everything they apply to a tangent is linear (matmul by a residual, swapaxes,
# tril, mul by a residual, solve in b), so reverse mode and every higher
# derivative follow from them.
def _mT(x):
    """The last two axes swapped."""
    n = len(x.shape)
    return S.transpose_p.bind(x, perm=tuple(range(n - 2)) + (n - 1, n - 2))


def _matmul(a, b):
    """a @ b for stacks of matrices (..., n, m) @ (..., m, k), batch axes broadcast."""
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a, b = (x if x.shape[:-2] == batch else S.broadcast_to_p.bind(x, shape=batch + x.shape[-2:])
            for x in (a, b))
    nb = tuple(range(len(batch)))
    return dot_general_p.bind(a, b, dims=(((len(batch) + 1,), (len(batch),)), (nb, nb)))


def _tril(t, k=0, lower=True):
    """The lower (upper) triangle of each matrix, entries below (above) diagonal k."""
    n, m = t.shape[-2:]
    mask = np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)
    return E.select_p.bind(mask, t, np.zeros((), t.dtype))


def _diagonal(a):
    """The main diagonal of each matrix: shape (..., min(n, m))."""
    rows = np.arange(min(a.shape[-2:]))
    return S.getitem(a, (Ellipsis, rows, rows), True)


def _trace(a):
    """The trace of each matrix: shape (...)."""
    d = _diagonal(a)
    return R.reduce_sum_p.bind(d, axes=(len(d.shape) - 1,))


def _sum_matrices(a):
    """The sum of each matrix's entries: shape (...)."""
    n = len(a.shape)
    return R.reduce_sum_p.bind(a, axes=(n - 2, n - 1))


def _float(dtype):   # numpy.linalg computes in float64 unless given floats
    return np.dtype(dtype) if np.dtype(dtype).kind == "f" else np.dtype(np.float64)


def _square(a, name):
    if len(a.shape) < 2 or a.shape[-1] != a.shape[-2]:
        raise np.linalg.LinAlgError(f"{name}: expected a stack of square matrices (..., n, n), "
                                    f"got {a}; the last two dimensions must be equal")
    return a


def _sym_lower(t):
    """The symmetric matrix with t's lower triangle: what an op reading only the
    lower triangle sees of a tangent."""
    return _tril(t) + _mT(_tril(t, -1))


def _inv_gaps(d):
    """1 / d off the diagonal and 0 on it (d_ij = w_j - w_i), without a 1/0 anywhere."""
    eye = np.eye(d.shape[-1], dtype=bool)
    return E.select_p.bind(eye, 0.0, 1.0 / E.select_p.bind(eye, 1.0, d))


def _matrix_rhs(b, name):
    if len(b.shape) < 2:
        raise ValueError(f"{name}: the primitive takes b as a stack of matrices (..., M, K), got "
                         f"shape {b.shape}; use b[..., None] (wengert.numpy.linalg.solve does this "
                         "for a 1-D b)")
    return b


def _solve_aval(a, b):
    batch = np.broadcast_shapes(a.shape[:-2], _matrix_rhs(b, "solve").shape[:-2])
    return ShapedArray(batch + b.shape[-2:], _float(np.result_type(a.dtype, b.dtype)))


def _broadcast_batch(a, b):   # NumPy < 2 reads b as vectors unless it has a's ndim
    batch = np.broadcast_shapes(a.shape[:-2], _matrix_rhs(b, "solve").shape[:-2])
    return np.broadcast_to(a, batch + a.shape[-2:]), np.broadcast_to(b, batch + b.shape[-2:])


def _solve_tangent(solve, x, ta_op, tb):
    """Tangent of x = A^-1 b: A^-1 (tb - tA x); `ta_op` is tA as the op applies it."""
    if ta_op is None:
        return solve(tb)
    r = _matmul(ta_op, x)
    return solve(-r if is_zero(tb) else tb - r)


# -- triangular_solve: x = op(A)^-1 b, A's `lower` (or upper) triangle only; linear in b
def _triangular_solve_impl(a, b, lower, transpose_a):
    a, b = _broadcast_batch(np.asarray(a), np.asarray(b))
    a = np.tril(a) if lower else np.triu(a)
    return np.linalg.solve(np.swapaxes(a, -1, -2) if transpose_a else a, b)


def _triangular_solve_jvp(xs, ts, lower, transpose_a):
    (a, b), (ta, tb) = xs, ts
    x = triangular_solve_p.bind(a, b, lower=lower, transpose_a=transpose_a)
    if not is_zero(ta):
        ta = _tril(ta, lower=lower)
        ta = _mT(ta) if transpose_a else ta
    solve = partial(triangular_solve_p.bind, a, lower=lower, transpose_a=transpose_a)
    return x, _solve_tangent(solve, x, None if is_zero(ta) else ta, tb)


def _triangular_solve_transpose(ct, a, b, lower, transpose_a):
    if is_undefined(a):
        raise TypeError("triangular_solve is linear in b only, not in the matrix a")
    ct_b = triangular_solve_p.bind(a, ct, lower=lower, transpose_a=not transpose_a)
    return None, unbroadcast(ct_b, b.aval)


triangular_solve_p = new_primitive("triangular_solve")
triangular_solve_p.impl, triangular_solve_p.linear = _triangular_solve_impl, True
triangular_solve_p.linear_args = (1,)
triangular_solve_p.shape = lambda a, b, lower, transpose_a: _solve_aval(_square(a, "triangular_solve"), b)
triangular_solve_p.jvp, triangular_solve_p.transpose = _triangular_solve_jvp, _triangular_solve_transpose


# -- solve: x = A^-1 b for b of shape (..., M, K), batch dims broadcast; linear in b.
# (wengert.numpy.linalg.solve maps NumPy 2's 1-D b onto a one-column b.)
def _solve_impl(a, b):
    return np.linalg.solve(*_broadcast_batch(np.asarray(a), np.asarray(b)))


def _solve_jvp(xs, ts):
    (a, b), (ta, tb) = xs, ts
    x = solve_p.bind(a, b)
    return x, _solve_tangent(partial(solve_p.bind, a), x, None if is_zero(ta) else ta, tb)


def _solve_transpose(ct, a, b):
    if is_undefined(a):
        raise TypeError("solve is linear in b only, not in the matrix a")
    return None, unbroadcast(solve_p.bind(_mT(a), ct), b.aval)


solve_p = new_primitive("solve")
solve_p.impl, solve_p.linear = _solve_impl, True
solve_p.linear_args = (1,)
solve_p.shape = lambda a, b: _solve_aval(_square(a, "solve"), b)
solve_p.jvp, solve_p.transpose = _solve_jvp, _solve_transpose


# -- cholesky: A = L L^T, reading A's lower triangle -------------------------------
def _cholesky_jvp(xs, ts):
    # tL = L Phi(L^-1 tA L^-T), Phi = the lower triangle with its diagonal halved
    L = cholesky_p.bind(xs[0])
    solve = partial(triangular_solve_p.bind, L, lower=True, transpose_a=False)
    inner = _mT(solve(_mT(solve(_sym_lower(ts[0])))))
    n = L.shape[-1]
    phi = (np.tri(n) - 0.5 * np.eye(n)).astype(L.dtype)
    return L, _matmul(L, inner * phi)


cholesky_p = new_primitive("cholesky")
cholesky_p.impl = lambda a: np.linalg.cholesky(a)
cholesky_p.shape = lambda a: ShapedArray(_square(a, "cholesky").shape, _float(a.dtype))
cholesky_p.jvp = _cholesky_jvp


# -- eigh: A = V diag(w) V^T, ascending w, reading A's lower triangle ------------------
def _eigh_jvp(xs, ts):
    # tw = diag(M), tV = V (F * M) with M = V^T tA V and F_ij = 1/(w_j - w_i)
    w, V = eigh_p.bind(xs[0])
    M = _matmul(_mT(V), _matmul(_sym_lower(ts[0]), V))
    F = _inv_gaps(w[..., None, :] - w[..., :, None])
    return [w, V], [_diagonal(M), _matmul(V, F * M)]


def _eigh_shape(a):
    dtype = _float(_square(a, "eigh").dtype)
    return [ShapedArray(a.shape[:-1], dtype), ShapedArray(a.shape, dtype)]


eigh_p = new_primitive("eigh", multiple_results=True)
eigh_p.impl = lambda a: list(np.linalg.eigh(a, UPLO="L"))
eigh_p.shape, eigh_p.jvp = _eigh_shape, _eigh_jvp


# -- qr (reduced, m >= n): A = Q R ------------------------------------------------------
def _qr_jvp(xs, ts):
    # As in JAX: with C = Q^T tA R^-1 and Om = tril(C, -1) - tril(C, -1)^T,
    # tQ = Q (Om - C) + tA R^-1 and tR = (C - Om) R.
    Q, R = qr_p.bind(xs[0])
    ta_rinv = _mT(triangular_solve_p.bind(R, _mT(ts[0]), lower=False, transpose_a=True))
    C = _matmul(_mT(Q), ta_rinv)
    low = _tril(C, -1)
    om = low - _mT(low)
    return [Q, R], [_matmul(Q, om - C) + ta_rinv, _matmul(C - om, R)]


def _qr_shape(a):
    m, n = a.shape[-2:]
    if m < n:
        raise ValueError(f"qr: the primitive needs m >= n, got {a}; factor the transpose instead")
    dtype = _float(a.dtype)
    return [ShapedArray(a.shape, dtype), ShapedArray(a.shape[:-2] + (n, n), dtype)]


qr_p = new_primitive("qr", multiple_results=True)
qr_p.impl = lambda a: list(np.linalg.qr(a, mode="reduced"))
qr_p.shape, qr_p.jvp = _qr_shape, _qr_jvp


# -- svd (full_matrices=False): A = U diag(S) Vh, distinct nonzero singular values -------
def _svd_jvp(xs, ts):
    # As in JAX: P = U^T tA V, tS = diag(P), F_ij = 1/(s_j^2 - s_i^2);
    # tU = U (F * (P S + S P^T)) [+ (I - U U^T) tA V S^-1 when m > k], likewise tV.
    a, ta = xs[0], ts[0]
    U, s, Vh = svd_p.bind(a)
    V, Ut = _mT(Vh), _mT(U)
    P = _matmul(Ut, _matmul(ta, V))
    s_j, s_i = s[..., None, :], s[..., :, None]
    F = _inv_gaps((s_j - s_i) * (s_j + s_i))
    PS, SP = P * s_j, s_i * P
    tU = _matmul(U, F * (PS + _mT(PS)))
    tV = _matmul(V, F * (SP + _mT(SP)))
    m, n = a.shape[-2:]
    k = min(m, n)
    if m > k:
        taV = _matmul(ta, V)
        tU = tU + (taV - _matmul(U, _matmul(Ut, taV))) / s_j
    if n > k:
        taU = _matmul(_mT(ta), U)
        tV = tV + (taU - _matmul(V, _matmul(Vh, taU))) / s_j
    return [U, s, Vh], [tU, _diagonal(P), _mT(tV)]


def _svd_shape(a):
    m, n = a.shape[-2:]
    k, b, dtype = min(m, n), a.shape[:-2], _float(a.dtype)
    return [ShapedArray(b + (m, k), dtype), ShapedArray(b + (k,), dtype), ShapedArray(b + (k, n), dtype)]


svd_p = new_primitive("svd", multiple_results=True)
svd_p.impl = lambda a: list(np.linalg.svd(a, full_matrices=False))
svd_p.shape, svd_p.jvp = _svd_shape, _svd_jvp


# -- slogdet and det: d log|det A| = trace(A^-1 tA) --------------------------------------
def _trace_solve(a, ta):
    return _trace(solve_p.bind(a, ta))


def _slogdet_jvp(xs, ts):
    sign, logabsdet = slogdet_p.bind(xs[0])
    return [sign, logabsdet], [Zero(sign), _trace_solve(xs[0], ts[0])]


def _det_jvp(xs, ts):
    y = det_p.bind(xs[0])
    if _exactly_singular(xs[0]):     # det * A^-1 has no inverse to go through: cofactors
        return y, _sum_matrices(_cofactors(xs[0]) * ts[0])
    return y, y * _trace_solve(xs[0], ts[0])


MAX_COFACTOR_N = 64     # the cofactor route costs n^2 determinants of size n-1


def _exactly_singular(a):
    """Whether the value under `a` (looking through tracers that carry one) is a matrix
    LU cannot invert.  d det = tr(adj(A) dA) holds there too, with adj(A) = det(A) A^-1
    undefined as a product but well defined as the matrix of cofactors."""
    try:
        a = concrete(a, "det's test for an exactly singular matrix")
    except ConcretizationError:
        return False                # staged without a value: take the solve route
    try:
        np.linalg.solve(a, np.broadcast_to(np.eye(a.shape[-1]), a.shape))
    except np.linalg.LinAlgError:
        if a.shape[-1] > MAX_COFACTOR_N:
            raise np.linalg.LinAlgError(
                f"det: the derivative at a singular {a.shape[-1]}x{a.shape[-1]} matrix needs its "
                f"cofactors, n^2 determinants of size n-1; that is only done up to n = "
                f"{MAX_COFACTOR_N}") from None
        return True
    return False


def _cofactors(a):
    """C[..., i, j] = (-1)^(i+j) det(A without row i and column j): one batched det of
    all n^2 minors, itself differentiable (a singular minor takes this route again)."""
    n = a.shape[-1]
    keep = np.array([[k for k in range(n) if k != i] for i in range(n)], dtype=np.intp).reshape(n, n - 1)
    minors = a[..., keep[:, None, :, None], keep[None, :, None, :]]     # (..., n, n, n-1, n-1)
    sign = (-1.0) ** np.add.outer(np.arange(n), np.arange(n))
    return det_p.bind(minors) * sign.astype(np.result_type(a.dtype, np.float32))


def _batch_aval(a, name):
    return ShapedArray(_square(a, name).shape[:-2], _float(a.dtype))


slogdet_p = new_primitive("slogdet", multiple_results=True)
slogdet_p.impl = lambda a: list(np.linalg.slogdet(a))
slogdet_p.shape = lambda a: [_batch_aval(a, "slogdet")] * 2
slogdet_p.jvp = _slogdet_jvp

det_p = new_primitive("det")
det_p.impl = lambda a: np.linalg.det(a)
det_p.shape, det_p.jvp = (lambda a: _batch_aval(a, "det")), _det_jvp


# ==================================================================== Taylor rules
# dot_general is bilinear: a Cauchy product over the order axis (a constant operand:
# coefficient-wise).  The solves, cholesky and det by their own recurrences, from
# the defining equations A X = B, L L^T = A and det' = det tr(A^-1 A'); eigh, qr
# and svd by the generic rule derived from their jvp rules (interpreters/taylor.py).
def _dot_general_taylor(primals, series, dims):
    (x, y), (sx, sy) = primals, series
    (lc, rc), (lb, rb) = dims
    out = dot_general_p.bind(x, y, dims=dims)
    nb, nxf = len(lb), len(_free(T.ndim(x), lc, lb))
    up = lambda axes: tuple(a + 1 for a in axes)  # noqa: E731
    if sy is None:      # order axis: a free axis of x, placed after the batch axes
        return out, _order_to_front(dot_general_p.bind(sx, y, dims=((up(lc), rc), (up(lb), rb))), nb)
    if sx is None:
        return out, _order_to_front(dot_general_p.bind(x, sy, dims=((lc, up(rc)), (lb, up(rb)))), nb + nxf)
    K = T.order_of(series)
    X, Y = T.join(x, sx, K), T.join(y, sy, K)
    if T.small(X, K + 1):
        # c_k = sum_j x_(k-j) . y_j: the order pair (k, j) of the gathered T[k, j] = x_(k-j)
        # is a free and a contracted axis of one dot_general with the full series of y
        dims2 = (((1,) + tuple(a + 2 for a in lc), (0,) + up(rc)), (tuple(a + 2 for a in lb), up(rb)))
        return out, T.rest(_order_to_front(dot_general_p.bind(T.toeplitz(X), Y, dims=dims2), nb))
    dims1 = (((0,) + up(lc), (0,) + up(rc)), (up(lb), up(rb)))   # the order axis contracted
    return out, T.stack([dot_general_p.bind(T.first(X, k + 1), S.getitem(Y, (slice(k, None, -1),), True),
                                            dims=dims1) for k in range(1, K + 1)])


def _order_to_front(s, pos):
    if pos == 0:
        return s
    nd = T.ndim(s)
    return S.transpose_p.bind(s, perm=(pos,) + tuple(i for i in range(nd) if i != pos))


dot_general_p.taylor = _dot_general_taylor


def _solve_series(solve, A, B, X0):
    """The full series of X = A^-1 B from A X = B order by order:
    X_k = A_0^-1 (B_k - sum_{1<=j<=k} A_j X_(k-j)); `solve` applies A_0^-1."""
    rev = T.push(None, X0)
    for k in range(1, T._shape(B)[0]):
        r = E.sub_p.bind(T.coef(B, k), R_sum0(_matmul(T.first(T.rest(A), k), rev)))
        rev = T.push(rev, solve(r))
    return S.getitem(rev, (slice(None, None, -1),), True)


def R_sum0(s):
    return R.reduce_sum_p.bind(s, axes=(0,))


def _solve_like_taylor(prim, solve_with, op_of):
    """Taylor rule of X = op(A)^-1 B (linear in B): coefficient-wise for a constant A;
    else the order-by-order recurrence with op(A)'s series."""
    def rule(primals, series, **params):
        (a, b), (sa, sb) = primals, series
        x = prim.bind(a, b, **params)
        solve = partial(solve_with, a, **params)
        if sa is None:
            return x, solve(sb)
        K = T.order_of(series)
        A = op_of(T.join(a, sa), **params)
        B = T.join(b, sb, K)
        return x, T.rest(_solve_series(solve, A, B, x))
    rule.__name__ = f"_{prim.name}_taylor"
    prim.taylor = rule


def _triangle_op(A, lower, transpose_a):   # what triangular_solve reads of each coefficient
    A = _tril(A, lower=lower)
    return _mT(A) if transpose_a else A


_solve_like_taylor(solve_p, lambda a, r: solve_p.bind(a, r), lambda A: A)
_solve_like_taylor(triangular_solve_p, lambda a, r, lower, transpose_a: triangular_solve_p.bind(
    a, r, lower=lower, transpose_a=transpose_a), _triangle_op)


def _cholesky_taylor(primals, series):
    # L L^T = A at order k:  L0 Lk^T + Lk L0^T = A_k - sum_{0<j<k} L_j L_(k-j)^T =: R_k, solved
    # as the jvp solves it: Lk = L0 Phi(L0^-1 R_k L0^-T), Phi the lower triangle, diagonal halved
    L0 = cholesky_p.bind(primals[0])
    A = _sym_lower(series[0])
    solve = partial(triangular_solve_p.bind, L0, lower=True, transpose_a=False)
    n = T._shape(L0)[-1]
    phi = (np.tri(n) - 0.5 * np.eye(n)).astype(L0.dtype)
    fwd = rev = None           # (L_1, ..., L_(k-1)) and (L_(k-1), ..., L_1)
    for k in range(1, T._shape(A)[0] + 1):
        R = T.coef(A, k - 1)
        if fwd is not None:
            R = R - R_sum0(_matmul(fwd, _mT(rev)))
        Lk = _matmul(L0, _mT(solve(_mT(solve(R)))) * phi)
        rev = T.push(rev, Lk)
        fwd = T.push(None, Lk) if fwd is None else S.concatenate_p.bind(fwd, T.push(None, Lk), axis=0)
    return L0, fwd


cholesky_p.taylor = _cholesky_taylor


def _log_det_derivative(a, sa):
    """The series g_0..g_(K-1) of tr(A^-1 A') (= (log det A)')."""
    A = T.join(a, sa)
    K = T._shape(sa)[0]
    G0 = solve_p.bind(a, T.coef(sa, 0))
    G = _solve_series(partial(solve_p.bind, a), T.first(A, K), T.derivative(A), G0)
    return _trace(G)


def _det_taylor(primals, series):   # det' = det g: the exp recurrence
    if _exactly_singular(primals[0]):    # no A^-1: the rule derived from the cofactor jvp
        return _det_taylor_singular(primals, series)
    y = det_p.bind(primals[0])
    return y, T.exp_ode(_log_det_derivative(primals[0], series[0]), y)


def _slogdet_taylor(primals, series):
    sign, logabsdet = slogdet_p.bind(primals[0])
    return [sign, logabsdet], [None, T.integrate(_log_det_derivative(primals[0], series[0]))]


det_p.taylor, slogdet_p.taylor = _det_taylor, _slogdet_taylor
_det_taylor_singular = taylor_from_jvp(det_p)
eigh_p.taylor, qr_p.taylor, svd_p.taylor = (taylor_from_jvp(p) for p in (eigh_p, qr_p, svd_p))
