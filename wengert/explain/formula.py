"""Formulas of the trace tables, read off the primitives' own rules.

A step's tangent formula is not written down anywhere: we *stage* the
primitive's jvp rule on symbolic inputs (`make_graph` of `jvp` of the one
primitive) and read the small `Graph` back as an expression.  The adjoint
formulas come the same way from `vjp`, i.e. from the jvp rule transposed.  So
the tables show exactly what forward and reverse mode compute, and cannot drift
from the rules.

This module turns such a small graph into an expression tree (`expression`)
and prints trees in each output style (`Style`): unicode text, ASCII, LaTeX and
HTML.
"""
from __future__ import annotations

import html as _html

import numpy as np

from ..ir import Var, _show_param

PRIMAL, TANGENT, ADJOINT = "primal", "tangent", "adjoint"


class Sym:
    """A named value: v_i, its tangent (v-dot_i) or its adjoint (v-bar_i)."""
    __slots__ = ("kind", "index")

    def __init__(self, kind, index):
        self.kind, self.index = kind, index

    def __eq__(self, other):
        return type(other) is Sym and (self.kind, self.index) == (other.kind, other.index)

    def __hash__(self):
        return hash((self.kind, self.index))


class Const:
    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


class Op:
    """`name` is the printed operation: add sub mul div neg pow ipow, or a function name."""
    __slots__ = ("name", "args", "params")

    def __init__(self, name, args, params=None):
        self.name, self.args, self.params = name, args, params or {}


# Fused tangent primitives print as the sums they compute (see their `impl` in
# ops/elementwise.py): one tape entry for the machine, the textbook formula for the reader.
def _mul_tangent(tx, ty, x, y):
    return _add(_mul(tx, y), _mul(x, ty))


def _div_tangent(tx, ty, y, out):
    return Op("div", [Op("sub", [tx, _mul(ty, out)]), y])


def _add(a, b):
    return Op("add", [a, b])


def _mul(a, b):
    # x*1 and 1*x print as x (the value is computed from the graph, not from this tree)
    if _is_one(a):
        return b
    if _is_one(b):
        return a
    return Op("mul", [a, b])


def _is_one(a):
    return type(a) is Const and np.ndim(a.value) == 0 and a.value == 1


_INFIX = {"add": "add", "sub": "sub", "mul": "mul", "div": "div", "neg": "neg", "pow": "pow"}
_RENAME = {"reduce_sum": "sum", "reduce_max": "max", "reduce_min": "min", "dot_general": "dot",
           "logistic": "sigmoid", "broadcast_to": "broadcast"}


def expression(graph, names, recompute=None):
    """The expression tree of each output of a small staged `graph`.

    names: one `Sym` per graph input.  recompute: (prim, params, input trees,
    output syms) of the step being explained; an equation of the graph that
    recomputes the step's own result prints as that result's name (exp's
    tangent reads v-dot_j * v_i rather than v-dot_j * exp(v_j)).
    """
    env = {id(v): s for v, s in zip(graph.inputs, names)}
    read = lambda a: env[id(a)] if isinstance(a, Var) else Const(a.value)
    for eqn in graph.eqns:
        args = [read(a) for a in eqn.inputs]
        if recompute is not None and _same_step(eqn, args, recompute):
            outs = recompute[3]
        else:
            outs = _tree(eqn, args)
        for v, tree in zip(eqn.outputs, outs):
            env[id(v)] = tree
    return [read(a) for a in graph.outputs]


def _same_step(eqn, args, recompute):
    prim, params, ins, _ = recompute
    return (eqn.prim is prim and len(args) == len(ins) and all(a == b for a, b in zip(args, ins))
            and _params_equal(eqn.params, params))


def _params_equal(a, b):
    try:
        return a.keys() == b.keys() and all(bool(np.all(a[k] == b[k])) for k in a)
    except (TypeError, ValueError):
        return False


def _tree(eqn, args):
    name = eqn.prim.name
    if name == "mul_tangent":
        return [_mul_tangent(*args)]
    if name == "div_tangent":
        return [_div_tangent(*args)]
    if name == "mul":
        return [_mul(*args)]
    if name == "convert_element_type":       # a cast prints as the dtype applied: float64(...)
        return [Op(np.dtype(eqn.params["dtype"]).name, args)]
    if name in _COMPARE:
        return [Op(name, args)]
    if name == "integer_pow":
        return [Op("ipow", args, eqn.params)]
    if name == "dot_general":
        return [_dot(args, eqn.params["dims"], [a.aval.ndim for a in eqn.inputs])]
    if eqn.prim.multiple_results:
        return [Op(f"{_RENAME.get(name, name)}[{k}]", args, eqn.params) for k in range(len(eqn.outputs))]
    return [Op(_RENAME.get(name, name), args, eqn.params)]


def _dot(args, dims, ndims):
    """Matrix products print as a @ b, outer products as outer(a, b); others spell their dims."""
    (lc, rc), (lb, rb) = dims
    if not lb and not rb:
        if not lc and not rc and ndims == [1, 1]:
            return Op("outer", args)
        if lc == (ndims[0] - 1,) and rc == (max(ndims[1] - 2, 0),) and ndims[0] <= 2 and ndims[1] <= 2:
            return Op("matmul", args)
    return Op("dot", args, {"dims": dims})


# ---------------------------------------------------------------------------
# Printing.  Precedence: + - 1, * / 2, unary minus 3, powers 4, atoms 5.
# ---------------------------------------------------------------------------
_COMPARE = {"gt": ">", "lt": "<", "ge": ">=", "le": "<=", "eq": "==", "ne": "!="}
_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "matmul": 2, "neg": 3, "pow": 4, "ipow": 4,
         **{k: 0 for k in _COMPARE}}
_SUB = str.maketrans("-0123456789", "₋₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Style:
    """How one output format spells names, numbers and operators."""
    name = "text"
    times, minus, plus_assign = "·", "−", "+="

    def __init__(self, digits=6):
        self.digits = digits

    def sym(self, s):
        base = {PRIMAL: "v", TANGENT: "v\u0307", ADJOINT: "v\u0304"}[s.kind]
        return base + str(s.index).translate(_SUB)

    def number(self, x):
        return _fmt_number(x, self.digits).replace("-", self.minus)

    def var(self, name):
        """A user's name: x1 -> x₁, x1_bar -> x̄₁, x1' -> ẋ₁."""
        base, digits, mark = _split_name(name)
        accent = {"": "", "bar": "\u0304", "dot": "\u0307"}[mark]
        return base[:1] + accent + base[1:] + digits.translate(_SUB)

    def text(self, s):
        return s

    def power(self, base, exponent):
        return base + str(exponent).translate(_SUP)

    def ratio(self, a, b):
        return f"{a}/{b}"

    def call(self, name, args):
        return f"{name}({', '.join(args)})"

    def render(self, tree):
        return _render(tree, self)[0]


class AsciiStyle(Style):
    name = "ascii"
    times, minus = "*", "-"

    def sym(self, s):
        return f"v{s.index}" + {PRIMAL: "", TANGENT: "'", ADJOINT: "_bar"}[s.kind]

    def power(self, base, exponent):
        return f"{base}**{exponent}"

    def var(self, name):
        return name


class LatexStyle(Style):
    name = "latex"
    times, minus, plus_assign = r" \cdot ", "-", "\\mathrel{+}="
    _FUNCS = {"sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "arcsin", "arccos",
              "arctan"}

    def sym(self, s):
        base = {PRIMAL: "v", TANGENT: r"\dot{v}", ADJOINT: r"\bar{v}"}[s.kind]
        return f"{base}_{{{s.index}}}"

    def text(self, s):
        return r"\text{" + s.replace("_", r"\_") + "}"

    def var(self, name):
        base, digits, mark = _split_name(name)
        base = {"": base, "bar": rf"\bar{{{base}}}", "dot": rf"\dot{{{base}}}"}[mark]
        return base + (f"_{{{digits}}}" if digits else "")

    def power(self, base, exponent):
        return f"{base}^{{{exponent}}}"

    def ratio(self, a, b):
        return rf"\frac{{{a}}}{{{b}}}"

    def call(self, name, args):
        head = f"\\{name}" if name in self._FUNCS else r"\operatorname{" + name.replace("_", r"\_") + "}"
        return f"{head}\\left({', '.join(args)}\\right)"


class HtmlStyle(Style):
    name = "html"

    def sym(self, s):
        base = {PRIMAL: "v", TANGENT: "v&#775;", ADJOINT: "v&#772;"}[s.kind]
        return f"{base}<sub>{s.index}</sub>".replace("<sub>-", "<sub>&minus;")

    def number(self, x):
        return _html.escape(_fmt_number(x, self.digits)).replace("-", "&minus;")

    def text(self, s):
        return _html.escape(s)

    def var(self, name):
        base, digits, mark = _split_name(name)
        base = _html.escape(base) + {"": "", "bar": "&#772;", "dot": "&#775;"}[mark]
        return base + (f"<sub>{_html.escape(digits)}</sub>" if digits else "")

    def power(self, base, exponent):
        return f"{base}<sup>{exponent}</sup>"


STYLES = {"text": Style, "ascii": AsciiStyle, "md": Style, "markdown": Style, "latex": LatexStyle,
          "html": HtmlStyle}


def _split_name(name):
    """'x1_bar' -> ('x', '1', 'bar'); "x2'" -> ('x', '2', 'dot'); 'w[3]' -> ('w[3]', '', '')."""
    mark = ""
    if name.endswith("_bar"):
        name, mark = name[:-4], "bar"
    elif name.endswith("'"):
        name, mark = name[:-1], "dot"
    stem = name.rstrip("0123456789")
    if not stem or not stem.isidentifier():
        return name, "", mark
    return stem, name[len(stem):], mark


def _fmt_number(x, digits):
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    x = float(x)
    if not np.isfinite(x):
        return "nan" if np.isnan(x) else ("inf" if x > 0 else "-inf")
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return f"{x:.{digits}g}"


def _render(tree, st):
    """(text, precedence) of a tree, iteratively (post-order with an explicit stack)."""
    done, stack = {}, [(tree, False)]
    while stack:
        node, visited = stack.pop()
        if type(node) is not Op:
            done[id(node)] = _atom(node, st)
        elif not visited:
            stack.append((node, True))
            stack += [(a, False) for a in node.args]
        else:
            done[id(node)] = _op(node, [done[id(a)] for a in node.args], st)
    return done[id(tree)]


def _atom(node, st):
    if type(node) is Sym:
        return st.sym(node), 5
    v = node.value
    if np.ndim(v) == 0 and not hasattr(v, "interp"):
        s = st.number(v)
        return s, (3 if s.startswith(("-", "−", "&minus;")) else 5)
    shape = "×".join(map(str, np.shape(v))) if st.name != "ascii" else "x".join(map(str, np.shape(v)))
    return st.text(f"const[{shape}]"), 5


def _wrap(item, prec, st):
    text, p = item
    if p >= prec:
        return text
    return r"\left(" + text + r"\right)" if st.name == "latex" else f"({text})"


def _op(node, args, st):
    name, prec = node.name, _PREC.get(node.name, 5)
    if name in _COMPARE:
        sym = {"html": _html.escape(_COMPARE[name]), "latex": {">=": r"\geq", "<=": r"\leq",
               "!=": r"\neq"}.get(_COMPARE[name], _COMPARE[name])}.get(st.name, _COMPARE[name])
        return f"{_wrap(args[0], 1, st)} {sym} {_wrap(args[1], 1, st)}", 0
    if name in ("add", "sub"):
        a, b = _wrap(args[0], 1, st), _wrap(args[1], 2, st)
        sign = " + " if name == "add" else f" {st.minus} "
        return a + sign + b, 1
    if name == "mul":
        return _wrap(args[0], 2, st) + st.times + _wrap(args[1], 4, st), 2
    if name == "matmul":
        at = r" \mathbin{@} " if st.name == "latex" else " @ "
        return _wrap(args[0], 2, st) + at + _wrap(args[1], 4, st), 2
    if name == "div":
        if st.name == "latex":
            return st.ratio(args[0][0], args[1][0]), 5
        return st.ratio(_wrap(args[0], 2, st), _wrap(args[1], 4, st)), 2
    if name == "neg":
        return st.minus + _wrap(args[0], 4, st), 3
    if name == "ipow":
        return st.power(_wrap(args[0], 5, st), node.params["n"]), 4
    if name == "pow" and st.name != "latex":
        return _wrap(args[0], 5, st) + ("**" if st.name == "ascii" else "^") + _wrap(args[1], 5, st), 4
    if name == "pow":
        return f"{_wrap(args[0], 5, st)}^{{{args[1][0]}}}", 4
    if name == "name":
        return st.var(node.params["text"]), 5
    if name == "tuple":
        return "(" + ", ".join(a[0] for a in args) + ")", 5
    params = [f"{k}={_show_param(v, k)}" for k, v in node.params.items()]
    return st.call(st.text(name), [a[0] for a in args] + [st.text(p) for p in params]), prec


def preview(value, st, items=4):
    """A scalar as a number; an array as dtype[shape] and its first few entries."""
    if isinstance(value, tuple):
        return "(" + ", ".join(preview(v, st, items) for v in value) + ")"
    if hasattr(value, "interp"):
        return st.text(f"traced {value.aval}")
    a = np.asarray(value)
    if a.shape == ():
        return st.number(a)
    head = ", ".join(st.number(x) for x in a.ravel()[:items])
    more = ", …" if a.size > items else ""
    shape = ",".join(map(str, a.shape))
    if st.name == "latex":
        return rf"\text{{{a.dtype}[{shape}]}}\ [{head}{more}]".replace("…", r"\dots")
    return f"{a.dtype}[{shape}] [{head}{more}]"

