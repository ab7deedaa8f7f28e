"""The network registry and every registered builder's table against what it builds."""

import inspect
import re

import brian2
import pytest
from brian2 import ms

from quifer_brian import networks
from quifer_brian.errors import CircuitError
from quifer_brian.networks import get_network, list_networks, register_network
from quifer_brian.networks.params import Param, ParamTable

#: Small circuits of every registered builder (numpy, built in a few seconds).
SMALL = {
    "actualization": dict(n_dims=2, n_archetypes=2, batch=2, neurons_per_dim=8, target=0),
    "brunel": dict(n_e=40),
    "frequency_bank": dict(frequencies=(6, 40), n_e=8, n_i=2),
    "ing": dict(n_i=4),
    "kuramoto": dict(n=10),
    "ping": dict(n_e=8, n_i=2),
    "theta_gamma": dict(n_e=8, n_i=2, n_o=2),
}


def test_the_package_builders_are_registered():
    assert list_networks() == tuple(sorted(SMALL))
    assert get_network("ping") is networks.ping


def test_unknown_network_lists_the_names():
    with pytest.raises(
        CircuitError,
        match=r"unknown network 'pong'; did you mean 'ping'\? the networks are: actualization, ",
    ):
        get_network("pong")


def test_register_refuses_a_taken_name_and_a_builder_without_table():
    @ParamTable("ping", [Param("n", 1, "count", ">= 1", "cells")]).builder
    def other(**params):
        return params

    with pytest.raises(CircuitError, match=r"'ping' is already registered for .*ei\.ping"):
        register_network("ping", other)
    with pytest.raises(CircuitError, match=r"has no parameter table"):
        register_network("plain", lambda n=1: n)
    assert register_network("ping", networks.ping) is networks.ping  # again: harmless


def _documented(builder):
    """Parameter names of the numpydoc Parameters section of a builder's docstring."""
    lines = inspect.getdoc(builder).splitlines()
    start = lines.index("Parameters") + 2
    end = lines.index("Returns")
    names = []
    for line in lines[start:end]:
        match = re.match(r"^(\w+(?:, \w+)*) : ", line)
        if match:
            names.extend(match.group(1).split(", "))
    return names


def _target_object(circuit, handle, resolved):
    """The built object a target's handle names (population, synapses or TimedArray)."""
    if handle in circuit.populations:
        return circuit.populations[handle]
    if handle in circuit.synapses:
        return circuit.synapses[handle]
    for obj in circuit.network.objects:
        if obj.name == resolved:  # a group the circuit keeps among its other objects
            return obj
        for value in getattr(obj, "namespace", {}).values():
            if isinstance(value, brian2.TimedArray) and value.name == resolved:
                return value
    raise AssertionError(f"{circuit.name}: no object for the handle {handle!r}")


@pytest.mark.parametrize("name", sorted(SMALL))
def test_table_signature_docstring_and_targets_agree(name):
    builder = get_network(name)
    table = builder.table
    assert tuple(inspect.signature(builder).parameters) == table.names
    assert _documented(builder) == list(table.names)
    circuit = builder(**SMALL[name])
    assert circuit.table is table
    assert set(circuit.tunable_params) == {*table.tunable, *table.derived_tunable}
    values = circuit.run_values()
    resolved = []
    for param in table:
        for target in param.target:
            key = target.resolve(circuit.name)
            prefix = key.rsplit(".", 1)[0]
            obj = _target_object(circuit, target.handle, prefix)
            assert obj.name == prefix, (name, target)
            if isinstance(obj, brian2.TimedArray):
                assert target.variable == "values"
            else:
                assert target.variable in obj.variables, (name, target)
            resolved.append(key)
    assert list(values) == resolved


def test_run_values_check_the_changed_values():
    circuit = networks.ping(n_e=8, n_i=2)
    with pytest.raises(CircuitError, match=r"ping\.tau_gaba: must be > 0"):
        circuit.run_values(tau_gaba=0 * ms)
