"""The backward pass: transpose a linear tape.

The tape records y = L(x) as a list of linear entries.  Its transpose maps an
output cotangent to input cotangents by visiting the entries in reverse and
applying each primitive's `transpose` rule, which receives the arguments it is
linear in as `UndefinedPrimal` placeholders (carrying only their aval) and the
other arguments (the residuals) as values.  Cotangents meeting at one slot are
summed: this is the adjoint accumulation  v̄_j += v̄_i * dphi_i/dv_j  of the
lecture.

Everything here is a loop over a list (no recursion), so a tape of a million
entries needs no deep Python stack.  The transpose rules are written in
wengert ops and run under the interpreter that was current when the transform
started, which is how reverse mode nests inside reverse or forward mode.
"""
import numpy as np

from ..core import UndefinedPrimal, Zero, call_under, get_aval, is_undefined  # noqa: F401
from .linearize import LinearTracer


def backward_pass(tape_interp, in_tracers, out_tracers, out_cts, under, consume):
    """Cotangents of `in_tracers` given cotangents `out_cts` of `out_tracers`.

    `consume=True` pops entries as they are used, so residual memory is released
    while the backward pass runs (grad); vjp's pullback keeps the tape to be
    called again.
    """
    return call_under(under, _backward, tape_interp, in_tracers, out_tracers, out_cts, consume)


def _backward(tape_interp, in_tracers, out_tracers, out_cts, consume):
    from ..ops.elementwise import add_tangents
    cts = {}
    for o, ct in zip(out_tracers, out_cts):
        if type(o) is LinearTracer and o.interp is tape_interp and type(ct) is not Zero:
            cts[o.slot] = ct if o.slot not in cts else add_tangents(cts[o.slot], ct)
    tape = tape_interp.tape
    entries = tape if not consume else None
    i = len(tape)
    while i:
        i -= 1
        prim, params, args, out = tape.pop() if consume else entries[i]
        if type(out) is list:        # a multiple-result linear op
            ct = [cts.pop(o.slot, None) for o in out]
            if all(c is None for c in ct):
                continue
            ct = [Zero(np.zeros(o.aval.shape, o.aval.dtype)) if c is None else c for c, o in zip(ct, out)]
        else:
            ct = cts.pop(out.slot, None)
            if ct is None:
                continue
        _transpose_entry(tape_interp, prim, params, args, ct, cts, add_tangents)
    return [cts.get(t.slot) for t in in_tracers]


def _transpose_entry(tape_interp, prim, params, args, ct, cts, add_tangents):
    targs = [UndefinedPrimal(a.aval) if type(a) is LinearTracer and a.interp is tape_interp
             else a for a in args]
    arg_cts = prim.transpose(ct, *targs, **params)
    for a, a_ct in zip(args, arg_cts):
        if a_ct is None or type(a_ct) is Zero or type(a) is not LinearTracer \
                or a.interp is not tape_interp:
            continue
        a_ct = _cast(a_ct, a.aval)
        slot = a.slot
        cts[slot] = a_ct if slot not in cts else add_tangents(cts[slot], a_ct)


def _cast(ct, aval):
    # A float32 input promoted by a float64 constant gets its cotangent back in float32.
    dtype = getattr(ct, "dtype", None)
    if dtype is None:
        dtype = get_aval(ct).dtype
    if dtype != aval.dtype:
        from ..ops.elementwise import convert_element_type
        return convert_element_type(ct, aval.dtype)
    return ct
