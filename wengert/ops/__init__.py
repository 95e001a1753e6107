"""The primitive tables.  Importing this package registers every primitive."""
from . import rules, elementwise, structural, reductions, linalg, special  # noqa: F401
from .rules import all_primitives  # noqa: F401
