"""The ndarray surface of traced values: operators, methods and properties, each
the wengert.numpy function of the same name.  `core.Tracer` reads this table
(core.ARRAY_SURFACE); it is filled here because these are NumPy functions."""
import numpy as np

from ..core import ARRAY_SURFACE
from . import _namespace as wnp


def _method(fn):
    """A method that also answers NumPy's calls (np.sum(x) calls x.sum(..., out=None))."""
    def method(self, *args, out=None, **kwargs):
        if out is not None:
            raise TypeError(f"{fn.__name__}(out=...) is not supported on traced arrays: they are "
                            "immutable; use the return value")
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    return method


def _reshape(self, *shape, **kw):
    return wnp.reshape(self, shape[0] if len(shape) == 1 else shape, **kw)


def _transpose(self, *axes):
    if axes and not (len(axes) == 1 and not isinstance(axes[0], int)):
        return wnp.transpose(self, axes)
    return wnp.transpose(self, axes[0] if axes else None)


OPERATORS = {
    "add": wnp.add, "sub": wnp.subtract, "mul": wnp.multiply, "truediv": wnp.divide,
    "floordiv": wnp.floor_divide, "mod": wnp.remainder, "pow": wnp.power, "matmul": wnp.matmul,
    "and": wnp.logical_and, "or": wnp.logical_or, "xor": wnp.logical_xor,
    "divmod": lambda x, y: (wnp.floor_divide(x, y), wnp.remainder(x, y)),
    "lt": wnp.less, "le": wnp.less_equal, "gt": wnp.greater, "ge": wnp.greater_equal,
    "eq": wnp.equal, "ne": wnp.not_equal, "getitem": wnp._getitem,
    "neg": wnp.negative, "pos": wnp.positive, "abs": wnp.abs, "invert": wnp.logical_not,
}

METHODS = {name: _method(getattr(wnp, name)) for name in (
    "sum", "mean", "var", "std", "max", "min", "prod", "cumsum", "cumprod", "ptp", "argmax",
    "argmin", "argsort", "clip", "dot", "round", "repeat", "squeeze", "diagonal", "trace",
    "swapaxes", "astype", "conj", "conjugate", "take")}
METHODS.update({
    "reshape": _reshape, "transpose": _transpose,
    "ravel": lambda self: wnp.ravel(self), "flatten": lambda self: wnp.ravel(self),
    "copy": lambda self: self, "sort": lambda self, axis=-1: wnp.sort(self, axis),
})

PROPERTIES = {
    "T": lambda self: wnp.transpose(self),
    "mT": lambda self: wnp.swapaxes(self, -1, -2),
    "real": lambda self: self,
    "imag": lambda self: np.zeros(self.shape, self.dtype),
    "at": lambda self: wnp._IndexUpdate(self),
}

for _kind, _table in (("operators", OPERATORS), ("methods", METHODS), ("properties", PROPERTIES)):
    ARRAY_SURFACE[_kind].update(_table)
