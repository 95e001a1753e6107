"""Pytrees: nested containers whose leaves are arrays.

Tuples, lists, dicts (keys in sorted order), None (no leaves), namedtuples,
dataclasses and classes registered with `register_pytree` are containers;
everything else is a leaf.  `tree_flatten` returns the leaves and a `TreeDef`
that `tree_unflatten` uses to rebuild the structure.
"""
import dataclasses

_REGISTRY = {}


def register_pytree(cls, flatten, unflatten):
    """Make instances of `cls` containers for every wengert transform.

    Args:
      cls: the class.
      flatten: `obj -> (children, aux)`; children is a sequence of subtrees and aux
        any hashable static data.
      unflatten: `(aux, children) -> obj`.

    Example:
      >>> import wengert as wg
      >>> class Point:
      ...     def __init__(self, x, y): self.x, self.y = x, y
      >>> _ = wg.register_pytree(Point, lambda p: ((p.x, p.y), None), lambda aux, c: Point(*c))
      >>> g = wg.grad(lambda p: p.x * p.y)(Point(2.0, 3.0))
      >>> float(g.x), float(g.y)
      (3.0, 2.0)
    """
    _REGISTRY[cls] = (flatten, unflatten)
    return cls


class TreeDef:
    __slots__ = ("kind", "aux", "children", "num_leaves")

    def __init__(self, kind, aux, children):
        self.kind, self.aux, self.children = kind, aux, children
        self.num_leaves = 1 if kind == "leaf" else sum(c.num_leaves for c in children)

    def __eq__(self, other):
        return (isinstance(other, TreeDef) and self.kind == other.kind and self.aux == other.aux
                and self.children == other.children)

    def __hash__(self):
        return hash((str(self.kind), len(self.children)))

    def __repr__(self):
        if self.kind == "leaf":
            return "*"
        name = self.kind.__name__ if isinstance(self.kind, type) else str(self.kind)
        return f"{name}({', '.join(map(repr, self.children))})"


LEAF = TreeDef("leaf", None, ())


_LEAVES = {float, int, bool, complex}


def _children(x):
    t = type(x)
    if t in _LEAVES or t.__module__ == "numpy":
        return None
    if t is tuple or t is list:
        return t, None, list(x)
    if t is dict:
        keys = sorted(x)
        return dict, tuple(keys), [x[k] for k in keys]
    if x is None:
        return type(None), None, []
    if t in _REGISTRY:
        children, aux = _REGISTRY[t][0](x)
        return t, aux, list(children)
    if isinstance(x, tuple) and hasattr(t, "_fields"):      # namedtuple
        return t, None, list(x)
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        names = tuple(f.name for f in dataclasses.fields(x))
        return t, names, [getattr(x, n) for n in names]
    return None


def tree_flatten(tree):
    """Leaves of a pytree (in a fixed order) and the `TreeDef` that rebuilds it.

    Example:
      >>> import wengert as wg
      >>> leaves, td = wg.tree_flatten({"b": (1.0, None), "a": [2.0, 3.0]})
      >>> leaves
      [2.0, 3.0, 1.0]
      >>> wg.tree_unflatten(td, [x * 10 for x in leaves])
      {'a': [20.0, 30.0], 'b': (10.0, None)}
    """
    leaves = []
    return leaves, _flatten(tree, leaves)


def _flatten(x, leaves):
    node = _children(x)
    if node is None:
        leaves.append(x)
        return LEAF
    kind, aux, kids = node
    return TreeDef(kind, aux, tuple(_flatten(k, leaves) for k in kids))


def tree_unflatten(treedef, leaves):
    """The pytree of structure `treedef` with the given leaves (inverse of tree_flatten).

    Example:
      >>> import wengert as wg
      >>> wg.tree_unflatten(wg.tree_flatten((1.0, [2.0]))[1], [5.0, 6.0])
      (5.0, [6.0])
    """
    it = iter(leaves)
    out = _unflatten(treedef, it)
    return out


def _unflatten(td, it):
    if td.kind == "leaf":
        return next(it)
    kids = [_unflatten(c, it) for c in td.children]
    kind = td.kind
    if kind is tuple or kind is list:
        return kind(kids)
    if kind is dict:
        return dict(zip(td.aux, kids))
    if kind is type(None):
        return None
    if kind in _REGISTRY:
        return _REGISTRY[kind][1](td.aux, kids)
    if hasattr(kind, "_fields"):
        return kind(*kids)
    return kind(**dict(zip(td.aux, kids)))   # dataclass


def tree_leaves(tree):
    return tree_flatten(tree)[0]


def tree_map(fn, tree, *rest):
    """Apply `fn` leafwise to one or more pytrees of the same structure.

    Example:
      >>> import wengert as wg
      >>> wg.tree_map(lambda x, y: x + y, {"w": 1.0, "b": (2.0,)}, {"w": 10.0, "b": (20.0,)})
      {'b': (22.0,), 'w': 11.0}
    """
    leaves, td = tree_flatten(tree)
    others = [td_leaves(td, r) for r in rest]
    return tree_unflatten(td, [fn(*xs) for xs in zip(leaves, *others)])


def td_leaves(td, tree):
    leaves, td2 = tree_flatten(tree)
    if td2 != td:
        raise ValueError(f"pytree structures differ: {td} vs {td2}")
    return leaves
