"""The neuron models of the library: LIF, AdEx, Izhikevich, Hodgkin-Huxley types, inputs.

Each model is a :class:`~quifer_brian.equations.neuron_model.NeuronModel`; ``print`` one to
read its equations.  Presets (Izhikevich RS/IB/CH/FS/LTS, AdEx firing patterns of Naud et
al. 2008) are the same model with other parameter values.
"""

from dataclasses import dataclass
from typing import Any

from brian2 import Hz, Mohm, cm2, defaultclock, mS, ms, mV, nA, nS, pA, pF, uF

from ..checks import Constraint
from ..errors import ModelError
from .current_model import CurrentModel
from .model import Parameter
from .neuron_model import NeuronModel
from .registry import register

__all__ = [
    "ADEX_PATTERNS",
    "IZHIKEVICH_PRESETS",
    "MAX_SPIKE_PROBABILITY",
    "adex",
    "izhikevich",
    "lif",
    "lif_cond",
    "ou_current",
    "poisson",
    "traub_miles",
    "wang_buzsaki",
]

P = Parameter

#: A reset at or above the threshold makes the neuron fire at every step after its
#: refractory period, whatever its input (500 Hz with none).
_RESET_BELOW = "or the neuron fires at every step whatever its input"

lif = register(
    NeuronModel(
        name="lif",
        description="leaky integrate-and-fire neuron, current-based inputs",
        equations="""
        dv/dt = (E_L - v + R_m*(I_ext + I_in))/tau_m : volt (unless refractory)
        I_ext : amp
        """,
        parameters=(
            P("tau_m", 20 * ms, "membrane time constant", positive=True),
            P("R_m", 100 * Mohm, "membrane resistance", positive=True),
            P("E_L", -70 * mV, "resting (leak reversal) potential"),
            P("V_th", -50 * mV, "spike threshold"),
            P("V_reset", -60 * mV, "reset potential"),
            P("t_ref", 2 * ms, "absolute refractory period", positive=True),
        ),
        threshold="v > V_th",
        reset="v = V_reset",
        refractory="t_ref",
        initial=(("v", "E_L"),),
        constraints=(Constraint("V_reset", "<", "V_th", _RESET_BELOW),),
        method="exact",
        reference="Lapicque 1907; Gerstner, Kistler, Naud & Paninski 2014, ch. 1.3",
    )
)

lif_cond = register(
    NeuronModel(
        name="lif_cond",
        description="leaky integrate-and-fire neuron with exponential excitatory and "
        "inhibitory conductances g_e, g_i and their reversal potentials",
        equations="""
        dv/dt = (g_L*(E_L - v) + g_e*(E_e - v) + g_i*(E_i - v) + I_ext + I_in)/C_m
            : volt (unless refractory)
        dg_e/dt = -g_e/tau_e : siemens
        dg_i/dt = -g_i/tau_i : siemens
        I_ext : amp
        """,
        parameters=(
            P("C_m", 200 * pF, "membrane capacitance", positive=True),
            P("g_L", 10 * nS, "leak conductance", positive=True),
            P("E_L", -60 * mV, "leak reversal potential"),
            P("V_th", -50 * mV, "spike threshold"),
            P("V_reset", -60 * mV, "reset potential"),
            P("t_ref", 5 * ms, "absolute refractory period", positive=True),
            P("E_e", 0 * mV, "excitatory reversal potential"),
            P("E_i", -80 * mV, "inhibitory reversal potential"),
            P("tau_e", 5 * ms, "excitatory conductance decay", positive=True),
            P("tau_i", 10 * ms, "inhibitory conductance decay", positive=True),
        ),
        threshold="v > V_th",
        reset="v = V_reset",
        refractory="t_ref",
        initial=(("v", "E_L"),),
        constraints=(
            Constraint("V_reset", "<", "V_th", _RESET_BELOW),
            Constraint("E_i", "<", "E_e", "or inhibition excites and excitation inhibits"),
        ),
        method="euler",
        reference="Vogels & Abbott 2005, J Neurosci 25:10786; Brette et al. 2007 (COBA), "
        "J Comput Neurosci 23:349",
    )
)

adex = register(
    NeuronModel(
        name="adex",
        description="adaptive exponential integrate-and-fire neuron (the paper's adaptation "
        "current w is I_w here: w is the synaptic weight of every Synapses)",
        equations="""
        dv/dt = (g_L*(E_L - v) + g_L*Delta_T*exp((v - V_T)/Delta_T) - I_w + I_ext + I_in)/C_m
            : volt
        dI_w/dt = (a*(v - E_L) - I_w)/tau_w : amp
        I_ext : amp
        """,
        parameters=(
            P("C_m", 200 * pF, "membrane capacitance", positive=True),
            P("g_L", 10 * nS, "leak conductance", positive=True),
            P("E_L", -70 * mV, "leak reversal potential"),
            P("V_T", -50 * mV, "threshold slope factor position (rheobase threshold)"),
            P("Delta_T", 2 * mV, "slope factor", positive=True),
            P("a", 2 * nS, "subthreshold adaptation"),
            P("tau_w", 30 * ms, "adaptation time constant", positive=True),
            P("b", 0 * pA, "spike-triggered adaptation"),
            P("V_r", -58 * mV, "reset potential"),
            P("V_peak", 0 * mV, "spike cut-off"),
        ),
        threshold="v > V_peak",
        reset="v = V_r\nI_w += b",
        initial=(("v", "E_L"),),
        constraints=(
            Constraint("V_r", "<", "V_peak", _RESET_BELOW),
            Constraint("V_T", "<", "V_peak", "or the spike is cut before it takes off"),
        ),
        method="euler",
        reference="Brette & Gerstner 2005, J Neurophysiol 94:3637; firing patterns: "
        "Naud, Marcille, Clopath & Gerstner 2008, Biol Cybern 99:335",
    )
)


def _adex_pattern(C, gL, EL, VT, a, tau_w, b, Vr, current):
    """One row of Naud et al. 2008, table 1 (Delta_T = 2 mV), plus its step current."""
    params = dict(
        C_m=C * pF,
        g_L=gL * nS,
        E_L=EL * mV,
        V_T=VT * mV,
        Delta_T=2 * mV,
        a=a * nS,
        tau_w=tau_w * ms,
        b=b * pA,
        V_r=Vr * mV,
    )
    return params, current * pA


#: Naud et al. 2008 (table 1) firing patterns: name -> (parameters, step current).
ADEX_PATTERNS = {
    "tonic": _adex_pattern(200, 10, -70, -50, 2, 30, 0, -58, 500),
    "adapting": _adex_pattern(200, 12, -70, -50, 2, 300, 60, -58, 500),
    "initial_burst": _adex_pattern(130, 18, -58, -50, 4, 150, 120, -50, 400),
    "bursting": _adex_pattern(200, 10, -58, -50, 2, 120, 100, -46, 210),
    "irregular": _adex_pattern(100, 12, -60, -50, -11, 130, 30, -48, 160),
    "transient": _adex_pattern(100, 10, -65, -50, 10, 90, 100, -47, 180),
    "delayed_accelerating": _adex_pattern(200, 12, -70, -50, -10, 300, 0, -58, 300),
    "delayed_bursting": _adex_pattern(100, 10, -65, -50, -10, 90, 30, -47, 110),
}

izhikevich = register(
    NeuronModel(
        name="izhikevich",
        description="Izhikevich simple model (quadratic integrate-and-fire with recovery u); "
        "input currents in pA act as Izhikevich's dimensionless I through C_m = 1 pF",
        equations="""
        dv/dt = (0.04*v**2/mV + 5*v + 140*mV - u)/ms + (I_ext + I_in)/C_m : volt
        du/dt = a*(b*v - u)/ms : volt
        I_ext : amp
        """,
        parameters=(
            P("a", 0.02, "time scale of the recovery variable u (1/ms)", positive=True),
            P("b", 0.2, "sensitivity of u to v"),
            P("c", -65 * mV, "after-spike reset of v"),
            P("d", 8 * mV, "after-spike increment of u"),
            P("V_peak", 30 * mV, "spike cut-off"),
            P("C_m", 1 * pF, "scale turning currents into Izhikevich's units", positive=True),
        ),
        threshold="v >= V_peak",
        reset="v = c\nu += d",
        initial=(("v", "c"), ("u", "b*c")),
        constraints=(Constraint("c", "<", "V_peak", _RESET_BELOW),),
        method="euler",
        reference="Izhikevich 2003, IEEE Trans Neural Netw 14:1569",
    )
)

#: Izhikevich 2003 (fig. 2) cortical cell classes: name -> parameter overrides.
IZHIKEVICH_PRESETS = {
    "RS": dict(a=0.02, b=0.2, c=-65 * mV, d=8 * mV),
    "IB": dict(a=0.02, b=0.2, c=-55 * mV, d=4 * mV),
    "CH": dict(a=0.02, b=0.2, c=-50 * mV, d=2 * mV),
    "FS": dict(a=0.1, b=0.2, c=-65 * mV, d=2 * mV),
    "LTS": dict(a=0.02, b=0.25, c=-65 * mV, d=2 * mV),
}

# Hodgkin-Huxley type models are written with current densities (per cm2) times a
# membrane area, so their inputs are currents in amperes like every other model.  The
# rate functions use exprel(x) = (exp(x) - 1)/x to remove their 0/0 points.
#: What the two Hodgkin-Huxley-type models share: spike detection (and refractoriness) at
#: V_spike, gating variables starting at their steady state, RK4.
_HH_EVENTS: dict[str, Any] = {
    "threshold": "v > V_spike",
    "refractory": "v > V_spike",
    "initial": (
        ("v", "E_L"),
        ("h", "alpha_h/(alpha_h + beta_h)"),
        ("n", "alpha_n/(alpha_n + beta_n)"),
    ),
    "method": "rk4",
    "constraints": (
        Constraint("E_K", "<", "E_Na", "or the sodium and potassium currents swap roles"),
    ),
}
_HH_SIZE_AND_SPIKE = (
    P("area", 1e-4 * cm2, "membrane area (1 uA/cm2 of density = 100 pA)", positive=True),
    P("V_spike", -20 * mV, "spike detection level"),
)

wang_buzsaki = register(
    NeuronModel(
        name="wang_buzsaki",
        description="Wang-Buzsaki fast-spiking interneuron (single-compartment HH)",
        equations="""
        dv/dt = (-(I_Na + I_K + I_L) + (I_ext + I_in)/area)/C_m : volt
        I_Na = g_Na*m_inf**3*h*(v - E_Na) : amp/meter**2
        I_K = g_K*n**4*(v - E_K) : amp/meter**2
        I_L = g_L*(v - E_L) : amp/meter**2
        m_inf = alpha_m/(alpha_m + beta_m) : 1
        alpha_m = 1/exprel(-0.1*(v/mV + 35))/ms : Hz
        beta_m = 4*exp(-(v/mV + 60)/18)/ms : Hz
        dh/dt = phi*(alpha_h*(1 - h) - beta_h*h) : 1
        alpha_h = 0.07*exp(-(v/mV + 58)/20)/ms : Hz
        beta_h = 1/(exp(-0.1*(v/mV + 28)) + 1)/ms : Hz
        dn/dt = phi*(alpha_n*(1 - n) - beta_n*n) : 1
        alpha_n = 0.1/exprel(-0.1*(v/mV + 34))/ms : Hz
        beta_n = 0.125*exp(-(v/mV + 44)/80)/ms : Hz
        I_ext : amp
        """,
        parameters=(
            P("C_m", 1 * uF / cm2, "specific membrane capacitance", positive=True),
            P("g_Na", 35 * mS / cm2, "sodium conductance density", positive=True),
            P("g_K", 9 * mS / cm2, "potassium conductance density", positive=True),
            P("g_L", 0.1 * mS / cm2, "leak conductance density", positive=True),
            P("E_Na", 55 * mV, "sodium reversal potential"),
            P("E_K", -90 * mV, "potassium reversal potential"),
            P("E_L", -65 * mV, "leak reversal potential"),
            P("phi", 5.0, "temperature factor of the h and n kinetics", positive=True),
            *_HH_SIZE_AND_SPIKE,
        ),
        **_HH_EVENTS,
        dt=0.05 * ms,
        reference="Wang & Buzsaki 1996, J Neurosci 16:6402",
    )
)

traub_miles = register(
    NeuronModel(
        name="traub_miles",
        description="reduced Traub-Miles pyramidal cell (instantaneous m) used for PING",
        equations="""
        dv/dt = (-(I_Na + I_K + I_L) + (I_ext + I_in)/area)/C_m : volt
        I_Na = g_Na*m_inf**3*h*(v - E_Na) : amp/meter**2
        I_K = g_K*n**4*(v - E_K) : amp/meter**2
        I_L = g_L*(v - E_L) : amp/meter**2
        m_inf = alpha_m/(alpha_m + beta_m) : 1
        alpha_m = 1.28/exprel(-(v/mV + 54)/4)/ms : Hz
        beta_m = 1.4/exprel((v/mV + 27)/5)/ms : Hz
        dh/dt = alpha_h*(1 - h) - beta_h*h : 1
        alpha_h = 0.128*exp(-(v/mV + 50)/18)/ms : Hz
        beta_h = 4/(1 + exp(-(v/mV + 27)/5))/ms : Hz
        dn/dt = alpha_n*(1 - n) - beta_n*n : 1
        alpha_n = 0.16/exprel(-(v/mV + 52)/5)/ms : Hz
        beta_n = 0.5*exp(-(v/mV + 57)/40)/ms : Hz
        I_ext : amp
        """,
        parameters=(
            P("C_m", 1 * uF / cm2, "specific membrane capacitance", positive=True),
            P("g_Na", 100 * mS / cm2, "sodium conductance density", positive=True),
            P("g_K", 80 * mS / cm2, "potassium conductance density", positive=True),
            P("g_L", 0.1 * mS / cm2, "leak conductance density", positive=True),
            P("E_Na", 50 * mV, "sodium reversal potential"),
            P("E_K", -100 * mV, "potassium reversal potential"),
            P("E_L", -67 * mV, "leak reversal potential"),
            *_HH_SIZE_AND_SPIKE,
        ),
        **_HH_EVENTS,
        dt=0.02 * ms,
        reference="Ermentrout & Kopell 1998, PNAS 95:1259; Borgers & Kopell 2003, "
        "Neural Comput 15:509; Borgers, Epstein & Kopell 2005, PNAS 102:7002",
    )
)

#: Largest ``rate*dt`` of the :data:`poisson` source: one Bernoulli draw per step gives
#: counts of variance ``p (1 - p)`` (Fano factor ``1 - p``; a Poisson count has ``p``)
#: and saturates at ``1/dt``; at 0.1 the variance is within 10% of Poisson's.
MAX_SPIKE_PROBABILITY = 0.1


@dataclass(frozen=True)
class _BernoulliSource(NeuronModel):
    """A neuron model that fires with probability ``rate*dt`` per step: refuses high rates."""

    def group(self, n, name=None, currents=(), method=None, dt=None, as_variables=(), **params):
        step = dt if dt is not None else (self.dt if self.dt is not None else defaultclock.dt)
        rate = self.namespace(**params)["rate_0"]
        probability = float(rate * step)
        if not 0 <= probability <= MAX_SPIKE_PROBABILITY:
            raise ModelError(
                owner=f"{self.name}.group",
                argument="rate_0",
                value=rate,
                problem=f"must be >= 0 with rate_0*dt <= {MAX_SPIKE_PROBABILITY:g} (one "
                f"Bernoulli draw per step of dt = {step} carries rates up to "
                f"{MAX_SPIKE_PROBABILITY / step}; above it the counts lose their Poisson "
                f"variance and saturate at 1/dt = {1 / step})",
                fix="Drive the targets with Poisson counts per step instead "
                "('g += w*poisson(rate*dt)' in a run_regularly, as brunel does), "
                "or reduce dt.",
            )
        return super().group(n, name, currents, method, dt, as_variables, **params)


poisson = register(
    _BernoulliSource(
        name="poisson",
        description="Poisson spike source with a per-neuron rate (a NeuronGroup, so rates "
        "can be changed between standalone runs and used in expressions); one Bernoulli "
        "draw per step, so rate*dt must stay <= 0.1",
        equations="rate : Hz",
        parameters=(P("rate_0", 10 * Hz, "initial firing rate of every neuron"),),
        threshold="rand() < rate*dt",
        initial=(("rate", "rate_0"),),
        method="euler",
        reference="Dayan & Abbott 2001, ch. 1.4",
    )
)

tonic_current = register(
    CurrentModel(
        name="tonic_current",
        description="constant drive with a fixed per-neuron gain: I = I_0 * gain, gains "
        "uniform in [1 - spread, 1 + spread]; I_0 can be a shared variable "
        "(as_variables) so a compiled network reruns at another drive",
        equations="I = I_0*gain : amp\ngain : 1 (constant)",
        parameters=(
            P("I_0", 0 * nA, "mean drive"),
            P(
                "spread",
                0.0,
                "relative half-width of the uniform spread of the gains",
                nonnegative=True,
            ),
        ),
        output="I",
        initial=(("gain", "1 + spread*(2*rand() - 1)"),),
        reference="Borgers & Kopell 2003, Neural Comput 15:509 (heterogeneous drive)",
    )
)

ou_current = register(
    CurrentModel(
        name="ou_current",
        description="Ornstein-Uhlenbeck noisy input current with mean mu and standard "
        "deviation sigma (stationary), correlation time tau",
        equations="dI/dt = (mu - I)/tau + sigma*sqrt(2/tau)*xi : amp",
        parameters=(
            P("mu", 0 * nA, "mean current"),
            P("sigma", 0.1 * nA, "stationary standard deviation", positive=True),
            P("tau", 5 * ms, "correlation time", positive=True),
        ),
        output="I",
        initial=(("I", "mu"),),
        stochastic=True,
        method="euler",
        reference="Uhlenbeck & Ornstein 1930; Destexhe et al. 2001, Neuroscience 107:13",
    )
)
