"""Regressions found by the red-team review (session 1): each was a wrong number or an
unclear error before its fix."""
import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp


def test_at_set_and_multiply_with_repeated_indices():
    np.testing.assert_array_equal(wnp.at(np.zeros(3))[[0, 0]].set(5.0), [5.0, 0.0, 0.0])
    np.testing.assert_array_equal(wnp.at(np.zeros(3))[[0, -3]].set(np.array([5.0, 7.0])), [7.0, 0.0, 0.0])
    np.testing.assert_array_equal(wnp.at(np.ones(3))[[0, 0]].multiply(3.0), [9.0, 1.0, 1.0])
    assert wg.grad(lambda v: wnp.sum(wnp.at(np.zeros(3))[[0, 0]].set(v)))(5.0) == 1.0
    a = np.arange(12.0).reshape(3, 4)
    want = a.copy()
    want[:, [3, 3, 0]] = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(wnp.at(a)[:, [3, 3, 0]].set(np.array([1.0, 2.0, 3.0])), want)
    g = wg.grad(lambda x: wnp.sum(x.at[[1, 1, 2]].multiply(x[0])))(np.array([2.0, 3.0, 4.0]))
    np.testing.assert_allclose(g, [17.0, 4.0, 2.0])
    wg.check_grads(lambda x, v: wnp.at(x)[np.array([1, 1, 0])].set(v * x[2]), (np.arange(1.0, 4.0), np.array([1.0, 2.0, 3.0])))


@pytest.mark.parametrize("argnums", [(0, 0), (1, -1), 0.5, "a", ()])
def test_bad_argnums_raise(argnums):
    with pytest.raises(wg.InputError, match="argnums"):
        wg.grad(lambda a, b: wnp.sum(a * b), argnums=argnums)(np.ones(2), np.ones(2))


def test_split_with_negative_indices():
    got = wnp.split(np.arange(5.0), [1, -1])
    want = np.split(np.arange(5.0), [1, -1])
    assert all(np.array_equal(g, w) for g, w in zip(got, want))
    g = wg.grad(lambda z: wnp.sum(wnp.split(z, [1, -1])[1] ** 2))(np.arange(5.0))
    np.testing.assert_allclose(g, [0.0, 2.0, 4.0, 6.0, 0.0])


def test_power_dtypes_follow_numpy():
    for base, exp in [(np.array([100, 3], np.int8), 2.0), (np.arange(3), 2), (np.arange(3), 2.0),
                      (np.ones(2, np.float32), np.float64(2.0)), (np.ones(2, np.float32), 2.0)]:
        got, want = wnp.power(base, exp), np.power(base, exp)
        assert got.dtype == want.dtype and np.array_equal(got, want)


def test_prod_promotes_small_ints():
    x = np.array([100000, 100000], np.int32)
    assert wnp.prod(x) == np.prod(x) and np.array_equal(wnp.cumprod(x), np.cumprod(x))
    assert wnp.prod(np.array([True, True])).dtype == np.prod(np.array([True, True])).dtype


def test_pow_derivative_at_zero_exponent():
    assert wg.grad(lambda x: x ** np.array(0.0))(0.0) == 0.0
    assert wg.grad(wg.grad(lambda x: x ** np.array(3.0)))(2.0) == 12.0


def test_grad_with_keyword_arguments():
    assert wg.grad(lambda x, scale=1.0: x * scale)(2.0, scale=3.0) == 3.0


def test_numpy_reductions_on_tracers():
    np.testing.assert_allclose(wg.grad(lambda z: np.sum(z ** 2))(np.ones(3)), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(wg.grad(lambda z: np.mean(z))(np.ones(2)), [0.5, 0.5])


@pytest.mark.parametrize("use", [lambda t: t.reshape(4), lambda t: t.T, lambda t: wnp.max(t),
                                 lambda t: wg.stop_gradient(t), lambda t: wnp.cumsum(t),
                                 lambda t: np.sum(t), lambda t: wnp.kron(t, t)])
def test_escaped_tracer_always_raises_escaped(use):
    leak = []
    wg.grad(lambda z: (leak.append(z), wnp.sum(z))[1])(np.ones((2, 2)))
    with pytest.raises(wg.EscapedTracerError):
        use(leak[0])


def test_einsum_unknown_output_label():
    with pytest.raises(ValueError, match="output subscript 'j'"):
        wnp.einsum("i->j", np.ones(2))


def test_graph_eval_checks_input_shapes():
    graph = wg.make_graph(wnp.sin)(np.ones(3))
    with pytest.raises(wg.WengertError, match=r"traced as float64\[3\] but got float64\[4\]"):
        graph.eval(np.ones(4))


def test_sinc_high_derivatives_near_zero():
    d6 = wnp.sinc
    for _ in range(6):
        d6 = wg.grad(d6)
    assert d6(0.0) == pytest.approx(-np.pi ** 6 / 7, rel=1e-12)
    assert d6(2e-3) == pytest.approx(-137.33920481, rel=1e-8)


def test_linspace_with_traced_array_endpoints():
    J = wg.jacfwd(lambda a, b: wnp.linspace(a, b, 3), argnums=(0, 1))(np.zeros(2), np.ones(2))
    np.testing.assert_allclose(J[1][:, 0, 0], [0.0, 0.5, 1.0])
    y = wg.jvp(lambda a: wnp.linspace(a, np.float32(1), 3), (np.float32(0),), (np.float32(1),))[0]
    assert y.dtype == np.float32
    np.testing.assert_allclose(wnp.linspace(0.0, np.ones(2), 3, axis=1), np.linspace(0.0, np.ones(2), 3, axis=1))


def test_nonlinear_custom_jvp_rule_is_named_under_grad():
    @wg.custom_jvp
    def f(x):
        return x ** 2
    f.defjvp(lambda p, t: (f(p[0]), t[0] * t[0]))
    with pytest.raises(wg.MissingRuleError, match="not linear"):
        wg.grad(f)(1.0)


def test_custom_rules_with_misshapen_results():
    @wg.custom_jvp
    def g(x):
        return x * 2.0
    g.defjvp(lambda p, t: (g(p[0]), wnp.sum(t[0])))
    with pytest.raises(wg.InputError, match=r"tangent of shape \(\) for output 0 of shape \(3,\)"):
        wg.jvp(g, (np.ones(3),), (np.ones(3),))

    @wg.custom_vjp
    def h(x):
        return x * 2.0
    h.defvjp(lambda x: (x * 2.0, None), lambda r, ct: (wnp.sum(ct),))
    with pytest.raises(wg.InputError, match=r"cotangent of shape \(\) for an argument of shape \(3,\)"):
        wg.grad(lambda x: wnp.sum(h(x)))(np.ones(3))


@pytest.mark.parametrize("name,kwargs", [("cumsum", {"axis": 0}), ("cumprod", {"axis": 0}),
                                         ("argmax", {"axis": 0}), ("argmin", {"axis": -1}),
                                         ("argsort", {"axis": 0}), ("sum", {"axis": 0}),
                                         ("max", {"axis": -1}), ("prod", {"axis": 0})])
def test_axis_zero_of_a_0d_array(name, kwargs):
    x = np.float64(2.0)
    got, want = getattr(wnp, name)(x, **kwargs), getattr(np, name)(x, **kwargs)
    assert np.shape(got) == np.shape(want) and np.array_equal(got, want)


def test_max_min_with_initial():
    x = np.array([[1.0, 5.0], [3.0, -2.0]])
    np.testing.assert_array_equal(wnp.max(x, axis=1, initial=4.0), np.max(x, axis=1, initial=4.0))
    np.testing.assert_array_equal(wnp.min(np.zeros((0, 2)), axis=0, initial=1.0), [1.0, 1.0])
    np.testing.assert_array_equal(wg.grad(lambda x: wnp.max(x, axis=1, initial=4.0).sum())(x), [[0, 1], [0, 0]])


def test_custom_rules_take_keyword_arguments():
    @wg.custom_jvp
    def f(x, scale=2.0):
        return x * scale
    f.defjvp(lambda p, t: (f(*p), t[0] * p[1]))
    assert f(3.0, scale=5.0) == 15.0 and wg.grad(lambda x: f(x, scale=5.0))(3.0) == 5.0

    @wg.custom_vjp
    def h(x, k=1.0):
        return x * k
    h.defvjp(lambda x, k: (x * k, k), lambda k, ct: (ct * k, None))
    assert wg.grad(lambda x: h(x, k=3.0))(2.0) == 3.0


def test_jacobian_has_aux():
    J, aux = wg.jacobian(lambda x: (x ** 2, {"s": wnp.sum(x)}), has_aux=True)(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(J, [[2.0, 0.0], [0.0, 4.0]])
    assert aux["s"] == 3.0 and not isinstance(aux["s"], wg.core.Tracer)


def test_reshape_fortran_order():
    a = np.arange(24.0).reshape(2, 3, 4)
    for shape in [(4, 6), (-1,), (3, 2, 4)]:
        np.testing.assert_array_equal(wnp.reshape(a, shape, order="F"), np.reshape(a, shape, order="F"))
    wg.check_grads(lambda x: wnp.reshape(x, (4, 6), order="F") * np.arange(24.0).reshape(4, 6), (a,), order=2)


# -- the fast paths of shape rules and broadcasts agree with NumPy's own answers ----------
_BROADCASTS = [((), (3,)), ((), ()), ((1,), (0,)), ((3,), (2, 3)), ((2, 1), (2, 4)),
               ((2, 1), (5, 2, 3)), ((1, 1), (1, 1)), ((0,), (2, 0)), ((4,), (4,))]


@pytest.mark.parametrize("src,shape", _BROADCASTS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.complex128, np.int64, np.bool_])
def test_broadcast_view_matches_numpy(src, shape, dtype):
    from wengert.ops.structural import broadcast_view
    x = (np.arange(int(np.prod(src))) + 1).astype(dtype).reshape(src)
    got, want = broadcast_view(x, shape), np.broadcast_to(x, shape)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    if shape != src:
        assert not got.flags.writeable       # a view of x: writing through it is refused
    if x.ndim:              # non-contiguous sources of the same shape go to NumPy
        noncontig = np.repeat(x, 2, axis=-1)[..., ::2]
        np.testing.assert_array_equal(broadcast_view(noncontig, shape),
                                      np.broadcast_to(noncontig, shape))


@pytest.mark.parametrize("src,shape", [((3,), (4,)), ((2, 3), (3,)), ((2,), (2, 3))])
def test_broadcast_view_errors_are_numpys(src, shape):
    from wengert.ops.structural import broadcast_view
    with pytest.raises(ValueError) as want:
        np.broadcast_to(np.ones(src), shape)
    with pytest.raises(ValueError) as got:
        broadcast_view(np.ones(src), shape)
    assert str(got.value) == str(want.value)


@pytest.mark.parametrize("idx", [np.s_[1:], np.s_[:-1], np.s_[::2, None], np.s_[..., 0],
                                 np.s_[1], np.s_[None, 2:5:2], np.s_[-1, ...], np.s_[0:0]])
def test_getitem_aval_cache_matches_numpy(idx):
    x = np.arange(24.0).reshape(4, 6)
    for _ in range(2):      # the second call is answered from the cache
        y, lin = wg.linearize(lambda a: a[idx], x)
        assert np.shape(y) == x[idx].shape
        assert lin(np.ones_like(x)).shape == x[idx].shape
    g = wg.grad(lambda a: (a[idx] * 3.0).sum())(x)
    want = np.zeros_like(x)
    want[idx] += 3.0
    np.testing.assert_array_equal(g, want)


def test_getitem_with_bad_slice_bounds_gives_numpys_error():
    with pytest.raises(TypeError, match="slice indices"):
        wg.grad(lambda a: a[1.5:].sum())(np.ones(4))
    with pytest.raises(TypeError, match="slice indices"):
        wg.grad(lambda a: a[[1]:].sum())(np.ones(4))   # an unhashable bound
