"""The ndarray surface of traced values: operators, methods and properties,
each forwarding to the wengert.numpy function of the same name."""
import numpy as np

import wengert.numpy as wnp

from ..core import Tracer


def _swap(fn):
    return lambda self, other: fn(other, self)


_OPERATORS = {
    "__add__": wnp.add, "__sub__": wnp.subtract, "__mul__": wnp.multiply,
    "__truediv__": wnp.divide, "__floordiv__": wnp.floor_divide, "__mod__": wnp.remainder,
    "__pow__": wnp.power, "__matmul__": wnp.matmul,
    "__lt__": wnp.less, "__le__": wnp.less_equal, "__gt__": wnp.greater, "__ge__": wnp.greater_equal,
    "__eq__": wnp.equal, "__ne__": wnp.not_equal,
    "__and__": wnp.logical_and, "__or__": wnp.logical_or, "__xor__": wnp.logical_xor,
}
for _name, _fn in _OPERATORS.items():
    setattr(Tracer, _name, _fn)
    if _name not in ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__"):
        setattr(Tracer, "__r" + _name[2:], _swap(_fn))

Tracer.__neg__ = wnp.negative
Tracer.__pos__ = wnp.positive
Tracer.__abs__ = wnp.abs
Tracer.__invert__ = wnp.logical_not
Tracer.__divmod__ = lambda self, other: (wnp.floor_divide(self, other), wnp.remainder(self, other))
Tracer.__getitem__ = wnp._getitem

_METHODS = ["sum", "mean", "var", "std", "max", "min", "prod", "cumsum", "cumprod", "ptp",
            "argmax", "argmin", "argsort", "clip", "dot", "round", "repeat", "squeeze",
            "diagonal", "trace", "swapaxes", "astype", "conj", "conjugate", "take"]
def _method(fn):
    """A method that also answers NumPy's calls (np.sum(x) calls x.sum(..., out=None))."""
    def method(self, *args, out=None, **kwargs):
        if out is not None:
            raise TypeError(f"{fn.__name__}(out=...) is not supported on traced arrays: they are "
                            "immutable; use the return value")
        return fn(self, *args, **kwargs)
    method.__name__ = fn.__name__
    return method


for _name in _METHODS:
    setattr(Tracer, _name, _method(getattr(wnp, _name)))

Tracer.reshape = lambda self, *shape, **kw: wnp.reshape(
    self, shape[0] if len(shape) == 1 else shape, **kw)
Tracer.transpose = lambda self, *axes: wnp.transpose(
    self, None if not axes else (axes[0] if len(axes) == 1 and not isinstance(axes[0], int) else axes))
Tracer.ravel = Tracer.flatten = lambda self: wnp.ravel(self)
Tracer.copy = lambda self: self
Tracer.sort = lambda self, axis=-1: wnp.sort(self, axis)
Tracer.T = property(lambda self: wnp.transpose(self))
Tracer.mT = property(lambda self: wnp.swapaxes(self, -1, -2))
Tracer.real = property(lambda self: self)
Tracer.imag = property(lambda self: np.zeros(self.shape, self.dtype))
Tracer.at = property(lambda self: wnp._IndexUpdate(self))
