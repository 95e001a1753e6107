"""Shared finite-difference checks for the linear-algebra and special-function
tests: every mode to second order against central differences, and float32."""
import numpy as np

import wengert as wg
import wengert.numpy as wnp

H, RTOL, RTOL32 = 1e-6, 1e-6, 1e-4


def _leaves(y):
    return [np.asarray(v, np.float64) for v in wg.tree_flatten(y)[0]]


def _fd(f, xs, ts):
    """(f(x + H t) - f(x - H t)) / 2H for every output leaf."""
    up = _leaves(f(*[x + H * t for x, t in zip(xs, ts)]))
    down = _leaves(f(*[x - H * t for x, t in zip(xs, ts)]))
    return [(u - d) / (2 * H) for u, d in zip(up, down)]


def _close(got, want, rtol=RTOL):
    got, want = _leaves(got), _leaves(want)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        scale = max(1.0, np.max(np.abs(w), initial=0.0))
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * scale)


def check_derivatives(f, xs, seed=0):
    """First and second derivatives of f at xs (a tuple of float64 arrays) in every mode."""
    rng = np.random.default_rng(seed)
    ts = [rng.standard_normal(np.shape(x)) for x in xs]
    vs = [rng.standard_normal(np.shape(x)) for x in xs]
    us = [rng.standard_normal(np.shape(y)) for y in _leaves(f(*xs))]
    argnums = tuple(range(len(xs)))

    def g(*a):        # <u, f(a)>: a scalar whose gradient is J^T u
        return sum(wnp.sum(u * y) for u, y in zip(us, wg.tree_flatten(f(*a))[0]))

    grad_g = wg.grad(g, argnums)
    # order 1: forward J t; reverse J^T u, coordinate by coordinate, by vjp and grad
    _close(wg.jvp(f, xs, ts)[1], _fd(f, xs, ts))
    fd_grad = [np.zeros(np.shape(x)) for x in xs]
    for k, x in enumerate(xs):
        for i in np.ndindex(np.shape(x)):
            e = [np.zeros(np.shape(z)) for z in xs]
            e[k][i] = 1.0
            fd_grad[k][i] = _fd(g, xs, e)[0]
    y, pullback = wg.vjp(f, *xs)
    _close(pullback(wg.tree_unflatten(wg.tree_flatten(y)[1], us)), fd_grad)
    _close(grad_g(*xs), fd_grad)
    # order 2: H t of g = <u, f> four ways, against differences of the gradient
    fd_ht = _fd(grad_g, xs, ts)
    _close(wg.jvp(grad_g, xs, ts)[1], fd_ht)                                    # fwd over rev
    _close(wg.grad(lambda *a: sum(wnp.sum(t * gi) for t, gi in zip(ts, grad_g(*a))), argnums)(*xs),
           fd_ht)                                                              # rev over rev
    _close(wg.grad(lambda *a: sum(wnp.sum(u * ti) for u, ti in
                                  zip(us, wg.tree_flatten(wg.jvp(f, a, ts)[1])[0])), argnums)(*xs),
           fd_ht)                                                              # rev over fwd
    jf = lambda *a: wg.jvp(f, a, ts)[1]                                         # noqa: E731
    _close(wg.jvp(jf, xs, vs)[1], _fd(jf, xs, vs))                              # fwd over fwd


def check_float32(f, xs, seed=0):
    """float32 in, float32 values/tangents/cotangents out, agreeing with float64."""
    rng = np.random.default_rng(seed)
    x32 = tuple(np.asarray(x, np.float32) for x in xs)
    ts = tuple(rng.standard_normal(np.shape(x)) for x in xs)
    y32, t32 = wg.jvp(f, x32, tuple(t.astype(np.float32) for t in ts))
    y64, t64 = wg.jvp(f, tuple(x32[k].astype(np.float64) for k in range(len(xs))), ts)
    for leaf in wg.tree_flatten((y32, t32))[0]:
        assert np.asarray(leaf).dtype == np.float32
    _close((y32, t32), (y64, t64), RTOL32)
    us = [rng.standard_normal(np.shape(y)) for y in _leaves(y64)]
    cts = wg.vjp(f, *x32)[1](wg.tree_unflatten(wg.tree_flatten(y32)[1], [u.astype(np.float32) for u in us]))
    assert all(np.asarray(c).dtype == np.float32 for c in cts)
    _close(cts, wg.vjp(f, *[x.astype(np.float64) for x in x32])[1](wg.tree_unflatten(wg.tree_flatten(y64)[1], us)),
           RTOL32)
