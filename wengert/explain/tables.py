"""Trace tables and their output formats: text (unicode or ASCII), Markdown, LaTeX, HTML.

A `Table` is a title and a list of `Row`s (left-hand side, operator `=` or `+=`,
formula tree, value).  Rows of the same kind of step carry the same `key`, so a
run of repeated blocks (the layers of an MLP) folds into one line.
"""
from __future__ import annotations

import html as _html
import unicodedata


from .formula import STYLES, Sym, preview
from .render import render_dot, svg_or_none, trace_dot

MAX_BLOCK = 24      # longest block of steps considered for folding
MIN_REPEATS = 3     # a block must repeat this often to fold (first and last stay visible)


class Row:
    __slots__ = ("lhs", "tree", "value", "op", "key", "head_text")

    def __init__(self, lhs, tree, value, op="=", key=None, head_text=False):
        self.lhs, self.tree, self.value, self.op, self.key = lhs, tree, value, op, key
        self.head_text = head_text     # an input/output name row (x1, y, x1_bar)


class Fold:
    """Stands for `repeats` copies of a block of `size` rows that were left out."""
    __slots__ = ("size", "repeats", "first", "last")

    def __init__(self, size, repeats, first, last):
        self.size, self.repeats, self.first, self.last = size, repeats, first, last


class Table:
    """One trace table.  Print it, or call `to_text/to_markdown/to_latex/to_html`."""

    def __init__(self, title, rows, trace=None, env=None, kind=None):
        self.title, self.rows = title, rows
        self._trace, self._env, self._kind = trace, env, kind

    def results(self):
        """The named rows (inputs, outputs, input adjoints) as a dict name -> value."""
        return {r.lhs[0].params["text"]: r.value for r in self.rows if r.head_text}

    # -- formats ---------------------------------------------------------------
    def format(self, fmt="text", digits=6, fold=True):
        renderers = {"text": self.to_text, "ascii": lambda **k: self.to_text(ascii=True, **k),
                     "md": self.to_markdown, "markdown": self.to_markdown, "latex": self.to_latex,
                     "html": self.to_html}
        if fmt not in renderers:
            raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(renderers)}")
        return renderers[fmt](digits=digits, fold=fold)

    def to_text(self, ascii=False, digits=6, fold=True):
        st = STYLES["ascii" if ascii else "text"](digits)
        cells = [_cells(item, st) for item in self._items(fold)]
        steps = [c for c in cells if c[1] is not None]
        w0 = max((_width(c[0]) for c in steps), default=0)
        w1 = max((_width(c[1]) for c in steps), default=0)
        w2 = max([_width(c[2]) for c in steps] + [14])
        lines = [self.title]
        for lhs, op, formula, value in cells:
            if op is None:
                lines.append("  " + lhs)
            else:
                lines.append(f"  {_pad(lhs, w0)} {_pad(op, w1)} {_pad(formula, w2)} = {value}")
        return "\n".join(lines)

    def to_markdown(self, digits=6, fold=True):
        st = STYLES["md"](digits)
        esc = lambda s: s.replace("|", "\\|")
        lines = [f"**{self.title}**", "", "| step | formula | value |", "|---|---|---|"]
        for lhs, op, formula, value in (_cells(i, st) for i in self._items(fold)):
            if op is None:
                lines.append(f"| {esc(lhs)} | | |")
            else:
                lines.append(f"| {esc(lhs)} {op} | {esc(formula)} | {esc(value)} |")
        return "\n".join(lines)

    def to_latex(self, digits=6, fold=True):
        st = STYLES["latex"](digits)
        lines = [f"% {self.title}", r"\begin{tabular}{l l l}", r"\hline",
                 r"step & formula & value \\", r"\hline"]
        for lhs, op, formula, value in (_cells(i, st) for i in self._items(fold)):
            if op is None:
                lines.append(r"\multicolumn{3}{c}{" + lhs + r"} \\")
            else:
                lines.append(f"${lhs} {op}$ & ${formula}$ & ${value}$ \\\\")
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)

    def to_html(self, digits=6, fold=True):
        st = STYLES["html"](digits)
        lines = ['<table class="wengert-trace">', f"<caption>{_html.escape(self.title)}</caption>",
                 "<tr><th>step</th><th>formula</th><th>value</th></tr>"]
        for lhs, op, formula, value in (_cells(i, st) for i in self._items(fold)):
            if op is None:
                lines.append(f'<tr><td colspan="3"><i>{lhs}</i></td></tr>')
            else:
                lines.append(f"<tr><td>{lhs} {_html.escape(op)}</td><td>{formula}</td>"
                             f"<td>{value}</td></tr>")
        lines.append("</table>")
        return "\n".join(lines)

    def __str__(self):
        return self.to_text()

    _repr_html_ = to_html

    def __repr__(self):
        return f"<Table {self.title!r}: {len(self.rows)} rows>"

    # -- graphs ---------------------------------------------------------------------
    def to_dot(self):
        """The computational graph with this table's tangents or adjoints on the nodes."""
        if self._trace is None:
            raise ValueError("only tangent and adjoint tables carry a graph; use Trace.to_dot()")
        return trace_dot(self._trace, self)

    def render(self, path):
        return render_dot(self.to_dot(), path)

    def _repr_svg_(self):
        return svg_or_none(self.to_dot()) if self._trace is not None else None

    # -- folding ----------------------------------------------------------------------
    def _items(self, fold):
        return fold_rows(self.rows) if fold else list(self.rows)


def _width(s):
    """Display width: combining accents (the dot of v-dot, the bar of v-bar) take no column."""
    return sum(not unicodedata.combining(c) for c in s)


def _pad(s, width):
    return s + " " * (width - _width(s))


def fold_rows(rows):
    """Rows with runs of >= MIN_REPEATS identical blocks folded: first block, a `Fold`, last block."""
    keys = [r.key for r in rows]
    out, i, n = [], 0, len(rows)
    while i < n:
        best = _best_run(keys, i)
        if best is None:
            out.append(rows[i])
            i += 1
            continue
        size, reps = best
        out += rows[i:i + size]
        hidden = rows[i + size:i + size * (reps - 1)]
        out.append(Fold(size, reps - 2, hidden[0], hidden[-1]))
        out += rows[i + size * (reps - 1):i + size * reps]
        i += size * reps
    return out


def _best_run(keys, i):
    best = None
    for size in range(1, min(MAX_BLOCK, (len(keys) - i) // MIN_REPEATS) + 1):
        block = keys[i:i + size]
        if None in block:
            break
        reps = 1
        while keys[i + reps * size:i + (reps + 1) * size] == block:
            reps += 1
        if reps >= MIN_REPEATS and (best is None or size * reps > best[0] * best[1]):
            best = (size, reps)
    return best


def _cells(item, st):
    """(lhs, op, formula, value) strings of a row; (text, None, None, None) for a fold."""
    if isinstance(item, Fold):
        first, last = _lhs(item.first, st), _lhs(item.last, st)
        text = (f"… {item.repeats} more repetition{'s' if item.repeats > 1 else ''} of the "
                f"{item.size} step{'s' if item.size > 1 else ''} above ({first} … {last}) …")
        return st.text(text) if st.name in ("html",) else text, None, None, None
    return _lhs(item, st), item.op if st.name != "latex" or item.op == "=" else st.plus_assign, \
        st.render(item.tree), preview(item.value, st)


def _lhs(row, st):
    return ", ".join(st.sym(s) if type(s) is Sym else st.render(s) for s in row.lhs)
