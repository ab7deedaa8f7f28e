"""Backends: detection, sessions, parity between numpy and cpp_standalone, refusals."""

import os
import shutil

import numpy as np
import pytest
from brian2 import Network, NetworkOperation, ms, second

from quifer_brian.backends import (
    Backend,
    BackendStatus,
    backend_session,
    backend_status,
    check_backend,
    list_backends,
    register_backend,
    registry,
)
from quifer_brian.equations import lif
from quifer_brian.errors import BackendError

EI_DT = 0.1 * ms  # the time step of the build_ei_network fixture


def spike_trains(backend, build_ei_network):
    with backend_session(backend) as session:
        network, monitors = build_ei_network()
        session.run(network, 300 * ms)
        return [{k: np.asarray(v / second) for k, v in m.spike_trains().items()} for m in monitors]


def test_backend_status_lists_every_backend_with_a_reason():
    statuses = backend_status()
    assert [s.name for s in statuses] == list(list_backends())
    numpy_status = statuses[0]
    assert numpy_status.runs and numpy_status.generates
    for status in statuses:
        if not status.runs:
            assert status.note, f"{status.name} does not run but gives no reason"
    cuda = statuses[-1]
    if shutil.which("nvcc") and not shutil.which("nvidia-smi"):
        assert cuda.compiles and not cuda.runs
        assert "generates and compiles, cannot run" in cuda.note


def test_unknown_backend_lists_the_valid_ones():
    with pytest.raises(
        BackendError,
        match=r"backend: unknown value 'gpu'; valid values are "
        r"'numpy', 'cython', 'cpp_standalone', 'cuda_standalone'",
    ):
        check_backend("gpu")
    with pytest.raises(ValueError, match="unknown value 'cuda'"), backend_session("cuda"):
        pass


def test_stop_after_needs_a_standalone_backend():
    with pytest.raises(BackendError, match=r"stop_after='compile': only standalone"):
        with backend_session("numpy", stop_after="compile"):
            pass
    with pytest.raises(BackendError, match=r"stop_after: unknown value 'link'"):
        with backend_session("cpp_standalone", stop_after="link"):
            pass


@pytest.mark.standalone
def test_numpy_and_cpp_standalone_give_the_same_spikes(build_ei_network):
    reference = spike_trains("numpy", build_ei_network)
    standalone = spike_trains("cpp_standalone", build_ei_network)
    n_spikes = sum(len(t) for population in reference for t in population.values())
    assert n_spikes > 100, "the parity network should be active"
    for ref_population, sa_population in zip(reference, standalone, strict=True):
        for neuron, ref_times in ref_population.items():
            sa_times = sa_population[neuron]
            assert len(ref_times) == len(sa_times), f"neuron {neuron}: spike counts differ"
            assert np.all(np.abs(ref_times - sa_times) <= float(EI_DT / second) + 1e-12)


@pytest.mark.standalone
def test_network_operation_is_refused_on_standalone_before_building(tmp_path):
    with backend_session("cpp_standalone", directory=str(tmp_path)) as session:
        group = lif.group(2)
        callback = NetworkOperation(lambda: None, dt=1 * ms, name="python_callback")
        with pytest.raises(BackendError, match=r"NetworkOperation objects: python_callback"):
            session.run(Network(group, callback), 10 * ms)
    assert not os.path.exists(tmp_path / "main"), "nothing may be compiled"


def test_network_operation_runs_on_numpy():
    calls = []
    with backend_session("numpy") as session:
        group = lif.group(2)
        session.run(Network(group, NetworkOperation(lambda: calls.append(1), dt=1 * ms)), 5 * ms)
    assert len(calls) == 5


def test_a_backend_is_one_registry_entry(monkeypatch):
    """A registered backend is listed, reported and refused with its own reason."""
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    note = "the test device is never available"
    register_backend(
        Backend("test_device", True, lambda: BackendStatus("test_device", True, False, False, note))
    )
    assert list_backends()[-1] == "test_device"
    assert backend_status()[-1].note == note
    with pytest.raises(BackendError, match="backend='test_device' cannot do that here"):
        with backend_session("test_device"):
            pass
    with pytest.raises(BackendError, match="already registered"):
        register_backend(Backend("numpy", False, lambda: None))
    with pytest.raises(BackendError, match="unknown value 'gpu'; valid values are 'numpy'"):
        check_backend("gpu")
