"""wengert.numpy.linalg (being filled in)."""
