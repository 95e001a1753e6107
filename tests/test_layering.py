"""The layer order of DESIGN.md section 9, enforced: each module of wengert/ imports
only from its own layer or the layers above it, and the import graph has no cycles.

Every import counts, top-level or inside a function: a late import that runs
against the order is still a dependency of the lower layer on the higher one.
"""
import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent / "wengert"

# Highest first.  A module belongs to the first layer with a prefix matching its name.
LAYERS = [
    ("core", ["wengert.core", "wengert.tree"]),
    ("ir", ["wengert.ir"]),
    ("interpreters", ["wengert.interpreters"]),
    ("ops", ["wengert.ops"]),
    ("namespaces", ["wengert.numpy", "wengert.scipy"]),
    ("transforms", ["wengert.transforms", "wengert.jit"]),
    ("tools", ["wengert.numeric", "wengert.explain", "wengert.optim", "wengert.values",
               "wengert.symbolic"]),
    ("package", ["wengert"]),
]


def module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in ROOT.rglob("*.py")}


def layer_of(name):
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return rank
    raise AssertionError(f"module {name} is in no layer; add it to LAYERS")


def imports_of(name):
    """(imported module, line) for every import of a wengert module in `name`."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names if a.name.split(".")[0] == "wengert"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "wengert":
                continue
            for alias in node.names:       # `from . import elementwise` imports a module
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in MODULES else target, node.lineno))
    return found


def edges():
    out = {}
    for name in MODULES:
        deps = set()
        for target, line in imports_of(name):
            while target not in MODULES:     # `import wengert.numpy.linalg` names a module
                target = target.rpartition(".")[0]
            if target != name:
                deps.add((target, line))
        out[name] = deps
    return out


def test_every_module_has_a_layer():
    for name in MODULES:
        layer_of(name)


def test_imports_follow_the_layer_order():
    bad = []
    for name, deps in edges().items():
        for target, line in deps:
            if layer_of(target) > layer_of(name):
                bad.append(f"{MODULES[name].relative_to(ROOT.parent)}:{line} imports {target} "
                           f"({LAYERS[layer_of(target)][0]} layer) from the "
                           f"{LAYERS[layer_of(name)][0]} layer")
    assert not bad, "imports against the layer order:\n" + "\n".join(sorted(bad))


def find_cycle(graph):
    """One import cycle as a list of modules, or None (iterative depth-first search)."""
    state = {}
    for start in sorted(graph):
        if start in state:
            continue
        stack, path = [(start, iter(sorted(graph[start])))], [start]
        state[start] = "open"
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = "done"
                stack.pop()
                path.pop()
            elif state.get(nxt) == "open":
                return path[path.index(nxt):] + [nxt]
            elif nxt not in state:
                state[nxt] = "open"
                stack.append((nxt, iter(sorted(graph[nxt]))))
                path.append(nxt)
    return None


def test_no_import_cycles():
    graph = {name: {t for t, _ in deps} for name, deps in edges().items()}
    # the package's __init__ imports everything and is imported by nothing inside
    cycle = find_cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


@pytest.mark.parametrize("source, target", [("wengert.ir", "wengert.explain.render"),
                                            ("wengert.ops.linalg", "wengert.numpy")])
def test_the_order_rejects_upward_imports(source, target):
    assert layer_of(target) > layer_of(source)
