"""The actualization lab runs in quick mode, prints its numbers and saves its figures."""

import re

LAB = "06_actualization/plot_06_actualization_loop.py"
FIGURES = ["focus_trajectories.png", "weights_and_rhythm.png"]


def number(pattern, text):
    found = re.search(pattern, text)
    assert found, pattern
    return float(found[1])


def test_lab_quick(run_lab):
    run = run_lab(LAB)
    out = run.stdout
    assert number(r"weight ratio F->M\s+(\S+)", out) >= 5
    assert number(r"weight ratio M->F\s+(\S+)", out) >= 5
    # 8 trials in quick mode: one failure is 12.5 points
    assert number(r"completion to the cued pattern, learned\s+(\S+)", out) >= 0.75
    assert number(r"completion to the cued pattern, uniform\s+(\S+)", out) <= 0.10
    assert number(r"focus, schedule on: success\s+(\S+)", out) >= 0.95
    # the schedule holds the focus back while the field explores: slower settling, in the
    # spiking loop and in the continuous one (printed as "spiking / continuous")
    settling = (
        r"focus, schedule {}: mean settling time, spiking / continuous \(ms\)\s+(\S+) / (\S+)"
    )
    on = [float(v) for v in re.search(settling.format("on"), out).groups()]
    off = [float(v) for v in re.search(settling.format("off"), out).groups()]
    assert off[0] < on[0] and off[1] < on[1], (on, off)
    for figure in FIGURES:
        assert (run.out / figure).stat().st_size > 10_000
