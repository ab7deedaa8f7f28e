"""Reading quantities and parameter values from text, without eval."""

import json

import numpy as np
import pytest
from brian2 import Hz, Quantity, cm, get_dimensions, ms, mV, nS, nsecond, pA, second, uF, umetre

from quifer_brian.errors import QuiferError
from quifer_brian.units import (
    ParseError,
    parse_quantity,
    parse_value,
    quantity_from_json,
    quantity_to_json,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10ms", 10 * ms),
        ("10 ms", 10 * ms),
        (" 10 msecond ", 10 * ms),
        ("0.5*nS", 0.5 * nS),
        ("0.5 * nS", 0.5 * nS),
        ("500 pA", 500 * pA),
        ("-5mV", -5 * mV),
        ("1e-3 s", 1 * ms),
        (".5 s", 0.5 * second),
        ("3 ns", 3 * nsecond),
        ("2 mV/ms", 2 * mV / ms),
        ("1 um**2", 1 * umetre**2),
        ("1 um^2", 1 * umetre**2),
        ("2 s**-1", 2 / second),
    ],
)
def test_quantities_with_units(text, expected):
    value = parse_quantity(text)
    assert isinstance(value, Quantity)
    assert value.dim == expected.dim
    assert float(value / expected) == pytest.approx(1.0)


def test_plain_numbers_stay_int_or_float():
    assert parse_quantity("2") == 2 and isinstance(parse_quantity("2"), int)
    assert parse_quantity("2.5") == 2.5
    assert parse_quantity("1e3") == 1000.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("true", True),
        ("False", False),
        ("none", None),
        ("6,12,40", (6, 12, 40)),
        ("6, 12.5", (6, 12.5)),
        ("40,", (40,)),
        ("conductance", "conductance"),
        ("2", 2),
    ],
)
def test_values(text, expected):
    assert parse_value(text) == expected


def test_sequences_of_quantities():
    first, second_ = parse_value("1 ms, 2ms")
    assert first == 1 * ms and second_ == 2 * ms


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("5 xyz", "'xyz'"),  # unknown unit, named
        ("2 pi", "'pi'"),  # a brian2 attribute that is not a Unit
        ("1 Network", "'Network'"),
        ("10 ms ms", "'ms ms'"),
        ("10 mV/", "'mV/'"),
        ("10 **ms", "'10 **ms'"),
        ("1 ms**x", "integer"),
        ("1..2", "'.2'"),
    ],
)
def test_malformed_quantities_name_the_text(text, named):
    with pytest.raises(ParseError) as info:
        parse_quantity(text)
    message = str(info.value)
    assert named in message
    assert "\n" not in message
    assert isinstance(info.value, QuiferError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("text", ["ms", "", "abc", None])
def test_parse_quantity_needs_a_number(text):
    with pytest.raises(ParseError):
        parse_quantity(text)


@pytest.mark.parametrize(
    "text", ["", "  ", "1,,2", "a b", "__import__('os').system('true')", "exit()", "[1, 2]"]
)
def test_malformed_values_are_refused_never_evaluated(text):
    with pytest.raises(ParseError):
        parse_value(text)


@pytest.mark.parametrize(
    "value",
    [1 * uF / cm**2, 3 * mV * ms, 2 * nS, 5 * Hz, np.array([1.0, 2.0]) * mV / ms, 0.7],
    ids=["uF/cm2", "mV*ms", "nS", "Hz", "array mV/ms", "plain"],
)
def test_json_round_trip_keeps_compound_units(value):
    # quantity_from_json used to look the unit name up as one attribute of brian2, so
    # compound units (uF/cm**2 -> 'metre ** -4 * kilogram ** -1 * ...') raised
    text = json.dumps(quantity_to_json(value))
    back = quantity_from_json(json.loads(text))
    assert np.allclose(np.asarray(back), np.asarray(value), rtol=1e-12)
    assert get_dimensions(back) == get_dimensions(value)
