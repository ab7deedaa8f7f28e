"""A multi-frequency clock: a bank of spiking PING modules, one per requested frequency.

Each module's rhythm emerges from its E/I loop; :func:`frequency_bank` only chooses the
decay time of inhibition that puts the module's period on target.  Its continuous
reference, the Kuramoto bank, is in :mod:`quifer_brian.networks.kuramoto`.
:func:`quifer_brian.analysis.module_lfp` and :func:`~quifer_brian.analysis.module_phases`
read a run's per-module LFP proxy and phase.
"""

from typing import Any

import numpy as np
from brian2 import Hz, NeuronGroup, Synapses, amp, ms, mV, nA, nS, pA, second, siemens

from ..checks import check_quantity
from ..equations import exp_current, gaba_a, lif, ou_current
from ..errors import CircuitError
from .circuit import Circuit, CircuitParts
from .params import Param, ParamTable
from .registry import register_network

__all__ = [
    "FREQUENCY_BANK",
    "PERIOD_OFFSET",
    "REACHABLE_RANGE",
    "TAU_GABA_RANGE",
    "frequency_bank",
    "reachable_range",
]


# ================================================================= frequency bank
#: Rheobase (V_th - E_L) / R_m of the library's LIF cells (the modules' E cells).
_RHEOBASE = 200 * pA

#: Calibration of the PING period T = t_0 + c L tau_GABA (see :func:`frequency_bank`),
#: fitted once on 3 s runs of the default module at 3, 6, 12, 40 and 47 Hz: the fixed
#: part t_0 (delays, the E -> I -> E loop, the E cells' recharge after the volley) ...
PERIOD_OFFSET = 16.0 * ms
#: ... and the factor c on L (the membrane lags behind the decaying inhibition).
PERIOD_SLOPE_FACTOR = 1.08

#: Decay times of inhibition the modules may use.  Below 2 ms the inhibition is as
#: fast as the AMPA-driven loop and the I cells fire twice per cycle; 150 ms (2.8 Hz)
#: is as far as the calibration was checked.
TAU_GABA_RANGE = (2.0 * ms, 150.0 * ms)


#: GABA_A reversal potential and the E cells' threshold (the library's LIF and gaba_a).
_E_GABA, _V_TH = -80 * mV, -50 * mV


def _period_slope(drive_e, drive_e_spread, inhibition):
    """L = ln(g_peak / g_thr): the decay (in units of tau) the inhibition needs."""
    margin = drive_e * (1 + drive_e_spread) - _RHEOBASE
    return PERIOD_SLOPE_FACTOR * float(np.log(inhibition * (_V_TH - _E_GABA) / margin))


def reachable_range(
    drive_e=300 * pA, drive_e_spread=0.02, inhibition=30 * nS, tau_gaba_range=TAU_GABA_RANGE
):
    """Return ``(f_min, f_max)`` (Hz): the frequencies a :func:`frequency_bank` module can reach.

    The module period is ``T = PERIOD_OFFSET + c L tau_GABA`` with
    ``L = ln(inhibition (V_th - E_GABA) / (drive_e (1 + drive_e_spread) - rheobase))``
    and ``c =`` :data:`PERIOD_SLOPE_FACTOR`; tau_GABA is limited to
    :data:`TAU_GABA_RANGE`.  With the defaults: about 2.8-48 Hz.

    Examples
    --------
    >>> low, high = reachable_range()
    >>> round(low, 1), round(high, 1)
    (2.8, 48.5)
    """
    slope = _period_slope(drive_e, drive_e_spread, inhibition)
    low, high = (float((PERIOD_OFFSET + slope * tau) / second) for tau in tau_gaba_range)
    return 1 / high, 1 / low


#: Frequencies (Hz) a module reaches with the default parameters.
REACHABLE_RANGE = reachable_range()


def _check_frequencies(owner, frequencies, f_min, f_max):
    if hasattr(frequencies, "dim"):
        check_quantity("frequencies", frequencies, Hz, owner=owner)
        values = np.atleast_1d(np.asarray(frequencies / Hz, dtype=float))
    else:
        try:
            values = np.atleast_1d(np.asarray(frequencies, dtype=float))
        except (TypeError, ValueError):
            raise CircuitError(
                f"{owner}.frequencies: must be a sequence of frequencies in Hz (numbers or "
                f"a quantity in Hz); got {frequencies!r}."
            ) from None
    if values.ndim != 1 or values.size == 0:
        raise CircuitError(
            f"{owner}.frequencies: must name at least one frequency (Hz), e.g. (6, 12, 40); "
            f"got {frequencies!r}."
        )
    for value in values:
        if not np.isfinite(value) or value <= 0:
            raise CircuitError(
                f"{owner}.frequencies: every frequency must be a finite number > 0 Hz; "
                f"got {value:g} in {frequencies!r}."
            )
        if not f_min <= value <= f_max:
            raise CircuitError(
                f"{owner}.frequencies: {value:g} Hz cannot be reached; a PING module reaches "
                f"{f_min:.1f}-{f_max:.1f} Hz with these parameters (tau_GABA in "
                f"{TAU_GABA_RANGE[0] / ms:g}-{TAU_GABA_RANGE[1] / ms:g} ms). Choose "
                f"frequencies in that range."
            )
    return values


_OWNER = "frequency_bank"

#: The parameters of :func:`frequency_bank`.
FREQUENCY_BANK = ParamTable(
    _OWNER,
    [
        Param(
            "frequencies",
            (6, 12, 40),
            "any",
            None,
            "target frequency of each module (see REACHABLE_RANGE)",
            shown_unit="Hz",
        ),
        Param("n_e", 160, "count", ">= 1", "number of E cells per module"),
        Param("n_i", 40, "count", ">= 1", "number of I cells per module"),
        Param("drive_e", 300 * pA, amp, ">= 0", "mean constant drive of the E cells"),
        Param("drive_e_spread", 0.02, "number", "[0, 1]", "relative half-width of the E drive"),
        Param("noise_e", 2 * pA, amp, ">= 0", "SD of the OU noise into each E cell"),
        Param("tau_noise", 5 * ms, second, "> 0", "correlation time of the noise"),
        Param("drive_i", 100 * pA, amp, ">= 0", "constant drive of the I cells (below rheobase)"),
        Param("tau_ampa", 2 * ms, second, "> 0", "decay time of the excitatory synapses"),
        Param("recurrence", 1 * nA, amp, ">= 0", "total peak E->E current onto an E cell"),
        Param("excitation", 1.5 * nA, amp, ">= 0", "total peak E->I current onto an I cell"),
        Param("inhibition", 30 * nS, siemens, "> 0", "total peak GABA_A conductance onto E"),
        Param("p", 0.5, "number", "(0, 1]", "connection probability inside a module"),
        Param("coupling", 0 * pA, amp, ">= 0", "total peak E(k)->I(l) coupling current (0: none)"),
        Param(
            "p_coupling",
            0.1,
            "number",
            "(0, 1]",
            "connection probability of the coupling",
            hint="Use coupling=0*pA for none.",
        ),
        Param("delay", 1 * ms, second, ">= 0", "synaptic delay of every projection"),
        Param("dt", 0.1 * ms, second, "> 0", "time step"),
    ],
    size=lambda p: (
        np.size(p["frequencies"]) * (p["n_e"] + p["n_i"]),
        np.size(p["frequencies"]) * p["p"] * (p["n_e"] + p["n_i"]) ** 2
        + np.size(p["frequencies"]) ** 2 * p["p_coupling"] * p["n_e"] * p["n_i"],
    ),
)


@FREQUENCY_BANK.builder
def frequency_bank(**params: Any) -> Circuit:
    r"""A multi-frequency clock: one spiking PING module per requested frequency.

    Module k has LIF pyramidal cells ('E<k>') with nearly equal constant drive and LIF
    interneurons ('I<k>') below their rheobase.  When the inhibition has worn off, the
    E cells fire a volley (recurrent excitation pulls the stragglers in), the volley
    fires the I cells once, and their GABA_A inhibition silences the E cells again: the
    module oscillates, one volley per cycle, and its period is set by the decay time of
    its inhibition, which the builder chooses for the target frequency (Notes).  Nothing
    in the equations oscillates by itself.  Modules can be coupled by excitation from
    each module's E cells onto the other modules' I cells (``coupling``).

    Parameters
    ----------
    frequencies : sequence of float (Hz) or brian2.Quantity (Hz)
        Target frequency of each module (at least one), within the reachable range:
        :data:`REACHABLE_RANGE` (about 2.8-48 Hz) with the default drive and
        inhibition, :func:`reachable_range` for others.
    n_e, n_i : int
        Numbers of E and I cells per module (> 0).
    drive_e : brian2.Quantity (amp)
        Mean constant drive of the E cells; the most driven ones must be above the LIF
        rheobase, 200 pA.
    drive_e_spread : float
        Relative half-width of the uniform E drive distribution, in [0, 1].  Small: the
        E cells are released together and fire one volley.
    noise_e : brian2.Quantity (amp)
        Stationary SD of the Ornstein-Uhlenbeck noise into each E cell (>= 0; 0 attaches
        none).
    tau_noise : brian2.Quantity (second)
        Correlation time of the noise (> 0).
    drive_i : brian2.Quantity (amp)
        Constant drive of the I cells (>= 0; below their 200 pA rheobase, so that they
        fire only on an E volley).
    tau_ampa : brian2.Quantity (second)
        Decay time of the excitatory (AMPA-like, current-based) synapses (> 0).
    recurrence : brian2.Quantity (amp)
        Total peak E->E current onto an E cell when every E cell of its module fires
        (>= 0): each synapse has ``w = recurrence / (n_e p)``.
    excitation : brian2.Quantity (amp)
        Total peak E->I current onto an I cell when every E cell of its module fires
        (>= 0): ``w = excitation / (n_e p)``.
    inhibition : brian2.Quantity (siemens)
        Total peak GABA_A conductance onto an E cell when every I cell of its module
        fires once (> 0): ``w = inhibition / (n_i p)``.
    p : float
        Connection probability inside a module, in (0, 1].
    coupling : brian2.Quantity (amp)
        Total peak current from the E cells of module k onto an I cell of module l != k
        when every E cell of module k fires (>= 0; 0 creates no coupling synapses).
    p_coupling : float
        Connection probability of the coupling, in (0, 1].
    delay : brian2.Quantity (second)
        Synaptic delay of every projection (>= 0).
    dt : brian2.Quantity (second)
        Time step (> 0).

    Returns
    -------
    Circuit
        Populations ``'E0'``, ``'I0'``, ``'E1'``, ...; synapses ``'EE<k>'``, ``'EI<k>'``,
        ``'IE<k>'`` and ``'E<k>I<l>'`` (coupling); per-module LFP proxies recorded as
        states ``'I_exc_<k>'`` and ``'I_inh_<k>'`` (summed absolute AMPA and GABA_A currents
        onto the module's E cells, 1 kHz), combined by :func:`~quifer_brian.analysis.module_lfp`;
        :func:`~quifer_brian.analysis.module_phases` gives each module's phase over time.
        ``circuit.params['frequencies']`` and ``circuit.params['tau_gaba']`` hold the
        targets and the decay times chosen.  No circuit-wide LFP (one per module).

    Notes
    -----
    Each cell: ``tau_m dv/dt = E_L - v + R_m (I_ext + I_ampa + I_gaba + I_noise)``
    (:data:`~quifer_brian.equations.lif`; I cells ``tau_m = 10 ms``, ``t_ref = 1 ms``),
    with ``dI_ampa/dt = -I_ampa/tau_ampa`` (current-based) and the GABA_A conductance
    ``I_gaba = g (E_GABA - v)``, ``dg/dt = -g/tau_GABA``, ``E_GABA = -80 mV``
    (:data:`~quifer_brian.equations.gaba_a`).

    After a volley the inhibition onto an E cell decays as ``A exp(-t/tau_GABA)``, with
    ``A = inhibition``.  The E cells (drive up to ``I_max = drive_e (1 +
    drive_e_spread)``) fire again once it has fallen to the level their drive overcomes
    at threshold, ``g_thr = (I_max - I_rheobase) / (V_th - E_GABA)``, and their volley
    fires the I cells (Börgers & Kopell 2003, 2005).  Hence the period
    ``T = t_0 + c L tau_GABA`` with ``L = ln(A / g_thr)``, ``t_0`` the fixed part of the
    loop (delays, the recharge of the E cells, the I response) and ``c`` a correction
    close to 1, both calibrated once on simulations of the default module
    (:data:`PERIOD_OFFSET`, :data:`PERIOD_SLOPE_FACTOR`).  The builder sets
    ``tau_GABA = (1/f - t_0) / (c L)`` for each target ``f``; :data:`TAU_GABA_RANGE`
    bounds the reachable frequencies.  The calibration holds for the default cells and
    weights; other ``drive_e`` / ``inhibition`` enter through ``L``, other weights may
    shift the frequencies (measure them).

    References
    ----------
    Börgers & Kopell (2003) Synchronization in networks of excitatory and inhibitory
    neurons with sparse, random connectivity. Neural Comput 15:509.
    Börgers, Epstein & Kopell (2005) Background gamma rhythmicity and attention in
    cortical local circuits. PNAS 102:7002.
    Mazzoni et al. (2015) Computing the local field potential (LFP) from
    integrate-and-fire network models. PLoS Comput Biol 11:e1004584.

    Examples
    --------
    >>> circuit = frequency_bank((6, 40), n_e=20, n_i=5)
    >>> sorted(circuit.populations)
    ['E0', 'E1', 'I0', 'I1']
    """
    owner = _OWNER
    drive_e, drive_e_spread = params["drive_e"], params["drive_e_spread"]
    inhibition = params["inhibition"]
    margin = drive_e * (1 + drive_e_spread) - _RHEOBASE
    if margin <= 0 or inhibition * (_V_TH - _E_GABA) <= margin:
        raise CircuitError(
            f"{owner}.drive_e: the most driven E cells must be above the rheobase "
            f"({_RHEOBASE}) and below what the inhibition can hold at threshold "
            f"(inhibition * (V_th - E_GABA) = {inhibition * (_V_TH - _E_GABA)}); got "
            f"drive_e * (1 + drive_e_spread) = {drive_e * (1 + drive_e_spread)}."
        )
    f_min, f_max = reachable_range(drive_e, drive_e_spread, inhibition)
    targets = _check_frequencies(owner, params.pop("frequencies"), f_min, f_max)
    slope = _period_slope(drive_e, drive_e_spread, inhibition)
    tau_gaba = (1 / targets - float(PERIOD_OFFSET / second)) / slope * second
    params = {"frequencies": targets * Hz, "tau_gaba": tau_gaba, **params}
    return Circuit("frequency_bank", _construct_bank, params, table=FREQUENCY_BANK)


def _construct_bank(
    frequencies,
    tau_gaba,
    n_e,
    n_i,
    drive_e,
    drive_e_spread,
    noise_e,
    tau_noise,
    drive_i,
    tau_ampa,
    recurrence,
    excitation,
    inhibition,
    p,
    coupling,
    p_coupling,
    delay,
    dt,
):
    name = "frequency_bank"
    excitatory = exp_current.labelled("ampa").with_params(tau=tau_ampa)
    noise = []
    if float(noise_e / amp) > 0:
        noise = [ou_current.labelled("noise").with_params(mu=0 * nA, sigma=noise_e, tau=tau_noise)]
    n_modules = len(frequencies)
    probe = NeuronGroup(
        1,
        "\n".join(f"I_exc_{k} : amp\nI_inh_{k} : amp" for k in range(n_modules)),
        dt=1 * ms,
        namespace={},
        name=f"{name}_probe",
    )
    populations, synapses, others, states = {}, {}, [probe], {}
    for k in range(n_modules):
        inhibitory = gaba_a.labelled("gaba").with_params(tau=tau_gaba[k])
        exc = lif.group(
            n_e,
            name=f"{name}_E{k}",
            currents=[excitatory, inhibitory, *noise],
            dt=dt,
            method="euler",
        )
        inh = lif.group(
            n_i,
            name=f"{name}_I{k}",
            currents=[excitatory],
            dt=dt,
            method="euler",
            tau_m=10 * ms,
            t_ref=1 * ms,
        )
        spread = f"(1 + {drive_e_spread!r}*(2*rand() - 1))"
        exc.I_ext = f"{float(drive_e / amp)!r}*amp*{spread}"
        inh.I_ext = drive_i
        for group in (exc, inh):  # start desynchronised, between reset and threshold
            group.v = "V_reset + rand()*(V_th - V_reset)"
        synapses[f"EE{k}"] = excitatory.synapses(
            exc, exc, w=recurrence / (n_e * p), p=p, delay=delay, name=f"{name}_EE{k}"
        )
        synapses[f"EI{k}"] = excitatory.synapses(
            exc, inh, w=excitation / (n_e * p), p=p, delay=delay, name=f"{name}_EI{k}"
        )
        synapses[f"IE{k}"] = inhibitory.synapses(
            inh, exc, w=inhibition / (n_i * p), p=p, delay=delay, name=f"{name}_IE{k}"
        )
        # the module's LFP proxy: one summed variable per module and current (Brian2
        # refuses two Synapses summing into the same variable)
        summing = Synapses(
            exc,
            probe,
            model=f"I_exc_{k}_post = abs(I_ampa_pre) : amp (summed)\n"
            f"I_inh_{k}_post = abs(I_gaba_pre) : amp (summed)",
            dt=1 * ms,
            namespace=dict(exc.namespace),  # I_gaba is a subexpression of the E cells
            name=f"{name}_lfp_sum{k}",
        )
        summing.connect()
        others.append(summing)
        populations[f"E{k}"], populations[f"I{k}"] = exc, inh
        states[f"I_exc_{k}"] = (probe, f"I_exc_{k}")
        states[f"I_inh_{k}"] = (probe, f"I_inh_{k}")
    if float(coupling / amp) > 0:
        for k in range(n_modules):
            for target in range(n_modules):
                if k != target:
                    synapses[f"E{k}I{target}"] = excitatory.synapses(
                        populations[f"E{k}"],
                        populations[f"I{target}"],
                        w=coupling / (n_e * p_coupling),
                        p=p_coupling,
                        delay=delay,
                        name=f"{name}_E{k}I{target}",
                    )
    return CircuitParts(populations=populations, synapses=synapses, others=others, states=states)


register_network("frequency_bank", frequency_bank)
