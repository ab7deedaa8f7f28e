"""The analysis lab runs in quick mode, prints its numbers and saves its figures."""

import re

LAB = "01_analysis/plot_01_phase_locking_and_coupling.py"
FIGURES = [
    "phase_histogram.png",
    "spectrum.png",
    "spectrogram.png",
    "comodulogram.png",
    "raster.png",
    "population_rate.png",
]


def test_lab_quick(run_lab):
    run = run_lab(LAB)
    out = run.stdout
    plv = re.search(r"kappa=2\.0 PLV\s+measured\s+(\S+)\s+theory\s+(\S+)", out)
    assert abs(float(plv[1]) - float(plv[2])) < 0.02
    assert re.search(r"depth 0\.0 .*not significant", out)
    assert re.search(r"comodulogram max, phase freq \(Hz\)\s+measured\s+6\.0", out)
    for name in FIGURES:
        assert (run.out / name).stat().st_size > 1000, name
