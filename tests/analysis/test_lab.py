"""The analysis lab runs in quick mode, prints its numbers and saves its figures."""

import os
import re
import subprocess
import sys
from pathlib import Path

LAB = (
    Path(__file__).resolve().parents[2]
    / "examples"
    / "01_analysis"
    / "plot_01_phase_locking_and_coupling.py"
)
FIGURES = [
    "phase_histogram.png",
    "spectrum.png",
    "spectrogram.png",
    "comodulogram.png",
    "raster.png",
    "population_rate.png",
]


def test_lab_quick(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(LAB.parents[2]), "MPLBACKEND": "Agg"}
    done = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", str(LAB), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    plv = re.search(r"kappa=2\.0 PLV\s+measured\s+(\S+)\s+theory\s+(\S+)", out)
    assert abs(float(plv[1]) - float(plv[2])) < 0.02
    assert re.search(r"depth 0\.0 .*not significant", out)
    assert re.search(r"comodulogram max, phase freq \(Hz\)\s+measured\s+6\.0", out)
    for name in FIGURES:
        assert (tmp_path / name).stat().st_size > 1000, name
