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

from ..core import EVAL, Zero, _current, call_under, get_aval
from ..core import primitives as P    # the op tables sit a layer above: ops by name
from .linearize import LinearTracer, linear_in, nonlinear_error


def backward_pass(tape_interp, in_tracers, out_tracers, out_cts, under, consume):
    """Cotangents of `in_tracers` given cotangents `out_cts` of `out_tracers`.

    `consume=True` pops entries as they are used, so residual memory is released
    while the backward pass runs (grad); vjp's pullback keeps the tape to be
    called again.
    """
    cts = _Cotangents(under is EVAL)
    if under is _current.get():
        return _backward(tape_interp, in_tracers, out_tracers, out_cts, consume, cts)
    return call_under(under, _backward, tape_interp, in_tracers, out_tracers, out_cts, consume, cts)


def _backward(tape_interp, in_tracers, out_tracers, out_cts, consume, cts):
    for o, ct in zip(out_tracers, out_cts):
        if type(o) is LinearTracer and o.interp is tape_interp and type(ct) is not Zero:
            cts.add(o.slot, ct)
    tape = tape_interp.tape
    entries = tape if not consume else None
    i = len(tape)
    while i:
        i -= 1
        prim, params, targs, out, lin = tape.pop() if consume else entries[i]
        if type(out) is list:        # a multiple-result linear op
            ct = [cts.pop(o.slot) for o in out]
            if all(c is None for c in ct):
                continue
            ct = [Zero(np.zeros(o.aval.shape, o.aval.dtype)) if c is None else c for c, o in zip(ct, out)]
        else:
            owned = out.slot in cts.owned
            ct = cts.pop(out.slot)
            if ct is None:
                continue
            if prim.linear_args is not None and not linear_in(prim, lin):
                raise nonlinear_error(prim, lin)
            if owned and _in_place(prim, targs, lin, ct, cts):
                continue
        _transpose_entry(prim, params, targs, lin, ct, cts)
    return [cts.get(t.slot) for t in in_tracers]


def _transpose_entry(prim, params, targs, lin, ct, cts):
    if prim.transpose_into is not None and cts.add_into(prim, targs, lin, ct, params):
        return
    arg_cts = prim.transpose(ct, *targs, **params)
    for i, a in lin:
        a_ct = arg_cts[i]
        if a_ct is None or type(a_ct) is Zero:
            continue
        cts.add(a.slot, _cast(a_ct, a._aval), prim.fresh_transpose)


def _in_place(prim, targs, lin, ct, cts):
    """The primitive's in-place transpose on a cotangent buffer this pass owns (NumPy's
    temporary elision, which eager evaluation otherwise loses)."""
    if prim.transpose_in_place is None or len(lin) != 1 or type(ct) is not np.ndarray:
        return False
    i, a = lin[0]
    if a._aval.shape != ct.shape or a._aval.dtype != ct.dtype:
        return False
    if not prim.transpose_in_place(ct, targs, i):
        return False
    cts.add(a.slot, ct, fresh=True)
    return True


class _Cotangents:
    """Cotangents by tape slot, summed as they arrive.

    On concrete arrays (the backward pass is not itself being differentiated)
    sums go in place into buffers this object allocated, and a slice's
    cotangent is added straight into its source's buffer (`acc[idx] += ct`)
    rather than scattered into a new array of zeros first.  Ownership is per
    slot: a buffer handed to a transpose rule is never written again, since
    rules may return it aliased (add's transpose returns ct to both inputs).
    """

    __slots__ = ("cts", "owned", "inplace")

    def __init__(self, inplace):
        self.cts, self.owned, self.inplace = {}, set(), inplace

    def get(self, slot):
        return self.cts.get(slot)

    def pop(self, slot):
        self.owned.discard(slot)
        return self.cts.pop(slot, None)

    def add(self, slot, ct, fresh=False):
        old = self.cts.get(slot)
        if old is None:
            self.cts[slot] = ct
            if fresh and self.inplace and type(ct) is np.ndarray and ct.flags.owndata \
                    and ct.flags.writeable:
                self.owned.add(slot)
        elif slot in self.owned and np.shape(ct) == old.shape:
            np.add(old, ct, out=old)
        else:
            new = self.cts[slot] = P.add.bind(old, ct)
            if self.inplace and type(new) is np.ndarray and new.ndim:
                self.owned.add(slot)

    def add_into(self, prim, targs, lin, ct, params):
        """Add the transpose of `prim` straight into its linear argument's buffer
        (owning it first) instead of materialising it: a slice's cotangent becomes
        `acc[idx] += ct`.  False when there is no buffer to add into yet."""
        x = lin[0][1]
        old = self.cts.get(x.slot)
        if not self.inplace or type(old) is not np.ndarray or old.shape != x.aval.shape \
                or not old.ndim:
            return False
        if x.slot not in self.owned:
            old = self.cts[x.slot] = np.array(old, dtype=x.aval.dtype, copy=True)
            self.owned.add(x.slot)
        prim.transpose_into(old, ct, targs, **params)
        return True





def _cast(ct, aval):
    # A float32 input promoted by a float64 constant gets its cotangent back in float32.
    dtype = getattr(ct, "dtype", None)
    if dtype is aval.dtype:
        return ct
    if dtype is None:
        dtype = get_aval(ct).dtype
    if dtype != aval.dtype:
        return P.convert_element_type.bind(ct, dtype=aval.dtype)
    return ct
