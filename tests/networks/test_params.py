"""Parameter tables (quifer_brian.networks.params): checks, signature, targets, rows."""

import inspect

import numpy as np
import pytest
from brian2 import Hz, ms, mV, nS, pA

from quifer_brian.errors import CircuitError, ParameterNameError, UnitsError
from quifer_brian.networks.params import Param, ParamTable, Target

TABLE = ParamTable(
    "toy",
    [
        Param("n", 10, "count", ">= 1", "number of cells"),
        Param("p", 0.5, "number", "(0, 1]", "connection probability", hint="Use n=1 instead."),
        Param(
            "tau",
            10 * ms,
            ms,
            "> 0",
            "decay time",
            tunable=True,
            target=[("E", "tau"), ("I", "tau")],
        ),
        Param(
            "w",
            1 * nS,
            nS,
            ">= 0",
            "weight",
            tunable=True,
            target=Target("EI", "w", lambda w, params: w * params["n"]),
        ),
        Param("V_syn", -55 * mV, mV, None, "any potential"),
        Param("rate", 5 * Hz, Hz, "[0, 100]", "a bounded rate"),
        Param("mode", "a", "choice", None, "a choice", options=("a", "b")),
        Param("on", True, "bool", None, "a switch"),
        Param("extra", None, Hz, "> 0", "optional", optional=True),
    ],
)


@pytest.mark.parametrize(
    ("values", "error", "match"),
    [
        ({"tau": 10}, UnitsError, r"toy\.tau: expected a quantity in second; got 10"),
        ({"tau": 1 * mV}, UnitsError, r"toy\.tau: expected a quantity in second"),
        ({"tau": 0 * ms}, CircuitError, r"toy\.tau: must be > 0; got 0\. \* second"),
        ({"tau": np.inf * ms}, CircuitError, r"toy\.tau: must be finite; got inf"),
        ({"tau": np.nan * ms}, CircuitError, r"toy\.tau: must be finite"),
        ({"tau": [1, 2] * ms}, CircuitError, r"toy\.tau: must be a scalar quantity"),
        ({"w": -1 * nS}, CircuitError, r"toy\.w: must be >= 0; got -1\. \* nsiemens"),
        ({"rate": 200 * Hz}, CircuitError, r"toy\.rate: must be a number in \[0, 100\] Hz"),
        ({"p": 0}, CircuitError, r"toy\.p: must be a number in \(0, 1\]; got 0\. Use n=1"),
        ({"p": 1.5}, CircuitError, r"toy\.p: must be a number in \(0, 1\]; got 1\.5"),
        ({"p": float("nan")}, CircuitError, r"toy\.p: must be a finite real number; got nan"),
        ({"p": True}, CircuitError, r"toy\.p: must be a finite real number; got True"),
        ({"p": "0.5"}, CircuitError, r"toy\.p: must be a finite real number; got '0\.5'"),
        ({"n": 0}, CircuitError, r"toy\.n: must be an integer >= 1; got 0"),
        ({"n": 2.5}, CircuitError, r"toy\.n: must be an integer >= 1; got 2\.5"),
        ({"mode": "c"}, CircuitError, r"toy\.mode: unknown value 'c'; valid values are 'a', 'b'"),
        ({"on": "yes"}, CircuitError, r"toy\.on: must be True or False; got 'yes'"),
        ({"extra": 0 * Hz}, CircuitError, r"toy\.extra: must be > 0"),
        ({"nope": 1}, CircuitError, r"toy: unknown parameter\(s\) nope; its parameters are: n, p"),
    ],
)
def test_check_names_owner_parameter_value_and_what_is_allowed(values, error, match):
    with pytest.raises(error, match=match):
        TABLE.check(values)


def test_check_returns_normalised_values():
    checked = TABLE.check({"n": np.int64(3), "p": 1, "tau": 5 * ms, "extra": None, "on": False})
    assert checked == {"n": 3, "p": 1.0, "tau": 5 * ms, "extra": None, "on": False}
    assert type(checked["n"]) is int and type(checked["p"]) is float
    assert TABLE.check({"V_syn": 20 * mV, "rate": 0 * Hz, "p": 1.0})["V_syn"] == 20 * mV


def test_defaults_names_tunable_and_structural():
    assert TABLE.names == ("n", "p", "tau", "w", "V_syn", "rate", "mode", "on", "extra")
    assert TABLE.defaults()["tau"] == 10 * ms
    assert TABLE.tunable == ("tau", "w")
    assert "tau" not in TABLE.structural and "n" in TABLE.structural


def test_builder_gets_a_real_signature_and_checks_its_arguments():
    @TABLE.builder
    def toy(**params):
        """A toy builder."""
        return params

    assert list(inspect.signature(toy).parameters) == list(TABLE.names)
    assert inspect.signature(toy).parameters["tau"].default == 10 * ms
    assert toy.__doc__ == "A toy builder." and toy.table is TABLE
    assert toy(3)["n"] == 3 and toy(p=1)["p"] == 1.0  # positional, defaults, checked
    assert toy()["tau"] == 10 * ms
    with pytest.raises(TypeError):
        toy(unknown=1)
    # a misspelt keyword: the package's error (still a TypeError) with the closest names
    with pytest.raises(ParameterNameError, match=r"toy: no parameter 'taux'; did you mean 'tau'\?"):
        toy(taux=1 * ms)
    with pytest.raises(CircuitError, match=r"toy\.n: must be an integer"):
        toy(n=0)


def test_run_values_resolve_handles_with_conversions():
    values = TABLE.run_values("toy", {**TABLE.defaults(), "tau": 2 * ms})
    assert list(values) == ["toy_E.tau", "toy_I.tau", "toy_EI.w"]
    assert values["toy_E.tau"] == values["toy_I.tau"] == 2 * ms
    assert values["toy_EI.w"] == 10 * nS  # converted: w * n


def test_rows_show_default_unit_bounds_tunable_and_meaning():
    rows = {row[0]: row for row in TABLE.rows()}
    assert rows["tau"] == ("tau", "10. ms", "second", "> 0", "yes", "decay time")
    assert rows["n"] == ("n", "10", "1", ">= 1", "-", "number of cells")
    assert rows["mode"][3] == "a|b" and rows["on"][3] == "True|False"
    assert rows["extra"][3] == "> 0 or None"


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(unit="kind"), r"unknown kind 'kind'"),
        (dict(tunable=True), r"a tunable parameter needs a target"),
        (dict(target=("E", "x")), r"a target is given but tunable is False"),
        (dict(bounds="positive"), r"cannot read 'positive'"),
    ],
)
def test_bad_declarations_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Param(**{"name": "x", "default": 1, "unit": "number", **kwargs})


def test_a_parameter_declared_twice_is_refused():
    with pytest.raises(ValueError, match="declared twice"):
        ParamTable("toy", [Param("x", 1, "count"), Param("x", 2 * pA, pA)])
