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
        if not any(isinstance(a, StageTracer) and a.interp is self for a in args):
            return self.parent.process(prim, args, params)
        tracers = [StageTracer(self, v) for v in self.record(prim, args, params)]
        return tracers if prim.multiple_results else tracers[0]

    def record(self, prim, args, params):
        """Append the equation of `prim` applied to `args`; return its output Vars."""
        ins = [a.var if isinstance(a, StageTracer) and a.interp is self else Lit(a) for a in args]
        out_avals = prim.shape(*[get_aval(a) for a in args], **params)
        outs = [Var(aval) for aval in (out_avals if prim.multiple_results else [out_avals])]
        self.eqns.append(Eqn(prim, ins, outs, params))
        return outs

    def graph(self, in_tracers, outs):
        out_atoms = [o.var if isinstance(o, StageTracer) and o.interp is self else Lit(o)
                     for o in outs]
        return Graph([t.var for t in in_tracers], self.eqns, out_atoms)


# --------------------------------------------------------------------------
# Staging at a point.  The evaluation trace of the lectures is a Wengert list
# *with numbers*: `trace` stages a function while also evaluating it, so each
# tracer carries its concrete value `x` beside its `Var`.  Anything that needs
# a value (an index from argmax, a sort order, a Python `if`) then resolves at
# this point, as it would in the eager transforms, and the graph records the
# path taken.
# --------------------------------------------------------------------------
class ValueStageTracer(StageTracer):
    __slots__ = ("x",)

    def __init__(self, interp, var, x):
        self.interp, self.var, self.x = interp, var, x



class ValueStageInterpreter(StageInterpreter):
    name = "trace"

    def concrete(self, tracer, why):
        return tracer.x      # the path taken at this point is the one recorded

    def __init__(self, parent):
        super().__init__(parent)
        self.values = {}         # id(Var) -> concrete value

    def new_arg(self, aval, x):
        tracer = ValueStageTracer(self, Var(aval), x)
        self.values[id(tracer.var)] = x
        return tracer

    def process(self, prim, args, params):
        if not any(type(a) is ValueStageTracer and a.interp is self for a in args):
            return self.parent.process(prim, args, params)
        xs = [a.x if type(a) is ValueStageTracer and a.interp is self else a for a in args]
        ys = self.parent.process(prim, xs, params)          # the numbers ...
        outs = self.record(prim, args, params)               # ... and the equation
        tracers = []
        for var, y in zip(outs, ys if prim.multiple_results else [ys]):
            self.values[id(var)] = y
            tracers.append(ValueStageTracer(self, var, y))
        return tracers if prim.multiple_results else tracers[0]
