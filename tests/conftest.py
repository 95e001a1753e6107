import os
import sys

sys.path.insert(0, os.path.dirname(__file__))

from hypothesis import settings  # noqa: E402

# CI runs the property tests with a fixed seed and no example database, so a run on a
# clean clone is reproducible; locally hypothesis explores (and remembers failures).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
