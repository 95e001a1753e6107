"""The transforms: the lecture's numbers, nesting without perturbation confusion,
escaped tracers, pytrees, dtypes, Jacobian mode choice, memory and threads."""
import gc
import sys
import threading
import weakref
from collections import namedtuple
from dataclasses import dataclass

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


def f_lecture(x1, x2):
    return wnp.log(x1) + x1 * x2


def rosen(x):
    return wnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


# ------------------------------------------------------------------ the lecture's numbers
def test_lecture_forward_and_reverse():
    y, t = wg.jvp(f_lecture, (2.0, 5.0), (1.0, 0.0))
    assert y == pytest.approx(np.log(2) + 10) and t == pytest.approx(5.5)
    assert wg.grad(f_lecture, argnums=(0, 1))(2.0, 5.0) == (5.5, 2.0)
    y, pullback = wg.vjp(f_lecture, 2.0, 5.0)
    assert pullback(1.0) == (5.5, 2.0)


def test_lecture_quotient_and_nesting():
    g = lambda x: x ** 2 / wnp.cos(x)
    assert g(np.pi) == pytest.approx(-np.pi ** 2)
    assert wg.grad(g)(np.pi) == pytest.approx(-2 * np.pi)
    cube = lambda x: x ** 3
    assert (cube(2.0), wg.grad(cube)(2.0), wg.grad(wg.grad(cube))(2.0)) == (8.0, 12.0, 12.0)
    h = lambda x1, x2: x1 * wnp.cos(x2)
    d1 = wg.jvp(h, (2.0, np.pi), (1.0, 0.0))[1]
    d2 = wg.jvp(h, (2.0, np.pi), (0.0, 1.0))[1]
    assert d1 == pytest.approx(-1.0) and d2 == pytest.approx(0.0, abs=1e-12)


def test_lecture_y_derivative():
    def y(x1, x2):
        a, e = x1 / x2, wnp.exp(x2)
        return (wnp.sin(a) + a - e) * (a - e)
    assert wg.grad(y)(1.5, 0.5) == pytest.approx(3.0118, abs=1e-4)
    assert wg.jvp(y, (1.5, 0.5), (1.0, 0.0))[1] == pytest.approx(wg.grad(y)(1.5, 0.5), rel=1e-14)


def test_closure_constant():
    k = 3.0
    assert wg.grad(lambda x: k * x + wnp.sin(x))(0.7) == pytest.approx(k + np.cos(0.7))


# ------------------------------------------------------------------ perturbation confusion
def test_perturbation_confusion_reverse():
    # d/dx [x * d/dy (x + y)] at x = 1, y = 1 is 1 (a confused system says 2)
    assert wg.grad(lambda x: x * wg.grad(lambda y: x + y)(1.0))(1.0) == 1.0


def test_perturbation_confusion_forward():
    inner = lambda x: wg.jvp(lambda y: x + y, (1.0,), (1.0,))[1]
    assert wg.jvp(lambda x: x * inner(x), (1.0,), (1.0,))[1] == 1.0


@pytest.mark.parametrize("outer", ["grad", "jvp"])
@pytest.mark.parametrize("inner", ["grad", "jvp"])
def test_mixed_nesting(outer, inner):
    # d/dx [x * d/dy (x * y)]|_{y=2} = d/dx [x * x] = 2x
    def d_inner(x):
        if inner == "grad":
            return wg.grad(lambda y: x * y)(2.0)
        return wg.jvp(lambda y: x * y, (2.0,), (1.0,))[1]
    f = lambda x: x * d_inner(x)
    d = wg.grad(f)(3.0) if outer == "grad" else wg.jvp(f, (3.0,), (1.0,))[1]
    assert d == pytest.approx(6.0)


def test_third_order_mixed():
    f = lambda x: wnp.sin(x) * x ** 2
    d3 = wg.grad(lambda x: wg.jvp(wg.grad(f), (x,), (1.0,))[1])(0.4)
    x = 0.4   # f''' = -cos x * x^2 - 6 x sin x + 6 cos x
    assert d3 == pytest.approx(-np.cos(x) * x ** 2 - 6 * x * np.sin(x) + 6 * np.cos(x), rel=1e-12)


# ------------------------------------------------------------------ escaped tracers
def test_leaked_tracer_raises_not_returns():
    leak = []
    wg.grad(lambda x: leak.append(x) or x * 2.0)(1.0)
    with pytest.raises(wg.EscapedTracerError, match="finished `grad`"):
        wg.grad(lambda y: y * leak[0])(2.0)
    with pytest.raises(wg.EscapedTracerError):
        leak[0] + 1.0
    with pytest.raises(wg.EscapedTracerError):
        wnp.sin(leak[0])


def test_leaked_jvp_tracer_raises():
    leak = []
    wg.jvp(lambda x: leak.append(x) or x, (1.0,), (1.0,))
    with pytest.raises(wg.EscapedTracerError):
        wg.jvp(lambda y: y * leak[0], (1.0,), (1.0,))


# ------------------------------------------------------------------ pytrees
Pair = namedtuple("Pair", "a b")


@dataclass
class Params:
    w: np.ndarray
    b: float


def test_pytrees_in_and_out():
    params = {"w": np.array([1.0, 2.0]), "layers": [np.array(3.0), (np.array(4.0), None)]}
    f = lambda p: wnp.sum(p["w"] ** 2) * p["layers"][0] + p["layers"][1][0]
    g = wg.grad(f)(params)
    assert set(g) == {"w", "layers"} and g["layers"][1][1] is None
    np.testing.assert_allclose(g["w"], 2 * params["w"] * 3.0)
    assert g["layers"][0] == 5.0 and g["layers"][1][0] == 1.0
    gp = wg.grad(lambda p: p.a * p.b)(Pair(2.0, 3.0))
    assert isinstance(gp, Pair) and gp == (3.0, 2.0)
    gd = wg.grad(lambda p: wnp.sum(p.w) * p.b)(Params(np.ones(3), 2.0))
    assert isinstance(gd, Params) and gd.b == 3.0


def test_register_pytree():
    class Point:
        def __init__(self, x, y):
            self.x, self.y = x, y
    wg.register_pytree(Point, lambda p: ((p.x, p.y), None), lambda aux, c: Point(*c))
    g = wg.grad(lambda p: p.x * p.y)(Point(2.0, 3.0))
    assert (g.x, g.y) == (3.0, 2.0)


def test_jvp_and_vjp_pytree_outputs():
    f = lambda x: {"s": wnp.sin(x), "pair": (x * 2.0, x ** 2)}
    y, t = wg.jvp(f, (1.0,), (1.0,))
    assert t["pair"] == (2.0, 2.0) and t["s"] == pytest.approx(np.cos(1.0))
    y, pullback = wg.vjp(f, 1.0)
    ct = pullback({"s": 1.0, "pair": (1.0, 0.0)})
    assert ct[0] == pytest.approx(np.cos(1.0) + 2.0)


def test_has_aux():
    (v, aux), g = wg.value_and_grad(lambda x: (x ** 2, {"half": x / 2}), has_aux=True)(3.0)
    assert (v, g, aux["half"]) == (9.0, 6.0, 1.5)
    assert not isinstance(aux["half"], wg.core.Tracer)


# ------------------------------------------------------------------ dtypes
def test_dtypes():
    g = wg.grad(lambda x: x * 2.0)(3.0)
    assert type(g) is np.float64
    x32 = np.array([1.0, 2.0], np.float32)
    g32 = wg.grad(lambda x: wnp.sum(wnp.sin(x) * np.float64(2.0)))(x32)
    assert g32.dtype == np.float32
    assert wg.jvp(lambda x: x * 2.0, (x32,), (np.ones(2, np.float32),))[1].dtype == np.float32
    assert wg.grad(lambda x: x[0] * 2)(np.array([1.0, 2.0], np.float32)).dtype == np.float32


def test_allow_int():
    g = wg.grad(lambda x, n: x * n, argnums=(0, 1), allow_int=True)(2.0, 3)
    assert g[0] == 3.0 and g[1] == 0.0


# ------------------------------------------------------------------ Jacobians and second order
def test_jacobian_modes_agree_and_explain(capsys):
    curve = lambda t: wnp.stack([wnp.cos(t), wnp.sin(t), t])
    J = wg.jacobian(curve, explain=True)(0.3)
    assert "forward mode" in capsys.readouterr().out
    np.testing.assert_allclose(J, [-np.sin(0.3), np.cos(0.3), 1.0])
    np.testing.assert_allclose(J, wg.jacfwd(curve)(0.3))
    np.testing.assert_allclose(J, wg.jacrev(curve)(0.3))
    jac = wg.jacobian(lambda x: wnp.sum(x ** 2))
    jac(np.ones(4))
    assert "reverse mode" in jac.explanation


def test_jacobian_pytree_layout():
    f = lambda x, y: {"a": x * y[0], "b": wnp.sum(x) + y[1]}
    x, y = np.array([1.0, 2.0]), (3.0, 4.0)
    for jac in (wg.jacfwd, wg.jacrev, wg.jacobian):
        J = jac(f, argnums=(0, 1))(x, y)
        assert J["a"][0].shape == (2, 2) and J["b"][1][1] == 1.0
        np.testing.assert_allclose(J["a"][0], 3 * np.eye(2))
        np.testing.assert_allclose(J["a"][1][0], x)


def test_hessian_and_hvp_rosenbrock():
    x = np.array([1.2, 0.8, 1.5, -0.3])
    H = wg.hessian(rosen)(x)
    n = len(x)
    H_ref = np.zeros((n, n))
    for i in range(n - 1):
        H_ref[i, i] += 1200 * x[i] ** 2 - 400 * x[i + 1] + 2
        H_ref[i, i + 1] = H_ref[i + 1, i] = -400 * x[i]
        H_ref[i + 1, i + 1] += 200
    np.testing.assert_allclose(H, H_ref, rtol=1e-13)
    v = np.array([1.0, -1.0, 0.5, 2.0])
    np.testing.assert_allclose(wg.hvp(rosen, x, v), H_ref @ v, rtol=1e-13)
    np.testing.assert_allclose(wg.jvp(wg.grad(rosen), (x,), (v,))[1], H_ref @ v, rtol=1e-13)
    np.testing.assert_allclose(wg.jacrev(wg.jacfwd(rosen))(x), H_ref, rtol=1e-13)
    np.testing.assert_allclose(wg.jacrev(wg.grad(rosen))(x), H_ref, rtol=1e-13)


def test_hvp_pytree_and_nested():
    g = wg.hvp(lambda p: p["a"] ** 2 * p["b"], {"a": 1.0, "b": 2.0}, {"a": 1.0, "b": 0.0})
    assert g == {"a": 4.0, "b": 2.0}
    d = wg.grad(lambda x: wnp.sum(wg.hvp(lambda y: wnp.sum(y ** 3), x, np.ones(2))))(np.array([1.0, 2.0]))
    np.testing.assert_allclose(d, [6.0, 6.0])


def test_linearize_matches_jvp_and_graph():
    f = lambda x: wnp.sin(x) * x
    y, f_jvp = wg.linearize(f, np.array([0.1, 0.2]))
    t = np.array([1.0, 2.0])
    np.testing.assert_allclose(f_jvp(t), wg.jvp(f, (np.array([0.1, 0.2]),), (t,))[1])
    graph = f_jvp.graph()
    assert graph.typecheck() and "mul" in str(graph)


def test_make_graph_numbering_and_eval():
    graph = wg.make_graph(f_lecture)(2.0, 5.0)
    text = str(graph)
    assert "v-1:float64[]" in text and "v3:float64[] = add v1 v2" in text
    assert graph.typecheck()
    assert graph.eval(2.0, 5.0)[0] == pytest.approx(np.log(2) + 10)
    assert wg.grad(lambda a: graph.eval(a, 5.0)[0])(2.0) == 5.5
    assert "digraph" in graph.to_dot()


# ------------------------------------------------------------------ custom rules
@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")
def test_custom_jvp_in_both_modes():   # exp(1000) overflows in the primal, by design
    @wg.custom_jvp
    def log1pexp(x):
        return wnp.log1p(wnp.exp(x))

    @log1pexp.defjvp
    def _(primals, tangents):
        (x,), (t,) = primals, tangents
        return log1pexp(x), t * (1.0 - 1.0 / (1.0 + wnp.exp(x)))
    assert wg.grad(log1pexp)(1000.0) == 1.0
    assert wg.jvp(log1pexp, (1000.0,), (2.0,))[1] == 2.0
    wg.check_grads(log1pexp, (np.array([0.3, -1.0]),), order=2)


def test_custom_vjp_forward_mode_and_hessian():
    @wg.custom_vjp
    def square(x):
        return x ** 2
    square.defvjp(lambda x: (x ** 2, x), lambda x, ct: (2.0 * x * ct,))
    x = np.array([1.0, -2.0])
    np.testing.assert_allclose(wg.grad(lambda x: wnp.sum(square(x)))(x), 2 * x)
    np.testing.assert_allclose(wg.jvp(square, (x,), (np.ones(2),))[1], 2 * x)
    np.testing.assert_allclose(wg.hessian(lambda x: wnp.sum(square(x)))(x), 2 * np.eye(2))


def test_custom_vjp_rule_is_used():
    @wg.custom_vjp
    def clip_gradient(x):
        return x
    clip_gradient.defvjp(lambda x: (x, None), lambda res, ct: (wnp.clip(ct, -1.0, 1.0),))
    assert wg.grad(lambda x: 5.0 * clip_gradient(x))(2.0) == 1.0


# ------------------------------------------------------------------ check_grads itself
def test_check_grads_catches_wrong_rules():
    @wg.custom_jvp
    def bad(x):
        return wnp.sin(x)
    bad.defjvp(lambda p, t: (bad(p[0]), t[0] * wnp.cos(p[0]) * 1.001))
    with pytest.raises(wg.GradientCheckError, match="forward-mode derivative of order 1 w.r.t. argument 0"):
        wg.check_grads(bad, (np.array([0.5]),), order=1)

    @wg.custom_vjp
    def bad_rev(x):
        return wnp.sin(x)
    bad_rev.defvjp(lambda x: (wnp.sin(x), x), lambda x, ct: (ct * wnp.cos(x) * 1.001,))
    with pytest.raises(wg.GradientCheckError, match="reverse-mode"):
        wg.check_grads(bad_rev, (np.array([0.5]),), order=1, modes=("rev",))

    @wg.custom_jvp
    def bad2(x):   # right first derivative, wrong second (the rule hides its x-dependence)
        return x ** 3
    bad2.defjvp(lambda p, t: (bad2(p[0]), t[0] * 3.0 * wg.stop_gradient(p[0]) ** 2))
    wg.check_grads(bad2, (np.array(0.5),), order=1)
    with pytest.raises(wg.GradientCheckError):
        wg.check_grads(bad2, (np.array(0.5),), order=2)


# ------------------------------------------------------------------ scale, memory, threads
@pytest.mark.slow
def test_million_operation_chain():
    def f(x):
        for _ in range(1_000_000):
            x = x * 1.0000001
        return x
    assert sys.getrecursionlimit() < 1_000_000
    assert wg.grad(f)(1.0) == pytest.approx(1.0000001 ** 1_000_000, rel=1e-9)


def test_tape_is_released_after_grad(monkeypatch):
    from wengert.interpreters import linearize
    tapes = []
    original = linearize.TapeInterpreter.__init__

    def recording_init(self, parent):
        original(self, parent)
        tapes.append(weakref.ref(self))
    monkeypatch.setattr(linearize.TapeInterpreter, "__init__", recording_init)
    big = np.ones(100_000)
    wg.grad(lambda x: wnp.sum(wnp.sin(x) * x))(big)
    assert tapes and all(r() is None for r in tapes), "tape still alive without gc"
    gc.collect()


def test_two_threads_differentiate_at_once():
    results, errors = {}, []
    barrier = threading.Barrier(2)

    def work(name, f, x, expected):
        try:
            barrier.wait()
            for _ in range(200):
                got = wg.grad(f)(x)
                assert np.allclose(got, expected), (name, got, expected)
            results[name] = got
        except Exception as e:   # reported below
            errors.append(e)
    t1 = threading.Thread(target=work, args=("sin", lambda x: wnp.sum(wnp.sin(x)), np.ones(3), np.cos(np.ones(3))))
    t2 = threading.Thread(target=work, args=("cube", lambda x: x ** 3, 2.0, 12.0))
    t1.start(), t2.start()
    t1.join(), t2.join()
    assert not errors, errors
    assert set(results) == {"sin", "cube"}
