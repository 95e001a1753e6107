"""Every docstring example runs, and every script in examples/ runs."""
import doctest
import importlib
import pathlib
import runpy
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
# every module of the package: a docstring example anywhere is run
MODULES = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
                 for p in (ROOT / "wengert").rglob("*.py"))


@pytest.mark.filterwarnings("ignore:overflow encountered in exp:RuntimeWarning")  # custom_jvp's example
@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize("script", sorted((ROOT / "examples").glob("*.py")), ids=lambda p: p.name)
def test_example_runs(script, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [str(script)])
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out


def test_readme_tour_runs(capsys):
    """The README's python blocks run as written."""
    text = (ROOT / "README.md").read_text()
    blocks = [b.split("```", 1)[0] for b in text.split("```python\n")[1:]]
    assert blocks
    namespace = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    assert "v3:float64[] = add v1 v2" in capsys.readouterr().out


@pytest.mark.parametrize("doc", ["how-it-works.md", "traces.md"])
def test_docs_examples(doc):
    result = doctest.testfile(str(ROOT / "docs" / doc), module_relative=False,
                              optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.attempted and result.failed == 0
