"""wengert.numpy.linalg: numpy.linalg, differentiable in every mode to any order.

Matrix functions batch over leading dimensions, as in NumPy.  The factorizations
are primitives (wengert/ops/linalg.py); inv, norm and the rest compose them.
Derivatives of eigh and svd need distinct eigenvalues / singular values (and
nonzero ones for the thin factor of a non-square svd); at a repeated value the
eigenvectors are not differentiable and the derivative comes out inf or nan.
"""
from collections import namedtuple

import numpy as _np

from . import _namespace as wnp

from ..core import MissingRuleError, Tracer
from ..ops import linalg as L

LinAlgError = _np.linalg.LinAlgError
EighResult = namedtuple("EighResult", "eigenvalues eigenvectors")
QRResult = namedtuple("QRResult", "Q R")
SVDResult = namedtuple("SVDResult", "U S Vh")
SlogdetResult = namedtuple("SlogdetResult", "sign logabsdet")


def _square(a, name):
    a = wnp._c(a)
    shape = wnp.shape(a)
    if len(shape) < 2 or shape[-1] != shape[-2]:
        raise LinAlgError(f"{name}: expected a square matrix or a stack of them, shape (..., n, n); "
                          f"got shape {shape}")
    return a


def _float_dtype(a):
    dtype = wnp._dtype(a)
    return dtype if dtype.kind == "f" else _np.dtype(_np.float64)


def solve(a, b):
    """Solve a @ x = b, as numpy.linalg.solve (NumPy 2: b is a vector only when 1-D).

    Args:
      a: (..., M, M) matrices.  b: (M,) or (..., M, K); batch dims broadcast.

    Returns:
      x, shaped (..., M) or (..., M, K).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> a, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([9.0, 8.0])
      >>> wnp.linalg.solve(a, b)
      array([2., 3.])
      >>> wg.grad(lambda b: wnp.linalg.solve(a, b)[0])(b)     # row 0 of inv(a)
      array([ 0.4, -0.2])
    """
    a, b = _square(a, "solve"), wnp._c(b)
    if wnp.ndim(b) == 1:
        return L.solve_p.bind(a, wnp.reshape(b, (-1, 1)))[..., 0]
    return L.solve_p.bind(a, b)


def inv(a):
    """Matrix inverse, as numpy.linalg.inv (computed as solve(a, I)).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> wnp.linalg.inv(np.array([[2.0, 0.0], [0.0, 4.0]]))
      array([[0.5 , 0.  ],
             [0.  , 0.25]])
      >>> float(wg.grad(lambda a: wnp.linalg.inv(a)[0, 0])(np.array([[2.0]]))[0, 0])   # -1/a^2
      -0.25
    """
    a = _square(a, "inv")
    return L.solve_p.bind(a, _np.eye(wnp.shape(a)[-1], dtype=_float_dtype(a)))


def det(a):
    """Determinant, as numpy.linalg.det; d det = trace(adj(a) da), computed as
    det * trace(a^-1 da), and from the cofactors (determinants of the minors) where `a`
    is exactly singular, so derivatives of every order exist there too (up to n = 64).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> a = np.array([[2.0, 1.0], [1.0, 3.0]])
      >>> round(float(wnp.linalg.det(a)), 12)
      5.0
      >>> wg.grad(wnp.linalg.det)(a)     # the cofactor matrix
      array([[ 3., -1.],
             [-1.,  2.]])
      >>> wg.grad(wnp.linalg.det)(np.array([[1.0, 2.0], [2.0, 4.0]]))   # singular: still cofactors
      array([[ 4., -2.],
             [-2.,  1.]])
    """
    return L.det_p.bind(_square(a, "det"))


def slogdet(a):
    """Sign and log of the absolute determinant, as numpy.linalg.slogdet.

    Returns:
      SlogdetResult(sign, logabsdet); sign has zero derivative.

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> a = np.array([[0.0, 2.0], [3.0, 1.0]])
      >>> sign, logabsdet = wnp.linalg.slogdet(a)
      >>> float(sign), round(float(logabsdet), 6)
      (-1.0, 1.791759)
      >>> wg.grad(lambda a: wnp.linalg.slogdet(a).logabsdet)(a)     # inv(a).T
      array([[-0.16666667,  0.5       ],
             [ 0.33333333,  0.        ]])
    """
    return SlogdetResult(*L.slogdet_p.bind(_square(a, "slogdet")))


def cholesky(a, upper=False):
    """Cholesky factor of a symmetric positive-definite matrix, as numpy.linalg.cholesky.
    Only the lower triangle of `a` is read (the upper one if upper=True).

    Returns:
      L, lower triangular with a = L @ L.T (or its transpose if upper=True).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> wnp.linalg.cholesky(np.array([[4.0, 2.0], [2.0, 2.0]]))
      array([[2., 0.],
             [1., 1.]])
      >>> float(wg.grad(lambda a: wnp.linalg.cholesky(a)[0, 0])(np.array([[4.0]]))[0, 0])  # 1/(2 sqrt a)
      0.25
    """
    a = _square(a, "cholesky")
    if upper:
        return wnp.swapaxes(L.cholesky_p.bind(wnp.swapaxes(a, -1, -2)), -1, -2)
    return L.cholesky_p.bind(a)


def eigh(a, UPLO="L"):
    """Eigenvalues (ascending) and eigenvectors of a symmetric matrix, as
    numpy.linalg.eigh; only the UPLO triangle of `a` is read.  Derivatives of the
    eigenvectors need distinct eigenvalues.

    Returns:
      EighResult(eigenvalues, eigenvectors), also usable as the pair (w, V).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> a = np.array([[2.0, 1.0], [1.0, 2.0]])
      >>> w, V = wnp.linalg.eigh(a)
      >>> w
      array([1., 3.])
      >>> wg.grad(lambda a: wnp.linalg.eigh(a)[0][1])(a)   # v v^T, read from the lower triangle
      array([[0.5, 0. ],
             [1. , 0.5]])
    """
    a = _square(a, "eigh")
    if UPLO not in ("L", "U"):
        raise ValueError(f"eigh: UPLO must be 'L' or 'U', got {UPLO!r}")
    return EighResult(*L.eigh_p.bind(a if UPLO == "L" else wnp.swapaxes(a, -1, -2)))


def eigvalsh(a, UPLO="L"):
    """Eigenvalues (ascending) of a symmetric matrix, as numpy.linalg.eigvalsh.

    Example:
      >>> import numpy as np, wengert.numpy as wnp
      >>> wnp.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]]))
      array([1., 3.])
    """
    return eigh(a, UPLO).eigenvalues


def qr(a, mode="reduced"):
    """QR factorization, as numpy.linalg.qr.  Q has orthonormal columns and R is upper
    triangular.  A wide matrix (m < n) factors its leading m x m block, A[:, :m] = Q U,
    and R = [U, Q^T A[:, m:]], so it differentiates like the square case.  Modes
    'complete' with m > n and 'raw' evaluate, but have no derivative (the extra
    columns of Q are not unique; the Householder form is not a function we track).

    Returns:
      QRResult(Q, R), or R for mode='r'.

    Example:
      >>> import numpy as np, wengert.numpy as wnp
      >>> Q, R = wnp.linalg.qr(np.array([[3.0, 1.0], [4.0, 2.0], [0.0, 2.0]]))
      >>> np.allclose(Q @ R, [[3, 1], [4, 2], [0, 2]]), Q.shape, R.shape
      (True, (3, 2), (2, 2))
      >>> Q, R = wnp.linalg.qr(np.array([[3.0, 1.0, 2.0], [4.0, 2.0, 0.0]]))   # wide
      >>> Q.shape, R.shape
      ((2, 2), (2, 3))
    """
    a = wnp._c(a)
    shape = wnp.shape(a)
    if len(shape) < 2:
        raise LinAlgError(f"qr: expected a matrix or a stack of them, got shape {shape}")
    if mode not in ("reduced", "r", "complete", "raw"):
        raise ValueError(f"qr: unrecognized mode {mode!r}; use 'reduced', 'complete', 'r' or 'raw'")
    m, n = shape[-2:]
    if mode == "raw" or (mode == "complete" and m > n):
        numpy_qr = (lambda x: _np.linalg.qr(x, "raw")) if mode == "raw" else \
            (lambda x: QRResult(*_np.linalg.qr(x, "complete")))
        return _without_derivative("qr", a, numpy_qr,
                                   f"mode={mode!r}" + (" with m > n" if mode == "complete" else ""),
                                   "use mode='reduced'")
    if m < n:
        Q, U = L.qr_p.bind(a[..., :, :m])
        R = wnp.concatenate([U, wnp.swapaxes(Q, -1, -2) @ a[..., :, m:]], axis=-1)
    else:
        Q, R = L.qr_p.bind(a)
    return R if mode == "r" else QRResult(Q, R)


def _without_derivative(name, a, numpy_fn, what, fix):
    """A variant that NumPy computes but that has no derivative: plain arrays get NumPy's
    answer; a traced array (inside grad, jvp, ...) gets an error saying why and what to use."""
    if isinstance(a, Tracer):
        raise MissingRuleError(f"{name} with {what} has no derivative (the result is not a smooth, "
                               f"unique function of the input); {fix} inside differentiated code")
    return numpy_fn(a)


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Singular value decomposition, as numpy.linalg.svd.  Differentiable with
    full_matrices=False (and True for square matrices, where the two agree);
    full_matrices=True for a non-square matrix evaluates but has no derivative (the
    extra singular vectors are not unique).  Derivatives of U and Vh need distinct,
    nonzero singular values; those of S need distinct ones only.  `hermitian` is
    accepted and ignored (same factorization).

    Returns:
      SVDResult(U, S, Vh) with a = U * S @ Vh, or S alone if compute_uv=False.

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> a = np.array([[3.0, 0.0], [0.0, -2.0], [0.0, 0.0]])
      >>> wnp.linalg.svd(a, compute_uv=False)
      array([3., 2.])
      >>> wg.grad(lambda a: wnp.linalg.svd(a, full_matrices=False).S[1])(a)   # u2 v2^T
      array([[ 0.,  0.],
             [ 0., -1.],
             [ 0.,  0.]])
    """
    a = wnp._c(a)
    shape = wnp.shape(a)
    if len(shape) < 2:
        raise LinAlgError(f"svd: expected a matrix or a stack of them, got shape {shape}")
    if compute_uv and full_matrices and shape[-1] != shape[-2]:
        return _without_derivative(
            "svd", a, lambda x: SVDResult(*_np.linalg.svd(x, full_matrices=True)),
            f"full_matrices=True for a non-square shape {shape}", "pass full_matrices=False")
    U, S, Vh = L.svd_p.bind(a)
    return SVDResult(U, S, Vh) if compute_uv else S


# ---------------------------------------------------------------- norms
def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return wnp.sqrt(wnp.sum(wnp.square(x), axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        raise ValueError(f"norm: invalid norm order {ord!r} for vectors")
    a = wnp.abs(x)
    if ord == _np.inf:
        return wnp.max(a, axis=axis, keepdims=keepdims)
    if ord == -_np.inf:
        return wnp.min(a, axis=axis, keepdims=keepdims)
    if ord == 0:
        return wnp.sum(wnp.astype(wnp.not_equal(x, 0), wnp._dtype(x)), axis=axis, keepdims=keepdims)
    if ord == 1:
        return wnp.sum(a, axis=axis, keepdims=keepdims)
    return wnp.power(wnp.sum(wnp.power(a, ord), axis=axis, keepdims=keepdims), 1.0 / ord)


def _matrix_norm(x, ord, axes, keepdims):
    row, col = axes
    if row == col:
        raise ValueError("norm: duplicate axes given")
    if ord in (None, "fro", "f"):
        out = wnp.sqrt(wnp.sum(wnp.square(x), axis=axes))
    elif ord in ("nuc", 2, -2):
        s = svd(wnp.moveaxis(x, axes, (-2, -1)), compute_uv=False)
        out = wnp.sum(s, axis=-1) if ord == "nuc" else s[..., 0 if ord == 2 else -1]
    elif ord in (1, -1, _np.inf, -_np.inf):
        over, then = (row, col) if ord in (1, -1) else (col, row)
        sums = wnp.sum(wnp.abs(x), axis=over)
        then = then - 1 if then > over else then
        out = (wnp.max if ord > 0 else wnp.min)(sums, axis=then)
    else:
        raise ValueError(f"norm: invalid norm order {ord!r} for matrices")
    if keepdims:
        shape = list(wnp.shape(x))
        shape[row] = shape[col] = 1
        out = wnp.reshape(out, tuple(shape))
    return out


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm, as numpy.linalg.norm.

    Args:
      x: array.  ord: for vectors None/2, 1, inf, -inf, 0 or any p; for matrices
        None/'fro', 'nuc', 2, -2, 1, -1, inf, -inf.
      axis: None (x.ravel() if ord is None, else x must be 1-D or 2-D), an int
        (vector norms) or a pair of ints (matrix norms).  keepdims: as in NumPy.

    Note the derivative of a 2-norm at x = 0 is nan (sqrt'(0) = inf), as for
    sqrt(sum(x**2)).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> float(wnp.linalg.norm(np.array([3.0, 4.0])))
      5.0
      >>> wg.grad(wnp.linalg.norm)(np.array([3.0, 4.0]))
      array([0.6, 0.8])
      >>> float(wnp.linalg.norm(np.array([[1.0, -2.0], [3.0, 4.0]]), ord=1))
      6.0
    """
    x = wnp._c(x)
    if wnp._dtype(x).kind != "f":
        x = wnp.astype(x, _np.float64)
    nd = wnp.ndim(x)
    if axis is None:
        if ord is None:
            out = _vector_norm(wnp.ravel(x), None, 0, False)
            return wnp.reshape(out, (1,) * nd) if keepdims else out
        if nd not in (1, 2):
            raise ValueError(f"norm: an ord needs a 1-D or 2-D x or an explicit axis, got shape {wnp.shape(x)}")
        axis = tuple(range(nd))
    axes = tuple(wnp._norm_axis(int(i), nd) for i in (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if len(axes) == 2:
        return _matrix_norm(x, ord, axes, keepdims)
    raise ValueError(f"norm: axis must be an int or a pair of ints, got {axis!r}")

