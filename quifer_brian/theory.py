"""Closed-form results that the simulations are checked against."""

import numpy as np
from brian2 import Quantity, amp, check_units, second, volt

__all__ = ["kuramoto_order_parameter", "lif_rate"]


@check_units(
    current=amp,
    tau_m=second,
    R_m=volt / amp,
    E_L=volt,
    V_th=volt,
    V_reset=volt,
    t_ref=second,
    result=1,
)
def lif_rate(current, tau_m, R_m, E_L, V_th, V_reset, t_ref):
    """Firing rate (Hz) of a leaky integrate-and-fire neuron under a constant current.

    Parameters
    ----------
    current : brian2.Quantity (amp), scalar or array
    tau_m : brian2.Quantity (second)
    R_m : brian2.Quantity (ohm)
    E_L, V_th, V_reset : brian2.Quantity (volt)
    t_ref : brian2.Quantity (second)

    Returns
    -------
    numpy.ndarray
        Rate in Hz; 0 at and below the rheobase ``(V_th - E_L) / R_m``.

    Notes
    -----
    The membrane relaxes to ``E_L + R I`` from ``V_reset``; the time to threshold is
    ``T = tau ln((R I + E_L - V_reset) / (R I + E_L - V_th))`` and the rate is
    ``1 / (t_ref + T)``.  With potentials measured from rest and ``V_reset = E_L`` this is
    the textbook ``1 / (t_ref + tau ln(R I / (R I - (theta - V_reset))))``.

    References
    ----------
    Gerstner, Kistler, Naud & Paninski 2014, Neuronal Dynamics, eq. 1.11.

    Examples
    --------
    >>> from brian2 import ms, mV, Mohm, nA
    >>> rate = lif_rate(0.3 * nA, 20 * ms, 100 * Mohm, -70 * mV, -50 * mV, -60 * mV, 2 * ms)
    >>> print(round(float(rate), 2))
    63.04
    """
    drive = np.asarray(Quantity(R_m * current + E_L - V_th) / volt, dtype=float)
    start = np.asarray(Quantity(R_m * current + E_L - V_reset) / volt, dtype=float)
    rates = np.zeros(np.broadcast(drive, start).shape)
    above = np.broadcast_to(drive > 0, rates.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        period = float(t_ref / second) + float(tau_m / second) * np.log(start / drive)
    rates[above] = 1.0 / np.broadcast_to(period, rates.shape)[above]
    return rates if rates.ndim else float(rates)


@check_units(coupling=1 / second, gamma=1 / second, result=1)
def kuramoto_order_parameter(coupling, gamma):
    """Stationary order parameter r of the Kuramoto model, Lorentzian frequencies, N -> inf.

    Parameters
    ----------
    coupling : brian2.Quantity (1/second, rad/s)
        Coupling strength K.
    gamma : brian2.Quantity (1/second, rad/s)
        Half-width of the Lorentzian of the natural frequencies.

    Returns
    -------
    float
        ``sqrt(1 - K_c / K)`` above ``K_c = 2 gamma``, 0 at and below.

    References
    ----------
    Kuramoto (1975), Lecture Notes in Physics 39:420; Strogatz (2000), Physica D 143:1.

    Examples
    --------
    >>> from brian2 import Hz
    >>> round(kuramoto_order_parameter(4 * Hz, 1 * Hz), 4)
    0.7071
    """
    critical = 2 * float(gamma * second)
    strength = float(coupling * second)
    return float(np.sqrt(1 - critical / strength)) if strength > critical else 0.0
