"""Forward mode: tracers are dual numbers (primal, tangent).

`JVPInterpreter.process` unpacks its own tracers, gives every other argument a
symbolic `Zero` tangent, and calls the primitive's `jvp` rule.  The rule is
written in wengert ops, and we run it under `self.inner`:

* for plain forward mode, `inner` is the parent interpreter, so the tangent
  arithmetic is simply evaluated (or traced by an enclosing transform);
* for reverse mode, `inner` is a `TapeInterpreter` (see linearize.py) whose
  tracers are the tangents.  The primal half of each rule still runs eagerly,
  while the tangent half is *recorded* as a linear tape to be transposed.

That second use is the point of the design: one tangent rule per nonlinear op
gives forward mode, reverse mode, and every nesting of the two.
"""
from ..core import Interpreter, MissingRuleError, Tracer, Zero, _current, get_aval


class JVPTracer(Tracer):
    __slots__ = ("x", "t")

    def __init__(self, interp, x, t):
        self.interp, self.x, self.t = interp, x, t

    @property
    def aval(self):
        return get_aval(self.x)



class JVPInterpreter(Interpreter):
    differentiates = True

    def __init__(self, parent, inner=None, name="jvp"):
        self.parent, self.alive, self.name = parent, True, name
        self.inner = parent if inner is None else inner

    def concrete(self, tracer, why):
        # A branch on a value loses no derivative: the primal is known here.
        return tracer.x

    def process(self, prim, args, params):
        xs, ts, mine = [], [], False
        for a in args:
            if type(a) is JVPTracer and a.interp is self:
                xs.append(a.x)
                ts.append(a.t)
                mine = True
            else:
                xs.append(a)
                ts.append(Zero(a))
        if not mine:             # nothing of ours: not our business
            return self.parent.process(prim, args, params)
        if prim.nondiff:         # comparisons, floor, argmax: the result is a constant to us
            return self.parent.process(prim, xs, params)
        rule = prim.jvp
        if rule is None:
            raise MissingRuleError(f"primitive '{prim.name}' has no jvp rule, which `{self.name}` "
                                   "needs to differentiate it; define `prim.jvp`, or wrap the "
                                   "computation in custom_jvp/custom_vjp")
        token = _current.set(self.inner)     # the rule's own ops go to the inner interpreter
        try:
            y, t = rule(xs, ts, **params)
        finally:
            _current.reset(token)
        if prim.multiple_results:
            return [self.wrap(yi, ti) for yi, ti in zip(y, t)]
        return y if type(t) is Zero else JVPTracer(self, y, t)

    def wrap(self, y, t):
        # An output with a zero tangent is a constant to this interpreter: returning
        # the bare primal lets later ops (and Python `if`s) skip us entirely.
        return y if type(t) is Zero else JVPTracer(self, y, t)
