"""The factorised e-prop updates against the per-synapse recursions, in plain numpy.

``factorised_updates`` exchanges the sums of ``g_ji = sum_n L_j[n] ebar_ji[n]`` (and, for
ALIF cells, runs the eligibility vector's adjoint backwards); here the per-synapse
recursions of Bellec et al. 2020 (eqs. 13-14, 22-26) are written out step by step on
random pseudo-derivatives and learning signals, independently of Brian2.
"""

import numpy as np
import pytest
from brian2 import ms, mV

from quifer_brian.learning.eprop_factorised import factorised_updates, presynaptic_traces
from quifer_brian.learning.eprop_models import EpropSpec

N_IN, N_REC, N_STEPS = 7, 5, 80


def _per_synapse(spec, xbar, psi, signal):
    """``g`` and ``sum_n e`` of every synapse, stepping the traces as the paper writes."""
    beta = float(np.asarray(spec.beta))
    n_pre = xbar.shape[1]
    eps = np.zeros((N_REC, n_pre))
    e_bar = np.zeros((N_REC, n_pre))
    g = np.zeros((N_REC, n_pre))
    sum_e = np.zeros((N_REC, n_pre))
    for n in range(N_STEPS):
        e = psi[n][:, None] * (xbar[n][None, :] - beta * eps)
        eps = spec.rho * (eps + e)
        e_bar = spec.kappa * e_bar + (1 - spec.kappa) * e
        g += signal[n][:, None] * e_bar
        sum_e += e
    return g, sum_e


@pytest.mark.parametrize("adaptive", [False, True], ids=["LIF", "ALIF"])
def test_factorised_updates_equal_the_per_synapse_recursions(adaptive):
    extra = {"adaptive": True, "beta": 0.05 * mV, "tau_a": 50 * ms} if adaptive else {}
    spec = EpropSpec(N_IN, N_REC, 1, N_STEPS, **extra)
    rng = np.random.default_rng(11)
    inputs = (rng.random((N_STEPS, N_IN)) < 0.2).astype(float)
    spikes = (rng.random((N_STEPS, N_REC)) < 0.1).astype(float)
    # psi is zero most of the time (|v - threshold| > theta), as in a running network
    psi = rng.random((N_STEPS, N_REC)) * (rng.random((N_STEPS, N_REC)) < 0.4) * 1e4
    signal = rng.normal(size=(N_STEPS, N_REC))
    updates, sums = factorised_updates(spec, inputs, spikes, psi, signal)
    xbar = {
        "in": presynaptic_traces(inputs, spec.alpha),
        "rec": presynaptic_traces(spikes, spec.alpha),
    }
    for name in ("in", "rec"):
        g, sum_e = _per_synapse(spec, xbar[name], psi, signal)
        np.testing.assert_allclose(updates[name], g, rtol=1e-10, atol=1e-12 * np.abs(g).max())
        np.testing.assert_allclose(sums[name], sum_e, rtol=1e-10, atol=1e-12 * np.abs(sum_e).max())
    if adaptive:  # the adaptation term matters: dropping it changes the result
        plain, _ = factorised_updates(
            EpropSpec(N_IN, N_REC, 1, N_STEPS), inputs, spikes, psi, signal
        )
        assert np.max(np.abs(plain["in"] - updates["in"])) > 1e-3 * np.abs(updates["in"]).max()


def test_presynaptic_trace_steps_as_the_equations():
    # xbar[n] = alpha (xbar[n-1] + (1 - alpha) x[n-1]): one spike at step 2 gives
    # alpha (1 - alpha) at step 3, then decays by alpha per step
    alpha = 0.9
    spikes = np.zeros((6, 1))
    spikes[2, 0] = 1.0
    expected = [0, 0, 0, alpha * (1 - alpha), alpha**2 * (1 - alpha), alpha**3 * (1 - alpha)]
    np.testing.assert_allclose(presynaptic_traces(spikes, alpha)[:, 0], expected, atol=1e-15)
