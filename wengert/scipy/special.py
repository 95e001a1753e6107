"""wengert.scipy.special: scipy.special functions, differentiable in every mode to any order.

erf, erfc, gammaln, digamma and polygamma are primitives (wengert/ops/special.py);
expit is the `logistic` primitive; the rest compose wengert.numpy.
"""
import numpy as _np

import wengert.numpy as wnp

from ..ops import elementwise as E
from ..ops import reductions as R
from ..ops import special as P


def erf(x):
    """Error function, as scipy.special.erf; d erf = 2/sqrt(pi) exp(-x^2).

    Example:
      >>> import wengert as wg, wengert.scipy.special as wsp
      >>> round(float(wsp.erf(0.5)), 12), round(float(wg.grad(wsp.erf)(0.0)), 12)
      (0.520499877813, 1.128379167096)
    """
    return P.erf_p.bind(wnp._c(x))


def erfc(x):
    """Complementary error function 1 - erf(x), accurate for large x (no cancellation).

    Example:
      >>> import wengert.scipy.special as wsp
      >>> float(wsp.erfc(10.0))
      2.088487583762545e-45
    """
    return P.erfc_p.bind(wnp._c(x))


def gammaln(x):
    """log|Gamma(x)|, as scipy.special.gammaln; its derivative is digamma.

    Example:
      >>> import wengert as wg, wengert.scipy.special as wsp
      >>> round(float(wsp.gammaln(5.0)), 12), round(float(wg.grad(wsp.gammaln)(1.0)), 12)   # log 24, -euler_gamma
      (3.178053830348, -0.577215664902)
    """
    return P.gammaln_p.bind(wnp._c(x))


def digamma(x):
    """psi(x) = d/dx log Gamma(x), as scipy.special.digamma; its derivative is polygamma(1, x).

    Example:
      >>> import wengert as wg, wengert.scipy.special as wsp
      >>> round(float(wsp.digamma(1.0)), 12), round(float(wg.grad(wsp.digamma)(1.0)), 12)   # pi^2/6
      (-0.577215664902, 1.644934066848)
    """
    return P.digamma_p.bind(wnp._c(x))


psi = digamma


def polygamma(n, x):
    """The n-th derivative of digamma, as scipy.special.polygamma; n is a concrete
    integer >= 0 (or an array of them, broadcast against x).

    Example:
      >>> import wengert as wg, wengert.scipy.special as wsp
      >>> round(float(wsp.polygamma(1, 1.0)), 12), round(float(wg.grad(lambda x: wsp.polygamma(1, x))(1.0)), 12)
      (1.644934066848, -2.404113806319)
    """
    x = wnp._c(x)
    orders = _np.asarray(wnp._concrete(n, "polygamma order n"))
    if not _np.all(orders == _np.floor(orders)) or _np.any(orders < 0):
        raise ValueError(f"polygamma: the order n must be a non-negative integer, got {n!r}")
    if orders.ndim == 0:
        return P.polygamma_p.bind(x, n=int(orders))
    out = None
    for k in _np.unique(orders):     # one primitive per distinct order, selected by n == k
        y = P.polygamma_p.bind(x, n=int(k))
        out = y if out is None else wnp.where(orders == k, y, out)
    return wnp.broadcast_to(out, _np.broadcast_shapes(orders.shape, wnp.shape(out)))


def expit(x):
    """The logistic sigmoid 1 / (1 + exp(-x)), as scipy.special.expit (no overflow).

    Example:
      >>> import wengert as wg, wengert.scipy.special as wsp
      >>> float(wsp.expit(0.0)), float(wg.grad(wsp.expit)(0.0))
      (0.5, 0.25)
    """
    return E.logistic_p.bind(wnp._c(x))


def _float(x):
    x = wnp.asarray(x)
    return wnp.astype(x, _np.float64) if wnp._dtype(x).kind != "f" else x


def logit(p):
    """log(p / (1 - p)), as scipy.special.logit; near p = 1/2 it is computed as
    log1p(2 (p - 1/2) / (1 - p)) to keep relative accuracy (as SciPy does).

    Example:
      >>> import wengert as wg, wengert.scipy.special as wsp
      >>> float(wsp.logit(0.5)), float(wg.grad(wsp.logit)(0.5))   # 1 / (p (1 - p))
      (0.0, 4.0)
    """
    p = _float(p)
    central = wnp.logical_and(p > 0.3, p < 0.65)
    pc = wnp.where(central, p, 0.5)   # double where: no log1p(-1) = -inf (nor its inf slope) outside
    return wnp.where(central, wnp.log1p(2.0 * (pc - 0.5) / (1.0 - pc)), wnp.log(p / (1.0 - p)))


def _shifted(a, axis):
    """(a - m, m) with m = max(a) over axis (kept) as a constant (stop_gradient: every
    function here is shift-invariant, so m only keeps exp() from overflowing), and
    taken as 0 where it is not finite (all -inf: the sums below are then exactly 0)."""
    a = _float(a)
    if wnp.size(a) == 0:
        return a, _np.zeros((1,) * wnp.ndim(a), wnp._dtype(a))
    m = wnp.max(E.stop_gradient_p.bind(a), axis=axis, keepdims=True)
    m = wnp.where(wnp.isfinite(m), m, 0.0)
    return a - m, m


def _drop(x, axis, keepdims):
    if keepdims:
        return x
    return wnp.reshape(x, ()) if axis is None else wnp.squeeze(x, axis=axis)


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False):
    """log(sum(b * exp(a))) over axis, computed stably, as scipy.special.logsumexp.

    Args:
      a: array.  axis: None (all), an int or a tuple.  b: optional weights,
        broadcast against a.  keepdims: as in NumPy.  return_sign: also return the
        sign of the sum (then negative sums are allowed).

    Returns:
      The log of the (absolute) sum, and its sign if return_sign.  Its derivative
      in a is softmax(a) (weighted by b); -inf entries get derivative 0.

    Example:
      >>> import numpy as np, wengert as wg, wengert.scipy.special as wsp
      >>> a = np.array([0.0, np.log(3.0), -np.inf])
      >>> round(float(wsp.logsumexp(a)), 10)          # log(1 + 3 + 0)
      1.3862943611
      >>> wg.grad(wsp.logsumexp)(a)
      array([0.25, 0.75, 0.  ])
    """
    if b is None and not return_sign:
        return _lse(a, axis, keepdims)
    if b is not None:
        a, b = wnp.broadcast_arrays(_float(a), wnp._c(b))
    shifted, m = _shifted(a, axis)
    e = wnp.exp(shifted)
    s = wnp.sum(e if b is None else b * e, axis=axis, keepdims=True)
    if not return_sign:
        return _drop(wnp.log(s) + m, axis, keepdims)
    return _drop(wnp.log(wnp.abs(s)) + m, axis, keepdims), _drop(wnp.sign(s), axis, keepdims)


def _lse(a, axis, keepdims):
    a = _float(wnp._c(a))
    axes = wnp._axes(axis, wnp.ndim(a))
    return wnp._keep(R.logsumexp_p.bind(a, axes=axes), wnp.shape(a), axes, keepdims)


def softmax(x, axis=None):
    """exp(x) / sum(exp(x)) over axis (None: all of x), as scipy.special.softmax.

    Example:
      >>> import numpy as np, wengert.scipy.special as wsp
      >>> wsp.softmax(np.array([0.0, np.log(3.0)]))
      array([0.25, 0.75])
    """
    return wnp.exp(log_softmax(x, axis))


def log_softmax(x, axis=None):
    """log(softmax(x)) over axis, computed stably, as scipy.special.log_softmax.

    Example:
      >>> import numpy as np, wengert.scipy.special as wsp
      >>> wsp.log_softmax(np.array([0.0, np.log(3.0)]))
      array([-1.38629436, -0.28768207])
    """
    x = _float(wnp._c(x))
    return x - _lse(x, axis, True)


def xlogy(x, y):
    """x * log(y), defined as 0 where x == 0 (for any y but nan), as scipy.special.xlogy.
    At x == 0 the derivative in y is 0 and the derivative in x is log(y).

    Example:
      >>> import wengert as wg, wengert.scipy.special as wsp
      >>> float(wsp.xlogy(0.0, 0.0)), tuple(float(g) for g in wg.grad(wsp.xlogy, argnums=(0, 1))(0.0, 2.0))
      (0.0, (0.6931471805599453, 0.0))
    """
    x, y = wnp._c(x), wnp._c(y)
    # y is replaced by 1 where 0 * log(y) would be nan (y <= 0 or inf) -- the safe
    # inner where of the double-where idiom; the product is then 0 with zero
    # derivative in y.  Elsewhere at x == 0, log(y) stays, so d/dx = log(y).
    bad = wnp.logical_and(wnp.equal(x, 0), wnp.logical_or(wnp.less_equal(y, 0), wnp.isinf(y)))
    return wnp.multiply(x, wnp.log(wnp.where(bad, 1.0, y)))
