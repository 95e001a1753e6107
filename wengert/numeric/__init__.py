"""Numerical baselines: finite differences, gradient checking and the step-size study.

`derivative`, `gradient`, `jacobian` and `hessian` by forward, backward, central,
higher-order central, complex-step and Richardson-extrapolated differences (each
with an error estimate on request); `check_grads`, which checks every derivative
wengert computes against them with tolerances derived from those estimates; and
`step_study`, the lectures' truncation-versus-round-off figure.  See docs/numeric.md.
"""
from .differences import (METHODS, STENCILS, ComplexStepError, Estimate,  # noqa: F401
                          FiniteDifferenceError, default_step, derivative, gradient, hessian,
                          jacobian, richardson, stencil_order)
from .complex_safety import check_complex_safe  # noqa: F401
from .check import GradientCheckError, check_grads, numerical_grad  # noqa: F401
from .study import StepStudy, step_study  # noqa: F401

__all__ = ["derivative", "gradient", "jacobian", "hessian", "richardson", "default_step",
           "stencil_order", "Estimate", "METHODS", "STENCILS", "check_complex_safe",
           "check_grads", "numerical_grad", "step_study", "StepStudy", "GradientCheckError",
           "FiniteDifferenceError", "ComplexStepError"]

# doctest.testmod(wengert.numeric) (tests/test_docs.py) collects the submodules' examples too.
from . import check as _check, complex_safety as _cs, differences as _diff, study as _study  # noqa: E402
__test__ = {f"{m.__name__}.{name}": obj for m in (_diff, _cs, _check, _study)
            for name, obj in vars(m).items()
            if getattr(obj, "__module__", None) == m.__name__ and getattr(obj, "__doc__", None)
            and not name.startswith("_")}
