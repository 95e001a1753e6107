"""Every primitive fills the slots its kind requires (DESIGN.md section 1)."""
import pytest

import wengert  # noqa: F401  (registers everything)
from wengert.ops import all_primitives

PRIMS = all_primitives()


def test_registry_is_populated_and_names_unique():
    names = [p.name for p in PRIMS]
    assert len(names) > 80
    assert len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


@pytest.mark.parametrize("prim", PRIMS, ids=lambda p: p.name)
def test_slots(prim):
    assert callable(prim.impl), "impl is required"
    assert callable(prim.shape), "shape (abstract evaluation) is required"
    if prim.nondiff:
        assert prim.jvp is None and not prim.linear
    else:
        assert callable(prim.jvp), "a differentiable primitive needs a jvp rule"
    if prim.linear:
        assert callable(prim.transpose), "a linear primitive needs a transpose rule"
    if prim.jvp is not None:
        assert callable(prim.taylor), "a primitive with a jvp rule needs a taylor rule (Taylor mode)"
    # slots the later interpreters fill (taylor, batch, emit) exist on every primitive
    for slot in ("taylor", "batch", "emit"):
        assert hasattr(prim, slot)
