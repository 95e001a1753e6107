"""Jacobians: jacrev (one backward sweep per output element), jacfwd (one tangent
sweep per input element) and jacobian, which picks the cheaper of the two from
the shapes and can say why."""
import functools

import numpy as np

from .. import numpy as wnp
from ..core import Zero, get_aval, is_float
from ..tree import tree_flatten, tree_unflatten
from ._inputs import _dyn_args, _jdtype
from .forward import jvp
from .linearized import Linearized


def _one_hot(aval, j):
    e = np.zeros(aval.size, aval.dtype if is_float(aval.dtype) else np.float64)
    e[j] = 1
    return e.reshape(aval.shape)


def _stack_rows(rows, out_shape, in_shape, dtype):
    if not rows:
        return np.zeros(tuple(out_shape) + tuple(in_shape), dtype)
    out = wnp.reshape(wnp.stack(rows), tuple(out_shape) + tuple(in_shape))
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


def _jac_by_rows(outs, ins, pull):
    """Reverse mode: one pullback per output element."""
    blocks = [[None] * len(ins) for _ in outs]
    for i, o in enumerate(outs):
        oa = get_aval(o)
        rows = [pull(i, _one_hot(oa, j)) for j in range(oa.size)]
        for k, x in enumerate(ins):
            xa = get_aval(x)
            blocks[i][k] = _stack_rows([r[k] for r in rows], oa.shape, xa.shape, _jdtype(xa))
    return blocks


def _jac_by_cols(outs, ins, push):
    """Forward mode: one tangent sweep per input element."""
    blocks = [[None] * len(ins) for _ in outs]
    for k, x in enumerate(ins):
        xa = get_aval(x)
        cols = [push(k, _one_hot(xa, j)) for j in range(xa.size)]
        for i, o in enumerate(outs):
            oa = get_aval(o)
            b = _stack_rows([c[i] for c in cols], xa.shape, oa.shape, _jdtype(xa))
            nx, no = len(xa.shape), len(oa.shape)
            perm = tuple(range(nx, nx + no)) + tuple(range(nx))
            blocks[i][k] = wnp.transpose(b, perm) if nx and no else b
    return blocks



def _jac_tree(blocks, out_td, in_td):
    rows = [tree_unflatten(in_td, row) for row in blocks]
    return tree_unflatten(out_td, rows)


def _jac_setup(fname, f, args, argnums, kwargs):
    leaves, td, rebuild = _dyn_args(fname, args, argnums)
    if rebuild is None:
        return leaves, td, (lambda *xs: f(*xs, **kwargs))
    return leaves, td, (lambda *xs: f(*rebuild(xs), **kwargs))


def jacrev(f, argnums=0, has_aux=False):
    """Jacobian by reverse mode: one forward pass, then one backward sweep per
    output element (cheap when outputs are few).  The result has the output's
    structure, each leaf holding blocks of shape out.shape + in.shape.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> wg.jacrev(lambda x: x ** 2)(wnp.array([1.0, 2.0]))
      array([[2., 0.],
             [0., 4.]])
    """
    @functools.wraps(f)
    def jacrev_f(*args, **kwargs):
        leaves, td, fn = _jac_setup("jacrev", f, args, argnums, kwargs)
        lin = Linearized(fn, leaves, "jacrev", has_aux)

        def pull(i, e):
            cts = [Zero(o) if j != i else e for j, o in enumerate(lin.out)]
            return lin.transpose(cts, consume=False)
        jac = _jac_tree(_jac_by_rows(lin.out, leaves, pull), lin.out_td, td)
        lin.release()
        return (jac, lin.aux) if has_aux else jac
    return jacrev_f


def jacfwd(f, argnums=0, has_aux=False):
    """Jacobian by forward mode: one jvp per input element (cheap when inputs are
    few).  Same layout as `jacrev`.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> wg.jacfwd(lambda t: wnp.stack([wnp.cos(t), wnp.sin(t), t]))(wnp.pi / 2).round(6)
      array([-1.,  0.,  1.])
    """
    @functools.wraps(f)
    def jacfwd_f(*args, **kwargs):
        leaves, td, fn = _jac_setup("jacfwd", f, args, argnums, kwargs)
        aux_box = []

        def fn_out(*xs):
            out = fn(*xs)
            if has_aux:
                out, aux = out
                aux_box.append(aux)
            return out

        def push(k, e):
            ts = [e if j == k else np.zeros(get_aval(x).shape, get_aval(x).dtype)
                  for j, x in enumerate(leaves)]
            y, t = jvp(fn_out, tuple(leaves), tuple(ts))
            return tree_flatten(t)[0]
        y_leaves, out_td = tree_flatten(fn_out(*leaves))
        jac = _jac_tree(_jac_by_cols(y_leaves, leaves, push), out_td, td)
        return (jac, aux_box[0]) if has_aux else jac
    return jacfwd_f


def jacobian(f, argnums=0, has_aux=False, explain=False):
    """Jacobian, choosing the cheaper mode from the shapes.

    The function is linearized once; its linear tape is then swept forward once
    per input element (n sweeps) or backward once per output element (m sweeps),
    whichever is fewer: forward when n < m, reverse otherwise.  With
    `explain=True` the choice and its reason are printed and kept on the
    returned function as `.explanation`.  `has_aux=True`: f returns
    `(output, aux)` and the result is `(jacobian, aux)`.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> curve = lambda t: wnp.stack([wnp.cos(t), wnp.sin(t), t])
      >>> J = wg.jacobian(curve, explain=True)(wnp.pi / 2)
      jacobian: n = 1 input element, m = 3 output elements; forward mode (1 tangent sweep instead of 3 adjoint sweeps)
      >>> J.round(6)
      array([-1.,  0.,  1.])
    """
    @functools.wraps(f)
    def jacobian_f(*args, **kwargs):
        leaves, td, fn = _jac_setup("jacobian", f, args, argnums, kwargs)
        lin = Linearized(fn, leaves, "jacobian", has_aux)
        n = sum(get_aval(x).size for x in leaves)
        m = sum(get_aval(o).size for o in lin.out)
        forward = n < m
        jacobian_f.explanation = _explain_mode(n, m, forward)
        if explain:
            print(jacobian_f.explanation)
        if forward:
            def push(k, e):
                return lin.forward([e if j == k else Zero(x) for j, x in enumerate(leaves)])
            blocks = _jac_by_cols(lin.out, leaves, push)
        else:
            def pull(i, e):
                return lin.transpose([Zero(o) if j != i else e for j, o in enumerate(lin.out)], False)
            blocks = _jac_by_rows(lin.out, leaves, pull)
        lin.release()
        jac = _jac_tree(blocks, lin.out_td, td)
        return (jac, lin.aux) if has_aux else jac
    jacobian_f.explanation = None
    return jacobian_f


def _explain_mode(n, m, forward):
    plural = lambda k: "s" * (k != 1)  # noqa: E731
    choice = (f"forward mode ({n} tangent sweep{plural(n)} instead of {m} adjoint sweeps)" if forward
              else f"reverse mode ({m} adjoint sweep{plural(m)} instead of {n} tangent sweeps)")
    return f"jacobian: n = {n} input element{plural(n)}, m = {m} output element{plural(m)}; {choice}"
