"""Closed forms checked against independent numerical solutions."""

import numpy as np
from brian2 import Mohm, ms, mV, nA
from scipy.integrate import solve_ivp

from quifer_brian.theory import lif_rate


def test_lif_rate_matches_numerical_time_to_threshold():
    tau, R, E_L, V_th, V_reset, t_ref = 20e-3, 100e6, -70e-3, -50e-3, -60e-3, 2e-3
    for current in (0.25e-9, 0.5e-9, 2e-9):
        crossing = lambda t, v: v[0] - V_th  # noqa: E731
        crossing.terminal = True
        solution = solve_ivp(
            lambda t, v, current=current: (E_L - v + R * current) / tau,
            (0, 1),
            [V_reset],
            events=crossing,
            rtol=1e-10,
            atol=1e-12,
        )
        expected = 1 / (t_ref + solution.t_events[0][0])
        rate = lif_rate(
            current * 1e9 * nA,
            tau * 1e3 * ms,
            R / 1e6 * Mohm,
            E_L * 1e3 * mV,
            V_th * 1e3 * mV,
            V_reset * 1e3 * mV,
            t_ref * 1e3 * ms,
        )
        assert abs(rate - expected) / expected < 1e-6


def test_lif_rate_is_zero_at_and_below_rheobase():
    rates = lif_rate(
        np.array([0.0, 0.1, 0.2]) * nA, 20 * ms, 100 * Mohm, -70 * mV, -50 * mV, -60 * mV, 2 * ms
    )
    assert np.all(rates == 0)
