"""Is f complex-safe?  The complex step f'(x) ~ Im f(x + ih) / h is exact to rounding when f,
evaluated on complex numbers, is the analytic continuation of the real f.  Functions built
from abs, comparisons used as values, max/min, conj, .real or a cast to float are not:
they give a derivative that is silently wrong.  So before a complex step we check, and
refuse with an error naming the culprit.

The check has two layers:
1. Static: stage f with `make_graph` and walk its Wengert list backward from the outputs
   along the *value path* (the condition of a `select` only picks a branch, so it is off
   the path).  Every primitive on the path must be analytic (allow-list); a known
   non-analytic one (abs, maximum, floor, erf's real kernel, a float cast...) is refused.
2. Dynamic, when f cannot be staged or uses primitives outside both lists (a custom rule,
   plain NumPy code): one complex-step directional derivative along a random direction
   must agree with Richardson-extrapolated central differences.
Every complex evaluation must also return complex values (a real result means the
imaginary part was dropped).
"""
from __future__ import annotations

import numpy as np

from .stencils import (
    ComplexStepError,
    _flat_fn,
    _flat_input,
    default_step,
    richardson,
)

# Primitives whose complex NumPy implementation is the analytic continuation of the real one.
ANALYTIC = frozenset({
    "add", "sub", "mul", "div", "neg", "mul_tangent", "div_tangent", "square", "integer_pow", "pow",
    "sqrt", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh",
    # linear structural ops: complex values pass through unchanged
    "reshape", "broadcast_to", "getitem", "scatter", "scatter_add", "concatenate", "pad",
    "transpose", "reduce_sum", "cumsum", "dot_general", "select", "stop_gradient",
})
# Primitives known to break analyticity (or to refuse complex input).
NON_ANALYTIC = {
    "abs": "abs(z) is |z|, real: the imaginary part is lost",
    "sign": "sign is piecewise constant (and z/|z| for complex)",
    "maximum": "maximum compares values", "minimum": "minimum compares values",
    "reduce_max": "max compares values", "reduce_min": "min compares values",
    "floor": "floor is not analytic", "ceil": "ceil is not analytic", "trunc": "trunc is not analytic",
    "round": "round is not analytic", "remainder": "remainder is not analytic",
    "fmod": "fmod is not analytic", "floor_divide": "floor_divide is not analytic",
    "heaviside": "heaviside is not analytic",
    "hypot": "hypot is |(x, y)|, real", "arctan2": "arctan2 takes real arguments only",
    "cbrt": "NumPy's cbrt takes real arguments only", "logaddexp": "logaddexp takes real arguments only",
    "logistic": "expit's kernel uses abs and real comparisons",
    "erf": "erf's kernel is real", "erfc": "erfc's kernel is real", "gammaln": "gammaln's kernel is real",
    "digamma": "digamma's kernel is real", "polygamma": "polygamma's kernel is real",
    "logsumexp": "logsumexp shifts by a real maximum",
    "convert_element_type": "a cast to a real dtype drops the imaginary part",
}
_BOOLEAN_INPUT_OK = "convert_element_type"   # casting a bool/int mask to float is a constant


def check_complex_safe(f, x, _what="complex step"):
    """Raise `ComplexStepError` if f is not complex-safe at x; return the evaluations spent.

    Args:
      f: the function the complex step will be applied to (one array argument).
      x: the point (float array or number).
    Returns:
      The number of function evaluations the (dynamic) check used: 0 when staging f
      proved it safe.

    Example:
      >>> import wengert.numpy as wnp, numpy as np
      >>> check_complex_safe(lambda x: wnp.sin(x) * wnp.exp(x), np.array([0.5, 1.0]))
      0
      >>> check_complex_safe(lambda x: wnp.abs(x) * x, np.array([-0.5, 1.0]))
      Traceback (most recent call last):
      ...
      wengert.numeric.stencils.ComplexStepError: complex step: f is not complex-safe: it uses abs (abs(z) is |z|, real: the imaginary part is lost); use method='richardson' or 'central' instead
    """
    verdict = _static_verdict(f, x)
    if verdict == "safe":
        return 0
    if verdict != "unknown":
        raise ComplexStepError(f"{_what}: f is not complex-safe: it uses {verdict}; use "
                               "method='richardson' or 'central' instead")
    return _dynamic_check(f, x, _what)


def _static_verdict(f, x):
    """'safe', 'unknown' or a description of the first non-analytic primitive on the value path."""
    from ..transforms import make_graph
    try:
        graph = make_graph(f)(np.asarray(x, np.float64) if np.asarray(x).dtype.kind != "f" else x)
    except Exception:   # noqa: BLE001  f is not traceable (plain NumPy, value-dependent control flow)
        return "unknown"
    verdict, needed = "safe", {id(v) for v in graph.outputs}
    for eqn in reversed(graph.eqns):          # iterative backward walk, no recursion
        if not any(id(v) in needed for v in eqn.outputs):
            continue
        name, inputs = eqn.prim.name, list(eqn.inputs)
        if name == "select":
            inputs = inputs[1:]               # the condition picks a branch; it carries no value
        elif name == _BOOLEAN_INPUT_OK and inputs[0].aval.dtype.kind in "biu":
            inputs = []
        elif name in NON_ANALYTIC:
            return f"{name} ({NON_ANALYTIC[name]})"
        elif name not in ANALYTIC:
            verdict = "unknown"
        needed.update(id(a) for a in inputs)
    return verdict


def _dynamic_check(f, x, what):
    """Complex-step directional derivative against Richardson along one random direction."""
    xf, shape, dtype = _flat_input(x, what)
    g, _ = _flat_fn(f, shape, dtype, what)
    v = np.random.default_rng(0).standard_normal(xf.size)
    scale = max(float(np.max(np.abs(xf), initial=0.0)), 1.0)
    h = float(default_step("complex", scale, dtype))
    try:
        cs = g(xf + 1j * h * v).imag / h
    except ComplexStepError:
        raise
    except Exception as e:   # noqa: BLE001  any failure on complex input makes f unsafe
        raise ComplexStepError(f"{what}: f raised {type(e).__name__} ({e}) on a complex input, so it "
                               "is not complex-safe; use method='richardson' or 'central'") from None
    count = [1]

    def D(t):
        count[0] += 2
        return (g(xf + t * v) - g(xf - t * v)) / (2 * t), 0.0
    ref, err, _, _ = richardson(D, float(default_step("richardson", scale, dtype)))
    tol = 100 * err + 1e-6 * (np.abs(ref) + np.abs(cs)) + 1e-12
    bad = ~(np.abs(cs - ref) <= tol)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise ComplexStepError(
            f"{what}: f is not complex-safe: along a random direction its complex-step derivative "
            f"is {cs[i]:.10g} but central differences give {ref[i]:.10g} (output element {i}); f "
            "probably uses abs, comparisons, max/min, conj, .real or a cast to float on its values. "
            "Use method='richardson' or 'central' instead")
    return count[0]
