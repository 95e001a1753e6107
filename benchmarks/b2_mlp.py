"""B2 MLP: value_and_grad of a small neural network's loss, where BLAS does the heavy work.

Loss: mean softmax cross-entropy (one-hot labels) of a tanh MLP, differentiated with respect to
every weight and bias (params = list of (W, b) pairs, argnums=0). Sizes: 64-128-10 with batch
256 in float64 and in float32, and 784-512-512-10 float32 with batch 512 (--quick shrinks the
last one). What is measured: milliseconds per value_and_grad call against hand-written NumPy
forward + backprop (the reference, itself checked against finite differences on a tiny net).
Target: wengert / NumPy <= 1.3x.
"""
import numpy as np

from harness import Impl, Table, cell_ratio, cell_time, evaluate, fd_gradient, measure, notes_for

TARGET_RATIO = 1.3
FULL = [((64, 128, 10), 256, np.float64), ((64, 128, 10), 256, np.float32),
        ((784, 512, 512, 10), 512, np.float32)]
QUICK = FULL[:2] + [((784, 256, 256, 10), 128, np.float32)]
RTOL = {np.float64: 1e-6, np.float32: 1e-3}


def make_problem(sizes, batch, dtype, seed=0):
    """Random params (list of (W, b)), inputs x and one-hot labels y, all of `dtype`."""
    rng = np.random.default_rng(seed)
    params = [((rng.standard_normal((m, n)) / np.sqrt(m)).astype(dtype),
               (0.1 * rng.standard_normal(n)).astype(dtype))
              for m, n in zip(sizes[:-1], sizes[1:])]
    x = rng.standard_normal((batch, sizes[0])).astype(dtype)
    y = np.eye(sizes[-1], dtype=dtype)[rng.integers(0, sizes[-1], batch)]
    return params, x, y


def mlp_loss(params, x, y, tanh, log_softmax, total):
    """Mean cross-entropy, written once for every library (they supply the three functions)."""
    h = x
    for W, b in params[:-1]:
        h = tanh(h @ W + b)
    W, b = params[-1]
    return -total(log_softmax(h @ W + b) * y) / x.shape[0]


def numpy_value_and_grad(params, x, y):
    """Hand-written forward pass and backpropagation: (loss, [(dW, db), ...])."""
    hs = [x]
    for W, b in params[:-1]:
        hs.append(np.tanh(hs[-1] @ W + b))
    W, b = params[-1]
    z = hs[-1] @ W + b
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = -((z - np.log(s)) * y).sum() / n
    g = (e / s - y) / n                      # d loss / d logits: softmax - y (rows of y sum to 1)
    grads = []
    for i in reversed(range(len(params))):
        grads.append((hs[i].T @ g, g.sum(axis=0)))
        if i:
            g = (g @ params[i][0].T) * (1 - hs[i] * hs[i])   # tanh' = 1 - tanh^2
    return loss, grads[::-1]


def reference_fd_error():
    """Max relative error of the hand backprop against central differences (3-4-2, batch 5)."""
    params, x, y = make_problem((3, 4, 2), 5, np.float64, seed=1)
    flat = [a for pair in params for a in pair]
    loss = lambda arrays: numpy_value_and_grad(list(zip(arrays[::2], arrays[1::2])), x, y)[0]  # noqa: E731
    fd = fd_gradient(loss, flat)
    hand = [g for pair in numpy_value_and_grad(params, x, y)[1] for g in pair]
    return max(np.max(np.abs(h - d)) / np.max(np.abs(d)) for h, d in zip(hand, fd))


def _wengert(params, x, y):
    import wengert as wg
    import wengert.numpy as wnp
    from wengert.scipy.special import log_softmax
    loss = lambda p, x, y: mlp_loss(p, x, y, wnp.tanh, lambda z: log_softmax(z, axis=-1), wnp.sum)  # noqa: E731
    vg = wg.value_and_grad(loss, argnums=0)
    return lambda: vg(params, x, y)


def _jax(params, x, y, jit):
    import jax
    import jax.numpy as jnp
    loss = lambda p, x, y: mlp_loss(p, x, y, jnp.tanh, jax.nn.log_softmax, jnp.sum)  # noqa: E731
    vg = jax.jit(jax.value_and_grad(loss)) if jit else jax.value_and_grad(loss)
    jparams, jx, jy = jax.tree_util.tree_map(jnp.asarray, (params, x, y))
    return lambda: jax.block_until_ready(vg(jparams, jx, jy))


def _torch(params, x, y):
    import torch
    flat = [torch.tensor(a, requires_grad=True) for pair in params for a in pair]
    pairs = list(zip(flat[::2], flat[1::2]))
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)
    lsm = lambda z: torch.log_softmax(z, dim=-1)  # noqa: E731

    def value_and_grad():
        loss = mlp_loss(pairs, tx, ty, torch.tanh, lsm, torch.sum)
        return loss.detach(), torch.autograd.grad(loss, flat)
    return value_and_grad


def _autograd(params, x, y):
    import autograd
    import autograd.numpy as anp
    from autograd.scipy.special import logsumexp
    lsm = lambda z: z - logsumexp(z, axis=-1, keepdims=True)  # noqa: E731
    vg = autograd.value_and_grad(lambda p, x, y: mlp_loss(p, x, y, anp.tanh, lsm, anp.sum))
    return lambda: vg(params, x, y)


REF, WENGERT = "NumPy hand-written backprop", "wengert.value_and_grad"


def impls(problem):
    return [
        Impl(REF, lambda: (lambda: numpy_value_and_grad(*problem))),
        Impl(WENGERT, lambda: _wengert(*problem)),
        Impl("jax.value_and_grad (eager)", lambda: _jax(*problem, False), "jax"),
        Impl("jax.jit(jax.value_and_grad) (compiled)", lambda: _jax(*problem, True), "jax"),
        Impl("torch.autograd.grad (eager)", lambda: _torch(*problem), "torch"),
        Impl("autograd.value_and_grad (HIPS, eager)", lambda: _autograd(*problem), "autograd"),
    ]


def _count_primitives(fn):
    """How many primitives one call of `fn` evaluates (forward and backward passes)."""
    from wengert import core
    count, process = [0], core.EvalInterpreter.process

    def counting(self, prim, args, params):
        count[0] += 1
        return process(self, prim, args, params)
    core.EvalInterpreter.process = counting
    try:
        fn()
    finally:
        core.EvalInterpreter.process = process
    return count[0]


def dispatch_note(name, sizes, dtype, wengert_time, ref_time, opts):
    """Where wengert's time goes: the same network shrunk to widths 4 and batch 2 does
    negligible NumPy work, so its time is the per-primitive Python dispatch, which does not
    depend on the widths. What remains of the full-size time is NumPy work."""
    tiny = make_problem((4,) * (len(sizes) - 1) + (3,), 2, dtype)
    fns = {"w": _wengert(*tiny), "np": lambda: numpy_value_and_grad(*tiny)}
    times = {k: med for k, (med, _) in measure(fns, opts).items()}
    prims = _count_primitives(fns["w"])
    dispatch = times["w"] - times["np"]
    rest = (wengert_time - dispatch) / ref_time
    need = (TARGET_RATIO * ref_time - (wengert_time - dispatch)) / prims
    return (f"[{name}] where the time goes: the same network at widths 4, batch 2 takes "
            f"{times['w'] * 1e3:.3g} ms in wengert and {times['np'] * 1e3:.3g} ms in NumPy, i.e. "
            f"{dispatch * 1e6 / prims:.3g} us of dispatch for each of its {prims} primitives; "
            f"without that dispatch wengert would be {rest:.3g}x NumPy here, and {TARGET_RATIO}x "
            + (f"needs at most {need * 1e6:.2g} us per primitive" if need > 0 else
               "is out of reach even with no dispatch at all"))


def _name(sizes, batch, dtype):
    return f"{'-'.join(map(str, sizes))} {np.dtype(dtype).name} b{batch}"


def run(opts):
    """One table: a (time, ratio) column pair per configuration."""
    header, columns, notes = ["implementation"], [], []
    for sizes, batch, dtype in (QUICK if opts.quick else FULL):
        name, problem = _name(sizes, batch, dtype), make_problem(sizes, batch, dtype)
        reference = numpy_value_and_grad(*problem)
        results = evaluate(impls(problem), reference, RTOL[dtype], opts, f"B2 {name}")
        columns.append(results)
        header += [f"{name}: ms", "x NumPy"]
        notes += notes_for(results, tag=f"[{name}] ")
        if results[WENGERT].median is not None:
            ratio = results[WENGERT].median / results[REF].median
            verdict = "MEETS" if ratio <= TARGET_RATIO else "MISSES"
            notes.append(f"[{name}] wengert / NumPy = {ratio:.3g}x {verdict} the target <= {TARGET_RATIO}x")
            notes.append(dispatch_note(name, sizes, dtype, results[WENGERT].median,
                                       results[REF].median, opts))
    table = Table("B2 MLP: value_and_grad of mean softmax cross-entropy (tanh MLP)", header)
    for impl in impls(None):
        row = [impl.label]
        for results in columns:
            row += [cell_time(results[impl.label], "ms"), cell_ratio(results[impl.label], results[REF])]
        table.rows.append(row)
    table.notes = list(dict.fromkeys(notes)) + [
        f"reference backprop vs central finite differences (3-4-2 net, float64): "
        f"max relative error {reference_fd_error():.1e}",
        "checks: np.allclose(rtol=1e-6 float64 / 1e-3 float32, atol=rtol*max|ref|) on the loss "
        "and every gradient; dtypes must match the reference"]
    return [table]
