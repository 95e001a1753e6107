"""Numerical baselines: finite differences, gradient checking and the step-size study.

`derivative`, `gradient`, `jacobian` and `hessian` by forward, backward, central,
higher-order central, complex-step and Richardson-extrapolated differences (each
with an error estimate on request); `check_grads`, which checks every derivative
wengert computes against them with tolerances derived from those estimates; and
`step_study`, the lectures' truncation-versus-round-off figure.  See docs/numeric.md.
"""
from .check import GradientCheckError, check_grads, numerical_grad
from .complex_safety import check_complex_safe
from .differences import (
                          METHODS,
                          STENCILS,
                          ComplexStepError,
                          Estimate,
                          FiniteDifferenceError,
                          default_step,
                          derivative,
                          gradient,
                          hessian,
                          jacobian,
                          richardson,
                          stencil_order,
)
from .study import StepStudy, step_study

__all__ = [
                          "METHODS",
                          "STENCILS",
                          "ComplexStepError",
                          "Estimate",
                          "FiniteDifferenceError",
                          "GradientCheckError",
                          "StepStudy",
                          "check_complex_safe",
                          "check_grads",
                          "default_step",
                          "derivative",
                          "gradient",
                          "hessian",
                          "jacobian",
                          "numerical_grad",
                          "richardson",
                          "stencil_order",
                          "step_study",
]

# doctest.testmod(wengert.numeric) (tests/test_docs.py) collects the submodules' examples too.
from . import check as _check
from . import complex_safety as _cs
from . import differences as _diff
from . import study as _study

__test__ = {f"{m.__name__}.{name}": obj for m in (_diff, _cs, _check, _study)
            for name, obj in vars(m).items()
            if getattr(obj, "__module__", None) == m.__name__ and getattr(obj, "__doc__", None)
            and not name.startswith("_")}
