"""Synaptic currents: delta, exponential, alpha and bi-exponential kernels; AMPA, NMDA, GABA.

Every kernel exists current-based (the kernel *is* the current) and conductance-based
(``I = g*(E - v)``).  Kernels are linear, so they live in the postsynaptic neuron (one
state per neuron, not per synapse) and every presynaptic spike increments them; the
receptor presets are the generic kernels with published time constants and reversal
potentials.  Kernels are normalised so that one spike of weight ``w`` peaks at ``w``.
"""

import numpy as np
from brian2 import Quantity, mM, ms, mV

from .current_model import CurrentModel
from .model import Parameter
from .registry import register

__all__ = [
    "alpha_cond",
    "alpha_current",
    "ampa",
    "biexp_cond",
    "biexp_current",
    "delta",
    "exp_cond",
    "exp_current",
    "gaba_a",
    "gaba_b",
    "nmda",
    "peak_time_biexp",
]

P = Parameter

# Kernel dynamics of the variable {s} (a current or a conductance), its increment per
# spike, and its time constants.  Peak normalisation:
#   alpha:  s(t) = w (t/tau) e^(1 - t/tau), peak w at t = tau
#   biexp:  s(t) = w norm tau_r/(tau_d - tau_r) (e^(-t/tau_d) - e^(-t/tau_r)),
#           peak w at t_peak = tau_r tau_d/(tau_d - tau_r) ln(tau_d/tau_r)
_KERNELS = {
    "exp": (
        "d{s}/dt = -{s}/tau : {unit}",
        "{s} += w",
        (P("tau", 5 * ms, "decay time constant", positive=True),),
    ),
    "alpha": (
        "d{s}/dt = (x - {s})/tau : {unit}\ndx/dt = -x/tau : {unit}",
        "x += w*exp(1)",
        (P("tau", 5 * ms, "time to peak (= decay time constant)", positive=True),),
    ),
    "biexp": (
        "d{s}/dt = (x - {s})/tau_d : {unit}\n"
        "dx/dt = -x/tau_r : {unit}\n"
        "t_peak = tau_r*tau_d/(tau_d - tau_r)*log(tau_d/tau_r) : second (constant over dt)\n"
        "norm = (tau_d - tau_r)/tau_r/(exp(-t_peak/tau_d) - exp(-t_peak/tau_r))"
        " : 1 (constant over dt)",
        "x += w*norm",
        (
            P("tau_r", 1 * ms, "rise time constant", positive=True),
            P("tau_d", 5 * ms, "decay time constant (> tau_r)", positive=True),
        ),
    ),
}
_REVERSAL = P("E", 0 * mV, "reversal potential")
# Magnesium block of NMDA receptors (Jahr & Stevens 1990).
_MG_BLOCK = "B = 1/(1 + Mg/(3.57*mM)*exp(-0.062*v/mV)) : 1"


def _kernel_model(kernel, conductance, name, description, reference, mg_block=False, **defaults):
    dynamics, increment, parameters = _KERNELS[kernel]
    if conductance:
        equations = dynamics.format(s="g", unit="siemens") + "\nI = g*(E - v) : amp"
        increment = increment.format(s="g")
        parameters = (*parameters, _REVERSAL)
    else:
        equations = dynamics.format(s="I", unit="amp")
        increment = increment.format(s="I")
    if mg_block:
        equations = equations.replace("I = g*(E - v)", "I = g*(E - v)*B")
        equations += "\n" + _MG_BLOCK
        parameters = (
            *parameters,
            P("Mg", 1 * mM, "extracellular magnesium concentration", nonnegative=True),
        )
    model = CurrentModel(
        name=name,
        description=description,
        equations=equations,
        parameters=parameters,
        output="I",
        on_pre=increment,
        reference=reference,
    )
    return register(model.with_params(**defaults) if defaults else model)


delta = register(
    CurrentModel(
        name="delta",
        description="delta synapse: a presynaptic spike adds w to a variable of the target "
        "(v by default; choose with on='g_e' etc.)",
        equations="",
        parameters=(),
        output="",
        on_pre="x += w",
        reference="Brunel 2000, J Comput Neurosci 8:183",
    )
)

_GENERIC = "Dayan & Abbott 2001, ch. 5.8; Roth & van Rossum 2009, in Computational Modeling "
_GENERIC += "Methods for Neuroscientists, ch. 6"
exp_current = _kernel_model("exp", False, "exp_current", "exponential current", _GENERIC)
exp_cond = _kernel_model("exp", True, "exp_cond", "exponential conductance", _GENERIC)
alpha_current = _kernel_model("alpha", False, "alpha_current", "alpha-function current", _GENERIC)
alpha_cond = _kernel_model("alpha", True, "alpha_cond", "alpha-function conductance", _GENERIC)
biexp_current = _kernel_model(
    "biexp", False, "biexp_current", "bi-exponential current (rise and decay)", _GENERIC
)
biexp_cond = _kernel_model(
    "biexp", True, "biexp_cond", "bi-exponential conductance (rise and decay)", _GENERIC
)

ampa = _kernel_model(
    "exp",
    True,
    "ampa",
    "AMPA receptor: fast excitatory exponential conductance",
    "Destexhe, Mainen & Sejnowski 1998, in Methods in Neuronal Modeling, ch. 1; "
    "Mazzoni et al. 2015, PLoS Comput Biol 11:e1004584",
    tau=2 * ms,
    E=0 * mV,
)
gaba_a = _kernel_model(
    "exp",
    True,
    "gaba_a",
    "GABA_A receptor: fast inhibitory exponential conductance",
    "Destexhe, Mainen & Sejnowski 1998; Borgers & Kopell 2003, Neural Comput 15:509",
    tau=5 * ms,
    E=-80 * mV,
)
gaba_b = _kernel_model(
    "biexp",
    True,
    "gaba_b",
    "GABA_B receptor: slow inhibitory bi-exponential conductance",
    "Destexhe, Mainen & Sejnowski 1998 (simplified to a linear bi-exponential)",
    tau_r=30 * ms,
    tau_d=150 * ms,
    E=-95 * mV,
)
# NMDA: the conductance is multiplied by the magnesium block
# B(v) = 1 / (1 + [Mg2+]/3.57 mM * exp(-0.062 v/mV)).
nmda = _kernel_model(
    "biexp",
    True,
    "nmda",
    "NMDA receptor: slow excitatory bi-exponential conductance with Mg2+ block",
    "Jahr & Stevens 1990, J Neurosci 10:3178; Destexhe, Mainen & Sejnowski 1998",
    mg_block=True,
    tau_r=2 * ms,
    tau_d=100 * ms,
    E=0 * mV,
)


def peak_time_biexp(tau_r: Quantity | float, tau_d: Quantity | float) -> Quantity | float:
    """Closed-form peak time of the bi-exponential kernel.

    Notes
    -----
    t_peak = tau_r tau_d / (tau_d - tau_r) * ln(tau_d / tau_r)

    Examples
    --------
    >>> from brian2 import ms
    >>> print(round(float(peak_time_biexp(1 * ms, 5 * ms) / ms), 3))
    2.012
    """
    return tau_r * tau_d / (tau_d - tau_r) * np.log(tau_d / tau_r)
