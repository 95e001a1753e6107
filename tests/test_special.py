"""wengert.scipy.special: values against scipy.special and high-precision
references; derivatives against central differences in float64, first and
second order, in forward mode, reverse mode and their nestings; float32.

Tolerances: values 1e-13 relative (the accuracy the NumPy-only kernels aim
for); derivatives RTOL = 1e-6 relative to the largest entry, against central
differences with step 1e-6 whose own error is ~1e-10 relative here.
"""
import numpy as np
import pytest
import scipy.special as sp

import wengert as wg
import wengert.numpy as wnp
import wengert.scipy.special as wsp

H, RTOL, RTOL32, VALUE_RTOL = 1e-6, 1e-6, 1e-4, 1e-13


from fdcheck import _close, _fd, _leaves, check_derivatives  # noqa: E402,F401

# ---------------------------------------------------------------- the table
# (id, wengert function, scipy reference, per-argument (low, high) domains, shapes)
def _case(name, fn, ref, domains, shapes=((5,),)):
    return (name, fn, ref, domains, shapes)


CASES = [
    _case("erf", wsp.erf, sp.erf, [(-3, 3)]),
    _case("erfc", wsp.erfc, sp.erfc, [(-3, 5)]),
    _case("gammaln", wsp.gammaln, sp.gammaln, [(0.1, 10)]),
    _case("gammaln-negative", wsp.gammaln, sp.gammaln, [(-2.9, -2.1)]),
    _case("digamma", wsp.digamma, sp.digamma, [(0.2, 10)]),
    _case("digamma-negative", wsp.digamma, sp.digamma, [(-2.8, -2.2)]),
    _case("polygamma-1", lambda x: wsp.polygamma(1, x), lambda x: sp.polygamma(1, x), [(0.3, 5)]),
    _case("polygamma-2-negative", lambda x: wsp.polygamma(2, x), lambda x: sp.polygamma(2, x), [(-1.8, -1.2)]),
    _case("polygamma-3", lambda x: wsp.polygamma(3, x), lambda x: sp.polygamma(3, x), [(0.5, 20)]),
    _case("polygamma-array-n", lambda x: wsp.polygamma(np.array([0, 1, 2, 1, 4]), x),
          lambda x: sp.polygamma(np.array([0, 1, 2, 1, 4]), x), [(0.5, 5)]),
    _case("expit", wsp.expit, sp.expit, [(-10, 10)]),
    _case("logit", wsp.logit, sp.logit, [(0.05, 0.95)]),
    _case("xlogy", wsp.xlogy, sp.xlogy, [(-2, 2), (0.2, 3)], ((2, 3), (3,))),
    _case("logsumexp", wsp.logsumexp, sp.logsumexp, [(-3, 3)], ((3, 4),)),
    _case("logsumexp-axis", lambda a: wsp.logsumexp(a, axis=1), lambda a: sp.logsumexp(a, axis=1),
          [(-3, 3)], ((3, 4),)),
    _case("logsumexp-axes-keepdims", lambda a: wsp.logsumexp(a, axis=(0, 2), keepdims=True),
          lambda a: sp.logsumexp(a, axis=(0, 2), keepdims=True), [(-3, 3)], ((2, 3, 2),)),
    _case("logsumexp-b", lambda a, b: wsp.logsumexp(a, axis=-1, b=b),
          lambda a, b: sp.logsumexp(a, axis=-1, b=b), [(-3, 3), (0.5, 2)], ((3, 4), (4,))),
    _case("logsumexp-sign", lambda a, b: wsp.logsumexp(a, b=b, axis=0, return_sign=True),
          lambda a, b: sp.logsumexp(a, b=b, axis=0, return_sign=True), [(-1, 1), (-2, -1)], ((3, 2), (3, 2))),
    _case("softmax", wsp.softmax, sp.softmax, [(-3, 3)], ((2, 3),)),
    _case("softmax-axis", lambda x: wsp.softmax(x, axis=0), lambda x: sp.softmax(x, axis=0), [(-3, 3)], ((3, 2),)),
    _case("log_softmax", lambda x: wsp.log_softmax(x, axis=-1), lambda x: sp.log_softmax(x, axis=-1),
          [(-3, 3)], ((2, 4),)),
]
IDS = [c[0] for c in CASES]


def _args(domains, shapes, seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return tuple(rng.uniform(lo, hi, s).astype(dtype) for (lo, hi), s in zip(domains, shapes))


@pytest.mark.parametrize("name,fn,ref,domains,shapes", CASES, ids=IDS)
def test_values_match_scipy(name, fn, ref, domains, shapes):
    args = _args(domains, shapes, 0)
    got, want = fn(*args), ref(*args)
    assert [np.shape(g) for g in wg.tree_flatten(got)[0]] == [np.shape(w) for w in _leaves(want)]
    for g, w in zip(_leaves(got), _leaves(want)):
        np.testing.assert_allclose(g, w, rtol=VALUE_RTOL, atol=0)


@pytest.mark.parametrize("name,fn,ref,domains,shapes", CASES, ids=IDS)
def test_derivatives(name, fn, ref, domains, shapes):
    check_derivatives(fn, _args(domains, shapes, 1), seed=2)


@pytest.mark.parametrize("name,fn,ref,domains,shapes", CASES, ids=IDS)
def test_float32(name, fn, ref, domains, shapes):
    x32 = _args(domains, shapes, 3, np.float32)
    y = fn(*x32)
    assert all(np.asarray(leaf).dtype == np.float32 for leaf in wg.tree_flatten(y)[0])
    _close(y, ref(*[x.astype(np.float64) for x in x32]), RTOL32)
    ts = tuple(np.ones_like(x) for x in x32)
    t32 = wg.jvp(fn, x32, ts)[1]
    t64 = wg.jvp(fn, tuple(x.astype(np.float64) for x in x32), tuple(t.astype(np.float64) for t in ts))[1]
    assert all(np.asarray(leaf).dtype == np.float32 for leaf in wg.tree_flatten(t32)[0])
    _close(t32, t64, RTOL32)


# ---------------------------------------------------------------- accuracy where it is hard
# References computed with mpmath at 50 digits.
DIGAMMA = [(1.4616321449683622, -9.241265521729427e-17), (1.46163214, -4.807746276832806e-09),
           (1.3, -0.16919088886679962), (1.7, 0.2085478748734939), (1e-08, -100000000.57721564),
           (0.5, -1.9635100260214235), (-0.5, 0.03648997397857652), (-2.7, -1.1153471291406896),
           (-9.699557465362444, 0.046909949972961044), (-30.25, 6.567526705172748),
           (10000000000.0, 23.025850929890456)]
GAMMALN = [(1.0000001, -5.772155829918507e-08), (0.9, 0.06637623973474295), (1.15, -0.06930620867104685),
           (1.95, -0.020324499149577655), (2.0000003, 1.268353295317493e-07), (2.18, 0.08617661447136944),
           (-0.5, 1.2655121234846454), (-2.7, -0.07140708531564569), (0.001, 6.907178885383853),
           (30.5, 72.9534711841694), (100000.0, 1051287.7089736569)]
POLYGAMMA = [(1, -0.5, 8.934802200544679), (1, -60.3, 15.062966705119313), (2, -1.5, -0.2362040516417274),
             (2, -60.3, 68.83727321690115), (3, 0.01, 600000006.2510618), (3, -4.2, 3768.5970431829874),
             (6, 2.5, -1.318006107550035), (10, 0.7, -183531159.5257871), (15, 1.5, 1991418517.2520328),
             (20, 25.0, -1.9464147666563566e-11)]
ERFC = [(0.5, 0.4795001221869535), (3.0, 2.209049699858544e-05), (5.5, 7.357847917974398e-15),
        (10.0, 2.088487583762545e-45), (20.0, 5.395865611607901e-176), (26.0, 5.663192408856143e-296),
        (-3.0, 1.9999779095030015)]


@pytest.mark.parametrize("fn,table", [(wsp.digamma, DIGAMMA), (wsp.gammaln, GAMMALN), (wsp.erfc, ERFC)],
                         ids=["digamma", "gammaln", "erfc"])
def test_accuracy_against_high_precision(fn, table):
    x, want = np.array(table).T
    np.testing.assert_allclose(fn(x), want, rtol=VALUE_RTOL, atol=0)


def test_polygamma_accuracy_against_high_precision():
    for n, x, want in POLYGAMMA:
        np.testing.assert_allclose(wsp.polygamma(n, x), want, rtol=VALUE_RTOL, atol=0)


@pytest.mark.parametrize("n", range(0, 8))
def test_polygamma_orders_match_scipy(n):
    x = np.concatenate([np.random.default_rng(n).uniform(0.01, 40, 200), [1e-5, 1e5, 1e200]])
    np.testing.assert_allclose(wsp.polygamma(n, x), sp.polygamma(n, x), rtol=VALUE_RTOL, atol=0)


def test_poles_and_non_finite_inputs_match_scipy():
    x = np.array([0.0, -0.0, -1.0, -3.0, np.inf, np.nan])
    with np.errstate(all="ignore"):
        for fn, ref in [(wsp.digamma, sp.digamma), (wsp.gammaln, sp.gammaln),
                        (lambda x: wsp.polygamma(1, x), lambda x: sp.polygamma(1, x)),
                        (lambda x: wsp.polygamma(2, x), lambda x: sp.polygamma(2, x))]:
            np.testing.assert_array_equal(fn(x), ref(x))


def test_derivative_chain_is_polygamma():
    x = np.array([0.3, 1.0, 4.5])
    np.testing.assert_allclose(wg.jacfwd(wsp.gammaln)(x).diagonal(), sp.digamma(x), rtol=1e-13)
    np.testing.assert_allclose(wg.hessian(lambda x: wnp.sum(wsp.gammaln(x)))(x).diagonal(),
                               sp.polygamma(1, x), rtol=1e-13)
    third = wg.grad(wg.grad(wg.grad(lambda x: wsp.digamma(x))))
    np.testing.assert_allclose([third(v) for v in x], sp.polygamma(3, x), rtol=1e-13)


# ---------------------------------------------------------------- edge behaviour
def test_xlogy_at_zero():
    y = np.array([0.0, 2.0, np.inf, -1.0, np.nan])
    np.testing.assert_array_equal(wsp.xlogy(np.zeros(5), y), sp.xlogy(np.zeros(5), y))
    gx, gy = wg.grad(lambda x, y: wsp.xlogy(x, y), argnums=(0, 1))(0.0, 2.0)
    assert gx == np.log(2.0) and gy == 0.0
    gy = wg.grad(lambda y: wnp.sum(wsp.xlogy(np.zeros(4), y)))(np.array([0.0, 2.0, np.inf, -1.0]))
    np.testing.assert_array_equal(gy, np.zeros(4))
    assert wg.hessian(lambda y: wsp.xlogy(0.0, y))(0.0) == 0.0


def test_logsumexp_with_minus_inf_and_large_entries():
    a = np.array([-np.inf, 0.0, np.log(3.0), -np.inf])
    np.testing.assert_allclose(wsp.logsumexp(a), np.log(4.0), rtol=1e-15)
    np.testing.assert_allclose(wg.grad(wsp.logsumexp)(a), [0.0, 0.25, 0.75, 0.0], rtol=1e-15)
    np.testing.assert_allclose(wg.hvp(wsp.logsumexp, a, np.ones(4)), np.zeros(4), atol=1e-15)
    with np.errstate(divide="ignore"):     # log(0), as in NumPy
        assert wsp.logsumexp(np.full(3, -np.inf)) == -np.inf
    big = np.array([1000.0, 1000.0 + np.log(3.0)])
    np.testing.assert_allclose(wsp.logsumexp(big), 1000.0 + np.log(4.0), rtol=1e-15)
    np.testing.assert_allclose(wg.grad(wsp.logsumexp)(big), [0.25, 0.75], rtol=1e-12)
    np.testing.assert_allclose(wsp.softmax(big), [0.25, 0.75], rtol=1e-12)
    np.testing.assert_allclose(wsp.log_softmax(big), np.log([0.25, 0.75]), rtol=1e-12)


def test_expit_and_logit_extremes():
    with np.errstate(over="raise", invalid="raise"):
        np.testing.assert_allclose(wsp.expit(np.array([-800.0, 800.0])), sp.expit([-800.0, 800.0]))
    p = np.array([1e-300, 0.5 + 1e-12, 1 - 1e-12])
    np.testing.assert_allclose(wsp.logit(p), sp.logit(p), rtol=1e-12)
    with np.errstate(all="raise"):   # the unselected branch neither warns nor poisons the gradient
        g = wg.grad(lambda p: wnp.sum(wsp.logit(p)))(p)
    np.testing.assert_allclose(g, 1 / (p * (1 - p)), rtol=1e-12)


def test_polygamma_order_must_be_a_non_negative_integer():
    with pytest.raises(ValueError, match="non-negative integer"):
        wsp.polygamma(-1, 1.0)
    with pytest.raises(ValueError, match="non-negative integer"):
        wsp.polygamma(1.5, 1.0)
