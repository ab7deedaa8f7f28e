"""Every builder generates brian2cuda code; one compiles (slow tier, where nvcc exists).

Generation needs no GPU and no nvcc (the session switches CUDA detection off when nvcc
is missing); compiling a project takes minutes of nvcc on two cores, so the full compile
is done for one representative builder in the slow tier.
"""

import os

import pytest
from brian2 import ms

from quifer_brian.backends import backend_session, nvcc_path
from quifer_brian.networks import brunel, frequency_bank, ing, kuramoto, ping, theta_gamma

pytestmark = pytest.mark.cuda
pytest.importorskip("brian2cuda", reason="the cuda extra is not installed")

SMALL_BUILDERS = {
    "ping": lambda: ping(n_e=40, n_i=10),
    "ing": lambda: ing(n_i=20),
    "brunel": lambda: brunel(scale=0.1),
    "theta_gamma": lambda: theta_gamma(n_e=40, n_i=10, n_o=10),
    "frequency_bank": lambda: frequency_bank(frequencies=(6, 40), n_e=40, n_i=10),
    "kuramoto": lambda: kuramoto(n=100),
}


@pytest.mark.parametrize("name", sorted(SMALL_BUILDERS))
def test_builder_generates_cuda_code(name, tmp_path):
    with backend_session("cuda_standalone", directory=str(tmp_path), stop_after="generate") as s:
        circuit = SMALL_BUILDERS[name]()
        assert circuit.run(10 * ms, session=s) is None  # nothing runs when only generating
    sources = os.listdir(tmp_path / "code_objects")
    assert any(f.endswith(".cu") for f in sources), f"{name}: no CUDA sources"
    assert "-std=c++17" in (tmp_path / "makefile").read_text()


@pytest.mark.slow
@pytest.mark.skipif(nvcc_path() is None, reason="nvcc not found: CUDA code cannot be compiled")
def test_ping_cuda_project_compiles(tmp_path):
    with backend_session("cuda_standalone", directory=str(tmp_path), stop_after="compile") as s:
        ping(n_e=40, n_i=10).run(10 * ms, session=s)
        assert s.compiled
    assert os.access(tmp_path / "main", os.X_OK)
