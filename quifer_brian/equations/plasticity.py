"""Plasticity rules: pair STDP, triplet STDP, inhibitory STDP, reward-modulated STDP.

All rules keep hard bounds ``0 <= w <= w_max``; their amplitudes are fractions of
``w_max`` (given when the synapses are made, in the weight's units).  Traces are
``event-driven`` (updated exactly at spikes) except where the rule needs a continuous
variable.
"""

from dataclasses import replace

from brian2 import Hz, ms, second

from .model import Parameter
from .plasticity_model import PlasticityModel
from .registry import register

__all__ = [
    "istdp",
    "rstdp",
    "stdp_additive",
    "stdp_multiplicative",
    "triplet_stdp",
    "triplet_stdp_nearest",
]

P = Parameter

_PAIR_TRACES = """
dapre/dt = -apre/tau_plus : 1 (event-driven)
dapost/dt = -apost/tau_minus : 1 (event-driven)
"""
_PAIR_PARAMETERS = (
    P("tau_plus", 20 * ms, "potentiation window (pre before post)", positive=True),
    P("tau_minus", 20 * ms, "depression window (post before pre)", positive=True),
    P("A_plus", 0.005, "potentiation per pair, as a fraction of w_max", positive=True),
    P("A_minus", 0.00525, "depression per pair, as a fraction of w_max", positive=True),
)

stdp_additive = register(
    PlasticityModel(
        name="stdp_additive",
        description="additive pair STDP, all-to-all interactions: dw = +A_plus w_max "
        "exp(-dt/tau_plus) for dt = t_post - t_pre > 0, -A_minus w_max exp(dt/tau_minus) "
        "for dt < 0",
        equations=_PAIR_TRACES,
        parameters=_PAIR_PARAMETERS,
        on_pre="""
        apre += 1
        w = clip(w - A_minus*w_max*apost, 0*w_max, w_max)
        """,
        on_post="""
        apost += 1
        w = clip(w + A_plus*w_max*apre, 0*w_max, w_max)
        """,
        reference="Song, Miller & Abbott 2000, Nat Neurosci 3:919",
    )
)

stdp_multiplicative = register(
    PlasticityModel(
        name="stdp_multiplicative",
        description="multiplicative pair STDP: additive potentiation, depression "
        "proportional to the weight (dw = -A_minus w exp(dt/tau_minus))",
        equations=_PAIR_TRACES,
        parameters=_PAIR_PARAMETERS,
        on_pre="""
        apre += 1
        w = clip(w - A_minus*w*apost, 0*w_max, w_max)
        """,
        on_post="""
        apost += 1
        w = clip(w + A_plus*w_max*apre, 0*w_max, w_max)
        """,
        reference="van Rossum, Bi & Turrigiano 2000, J Neurosci 20:8812",
    )
)

_TRIPLET_TRACES = """
dr1/dt = -r1/tau_plus : 1 (event-driven)
dr2/dt = -r2/tau_x : 1 (event-driven)
do1/dt = -o1/tau_minus : 1 (event-driven)
do2/dt = -o2/tau_y : 1 (event-driven)
"""
# Pfister & Gerstner 2006, visual cortex (Sjostrom et al. 2001), all-to-all *minimal* row:
# A2+ = 0, A3+ = 6.5e-3, A2- = 7.1e-3, A3- = 0, tau_y = 114 ms (the 5e-10 / 6.2e-3 / 7e-3 /
# 125 ms values belong to the *full* row, whose A3- = 2.3e-4).  tau_x is inert when A3- = 0;
# it keeps the full row's 101 ms.
_TRIPLET_PARAMETERS = (
    P("tau_plus", 16.8 * ms, "fast presynaptic trace r1", positive=True),
    P("tau_x", 101 * ms, "slow presynaptic trace r2", positive=True),
    P("tau_minus", 33.7 * ms, "fast postsynaptic trace o1", positive=True),
    P("tau_y", 114 * ms, "slow postsynaptic trace o2", positive=True),
    P("A2_plus", 0.0, "pair potentiation (fraction of w_max)", nonnegative=True),
    P("A3_plus", 6.5e-3, "triplet potentiation (fraction of w_max)", nonnegative=True),
    P("A2_minus", 7.1e-3, "pair depression (fraction of w_max)", nonnegative=True),
    P("A3_minus", 0.0, "triplet depression (fraction of w_max)", nonnegative=True),
)
_TRIPLET_DESCRIPTION = (
    "triplet STDP: pair depression at pre spikes, pair + triplet potentiation at post "
    "spikes (the slow post trace o2 makes potentiation grow with the pairing frequency); "
)

triplet_stdp = register(
    PlasticityModel(
        name="triplet_stdp",
        description=_TRIPLET_DESCRIPTION + "all-to-all interactions, minimal visual-cortex "
        "parameters (A2_plus = A3_minus = 0)",
        equations=_TRIPLET_TRACES,
        parameters=_TRIPLET_PARAMETERS,
        on_pre="""
        w = clip(w - w_max*o1*(A2_minus + A3_minus*r2), 0*w_max, w_max)
        r1 += 1
        r2 += 1
        """,
        on_post="""
        w = clip(w + w_max*r1*(A2_plus + A3_plus*o2), 0*w_max, w_max)
        o1 += 1
        o2 += 1
        """,
        reference="Pfister & Gerstner 2006, J Neurosci 26:9673 (visual-cortex fit, all-to-all "
        "minimal model)",
    )
)

triplet_stdp_nearest = register(
    replace(
        # The visual-cortex nearest-spike *full* row (tau_x = 714 ms, A3- = 3.1e-3): the
        # amplitudes below were that row's with A3- set to 0, a model in no table.
        triplet_stdp.with_params(
            tau_x=714 * ms,
            tau_y=40 * ms,
            A2_plus=8.8e-11,
            A3_plus=5.3e-2,
            A2_minus=6.6e-3,
            A3_minus=3.1e-3,
        ),
        name="triplet_stdp_nearest",
        description=_TRIPLET_DESCRIPTION + "nearest-spike interactions (traces reset to 1), "
        "full visual-cortex parameters",
        on_pre="""
        w = clip(w - w_max*o1*(A2_minus + A3_minus*r2), 0*w_max, w_max)
        r1 = 1
        r2 = 1
        """,
        on_post="""
        w = clip(w + w_max*r1*(A2_plus + A3_plus*o2), 0*w_max, w_max)
        o1 = 1
        o2 = 1
        """,
        reference="Pfister & Gerstner 2006, J Neurosci 26:9673 (visual-cortex fit, "
        "nearest-spike full model)",
    )
)

istdp = register(
    PlasticityModel(
        name="istdp",
        description="inhibitory STDP: symmetric potentiation for near-coincident spikes and "
        "a constant depression per presynaptic spike, driving the postsynaptic rate to rho_0",
        equations="""
        dapre/dt = -apre/tau_stdp : 1 (event-driven)
        dapost/dt = -apost/tau_stdp : 1 (event-driven)
        """,
        parameters=(
            P("tau_stdp", 20 * ms, "width of the symmetric window", positive=True),
            P("eta", 1e-2, "learning rate, as a fraction of w_max", positive=True),
            P("rho_0", 3 * Hz, "target postsynaptic firing rate", positive=True),
        ),
        on_pre="""
        apre += 1
        w = clip(w + eta*w_max*(apost - 2*rho_0*tau_stdp), 0*w_max, w_max)
        """,
        on_post="""
        apost += 1
        w = clip(w + eta*w_max*apre, 0*w_max, w_max)
        """,
        reference="Vogels, Sprekeler, Zenke, Clopath & Gerstner 2011, Science 334:1569",
    )
)

rstdp = register(
    PlasticityModel(
        name="rstdp",
        description="reward-modulated STDP: pair STDP writes an eligibility trace c; the "
        "weight changes at rate c*dopamine/tau_w.  Set the shared variable `dopamine` of "
        "the synapses (by code, run_regularly or another Synapses).  The accumulated change "
        "m is applied (and bounded) at each presynaptic spike, the only time w acts",
        equations="""
        dapre/dt = -apre/tau_plus : 1 (event-driven)
        dapost/dt = -apost/tau_minus : 1 (event-driven)
        dc/dt = -c/tau_c : 1 (clock-driven)
        dm/dt = c*dopamine/tau_w : 1 (clock-driven)
        dopamine : 1 (shared)
        """,
        parameters=(
            P("tau_plus", 20 * ms, "potentiation window", positive=True),
            P("tau_minus", 20 * ms, "depression window", positive=True),
            P("A_plus", 1.0, "eligibility increment per causal pair", positive=True),
            P("A_minus", 1.5, "eligibility decrement per anti-causal pair", positive=True),
            P("tau_c", 1 * second, "eligibility trace decay", positive=True),
            P("tau_w", 250 * second, "weight change time scale (fraction of w_max)", True),
        ),
        on_pre="""
        w = clip(w + w_max*m, 0*w_max, w_max)
        m = 0
        apre += 1
        c -= A_minus*apost
        """,
        on_post="""
        apost += 1
        c += A_plus*apre
        """,
        method="euler",
        reference="Izhikevich 2007, Cereb Cortex 17:2443",
    )
)
