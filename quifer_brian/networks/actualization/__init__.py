"""The spiking actualization loop: a noisy cue settles into a stored archetype.

Modules, lower layers first: :mod:`.layout` (where each feature cell sits and what it
prefers), :mod:`.checks` (argument checks), :mod:`.models` (the loop's neuron and current
models), :mod:`.construct` (the Brian2 objects), :mod:`.readout` (decoding and results),
:mod:`.imprint` (archetypes grown by plasticity), :mod:`.loop` (the public builder) and
:mod:`.continuous` (the continuous reference); :mod:`.batch` registers the loop as a
circuit builder (``actualization``: random archetypes, noisy cues) for the command line
and sweeps.
"""

from .batch import actualization
from .continuous import continuous_loop, settling_times
from .imprint import ImprintResult, weight_ratio
from .loop import ActualizationLoop, actualization_loop, random_archetypes
from .readout import ActualizationResult, decode_states

__all__ = [
    "ActualizationLoop",
    "ActualizationResult",
    "ImprintResult",
    "actualization",
    "actualization_loop",
    "continuous_loop",
    "decode_states",
    "random_archetypes",
    "settling_times",
    "weight_ratio",
]
