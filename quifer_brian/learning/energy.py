"""An energy account of an inference: operations counted, priced per operation.

The ANN's cost is its multiply-accumulates (one per weight) plus one add per bias; the
converted SNN's is its synaptic operations (each spike times its fan-out: an
accumulate, no multiply), one add per neuron update per time step (the constant current
``I``), and, with analog input, the first layer's input current ``W_1 x + b_1``
computed once per input (multiply-accumulates).  Prices per operation are documented
figures: Horowitz (2014) for 45 nm CMOS, 32-bit floating point, and optionally a
neuromorphic chip's published energy per synaptic event.  This is a measurement: the
SNN wins only where few spikes and few time steps suffice.

References
----------
M. Horowitz, "Computing's energy problem (and what we can do about it)", ISSCC 2014,
pp. 10-14 (45 nm, 0.9 V: 32-bit float add 0.9 pJ, multiply 3.7 pJ; 32-bit int add
0.1 pJ, multiply 3.1 pJ).

M. Davies et al., "Loihi: a neuromorphic manycore processor with on-chip learning",
IEEE Micro 38(1), 2018 (23.6 pJ per synaptic spike operation, 52 pJ per neuron update).
"""

import itertools
from dataclasses import dataclass

import numpy as np

__all__ = ["HOROWITZ_2014_FP32", "LOIHI_2018", "EnergyFigures", "ann_operations", "energy_pj"]


@dataclass(frozen=True)
class EnergyFigures:
    """Energy per operation (pJ) and where the figures come from.

    Attributes
    ----------
    add, multiply : float (pJ)
        One addition (an accumulate), one multiplication.
    synaptic_event, neuron_update : float (pJ) or None
        A chip's energy per synaptic event and per neuron update, replacing ``add`` for
        the SNN's synaptic operations and neuron updates when given.
    source : str
    """

    add: float
    multiply: float
    synaptic_event: float | None = None
    neuron_update: float | None = None
    source: str = ""


#: 45 nm CMOS, 32-bit floating point (Horowitz 2014).
HOROWITZ_2014_FP32 = EnergyFigures(0.9, 3.7, source="Horowitz 2014, 45 nm, 32-bit float")
#: Intel Loihi's published figures for the SNN side (Davies et al. 2018); the ANN side
#: keeps Horowitz's 32-bit float figures.
LOIHI_2018 = EnergyFigures(
    0.9, 3.7, synaptic_event=23.6, neuron_update=52.0, source="Davies et al. 2018 (Loihi)"
)


def ann_operations(sizes) -> dict:
    """Operations of one ANN inference through layers of ``sizes`` (inputs first).

    Returns
    -------
    dict
        ``macs`` (multiply-accumulates, one per weight) and ``adds`` (one per bias);
        the ReLU comparisons are not counted.
    """
    sizes = [int(n) for n in sizes]
    return {
        "macs": sum(a * b for a, b in itertools.pairwise(sizes)),
        "adds": sum(sizes[1:]),
    }


def energy_pj(operations: dict, figures: EnergyFigures = HOROWITZ_2014_FP32):
    """Energy (pJ) of counted operations.

    Parameters
    ----------
    operations : dict
        Any of ``macs``, ``adds`` (ANN, or the SNN's analog input current),
        ``synaptic_ops`` and ``neuron_updates`` (SNN); numbers or arrays (broadcast).
    figures : EnergyFigures

    Returns
    -------
    float or ndarray (pJ)
        :math:`E = n_{mac} (e_{mul} + e_{add}) + n_{add} e_{add} + n_{syn} e_{syn} +
        n_{upd} e_{upd}`, with :math:`e_{syn} = e_{upd} = e_{add}` unless the figures give
        a chip's own.

    Examples
    --------
    >>> round(float(energy_pj(ann_operations([64, 100, 10]))), 1)  # 7400 MACs, 110 adds
    34139.0
    """
    synaptic = figures.add if figures.synaptic_event is None else figures.synaptic_event
    update = figures.add if figures.neuron_update is None else figures.neuron_update
    return (
        np.asarray(operations.get("macs", 0), dtype=float) * (figures.multiply + figures.add)
        + np.asarray(operations.get("adds", 0), dtype=float) * figures.add
        + np.asarray(operations.get("synaptic_ops", 0), dtype=float) * synaptic
        + np.asarray(operations.get("neuron_updates", 0), dtype=float) * update
    )
