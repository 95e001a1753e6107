"""Dual numbers as a value type, for teaching and for scalar use.

`Dual(a, b)` is a + b*epsilon with epsilon^2 = 0.  It is a thin face over the
forward-mode interpreter, not a second arithmetic: every operation on duals is
`jvp` of that operation, with the duals' parts as primals and tangents.  The
operators call `jvp` directly; a `wengert.numpy` function reaches the bottom
interpreter with a dual among its arguments, where NumPy refuses it with a
TypeError, and the evaluator hands the primitive to `_wengert_apply` below
(core.EvalInterpreter), which again is one `jvp`.  That costs an exception per
call, which is fine for a teaching type and costs the normal path nothing.
"""
from __future__ import annotations

import operator

import numpy as np

from .core import InputError, get_aval


class Dual:
    """A dual number ``primal + tangent * epsilon`` (epsilon**2 = 0).

    Arithmetic and every `wengert.numpy` function apply to it; the tangent of
    the result is the derivative along the input's tangent.

    Args:
      primal: a number or array (the value, a).
      tangent: a number or array of the same shape (b); default 0.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> import math
      >>> y = wg.Dual(math.pi, 1.0) ** 2 / wnp.cos(wg.Dual(math.pi, 1.0))
      >>> print(y)                      # -pi^2 and -2 pi
      -9.8696 - 6.28319ε
      >>> wg.Dual(2.0, 1.0).as_matrix()
      array([[2., 1.],
             [0., 2.]])
    """
    __slots__ = ("primal", "tangent")
    __array_ufunc__ = None          # NumPy raises TypeError instead of making object arrays
    __array_priority__ = 2000

    def __init__(self, primal, tangent=0.0):
        for part, name in ((primal, "primal"), (tangent, "tangent")):
            if isinstance(part, Dual):
                raise InputError(f"Dual {name} is itself a Dual; nested duals are not supported, "
                                 "use wg.jvp of wg.jvp (or wg.Taylor) for higher derivatives")
        self.primal = _float(primal, "primal")
        dtype = get_aval(self.primal).dtype
        t = np.asarray(_float(tangent, "tangent")) if not hasattr(tangent, "interp") else tangent
        if get_aval(t).shape != get_aval(self.primal).shape:
            if hasattr(t, "interp"):
                raise InputError(f"Dual tangent has shape {get_aval(t).shape} but the primal has "
                                 f"{get_aval(self.primal).shape}")
            try:
                t = np.broadcast_to(t, get_aval(self.primal).shape)
            except ValueError:
                raise InputError(f"Dual tangent has shape {np.shape(t)} but the primal has "
                                 f"{get_aval(self.primal).shape}") from None
        self.tangent = t.astype(dtype)[()] if not hasattr(t, "interp") else t

    shape = property(lambda self: get_aval(self.primal).shape)
    dtype = property(lambda self: get_aval(self.primal).dtype)
    ndim = property(lambda self: len(self.shape))

    def as_matrix(self):
        """The 2x2 matrix [[a, b], [0, a]]: dual arithmetic is this matrix algebra."""
        if self.shape != ():
            raise InputError(f"as_matrix is defined for scalar duals; this one has shape {self.shape}")
        a, b = np.asarray(self.primal), np.asarray(self.tangent)
        return np.array([[a, b], [np.zeros_like(a), a]])

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a Dual is not an array; use .primal and .tangent, or wengert.numpy functions")

    def __repr__(self):
        return f"Dual({_show(self.primal)}, {_show(self.tangent)})"

    def __str__(self):
        t = self.tangent
        if self.shape == () and not hasattr(t, "interp") and float(t) < 0:
            return f"{_show(self.primal)} - {_show(-t)}ε"
        return f"{_show(self.primal)} + {_show(t)}ε"

    def __bool__(self):
        return bool(self.primal)

    def __getitem__(self, idx):
        return _lift(operator.getitem, self, idx)

    def __len__(self):
        return len(self.primal)

    @classmethod
    def _wengert_apply(cls, prim, args, params):
        """Called by the evaluator when a primitive meets a Dual (see the module docstring)."""
        if prim.nondiff:
            return prim.bind(*[a.primal if isinstance(a, Dual) else a for a in args], **params)
        return _lift(lambda *xs: prim.bind(*xs, **params), *args)


def _float(x, what):
    if hasattr(x, "interp"):
        return x
    try:
        a = np.asarray(x)
    except TypeError:
        a = np.asarray(None)
    if a.dtype.kind in "biu":
        a = a.astype(np.float64)
    if a.dtype.kind != "f":
        raise InputError(f"Dual {what} must be a real number or array, got {type(x).__name__} "
                         f"({x!r:.40})")
    return a[()]


def _show(x):
    if hasattr(x, "interp"):
        return repr(x)
    a = np.asarray(x)
    return f"{float(a):g}" if a.shape == () else np.array2string(a, precision=6)


def _lift(fn, *args):
    """Apply `fn` to args that may be Duals: one `jvp` with the duals' parts."""
    from .api import jvp
    slots = [i for i, a in enumerate(args) if isinstance(a, Dual)]

    def on_primals(*xs):
        full = list(args)
        for i, x in zip(slots, xs):
            full[i] = x
        return fn(*full)
    y, t = jvp(on_primals, tuple(args[i].primal for i in slots), tuple(args[i].tangent for i in slots))
    if isinstance(y, (tuple, list)):
        return type(y)(Dual(yi, ti) for yi, ti in zip(y, t))
    return Dual(y, t) if get_aval(y).dtype.kind == "f" else y


def _binary(op):
    def method(self, other):
        return _lift(op, self, other)

    def reflected(self, other):
        return _lift(op, other, self)
    return method, reflected


def _operators():
    from . import numpy as wnp
    for name, op in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                     ("truediv", operator.truediv), ("pow", operator.pow), ("matmul", operator.matmul)):
        method, reflected = _binary(op)
        setattr(Dual, f"__{name}__", method)
        setattr(Dual, f"__r{name}__", reflected)
    for name in ("lt", "le", "gt", "ge", "eq", "ne"):
        op = getattr(operator, name)
        setattr(Dual, f"__{name}__", (lambda op: lambda self, other: op(
            self.primal, other.primal if isinstance(other, Dual) else other))(op))
    Dual.__neg__ = lambda self: _lift(operator.neg, self)
    Dual.__pos__ = lambda self: self
    Dual.__abs__ = lambda self: _lift(wnp.abs, self)
    Dual.__hash__ = None


_operators()
