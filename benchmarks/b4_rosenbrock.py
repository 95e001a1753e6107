"""B4 extended Rosenbrock: gradient and Hessian-vector product of a large elementwise function.

f(x) = sum(100*(x[1:] - x[:-1]**2)**2 + (1 - x[:-1])**2), n = 1e5 and 1e6 (--quick: 1e4, 1e5),
float64, x and the direction v standard normal. What is measured: milliseconds per call of f,
grad f and hvp(f, x, v) in each library, against hand-written NumPy f, gradient and
Hessian-vector product (themselves checked against finite differences). Reported: cost
relative to the hand-written f (the "cheap gradient principle": targets grad/f <= 3x and
hvp/f <= 6x for wengert), and against the hand-written gradient and hvp.
"""
import numpy as np

from harness import Impl, Table, cell_ratio, cell_time, evaluate, fd_gradient, measure, notes_for

TARGETS = {"grad": 3.0, "hvp": 6.0}
SIZES = {False: (10**5, 10**6), True: (10**4, 10**5)}
OPS = ("f", "grad", "hvp")


def rosen(x, ns):
    return ns.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def numpy_grad(x):
    a = x[:-1]
    d = x[1:] - a * a
    g = np.zeros_like(x)
    g[:-1] = -400.0 * a * d - 2.0 * (1 - a)
    g[1:] += 200.0 * d
    return g


def numpy_hvp(x, v):
    """Directional derivative of numpy_grad along v."""
    a, va = x[:-1], v[:-1]
    d = x[1:] - a * a
    dd = v[1:] - 2.0 * a * va          # derivative of d along v
    hv = np.zeros_like(x)
    hv[:-1] = -400.0 * (va * d + a * dd) + 2.0 * va
    hv[1:] += 200.0 * dd
    return hv


def rosen_one_op_at_a_time(x):
    """f as eager reverse mode evaluates it: one NumPy call per primitive, each result a new
    array (NumPy's temporary elision, which reuses a dying temporary in `a * b + c`, never
    applies), with the residuals the backward pass needs (d and 1 - x[:-1]) kept alive."""
    a = x[:-1]
    s = np.square(a)
    d = np.subtract(x[1:], s)
    del s
    m = np.multiply(100.0, np.square(d))
    o = np.subtract(1.0, a)
    t = np.add(m, np.square(o))
    del m
    return np.add.reduce(t), (d, o)


def where_note(n, x, f_time, opts):
    """How much of the cheap-gradient budget eager reverse mode spends before its backward
    pass does any NumPy work: the primal pass without temporary elision, and the Python
    dispatch, measured as wengert's gradient of the same f at n = 8 (the same primitive
    calls in the same order, with almost no arithmetic)."""
    tiny = np.random.default_rng(1).standard_normal(8)
    t = measure({"primal": lambda: rosen_one_op_at_a_time(x),
                 "dispatch": _wengert(tiny, tiny)["grad"]}, opts)
    primal, dispatch = t["primal"][0] / f_time, t["dispatch"][0] / f_time
    left = TARGETS["grad"] - primal - dispatch
    return (f"[n={n:.0e}] where the time goes: NumPy f evaluated one primitive per call, keeping "
            f"the residuals (as any eager reverse mode must), takes {primal:.3g}x the fused f; "
            f"wengert's Python dispatch (its gradient at n = 8: the same primitive calls, almost "
            f"no arithmetic) takes {t['dispatch'][0] * 1e3:.3g} ms = {dispatch:.3g}x f; that "
            f"leaves {left:.3g}x f of the 3x target for the NumPy work of the backward pass")


def reference_fd_error(eps=1e-6):
    """Max relative error of the hand gradient and hvp against central differences (n = 7)."""
    rng = np.random.default_rng(1)
    x, v = rng.standard_normal(7), rng.standard_normal(7)
    fd_g = fd_gradient(lambda arrays: rosen(arrays[0], np), [x.copy()])[0]
    fd_hv = (numpy_grad(x + eps * v) - numpy_grad(x - eps * v)) / (2 * eps)
    rel = lambda a, b: np.max(np.abs(a - b)) / np.max(np.abs(b))  # noqa: E731
    return max(rel(numpy_grad(x), fd_g), rel(numpy_hvp(x, v), fd_hv))


def _numpy(x, v):
    return {"f": lambda: rosen(x, np), "grad": lambda: numpy_grad(x), "hvp": lambda: numpy_hvp(x, v)}


def _wengert(x, v):
    import wengert as wg
    import wengert.numpy as wnp
    f = lambda x: rosen(x, wnp)  # noqa: E731
    g = wg.grad(f)
    return {"f": lambda: f(x), "grad": lambda: g(x), "hvp": lambda: wg.hvp(f, x, v)}


def _jax(x, v, jit):
    import jax
    import jax.numpy as jnp
    f = lambda x: rosen(x, jnp)  # noqa: E731
    hvp = lambda x, v: jax.jvp(jax.grad(f), (x,), (v,))[1]  # noqa: E731  forward-over-reverse
    fns = {"f": f, "grad": jax.grad(f), "hvp": hvp}
    fns = {op: jax.jit(fn) if jit else fn for op, fn in fns.items()}
    jx, jv = jnp.asarray(x), jnp.asarray(v)
    return {"f": lambda: jax.block_until_ready(fns["f"](jx)),
            "grad": lambda: jax.block_until_ready(fns["grad"](jx)),
            "hvp": lambda: jax.block_until_ready(fns["hvp"](jx, jv))}


def _torch(x, v):
    import torch
    f = lambda x: rosen(x, torch)  # noqa: E731
    tx, tv = torch.from_numpy(x), torch.from_numpy(v)
    txr = tx.clone().requires_grad_(True)
    hvp = lambda: torch.func.jvp(torch.func.grad(f), (tx,), (tv,))[1]  # noqa: E731
    return {"f": lambda: f(tx), "grad": lambda: torch.autograd.grad(f(txr), txr)[0], "hvp": hvp}


def _autograd(x, v):
    import autograd
    import autograd.numpy as anp
    f = lambda x: rosen(x, anp)  # noqa: E731
    g, hvp = autograd.grad(f), autograd.hessian_vector_product(f)   # hvp: reverse-over-reverse
    return {"f": lambda: f(x), "grad": lambda: g(x), "hvp": lambda: hvp(x, v)}


LIBS = [  # (row label, builder, peer)
    ("NumPy hand-written", lambda x, v: _numpy(x, v), ""),
    ("wengert (eager)", lambda x, v: _wengert(x, v), ""),
    ("jax (eager)", lambda x, v: _jax(x, v, False), "jax"),
    ("jax.jit (compiled)", lambda x, v: _jax(x, v, True), "jax"),
    ("torch (eager; hvp by torch.func)", lambda x, v: _torch(x, v), "torch"),
    ("autograd (HIPS, eager)", lambda x, v: _autograd(x, v), "autograd"),
]
REF, WENGERT = LIBS[0][0], LIBS[1][0]


def impls(x, v, expected):
    """One Impl per (library, op); each library's builder runs once per op (cheap)."""
    return [Impl(f"{lib} {op}", (lambda b=build, op=op: b(x, v)[op]), peer, ref=expected[op])
            for lib, build, peer in LIBS for op in OPS]


def _verdicts(results, n):
    notes, f_ref = [], results[f"{REF} f"]
    for op, target in TARGETS.items():
        res = results[f"{WENGERT} {op}"]
        if res.median is not None and f_ref.median is not None:
            ratio = res.median / f_ref.median
            verdict = "MEETS" if ratio <= target else "MISSES"
            notes.append(f"[n={n:.0e}] wengert {op} / NumPy f = {ratio:.3g}x "
                         f"{verdict} the target <= {target:g}x")
    return notes


def _table(n, results):
    table = Table(f"B4 extended Rosenbrock, n = {n:.0e} (float64)",
                  ["implementation", "f ms", "grad ms", "hvp ms", "grad / NumPy f",
                   "hvp / NumPy f", "grad / NumPy grad", "hvp / NumPy hvp"])
    for lib, _, _ in LIBS:
        r = {op: results[f"{lib} {op}"] for op in OPS}
        ref = {op: results[f"{REF} {op}"] for op in OPS}
        table.rows.append([lib] + [cell_time(r[op], "ms") for op in OPS] + [
            cell_ratio(r["grad"], ref["f"]), cell_ratio(r["hvp"], ref["f"]),
            cell_ratio(r["grad"], ref["grad"]), cell_ratio(r["hvp"], ref["hvp"])])
    table.notes = list(dict.fromkeys(notes_for(results))) + _verdicts(results, n)
    return table


def run(opts):
    """One table per size; all (library, op) pairs of a size are timed side by side."""
    tables = []
    for n in SIZES[opts.quick]:
        rng = np.random.default_rng(0)
        x, v = rng.standard_normal(n), rng.standard_normal(n)
        expected = {"f": rosen(x, np), "grad": numpy_grad(x), "hvp": numpy_hvp(x, v)}
        results = evaluate(impls(x, v, expected), None, 1e-6, opts, f"B4 n={n:.0e}")
        tables.append(_table(n, results))
        if results[f"{REF} f"].median is not None:
            tables[-1].notes.append(where_note(n, x, results[f"{REF} f"].median, opts))
    tables[-1].notes += [
        f"hand-written gradient and hvp vs central finite differences (n = 7): max relative error "
        f"{reference_fd_error():.1e}",
        "hvp: wengert (wg.hvp) is reverse-over-forward; JAX and torch.func are forward-over-reverse; "
        "HIPS autograd is reverse-over-reverse"]
    return tables
