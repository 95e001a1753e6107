"""wengert.scipy: differentiable counterparts of parts of SciPy (NumPy only at runtime)."""
from . import special  # noqa: F401
