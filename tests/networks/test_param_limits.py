"""Every builder's parameters: finite, within their bounds and constraints, and sizes
that fit in memory -- all refused before anything is built."""

import numpy as np
import pytest
from brian2 import Hz, ms, mV

from quifer_brian.checks import MAX_COUNT
from quifer_brian.errors import CircuitError, LoopError, QuiferError
from quifer_brian.networks import brunel, kuramoto, list_networks, ping
from quifer_brian.networks.actualization import actualization_loop
from quifer_brian.networks.params import Constraint, Param, ParamTable
from quifer_brian.networks.registry import get_network

NETWORKS = list_networks()


def _numeric_params():
    for name in NETWORKS:
        for param in get_network(name).table:
            if param.unit in ("number",) or param.is_quantity:
                yield pytest.param(name, param, id=f"{name}.{param.name}")


@pytest.mark.parametrize(("network", "param"), list(_numeric_params()))
@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
def test_every_numeric_parameter_refuses_nan_and_inf(network, param, bad):
    """inf never passes a '> 0' bound, NaN no bound at all, in any builder's table."""
    value = bad * param.unit if param.is_quantity else bad
    with pytest.raises(QuiferError, match=rf"{network}\.{param.name}: must be"):
        param.check(value, network)


def test_counts_and_seeds_have_an_upper_bound():
    with pytest.raises(CircuitError, match=rf"ping\.n_e: must be an integer <= {MAX_COUNT}"):
        ping(n_e=10**12)
    with pytest.raises(CircuitError, match=r"kuramoto\.seed: must be an integer <= 4294967295"):
        kuramoto(seed=2**32)
    assert kuramoto(n=10, seed=2**32 - 1).params["seed"] == 2**32 - 1


def test_sizes_beyond_the_machines_memory_are_refused_naming_the_estimate():
    """A million E cells at p_ee = 0.1 ask for 1e11 synapses (~7 TiB): refused before
    anything is allocated, with the estimate in the message."""
    with pytest.raises(CircuitError, match=r"ping: .*1e\+11 synapses would need about 7\.\d+ TiB"):
        ping(n_e=10**6)
    with pytest.raises(LoopError, match=r"actualization_loop: .* would need about .* TiB"):
        actualization_loop(2, n_archetypes=2, batch=10**6)
    assert ping(n_e=400).params["n_e"] == 400  # a sane size passes


def test_brunel_constraints_come_from_its_table():
    assert {c.text for c in brunel.table.constraints} == {"V_reset < V_th", "delay >= dt"}
    with pytest.raises(CircuitError, match=r"brunel\.V_reset: must be below V_th \(20\. mV\)"):
        brunel(V_reset=20 * mV)  # equal is not below
    with pytest.raises(CircuitError, match=r"brunel\.delay: must be >= dt \(1\. ms\)"):
        brunel(dt=1 * ms, delay=0.5 * ms)


def test_a_table_constraint_is_declared_once_and_checked_with_the_context():
    table = ParamTable(
        "toy",
        [
            Param("low", 1 * Hz, Hz, ">= 0", "lower"),
            Param("high", 2 * Hz, Hz, ">= 0", "upper"),
        ],
        constraints=[Constraint("low", "<=", "high", "or the band is empty", "Swap them.")],
    )
    with pytest.raises(
        CircuitError,
        match=r"toy\.low: must be <= high \(2\. Hz\), or the band is empty; got 3\. Hz\. "
        r"Swap them\.",
    ):
        table.check({"low": 3 * Hz}, context={"high": 2 * Hz})
    assert table.check({"low": 2 * Hz}, context={"high": 2 * Hz}) == {"low": 2 * Hz}
    with pytest.raises(ValueError, match="names"):
        ParamTable("toy", [Param("a", 1, "number")], constraints=[Constraint("a", "<", "b")])


def test_explicit_frequency_lists_must_be_finite():
    with pytest.raises(CircuitError, match=r"kuramoto\.frequencies: must be finite"):
        kuramoto(n=3, frequencies=[1, np.nan, 2] * Hz)
