"""Golden prints of the Wengert list, and the IR's checks."""
import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.ir import Eqn, Graph, Var
from wengert.ops.elementwise import add_p

F_LECTURE = lambda x1, x2: wnp.log(x1) + x1 * x2  # noqa: E731

GOLDEN_PRIMAL = """\
{ lambda v-1:float64[], v0:float64[] .
    v1:float64[] = log v-1
    v2:float64[] = mul v-1 v0
    v3:float64[] = add v1 v2
  in (v3) }"""

GOLDEN_TANGENT = """\
{ lambda v-1:float64[], v0:float64[] .
    v1:float64[] = div v-1 2.0
    v2:float64[] = mul_tangent v-1 v0 2.0 5.0
    v3:float64[] = add v1 v2
  in (v3) }"""


def test_golden_primal_trace():
    assert str(wg.make_graph(F_LECTURE)(2.0, 5.0)) == GOLDEN_PRIMAL


def test_golden_linear_tape():
    assert str(wg.linearize(F_LECTURE, 2.0, 5.0)[1].graph()) == GOLDEN_TANGENT


def test_graph_shapes_and_params_print():
    g = wg.make_graph(lambda x: wnp.sum(x[1:] * 2.0, axis=0))(np.ones((3, 2), np.float32))
    text = str(g)
    assert "v0:float32[3,2]" in text
    assert "getitem[idx=[1:] unique=True]" in text
    assert "reduce_sum[axes=(0,)]" in text and "float32[2]" in text


def test_typecheck_catches_bad_graphs():
    a, b = Var(wg.core.ShapedArray((2,), np.float64)), Var(wg.core.ShapedArray((3,), np.float64))
    with pytest.raises(wg.WengertError, match="undefined"):
        Graph([a], [Eqn(add_p, [a, b], [Var(a.aval)], {})], []).typecheck()
    out = Var(wg.core.ShapedArray((5,), np.float64))
    with pytest.raises(wg.WengertError, match="shape rule gives"):
        Graph([a], [Eqn(add_p, [a, a], [out], {})], [out]).typecheck()


def test_to_dot_names_every_node():
    dot = wg.make_graph(F_LECTURE)(2.0, 5.0).to_dot()
    for name in ("v-1", "v0", "v1", "v2", "v3"):
        assert f'"{name}"' in dot


def test_long_graph_is_iterative():
    def f(x):
        for _ in range(20000):
            x = wnp.sin(x)
        return x
    g = wg.make_graph(f)(0.1)
    assert len(g.eqns) == 20000 and g.typecheck()
    assert g.eval(0.1)[0] == pytest.approx(f(0.1))
    assert len(str(g).splitlines()) == 20002
