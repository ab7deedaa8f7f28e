"""CUDA: brian2cuda code for a small E/I network is generated with the session's settings.

The full nvcc compile of a small E/I network (a 50-neuron PING, no GPU needed: detection
off, a named compute capability, ``stop_after='compile'``) is
``tests/networks/test_cuda_generation.py::test_ping_cuda_project_compiles``, in the slow
tier: it takes about 3.5 minutes of nvcc on two idle cores.
"""

import os

import pytest
from brian2 import ms

from quifer_brian.backends import backend_session

pytestmark = pytest.mark.cuda
pytest.importorskip("brian2cuda", reason="the cuda extra is not installed")


def test_cuda_code_is_generated(tmp_path, build_ei_network):
    with backend_session("cuda_standalone", directory=str(tmp_path), stop_after="generate") as s:
        network, _ = build_ei_network()
        s.run(network, 10 * ms)
    sources = [f for f in os.listdir(tmp_path / "code_objects") if f.endswith(".cu")]
    assert any("stateupdater" in f for f in sources)
    assert (tmp_path / "makefile").exists()
    assert "-std=c++17" in (tmp_path / "makefile").read_text()
