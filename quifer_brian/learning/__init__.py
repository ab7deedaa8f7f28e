"""Learning and generation with spiking networks.

- ANN-to-SNN conversion (Diehl et al. 2015; Rueckauer et al. 2017): a trained ReLU
  network becomes integrate-and-fire layers that a continuous pipeline can call.
- e-prop (Bellec et al. 2020): direct training of recurrent spiking networks, written as
  Brian2 equations; trained trial by trial (updates formed in Python) or inside the
  program (``eprop_network(..., training="program")``: many iterations per run).
- Restricted Boltzmann machines mapped onto the neural sampler
  (:func:`quifer_brian.networks.boltzmann_sampler`) for spiking generative models.

scikit-learn is needed only where a scikit-learn model comes in; install it with the
``learn`` extra (``pip install 'quifer-brian[learn]'``).
"""

import importlib

# e-prop (imported here: cheap)
from .eprop_models import EpropSpec
from .eprop_network import CompiledTrials, RuntimeTrials, TrialOutput
from .eprop_program_runs import CompiledTraining, RuntimeTraining, TrainingRun
from .eprop_reference import bptt_gradients, eprop_gradients, readout_error
from .eprop_trainer import EpropNetwork, EpropPrediction, eprop_network, load_eprop_network

#: Names imported on first use (PEP 562): conversion and the RBM import the networks and
#: analysis layers (scipy.signal: ~0.8 s at start-up) that e-prop does not need.
_LAZY = {
    "ann_activations": "conversion",
    "convert": "conversion",
    "layer_scales": "conversion",
    "read_network": "conversion",
    "HOROWITZ_2014_FP32": "energy",
    "LOIHI_2018": "energy",
    "EnergyFigures": "energy",
    "ann_operations": "energy",
    "energy_pj": "energy",
    "RBM": "rbm",
    "gibbs_sample": "rbm",
    "load_binary_digits": "rbm",
    "mean_pairwise_hamming": "rbm",
    "rbm_machine": "rbm",
    "sample_rbm_spiking": "rbm",
    "train_rbm": "rbm",
    "with_labels": "rbm",
    "SpikingNetwork": "spiking_layer",
    "SpikingRun": "spiking_layer",
}


def __getattr__(name):
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "HOROWITZ_2014_FP32",
    "LOIHI_2018",
    "RBM",
    "CompiledTraining",
    "CompiledTrials",
    "EnergyFigures",
    "EpropNetwork",
    "EpropPrediction",
    "EpropSpec",
    "RuntimeTraining",
    "RuntimeTrials",
    "SpikingNetwork",
    "SpikingRun",
    "TrainingRun",
    "TrialOutput",
    "ann_activations",
    "ann_operations",
    "bptt_gradients",
    "convert",
    "energy_pj",
    "eprop_gradients",
    "eprop_network",
    "gibbs_sample",
    "layer_scales",
    "load_binary_digits",
    "load_eprop_network",
    "mean_pairwise_hamming",
    "rbm_machine",
    "read_network",
    "readout_error",
    "sample_rbm_spiking",
    "train_rbm",
    "with_labels",
]
