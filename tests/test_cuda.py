"""CUDA: brian2cuda code for a small E/I network is generated, and compiled where nvcc is.

No GPU is needed: the session switches GPU detection off and compiles for a named
compute capability (``stop_after='compile'``).  Without nvcc the compile test is skipped
and says why.
"""

import os

import pytest
from brian2 import ms

from quifer_brian.devices import backend_session, nvcc_path

pytestmark = pytest.mark.cuda


def test_cuda_code_is_generated(tmp_path, build_ei_network):
    with backend_session("cuda_standalone", directory=str(tmp_path), stop_after="generate") as s:
        network, _ = build_ei_network()
        s.run(network, 10 * ms)
    sources = [f for f in os.listdir(tmp_path / "code_objects") if f.endswith(".cu")]
    assert any("stateupdater" in f for f in sources)
    assert (tmp_path / "makefile").exists()
    assert "-std=c++17" in (tmp_path / "makefile").read_text()


# About 3.5 minutes of nvcc on two idle cores (30 .cu files): in the slow tier.
@pytest.mark.slow
@pytest.mark.skipif(nvcc_path() is None, reason="nvcc not found: CUDA code cannot be compiled")
def test_cuda_project_compiles(tmp_path, build_ei_network):
    with backend_session("cuda_standalone", directory=str(tmp_path), stop_after="compile") as s:
        network, _ = build_ei_network()
        s.run(network, 10 * ms)
        assert s.compiled
    assert os.access(tmp_path / "main", os.X_OK), "the CUDA binary was not built"
