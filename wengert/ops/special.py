"""Special-function primitives: erf, erfc, gammaln, digamma, polygamma.

NumPy only (scipy is not a runtime dependency).  erf, erfc and lgamma come from
`math`, elementwise, with Taylor series at lgamma's zeros 1 and 2; digamma and
polygamma are computed here: recurrence up to x >= 10 (+ n), then the asymptotic
(Euler-Maclaurin) series; reflection for x < 0 (polygamma: x < -50); a Taylor
series around digamma's positive root, where the recurrence would cancel.
Relative error ~1e-15, below 1e-13 everywhere tested (tests/test_special.py,
against scipy.special and 50-digit references).  Derivatives chain:
gammaln' = digamma, digamma' = polygamma(1, .), polygamma(n, .)' = polygamma(n + 1, .).
"""
import math

import numpy as np

from .elementwise import exp_p, mul_p, neg_p, square_p
from .rules import def_elementwise, elementwise_shape, new_primitive
from . import series as T


def _kernel(fn):
    """A float64 kernel as an impl: NumPy's float result dtype (float32 stays float32)."""
    def impl(x, **params):
        x = np.asarray(x)
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        with np.errstate(all="ignore"):
            return np.asarray(fn(x.astype(np.float64), **params)).astype(dtype)[()]
    impl.__name__ = fn.__name__
    return impl


def _lgamma(x):
    try:
        return math.lgamma(x)
    except ValueError:     # a pole: 0, -1, -2, ...
        return math.inf


_erf = np.vectorize(math.erf, otypes=[np.float64])
_erfc = np.vectorize(math.erfc, otypes=[np.float64])   # not 1 - erf: no cancellation for x >> 1
_lgamma_math = np.vectorize(_lgamma, otypes=[np.float64])

# B_2, B_4, ..., B_20
_BERNOULLI = np.array([1 / 6, -1 / 30, 1 / 42, -1 / 30, 5 / 66, -691 / 2730, 7 / 6, -3617 / 510,
                       43867 / 798, -174611 / 330])


def _shift_sum(x, start, term):
    """sum_{j>=0, x+j < start} term(x + j), and the shifted x + j >= start."""
    acc = np.zeros_like(x)
    for _ in range(int(np.ceil(np.max(np.where(x < start, start - x, 0.0), initial=0.0)))):
        low = x < start
        acc += np.where(low, term(x), 0.0)
        x = np.where(low, x + 1.0, x)
    return acc, x


def _digamma_pos(x):   # x > 0
    acc, a = _shift_sum(x, 10.0, lambda v: 1.0 / v)
    a2 = 1.0 / (a * a)
    series = np.polyval((_BERNOULLI / np.arange(2, 22, 2))[::-1], a2) * a2
    return np.log(a) - 0.5 / a - series - acc


def _zeta_pos(s, q):
    """Hurwitz zeta(s, q) for an integer s >= 2 (q not a pole): recurrence up to
    q >= 10 + s, then Euler-Maclaurin."""
    acc, a = _shift_sum(q, 10.0 + s, lambda v: v ** -s)
    k = np.arange(1, len(_BERNOULLI) + 1)
    rising = np.array([math.prod(range(s, s + 2 * i - 1)) / math.factorial(2 * i) for i in k])
    tail = sum(b * r * a ** (-s - 2 * i + 1) for b, r, i in zip(_BERNOULLI, rising, k))
    return acc + a ** (1 - s) / (s - 1) + 0.5 * a ** -s + tail


def _polygamma_pos(n, x):   # x > 0; for n >= 1 any x that is not a pole
    if n == 0:
        return _digamma_pos(x)
    return (-1) ** (n + 1) * math.factorial(n) * _zeta_pos(n + 1, x)


# Near the positive root x0 of digamma, psi(x) = sum_k psi^(k)(x0)/k! (x - x0)^k;
# x0 = _ROOT_HI + _ROOT_LO, so x - x0 is exact to ~1e-32.
_ROOT_HI, _ROOT_LO = 1.4616321449683622, 9.549995429965697e-17
_ROOT_COEFFS = [_polygamma_pos(k, np.float64(_ROOT_HI)) / math.factorial(k) for k in range(1, 26)]


def _cot_pi_poly(n):
    """P_n with d^n/dx^n cot(pi x) = pi^n P_n(cot(pi x)): P_0 = c, P_k+1 = -(1 + c^2) P_k'."""
    p = np.polynomial.Polynomial([0.0, 1.0])
    for _ in range(n):
        p = -np.polynomial.Polynomial([1.0, 0.0, 1.0]) * p.deriv()
    return p


def _polygamma(x, n):
    """psi^(n)(x) elementwise, float64; the impl of digamma (n = 0) and polygamma."""
    # Reflection below 0 for digamma; for n >= 1 the recurrence (a sum of terms of one
    # sign) is more accurate, so it is used down to -50 and reflection only beyond.
    refl = x < (0.0 if n == 0 else -50.0)
    y = _polygamma_pos(n, np.where(refl, 1.0 - x, x))
    if n == 0:
        d = (x - _ROOT_HI) - _ROOT_LO
        y = np.where(np.abs(d) < 0.25, np.polyval(_ROOT_COEFFS[::-1], d) * d, y)
    if np.any(refl):   # psi^(n)(x) = (-1)^n psi^(n)(1 - x) - pi^(n+1) P_n(cot(pi x))
        cot = 1.0 / np.tan(np.pi * (x - np.round(x)))
        y = np.where(refl, (-1) ** n * y - np.pi ** (n + 1) * _cot_pi_poly(n)(cot), y)
    pole = (x <= 0) & (x == np.floor(x))
    if n == 0:
        at_pole = np.where(x == 0, np.where(np.signbit(x), np.inf, -np.inf), np.nan)
    else:
        at_pole = (-1) ** (n + 1) * np.inf
    return np.where(pole, at_pole, y)


# lgamma has zeros at 1 and 2, where math.lgamma loses relative accuracy; there we
# use lgamma(1 + e) = -euler_gamma e + sum_k (-1)^k zeta(k)/k e^k and
#     lgamma(2 + e) = (1 - euler_gamma) e + sum_k (-1)^k (zeta(k) - 1)/k e^k.
_LGAMMA_1 = [-np.euler_gamma] + [(-1) ** k * _zeta_pos(k, np.float64(1.0)) / k for k in range(2, 28)]
_LGAMMA_2 = [1 - np.euler_gamma] + [(-1) ** k * _zeta_pos(k, np.float64(2.0)) / k for k in range(2, 28)]


def _gammaln(x):
    y = _lgamma_math(x)
    for at, coeffs in ((1.0, _LGAMMA_1), (2.0, _LGAMMA_2)):
        e = x - at
        y = np.where(np.abs(e) < 0.2, np.polyval(coeffs[::-1], e) * e, y)
    return y


def _digamma(x):
    return _polygamma(x, 0)


# ---------------------------------------------------------------- primitives
m = mul_p.bind
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _erf_slope(x):   # 2/sqrt(pi) exp(-x^2)
    return m(_TWO_OVER_SQRT_PI, exp_p.bind(neg_p.bind(square_p.bind(x))))


erf_p = def_elementwise("erf", _kernel(_erf), lambda t, x, y: m(t, _erf_slope(x)))
erfc_p = def_elementwise("erfc", _kernel(_erfc), lambda t, x, y: neg_p.bind(m(t, _erf_slope(x))))
gammaln_p = def_elementwise("gammaln", _kernel(_gammaln), lambda t, x, y: m(t, digamma_p.bind(x)))
digamma_p = def_elementwise("digamma", _kernel(_digamma),
                            lambda t, x, y: m(t, polygamma_p.bind(x, n=1)))

# polygamma(n, x) with a static integer order n >= 0; polygamma(0, .) is digamma.
polygamma_p = new_primitive("polygamma")
polygamma_p.impl = _kernel(_polygamma)
polygamma_p.shape = elementwise_shape(polygamma_p.impl)


def _polygamma_jvp(xs, ts, n):
    x = xs[0]
    return polygamma_p.bind(x, n=n), m(ts[0], polygamma_p.bind(x, n=n + 1))


polygamma_p.jvp = _polygamma_jvp


# ---------------------------------------------------------------- Taylor rules
# erf through its ODE, erf' = 2/sqrt(pi) exp(-x^2) x' (the exp series first); the
# gamma family by composing the Taylor polynomial at x0, whose coefficients are the
# polygamma values there (each derivative is the next polygamma: no short ODE).
def _erf_taylor(prim, c):
    def rule(primals, series):
        x = primals[0]
        X = T.join(x, series[0])
        Z = neg_p.bind(T.cauchy(X, X))
        h0 = exp_p.bind(neg_p.bind(square_p.bind(x)))
        H = T.join(h0, T.exp_ode(T.derivative(Z), h0))
        return prim.bind(x), T.ode_mul(X, H, c)
    rule.__name__ = f"_{prim.name}_taylor"
    prim.taylor = rule


_erf_taylor(erf_p, _TWO_OVER_SQRT_PI)
_erf_taylor(erfc_p, -_TWO_OVER_SQRT_PI)


def _polygamma_taylor(prim, n_first):
    """f^(j) = polygamma(n_first + j - 1) for the gamma family (gammaln: n_first = 0)."""
    def rule(primals, series, **params):
        x = primals[0]
        n0 = n_first + params.get("n", 0)
        K = T.order_of(series)
        derivs = [polygamma_p.bind(x, n=n0 + j) for j in range(K)]
        return prim.bind(x, **params), T.compose(T.join(x, series[0]), derivs)
    rule.__name__ = f"_{prim.name}_taylor"
    prim.taylor = rule


_polygamma_taylor(gammaln_p, 0)
_polygamma_taylor(digamma_p, 1)
_polygamma_taylor(polygamma_p, 1)
