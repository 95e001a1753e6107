"""The IR: the Wengert list.

A `Graph` is the evaluation trace of the lecture: inputs v_{1-n} .. v_0, one
equation per elementary operation v_i = phi_i(v_j, ...), and outputs.  The
staged program of `make_graph`, the linear tape of reverse mode (on request) and,
later, jit's programs are all `Graph`s, so one printer and one `to_dot` serve
them all.

Variables get their display names only when printed, numbered as in the
lecture: inputs v_{1-n}..v_0, then intermediates v_1, v_2, ... in order.
"""
from __future__ import annotations

import numpy as np

from .core import WengertError, bind, get_aval


class Var:
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"Var({self.aval})"


class Lit:
    """A constant operand (a residual, a Python number, an outer tracer)."""
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    @property
    def aval(self):
        return get_aval(self.value)

    def __repr__(self):
        return f"Lit({_show_value(self.value)})"


class Eqn:
    __slots__ = ("prim", "inputs", "outputs", "params")

    def __init__(self, prim, inputs, outputs, params):
        self.prim, self.inputs, self.outputs, self.params = prim, inputs, outputs, params


def _show_value(v):
    aval = get_aval(v)
    if aval.shape == () and not hasattr(v, "interp"):
        return repr(v.item() if hasattr(v, "item") else v)
    return f"const:{aval}"


def _show_index(idx):
    """An index's static structure (ops/rules.py: split_index) in NumPy's notation:
    [1:, ::-1, None, ..., #0] with #k the k-th index array input."""
    def entry(i):
        if type(i) is tuple and i[0] == "s":
            start, stop, step = ("" if b is None else str(b) for b in i[1:])
            return f"{start}:{stop}" + (f":{step}" if step else "")
        if type(i) is tuple:
            return f"#{i[1]}"
        return "..." if i is Ellipsis else str(i)
    return "[" + ", ".join(entry(i) for i in idx) + "]"


def _show_param(v, key=None):
    if key == "idx" and type(v) is tuple:
        return _show_index(v)
    if isinstance(v, np.ndarray):
        return f"array{v.shape}"
    if callable(v):
        return getattr(v, "__name__", "fn")
    return repr(v)


def _literal_key(value):
    """A constant by value: arrays by dtype, shape and bytes; tracers by identity."""
    if hasattr(value, "interp"):
        return ("tracer", id(value))
    if isinstance(value, (np.ndarray, np.generic)):
        a = np.asarray(value)
        return ("array", a.dtype.str, a.shape, a.tobytes())
    return (type(value).__name__, value)


def _structure(graph):
    position = {id(v): k for k, v in enumerate(graph.inputs)}

    def atom(a):
        if isinstance(a, Var):
            return ("v", position.get(id(a), -1))
        return ("c", _literal_key(a.value))
    eqns = []
    for eqn in graph.eqns:
        ins = tuple(atom(a) for a in eqn.inputs)
        for v in eqn.outputs:
            position[id(v)] = len(position)
        eqns.append((eqn.prim.name, id(eqn.prim), ins, tuple(sorted(eqn.params.items())),
                     tuple(v.aval for v in eqn.outputs)))
    return (tuple(v.aval for v in graph.inputs), tuple(eqns), tuple(atom(a) for a in graph.outputs))


class Graph:
    """inputs: list of Var; eqns: list of Eqn; outputs: list of Var or Lit."""

    def __init__(self, inputs, eqns, outputs):
        self.inputs, self.eqns, self.outputs = list(inputs), list(eqns), list(outputs)

    # -- names -------------------------------------------------------------
    def names(self):
        """Display names: v_{1-n}..v_0 for inputs, v_1.. for intermediates."""
        names, n = {}, len(self.inputs)
        for i, v in enumerate(self.inputs):
            names[id(v)] = f"v{i + 1 - n}"
        k = 0
        for eqn in self.eqns:
            for v in eqn.outputs:
                k += 1
                names[id(v)] = f"v{k}"
        return names

    def _atom(self, a, names):
        return names.get(id(a), "?") if isinstance(a, Var) else _show_value(a.value)

    # -- printing ----------------------------------------------------------
    def pretty(self):
        names = self.names()
        ins = ", ".join(f"{names[id(v)]}:{v.aval}" for v in self.inputs)
        lines = [f"{{ lambda {ins} ."]
        for eqn in self.eqns:
            outs = " ".join(f"{names[id(v)]}:{v.aval}" for v in eqn.outputs)
            args = " ".join(self._atom(a, names) for a in eqn.inputs)
            params = "".join(f" {k}={_show_param(v, k)}" for k, v in eqn.params.items())
            lines.append(f"    {outs} = {eqn.prim.name}{('[' + params[1:] + ']') if params else ''} {args}")
        outs = ", ".join(self._atom(a, names) for a in self.outputs)
        lines.append(f"  in ({outs}) }}")
        return "\n".join(lines)

    __str__ = pretty

    def __repr__(self):
        return f"<Graph: {len(self.inputs)} inputs, {len(self.eqns)} equations, {len(self.outputs)} outputs>"

    def to_dot(self):
        """Graphviz source of the computational graph (render with `dot -Tpng`)."""
        names = self.names()
        lines = ["digraph wengert {", "  rankdir=LR;", "  node [fontname=Helvetica];"]
        for v in self.inputs:
            lines.append(f'  "{names[id(v)]}" [shape=box, label="{names[id(v)]}\\n{v.aval}"];')
        for i, eqn in enumerate(self.eqns):
            out = " ".join(names[id(v)] for v in eqn.outputs)
            lines.append(f'  "{out}" [shape=ellipse, label="{out} = {eqn.prim.name}\\n{eqn.outputs[0].aval}"];')
            for j, a in enumerate(eqn.inputs):
                if isinstance(a, Var):
                    lines.append(f'  "{names[id(a)]}" -> "{out}";')
                else:
                    lit = f"c{i}_{j}"
                    lines.append(f'  "{lit}" [shape=plaintext, label="{_show_value(a.value)}"];')
                    lines.append(f'  "{lit}" -> "{out}";')
        lines.append("}")
        return "\n".join(lines)

    # `render(path)` and `_repr_svg_` are attached by wengert.explain.render.

    # -- equality ----------------------------------------------------------
    # Two graphs are equal when they are the same program up to the names of their
    # variables: same input avals, same equations in order (primitive, params,
    # which earlier variable or which constant each input is, output avals), same
    # outputs.  A jit cache and common-subexpression elimination rely on this, so
    # every param must hash and compare (tests/test_staging.py checks each
    # primitive).  A Graph is not changed once built, so the key is kept.
    def _key(self):
        key = self.__dict__.get("_structure")
        if key is None:
            key = self.__dict__["_structure"] = _structure(self)
        return key

    def __eq__(self, other):
        return self is other or (isinstance(other, Graph) and self._key() == other._key())

    def __hash__(self):
        return hash(self._key())

    # -- semantics ---------------------------------------------------------
    def eval(self, *args):
        """Evaluate through `bind`, so evaluating a graph can be differentiated."""
        if len(args) != len(self.inputs):
            raise WengertError(f"graph takes {len(self.inputs)} inputs, got {len(args)}")
        for k, (v, a) in enumerate(zip(self.inputs, args)):
            aval = get_aval(a)
            if aval.shape != v.aval.shape or aval.dtype.kind != v.aval.dtype.kind:
                raise WengertError(f"graph input {k} was traced as {v.aval} but got {aval}; "
                                   "trace the function again for these shapes")
        env = {id(v): a for v, a in zip(self.inputs, args)}
        read = lambda a: env[id(a)] if isinstance(a, Var) else a.value
        for eqn in self.eqns:
            out = bind(eqn.prim, *[read(a) for a in eqn.inputs], **eqn.params)
            outs = out if eqn.prim.multiple_results else [out]
            for v, o in zip(eqn.outputs, outs):
                env[id(v)] = o
        return [read(a) for a in self.outputs]

    def typecheck(self):
        """Check every variable is defined before use and every aval matches its op's
        shape rule; raise WengertError naming the first offending equation."""
        defined = {id(v) for v in self.inputs}
        for k, eqn in enumerate(self.eqns):
            for a in eqn.inputs:
                if isinstance(a, Var) and id(a) not in defined:
                    raise WengertError(f"equation {k} ({eqn.prim.name}) uses an undefined variable")
            out = eqn.prim.shape(*[a.aval for a in eqn.inputs], **eqn.params)
            outs = out if eqn.prim.multiple_results else [out]
            for v, aval in zip(eqn.outputs, outs):
                if v.aval != aval:
                    raise WengertError(f"equation {k} ({eqn.prim.name}): output declared "
                                       f"{v.aval} but its shape rule gives {aval}")
                defined.add(id(v))
        for a in self.outputs:
            if isinstance(a, Var) and id(a) not in defined:
                raise WengertError("a graph output is never defined")
        return True
