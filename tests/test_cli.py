"""The `wengert` command line: trace, demo, and the expression whitelist."""
import builtins
import os
import shutil
import subprocess
import sys

import pytest

from wengert.explain.cli import build_parser, main
from wengert.explain.expr import ExpressionError, parse_expression

HOSTILE = [
    "__import__('os').system('touch {marker}')",
    "exec(\"open('{marker}', 'w')\")",
    "eval('1')",
    "open('{marker}', 'w')",
    "x.__class__",
    "x.real",
    "(lambda: 1)()",
    "[open('{marker}','w') for _ in (1,)]",
    "{{k: 1 for k in 'ab'}}",
    "x[0]",
    "globals()",
    "sin.__globals__",
    "x if x else 1",
    "x == 1",
    "x and 1",
    "not x",
    "'abc'",
    "b'abc'",
    "f'{{x}}'",
    "True",
    "None",
    "1j",
    "x; 1",
    "x := 1",
    "sin(x, y=1)",
    "sin(*x)",
    "sin",
    "unknown(x)",
    "9" * 400,
    "1e400",
    "2 ** 10 ** 10",
    "x ** 1000",
    "x ** -99",
    "(" * 300 + "x" + ")" * 300,
    "+".join(["x"] * 500),
    "x" * 2000,
    "__builtins__",
    "_private",
    "x @ y",
    "x // 2",
    "x % 2",
    "x << 1",
    "~x",
    "import os",
    "",
    "   ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_expressions_rejected_without_running(text, tmp_path, monkeypatch, capsys):
    build_parser()         # first imports done before watching (module set-up may exec code)
    marker = tmp_path / "pwned"
    text = text.format(marker=marker)
    called = []            # any of these running would mean the text was executed
    for owner, name in ((builtins, "open"), (builtins, "exec"), (builtins, "eval"), (os, "system")):
        real = getattr(owner, name)
        monkeypatch.setattr(owner, name, lambda *a, _real=real, _n=name, **k: (called.append(_n),
                                                                               _real(*a, **k))[1])
    with pytest.raises(ExpressionError):
        parse_expression(text)
    code = main(["trace", text, "--at", "x=1", "y=2"])
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("wengert trace: error:") and err.count("\n") == 1
    assert not marker.exists() and called == []


def test_trace_forward_and_reverse(capsys):
    assert main(["trace", "log(x1) + x1*x2", "--at", "x1=2", "x2=5", "--forward", "x1", "--ascii"]) == 0
    out = capsys.readouterr().out
    assert "v1'  = v-1'/v-1" in out and "y'   = v3'" in out and "= 5.5" in out
    assert main(["trace", "log(x1) + x1*x2", "--at", "x1=2", "x2=5", "--reverse"]) == 0
    out = capsys.readouterr().out
    assert "x̄₁  =  v̄₋₁" in out and "= 5.5" in out


def test_trace_seed_order_and_formats(capsys):
    # --at order sets the input order (x2 first); constants like pi are allowed in values
    assert main(["trace", "x1*cos(x2)", "--at", "x2=pi", "x1=2", "--seed", "x1=1", "x2=0",
                 "--format", "latex"]) == 0
    out = capsys.readouterr().out
    assert r"$v_{-1} =$ & $x_{2}$ & $3.14159$" in out and r"\begin{tabular}" in out
    for fmt, mark in [("md", "| step | formula | value |"), ("html", "<table")]:
        assert main(["trace", "x*x", "--at", "x=3", "--format", fmt]) == 0
        assert mark in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["trace", "x*y", "--at", "x=1"], "no value given for y"),
    (["trace", "x", "--at", "x=1", "z=2"], "z not in the expression"),
    (["trace", "x", "--at", "x"], "expects NAME=VALUE"),
    (["trace", "x", "--at", "x=1", "x=2"], "gives x twice"),
    (["trace", "x", "--at", "x=y"], "must be a number"),
    (["trace", "x", "--at", "x=__import__('os')"], "is not allowed"),
    (["trace", "x", "--at", "x=1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15*1e15"],
     "not finite"),
    (["trace", "x", "--at", "x=1", "--forward", "q"], "no input named 'q'"),
    (["trace", "x", "--at", "x=1", "--graph", "out.jpg"], "use a .svg, .png, .pdf or .dot"),
])
def test_bad_command_lines(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_argparse_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as e:
        main(["trace", "x"])                     # --at is required
    assert e.value.code == 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz `dot` not installed")
def test_trace_graph_file(tmp_path, capsys):
    path = tmp_path / "g.svg"
    assert main(["trace", "log(x1) + x1*x2", "--at", "x1=2", "x2=5", "--reverse",
                 "--graph", str(path)]) == 0
    assert "<svg" in path.read_text() and f"wrote {path}" in capsys.readouterr().out


def test_demo_checks_every_number(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "FAILED" not in out and out.count("✓") >= 9
    assert "checks passed" in out.splitlines()[-1]


def test_console_script_runs_demo():
    done = subprocess.run([sys.executable, "-m", "wengert.explain.cli", "demo", "--ascii"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "[ok]" in done.stdout and "[FAILED]" not in done.stdout


def test_leading_minus_expression_and_non_finite_values(capsys):
    assert main(["trace", "-x**2", "--at", "x=3", "--ascii"]) == 0
    assert "= -9" in capsys.readouterr().out
    assert main(["trace", "x/y", "--at", "x=1", "y=0", "--reverse", "--ascii"]) == 0
    out, err = capsys.readouterr()
    assert "= inf" in out and "not finite" in err and "RuntimeWarning" not in err
