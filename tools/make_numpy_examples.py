"""Regenerate wengert/numpy/_examples.py: one runnable example per wengert.numpy function,
with the outputs it prints frozen in as literal text (tests/test_docs.py checks them).

Run from the repository root after adding a function: python tools/make_numpy_examples.py"""
import pathlib
import numpy as np
import wengert as wg
import wengert.numpy as wnp

X = "np.array([0.5, 1.5])"
DOMAINS = {"arccosh": "np.array([1.5, 2.5])", "arcsin": "np.array([0.25, 0.5])",
           "arccos": "np.array([0.25, 0.5])", "arctanh": "np.array([0.25, 0.5])",
           "sign": "np.array([-1.5, 0.0, 2.0])", "abs": "np.array([-1.5, 0.0, 2.0])",
           "floor": "np.array([-1.5, 0.5, 2.0])", "ceil": "np.array([-1.5, 0.5, 2.0])",
           "trunc": "np.array([-1.5, 0.5, 2.0])", "round": "np.array([-1.5, 0.4, 2.6])",
           "isnan": "np.array([1.0, np.nan, np.inf])", "isinf": "np.array([1.0, np.nan, np.inf])",
           "isfinite": "np.array([1.0, np.nan, np.inf])", "logical_not": "np.array([0.0, 2.0])",
           "sinc": "np.array([0.0, 0.5])"}
UNARY = ["abs", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctanh", "cbrt", "ceil", "cos",
         "cosh", "deg2rad", "exp", "exp2", "expm1", "floor", "log", "log10", "log1p", "log2", "negative",
         "positive", "rad2deg", "reciprocal", "round", "sign", "sin", "sinc", "sinh", "sqrt", "square",
         "tan", "tanh", "trunc", "conj", "real"]
PREDICATES = ["isfinite", "isinf", "isnan", "logical_not"]
BINARY = ["add", "subtract", "multiply", "divide", "power", "arctan2", "hypot", "logaddexp", "maximum",
          "minimum", "fmax", "fmin", "remainder", "fmod", "floor_divide", "heaviside"]
COMPARE = ["equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
           "logical_or", "logical_xor"]
A = "np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])"
CUSTOM = {
    "amax": ["wnp.amax(a, axis=1)", "wg.grad(lambda a: wnp.amax(a))(a)"],
    "max": ["wnp.max(a, axis=0)", "wg.grad(lambda a: wnp.max(a, axis=0).sum())(a)"],
    "amin": ["wnp.amin(a, axis=0)", "wg.grad(lambda a: wnp.amin(a))(a)"],
    "min": ["wnp.min(a, axis=1, keepdims=True)", "wg.grad(lambda a: wnp.min(a))(a)"],
    "argmax": ["wnp.argmax(a, axis=1)"], "argmin": ["wnp.argmin(a)"], "argsort": ["wnp.argsort(np.array([3.0, 1.0, 2.0]))"],
    "array": ["wg.grad(lambda t: wnp.array([t, 2.0 * t, 1.0]).sum())(3.0)"],
    "asarray": ["wnp.asarray([[1.0, 2.0]]).shape", "wg.jacobian(lambda t: wnp.asarray([t, t * t]))(3.0)"],
    "array_split": ["[p.shape for p in wnp.array_split(np.arange(5.0), 2)]"],
    "astype": ["wnp.astype(np.array([1.5, 2.5]), np.float32).dtype", "wg.grad(lambda x: wnp.astype(x, np.float32).sum())(np.array([1.5, 2.5]))"],
    "at": ["wnp.at(np.zeros(3))[1].set(5.0)", "wg.grad(lambda x: wnp.sum(x.at[0].multiply(x[1])))(np.array([2.0, 3.0]))"],
    "atleast_1d": ["wnp.atleast_1d(2.0)"], "atleast_2d": ["wnp.atleast_2d(np.arange(2.0))"],
    "atleast_3d": ["wnp.atleast_3d(np.arange(2.0)).shape"],
    "average": ["wnp.average(a, axis=1, weights=np.array([1.0, 0.0, 1.0]))", "wg.grad(lambda a: wnp.average(a))(a)"],
    "broadcast_arrays": ["[b.shape for b in wnp.broadcast_arrays(np.ones(3), np.ones((2, 1)))]"],
    "broadcast_to": ["wnp.broadcast_to(np.arange(3.0), (2, 3))", "wg.grad(lambda x: wnp.broadcast_to(x, (4, 3)).sum())(np.arange(3.0))"],
    "clip": ["wnp.clip(np.array([-2.0, 0.5, 3.0]), -1.0, 1.0)", "wg.grad(lambda x: wnp.clip(x, -1.0, 1.0).sum())(np.array([-2.0, 0.5, 3.0]))"],
    "column_stack": ["wnp.column_stack([np.arange(2.0), np.ones(2)])"],
    "concatenate": ["wnp.concatenate([np.ones(2), np.zeros(1)])", "wg.grad(lambda x: wnp.concatenate([x, 2.0 * x]).sum())(np.ones(2))"],
    "cumprod": ["wnp.cumprod(np.array([1.0, 2.0, 3.0]))", "wg.grad(lambda x: wnp.cumprod(x)[-1])(np.array([1.0, 0.0, 3.0]))"],
    "cumsum": ["wnp.cumsum(a, axis=1)", "wg.grad(lambda a: wnp.cumsum(a, axis=1)[:, -1].sum())(a)"],
    "diag": ["wnp.diag(np.array([1.0, 2.0]))", "wg.grad(lambda m: wnp.diag(m).sum())(np.ones((2, 2)))"],
    "diagonal": ["wnp.diagonal(np.arange(9.0).reshape(3, 3), 1)"],
    "dot": ["wnp.dot(a, np.ones(3))", "wg.grad(lambda v: wnp.dot(a, v).sum())(np.ones(3))"],
    "empty_like": ["wnp.empty_like(np.ones(2)).shape"],
    "expand_dims": ["wnp.expand_dims(np.ones(3), 0).shape"],
    "flip": ["wnp.flip(np.arange(3.0))"], "fliplr": ["wnp.fliplr(a)"], "flipud": ["wnp.flipud(a)"],
    "full_like": ["wnp.full_like(np.ones(2), 7.0)"],
    "hstack": ["wnp.hstack([np.ones(2), np.zeros(2)])"],
    "inner": ["wnp.inner(np.ones(3), np.arange(3.0))"],
    "kron": ["wnp.kron(np.eye(2), np.ones((1, 2)))"],
    "linspace": ["wnp.linspace(0.0, 1.0, 3)", "wg.grad(lambda t: wnp.linspace(0.0, t, 5).sum())(2.0)"],
    "matmul": ["wnp.matmul(a, np.ones((3, 2)))", "wg.grad(lambda w: (a @ w).sum())(np.ones((3, 2)))"],
    "mean": ["wnp.mean(a, axis=0)", "wg.grad(lambda a: wnp.mean(a))(a)"],
    "moveaxis": ["wnp.moveaxis(np.zeros((2, 3, 4)), 0, -1).shape"],
    "ndim": ["wnp.ndim(np.zeros((2, 3)))"],
    "ones_like": ["wnp.ones_like(np.zeros(2))"],
    "outer": ["wnp.outer(np.arange(2.0), np.ones(3))"],
    "pad": ["wnp.pad(np.ones(2), 1)", "wnp.pad(np.arange(3.0), 2, mode='reflect')", "wnp.pad(np.arange(3.0), (1, 2), mode='linear_ramp', end_values=9.0)", "wg.grad(lambda x: wnp.pad(x, 1, mode='mean').sum())(np.arange(3.0))"],
    "median": ["wnp.median(a, axis=1)", "wg.grad(lambda x: wnp.median(x))(np.array([3.0, 1.0, 2.0, 5.0]))"],
    "prod": ["wnp.prod(a, axis=1)", "wg.grad(lambda x: wnp.prod(x))(np.array([2.0, 0.0, 3.0]))"],
    "ptp": ["wnp.ptp(a, axis=1)"],
    "ravel": ["wnp.ravel(a)"],
    "repeat": ["wnp.repeat(np.array([1.0, 2.0]), 2)", "wg.grad(lambda x: wnp.repeat(x, [1, 3]).sum())(np.ones(2))"],
    "reshape": ["wnp.reshape(np.arange(6.0), (2, -1))"],
    "roll": ["wnp.roll(np.arange(4.0), 1)"],
    "shape": ["wnp.shape(a)"], "size": ["wnp.size(a)"],
    "sort": ["wnp.sort(np.array([3.0, 1.0, 2.0]))", "wg.grad(lambda x: wnp.sort(x)[0])(np.array([3.0, 1.0, 2.0]))"],
    "split": ["[p.shape for p in wnp.split(np.arange(6.0), [2, 5])]"],
    "squeeze": ["wnp.squeeze(np.zeros((1, 3, 1))).shape"],
    "stack": ["wnp.stack([np.ones(2), np.zeros(2)], axis=1)"],
    "std": ["wnp.std(np.array([1.0, 2.0, 3.0]))", "wg.grad(lambda x: wnp.std(x))(np.array([1.0, 2.0, 3.0])).round(6)"],
    "var": ["wnp.var(np.array([1.0, 2.0, 3.0]))", "wg.grad(lambda x: wnp.var(x))(np.array([1.0, 2.0, 3.0])).round(6)"],
    "sum": ["wnp.sum(a, axis=0)", "wg.grad(lambda a: wnp.sum(a ** 2))(a)"],
    "swapaxes": ["wnp.swapaxes(np.zeros((2, 3)), 0, 1).shape"],
    "take": ["wnp.take(np.arange(5.0), [0, 0, 4])", "wg.grad(lambda x: wnp.take(x, [0, 0, 4]).sum())(np.ones(5))"],
    "take_along_axis": ["wnp.take_along_axis(a, np.array([[2], [0]]), axis=1)"],
    "tensordot": ["wnp.tensordot(a, np.ones((3, 2)), axes=1)"],
    "tile": ["wnp.tile(np.array([1.0, 2.0]), 2)"],
    "trace": ["wnp.trace(np.arange(9.0).reshape(3, 3))", "wg.grad(wnp.trace)(np.zeros((2, 2)))"],
    "transpose": ["wnp.transpose(a).shape"],
    "tril": ["wnp.tril(np.ones((2, 2)))"], "triu": ["wnp.triu(np.ones((2, 2)), 1)"],
    "vdot": ["wnp.vdot(a, a)"],
    "vstack": ["wnp.vstack([np.ones(2), np.zeros(2)])"],
    "where": ["wnp.where(np.array([True, False]), np.ones(2), np.zeros(2))", "wg.grad(lambda x: wnp.where(x > 1.0, x ** 2, -x).sum())(np.array([0.5, 1.5]))"],
    "zeros_like": ["wnp.zeros_like(np.ones(2))"],
}


def setup_for(name):
    if name in UNARY or name in PREDICATES:
        return [f"x = {DOMAINS.get(name, X)}"]
    if name in BINARY or name in COMPARE:
        return ["x, y = np.array([0.5, 2.5]), np.array([1.5, 2.0])"]
    import re
    return [f"a = {A}"] if any(re.search(r"(?<![\w.])a(?![\w])", e) for e in CUSTOM.get(name, [])) else []


def exprs_for(name):
    if name in UNARY:
        out = [f"wnp.{name}(x)"]
        return out + [f"wg.grad(lambda x: wnp.{name}(x).sum())(x)"]
    if name in PREDICATES:
        return [f"wnp.{name}(x)"]
    if name in BINARY:
        return [f"wnp.{name}(x, y)", f"wg.grad(lambda x, y: wnp.{name}(x, y).sum(), argnums=(0, 1))(x, y)"]
    if name in COMPARE:
        return [f"wnp.{name}(x, y)"]
    return CUSTOM[name]


def render(name):
    ns = {"np": np, "wg": wg, "wnp": wnp}
    lines = []
    for stmt in setup_for(name):
        exec(stmt, ns)
        lines.append((stmt, ""))
    for expr in exprs_for(name):
        with np.errstate(all="ignore"):
            value = eval(expr, ns)
        if isinstance(value, np.ndarray):
            value = value.round(6) if value.dtype.kind == "f" else value
            expr = f"{expr}.round(6)" if value.dtype.kind == "f" and ".round(6)" not in expr else expr
        elif isinstance(value, (np.floating, float)) and not isinstance(value, bool):
            value = round(float(value), 6)
            inner = expr[len("round(float("):-len("), 6)")] if expr.startswith("round(float(") else expr
            expr = "float(np.round(" + inner + ", 6))"
        elif isinstance(value, tuple) and value and isinstance(value[0], np.ndarray):
            value = tuple(v.round(6) for v in value)
            expr = f"tuple(v.round(6) for v in {expr})"
        lines.append((expr, repr(value)))
    return lines


if __name__ == "__main__":
    import inspect
    names = sorted(n for n in dir(wnp) if not n.startswith("_") and inspect.isfunction(getattr(wnp, n))
                   and getattr(wnp, n).__module__.startswith("wengert")
                   and (">>>" not in (getattr(wnp, n).__doc__ or "")
                        or "wengert.numpy as wnp\n      >>>" in getattr(wnp, n).__doc__))
    aliases = {"absolute": "abs", "fabs": "abs", "around": "round", "rint": "round", "fix": "trunc",
               "true_divide": "divide", "float_power": "power", "mod": "remainder", "degrees": "rad2deg",
               "radians": "deg2rad", "conjugate": "conj", "permute_dims": "transpose"}
    table = {}
    for name in names:
        canonical = aliases.get(name, name)
        if canonical in table or name in aliases:
            continue
        table[canonical] = render(canonical)
    with open(pathlib.Path(__file__).resolve().parent.parent / "wengert" / "numpy" / "_examples.py", "w") as fh:
        fh.write('"""One runnable example per wengert.numpy function, attached to its docstring at\n'
                 'import.  Outputs are literal text, checked by tests/test_docs.py (doctest)."""\n\n')
        fh.write("EXAMPLES = {\n")
        for name, lines in table.items():
            fh.write(f"    {name!r}: {lines!r},\n")
        fh.write("}\n")
    print(len(table), "functions")
