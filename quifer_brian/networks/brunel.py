"""Brunel (2000): the sparse E/I network of delta-synapse LIF neurons and its four states.

:func:`brunel` builds the model A network of Brunel (2000): N_E excitatory and
N_I = N_E / 4 inhibitory leaky integrate-and-fire neurons, each receiving exactly
C_E = epsilon N_E excitatory and C_I = epsilon N_I inhibitory recurrent inputs (delta
synapses, J and -g J, delay D) and C_E independent Poisson inputs at nu_ext.  Depending
on the relative inhibition g and the external drive eta = nu_ext / nu_thr the network
is synchronous regular (SR), asynchronous irregular (AI), or synchronous irregular with
a fast or a slow population rhythm (SI fast / SI slow); :data:`BRUNEL_STATES` holds the
four points of Brunel's figure 8.

g and eta are tunable: ``circuit.run_values(g=6, eta=4)`` gives the values that move a
compiled cpp_standalone program to another point of the (g, eta) plane without
recompiling (``BackendSession.rerun``, the build cache).
"""

from typing import Any

import numpy as np
from brian2 import Hz, Synapses, TimedArray, ms, mV, second

from ..equations import lif
from ..errors import CircuitError
from .circuit import Circuit, CircuitParts
from .params import Constraint, Param, ParamTable, Target
from .registry import register_network

__all__ = [
    "BRUNEL",
    "BRUNEL_STATES",
    "brunel",
    "threshold_rate",
]

#: Brunel (2000) figure 8: state -> (g, nu_ext/nu_thr, description).
BRUNEL_STATES = {
    "A": (3.0, 2.0, "synchronous regular (SR)"),
    "B": (6.0, 4.0, "synchronous irregular, fast rhythm (SI fast)"),
    "C": (5.0, 2.0, "asynchronous irregular (AI; weakly synchronous at finite N)"),
    "D": (4.5, 0.9, "synchronous irregular, slow rhythm (SI slow)"),
}

#: The library's delta synapse (``v += w``), ignored while the target is refractory
#: (Brunel 2000: a refractory neuron is insensitive to its inputs).
_ON_PRE = "v_post += w*int(not_refractory_post)"

_OWNER = "brunel"


def threshold_rate(V_th=20 * mV, J=0.1 * mV, C_E=1000, tau_m=20 * ms):
    """Return nu_thr = V_th / (J C_E tau_m), the external rate that just reaches threshold.

    Examples
    --------
    >>> print(threshold_rate())
    10. Hz
    """
    return V_th / (J * C_E * tau_m)


def _inhibitory_weight(g, params):
    """The weight -g J of the inhibitory projections."""
    return -g * params["J"]


def _external_rate(eta, params):
    """nu_ext = eta nu_thr, the rate of each of the C_E external Poisson inputs."""
    return eta * threshold_rate(
        V_th=params["V_th"], J=params["J"], C_E=params["C_E"], tau_m=params["tau_m"]
    )


#: The parameters of :func:`brunel`; ``nu_ext`` (in ``circuit.params``) follows eta.
BRUNEL = ParamTable(
    _OWNER,
    [
        Param(
            "g",
            5.0,
            "number",
            ">= 0",
            "relative strength of inhibition (inhibitory weight -g J)",
            tunable=True,
            target=[Target("IE", "w", _inhibitory_weight), Target("II", "w", _inhibitory_weight)],
        ),
        Param(
            "eta",
            2.0,
            "number",
            ">= 0",
            "external drive nu_ext / nu_thr",
            tunable=True,
            target=Target("nu_ext", "values", _external_rate),
        ),
        Param("scale", 1.0, "number", "(0, 1]", "fraction of the full network size"),
        Param("n_e", 10000, "count", ">= 4", "number of E neurons at full scale"),
        Param("epsilon", 0.1, "number", "(0, 1]", "connection probability at full scale"),
        Param("J", 0.1 * mV, mV, "> 0", "jump of v caused by one excitatory spike"),
        Param("delay", 1.5 * ms, ms, "> 0", "transmission delay D of every synapse"),
        Param("tau_m", 20 * ms, ms, "> 0", "membrane time constant"),
        Param("V_th", 20 * mV, mV, "> 0", "threshold, relative to rest"),
        Param("V_reset", 10 * mV, mV, None, "reset, relative to rest (< V_th)"),
        Param("t_ref", 2 * ms, ms, "> 0", "absolute refractory period"),
        Param("dt", 0.1 * ms, ms, "> 0", "time step (<= delay)"),
    ],
    derived_tunable=("nu_ext",),
    constraints=[
        Constraint("V_reset", "<", "V_th", "or the neurons fire at every step"),
        Constraint("delay", ">=", "dt", "or the spikes arrive within the step they leave"),
    ],
    size=lambda p: (
        1.25 * p["scale"] * p["n_e"],
        1.25 * p["scale"] * p["n_e"] * 1.25 * p["epsilon"] * p["n_e"],
    ),
)


def _check_brunel(g, eta, scale, n_e, epsilon, J, delay, tau_m, V_th, V_reset, t_ref, dt):
    """The checks of sizes and in-degrees; returns ``(N_E, N_I, C_E, C_I)``.

    (``V_reset < V_th`` and ``delay >= dt`` are constraints of :data:`BRUNEL`.)
    """
    c_e = round(epsilon * n_e)
    c_i = round(epsilon * n_e / 4)
    n_exc = round(scale * n_e)
    n_inh = round(scale * n_e / 4)
    if c_i < 1:
        raise CircuitError(
            f"{_OWNER}.epsilon: leaves C_I = {c_i} inhibitory inputs per neuron "
            f"(epsilon n_e / 4 with n_e = {n_e}); got {epsilon!r}. Raise epsilon or n_e."
        )
    if n_exc < c_e or n_inh < c_i:
        smallest = max(c_e / n_e, 4 * c_i / n_e)
        raise CircuitError(
            f"{_OWNER}.scale: leaves N_E = {n_exc} and N_I = {n_inh} neurons, fewer than "
            f"the fixed in-degrees C_E = {c_e}, C_I = {c_i}; got {scale!r}. Use "
            f"scale >= {smallest:g} (the in-degrees must stay fixed to keep the state)."
        )
    return n_exc, n_inh, c_e, c_i


@BRUNEL.builder
def brunel(**params: Any) -> Circuit:
    r"""Sparse E/I network of Brunel (2000), model A, with fixed in-degrees.

    Parameters
    ----------
    g : float
        Relative strength of inhibition (>= 0): an inhibitory synapse has weight
        ``-g J``.  Balance of the recurrent input at g = 4 (C_I = C_E / 4).
    eta : float
        External drive nu_ext / nu_thr (>= 0), with nu_thr = V_th / (J C_E tau_m) the
        external rate that brings the mean membrane potential to threshold
        (10 Hz at the defaults).
    scale : float
        Fraction of the full network size, in (0, 1]: N_E = scale n_e, N_I = N_E / 4.
        The in-degrees C_E and C_I stay fixed (shrinking them changes the state), so
        scale must leave N_E >= C_E.  0.25 (3125 neurons) still separates the four
        states of figure 8.
    n_e : int
        Number of E neurons at full scale (N_I = n_e / 4).
    epsilon : float
        Connection probability at full scale, in (0, 1]: C_E = epsilon n_e,
        C_I = epsilon n_e / 4.
    J : brian2.Quantity (volt)
        Jump of v caused by one excitatory spike (> 0).
    delay : brian2.Quantity (second)
        Transmission delay D of every recurrent synapse (> 0).
    tau_m : brian2.Quantity (second)
        Membrane time constant (> 0).
    V_th, V_reset : brian2.Quantity (volt)
        Threshold theta (> 0) and reset V_r (< V_th), relative to rest (E_L = 0 mV).
    t_ref : brian2.Quantity (second)
        Absolute refractory period (> 0); inputs arriving during it are ignored.
    dt : brian2.Quantity (second)
        Time step (> 0, at most ``delay``).

    Returns
    -------
    Circuit
        Populations ``'E'`` and ``'I'``; synapses ``'EE'``, ``'EI'``, ``'IE'``, ``'II'``
        (source first); no LFP proxy (delta synapses carry no current: the population
        rate is the observable).  ``circuit.params`` also holds the derived
        ``N_E``, ``N_I``, ``C_E``, ``C_I`` and ``nu_ext``.

    Notes
    -----
    Every neuron (:data:`~quifer_brian.equations.lif` with E_L = 0, R_m I = 0) obeys
    ``tau_m dv/dt = -v + RI(t)`` with
    ``RI(t) = tau_m sum_j J_j sum_k delta(t - t_j^k - D)``: each presynaptic spike
    makes v jump by J (excitatory) or -g J (inhibitory) after D, and each of the C_E
    external Poisson inputs at ``nu_ext = eta nu_thr`` by J.  A spike at v > V_th resets
    v to V_reset for t_ref.  The external input is drawn per neuron and step as
    ``J Poisson(C_E nu_ext dt)`` (the sum of C_E independent Poisson trains).

    The diffusion approximation gives the mean and variance of the input (Brunel 2000,
    eq. 4): ``mu = C_E J tau_m (nu_ext + nu (1 - g/4))``,
    ``sigma^2 = J^2 C_E tau_m (nu_ext + nu (1 + g^2/4))``.  For g < 4 excitation
    dominates and the network fires near saturation, almost regularly (SR); for g > 4
    the mean input stays below threshold and the cells fire irregularly.  This
    asynchronous irregular state (AI) becomes unstable at strong drive to a fast
    population oscillation with a period of a few delays D (SI fast; about 175 Hz at
    D = 1.5 ms), and at weak drive near g = 4 to a slow one (SI slow).  At the AI point
    C of figure 8 (g = 5, eta = 2) a damped fast oscillation remains, even at full
    scale: the cells are irregular but their CV stays below 1.

    References
    ----------
    Brunel (2000) Dynamics of sparsely connected networks of excitatory and inhibitory
    spiking neurons. J Comput Neurosci 8:183.
    Brunel & Hakim (1999) Fast global oscillations in networks of integrate-and-fire
    neurons with low firing rates. Neural Comput 11:1621.

    Examples
    --------
    >>> from brian2 import ms
    >>> circuit = brunel(g=5, eta=2, scale=0.1, epsilon=0.01)
    >>> circuit.params["N_E"], circuit.params["C_E"], circuit.params["C_I"]
    (1000, 100, 25)
    >>> result = circuit.run(20 * ms, seed=1)
    >>> result.sizes
    {'E': 1000, 'I': 250}
    """
    n_exc, n_inh, c_e, c_i = _check_brunel(**params)
    params.update(N_E=n_exc, N_I=n_inh, C_E=c_e, C_I=c_i)
    params["nu_ext"] = _external_rate(params["eta"], params)
    return Circuit("brunel", _construct, params, table=BRUNEL)


def _construct(g, J, delay, tau_m, V_th, V_reset, t_ref, dt, N_E, N_I, C_E, C_I, nu_ext, **_):
    # scale, n_e, epsilon and eta are implied by the sizes, in-degrees and nu_ext
    neuron = lif.with_params(E_L=0 * mV, V_th=V_th, V_reset=V_reset, tau_m=tau_m, t_ref=t_ref)
    # The external rate lives in a one-value TimedArray (constant in time) so that a
    # compiled standalone project can change it through run_args (see BRUNEL's eta target).
    drive = TimedArray(np.array([float(nu_ext / Hz)]) * Hz, dt=1 * second, name="brunel_nu_ext")
    populations = {}
    for label, size in (("E", N_E), ("I", N_I)):
        group = neuron.group(size, name=f"brunel_{label}", dt=dt)
        group.v = "rand()*V_th"
        group.namespace.update({"J_ext": J, "C_ext": C_E, "nu_ext": drive})
        # C_E independent Poisson trains = one Poisson count per step; ignored while
        # refractory; applied in the synapses slot, as the recurrent spikes.
        group.run_regularly(
            "v += J_ext*poisson(C_ext*nu_ext(t)*dt)*int(not_refractory)",
            when="synapses",
            name=f"brunel_external_{label}",
        )
        populations[label] = group
    synapses = {}
    for source, in_degree, weight in (("E", C_E, J), ("I", C_I, -g * J)):
        for target in ("E", "I"):
            synapses[source + target] = _fixed_in_degree(
                populations[source], populations[target], weight, in_degree, delay
            )
    return CircuitParts(populations=populations, synapses=synapses)


def _fixed_in_degree(source, target, weight, in_degree, delay):
    """Delta synapses onto ``v``: each target neuron gets exactly ``in_degree`` sources.

    The projection is the library's :data:`~quifer_brian.equations.delta` synapse (a
    spike adds ``w`` to ``v``), gated by refractoriness as in Brunel (2000), written out
    here because ``CurrentModel.synapses`` connects by probability only; ``w`` is one
    shared constant per projection, so that ``run_args`` can change it.
    """
    synapses = Synapses(
        source,
        target,
        model="w : volt (shared, constant)",
        on_pre=_ON_PRE,
        delay=delay,
        dt=target.clock.dt,
        namespace={},
        name=f"{source.name}{target.name[len('brunel_') :]}",
    )
    # For each target j, ``in_degree`` distinct sources drawn without replacement.
    synapses.connect(i=f"k for k in sample(N_pre, size={in_degree})")
    synapses.w = weight
    return synapses


register_network("brunel", brunel)
