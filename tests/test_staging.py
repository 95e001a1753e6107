"""Staging-ready equations (issue 12, section 4): every param of every equation hashes
and compares, and staging the same function twice gives equal graphs.  Driven by the
op spec table through make_graph of f, grad, hessian and jacobian."""
import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from specs import SPECS
from wengert.ir import Graph

# specs whose value decides the program's structure (a boolean mask's selection):
# staging without values must refuse them with ConcretizationError, naming why
VALUE_DEPENDENT = {"index_bool"}

TRANSFORMS = {
    "f": lambda f, n: (lambda *xs: wnp.sum(f(*xs))),
    "grad": lambda f, n: wg.grad(lambda *xs: wnp.sum(f(*xs)), argnums=tuple(range(n))),
    "hessian": lambda f, n: wg.hessian(lambda *xs: wnp.sum(f(*xs)), argnums=tuple(range(n))),
    "jacobian": lambda f, n: wg.jacobian(f, argnums=tuple(range(n))),
}


def equations(graph):
    """Every equation, sub-graphs' included (iteratively)."""
    stack = [graph]
    while stack:
        g = stack.pop()
        for eqn in g.eqns:
            yield eqn
            stack.extend(v for v in eqn.params.values() if isinstance(v, Graph))


def stage(spec, transform):
    xs = spec.inputs(spec.shapes[0], np.random.default_rng(0))
    return wg.make_graph(TRANSFORMS[transform](spec.fn, len(xs)))(*xs)


@pytest.mark.parametrize("transform", sorted(TRANSFORMS))
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_params_hash_and_staging_is_deterministic(spec, transform):
    if spec.name in VALUE_DEPENDENT:
        with pytest.raises(wg.ConcretizationError, match="needs a concrete value"):
            stage(spec, transform)
        return
    g1, g2 = stage(spec, transform), stage(spec, transform)
    for eqn in equations(g1):
        for name, value in eqn.params.items():
            hash(value)                                  # raises TypeError if not hashable
            assert value == value, (eqn.prim.name, name)
    assert g1 == g2 and hash(g1) == hash(g2)


def test_equality_is_structural():
    f = lambda x: wnp.sin(x) * 2.0
    x = np.ones(3)
    assert wg.make_graph(f)(x) == wg.make_graph(lambda y: wnp.sin(y) * 2.0)(x)   # names differ
    assert wg.make_graph(f)(x) != wg.make_graph(lambda y: wnp.sin(y) * 3.0)(x)   # a constant
    assert wg.make_graph(f)(x) != wg.make_graph(lambda y: wnp.cos(y) * 2.0)(x)   # an op
    assert wg.make_graph(f)(x) != wg.make_graph(f)(np.ones(4))                   # an aval
    assert wg.make_graph(lambda x: x[1:])(x) != wg.make_graph(lambda x: x[2:])(x)  # a param


def test_index_arrays_are_inputs_not_params():
    idx = np.array([2, 0, 2])
    g = wg.make_graph(lambda x: x[idx])(np.ones(3))
    (eqn,) = g.eqns
    assert eqn.prim.name == "getitem" and len(eqn.inputs) == 2
    assert not any(isinstance(v, np.ndarray) for v in eqn.params.values())
    assert "getitem[idx=[#0] unique=False]" in str(g)
    np.testing.assert_array_equal(g.eval(np.arange(3.0))[0], [2.0, 0.0, 2.0])


def test_traced_integer_index_is_staged():
    g = wg.make_graph(lambda x, i: x[i])(np.arange(4.0), np.array([3, 1]))
    np.testing.assert_array_equal(g.eval(np.arange(4.0) * 10, np.array([0, 2]))[0], [0.0, 20.0])


def test_custom_rules_stage_equal_equations():
    @wg.custom_vjp
    def f(x):
        return wnp.sin(x)
    f.defvjp(lambda x: (wnp.sin(x), wnp.cos(x)), lambda c, ct: (ct * c,))
    g1 = wg.make_graph(wg.grad(lambda x: f(x) * 2.0))(1.0)
    g2 = wg.make_graph(wg.grad(lambda x: f(x) * 2.0))(1.0)
    assert g1 == g2
    assert float(g1.eval(1.0)[0]) == pytest.approx(2 * np.cos(1.0))
