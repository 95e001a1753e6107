"""Forward mode: jvp (dual numbers, one pass) and linearize (the tangent pass
taped once, replayed for every tangent)."""
from ..core import InputError, current_interpreter, running
from ..interpreters.jvp import JVPInterpreter, JVPTracer
from ..interpreters.linearize import tape_to_graph
from ..tree import tree_flatten, tree_unflatten
from ._inputs import _canon_leaf, _canon_tangent, _check_tangents, _finalize
from .linearized import Linearized


def linearize(f, *primals):
    """Evaluate `f` and return `(y, f_jvp)` where `f_jvp(*tangents)` applies the
    Jacobian at `primals` by replaying the recorded linear tape.  `f_jvp.graph()`
    returns that tape as a Wengert-list `Graph`.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> y, f_jvp = wg.linearize(wnp.sin, 0.0)
      >>> float(f_jvp(2.0))
      2.0
    """
    leaves, td = tree_flatten(tuple(primals))
    leaves = [_canon_leaf(x, "linearize", f"primal leaf {k}") for k, x in enumerate(leaves)]
    lin = Linearized(lambda *xs: f(*tree_unflatten(td, xs)), leaves, "linearize")

    def f_jvp(*tangents):
        t_leaves, ttd = tree_flatten(tuple(tangents))
        _check_tangents("linearize", leaves, t_leaves, td, ttd)
        t_leaves = [_canon_tangent(t, x) for t, x in zip(t_leaves, leaves)]
        return tree_unflatten(lin.out_td, lin.forward(t_leaves))
    f_jvp.graph = lambda: tape_to_graph(lin.tape, [t for t in lin.in_lin if t is not None], lin.lin_out)
    return tree_unflatten(lin.out_td, lin.out), f_jvp



def jvp(f, primals, tangents):
    """Forward mode: `(f(*primals), J(primals) @ tangents)` in one pass.

    Args:
      f: function of positional arguments.
      primals, tangents: tuples (or lists) of pytrees of the same structure, shapes
        and floating dtypes.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> y, t = wg.jvp(lambda x1, x2: wnp.log(x1) + x1 * x2, (2.0, 5.0), (1.0, 0.0))
      >>> round(float(y), 6), float(t)
      (10.693147, 5.5)
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise InputError("jvp: primals and tangents must be tuples, e.g. jvp(f, (x,), (t,))")
    leaves, td = tree_flatten(tuple(primals))
    t_leaves, ttd = tree_flatten(tuple(tangents))
    leaves = [_canon_leaf(x, "jvp", f"primal leaf {k}") for k, x in enumerate(leaves)]
    _check_tangents("jvp", leaves, t_leaves, td, ttd)
    t_leaves = [_canon_tangent(t, x) for t, x in zip(t_leaves, leaves)]
    interp = JVPInterpreter(current_interpreter(), name="jvp")
    tracers = [JVPTracer(interp, x, t) for x, t in zip(leaves, t_leaves)]
    with running(interp):
        out = f(*tree_unflatten(td, tracers))
    out_leaves, out_td = tree_flatten(out)
    ys, ts = [], []
    for o in out_leaves:
        if type(o) is JVPTracer and o.interp is interp:
            ys.append(o.x)
            ts.append(_finalize(o.t, o.x))
        else:
            ys.append(o)
            ts.append(_finalize(None, o))
    return tree_unflatten(out_td, ys), tree_unflatten(out_td, ts)
