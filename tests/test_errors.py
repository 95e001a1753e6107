"""Bad input gets a clear error naming the problem and the fix."""
import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
from wengert.core import ShapedArray
from wengert.ops.rules import new_primitive


def test_grad_of_non_scalar_output():
    with pytest.raises(wg.NonScalarOutputError, match=r"shape \(3,\); use jacrev or vjp"):
        wg.grad(lambda x: x * 2.0)(np.ones(3))
    with pytest.raises(TypeError):   # also a TypeError, as users expect
        wg.grad(lambda x: (x, x))(1.0)


@pytest.mark.parametrize("bad", [1, np.array([1, 2]), True, np.array(True)])
def test_grad_of_integer_or_bool_input(bad):
    with pytest.raises(wg.InputError, match="only floating inputs.*astype.*allow_int"):
        wg.grad(lambda x: wnp.sum(x * 1.0))(bad)


@pytest.mark.parametrize("bad", ["abc", object(), {1, 2}])
def test_non_numeric_input(bad):
    with pytest.raises(wg.InputError, match=type(bad).__name__):
        wg.grad(lambda x: x)(bad)


def test_jvp_tangent_mismatch():
    with pytest.raises(wg.InputError, match=r"shape \(2,\) but its primal has shape \(3,\)"):
        wg.jvp(wnp.sin, (np.ones(3),), (np.ones(2),))
    with pytest.raises(wg.InputError, match="dtype float32 but its primal has dtype float64"):
        wg.jvp(wnp.sin, (np.ones(3),), (np.ones(3, np.float32),))
    with pytest.raises(wg.InputError, match="structure"):
        wg.jvp(lambda a, b: a * b, (1.0, 2.0), (1.0,))
    with pytest.raises(wg.InputError, match="tuples"):
        wg.jvp(wnp.sin, 1.0, 1.0)


def test_argnums_out_of_range():
    with pytest.raises(wg.InputError, match=r"argnums=\(0, 2\) is out of range.*2 positional"):
        wg.grad(lambda a, b: a * b, argnums=(0, 2))(1.0, 2.0)


def test_missing_rule_names_primitive_and_transform():
    prim = new_primitive("mystery")
    prim.impl = np.sin
    prim.shape = lambda a: ShapedArray(a.shape, a.dtype)
    assert prim.bind(0.0) == 0.0
    with pytest.raises(wg.MissingRuleError, match="'mystery' has no jvp rule.*`grad`"):
        wg.grad(lambda x: prim.bind(x))(1.0)
    with pytest.raises(wg.MissingRuleError, match="'mystery'.*`jvp`"):
        wg.jvp(lambda x: prim.bind(x), (1.0,), (1.0,))


@pytest.mark.parametrize("convert", [float, int, complex, lambda x: x.item(), np.asarray, lambda x: np.sin(x)])
def test_tracer_conversion(convert):
    with pytest.raises(wg.TracerConversionError, match="derivative through it would be lost"):
        wg.grad(lambda x: convert(x) * 1.0)(1.5)


def test_bool_of_staged_value_raises_but_eager_branch_works():
    assert wg.grad(lambda x: x * 2.0 if x > 0 else -x)(1.0) == 2.0
    with pytest.raises(wg.TracerConversionError, match="bool"):
        wg.make_graph(lambda x: x * 2.0 if x > 0 else -x)(1.0)


def test_item_assignment_points_to_at():
    def f(x):
        x[0] = 1.0
        return wnp.sum(x)
    with pytest.raises(wg.TracerAssignmentError, match=r"x.at\[0\].set\(value\)"):
        wg.grad(f)(np.ones(3))
    assert np.all(wg.grad(lambda x: wnp.sum(x.at[0].set(1.0)))(np.ones(3)) == [0.0, 1.0, 1.0])


def test_cotangent_shape_mismatch():
    _, pullback = wg.vjp(wnp.sin, np.ones(3))
    with pytest.raises(wg.InputError, match=r"cotangent 0 has shape \(2,\) but the output has shape \(3,\)"):
        pullback(np.ones(2))


def test_has_aux_needs_pair():
    with pytest.raises(wg.InputError, match="has_aux"):
        wg.grad(lambda x: x, has_aux=True)(1.0)


def test_hvp_of_non_scalar_function():
    with pytest.raises(wg.NonScalarOutputError, match=r"hvp requires a scalar function, got output shape \(2,\)"):
        wg.hvp(lambda x: x * 2.0, np.ones(2), np.ones(2))
