"""Integrating an ODE by high-order Taylor series steps (Taylor mode).

For x' = F(x) the Taylor coefficients of the solution through x0 follow one at a
time from Taylor mode itself: if x(t) is known to order k, F(x(t)) is known to
order k, and x' = F(x) gives x_(k+1) = F(x(t))_k / (k + 1).  K passes give the
series to order K; a step of size h sums it.  With order 20 the steps can be
long and the error stays near rounding.

    python examples/taylor_ode.py
"""
import numpy as np

import wengert as wg
import wengert.numpy as wnp


def solution_series(F, x0, order):
    """Coefficients x_0..x_order (stacked on axis 0) of the solution of x' = F(x), x(0) = x0."""
    coeffs = [np.asarray(x0, float)]
    for k in range(order):
        known = np.stack(coeffs[1:]) if k else np.zeros((0,) + coeffs[0].shape)
        y0, ys = wg.taylor(F, (coeffs[0],), (known,))
        coeffs.append(np.asarray(y0 if k == 0 else ys[k - 1]) / (k + 1))
    return np.stack(coeffs)


def taylor_integrate(F, x0, t_end, h, order):
    """Fixed steps of size h, each the solution's Taylor polynomial of degree `order`."""
    x, t = np.asarray(x0, float), 0.0
    while t < t_end - 1e-12:
        step = min(h, t_end - t)
        c = solution_series(F, x, order)
        x = c[-1]
        for ck in c[-2::-1]:             # Horner: sum_k c_k step^k
            x = ck + step * x
        t += step
    return x


def rk4(F, x0, t_end, n):
    """Classical Runge-Kutta with n steps, on plain NumPy: the reference."""
    x, h = np.asarray(x0, float), t_end / n
    for _ in range(n):
        k1 = F(x)
        k2 = F(x + h / 2 * k1)
        k3 = F(x + h / 2 * k2)
        k4 = F(x + h * k3)
        x = x + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return x


def lorenz(x, sigma=10.0, rho=28.0, beta=8.0 / 3.0, ns=wnp):
    return ns.stack([sigma * (x[1] - x[0]), x[0] * (rho - x[2]) - x[1], x[0] * x[1] - beta * x[2]])


def main():
    # x' = x^2, x(0) = 1: x(t) = 1 / (1 - t), every Taylor coefficient is exactly 1
    blowup = lambda x: x * x  # noqa: E731
    print("x' = x^2, x(0) = 1: Taylor coefficients", solution_series(blowup, np.array([1.0]), 8)[:, 0])
    x = taylor_integrate(blowup, np.array([1.0]), 0.9, 0.025, 20)[0]
    print(f"  x(0.9) by 36 Taylor steps of order 20: {x:.15f}   exact 1/(1 - 0.9) = {1 / 0.1:.15f}"
          f"   relative error {abs(x - 10.0) / 10.0:.1e}")
    assert abs(x - 10.0) / 10.0 < 1e-12

    # the Lorenz system from (1, 1, 1) to t = 1
    x0 = np.array([1.0, 1.0, 1.0])
    x_taylor = taylor_integrate(lorenz, x0, 1.0, 0.025, 20)
    x_ref = rk4(lambda x: lorenz(x, ns=np), x0, 1.0, 20000)
    err = np.max(np.abs(x_taylor - x_ref)) / np.max(np.abs(x_ref))
    print(f"Lorenz x(1) by 40 Taylor steps of order 20: {np.array2string(x_taylor, precision=12)}")
    print(f"  RK4 with 20000 steps (NumPy):               {np.array2string(x_ref, precision=12)}"
          f"   relative difference {err:.1e}")
    assert err < 1e-12, err


if __name__ == "__main__":
    main()
