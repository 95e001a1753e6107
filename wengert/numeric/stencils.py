"""Difference stencils, step sizes and Richardson extrapolation: the machinery under
`differences` (the estimates users call) and `complex_safety` (the check that the
complex step applies), shared by both.
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


