"""The public transforms: grad, value_and_grad, jvp, vjp, linearize, jacfwd,
jacrev, jacobian, hessian, hvp, make_graph.  JAX conventions, pytrees
everywhere.  Each transform creates fresh interpreters parented on whatever
interpreter is current, so they nest freely."""
import functools

import numpy as np

from .core import (_current, InputError, NonScalarOutputError, Tracer, Zero, call_under,
                   current_interpreter, get_aval, is_float)
from .interpreters.jvp import JVPInterpreter, JVPTracer
from .interpreters.linearize import TapeInterpreter, forward_pass, tape_to_graph
from .interpreters.stage import StageInterpreter
from .interpreters.transpose import backward_pass
from .tree import tree_flatten, tree_unflatten


# ------------------------------------------------------------------ input checks
@functools.lru_cache(maxsize=256)
def _argnums_tuple(argnums, nargs, fname):
    single = isinstance(argnums, (int, np.integer))
    if not single and not (isinstance(argnums, tuple) and argnums
                           and all(isinstance(a, (int, np.integer)) for a in argnums)):
        raise InputError(f"{fname}: argnums must be an int or a non-empty tuple of ints, got "
                         f"{argnums!r}")
    nums = (int(argnums),) if single else tuple(int(a) for a in argnums)
    for a in nums:
        if not -nargs <= a < nargs:
            raise InputError(f"{fname}: argnums={argnums!r} is out of range for a function called "
                             f"with {nargs} positional argument(s); use 0..{nargs - 1}")
    nums = tuple(a % nargs for a in nums)
    if len(set(nums)) != len(nums):
        raise InputError(f"{fname}: argnums={argnums!r} names the same argument twice; list each "
                         "argument once")
    return single, nums


def _canon_leaf(x, fname, where, allow_int=False):
    """A differentiable input leaf as a NumPy value (Python floats -> float64)."""
    if isinstance(x, Tracer):
        dtype = x.aval.dtype
    elif isinstance(x, (bool, int, float, complex, np.ndarray, np.generic)):
        x = np.asarray(x)[()] if not isinstance(x, np.ndarray) else x
        dtype = x.dtype
    else:
        raise InputError(f"{fname}: {where} is a {type(x).__name__} ({x!r:.40}); wengert "
                         "differentiates numbers, NumPy arrays and pytrees of them")
    if not is_float(dtype) and not allow_int:
        raise InputError(f"{fname}: {where} has dtype {dtype} (value {x!r:.40}); only floating "
                         "inputs can be differentiated. Cast it, e.g. `x.astype(float)` or `float(x)`,"
                         " or pass allow_int=True to treat it as a constant with zero gradient")
    return x


_FLOATS = (float, np.float64, np.float32)


def _dyn_args(fname, args, argnums, allow_int=False):
    try:
        single, nums = _argnums_tuple(tuple(argnums) if type(argnums) is list else argnums,
                                      len(args), fname)
    except InputError:
        raise
    except TypeError:   # unhashable: not an int or a tuple of ints
        raise InputError(f"{fname}: argnums must be an int or a non-empty tuple of ints, got "
                         f"{argnums!r}") from None
    for i in nums:
        if type(args[i]) not in _FLOATS:
            break
    else:                                               # fast path: plain float arguments
        leaves = [np.float64(args[i]) if type(args[i]) is float else args[i] for i in nums]
        if nums == _all_args(len(args)):
            return leaves, (_SINGLE if single else _tuple_td(len(nums))), None

        def rebuild_flat(new_leaves):
            full = list(args)
            for i, v in zip(nums, new_leaves):
                full[i] = v
            return full
        return leaves, (_SINGLE if single else _tuple_td(len(nums))), rebuild_flat
    dyn = args[nums[0]] if single else tuple(args[i] for i in nums)
    leaves, td = tree_flatten(dyn)
    rebuild = _rebuild_tree(args, single, nums, td)
    leaves = [_canon_leaf(x, fname, f"argument {nums[0] if single else nums} leaf {k}", allow_int)
              for k, x in enumerate(leaves)]

    return leaves, td, rebuild


@functools.lru_cache(maxsize=64)
def _all_args(n):
    return tuple(range(n))


def _rebuild_tree(args, single, nums, td):
    def rebuild(new_leaves):
        new = tree_unflatten(td, new_leaves)
        full = list(args)
        if single:
            full[nums[0]] = new
        else:
            for i, v in zip(nums, new):
                full[i] = v
        return full
    return rebuild


_SINGLE = tree_flatten(0.0)[1]


@functools.lru_cache(maxsize=64)
def _tuple_td(n):
    return tree_flatten((0.0,) * n)[1]


_ZERO64 = np.float64(0.0)


def _finalize(ct, x):
    """A cotangent/tangent for input `x`: concrete zeros if None, x's dtype and shape."""
    if type(x) is np.float64 and (type(ct) is np.float64 or ct is None):
        return ct if ct is not None else _ZERO64
    aval = get_aval(x)
    if ct is None or type(ct) is Zero:
        z = np.zeros(aval.shape, aval.dtype if is_float(aval.dtype) else np.float64)
        return z[()] if aval.shape == () else z
    if isinstance(ct, Tracer):
        return ct
    ct = np.asarray(ct)
    if ct.dtype != aval.dtype and is_float(aval.dtype):
        ct = ct.astype(aval.dtype)
    elif not ct.flags.writeable:      # a broadcast view: hand the user an array they own
        ct = ct.copy()
    if ct.shape != aval.shape:
        ct = np.broadcast_to(ct, aval.shape).copy()
    return ct[()] if aval.shape == () else ct


# ------------------------------------------------------------------ linearization
class _Linearized:
    """A function run once under forward mode with its tangents taped."""

    def __init__(self, fn, leaves, name, has_aux=False, allow_int=False):
        self.parent = parent = _current.get()
        self.tape = TapeInterpreter(parent)
        jvp = JVPInterpreter(parent, inner=self.tape, name=name)
        self.inputs, self.in_lin, tracers = leaves, [], []
        for x in leaves:
            aval = get_aval(x)
            if aval.dtype.kind in "fc":
                t = self.tape.new_tracer(aval)
                tracers.append(JVPTracer(jvp, x, t))
            else:      # allow_int: a constant
                t = None
                tracers.append(x)
            self.in_lin.append(t)
        try:
            out = call_under(jvp, fn, *tracers)
        finally:
            jvp.alive = self.tape.alive = False
        self.aux = None
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise InputError(f"{name}(has_aux=True) needs the function to return a pair "
                                 f"(output, aux); it returned {type(out).__name__}")
            out, aux = out
            aux_leaves, aux_td = tree_flatten(aux)
            self.aux = tree_unflatten(aux_td, [_strip(a, jvp) for a in aux_leaves])
        if type(out) is JVPTracer and out.interp is jvp:   # the common case: one traced array
            self.out, self.lin_out, self.out_td, self.name = [out.x], [out.t], _SINGLE, name
            return
        leaves_out, self.out_td = tree_flatten(out)
        self.out, self.lin_out = [], []
        for o in leaves_out:
            if type(o) is JVPTracer and o.interp is jvp:
                self.out.append(o.x)
                self.lin_out.append(o.t)
            else:
                get_aval(o)   # raises a clear error for non-array outputs
                self.out.append(o)
                self.lin_out.append(Zero(o))
        self.name = name

    def transpose(self, cts, consume):
        in_lin = self.in_lin
        lin = [t for t in in_lin if t is not None]
        lin = in_lin if len(lin) == len(in_lin) else lin
        got = backward_pass(self.tape, lin, self.lin_out, cts, _current.get(), consume)
        if lin is in_lin:
            return [_finalize(g, x) for g, x in zip(got, self.inputs)]
        it = iter(got)
        return [_finalize(next(it) if t is not None else None, x) for t, x in zip(in_lin, self.inputs)]

    def forward(self, tangents):
        lin = [t for t in self.in_lin if t is not None]
        ts = [t for t, l in zip(tangents, self.in_lin) if l is not None]
        outs = forward_pass(self.tape, lin, ts, self.lin_out)
        return [_finalize(t, o) for t, o in zip(outs, self.out)]

    def release(self):
        self.tape.tape.clear()


def _strip(a, interp):
    return a.x if type(a) is JVPTracer and a.interp is interp else a


def _check_cts(name, lin, ct_tree):
    leaves, td = tree_flatten(ct_tree)
    if td != lin.out_td:
        raise InputError(f"{name}: the cotangent's structure {td} does not match the output's "
                         f"structure {lin.out_td}")
    cts = []
    for k, (c, o) in enumerate(zip(leaves, lin.out)):
        ca, oa = get_aval(c), get_aval(o)
        if ca.shape != oa.shape:
            raise InputError(f"{name}: cotangent {k} has shape {ca.shape} but the output has shape "
                             f"{oa.shape}; pass a cotangent shaped like the output")
        if not isinstance(c, Tracer):
            c = np.asarray(c, dtype=oa.dtype if is_float(oa.dtype) else None)[()]
        cts.append(c)
    return cts


# ------------------------------------------------------------------ grad
_ONE = {np.dtype(d): np.ones((), d)[()] for d in (np.float16, np.float32, np.float64)}

def value_and_grad(f, argnums=0, has_aux=False, allow_int=False):
    """Return a function computing `f` and its gradient by one reverse pass.

    Args:
      f: function with a scalar floating-point output.
      argnums: int or tuple of ints: which positional arguments to differentiate.
      has_aux: if True, `f` returns `(output, aux)` and aux is passed through.
      allow_int: treat integer inputs as constants (zero gradient) instead of raising.

    Returns:
      A function returning `(value, grad)` (or `((value, aux), grad)`), with `grad`
      shaped like the selected argument(s).

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> v, g = wg.value_and_grad(lambda x1, x2: wnp.log(x1) + x1 * x2, argnums=(0, 1))(2.0, 5.0)
      >>> round(float(v), 4), tuple(float(gi) for gi in g)
      (10.6931, (5.5, 2.0))
    """
    @functools.wraps(f)
    def value_and_grad_f(*args, **kwargs):
        leaves, td, rebuild = _dyn_args("grad", args, argnums, allow_int)
        # every argument differentiated, in order, as plain leaves: call f directly
        if rebuild is None:
            fn = f if not kwargs else (lambda *xs: f(*xs, **kwargs))
        else:
            fn = lambda *xs: f(*rebuild(xs), **kwargs)  # noqa: E731
        lin = _Linearized(fn, leaves, "grad", has_aux, allow_int)
        y, y_aval = _scalar_output(lin)
        seed = _ONE[y_aval.dtype] if y_aval.dtype in _ONE else np.ones((), y_aval.dtype)[()]
        grads = lin.transpose([seed], consume=True)
        grads = grads[0] if td is _SINGLE else tuple(grads) if td is _tuple_td(len(grads)) \
            else tree_unflatten(td, grads)
        lin.release()
        value = (y, lin.aux) if has_aux else y
        return value, grads
    return value_and_grad_f


def _scalar_output(lin):
    """The output of a function `grad` differentiates, checked to be one float scalar."""
    y_aval = get_aval(lin.out[0]) if len(lin.out) == 1 else None
    if y_aval is None or y_aval.shape != ():
        shapes = [get_aval(o).shape for o in lin.out]
        got = f"shape {shapes[0]}" if len(shapes) == 1 else f"{len(shapes)} outputs of shapes {shapes}"
        raise NonScalarOutputError(f"grad requires a scalar output, got {got}; use jacrev or vjp "
                                   "for non-scalar outputs (or reduce it, e.g. with .sum())")
    if not is_float(y_aval.dtype):
        raise NonScalarOutputError(f"grad requires a floating-point output, got dtype {y_aval.dtype}")
    return lin.out[0], y_aval


def grad(f, argnums=0, has_aux=False, allow_int=False):
    """Gradient of a scalar function by one reverse pass (see `value_and_grad`).

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> round(float(wg.grad(lambda x: x ** 2 / wnp.cos(x))(wnp.pi)), 10)   # -2 pi
      -6.2831853072
    """
    vg = value_and_grad(f, argnums, has_aux, allow_int)

    @functools.wraps(f)
    def grad_f(*args, **kwargs):
        value, g = vg(*args, **kwargs)
        return (g, value[1]) if has_aux else g
    return grad_f


# ------------------------------------------------------------------ vjp / linearize / jvp
def vjp(f, *primals, has_aux=False):
    """Evaluate `f(*primals)` and return its pullback `ct -> cotangents of primals`.

    The pullback keeps the linear tape and may be called many times.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> y, pullback = wg.vjp(lambda x1, x2: wnp.log(x1) + x1 * x2, 2.0, 5.0)
      >>> tuple(float(c) for c in pullback(1.0))
      (5.5, 2.0)
    """
    leaves, td = tree_flatten(tuple(primals))
    leaves = [_canon_leaf(x, "vjp", f"primal leaf {k}") for k, x in enumerate(leaves)]
    lin = _Linearized(lambda *xs: f(*tree_unflatten(td, xs)), leaves, "vjp", has_aux)

    def pullback(ct):
        cts = _check_cts("vjp pullback", lin, ct)
        return tree_unflatten(td, lin.transpose(cts, consume=False))
    out = tree_unflatten(lin.out_td, lin.out)
    return (out, pullback, lin.aux) if has_aux else (out, pullback)


def linearize(f, *primals):
    """Evaluate `f` and return `(y, f_jvp)` where `f_jvp(*tangents)` applies the
    Jacobian at `primals` by replaying the recorded linear tape.  `f_jvp.graph()`
    returns that tape as a Wengert-list `Graph`.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> y, f_jvp = wg.linearize(wnp.sin, 0.0)
      >>> float(f_jvp(2.0))
      2.0
    """
    leaves, td = tree_flatten(tuple(primals))
    leaves = [_canon_leaf(x, "linearize", f"primal leaf {k}") for k, x in enumerate(leaves)]
    lin = _Linearized(lambda *xs: f(*tree_unflatten(td, xs)), leaves, "linearize")

    def f_jvp(*tangents):
        t_leaves, ttd = tree_flatten(tuple(tangents))
        _check_tangents("linearize", leaves, t_leaves, td, ttd)
        t_leaves = [_canon_tangent(t, x) for t, x in zip(t_leaves, leaves)]
        return tree_unflatten(lin.out_td, lin.forward(t_leaves))
    f_jvp.graph = lambda: tape_to_graph(lin.tape, [t for t in lin.in_lin if t is not None], lin.lin_out)
    return tree_unflatten(lin.out_td, lin.out), f_jvp


def _check_tangents(fname, primals, tangents, ptd, ttd):
    if ptd != ttd:
        raise InputError(f"{fname}: tangents have structure {ttd} but primals have {ptd}; "
                         "pass one tangent per primal, shaped alike")
    for k, (x, t) in enumerate(zip(primals, tangents)):
        xa, ta = get_aval(x), get_aval(t)
        if xa.shape != ta.shape:
            raise InputError(f"{fname}: tangent {k} has shape {ta.shape} but its primal has shape "
                             f"{xa.shape}; tangents must match their primals' shapes")
        if not is_float(ta.dtype) or (ta.dtype != xa.dtype and not ta.weak and not xa.weak):
            raise InputError(f"{fname}: tangent {k} has dtype {ta.dtype} but its primal has dtype "
                             f"{xa.dtype}; cast the tangent, e.g. t.astype({xa.dtype.name!r})")


def _canon_tangent(t, x):
    if isinstance(t, Tracer):
        return t
    return np.asarray(t, dtype=get_aval(x).dtype)[()]


def jvp(f, primals, tangents):
    """Forward mode: `(f(*primals), J(primals) @ tangents)` in one pass.

    Args:
      f: function of positional arguments.
      primals, tangents: tuples (or lists) of pytrees of the same structure, shapes
        and floating dtypes.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> y, t = wg.jvp(lambda x1, x2: wnp.log(x1) + x1 * x2, (2.0, 5.0), (1.0, 0.0))
      >>> round(float(y), 6), float(t)
      (10.693147, 5.5)
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise InputError("jvp: primals and tangents must be tuples, e.g. jvp(f, (x,), (t,))")
    leaves, td = tree_flatten(tuple(primals))
    t_leaves, ttd = tree_flatten(tuple(tangents))
    leaves = [_canon_leaf(x, "jvp", f"primal leaf {k}") for k, x in enumerate(leaves)]
    _check_tangents("jvp", leaves, t_leaves, td, ttd)
    t_leaves = [_canon_tangent(t, x) for t, x in zip(t_leaves, leaves)]
    interp = JVPInterpreter(current_interpreter(), name="jvp")
    tracers = [JVPTracer(interp, x, t) for x, t in zip(leaves, t_leaves)]
    try:
        out = call_under(interp, f, *tree_unflatten(td, tracers))
    finally:
        interp.alive = False
    out_leaves, out_td = tree_flatten(out)
    ys, ts = [], []
    for o in out_leaves:
        if type(o) is JVPTracer and o.interp is interp:
            ys.append(o.x)
            ts.append(_finalize(o.t, o.x))
        else:
            ys.append(o)
            ts.append(_finalize(None, o))
    return tree_unflatten(out_td, ys), tree_unflatten(out_td, ts)


# ------------------------------------------------------------------ Jacobians
def _one_hot(aval, j):
    e = np.zeros(aval.size, aval.dtype if is_float(aval.dtype) else np.float64)
    e[j] = 1
    return e.reshape(aval.shape)


def _stack_rows(rows, out_shape, in_shape, dtype):
    import wengert.numpy as wnp
    if not rows:
        return np.zeros(tuple(out_shape) + tuple(in_shape), dtype)
    out = wnp.reshape(wnp.stack(rows), tuple(out_shape) + tuple(in_shape))
    return out[()] if isinstance(out, np.ndarray) and out.ndim == 0 else out


def _jac_by_rows(outs, ins, pull):
    """Reverse mode: one pullback per output element."""
    blocks = [[None] * len(ins) for _ in outs]
    for i, o in enumerate(outs):
        oa = get_aval(o)
        rows = [pull(i, _one_hot(oa, j)) for j in range(oa.size)]
        for k, x in enumerate(ins):
            xa = get_aval(x)
            blocks[i][k] = _stack_rows([r[k] for r in rows], oa.shape, xa.shape, _jdtype(xa))
    return blocks


def _jac_by_cols(outs, ins, push):
    """Forward mode: one tangent sweep per input element."""
    import wengert.numpy as wnp
    blocks = [[None] * len(ins) for _ in outs]
    for k, x in enumerate(ins):
        xa = get_aval(x)
        cols = [push(k, _one_hot(xa, j)) for j in range(xa.size)]
        for i, o in enumerate(outs):
            oa = get_aval(o)
            b = _stack_rows([c[i] for c in cols], xa.shape, oa.shape, _jdtype(xa))
            nx, no = len(xa.shape), len(oa.shape)
            perm = tuple(range(nx, nx + no)) + tuple(range(nx))
            blocks[i][k] = wnp.transpose(b, perm) if nx and no else b
    return blocks


def _jdtype(aval):
    return aval.dtype if is_float(aval.dtype) else np.float64


def _jac_tree(blocks, out_td, in_td):
    rows = [tree_unflatten(in_td, row) for row in blocks]
    return tree_unflatten(out_td, rows)


def _jac_setup(fname, f, args, argnums, kwargs):
    leaves, td, rebuild = _dyn_args(fname, args, argnums)
    if rebuild is None:
        return leaves, td, (lambda *xs: f(*xs, **kwargs))
    return leaves, td, (lambda *xs: f(*rebuild(xs), **kwargs))


def jacrev(f, argnums=0, has_aux=False):
    """Jacobian by reverse mode: one forward pass, then one backward sweep per
    output element (cheap when outputs are few).  The result has the output's
    structure, each leaf holding blocks of shape out.shape + in.shape.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> wg.jacrev(lambda x: x ** 2)(wnp.array([1.0, 2.0]))
      array([[2., 0.],
             [0., 4.]])
    """
    @functools.wraps(f)
    def jacrev_f(*args, **kwargs):
        leaves, td, fn = _jac_setup("jacrev", f, args, argnums, kwargs)
        lin = _Linearized(fn, leaves, "jacrev", has_aux)

        def pull(i, e):
            cts = [Zero(o) if j != i else e for j, o in enumerate(lin.out)]
            return lin.transpose(cts, consume=False)
        jac = _jac_tree(_jac_by_rows(lin.out, leaves, pull), lin.out_td, td)
        lin.release()
        return (jac, lin.aux) if has_aux else jac
    return jacrev_f


def jacfwd(f, argnums=0, has_aux=False):
    """Jacobian by forward mode: one jvp per input element (cheap when inputs are
    few).  Same layout as `jacrev`.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> wg.jacfwd(lambda t: wnp.stack([wnp.cos(t), wnp.sin(t), t]))(wnp.pi / 2).round(6)
      array([-1.,  0.,  1.])
    """
    @functools.wraps(f)
    def jacfwd_f(*args, **kwargs):
        leaves, td, fn = _jac_setup("jacfwd", f, args, argnums, kwargs)
        aux_box = []

        def fn_out(*xs):
            out = fn(*xs)
            if has_aux:
                out, aux = out
                aux_box.append(aux)
            return out

        def push(k, e):
            ts = [e if j == k else np.zeros(get_aval(x).shape, get_aval(x).dtype)
                  for j, x in enumerate(leaves)]
            y, t = jvp(fn_out, tuple(leaves), tuple(ts))
            return tree_flatten(t)[0]
        y_leaves, out_td = tree_flatten(fn_out(*leaves))
        jac = _jac_tree(_jac_by_cols(y_leaves, leaves, push), out_td, td)
        return (jac, aux_box[0]) if has_aux else jac
    return jacfwd_f


def jacobian(f, argnums=0, has_aux=False, explain=False):
    """Jacobian, choosing the cheaper mode from the shapes.

    The function is linearized once; its linear tape is then swept forward once
    per input element (n sweeps) or backward once per output element (m sweeps),
    whichever is fewer: forward when n < m, reverse otherwise.  With
    `explain=True` the choice and its reason are printed and kept on the
    returned function as `.explanation`.  `has_aux=True`: f returns
    `(output, aux)` and the result is `(jacobian, aux)`.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> curve = lambda t: wnp.stack([wnp.cos(t), wnp.sin(t), t])
      >>> J = wg.jacobian(curve, explain=True)(wnp.pi / 2)
      jacobian: n = 1 input element, m = 3 output elements; forward mode (1 tangent sweep instead of 3 adjoint sweeps)
      >>> J.round(6)
      array([-1.,  0.,  1.])
    """
    @functools.wraps(f)
    def jacobian_f(*args, **kwargs):
        leaves, td, fn = _jac_setup("jacobian", f, args, argnums, kwargs)
        lin = _Linearized(fn, leaves, "jacobian", has_aux)
        n = sum(get_aval(x).size for x in leaves)
        m = sum(get_aval(o).size for o in lin.out)
        forward = n < m
        jacobian_f.explanation = _explain_mode(n, m, forward)
        if explain:
            print(jacobian_f.explanation)
        if forward:
            def push(k, e):
                return lin.forward([e if j == k else Zero(x) for j, x in enumerate(leaves)])
            blocks = _jac_by_cols(lin.out, leaves, push)
        else:
            def pull(i, e):
                return lin.transpose([Zero(o) if j != i else e for j, o in enumerate(lin.out)], False)
            blocks = _jac_by_rows(lin.out, leaves, pull)
        lin.release()
        jac = _jac_tree(blocks, lin.out_td, td)
        return (jac, lin.aux) if has_aux else jac
    jacobian_f.explanation = None
    return jacobian_f


def _explain_mode(n, m, forward):
    plural = lambda k: "s" * (k != 1)  # noqa: E731
    choice = (f"forward mode ({n} tangent sweep{plural(n)} instead of {m} adjoint sweeps)" if forward
              else f"reverse mode ({m} adjoint sweep{plural(m)} instead of {n} tangent sweeps)")
    return f"jacobian: n = {n} input element{plural(n)}, m = {m} output element{plural(m)}; {choice}"


def hessian(f, argnums=0):
    """Hessian as forward-over-reverse: `jacfwd(jacrev(f))`.

    Example:
      >>> import wengert as wg
      >>> wg.hessian(lambda x: x ** 3)(2.0)
      np.float64(12.0)
    """
    return jacfwd(jacrev(f, argnums), argnums)


def hvp(f, primals, tangents):
    """Hessian-vector product H(x) v of a scalar function, exact, at a small multiple
    of the cost of f.

    Computed as reverse over forward: the gradient of x -> J(x) v, the directional
    derivative from one forward pass.  Forward over reverse (`jvp` of `grad`) gives
    the same numbers; on the Rosenbrock benchmark it measured about a third slower
    here, because the backward pass's in-place cotangent sums only apply to
    concrete arrays, not to dual numbers.

    Args:
      f: scalar function of one argument (a pytree).
      primals: the point x.  tangents: the vector v, shaped like x.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> wg.hvp(lambda x: wnp.sum(x ** 3), wnp.array([1.0, 2.0]), wnp.array([1.0, 1.0]))
      array([ 6., 12.])
    """
    def directional_derivative(x):
        y, t = jvp(f, (x,), (tangents,))
        if get_aval(y).shape != ():
            raise NonScalarOutputError(
                f"hvp requires a scalar function, got output shape {get_aval(y).shape}; for a "
                "vector-valued f use jvp(jacrev(f), ...) or jacobian")
        return t
    return grad(directional_derivative)(primals)


# ------------------------------------------------------------------ staging
def make_graph(f, **kwargs):
    """Return a function that traces `f` on its arguments' shapes and dtypes into
    a Wengert-list `Graph` (nothing is computed).  Print the graph to see it.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> print(wg.make_graph(lambda x1, x2: wnp.log(x1) + x1 * x2)(2.0, 5.0))
      { lambda v-1:float64[], v0:float64[] .
          v1:float64[] = log v-1
          v2:float64[] = mul v-1 v0
          v3:float64[] = add v1 v2
        in (v3) }
    """
    @functools.wraps(f)
    def make_graph_f(*args):
        leaves, td = tree_flatten(tuple(args))
        interp = StageInterpreter(current_interpreter())
        tracers = [interp.new_arg(get_aval(_canon_leaf(x, "make_graph", f"leaf {k}", True)))
                   for k, x in enumerate(leaves)]
        try:
            out = call_under(interp, f, *tree_unflatten(td, tracers), **kwargs)
        finally:
            interp.alive = False
        graph = interp.graph(tracers, tree_flatten(out)[0])
        graph.in_tree, graph.out_tree = td, tree_flatten(out)[1]
        return graph
    return make_graph_f


def stop_gradient(x):
    """The value of `x` with no derivative flowing through it (a constant to every
    transform).  Works on pytrees.

    Example:
      >>> import wengert as wg
      >>> float(wg.grad(lambda x: x * wg.stop_gradient(x))(3.0))
      3.0
    """
    from .ops.elementwise import stop_gradient_p
    from .tree import tree_map
    return tree_map(stop_gradient_p.bind, x)


# ------------------------------------------------------------------ Taylor mode
import itertools  # noqa: E402
import math  # noqa: E402
from fractions import Fraction  # noqa: E402

from .interpreters.taylor import taylor_call  # noqa: E402
from .tree import tree_map  # noqa: E402


def _series_leaf(s, x, k, fname):
    """A series leaf checked against its primal: shape (K, *x.shape), x's dtype."""
    xa = get_aval(x)
    if isinstance(s, Tracer):
        sa = s.aval
    else:
        s = np.asarray(s)
        if s.dtype.kind not in "biuf":
            raise InputError(f"{fname}: series leaf {k} has dtype {s.dtype}; series hold real "
                             "Taylor coefficients (floats)")
        s = s.astype(xa.dtype, copy=False)
        sa = get_aval(s)
    if sa.shape[1:] != xa.shape or not sa.shape:
        raise InputError(f"{fname}: series leaf {k} has shape {sa.shape} but its primal has shape "
                         f"{xa.shape}; a series holds the coefficients x1..xK of x(t) = x0 + x1 t + "
                         f"... + xK t^K stacked on a leading axis, shape (K, *{xa.shape})")
    if not is_float(sa.dtype):
        raise InputError(f"{fname}: series leaf {k} has dtype {sa.dtype}; cast it to {xa.dtype}")
    return s


def _taylor_flat(fname, f, primals, series):
    """Check and flatten the arguments of `taylor`; returns (fn, leaves, s_leaves, order)."""
    if not isinstance(primals, (tuple, list)) or not isinstance(series, (tuple, list)):
        raise InputError(f"{fname}: primals and series must be tuples, e.g. {fname}(f, (x,), (s,)) "
                         "with s of shape (K, *x.shape)")
    leaves, td = tree_flatten(tuple(primals))
    s_leaves, std = tree_flatten(tuple(series))
    if td != std:
        raise InputError(f"{fname}: series have structure {std} but primals have {td}; pass one "
                         "series per primal")
    leaves = [_canon_leaf(x, fname, f"primal leaf {k}") for k, x in enumerate(leaves)]
    s_leaves = [_series_leaf(s, x, k, fname) for k, (s, x) in enumerate(zip(s_leaves, leaves))]
    orders = {get_aval(s).shape[0] for s in s_leaves}
    if len(orders) > 1:
        raise InputError(f"{fname}: the series have different lengths {sorted(orders)}; every "
                         "series needs the same number K of coefficients")
    return (lambda *xs: f(*tree_unflatten(td, xs))), leaves, s_leaves, orders.pop() if orders else 0


def taylor(f, primals, series):
    """Push truncated Taylor series through `f` (Taylor mode, one forward pass).

    Each input follows a curve x(t) = x0 + x1 t + x2 t^2 + ... + xK t^K given by
    its *normalised* Taylor coefficients x_j = x^(j)(0) / j!; the result holds the
    coefficients y_j = y^(j)(0) / j! of y(t) = f(x(t)), to the same order K.  Each
    operation costs O(K^2), so high orders are cheap (see docs/taylor.md).

    Args:
      f: function of positional arguments.
      primals: tuple of pytrees of floating arrays, the point x0.
      series: tuple of the same structure; each leaf has shape (K, *x0.shape) and
        holds x1..xK along its leading axis (K may be 0).

    Returns:
      `(y0, y_series)`: `f(*primals)` and, for each output leaf, an array of shape
      (K, *leaf.shape) holding y1..yK.

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> y0, ys = wg.taylor(wnp.exp, (0.0,), (np.array([1.0, 0.0, 0.0]),))   # x(t) = t
      >>> float(y0), ys.round(6)          # exp(t) = 1 + t + t^2/2 + t^3/6 + ...
      (1.0, array([1.      , 0.5     , 0.166667]))
    """
    fn, leaves, s_leaves, order = _taylor_flat("taylor", f, primals, series)
    if order == 0:
        out = fn(*leaves)
        return out, tree_map(lambda y: np.zeros((0,) + get_aval(y).shape, _jdtype(get_aval(y))), out)
    store = {}

    def fun_flat(*xs):
        out_leaves, store["td"] = tree_flatten(fn(*xs))
        return out_leaves
    ys, ss = taylor_call(fun_flat, leaves, s_leaves, order)
    ss = [_finalize_series(s, y, order) for s, y in zip(ss, ys)]
    return tree_unflatten(store["td"], ys), tree_unflatten(store["td"], ss)


def _finalize_series(s, y, order):
    aval = get_aval(y)
    if s is None:
        return np.zeros((order,) + aval.shape, _jdtype(aval))
    return s


def _factorials(n, dtype):
    return np.cumprod(np.concatenate([[1.0], np.arange(1.0, n + 1)])).astype(dtype)


def _with_factorials(y0, ys, order):
    """[y0, y1, ..., yK] scaled by j!: derivatives from normalised coefficients."""
    import wengert.numpy as wnp
    aval = get_aval(y0)
    full = wnp.concatenate([wnp.reshape(y0, (1,) + aval.shape), ys], axis=0)
    fact = _factorials(order, _jdtype(aval)).reshape((-1,) + (1,) * len(aval.shape))
    return full * fact


def _check_order(fname, order):
    if isinstance(order, bool) or not isinstance(order, (int, np.integer)) or order < 0:
        raise InputError(f"{fname}: order must be a non-negative integer, got {order!r}")
    return int(order)


def derivatives(f, x, order):
    """All derivatives [f(x), f'(x), ..., f^(order)(x)] of a function of one scalar, in
    one Taylor-mode pass (seed x(t) = x + t, then scale coefficient j by j!).

    Args:
      f: function of a scalar (its output may be an array or a pytree of arrays).
      x: the scalar point (float).
      order: the highest derivative wanted, >= 0.

    Returns:
      An array of shape (order + 1, *f(x).shape), derivative j at index j (a pytree
      of such arrays for a pytree output).

    Example:
      >>> import wengert as wg
      >>> wg.derivatives(lambda x: x ** 3, 2.0, order=5)     # the lecture's example
      array([ 8., 12., 12.,  6.,  0.,  0.])
    """
    order = _check_order("derivatives", order)
    x = _canon_leaf(x, "derivatives", "x")
    aval = get_aval(x)
    if aval.shape != ():
        raise InputError(f"derivatives: x must be a scalar, got shape {aval.shape}; for an array x "
                         "use directional_derivatives(f, x, v, order) or taylor_tensor(f, x, order)")
    seed = np.zeros((order,), aval.dtype)
    seed[:1] = 1.0
    y0, ys = taylor(f, (x,), (seed,))
    return tree_map(lambda y, s: _with_factorials(y, s, order), y0, ys)


def directional_derivatives(f, x, v, order):
    """Derivatives of t -> f(x + t v) at t = 0, orders 0..order, in one Taylor pass:
    [f(x), D f(x)[v], D^2 f(x)[v, v], ...].

    Args:
      f: function of one argument (a pytree of float arrays).
      x: the point.  v: the direction, shaped like x.
      order: the highest order wanted, >= 0.

    Returns:
      An array of shape (order + 1, *f(x).shape) (a pytree of them for pytree outputs).

    Example:
      >>> import numpy as np, wengert as wg, wengert.numpy as wnp
      >>> f = lambda x: wnp.sum(x ** 3)
      >>> wg.directional_derivatives(f, np.array([1.0, 2.0]), np.array([1.0, 1.0]), order=3)
      array([ 9., 15., 18., 12.])
    """
    order = _check_order("directional_derivatives", order)
    leaves, td = tree_flatten(x)
    v_leaves, vtd = tree_flatten(v)
    if td != vtd:
        raise InputError(f"directional_derivatives: v has structure {vtd} but x has {td}; pass a "
                         "direction shaped like x")
    leaves = [_canon_leaf(a, "directional_derivatives", f"x leaf {k}") for k, a in enumerate(leaves)]
    seeds = []
    for k, (a, d) in enumerate(zip(leaves, v_leaves)):
        aval, da = get_aval(a), get_aval(d)
        if da.shape != aval.shape:
            raise InputError(f"directional_derivatives: v leaf {k} has shape {da.shape} but x has "
                             f"shape {aval.shape}; the direction must be shaped like x")
        seed = np.zeros((order,) + aval.shape, aval.dtype)
        if order and not isinstance(d, Tracer):
            seed[0] = d
        elif order:
            import wengert.numpy as wnp
            seed = wnp.concatenate([wnp.reshape(d, (1,) + aval.shape), seed[1:]], axis=0)
        seeds.append(seed)
    y0, ys = taylor(f, (tree_unflatten(td, leaves),), (tree_unflatten(td, seeds),))
    return tree_map(lambda y, s: _with_factorials(y, s, order), y0, ys)


def _multi_indices(n, d):
    """All i in N^n with |i| = d, in lexicographic order (iteratively, no recursion)."""
    out = []
    for cut in itertools.combinations(range(d + n - 1), n - 1):    # stars and bars
        bounds = (-1,) + cut + (d + n - 1,)
        out.append(tuple(bounds[m + 1] - bounds[m] - 1 for m in range(n)))
    return out


@functools.lru_cache(maxsize=64)
def _interpolation_weights(n, d):
    """Exact interpolation on the lattice of Griewank, Utke and Walther (Math. Comp. 69,
    2000).  Along a direction i the d-th Taylor coefficient is the homogeneous polynomial
        f_d(i) = sum_{|j| = d} (D^j f / j!) i^j,
    and the points i in N^n with |i| = d are unisolvent for it (as many points as
    multi-indices j).  So D^j f = j! sum_i W[j, i] f_d(i) with W = V^-1, V[i, j] = i^j,
    inverted here in exact rationals and rounded once.  Returns (directions, W * j!)."""
    dirs = _multi_indices(n, d)
    N = len(dirs)
    V = [[Fraction(math.prod(a ** b for a, b in zip(i, j))) for j in dirs] + [Fraction(int(r == c)) for c in range(N)]
         for r, i in enumerate(dirs)]
    for c in range(N):                                  # Gauss-Jordan on [V | I]
        p = next(r for r in range(c, N) if V[r][c] != 0)
        V[c], V[p] = V[p], V[c]
        pivot = V[c][c]
        V[c] = [v / pivot for v in V[c]]
        for r in range(N):
            if r != c and V[r][c] != 0:
                factor = V[r][c]
                V[r] = [a - factor * b for a, b in zip(V[r], V[c])]
    W = np.array([[float(v * math.prod(math.factorial(a) for a in dirs[r])) for v in V[r][N:]]
                  for r in range(N)])
    return dirs, W


def taylor_tensor(f, x, order):
    """All partial derivatives of f of order <= `order` at x, from univariate Taylor
    series only (Griewank, Utke and Walther 2000): for each degree d, one series of
    order d along each direction i with non-negative integer entries summing to d,
    then exact interpolation of the d-th coefficients.  That is C(n + d - 1, d)
    passes for degree d, each O(d^2) per operation, and no nesting.

    Args:
      f: function of one array x of n elements (any shape); its output an array.
      x: the point.  order: the highest derivative order, >= 0.

    Returns:
      A list [f(x), D f(x), D^2 f(x), ..., D^order f(x)]; D^d f(x) has shape
      f(x).shape + x.shape * d (the layout of nested `jacfwd`), symmetric in its
      derivative axes.

    Example:
      >>> import numpy as np, wengert as wg
      >>> f = lambda x: x[0] ** 2 * x[1]
      >>> value, grad, hess = wg.taylor_tensor(f, np.array([1.0, 2.0]), order=2)
      >>> float(value), grad, hess
      (2.0, array([4., 1.]), array([[4., 2.],
             [2., 0.]]))
    """
    import wengert.numpy as wnp
    order = _check_order("taylor_tensor", order)
    x = _canon_leaf(x, "taylor_tensor", "x")
    xa, dtype = get_aval(x), _jdtype(get_aval(x))
    y0 = f(x)
    if isinstance(y0, (list, tuple, dict)):
        raise InputError("taylor_tensor: f must return one array; wrap a pytree output in "
                         "wnp.concatenate or call taylor_tensor per output")
    out, n, y_shape = [y0], xa.size, get_aval(y0).shape
    for d in range(1, order + 1):
        if n == 0:
            out.append(np.zeros(y_shape, dtype))
            continue
        dirs, W = _interpolation_weights(n, d)
        coefs = []                               # f_d(i) for each direction i
        for i in dirs:
            seed = np.zeros((d,) + xa.shape, dtype)
            seed[0] = np.asarray(i, dtype).reshape(xa.shape)
            coefs.append(taylor(f, (x,), (seed,))[1][d - 1])
        Dj = wnp.matmul(wnp.stack(coefs, axis=-1), W.T.astype(dtype))   # (*y.shape, multi-indices)
        out.append(_symmetric_tensor(Dj, dirs, n, d, y_shape, xa.shape))
    return out


def _symmetric_tensor(Dj, js, n, d, y_shape, x_shape):
    """The symmetric tensor with entry D^j f at every index tuple whose counts are j."""
    import wengert.numpy as wnp
    pos = {j: r for r, j in enumerate(js)}
    gather = [pos[tuple(idx.count(m) for m in range(n))] for idx in itertools.product(range(n), repeat=d)]
    return wnp.reshape(wnp.take(Dj, np.asarray(gather), axis=-1), tuple(y_shape) + tuple(x_shape) * d)
