"""The neural sampler generates brian2cuda code (no GPU or nvcc needed to generate)."""

import os

import pytest
from brian2 import ms

from quifer_brian.backends import backend_session
from quifer_brian.networks import boltzmann_sampler
from quifer_brian.networks.boltzmann_exact import random_machine

pytestmark = pytest.mark.cuda


def test_boltzmann_sampler_generates_cuda_code(tmp_path):
    weights, biases = random_machine(5, 0)
    sampler = boltzmann_sampler(weights, biases, n_chains=2, clamp={0: 1})
    with backend_session("cuda_standalone", directory=str(tmp_path), stop_after="generate") as s:
        assert sampler.run(10 * ms, session=s) is None
    sources = os.listdir(tmp_path / "code_objects")
    assert any(f.endswith(".cu") for f in sources)
    # both synaptic pathways (the PSP's rise and, tau later, its end) are generated
    assert any("boltzmann_synapses_down" in f for f in sources)
    assert any("boltzmann_synapses_up" in f for f in sources)


@pytest.mark.parametrize("synapses", ["renewing", "additive"])
def test_lif_sampler_generates_cuda_code(tmp_path, synapses):
    import numpy as np

    from quifer_brian.networks.boltzmann_lif import LifCalibration

    calibration = LifCalibration(-0.0887, 0.0075, 1.2e-7, -0.0523, np.zeros(1), np.zeros(1))
    weights, biases = random_machine(3, 0)
    sampler = boltzmann_sampler(
        weights, biases, model="lif", calibration=calibration, lif_synapses=synapses
    )
    with backend_session("cuda_standalone", directory=str(tmp_path), stop_after="generate") as s:
        assert sampler.run(10 * ms, session=s) is None
    sources = os.listdir(tmp_path / "code_objects")
    pre = [f for f in sources if f.startswith("boltzmann_synapses_pre") and f.endswith(".cu")]
    assert pre, sources
    text = "".join((tmp_path / "code_objects" / name).read_text() for name in pre)
    # the renewing synapse's event code reads and writes its last spike time
    assert ("boltzmann_synapses_last" in text) == (synapses == "renewing")
