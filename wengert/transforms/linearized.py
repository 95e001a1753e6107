"""A function run once under forward mode with its tangents taped: the shared
first step of reverse mode (grad, vjp), linearize and the Jacobians."""
from ..core import InputError, Zero, _current, get_aval, running
from ..interpreters.jvp import JVPInterpreter, JVPTracer
from ..interpreters.linearize import TapeInterpreter, forward_pass
from ..interpreters.transpose import backward_pass
from ..tree import tree_flatten, tree_unflatten
from ._inputs import _SINGLE, _finalize


class Linearized:
    """A function run once under forward mode with its tangents taped.

    `out` holds the primal outputs (flat), `lin_out` their tangents: tracers of
    the tape, or `Zero` for outputs that do not depend on the inputs.  The tape
    can then be swept backward (`transpose`, reverse mode) or forward
    (`forward`, linearize and forward-mode Jacobians) as often as wanted.
    """

    def __init__(self, fn, leaves, name, has_aux=False, allow_int=False):
        self.parent = parent = _current.get()
        self.tape = TapeInterpreter(parent)
        self.name, self.inputs = name, leaves
        jvp = JVPInterpreter(parent, inner=self.tape, name=name)
        tracers = self._seed(jvp, leaves)
        with running(jvp, self.tape):
            out = fn(*tracers)
        self.aux = None
        self._read_outputs(self._split_aux(out, jvp) if has_aux else out, jvp)

    def _seed(self, jvp, leaves):
        """One tracer per input: its tangent a fresh tape slot (integers stay constants)."""
        self.in_lin, tracers = [], []
        for x in leaves:
            aval = get_aval(x)
            t = self.tape.new_tracer(aval) if aval.dtype.kind in "fc" else None   # allow_int
            tracers.append(x if t is None else JVPTracer(jvp, x, t))
            self.in_lin.append(t)
        return tracers

    def _split_aux(self, out, jvp):
        if not (isinstance(out, (tuple, list)) and len(out) == 2):
            raise InputError(f"{self.name}(has_aux=True) needs the function to return a pair "
                             f"(output, aux); it returned {type(out).__name__}")
        out, aux = out
        aux_leaves, aux_td = tree_flatten(aux)
        self.aux = tree_unflatten(aux_td, [_strip(a, jvp) for a in aux_leaves])
        return out

    def _read_outputs(self, out, jvp):
        if type(out) is JVPTracer and out.interp is jvp:   # the common case: one traced array
            self.out, self.lin_out, self.out_td = [out.x], [out.t], _SINGLE
            return
        leaves_out, self.out_td = tree_flatten(out)
        self.out, self.lin_out = [], []
        for o in leaves_out:
            if type(o) is JVPTracer and o.interp is jvp:
                self.out.append(o.x)
                self.lin_out.append(o.t)
            else:
                get_aval(o)   # raises a clear error for non-array outputs
                self.out.append(o)
                self.lin_out.append(Zero(o))

    def transpose(self, cts, consume):
        in_lin = self.in_lin
        lin = [t for t in in_lin if t is not None]
        lin = in_lin if len(lin) == len(in_lin) else lin
        got = backward_pass(self.tape, lin, self.lin_out, cts, _current.get(), consume)
        if lin is in_lin:
            return [_finalize(g, x) for g, x in zip(got, self.inputs)]
        it = iter(got)
        return [_finalize(next(it) if t is not None else None, x) for t, x in zip(in_lin, self.inputs)]

    def forward(self, tangents):
        lin = [t for t in self.in_lin if t is not None]
        ts = [t for t, l in zip(tangents, self.in_lin) if l is not None]
        outs = forward_pass(self.tape, lin, ts, self.lin_out)
        return [_finalize(t, o) for t, o in zip(outs, self.out)]

    def release(self):
        self.tape.tape.clear()


def _strip(a, interp):
    return a.x if type(a) is JVPTracer and a.interp is interp else a
