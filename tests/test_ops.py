"""Every spec in specs.py: values against NumPy, derivatives against central
differences in forward and reverse mode to second order, float64 and float32."""
import numpy as np
import pytest

import wengert as wg
from specs import SPECS

CASES = [(spec, shapes) for spec in SPECS for shapes in spec.shapes]
IDS = [f"{spec.name}-{'x'.join(str(s) for s in shapes)}" for spec, shapes in CASES]


@pytest.mark.parametrize("spec,shapes", CASES, ids=IDS)
def test_value_matches_numpy(spec, shapes):
    args = spec.inputs(shapes, np.random.default_rng(0))
    got, want = spec.fn(*args), spec.ref(*args)
    assert np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == np.asarray(want).dtype, (np.asarray(got).dtype, np.asarray(want).dtype)
    np.testing.assert_allclose(got, want, rtol=1e-13, atol=1e-13)


@pytest.mark.parametrize("spec,shapes", CASES, ids=IDS)
def test_derivatives_float64(spec, shapes):
    args = spec.inputs(shapes, np.random.default_rng(1))
    wg.check_grads(spec.fn, args, order=spec.order, modes=("fwd", "rev"))


@pytest.mark.parametrize("spec,shapes", CASES, ids=IDS)
def test_float32_stays_float32(spec, shapes):
    if not spec.float32:
        pytest.skip("no float32 variant")
    args = spec.inputs(shapes, np.random.default_rng(2), np.float32)
    y = spec.fn(*args)
    assert np.asarray(y).dtype == np.asarray(spec.ref(*args)).dtype
    wg.check_grads(spec.fn, args, order=spec.order, modes=("fwd", "rev"))
    # the float32 tangent agrees with the float64 one computed from the same inputs
    ts = tuple(np.ones(np.shape(x), np.float32)[()] for x in args)
    t32 = wg.jvp(spec.fn, args, ts)[1]
    t64 = wg.jvp(spec.fn, tuple(np.float64(x) if np.ndim(x) == 0 else x.astype(np.float64) for x in args),
                 tuple(np.float64(t) if np.ndim(t) == 0 else t.astype(np.float64) for t in ts))[1]
    np.testing.assert_allclose(t32, t64, rtol=1e-4, atol=1e-4 * max(1.0, np.max(np.abs(t64), initial=0)))
    if np.asarray(y).dtype == np.float32:
        _, pullback = wg.vjp(spec.fn, *args)
        cts = pullback(np.ones(np.shape(y), np.float32))
        for ct, x in zip(cts, args):
            assert np.asarray(ct).dtype == np.float32 and np.shape(ct) == np.shape(x)
