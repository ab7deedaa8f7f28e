"""Learning and generation with spiking networks.

- ANN-to-SNN conversion (Diehl et al. 2015; Rueckauer et al. 2017): a trained ReLU
  network becomes integrate-and-fire layers that a continuous pipeline can call.
- e-prop (Bellec et al. 2020): direct training of recurrent spiking networks, written as
  Brian2 equations.
- Restricted Boltzmann machines mapped onto the neural sampler
  (:func:`quifer_brian.networks.boltzmann_sampler`) for spiking generative models.

scikit-learn is needed only where a scikit-learn model comes in; install it with the
``learn`` extra (``pip install 'quifer-brian[learn]'``).
"""

# RBM
from .rbm import (
    RBM,
    gibbs_sample,
    load_binary_digits,
    mean_pairwise_hamming,
    rbm_machine,
    sample_rbm_spiking,
    train_rbm,
    with_labels,
)

__all__ = [
    # RBM
    "RBM",
    "gibbs_sample",
    "load_binary_digits",
    "mean_pairwise_hamming",
    "rbm_machine",
    "sample_rbm_spiking",
    "train_rbm",
    "with_labels",
]
