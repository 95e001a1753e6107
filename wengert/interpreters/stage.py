"""Staging: abstract evaluation into an IR `Graph` (the Wengert list).

A `StageTracer` carries only an aval and the `Var` it stands for.  Each
primitive applied to one of our tracers appends an `Eqn` whose output avals come
from the primitive's `shape` rule; nothing is computed.  Operations on
constants alone are evaluated below us (constant folding for free).
"""
from ..core import Interpreter, Tracer, get_aval
from ..ir import Eqn, Graph, Lit, Var


class StageTracer(Tracer):
    __slots__ = ("var",)

    def __init__(self, interp, var):
        self.interp, self.var = interp, var

    @property
    def aval(self):
        return self.var.aval


class StageInterpreter(Interpreter):
    name = "make_graph"

    def __init__(self, parent):
        super().__init__(parent)
        self.eqns = []

    def new_arg(self, aval):
        return StageTracer(self, Var(aval))

    def process(self, prim, args, params):
        if not any(type(a) is StageTracer and a.interp is self for a in args):
            return self.parent.process(prim, args, params)
        ins = [a.var if type(a) is StageTracer and a.interp is self else Lit(a) for a in args]
        out_avals = prim.shape(*[get_aval(a) for a in args], **params)
        if prim.multiple_results:
            outs = [Var(aval) for aval in out_avals]
        else:
            outs = [Var(out_avals)]
        self.eqns.append(Eqn(prim, ins, outs, params))
        tracers = [StageTracer(self, v) for v in outs]
        return tracers if prim.multiple_results else tracers[0]

    def graph(self, in_tracers, outs):
        out_atoms = [o.var if type(o) is StageTracer and o.interp is self else Lit(o)
                     for o in outs]
        return Graph([t.var for t in in_tracers], self.eqns, out_atoms)
