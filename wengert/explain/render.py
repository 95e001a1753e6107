"""Drawing computational graphs with Graphviz.

`trace_dot` writes the DOT source of an evaluation trace: one node per
variable showing its value (and its tangent or adjoint when a table is given),
one edge per use, labelled with the local partial derivative dv_i/dv_j, the
number the chain rule multiplies along that edge.  The partial is the step's
staged jvp rule evaluated with a unit tangent on that input, so it comes from
the same rule as the tables.  `render_dot` runs Graphviz's `dot` program.
"""
from __future__ import annotations

import pathlib
import shutil
import subprocess

import numpy as np

from ..core import WengertError
from ..ir import Graph, Var
from .formula import ADJOINT, PRIMAL, TANGENT, Style, Sym, preview

FORMATS = ("svg", "png", "pdf")
INSTALL_HINT = ("Graphviz's `dot` program is needed to draw graphs and was not found on PATH; "
                "install it (Debian/Ubuntu: `sudo apt-get install graphviz`, macOS: `brew install "
                "graphviz`), or write `.to_dot()` to a file and render it elsewhere")


def _q(s):
    text = str(s).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{text}"'


def trace_dot(trace, table=None, digits=4):
    """DOT source of `trace`'s graph; `table` (from .tangents() or .adjoints()) adds its values."""
    st = Style(digits)
    extra = table._env if table is not None else {}
    mark = {TANGENT: "v\u0307", ADJOINT: "v\u0304"}.get(getattr(table, "_kind", None))
    lines = ["digraph wengert {", "  rankdir=LR;", '  node [fontname="Helvetica"];',
             '  edge [fontname="Helvetica", fontsize=10];']

    def node(v, head, shape):
        label = f"{st.sym(Sym(PRIMAL, trace.index[id(v)]))} = {head}\n{preview(trace.values[id(v)], st, 3)}"
        if mark and id(v) in extra:
            label += f"\n{mark} = {preview(extra[id(v)], st, 3)}"
        lines.append(f"  {_q(_id(trace, v))} [shape={shape}, label={_q(label)}];")

    for v, name in zip(trace.graph.inputs, trace.input_names):
        node(v, st.var(name), "box")
    for k, eqn in enumerate(trace.graph.eqns):
        for v in eqn.outputs:
            node(v, eqn.prim.name, "ellipse")
        partials = _local_partials(trace, eqn)
        for j, a in enumerate(eqn.inputs):
            if isinstance(a, Var):
                src = _id(trace, a)
            else:
                src = f"c{k}_{j}"
                lines.append(f"  {_q(src)} [shape=plaintext, label={_q(preview(a.value, st, 3))}];")
            label = partials.get(j)
            attr = f" [label={_q(label)}]" if label else ""
            lines.append(f"  {_q(src)} -> {_q(_id(trace, eqn.outputs[0]))}{attr};")
    for k, a in enumerate(trace.graph.outputs):
        name = "y" if len(trace.graph.outputs) == 1 else f"y{k + 1}"
        lines.append(f"  {_q(name)} [shape=doublecircle, label={_q(st.var(name))}];")
        if isinstance(a, Var):
            lines.append(f"  {_q(_id(trace, a))} -> {_q(name)};")
    lines.append("}")
    return "\n".join(lines)


def _id(trace, v):
    return f"v{trace.index[id(v)]}"


def _local_partials(trace, eqn):
    """{input position: label} with dv_out/dv_in for scalar steps, the Jacobian's shape otherwise."""
    graph, vars_, diff = trace._rule(eqn, TANGENT)
    if graph is None or len(eqn.outputs) != 1:
        return {}
    positions = [i for i, a in enumerate(eqn.inputs) if isinstance(a, Var)]
    out_shape = eqn.outputs[0].aval.shape
    labels, st = {}, Style(4)
    primals = [trace.values[id(v)] for v in vars_]
    for k in diff:
        in_shape = vars_[k].aval.shape
        if out_shape == () and in_shape == ():
            tangents = [np.ones_like(primals[i]) if i == k else np.zeros_like(primals[i]) for i in diff]
            value = graph.eval(*primals, *tangents)[0]
            labels[positions[k]] = st.number(value)
        else:
            labels[positions[k]] = f"J {list(out_shape)}×{list(in_shape)}"
    return labels


def dot_program():
    return shutil.which("dot")


def render_dot(source, path):
    """Write `source` (DOT) to `path` as SVG, PNG or PDF (from the suffix) with Graphviz.

    Returns the path.  Raises WengertError naming how to install Graphviz when
    `dot` is missing, and the unknown suffix when there is one."""
    path = pathlib.Path(path)
    fmt = path.suffix.lstrip(".").lower()
    if fmt == "dot" or fmt == "gv":
        path.write_text(source)
        return path
    if fmt not in FORMATS:
        raise WengertError(f"cannot render to {path.name!r}: use a .svg, .png, .pdf or .dot file name")
    exe = dot_program()
    if exe is None:
        raise WengertError(INSTALL_HINT)
    done = subprocess.run([exe, f"-T{fmt}", "-o", str(path)], input=source.encode(),
                          capture_output=True, timeout=60)
    if done.returncode != 0:
        raise WengertError(f"Graphviz failed to render {path.name}: {done.stderr.decode().strip()}")
    return path


def svg_or_none(source):
    """SVG text for Jupyter's `_repr_svg_`, or None (so Jupyter falls back) without Graphviz."""
    exe = dot_program()
    if exe is None:
        return None
    done = subprocess.run([exe, "-Tsvg"], input=source.encode(), capture_output=True, timeout=60)
    return done.stdout.decode() if done.returncode == 0 else None


# Every Graph draws itself: the IR knows only its DOT source (ir.py sits below this
# layer and imports nothing from it), so drawing is attached here.
def _graph_render(graph, path):
    """Draw the graph to `path` (.svg, .png, .pdf, or .dot for the source) with Graphviz."""
    return render_dot(graph.to_dot(), path)


def _graph_repr_svg(graph):
    return svg_or_none(graph.to_dot())


Graph.render, Graph._repr_svg_ = _graph_render, _graph_repr_svg
