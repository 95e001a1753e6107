"""The core: primitives, `bind`, interpreters, tracers, and the symbolic zero.

Read this file top to bottom as the chapter on how automatic differentiation
works here.

An elementary operation (the lecture's phi_i: `sin`, `mul`, `reduce_sum`, ...)
is a `Primitive`.  Every rule about an operation is a slot on its primitive
object: how to evaluate it (`impl`), its output shape (`shape`), its tangent
rule (`jvp`), its transpose if it is linear (`transpose`), and the slots later
interpreters fill (`taylor`, `batch`, `emit`).

User code never calls `impl` directly.  It calls `bind(prim, *args)`, which hands
the operation to the *current interpreter*, held in a ContextVar so that
threads and async tasks each have their own.  The bottom interpreter evaluates;
the others (forward mode, the linear tape of reverse mode, staging to a graph)
wrap values in tracers and do their own thing, then pass what remains to the
interpreter below them, their `parent`.
"""
from __future__ import annotations

import contextvars

import numpy as np


# --------------------------------------------------------------------------
# Errors.  One hierarchy; every message names the op, shows the offending
# shape/dtype/value and states the fix.
# --------------------------------------------------------------------------
class WengertError(Exception):
    """Base class of every error wengert raises on purpose."""


class NonScalarOutputError(WengertError, TypeError):
    """`grad` was asked for the gradient of a non-scalar output."""


class EscapedTracerError(WengertError, RuntimeError):
    """A traced value outlived the transform that created it."""


class MissingRuleError(WengertError, NotImplementedError):
    """A primitive lacks the rule an interpreter needs."""


class UnknownPrimitiveError(MissingRuleError, AttributeError):
    """The registry has no primitive of that name."""


class TracerConversionError(WengertError, TypeError):
    """A traced value was turned into a plain Python/NumPy value."""


class TracerAssignmentError(WengertError, TypeError):
    """In-place item assignment on a traced array."""


class ConcretizationError(TracerConversionError):
    """Python needed a concrete value (an `if`, an index, a shape) from a value that is
    being staged, and so has none yet."""


class InputError(WengertError, TypeError):
    """A transform was given inputs it cannot differentiate."""


# --------------------------------------------------------------------------
# Abstract values.  An aval is what staging and the linear tape know about a
# value without computing it: its shape and dtype.  `weak` marks Python
# scalars, which under NumPy's NEP 50 do not promote arrays (f32 * 2.0 is f32).
# --------------------------------------------------------------------------
class ShapedArray:
    __slots__ = ("shape", "dtype", "weak")

    def __init__(self, shape, dtype, weak=False):
        self.shape, self.dtype, self.weak = tuple(shape), np.dtype(dtype), weak

    @classmethod
    def fast(cls, shape, dtype, weak=False):
        """Constructor for the hot path: `shape` a tuple and `dtype` a np.dtype already."""
        aval = object.__new__(cls)
        aval.shape, aval.dtype, aval.weak = shape, dtype, weak
        return aval

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __eq__(self, other):
        return (isinstance(other, ShapedArray) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))

    def __repr__(self):
        return f"{self.dtype.name}[{','.join(map(str, self.shape))}]"


_PY_SCALARS = {bool: np.bool_, int: np.int64, float: np.float64, complex: np.complex128}


_WEAK_AVALS = {t: ShapedArray((), d, weak=True) for t, d in _PY_SCALARS.items()}
_SCALAR_AVALS = {t: ShapedArray((), t) for t in (np.float64, np.float32, np.float16, np.int64, np.int32, np.bool_)}


def get_aval(x):
    """The aval of any value: a tracer knows its own; arrays and scalars are read."""
    t = type(x)
    if t is np.ndarray:
        return ShapedArray.fast(x.shape, x.dtype)
    if t in _SCALAR_AVALS:       # NumPy scalars: one shared aval per type
        return _SCALAR_AVALS[t]
    if t in _WEAK_AVALS:
        return _WEAK_AVALS[t]
    if isinstance(x, Tracer):
        return x.aval
    if isinstance(x, (np.ndarray, np.generic)):
        return ShapedArray(x.shape, x.dtype)
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # other array libraries
        return ShapedArray(x.shape, x.dtype)
    raise InputError(f"wengert cannot use a value of type {t.__name__} ({x!r:.60}) as an "
                     "array; pass numbers, NumPy arrays, or pytrees of them")


def is_float(dtype):
    return dtype.kind in "fc"


# --------------------------------------------------------------------------
# The symbolic zero.  Forward mode gives every non-traced input a Zero tangent
# instead of an array of zeros, so `x * c` with a constant `c` costs nothing
# extra.  It remembers the primal value so its aval can be read on demand.
# --------------------------------------------------------------------------
class Zero:
    __slots__ = ("like",)

    def __init__(self, like):
        self.like = like

    @property
    def aval(self):
        return get_aval(self.like)

    def __repr__(self):
        return f"Zero({self.aval})"


class UndefinedPrimal:
    """In a transpose rule, stands for an argument the op is linear in: the
    unknown whose cotangent the rule computes.  Only its aval is known."""
    __slots__ = ("aval",)

    def __init__(self, aval):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval})"


def is_undefined(x):
    return type(x) is UndefinedPrimal


def instantiate(t):
    """A concrete array for a tangent that may be symbolically zero."""
    if type(t) is Zero:
        aval = t.aval
        return np.zeros(aval.shape, aval.dtype if is_float(aval.dtype) else np.float64)
    return t


# --------------------------------------------------------------------------
# Primitives.
# --------------------------------------------------------------------------
class Primitive:
    """An elementary operation and all of its rules (see DESIGN.md section 1).

    `impl(*arrays, **params)` evaluates; `shape(*avals, **params)` returns the
    output aval (or a list of them when `multiple_results`); `jvp(primals,
    tangents, **params)` returns `(primal_out, tangent_out)` written in wengert
    ops; `transpose(ct, *args, **params)` returns one cotangent per argument for
    the arguments that are `UndefinedPrimal` (None for the others).
    """
    __slots__ = ("name", "multiple_results", "impl", "shape", "jvp", "transpose",
                 "taylor", "batch", "emit", "nondiff", "linear", "linear_args",
                 "fresh_transpose", "transpose_in_place", "transpose_into")

    def __init__(self, name, multiple_results=False):
        self.name, self.multiple_results = name, multiple_results
        self.impl = self.shape = self.jvp = self.transpose = None
        self.taylor = self.batch = self.emit = None
        self.nondiff = False   # outputs carry no derivative (comparisons, floor, argmax)
        self.linear = False    # the transpose rule applies (linear in some inputs)
        # which arguments may carry tangents on the linear tape: None for any (jointly
        # linear), or a tuple of positions; "one" for bilinear ops (mul, dot_general),
        # linear in either argument but not in both at once
        self.linear_args = None
        # Shortcuts the backward pass may take on concrete arrays (none changes a value):
        # fresh_transpose: the transpose returns new arrays, never `ct` or a residual, so
        #   the pass may write into them later;
        # transpose_in_place(ct, args, i): overwrite an owned `ct` with the cotangent of
        #   argument i, returning False when it cannot (shapes or dtypes differ);
        # transpose_into(acc, ct, args, **params): add the cotangent into `acc`, the
        #   buffer of the linear argument, instead of materialising it first.
        self.fresh_transpose = False
        self.transpose_in_place = self.transpose_into = None

    def bind(self, *args, **params):
        try:
            return _get_current().process(self, args, params)
        except RecursionError:
            _explain_recursion(args)
            raise

    __call__ = bind

    def __repr__(self):
        return f"<primitive {self.name}>"


# --------------------------------------------------------------------------
# The registry.  Every primitive of the op tables is made by `new_primitive`,
# which files it under its name.  Two uses: the registry test walks it to check
# that each primitive fills the slots it must, and code in a lower layer reaches
# ops defined above it by name (`primitives.add`): the backward pass adds
# cotangents, and the Taylor toolbox builds series from the structural ops, but
# neither may import the op tables, which import them.  The lookup happens when
# the rule runs, after `wengert.ops` has filled the registry.
# --------------------------------------------------------------------------
class Registry:
    """The primitives by name: `primitives.mul` is the primitive named "mul".  Each is an
    instance attribute, so a lookup costs what a module attribute costs."""

    def _register(self, prim):
        if prim.name in vars(self):
            raise WengertError(f"a primitive named '{prim.name}' is already registered; "
                               "give the new one another name")
        setattr(self, prim.name, prim)
        return prim

    def _unregister(self, prim):
        if vars(self).get(prim.name) is prim:
            delattr(self, prim.name)

    def __getattr__(self, name):     # only reached for a name nobody registered
        raise UnknownPrimitiveError(f"no primitive named '{name}' is registered (is wengert.ops "
                                    "imported?)")

    def __iter__(self):
        return iter(list(vars(self).values()))

    def __len__(self):
        return len(vars(self))


primitives = Registry()


def new_primitive(name, multiple_results=False):
    """A new primitive, filed in the registry under `name`."""
    return primitives._register(Primitive(name, multiple_results))


def all_primitives():
    return list(primitives)


def bind(prim, *args, **params):
    """Apply `prim` to `args` under whatever interpreter is current."""
    return prim.bind(*args, **params)


def _explain_recursion(args):
    """A tracer evaluated outside its transform makes NumPy call back into its methods,
    which bind again: endless recursion.  Say what happened instead (this runs only
    after a RecursionError, so it costs nothing on the normal path)."""
    if _get_current() is not EVAL:
        return
    for a in args:
        if isinstance(a, Tracer):
            reject_tracer(a)


def reject_tracer(a):
    """Raise for a tracer that reached plain evaluation: it outlived its transform, or it
    is being used outside it (from another thread)."""
    a._check_alive()
    raise EscapedTracerError(
        f"a traced value {a.aval} of a `{a.interp.name}` transform was used outside it (from "
        "another thread, or after being stored); pass it in as an argument of the transformed "
        "function instead") from None


# --------------------------------------------------------------------------
# Interpreters.  Each transform creates a *fresh* interpreter object, parented
# on the interpreter that was current when it started.  A tracer belongs to
# its interpreter by identity; anything else is a constant to it.  This is the
# whole defence against perturbation confusion: there are no integer levels to
# collide, and an interpreter that has finished is marked dead so that any
# tracer of it that shows up later raises instead of being silently misread.
# --------------------------------------------------------------------------
class Interpreter:
    name = "interpreter"
    differentiates = False    # whether its tracers carry a derivative (see `concrete`)

    def __init__(self, parent):
        self.parent = parent
        self.alive = True

    def process(self, prim, args, params):
        raise NotImplementedError

    def concrete(self, tracer, why):
        """The value under one of our tracers, for Python that needs a number; the
        default is to have none."""
        raise no_value(tracer, why)


class EvalInterpreter(Interpreter):
    """The bottom of every stack: evaluate on concrete arrays."""
    name = "eval"

    def __init__(self):
        super().__init__(None)

    def process(self, prim, args, params):
        try:
            return prim.impl(*args, **params)
        except TypeError:
            if prim.impl is None:
                raise MissingRuleError(f"primitive '{prim.name}' has no impl rule, so it cannot "
                                       "be evaluated; give it one with `prim.impl = ...`") from None
            # A value type (wg.Dual) that NumPy refused: it evaluates the primitive
            # itself, through a transform.  Only reached after the TypeError, so the
            # normal path pays nothing for it.
            for a in args:
                apply = getattr(type(a), "_wengert_apply", None)
                if apply is not None:
                    return apply(prim, args, params)
            raise


EVAL = EvalInterpreter()
_current = contextvars.ContextVar("wengert_interpreter", default=EVAL)
_get_current = _current.get   # bound once: `bind` runs for every operation


def current_interpreter():
    return _current.get()


class running:
    """`with running(interp, *others):` the life of a transform's interpreters.

    Entering installs `interp` as the current interpreter.  Leaving, normally or by
    an exception, restores the one before and marks `interp` and `others` dead, so
    a tracer of theirs that escaped (via a global, a closure, an exception's
    arguments) raises `EscapedTracerError` when it is next used instead of being
    silently misread.  Every transform creates its interpreters parented on the
    current one and runs the user's function inside this block; nothing else
    sets `alive = False`.
    """
    __slots__ = ("interp", "others", "token")

    def __init__(self, interp, *others):
        self.interp, self.others = interp, others

    def __enter__(self):
        self.token = _current.set(self.interp)
        return self.interp

    def __exit__(self, *exc):
        _current.reset(self.token)
        self.interp.alive = False
        for other in self.others:
            other.alive = False
        return False


def call_under(interp, fn, *args, **kwargs):
    """`fn(*args)` with `interp` as the current interpreter, for a while (the interpreter
    lives on: a rule's own ops sent below, a backward pass run under the caller's)."""
    token = _current.set(interp)
    try:
        return fn(*args, **kwargs)
    finally:
        _current.reset(token)


# --------------------------------------------------------------------------
# Tracers.  The base class gives traced values the ndarray surface: operators,
# methods (`x.sum()`), properties (`x.T`, `x.at[...]`).  Each of those is a
# NumPy function, and the NumPy functions live in wengert.numpy, a layer above;
# so the surface is a table, `ARRAY_SURFACE`, that wengert.numpy fills
# (numpy/_methods.py) and the tracer class reads.  Subclasses carry their
# interpreter's payload.
# --------------------------------------------------------------------------
ARRAY_SURFACE = {"operators": {}, "methods": {}, "properties": {}}
_OPERATORS = ARRAY_SURFACE["operators"]


class Tracer:
    __slots__ = ("interp",)
    __array_priority__ = 1000
    __hash__ = None  # like ndarray: unhashable

    def __getattr__(self, name):
        # reached only for names the class lacks: the methods and properties of the table
        prop = ARRAY_SURFACE["properties"].get(name)
        if prop is not None:
            return prop(self)
        method = ARRAY_SURFACE["methods"].get(name)
        if method is not None:
            return method.__get__(self, type(self))
        raise AttributeError(f"'{type(self).__name__}' (a traced array) has no attribute '{name}'")

    @property
    def aval(self):
        raise NotImplementedError

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a 0-d traced array)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d traced array")
        return (self[i] for i in range(self.shape[0]))

    def _check_alive(self):
        if not self.interp.alive:
            raise EscapedTracerError(
                f"a traced value of shape {self.aval} from a finished `{self.interp.name}` "
                "transform was used after that transform returned. It escaped, e.g. via a "
                "global, a closure or `has_aux`; return it from the function instead, or "
                "compute it inside the transform")

    # Python that needs a value.  Each of these goes through `concrete` (below), the
    # one place that decides: an `if` or an index asks for the value; a float()
    # also asks that no derivative be dropped on the way.
    def __array__(self, dtype=None, copy=None):
        return np.asarray(concrete(self, "conversion to a NumPy array (np.asarray or a numpy "
                                         "function)", drops_derivative=True), dtype)

    def __float__(self):
        return float(concrete(self, "float()", drops_derivative=True))

    def __complex__(self):
        return complex(concrete(self, "complex()", drops_derivative=True))

    def __int__(self):
        return int(concrete(self, "int()", drops_derivative=True))

    def __index__(self):     # integer arrays only, as NumPy's; integers carry no derivative
        return int(np.asarray(concrete(self, "use as an index or a size")).__index__())

    def item(self, *args):
        return np.asarray(concrete(self, ".item()", drops_derivative=True)).item(*args)

    def tolist(self):
        return np.asarray(concrete(self, ".tolist()", drops_derivative=True)).tolist()

    def __bool__(self):
        return bool(concrete(self, "bool() (an `if` or `while` on a traced value)"))

    def __setitem__(self, idx, value):
        raise TracerAssignmentError(
            f"item assignment x[{idx!r}] = ... on a traced array {self.aval}: traced arrays are "
            f"immutable. Use the functional update `x = x.at[{idx!r}].set(value)` "
            "(or .add / .multiply)")

    def __repr__(self):
        return f"{type(self).__name__}<{self.interp.name}>({self.aval})"


def _binary(name, swapped=False):
    if swapped:
        def operator(self, other):
            return _OPERATORS[name](other, self)
    else:
        def operator(self, other):
            return _OPERATORS[name](self, other)
    operator.__name__ = f"__r{name}__" if swapped else f"__{name}__"
    return operator


def _unary(name):
    def operator(self):
        return _OPERATORS[name](self)
    operator.__name__ = f"__{name}__"
    return operator


# Python's operator protocol, each entry reading the table: arithmetic and logic both
# ways round, comparisons one way (Python reflects them itself), and the unary ones.
for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or",
              "xor", "divmod"):
    setattr(Tracer, f"__{_name}__", _binary(_name))
    setattr(Tracer, f"__r{_name}__", _binary(_name, swapped=True))
for _name in ("lt", "le", "gt", "ge", "eq", "ne", "getitem"):
    setattr(Tracer, f"__{_name}__", _binary(_name))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(Tracer, f"__{_name}__", _unary(_name))


def is_tracer(x):
    return isinstance(x, Tracer)


# --------------------------------------------------------------------------
# Concrete values.  Python control flow and indexing need numbers: `if x > 0:`,
# `a[i]` with i traced, `range(n)`, a singular-matrix test.  Every such request
# comes here.  Each interpreter answers for its own tracers (`Interpreter.
# concrete`): the eager ones (forward mode, Taylor mode, tracing at a point)
# know their primal and hand it over, which may be a tracer of the interpreter
# below, asked in turn; staging has no value and raises `ConcretizationError`.
# The jit will turn this one point into guards.
#
# `drops_derivative`: the caller turns the value into a plain Python number
# (float(x)), so a differentiating interpreter would lose the derivative through
# it.  That is refused for floating values: a silent zero derivative is a wrong
# answer.  An `if` loses nothing (each branch is differentiated as taken).
# --------------------------------------------------------------------------
def concrete(x, why, drops_derivative=False):
    """The concrete value of `x` (a tracer or a plain value) for `why`."""
    while isinstance(x, Tracer):
        x._check_alive()
        interp = x.interp
        if drops_derivative and interp.differentiates and is_float(x.aval.dtype):
            raise TracerConversionError(
                f"{why} was called on a traced value {x.aval} inside `{interp.name}`; the "
                "result would be a plain number and the derivative through it would be lost. "
                "Keep the value as an array and use wengert.numpy functions on it (use "
                "wengert.numpy instead of numpy inside differentiated functions)")
        x = interp.concrete(x, why)
    return x


def no_value(tracer, why):
    """The error for a tracer that has no value to give (staged, or a tangent)."""
    return ConcretizationError(
        f"{why} needs a concrete value, but this is an abstract value {tracer.aval} being "
        f"traced by `{tracer.interp.name}`, which knows only its shape and dtype. Use "
        "wengert.numpy.where for a value-dependent choice, or pass the value as a plain "
        "Python/NumPy argument (not a traced one) if the program's structure depends on it")
