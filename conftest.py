"""Settings for every test and doctest (tests/ and the package's Examples)."""

import matplotlib
import pytest
from brian2 import prefs

# Tests and doctests draw off screen; the library itself never chooses a backend.
matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def numpy_target():
    """Run runtime-mode simulations on numpy unless a test asks for another backend.

    Brian2's default target ('auto') would compile every code object with Cython, which
    costs seconds per test.
    """
    previous = prefs.codegen.target
    prefs.codegen.target = "numpy"
    yield
    prefs.codegen.target = previous
