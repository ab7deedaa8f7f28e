"""The demo's criteria table: each row PASS or FAIL, exit status 1 when one fails.

The flagship itself is replaced by a summary with known numbers (the run is tested in
test_demo.py).
"""

import math

import pytest

from quifer_brian.cli import demo, main

GOOD = {
    "theta_hz": 6.1,
    "gamma_hz": 32.7,
    "theta_lfp_hz": 8.0,
    "gamma_lfp_hz": 31.0,
    "mi": 1.2e-2,
    "mi_over_p95": 5.3,
    "mi_p_value": 0.005,
    "gamma_plv": 0.8,
    "rates_hz": {"E": 4.0, "I": 13.4, "O": 4.9},
    "backend": "cpp_standalone",
    "total_wall_s": 41.0,
    "compile_wall_s": 0.0,
    "wall_after_compile_s": 41.0,
    "loop": {
        "success": 1.0,
        "final_distance": 0.05,
        "settling_ms": 120.0,
        "trials": 16,
        "theta_cycle_ms": 164.0,
        "rhythm_hz": 45.0,
        "gamma_band_share": 0.45,
        "gamma_band_null95": 0.3,
        "gamma_band_p": 0.005,
    },
}


def _fake_flagship(summary):
    def run_flagship(**_):
        done = {**summary, "criteria": demo.demo_criteria(summary)}
        done["passed"] = all(row["passed"] is not False for row in done["criteria"])
        return done

    return run_flagship


def _printed_row(text, measure):
    return next(line for line in text.splitlines() if line.startswith(measure))


def test_all_criteria_hold_exit_0(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(demo, "run_flagship", _fake_flagship(GOOD))
    assert main(["demo", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "FAIL" not in printed and "all criteria hold" in printed
    assert _printed_row(printed, "MI / surrogate 95th pct").split()[-1] == "PASS"
    assert _printed_row(printed, "rate E (Hz)").split()[-1] == "4.0"  # no criterion


@pytest.mark.parametrize(
    ("change", "measure"),
    [
        (
            {"loop": {**GOOD["loop"], "success": 0.94}},
            "loop: trials within 0.1 of their cued archetype",
        ),
        ({"mi_over_p95": 1.68}, "MI / surrogate 95th pct"),
        (
            {"loop": {**GOOD["loop"], "gamma_band_share": 0.27, "gamma_band_p": 0.31}},
            "loop: its p-value (200 Poisson surrogates)",
        ),
        ({"gamma_hz": 26.6}, "gamma rhythm of E (Hz)"),  # a slow gamma is not gamma
        ({"gamma_hz": math.nan}, "gamma rhythm of E (Hz)"),  # no rhythm at all
        ({"wall_after_compile_s": 120.0}, "wall time after the compile (s)"),
    ],
)
def test_a_failed_criterion_is_marked_and_exits_1(monkeypatch, tmp_path, capsys, change, measure):
    monkeypatch.setattr(demo, "run_flagship", _fake_flagship({**GOOD, **change}))
    assert main(["demo", "--out", str(tmp_path)]) == 1
    printed = capsys.readouterr().out
    assert _printed_row(printed, measure).split()[-1] == "FAIL"
    assert f"FAILED: 1 criteria ({measure})." in printed
    assert sum(line.endswith("FAIL") for line in printed.splitlines()) == 1
