"""Settings for every test and doctest (tests/ and the package's Examples)."""

import functools
import re
from pathlib import Path

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


# ------------------------------------------------------------------ parallel runs (xdist)
# `make test` runs the suite on two processes: `-n 2 --dist loadscope
# --no-loadscope-reorder`, with the work units below instead of xdist's (one per module).
# (xdist's own `loadgroup` mode, driven by `xdist_group` marks, no longer groups under
# pytest 9.2: pytest-dev/pytest-xdist#1386.)
ROOT = Path(__file__).resolve().parent
#: A lab's number-checking module names it with a line ``LAB = "NN_topic/plot_NN_x.py"``.
LAB_LINE = re.compile(r'^LAB = "([^"]+)"$', re.MULTILINE)
#: tests/test_labs.py's test that runs each lab as a notebook, parametrised by its stem.
LAB_RUN = "tests/test_labs.py::test_lab_runs_as_notebook["
#: Session fixtures of tests/conftest.py whose compiled program the modules using them
#: share: those modules form one unit, so that the program compiles once per session.
SHARED_PROGRAMS = ("ping_cache",)


@functools.cache
def _test_module(path: str) -> str:
    """The text of a test module (``tests/...``), or '' for anything else."""
    file = ROOT / path
    if not path.startswith("tests/") or not file.is_file():
        return ""
    return file.read_text(encoding="utf-8")


def work_unit(nodeid: str) -> str:
    """The unit of work (run by one process) of the test ``nodeid`` under pytest-xdist.

    A lab's run as a notebook is shared, through the session fixture ``run_lab``, by
    tests/test_labs.py and the module that checks its numbers: both go in the unit
    ``lab <stem>``.  The modules that use a shared compiled program
    (:data:`SHARED_PROGRAMS`) go in one unit.  Every other test goes with its module, whose
    module-scoped fixtures then run once.
    """
    path = nodeid.split("::", 1)[0]
    if nodeid.startswith(LAB_RUN):
        return f"lab {nodeid[len(LAB_RUN) :].rstrip(']')}"
    text = _test_module(path)
    found = LAB_LINE.search(text)
    if found:
        return f"lab {Path(found[1]).stem}"
    for fixture in SHARED_PROGRAMS:
        if fixture in text:
            return fixture
    return path


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` schedules :func:`work_unit`'s units (xdist's controller)."""
    if config.getoption("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class WorkUnitScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

    return WorkUnitScheduling(config, log)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """In an xdist worker, the long units first (every worker sorts alike): the shared
    programs and the labs start at once, and the run ends on short units."""
    if not hasattr(config, "workerinput"):
        return
    first = set(SHARED_PROGRAMS)
    items.sort(
        key=lambda item: (
            not (work_unit(item.nodeid) in first or work_unit(item.nodeid).startswith("lab "))
        )
    )
