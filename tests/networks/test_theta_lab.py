"""The theta-gamma lab runs in quick mode, prints its numbers and saves its figures."""

import re

LAB = "03_theta_gamma/plot_03_theta_gamma_coupling.py"
FIGURES = ["raster.png", "spectrum.png", "comodulogram.png", "spike_phase_histogram.png"]


def number(name, text):
    found = re.search(re.escape(name) + r"\s+measured\s+(\S+)", text)
    assert found, name
    return float(found[1])


def test_lab_quick(run_lab):
    run = run_lab(LAB)
    out = run.stdout
    assert 4 <= number("theta peak (Hz)", out) <= 12, out
    assert 30 <= number("gamma peak (Hz)", out) <= 100, out
    assert number("theta peak above background (log10)", out) >= 0.3, out
    assert number("gamma peak above background (log10)", out) >= 0.3, out
    assert 4 <= number("theta rhythm of E spikes (Hz)", out) <= 12, out
    assert 30 <= number("gamma rhythm of E spikes (Hz)", out) <= 100, out
    assert number("E spike PLV to gamma", out) >= 0.5, out
    assert number("MI surrogate p-value", out) < 0.01, out
    assert 4 <= number("comodulogram max, phase freq (Hz)", out) <= 12, out
    assert 30 <= number("comodulogram max, amp freq (Hz)", out) <= 100, out
    assert number("control E spike PLV to gamma", out) < 0.1, out
    assert number("control MI surrogate p-value", out) > 0.05, out
    for name in FIGURES:
        assert (run.out / name).stat().st_size > 1000, name
