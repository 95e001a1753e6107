"""Declarative specs: one line per wengert.numpy function.

Each spec names the function, how many array arguments it takes, the domain
its inputs are drawn from, and the shape combinations to try.  tests/test_ops.py
drives every spec through check_grads (both modes, to second order) and compares
values against NumPy.
"""
from dataclasses import dataclass, field

import numpy as np

import wengert.numpy as wnp
import wengert.scipy.special as wsp

UNARY_SHAPES = [(), (3,), (2, 3), (1, 3, 1), (0,), (2, 0)]
BINARY_SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2)), ((0,), (0,)),
                 ((1, 0), (3, 1))]
MATRIX_SHAPES = [((2, 3),), ((4, 4),), ((1, 5),)]


@dataclass
class Spec:
    name: str
    fn: callable
    ref: callable = None           # NumPy reference; None when fn is already the NumPy call
    shapes: list = field(default_factory=lambda: UNARY_SHAPES)
    domain: tuple = (-2.0, 2.0)
    domains: tuple = None          # per-argument domains
    order: int = 2
    float32: bool = True

    def inputs(self, shapes, rng, dtype=np.float64):
        doms = self.domains or (self.domain,) * len(shapes)
        return tuple(np.asarray(rng.uniform(lo, hi, s), dtype)[()] for s, (lo, hi) in zip(shapes, doms))


def unary(name, domain=(-2.0, 2.0), **kw):
    return Spec(name, getattr(wnp, name), getattr(np, name), [(s,) for s in UNARY_SHAPES], domain, **kw)


def binary(name, domains=None, **kw):
    return Spec(name, getattr(wnp, name), getattr(np, name), BINARY_SHAPES, domains=domains, **kw)


def reduction(name, fn, ref, **kw):
    shapes = kw.pop("shapes", [((2, 3),), ((4,),), ((1, 3, 2),)])
    return Spec(name, fn, ref, shapes, **kw)


POS = (0.5, 3.0)
MASK = np.array([[True, False, True], [True, True, False]])     # two entries per row: std(ddof=1) is finite
SPECS = [
    unary("sin"), unary("cos"), unary("tan", (-1.2, 1.2)),
    unary("arcsin", (-0.9, 0.9)), unary("arccos", (-0.9, 0.9)), unary("arctan"),
    unary("sinh"), unary("cosh"), unary("tanh"),
    unary("arcsinh"), unary("arccosh", (1.2, 3.0)), unary("arctanh", (-0.9, 0.9)),
    unary("exp"), unary("exp2"), unary("expm1"),
    unary("log", POS), unary("log2", POS), unary("log10", POS), unary("log1p", (-0.5, 2.0)),
    unary("sqrt", POS), unary("cbrt", POS), unary("square"), unary("reciprocal", POS),
    unary("abs"), unary("negative"), unary("sinc"), unary("positive"),
    unary("deg2rad"), unary("rad2deg"),
    unary("sign"), unary("floor"), unary("ceil"), unary("trunc"), unary("round"),
    binary("add"), binary("subtract"), binary("multiply"), binary("divide", domains=((-2, 2), POS)),
    binary("power", domains=(POS, (-2, 2))), binary("arctan2", domains=((-2, 2), POS)),
    binary("maximum"), binary("minimum"), binary("fmax"), binary("fmin"),
    binary("hypot"), binary("logaddexp"),
    binary("remainder", domains=((2.1, 2.9), (1.0, 1.05))), binary("fmod", domains=((2.1, 2.9), (1.0, 1.05))),
    binary("floor_divide", domains=((2.1, 2.9), (1.0, 1.05))),
    binary("heaviside"),
    Spec("power_int3", lambda x: wnp.power(x, 3), lambda x: np.power(x, 3), [(s,) for s in UNARY_SHAPES]),
    Spec("power_int-2", lambda x: x ** -2, lambda x: x ** -2.0, [(s,) for s in UNARY_SHAPES], POS),
    Spec("power_half", lambda x: x ** 0.5, lambda x: x ** 0.5, [(s,) for s in UNARY_SHAPES], POS),
    Spec("rpow", lambda x: 2.0 ** x, lambda x: 2.0 ** x, [(s,) for s in UNARY_SHAPES]),
    Spec("clip", lambda x: wnp.clip(x, -0.5, 0.7), lambda x: np.clip(x, -0.5, 0.7), [(s,) for s in UNARY_SHAPES]),
    Spec("where", lambda c, x, y: wnp.where(c > 0, x, y), lambda c, x, y: np.where(c > 0, x, y),
         [((2, 3), (2, 3), (3,)), ((), (), ()), ((3,), (2, 3), ())]),
    # reductions
    reduction("sum", lambda x: wnp.sum(x), np.sum),
    reduction("sum_axis", lambda x: wnp.sum(x, axis=-1, keepdims=True), lambda x: np.sum(x, axis=-1, keepdims=True)),
    reduction("sum_axes", lambda x: wnp.sum(x, axis=(0, -1)), lambda x: np.sum(x, axis=(0, -1)),
              shapes=[((2, 3),), ((1, 3, 2),)]),
    reduction("mean", lambda x: wnp.mean(x, axis=0), lambda x: np.mean(x, axis=0)),
    reduction("var", lambda x: wnp.var(x), np.var),
    reduction("std", lambda x: wnp.std(x, axis=-1, ddof=1), lambda x: np.std(x, axis=-1, ddof=1),
              shapes=[((2, 3),), ((4,),)]),
    reduction("prod", lambda x: wnp.prod(x), np.prod, shapes=[((2, 3),), ((5,),), ((1, 3, 2),), ((0,),)]),
    reduction("prod_axis", lambda x: wnp.prod(x, axis=1), lambda x: np.prod(x, axis=1),
              shapes=[((2, 3),), ((1, 7, 2),)]),
    reduction("max", lambda x: wnp.max(x), np.max),
    reduction("max_axis", lambda x: wnp.max(x, axis=0, keepdims=True), lambda x: np.max(x, axis=0, keepdims=True)),
    reduction("amin", lambda x: wnp.amin(x, axis=-1), lambda x: np.amin(x, axis=-1)),
    reduction("ptp", lambda x: wnp.ptp(x, axis=0), lambda x: np.ptp(x, axis=0)),
    reduction("cumsum", lambda x: wnp.cumsum(x, axis=0), lambda x: np.cumsum(x, axis=0)),
    reduction("cumsum_flat", lambda x: wnp.cumsum(x), np.cumsum),
    reduction("cumprod", lambda x: wnp.cumprod(x, axis=-1), lambda x: np.cumprod(x, axis=-1),
              shapes=[((2, 5),), ((4,),), ((1, 3, 2),)]),
    reduction("average", lambda x: wnp.average(x, axis=-1, weights=np.array([1.0, 2.0, 3.0])),
              lambda x: np.average(x, axis=-1, weights=np.array([1.0, 2.0, 3.0])), shapes=[((2, 3),), ((3,),)]),
    reduction("logsumexp", lambda x: wsp.logsumexp(x, axis=-1), lambda x: np.log(np.sum(np.exp(x), axis=-1))),
    reduction("logsumexp_all", lambda x: wsp.logsumexp(x), lambda x: np.log(np.sum(np.exp(x)))),
    reduction("log_softmax", lambda x: wsp.log_softmax(x, axis=0),
              lambda x: x - np.log(np.sum(np.exp(x), axis=0, keepdims=True))),
    reduction("softmax", lambda x: wsp.softmax(x, axis=-1),
              lambda x: np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)),
    # structure
    reduction("reshape", lambda x: wnp.reshape(x, (-1, 2)), lambda x: np.reshape(x, (-1, 2)),
              shapes=[((2, 3),), ((4,),), ((0,),)]),
    reduction("ravel", lambda x: x.ravel(), np.ravel),
    reduction("transpose", lambda x: wnp.transpose(x), np.transpose),
    reduction("T", lambda x: x.T, lambda x: x.T),
    reduction("swapaxes", lambda x: wnp.swapaxes(x, 0, -1), lambda x: np.swapaxes(x, 0, -1)),
    reduction("moveaxis", lambda x: wnp.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1)),
    reduction("expand_dims", lambda x: wnp.expand_dims(x, 1), lambda x: np.expand_dims(x, 1)),
    reduction("squeeze", lambda x: wnp.squeeze(x), np.squeeze),
    reduction("broadcast_to", lambda x: wnp.broadcast_to(x, (2,) + x.shape), lambda x: np.broadcast_to(x, (2,) + x.shape)),
    reduction("atleast_2d", lambda x: wnp.atleast_2d(x), np.atleast_2d, shapes=[((),), ((3,),)]),
    Spec("concatenate", lambda x, y: wnp.concatenate([x, y, x], axis=-1), lambda x, y: np.concatenate([x, y, x], axis=-1),
         [((2, 3), (2, 1)), ((3,), (0,))]),
    Spec("stack", lambda x, y: wnp.stack([x, y], axis=-1), lambda x, y: np.stack([x, y], axis=-1), [((2, 3), (2, 3)), ((), ())]),
    Spec("vstack", lambda x, y: wnp.vstack([x, y]), lambda x, y: np.vstack([x, y]), [((3,), (3,)), ((2, 3), (1, 3))]),
    Spec("hstack", lambda x, y: wnp.hstack([x, y]), lambda x, y: np.hstack([x, y]), [((3,), (2,)), ((2, 3), (2, 1))]),
    reduction("split", lambda x: wnp.split(x, [1, 3], axis=-1)[1] * 2, lambda x: np.split(x, [1, 3], axis=-1)[1] * 2,
              shapes=[((2, 4),), ((5,),)]),
    reduction("tile", lambda x: wnp.tile(x, (2, 1)), lambda x: np.tile(x, (2, 1))),
    reduction("repeat", lambda x: wnp.repeat(x, 2, axis=0), lambda x: np.repeat(x, 2, axis=0)),
    reduction("repeat_uneven", lambda x: wnp.repeat(x, [1, 0, 3]), lambda x: np.repeat(x, [1, 0, 3]), shapes=[((3,),)]),
    reduction("flip", lambda x: wnp.flip(x), np.flip),
    reduction("roll", lambda x: wnp.roll(x, 1, axis=-1), lambda x: np.roll(x, 1, axis=-1)),
    reduction("roll_flat", lambda x: wnp.roll(x, -2), lambda x: np.roll(x, -2)),
    reduction("pad", lambda x: wnp.pad(x, 1), lambda x: np.pad(x, 1)),
    reduction("pad_const", lambda x: wnp.pad(x, ((0, 1), (2, 0)), constant_values=3.0),
              lambda x: np.pad(x, ((0, 1), (2, 0)), constant_values=3.0), shapes=[((2, 3),)]),
    reduction("pad_reflect", lambda x: wnp.pad(x, 2, mode="reflect"), lambda x: np.pad(x, 2, mode="reflect"),
              shapes=[((4,),), ((3, 3),)]),
    reduction("pad_edge", lambda x: wnp.pad(x, (1, 2), mode="edge"), lambda x: np.pad(x, (1, 2), mode="edge")),
    *[reduction(f"pad_{m}", (lambda m: lambda x: wnp.pad(x, ((1, 2), (2, 1)), mode=m))(m),
                (lambda m: lambda x: np.pad(x, ((1, 2), (2, 1)), mode=m))(m), shapes=[((3, 4),)])
      for m in ("maximum", "minimum", "mean", "median", "linear_ramp", "wrap", "symmetric")],
    reduction("pad_stat_length", lambda x: wnp.pad(x, 2, mode="mean", stat_length=(1, 2)),
              lambda x: np.pad(x, 2, mode="mean", stat_length=(1, 2)), shapes=[((3, 4),), ((5,),)]),
    reduction("pad_ramp_ends", lambda x: wnp.pad(x, ((0, 3), (1, 0)), mode="linear_ramp", end_values=((1, -2), (3, 0))),
              lambda x: np.pad(x, ((0, 3), (1, 0)), mode="linear_ramp", end_values=((1, -2), (3, 0))),
              shapes=[((2, 3),)]),
    reduction("median", lambda x: wnp.median(x), np.median, shapes=[((5,),), ((2, 3),)]),
    *[reduction(f"{name}_where", (lambda name, kw: lambda x: getattr(wnp, name)(x, axis=1, where=MASK, **kw))(name, kw),
                (lambda name, kw: lambda x: getattr(np, name)(x, axis=1, where=MASK, **kw))(name, kw),
                shapes=[((2, 3),)])
      for name, kw in (("sum", {"initial": 1.5}), ("mean", {}), ("var", {}), ("std", {"ddof": 1}),
                       ("max", {"initial": -9.0}), ("min", {"initial": 9.0}), ("prod", {}))],
    reduction("median_axis", lambda x: wnp.median(x, axis=0, keepdims=True),
              lambda x: np.median(x, axis=0, keepdims=True), shapes=[((4, 3),), ((3, 2),)]),
    reduction("diag", lambda x: wnp.diag(x), np.diag, shapes=[((3,),), ((3, 3),), ((2, 4),)]),
    reduction("diag_k", lambda x: wnp.diag(x, k=-1), lambda x: np.diag(x, k=-1), shapes=[((3,),), ((3, 3),)]),
    reduction("diagonal", lambda x: wnp.diagonal(x, 1, 0, 2), lambda x: np.diagonal(x, 1, 0, 2), shapes=[((3, 2, 4),)]),
    reduction("trace", lambda x: wnp.trace(x), np.trace, shapes=[((3, 3),), ((2, 4),)]),
    reduction("triu", lambda x: wnp.triu(x, 1), lambda x: np.triu(x, 1), shapes=[((3, 3),), ((2, 3, 4),)]),
    reduction("tril", lambda x: wnp.tril(x), np.tril, shapes=[((3, 3),), ((2, 4),)]),
    reduction("take", lambda x: wnp.take(x, [0, 2, 2, -1]), lambda x: np.take(x, [0, 2, 2, -1])),
    reduction("take_axis", lambda x: wnp.take(x, np.array([[1, 0]]), axis=1), lambda x: np.take(x, np.array([[1, 0]]), axis=1),
              shapes=[((2, 3),), ((1, 3, 2),)]),
    reduction("take_along_axis", lambda x: wnp.take_along_axis(x, np.array([[0, 0], [2, 1]]), axis=1),
              lambda x: np.take_along_axis(x, np.array([[0, 0], [2, 1]]), axis=1), shapes=[((2, 3),)]),
    reduction("sort", lambda x: wnp.sort(x), np.sort),
    reduction("sort_axis0", lambda x: wnp.sort(x, axis=0), lambda x: np.sort(x, axis=0)),
    # indexing
    reduction("index_basic", lambda x: x[1:, ::-2], lambda x: x[1:, ::-2], shapes=[((3, 4),)]),
    reduction("index_int", lambda x: x[-1], lambda x: x[-1]),
    reduction("index_none_ellipsis", lambda x: x[None, ..., 0], lambda x: x[None, ..., 0]),
    reduction("index_array", lambda x: x[np.array([0, 0, 1])], lambda x: x[np.array([0, 0, 1])], shapes=[((2, 3),), ((4,),)]),
    reduction("index_list2", lambda x: x[[0, 1], [2, 2]], lambda x: x[[0, 1], [2, 2]], shapes=[((2, 3),)]),
    reduction("index_bool", lambda x: x[x > 0], lambda x: x[x > 0]),
    reduction("at_set", lambda x: wnp.at(x)[0].set(5.0) * x, lambda x: _np_set(x, 0, 5.0) * x),
    reduction("at_add", lambda x: wnp.at(x)[[0, 0]].add(x[-1]), lambda x: _np_add_at(x, [0, 0], x[-1])),
    reduction("at_multiply", lambda x: wnp.at(x)[1:].multiply(x[:-1] if x.ndim == 1 else 2.0),
              lambda x: _np_mul(x)),
    # products
    Spec("matmul", wnp.matmul, np.matmul, [((2, 3), (3, 4)), ((3,), (3, 2)), ((2, 3), (3,)), ((3,), (3,)),
                                           ((2, 2, 3), (3, 1)), ((1, 2, 3), (4, 3, 2)), ((0, 3), (3, 2))]),
    Spec("matmul_op", lambda a, b: a @ b, lambda a, b: a @ b, [((2, 3), (3, 4))]),
    Spec("dot", wnp.dot, np.dot, [((2, 3), (3, 4)), ((3,), (3,)), ((2, 3, 4), (4,)), ((2, 3), (4, 3, 2)), ((), (3,))]),
    Spec("vdot", wnp.vdot, np.vdot, [((2, 3), (2, 3))]),
    Spec("inner", wnp.inner, np.inner, [((2, 3), (4, 3)), ((3,), (3,))]),
    Spec("outer", wnp.outer, np.outer, [((3,), (2,)), ((2, 2), (3,))]),
    Spec("tensordot", lambda a, b: wnp.tensordot(a, b, axes=([0, 2], [1, 0])),
         lambda a, b: np.tensordot(a, b, axes=([0, 2], [1, 0])), [((2, 3, 4), (4, 2, 5))]),
    Spec("tensordot_int", lambda a, b: wnp.tensordot(a, b, 1), lambda a, b: np.tensordot(a, b, 1), [((2, 3), (3, 4))]),
    Spec("kron", wnp.kron, np.kron, [((2, 3), (2, 2)), ((3,), (2,))]),
    Spec("einsum_matmul", lambda a, b: wnp.einsum("ij,jk->ik", a, b), lambda a, b: np.einsum("ij,jk->ik", a, b),
         [((2, 3), (3, 4))]),
    Spec("einsum_batch", lambda a, b: wnp.einsum("bij,bjk->bik", a, b), lambda a, b: np.einsum("bij,bjk->bik", a, b),
         [((2, 2, 3), (2, 3, 4))]),
    Spec("einsum_trace", lambda a: wnp.einsum("ii", a), lambda a: np.einsum("ii", a), [((3, 3),)]),
    Spec("einsum_diag", lambda a: wnp.einsum("ii->i", a), lambda a: np.einsum("ii->i", a), [((3, 3),)]),
    Spec("einsum_implicit", lambda a, b: wnp.einsum("ij,kj", a, b), lambda a, b: np.einsum("ij,kj", a, b),
         [((2, 3), (4, 3))]),
    Spec("einsum_ellipsis", lambda a, b: wnp.einsum("...ij,...j->...i", a, b),
         lambda a, b: np.einsum("...ij,...j->...i", a, b), [((2, 3, 4), (4,)), ((3, 4), (3, 4))]),
    Spec("einsum_three", lambda a, b, c: wnp.einsum("ij,jk,k->i", a, b, c),
         lambda a, b, c: np.einsum("ij,jk,k->i", a, b, c), [((2, 3), (3, 4), (4,))]),
    Spec("einsum_outer_sum", lambda a, b: wnp.einsum("i,j->", a, b), lambda a, b: np.einsum("i,j->", a, b),
         [((2,), (3,))]),
]


def _np_set(x, i, v):
    y = np.array(x, copy=True)
    y[i] = v
    return y


def _np_add_at(x, idx, v):
    y = np.array(x, copy=True)
    np.add.at(y, idx, v)
    return y


def _np_mul(x):
    y = np.array(x, copy=True)
    y[1:] *= x[:-1] if x.ndim == 1 else 2.0
    return y
