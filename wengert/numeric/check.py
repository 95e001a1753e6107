"""`check_grads`: every derivative wengert computes, checked against finite differences
whose own error is estimated, so the tolerance follows from the numerical method rather
than from a constant."""
import numpy as np

from ..core import WengertError, get_aval
from ..tree import tree_flatten, tree_unflatten
from .complex_safety import check_complex_safe
from .differences import (
    METHODS,
    STENCILS,
    ComplexStepError,
    FiniteDifferenceError,
    default_step,
    richardson,
)

# |wengert - numerical| <= SAFETY * estimate + floor.  The estimates are a posteriori
# (differences between steps), right in order of magnitude but not bounds: SAFETY covers
# that.  The floor is the rounding of the AD computation itself, FLOOR_ULPS units of
# roundoff of the numbers compared and of the function's scale over the argument's scale.
SAFETY, FLOOR_ULPS = 10.0, 64


class GradientCheckError(WengertError, AssertionError):
    """A derivative disagreed with its numerical reference."""


def _flat_float(x):
    return np.concatenate([np.ravel(np.asarray(leaf, np.float64)) for leaf in tree_flatten(x)[0]]
                          or [np.zeros(0)])


def _flat_complex(y, what):
    leaves = _leaves(y)
    if any(np.asarray(x).dtype.kind != "c" for x in leaves):
        raise ComplexStepError(f"check_grads(method={what!r}): f returned real values for a complex "
                               "input, so it drops the imaginary part; use method='richardson'")
    return np.concatenate([np.ravel(np.asarray(x, np.complex128)) for x in leaves] or [np.zeros(0)])


def _noise(fx):
    """Size of the rounding error in the values fx, in units of eps: the largest |f| of all
    outputs, not elementwise, since an output that is small by cancellation carries the
    rounding of the larger terms it was computed from.  (At higher orders the caller also
    passes the size of the original function, for the same reason.)"""
    return np.max(np.abs(fx), initial=0.0)


def _leaves(tree):
    return tree_flatten(tree)[0]


def _random_like(tree, rng):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [np.asarray(rng.standard_normal(np.shape(x)), np.asarray(x).dtype)[()]
                               for x in leaves])


def _zeros_like(tree):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [np.zeros_like(np.asarray(x))[()] for x in leaves])


def _float_args(args):
    return [k for k, a in enumerate(args)
            if _leaves(a) and all(np.asarray(x).dtype.kind == "f" for x in _leaves(a))]


def _with_arg(args, k, value):
    out = list(args)
    out[k] = value
    return tuple(out)


def _point(arg, v, s):
    """arg + s v leaf by leaf, in each leaf's dtype (complex when s is imaginary)."""
    leaves, td = tree_flatten(arg)
    new = []
    for x, d in zip(leaves, _leaves(v)):
        x = np.asarray(x)
        dtype = np.result_type(x.dtype, np.complex64) if isinstance(s, complex) else x.dtype
        new.append(np.asarray(x + s * np.asarray(d, np.float64), dtype)[()])
    return tree_unflatten(td, new)


# ------------------------------------------------------------------ the numerical reference
class _Directional:
    """Derivative of s -> f(args with argument k moved to x + s v) at s = 0 by one method,
    with its error estimate.  For stencil methods the direction is replaced by the one
    actually taken (`v_eff`): the perturbed points are rounded to the argument's dtype,
    which in float32 shifts them by up to eps |x|, far more than truncation.  The
    wengert side is then evaluated along the same v_eff, so that rounding cancels."""

    def __init__(self, f, args, k, v, method, step, fscale=0.0):
        self.f, self.args, self.k, self.v, self.method = f, args, k, v, method
        self.fscale = fscale
        x = _flat_float(args[k])
        dtype = np.result_type(*[np.asarray(a).dtype for a in _leaves(args[k])])
        vmax = float(np.max(np.abs(_flat_float(v)), initial=0.0))
        scale = max(float(np.max(np.abs(x), initial=0.0)), 1.0) / (vmax if vmax > 0 else 1.0)
        self.h = step if step is not None else float(default_step(method, scale, dtype))
        self.eps = float(np.finfo(dtype).eps)
        self.tiny = float(np.finfo(dtype).smallest_subnormal)   # absolute spacing near 0
        self.nfev = 0

    def g(self, s):
        self.nfev += 1
        if isinstance(s, complex):
            # every floating argument goes complex, not only the one stepped: wengert gives
            # a real argument a real cotangent, which would drop the imaginary part.
            args = tuple(_point(a, _zeros_like(a), 0j) if j in _float_args(self.args) else a
                         for j, a in enumerate(self.args))
            y = self.f(*_with_arg(args, self.k, _point(self.args[self.k], self.v, s)))
            return _flat_complex(y, self.method)
        y = self.f(*_with_arg(self.args, self.k, _point(self.args[self.k], self.v, s)))
        return _flat_float(y)

    def estimate(self):
        """(value, error, v_eff, step) of the directional derivative."""
        if self.method == "richardson":
            x, v = _flat_float(self.args[self.k]), _flat_float(self.v)
            # The rows' points are rounded to the argument's dtype (a relative eps |x|), too
            # many different steps to follow them exactly as the stencils do: add the error
            # that rounding makes, eps |x| |J| / h, with |J| ~ |D| / rms(v).
            rms = float(np.sqrt(np.mean(v * v))) if v.size else 0.0
            spread = self.eps * np.max(np.abs(x), initial=0.0) / rms if rms > 0 else 0.0

            def D(h):
                value, rounding, _ = self._stencil(STENCILS["central"], h)
                return value, rounding + spread * np.max(np.abs(value), initial=0.0) / h
            value, error, h, _ = richardson(D, self.h)
            return value, error, self.v, float(np.min(h, initial=self.h))
        if self.method == "complex":
            value = self.g(1j * self.h).imag / self.h   # no subtraction: rounding eps |value|
            return value, 4 * self.eps * np.abs(value), self.v, self.h
        st = STENCILS[self.method]
        value, rounding, v_eff = self._stencil(st, self.h)
        value2, _, _ = self._stencil(st, 2 * self.h)
        error = rounding + np.abs(value - value2) / (2 ** st.order - 1)
        return value, error, v_eff, self.h

    def _stencil(self, st, h):
        x = self.args[self.k]
        total, rounding, v_eff = 0.0, 0.0, None
        for o, w in zip(st.offsets, st.weights):
            fx = self.g(o * h) if o else self._f0()
            total = total + w * fx
            rounding = rounding + abs(w) * max(_noise(fx), self.fscale)
            moved = _flat_float(_point(x, self.v, o * h)) - _flat_float(x)   # the step taken
            v_eff = w * moved if v_eff is None else v_eff + w * moved
        return total / h, self.eps * rounding / h, v_eff / h

    def _f0(self):
        if not hasattr(self, "_fx0"):
            self._fx0 = self.g(0.0)
        return self._fx0


def _as_tree(flat, like):
    leaves, td = tree_flatten(like)
    out, i = [], 0
    for x in leaves:
        n = np.size(x)
        out.append(np.asarray(flat[i:i + n].reshape(np.shape(x)), np.asarray(x).dtype)[()])
        i += n
    return tree_unflatten(td, out)


# ------------------------------------------------------------------ the check
def check_grads(f, args, order=2, modes=("fwd", "rev"), method=None, step=None, rtol=None, seed=0,
                eps=None, _level=1, _fscale=0.0):
    """Check the derivatives of `f` at `args` against finite differences, to `order`.

    Forward mode: for each floating argument and a random direction v, the JVP J v must
    match the numerical directional derivative.  Reverse mode: for a random output
    cotangent u, the VJP must satisfy <J^T u, v> = <u, J v>.  Higher orders apply the
    same checks to x -> J(x) v and x -> J(x)^T u.

    The tolerance is not a constant: it is SAFETY (10) times the method's own error
    estimate (Richardson's tableau; a stencil's truncation estimate from steps h and 2h
    plus its round-off eps sum |w f| / h; the complex step's rounding), plus a floor of
    64 units of roundoff for the rounding of the wengert side.

    Args:
      f: function of positional arguments (pytrees of arrays).
      args: tuple of arguments.
      order: highest derivative order to check.
      modes: any of "fwd", "rev".
      method: finite-difference method (see `wengert.numeric.METHODS`); default
        "richardson" for float64 arguments and "central" for float32.
      step: the step h along the random direction (default: the method's
        `default_step` at the scale of the argument).  `eps` is its former name.
      rtol: extra relative slack rtol * (|numerical| + 1) added to the tolerance
        (default none).
      seed: seed of the random directions and cotangents.
    Raises:
      GradientCheckError: naming the argument, mode and order, with both numbers, the
        method, its step and error estimate, and the tolerance.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp, numpy as np
      >>> wg.check_grads(lambda x: wnp.sin(x) * x, (np.array([0.5, 1.0]),), order=2)
      >>> wg.check_grads(lambda x: wnp.sin(x) * x, (np.array([0.5, 1.0]),), method="complex")
    """
    from ..transforms import jvp, vjp
    args, step = tuple(args), step if step is not None else eps
    rng = np.random.default_rng(seed)
    ks = _float_args(args)
    method = method or _default_method(args, ks)
    if method not in METHODS:
        raise FiniteDifferenceError(f"check_grads: unknown method {method!r}; use one of "
                                    + ", ".join(METHODS))
    # _fscale: the size of the values this f derives from (|f| of the original function,
    # carried down the orders): the rounding floor of a derivative is measured against it.
    fscale = max(float(np.max(np.abs(_flat_float(f(*args))), initial=0.0)), _fscale) if ks else 0.0
    opts = {"method": method, "step": step, "rtol": rtol}
    for k in ks:
        _check_argument(f, args, k, modes, rng, _level, opts, fscale)
    if order > 1 and ks:
        v_all = tuple(_random_like(a, rng) if j in ks else _zeros_like(a) for j, a in enumerate(args))
        xs = max(1.0, max(float(np.max(np.abs(_flat_float(args[k])), initial=0.0)) for k in ks))
        if "fwd" in modes:
            check_grads(lambda *a: jvp(f, a, _cast_like(v_all, a))[1], args, order - 1, modes,
                        seed=seed + 1, _level=_level + 1, _fscale=fscale * _norm(v_all) / xs, **opts)
        if "rev" in modes:
            u = _random_like(f(*args), rng)
            check_grads(lambda *a: tuple(vjp(f, *a)[1](_cast_like(u, f(*a)))[j] for j in ks), args,
                        order - 1, modes, seed=seed + 2, _level=_level + 1,
                        _fscale=fscale * _norm(u) / xs, **opts)


def _norm(tree):
    return float(np.sqrt(np.sum(_flat_float(tree) ** 2)))


def _default_method(args, ks):
    dtypes = [np.asarray(x).dtype for k in ks for x in _leaves(args[k])]
    return "richardson" if not dtypes or np.result_type(*dtypes) == np.float64 else "central"


def _cast_like(tree, like):
    """Tangents/cotangents in the dtype of the (possibly complex-stepped) primal."""
    leaves, td = tree_flatten(tree)
    likes = _leaves(like)
    dtypes = [get_aval(x).dtype for x in likes]
    if not any(d.kind == "c" for d in dtypes):
        return tree
    return tree_unflatten(td, [np.asarray(t, d)[()] for t, d in zip(leaves, dtypes)])


def _check_argument(f, args, k, modes, rng, level, opts, fscale):
    """First-order checks along a random direction in argument k."""
    from ..transforms import jvp, vjp
    v = _random_like(args[k], rng)
    if opts["method"] == "complex":
        check_complex_safe(_line(f, args, k, v), 0.0, _what=f"check_grads(method='complex'), order {level}")
    ref = _Directional(f, args, k, v, opts["method"], opts["step"], fscale)
    fd, err, v_eff, h = ref.estimate()
    v_eff = _as_tree(v_eff, args[k]) if v_eff is not ref.v else v
    info = {"method": opts["method"], "step": h, "rtol": opts["rtol"], "unit": ref.eps,
            "tiny": ref.tiny, "scale": _scale(ref, args[k], fscale)}
    where = f"order {level} w.r.t. argument {k}"
    if "fwd" in modes:
        tangents = tuple(v_eff if j == k else _zeros_like(a) for j, a in enumerate(args))
        _, t = jvp(f, args, tangents)
        _compare(_flat_float(t), fd, err, info, f"forward-mode derivative of {where}")
    if "rev" in modes:
        y, pullback = vjp(f, *args)
        u = _random_like(y, rng)
        uf = _flat_float(u)
        rhs = np.dot(_flat_float(pullback(u)[k]), _flat_float(v_eff))
        info["scale"] = info["scale"] * np.sum(np.abs(uf))
        _compare(np.array([rhs]), np.array([np.dot(uf, fd)]), np.array([np.dot(np.abs(uf), err)]),
                 info, f"reverse-mode derivative of {where} (<J^T u, v> vs <u, J v>)")


def _line(f, args, k, v):
    """s -> f(args with argument k at x + s v), flattened; traceable, for the safety check."""
    import wengert.numpy as wnp
    leaves, td = tree_flatten(args[k])
    dirs = [np.asarray(d, np.float64) for d in _leaves(v)]

    def along(s):
        moved = tree_unflatten(td, [s * d + x for x, d in zip(leaves, dirs)])
        out = _leaves(f(*_with_arg(args, k, moved)))
        return wnp.concatenate([wnp.ravel(y) for y in out]) if out else np.zeros(0)
    return along


def _scale(ref, x, fscale):
    """|f| |v| / max(|x|, 1): the size a directional derivative's rounding is measured against."""
    xs = max(float(np.max(np.abs(_flat_float(x)), initial=0.0)), 1.0)
    return fscale / xs * _norm(ref.v)


def _compare(got, want, err, info, what):
    if got.shape != want.shape:
        raise GradientCheckError(f"{what}: shapes differ: wengert {got.shape}, numerical {want.shape}")
    # relative rounding; and near 0 the absolute spacing of subnormal numbers, which f's
    # values carry whatever their size (eps times them underflows to 0) and which the
    # difference quotient divides by the step
    h = float(np.min(info["step"])) if np.size(info["step"]) else 1.0
    floor = FLOOR_ULPS * (info["unit"] * (np.abs(got) + np.abs(want) + info["scale"])
                          + info["tiny"] * (1.0 + 1.0 / h))
    bound = SAFETY * err + floor
    if info["rtol"]:
        bound = bound + info["rtol"] * (np.abs(want) + 1.0)
    bad = ~(np.abs(got - want) <= bound)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise GradientCheckError(
            f"{what} disagrees at element {i}: wengert {got[i]!r} vs numerical {want[i]!r}, "
            f"|diff| {abs(got[i] - want[i]):.3g} > tolerance {bound[i]:.3g} "
            f"({info['method']} differences, step {info['step']:.3g}, error estimate {err[i]:.3g}; "
            f"tolerance = {SAFETY:g} x estimate + rounding floor {floor[i]:.3g}); all wengert values "
            f"{np.array2string(got, precision=6, threshold=8)}, numerical "
            f"{np.array2string(want, precision=6, threshold=8)}")


def numerical_grad(f, x, eps=None, method="central"):
    """Finite-difference gradient of a scalar function of one array (a baseline; see
    `wengert.numeric.gradient` for every method and error estimates).

    Example:
      >>> import numpy as np, wengert as wg
      >>> np.round(wg.numerical_grad(lambda x: (x ** 2).sum(), np.array([1.0, 2.0])), 6)
      array([2., 4.])
    """
    from .differences import gradient
    return gradient(f, np.asarray(x, np.float64), method=method, step=eps)


__all__ = ["GradientCheckError", "check_grads", "numerical_grad"]
