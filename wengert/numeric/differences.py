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

from dataclasses import dataclass

import numpy as np

from ..core import WengertError


class FiniteDifferenceError(WengertError, ValueError):
    """A finite-difference request that cannot be carried out (bad method, step or input)."""


class ComplexStepError(FiniteDifferenceError):
    """The function is not complex-safe, so the complex step would give a wrong number."""


@dataclass(frozen=True)
class Stencil:
    """D(h) = sum_k weights[k] * f(x + offsets[k] * h) / h, truncation error O(h^order)."""
    offsets: tuple
    weights: tuple
    order: int


STENCILS = {
    "forward": Stencil((0, 1), (-1.0, 1.0), 1),
    "backward": Stencil((-1, 0), (-1.0, 1.0), 1),
    "central": Stencil((-1, 1), (-0.5, 0.5), 2),
    "central4": Stencil((-2, -1, 1, 2), (1 / 12, -8 / 12, 8 / 12, -1 / 12), 4),
    "central6": Stencil((-3, -2, -1, 1, 2, 3), (-1 / 60, 9 / 60, -45 / 60, 45 / 60, -9 / 60, 1 / 60), 6),
}
METHODS = tuple(STENCILS) + ("complex", "richardson")
RIDDERS_RATIO, RIDDERS_ROWS, RIDDERS_SAFE = 2.0, 10, 2.0


@dataclass
class Estimate:
    """A finite-difference estimate with its error estimate.

    Attributes:
      value: the derivative (shaped as the function's documentation says).
      error: estimated absolute error, same shape as `value`.
      step: the step(s) h used (for Richardson: the step of the chosen tableau entry, the
        smallest over elements).
      nfev: function evaluations spent on the value and the error estimate.
      method: the method's name.
      check_nfev: evaluations spent on the complex-safety check (complex step only).
    """
    value: np.ndarray
    error: np.ndarray
    step: np.ndarray
    nfev: int
    method: str
    check_nfev: int = 0


# ------------------------------------------------------------------ steps
def stencil_order(method):
    """Order p of the truncation error O(h^p) of a method (Richardson: of its first column).

    Example:
      >>> stencil_order("forward"), stencil_order("central4"), stencil_order("complex")
      (1, 4, 2)
    """
    _check_method(method)
    return STENCILS[method].order if method in STENCILS else 2


def default_step(method, x=0.0, dtype=np.float64, derivative_order=1):
    """The step a method uses by default at `x`: h = eps^(1/(p+k)) * max(|x|, 1).

    For a stencil of order p and a k-th derivative, truncation C h^p and round-off
    eps |f| / h^k balance at h ~ eps^(1/(p+k)) (relative to the scale of x, taken as
    max(|x|, 1) so that x = 0 still gets a usable step).  So one-sided differences use
    about eps^(1/2) |x|, central ones eps^(1/3) |x|, fourth-order central eps^(1/5) |x|.
    The complex step has no round-off term, so any h below eps^(1/2)|x| is exact to
    rounding; it uses eps^2 |x|, far below that and far above underflow.  Richardson
    starts at the optimum of its first extrapolated (fourth-order) column, eps^(1/(4+k)),
    and halves the step from there.

    Args:
      method: one of `METHODS`.
      x: the point (scalar or array; the result has its shape).
      dtype: floating dtype whose eps sets the step.
      derivative_order: 1 for first derivatives, 2 for second (hessian).
    Returns:
      The step(s), a float64 array shaped like x.

    Example:
      >>> float(default_step("forward", 1.0)) == 2.0 ** -26      # eps^(1/2)
      True
      >>> round(float(default_step("central", 100.0)), 10)      # eps^(1/3) * 100
      0.0006055454
    """
    _check_method(method)
    eps = float(np.finfo(dtype).eps)
    k = derivative_order
    power = {"complex": -2.0, "richardson": 4 + k}.get(method)
    base = eps ** 2 if method == "complex" else eps ** (1.0 / (power or STENCILS[method].order + k))
    return base * np.maximum(np.abs(np.asarray(x, np.float64)), 1.0)


def _check_method(method):
    if method not in METHODS:
        raise FiniteDifferenceError(f"unknown finite-difference method {method!r}; use one of "
                                    + ", ".join(METHODS))


# ------------------------------------------------------------------ inputs
def _flat_input(x, what):
    arr = np.asarray(x)
    if arr.dtype.kind not in "fiub" or arr.dtype == np.float16:
        raise FiniteDifferenceError(f"{what}: x must be a real float32 or float64 number or array, "
                                    f"got dtype {arr.dtype}; convert it, e.g. np.asarray(x, float)")
    dtype = arr.dtype if arr.dtype.kind == "f" else np.dtype(np.float64)
    return np.array(arr, dtype).ravel(), arr.shape, dtype


def _steps(method, x, dtype, step, k, what):
    if step is None:
        return default_step(method, x, dtype, k)
    h = np.broadcast_to(np.asarray(step, np.float64), x.shape).copy()
    if not np.all(np.isfinite(h) & (h > 0)):
        raise FiniteDifferenceError(f"{what}: step must be positive and finite, got {step!r}")
    return h


def _flat_fn(f, shape, dtype, what):
    """x (flat, float or complex) -> f(x reshaped) as a flat array; remembers the output shape."""
    box = {}

    def g(x):
        y = np.asarray(f(x.reshape(shape) if shape else x[0]))
        if y.dtype.kind not in "fc":
            raise FiniteDifferenceError(f"{what}: f returned dtype {y.dtype}; it must return "
                                        "floating-point values")
        box["shape"] = y.shape
        if x.dtype.kind == "c" and y.dtype.kind != "c":
            raise ComplexStepError(
                f"{what}: f returned real values ({y.dtype}) for a complex input, so it drops the "
                "imaginary part (abs, .real, float(), np.asarray(..., float) ...); the complex step "
                "needs a complex-safe f: use method='richardson' or 'central'")
        return y.ravel()
    return g, box


# ------------------------------------------------------------------ stencils
class _Counter:
    """f with its evaluations counted and memoised by perturbation (forward differences
    reuse f(x) across coordinates)."""

    def __init__(self, g, x):
        self.g, self.x, self.n, self.memo = g, x, 0, {}

    def at(self, delta):
        """f(x + delta) for a dict {index: offset} (offsets float or complex)."""
        key = tuple(sorted((i, d) for i, d in delta.items() if d != 0))
        if key not in self.memo:
            xp = self.x.astype(np.result_type(self.x, *[d for _, d in key])) if key else self.x
            xp = xp.copy()
            for i, d in key:
                xp[i] = xp[i] + d
            self.n += 1
            self.memo[key] = self.g(xp)
        return self.memo[key]


def _exact(x, h):
    # The step actually taken: (x + h) - x is exact in binary, h itself is not.
    return (x + h) - x


def _stencil_column(fc, i, h, stencil):
    """Partial derivatives of every output w.r.t. x_i with the stencil at step h: (value, rounding)."""
    h = _exact(fc.x[i], h)
    if h == 0:
        raise FiniteDifferenceError(f"step is below the spacing of floating-point numbers at "
                                    f"x = {fc.x[i]!r}, so x + h == x; use a larger step")
    vals = [fc.at({i: o * h}) for o in stencil.offsets]
    d = sum(w * v for w, v in zip(stencil.weights, vals)) / h
    # eps times the largest |f| over all outputs: an output that is small by cancellation
    # carries the rounding of the larger terms it came from.
    rounding = np.finfo(fc.x.dtype).eps * sum(abs(w) * np.max(np.abs(v), initial=0.0)
                                              for w, v in zip(stencil.weights, vals)) / h
    return d, np.full(np.shape(d), rounding), h


def _complex_column(fc, i, h):
    d = fc.at({i: 1j * h}).imag / h
    return d, 2 * np.finfo(fc.x.dtype).eps * np.abs(d), h


def _fixed_partials(fc, method, h, full):
    """(values, errors, steps) for all coordinates with a fixed-step method; shapes (m, n)."""
    cols, errs = [], []
    for i in range(fc.x.size):
        d, rnd, hi = _column(fc, method, i, h[i])
        if full:   # truncation estimated from the same stencil at 2h (Richardson's estimate)
            d2, _, _ = _column(fc, method, i, 2 * h[i])
            p = stencil_order(method)
            rnd = rnd + np.abs(d - d2) / (2 ** p - 1)
        cols.append(d)
        errs.append(rnd)
        h[i] = hi
    return _stack(cols, fc), _stack(errs, fc), h


def _column(fc, method, i, h):
    return _complex_column(fc, i, h) if method == "complex" else _stencil_column(fc, i, h, STENCILS[method])


def _stack(cols, fc):
    m = len(fc.memo[()]) if () in fc.memo else (len(cols[0]) if cols else 0)
    return np.stack(cols, axis=1) if cols else np.zeros((m, 0))


# ------------------------------------------------------------------ Richardson (Ridders)
def richardson(D, h0, order=2, ratio=RIDDERS_RATIO, rows=RIDDERS_ROWS, safe=RIDDERS_SAFE):
    """Richardson extrapolation of an estimate D(h) with error a_1 h^p + a_2 h^2p + ...
    (Ridders' tableau, elementwise), with an error estimate.

    D(h0), D(h0/r), D(h0/r^2), ... fill a Neville tableau; each column removes the next
    power of h^p.  An entry's error is estimated by its distance to the two entries it was
    built from; every element keeps its best entry.  The tableau stops when the diagonal
    gets worse than `safe` times the best error for every element (round-off has taken
    over), or after `rows` rows.

    Args:
      D: function h -> (estimate array, rounding-error array).
      h0: the largest step.
      order: p, the power of h in D's error expansion (2 for central differences).
      ratio, rows, safe: step reduction factor, maximum rows, stopping factor.
    Returns:
      (value, error, step, rows used): arrays shaped like D's output; step is the h of
      the first-row estimate the chosen entry ends on.

    Example:
      >>> import numpy as np
      >>> from wengert.numeric import richardson
      >>> D = lambda h: ((np.sin(1 + h) - np.sin(1 - h)) / (2 * h), 0.0)
      >>> value, error, step, rows = richardson(D, 0.1)
      >>> bool(abs(value - np.cos(1)) < 1e-13), bool(error < 1e-11)
      (True, True)
    """
    fac = ratio ** order
    first, rnd = D(h0)
    shape = np.shape(first)
    prev = [np.asarray(first, np.float64)]
    best, err, rnd_best = prev[0].copy(), np.full(shape, np.inf), np.broadcast_to(rnd, shape)
    h_best, hh, i = np.full(shape, float(h0)), float(h0), 0
    for i in range(1, rows):
        hh /= ratio
        d, rnd = D(hh)
        row, f = [np.asarray(d, np.float64)], fac
        for j in range(1, i + 1):
            row.append((row[j - 1] * f - prev[j - 1]) / (f - 1))
            f *= fac
            errt = np.maximum(np.abs(row[j] - row[j - 1]), np.abs(row[j] - prev[j - 1]))
            errt = np.where(np.isfinite(errt), errt, np.inf)
            better = errt <= err
            best, err = np.where(better, row[j], best), np.where(better, errt, err)
            h_best, rnd_best = np.where(better, hh, h_best), np.where(better, rnd, rnd_best)
        worse = np.abs(row[i] - prev[i - 1]) >= safe * err
        prev = row
        if np.all(worse | ~np.isfinite(row[i])) and np.all(np.isfinite(err)):
            break
    return best, err + rnd_best, h_best, i + 1


def _richardson_partials(fc, h0):
    """Richardson on central differences, all coordinates at once: values and errors (m, n)."""
    n = fc.x.size

    def D(t):
        cols = [_stencil_column(fc, i, t * h0[i], STENCILS["central"])[:2] for i in range(n)]
        return _stack([c[0] for c in cols], fc), _stack([c[1] for c in cols], fc)
    if n == 0:
        z = D(1.0)[0]
        return z, z, h0.copy()
    value, error, t, _ = richardson(lambda t: D(t), 1.0)
    return value, error, np.min(t, axis=0) * h0


# ------------------------------------------------------------------ first derivatives
def _partials(f, x, method, step, full, what):
    """The core: every partial derivative of every output of f at x: Estimate of shape (m, n)."""
    from .complex_safety import check_complex_safe
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
    from .complex_safety import check_complex_safe
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
