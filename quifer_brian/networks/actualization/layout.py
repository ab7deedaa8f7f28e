"""Where the loop's cells sit and what the feature cells prefer (written once).

Feature layer F: per trial ``b`` and dimension ``d``, ``neurons_per_dim`` cells whose
preferred values are spread evenly over :data:`PREFERRED_RANGE`, a little wider than
the coded range :data:`VALUE_RANGE` so that values near 0 and 1 decode without bias.
Cell ``k`` of dimension ``d`` in trial ``b`` has index

    ``(b * n_dims + d) * neurons_per_dim + k``

(the layout of :mod:`quifer_brian.coding`).  Memory layer M: per trial ``b``, one
assembly of ``memory_size`` cells per archetype ``a``; cell ``c`` has index
``(b * n_archetypes + a) * memory_size + c``.  Every population holds its trials one
after the other, so trial ``b`` owns the ``b``-th block of ``len(population) // batch``
cells.
"""

import numpy as np

__all__ = [
    "PREFERRED_RANGE",
    "VALUE_RANGE",
    "feature_cells",
    "per_feature_cell",
    "per_memory_cell",
    "preferred_values",
]

#: The coded range of the state values.
VALUE_RANGE = (0.0, 1.0)
#: Range of the F cells' preferred values (wider than the coded range: no edge bias).
PREFERRED_RANGE = (-0.1, 1.1)


def preferred_values(neurons_per_dim):
    """The preferred values of one dimension's cells, ``(neurons_per_dim,)``, evenly
    spread over :data:`PREFERRED_RANGE` (both ends included).

    Examples
    --------
    >>> preferred_values(5).round(2).tolist()
    [-0.1, 0.2, 0.5, 0.8, 1.1]
    """
    low, high = PREFERRED_RANGE
    return low + (high - low) * np.arange(neurons_per_dim) / (neurons_per_dim - 1)


def feature_cells(batch, n_dims, neurons_per_dim):
    """Every F cell's preferred value and dimension, two ``(batch * n_dims *
    neurons_per_dim,)`` arrays in the layout of the module docstring.

    Examples
    --------
    >>> preferred, dimension = feature_cells(2, 2, 3)  # 2 trials, 2 dimensions, 3 cells
    >>> preferred.round(2).tolist()[:6], dimension.tolist()
    ([-0.1, 0.5, 1.1, -0.1, 0.5, 1.1], [0, 0, 0, 1, 1, 1, 0, 0, 0, 1, 1, 1])
    """
    cells = np.arange(batch * n_dims * neurons_per_dim)
    preferred = preferred_values(neurons_per_dim)[cells % neurons_per_dim]
    return preferred, (cells // neurons_per_dim) % n_dims


def per_feature_cell(values, neurons_per_dim):
    """``values`` given per (trial, dimension), ``(batch, n_dims)``, repeated for every F
    cell of that trial and dimension: ``(batch * n_dims * neurons_per_dim,)``."""
    return np.repeat(np.asarray(values).ravel(), neurons_per_dim)


def per_memory_cell(archetypes, batch, memory_size):
    """The archetype of every M cell, ``(batch * n_archetypes * memory_size, n_dims)``."""
    return np.repeat(np.tile(np.asarray(archetypes), (batch, 1)), memory_size, axis=0)
