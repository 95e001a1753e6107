"""The Wengert list made visible: traces, tables, graphs, dual numbers."""
import math
import os
import pathlib
import re
import shutil

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.explain.tables import fold_rows

GOLDEN = pathlib.Path(__file__).parent / "golden"
UPDATE = os.environ.get("WENGERT_UPDATE_GOLDEN") == "1"


def f_lecture(x1, x2):
    return wnp.log(x1) + x1 * x2


def y_lecture(x1, x2):
    r = x1 / x2                          # computed once, as in the lecture's Wengert list
    a = r - wnp.exp(x2)
    return (wnp.sin(r) + a) * a


LECTURES = {"f": (f_lecture, (2.0, 5.0)), "y": (y_lecture, (1.5, 0.5))}
FORMATS = ["text", "ascii", "md", "latex", "html"]


def _all_tables(name, fmt):
    f, args = LECTURES[name]
    t = wg.trace(f)(*args)
    tables = [t.primal_table(), t.tangents(wrt="x1"), t.adjoints()]
    return "\n\n".join(tb.format(fmt) for tb in tables) + "\n"


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", sorted(LECTURES))
def test_golden_lecture_tables(name, fmt):
    path = GOLDEN / f"{name}_lecture.{fmt}.txt"
    got = _all_tables(name, fmt)
    if UPDATE:
        path.parent.mkdir(exist_ok=True)
        path.write_text(got)
    assert got == path.read_text(), f"{path.name} changed; rerun with WENGERT_UPDATE_GOLDEN=1 if intended"


def test_lecture_numbers():
    t = wg.trace(f_lecture)(2.0, 5.0)
    assert [float(r.value) for r in t.primal_table().rows][:5] == pytest.approx(
        [2, 5, math.log(2), 10, math.log(2) + 10])
    tan = t.tangents(wrt="x1")
    assert [float(r.value) for r in tan.rows][2:5] == pytest.approx([0.5, 5, 5.5])
    r = t.adjoints().results()
    assert (r["x1_bar"], r["x2_bar"]) == (5.5, 2.0)


def test_adjoint_steps_in_backward_pass_order():
    lines = wg.trace(f_lecture)(2.0, 5.0).adjoints().to_text(ascii=True).splitlines()[1:]
    assert [ln.split()[0] for ln in lines] == ["v3_bar", "v1_bar", "v2_bar", "v-1_bar", "v0_bar",
                                              "v-1_bar", "x1_bar", "x2_bar"]
    assert "v-1_bar += v2_bar*v0" in " ".join(lines[3].split())
    assert "v-1_bar += v1_bar/v-1" in " ".join(lines[5].split())


def test_formulas_come_from_the_rules():
    """A rule change shows up in the table: exp's tangent reuses the step's own output."""
    t = wg.trace(lambda x: wnp.exp(wnp.sin(x)))(0.3)
    text = t.tangents(wrt="x").to_text(ascii=True)
    assert "v0'*cos(v0)" in text and "v1'*v2" in text     # d exp(u) = u' exp(u) = u' v2


RANDOM_FUNCS = [
    lambda x, y: wnp.sum(wnp.tanh(x * y) / (1 + x ** 2) + wnp.sqrt(y * y + 1)),
    lambda x, y: wnp.sum(wnp.exp(x) * y) + wnp.max(x - y),
    lambda x, y: wnp.log1p(wnp.abs(x @ y.T)).mean(),
    lambda x, y: wnp.sum(wnp.where(x > 0, x, y) ** 3),
]


@pytest.mark.parametrize("k", range(len(RANDOM_FUNCS)))
def test_tables_agree_with_grad_and_jvp(k):
    rng = np.random.default_rng(k)
    f = RANDOM_FUNCS[k]
    x, y = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    t = wg.trace(f)(x, y)
    assert np.allclose(t.primal_table().results()["y"], f(x, y), rtol=1e-14, atol=1e-14)
    r = t.adjoints().results()
    gx, gy = wg.grad(f, (0, 1))(x, y)
    np.testing.assert_allclose(r["x_bar"], gx, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(r["y_bar"], gy, rtol=1e-12, atol=1e-14)
    tx, ty = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    tan = t.tangents(seed={"x": tx, "y": ty}).results()["y'"]
    np.testing.assert_allclose(tan, wg.jvp(f, (x, y), (tx, ty))[1], rtol=1e-12, atol=1e-14)


def _mlp(x, Ws):
    for W in Ws:
        x = wnp.tanh(W @ x)
    return wnp.sum(x)


def test_ten_layer_mlp_trace_folds():
    rng = np.random.default_rng(0)
    x, Ws = rng.normal(size=8), [rng.normal(size=(8, 8)) / 3 for _ in range(10)]
    t = wg.trace(_mlp)(x, Ws)
    text = t.to_text()
    assert "… 8 more repetitions of the 2 steps above" in text
    assert len(text.splitlines()) < 25 and "float64[8]" in text
    adj = t.adjoints()
    assert "… 8 more repetitions of the 3 steps above" in adj.to_text()
    assert len(adj.to_text(fold=False).splitlines()) > 40
    np.testing.assert_allclose(adj.results()["Ws[3]_bar"], wg.grad(_mlp, 1)(x, Ws)[3], rtol=1e-12)


def test_fold_needs_three_repeats():
    class R:
        def __init__(self, key):
            self.key = key
    rows = [R(k) for k in "ababxab"]
    assert fold_rows(rows) == rows
    rows = [R(k) for k in "xabababab"]
    out = fold_rows(rows)
    assert [getattr(r, "key", "fold") for r in out] == ["x", "a", "b", "fold", "a", "b"]
    assert out[3].repeats == 2 and out[3].size == 2


def test_array_preview_and_latex_html_escape():
    t = wg.trace(lambda w: wnp.sum(w * w))(np.arange(12.0).reshape(3, 4))
    text = t.to_text()
    assert "float64[3,4] [0, 1, 2, 3, …]" in text
    assert "&minus;" not in t.to_html() and "<table" in t.to_html()
    assert r"\begin{tabular}" in t.to_latex() and "_" not in t.to_latex().replace("_{", "")


def test_trace_errors():
    t = wg.trace(f_lecture)(2.0, 5.0)
    with pytest.raises(wg.WengertError, match="exactly one of wrt"):
        t.tangents()
    with pytest.raises(wg.WengertError, match="no input named 'z'"):
        t.tangents(wrt="z")
    with pytest.raises(wg.WengertError, match="got 1 seed value\\(s\\) for 2 inputs"):
        t.tangents(seed=[1.0])
    tv = wg.trace(lambda x: x * 2)(np.ones(3))
    with pytest.raises(wg.WengertError, match="shape \\(3,\\); pass seed="):
        tv.adjoints()
    with pytest.raises(wg.WengertError, match="pass seed= with a tangent array"):
        tv.tangents(wrt="x")
    with pytest.raises(wg.WengertError, match="2 names given for 1"):
        wg.trace(lambda x: x, names=["a", "b"])(1.0)
    with pytest.raises(ValueError, match="unknown format 'rtf'"):
        t.primal_table().format("rtf")


# --------------------------------------------------------------------------- graphs
def _dot_edges(dot):
    return set(re.findall(r'^\s*"([^"]+)" -> "([^"]+)"(?: \[label="([^"]*)"\])?;', dot, re.MULTILINE))


def test_dot_structure_and_local_partials():
    t = wg.trace(f_lecture)(2.0, 5.0)
    dot = t.to_dot()
    assert dot.startswith("digraph wengert {") and dot.rstrip().endswith("}")
    assert _dot_edges(dot) == {("v-1", "v1", "0.5"), ("v-1", "v2", "5"), ("v0", "v2", "2"),
                               ("v1", "v3", "1"), ("v2", "v3", "1"), ("v3", "y", "")}
    nodes = dict(re.findall(r'^\s*"([^"]+)" \[shape=(\w+)', dot, re.MULTILINE))
    assert nodes == {"v-1": "box", "v0": "box", "v1": "ellipse", "v2": "ellipse", "v3": "ellipse",
                     "y": "doublecircle"}
    adj = t.to_dot(show="adjoints")
    assert 'v₋₁ = x₁\\n2\\nv̄ = 5.5' in adj
    assert "v̇ = 0.5" in t.to_dot(show="tangents", wrt="x1")


def test_dot_of_any_graph_and_the_backward_pass():
    graph = wg.trace(f_lecture)(2.0, 5.0).backward_graph()
    assert isinstance(graph, type(wg.make_graph(f_lecture)(2.0, 5.0)))
    dot = graph.to_dot()
    assert "digraph" in dot and "div" in dot and "mul" in dot
    lin = wg.linearize(f_lecture, 2.0, 5.0)[1].graph().to_dot()
    assert "mul_tangent" in lin


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` not installed")
@pytest.mark.parametrize("suffix", ["svg", "png"])
def test_render_files(tmp_path, suffix):
    t = wg.trace(f_lecture)(2.0, 5.0)
    path = t.render(tmp_path / f"g.{suffix}", show="adjoints")
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG") if suffix == "png" else b"<svg" in data
    assert "<svg" in t._repr_svg_()
    graph = wg.make_graph(f_lecture)(2.0, 5.0)
    assert graph.render(tmp_path / f"h.{suffix}").exists()


def test_render_without_graphviz_says_how(monkeypatch, tmp_path):
    from wengert.explain import render
    monkeypatch.setattr(render, "dot_program", lambda: None)
    t = wg.trace(f_lecture)(2.0, 5.0)
    with pytest.raises(wg.WengertError, match="apt-get install graphviz"):
        t.render(tmp_path / "g.svg")
    assert t._repr_svg_() is None
    with pytest.raises(wg.WengertError, match=r"use a \.svg, \.png, \.pdf or \.dot"):
        t.render(tmp_path / "g.jpg")
    assert t.render(tmp_path / "g.dot").read_text().startswith("digraph")


# --------------------------------------------------------------------------- dual numbers
UNARY = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
         "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt", "cbrt",
         "square", "reciprocal", "abs", "sinc", "negative", "sign", "floor"]


@pytest.mark.parametrize("name", UNARY)
def test_dual_elementwise_matches_jvp(name):
    f = getattr(wnp, name)
    x, t = 0.37, 1.3
    d = f(wg.Dual(x, t))
    y, ty = wg.jvp(f, (x,), (t,))
    if isinstance(d, wg.Dual):
        assert (d.primal, d.tangent) == (pytest.approx(y, rel=1e-15), pytest.approx(ty, rel=1e-15))
    else:                                   # non-differentiable: a plain value
        assert d == y and ty == 0


@pytest.mark.parametrize("name", ["add", "subtract", "multiply", "divide", "power", "arctan2",
                                  "hypot", "maximum", "minimum", "logaddexp"])
def test_dual_binary_matches_jvp(name):
    f = getattr(wnp, name)
    a, b = wg.Dual(0.7, 0.3), wg.Dual(1.9, -1.1)
    d = f(a, b)
    y, t = wg.jvp(f, (0.7, 1.9), (0.3, -1.1))
    assert d.primal == pytest.approx(y, rel=1e-15) and d.tangent == pytest.approx(t, rel=1e-14)


def test_dual_lecture_and_operators():
    x = wg.Dual(math.pi, 1.0)
    y = x ** 2 / wnp.cos(x)
    assert y.primal == pytest.approx(-math.pi ** 2) and y.tangent == pytest.approx(-2 * math.pi)
    assert str(y) == "-9.8696 - 6.28319ε" and repr(wg.Dual(2.0, 1.0)) == "Dual(2, 1)"
    z = 3 - 2 * wg.Dual(1.0, 1.0) / 4 + 1
    assert (z.primal, z.tangent) == (3.5, -0.5)
    assert wg.Dual(1.0, 5.0) < 2 and not (wg.Dual(1.0, 5.0) > wg.Dual(2.0, 0.0))
    v = wg.Dual(np.array([1.0, 2.0]), [1.0, 0.0])
    s = wnp.sum(v * v)
    assert (s.primal, s.tangent) == (5.0, 2.0)
    assert v[1].primal == 2.0 and v[1].tangent == 0.0


def test_dual_composes_with_transforms():
    # grad through a dual's tangent: d/dx (3 x^2) = 6 x
    assert wg.grad(lambda x: (wg.Dual(x, 1.0) ** 3).tangent)(2.0) == pytest.approx(12.0)
    # a dual inside a jvp: no confusion between the two epsilons
    _, t = wg.jvp(lambda s: wnp.sin(wg.Dual(s, 1.0)).tangent, (1.0,), (1.0,))
    assert t == pytest.approx(-math.sin(1.0))


def test_dual_matrix_form_agrees_with_dual_arithmetic():
    rng = np.random.default_rng(3)
    for _ in range(20):
        a, b = (wg.Dual(*rng.uniform(0.5, 2.0, 2)) for _ in range(2))
        A, B = a.as_matrix(), b.as_matrix()
        np.testing.assert_allclose((a + b).as_matrix(), A + B, rtol=1e-15)
        # the tangent entry is a difference of products, so its rounding error is relative
        # to the operands' size, not to the (possibly cancelled) result: compare with
        # an absolute tolerance of a few ulps of the largest entry
        close = lambda got, want: np.testing.assert_allclose(
            got, want, rtol=0, atol=1e-14 * np.abs(want).max())
        close((a * b).as_matrix(), A @ B)
        close((a / b).as_matrix(), A @ np.linalg.inv(B))
        close((a ** 3).as_matrix(), np.linalg.matrix_power(A, 3))
        # f(a + b eps) = f(a) + f'(a) b eps is the matrix function f(A): check exp
        import scipy.linalg
        # (scipy's expm squares its Pade approximant several times: allow ~1e-13 relative)
        np.testing.assert_allclose(wnp.exp(a).as_matrix(), scipy.linalg.expm(A), rtol=1e-13,
                                   atol=1e-13 * np.abs(scipy.linalg.expm(A)).max())


def test_dual_errors():
    with pytest.raises(wg.InputError, match="nested duals"):
        wg.Dual(wg.Dual(1.0, 1.0), 0.0)
    with pytest.raises(wg.InputError, match="tangent has shape"):
        wg.Dual(np.ones(2), np.ones(3))
    with pytest.raises(wg.InputError, match="real number or array"):
        wg.Dual("a", 1.0)
    with pytest.raises(wg.InputError, match="scalar duals"):
        wg.Dual(np.ones(2), 0.0).as_matrix()
    with pytest.raises(TypeError, match="not an array"):
        np.asarray(wg.Dual(1.0, 1.0))


# --------------------------------------------------------------------------- Taylor values
def test_taylor_value_lecture_and_derivatives():
    y = wg.Taylor.variable(2.0, order=2) ** 3
    assert y.coefficients.tolist() == [8.0, 12.0, 6.0] and str(y) == "8 + 12ε + 6ε²"
    x = wg.Taylor.variable(0.3, order=6)
    z = wnp.exp(wnp.sin(x)) * x ** 2
    np.testing.assert_allclose(z.derivatives(),
                               wg.derivatives(lambda t: wnp.exp(wnp.sin(t)) * t ** 2, 0.3, order=6),
                               rtol=1e-14)
    assert wnp.maximum(x, 0.5).coefficients.tolist() == [0.5] + [0.0] * 6
    assert x > 0.1 and not (x > wg.Taylor.variable(1.0, order=6))


def test_taylor_matrix_form_agrees_with_taylor_arithmetic():
    import scipy.linalg
    rng = np.random.default_rng(5)
    for k in (1, 3, 5):
        a, b = (wg.Taylor(np.concatenate([rng.uniform(0.5, 2.0, 1), rng.normal(size=k)]))
                for _ in range(2))
        A, B = a.as_matrix(), b.as_matrix()
        assert np.all(np.tril(A, -1) == 0) and np.all(A == A[0, 0] * np.eye(k + 1) + np.triu(A, 1))
        # coefficients are sums of products: rounding is relative to the operands' size
        close = lambda got, want: np.testing.assert_allclose(
            got, want, rtol=0, atol=1e-13 * np.abs(want).max())
        close((a + b).as_matrix(), A + B)
        close((a * b).as_matrix(), A @ B)
        close((a / b).as_matrix(), A @ np.linalg.inv(B))
        close((a ** 3).as_matrix(), np.linalg.matrix_power(A, 3))
        np.testing.assert_allclose(wnp.exp(a).as_matrix(), scipy.linalg.expm(A), rtol=1e-12,
                                   atol=1e-12 * np.abs(scipy.linalg.expm(A)).max())


def test_taylor_value_errors():
    with pytest.raises(wg.InputError, match="different orders"):
        wg.Taylor([1.0, 1.0]) + wg.Taylor([1.0, 1.0, 0.0])
    with pytest.raises(wg.InputError, match="non-empty sequence"):
        wg.Taylor([])
    with pytest.raises(wg.InputError, match="non-negative integer"):
        wg.Taylor.variable(1.0, order=-1)
    with pytest.raises(wg.InputError, match="mix Taylor and Dual"):
        wg.Taylor([1.0, 1.0]) * wg.Dual(1.0, 1.0)
    with pytest.raises(wg.InputError, match="scalar series"):
        wg.Taylor(np.ones((2, 3))).as_matrix()


VALUE_DEPENDENT = [
    lambda x: x[wnp.argmax(x)] * 2 + wnp.sum(x),                    # index from argmax
    lambda x: wnp.sum(wnp.sort(x) * wnp.arange(4.0)),               # sort order
    lambda x: wnp.sum(x ** 2) if wnp.sum(x) > 0 else wnp.sum(wnp.sin(x)),   # Python branch
    lambda x: wnp.sum(wnp.where(x > 0, x, 0.0) ** 2),
]


@pytest.mark.parametrize("k", range(len(VALUE_DEPENDENT)))
def test_trace_at_a_point_follows_value_dependent_code(k):
    """The evaluation trace is taken at a point: indices, sort orders and branches
    resolve there, as in the eager transforms."""
    f = VALUE_DEPENDENT[k]
    for x in (np.array([0.3, -1.2, 2.0, 0.7]), np.array([-0.3, -1.2, -2.0, 0.7])):
        t = wg.trace(f)(x)
        assert t.primal_table().results()["y"] == pytest.approx(float(f(x)), rel=1e-15)
        np.testing.assert_allclose(t.adjoints().results()["x_bar"], wg.grad(f)(x), rtol=1e-14)
