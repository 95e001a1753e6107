"""B5 Taylor mode: the k-th derivative of f(x) = exp(sin x) * x^2 at x = 0.7, k = 1..16.

What is measured: milliseconds per call of
- wengert `derivatives(f, x, order=k)`: one Taylor-mode pass giving all derivatives 0..k;
- wengert nested `grad` (k levels): the k-th derivative alone, by reverse over reverse ...;
- JAX `jax.experimental.jet.jet` (one pass, order k) and nested `jax.grad`, eager, when installed.
Nested reverse mode is timed only up to k = 8 (its cost grows ~2.5x per order; beyond that a
call takes seconds).  Reference: the derivatives of f from sympy (exact), checked for every
row.  Target: order 16 by Taylor mode in less time than nested grad takes for order 6.
"""
from harness import Impl, Table, cell_time, evaluate, notes_for

X0 = 0.7
ORDERS = list(range(1, 17))
NESTED_MAX = {False: 8, True: 6}
QUICK_ORDERS = [1, 2, 4, 6, 8, 12, 16]


def reference(kmax):
    """Exact derivatives 0..kmax of f at X0 (sympy; or a high-precision series fallback)."""
    import sympy
    t = sympy.Symbol("x")
    expr = sympy.exp(sympy.sin(t)) * t ** 2
    return [float(sympy.diff(expr, t, k).subs(t, sympy.Rational(7, 10)).evalf(30)) for k in range(kmax + 1)]


def _wengert_taylor(k):
    import wengert as wg
    import wengert.numpy as wnp
    f = lambda x: wnp.exp(wnp.sin(x)) * x ** 2  # noqa: E731
    return lambda: wg.derivatives(f, X0, order=k)[k]


def _wengert_nested(k):
    import wengert as wg
    import wengert.numpy as wnp
    g = lambda x: wnp.exp(wnp.sin(x)) * x ** 2  # noqa: E731
    for _ in range(k):
        g = wg.grad(g)
    return lambda: g(X0)


def _jax_jet(k):
    import jax.numpy as jnp
    from jax.experimental.jet import jet
    f = lambda x: jnp.exp(jnp.sin(x)) * x ** 2  # noqa: E731
    series = ([1.0] + [0.0] * (k - 1),)   # jet's terms are derivatives, not divided by j!
    return lambda: float(jet(f, (X0,), series)[1][k - 1])


def _jax_nested(k):
    import jax
    import jax.numpy as jnp
    g = lambda x: jnp.exp(jnp.sin(x)) * x ** 2  # noqa: E731
    for _ in range(k):
        g = jax.grad(g)
    return lambda: float(g(X0))


LIBS = [  # (label, builder, peer, nested)
    ("wengert derivatives (Taylor)", _wengert_taylor, "", False),
    ("wengert nested grad", _wengert_nested, "", True),
    ("jax jet (Taylor, eager)", _jax_jet, "jax", False),
    ("jax nested grad (eager)", _jax_nested, "jax", True),
]


def _growth(results, label, orders):
    """Geometric mean ratio t(k+1)/t(k) over the measured orders of one implementation."""
    times = [(k, results[(label, k)].median) for k in orders
             if (label, k) in results and results[(label, k)].median is not None]
    if len(times) < 2:
        return None
    (k0, t0), (k1, t1) = times[0], times[-1]
    return (t1 / t0) ** (1.0 / (k1 - k0))


def run(opts):
    orders = QUICK_ORDERS if opts.quick else ORDERS
    ref = reference(max(orders))
    nested_max = NESTED_MAX[opts.quick]
    results = {}
    for k in orders:
        impls = [Impl(label, (lambda b=build, k=k: b(k)), peer)
                 for label, build, peer, nested in LIBS if not nested or k <= nested_max]
        for label, res in evaluate(impls, ref[k], 1e-9, opts, f"B5 k={k}").items():
            results[(label, k)] = res
    table = Table("B5 k-th derivative of exp(sin x) * x^2 at x = 0.7 (float64, eager; ms per call)",
                  ["k"] + [label for label, *_ in LIBS])
    for k in orders:
        table.rows.append([k] + [cell_time(results.get((label, k)), "ms") for label, *_ in LIBS])
    notes = list(dict.fromkeys(notes_for({f"{label} k={k}": r for (label, k), r in results.items()})))
    for label, *_ in LIBS:
        g = _growth(results, label, [k for k in orders if (label, k) in results])
        if g is not None:
            notes.append(f"{label}: time grows {g:.2f}x per order (geometric mean over the measured k)")
    taylor16, nested6 = results.get((LIBS[0][0], max(orders))), results.get((LIBS[1][0], 6))
    if taylor16 and nested6 and taylor16.median and nested6.median:
        verdict = "MEETS" if taylor16.median < nested6.median else "MISSES"
        notes.append(f"wengert Taylor order {max(orders)}: {taylor16.median * 1e3:.3g} ms vs nested grad order 6: "
                     f"{nested6.median * 1e3:.3g} ms: {verdict} the target (Taylor order 16 < nested grad order 6)")
    notes.append(f"nested grad rows stop at k = {nested_max}; every row checked against sympy's exact "
                 "derivatives (rtol 1e-9)")
    table.notes = notes
    return [table]
