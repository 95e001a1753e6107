"""The transforms: each one function of the public API, each creating fresh
interpreters parented on the current one, so they nest freely.

  reverse.py   grad, value_and_grad, vjp        (linearize once, sweep backward)
  forward.py   jvp, linearize                   (dual numbers; a taped tangent pass)
  jacobian.py  jacrev, jacfwd, jacobian         (and why jacobian chose its mode)
  second.py    hessian, hvp
  taylor.py    taylor, derivatives, directional_derivatives, taylor_tensor
  stage.py     make_graph, stop_gradient
  custom.py    custom_jvp, custom_vjp
"""
from .custom import custom_jvp, custom_vjp  # noqa: F401
from .forward import jvp, linearize  # noqa: F401
from .jacobian import jacfwd, jacobian, jacrev  # noqa: F401
from .reverse import grad, value_and_grad, vjp  # noqa: F401
from .second import hessian, hvp  # noqa: F401
from .stage import make_graph, stop_gradient  # noqa: F401
from .taylor import derivatives, directional_derivatives, taylor, taylor_tensor  # noqa: F401
