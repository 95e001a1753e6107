"""Dual numbers and truncated Taylor series as value types, for teaching and scalar use.

`Dual(a, b)` is a + b*eps with eps^2 = 0; `Taylor([c0, c1, ..., cK])` is
c0 + c1 eps + ... + cK eps^K with eps^(K+1) = 0.  Both are thin faces over an
interpreter, not a second arithmetic: every operation on duals is `jvp` of that
operation (the duals' parts as primals and tangents), and every operation on
Taylor values is `taylor` of it.  The operators call the transform directly; a
`wengert.numpy` function reaches the bottom interpreter with such a value among
its arguments, where NumPy refuses it with a TypeError, and the evaluator hands
the primitive to the value's `_wengert_apply` (core.EvalInterpreter), which
again is one transform of that primitive.  That costs an exception per call,
which is fine for teaching types and costs the normal path nothing.
"""
from __future__ import annotations

import operator

import numpy as np

from .core import InputError, get_aval


class _ValueType:
    """What Dual and Taylor share: NumPy refuses them (so wengert.numpy functions reach
    `_wengert_apply` through the evaluator), and every operation is `cls._lift`, one
    transform of that operation (jvp for Dual, taylor for Taylor)."""
    __slots__ = ()
    __array_ufunc__ = None          # NumPy raises TypeError instead of making object arrays
    __array_priority__ = 2000

    def __array__(self, dtype=None, copy=None):
        raise TypeError(f"a {type(self).__name__} is not an array; use its parts, or "
                        "wengert.numpy functions")

    def __bool__(self):
        return bool(self.primal)

    def __getitem__(self, idx):
        return self._lift(operator.getitem, self, idx)

    @classmethod
    def _wengert_apply(cls, prim, args, params):
        """Called by the evaluator when a primitive meets one of these values."""
        if prim.nondiff:
            return prim.bind(*[a.primal if isinstance(a, cls) else a for a in args], **params)
        return cls._lift(lambda *xs: prim.bind(*xs, **params), *args)


class Dual(_ValueType):
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

    def __repr__(self):
        return f"Dual({_show(self.primal)}, {_show(self.tangent)})"

    def __str__(self):
        t = self.tangent
        if self.shape == () and not hasattr(t, "interp") and float(t) < 0:
            return f"{_show(self.primal)} - {_show(-t)}ε"
        return f"{_show(self.primal)} + {_show(t)}ε"

    def __len__(self):
        return len(self.primal)


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


def _at_slots(fn, args, slots):
    """fn of args with the values at `slots` replaced: the function a transform sees."""
    def on_primals(*xs):
        full = list(args)
        for i, x in zip(slots, xs):
            full[i] = x
        return fn(*full)
    return on_primals


def _lift(fn, *args):
    """Apply `fn` to args that may be Duals: one `jvp` with the duals' parts."""
    from .transforms import jvp
    slots = [i for i, a in enumerate(args) if isinstance(a, Dual)]
    y, t = jvp(_at_slots(fn, args, slots), tuple(args[i].primal for i in slots), tuple(args[i].tangent for i in slots))
    if isinstance(y, (tuple, list)):
        return type(y)(Dual(yi, ti) for yi, ti in zip(y, t))
    return Dual(y, t) if get_aval(y).dtype.kind == "f" else y


class Taylor(_ValueType):
    """A truncated Taylor series ``c0 + c1 eps + ... + cK eps^K`` with eps^(K+1) = 0.

    Arithmetic and every `wengert.numpy` function apply to it, coefficient series
    in, coefficient series out (Taylor mode).  Seeding ``x + eps`` and applying f
    gives ``f(x) + f'(x) eps + f''(x)/2! eps^2 + ...``.

    Args:
      coefficients: [c0, c1, ..., cK], numbers or arrays of one shape (the
        normalised Taylor coefficients, c_j = x^(j)(0) / j!).

    Example:
      >>> import wengert as wg
      >>> x = wg.Taylor.variable(2.0, order=3)       # 2 + eps, eps^4 = 0
      >>> print(x ** 3)                               # 8 + 12 eps + 6 eps^2 + eps^3
      8 + 12ε + 6ε² + 1ε³
      >>> (x ** 3).derivatives()                     # f, f', f'', f''' at 2
      array([ 8., 12., 12.,  6.])
      >>> wg.Taylor([2.0, 1.0, 0.0]).as_matrix()     # upper-triangular Toeplitz
      array([[2., 1., 0.],
             [0., 2., 1.],
             [0., 0., 2.]])
    """
    __slots__ = ("coefficients",)

    def __init__(self, coefficients):
        parts = list(coefficients) if isinstance(coefficients, (list, tuple)) else [coefficients]
        if any(isinstance(c, (Taylor, Dual)) or hasattr(c, "interp") for c in parts):
            raise InputError("Taylor coefficients must be numbers or arrays (not Taylor, Dual or "
                             "traced values); use wg.taylor inside transforms")
        cs = np.asarray(coefficients)
        if cs.dtype.kind in "biu":
            cs = cs.astype(np.float64)
        if cs.dtype.kind != "f" or cs.ndim == 0 or cs.shape[0] == 0:
            raise InputError("Taylor takes a non-empty sequence of real coefficients [c0, c1, ...], "
                             f"got {coefficients!r:.60}")
        self.coefficients = cs

    @classmethod
    def variable(cls, x, order):
        """The series x + eps (truncated after eps^order): the seed for derivatives at x."""
        x = np.asarray(_float(x, "Taylor.variable x"))
        if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
            raise InputError(f"Taylor.variable: order must be a non-negative integer, got {order!r}")
        cs = np.zeros((order + 1,) + x.shape, x.dtype)
        cs[0] = x
        if order:
            cs[1] = 1.0
        return cls(cs)

    order = property(lambda self: self.coefficients.shape[0] - 1)
    shape = property(lambda self: self.coefficients.shape[1:])
    dtype = property(lambda self: self.coefficients.dtype)
    ndim = property(lambda self: len(self.shape))
    primal = property(lambda self: self.coefficients[0][()])

    def derivatives(self):
        """[c0, 1! c1, 2! c2, ...]: the derivatives along the seeded direction."""
        fact = np.cumprod(np.concatenate([[1.0], np.arange(1.0, self.order + 1)]))
        return self.coefficients * fact.reshape((-1,) + (1,) * self.ndim)

    def as_matrix(self):
        """The (K+1)x(K+1) upper-triangular Toeplitz matrix T[i, j] = c_{j-i}: Taylor
        arithmetic is this matrix algebra (eps is the nilpotent shift matrix)."""
        if self.shape != ():
            raise InputError(f"as_matrix is defined for scalar series; this one has shape {self.shape}")
        n = self.order + 1
        i, j = np.indices((n, n))
        return np.where(j >= i, self.coefficients[np.clip(j - i, 0, n - 1)], 0.0)

    def __repr__(self):
        return f"Taylor({np.array2string(self.coefficients, precision=6, separator=', ')})"

    def __str__(self):
        if self.shape != ():
            return repr(self)
        sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
        terms = [f"{float(c):g}" + ("" if j == 0 else "ε" + ("" if j == 1 else str(j).translate(sup)))
                 for j, c in enumerate(self.coefficients)]
        return " + ".join(terms).replace("+ -", "- ")

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a scalar Taylor value")
        return self.shape[0]


def _lift_taylor(fn, *args):
    """Apply `fn` to args that may be Taylor values: one `taylor` pass."""
    from .transforms import taylor
    slots = [i for i, a in enumerate(args) if isinstance(a, Taylor)]
    orders = sorted({args[i].order for i in slots})
    if len(orders) > 1:
        raise InputError(f"Taylor values of different orders {orders} in one operation; "
                         "truncate them to one order first")
    if any(isinstance(a, Dual) for a in args):
        raise InputError("cannot mix Taylor and Dual values in one operation")
    y, s = taylor(_at_slots(fn, args, slots), tuple(args[i].coefficients[0][()] for i in slots),
                  tuple(args[i].coefficients[1:] for i in slots))
    if isinstance(y, (tuple, list)):
        return type(y)(_join(yi, si) for yi, si in zip(y, s))
    return _join(y, s)


def _join(y, s):
    if get_aval(y).dtype.kind != "f":
        return y
    return Taylor(np.concatenate([np.asarray(y)[None], np.asarray(s)], axis=0))


def _install_operators(cls):
    from . import numpy as wnp
    lift = cls._lift

    def binary(op):
        return (lambda self, other: lift(op, self, other)), (lambda self, other: lift(op, other, self))
    for name, op in (("add", operator.add), ("sub", operator.sub), ("mul", operator.mul),
                     ("truediv", operator.truediv), ("pow", operator.pow), ("matmul", operator.matmul)):
        method, reflected = binary(op)
        setattr(cls, f"__{name}__", method)
        setattr(cls, f"__r{name}__", reflected)

    def compare(op):
        return lambda self, other: op(self.primal, other.primal if isinstance(other, cls) else other)
    for name in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(cls, f"__{name}__", compare(getattr(operator, name)))
    cls.__neg__ = lambda self: lift(operator.neg, self)
    cls.__pos__ = lambda self: self
    cls.__abs__ = lambda self: lift(wnp.abs, self)
    cls.__hash__ = None


Dual._lift, Taylor._lift = staticmethod(_lift), staticmethod(_lift_taylor)
_install_operators(Dual)
_install_operators(Taylor)
