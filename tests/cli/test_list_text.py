"""``quifer-brian list``: plain text (no Sphinx markup) in the units people use."""

import re

import pytest
from brian2 import Hz, cm, mS, ms, mV, nA, nS, pA, uF, um

from quifer_brian.cli.main import main
from quifer_brian.cli.text import display_value, plain_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (120 * mS / cm**2, ("120", "mS/cm^2")),
        (0.1 * mS / cm**2, ("0.1", "mS/cm^2")),
        (1 * uF / cm**2, ("1", "uF/cm^2")),
        (1e4 * um**2, ("10000", "um^2")),
        (0.45 * nA, ("450", "pA")),
        (1.5 * nA, ("1.5", "nA")),
        (0 * pA, ("0", "pA")),
        (2.5 * nS, ("2.5", "nS")),
        (-65 * mV, ("-65", "mV")),
        (4000 * Hz, ("4", "kHz")),
        (1200 * ms, ("1.2", "s")),
    ],
)
def test_values_are_shown_in_the_units_people_use(value, expected):
    assert display_value(value) == expected


def test_markup_is_removed():
    assert plain_text(":class:`quifer_brian.results.Result` of ``run``") == (
        "quifer_brian.results.Result of run"
    )
    assert plain_text(":func:`~a.b.run` (:math:`\\tau_m` = 10 ms)") == "run (tau_m = 10 ms)"
    assert plain_text("no markup: 1/f^chi") == "no markup: 1/f^chi"


def test_hh_models_list_densities_in_ms_per_cm2(capsys):
    assert main(["list", "wang_buzsaki"]) == 0
    rows = {line.split()[0]: line.split()[1:3] for line in capsys.readouterr().out.splitlines()}
    # Wang & Buzsaki (1996): g_Na 35, g_K 9, g_L 0.1 mS/cm^2, C_m 1 uF/cm^2
    assert rows["g_Na"] == ["35", "mS/cm^2"] and rows["g_K"] == ["9", "mS/cm^2"]
    assert rows["g_L"] == ["0.1", "mS/cm^2"] and rows["C_m"] == ["1", "uF/cm^2"]


def test_the_whole_listing_has_no_markup_and_no_si_base_units(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    assert not re.search(r"`|:(func|class|math|mod|attr|data|meth):", out)
    assert "metre" not in out and "kilogram" not in out and "10. ms" not in out
