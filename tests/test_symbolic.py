"""wengert.symbolic: Graph -> sympy, sizes, and the expression-swell study."""
import doctest

import numpy as np
import pytest
import sympy

import wengert as wg
import wengert.numpy as wnp
import wengert.symbolic as S


def test_docstring_examples():
    assert doctest.testmod(S, optionflags=doctest.NORMALIZE_WHITESPACE).failed == 0


def test_lecture_function():
    d = S.symbolic_derivative(lambda x1, x2: wnp.log(x1) + x1 * x2, 2.0, 5.0, names=("x1", "x2"))
    x1, x2 = sympy.symbols("x1 x2", real=True)
    assert sympy.simplify(d.expr - (sympy.log(x1) + x1 * x2)) == 0
    assert [sympy.simplify(g - w) for g, w in zip(d.gradient, [1 / x1 + x2, x1])] == [0, 0]
    assert (d.primal_eqns, d.tape_eqns) == (3, 3)
    np.testing.assert_allclose(d.lambdify()(2.0, 5.0), [5.5, 2.0])


CONVERSIONS = [  # (f, args) whose sympy form must evaluate like wengert
    (lambda x: wnp.sum(wnp.tanh(x) * x[::-1]) ** 2, (np.array([0.3, -0.7, 1.1]),)),
    (lambda W, x: wnp.sum(wnp.exp(W @ x) / (1.0 + x[0] ** 2)), (np.array([[0.1, 0.2], [0.3, -0.4]]), np.array([1.0, 2.0]))),
    (lambda x: wnp.arctan(x) + wnp.sqrt(x) - wnp.log1p(x) + x ** -3 + 2.0 ** x, (0.8,)),
    (lambda x, y: wnp.hypot(x, y) * wnp.maximum(x, y) + wnp.arctan2(y, x), (0.4, 1.3)),
]


@pytest.mark.parametrize("f,args", CONVERSIONS)
def test_conversion_evaluates_like_wengert(f, args):
    graph = wg.make_graph(f)(*args)
    syms = S.input_symbols(graph)
    expr = S.graph_to_sympy(graph, syms)[0].item()
    flat = [s for arr in syms for s in arr.ravel()]
    values = [v for a in args for v in np.ravel(a)]
    assert float(expr.subs(dict(zip(flat, values)))) == pytest.approx(float(f(*args)), rel=1e-12)


def test_unsupported_primitive_is_named():
    graph = wg.make_graph(lambda x: wnp.where(x > 0, x, 0.0))(1.0)
    with pytest.raises(S.SymbolicError, match="primitive 'gt'"):
        S.graph_to_sympy(graph, S.input_symbols(graph))


def test_cse_never_grows():
    d = S.symbolic_derivative(lambda x: wnp.sin(x) * wnp.sin(2 * x) * wnp.sin(3 * x), 0.5)
    assert d.grad_ops_cse <= d.grad_ops


@pytest.mark.parametrize("family", ["product", "compose", "mlp"])
def test_swell_symbolic_grows_faster_than_ad(family):
    study = S.swell_study(ks=(2, 4, 8), families=(family,))
    _, sym, _, ad = study.series(family)
    ratios = [s / a for s, a in zip(sym, ad)]
    assert ratios == sorted(ratios) and ratios[-1] > 2 * ratios[0]      # swell: the gap widens
    assert sym[-1] > ad[-1]
    assert all(diff < 1e-10 for _, _, diff in study.agreement)        # same numbers all the same


def test_swell_compose_is_exponential_and_cse_linear():
    study = S.swell_study(ks=(4, 6, 8), families=("compose",))
    _, sym, cse, ad = study.series("compose")
    assert sym[2] / sym[1] > 6 and sym[1] / sym[0] > 6        # ~2.6x per k: exponential
    assert ad == [18, 30, 42]                                  # AD: 6 operations per step
    assert cse[2] < 3 * ad[2]


def test_swell_plot_and_table(tmp_path):
    study = S.swell_study(ks=(1, 2, 3))
    assert study.plot(tmp_path / "swell.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "df CSE" in study.table() and len(study.table().splitlines()) == 1 + 9


def test_unknown_family():
    with pytest.raises(S.SymbolicError, match="unknown family 'tree'"):
        S.swell_study(ks=(1,), families=("tree",))
