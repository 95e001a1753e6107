"""The `wengert steps`, `compare` and `swell` commands, run in-process."""
import pytest

from wengert.explain.cli import main

PNG = b"\x89PNG\r\n\x1a\n"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_compare_lecture_function(capsys):
    code, out, _ = run(capsys, "compare", "log(x1) + x1*x2", "--at", "x1=2", "x2=5")
    assert code == 0
    for row in ("forward differences", "central differences", "complex step", "forward-mode AD",
                "reverse-mode AD", "symbolic (sympy)"):
        assert row in out
    assert "3 (n+1)" in out and "4 (2n)" in out and "2 (n)" in out and "1 pass" in out
    assert "[5.5, 2]" in out


def test_compare_refuses_complex_step_for_abs(capsys):
    code, out, _ = run(capsys, "compare", "abs(x1) + x1*x2", "--at", "x1=-2", "x2=5")
    assert code == 0 and "complex step (refused)" in out and "abs" in out


def test_steps_table_and_plot(capsys, tmp_path):
    path = tmp_path / "steps.png"
    code, out, _ = run(capsys, "steps", "sin(x)", "--at", "x=1", "--plot", str(path))
    assert code == 0 and "predicted h*" in out and "central" in out
    assert path.read_bytes()[:8] == PNG


def test_swell_table_and_plot(capsys, tmp_path):
    path = tmp_path / "swell.png"
    code, out, _ = run(capsys, "swell", "--max-k", "3", "--families", "product", "mlp", "--plot", str(path))
    assert code == 0 and "product" in out and "mlp" in out and "AD tape" in out
    assert path.read_bytes()[:8] == PNG


@pytest.mark.parametrize("argv,words", [
    (["steps", "x*", "--at", "x=1"], "not a valid expression"),
    (["steps", "x*y", "--at", "x=1"], "one variable"),
    (["steps", "__import__('os')", "--at", "x=1"], "not allowed"),
    (["compare", "x1 + x2", "--at", "x1=1"], "no value given for x2"),
    (["steps", "sin(x)", "--at", "x=1", "--methods", "richardson"], "no fixed step"),
    (["steps", "abs(x)", "--at", "x=1", "--methods", "complex"], "not complex-safe"),
    (["swell", "--max-k", "40"], "between 1 and 14"),
    (["swell", "--families", "tree"], "unknown family"),
])
def test_bad_input_exits_2_with_one_line(capsys, argv, words):
    code, _, err = run(capsys, *argv)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1
