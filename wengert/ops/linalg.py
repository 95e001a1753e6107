"""Linear algebra primitives.  `dot_general` is the one contraction every
product (matmul, dot, tensordot, einsum, inner, outer, kron) is built from."""
import numpy as np

from ..core import ShapedArray, is_undefined
from . import structural as S
from .rules import is_zero, new_primitive


# -- dot_general: contract lc of x with rc of y, batch over lb/rb ------------------
# Output layout (as in JAX's dot_general): batch dims, then x's free dims, then
# y's free dims.  It is bilinear: jvp = dx.y + x.dy, and each transpose is
# another dot_general followed by a transpose of axes.
def _free(ndim, contract, batch):
    return [i for i in range(ndim) if i not in contract and i not in batch]


def _dot_general_impl(x, y, dims):
    (lc, rc), (lb, rb) = dims
    x, y = np.asarray(x), np.asarray(y)
    xf, yf = _free(x.ndim, lc, lb), _free(y.ndim, rc, rb)
    b_shape = tuple(x.shape[i] for i in lb)
    xf_shape, yf_shape = tuple(x.shape[i] for i in xf), tuple(y.shape[i] for i in yf)
    k = int(np.prod([x.shape[i] for i in lc], dtype=np.int64))
    m, n = int(np.prod(xf_shape, dtype=np.int64)), int(np.prod(yf_shape, dtype=np.int64))
    if lb:
        bsz = int(np.prod(b_shape, dtype=np.int64))
        xt = np.transpose(x, list(lb) + xf + list(lc)).reshape(bsz, m, k)
        yt = np.transpose(y, list(rb) + list(rc) + yf).reshape(bsz, k, n)
    else:   # a plain 2-D matmul; transposed views go straight to BLAS
        xt = np.transpose(x, xf + list(lc)).reshape(m, k)
        yt = np.transpose(y, list(rc) + yf).reshape(k, n)
    return np.matmul(xt, yt).reshape(b_shape + xf_shape + yf_shape)


def _dot_general_shape(x, y, dims):
    (lc, rc), (lb, rb) = dims
    xf, yf = _free(x.ndim, lc, lb), _free(y.ndim, rc, rb)
    for i, j in list(zip(lc, rc)) + list(zip(lb, rb)):
        if x.shape[i] != y.shape[j]:
            raise ValueError(f"dot_general: dimension {i} of lhs {x} (size {x.shape[i]}) does not "
                             f"match dimension {j} of rhs {y} (size {y.shape[j]})")
    shape = tuple(x.shape[i] for i in lb) + tuple(x.shape[i] for i in xf) + tuple(y.shape[i] for i in yf)
    return ShapedArray(shape, np.result_type(x.dtype, y.dtype))


def _dot_general_jvp(xs, ts, dims):
    from .elementwise import add_p
    x, y = xs
    tx, ty = ts
    out = dot_general_p.bind(x, y, dims=dims)
    if is_zero(ty):
        return out, dot_general_p.bind(tx, y, dims=dims)
    if is_zero(tx):
        return out, dot_general_p.bind(x, ty, dims=dims)
    return out, add_p.bind(dot_general_p.bind(tx, y, dims=dims), dot_general_p.bind(x, ty, dims=dims))


def _dot_general_transpose(ct, x, y, dims):
    (lc, rc), (lb, rb) = dims
    nb = len(lb)
    if is_undefined(x):
        xnd, ynd = x.aval.ndim, np.ndim(y) if not hasattr(y, "aval") else y.aval.ndim
        xf, yf = _free(xnd, lc, lb), _free(ynd, rc, rb)
        ct_yf = tuple(range(nb + len(xf), nb + len(xf) + len(yf)))
        out = dot_general_p.bind(ct, y, dims=((ct_yf, tuple(yf)), (tuple(range(nb)), rb)))
        order = list(lb) + xf + [lc[rc.index(r)] for r in sorted(rc)]
        return _untranspose(out, order), None
    xnd, ynd = np.ndim(x) if not hasattr(x, "aval") else x.aval.ndim, y.aval.ndim
    xf, yf = _free(xnd, lc, lb), _free(ynd, rc, rb)
    ct_xf = tuple(range(nb, nb + len(xf)))
    out = dot_general_p.bind(x, ct, dims=((tuple(xf), ct_xf), (lb, tuple(range(nb)))))
    order = list(rb) + [rc[lc.index(l)] for l in sorted(lc)] + yf
    return None, _untranspose(out, order)


def _untranspose(out, order):
    perm = tuple(int(i) for i in np.argsort(order))
    return out if perm == tuple(range(len(perm))) else S.transpose_p.bind(out, perm=perm)


dot_general_p = new_primitive("dot_general")
dot_general_p.impl, dot_general_p.shape, dot_general_p.linear = _dot_general_impl, _dot_general_shape, True
dot_general_p.jvp, dot_general_p.transpose = _dot_general_jvp, _dot_general_transpose
