"""How and where a circuit runs: the run layer under the networks.

- :mod:`.registry`: the backends (numpy, cython, cpp_standalone, cuda_standalone), one
  entry each; :mod:`.detect` what this machine can do; :mod:`.cuda` brian2cuda's setup.
- :mod:`.session`: :func:`backend_session`, one simulation on one backend.
- :mod:`.recording`: monitors -> arrays -> :class:`~quifer_brian.results.Result`, with
  the NaN / silence / range checks; :mod:`.stability` the time step against the
  dynamics; :mod:`.watch` the physiological ranges watched during the run.
- :mod:`.compiled`: :class:`CompiledProgram`, the one way to rerun a compiled program
  with new values; :mod:`.build_cache` keeps compiled programs across processes;
  :mod:`.incremental` lets a new structure reuse a cached program's object files.

A circuit reaches this layer through a small protocol: ``circuit.network``,
``circuit.recorded()``, ``circuit.result_layout()``, ``circuit.run_values(**changes)``,
``circuit.structure_params`` and ``circuit.tunable_params`` (and, optional,
``circuit.release_objects()``).
"""

from .build_cache import (
    DEFAULT_MAX_BYTES,
    BuildCache,
    build_count,
    default_cache_dir,
    run_cached,
    source_digest,
)
from .compiled import CompiledProgram, describe_program
from .cuda import configure_cuda
from .detect import BackendStatus, gpu_names, nvcc_path
from .recording import assemble_result, read_recorded
from .registry import (
    Backend,
    backend_status,
    check_backend,
    default_backend,
    get_backend,
    is_standalone,
    list_backends,
    register_backend,
)
from .session import (
    BackendSession,
    backend_session,
    build_owner,
    check_standalone_compatible,
    preserved_random_state,
    stop_on_interrupt,
)
from .stability import check_steps
from .watch import watch_ranges

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
