"""Excitatory-inhibitory gamma circuits: PING and ING.

Both rhythms emerge from the dynamics; nothing in the equations oscillates by itself.

- :func:`ping` -- pyramidal-interneuron network gamma (Börgers & Kopell 2003, 2005): a
  volley of E spikes fires the I cells, whose inhibition silences the E cells until it
  has decayed; the period is set by the decay of inhibition.
- :func:`ing` -- interneuron network gamma (Wang & Buzsáki 1996): driven Wang-Buzsáki
  interneurons synchronise through mutual GABA_A inhibition alone.
"""

from typing import Any

from brian2 import amp, ms, mV, nA, nS, pA, siemens, volt

from ..equations import ampa, exp_current, gaba_a, lif, ou_current, tonic_current, wang_buzsaki
from .circuit import MAZZONI_DELAY, Circuit, CircuitParts, LfpSpec
from .params import Param, ParamTable, Target
from .registry import register_network

__all__ = ["ING", "PING", "ing", "ping"]

#: Synapse types of :func:`ping`.
SYNAPSE_TYPES = ("conductance", "current")


def _heterogeneous(mean, spread):
    """Brian2 expression: uniform in [mean (1 - spread), mean (1 + spread)] (amperes)."""
    return f"{float(mean / amp)!r}*amp*(1 + {spread!r}*(2*rand() - 1))"


def _connect(receptor, source, target, weight, p, delay, name):
    """A receptor projection; with p = 0 or w = 0 it still exists but is empty / silent."""
    return receptor.synapses(source, target, w=weight, p=p, delay=delay, name=name)


# --------------------------------------------------------------------------- PING
def _excitatory_weight(w, params):
    """The E weight a peak conductance ``w`` becomes (conductance or current synapses)."""
    return _ping_receptors(**_receptor_params(params))[2](w)


def _inhibitory_weight(w, params):
    return _ping_receptors(**_receptor_params(params))[3](w)


def _receptor_params(params):
    names = ("synapse", "tau_ampa", "tau_gaba", "V_syn")
    return {name: params[name] for name in names}


#: The parameters of :func:`ping`.
PING = ParamTable(
    "ping",
    [
        Param("n_e", 400, "count", ">= 1", "number of E cells"),
        Param("n_i", 100, "count", ">= 1", "number of I cells"),
        Param(
            "synapse",
            "conductance",
            "choice",
            None,
            "conductance- or current-based receptors",
            options=SYNAPSE_TYPES,
        ),
        Param(
            "drive_e",
            400 * pA,
            amp,
            ">= 0",
            "mean constant drive of the E cells (rheobase 200 pA)",
            tunable=True,
            target=("E", "I_0_drive"),
        ),
        Param("drive_e_spread", 0.2, "number", "[0, 1]", "relative half-width of the E drive"),
        Param("noise_e", 40 * pA, amp, ">= 0", "SD of the OU noise current into each E cell"),
        Param("tau_noise", 5 * ms, ms, "> 0", "correlation time of the noise"),
        Param(
            "drive_i",
            0 * pA,
            amp,
            ">= 0",
            "constant drive of the I cells",
            tunable=True,
            target=("I", "I_ext"),
        ),
        Param(
            "tau_ampa",
            2 * ms,
            ms,
            "> 0",
            "decay time of the AMPA kernel",
            tunable=True,
            target=[("E", "tau_ampa"), ("I", "tau_ampa")],
        ),
        Param(
            "tau_gaba",
            10 * ms,
            ms,
            "> 0",
            "decay time of the GABA_A kernel (sets the gamma period)",
            tunable=True,
            target=[("E", "tau_gaba_a"), ("I", "tau_gaba_a")],
        ),
        *(
            Param(
                f"w_{pair}",
                weight,
                siemens,
                ">= 0",
                f"peak conductance per spike, {pair[0].upper()}->{pair[1].upper()}",
                tunable=True,
                target=Target(
                    pair.upper(),
                    "w",
                    _excitatory_weight if pair[0] == "e" else _inhibitory_weight,
                ),
            )
            for pair, weight in (
                ("ee", 0.05 * nS),
                ("ei", 0.5 * nS),
                ("ie", 0.5 * nS),
                ("ii", 0.5 * nS),
            )
        ),
        *(
            Param(
                f"p_{pair}",
                p,
                "number",
                "[0, 1]",
                f"connection probability, {pair[0].upper()}->{pair[1].upper()}",
            )
            for pair, p in (("ee", 0.1), ("ei", 0.5), ("ie", 0.5), ("ii", 0.5))
        ),
        Param("delay", 1 * ms, ms, ">= 0", "synaptic delay of every projection"),
        Param("V_syn", -55 * mV, volt, None, "potential of the driving force of current synapses"),
        Param("dt", 0.1 * ms, ms, "> 0", "time step of both populations"),
    ],
    size=lambda p: (
        p["n_e"] + p["n_i"],
        p["p_ee"] * p["n_e"] ** 2
        + (p["p_ei"] + p["p_ie"]) * p["n_e"] * p["n_i"]
        + p["p_ii"] * p["n_i"] ** 2,
    ),
)


@PING.builder
def ping(**params: Any) -> Circuit:
    r"""Pyramidal-interneuron network gamma (PING), Börgers & Kopell 2003/2005.

    E cells (LIF, 'E') with heterogeneous constant drive plus Ornstein-Uhlenbeck noise
    excite LIF interneurons ('I') through AMPA; the I cells inhibit E (and each other)
    through GABA_A.  A volley of E spikes fires the I cells, and their inhibition holds
    the E cells back until it has decayed: the gamma period is set by the GABA_A decay.

    Parameters
    ----------
    n_e, n_i : int
        Numbers of E and I cells (> 0).
    synapse : {'conductance', 'current'}
        Conductance-based receptors (``I = g (E_rev - v)``, reversal 0 mV for AMPA and
        -80 mV for GABA_A) or current-based exponential currents whose amplitude is the
        conductance weight times the driving force at ``V_syn``:
        ``w_current = w (E_rev - V_syn)``.
    drive_e : brian2.Quantity (amp)
        Mean constant drive of the E cells (>= 0; the current ``I_drive``, a
        :data:`~quifer_brian.equations.tonic_current`); the rheobase of the LIF
        cells is (V_th - E_L) / R_m = 200 pA.
    drive_e_spread : float
        Relative half-width of the uniform distribution of the E drive, in [0, 1]: each
        E cell gets ``drive_e * (1 + drive_e_spread * U(-1, 1))``.
    noise_e : brian2.Quantity (amp)
        Stationary standard deviation of the OU noise current into each E cell (>= 0;
        0 attaches no noise).
    tau_noise : brian2.Quantity (second)
        Correlation time of the noise (> 0).
    drive_i : brian2.Quantity (amp)
        Constant drive of the I cells (>= 0).
    tau_ampa, tau_gaba : brian2.Quantity (second)
        Decay time constants of the AMPA and GABA_A kernels (> 0).
    w_ee, w_ei, w_ie, w_ii : brian2.Quantity (siemens)
        Peak conductance per spike of the E->E, E->I, I->E and I->I synapses (>= 0);
        source first.  ``w_ie=0 * nS`` removes the I->E inhibition (the control without
        a rhythm).
    p_ee, p_ei, p_ie, p_ii : float
        Connection probabilities, in [0, 1].
    delay : brian2.Quantity (second)
        Synaptic delay of every projection (>= 0).
    V_syn : brian2.Quantity (volt)
        Membrane potential at which current-based weights take the driving force.
    dt : brian2.Quantity (second)
        Time step of both populations (> 0).

    Returns
    -------
    Circuit
        Populations ``'E'`` and ``'I'``; synapses ``'EE'``, ``'EI'``, ``'IE'``, ``'II'``;
        LFP proxy: Mazzoni et al. 2015 on the E cells, ``|I_ampa| - 1.65 |I_gaba_a|``.
        Tunable (a compiled program reruns with new values; ``PING.tunable``): the
        drives, the receptor time constants and the four weights; the sizes,
        probabilities, delays, noise, spread, synapse type and dt are structural.

    Notes
    -----
    E and I cells are leaky integrate-and-fire neurons
    (:data:`~quifer_brian.equations.lif`; I cells with ``tau_m = 10 ms``,
    ``t_ref = 1 ms``):
    ``tau_m dv/dt = E_L - v + R_m (I_ext + I_ampa + I_gaba_a + I_noise + I_drive)``
    (``I_ext = 0`` for E, ``drive_i`` for I), with
    ``dg/dt = -g/tau`` per receptor (each spike adds ``w``) and
    ``dI_noise = (-I_noise/tau_noise) dt + noise_e sqrt(2/tau_noise) dW``.

    After a volley the inhibition onto an E cell decays as ``g_peak exp(-t/tau_gaba)``;
    the cell fires again once it has fallen below the level ``g_thr`` its drive can
    overcome, so (Börgers & Kopell 2005)
    ``T ~ tau_gaba ln(g_peak/g_thr) + (delays and the E rise time)``: the gamma
    frequency falls as ``tau_gaba`` grows.  With the defaults, ``g_peak = w_ie p_ie n_i``
    = 25 nS and, for the most strongly driven E cells (480 pA),
    ``g_thr = (480 - 200) pA / (V_th - E_GABA)`` = 9.3 nS: the predicted slope
    ``dT/dtau_gaba = ln(g_peak/g_thr)`` is 0.99 (lab 02 measures 0.98 over 5-20 ms).
    E cells fire on a fraction of the cycles (the most strongly driven first, their
    volley suppressing the rest) while the I cells follow almost every volley.

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
    >>> from brian2 import ms
    >>> result = ping(n_e=40, n_i=10).run(50 * ms, seed=1)
    >>> result.sizes
    {'E': 40, 'I': 10}
    """
    return Circuit("ping", _construct_ping, params, table=PING, lfp_delay=MAZZONI_DELAY)


def _ping_receptors(synapse, tau_ampa, tau_gaba, V_syn):
    """(excitatory, inhibitory) receptor models and the factor turning w into a weight."""
    excitatory = ampa.with_params(tau=tau_ampa)
    inhibitory = gaba_a.with_params(tau=tau_gaba)
    if synapse == "conductance":
        return excitatory, inhibitory, (lambda w: w), (lambda w: w)
    e_rev, i_rev = excitatory.params["E"], inhibitory.params["E"]
    return (
        exp_current.labelled("ampa").with_params(tau=tau_ampa),
        exp_current.labelled("gaba_a").with_params(tau=tau_gaba),
        lambda w: w * (e_rev - V_syn),
        lambda w: w * (i_rev - V_syn),
    )


def _construct_ping(
    n_e,
    n_i,
    synapse,
    drive_e,
    drive_e_spread,
    noise_e,
    tau_noise,
    drive_i,
    tau_ampa,
    tau_gaba,
    w_ee,
    w_ei,
    w_ie,
    w_ii,
    p_ee,
    p_ei,
    p_ie,
    p_ii,
    delay,
    V_syn,
    dt,
):
    excitatory, inhibitory, exc_w, inh_w = _ping_receptors(synapse, tau_ampa, tau_gaba, V_syn)
    currents_e = [excitatory, inhibitory]
    if float(noise_e / amp) > 0:
        currents_e.append(
            ou_current.labelled("noise").with_params(mu=0 * nA, sigma=noise_e, tau=tau_noise)
        )
    currents_e.append(
        tonic_current.labelled("drive").with_params(I_0=drive_e, spread=drive_e_spread)
    )
    # the tunable parameters are shared variables, so a compiled program reruns with others
    receptor_taus = ("tau_ampa", "tau_gaba_a")
    # Euler in both modes: the 'exact' solver of the current-based LIF divides by
    # (tau_m - tau_syn) and returns NaN when a synaptic decay equals tau_m.
    exc = lif.group(
        n_e,
        name="ping_E",
        currents=currents_e,
        dt=dt,
        method="euler",
        as_variables=(*receptor_taus, "I_0_drive"),
    )
    inh = lif.group(
        n_i,
        name="ping_I",
        currents=[excitatory, inhibitory],
        dt=dt,
        method="euler",
        as_variables=receptor_taus,
        tau_m=10 * ms,
        t_ref=1 * ms,
    )
    inh.I_ext = drive_i
    for group in (exc, inh):  # start desynchronised, between reset and threshold
        group.v = "V_reset + rand()*(V_th - V_reset)"
    synapses = {
        "EE": _connect(excitatory, exc, exc, exc_w(w_ee), p_ee, delay, "ping_EE"),
        "EI": _connect(excitatory, exc, inh, exc_w(w_ei), p_ei, delay, "ping_EI"),
        "IE": _connect(inhibitory, inh, exc, inh_w(w_ie), p_ie, delay, "ping_IE"),
        "II": _connect(inhibitory, inh, inh, inh_w(w_ii), p_ii, delay, "ping_II"),
    }
    return CircuitParts(
        populations={"E": exc, "I": inh},
        synapses=synapses,
        lfp=LfpSpec("E", excitatory="I_ampa", inhibitory="I_gaba_a"),
    )


# ---------------------------------------------------------------------------- ING
#: The parameters of :func:`ing`.
ING = ParamTable(
    "ing",
    [
        Param("n_i", 100, "count", ">= 1", "number of interneurons"),
        Param("drive", 150 * pA, amp, ">= 0", "mean constant drive I_ext (100 pA = 1 uA/cm2)"),
        Param("drive_spread", 0.05, "number", "[0, 1]", "relative half-width of the drive"),
        Param("tau_gaba", 10 * ms, ms, "> 0", "decay time of the GABA_A conductance"),
        Param("g_syn", 20 * nS, siemens, ">= 0", "total peak GABA_A conductance onto a cell"),
        Param("p_ii", 1.0, "number", "[0, 1]", "connection probability (1: all to all)"),
        Param("E_gaba", -75 * mV, volt, None, "GABA_A reversal potential"),
        Param("delay", 0 * ms, ms, ">= 0", "synaptic delay"),
        Param("dt", 0.05 * ms, ms, "> 0", "time step (<= 0.05 ms for the HH kinetics)"),
    ],
    size=lambda p: (p["n_i"], p["p_ii"] * p["n_i"] ** 2),
)


@ING.builder
def ing(**params: Any) -> Circuit:
    r"""Interneuron network gamma (ING), Wang & Buzsáki 1996.

    Wang-Buzsáki fast-spiking interneurons ('I') under constant heterogeneous drive,
    coupled only by GABA_A inhibition.  Each volley inhibits every cell; the cells fire
    again together once the inhibition has decayed, so the rhythm's period grows with
    the GABA_A decay time.

    Parameters
    ----------
    n_i : int
        Number of interneurons (> 0).
    drive : brian2.Quantity (amp)
        Mean constant drive ``I_ext`` (>= 0); with the model's membrane area of
        1e-4 cm2, 100 pA is 1 uA/cm2 (the units of Wang & Buzsáki).
    drive_spread : float
        Relative half-width of the uniform distribution of the drive, in [0, 1].
    tau_gaba : brian2.Quantity (second)
        Decay time constant of the GABA_A conductance (> 0).
    g_syn : brian2.Quantity (siemens)
        Total peak GABA_A conductance onto a cell when all its presynaptic cells fire
        once (>= 0): each synapse has ``w = g_syn / (n_i p_ii)``.  Wang & Buzsáki's
        ``g_syn`` (mS/cm2) times the membrane area (1e-4 cm2): 20 nS is 0.2 mS/cm2.
    p_ii : float
        Connection probability, in [0, 1] (1: all to all, as in Wang & Buzsáki).
    E_gaba : brian2.Quantity (volt)
        GABA_A reversal potential.
    delay : brian2.Quantity (second)
        Synaptic delay (>= 0).
    dt : brian2.Quantity (second)
        Time step (> 0); the Hodgkin-Huxley kinetics need <= 0.05 ms with RK4.

    Returns
    -------
    Circuit
        Population ``'I'``; synapses ``'II'``.  LFP proxy: there is no E population, so
        the Mazzoni weighted sum is taken over the I cells' own currents,
        ``|I_ext| - 1.65 |I_gaba_a|``: the constant drive contributes only a constant,
        and the rhythm is carried by the summed GABA_A current.

    Notes
    -----
    Wang-Buzsáki model (:data:`~quifer_brian.equations.wang_buzsaki`), with the synaptic
    current ``I_gaba_a = g (E_gaba - v)``, ``dg/dt = -g/tau_gaba`` and ``g += w_ii`` per
    presynaptic spike.  Synchrony needs the decay of inhibition to be slower than the
    spike (Wang & Buzsáki 1996; White et al. 1998); the period is then about
    ``tau_gaba ln(g_peak/g_thr)`` plus the time to the next spike, so the frequency
    falls as ``tau_gaba`` grows.

    References
    ----------
    Wang & Buzsáki (1996) Gamma oscillation by synaptic inhibition in a hippocampal
    interneuronal network model. J Neurosci 16:6402.
    Brunel & Wang (2003) What determines the frequency of fast network oscillations
    with irregular neural discharges? J Neurophysiol 90:415.

    Examples
    --------
    >>> from brian2 import ms
    >>> result = ing(n_i=10).run(50 * ms, seed=1)
    >>> result.sizes, result.mean_rate("I") > 0
    ({'I': 10}, True)
    """
    return Circuit("ing", _construct_ing, params, table=ING, lfp_delay=MAZZONI_DELAY)


def _construct_ing(n_i, drive, drive_spread, tau_gaba, g_syn, p_ii, E_gaba, delay, dt):
    inhibitory = gaba_a.with_params(tau=tau_gaba, E=E_gaba)
    inh = wang_buzsaki.group(n_i, name="ing_I", currents=[inhibitory], dt=dt)
    inh.I_ext = _heterogeneous(drive, drive_spread)
    inh.v = "E_L + rand()*20*mV"  # desynchronised start (between rest and threshold)
    w_ii = g_syn / (n_i * p_ii) if p_ii > 0 else 0 * nS
    synapses = _connect(inhibitory, inh, inh, w_ii, p_ii, delay, "ing_II")
    return CircuitParts(
        populations={"I": inh},
        synapses={"II": synapses},
        lfp=LfpSpec("I", excitatory="I_ext", inhibitory="I_gaba_a"),
    )


register_network("ping", ping)
register_network("ing", ing)
