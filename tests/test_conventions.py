"""Conventions at non-smooth points (docs/conventions.md), in both modes.
NumPy warns where these rules divide by zero; the warnings are expected here."""
import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp

pytestmark = pytest.mark.filterwarnings("ignore::RuntimeWarning")


def both_modes(f, x):
    g = wg.grad(f)(x)
    t = wg.jvp(f, (x,), (1.0,))[1]
    assert g == t or (np.isnan(g) and np.isnan(t)), (g, t)
    return g


def test_abs_and_sign_at_zero():
    assert both_modes(wnp.abs, 0.0) == 0.0
    assert both_modes(wnp.sign, 0.0) == 0.0
    assert both_modes(wnp.abs, -2.0) == -1.0


def test_max_ties_split_evenly():
    assert both_modes(lambda x: wnp.maximum(x, 1.0), 1.0) == 0.5
    assert both_modes(lambda x: wnp.maximum(x, -x), 0.0) == 0.0     # agrees with abs
    g = wg.grad(lambda x: wnp.max(x))(np.array([1.0, 3.0, 3.0, 3.0]))
    np.testing.assert_allclose(g, [0.0, 1 / 3, 1 / 3, 1 / 3])
    g = wg.grad(lambda x: wnp.min(x, axis=1).sum())(np.array([[2.0, 2.0], [1.0, 5.0]]))
    np.testing.assert_allclose(g, [[0.5, 0.5], [1.0, 0.0]])
    assert both_modes(lambda x: wnp.maximum(x, 0.0), 0.0) == 0.5    # relu at 0


def test_sqrt_at_zero_is_inf():
    assert both_modes(wnp.sqrt, 0.0) == np.inf


def test_where_nan_in_untaken_branch_and_double_where():
    naive = lambda x: wnp.where(x > 0, wnp.sqrt(x), 0.0)
    assert np.isnan(wg.grad(naive)(0.0))          # 0 * inf: the documented pitfall
    def double_where(x):
        safe = wnp.where(x > 0, x, 1.0)
        return wnp.where(x > 0, wnp.sqrt(safe), 0.0)
    assert both_modes(double_where, 0.0) == 0.0
    assert both_modes(double_where, 4.0) == 0.25
    # a NaN *value* in the untaken branch does not reach the derivative
    assert both_modes(lambda x: wnp.where(x > 0, x * 2.0, wnp.log(x)), 1.0) == 2.0


def test_sinc_at_zero_all_orders():
    assert both_modes(wnp.sinc, 0.0) == 0.0
    d2 = wg.grad(wg.grad(wnp.sinc))(0.0)
    assert d2 == pytest.approx(-np.pi ** 2 / 3, rel=1e-12)


def test_power_at_zero():
    assert both_modes(lambda x: x ** 2, 0.0) == 0.0
    assert wg.grad(lambda y: 0.0 ** y)(2.0) == 0.0    # flat in the exponent at base 0
    assert both_modes(lambda x: x ** 3, 0.0) == 0.0
