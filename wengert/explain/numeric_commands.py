"""`wengert steps`, `wengert compare` and `wengert swell`: AD against its alternatives from
the command line (finite differences' step-size trade-off, the cost and accuracy of every
way to get a gradient, and symbolic expression swell)."""
from __future__ import annotations

import time

import numpy as np

from .expr import ExpressionError, parse_expression


def register(sub):
    p = sub.add_parser(
        "steps", help="step-size study: finite-difference error against h (truncation vs round-off)",
        description="Measure |finite difference - AD derivative| of a one-variable expression over "
                    "h = 1e-16 .. 1 for several methods, with the theoretical optimal step.",
        epilog='example: wengert steps "sin(x)" --at x=1 --plot steps.png')
    p.add_argument("expr", help="expression in one variable, e.g. 'sin(x)'")
    p.add_argument("--at", nargs="+", required=True, metavar="NAME=VALUE",
                   help="the point: NAME=VALUE for the one variable")
    p.add_argument("--methods", nargs="+", default=["forward", "central", "central4", "complex"],
                   help="forward backward central central4 central6 complex (default: forward "
                        "central central4 complex)")
    p.add_argument("--plot", metavar="PATH", help="draw the figure (.png, .svg, .pdf); needs matplotlib")
    p.set_defaults(handler=run_steps)

    c = sub.add_parser(
        "compare", help="gradient by finite differences, complex step, forward/reverse AD and sympy",
        description="For the gradient of EXPR at a point: each method's value, error against "
                    "reverse-mode AD, number of function evaluations (or passes) and time.",
        epilog='example: wengert compare "log(x1) + x1*x2" --at x1=2 x2=5')
    c.add_argument("expr", help="arithmetic expression, e.g. 'log(x1) + x1*x2'")
    c.add_argument("--at", nargs="+", required=True, metavar="NAME=VALUE", help="the point")
    c.set_defaults(handler=run_compare)

    s = sub.add_parser(
        "swell", help="expression swell: symbolic derivative size against AD's operation count",
        description="For families that grow with k (nested products, repeated composition of the "
                    "logistic map, y = W1 sigma(W0 x) of width k), the size of sympy's derivative "
                    "with and without CSE against the operations in AD's traces.",
        epilog="example: wengert swell --max-k 12 --plot swell.png")
    s.add_argument("--max-k", type=int, default=8, help="largest k (default 8)")
    s.add_argument("--families", nargs="+", default=["product", "compose", "mlp"],
                   help="product compose mlp (default: all)")
    s.add_argument("--plot", metavar="PATH", help="draw the figure; needs matplotlib")
    s.set_defaults(handler=run_swell)


# ------------------------------------------------------------------ steps
def run_steps(args):
    from ..numeric import step_study
    from .commands import parse_assignments
    expr = parse_expression(args.expr)
    point = parse_assignments(args.at)
    if len(expr.variables) != 1:
        raise ExpressionError(f"steps needs an expression in one variable; {args.expr!r} uses "
                              f"{', '.join(expr.variables) or 'none'}")
    f = expr.bind(list(point))
    x = next(iter(point.values()))
    study = step_study(f, x, methods=tuple(args.methods))
    print(f"d/d{expr.variables[0]} {expr.source} at {expr.variables[0]} = {x:g}: {study.exact!r} (AD)\n")
    print(study.table())
    if args.plot:
        print(f"\nwrote {study.plot(args.plot)}")
    return 0


# ------------------------------------------------------------------ compare
def run_compare(args):
    from .commands import parse_assignments
    expr = parse_expression(args.expr)
    point = parse_assignments(args.at)
    f = expr.bind(list(point))
    x = np.array(list(point.values()), np.float64)
    rows = _compare_rows(f, x, list(point), expr)
    ref = next(r[1] for r in rows if r[0] == "reverse-mode AD")
    names = ", ".join(point)
    print(f"gradient of {expr.source} at ({', '.join(f'{k}={v:g}' for k, v in point.items())}), "
          f"n = {len(x)}\n")
    cells = []
    for name, value, evals, seconds in rows:
        if isinstance(value, str) or value is None:      # refused, or sympy missing
            shown, err = value or "(sympy not installed: pip install wengert[symbolic])", "-"
        else:
            shown = "[" + ", ".join(f"{v:.15g}" for v in np.ravel(value)) + "]"
            err = f"{np.max(np.abs(value - ref), initial=0.0):.1e}"
        cells.append((name, shown, err, evals, "-" if seconds is None else _seconds(seconds)))
    width = max([44] + [len(c[1]) for c in cells if c[2] != "-"])
    print(f"{'method':<22} {'gradient (' + names + ')':<{width}} {'max |error|':>11} "
          f"{'evaluations':>18} {'time':>9}")
    for name, shown, err, evals, when in cells:
        print(f"{name:<22} {shown:<{width}} {err:>11} {evals:>18} {when:>9}")
    print("\nerror: against reverse-mode AD; time: best of 5 calls; symbolic: one evaluation of "
          "sympy's gradient\n(lambdified), the derivation itself not timed")
    return 0


def _compare_rows(f, x, names, expr):
    from .. import transforms as wg
    from ..core import WengertError
    from ..numeric import gradient
    n = len(x)
    fv = lambda v: f(*v)
    rows = []
    for label, method, evals in (("forward differences", "forward", f"{n + 1} (n+1)"),
                                 ("central differences", "central", f"{2 * n} (2n)"),
                                 ("complex step", "complex", f"{n} (n)")):
        try:
            value, seconds = _timed(lambda m=method: gradient(fv, x, method=m))
            est = gradient(fv, x, method=method, full_output=True)
            if est.check_nfev:
                evals += f" +{est.check_nfev} check"
        except WengertError as e:     # a function that is not complex-safe: say so, go on
            rows.append((f"{label} (refused)", str(e).split(": ", 1)[-1].split(";")[0], "-", None))
            continue
        rows.append((label, np.asarray(value), evals, seconds))
    fwd, seconds = _timed(lambda: np.array([wg.jvp(f, tuple(x), tuple(np.eye(n)[i]))[1]
                                            for i in range(n)], np.float64))
    rows.append(("forward-mode AD", fwd, f"{n} passes", seconds))
    rev, seconds = _timed(lambda: np.array(wg.grad(f, argnums=tuple(range(n)))(*x), np.float64))
    rows.append(("reverse-mode AD", rev, "1 pass", seconds))
    rows.append(_symbolic_row(f, x, names))
    return rows


def _symbolic_row(f, x, names):
    try:
        import sympy  # noqa: F401
    except ImportError:
        return ("symbolic (sympy)", None, "-", None)
    from ..symbolic import symbolic_derivative
    d = symbolic_derivative(f, *x, names=tuple(names))
    grad_fn = d.lambdify()      # time below: evaluating the derived formula, not deriving it
    value, seconds = _timed(lambda: np.array(grad_fn(*x), np.float64))
    return ("symbolic (sympy)", value, f"1 ({d.grad_ops} ops)", seconds)


def _timed(fn, repeat=5):
    """(result, best time of `repeat` calls)."""
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return out, best


def _seconds(s):
    return f"{s * 1e6:.0f} us" if s < 1e-2 else f"{s * 1e3:.0f} ms"


# ------------------------------------------------------------------ swell
def run_swell(args):
    from ..symbolic import swell_study
    if not 1 <= args.max_k <= 14:
        raise ExpressionError(f"--max-k must be between 1 and 14, got {args.max_k} (sizes grow as 2^k)")
    study = swell_study(max_k=args.max_k, families=tuple(args.families))
    print(study.table())
    print("\nf ops, df ops, df CSE: sympy.count_ops of f, of its gradient, of the gradient after "
          "CSE;\nAD primal, AD tape: scalar operations in AD's primal trace and linear tape; "
          "max |rel diff|: symbolic vs AD gradient at a random point")
    if args.plot:
        print(f"\nwrote {study.plot(args.plot)}")
    return 0
