"""Symbolic differentiation as a baseline, and the expression-swell study.

A traced `Graph` (the Wengert list) becomes a sympy expression by walking its equations in
order: every variable holds a NumPy object array of sympy expressions, arithmetic and
structural primitives run their own NumPy `impl` on those arrays (so broadcasting,
reductions and matrix products need no second implementation), and the math functions map
to their sympy counterparts.  sympy then differentiates, and we count the size of f and of
its derivative (`sympy.count_ops`, with and without common-subexpression elimination)
against the operations in AD's traces: the primal Wengert list and the linear tape that
reverse mode replays backward.  Needs sympy: `pip install wengert[symbolic]`.

Example:
    >>> import wengert.numpy as wnp
    >>> d = symbolic_derivative(lambda x1, x2: wnp.log(x1) + x1 * x2, 2.0, 5.0, names=("x1", "x2"))
    >>> d.expr, d.gradient
    (x1*x2 + log(x1), [x2 + 1/x1, x1])
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .core import WengertError


class SymbolicError(WengertError, ValueError):
    """A graph uses a primitive with no sympy counterpart, or sympy is missing."""


def _sympy():
    try:
        import sympy
    except ImportError:
        raise SymbolicError("symbolic differentiation needs sympy: pip install wengert[symbolic]") from None
    return sympy


# ------------------------------------------------------------------ Graph -> sympy
def _functions(sp):
    """Primitive name -> elementwise sympy function (arithmetic and structure use `impl`)."""
    return {
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "arcsin": sp.asin, "arccos": sp.acos,
        "arctan": sp.atan, "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh, "arcsinh": sp.asinh,
        "arccosh": sp.acosh, "arctanh": sp.atanh, "exp": sp.exp, "exp2": lambda x: 2 ** x,
        "expm1": lambda x: sp.exp(x) - 1, "log": sp.log, "log2": lambda x: sp.log(x, 2),
        "log10": lambda x: sp.log(x, 10), "log1p": lambda x: sp.log(1 + x), "sqrt": sp.sqrt,
        "cbrt": sp.cbrt, "abs": sp.Abs, "sign": sp.sign, "erf": sp.erf, "erfc": sp.erfc,
        "gammaln": sp.loggamma, "digamma": sp.digamma,
        "logistic": lambda x: 1 / (1 + sp.exp(-x)),
        "maximum": sp.Max, "minimum": sp.Min, "arctan2": sp.atan2,
        "hypot": lambda x, y: sp.sqrt(x ** 2 + y ** 2),
        "logaddexp": lambda x, y: sp.log(sp.exp(x) + sp.exp(y)),
        "pow": lambda x, y: x ** y,
    }


# Primitives whose NumPy impl works unchanged on object arrays of sympy expressions.
_BY_IMPL = frozenset({"add", "sub", "mul", "div", "neg", "square", "integer_pow", "reshape",
                      "broadcast_to", "transpose", "getitem", "concatenate", "pad", "reduce_sum",
                      "cumsum", "dot_general"})
_IDENTITY = frozenset({"convert_element_type", "stop_gradient"})


def _number(sp, v):
    v = v.item() if hasattr(v, "item") else v
    if isinstance(v, (bool, np.bool_)):
        return sp.Integer(int(v))
    if float(v).is_integer() and abs(v) < 2 ** 53:
        return sp.Integer(int(v))
    return sp.Float(float(v))


def _constant(sp, value):
    arr = np.asarray(value)
    out = np.empty(arr.shape, dtype=object)
    for i in np.ndindex(arr.shape):
        out[i] = _number(sp, arr[i])
    return out


def input_symbols(graph, names=None):
    """Object arrays of sympy symbols for the graph's inputs: scalar x1, array W0_1_2.

    Example:
      >>> import wengert as wg, numpy as np
      >>> g = wg.make_graph(lambda x, w: x * w)(1.0, np.ones(2))
      >>> [s.tolist() for s in input_symbols(g, ("x", "w"))]
      [x, [w_0, w_1]]
    """
    sp = _sympy()
    names = names or [f"x{i + 1}" for i in range(len(graph.inputs))]
    out = []
    for name, v in zip(names, graph.inputs):
        arr = np.empty(v.aval.shape, dtype=object)
        for i in np.ndindex(v.aval.shape):
            arr[i] = sp.Symbol(name + "".join(f"_{j}" for j in i), real=True)
        out.append(arr)
    return out


def graph_to_sympy(graph, symbols):
    """Evaluate a `Graph` on object arrays of sympy expressions (one per input); returns the
    outputs as object arrays.  Iterates over the equations (no recursion).

    Raises:
      SymbolicError: naming a primitive with no sympy counterpart.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> g = wg.make_graph(lambda x: wnp.sin(x) ** 2)(1.0)
      >>> graph_to_sympy(g, input_symbols(g, ("x",)))[0].item()
      sin(x)**2
    """
    sp = _sympy()
    table = _functions(sp)
    env = {id(v): s for v, s in zip(graph.inputs, symbols)}
    read = lambda a: env[id(a)] if id(a) in env else _constant(sp, a.value)
    for k, eqn in enumerate(graph.eqns):
        name, args = eqn.prim.name, [read(a) for a in eqn.inputs]
        if name in _BY_IMPL:
            out = eqn.prim.impl(*args, **eqn.params)
        elif name in _IDENTITY:
            out = args[0]
        elif name in table:
            out = np.vectorize(table[name], otypes=[object])(*args)
        else:
            raise SymbolicError(
                f"equation {k} uses primitive {name!r}, which has no sympy counterpart here; "
                f"symbolic conversion supports {', '.join(sorted(_BY_IMPL | _IDENTITY | set(table)))}")
        env[id(eqn.outputs[0])] = np.asarray(out, dtype=object)
    return [read(a) for a in graph.outputs]


# ------------------------------------------------------------------ sizes
def expression_size(exprs, cse=False):
    """Operations in a list of expressions (`sympy.count_ops`, each tree counted in full);
    with `cse=True`, after common-subexpression elimination (replacements included).

    Example:
      >>> import sympy
      >>> x = sympy.Symbol("x")
      >>> e = sympy.sin(x) * sympy.sin(x) + sympy.sin(x)
      >>> expression_size([e]), expression_size([e], cse=True)
      (4, 3)
    """
    sp = _sympy()
    exprs = list(exprs)
    if cse:
        replacements, reduced = sp.cse(exprs)
        exprs = [rhs for _, rhs in replacements] + list(reduced)
    return int(sum(sp.count_ops(e) for e in exprs))


def scalar_operations(graph):
    """Scalar arithmetic operations in a Graph: elementwise ops count their output size,
    reductions the additions they make, dot_general its multiply-adds; reshapes, broadcasts,
    transposes and indexing move data and count 0.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp, numpy as np
      >>> scalar_operations(wg.make_graph(lambda x: wnp.sum(wnp.sin(x)))(np.ones(4)))
      7
    """
    total = 0
    for eqn in graph.eqns:
        name, out = eqn.prim.name, eqn.outputs[0].aval
        if name in ("reshape", "broadcast_to", "transpose", "getitem", "concatenate", "pad",
                    "convert_element_type", "stop_gradient", "scatter"):
            continue
        if name == "reduce_sum":
            total += math.prod(eqn.inputs[0].aval.shape) - math.prod(out.shape)
        elif name == "dot_general":
            contracted = math.prod(eqn.inputs[0].aval.shape[i] for i in eqn.params["dims"][0][0])
            total += math.prod(out.shape) * (2 * contracted - 1)
        else:
            total += math.prod(out.shape)
    return total


# ------------------------------------------------------------------ derivative of a function
@dataclass
class SymbolicDerivative:
    """f as a sympy expression, its gradient, and their sizes next to AD's traces.

    Attributes:
      symbols: the input symbols (flat list).  expr: f.  gradient: list of partials.
      f_ops, grad_ops, grad_ops_cse: count_ops of f, of the gradient, of the gradient after
        CSE.  primal_eqns, tape_eqns: equations in AD's primal trace and linear tape;
        primal_ops, tape_ops: their scalar operations.  seconds: time sympy took.
    """
    symbols: list
    expr: object
    gradient: list
    f_ops: int
    grad_ops: int
    grad_ops_cse: int
    primal_eqns: int
    tape_eqns: int
    primal_ops: int
    tape_ops: int
    seconds: float

    def lambdify(self):
        """The gradient as a NumPy function of the flat inputs (a list of partials)."""
        return _sympy().lambdify(self.symbols, self.gradient, "numpy")


def symbolic_derivative(f, *args, names=None):
    """Trace f at args, convert it to sympy, differentiate, and measure both against AD.

    Args:
      f: scalar function of positional array arguments, written with `wengert.numpy`.
      args: a point (its shapes and dtypes fix the trace; AD's tape is recorded there).
      names: one name per argument for the symbols (default x1, x2, ...).
    Returns:
      A `SymbolicDerivative`.
    """
    from . import transforms as wg
    sp = _sympy()
    graph = wg.make_graph(f)(*args)
    syms = input_symbols(graph, names)
    out = graph_to_sympy(graph, syms)
    if len(out) != 1 or out[0].shape != ():
        raise SymbolicError("symbolic_derivative needs a scalar function; got outputs of shapes "
                            f"{[o.shape for o in out]}")
    expr = out[0].item()
    flat = [s for arr in syms for s in arr.ravel()]
    start = time.perf_counter()
    gradient = [sp.diff(expr, s) for s in flat]
    seconds = time.perf_counter() - start
    tape = wg.linearize(f, *[np.asarray(a, np.float64) for a in args])[1].graph()
    return SymbolicDerivative(flat, expr, gradient, expression_size([expr]), expression_size(gradient),
                              expression_size(gradient, cse=True), len(graph.eqns), len(tape.eqns),
                              scalar_operations(graph), scalar_operations(tape), seconds)


# ------------------------------------------------------------------ the swell study
def _product(k):
    """f_k = f_{k-1} g_k with g_k(x) = sin(k x + 1): a product of k factors."""
    import wengert.numpy as wnp

    def f(x):
        y = wnp.sin(x + 1.0)
        for i in range(2, k + 1):
            y = y * wnp.sin(i * x + 1.0)
        return y
    return f, (0.7,)


def _compose(k):
    """The logistic map composed k times: l_1 = x, l_{j+1} = 4 l_j (1 - l_j)."""
    def f(x):
        y = x
        for _ in range(k - 1):
            y = 4.0 * y * (1.0 - y)
        return y
    return f, (0.3,)


def _mlp(k):
    """y = sum(W1 sigma(W0 x)) for width k, differentiated in x (W0, W1 fixed numbers)."""
    import wengert.numpy as wnp
    import wengert.scipy.special as wsp
    rng = np.random.default_rng(k)
    W0 = np.round(rng.standard_normal((k, k)), 2)
    W1 = np.round(rng.standard_normal((1, k)), 2)

    def f(x):
        return wnp.sum(W1 @ wsp.expit(W0 @ x))
    return f, (np.linspace(-0.5, 0.5, k),)


FAMILIES = {"product": _product, "compose": _compose, "mlp": _mlp}


@dataclass
class SwellStudy:
    """Rows of (family, k, SymbolicDerivative); `.table()` and `.plot(path)`."""
    rows: list = field(default_factory=list)
    agreement: list = field(default_factory=list)     # (family, k, max relative difference)

    def table(self):
        head = (f"{'family':<8} {'k':>3} {'f ops':>8} {'df ops':>9} {'df CSE':>8} {'AD primal':>9} "
                f"{'AD tape':>8} {'AD ops':>8} {'sym/AD':>7} {'max |rel diff|':>14}")
        lines = [head]
        for (fam, k, d), (_, _, diff) in zip(self.rows, self.agreement):
            ad = d.primal_ops + d.tape_ops
            lines.append(f"{fam:<8} {k:>3} {d.f_ops:>8} {d.grad_ops:>9} {d.grad_ops_cse:>8} "
                         f"{d.primal_ops:>9} {d.tape_ops:>8} {ad:>8} {_ratio(d.grad_ops, ad):>7} {diff:>14.1e}")
        return "\n".join(lines)

    __str__ = table

    def series(self, family):
        """(ks, symbolic gradient ops, with CSE, AD ops) for one family."""
        rows = [(k, d) for fam, k, d in self.rows if fam == family]
        return ([k for k, _ in rows], [d.grad_ops for _, d in rows], [d.grad_ops_cse for _, d in rows],
                [d.primal_ops + d.tape_ops for _, d in rows])

    def plot(self, path):
        """Symbolic size against AD's operation count, one panel per family (log scale).
        Needs matplotlib: `pip install wengert[plot]`."""
        from .numeric.study import _pyplot
        plt = _pyplot()
        families = list(dict.fromkeys(fam for fam, _, _ in self.rows))
        fig, axes = plt.subplots(1, len(families), figsize=(4.2 * len(families), 3.8), squeeze=False)
        for ax, fam in zip(axes[0], families):
            ks, sym, cse, ad = self.series(fam)
            ax.semilogy(ks, sym, "o-", label="symbolic derivative")
            ax.semilogy(ks, cse, "s--", label="symbolic, after CSE")
            ax.semilogy(ks, ad, "^-", label="AD (primal + tape)")
            ax.set_title(fam)
            ax.set_xlabel("k")
            ax.grid(True, alpha=0.3)
        axes[0][0].set_ylabel("operations")
        axes[0][0].legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(path, dpi=120)
        plt.close(fig)
        return path


def _ratio(a, b):
    return f"{a / b:.1f}" if b else "-"


def swell_study(max_k=12, families=("product", "compose", "mlp"), ks=None, seed=0):
    """The expression-swell study: for k = 1..max_k in each family, the size of the symbolic
    derivative (with and without CSE) against AD's operation count, and a check that the
    symbolic and AD gradients agree at a random point.

    Args:
      max_k: largest k.  families: names from `FAMILIES`.  ks: explicit k values instead.
      seed: seed of the random check points.
    Returns:
      A `SwellStudy`.

    Example:
      >>> s = swell_study(ks=(2, 4), families=("compose",))
      >>> [d.grad_ops for _, _, d in s.rows], [d.primal_ops + d.tape_ops for _, _, d in s.rows]
      ([2, 82], [6, 18])
    """
    from . import transforms as wg
    rng = np.random.default_rng(seed)
    study = SwellStudy()
    for fam in families:
        if fam not in FAMILIES:
            raise SymbolicError(f"unknown family {fam!r}; use {', '.join(FAMILIES)}")
        for k in (ks or range(1, max_k + 1)):
            f, point = FAMILIES[fam](k)
            d = symbolic_derivative(f, *point, names=("x",))
            x = np.asarray(point[0], np.float64) + rng.uniform(-0.1, 0.1, np.shape(point[0]))
            sym = np.array(d.lambdify()(*np.ravel(x)), np.float64)
            ad = np.ravel(wg.grad(f)(x))
            diff = float(np.max(np.abs(sym - ad) / np.maximum(np.abs(ad), 1e-300), initial=0.0))
            study.rows.append((fam, k, d))
            study.agreement.append((fam, k, diff))
    return study
