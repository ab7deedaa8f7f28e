"""The model library: neurons, synaptic currents and plasticity rules as named objects.

``get_model(name)`` returns a model, ``list_models(kind)`` names them, ``print(model)``
shows its equations, events, parameters with units and reference.  (No doctest here:
brian2's pytest plugin cannot collect doctests from a package's ``__init__``.)
"""

from .current_model import CurrentModel
from .model import Model, Parameter
from .neuron_model import NeuronModel
from .neurons import (
    ADEX_PATTERNS,
    IZHIKEVICH_PRESETS,
    adex,
    izhikevich,
    lif,
    lif_cond,
    ou_current,
    poisson,
    tonic_current,
    traub_miles,
    wang_buzsaki,
)
from .plasticity import (
    istdp,
    rstdp,
    stdp_additive,
    stdp_multiplicative,
    triplet_stdp,
    triplet_stdp_nearest,
)
from .plasticity_model import PlasticityModel
from .registry import get_model, list_models, register
from .synapses import (
    alpha_cond,
    alpha_current,
    ampa,
    biexp_cond,
    biexp_current,
    delta,
    exp_cond,
    exp_current,
    gaba_a,
    gaba_b,
    nmda,
    peak_time_biexp,
)

__all__ = [
    "ADEX_PATTERNS",
    "IZHIKEVICH_PRESETS",
    "CurrentModel",
    "Model",
    "NeuronModel",
    "Parameter",
    "PlasticityModel",
    "adex",
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
    "get_model",
    "istdp",
    "izhikevich",
    "lif",
    "lif_cond",
    "list_models",
    "nmda",
    "ou_current",
    "peak_time_biexp",
    "poisson",
    "register",
    "rstdp",
    "stdp_additive",
    "stdp_multiplicative",
    "tonic_current",
    "traub_miles",
    "triplet_stdp",
    "triplet_stdp_nearest",
    "wang_buzsaki",
]
