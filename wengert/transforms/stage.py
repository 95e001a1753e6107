"""Staging: a function traced on its arguments' shapes and dtypes into a Graph."""
import functools

from ..core import current_interpreter, get_aval, running
from ..interpreters.stage import StageInterpreter
from ..ops.elementwise import stop_gradient_p
from ..tree import tree_flatten, tree_map, tree_unflatten
from ._inputs import _canon_leaf


def make_graph(f, **kwargs):
    """Return a function that traces `f` on its arguments' shapes and dtypes into
    a Wengert-list `Graph` (nothing is computed).  Print the graph to see it.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> print(wg.make_graph(lambda x1, x2: wnp.log(x1) + x1 * x2)(2.0, 5.0))
      { lambda v-1:float64[], v0:float64[] .
          v1:float64[] = log v-1
          v2:float64[] = mul v-1 v0
          v3:float64[] = add v1 v2
        in (v3) }
    """
    @functools.wraps(f)
    def make_graph_f(*args):
        leaves, td = tree_flatten(tuple(args))
        interp = StageInterpreter(current_interpreter())
        tracers = [interp.new_arg(get_aval(_canon_leaf(x, "make_graph", f"leaf {k}", True)))
                   for k, x in enumerate(leaves)]
        with running(interp):
            out = f(*tree_unflatten(td, tracers), **kwargs)
        graph = interp.graph(tracers, tree_flatten(out)[0])
        graph.in_tree, graph.out_tree = td, tree_flatten(out)[1]
        return graph
    return make_graph_f


def stop_gradient(x):
    """The value of `x` with no derivative flowing through it (a constant to every
    transform).  Works on pytrees.

    Example:
      >>> import wengert as wg
      >>> float(wg.grad(lambda x: x * wg.stop_gradient(x))(3.0))
      3.0
    """
    return tree_map(stop_gradient_p.bind, x)
