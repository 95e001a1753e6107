"""The linear tape of reverse mode.

Reverse mode here is *derived* from forward mode.  `vjp` runs a JVPInterpreter
whose tangents are `LinearTracer`s of a `TapeInterpreter`.  The primal half of
every jvp rule is evaluated eagerly by the parent; the tangent half applies
linear primitives (mul by a residual, add, reduce_sum, reshape, ...) to linear
tracers, and the tape interpreter records each of those as one small entry:

    (primitive, params, args, out)

where `args` mixes linear tracers (the tape's slots) and constants (the
residuals the forward pass computed, e.g. cos(x) for sin).  It is stored the
way the backward pass consumes it: `targs`, the arguments with each linear
tracer replaced by an `UndefinedPrimal` placeholder (ready to hand to the
transpose rule), and `lin`, the (position, tracer) pairs of those tracers.  The backward pass
(transpose.py) walks the entries in reverse applying `transpose` rules.
Shapes come from the primitives' `shape` rules on avals; no `Graph` with named
variables is built unless someone asks for one (`tape_to_graph`).
"""
import numpy as np

from ..core import Interpreter, MissingRuleError, Tracer, UndefinedPrimal, get_aval


class LinearTracer(Tracer):
    __slots__ = ("_aval", "slot")

    def __init__(self, interp, aval, slot):
        self.interp, self._aval, self.slot = interp, aval, slot

    @property
    def aval(self):
        return self._aval


class TapeInterpreter(Interpreter):
    name = "linear tape"
    differentiates = True     # its tracers are tangents: they have no value (`concrete` raises)

    def __init__(self, parent):
        self.parent, self.alive = parent, True
        self.tape = []        # entries (prim, params, targs, out, lin); see the module docstring
        self.nslots = 0

    def new_tracer(self, aval):
        tracer = LinearTracer(self, aval, self.nslots)
        self.nslots += 1
        return tracer

    def process(self, prim, args, params):
        for a in args:
            if type(a) is LinearTracer and a.interp is self:
                break
        else:             # residual arithmetic: evaluate it now, below us
            return self.parent.process(prim, args, params)
        lin, targs, avals = [], list(args), []
        for i, a in enumerate(args):
            if type(a) is LinearTracer and a.interp is self:
                aval = a._aval
                lin.append((i, a))
                targs[i] = UndefinedPrimal(aval)
            else:
                aval = get_aval(a)
            avals.append(aval)
        if not prim.linear:
            raise nonlinear_error(prim, lin)
        aval = prim.shape(*avals, **params)
        if prim.multiple_results:     # e.g. custom_vjp's linear op: a list of outputs
            out = [self.new_tracer(a) for a in aval]
        else:
            out = LinearTracer(self, aval, self.nslots)
            self.nslots += 1
        self.tape.append((prim, params, targs, out, lin))
        return out


def nonlinear_error(prim, lin):
    return MissingRuleError(
        f"primitive '{prim.name}' was applied to tangents in a way that is not linear (tangent "
        f"arguments at positions {[i for i, _ in lin]}), so reverse mode cannot transpose it. A "
        "jvp rule may only apply linear ops to tangents, e.g. t * c but not t * t; if this is "
        "a custom_jvp rule, make it linear in the tangents")


def linear_in(prim, lin):
    """Whether the tangent arguments `lin` are ones `prim` is linear in (checked in the
    backward pass, off the recording hot path)."""
    allowed = prim.linear_args
    if allowed == "one":
        return len(lin) == 1
    for i, _ in lin:
        if i not in allowed:
            return False
    return True


def entry_args(targs, lin):
    """An entry's arguments with its linear tracers back in place."""
    args = list(targs)
    for i, a in lin:
        args[i] = a
    return args


def forward_pass(tape_interp, in_tracers, tangents, out_tracers):
    """Replay the tape on new input tangents: the Jacobian-vector product J t.
    Runs under the current interpreter, so it can itself be differentiated."""
    from ..core import Zero, bind
    env = {t.slot: v for t, v in zip(in_tracers, tangents) if type(v) is not Zero}
    for prim, params, targs, out, lin in tape_interp.tape:
        vals, live = list(targs), False
        for i, a in lin:
            v = env.get(a.slot)
            if v is None:         # a zero tangent: instantiate for this op
                v = np.zeros(a.aval.shape, a.aval.dtype)
            else:
                live = True
            vals[i] = v
        if live:
            if prim.multiple_results:
                env.update((o.slot, v) for o, v in zip(out, bind(prim, *vals, **params)))
            else:
                env[out.slot] = bind(prim, *vals, **params)
    return [env.get(o.slot) if type(o) is LinearTracer else None for o in out_tracers]


def tape_to_graph(tape_interp, in_tracers, out_tracers):
    """The linear tape as a Wengert-list `Graph` (residuals appear as constants)."""
    from ..ir import Eqn, Graph, Lit, Var
    var = {}

    def atom(a):
        if type(a) is LinearTracer and a.interp is tape_interp:
            if a.slot not in var:
                var[a.slot] = Var(a.aval)
            return var[a.slot]
        return Lit(a)
    inputs = [atom(t) for t in in_tracers]
    eqns = [Eqn(prim, [atom(a) for a in entry_args(targs, lin)],
                [atom(o) for o in (out if type(out) is list else [out])], params)
            for prim, params, targs, out, lin in tape_interp.tape]
    outs = [atom(o) if type(o) is LinearTracer else Lit(0.0) for o in out_tracers]
    return Graph(inputs, eqns, outs)
