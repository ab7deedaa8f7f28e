"""Neural sampling with conductance-based LIF neurons (after Petrovici et al. 2016).

Each unit is a conductance-based LIF neuron in a high-conductance state made by Poisson
background input; it is *on* (:math:`z_k = 1`) during its refractory period ``tau``
after a spike.  Its activation function, the probability of being on against the leak
potential, is close to a logistic: :func:`calibrate_lif` measures it by a simulation and
fits :math:`p = \\sigma((E_L - E_0)/\\beta)`.  A bias :math:`b_k` becomes the leak
potential :math:`E_0 + \\beta b_k`; a weight :math:`W_{kj}` becomes a conductance jump
whose PSP, integrated over ``tau``, equals that of a rectangular PSP of height
:math:`\\alpha W_{kj}` (:math:`\\alpha = \\beta g_L / g_{tot}`, the logistic's width in
free membrane potential).
"""

from dataclasses import dataclass

import numpy as np
from brian2 import Hz, NeuronGroup, PoissonInput, Synapses, mV, nF, nS, second, volt

from ..errors import CircuitError
from .circuit import Circuit, CircuitParts

__all__ = ["LIF_PARAMS", "LifCalibration", "calibrate_lif", "lif_parts"]

#: Neuron and background parameters of the LIF sampler.
LIF_PARAMS = {
    "C": 0.2 * nF,
    "g_L": 20 * nS,
    "E_e": 0 * mV,
    "E_i": -90 * mV,
    "V_th": -52 * mV,
    "V_reset": -53 * mV,
    "rate_bg": 5000 * Hz,
    "w_bg": 1 * nS,
}

_EQUATIONS = """
dv/dt = (g_L*(E_L - v) + g_e*(E_e - v) + g_i*(E_i - v))/C : volt (unless refractory)
dg_e/dt = -g_e/tau : siemens
dg_i/dt = -g_i/tau : siemens
E_L : volt (constant)
free : 1 (constant)
"""


@dataclass(frozen=True)
class LifCalibration:
    """The fitted activation function :math:`p(z = 1) = \\sigma((E_L - E_0)/\\beta)`.

    Attributes
    ----------
    E_0, beta : float (V)
        Leak potential of p = 1/2 and the logistic's width in leak potential.
    g_tot : float (S)
        Mean total conductance (leak + background) of a free neuron.
    mu_0 : float (V)
        Mean free membrane potential at :math:`E_L = E_0`.
    leak_potentials, on_fractions : ndarray
        The measured points (V, 1).
    """

    E_0: float
    beta: float
    g_tot: float
    mu_0: float
    leak_potentials: np.ndarray
    on_fractions: np.ndarray

    @property
    def alpha(self):
        """The logistic's width in free membrane potential (V)."""
        return self.beta * float(LIF_PARAMS["g_L"] / nS) * 1e-9 / self.g_tot


def _units(n, tau, dt, name):
    namespace = {**LIF_PARAMS, "tau": tau}
    units = NeuronGroup(
        n,
        _EQUATIONS,
        threshold="free > 0.5 and v > V_th",
        reset="v = V_reset",
        refractory=tau,
        method="exponential_euler",
        dt=dt,
        namespace=namespace,
        name=name,
    )
    units.v = LIF_PARAMS["V_th"] - 5 * mV
    rate, weight = LIF_PARAMS["rate_bg"], LIF_PARAMS["w_bg"]
    inputs = [PoissonInput(units, target, 1, rate, weight=weight) for target in ("g_e", "g_i")]
    return units, inputs


def _calibration_parts(leak_potentials, tau, dt):
    units, inputs = _units(len(leak_potentials), tau, dt, "boltzmann_calibration_units")
    units.E_L = np.asarray(leak_potentials) * volt
    units.free = 1
    return CircuitParts(populations={"Z": units}, others=inputs)


def calibrate_lif(tau, dt, duration=20 * second, n_points=41, backend="cpp_standalone", seed=1):
    """Measure the LIF activation function by simulation and fit a logistic.

    Parameters
    ----------
    tau, dt : brian2.Quantity (s)
        Refractory period (= synaptic time constant) and time step of the sampler.
    duration : brian2.Quantity (s)
        Simulated time per point.
    n_points : int
        Leak potentials, spread over -120 .. -20 mV (one neuron each).

    Returns
    -------
    LifCalibration
    """
    leaks = np.linspace(-0.120, -0.020, n_points)
    circuit = Circuit(
        "boltzmann_calibration",
        lambda leak_potentials, tau, dt: _calibration_parts(leak_potentials, tau, dt),
        {"leak_potentials": leaks, "tau": tau, "dt": dt},
    )
    result = circuit.run(duration, backend=backend, seed=seed, check=False)
    _, indices = result.spikes["Z"]
    on = np.bincount(indices, minlength=n_points) * float(tau / second) / result.duration
    return _fit(leaks, np.clip(on, 0, 1), float(tau / second))


def _fit(leaks, on, tau_s):
    from scipy.optimize import curve_fit

    def logistic(x, centre, width):
        return 1 / (1 + np.exp(-(x - centre) / width))

    middle = leaks[np.argmin(np.abs(on - 0.5))]
    (centre, width), _ = curve_fit(logistic, leaks, on, p0=(middle, 0.005))
    p = LIF_PARAMS
    g_half = float(p["rate_bg"] * p["w_bg"] / (nS * Hz)) * 1e-9 * tau_s  # mean, each kind
    g_l = float(p["g_L"] / nS) * 1e-9
    g_tot = g_l + 2 * g_half
    e_e, e_i = float(p["E_e"] / mV) * 1e-3, float(p["E_i"] / mV) * 1e-3
    mu_0 = (g_l * centre + g_half * (e_e + e_i)) / g_tot
    return LifCalibration(float(centre), float(width), g_tot, float(mu_0), leaks, on)


def lif_parts(W, b_eff, free, source, target, calibration, tau, dt):
    """The LIF sampler's Brian2 objects, W and b translated through ``calibration``."""
    if calibration is None:
        raise CircuitError(
            owner="boltzmann_sampler",
            argument="calibration",
            value=None,
            problem="model='lif' needs a calibration",
            fix="Pass calibration=calibrate_lif(tau, dt).",
        )
    cal = calibration
    n_total = len(b_eff)
    units, inputs = _units(n_total, tau, dt, "boltzmann_units")
    units.E_L = (cal.E_0 + cal.beta * np.asarray(b_eff)) * volt
    units.free = free
    parts = CircuitParts(populations={"Z": units}, others=inputs)
    if len(source) == 0:
        return parts
    n = len(W)
    weights = W[target % n, source % n]
    height = cal.alpha * weights / (1 - np.exp(-1.0))  # PSP peak (V) with the same integral
    e_e, e_i = float(LIF_PARAMS["E_e"] / mV) * 1e-3, float(LIF_PARAMS["E_i"] / mV) * 1e-3
    w_e = np.where(weights > 0, height * cal.g_tot / (e_e - cal.mu_0), 0.0)
    w_i = np.where(weights < 0, height * cal.g_tot / (e_i - cal.mu_0), 0.0)
    synapses = Synapses(
        units,
        units,
        "w_e : siemens\nw_i : siemens",
        on_pre="g_e_post += w_e\ng_i_post += w_i",
        dt=dt,
        namespace={},
        name="boltzmann_synapses",
    )
    synapses.connect(i=source, j=target)
    synapses.w_e = w_e * 1e9 * nS
    synapses.w_i = w_i * 1e9 * nS
    parts.synapses["W"] = synapses
    return parts
