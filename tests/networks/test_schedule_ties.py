"""No circuit leaves the order of its objects to Brian2's automatic names.

Brian2 runs the objects of one schedule slot (``when``) by ``order`` and then by name.
Automatic names (``'poissoninput'``, ``'poissoninput_1'``, ...) depend on the Brian2
objects alive in the process, so an object with an automatic name that shares its slot
and order with another one can run before it in one process and after it in the next:
the random numbers go to other variables and the same seed gives other spikes.  That
happened to the LIF sampler's two background inputs (issue 15's cached run, 19,101
against 18,825 spikes); this test keeps every builder clear of it.
"""

import collections
import re

import numpy as np
import pytest
from brian2 import ms

from quifer_brian.networks import boltzmann_sampler
from quifer_brian.networks.boltzmann_exact import random_machine
from quifer_brian.networks.boltzmann_lif import LifCalibration, _calibration_parts
from quifer_brian.networks.circuit import Circuit
from quifer_brian.networks.registry import get_network, list_networks

# Brian2's default names (class name, lower case, then _1, _2, ...) and their subobjects
AUTOMATIC = re.compile(
    r"^(neurongroup|synapses|poissoninput|poissongroup|spikegeneratorgroup|spikemonitor|"
    r"statemonitor|ratemonitor|populationratemonitor|eventmonitor|subgroup)(_\d+)?(_|$)"
)
MEASURED = LifCalibration(-0.08869, 0.007463, 1.2e-7, -0.05228, np.zeros(1), np.zeros(1))


def automatic_ties(circuit):
    """``{(when, order): names}`` of slots shared with an automatically named object."""
    slots = collections.defaultdict(list)
    for obj in circuit.network.sorted_objects:
        slots[(obj.when, obj.order)].append(obj.name)
    return {
        slot: names
        for slot, names in slots.items()
        if len(names) > 1 and any(AUTOMATIC.match(name) for name in names)
    }


def test_automatic_names_are_recognised():
    assert AUTOMATIC.match("poissoninput") and AUTOMATIC.match("poissoninput_10")
    assert AUTOMATIC.match("neurongroup_2_stateupdater")
    assert not AUTOMATIC.match("boltzmann_units") and not AUTOMATIC.match("ping_E")


@pytest.mark.parametrize("name", list_networks())
def test_registered_networks_order_their_objects_themselves(name):
    assert automatic_ties(get_network(name)()) == {}


def test_samplers_order_their_objects_themselves():
    weights, biases = random_machine(4, 0)
    samplers = {
        "abstract": boltzmann_sampler(weights, biases),
        "lif": boltzmann_sampler(weights, biases, model="lif", calibration=MEASURED),
        "lif additive": boltzmann_sampler(
            weights, biases, model="lif", calibration=MEASURED, lif_synapses="additive"
        ),
    }
    calibration = Circuit(
        "boltzmann_calibration",
        lambda leaks, tau, dt: _calibration_parts(leaks, tau, dt),
        {"leaks": np.linspace(-0.1, -0.05, 3), "tau": 10 * ms, "dt": 0.1 * ms},
    )
    circuits = {label: sampler.circuit for label, sampler in samplers.items()}
    circuits["calibration"] = calibration
    for label, circuit in circuits.items():
        assert automatic_ties(circuit) == {}, label
