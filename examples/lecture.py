"""The lecture's worked examples, computed by wengert and checked.

Run: `make demo` (or `python examples/lecture.py`).  Each line prints what was
computed and how; an assertion fails loudly if a number is off.
"""
import math

import numpy as np

import wengert as wg
import wengert.numpy as wnp


def check(label, got, want, tol=1e-12):
    ok = np.allclose(got, want, rtol=tol, atol=tol)
    print(f"  {label:<52} {np.array2string(np.asarray(got, float), precision=6):>24}   {'ok' if ok else 'WRONG'}")
    assert ok, (label, got, want)


def main():
    print("f(x1, x2) = ln x1 + x1 x2 at (2, 5)")
    f = lambda x1, x2: wnp.log(x1) + x1 * x2
    print(wg.make_graph(f)(2.0, 5.0))
    y, dy = wg.jvp(f, (2.0, 5.0), (1.0, 0.0))
    check("value ln 2 + 10", y, math.log(2) + 10)
    check("df/dx1 by one forward pass (tangent x1' = 1)", dy, 5.5)
    check("gradient by one reverse pass", wg.grad(f, argnums=(0, 1))(2.0, 5.0), (5.5, 2.0))
    y, pullback = wg.vjp(f, 2.0, 5.0)
    check("vjp pullback of 1", pullback(1.0), (5.5, 2.0))

    print("\ng(x) = x^2 / cos x at pi")
    g = lambda x: x ** 2 / wnp.cos(x)
    check("value -pi^2", g(math.pi), -math.pi ** 2)
    check("derivative -2 pi", wg.grad(g)(math.pi), -2 * math.pi)

    print("\nh(x) = x^3 at 2, derivatives by nesting")
    h = lambda x: x ** 3
    check("value", h(2.0), 8.0)
    check("first derivative", wg.grad(h)(2.0), 12.0)
    check("second derivative grad(grad(h))", wg.grad(wg.grad(h))(2.0), 12.0)
    check("second derivative jvp of grad", wg.jvp(wg.grad(h), (2.0,), (1.0,))[1], 12.0)

    print("\nu(x1, x2) = x1 cos x2 at (2, pi), gradient by two forward passes")
    u = lambda x1, x2: x1 * wnp.cos(x2)
    check("du/dx1 (seed (1, 0))", wg.jvp(u, (2.0, math.pi), (1.0, 0.0))[1], -1.0)
    check("du/dx2 (seed (0, 1))", wg.jvp(u, (2.0, math.pi), (0.0, 1.0))[1], 0.0)

    print("\ny = [sin(x1/x2) + x1/x2 - exp(x2)] * [x1/x2 - exp(x2)] at (1.5, 0.5)")
    def yf(x1, x2):
        a, e = x1 / x2, wnp.exp(x2)
        return (wnp.sin(a) + a - e) * (a - e)
    a, e = 3.0, math.exp(0.5)
    exact = ((math.cos(a) + 1) * (a - e) + (math.sin(a) + a - e)) / 0.5
    check("dy/dx1 forward", wg.jvp(yf, (1.5, 0.5), (1.0, 0.0))[1], exact)
    check("dy/dx1 reverse", wg.grad(yf)(1.5, 0.5), exact)
    print(f"  (dy/dx1 = {exact:.4f}...)")

    print("\nk x + sin x: a closure constant k = 3")
    k = 3.0
    check("d/dx at x = 0.7 is k + cos x", wg.grad(lambda x: k * x + wnp.sin(x))(0.7), k + math.cos(0.7))

    print("\nPerturbation confusion: d/dx [x * d/dy (x + y)] at x = y = 1")
    check("is 1 (not 2)", wg.grad(lambda x: x * wg.grad(lambda y: x + y)(1.0))(1.0), 1.0)

    print("\nRosenbrock in 4 dimensions: Hessian (forward-over-reverse) and an exact hvp")
    rosen = lambda x: wnp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)
    x, v = np.array([1.2, 0.8, 1.5, -0.3]), np.array([1.0, -1.0, 0.5, 2.0])
    H = wg.hessian(rosen)(x)
    check("hvp equals H v", wg.hvp(rosen, x, v), H @ v)
    print("\nA curve R -> R^3: jacobian picks the mode from the shapes")
    curve = lambda t: wnp.stack([wnp.cos(t), wnp.sin(t), t])
    J = wg.jacobian(curve, explain=True)(0.5)
    check("tangent (-sin t, cos t, 1)", J, [-math.sin(0.5), math.cos(0.5), 1.0])
    print("\nall lecture numbers check out")


if __name__ == "__main__":
    main()
