"""Taylor mode: tracers carry truncated Taylor series.

Dual numbers are the algebra a + b*eps with eps^2 = 0.  Taylor mode takes the
algebra with eps^(K+1) = 0 instead: a traced value stands for a curve

    x(t) = x0 + x1 t + x2 t^2 + ... + xK t^K        (terms of order > K dropped)

whose coefficients are the *normalised* Taylor coefficients x_j = x^(j)(0) / j!.
Pushing such a series through f gives the series of y(t) = f(x(t)); seeding
x(t) = x0 + t gives y_j = f^(j)(x0) / j! for every j <= K in ONE pass, at
O(K^2) per operation, where nesting first-order AD K times costs exponentially.

A `TaylorTracer` holds the primal x0 and the higher coefficients x1..xK as ONE
array `s` of shape (K, *x0.shape): the order is the leading axis, so a rule
handles all coefficients with one NumPy call per step.  A value that is not one
of our tracers is a constant: its series is zero, passed to rules as `None`, so
constants cost nothing.

`TaylorInterpreter.process` mirrors the forward-mode interpreter (jvp.py): it
unpacks its own tracers and calls the primitive's rule

    prim.taylor(primals, series, **params) -> (y0, s_y)

with `s_y` None for an output that does not depend on our inputs.  The rules
live next to each primitive in wengert/ops and are written in wengert ops, and
they run under the *parent* interpreter.  So a coefficient can be differentiated
again: `grad` of a Taylor coefficient (reverse over Taylor) and Taylor of a
function calling `grad` both work, and since each transform has its own
interpreter object, nesting cannot confuse perturbations.

A primitive whose only rule is its jvp still gets a Taylor rule, derived from
it beside the primitive (`ops.series.taylor_from_jvp`): y(t) = f(x(t)) solves
the ODE y' = J_f(x(t)) x'(t), whose right-hand side is the jvp rule evaluated
on series one order shorter.
"""
from ..core import Interpreter, MissingRuleError, Tracer, _current, current_interpreter, get_aval, running


class TaylorTracer(Tracer):
    __slots__ = ("x", "s")

    def __init__(self, interp, x, s):
        self.interp, self.x, self.s = interp, x, s

    @property
    def aval(self):
        return get_aval(self.x)



class TaylorInterpreter(Interpreter):
    differentiates = True

    def __init__(self, parent, order, name="taylor"):
        self.parent, self.alive, self.order, self.name = parent, True, order, name

    def concrete(self, tracer, why):
        # A branch on a value loses no coefficient: the series follows the branch taken
        # at t = 0, as forward mode's does.
        return tracer.x

    def process(self, prim, args, params):
        xs, ss, mine = [], [], False
        for a in args:
            if type(a) is TaylorTracer and a.interp is self:
                xs.append(a.x)
                ss.append(a.s)
                mine = True
            else:
                xs.append(a)
                ss.append(None)
        if not mine:             # nothing of ours: not our business
            return self.parent.process(prim, args, params)
        if prim.nondiff:         # comparisons, floor, argmax: constant series
            return self.parent.process(prim, xs, params)
        rule = prim.taylor
        if rule is None:
            raise MissingRuleError(f"primitive '{prim.name}' has no taylor rule, which `{self.name}` "
                                   "needs to propagate Taylor series through it; define "
                                   "`prim.taylor`, or wrap the computation in custom_jvp")
        token = _current.set(self.parent)    # the rule's own ops go to the parent
        try:
            y, s = rule(xs, ss, **params)
        finally:
            _current.reset(token)
        if prim.multiple_results:
            return [self.wrap(yi, si) for yi, si in zip(y, s)]
        return self.wrap(y, s)

    def wrap(self, y, s):
        # An output with no series is a constant to us: hand back the bare primal.
        return y if s is None else TaylorTracer(self, y, s)

    def unwrap(self, out):
        """(primal, series or None) of an output of a function traced by us."""
        if type(out) is TaylorTracer and out.interp is self:
            return out.x, out.s
        return out, None


# --------------------------------------------------------------------------
# Running a function on series.  One fresh interpreter per call, parented on
# whatever is current (possibly another Taylor interpreter, a jvp, a tape),
# invalidated on return so an escaped tracer raises.
# --------------------------------------------------------------------------
def taylor_call(fun, primals, series, order, name="taylor"):
    """Outputs of `fun(*primals)` with their series: ([y0, ...], [s_y or None, ...]).

    `series[i]` is None (a constant) or shaped (order, *shape of primals[i]);
    `fun` takes and returns flat lists."""
    interp = TaylorInterpreter(current_interpreter(), order, name)
    tracers = [x if s is None else TaylorTracer(interp, x, s) for x, s in zip(primals, series)]
    with running(interp):
        outs = fun(*tracers)
    pairs = [interp.unwrap(o) for o in outs]
    return [p for p, _ in pairs], [s for _, s in pairs]
