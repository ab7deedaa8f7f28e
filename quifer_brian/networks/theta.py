"""Emergent theta and theta-nested gamma: pyramidal, PV-like and O-LM-like cells."""

from typing import Any

from brian2 import Hz, amp, ms, mV, nS, pA, siemens

from ..equations import adex, ampa, gaba_a, lif
from .circuit import MAZZONI_DELAY, Circuit, CircuitParts, LfpSpec
from .params import Param, ParamTable
from .registry import register_network

__all__ = ["THETA_GAMMA", "theta_gamma"]

_OWNER = "theta_gamma"

#: The parameters of :func:`theta_gamma`.
THETA_GAMMA = ParamTable(
    _OWNER,
    [
        Param("n_e", 200, "count", ">= 1", "number of E (pyramidal, AdEx) cells"),
        Param("n_i", 50, "count", ">= 1", "number of I (PV-like, LIF) cells"),
        Param("n_o", 50, "count", ">= 1", "number of O (O-LM-like, AdEx) cells"),
        Param("drive_e", 450 * pA, amp, ">= 0", "constant current into each E cell"),
        Param("drive_e_spread", 0.1, "number", "[0, 1]", "relative spread of drive_e"),
        Param("rate_e", 250 * Hz, Hz, ">= 0", "rate of the Poisson input into each E cell"),
        Param("rate_i", 4000 * Hz, Hz, ">= 0", "rate of the Poisson input into each I cell"),
        Param("rate_o", 4000 * Hz, Hz, ">= 0", "rate of the Poisson input into each O cell"),
        Param("w_drive", 0.25 * nS, siemens, "> 0", "peak AMPA conductance of one Poisson spike"),
        Param("w_ei", 3 * nS, siemens, ">= 0", "peak AMPA conductance E->I (gamma loop)"),
        Param("w_ie", 2.5 * nS, siemens, ">= 0", "peak fast GABA_A conductance I->E"),
        Param("w_ii", 0.5 * nS, siemens, ">= 0", "peak fast GABA_A conductance I->I"),
        Param("w_eo", 3 * nS, siemens, ">= 0", "peak AMPA conductance E->O (theta loop)"),
        Param("w_oe", 6 * nS, siemens, ">= 0", "peak slow GABA_A conductance O->E"),
        Param("w_oi", 0.5 * nS, siemens, ">= 0", "peak slow GABA_A conductance O->I"),
        Param("p_exc", 0.2, "number", "(0, 1]", "connection probability E->I, E->O"),
        Param("p_inh", 0.5, "number", "(0, 1]", "connection probability of the GABA synapses"),
        Param("tau_gaba_fast", 5 * ms, ms, "> 0", "decay of the PV-like GABA_A inhibition"),
        Param("tau_gaba_slow", 40 * ms, ms, "> 0", "decay of the O-LM-like GABA_A,slow"),
        Param("b_e", 40 * pA, amp, ">= 0", "spike-triggered adaptation increment of E"),
        Param("tau_w_e", 150 * ms, ms, "> 0", "adaptation decay of E"),
        Param("b_o", 100 * pA, amp, ">= 0", "after-hyperpolarisation increment of O"),
        Param("tau_w_o", 150 * ms, ms, "> 0", "after-hyperpolarisation decay of O"),
        Param("delay", 1 * ms, ms, "> 0", "delay of the recurrent synapses"),
        Param("gaba", True, "bool", None, "False removes every GABA synapse (the control)"),
        Param(
            "septal_frequency",
            None,
            Hz,
            "> 0",
            "teaching only: frequency of an imposed septal theta drive (None: off)",
            optional=True,
        ),
        Param("septal_rate", 8000 * Hz, Hz, "> 0", "peak rate of the septal sources"),
    ],
    # the Poisson drives are counts drawn per step inside each cell's group: no extra cells
    size=lambda p: (
        p["n_e"] + p["n_i"] + p["n_o"],
        p["p_exc"] * p["n_e"] * (p["n_i"] + p["n_o"])
        + p["p_inh"] * (p["n_i"] + p["n_o"]) * (p["n_e"] + p["n_i"]),
    ),
)


@THETA_GAMMA.builder
def theta_gamma(**params: Any) -> Circuit:
    r"""Theta (4-12 Hz) and theta-nested gamma (30-100 Hz) that emerge from three populations.

    Pyramidal cells ``'E'`` (AdEx with spike-triggered adaptation), fast-spiking PV-like
    basket cells ``'I'`` (LIF) and slow O-LM-like cells ``'O'`` (AdEx with a slow
    after-hyperpolarisation), driven only by constant currents and Poisson input.
    Gamma comes from the E-I loop (PING), theta from the E-O loop: nothing oscillates
    in the equations.

    Parameters
    ----------
    n_e, n_i, n_o : int
        Numbers of E, I and O cells (200, 50, 50).
    drive_e : brian2.Quantity (A)
        Constant current into each E cell (450 pA; the AdEx rheobase is 180 pA).
    drive_e_spread : float (1)
        Relative spread of ``drive_e``: uniform in ``drive_e * (1 +- spread)`` (0.1).
    rate_e, rate_i, rate_o : brian2.Quantity (Hz)
        Rate of the independent Poisson input into each cell, through AMPA of peak
        ``w_drive`` (250, 4000, 4000 Hz): each step adds a Poisson count of mean
        ``rate*dt`` (Fano factor 1 at any rate, also above ``1/dt``). 0 Hz removes it.
    w_drive : brian2.Quantity (S)
        Peak AMPA conductance of one Poisson spike (0.25 nS).
    w_ei, w_ie, w_ii : brian2.Quantity (S)
        Peak conductances of the gamma loop: AMPA E->I, fast GABA_A I->E and I->I
        (3, 2.5, 0.5 nS).
    w_eo, w_oe, w_oi : brian2.Quantity (S)
        Peak conductances of the theta loop: AMPA E->O, slow GABA_A O->E and O->I
        (3, 6, 0.5 nS).
    p_exc, p_inh : float (1)
        Connection probabilities of the excitatory (E->I, E->O; 0.2) and inhibitory
        (I->E, I->I, O->E, O->I; 0.5) projections.
    tau_gaba_fast : brian2.Quantity (s)
        Decay of the PV-like, perisomatic GABA_A inhibition (5 ms).
    tau_gaba_slow : brian2.Quantity (s)
        Decay of the O-LM-like, dendritic GABA_A,slow inhibition (40 ms).
    b_e, tau_w_e : brian2.Quantity (A), brian2.Quantity (s)
        Spike-triggered adaptation of E: increment and decay (40 pA, 150 ms).
    b_o, tau_w_o : brian2.Quantity (A), brian2.Quantity (s)
        After-hyperpolarisation of O: increment and decay (100 pA, 150 ms).
    delay : brian2.Quantity (s)
        Delay of the recurrent synapses (1 ms).
    gaba : bool
        False removes every GABA synapse (I->E, I->I, O->E, O->I): the control without
        inhibition, in which neither rhythm exists (True).
    septal_frequency : brian2.Quantity (Hz), optional
        For teaching only (default None: off). An external "medial septum": Poisson
        input at ``septal_rate * (1 + cos(2 pi f t)) / 2`` into each O cell (AMPA,
        ``w_drive``, counts per step as the drives). It *imposes* a theta rhythm; the default
        network needs none.
    septal_rate : brian2.Quantity (Hz)
        Peak rate of the septal input (8000 Hz).

    Returns
    -------
    Circuit
        Populations ``'E'``, ``'I'``, ``'O'``; synapses ``'EI'``, ``'EO'``, ``'IE'``,
        ``'II'``, ``'OE'``, ``'OI'`` (the last four only with ``gaba=True``); the drives
        are each population's ``run_regularly`` operations ``theta_gamma_<X>_drive``
        (and ``theta_gamma_O_septum`` when enabled); LFP proxy
        from E's currents, excitatory ``I_ampa_ext``, inhibitory
        ``I_gaba_a + I_gaba_slow``.

    Notes
    -----
    Cells, with :math:`I_{syn} = \sum_r g_r (E_r - v)` and exponential conductances
    :math:`\dot g_r = -g_r/\tau_r` incremented by ``w`` at each presynaptic spike:

    - E, O: :math:`C \dot v = g_L(E_L - v) + g_L \Delta_T e^{(v - V_T)/\Delta_T} - I_w
      + I_{ext} + I_{syn}`, :math:`\tau_w \dot I_w = -I_w`, at a spike
      :math:`v \to V_r`, :math:`I_w \to I_w + b` (Brette & Gerstner 2005, with a = 0).
    - I: LIF, :math:`\tau_m = 10` ms, :math:`t_{ref} = 1` ms.

    Mechanism. *Gamma* is PING (Börgers & Kopell 2003; Whittington et al. 2000): E
    volleys fire the PV-like cells, whose fast GABA_A (``tau_gaba_fast``) silences E
    until it decays; the period is a few ``tau_gaba_fast``: the E rate's gamma is
    32-34 Hz at 5 ms and 25-26 Hz at 10 ms. *Theta* is a relaxation cycle of the E-O
    loop (after Rotstein et al. 2005 and Tort et al. 2007, who give O-LM cells an
    h-current; here a slow AHP plays that role): gamma volleys depolarise the O cells,
    which fire together, then (1) silence E (and part of I) through slow dendritic
    inhibition, GABA_A,slow (``tau_gaba_slow``; Banks et al. 2000), and (2) cannot
    fire again until their AHP (``b_o``, ``tau_w_o``) has decayed. The next gamma
    burst starts when the slow inhibition has worn off, so both set the theta period:
    the E rate's theta is 6.1-6.9 Hz at the default 40 ms. Gamma is therefore nested
    in theta: it occurs in the theta phase between O volleys.

    These frequencies are the E spike rate's rhythms
    (:func:`~quifer_brian.analysis.compute_rate_rhythms`), measured on cpp_standalone
    over 4 s on seeds 1, 2, 11, 12, 13 (``tau_gaba_fast`` = 10 ms: seeds 1, 11, 12).

    LFP proxy: Mazzoni et al. 2015, :math:`\sum_E |I_{AMPA}(t - 6 ms)| - 1.65 \sum_E
    |I_{GABA}|`, where the GABA term sums both inhibitory receptors onto E.

    Default network: 300 cells, dt = 0.1 ms (the default clock). Numbers the tests
    check (4 s, seed 1) and the wall times are in ``tests/networks/test_theta.py``.

    References
    ----------
    Rotstein, Pervouchine, Acker, Gillies, White, Buhl, Whittington & Kopell (2005)
    J Neurophysiol 94:1509. Tort, Rotstein, Dugladze, Gloveli & Kopell (2007) PNAS
    104:13490. Börgers & Kopell (2003) Neural Comput 15:509. Banks, White & Pearce
    (2000) Neuron 25:449. Tort, Komorowski, Eichenbaum & Kopell (2010) J Neurophysiol
    104:1195. Mazzoni et al. (2015) PLoS Comput Biol 11:e1004584.

    Examples
    --------
    >>> from brian2 import ms
    >>> result = theta_gamma(n_e=20, n_i=5, n_o=5).run(20 * ms, seed=1)
    >>> sorted(result.populations)
    ['E', 'I', 'O']
    >>> result.lfp.shape
    (20,)
    """
    return Circuit("theta_gamma", _construct, params, table=THETA_GAMMA, lfp_delay=MAZZONI_DELAY)


def _construct(
    n_e,
    n_i,
    n_o,
    drive_e,
    drive_e_spread,
    rate_e,
    rate_i,
    rate_o,
    w_drive,
    w_ei,
    w_ie,
    w_ii,
    w_eo,
    w_oe,
    w_oi,
    p_exc,
    p_inh,
    tau_gaba_fast,
    tau_gaba_slow,
    b_e,
    tau_w_e,
    b_o,
    tau_w_o,
    delay,
    gaba,
    septal_frequency,
    septal_rate,
):
    ampa_ext = ampa.labelled("ampa_ext")
    fast = gaba_a.with_params(tau=tau_gaba_fast)
    slow = gaba_a.with_params(tau=tau_gaba_slow).labelled("gaba_slow")
    exc = adex.group(
        n_e, name="theta_gamma_E", currents=[ampa_ext, fast, slow], a=0 * nS, b=b_e, tau_w=tau_w_e
    )
    exc.I_ext = f"{float(drive_e / pA)!r}*pA*(1 + {drive_e_spread!r}*(2*rand() - 1))"
    exc.v = "E_L + rand()*(V_T - E_L)"
    pv = lif.group(
        n_i,
        name="theta_gamma_I",
        currents=[ampa, ampa_ext, fast, slow],
        tau_m=10 * ms,
        t_ref=1 * ms,
        V_reset=-65 * mV,
    )
    olm = adex.group(
        n_o, name="theta_gamma_O", currents=[ampa, ampa_ext, fast], a=0 * nS, b=b_o, tau_w=tau_w_o
    )
    populations = {"E": exc, "I": pv, "O": olm}
    synapses = {}
    for group, rate in ((exc, rate_e), (pv, rate_i), (olm, rate_o)):
        if float(rate) > 0:
            _poisson_drive(group, f"{float(rate / Hz)!r}*Hz", w_drive)
    if septal_frequency is not None:
        peak, frequency = float(septal_rate / Hz), float(septal_frequency / Hz)
        septal = f"{peak!r}*Hz*(1 + cos(2*pi*{frequency!r}*Hz*t))/2"
        _poisson_drive(olm, septal, w_drive, label="septum")
    synapses["EI"] = ampa.synapses(exc, pv, w=w_ei, p=p_exc, delay=delay, name="theta_gamma_EI")
    synapses["EO"] = ampa.synapses(exc, olm, w=w_eo, p=p_exc, delay=delay, name="theta_gamma_EO")
    if gaba:
        for key, model, source, target, w in (
            ("IE", fast, pv, exc, w_ie),
            ("II", fast, pv, pv, w_ii),
            ("OE", slow, olm, exc, w_oe),
            ("OI", slow, olm, pv, w_oi),
        ):
            synapses[key] = model.synapses(
                source, target, w=w, p=p_inh, delay=delay, name=f"theta_gamma_{key}"
            )
    lfp = LfpSpec("E", excitatory="I_ampa_ext", inhibitory="I_gaba_a + I_gaba_slow")
    return CircuitParts(populations=populations, synapses=synapses, lfp=lfp)


def _poisson_drive(group, rate, weight, label="drive"):
    """Independent Poisson spikes at ``rate`` into each cell's AMPA_ext conductance.

    ``rate`` is an expression in Hz (it may depend on ``t``).  Each step adds ``weight``
    times a Poisson count of mean ``rate*dt`` (as many independent Poisson trains
    superpose to), in the synapses slot like the recurrent spikes: the count has
    variance = mean (Fano factor 1) at any rate, where a spike source firing at most
    once per step has Fano factor ``1 - rate*dt`` and saturates at ``1/dt``.
    """
    group.run_regularly(
        f"g_ampa_ext += {float(weight / siemens)!r}*siemens*poisson(({rate})*dt)",
        when="synapses",
        name=f"{group.name}_{label}",
    )


register_network("theta_gamma", theta_gamma)
