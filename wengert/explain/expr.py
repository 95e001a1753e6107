"""Safe arithmetic expressions for the command line: `wengert trace "log(x1) + x1*x2"`.

The text is parsed with Python's `ast` and checked against a whitelist before
anything runs: numbers, variable names, `+ - * / **`, unary minus and plus, and
calls of a fixed list of math functions with positional arguments.  Everything
else (attributes, subscripts, lambdas, comprehensions, keywords, names outside
the whitelist, enormous literals or exponents) is rejected with an
`ExpressionError` that says what was found and where.  An accepted expression
becomes a Python function of its variables built from `wengert.numpy` calls, so
every transform (grad, jvp, trace, make_graph) applies to it.
"""
from __future__ import annotations

import ast
import math
import operator
import re

from ..core import WengertError

MAX_LENGTH = 1000          # characters of source
MAX_NODES = 400            # AST nodes: keeps traces and sympy conversions small
MAX_LITERAL = 1e15         # |number| written in the text
MAX_EXPONENT = 64          # |constant exponent| of `**`


class ExpressionError(WengertError, ValueError):
    """An expression given on the command line is not in the accepted language."""


def _np():
    from .. import numpy as wnp
    return wnp


def _special():
    from ..scipy import special
    return special


# name -> (number of arguments, how to get the wengert function)
FUNCTIONS = {
    **{name: (1, (lambda n: lambda: getattr(_np(), n))(name)) for name in (
        "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "arcsinh",
        "arccosh", "arctanh", "exp", "exp2", "expm1", "log", "log2", "log10", "log1p", "sqrt",
        "cbrt", "square", "abs", "reciprocal", "sinc")},
    "asin": (1, lambda: _np().arcsin), "acos": (1, lambda: _np().arccos),
    "atan": (1, lambda: _np().arctan), "ln": (1, lambda: _np().log),
    "erf": (1, lambda: _special().erf), "sigmoid": (1, lambda: _special().expit),
    "atan2": (2, lambda: _np().arctan2), "arctan2": (2, lambda: _np().arctan2),
    "hypot": (2, lambda: _np().hypot), "pow": (2, lambda: _np().power),
    "max": (2, lambda: _np().maximum), "min": (2, lambda: _np().minimum),
}
CONSTANTS = {"pi": math.pi, "e": math.e}
_BINOPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
           ast.Div: operator.truediv, ast.Pow: operator.pow}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
_SYMBOL = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**",
           ast.USub: "-", ast.UAdd: "+"}
_VARIABLE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


class Expression:
    """A checked expression: its source, its variables (in order of first use) and a function.

    Example:
        >>> e = parse_expression("log(x1) + x1*x2")
        >>> e.variables
        ('x1', 'x2')
        >>> float(e.function(2.0, 5.0))
        10.693147180559945
    """

    def __init__(self, source, tree, variables):
        self.source, self._tree, self.variables = source, tree, variables

    def function(self, *args):
        if len(args) != len(self.variables):
            raise ExpressionError(f"expression {self.source!r} has variables {self.variables}, "
                                  f"got {len(args)} value(s)")
        return _evaluate(self._tree, dict(zip(self.variables, args)))

    def bind(self, order):
        """The function with its arguments in the given variable order (for `--at x2=.. x1=..`)."""
        missing = set(self.variables) - set(order)
        extra = [v for v in order if v not in self.variables]
        if missing or extra:
            raise ExpressionError(
                f"expression {self.source!r} uses {', '.join(self.variables) or 'no variables'}; "
                + (f"no value given for {', '.join(sorted(missing))}" if missing else
                   f"{', '.join(extra)} not in the expression"))
        names = tuple(order)

        def f(*args):
            return _evaluate(self._tree, dict(zip(names, args)))
        f.__name__ = "expression"
        return f

    def __repr__(self):
        return f"Expression({self.source!r})"


def parse_expression(text):
    """Parse and check `text`; raise `ExpressionError` for anything outside the language.

    Args:
        text: an arithmetic expression such as ``"x1 * cos(x2)"``.
    Returns:
        An `Expression` with `.variables` and `.function(*values)`.

    Example:
        >>> parse_expression("x**2 / cos(x)").variables
        ('x',)
        >>> parse_expression("__import__('os')")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        wengert.explain.expr.ExpressionError: function '__import__' at column 1 is not allowed; known functions: ...
    """
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"expression is {len(text)} characters long; the limit is {MAX_LENGTH}")
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as e:
        raise ExpressionError(f"not a valid expression: {e.msg} at column {e.offset}") from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("expression is nested too deeply") from None
    variables = []
    _check(tree, variables)
    return Expression(text.strip(), tree, tuple(variables))


def _where(node):
    return f"at column {getattr(node, 'col_offset', 0) + 1}"


def _check(root, variables):
    # Iterative walk (no recursion on user input); every node kind must be whitelisted.
    stack, count = [root], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise ExpressionError(f"expression has more than {MAX_NODES} parts; simplify it")
        if isinstance(node, ast.Constant):
            _check_number(node)
        elif isinstance(node, ast.Name):
            _check_name(node, variables)
        elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            if isinstance(node.op, ast.Pow):
                _check_exponent(node.right)
            stack += [node.right, node.left]
        elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            stack.append(node.operand)
        elif isinstance(node, ast.Call):
            stack += reversed(_check_call(node))
        else:
            raise ExpressionError(f"{_describe(node)} {_where(node)} is not allowed; use numbers, "
                                  "variables, + - * / **, and functions such as sin(x)")


def _check_number(node):
    v = node.value
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise ExpressionError(f"constant {v!r} {_where(node)} is not a number")
    if not abs(v) <= MAX_LITERAL:
        raise ExpressionError(f"number {_short(v)} {_where(node)} is too large "
                              f"(the limit is {MAX_LITERAL:g})")


def _check_name(node, variables):
    name = node.id
    if name in FUNCTIONS:
        raise ExpressionError(f"{name} {_where(node)} is a function; call it, as in {name}(x)")
    if name in CONSTANTS:
        return
    if not _VARIABLE.match(name):
        raise ExpressionError(f"name {name!r} {_where(node)} is not a variable or a known function "
                              "(variables are letters, digits and _, starting with a letter)")
    if name not in variables:
        variables.append(name)


def _check_call(node):
    f = node.func
    name = f.id if isinstance(f, ast.Name) else None
    if name not in FUNCTIONS:
        what = f"function {name!r}" if name else _describe(f)
        raise ExpressionError(f"{what} {_where(node)} is not allowed; known functions: "
                              + ", ".join(sorted(FUNCTIONS)))
    if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
        raise ExpressionError(f"{name}() {_where(node)} takes positional arguments only")
    arity = FUNCTIONS[name][0]
    if len(node.args) != arity:
        raise ExpressionError(f"{name}() {_where(node)} takes {arity} argument(s), "
                              f"got {len(node.args)}")
    return node.args


def _check_exponent(node):
    # A constant exponent (possibly signed or itself a small expression of numbers) is bounded,
    # so `2 ** 10 ** 10` is refused before anything is computed.  Values are float64 at run
    # time, so a variable exponent can at worst overflow to inf, never hang.
    if _constant(node) is not None and abs(_constant(node)) > MAX_EXPONENT:
        raise ExpressionError(f"exponent {_where(node)} is too large (the limit is {MAX_EXPONENT})")


def _constant(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        inner = _constant(node.operand)
        return None if inner is None else _UNARY[type(node.op)](inner)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return math.inf if _constant(node.left) is not None and _constant(node.right) is not None \
            else None
    return None


def _describe(node):
    names = {ast.Attribute: "attribute access", ast.Subscript: "subscript", ast.Lambda: "lambda",
             ast.ListComp: "comprehension", ast.GeneratorExp: "generator expression",
             ast.SetComp: "comprehension", ast.DictComp: "comprehension",
             ast.Compare: "comparison", ast.BoolOp: "boolean operator", ast.IfExp: "conditional"}
    if isinstance(node, (ast.BinOp, ast.UnaryOp)):
        return f"operator {type(node.op).__name__}"
    return names.get(type(node), type(node).__name__.lower())


def _short(v):
    s = repr(v)
    return s if len(s) < 30 else s[:12] + "..." + s[-6:]


def _evaluate(root, env):
    # Post-order evaluation with an explicit stack: (node, visited) pairs.
    values, stack = [], [(root, False)]
    while stack:
        node, done = stack.pop()
        if isinstance(node, ast.Constant):
            values.append(float(node.value))
        elif isinstance(node, ast.Name):
            values.append(CONSTANTS[node.id] if node.id in CONSTANTS else env[node.id])
        elif not done:
            stack.append((node, True))
            children = ([node.left, node.right] if isinstance(node, ast.BinOp) else
                        [node.operand] if isinstance(node, ast.UnaryOp) else node.args)
            stack += [(c, False) for c in reversed(children)]
        elif isinstance(node, ast.BinOp):
            b, a = values.pop(), values.pop()
            values.append(_BINOPS[type(node.op)](a, b))
        elif isinstance(node, ast.UnaryOp):
            values.append(_UNARY[type(node.op)](values.pop()))
        else:
            n = len(node.args)
            args = values[-n:]
            del values[-n:]
            values.append(FUNCTIONS[node.func.id][1]()(*args))
    return values[0]
