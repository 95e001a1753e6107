"""`wengert trace` and `wengert demo`: the lecture's tables from the command line."""
from __future__ import annotations

import math
import sys

import numpy as np

from .expr import ExpressionError, parse_expression

FORMATS = ("text", "md", "latex", "html")


def register(sub):
    p = sub.add_parser(
        "trace", help="print the evaluation trace of an expression (and its tangent/adjoint traces)",
        description="Trace EXPR at a point and print the primal trace; --forward/--seed add the "
                    "tangent trace, --reverse the adjoint trace.",
        epilog='example: wengert trace "log(x1) + x1*x2" --at x1=2 x2=5 --reverse')
    p.add_argument("expr", help="arithmetic expression, e.g. 'log(x1) + x1*x2'")
    p.add_argument("--at", nargs="+", required=True, metavar="NAME=VALUE",
                   help="the point: one NAME=VALUE per variable, in the order of the inputs")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--forward", metavar="NAME", help="tangent trace seeded with d/dNAME")
    mode.add_argument("--seed", nargs="+", metavar="NAME=VALUE", help="tangent trace for this seed")
    mode.add_argument("--reverse", action="store_true", help="adjoint trace (reverse mode)")
    _output_options(p)
    p.add_argument("--graph", metavar="PATH", help="also draw the graph (.svg, .png, .pdf or .dot)")
    p.set_defaults(handler=run_trace)

    d = sub.add_parser("demo", help="the lectures' worked examples, each number checked",
                       description="Print the lectures' worked examples in order and check "
                                   "every number; exit 1 if any check fails.")
    _output_options(d)
    d.set_defaults(handler=run_demo)


def _output_options(p):
    p.add_argument("--format", choices=FORMATS, default="text", help="table format (default text)")
    p.add_argument("--ascii", action="store_true", help="plain ASCII names (v-1, v1', v1_bar)")
    p.add_argument("--digits", type=int, default=6, help="significant digits (default 6)")


def parse_assignments(items, what="--at"):
    """['x1=2', 'x2=pi/2'] -> {'x1': 2.0, 'x2': 1.5707963267948966}; values are constant expressions."""
    out = {}
    for item in items:
        name, sep, text = item.partition("=")
        name = name.strip()
        if not sep or not name.isidentifier():
            raise ExpressionError(f"{what} expects NAME=VALUE, got {item!r}")
        if name in out:
            raise ExpressionError(f"{what} gives {name} twice")
        value = parse_expression(text)
        if value.variables:
            raise ExpressionError(f"{what} {name}: the value {text!r} must be a number "
                                  f"(it uses {', '.join(value.variables)})")
        out[name] = float(value.function())
        if not math.isfinite(out[name]):
            raise ExpressionError(f"{what} {name}: the value {text!r} is not finite")
    return out


def traced_expression(expr_text, at_items):
    """(Trace, point) of an expression at `--at` values; the variables in `--at` order."""
    from .trace import trace
    expr = parse_expression(expr_text)
    point = parse_assignments(at_items)
    f = expr.bind(list(point))
    return trace(f, names=list(point))(*point.values()), point


def _table_text(table, args):
    if args.format == "text":
        return table.to_text(ascii=args.ascii, digits=args.digits)
    return table.format(args.format, digits=args.digits)


def run_trace(args):
    with np.errstate(all="ignore"):       # inf and nan show in the tables; see the note below
        return _run_trace(args)


def _run_trace(args):
    t, _ = traced_expression(args.expr, args.at)
    tables = [t.primal_table()]
    show, seed = None, {}
    if args.forward:
        seed = {"wrt": args.forward}
        tables.append(t.tangents(**seed))
        show = "tangents"
    elif args.seed:
        seed = {"seed": parse_assignments(args.seed, "--seed")}
        tables.append(t.tangents(**seed))
        show = "tangents"
    elif args.reverse:
        tables.append(t.adjoints())
        show = "adjoints"
    print("\n\n".join(_table_text(tb, args) for tb in tables))
    if any(not np.all(np.isfinite(np.asarray(r.value, float))) for tb in tables for r in tb.rows
           if not isinstance(r.value, tuple)):
        print("note: some values are not finite (inf or nan) at this point: the function or a "
              "derivative is singular there", file=sys.stderr)
    if args.graph:
        path = t.render(args.graph, show, **seed)
        print(f"\nwrote {path}")
    return 0


# ---------------------------------------------------------------------------
# The lectures' worked examples, in order; each number is checked.
# ---------------------------------------------------------------------------
def run_demo(args):
    checks = []

    def check(what, got, want, tol=1e-9):
        ok = bool(np.allclose(got, want, rtol=tol, atol=tol))
        checks.append(ok)
        mark = ("ok" if args.ascii else "✓") if ok else "FAILED"
        print(f"  [{mark}] {what} = {_fmt(got)} (expected {_fmt(want)})")

    def section(title):
        print(f"\n{'=' * len(title)}\n{title}\n{'=' * len(title)}")

    def show(table):
        print(_table_text(table, args))

    for example in _EXAMPLES:
        example(section, show, check)
    failed = checks.count(False)
    print(f"\n{len(checks) - failed} of {len(checks)} checks passed")
    return 1 if failed else 0


def _fmt(x):
    a = np.asarray(x, dtype=float)
    return f"{float(a):.10g}" if a.shape == () else "(" + ", ".join(f"{v:.10g}" for v in a.ravel()) + ")"


def _f_lecture(section, show, check):
    import wengert.numpy as wnp

    from .trace import trace
    section("1. f(x1, x2) = ln x1 + x1 x2 at (2, 5)")
    t = trace(lambda x1, x2: wnp.log(x1) + x1 * x2)(2.0, 5.0)
    show(t.primal_table())
    check("f(2, 5)", t.primal_table().results()["y"], math.log(2) + 10)
    print()
    tan = t.tangents(wrt="x1")
    show(tan)
    check("df/dx1 by one forward pass", tan.results()["y'"], 5.5)
    print()
    adj = t.adjoints()
    show(adj)
    r = adj.results()
    check("(df/dx1, df/dx2) by one reverse pass", (r["x1_bar"], r["x2_bar"]), (5.5, 2.0))


def _y_lecture(section, show, check):
    import wengert.numpy as wnp

    from .trace import trace

    def y(x1, x2):
        r = x1 / x2                      # computed once, as in the lecture's Wengert list
        a = r - wnp.exp(x2)
        return (wnp.sin(r) + a) * a
    section("2. y = [sin(x1/x2) + x1/x2 - exp(x2)] [x1/x2 - exp(x2)] at (1.5, 0.5)")
    t = trace(y)(1.5, 0.5)
    show(t.primal_table())
    tan = t.tangents(wrt="x1")
    print()
    show(tan)
    check("dy/dx1 by forward mode", tan.results()["y'"], 3.0118433276739069, 1e-12)
    adj = t.adjoints()
    print()
    show(adj)
    r = adj.results()
    check("(dy/dx1, dy/dx2) by reverse mode", (r["x1_bar"], r["x2_bar"]),
          (3.0118433276739069, -13.723961509314076), 1e-12)


def _dual_lecture(section, show, check):
    import wengert.numpy as wnp

    from ..values import Dual
    section("3. Dual numbers: f(x) = x^2 / cos x at x = pi")
    x = Dual(math.pi, 1.0)
    y = x ** 2 / wnp.cos(x)
    print(f"  f(pi + eps) = {y}")
    check("f(pi)", y.primal, -math.pi ** 2)
    check("f'(pi)", y.tangent, -2 * math.pi)
    print("  matrix form of pi + eps:  " + np.array2string(x.as_matrix(), prefix="  matrix form of pi + eps:  "))


def _taylor_lecture(section, show, check):
    from .. import transforms as api
    from ..values import Taylor
    section("4. Truncated Taylor arithmetic: f(x) = x^3 at x = 2 with eps^3 = 0")
    x = Taylor.variable(2.0, order=2)
    y = x ** 3
    print(f"  (2 + eps)^3 = {y}     (the eps^3 term is truncated)")
    check("(f, f', f''/2!)", y.coefficients, (8.0, 12.0, 6.0))
    check("f'' from the eps^2 coefficient", y.derivatives()[2], 12.0)
    check("f'' by nesting grad twice", api.grad(api.grad(lambda t: t ** 3))(2.0), 12.0)
    print("  matrix form of 2 + eps (eps^3 = 0):  "
          + np.array2string(x.as_matrix(), prefix="  matrix form of 2 + eps (eps^3 = 0):  "))


def _two_passes_lecture(section, show, check):
    import wengert.numpy as wnp

    from .. import transforms as api
    section("5. Gradient of f(x1, x2) = x1 cos x2 at (2, pi): two forward passes vs one reverse pass")
    f = lambda x1, x2: x1 * wnp.cos(x2)
    d1 = api.jvp(f, (2.0, math.pi), (1.0, 0.0))[1]
    d2 = api.jvp(f, (2.0, math.pi), (0.0, 1.0))[1]
    print("  forward pass 1, seed (1, 0):", _fmt(d1))
    print("  forward pass 2, seed (0, 1):", _fmt(d2))
    check("gradient by two forward passes", (d1, d2), (-1.0, 0.0))
    g = api.grad(f, argnums=(0, 1))(2.0, math.pi)
    check("gradient by one reverse pass", g, (-1.0, 0.0))


_EXAMPLES = [_f_lecture, _y_lecture, _dual_lecture, _taylor_lecture, _two_passes_lecture]


if __name__ == "__main__":      # pragma: no cover - convenience for `python -m`
    from .cli import main
    sys.exit(main(["demo"]))

