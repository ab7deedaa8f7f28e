"""The models of the actualization loop: library models extended, and its own currents.

Neurons: :data:`~quifer_brian.equations.lif` extended (:meth:`Model.extended
<quifer_brian.equations.model.Model.extended>`) with a short-term-depressing output
resource, the feature cells' preferred value and force schedule, the memory cells'
archetype values, or (imprint) the variables the imprint reads.  Currents: the tuned cue
and focus, the jitter summed in from its sources, and the imprint's presented pattern and
teacher.  The jitter sources are a plain group (:data:`JITTER_SOURCE`).
"""

from brian2 import ms, pA

from ...equations import lif
from ...equations.current_model import CurrentModel
from ...equations.model import Parameter

__all__ = [
    "CUE",
    "FEATURE_LIF",
    "FOCUS",
    "IMPRINT_FEATURE_LIF",
    "IMPRINT_MEMORY_LIF",
    "JITTER",
    "JITTER_CONSTANTS",
    "JITTER_SOURCE",
    "JITTER_STEP",
    "PRESENTED",
    "TEACHER",
    "depressing_lif",
    "memory_lif",
]

P = Parameter

#: Time per step of the continuous loop that the jitter's decay counts in.
JITTER_STEP = 10 * ms

# ------------------------------------------------------------------------ neurons
#: Per-presynaptic-cell short-term depression (Tsodyks & Markram 1997): the resource
#: x_d recovers with tau_d; a spike transmits U_d x_d (read by the synapses before the
#: reset) and uses that fraction up.
DEPRESSION = "dx_d/dt = (1 - x_d)/tau_d : 1"
DEPRESSION_PARAMETERS = (
    P("tau_d", 100 * ms, "recovery time of the synaptic resource", positive=True),
    P("U_d", 0.3, "fraction of the resource a spike uses", positive=True),
)


def depressing_lif(name, equations="", parameters=()):
    """:data:`~quifer_brian.equations.lif` with a depressing output resource ``x_d`` (and
    ``equations`` and ``parameters`` more)."""
    return lif.extended(
        name,
        DEPRESSION + "\n" + equations,
        (*DEPRESSION_PARAMETERS, *parameters),
        description="leaky integrate-and-fire neuron with a short-term-depressing output "
        "resource x_d (Tsodyks-Markram, per presynaptic cell)",
        reset="v = V_reset\nx_d -= U_d*x_d",
        initial=(*lif.initial, ("x_d", "1")),
        method="euler",
        reference=lif.reference + "; Tsodyks & Markram 1997, PNAS 94:719",
    )


#: Feature cells: preferred value, dimension, their trial's cue onset t_on, and the
#: force schedule (shared by the focus current and the M->F synapses): s(t) ramps
#: 0 -> 1 over t_ramp after the cue (``scheduled = 1``) or is 1 from the onset on
#: (``scheduled = 0``); the field gain is 1 - release s.
FEATURE_EQUATIONS = """
pref : 1 (constant)
dimension : integer (constant)
t_on : second (constant)
schedule = scheduled*clip((t - t_on - t_cue)/t_ramp, 0, 1) + (1 - scheduled)*int(t >= t_on) : 1
field = 1 - release*schedule : 1
scheduled : 1 (shared, constant)
release : 1 (shared, constant)
"""
SCHEDULE_PARAMETERS = (
    P("t_cue", 40 * ms, "duration of the cue (the schedule starts after it)", positive=True),
    P("t_ramp", 200 * ms, "duration of the schedule's ramp", positive=True),
)
#: The feature cells of the loop (layer F).
FEATURE_LIF = depressing_lif("feature_lif", FEATURE_EQUATIONS, SCHEDULE_PARAMETERS)


def memory_lif(n_dims):
    """The memory cells of the loop (layer M): depressing, with the value ``a_<d>`` of
    their assembly's archetype in every dimension ``d``."""
    return depressing_lif("memory_lif", "\n".join(f"a_{d} : 1 (constant)" for d in range(n_dims)))


#: The imprint's feature cells: preferred value and dimension, no depression.
IMPRINT_FEATURE_LIF = lif.extended(
    "lif_feature", "pref : 1 (constant)\ndimension : integer (constant)"
)
#: The imprint's memory cells: the assembly they belong to.
IMPRINT_MEMORY_LIF = lif.extended("lif_memory", "assembly : integer (constant)")


# ------------------------------------------------------------------------ currents
def tuned_current(name, gain, description):
    """A current ``I_peak * gain * exp(-(pref - value)^2 / 2 width^2)`` toward ``value``."""
    return CurrentModel(
        name=name,
        description=description,
        equations=f"I = I_peak*{gain}*exp(-(pref - value)**2/(2*width**2)) : amp\n"
        "value : 1 (constant)",
        parameters=(
            P("I_peak", 0 * pA, "peak current (into the cell preferring the value)"),
            P("width", 0.05, "tuning width (value units)", positive=True),
            P("t_cue", 40 * ms, "duration of the cue", positive=True),
        ),
        output="I",
        initial=(("value", "0.5"),),
        reference="Ben-Yishai, Bar-Or & Sompolinsky 1995 (tuned input to a feature map)",
    )


#: The cue: the initial state, a brief tuned input from the trial's onset t_on.
CUE = tuned_current(
    "cue", "int(t >= t_on)*int(t < t_on + t_cue)", "the initial state, a brief input at t_on"
)
#: The focus: a tuned top-down input toward the target, its gain the force schedule.
FOCUS = tuned_current("focus", "schedule", "top-down focus toward the target, scheduled")
#: The jitter current of a memory cell (summed in from its assembly's source).
JITTER = CurrentModel(
    name="jitter",
    description="annealed jitter: the current of the memory assembly's jitter source "
    "(summed in from actualization_J)",
    equations="I : amp",
    parameters=(),
    output="I",
    reference="Kirkpatrick, Gelatt & Vecchi 1983 (annealing)",
)
#: A jitter source per memory assembly: an Ornstein-Uhlenbeck variable z (unit variance,
#: correlation time tau_jitter) times the annealed gain A exp(-rate u/step) (harmonic = 0)
#: or A/(1 + u/step) (harmonic = 1), u = t - t_on from its trial's cue onset on (0 before:
#: a negative u made 1/(1 + u/step) infinite one step before the onset and exp(-rate u/step)
#: overflow long before it, and infinity times int(...) = 0 is NaN).
#: Every cell of the assembly receives sigma*z.
JITTER_SOURCE = """
dz/dt = -z/tau_jitter + sqrt(2/tau_jitter)*xi : 1
u = (t - t_on)*int(t >= t_on) : second
sigma = A*int(t >= t_on)*(harmonic/(1 + u/step) + (1 - harmonic)*exp(-rate*u/step)) : amp
t_on : second (constant)
A : amp (shared, constant)
rate : 1 (shared, constant)
harmonic : 1 (shared, constant)
"""
JITTER_CONSTANTS = {"tau_jitter": 5 * ms, "step": JITTER_STEP}

#: The imprint's presented pattern: the loop's tuned cue, its value read from the schedule.
PRESENTED = CurrentModel(
    name="presented",
    description="the presented (noisy) pattern, a tuned current toward shown(t, dimension) "
    "on for the first duty fraction of each presentation",
    equations="I = I_peak*int(t/period - floor(t/period) < duty)"
    "*exp(-(pref - shown(t, dimension))**2/(2*width**2)) : amp",
    parameters=(
        P("I_peak", 250 * pA, "peak current (into the cell preferring the value)"),
        P("width", 0.05, "tuning width (value units)", positive=True),
        P("period", 100 * ms, "duration of one presentation", positive=True),
        P("duty", 0.8, "fraction of a presentation with the input on", positive=True),
    ),
    output="I",
    reference="Ben-Yishai, Bar-Or & Sompolinsky 1995 (tuned input to a feature map)",
)
#: The imprint's label: a teacher current into the assembly of the presented pattern.
TEACHER = CurrentModel(
    name="teacher",
    description="supervision: a current into the memory assembly of the presented pattern",
    equations="I = I_peak*int(t/period - floor(t/period) < duty)"
    "*int(abs(assembly - label(t)) < 0.5) : amp",
    parameters=(
        P("I_peak", 200 * pA, "teacher current"),
        P("period", 100 * ms, "duration of one presentation", positive=True),
        P("duty", 0.8, "fraction of a presentation with the input on", positive=True),
    ),
    output="I",
    reference="Hebb 1949; teacher forcing (Williams & Zipser 1989)",
)
