"""Finite differences: the approximate baseline that automatic differentiation replaces.

A difference quotient of step h has two errors that pull in opposite directions
(the lectures' V-shaped curve):

* truncation, from the Taylor series it cuts off: C h^p for a stencil of order p;
* round-off, from subtracting nearly equal function values: about eps |f| / h.

Their sum is smallest near h* = eps^(1/(p+1)) times the scale of x, which is the
default step of every method here (eps^(1/2) for one-sided, eps^(1/3) for central
differences).  The complex step has no subtraction and so no round-off term;
Richardson extrapolation removes truncation terms one power of h^2 at a time and
estimates its own error from the disagreement of its tableau.

Every estimate can come back with an error estimate (`full_output=True`), which
`check_grads` turns into its tolerance.
"""
from __future__ import annotations

import numpy as np

from .complex_safety import check_complex_safe
from .stencils import (  # noqa: F401  (the public ones re-exported by wengert.numeric)
    _check_method,
    _Counter,
    _exact,
    _fixed_partials,
    _flat_fn,
    _flat_input,
    _richardson_partials,
    _steps,
    ComplexStepError,
    default_step,
    Estimate,
    FiniteDifferenceError,
    METHODS,
    richardson,
    Stencil,
    stencil_order,
    STENCILS,
)


# ------------------------------------------------------------------ first derivatives
def _partials(f, x, method, step, full, what):
    """The core: every partial derivative of every output of f at x: Estimate of shape (m, n)."""
    _check_method(method)
    xf, shape, dtype = _flat_input(x, what)
    h = _steps(method, xf, dtype, step, 1, what)
    g, box = _flat_fn(f, shape, dtype, what)
    check = check_complex_safe(f, x, _what=what) if method == "complex" else 0
    fc = _Counter(g, xf)
    fc.at({})
    if method == "richardson":
        value, error, h = _richardson_partials(fc, h)
    else:
        value, error, h = _fixed_partials(fc, method, h.copy(), full)
    nfev = fc.n - (1 if method in ("central", "central4", "central6", "complex", "richardson") else 0)
    return Estimate(value, error, h.reshape(shape), nfev, method, check), box["shape"], shape


def _finish(est, value, error, full):
    if not full:
        return value
    est.value, est.error = value, error
    return est


def derivative(f, x, method="central", step=None, full_output=False):
    """The derivative of f at a scalar x by finite differences.

    Args:
      f: function of one float; may return an array (each element is differentiated).
      x: the point, a real number.
      method: "forward", "backward" (one-sided, O(h)), "central" (O(h^2)), "central4",
        "central6" (O(h^4), O(h^6)), "complex" (complex step, exact to rounding for a
        complex-safe f) or "richardson" (extrapolated central differences with an error
        estimate).
      step: h (default `default_step(method, x)`).
      full_output: return an `Estimate` (value, error estimate, step, evaluations); the
        error estimate costs the stencil once more at 2h for fixed-step methods.
    Returns:
      f'(x) shaped like f(x), or an `Estimate`.

    Example:
      >>> import numpy as np
      >>> from wengert.numeric import derivative
      >>> round(float(derivative(np.sin, 1.0)), 9)
      0.540302306
      >>> e = derivative(np.sin, 1.0, method="richardson", full_output=True)
      >>> bool(abs(e.value - np.cos(1.0)) <= e.error < 1e-11)
      True
    """
    est, out_shape, _ = _partials(f, _scalar(x, "derivative"), method, step, full_output, "derivative")
    return _finish(est, est.value[:, 0].reshape(out_shape)[()], est.error[:, 0].reshape(out_shape)[()],
                   full_output)


def _scalar(x, what):
    if np.ndim(x) != 0:
        raise FiniteDifferenceError(f"{what}: x must be a scalar, got shape {np.shape(x)}; use "
                                    "gradient or jacobian for arrays")
    return x


def gradient(f, x, method="central", step=None, full_output=False):
    """The gradient of a scalar function f at x by finite differences, one coordinate at a time.

    Forward and backward differences cost n + 1 evaluations, central 2n, central4 4n,
    complex n, Richardson 2n per tableau row.

    Args:
      f: scalar function of one array.
      x: the point (float array or number).
      method, step, full_output: as for `derivative`; `step` may be an array, one step
        per coordinate.
    Returns:
      The gradient shaped like x (or an `Estimate`).

    Example:
      >>> import numpy as np
      >>> from wengert.numeric import gradient
      >>> f = lambda x: np.log(x[0]) + x[0] * x[1]
      >>> gradient(f, np.array([2.0, 5.0]), method="complex")
      array([5.5, 2. ])
    """
    est, out_shape, shape = _partials(f, x, method, step, full_output, "gradient")
    if out_shape != ():
        raise FiniteDifferenceError(f"gradient needs a scalar function, f returned shape {out_shape};"
                                    " use jacobian")
    return _finish(est, est.value[0].reshape(shape)[()], est.error[0].reshape(shape)[()], full_output)


def jacobian(f, x, method="central", step=None, full_output=False):
    """The Jacobian of f at x by finite differences, shaped f(x).shape + x.shape (as
    `wengert.jacrev`).

    Example:
      >>> import numpy as np
      >>> from wengert.numeric import jacobian
      >>> jacobian(lambda x: np.array([x[0] * x[1], np.sin(x[0])]), np.array([0.0, 3.0]),
      ...          method="complex")
      array([[3., 0.],
             [1., 0.]])
    """
    est, out_shape, shape = _partials(f, x, method, step, full_output, "jacobian")
    full = tuple(out_shape) + tuple(shape)
    return _finish(est, est.value.reshape(full)[()], est.error.reshape(full)[()], full_output)


# ------------------------------------------------------------------ second derivatives
def hessian(f, x, method="central", step=None, full_output=False):
    """The Hessian of a scalar function by finite differences of function values.

    Each entry H_ij applies the method's one-dimensional stencil in x_i and again in
    x_j (a tensor-product stencil; on the diagonal the points merge), so one-sided
    stencils are O(h) and central ones O(h^2) with default steps eps^(1/(p+2)) |x|.
    "complex" takes a complex step in x_i and central differences in x_j;
    "richardson" extrapolates the central tensor stencil.  The result is symmetrised.

    Args:
      f: scalar function of one array.  x: the point.  method, step, full_output: as
        for `derivative` (default steps for second derivatives).
    Returns:
      Array of shape x.shape + x.shape (or an `Estimate`).

    Example:
      >>> import numpy as np
      >>> from wengert.numeric import hessian
      >>> H = hessian(lambda x: x[0] ** 2 * x[1], np.array([1.0, 2.0]), method="richardson")
      >>> np.round(H, 8)
      array([[4., 2.],
             [2., 0.]])
    """
    _check_method(method)
    xf, shape, dtype = _flat_input(x, "hessian")
    g, box = _flat_fn(f, shape, dtype, "hessian")
    check = check_complex_safe(f, x, _what="hessian") if method == "complex" else 0
    fc = _Counter(g, xf)
    if np.size(fc.at({})) != 1:
        raise FiniteDifferenceError(f"hessian needs a scalar function, f returned shape {box['shape']}")
    h = _steps(method, xf, dtype, step, 2, "hessian")
    if method == "richardson":
        value, error, t, _ = richardson(lambda t: _hessian_stencil(fc, "central", t * h), 1.0)
        steps = np.min(t) * h
    else:
        value, error = _hessian_stencil(fc, method, h)
        if full_output:
            v2, _ = _hessian_stencil(fc, method, 2 * h)
            error = error + np.abs(value - v2) / (2 ** stencil_order(method) - 1)
        steps = h
    full = tuple(shape) * 2
    est = Estimate(value, error, steps.reshape(shape), fc.n, method, check)
    return _finish(est, value.reshape(full)[()], error.reshape(full)[()], full_output)


def _hessian_stencil(fc, method, h):
    n, eps = fc.x.size, np.finfo(fc.x.dtype).eps
    H, R = np.zeros((n, n)), np.zeros((n, n))
    if method != "complex":
        h = np.array([_exact(fc.x[i], h[i]) for i in range(n)])
    for i in range(n):
        for j in range(i, n):
            H[i, j], R[i, j] = _hessian_entry(fc, method, i, j, h)
            H[j, i], R[j, i] = H[i, j], R[i, j]
    return H, R + eps * np.abs(H)


def _hessian_entry(fc, method, i, j, h):
    if method == "complex":   # complex step in x_i, central differences in x_j
        k = default_step("central", fc.x[j], fc.x.dtype)[()]
        vals = [fc.at(_merge({i: 1j * h[i]}, j, s * k)).imag for s in (1, -1)]
        return (vals[0] - vals[1])[0] / (2 * h[i] * k), np.finfo(fc.x.dtype).eps * (
            abs(vals[0][0]) + abs(vals[1][0])) / (2 * h[i] * k)
    st = STENCILS[method]
    total, rnd = 0.0, 0.0
    for oa, wa in zip(st.offsets, st.weights):
        for ob, wb in zip(st.offsets, st.weights):
            v = fc.at(_merge({i: oa * h[i]}, j, ob * h[j]))[0]
            total += wa * wb * v
            rnd += abs(wa * wb * v)
    return total / (h[i] * h[j]), np.finfo(fc.x.dtype).eps * rnd / (h[i] * h[j])


def _merge(delta, j, d):
    out = dict(delta)
    out[j] = out.get(j, 0) + d
    return out
