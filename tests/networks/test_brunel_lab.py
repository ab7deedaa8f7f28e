"""The Brunel lab runs as a notebook in quick mode, prints the states' signatures, saves figures.

It compiles into the same cpp_standalone folder as tests/networks/test_brunel.py (same
circuit, seed and duration), so after that module has run, make finds nothing to
recompile.

This is the default suite's check of Brunel's four states (figure 8; the anchors are in
tests/networks/test_brunel.py, whose own four-state tests are marked slow): every
criterion of those tests is asserted here on the lab's printed signatures of the E cells,
at the same points, scale (N_E = 2500, C_E = 1000), seed and duration (0.5 s, the first
0.1 s left out).
"""

import re

import pytest

LAB = "05_brunel/plot_05_brunel_states.py"
FIGURES = ["brunel_rasters.png", "brunel_rates.png", "brunel_spectra.png"]
MEASURES = {
    "rate": r"rate E \(Hz\)",
    "cv": r"CV of ISIs",
    "peak": r"peak frequency \(Hz\)",
    "ratio": r"peak / background",
}


def number(pattern, text):
    found = re.search(pattern, text, re.MULTILINE)
    assert found, pattern
    return float(found[1])


def signatures(out):
    """``{point: {measure: value}}`` read from the lab's report."""
    return {
        name: {key: number(rf"^{name} {label}\s+(\S+)$", out) for key, label in MEASURES.items()}
        for name in "ABCD"
    }


@pytest.mark.standalone
def test_lab_quick(run_lab):
    run = run_lab(LAB)  # into test_brunel.py's folder (LAB_BUILD_DIRS)
    out = run.stdout
    for name in "ABCD":
        assert f"{name} lands in its state: yes" in out, out
    s = signatures(out)
    a, b, c, d = (s[name] for name in "ABCD")
    # A: synchronous regular; the other three irregular
    assert a["cv"] < 0.1, a
    assert all(s[name]["cv"] > 0.3 for name in "BCD"), s
    # B: fast population rhythm far above the shot-noise floor, irregular cells
    assert b["peak"] >= 100 and b["ratio"] >= 50 and b["cv"] > 0.7, b
    # C: irregular, a damped fast rhythm weaker than B's, at a lower rate
    assert c["cv"] > 0.3 and c["peak"] >= 100, c
    assert c["ratio"] < b["ratio"] / 2 and c["rate"] < b["rate"], (c, b)
    # D: slow rhythm at a low rate, a rhythm and not flat noise
    assert d["peak"] < 60 and d["rate"] < 15 and d["ratio"] >= 5, d
    for name in FIGURES:
        assert (run.out / name).stat().st_size > 1000, name
