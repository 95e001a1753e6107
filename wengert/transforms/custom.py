"""User-defined derivative rules: custom_jvp and custom_vjp.

Both become *call primitives*: the user's function travels as a parameter.
- `custom_jvp`: forward mode calls the user's rule; reverse mode records that
  rule's tangent arithmetic on the linear tape and transposes it, exactly as for
  a built-in primitive.  The rule must therefore be linear in the tangents.
- `custom_vjp`: reverse mode runs `fwd` for the primal and residuals and puts a
  single opaque linear op on the tape whose transpose is `bwd`.  Forward mode
  evaluates that linear op as a Jacobian-vector product assembled from `bwd`
  (one `bwd` call per output element), so custom_vjp functions also work under
  `jvp`, `jacfwd` and `hessian`, consistently with the custom rule.
"""
import functools
import inspect

import numpy as np

from .. import numpy as wnp
from ..core import (InputError, MissingRuleError, Zero, current_interpreter, get_aval,
                    instantiate, running)
from ..interpreters.stage import StageInterpreter
from ..interpreters.taylor import taylor_call
from ..ops.rules import new_primitive
from ..ops.series import coef, order_of, stack, taylor_from_jvp
from ..tree import tree_flatten, tree_unflatten


def _abstract_eval(fun, avals):
    """Output avals of `fun` by staging it (used when a custom call is staged)."""
    interp = StageInterpreter(current_interpreter())
    tracers = [interp.new_arg(a) for a in avals]
    with running(interp):
        outs = fun(*tracers)
    return [get_aval(o) for o in outs]


def _positional(fun, args, kwargs):
    """Keyword arguments moved into their positions, so rules see one argument tuple."""
    if not kwargs:
        return args
    bound = inspect.signature(fun).bind(*args, **kwargs)
    if bound.kwargs:
        raise InputError(f"{getattr(fun, '__name__', 'fun')}: keyword-only arguments "
                         f"{sorted(bound.kwargs)} are not supported by custom_jvp/custom_vjp; "
                         "pass them positionally or close over them")
    return bound.args


# ------------------------------------------------------------------ custom_jvp
custom_jvp_call_p = new_primitive("custom_jvp_call", multiple_results=True)
custom_jvp_call_p.impl = lambda *xs, fun, jvp: fun(*xs)
custom_jvp_call_p.shape = lambda *avals, fun, jvp: _abstract_eval(fun, avals)


def _custom_jvp_call_jvp(xs, ts, fun, jvp):
    ys, tys = jvp(xs, [instantiate(t) for t in ts])
    for k, (y, t) in enumerate(zip(ys, tys)):
        if get_aval(t).shape != get_aval(y).shape:
            raise InputError(f"custom_jvp rule returned a tangent of shape {get_aval(t).shape} for "
                             f"output {k} of shape {get_aval(y).shape}; tangents must be shaped "
                             "like their outputs")
    return ys, tys


custom_jvp_call_p.jvp = _custom_jvp_call_jvp
# Taylor mode follows the user's rule, as nested jvp does: the series comes from the ODE
# y' = jvp(x; x') with the rule as its right-hand side (interpreters/taylor.py).  So a rule
# written for stability (or for a primal wengert cannot trace) is honoured to every order.
custom_jvp_call_p.taylor = taylor_from_jvp(custom_jvp_call_p)


class custom_jvp:
    """A function with a user-supplied forward-mode rule; reverse mode comes by
    transposing that rule (so it must be linear in the tangents).

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> @wg.custom_jvp
      ... def log1pexp(x):
      ...     return wnp.log1p(wnp.exp(x))
      >>> @log1pexp.defjvp
      ... def log1pexp_jvp(primals, tangents):
      ...     (x,), (t,) = primals, tangents
      ...     return log1pexp(x), t * wg.scipy.special.expit(x)
      >>> float(wg.grad(log1pexp)(1000.0))    # the naive rule would give nan
      1.0
    """

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun, self.jvp = fun, None

    def defjvp(self, jvp):
        """Register `jvp(primals, tangents) -> (primal_out, tangent_out)`."""
        self.jvp = jvp
        return jvp

    def __call__(self, *args, **kwargs):
        if self.jvp is None:
            raise MissingRuleError(f"custom_jvp function {self.__name__} has no rule; "
                                   "register one with @f.defjvp")
        flat, in_td = tree_flatten(_positional(self.fun, args, kwargs))
        rules = _rules_for(self, in_td, _JVPRules)
        outs = custom_jvp_call_p.bind(*flat, fun=rules.fun, jvp=rules.jvp)   # sets rules.out_td
        return tree_unflatten(rules.out_td, outs)


# The user's functions in flat form (lists of leaves in and out), for one input
# structure.  Made once per (custom function, input structure) and reused, and the
# params are their bound methods, which compare equal when their object is the
# same: two calls stage equal equations, as a jit cache and CSE need.
def _rules_for(custom, in_td, kind):
    cache = custom.__dict__.setdefault("_flat_rules", {})
    rules = cache.get(in_td)
    if rules is None:
        rules = cache[in_td] = kind(custom, in_td)
    return rules


class _FlatRules:
    def __init__(self, custom, in_td):
        self.custom, self.in_td, self.out_td = custom, in_td, None

    def fun(self, *xs):
        leaves, self.out_td = tree_flatten(self.custom.fun(*tree_unflatten(self.in_td, xs)))
        return leaves

    def __repr__(self):
        return f"<rules of {self.custom.__name__}>"


class _JVPRules(_FlatRules):
    def jvp(self, xs, ts):
        y, ty = self.custom.jvp(tree_unflatten(self.in_td, xs), tree_unflatten(self.in_td, ts))
        ys, td = tree_flatten(y)
        tys, ttd = tree_flatten(ty)
        if ttd != td:
            raise InputError(f"custom_jvp rule of {self.custom.__name__} returned tangents of "
                             f"structure {ttd} for outputs of structure {td}")
        self.out_td = td
        return ys, tys


# ------------------------------------------------------------------ custom_vjp
custom_vjp_call_p = new_primitive("custom_vjp_call", multiple_results=True)
custom_vjp_call_p.impl = lambda *xs, fun, fwd, bwd: fun(*xs)
custom_vjp_call_p.shape = lambda *avals, fun, fwd, bwd: _abstract_eval(fun, avals)


def _custom_vjp_call_jvp(xs, ts, fun, fwd, bwd):
    ys, res = fwd(*xs)
    res_leaves, res_td = tree_flatten(res)       # residuals are inputs, never params
    params = dict(bwd=bwd, res_td=res_td, out_avals=tuple(get_aval(y) for y in ys),
                  in_avals=tuple(get_aval(x) for x in xs))
    tys = custom_vjp_lin_p.bind(*res_leaves, *[instantiate(t) for t in ts], **params)
    return ys, tys


custom_vjp_call_p.jvp = _custom_vjp_call_jvp


def _custom_vjp_call_taylor(primals, series, fun, fwd, bwd):
    # A reverse rule says nothing about higher coefficients: Taylor mode goes through the
    # primal function, so it must be written in wengert ops.
    return taylor_call(fun, primals, series, order_of(series))


custom_vjp_call_p.taylor = _custom_vjp_call_taylor

# The linear map t -> J t whose transpose is the user's bwd.  Its inputs are the
# residual leaves (res_td.num_leaves of them, constants to the map), then the tangents.
custom_vjp_lin_p = new_primitive("custom_vjp_lin", multiple_results=True)
custom_vjp_lin_p.linear = True
custom_vjp_lin_p.shape = lambda *avals, bwd, res_td, out_avals, in_avals: list(out_avals)


def _split_res(args, res_td):
    n = res_td.num_leaves
    return tree_unflatten(res_td, list(args[:n])), args[n:]


def _custom_vjp_lin_impl(*args, bwd, res_td, out_avals, in_avals):
    """Forward mode through a custom_vjp: (J t)_j = <bwd(e_j), t> for each output element."""
    res, ts = _split_res(args, res_td)
    outs = []
    for i, aval in enumerate(out_avals):
        rows = []
        for j in range(aval.size):
            e = np.zeros(aval.size, aval.dtype)
            e[j] = 1
            cts = [np.zeros(a.shape, a.dtype) for a in out_avals]
            cts[i] = e.reshape(aval.shape)
            grads = bwd(res, cts, in_avals)
            rows.append(sum(wnp.vdot(g, t) for g, t in zip(grads, ts)))
        outs.append(wnp.reshape(wnp.stack(rows), aval.shape) if rows else np.zeros(aval.shape, aval.dtype))
    return outs


def _custom_vjp_lin_transpose(cts, *args, bwd, res_td, out_avals, in_avals):
    res, _ = _split_res(args, res_td)
    cts = [np.zeros(a.shape, a.dtype) if type(c) is Zero else c for c, a in zip(cts, out_avals)]
    return [None] * res_td.num_leaves + list(bwd(res, cts, in_avals))


def _custom_vjp_lin_jvp(xs, ts, **params):
    # the residuals are constants of the linear map: only the tangents' tangents flow
    n = params["res_td"].num_leaves
    res = xs[:n]
    return (custom_vjp_lin_p.bind(*xs, **params),
            custom_vjp_lin_p.bind(*res, *[instantiate(t) for t in ts[n:]], **params))


custom_vjp_lin_p.impl = _custom_vjp_lin_impl
custom_vjp_lin_p.transpose = _custom_vjp_lin_transpose
custom_vjp_lin_p.jvp = _custom_vjp_lin_jvp


def _custom_vjp_lin_taylor(primals, series, **params):
    # linear in the tangents with constant residuals: coefficient by coefficient
    outs = custom_vjp_lin_p.bind(*primals, **params)
    n = params["res_td"].num_leaves
    res, ts, ss = primals[:n], primals[n:], series[n:]
    per_k = [custom_vjp_lin_p.bind(*res, *[np.zeros(get_aval(x).shape, get_aval(x).dtype) if s is None
                                           else coef(s, k) for x, s in zip(ts, ss)], **params)
             for k in range(order_of(series))]
    return outs, [stack([c[i] for c in per_k]) for i in range(len(outs))]


custom_vjp_lin_p.taylor = _custom_vjp_lin_taylor


class custom_vjp:
    """A function with a user-supplied reverse-mode rule.

    `fwd(*args) -> (output, residuals)`; `bwd(residuals, ct) -> tuple` with one
    cotangent per positional argument.  Forward mode (jvp, jacfwd, hessian) uses
    the same rule: J t is assembled from one `bwd` call per output element, so
    prefer `custom_jvp` when forward mode matters for speed.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> @wg.custom_vjp
      ... def clip_gradient(x):
      ...     return x
      >>> clip_gradient.defvjp(lambda x: (x, None), lambda res, ct: (wnp.clip(ct, -1.0, 1.0),))
      >>> float(wg.grad(lambda x: 5.0 * clip_gradient(x))(2.0))
      1.0
    """

    def __init__(self, fun):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.fwd = self.bwd = None

    def defvjp(self, fwd, bwd):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args, **kwargs):
        if self.fwd is None:
            raise MissingRuleError(f"custom_vjp function {self.__name__} has no rule; "
                                   "register one with f.defvjp(fwd, bwd)")
        flat, in_td = tree_flatten(_positional(self.fun, args, kwargs))
        rules = _rules_for(self, in_td, _VJPRules)
        outs = custom_vjp_call_p.bind(*flat, fun=rules.fun, fwd=rules.fwd, bwd=rules.bwd)
        return tree_unflatten(rules.out_td, outs)


class _VJPRules(_FlatRules):
    def fwd(self, *xs):
        out, res = self.custom.fwd(*tree_unflatten(self.in_td, xs))
        leaves, self.out_td = tree_flatten(out)
        return leaves, res

    def bwd(self, res, cts, in_avals):
        """The user's bwd on flat cotangents; one checked cotangent per input leaf."""
        name, nargs = self.custom.__name__, len(self.in_td.children)
        grads = self.custom.bwd(res, tree_unflatten(self.out_td, cts))
        if not isinstance(grads, (tuple, list)) or len(grads) != nargs:
            got = type(grads).__name__ + (f" of length {len(grads)}" if isinstance(grads, (tuple, list)) else "")
            raise InputError(f"custom_vjp bwd of {name} must return a tuple with one cotangent per "
                             f"argument ({nargs}), got {got}")
        if all(c.kind == "leaf" for c in self.in_td.children):   # None: a zero cotangent
            grads = tuple(np.zeros(a.shape, a.dtype) if g is None else g for g, a in zip(grads, in_avals))
        leaves, td = tree_flatten(tuple(grads))
        if td != self.in_td:
            raise InputError(f"custom_vjp bwd of {name} returned structure {td}; the arguments have "
                             f"structure {self.in_td}")
        return [_checked_cotangent(g, a, k, name) for k, (g, a) in enumerate(zip(leaves, in_avals))]


def _checked_cotangent(g, aval, k, name):
    if g is None:
        return np.zeros(aval.shape, aval.dtype)
    if get_aval(g).shape != aval.shape:
        raise InputError(f"custom_vjp bwd of {name} returned a cotangent of shape {get_aval(g).shape} "
                         f"for an argument of shape {aval.shape} (leaf {k}); shape it like the argument")
    return g
