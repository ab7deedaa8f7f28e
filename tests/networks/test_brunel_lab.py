"""The Brunel lab runs in quick mode, prints the four states' signatures, saves figures.

It compiles into the same cpp_standalone folder as tests/networks/test_brunel.py (same
circuit, seed and duration), so after that module has run, make finds nothing to
recompile.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

LAB = Path(__file__).resolve().parents[2] / "examples" / "05_brunel" / "plot_05_brunel_states.py"
FIGURES = ["brunel_rasters.png", "brunel_rates.png", "brunel_spectra.png"]
BUILD_DIR = "brunel_quarter_build"  # the folder test_brunel.py compiles into


def number(pattern, text):
    found = re.search(pattern, text)
    assert found, pattern
    return float(found[1])


@pytest.mark.standalone
def test_lab_quick(tmp_path, tmp_path_factory):
    env = {**os.environ, "PYTHONPATH": str(LAB.parents[2]), "MPLBACKEND": "Agg"}
    build = tmp_path_factory.getbasetemp() / BUILD_DIR
    done = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::UserWarning",
            # brian2 2.10.1 parses with pyparsing's deprecated parseAll: pyparsing >= 3.3
            # warns with a class that is both a UserWarning and a DeprecationWarning
            "-W",
            "ignore::DeprecationWarning",
            str(LAB),
            "--quick",
            "--out",
            str(tmp_path),
            "--build-dir",
            str(build),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    for name in "ABCD":
        assert f"{name} lands in its state: yes" in out, out
    assert number(r"A CV of ISIs\s+(\S+)", out) < 0.1
    assert number(r"B peak frequency \(Hz\)\s+(\S+)", out) >= 100
    assert number(r"B CV of ISIs\s+(\S+)", out) > 0.7
    assert number(r"C CV of ISIs\s+(\S+)", out) > 0.3
    assert number(r"D peak frequency \(Hz\)\s+(\S+)", out) < 60
    assert number(r"D rate E \(Hz\)\s+(\S+)", out) < 15
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 1000, name
