"""Model inputs refused before anything is built: non-finite values, broken orderings,
weights of the wrong sign, probabilities and delays out of range, a neuron deaf to I_in."""

import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, mM, ms, mV, nS, pA, second

from quifer_brian.equations import NeuronModel, adex, ampa, exp_current, lif, lif_cond, nmda
from quifer_brian.errors import ModelError


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: lif.group(2, tau_m=np.inf * ms), r"lif\.tau_m: must be finite"),
        (lambda: lif.group(2, E_L=np.nan * mV), r"lif\.E_L: must be finite"),
        (lambda: lif.with_params(V_th=-np.inf * mV), r"lif\.V_th: must be finite"),
        (lambda: lif.group(2, t_ref=np.inf * ms), r"lif\.t_ref: must be finite"),
        (lambda: nmda.with_params(Mg=-1 * mM), r"nmda\.Mg: must be >= 0"),
        (lambda: lif.group(10**9), r"lif\.group\.n: must be an integer <= 100000000"),
    ],
)
def test_non_finite_negative_or_huge_model_values_are_refused(build, match):
    with pytest.raises(ModelError, match=match):
        build()


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (lambda: lif.with_params(V_reset=-40 * mV), r"lif\.V_reset: must be below V_th \(-50"),
        (lambda: lif.group(2, V_th=-65 * mV), r"lif\.V_reset: must be below V_th"),
        (lambda: lif_cond.with_params(E_i=10 * mV), r"lif_cond\.E_i: must be below E_e"),
        (lambda: adex.with_params(V_r=5 * mV), r"adex\.V_r: must be below V_peak"),
    ],
)
def test_cross_parameter_orderings_are_refused(build, match):
    with pytest.raises(ModelError, match=match):
        build()


def test_reset_above_threshold_would_fire_every_step_so_it_is_refused():
    """What the constraint prevents: with V_reset above V_th, a LIF cell with no input
    fires at its refractory limit (1 / 2 ms = 500 Hz); a valid pair leaves it silent."""
    silent = lif.group(1, V_th=-50 * mV, V_reset=-60 * mV)
    monitor = SpikeMonitor(silent)
    Network(silent, monitor).run(50 * ms)
    assert monitor.num_spikes == 0
    with pytest.raises(ModelError, match="fires at every step"):
        lif.group(1, V_th=-50 * mV, V_reset=-45 * mV)
    # both changed together in a valid order pass
    assert lif.with_params(V_th=-65 * mV, V_reset=-70 * mV).params["V_reset"] == -70 * mV


@pytest.mark.parametrize(
    ("connection", "match"),
    [
        (dict(w=-1 * nS), r"ampa\.synapses\.w: must be >= 0; got -1\. \* nsiemens"),
        (dict(w=np.nan * nS), r"ampa\.synapses\.w: must be finite"),
        (dict(w=np.inf * nS), r"ampa\.synapses\.w: must be finite"),
        (dict(w=1 * nS, p=1.5), r"ampa\.synapses\.p: a connection probability must be"),
        (dict(w=1 * nS, p=float("nan")), r"ampa\.synapses\.p: .* got nan"),
        (dict(w=1 * nS, p=-0.1), r"ampa\.synapses\.p"),
        (dict(w=1 * nS, delay=-1 * ms), r"ampa\.synapses\.delay: must be >= 0"),
        (
            dict(w=1 * nS, delay=np.inf * second),
            r"ampa\.synapses\.delay: must be a finite value >= 0",
        ),
    ],
)
def test_synapse_weights_probabilities_and_delays_are_checked(connection, match):
    group = lif.group(3, currents=[ampa])
    with pytest.raises(ModelError, match=match):
        ampa.synapses(group, group, **connection)


def test_current_weights_keep_their_sign():
    """A current kernel's weight carries its sign (an inhibitory current is negative)."""
    group = lif.group(3, currents=[exp_current])
    synapses = exp_current.synapses(group, group, w=-5 * pA, p=1.0)
    assert np.all(np.asarray(synapses.w / pA) == -5)


def test_a_neuron_that_ignores_I_in_refuses_currents():
    deaf = NeuronModel(
        name="deaf",
        description="a custom neuron that forgot I_in",
        equations="dv/dt = (-70*mV - v)/(10*ms) : volt\nI_ext : amp",
        parameters=(),
        threshold="v > -50*mV",
        reset="v = -60*mV",
    )
    assert len(deaf.group(2)) == 2  # without currents it is a valid model
    with pytest.raises(ModelError, match=r"deaf\.group: .*never use I_in.*Add I_in"):
        deaf.group(2, currents=[ampa])
