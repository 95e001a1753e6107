"""Reverse mode: grad, value_and_grad, vjp.  The function is linearized once (its
tangents taped) and the tape is transposed: one backward sweep per cotangent."""
import functools

import numpy as np

from ..core import NonScalarOutputError, get_aval, is_float
from ..tree import tree_flatten, tree_unflatten
from ._inputs import _SINGLE, _canon_leaf, _check_cts, _dyn_args, _tuple_td
from .linearized import Linearized


_ONE = {np.dtype(d): np.ones((), d)[()] for d in (np.float16, np.float32, np.float64)}

def value_and_grad(f, argnums=0, has_aux=False, allow_int=False):
    """Return a function computing `f` and its gradient by one reverse pass.

    Args:
      f: function with a scalar floating-point output.
      argnums: int or tuple of ints: which positional arguments to differentiate.
      has_aux: if True, `f` returns `(output, aux)` and aux is passed through.
      allow_int: treat integer inputs as constants (zero gradient) instead of raising.

    Returns:
      A function returning `(value, grad)` (or `((value, aux), grad)`), with `grad`
      shaped like the selected argument(s).

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> v, g = wg.value_and_grad(lambda x1, x2: wnp.log(x1) + x1 * x2, argnums=(0, 1))(2.0, 5.0)
      >>> round(float(v), 4), tuple(float(gi) for gi in g)
      (10.6931, (5.5, 2.0))
    """
    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        leaves, td, rebuild = _dyn_args("grad", args, argnums, allow_int)
        # every argument differentiated, in order, as plain leaves: call f directly
        if rebuild is None:
            fn = f if not kwargs else (lambda *xs: f(*xs, **kwargs))
        else:
            fn = lambda *xs: f(*rebuild(xs), **kwargs)  # noqa: E731
        lin = Linearized(fn, leaves, "grad", has_aux, allow_int)
        y, y_aval = _scalar_output(lin)
        seed = _ONE[y_aval.dtype] if y_aval.dtype in _ONE else np.ones((), y_aval.dtype)[()]
        grads = lin.transpose([seed], consume=True)
        grads = grads[0] if td is _SINGLE else tuple(grads) if td is _tuple_td(len(grads)) \
            else tree_unflatten(td, grads)
        lin.release()
        value = (y, lin.aux) if has_aux else y
        return value, grads
    return value_and_grad_f


def _scalar_output(lin):
    """The output of a function `grad` differentiates, checked to be one float scalar."""
    y_aval = get_aval(lin.out[0]) if len(lin.out) == 1 else None
    if y_aval is None or y_aval.shape != ():
        shapes = [get_aval(o).shape for o in lin.out]
        got = f"shape {shapes[0]}" if len(shapes) == 1 else f"{len(shapes)} outputs of shapes {shapes}"
        raise NonScalarOutputError(f"grad requires a scalar output, got {got}; use jacrev or vjp "
                                   "for non-scalar outputs (or reduce it, e.g. with .sum())")
    if not is_float(y_aval.dtype):
        raise NonScalarOutputError(f"grad requires a floating-point output, got dtype {y_aval.dtype}")
    return lin.out[0], y_aval


def grad(f, argnums=0, has_aux=False, allow_int=False):
    """Gradient of a scalar function by one reverse pass (see `value_and_grad`).

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> round(float(wg.grad(lambda x: x ** 2 / wnp.cos(x))(wnp.pi)), 10)   # -2 pi
      -6.2831853072
    """
    vg = value_and_grad(f, argnums, has_aux, allow_int)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return grad_f



def vjp(f, *primals, has_aux=False):
    """Evaluate `f(*primals)` and return its pullback `ct -> cotangents of primals`.

    The pullback keeps the linear tape and may be called many times.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> y, pullback = wg.vjp(lambda x1, x2: wnp.log(x1) + x1 * x2, 2.0, 5.0)
      >>> tuple(float(c) for c in pullback(1.0))
      (5.5, 2.0)
    """
    leaves, td = tree_flatten(tuple(primals))
    leaves = [_canon_leaf(x, "vjp", f"primal leaf {k}") for k, x in enumerate(leaves)]
    lin = Linearized(lambda *xs: f(*tree_unflatten(td, xs)), leaves, "vjp", has_aux)

    def pullback(ct):
        cts = _check_cts("vjp pullback", lin, ct)
        return tree_unflatten(td, lin.transpose(cts, consume=False))
    out = tree_unflatten(lin.out_td, lin.out)
    return (out, pullback, lin.aux) if has_aux else (out, pullback)
