"""Emergent theta and theta-nested gamma: pyramidal, PV-like and O-LM-like cells."""

from brian2 import Hz, NeuronGroup, amp, defaultclock, ms, mV, nS, pA, siemens

from ..equations import adex, ampa, gaba_a, lif, poisson
from ..errors import CircuitError
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
        Param("rate_e", 250 * Hz, Hz, ">= 0", "rate of each E cell's Poisson source (< 1/dt)"),
        Param("rate_i", 4000 * Hz, Hz, ">= 0", "rate of each I cell's Poisson source (< 1/dt)"),
        Param("rate_o", 4000 * Hz, Hz, ">= 0", "rate of each O cell's Poisson source (< 1/dt)"),
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
    # each cell has its own Poisson source (a second neuron and a synapse)
    size=lambda p: (
        2 * (p["n_e"] + p["n_i"] + p["n_o"]),
        p["p_exc"] * p["n_e"] * (p["n_i"] + p["n_o"])
        + p["p_inh"] * (p["n_i"] + p["n_o"]) * (p["n_e"] + p["n_i"])
        + p["n_e"]
        + p["n_i"]
        + p["n_o"],
    ),
)
_RATES = ("rate_e", "rate_i", "rate_o", "septal_rate")


def _check_rates(params):
    """A Poisson source fires at most once per step: every rate must stay below 1/dt."""
    max_rate = 1 / defaultclock.dt
    for name in _RATES:
        if params[name] >= max_rate:
            raise CircuitError(
                f"{_OWNER}.{name}: a Poisson source fires at most once per time step, so "
                f"its rate must be < 1/dt = {max_rate}; got {params[name]}. Raise w_drive "
                f"instead."
            )


@THETA_GAMMA.builder
def theta_gamma(**params):
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
        Rate of each cell's own Poisson source, delivered through AMPA of peak
        ``w_drive`` (250, 4000, 4000 Hz); must stay below ``1/dt`` (10 kHz at the default
        dt = 0.1 ms). 0 Hz removes the sources.
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
        spikes at ``septal_rate * (1 + cos(2 pi f t)) / 2`` onto the O cells (AMPA,
        ``w_drive``, one source per cell). It *imposes* a theta rhythm; the default
        network needs none.
    septal_rate : brian2.Quantity (Hz)
        Peak rate of the septal sources (8000 Hz; with it, ``septal_frequency=6*Hz``
        entrains theta at 6 Hz, while 2000 Hz leaves the emergent ~8 Hz rhythm in place).

    Returns
    -------
    Circuit
        Populations ``'E'``, ``'I'``, ``'O'``; synapses ``'EI'``, ``'EO'``, ``'IE'``,
        ``'II'``, ``'OE'``, ``'OI'`` (the last four only with ``gaba=True``) and
        ``'drive_E'``, ``'drive_I'``, ``'drive_O'`` (``'septum'`` when enabled); LFP proxy
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
    until it decays; the period is a few ``tau_gaba_fast`` (~25 ms at 5 ms; doubling
    ``tau_gaba_fast`` takes the E-rate gamma from about 40 to 23 Hz). *Theta* is a
    relaxation cycle of the E-O loop (after Rotstein et al. 2005 and Tort et al. 2007,
    who give O-LM cells an h-current; here a slow AHP plays that role): each gamma
    volley depolarises the O cells, which fire together after two to four volleys,
    then (1) silence E (and part of I) through slow dendritic inhibition, GABA_A,slow
    (``tau_gaba_slow``; Banks et al. 2000), and (2) cannot fire again until their AHP
    (``b_o``, ``tau_w_o``) has decayed. The next gamma burst starts when the slow
    inhibition has worn off, so both set the theta period: ``tau_gaba_slow`` 20 ms
    gives ~12 Hz, 40 ms ~8 Hz (longer decays change little, the AHP then limits);
    ``tau_w_o`` 300 ms slows theta to ~7 Hz; ``w_oe = 0`` removes theta. Gamma is
    therefore nested in theta: it occurs in the theta phase between O volleys.

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
    >>> circuit = theta_gamma(n_e=20, n_i=5, n_o=5)
    >>> sorted(circuit.populations)
    ['E', 'I', 'O']
    >>> result = circuit.run(20 * ms, seed=1)
    >>> result.lfp.shape
    (20,)
    """
    _check_rates(params)
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
    others, synapses = [], {}
    for label, group, rate in (("E", exc, rate_e), ("I", pv, rate_i), ("O", olm, rate_o)):
        if float(rate) == 0:
            continue
        source = poisson.group(len(group), name=f"theta_gamma_drive_{label}", rate_0=rate)
        others.append(source)
        synapses[f"drive_{label}"] = ampa_ext.synapses(
            source, group, w=w_drive, condition="i == j", name=f"theta_gamma_drive_{label}_syn"
        )
    if septal_frequency is not None:
        septum = NeuronGroup(
            n_o,
            "",
            threshold="rand() < septal_rate*(1 + cos(2*pi*septal_frequency*t))/2*dt",
            namespace={"septal_rate": septal_rate, "septal_frequency": septal_frequency},
            name="theta_gamma_septum",
        )
        others.append(septum)
        synapses["septum"] = ampa_ext.synapses(
            septum, olm, w=w_drive, condition="i == j", name="theta_gamma_septum_syn"
        )
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
    return CircuitParts(populations=populations, synapses=synapses, others=others, lfp=lfp)


register_network("theta_gamma", theta_gamma)
