"""The step-size study: |error| of each difference method against the exact (AD) derivative
over a logarithmic range of steps, next to the theory -- truncation c |f^(p+1)| h^p falling
with h, round-off eps |f| sum|w| / h rising as h shrinks, and the predicted optimal step
h* = (eps |f| sum|w| / (p c |f^(p+1)|))^(1/(p+1)) where they balance.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .differences import (
    STENCILS,
    ComplexStepError,
    FiniteDifferenceError,
    default_step,
    derivative,
    stencil_order,
)

DEFAULT_METHODS = ("forward", "central", "central4", "complex")
STUDY_METHODS = tuple(STENCILS) + ("complex",)


def truncation_constant(method):
    """c in the leading truncation error c f^(p+1)(x) h^p of a method.

    For D(h) = sum_k w_k f(x + o_k h) / h, Taylor expansion gives
    c = sum_k w_k o_k^(p+1) / (p+1)!; the complex step Im f(x + ih) / h has c = -1/6.

    Example:
      >>> from wengert.numeric.study import truncation_constant
      >>> truncation_constant("forward"), truncation_constant("central")
      (0.5, 0.16666666666666666)
    """
    if method == "complex":
        return -1 / 6
    st = STENCILS[method]
    p = st.order
    return sum(w * o ** (p + 1) for o, w in zip(st.offsets, st.weights)) / math.factorial(p + 1)


@dataclass
class StepStudy:
    """Results of `step_study`.

    Attributes:
      x, exact: the point and the exact derivative (reverse-mode AD).
      steps: the step grid h (ascending).
      errors: method -> |D(h) - exact| per step (nan where the step is below the spacing
        of floating-point numbers at x, so no step is taken).
      truncation, roundoff: method -> the theoretical curves on the same grid.
      predicted: method -> predicted optimal h (None when a term vanishes: the complex step
        has no round-off term).
      measured: method -> the step of the smallest measured error; min_error: that error.
      notes: methods left out and why.
    """
    x: float
    exact: float
    steps: np.ndarray
    errors: dict
    truncation: dict
    roundoff: dict
    predicted: dict
    measured: dict
    min_error: dict
    eps: float = float(np.finfo(np.float64).eps)
    notes: list = field(default_factory=list)

    @property
    def methods(self):
        return tuple(self.errors)

    def table(self):
        """A text table: order, predicted and measured optimal h, smallest error, error at the
        default step."""
        rows = [(f"{'method':<10} {'p':>2} {'predicted h*':>13} {'measured h*':>12} {'min error':>10} "
                 f"{'default h':>10} {'error there':>11}")]
        for m in self.methods:
            h0 = float(default_step(m, self.x))
            err0 = abs(float(derivative(self._f, self.x, m, h0)) - self.exact)
            pred = "-" if self.predicted[m] is None else f"{self.predicted[m]:.2e}"
            rows.append(f"{m:<10} {stencil_order(m):>2} {pred:>13} {self.measured[m]:>12.2e} "
                        f"{self.min_error[m]:>10.2e} {h0:>10.2e} {err0:>11.2e}")
        return "\n".join(rows + [f"note: {n}" for n in self.notes])

    __str__ = table

    def plot(self, path, title=None):
        """Draw the V-shaped figure (log-log |error| against h, theory dashed, h* marked) to
        `path` (.png, .svg, .pdf).  Needs matplotlib: `pip install wengert[plot]`.

        Returns:
          The path written.
        """
        plt = _pyplot()
        fig, ax = plt.subplots(figsize=(7.5, 5))
        bottom = max(self.eps * abs(self.exact) / 10, 1e-18)
        for i, m in enumerate(self.methods):
            color = f"C{i}"
            ok = np.isfinite(self.errors[m])     # an exact result (error 0) sits on the bottom edge
            ax.loglog(self.steps[ok], np.maximum(self.errors[m][ok], bottom), "o-", ms=3, lw=1, color=color,
                      label=f"{m} (p = {stencil_order(m)})")
            theory = self.truncation[m] + self.roundoff[m]
            good = theory > 0
            ax.loglog(self.steps[good], theory[good], "--", lw=1, color=color, alpha=0.7)
            if self.predicted[m] is not None:
                ax.axvline(self.predicted[m], color=color, ls=":", lw=1)
        ax.set_xlabel("step h")
        ax.set_ylabel("|finite difference - AD derivative|")
        ax.set_title(title or f"Step-size study at x = {self.x:g} (dashed: truncation + round-off theory;"
                     " dotted: predicted h*)", fontsize=9)
        ax.set_ylim(bottom=bottom / 2)
        ax.legend(fontsize=8)
        ax.grid(True, which="major", alpha=0.3)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path


def _pyplot():
    try:
        import matplotlib
    except ImportError:
        raise FiniteDifferenceError("plotting needs matplotlib: pip install wengert[plot]") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def step_study(f, x, methods=DEFAULT_METHODS, steps=None):
    """Measure |error| of finite differences against the AD derivative over a range of steps.

    Args:
      f: scalar function of a scalar, written with `wengert.numpy` (so that AD gives the
        exact derivative and the higher derivatives of the theory curves).
      x: the point.
      methods: any of "forward", "backward", "central", "central4", "central6", "complex".
        A default "complex" is dropped (with a note) when f is not complex-safe.
      steps: the steps h (default 97 points, 1e-16 .. 1, six per decade).
    Returns:
      A `StepStudy` (print it for a table; `.plot(path)` for the figure).

    Example:
      >>> import wengert.numpy as wnp
      >>> s = step_study(wnp.sin, 1.0, methods=("central",))
      >>> bool(s.min_error["central"] < 1e-9), bool(0.1 < s.measured["central"] / 6.06e-6 < 10)
      (True, True)
    """
    from .. import transforms as wg
    x = float(x)
    steps = np.logspace(-16, 0, 97) if steps is None else np.sort(np.asarray(steps, np.float64))
    exact = float(wg.grad(f)(x))
    fx = abs(float(f(x)))
    methods, notes = _usable(f, x, methods)
    study = StepStudy(x, exact, steps, {}, {}, {}, {}, {}, {}, notes=notes)
    study._f = f
    for m in methods:
        _study_method(study, f, m, fx, _nth_derivative(f, x, stencil_order(m) + 1))
    return study


def _usable(f, x, methods):
    from .complex_safety import check_complex_safe
    methods, notes = list(methods), []
    for m in methods:
        if m not in STUDY_METHODS:
            raise FiniteDifferenceError(f"step_study: method {m!r} has no fixed step; use any of "
                                        + ", ".join(STUDY_METHODS))
    if "complex" in methods:
        try:
            check_complex_safe(f, x, _what="step_study")
        except ComplexStepError as e:
            if tuple(methods) != DEFAULT_METHODS:
                raise
            methods.remove("complex")
            notes.append(f"complex step left out: {e}")
    return methods, notes


def _study_method(study, f, m, fx, fp1):
    errors = np.full(study.steps.shape, np.nan)
    with np.errstate(all="ignore"):
        for i, h in enumerate(study.steps):
            try:
                errors[i] = abs(float(derivative(f, study.x, m, h)) - study.exact)
            except FiniteDifferenceError:     # h below the spacing of floats at x: no step
                pass
    c, p = abs(truncation_constant(m)), stencil_order(m)
    wsum = 0.0 if m == "complex" else sum(abs(w) for w in STENCILS[m].weights)
    study.errors[m] = errors
    study.truncation[m] = c * abs(fp1) * study.steps ** p
    rounding = study.eps * abs(study.exact) if m == "complex" else study.eps * fx * wsum / study.steps
    study.roundoff[m] = np.broadcast_to(rounding, study.steps.shape).astype(float)
    study.predicted[m] = (None if m == "complex" or fp1 == 0 or fx == 0 else
                          float((study.eps * fx * wsum / (p * c * abs(fp1))) ** (1 / (p + 1))))
    ok = np.where(np.isfinite(errors), errors, np.inf)
    i = int(np.argmin(ok))
    study.measured[m], study.min_error[m] = float(study.steps[i]), float(ok[i])


def _nth_derivative(f, x, n):
    """f^(n)(x) by n nested reverse passes (the theory curves need f^(p+1))."""
    from .. import transforms as wg
    g = f
    for _ in range(n):
        g = wg.grad(g)
    return float(g(x))
