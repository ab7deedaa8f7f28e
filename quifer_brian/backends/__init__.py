"""How and where a circuit runs: the run layer under the networks.

- :mod:`.registry`: the backends (numpy, cython, cpp_standalone, cuda_standalone), one
  entry each; :mod:`.detect` what this machine can do; :mod:`.cuda` brian2cuda's setup.
- :mod:`.session`: :func:`backend_session`, one simulation on one backend.
- :mod:`.recording`: monitors -> arrays -> :class:`~quifer_brian.results.Result`, with
  the NaN / silence / range checks; :mod:`.stability` the time step against the
  dynamics; :mod:`.watch` the physiological ranges watched during the run.
- :mod:`.compiled`: :class:`CompiledProgram`, the one way to rerun a compiled program
  with new values; :mod:`.build_cache` keeps compiled programs across processes;
  :mod:`.incremental` lets a new structure reuse a cached program's object files,
  :mod:`.size_constants` keeps the sizes out of the code objects' text for it;
  :mod:`.written_arrays` makes a cached program write back only what is read.

A circuit reaches this layer through a small protocol: ``circuit.network``,
``circuit.recorded()``, ``circuit.result_layout()``, ``circuit.run_values(**changes)``,
``circuit.structure_params`` and ``circuit.tunable_params`` (and, optional,
``circuit.release_objects()``).
"""

from ..lazy import lazy_names

#: Where each public name lives; the modules are imported on first use (PEP 562), so
#: the fast path (:mod:`.fast_index`, :mod:`.compiled`) runs without Brian2 in the process.
_NAMES = {
    "Backend": "registry",
    "BackendSession": "session",
    "BackendStatus": "detect",
    "BuildCache": "build_cache",
    "CompiledProgram": "compiled",
    "DEFAULT_MAX_BYTES": "build_cache",
    "assemble_result": "recording",
    "backend_session": "session",
    "backend_status": "registry",
    "build_count": "build_cache",
    "build_owner": "session",
    "check_backend": "registry",
    "check_standalone_compatible": "session",
    "check_steps": "stability",
    "configure_cuda": "cuda",
    "default_backend": "registry",
    "default_cache_dir": "build_cache",
    "describe_program": "compiled",
    "get_backend": "registry",
    "gpu_names": "detect",
    "is_standalone": "registry",
    "list_backends": "registry",
    "nvcc_path": "detect",
    "preserved_random_state": "session",
    "read_recorded": "recording",
    "register_backend": "registry",
    "run_cached": "build_cache",
    "source_digest": "build_cache",
    "stop_on_interrupt": "session",
    "watch_ranges": "watch",
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Backend",
    "BackendSession",
    "BackendStatus",
    "BuildCache",
    "CompiledProgram",
    "assemble_result",
    "backend_session",
    "backend_status",
    "build_count",
    "build_owner",
    "check_backend",
    "check_standalone_compatible",
    "check_steps",
    "configure_cuda",
    "default_backend",
    "default_cache_dir",
    "describe_program",
    "get_backend",
    "gpu_names",
    "is_standalone",
    "list_backends",
    "nvcc_path",
    "preserved_random_state",
    "read_recorded",
    "register_backend",
    "run_cached",
    "source_digest",
    "stop_on_interrupt",
    "watch_ranges",
]


__getattr__, __dir__ = lazy_names(__name__, _NAMES, __all__)
