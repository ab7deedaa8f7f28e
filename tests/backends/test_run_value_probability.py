"""Can a connection probability be a run value in Brian2 2.10?  (issue 17, part 3)

The evidence docs/guide/backends.rst cites ("Sizes and probabilities as run values"):
a probability read by ``connect(p="p_conn_pre")`` from a shared variable, with
``device.apply_run_args()`` called before ``connect``, draws from a program compiled
once exactly the synapses that a fresh build with the constant draws (same seed) --
the step is sound for the probability itself.  But Brian2 applies run values at one
point only (``apply_run_args()`` "can only be called once"): a synaptic weight assigned
after ``connect`` then stops being a run value.  The builders' weights are tunable, so
the builders do not take this step.
"""

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, Synapses, device, ms, seed

from quifer_brian.backends import backend_session


def _network(p, run_value):
    """E -> I with probability ``p`` (a constant, or read from ``E.p_conn``)."""
    exc = NeuronGroup(
        400,
        "dv/dt = -v/(10*ms) : 1\np_conn : 1 (shared, constant)",
        threshold="v > 1",
        reset="v = 0",
        method="exact",
        name="E",
    )
    inh = NeuronGroup(300, "v : 1", name="I")
    seed(7)  # before connect: the draws depend on it
    exc.p_conn = p
    device.apply_run_args()  # run values applied here, before the synapses exist
    synapses = Synapses(exc, inh, "w : 1", on_pre="v_post += w", name="S")
    synapses.connect(p="p_conn_pre" if run_value else p)
    synapses.w = 0.5
    return Network(exc, inh, synapses), exc, synapses


@pytest.mark.slow
@pytest.mark.standalone
def test_a_probability_applied_before_connect_draws_a_fresh_builds_synapses(tmp_path):
    with backend_session("cpp_standalone", directory=str(tmp_path / "once")) as session:
        network, exc, synapses = _network(0.1, run_value=True)
        session.run(network, 1 * ms)
        compiled = (synapses.i[:].copy(), synapses.j[:].copy())
        session.rerun({exc.p_conn: 0.3, synapses.w: 0.9})  # p >= 0.25: the other sampler
        rerun = (synapses.i[:].copy(), synapses.j[:].copy(), synapses.w[:].copy())
    with backend_session("cpp_standalone", directory=str(tmp_path / "fresh")) as session:
        network, _, synapses = _network(0.3, run_value=False)
        session.run(network, 1 * ms)
        fresh = (synapses.i[:].copy(), synapses.j[:].copy())
    assert abs(len(compiled[0]) / (400 * 300) - 0.1) < 0.01
    assert abs(len(rerun[0]) / (400 * 300) - 0.3) < 0.01
    np.testing.assert_array_equal(rerun[0], fresh[0])
    np.testing.assert_array_equal(rerun[1], fresh[1])
    # the blocker: the weight, assigned after connect, is no longer a run value
    assert np.all(rerun[2] == 0.5)
