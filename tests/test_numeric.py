"""wengert.numeric: finite differences, error estimates, the complex step and its safety
check, check_grads with methods, and the step-size study."""
import math

import numpy as np
import pytest

import wengert as wg
import wengert.numpy as wnp
import wengert.scipy.special as wsp
from wengert.numeric import (
    ComplexStepError,
    FiniteDifferenceError,
    GradientCheckError,
    check_complex_safe,
    default_step,
    derivative,
    gradient,
    hessian,
    jacobian,
    step_study,
)

EPS = np.finfo(np.float64).eps
METHODS = ["forward", "backward", "central", "central4", "central6", "complex", "richardson"]
# method -> largest error expected with the default step on smooth O(1) functions
ACCURACY = {"forward": 1e-7, "backward": 1e-7, "central": 1e-9, "central4": 1e-11,
            "central6": 1e-11, "complex": 1e-14, "richardson": 1e-11}

SCALAR_FUNCTIONS = [  # (name, f, x, f'(x))
    ("sin", wnp.sin, 1.0, math.cos(1.0)),
    ("exp", wnp.exp, -0.5, math.exp(-0.5)),
    ("log", wnp.log, 3.0, 1 / 3.0),
    ("x^3/cos", lambda x: x ** 3 / wnp.cos(x), 0.4, 3 * 0.4 ** 2 / math.cos(0.4)
     + 0.4 ** 3 * math.sin(0.4) / math.cos(0.4) ** 2),
    ("large x", lambda x: wnp.sqrt(x), 1e4, 0.5 / 100.0),
]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("name,f,x,want", SCALAR_FUNCTIONS, ids=[c[0] for c in SCALAR_FUNCTIONS])
def test_derivative_accuracy_and_error_estimate(method, name, f, x, want):
    est = derivative(f, x, method=method, full_output=True)
    err = abs(float(est.value) - want)
    assert err <= ACCURACY[method] * max(1.0, abs(want)), (err, est)
    assert err <= 10 * float(est.error) + 4 * EPS * abs(want), (err, est.error)   # the estimate covers
    assert float(derivative(f, x, method=method)) == float(est.value)


def test_default_steps_follow_the_theory():
    assert default_step("forward", 1.0) == pytest.approx(EPS ** 0.5)
    assert default_step("backward", -8.0) == pytest.approx(8 * EPS ** 0.5)
    assert default_step("central", 100.0) == pytest.approx(100 * EPS ** (1 / 3))
    assert default_step("central4", 0.0) == pytest.approx(EPS ** (1 / 5))
    assert default_step("central", 1.0, derivative_order=2) == pytest.approx(EPS ** (1 / 4))
    assert default_step("central", 1.0, np.float32) == pytest.approx(np.finfo(np.float32).eps ** (1 / 3))
    np.testing.assert_allclose(default_step("forward", np.array([0.5, 4.0])), EPS ** 0.5 * np.array([1, 4]))


def lecture(x):
    return wnp.log(x[0]) + x[0] * x[1]


@pytest.mark.parametrize("method,nfev", [("forward", 3), ("backward", 3), ("central", 4),
                                         ("central4", 8), ("complex", 2)])
def test_gradient_of_the_lecture_function_and_its_cost(method, nfev):
    est = gradient(lecture, np.array([2.0, 5.0]), method=method, full_output=False)
    np.testing.assert_allclose(est, [5.5, 2.0], rtol=ACCURACY[method])
    # evaluations without the error estimate: n+1 one-sided, 2n central, n complex
    from wengert.numeric.differences import _partials
    assert _partials(lecture, np.array([2.0, 5.0]), method, None, False, "t")[0].nfev == nfev


@pytest.mark.parametrize("method", METHODS)
def test_jacobian_layout_matches_jacrev(method):
    f = lambda x: wnp.stack([x[0, 0] * wnp.sin(x[1, 1]), wnp.exp(x[0, 1]) - x[1, 0] ** 2, x[0, 0]])
    x = np.array([[0.3, -0.2], [1.1, 0.7]])
    J = jacobian(f, x, method=method)
    assert J.shape == (3, 2, 2)
    np.testing.assert_allclose(J, wg.jacrev(f)(x), atol=ACCURACY[method] * 10)


@pytest.mark.parametrize("method,tol", [("forward", 1e-4), ("backward", 1e-4), ("central", 1e-6),
                                        ("central4", 1e-8), ("complex", 1e-9), ("richardson", 1e-8)])
def test_hessian(method, tol):
    f = lambda x: wnp.sin(x[0]) * x[1] ** 2 + wnp.exp(x[0] * x[2])
    x = np.array([0.4, -1.3, 0.8])
    est = hessian(f, x, method=method, full_output=True)
    want = wg.hessian(f)(x)
    np.testing.assert_allclose(est.value, want, atol=tol)
    np.testing.assert_array_equal(est.value, est.value.T)
    assert np.all(np.abs(est.value - want) <= 10 * est.error + 1e-12)


def test_complex_step_matches_ad_to_1e_14():
    f = lambda x: wnp.exp(x[0]) * wnp.sin(x[1]) / wnp.sqrt(1.0 + x[0] ** 2) + wnp.tanh(x[0] * x[1])
    x = np.array([0.7, -1.9])
    np.testing.assert_allclose(gradient(f, x, method="complex"), wg.grad(f)(x), rtol=1e-14, atol=1e-14)
    assert abs(derivative(wnp.sin, 1.0, method="complex") - math.cos(1.0)) <= 1e-14


def numpy_abs(x):
    return np.abs(x) * x            # plain NumPy: cannot be staged, found by the dynamic check


def takes_real(x):
    return np.real(x) ** 2


def refuses_complex(x):
    return np.cbrt(x)               # NumPy's cbrt has no complex loop


UNSAFE = [  # (name, f, x, words the error must contain)
    ("abs", lambda x: wnp.abs(x) * x, -0.5, "abs"),
    ("maximum", lambda x: wnp.maximum(x, 0.0) * x, 0.5, "maximum"),
    ("expit", lambda x: wsp.expit(x), 0.5, "logistic"),
    ("erf", lambda x: wsp.erf(x), 0.5, "erf"),
    ("float32 cast", lambda x: (x * 2.0).astype(np.float32), 0.5, "cast"),
    ("numpy abs", numpy_abs, -0.5, "not complex-safe"),
    ("real part", takes_real, 0.5, "drops the imaginary part"),
    ("math.sin", lambda x: math.sin(x), 0.5, "drops the imaginary part"),
    ("np.cbrt", refuses_complex, 0.5, "raised TypeError"),
]
SAFE = [
    ("sin exp", lambda x: wnp.sin(x) * wnp.exp(x), 0.5),
    ("sinc (abs only picks a branch)", wnp.sinc, 0.5),
    ("power", lambda x: x ** 2.5 + 3.0 ** x, 0.5),
    ("plain numpy", lambda x: np.sin(x) * np.exp(x), 0.5),
]


@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")     # math.sin's cast
@pytest.mark.parametrize("name,f,x,words", UNSAFE, ids=[c[0] for c in UNSAFE])
def test_complex_step_refuses_functions_that_are_not_complex_safe(name, f, x, words):
    with pytest.raises(ComplexStepError, match=words):
        derivative(f, x, method="complex")
    derivative(f, x, method="central")          # the other methods still work


@pytest.mark.parametrize("name,f,x", SAFE, ids=[c[0] for c in SAFE])
def test_complex_step_accepts_complex_safe_functions(name, f, x):
    check_complex_safe(f, x)
    assert abs(derivative(f, x, method="complex") - derivative(f, x, method="richardson")) < 1e-10


def test_static_check_costs_no_evaluations_and_dynamic_check_is_counted():
    assert check_complex_safe(wnp.sin, 0.5) == 0
    est = derivative(lambda x: np.sin(x), 0.5, method="complex", full_output=True)
    assert est.check_nfev > 0 and est.nfev == 2      # the value, and the estimate at 2h


BAD_INPUT = [
    (lambda: derivative(np.sin, np.ones(2)), "must be a scalar"),
    (lambda: derivative(np.sin, 1.0, method="secant"), "unknown finite-difference method 'secant'"),
    (lambda: derivative(np.sin, 1.0, step=-1e-3), "step must be positive"),
    (lambda: derivative(np.sin, 1.0, step=1e-17), "below the spacing of floating-point numbers"),
    (lambda: gradient(lambda x: x * 2, np.ones(2)), "gradient needs a scalar function"),
    (lambda: hessian(lambda x: x * 2, np.ones(2)), "hessian needs a scalar function"),
    (lambda: derivative(np.sin, 1 + 2j), "real float32 or float64"),
    (lambda: derivative(lambda x: int(x), 1.0), "floating-point values"),
]


@pytest.mark.parametrize("call,words", BAD_INPUT)
def test_bad_input_states_the_fix(call, words):
    with pytest.raises(FiniteDifferenceError, match=words):
        call()


# ------------------------------------------------------------------ check_grads
CHECK_METHODS = ["richardson", "central", "central4", "central6", "forward", "complex"]


@pytest.mark.parametrize("method", CHECK_METHODS)
def test_check_grads_passes_correct_derivatives(method):
    f = lambda x, y: wnp.sin(x) * wnp.exp(y) + x ** 3 / (1.0 + y ** 2)
    wg.check_grads(f, (np.array([0.3, -1.2]), np.array(0.7)), order=2, method=method)


def _wrong_first():
    @wg.custom_jvp
    def f(x):
        return wnp.sin(x)
    f.defjvp(lambda p, t: (f(p[0]), t[0] * wnp.cos(p[0]) * (1 + 1e-6)))   # 1e-6 off
    return f


def _wrong_second():
    @wg.custom_jvp
    def f(x):      # right first derivative, wrong second: the rule hides its x-dependence
        return x ** 3
    f.defjvp(lambda p, t: (f(p[0]), t[0] * 3.0 * wg.stop_gradient(p[0]) ** 2))
    return f


WRONG_RULES = [(mode, order, method) for mode in ("fwd", "rev") for order in (1, 2)
               for method in ("richardson", "central", "central4")]


@pytest.mark.parametrize("mode,order,method", WRONG_RULES)
def test_check_grads_rejects_a_wrong_custom_jvp_rule(mode, order, method):
    f = _wrong_first() if order == 1 else _wrong_second()
    x = (np.array([0.5, -0.9]),)
    if order == 2:
        wg.check_grads(f, x, order=1, modes=(mode,), method=method)     # order 1 is right
    word = "forward-mode" if mode == "fwd" else "reverse-mode"
    with pytest.raises(GradientCheckError, match=f"{word} derivative of order {order} w.r.t. argument 0"):
        wg.check_grads(f, x, order=order, modes=(mode,), method=method)


def test_check_grads_failure_report_shows_step_estimate_and_numbers():
    with pytest.raises(GradientCheckError) as info:
        wg.check_grads(_wrong_first(), (np.array(0.5),), order=1, modes=("fwd",), method="central")
    msg = str(info.value)
    for words in ("forward-mode derivative of order 1 w.r.t. argument 0", "wengert", "numerical",
                  "central differences, step", "error estimate", "tolerance = 10 x estimate"):
        assert words in msg


def test_check_grads_with_complex_step_refuses_unsafe_functions():
    with pytest.raises(ComplexStepError, match="abs"):
        wg.check_grads(lambda x: wnp.abs(x) * x, (np.array([0.5, -1.0]),), method="complex")


def test_check_grads_float32_defaults_to_central_and_passes():
    x = np.array([0.3, 1.7], np.float32)
    wg.check_grads(lambda x: wnp.tanh(x) * wnp.log1p(x * x), (x,), order=2)


def test_check_grads_unknown_method():
    with pytest.raises(FiniteDifferenceError, match="unknown method 'secant'"):
        wg.check_grads(wnp.sin, (np.array(0.5),), method="secant")


def test_check_grads_tolerance_is_strict():
    """A relative error of 1e-8 in a derivative is caught by the default (Richardson) check;
    the fixed rtol=1e-6 of the earlier check_grads let it through."""
    @wg.custom_jvp
    def f(x):
        return wnp.exp(x)
    f.defjvp(lambda p, t: (f(p[0]), t[0] * wnp.exp(p[0]) * (1 + 1e-8)))
    with pytest.raises(GradientCheckError):
        wg.check_grads(f, (np.array([0.2, 1.1]),), order=1)


# ------------------------------------------------------------------ step study
def test_step_study_central_on_sin_at_1():
    s = step_study(wnp.sin, 1.0, methods=("central",))
    h_theory = EPS ** (1 / 3)
    assert h_theory / 10 <= s.measured["central"] <= h_theory * 10
    assert s.min_error["central"] < 1e-9
    assert s.predicted["central"] == pytest.approx((3 * EPS * math.sin(1) / math.cos(1)) ** (1 / 3))


def test_step_study_shapes_and_theory():
    s = step_study(wnp.sin, 1.0)
    assert s.methods == ("forward", "central", "central4", "complex")
    assert s.steps[0] == 1e-16 and s.steps[-1] == 1.0
    for m in s.methods:
        assert s.errors[m].shape == s.truncation[m].shape == s.roundoff[m].shape == s.steps.shape
    # the V: error at both ends of the range is far above the minimum (complex: no round-off arm)
    for m in ("forward", "central", "central4"):
        assert np.nanmax(s.errors[m][:10]) > 1e3 * s.min_error[m]
        assert s.errors[m][-1] > 1e3 * s.min_error[m]
    assert s.predicted["complex"] is None and s.min_error["complex"] <= 1e-16
    # one-sided differences bottom out near eps^(1/2), central near eps^(2/3)
    assert 1e-10 < s.min_error["forward"] < 1e-7 and s.min_error["central"] < 1e-10
    assert "predicted h*" in s.table()


def test_step_study_drops_complex_for_unsafe_functions_by_default():
    s = step_study(lambda x: wnp.abs(x) * x, 0.7)
    assert "complex" not in s.methods and "complex step left out" in s.notes[0]
    with pytest.raises(ComplexStepError):
        step_study(lambda x: wnp.abs(x) * x, 0.7, methods=("central", "complex"))


def test_step_study_plot_writes_a_png(tmp_path):
    path = step_study(wnp.sin, 1.0, methods=("forward", "central")).plot(tmp_path / "steps.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_numerical_grad_still_works():
    np.testing.assert_allclose(wg.numerical_grad(lambda x: (x ** 2).sum(), np.array([1.0, 2.0])),
                               [2.0, 4.0], rtol=1e-9)
