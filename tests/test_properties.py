"""Property-based tests: random broadcastable shapes and random compositions of
ops, derivatives checked in both modes to second order."""
import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import wengert as wg
import wengert.numpy as wnp

BINARY = {"add": wnp.add, "sub": wnp.subtract, "mul": wnp.multiply, "div": lambda a, b: a / (b * b + 1.0),
          "hypot": lambda a, b: wnp.hypot(a, b + 3.0), "logaddexp": wnp.logaddexp,
          "arctan2": lambda a, b: wnp.arctan2(a, b * b + 1.0), "pow": lambda a, b: (a * a + 1.0) ** b}
UNARY = {"sin": wnp.sin, "tanh": wnp.tanh, "exp": lambda x: wnp.exp(0.3 * x), "square": wnp.square,
         "log1p_sq": lambda x: wnp.log1p(x * x), "sum_keep": lambda x: wnp.sum(x, axis=-1, keepdims=True) if x.ndim else x,
         "cumsum": lambda x: wnp.cumsum(x, axis=-1) if x.ndim else x, "T": lambda x: x.T}


@st.composite
def broadcast_pair(draw):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    elems = st.floats(-2.0, 2.0, allow_nan=False, width=64)
    a = draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=elems))
    b = draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=elems))
    return a, b


@settings(max_examples=60, deadline=None)
@given(broadcast_pair(), st.sampled_from(sorted(BINARY)))
def test_binary_broadcasting(pair, name):
    a, b = pair
    fn = BINARY[name]
    np.testing.assert_allclose(fn(a, b), fn(a.copy(), b.copy()))
    wg.check_grads(fn, (a, b), order=2)


@settings(max_examples=40, deadline=None)
@given(broadcast_pair(), st.lists(st.sampled_from(sorted(UNARY)), min_size=1, max_size=4),
       st.sampled_from(sorted(BINARY)))
def test_random_compositions(pair, chain, name):
    def f(a, b):
        y = BINARY[name](a, b)
        for op in chain:
            y = UNARY[op](y)
        return y
    a, b = pair
    # nested exps can reach 1e200, where central differences have nothing left to resolve
    with np.errstate(all="ignore"):
        assume(np.all(np.abs(f(a, b)) < 1e8))
    wg.check_grads(f, (a, b), order=2)
    # reverse and forward mode agree on the full Jacobian
    np.testing.assert_allclose(wg.jacfwd(f, argnums=(0, 1))(a, b)[0], wg.jacrev(f, argnums=(0, 1))(a, b)[0],
                               rtol=1e-12, atol=1e-12)


@st.composite
def array_and_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    x = draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2, allow_nan=False, width=64)))
    idx = draw(hnp.basic_indices(shape, allow_newaxis=True, allow_ellipsis=True))
    return x, idx


@settings(max_examples=80, deadline=None)
@given(array_and_index())
def test_basic_indexing_matches_numpy_and_differentiates(case):
    x, idx = case
    f = lambda a: a[idx] * 2.0  # noqa: E731
    np.testing.assert_array_equal(wg.jvp(f, (x,), (np.ones_like(x),))[0], x[idx] * 2.0)
    wg.check_grads(f, (x,), order=1)


REDUCTIONS = {"sum": wnp.sum, "mean": wnp.mean, "max": wnp.max, "min": wnp.min, "prod": wnp.prod,
              "var": wnp.var}


@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4),
                  elements=st.floats(0.5, 2.0, allow_nan=False, width=64), unique=True),
       st.sampled_from(sorted(REDUCTIONS)), st.data())
def test_reductions_over_random_axes(x, name, data):
    axis = data.draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1),
                               st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim,
                                        unique=True).map(tuple)))
    keepdims = data.draw(st.booleans())
    # ties (or near-ties, within the finite-difference step) are max/min's non-smooth points
    assume(x.size < 2 or np.min(np.diff(np.sort(x, axis=None))) > 1e-3)
    f = lambda a: REDUCTIONS[name](a, axis=axis, keepdims=keepdims)  # noqa: E731
    np.testing.assert_allclose(f(x), getattr(np, name)(x, axis=axis, keepdims=keepdims), rtol=1e-12)
    wg.check_grads(f, (x,), order=2)


@settings(max_examples=40, deadline=None)
@given(broadcast_pair(), st.lists(st.sampled_from(sorted(UNARY)), min_size=1, max_size=4),
       st.sampled_from(sorted(BINARY)))
def test_trace_tables_agree_with_the_transforms(pair, chain, name):
    """The tables' numbers are the transforms' numbers: the adjoint trace ends in the
    gradient, the tangent trace in the jvp, on random compositions and shapes."""
    def f(a, b):
        y = BINARY[name](a, b)
        for op in chain:
            y = UNARY[op](y)
        return wnp.sum(y)
    a, b = pair
    with np.errstate(all="ignore"):
        assume(np.isfinite(f(a, b)) and abs(f(a, b)) < 1e8)
    t = wg.trace(f)(a, b)
    r = t.adjoints().results()
    ga, gb = wg.grad(f, (0, 1))(a, b)
    np.testing.assert_allclose(r["a_bar"], ga, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(r["b_bar"], gb, rtol=1e-12, atol=1e-12)
    ta, tb = np.ones_like(a), -np.ones_like(b)
    tan = t.tangents(seed={"a": ta, "b": tb}).results()["y'"]
    np.testing.assert_allclose(tan, wg.jvp(f, (a, b), (ta, tb))[1], rtol=1e-12, atol=1e-12)
    assert str(t) and t.to_latex() and t.adjoints().to_html()
