"""requirements.lock matches setup.cfg (scripts/check_lock.py, also run by `make lint`)."""

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
spec = importlib.util.spec_from_file_location("check_lock", ROOT / "scripts" / "check_lock.py")
check_lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check_lock)


def _makefile_extras():
    text = (ROOT / "Makefile").read_text()
    return re.search(r"^EXTRAS\s*:=\s*(\S+)", text, re.MULTILINE).group(1).split(",")


def test_the_lock_matches_setup_cfg_and_the_makefiles_extras():
    extras = _makefile_extras()
    assert "cuda" in extras  # the Makefile still installs brian2cuda
    assert check_lock.check_lock(ROOT / "setup.cfg", ROOT / "requirements.lock", extras) == []
    pins, _, _ = check_lock.read_lock(ROOT / "requirements.lock")
    for name in ("brian2", "brian2cuda", "numpy", "scipy", "sympy", "specparam", "matplotlib"):
        assert name in pins  # the numbers' packages are pinned


SETUP = """\
[options]
install_requires =
    numpy>=2
    # a comment
    dask[distributed]>=2024.1
[options.extras_require]
test =
    pytest>=8
"""

LOCK = """\
#
#    pip-compile --extra=test --output-file=requirements.lock setup.cfg
#
dask==2024.5.0
    # via quifer-brian (setup.cfg)
distributed==2024.5.0
    # via dask
iniconfig==2.0.0
    # via pytest
numpy==2.1.0
    # via
    #   dask
    #   quifer-brian (setup.cfg)
pytest==8.3.0
    # via quifer-brian (setup.cfg)

# The following packages are considered to be unsafe in a requirements file:
# setuptools
"""


@pytest.fixture
def files(tmp_path):
    setup, lock = tmp_path / "setup.cfg", tmp_path / "requirements.lock"
    setup.write_text(SETUP)
    lock.write_text(LOCK)
    return setup, lock


def test_a_matching_lock_passes(files):
    assert check_lock.check_lock(*files, ["test"]) == []
    assert check_lock.main([f"--setup={files[0]}", f"--lock={files[1]}", "--extras=test"]) == 0


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda s, k: (s.replace("numpy>=2", "numpy>=2.2"), k), r"numpy>=2.2 .* not satisfied"),
        (lambda s, k: (s + "    hypothesis>=6\n", k), r"hypothesis>=6 .* has no pinned line"),
        (lambda s, k: (s.replace("    dask[distributed]>=2024.1\n", ""), k), r"dask==.* stale"),
        (
            lambda s, k: (s, k + "toolz==1.0.0\n    # via quifer-brian (setup.cfg)\n"),
            r"toolz==1.0.0 .* stale",
        ),
        (lambda s, k: (s, k.replace("--extra=test", "--extra=test --extra=cuda")), "extras"),
        (lambda s, k: (s, k.replace("pytest==8.3.0", "pytest>=8")), "not a `name==version` pin"),
    ],
    ids=["unsatisfied", "missing", "removed_dependency", "extra_pin", "extras", "unpinned"],
)
def test_a_lock_that_disagrees_is_refused(files, edit, problem):
    setup, lock = files
    new_setup, new_lock = edit(SETUP, LOCK)
    setup.write_text(new_setup)
    lock.write_text(new_lock)
    try:
        found = check_lock.check_lock(setup, lock, ["test"])
    except ValueError as err:
        found = [str(err)]
    assert any(re.search(problem, line) for line in found), found
    assert check_lock.main(["--setup", str(setup), "--lock", str(lock), "--extras", "test"]) == 1


def test_a_removed_dependency_takes_its_own_dependencies_with_it(files):
    setup, lock = files
    setup.write_text(SETUP.replace("    dask[distributed]>=2024.1\n", ""))
    stale = check_lock.check_lock(setup, lock, ["test"])
    assert sorted(line.split("==")[0] for line in stale) == ["dask", "distributed"]
