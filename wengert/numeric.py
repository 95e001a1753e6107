"""Numerical baselines: central finite differences and `check_grads`."""
import numpy as np

from .core import WengertError, get_aval
from .tree import tree_flatten, tree_unflatten


class GradientCheckError(WengertError, AssertionError):
    """A derivative disagreed with its numerical reference."""


def _defaults(dtype):
    # Central differences: truncation ~ eps^2 f'''/6, rounding ~ u |f| / eps; eps near
    # u^(1/3) balances them (u = unit roundoff of the dtype).
    if dtype == np.float32 or dtype == np.float16:
        return 2e-3, 2e-2
    return 1e-6, 1e-6


def _flat_float(x):
    return np.concatenate([np.ravel(np.asarray(leaf, np.float64)) for leaf in tree_flatten(x)[0]]
                          or [np.zeros(0)])


def _perturb(args, k, v, scale):
    out = list(args)
    out[k] = tree_unflatten(tree_flatten(args[k])[1],
                            [np.asarray(x + scale * d, dtype=np.asarray(x).dtype)
                             for x, d in zip(tree_flatten(args[k])[0], tree_flatten(v)[0])])
    return tuple(out)


def _random_like(tree, rng):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [np.asarray(rng.standard_normal(np.shape(x)), np.asarray(x).dtype)[()]
                               for x in leaves])


def _zeros_like(tree):
    leaves, td = tree_flatten(tree)
    return tree_unflatten(td, [np.zeros_like(np.asarray(x))[()] for x in leaves])


def _float_args(args):
    return [k for k, a in enumerate(args)
            if tree_flatten(a)[0] and all(np.asarray(x).dtype.kind == "f" for x in tree_flatten(a)[0])]


def _compare(got, want, fvals, tol, eps, what):
    got, want = _flat_float(got), _flat_float(want)
    if got.shape != want.shape:
        raise GradientCheckError(f"{what}: shapes differ: wengert {got.shape}, numerical {want.shape}")
    unit = np.finfo(np.float32 if tol > 1e-4 else np.float64).eps
    scale = np.max(np.abs(fvals), initial=0.0)
    bound = tol * (np.abs(want) + 1.0) + 10 * unit * scale / eps
    bad = ~(np.abs(got - want) <= bound)
    if np.any(bad):
        i = int(np.argmax(bad))
        raise GradientCheckError(
            f"{what} disagrees: wengert {got[i]!r} vs numerical {want[i]!r} at element {i} "
            f"(|diff| {abs(got[i] - want[i]):.3g} > tolerance {bound[i]:.3g}); all wengert values "
            f"{np.array2string(got, precision=6, threshold=8)}, numerical "
            f"{np.array2string(want, precision=6, threshold=8)}")


def check_grads(f, args, order=2, modes=("fwd", "rev"), eps=None, rtol=None, seed=0, _level=1):
    """Check derivatives of `f` at `args` against central differences, to `order`.

    Forward mode: for each floating argument, a random direction v; the JVP
    J v must match (f(x + eps v) - f(x - eps v)) / (2 eps).  Reverse mode: for a
    random output cotangent u, the VJP must satisfy <u, J v> = <J^T u, v>.
    Higher orders apply the same checks to x -> J(x) v and x -> J(x)^T u.
    A failure raises GradientCheckError naming the argument, mode, order and
    both numbers.

    Args:
      f: function of positional arguments (pytrees of arrays).
      args: tuple of arguments.
      order: highest derivative order to check.
      modes: any of "fwd", "rev".
      eps, rtol: step and relative tolerance (defaults from the dtype: float64
        1e-6 and 1e-6; float32 2e-3 and 2e-2).

    Example:
      >>> import wengert as wg, wengert.numpy as wnp, numpy as np
      >>> wg.check_grads(lambda x: wnp.sin(x) * x, (np.array([0.5, 1.0]),), order=2)
    """
    from .api import jvp, vjp
    args = tuple(args)
    rng = np.random.default_rng(seed)
    ks = _float_args(args)
    dtype = np.result_type(*[np.asarray(x).dtype for k in ks for x in tree_flatten(args[k])[0]]) if ks else np.float64
    d_eps, d_tol = _defaults(dtype)
    eps, rtol = eps or d_eps, rtol or d_tol
    fvals = _flat_float(f(*args))
    for k in ks:
        _check_argument(f, args, k, modes, eps, rtol, fvals, rng, _level)
    if order > 1 and ks:
        v_all = tuple(_random_like(a, rng) if j in ks else _zeros_like(a) for j, a in enumerate(args))
        if "fwd" in modes:
            check_grads(lambda *a: jvp(f, a, v_all)[1], args, order - 1, modes, eps, rtol, seed + 1, _level + 1)
        if "rev" in modes:
            u = _random_like(f(*args), rng)
            check_grads(lambda *a: tuple(vjp(f, *a)[1](u)[j] for j in ks), args, order - 1, modes,
                        eps, rtol, seed + 2, _level + 1)


def _check_argument(f, args, k, modes, eps, rtol, fvals, rng, level):
    """First-order checks along a random direction in argument k."""
    from .api import jvp, vjp
    v = _random_like(args[k], rng)
    tangents = tuple(v if j == k else _zeros_like(a) for j, a in enumerate(args))
    _, t = jvp(f, args, tangents)
    fd = tree_map_sub(f(*_perturb(args, k, v, eps)), f(*_perturb(args, k, v, -eps)), 2 * eps)
    if "fwd" in modes:
        _compare(t, fd, fvals, rtol, eps, f"forward-mode derivative of order {level} w.r.t. argument {k}")
    if "rev" in modes:
        y, pullback = vjp(f, *args)
        u = _random_like(y, rng)
        ct = pullback(u)[k]
        lhs = np.dot(_flat_float(u), _flat_float(fd))
        rhs = np.dot(_flat_float(ct), _flat_float(v))
        _compare(rhs, lhs, np.abs(fvals) * np.sum(np.abs(_flat_float(u))), rtol, eps,
                 f"reverse-mode derivative of order {level} w.r.t. argument {k} (<J^T u, v> vs <u, J v>)")


def tree_map_sub(a, b, denom):
    la, td = tree_flatten(a)
    lb, _ = tree_flatten(b)
    return tree_unflatten(td, [(np.asarray(x, np.float64) - np.asarray(y, np.float64)) / denom
                               for x, y in zip(la, lb)])


def numerical_grad(f, x, eps=1e-6):
    """Central-difference gradient of a scalar function of one array (a baseline).

    Example:
      >>> import numpy as np, wengert as wg
      >>> np.round(wg.numerical_grad(lambda x: (x ** 2).sum(), np.array([1.0, 2.0])), 6)
      array([2., 4.])
    """
    x = np.asarray(x, np.float64)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = eps
        g[i] = (f(x + e) - f(x - e)) / (2 * eps)
    return g


__all__ = ["check_grads", "numerical_grad", "GradientCheckError", "get_aval"]
