"""B1 scalar: the cost of one eager reverse-mode gradient of a tiny scalar function.

Two lecture functions, each differentiated with respect to both arguments at its lecture point:
  f1(x1, x2) = ln x1 + x1*x2 at (2, 5); gradient (5.5, 2); 3 primitives (log, mul, add).
  y(x1, x2) = [sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)] at (1.5, 0.5); dy/dx1 = 3.0118...
    written as its Wengert list, common subexpressions shared: v1 = x1/x2, v2 = sin v1,
    v3 = exp x2, v4 = v1 - v3, v5 = v2 + v4, y = v5*v4; 6 primitives (div, sin, exp, sub, add, mul).
What is measured: microseconds per call of each library's gradient, against the hand-written
`math` gradient (the reference) and plain evaluation of the function with `math`; and the
dispatch cost per primitive = (gradient time - plain evaluation time) / number of primitives.
Target: wengert at most 10 us per primitive.
"""
import math

import numpy as np

from harness import Impl, Table, cell_ratio, cell_time, evaluate, fd_gradient, fmt, notes_for

TARGET_US_PER_PRIMITIVE = 10.0


def f1(x1, x2, ns):
    return ns.log(x1) + x1 * x2


def f1_grad(x1, x2):
    return (1.0 / x1 + x2, x1)


def f2(x1, x2, ns):
    v1 = x1 / x2
    v3 = ns.exp(x2)
    v4 = v1 - v3
    return (ns.sin(v1) + v4) * v4


def f2_grad(x1, x2):
    """Reverse sweep of f2's Wengert list by hand (b_i is the adjoint of v_i)."""
    v1 = x1 / x2
    v3 = math.exp(x2)
    v4 = v1 - v3
    v5 = math.sin(v1) + v4
    b4 = v5 + v4                    # y = v5*v4 and v5 = v2 + v4
    b1 = v4 * math.cos(v1) + b4     # through v2 = sin v1 and v4 = v1 - v3
    return (b1 / x2, -b1 * v1 / x2 - b4 * v3)


# (tag, function, hand gradient, point, number of primitives)
CASES = [("f1", f1, f1_grad, (2.0, 5.0), 3), ("y", f2, f2_grad, (1.5, 0.5), 6)]
DESCRIPTIONS = [
    "f1 = ln x1 + x1*x2 at (2, 5): 3 primitives (log, mul, add)",
    "y = [sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)] at (1.5, 0.5): 6 primitives "
    "(div, sin, exp, sub, add, mul; x1/x2 and x1/x2 - exp(x2) computed once, as in its Wengert list)",
]

PLAIN, REF = "plain f (math, no gradient)", "hand-written gradient (math)"
WENGERT = "wengert.grad (eager reverse)"


def _wengert(f, point):
    import wengert as wg
    import wengert.numpy as wnp
    g = wg.grad(lambda a, b: f(a, b, wnp), argnums=(0, 1))
    return lambda: g(*point)


def _jax(f, point, jit):
    import jax
    import jax.numpy as jnp
    g = jax.grad(lambda a, b: f(a, b, jnp), argnums=(0, 1))
    g = jax.jit(g) if jit else g
    return lambda: jax.block_until_ready(g(*point))


def _torch(f, point):
    import torch
    xs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in point]
    return lambda: torch.autograd.grad(f(*xs, torch), xs)


def _autograd(f, point):
    import autograd
    import autograd.numpy as anp
    g = autograd.grad(lambda a, b: f(a, b, anp), argnum=(0, 1))
    return lambda: g(*point)


def impls(f, grad, point):
    return [
        Impl(PLAIN, lambda: (lambda: f(*point, math)), check=False),
        Impl(REF, lambda: (lambda: grad(*point))),
        Impl(WENGERT, lambda: _wengert(f, point)),
        Impl("jax.grad (eager, op-by-op)", lambda: _jax(f, point, False), "jax"),
        Impl("jax.jit(jax.grad) (compiled)", lambda: _jax(f, point, True), "jax"),
        Impl("torch.autograd.grad (eager)", lambda: _torch(f, point), "torch"),
        Impl("autograd.grad (HIPS, eager)", lambda: _autograd(f, point), "autograd"),
    ]


def _fd_error(f, grad, point):
    """Max abs difference between the hand gradient and central finite differences."""
    arrays = [np.array(v) for v in point]
    fd = fd_gradient(lambda a: f(float(a[0]), float(a[1]), math), arrays)
    return max(abs(float(d) - g) for d, g in zip(fd, grad(*point)))


def _per_prim(res, plain, nprims):
    if res is None or res.median is None or plain.median is None:
        return "-"
    return fmt((res.median - plain.median) / nprims * 1e6)


def _case_notes(tag, f, grad, point, nprims, results):
    """Failures, the reference's finite-difference check and the target verdict for one case."""
    notes = notes_for(results, tag=f"[{tag}] ")
    notes.append(f"[{tag}] reference gradient {tuple(round(g, 6) for g in grad(*point))}, "
                 f"agrees with finite differences to {_fd_error(f, grad, point):.1e}")
    wg, plain = results[WENGERT], results[PLAIN]
    if wg.median is not None:
        per = (wg.median - plain.median) / nprims * 1e6
        verdict = "MEETS" if per <= TARGET_US_PER_PRIMITIVE else "MISSES"
        notes.append(f"[{tag}] wengert {per:.3g} us/primitive {verdict} the target "
                     f"<= {TARGET_US_PER_PRIMITIVE:g} us/primitive")
    return notes


def run(opts):
    """Measure both functions; one table with a column group per function."""
    header, columns, notes = ["implementation"], [], []
    for tag, f, grad, point, nprims in CASES:
        results = evaluate(impls(f, grad, point), grad(*point), 1e-6, opts, f"B1 {tag}")
        columns.append((results, nprims))
        header += [f"{tag}: us/call", "x hand grad", "us/prim"]
        notes += _case_notes(tag, f, grad, point, nprims, results)
    table = Table("B1 scalar: gradient of the lecture functions (eager reverse mode)", header)
    for impl in impls(f1, f1_grad, (2.0, 5.0)):
        row = [impl.label]
        for results, nprims in columns:
            res, baseline = results[impl.label], impl.label in (PLAIN, REF)
            row += [cell_time(res, "us"), cell_ratio(res, results[REF]),
                    "-" if baseline else _per_prim(res, results[PLAIN], nprims)]
        table.rows.append(row)
    table.notes = DESCRIPTIONS + list(dict.fromkeys(notes)) + [
        "us/prim = (gradient time - plain f time) / number of primitives",
        "x hand grad = time / hand-written gradient time"]
    return [table]
