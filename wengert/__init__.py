"""wengert: automatic differentiation for NumPy code.

Forward mode, reverse mode (derived from forward mode as linearize + transpose)
and every nesting of the two, over one registry of primitives and one IR.
"""
from .core import (EscapedTracerError, InputError, MissingRuleError, NonScalarOutputError,  # noqa: F401
                   TracerAssignmentError, TracerConversionError, ConcretizationError,
                   WengertError)
from . import ops as _ops  # noqa: F401  (registers the primitives)
from . import numpy  # noqa: F401
from .transforms import (grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, linearize,  # noqa: F401
                         make_graph, stop_gradient, value_and_grad, vjp)
from .transforms import derivatives, directional_derivatives, taylor, taylor_tensor  # noqa: F401
from .transforms import custom_jvp, custom_vjp  # noqa: F401
from .numeric import GradientCheckError, check_grads, numerical_grad  # noqa: F401
from . import scipy  # noqa: F401
from .explain.trace import trace  # noqa: F401
from .values import Dual, Taylor  # noqa: F401
from .tree import register_pytree, tree_flatten, tree_map, tree_unflatten  # noqa: F401

__version__ = "0.1.0"
