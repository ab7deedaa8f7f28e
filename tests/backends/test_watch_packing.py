"""The watch's packed counts: one summed variable per population, each check still named."""

import pytest
from brian2 import Network, NeuronGroup, ms, mV, nS

from quifer_brian.backends.watch import _packs, watch_ranges
from quifer_brian.errors import SimulationError
from quifer_brian.networks.circuit import Circuit, CircuitParts

BOTH = "dv/dt = v/(10*ms) : volt\ndg/dt = -1*nS/ms : siemens"


def _circuit(n_odd, v0, g0):
    def construct():
        clock = NeuronGroup(1, "", threshold="True", dt=0.1 * ms, name="packed_S", namespace={})
        odd = NeuronGroup(
            n_odd, BOTH, threshold="False", dt=0.1 * ms, method="euler", name="packed_X"
        )
        odd.v, odd.g = v0, g0
        return CircuitParts(populations={"S": clock, "X": odd})

    return Circuit("packed", construct, {})


def test_a_full_count_does_not_carry_into_the_next_check():
    # 7 neurons (3 bits): all seven |v| > 1 V from 69 ms count 7 = 0b111, which must not
    # read as a negative conductance (g stays at 1000 nS - 1 nS/ms * t > 0)
    odd = NeuronGroup(7, BOTH, method="euler", dt=0.1 * ms, name="carry_X")
    odd.v, odd.g = 1 * mV, 1000 * nS
    watch = watch_ranges("carry", {"X": odd})
    Network(odd, *watch.objects).run(100 * ms, namespace={})
    first = {
        key: float(group.state(name[:-1])[0]) for key, (group, name) in watch.recorded().items()
    }
    assert first["watch_X_v"] == pytest.approx(0.070) or first["watch_X_v"] == pytest.approx(0.075)
    assert first["watch_X_g"] < 0  # never seen
    with pytest.raises(SimulationError, match=r"'X': v went out .* t = 0\.0(70|75)0 s"):
        _circuit(7, 1 * mV, 1000 * nS).run(200 * ms)


def test_the_earliest_of_two_packed_checks_is_named():
    # g crosses 0 at 20 ms, v reaches 1 V at 69 ms: g is reported, at its own time
    with pytest.raises(SimulationError, match=r"'X': g went out .*< 0 S.* t = 0\.0(20|25)0 s"):
        _circuit(8, 1 * mV, 20 * nS).run(200 * ms)


def test_one_watch_group_and_one_summing_synapse_per_population():
    groups = {
        "E": NeuronGroup(4000, BOTH, method="euler", name="packs_E"),
        "I": NeuronGroup(1000, "dv/dt = -v/(10*ms) : volt", method="euler", name="packs_I"),
    }
    watch = watch_ranges("packs", groups)
    assert sorted(obj.name for obj in watch.objects) == [
        "packs_watch",
        "packs_watch_E",
        "packs_watch_I",
    ]
    assert sorted(entry["key"] for entry in watch.entries) == [
        "watch_E_g",
        "watch_E_v",
        "watch_I_v",
    ]


def test_counts_split_into_packs_that_stay_exact():
    checks = ["a", "b", "c"]
    assert _packs(checks, 4000) == (12, [checks])  # 2**12 > 4000; 36 bits in all
    assert _packs(checks, 4096) == (13, [checks])
    bits, packs = _packs(checks, 2**17)  # 18 bits: two checks per 48-bit pack
    assert bits == 18 and packs == [["a", "b"], ["c"]]
