"""Second derivatives: hessian (forward over reverse) and hvp (reverse over forward)."""
from ..core import NonScalarOutputError, get_aval
from .forward import jvp
from .jacobian import jacfwd, jacrev
from .reverse import grad


def hessian(f, argnums=0):
    """Hessian as forward-over-reverse: `jacfwd(jacrev(f))`.

    Example:
      >>> import wengert as wg
      >>> wg.hessian(lambda x: x ** 3)(2.0)
      np.float64(12.0)
    """
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f, primals, tangents):
    """Hessian-vector product H(x) v of a scalar function, exact, at a small multiple
    of the cost of f.

    Computed as reverse over forward: the gradient of x -> J(x) v, the directional
    derivative from one forward pass.  Forward over reverse (`jvp` of `grad`) gives
    the same numbers; on the Rosenbrock benchmark it measured about a third slower
    here, because the backward pass's in-place cotangent sums only apply to
    concrete arrays, not to dual numbers.

    Args:
      f: scalar function of one argument (a pytree).
      primals: the point x.  tangents: the vector v, shaped like x.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> wg.hvp(lambda x: wnp.sum(x ** 3), wnp.array([1.0, 2.0]), wnp.array([1.0, 1.0]))
      array([ 6., 12.])
    """
    def directional_derivative(x):
        y, t = jvp(f, (x,), (tangents,))
        if get_aval(y).shape != ():
            raise NonScalarOutputError(
                f"hvp requires a scalar function, got output shape {get_aval(y).shape}; for a "
                "vector-valued f use jvp(jacrev(f), ...) or jacobian")
        return t
    return grad(directional_derivative)(primals)
