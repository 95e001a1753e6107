"""wengert.numpy.linalg: values against numpy.linalg; derivatives against central
differences in float64, first and second order, in forward mode, reverse mode and
their nestings; batched matrices; float32.

Central differences with step H = 1e-6 have error ~H^2 |f'''| + eps |f| / H, about
1e-10 relative for these O(1)-conditioned inputs, so RTOL = 1e-6 (relative to the
largest entry of the derivative) leaves a wide margin and still catches any wrong
term of a rule, which shows up at O(1).  Eigen/singular values are well separated
(gaps >= 1) and the tested functions of eigh, qr and svd are invariant to the
factorizations' sign choices.
"""
import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
import wengert.numpy.linalg as wla
from wengert.ops import linalg as L

from fdcheck import H, RTOL, RTOL32, _close, _fd, _leaves, check_derivatives, check_float32  # noqa: E402,F401

# ---------------------------------------------------------------- well-conditioned inputs
def _rng(seed=0):
    return np.random.default_rng(seed)


def orthogonal(rng, *shape):
    q, r = np.linalg.qr(rng.standard_normal(shape))
    return q * np.sign(np.diagonal(r, 0, -2, -1))[..., None, :]


def general(rng, *shape):           # eigenvalues within sqrt(n) of n: cond ~ 3
    n = shape[-1]
    return rng.standard_normal(shape) + n * np.eye(n)


def negative_det(rng, *shape):      # det < 0: a reflected well-conditioned matrix
    a = general(rng, *shape)
    a[..., 0, :] *= -1
    return a


def spd(rng, *shape):               # eigenvalues in [1, ~4]; garbage above the diagonal
    x = rng.standard_normal(shape)
    a = x @ np.swapaxes(x, -1, -2) / shape[-1] + np.eye(shape[-1])
    return a + np.triu(rng.standard_normal(shape), 1)


def symmetric(rng, *shape):         # eigenvalues 1, 2.5, 4, ... (gaps 1.5); garbage above
    n = shape[-1]
    v = orthogonal(rng, *shape)
    a = (v * (1.0 + 1.5 * np.arange(n))) @ np.swapaxes(v, -1, -2)
    return a + np.triu(rng.standard_normal(shape), 1)


def separated(rng, *shape):         # singular values k+1, ..., 2 (gaps 1)
    m, n = shape[-2:]
    k = min(m, n)
    u, v = orthogonal(rng, *shape[:-2], m, k), orthogonal(rng, *shape[:-2], n, k)
    return (u * np.arange(k + 1, 1, -1.0)) @ np.swapaxes(v, -1, -2)


def normal(rng, *shape):
    return rng.standard_normal(shape)


# ---------------------------------------------------------------- the table
# (id, f(ns, *args) written once for ns = numpy (the reference) and wengert.numpy,
#  argument makers (generator, shape))
def _eigh(ns, a, uplo="L"):
    w, v = ns.linalg.eigh(a, UPLO=uplo)
    return w, v ** 2, v[..., :, :1] * v[..., :, 1:2]       # sign-invariant pieces of V


def _qr(ns, a):
    q, r = ns.linalg.qr(a)
    sign = ns.sign(ns.diagonal(r, 0, -2, -1))               # the unique QR with diag(R) > 0
    return q * sign[..., None, :], r * sign[..., :, None]


def _svd(ns, a):
    u, s, vh = ns.linalg.svd(a, full_matrices=False)
    return s, u ** 2, vh ** 2, u[..., :, :1] * vh[..., :1, :]


CASES = [
    ("solve", lambda ns, a, b: ns.linalg.solve(a, b), [(general, (3, 3)), (normal, (3, 2))]),
    ("solve-vector", lambda ns, a, b: ns.linalg.solve(a, b), [(general, (3, 3)), (normal, (3,))]),
    ("solve-batched-vector", lambda ns, a, b: ns.linalg.solve(a, b), [(general, (2, 3, 3)), (normal, (3,))]),
    ("solve-broadcast", lambda ns, a, b: ns.linalg.solve(a, b), [(general, (2, 1, 3, 3)), (normal, (3, 3, 2))]),
    ("inv", lambda ns, a: ns.linalg.inv(a), [(general, (3, 3))]),
    ("inv-batched", lambda ns, a: ns.linalg.inv(a), [(general, (2, 3, 3))]),
    ("det", lambda ns, a: ns.linalg.det(a), [(general, (3, 3))]),
    ("det-negative-batched", lambda ns, a: ns.linalg.det(a), [(negative_det, (2, 2, 3, 3))]),
    ("slogdet", lambda ns, a: tuple(ns.linalg.slogdet(a)), [(negative_det, (4, 4))]),
    ("slogdet-batched", lambda ns, a: tuple(ns.linalg.slogdet(a)), [(general, (3, 3, 3))]),
    ("cholesky", lambda ns, a: ns.linalg.cholesky(a), [(spd, (3, 3))]),
    ("cholesky-batched", lambda ns, a: ns.linalg.cholesky(a), [(spd, (2, 4, 4))]),
    ("cholesky-upper", lambda ns, a: ns.linalg.cholesky(ns.swapaxes(a, -1, -2), upper=True), [(spd, (3, 3))]),
    ("eigh", _eigh, [(symmetric, (3, 3))]),
    ("eigh-batched", _eigh, [(symmetric, (2, 4, 4))]),
    ("eigh-upper", lambda ns, a: _eigh(ns, ns.swapaxes(a, -1, -2), "U"), [(symmetric, (3, 3))]),
    ("eigvalsh", lambda ns, a: ns.linalg.eigvalsh(a), [(symmetric, (4, 4))]),
    ("qr-square", _qr, [(general, (4, 4))]),
    ("qr-tall", _qr, [(normal, (5, 3))]),
    ("qr-tall-batched", _qr, [(normal, (2, 5, 3))]),
    ("qr-wide", _qr, [(normal, (3, 5))]),
    ("qr-wide-batched", _qr, [(normal, (2, 2, 4))]),
    ("svd-square", _svd, [(separated, (4, 4))]),
    ("svd-tall", _svd, [(separated, (5, 3))]),
    ("svd-wide", _svd, [(separated, (3, 5))]),
    ("svd-batched", _svd, [(separated, (2, 5, 3))]),
    ("svd-values", lambda ns, a: ns.linalg.svd(a, compute_uv=False), [(separated, (2, 3, 4))]),
    ("norm-flat", lambda ns, x: ns.linalg.norm(x), [(normal, (2, 3, 2))]),
    ("norm-flat-keepdims", lambda ns, x: ns.linalg.norm(x, keepdims=True), [(normal, (2, 3))]),
]
for _ord in [None, 2, 1, np.inf, -np.inf, 3, 0.5, -1.5]:
    CASES.append((f"norm-vector-{_ord}", lambda ns, x, o=_ord: ns.linalg.norm(x, o), [(normal, (5,))]))
    CASES.append((f"norm-vector-{_ord}-axis-keepdims",
                  lambda ns, x, o=_ord: ns.linalg.norm(x, o, axis=-2, keepdims=True), [(normal, (2, 4, 3))]))
for _ord in [None, "fro", "nuc", 2, -2, 1, -1, np.inf, -np.inf]:
    CASES.append((f"norm-matrix-{_ord}", lambda ns, x, o=_ord: ns.linalg.norm(x, o), [(separated, (4, 3))]))
    CASES.append((f"norm-matrix-{_ord}-axes-keepdims",
                  lambda ns, x, o=_ord: ns.linalg.norm(x, o, axis=(2, 0), keepdims=True),
                  [(normal, (3, 2, 4))]))
IDS = [c[0] for c in CASES]


def _args(makers, seed=0):
    rng = _rng(seed)
    return tuple(make(rng, *shape) for make, shape in makers)


@pytest.mark.parametrize("name,fn,makers", CASES, ids=IDS)
def test_values_match_numpy(name, fn, makers):
    args = _args(makers)
    got, want = fn(wnp, *args), fn(np, *args)
    assert [np.shape(g) for g in wg.tree_flatten(got)[0]] == [np.shape(w) for w in _leaves(want)]
    _close(got, want, 1e-12)


@pytest.mark.parametrize("name,fn,makers", CASES, ids=IDS)
def test_derivatives(name, fn, makers):
    check_derivatives(lambda *a: fn(wnp, *a), _args(makers, seed=1), seed=2)


@pytest.mark.parametrize("name,fn,makers", [c for c in CASES if "norm" not in c[0] or "matrix-2" in c[0]],
                         ids=[c[0] for c in CASES if "norm" not in c[0] or "matrix-2" in c[0]])
def test_float32(name, fn, makers):
    check_float32(lambda *a: fn(wnp, *a), _args(makers, seed=3), seed=4)


# ---------------------------------------------------------------- triangular_solve (a primitive only)
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("transpose_a", [False, True])
@pytest.mark.parametrize("shapes", [((3, 3), (3, 2)), ((2, 3, 3), (3, 1))], ids=["plain", "batched"])
def test_triangular_solve(lower, transpose_a, shapes):
    rng = _rng(5)
    a = general(rng, *shapes[0])      # the other triangle is garbage: it must be ignored
    b = normal(rng, *shapes[1])
    f = lambda a, b: L.triangular_solve_p.bind(a, b, lower=lower, transpose_a=transpose_a)  # noqa: E731
    tri = np.tril(a) if lower else np.triu(a)
    want = np.linalg.solve(np.swapaxes(tri, -1, -2) if transpose_a else tri, b)
    _close(f(a, b), want, 1e-12)
    check_derivatives(f, (a, b), seed=6)


# ---------------------------------------------------------------- specific properties
def test_eigh_and_cholesky_read_only_the_lower_triangle():
    a = symmetric(_rng(7), 3, 3)
    upper = np.triu_indices(3, 1)
    for fn in (lambda a: wla.eigh(a)[1], lambda a: wla.cholesky(a + 4 * np.eye(3))):
        for jac in (wg.jacfwd(fn)(a), wg.jacrev(fn)(a)):
            assert np.abs(jac[..., upper[0], upper[1]]).max() == 0
            assert np.abs(jac[..., 1, 0]).max() > 0


def test_inv_gradient_matches_formula():
    a = general(_rng(8), 3, 3)
    ai = np.linalg.inv(a)
    # d sum(inv(a)) = -inv(a)^T 1 1^T inv(a)^T
    np.testing.assert_allclose(wg.grad(lambda a: wnp.sum(wla.inv(a)))(a),
                               -ai.T @ np.ones((3, 3)) @ ai.T, rtol=1e-12)


def test_logdet_hessian_is_minus_inv_kron_inv():
    a = spd(_rng(9), 3, 3)
    a = np.tril(a) + np.tril(a, -1).T
    h = wg.hessian(lambda a: wla.slogdet(a)[1])(a)
    ai = np.linalg.inv(a)
    np.testing.assert_allclose(h, -np.einsum("li,jk->ijkl", ai, ai), rtol=1e-10, atol=1e-12)


def test_slogdet_returns_named_pair_and_sign_has_no_derivative():
    a = negative_det(_rng(10), 3, 3)
    res = wla.slogdet(a)
    assert res.sign == -1 and np.isclose(res.logabsdet, np.linalg.slogdet(a).logabsdet)
    np.testing.assert_array_equal(wg.grad(lambda a: wla.slogdet(a).sign)(a), np.zeros((3, 3)))


def test_result_types_and_errors():
    a = general(_rng(11), 3, 3)
    w, v = wla.eigh(a)
    assert isinstance(wla.eigh(a), wla.EighResult) and isinstance(wla.svd(a), wla.SVDResult)
    assert wla.qr(a, mode="r").shape == (3, 3)
    # variants NumPy computes but that have no derivative: NumPy's answer on plain arrays,
    # an error that says why and what to use inside a transform
    b = normal(_rng(12), 4, 2)
    for got, want in ((wla.svd(b), np.linalg.svd(b)), (wla.qr(b, "complete"), np.linalg.qr(b, "complete"))):
        assert all(np.allclose(g, w) for g, w in zip(got, want))
    assert np.allclose(wla.qr(b, "raw")[0], np.linalg.qr(b, "raw")[0])
    with pytest.raises(wg.MissingRuleError, match="no derivative.*full_matrices=False"):
        wg.grad(lambda b: wnp.sum(wla.svd(b).U))(b)
    with pytest.raises(wg.MissingRuleError, match="mode='complete' with m > n has no derivative"):
        wg.grad(lambda b: wnp.sum(wla.qr(b, "complete").Q))(b)
    with pytest.raises(ValueError, match="unrecognized mode 'full'"):
        wla.qr(b, "full")
    assert wla.qr(b.T, "complete").R.shape == (2, 4)     # m <= n: complete is reduced
    with pytest.raises(wla.LinAlgError, match="square"):
        wla.inv(np.ones((2, 3)))
    assert wla.norm(np.array([0.0, 2.0, -1.0]), 0) == 2.0
    with pytest.raises(ValueError, match="ord"):
        wla.norm(np.ones((2, 2)), "bogus")


def test_staged_shapes_match_numpy():
    a = np.ones((2, 4, 3))
    graph = wg.make_graph(lambda a: (wla.svd(a, full_matrices=False), wla.qr(a)))(a)
    avals = [(v.aval.shape, v.aval.dtype) for v in graph.outputs]
    want = [(x.shape, x.dtype) for x in (*np.linalg.svd(a, full_matrices=False), *np.linalg.qr(a))]
    assert avals == want


def test_integer_matrix_is_computed_in_float64():
    a = np.array([[2, 1], [1, 3]])
    assert wla.inv(a).dtype == np.float64 and wla.det(a).dtype == np.float64


def _cofactor_matrix(a):
    n = a.shape[-1]
    return np.array([[(-1) ** (i + j) * np.linalg.det(np.delete(np.delete(a, i, 0), j, 1)) if n > 1 else 1.0
                      for j in range(n)] for i in range(n)])


@pytest.mark.parametrize("a", [
    np.array([[1.0, 2.0], [2.0, 4.0]]),                                   # rank 1
    np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]),        # rank 2
    np.outer([1.0, -2.0, 0.5], [3.0, 1.0, 2.0]),                          # rank 1: cofactors 0
    np.zeros((3, 3)),
], ids=["2x2-rank1", "3x3-rank2", "3x3-rank1", "zero"])
def test_det_derivatives_at_singular_matrices(a):
    """d det = tr(adj(A) dA) holds at singular A too: the gradient is the cofactor matrix,
    computed from the minors when A cannot be inverted (not a LinAlgError)."""
    np.testing.assert_allclose(wg.grad(wla.det)(a), _cofactor_matrix(a), atol=1e-12)
    n = a.shape[-1]
    v = _rng(20).standard_normal((n, n))
    np.testing.assert_allclose(wg.jvp(wla.det, (a,), (v,))[1], np.sum(_cofactor_matrix(a) * v),
                               atol=1e-12)
    # second order along v in every mode, against the exact polynomial det(A + t V) =
    # det(V) det(t I + V^-1 A), whose t^2 coefficient is half of D^2 det[v, v].  (Differences
    # of the gradient would be taken at nearly singular neighbours, where det * A^-1 itself
    # is only accurate to cond(A) * eps.)
    want = 2 * np.poly(-np.linalg.solve(v, a))[::-1][2] * np.linalg.det(v)
    jf = lambda m: wg.jvp(wla.det, (m,), (v,))[1]                      # noqa: E731
    assert wg.jvp(jf, (a,), (v,))[1] == pytest.approx(want, abs=1e-10)             # fwd over fwd
    assert np.sum(wg.grad(jf)(a) * v) == pytest.approx(want, abs=1e-10)           # rev over fwd
    assert np.sum(wg.jvp(wg.grad(wla.det), (a,), (v,))[1] * v) == pytest.approx(want, abs=1e-10)
    assert np.sum(wg.hessian(wla.det)(a) * v[:, :, None, None] * v) == pytest.approx(want, abs=1e-10)
    # det(A + tI) is a polynomial in t: Taylor mode through the singular point
    coeffs = np.poly(-a)[::-1]               # det(tI + A) = sum c_k t^k
    want = coeffs * np.array([math.factorial(k) for k in range(n + 1)])
    got = wg.derivatives(lambda t: wla.det(a + t * np.eye(n)), 0.0, order=n + 1)
    np.testing.assert_allclose(got[:n + 1], want, atol=1e-10)
    assert abs(got[n + 1]) < 1e-10


def test_det_gradient_batched_with_a_singular_member():
    a = np.stack([np.array([[1.0, 2.0], [2.0, 4.0]]), np.array([[2.0, 1.0], [1.0, 3.0]])])
    g = wg.grad(lambda a: wnp.sum(wla.det(a)))(a)
    np.testing.assert_allclose(g, np.stack([_cofactor_matrix(m) for m in a]), atol=1e-12)


def test_det_gradient_at_a_large_singular_matrix_is_refused_clearly():
    a = np.zeros((L.MAX_COFACTOR_N + 1,) * 2)
    with pytest.raises(np.linalg.LinAlgError, match="cofactors"):
        wg.grad(wla.det)(a)
