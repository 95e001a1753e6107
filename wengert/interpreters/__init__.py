"""Interpreters over the primitive registry: forward mode (jvp), the linear tape
of reverse mode (linearize), its backward pass (transpose) and staging (stage).
The evaluating interpreter, the bottom of every stack, lives in `core`."""
