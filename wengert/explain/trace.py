"""Evaluation traces: the lecture's tables, computed by wengert itself.

`trace(f)(*args)` stages `f` into a `Graph` (the Wengert list) and evaluates it
step by step, keeping every intermediate value.  From that one object:

* the primal trace: v_{1-n}..v_0 = inputs, v_i = phi_i(...), y = outputs;
* `.tangents(...)`: the tangent trace of forward mode.  Each step's formula is
  the primitive's jvp rule staged on symbols, and its value is that staged
  rule evaluated on the step's numbers;
* `.adjoints(...)`: the adjoint trace of reverse mode, one `+=` line per
  contribution, in the order the backward pass makes them (last step first),
  each formula the jvp rule transposed (staged `vjp` of the one primitive).

Tables print as text (unicode or ASCII), Markdown, LaTeX and HTML; graphs go to
Graphviz (`render.py`).  Long traces fold repeated blocks of steps.
"""
from __future__ import annotations

import functools
import inspect

import numpy as np

from ..core import WengertError, get_aval, is_float
from ..ir import Var
from ..tree import tree_flatten, tree_unflatten
from .formula import ADJOINT, PRIMAL, TANGENT, Const, Op, Sym, _tree, expression
from .tables import Row, Table


def trace(f, names=None):
    """Return a function that evaluates `f` and records its evaluation trace.

    Args:
      f: a function of arrays written with `wengert.numpy`.
      names: display names of the inputs (default: the parameter names of `f`;
        array leaves of a pytree argument get `name[k]`).
    Returns:
      A function of `f`'s arguments returning a `Trace`: print it for the primal
      trace; `.tangents(wrt=...)` and `.adjoints()` give the other two tables.

    Example:
      >>> import wengert as wg, wengert.numpy as wnp
      >>> t = wg.trace(lambda x1, x2: wnp.log(x1) + x1 * x2)(2.0, 5.0)
      >>> print(t.to_text(ascii=True))
      Primal trace
        v-1 = x1             = 2
        v0  = x2             = 5
        v1  = log(v-1)       = 0.693147
        v2  = v-1*v0         = 10
        v3  = v1 + v2        = 10.6931
        y   = v3             = 10.6931
      >>> print(t.adjoints().to_text(ascii=True))
      Adjoint trace (output seeded with 1)
        v3_bar  =  y_bar          = 1
        v1_bar  += v3_bar         = 1
        v2_bar  += v3_bar         = 1
        v-1_bar += v2_bar*v0      = 5
        v0_bar  += v-1*v2_bar     = 2
        v-1_bar += v1_bar/v-1     = 0.5
        x1_bar  =  v-1_bar        = 5.5
        x2_bar  =  v0_bar         = 2
    """
    @functools.wraps(f)
    def trace_f(*args):
        graph, values = _stage_at(f, args)
        return Trace(graph, values, _input_names(f, args, len(graph.inputs), names))
    return trace_f


def _stage_at(f, args):
    """Stage `f` while evaluating it at `args` (interpreters/stage.py): the Graph and the
    value of every variable, so value-dependent code (argmax indices, sorts, `if`s)
    follows the path taken at this point."""
    from ..core import current_interpreter, running
    from ..interpreters.stage import ValueStageInterpreter
    from ..transforms._inputs import _canon_leaf
    leaves, td = tree_flatten(tuple(args))
    leaves = [_canon_leaf(x, "trace", f"input leaf {k}", allow_int=True) for k, x in enumerate(leaves)]
    interp = ValueStageInterpreter(current_interpreter())
    tracers = [interp.new_arg(get_aval(x), x) for x in leaves]
    with running(interp):
        out = f(*tree_unflatten(td, tracers))
    graph = interp.graph(tracers, tree_flatten(out)[0])
    values = interp.values
    for a in graph.outputs:
        if not isinstance(a, Var):
            values[id(a)] = a.value
    return graph, values


def _input_names(f, args, n, names):
    if names is not None:
        names = list(names)
        if len(names) != n:
            raise WengertError(f"trace: {len(names)} names given for {n} input arrays")
        return names
    try:
        params = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        params = []
    out = []
    for k, a in enumerate(args):
        base = params[k] if k < len(params) else f"x{k + 1}"
        count = len(tree_flatten(a)[0])
        out += [base] if count == 1 else [f"{base}[{j}]" for j in range(count)]
    return out


class Trace:
    """An evaluation trace: a `Graph` plus the value of every variable in it."""

    def __init__(self, graph, values, input_names):
        self.graph, self.input_names, self.values = graph, input_names, values
        self.index = _numbering(graph)
        self._rules = {}

    # -- the three tables ----------------------------------------------------
    def primal_table(self):
        rows = [Row([Sym(PRIMAL, self.index[id(v)])], Op("name", [], {"text": name}), self.values[id(v)])
                for v, name in zip(self.graph.inputs, self.input_names)]
        for eqn in self.graph.eqns:
            outs = [Sym(PRIMAL, self.index[id(v)]) for v in eqn.outputs]
            rows.append(Row(outs, _tree(eqn, self._atoms(eqn.inputs))[0] if len(outs) == 1
                            else Op(eqn.prim.name, self._atoms(eqn.inputs), eqn.params),
                            self._value(eqn.outputs), key=_signature(eqn)))
        rows += self._output_rows(PRIMAL, self._value)
        return Table("Primal trace", rows)

    def tangents(self, wrt=None, seed=None):
        """The tangent (forward-mode) trace for one seed direction.

        Args:
          wrt: the name of a scalar input: seed 1 there and 0 elsewhere.
          seed: tangents of all inputs instead, as a dict name -> value or a
            sequence in input order (arrays allowed).
        """
        seeds = self._seeds(wrt, seed)
        tan = {id(v): s for v, s in zip(self.graph.inputs, seeds)}
        rows = [Row([Sym(TANGENT, self.index[id(v)])], Op("name", [], {"text": n + "'"}), s)
                for v, s, n in zip(self.graph.inputs, seeds, self.input_names)]
        for eqn in self.graph.eqns:
            rows.append(self._tangent_step(eqn, tan))
        rows += self._output_rows(TANGENT, lambda outs: _read(tan, outs[0]))
        label = ", ".join(f"{n} = {_short(s)}" for n, s in zip(self.input_names, seeds) if np.any(s))
        if len(label) > 80 or not label:
            label = f"{sum(bool(np.any(s)) for s in seeds)} of {len(seeds)} inputs nonzero"
        return Table(f"Tangent trace (seed direction: {label})", rows, self, tan, TANGENT)

    def adjoints(self, seed=None):
        """The adjoint (reverse-mode) trace: `v̄_j += ...` in backward-pass order.

        Args:
          seed: the output's adjoint (default 1 for a scalar output).
        """
        out = self._single_output("adjoints")
        seed = self._output_seed(out, seed)
        adj = {id(out): seed}
        rows = [Row([Sym(ADJOINT, self.index[id(out)])], Op("name", [], {"text": "y_bar"}), seed)]
        for eqn in reversed(self.graph.eqns):
            rows += self._adjoint_steps(eqn, adj)
        for v, name in zip(self.graph.inputs, self.input_names):
            value = adj.get(id(v), np.zeros_like(self.values[id(v)]))
            rows.append(Row([Op("name", [], {"text": name + "_bar"})], Sym(ADJOINT, self.index[id(v)]),
                            value, head_text=True))
        return Table(f"Adjoint trace (output seeded with {_short(seed)})", rows, self, adj, ADJOINT)

    # -- printing --------------------------------------------------------------
    def to_text(self, ascii=False, digits=6, fold=True):
        return self.primal_table().to_text(ascii=ascii, digits=digits, fold=fold)

    def to_markdown(self, digits=6, fold=True):
        return self.primal_table().to_markdown(digits=digits, fold=fold)

    def to_latex(self, digits=6, fold=True):
        return self.primal_table().to_latex(digits=digits, fold=fold)

    def to_html(self, digits=6, fold=True):
        return self.primal_table().to_html(digits=digits, fold=fold)

    def format(self, fmt="text", **kw):
        return self.primal_table().format(fmt, **kw)

    __str__ = to_text
    _repr_html_ = to_html

    def __repr__(self):
        return (f"<Trace: {len(self.graph.inputs)} inputs, {len(self.graph.eqns)} steps, "
                f"{len(self.graph.outputs)} outputs>")

    # -- graphs ------------------------------------------------------------------
    def to_dot(self, show=None, **seed):
        """Graphviz source of the computational graph: nodes carry values (and, with
        show="tangents" or "adjoints", those too); edges carry local partials."""
        from .render import trace_dot
        table = {None: None, "tangents": lambda: self.tangents(**seed),
                 "adjoints": lambda: self.adjoints(**seed)}
        if show not in table:
            raise WengertError(f"show must be None, 'tangents' or 'adjoints', got {show!r}")
        return trace_dot(self, table[show]() if show else None)

    def render(self, path, show=None, **seed):
        """Draw the graph to `path` (.svg, .png or .pdf) with Graphviz's `dot`."""
        from .render import render_dot
        return render_dot(self.to_dot(show, **seed), path)

    def _repr_svg_(self):
        from .render import svg_or_none
        return svg_or_none(self.to_dot())

    def backward_graph(self):
        """The backward pass itself as a `Graph` (staged `vjp`), to print or render."""
        from ..transforms import make_graph, vjp
        self._single_output("backward_graph")
        f = lambda *xs: self.graph.eval(*xs)[0]
        return make_graph(lambda *xs: vjp(f, *xs)[1](1.0))(*self._input_values())

    # -- machinery ---------------------------------------------------------------
    def _input_values(self):
        return [self.values[id(v)] for v in self.graph.inputs]

    def _atoms(self, atoms, kind=PRIMAL):
        return [Sym(kind, self.index[id(a)]) if isinstance(a, Var) else Const(a.value) for a in atoms]

    def _value(self, outs):
        vals = [self.values[id(v)] for v in outs]
        return vals[0] if len(vals) == 1 else tuple(vals)

    def _output_rows(self, kind, value):
        rows = []
        for k, a in enumerate(self.graph.outputs):
            name = "y" if len(self.graph.outputs) == 1 else f"y{k + 1}"
            name += {PRIMAL: "", TANGENT: "'", ADJOINT: "_bar"}[kind]
            ref = self._atoms([a], kind)[0] if isinstance(a, Var) else Const(a.value)
            rows.append(Row([Op("name", [], {"text": name})], ref, value([a]), head_text=True))
        return rows

    def _single_output(self, what):
        outs = self.graph.outputs
        if len(outs) != 1 or not isinstance(outs[0], Var):
            raise WengertError(f"{what} needs a function with one array output that depends on its "
                               f"inputs; this trace has {len(outs)} output(s)")
        return outs[0]

    def _output_seed(self, out, seed):
        aval = out.aval
        if not is_float(aval.dtype):
            raise WengertError(f"adjoints: the output has dtype {aval.dtype}; it has no derivative")
        if seed is None:
            if aval.shape != ():
                raise WengertError(f"adjoints: the output has shape {aval.shape}; pass seed= (an "
                                   "array of that shape) to choose which combination to differentiate")
            return np.ones((), aval.dtype)[()]
        seed = np.asarray(seed, aval.dtype)
        if seed.shape != aval.shape:
            raise WengertError(f"adjoints: seed has shape {seed.shape} but the output has {aval.shape}")
        return seed[()]

    def _seeds(self, wrt, seed):
        names, ins = self.input_names, self.graph.inputs
        if (wrt is None) == (seed is None):
            raise WengertError(f"tangents needs exactly one of wrt= (one of {names}) or seed=")
        if wrt is not None:
            if wrt not in names:
                raise WengertError(f"tangents: no input named {wrt!r}; the inputs are {names}")
            v = ins[names.index(wrt)]
            if v.aval.shape != ():
                raise WengertError(f"tangents: input {wrt!r} has shape {v.aval.shape}; pass seed= "
                                   "with a tangent array for it")
            seed = {wrt: 1.0}
        if isinstance(seed, dict):
            unknown = set(seed) - set(names)
            if unknown:
                raise WengertError(f"tangents: no input named {sorted(unknown)}; the inputs are {names}")
            seed = [seed.get(n, 0.0) for n in names]
        seed = list(seed)
        if len(seed) != len(ins):
            raise WengertError(f"tangents: got {len(seed)} seed value(s) for {len(ins)} inputs {names}")
        out = []
        for n, v, s in zip(names, ins, seed):
            s = np.broadcast_to(np.asarray(s, v.aval.dtype if is_float(v.aval.dtype) else float),
                                v.aval.shape).copy()[()]
            out.append(s)
        return out

    # -- one step of each mode ---------------------------------------------------
    def _rule(self, eqn, kind):
        """The staged jvp (kind TANGENT) or vjp (ADJOINT) of one step, cached by shape."""
        key = (kind, _signature(eqn))
        if key not in self._rules:
            self._rules[key] = _stage_rule(eqn, kind, self.values)
        graph, diff = self._rules[key]
        return graph, [a for a in eqn.inputs if isinstance(a, Var)], diff

    def _tangent_step(self, eqn, tan):
        outs = [Sym(TANGENT, self.index[id(v)]) for v in eqn.outputs]
        graph, vars_, diff = self._rule(eqn, TANGENT)
        if graph is None:                     # integer or boolean result: no tangent
            for v in eqn.outputs:
                tan[id(v)] = np.zeros(v.aval.shape)[()]
            return Row(outs, Const(0.0), self._value([eqn.outputs[0]]) * 0, key=_signature(eqn))
        names = self._atoms(vars_) + [Sym(TANGENT, self.index[id(vars_[i])]) for i in diff]
        ys = expression(graph, names, self._recompute(eqn))
        vals = graph.eval(*[self.values[id(v)] for v in vars_], *[tan[id(vars_[i])] for i in diff])
        for v, val in zip(eqn.outputs, vals):
            tan[id(v)] = val
        tree = ys[0] if len(ys) == 1 else Op("tuple", ys)
        return Row(outs, tree, vals[0] if len(vals) == 1 else tuple(vals), key=_signature(eqn))

    def _adjoint_steps(self, eqn, adj):
        float_outs = [v for v in eqn.outputs if is_float(v.aval.dtype)]
        if not any(id(v) in adj for v in float_outs):
            return []                         # nothing flows back through this step
        graph, vars_, diff = self._rule(eqn, ADJOINT)
        cts = [adj.get(id(v), np.zeros(v.aval.shape, v.aval.dtype)[()]) for v in float_outs]
        names = self._atoms(vars_) + [Sym(ADJOINT, self.index[id(v)]) for v in float_outs]
        trees = expression(graph, names, self._recompute(eqn))
        vals = graph.eval(*[self.values[id(v)] for v in vars_], *cts)
        rows = []
        for i, tree, val in zip(diff, trees, vals):
            v = vars_[i]
            adj[id(v)] = val if id(v) not in adj else adj[id(v)] + val
            rows.append(Row([Sym(ADJOINT, self.index[id(v)])], tree, val, op="+=", key=_signature(eqn)))
        return rows

    def _recompute(self, eqn):
        return (eqn.prim, eqn.params, self._atoms(eqn.inputs),
                [Sym(PRIMAL, self.index[id(v)]) for v in eqn.outputs])


def _numbering(graph):
    """Lecture numbering: inputs 1-n..0, then 1, 2, ... for every equation output."""
    n, index = len(graph.inputs), {}
    for i, v in enumerate(graph.inputs):
        index[id(v)] = i + 1 - n
    k = 0
    for eqn in graph.eqns:
        for v in eqn.outputs:
            k += 1
            index[id(v)] = k
    return index


def _read(env, a):
    return env.get(id(a), 0.0) if isinstance(a, Var) else np.zeros_like(a.value)


def _signature(eqn):
    """What makes two steps the same rule and the same row shape (for caching and folding)."""
    ins = tuple(("v", a.aval.shape, a.aval.dtype.str) if isinstance(a, Var) else ("c", _lit_key(a.value))
                for a in eqn.inputs)
    params = tuple((k, _lit_key(v)) for k, v in eqn.params.items())
    return (eqn.prim.name, ins, params, tuple((v.aval.shape, v.aval.dtype.str) for v in eqn.outputs))


def _lit_key(v):
    if isinstance(v, np.ndarray) or hasattr(v, "interp"):
        return ("array", id(v))
    try:
        hash(v)
        return v
    except TypeError:
        return repr(v)


def _stage_rule(eqn, kind, values):
    """Stage the jvp (or vjp) of the single primitive `eqn` on symbolic inputs.

    Returns (graph, positions among the step's Var inputs that are
    differentiable); the graph's inputs are the Var inputs' values, then the
    tangents (or the output cotangents).  Literal operands stay literals; integer inputs are
    symbols without a tangent."""
    from ..transforms import jvp, make_graph, vjp
    slots = [i for i, a in enumerate(eqn.inputs) if isinstance(a, Var)]
    vars_ = [eqn.inputs[i] for i in slots]
    diff = [k for k, v in enumerate(vars_) if is_float(v.aval.dtype)]
    if not any(is_float(v.aval.dtype) for v in eqn.outputs) or eqn.prim.nondiff or not diff:
        return None, diff
    fixed = [a.value if not isinstance(a, Var) else None for a in eqn.inputs]

    def apply(all_vars, diff_vals):
        full, vals = list(fixed), list(all_vars)
        for k, x in zip(diff, diff_vals):
            vals[k] = x
        for i, x in zip(slots, vals):
            full[i] = x
        out = eqn.prim.bind(*full, **eqn.params)
        return tuple(out) if eqn.prim.multiple_results else out

    primals = [values[id(v)] for v in vars_]
    if kind == TANGENT:
        def tangent_rule(*args):
            xs, ts = args[:len(vars_)], args[len(vars_):]
            out = jvp(lambda *d: apply(xs, d), tuple(xs[k] for k in diff), tuple(ts))[1]
            return out
        tangents = [np.zeros_like(primals[k]) for k in diff]
        return make_graph(tangent_rule)(*primals, *tangents), diff
    float_outs = [v for v in eqn.outputs if is_float(v.aval.dtype)]

    def adjoint_rule(*args):
        xs, cts = args[:len(vars_)], args[len(vars_):]
        _, pullback = vjp(lambda *d: apply(xs, d), *[xs[k] for k in diff])
        return pullback(tuple(cts) if eqn.prim.multiple_results else cts[0])
    cts = [np.zeros(v.aval.shape, v.aval.dtype)[()] for v in float_outs]
    return make_graph(adjoint_rule)(*primals, *cts), diff


def _short(x):
    x = np.asarray(x)
    if x.shape == ():
        return f"{float(x):g}"
    return "[" + ", ".join(f"{float(v):g}" for v in x.ravel()[:4]) + (", ...]" if x.size > 4 else "]")

