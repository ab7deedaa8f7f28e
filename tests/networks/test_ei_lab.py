"""The PING/ING lab runs in quick mode, prints its numbers and saves its figures."""

import re

LAB = "02_ping/plot_02_ping_gamma.py"
FIGURES = [
    "ping_activity.png",
    "ping_phase_histogram.png",
    "tau_gaba_sweep.png",
    "ing_raster.png",
    "ing_spectra.png",
]


def number(pattern, text):
    found = re.search(pattern, text)
    assert found, pattern
    return float(found[1])


def test_lab_quick(run_lab):
    run = run_lab(LAB)
    out = run.stdout
    assert 30 <= number(r"PING peak frequency \(Hz\)\s+(\S+)", out) <= 80
    assert number(r"PING peak / 150-250 Hz median power\s+(\S+)", out) >= 100
    rate_e = number(r"PING rate E \(Hz\)\s+(\S+)", out)
    assert 1 <= rate_e <= 30 and number(r"PING rate I \(Hz\)\s+(\S+)", out) > rate_e
    assert number(r"PING E spike PLV\s+(\S+)", out) >= 0.5
    assert "frequency falls strictly with tau_GABA: yes" in out
    measured = number(r"slope dT/dtau_GABA\s+measured\s+(\S+)", out)
    theory = number(r"theory ln\(g_peak/g_thr\)\s+(\S+)", out)
    assert 0.5 * theory <= measured <= 2 * theory, (measured, theory)
    assert number(r"control E spike PLV\s+(\S+)", out) < 0.1
    ing_peaks = [float(f) for f in re.findall(r"ING tau_GABA\s+\S+ ms\s+peak\s+(\S+) Hz", out)]
    assert len(ing_peaks) == 3 and ing_peaks[0] > ing_peaks[1] > ing_peaks[2], ing_peaks
    assert all(30 <= f <= 100 for f in ing_peaks[:2]), ing_peaks
    assert all(float(p) >= 0.5 for p in re.findall(r"I PLV (\S+)", out))
    for name in FIGURES:
        assert (run.out / name).stat().st_size > 1000, name
