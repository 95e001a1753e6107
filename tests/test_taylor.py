"""Taylor mode: every primitive against nested jvp, composites against sympy series,
mixed partials against nested jacfwd, composability with the other transforms, errors.

Tolerances: Taylor propagation and nested jvp are both exact algorithms; they differ
only by rounding over O(K^2) operations, so they agree to ~1e-12 relative to the
largest coefficient.  sympy gives the exact derivatives (evaluated to 30 digits).
"""
import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
import wengert.scipy.special as wsp
from specs import SPECS
from wengert.interpreters.taylor import TaylorInterpreter
from wengert.ops import all_primitives

K = 4
RTOL = 1e-10


def _curve(args, series):
    """x(t) = x0 + x1 t + ... + xK t^K for each argument, as a function of scalar t."""
    def at(t):
        return [x + sum(s[j] * t ** (j + 1) for j in range(len(s))) for x, s in zip(args, series)]
    return at


def nested_jvp_derivatives(f, args, series, order):
    """[h(0), h'(0), ..., h^(order)(0)] of h(t) = f(x(t)) by nesting jvp `order` times."""
    curve = _curve(args, series)
    levels = [lambda t: wg.tree_flatten(f(*curve(t)))[0]]
    for _ in range(order):
        levels.append(lambda t, g=levels[-1]: wg.jvp(g, (t,), (1.0,))[1])
    return [levels[k](0.0) for k in range(order + 1)]


def taylor_derivatives(f, args, series):
    y0, ys = wg.taylor(f, tuple(args), tuple(series))
    y0, ys = wg.tree_flatten(y0)[0], wg.tree_flatten(ys)[0]
    out = [y0]
    for k in range(len(series[0])):
        out.append([np.asarray(s)[k] * math.factorial(k + 1) for s in ys])
    return out


def assert_close(got, want, rtol=RTOL):
    for g_k, w_k in zip(got, want):
        for g, w in zip(g_k, w_k):
            w = np.asarray(w, np.float64)
            scale = max(1.0, np.max(np.abs(w), initial=0.0))
            np.testing.assert_allclose(np.asarray(g, np.float64), w, rtol=rtol, atol=rtol * scale)


def random_series(args, rng, order=K):
    return [0.5 * rng.standard_normal((order,) + np.shape(x)) for x in args]


# ---------------------------------------------------------------- every primitive
def _spd(n, rng):
    a = rng.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


@wg.custom_jvp
def _softplus(x):
    return wnp.log1p(wnp.exp(x))


@_softplus.defjvp
def _softplus_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _softplus(x), t * wsp.expit(x)


@wg.custom_vjp
def _cube(x):
    return x ** 3


_cube.defvjp(lambda x: (x ** 3, x), lambda x, ct: (3 * x ** 2 * ct,))


def _extra_cases(rng):
    """Primitives the NumPy specs do not reach: linear algebra, special functions,
    custom rules, and the tangent primitives that appear when Taylor runs over a jvp."""
    a, b = _spd(3, rng), rng.standard_normal((3, 2))
    lower = np.tril(rng.standard_normal((3, 3))) + 3 * np.eye(3)
    sym = rng.standard_normal((3, 3))
    sym = sym + sym.T
    v = rng.uniform(0.5, 2.0, (3,))
    c = rng.uniform(-2, 2, (2,))
    return [
        ("solve", lambda a, b: wnp.linalg.solve(a, b), (a, b)),
        ("solve_const_a", lambda b: wnp.linalg.solve(a, b), (b,)),
        ("solve_vector", lambda a, b: wnp.linalg.solve(a, b), (a, b[:, 0])),
        ("inv", wnp.linalg.inv, (a,)),
        ("det", wnp.linalg.det, (a,)),
        ("slogdet", lambda a: wnp.linalg.slogdet(a).logabsdet, (a,)),
        ("cholesky", wnp.linalg.cholesky, (a,)),
        ("eigh", lambda a: wnp.linalg.eigh(a), (sym,)),
        ("qr", lambda a: wnp.linalg.qr(a), (rng.standard_normal((4, 3)),)),
        ("svd", lambda a: wnp.linalg.svd(a, full_matrices=False), (rng.standard_normal((4, 3)),)),
        ("triangular_solve", lambda l, b: wg.ops.linalg.triangular_solve_p.bind(
            l, b, lower=True, transpose_a=True), (lower, b)),
        ("erf", wsp.erf, (rng.uniform(-2, 2, (3,)),)),
        ("erfc", wsp.erfc, (rng.uniform(-2, 2, (3,)),)),
        ("gammaln", wsp.gammaln, (v,)),
        ("digamma", wsp.digamma, (v,)),
        ("polygamma", lambda x: wsp.polygamma(2, x), (v,)),
        ("expit", wsp.expit, (rng.uniform(-3, 3, (3,)),)),
        ("custom_jvp", _softplus, (rng.uniform(-3, 3, (3,)),)),
        ("custom_vjp", _cube, (rng.uniform(-2, 2, (3,)),), lambda x: x ** 3),
        ("jvp_of_product", lambda x, y: wg.jvp(lambda u, w: u * w / (1.0 + w * w), (x, y), (y, x))[1],
         (rng.uniform(0.5, 2, (3,)), rng.uniform(0.5, 2, (3,)))),
        ("jvp_of_custom_vjp", lambda x: wg.jvp(_cube, (c,), (x * x,))[1], (rng.uniform(-2, 2, (2,)),),
         lambda x: 3 * c ** 2 * x * x),
        ("convert", lambda x: wnp.astype(x * x, np.float64) + wnp.astype(x, np.int64), (rng.uniform(-2, 2, (3,)),)),
        ("grad_logsumexp", wg.grad(lambda x: wsp.logsumexp(x) * x[0]), (rng.standard_normal(4),)),
        ("large_product", lambda x, y: x * y / (1.0 + y * y), (rng.standard_normal(20000), rng.standard_normal(20000))),
        ("large_matmul", lambda x, y: x @ y, (rng.standard_normal((60, 70)), rng.standard_normal((70, 50)))),
    ]


SPEC_CASES = [(f"{s.name}-{'x'.join(map(str, shapes))}", s.fn, shapes, s) for s in SPECS for shapes in s.shapes]
EXTRA_CASES = [c if len(c) == 4 else c + (c[1],) for c in _extra_cases(np.random.default_rng(7))]


@pytest.mark.parametrize("name,fn,shapes,spec", SPEC_CASES, ids=[c[0] for c in SPEC_CASES])
def test_spec_against_nested_jvp(name, fn, shapes, spec):
    rng = np.random.default_rng(3)
    args = spec.inputs(shapes, rng)
    series = random_series(args, rng)
    assert_close(taylor_derivatives(fn, args, series), nested_jvp_derivatives(fn, args, series, K))


@pytest.mark.parametrize("name,fn,args,ref", EXTRA_CASES, ids=[c[0] for c in EXTRA_CASES])
def test_extra_against_nested_jvp(name, fn, args, ref):
    """`ref` is fn itself except for custom_vjp (nested jvp of it needs residuals that
    nested forward mode does not trace) and Taylor over its jvp (a constant primal: the
    residuals of a traced one would need series of their own; see docs/taylor.md)."""
    rng = np.random.default_rng(4)
    series = random_series(args, rng, 2 if name.startswith("large") else K)
    order = len(series[0])
    assert_close(taylor_derivatives(fn, args, series), nested_jvp_derivatives(ref, args, series, order))


def test_every_primitive_with_a_jvp_rule_is_exercised(monkeypatch):
    """The cases above reach every differentiable primitive through the Taylor interpreter."""
    seen = set()
    process = TaylorInterpreter.process

    def recording(self, prim, args, params):
        seen.add(prim.name)
        return process(self, prim, args, params)
    monkeypatch.setattr(TaylorInterpreter, "process", recording)
    rng = np.random.default_rng(5)
    for _, fn, shapes, spec in SPEC_CASES:
        args = spec.inputs(shapes, rng)
        wg.taylor(fn, tuple(args), tuple(random_series(args, rng, 1)))
    for _, fn, args, _ in EXTRA_CASES:
        wg.taylor(fn, tuple(args), tuple(random_series(args, rng, 1)))
    wanted = {p.name for p in all_primitives() if p.jvp is not None}
    assert wanted - seen == set()


# ---------------------------------------------------------------- exact values
def test_lecture_cube():
    np.testing.assert_array_equal(wg.derivatives(lambda x: x ** 3, 2.0, order=6), [8, 12, 12, 6, 0, 0, 0])
    np.testing.assert_array_equal(wg.derivatives(lambda x: x * x * x, 2.0, order=4), [8, 12, 12, 6, 0])


sympy = pytest.importorskip("sympy")
_t = sympy.Symbol("x")
COMPOSITES = [
    ("exp_sin_x2", lambda x: wnp.exp(wnp.sin(x)) * x ** 2, sympy.exp(sympy.sin(_t)) * _t ** 2, 0.7),
    ("rational_log", lambda x: wnp.log(1 + x ** 2) / (2 + wnp.cos(x)),
     sympy.log(1 + _t ** 2) / (2 + sympy.cos(_t)), 0.4),
    ("sqrt_arctan", lambda x: wnp.sqrt(1 + x) * wnp.arctan(x), sympy.sqrt(1 + _t) * sympy.atan(_t), 0.3),
    ("tanh_pow", lambda x: wnp.tanh(x) ** 3 + 1 / (1 + x * x), sympy.tanh(_t) ** 3 + 1 / (1 + _t ** 2), -0.5),
    # (not arccosh(1 + x^2) = 2 arcsinh(x / sqrt 2): its intermediate sqrt(x^2 (2 + x^2)) has
    # |x| in it, a singularity at 0 the result lacks, so its high coefficients cancel)
    ("inverse_trig", lambda x: wnp.arcsin(x / 2) + wnp.arccosh(2 + x * x) + wnp.arctanh(x / 3),
     sympy.asin(_t / 2) + sympy.acosh(2 + _t ** 2) + sympy.atanh(_t / 3), 0.6),
    ("erf_logistic", lambda x: wsp.erf(x) * wsp.expit(2 * x), sympy.erf(_t) / (1 + sympy.exp(-2 * _t)), 0.2),
    ("pow_real", lambda x: (1.5 + x) ** 2.5 * wnp.cbrt(x), (sympy.Rational(3, 2) + _t) ** sympy.Rational(5, 2)
     * _t ** sympy.Rational(1, 3), 0.8),
    ("x_to_the_x", lambda x: x ** x, _t ** _t, 1.3),
    ("expm1_log1p_sinh", lambda x: wnp.expm1(x) * wnp.log1p(x) + wnp.sinh(x) / wnp.cosh(2 * x),
     (sympy.exp(_t) - 1) * sympy.log(1 + _t) + sympy.sinh(_t) / sympy.cosh(2 * _t), 0.5),
    ("gammaln", lambda x: wsp.gammaln(x), sympy.loggamma(_t), 2.5),
]


@pytest.mark.parametrize("name,fn,expr,x0", COMPOSITES, ids=[c[0] for c in COMPOSITES])
def test_composite_against_sympy_to_order_10(name, fn, expr, x0):
    want = [float(sympy.diff(expr, _t, k).subs(_t, sympy.Float(x0, 30)).evalf(30)) for k in range(11)]
    got = wg.derivatives(fn, x0, order=10)
    np.testing.assert_allclose(got, want, rtol=1e-11, atol=1e-11 * max(map(abs, want)))


# ---------------------------------------------------------------- mixed partials
def _nested_jacfwd(f, order):
    fs = [f]
    for _ in range(order):
        fs.append(wg.jacfwd(fs[-1]))
    return fs


@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_taylor_tensor_against_nested_jacfwd(order):
    f = lambda x: wnp.stack([wnp.exp(x[0]) * wnp.sin(x[1] * x[2]) + x[0] ** 3 * x[2],  # noqa: E731
                             wnp.log(1 + x[1] ** 2) / (2 + x[0])])
    x = np.array([0.3, 0.7, -0.4])
    got = wg.taylor_tensor(f, x, order)
    want = [g(x) for g in _nested_jacfwd(f, order)]
    assert len(got) == order + 1
    for g, w in zip(got, want):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(g, w, rtol=1e-11, atol=1e-11 * np.max(np.abs(w)))


def test_taylor_tensor_matrix_input_and_order_zero():
    f = lambda a: wnp.sum(a ** 3) * a[0, 1]  # noqa: E731
    a = np.array([[1.0, 2.0], [0.5, -1.0]])
    value, grad, hess = wg.taylor_tensor(f, a, 2)
    np.testing.assert_allclose(grad, wg.grad(f)(a), rtol=1e-12)
    np.testing.assert_allclose(hess, wg.hessian(f)(a), rtol=1e-12)
    assert hess.shape == (2, 2, 2, 2)
    assert len(wg.taylor_tensor(f, a, 0)) == 1


# ---------------------------------------------------------------- composability
def test_reverse_over_taylor():
    f = lambda x: wnp.exp(wnp.sin(x)) * x ** 2  # noqa: E731
    x = 0.7
    d4 = wg.grad(lambda x: wg.derivatives(f, x, order=3)[3])(x)
    np.testing.assert_allclose(d4, wg.derivatives(f, x, order=4)[4], rtol=1e-12)
    # and through a vector function and a matrix op
    g = lambda x: wnp.sum(wnp.linalg.solve(np.eye(2) * 3 + wnp.outer(x, x), x) ** 2)  # noqa: E731
    x = np.array([0.3, -0.8])
    v = np.array([1.0, 2.0])
    h = lambda x: wg.directional_derivatives(g, x, v, order=2)[2]  # noqa: E731
    np.testing.assert_allclose(wg.grad(h)(x), wg.jacfwd(h)(x), rtol=1e-10)


def test_taylor_over_reverse_and_forward():
    f = lambda x: wnp.exp(wnp.sin(x)) * x ** 2  # noqa: E731
    want = wg.derivatives(f, 0.7, order=6)
    np.testing.assert_allclose(wg.derivatives(wg.grad(f), 0.7, order=5), want[1:], rtol=1e-12)
    np.testing.assert_allclose(wg.derivatives(wg.grad(wg.grad(f)), 0.7, order=4), want[2:], rtol=1e-12)
    fwd = lambda x: wg.jvp(f, (x,), (1.0,))[1]  # noqa: E731
    np.testing.assert_allclose(wg.derivatives(fwd, 0.7, order=5), want[1:], rtol=1e-12)
    # forward over Taylor
    np.testing.assert_allclose(wg.jvp(lambda x: wg.derivatives(f, x, order=5)[5], (0.7,), (1.0,))[1], want[6],
                               rtol=1e-12)


def test_no_perturbation_confusion():
    # d/dx [x * d/dy (x + y)] = 1: the inner transform treats x as a constant
    np.testing.assert_allclose(wg.derivatives(lambda x: x * wg.derivatives(lambda y: x + y, 1.0, 1)[1], 1.0, 2),
                               [1.0, 1.0, 0.0])
    # Taylor in Taylor: d/dx of d2/dy2 (x y^2) = d/dx 2x = 2
    np.testing.assert_allclose(wg.derivatives(lambda x: wg.derivatives(lambda y: x * y ** 2, 1.0, 2)[2], 3.0, 2),
                               [6.0, 2.0, 0.0])
    # grad inside Taylor, Taylor inside grad, each with the other's variable closed over
    np.testing.assert_allclose(wg.grad(lambda x: wg.derivatives(lambda y: x * y ** 3, 2.0, 2)[2])(5.0), 12.0)
    np.testing.assert_allclose(wg.derivatives(lambda x: wg.grad(lambda y: x * y ** 3)(2.0), 5.0, 1), [60.0, 12.0])


def test_escaped_tracer_raises():
    box = []

    def leak(x):
        box.append(x * 2.0)
        return x
    wg.derivatives(leak, 1.0, order=2)
    with pytest.raises(wg.EscapedTracerError):
        wnp.sin(box[0])


def test_branching_follows_the_value_at_zero():
    f = lambda x: x ** 2 if x > 0 else -x  # noqa: E731
    np.testing.assert_allclose(wg.derivatives(f, 1.5, 3), [2.25, 3.0, 2.0, 0.0])
    np.testing.assert_allclose(wg.derivatives(f, -1.5, 3), [1.5, -1.0, 0.0, 0.0])


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")   # the primal's exp
def test_custom_jvp_rule_is_followed():
    # the rule's expit(x) is exact where the primal log1p(exp(x)) overflows
    d = wg.derivatives(_softplus, 800.0, order=3)
    np.testing.assert_allclose(d[1:], [1.0, 0.0, 0.0], atol=1e-300)


# ---------------------------------------------------------------- shapes, dtypes, API
def test_series_convention_and_pytrees():
    # x(t) = 1 + 2t + 3t^2; y = x^2 = 1 + 4t + 10t^2 + 12t^3 + 9t^4
    y0, ys = wg.taylor(lambda x: x * x, (1.0,), (np.array([2.0, 3.0, 0.0, 0.0]),))
    np.testing.assert_array_equal(ys, [4.0, 10.0, 12.0, 9.0])
    y0, ys = wg.taylor(lambda d: {"s": d["a"] * d["b"], "c": 2.0}, ({"a": 2.0, "b": np.ones(2)},),
                       ({"a": np.array([1.0]), "b": np.array([[1.0, 0.0]])},))
    np.testing.assert_array_equal(ys["s"], [[3.0, 1.0]])     # (2 + t) (1 + t, 1)
    np.testing.assert_array_equal(ys["c"], [0.0])            # a constant output: zero series
    y0, ys = wg.taylor(wnp.sin, (0.5,), (np.zeros((0,)),))   # order 0
    assert ys.shape == (0,) and y0 == np.sin(0.5)


def test_float32_stays_float32():
    x = np.float32(0.5)
    d = wg.derivatives(lambda x: wnp.exp(wnp.sin(x)) / (1 + x * x), x, order=4)
    assert d.dtype == np.float32
    np.testing.assert_allclose(d, wg.derivatives(lambda x: wnp.exp(wnp.sin(x)) / (1 + x * x), 0.5, order=4),
                               rtol=1e-5)


def test_directional_derivatives_and_vector_outputs():
    f = lambda x: wnp.stack([wnp.sum(x ** 3), x[0] * x[1]])  # noqa: E731
    x, v = np.array([1.0, 2.0]), np.array([1.0, -1.0])
    d = wg.directional_derivatives(f, x, v, order=3)
    assert d.shape == (4, 2)
    np.testing.assert_allclose(d[1], wg.jvp(f, (x,), (v,))[1])
    np.testing.assert_allclose(d[2], wg.jvp(lambda x: wg.jvp(f, (x,), (v,))[1], (x,), (v,))[1])
    np.testing.assert_allclose(wg.derivatives(lambda t: wnp.array([t, t * t]), 3.0, 2), [[3, 9], [1, 6], [0, 2]])


@pytest.mark.parametrize("call,match", [
    (lambda: wg.derivatives(wnp.sin, np.ones(2), 2), "x must be a scalar"),
    (lambda: wg.derivatives(wnp.sin, 1.0, -1), "non-negative integer"),
    (lambda: wg.derivatives(wnp.sin, 1.0, 2.0), "non-negative integer"),
    (lambda: wg.derivatives(wnp.sin, 1, 2), "only floating"),
    (lambda: wg.taylor(wnp.sin, 1.0, np.ones(2)), "must be tuples"),
    (lambda: wg.taylor(wnp.sin, (np.ones(3),), (np.ones((2, 2)),)), r"shape \(K, \*\(3,\)\)"),
    (lambda: wg.taylor(wnp.sin, (1.0,), (np.ones(()),)), "shape"),
    (lambda: wg.taylor(wnp.add, (1.0, 2.0), (np.ones(2), np.ones(3))), "different lengths"),
    (lambda: wg.taylor(wnp.add, (1.0, 2.0), (np.ones(2),)), "structure"),
    (lambda: wg.taylor(wnp.sin, (1.0,), (np.array(["a"]),)), "dtype"),
    (lambda: wg.directional_derivatives(wnp.sin, np.ones(2), np.ones(3), 2), "shaped like x"),
    (lambda: wg.taylor_tensor(lambda x: (x, x), np.ones(2), 1), "one array"),
    (lambda: wg.taylor_tensor(wnp.sin, np.ones(2), -2), "non-negative integer"),
])
def test_errors(call, match):
    with pytest.raises(wg.InputError, match=match):
        call()


def test_missing_rule_names_the_primitive():
    from wengert.ops.rules import new_primitive, all_primitives as registry
    prim = new_primitive("test_taylorless")
    try:
        prim.impl, prim.shape = np.sin, lambda a: a
        prim.jvp = lambda xs, ts: (prim.bind(xs[0]), ts[0])
        with pytest.raises(wg.MissingRuleError, match="test_taylorless.*taylor rule"):
            wg.derivatives(prim.bind, 1.0, 2)
    finally:
        from wengert.core import primitives
        primitives._unregister(prim)
    assert prim not in registry()


def test_docs_taylor_examples():
    import doctest
    import pathlib
    path = pathlib.Path(__file__).resolve().parent.parent / "docs" / "taylor.md"
    result = doctest.testfile(str(path), module_relative=False, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and result.failed == 0
