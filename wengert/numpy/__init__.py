"""wengert.numpy: the NumPy namespace, differentiable in every mode to any order.

Each function binds primitives (wengert/ops) or composes other functions here.
NumPy semantics are the contract: broadcasting, NEP 50 promotion, axis and
keepdims, negative axes, 0-d and empty arrays.  On plain arrays every function
simply computes (the bottom interpreter calls NumPy); inside a transform it is
traced.  Creation functions return plain NumPy arrays: constants.
"""
# The namespace proper lives in _namespace; einsum, linalg and the ndarray surface of
# traced values are built on it in modules of their own.
from ._namespace import *  # noqa: F401,F403
from ._namespace import (  # noqa: F401  (shared with wengert.scipy and the tracer surface)
    _axes, _c, _concrete, _dtype, _getitem, _IndexUpdate, _keep, _norm_axis, _shape)
from ._einsum import einsum  # noqa: F401
from . import linalg  # noqa: F401
from . import _methods  # noqa: F401  (hands the ndarray surface to core.Tracer)
