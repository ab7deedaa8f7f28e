"""Neural sampling with conductance-based LIF neurons (after Petrovici et al. 2016).

Each unit is a conductance-based LIF neuron in a high-conductance state made by Poisson
background input; it is *on* (:math:`z_k = 1`) during its refractory period ``tau``
after a spike.  Its activation function, the probability of being on against the leak
potential, is close to a logistic: :func:`calibrate_lif` measures it by a simulation and
fits :math:`p = \\sigma((E_L - E_0)/\\beta)`.  A bias :math:`b_k` becomes the leak
potential :math:`E_0 + \\beta b_k`; a weight :math:`W_{kj}` becomes a conductance jump
whose PSP, integrated over ``tau``, equals that of a rectangular PSP of height
:math:`\\alpha W_{kj}` (:math:`\\alpha = \\beta g_L / g_{tot}`, the logistic's width in
free membrane potential); see :func:`lif_run_values` for the authors' ``sbs`` variant.
Synapses are *renewing* by default (a spike tops the conductance up to the jump rather
than adding it, as in the authors' ``sbs`` library), so that the PSP of a burst of
spikes stays one PSP, as the abstract model's rectangular PSPs do.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from brian2 import (
    Hz,
    NeuronGroup,
    PoissonInput,
    Quantity,
    Synapses,
    mV,
    nF,
    nS,
    second,
    siemens,
    volt,
)
from numpy.typing import ArrayLike

from ..errors import CircuitError
from .circuit import Circuit, CircuitParts

__all__ = ["LIF_PARAMS", "LifCalibration", "calibrate_lif", "lif_parts", "lif_run_values"]

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

    @classmethod
    def from_dict(cls, fields: "LifCalibration | dict[str, Any]") -> "LifCalibration":
        """A calibration from :meth:`as_dict`'s fields (a calibration is returned as is)."""
        if isinstance(fields, LifCalibration):
            return fields
        return cls(
            E_0=float(fields["E_0"]),
            beta=float(fields["beta"]),
            g_tot=float(fields["g_tot"]),
            mu_0=float(fields["mu_0"]),
            leak_potentials=np.asarray(fields["leak_potentials"]),
            on_fractions=np.asarray(fields["on_fractions"]),
        )

    def as_dict(self) -> dict[str, Any]:
        """The fields as a dict (how a circuit keeps it among its JSON-able parameters)."""
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @property
    def alpha(self) -> float:
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
    # An explicit order (after the synaptic pathway's -1: g_e's input, then g_i's).
    # Brian2 runs the objects of one schedule slot by order, then by *name*, and the
    # automatic names 'poissoninput', 'poissoninput_1', ... depend on which Brian2
    # objects are alive in the process ('poissoninput_10' sorts before 'poissoninput_9';
    # a garbage collection in mid-build frees lower names).  g_i's input could then run
    # first and each draw the other's random numbers: the same seed gave other spikes
    # (benchmarks/sampling.md, section 5).
    inputs = [
        PoissonInput(units, f"g_{kind}", 1, rate, weight=weight, order=1 + k)
        for k, kind in enumerate("ei")
    ]
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


def lif_run_values(
    W: ArrayLike,
    b_eff: ArrayLike,
    free: ArrayLike,
    source: np.ndarray,
    target: np.ndarray,
    calibration: "LifCalibration | dict[str, Any] | None",
    tau: Quantity,
    translation: str = "exponential",
) -> dict[str, np.ndarray]:
    """The LIF sampler's run values ``{"object.variable": SI array}`` from W, b and clamps.

    ``E_L`` (V) and ``free`` of every neuron of every chain, and the conductance jumps
    ``w_e``, ``w_i`` (S) of every synapse (none when no pair is coupled): a compiled
    program of one structure is rerun with these for every draw of W and b.
    ``calibration`` is a :class:`LifCalibration` or its :meth:`~LifCalibration.as_dict`;
    ``tau`` (s) is the synaptic time constant and refractory period.

    Notes
    -----
    A weight W becomes a conductance jump w (excitatory for W > 0, inhibitory for W < 0)
    whose PSP integrated over the refractory period ``tau`` equals the abstract
    model's rectangular PSP :math:`\\alpha W \\tau`.  ``translation`` says which PSP:

    - ``'exponential'`` (used by :func:`~quifer_brian.networks.boltzmann_sampler`): the
      high-conductance limit :math:`u(t) = w \\Delta E_0 / g_{tot}\\, e^{-t/\\tau}`,
      :math:`\\Delta E_0 = E_{rev} - \\mu_0` (the mean free potential at p = 1/2);
    - ``'sbs'``: the PSP with membrane filtering,
      :math:`u(t) = \\frac{w \\Delta E \\tau}{g_{tot}\\tau - C}(e^{-t/\\tau} -
      e^{-t/\\tau_{eff}})`, :math:`\\tau_{eff} = C/g_{tot}`, :math:`\\Delta E` from the
      target's own mean free potential: the translation of the authors' ``sbs`` library
      (``LIFsampler._calc_factor_weights_theo_to_bio``).  Its weights are about 13 %
      larger here, and its KL was worse on the benchmark's three draws
      (``benchmarks/sampling.md``), probably because the PSP's tail beyond ``tau`` (37 %
      of its peak at ``tau``) adds to the interaction, which smaller weights offset.
    """
    if calibration is None:
        raise CircuitError(
            owner="boltzmann_sampler",
            argument="calibration",
            value=None,
            problem="model='lif' needs a calibration",
            fix="Pass calibration=calibrate_lif(tau, dt).",
        )
    cal = LifCalibration.from_dict(calibration)
    leaks = cal.E_0 + cal.beta * np.asarray(b_eff, dtype=float)
    values = {
        "boltzmann_units.E_L": leaks,
        "boltzmann_units.free": np.asarray(free, dtype=float),
    }
    if len(source) == 0:
        return values
    matrix = np.asarray(W, dtype=float)
    n = len(matrix)
    weights = matrix[target % n, source % n]
    p = LIF_PARAMS
    g_l = float(p["g_L"] / nS) * 1e-9
    capacitance = float(p["C"] / nF) * 1e-9
    e_e, e_i = float(p["E_e"] / mV) * 1e-3, float(p["E_i"] / mV) * 1e-3
    tau_s = float(tau / second)
    target_integral = cal.alpha * weights * tau_s  # rectangular PSP alpha W over tau
    if translation == "exponential":
        # u(t) = w (E_rev - mu_0) / g_tot exp(-t/tau): no membrane filtering
        mu = np.full(len(weights), cal.mu_0)
        shape = tau_s * (1 - np.exp(-1.0)) / cal.g_tot
    elif translation == "sbs":
        # each target's own mean free potential, its background conductance split evenly
        g_background = cal.g_tot - g_l
        mu = (g_l * leaks[target] + 0.5 * g_background * (e_e + e_i)) / cal.g_tot
        tau_eff = capacitance / cal.g_tot
        shape = tau_s / (cal.g_tot * tau_s - capacitance)
        shape *= tau_s * (1 - np.exp(-1.0)) - tau_eff * (1 - np.exp(-tau_s / tau_eff))
    else:
        raise ValueError(f"translation: 'exponential' or 'sbs'; got {translation!r}")
    # shape: the integral over tau of the PSP of a unit jump per volt of driving force
    values["boltzmann_synapses.w_e"] = np.where(
        weights > 0, target_integral / (shape * (e_e - mu)), 0.0
    )
    values["boltzmann_synapses.w_i"] = np.where(
        weights < 0, target_integral / (shape * (e_i - mu)), 0.0
    )
    return values


def lif_parts(
    W: ArrayLike,
    b_eff: ArrayLike,
    free: ArrayLike,
    source: np.ndarray,
    target: np.ndarray,
    calibration: "LifCalibration | dict[str, Any] | None",
    tau: Quantity,
    dt: Quantity,
    synapses: str = "renewing",
) -> CircuitParts:
    """The LIF sampler's Brian2 objects, W and b translated through ``calibration``.

    The values set here are those of :func:`lif_run_values`, which a cached program
    takes as run values (``E_L``, ``free``, ``w_e``, ``w_i`` appear only in equations
    and event code).  ``synapses``: ``'renewing'`` (each spike tops the synapse's
    conductance up to its jump: the Tsodyks-Markram synapse with U = 1 and tau_rec =
    tau of the authors' ``sbs`` library, so that a burst of spikes keeps one PSP up
    instead of piling PSPs) or ``'additive'`` (each spike adds its jump).
    """
    values = lif_run_values(W, b_eff, free, source, target, calibration, tau)
    units, inputs = _units(len(values["boltzmann_units.E_L"]), tau, dt, "boltzmann_units")
    units.E_L = values["boltzmann_units.E_L"] * volt
    units.free = values["boltzmann_units.free"]
    parts = CircuitParts(populations={"Z": units}, others=inputs)
    if len(source) == 0:
        return parts
    model = "w_e : siemens (constant)\nw_i : siemens (constant)"
    on_pre = "g_e_post += w_e\ng_i_post += w_i"
    namespace = {}
    if synapses == "renewing":
        # what is left of this synapse's previous jump is exp(-(t - last)/tau) of it
        model += "\nlast : second  # the previous spike through this synapse"
        on_pre = (
            "g_e_post += w_e*(1 - exp(-(t - last)/tau))\n"
            "g_i_post += w_i*(1 - exp(-(t - last)/tau))\n"
            "last = t"
        )
        namespace = {"tau": tau}
    synapses_group = Synapses(
        units, units, model, on_pre=on_pre, dt=dt, namespace=namespace, name="boltzmann_synapses"
    )
    synapses_group.connect(i=source, j=target)
    synapses_group.w_e = values["boltzmann_synapses.w_e"] * siemens
    synapses_group.w_i = values["boltzmann_synapses.w_i"] * siemens
    if synapses == "renewing":
        synapses_group.last = -1e6 * second  # no earlier spike: the whole jump
    parts.synapses["W"] = synapses_group
    return parts
