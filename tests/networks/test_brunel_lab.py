"""The Brunel lab runs as a notebook in quick mode, prints the states' signatures, saves figures.

It compiles into the same cpp_standalone folder as tests/networks/test_brunel.py (same
circuit, seed and duration), so after that module has run, make finds nothing to
recompile.
"""

import re

import pytest

LAB = "05_brunel/plot_05_brunel_states.py"
FIGURES = ["brunel_rasters.png", "brunel_rates.png", "brunel_spectra.png"]


def number(pattern, text):
    found = re.search(pattern, text)
    assert found, pattern
    return float(found[1])


@pytest.mark.standalone
def test_lab_quick(run_lab):
    run = run_lab(LAB)  # into test_brunel.py's folder (LAB_BUILD_DIRS)
    out = run.stdout
    for name in "ABCD":
        assert f"{name} lands in its state: yes" in out, out
    assert number(r"A CV of ISIs\s+(\S+)", out) < 0.1
    assert number(r"B peak frequency \(Hz\)\s+(\S+)", out) >= 100
    assert number(r"B CV of ISIs\s+(\S+)", out) > 0.7
    assert number(r"C CV of ISIs\s+(\S+)", out) > 0.3
    assert number(r"D peak frequency \(Hz\)\s+(\S+)", out) < 60
    assert number(r"D rate E \(Hz\)\s+(\S+)", out) < 15
    for name in FIGURES:
        assert (run.out / name).stat().st_size > 1000, name
