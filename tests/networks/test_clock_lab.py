"""The clocks lab runs in quick mode, prints its numbers and saves its figures."""

import re

LAB = "04_clocks/plot_04_kuramoto_vs_spiking_clock.py"
FIGURES = ["kuramoto_order_parameter.png", "frequency_bank.png", "clock_phases.png"]


def measured_and_theory(name, text):
    found = re.search(rf"{re.escape(name)}\s+measured\s+(\S+)\s+theory\s+(\S+)", text)
    assert found, name
    return float(found[1]), float(found[2])


def test_lab_quick(run_lab):
    run = run_lab(LAB)
    out = run.stdout
    for ratio in (3, 6):
        r, theory = measured_and_theory(f"K = {ratio} gamma: r", out)
        assert abs(r - theory) <= 0.005, (ratio, r, theory)
    r, _ = measured_and_theory("K = 1 gamma: r", out)
    assert r < 0.05
    for k, target in enumerate((6, 12, 40)):
        peak, theory = measured_and_theory(f"module {k} peak frequency (Hz)", out)
        assert theory == target and abs(peak - target) <= 0.15 * target, (k, peak)
        plv = float(re.search(rf"module {k} E spike PLV (\S+)", out)[1])
        assert plv >= 0.3, (k, plv)
    assert float(re.search(r"vs module 2 rhythm PLV (\S+)", out)[1]) < 0.3
    event_plv = float(re.search(r"wrap-event PLV to the mean field (\S+)", out)[1])
    r = float(re.search(r"order parameter r (\S+)\)", out)[1])
    assert abs(event_plv - r) < 0.05, (event_plv, r)  # events sample the locked cluster
    for name in FIGURES:
        assert (run.out / name).stat().st_size > 1000, name
