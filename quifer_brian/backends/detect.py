"""What this machine can do: compilers, make, Cython, nvcc and GPUs.

Each backend's ``status`` function (see :mod:`~quifer_brian.backends.registry`) answers with a
:class:`BackendStatus`: whether code can be generated, compiled and run here, and why not.
"""

import functools
import importlib.util
import os
import shutil
import subprocess
from dataclasses import dataclass
from types import ModuleType

from ..errors import BackendError

__all__ = [
    "BackendStatus",
    "cpp_standalone_status",
    "cuda_standalone_status",
    "cython_status",
    "gpu_names",
    "import_optional",
    "missing_extra_note",
    "numpy_status",
    "nvcc_path",
]


@dataclass(frozen=True)
class BackendStatus:
    """What a backend can do on this machine.

    Attributes
    ----------
    name : str
    generates, compiles, runs : bool
        Whether code can be generated, compiled, and run here.
    note : str
        Why something does not work, or what was found.
    """

    name: str
    generates: bool
    compiles: bool
    runs: bool
    note: str


def _which_cxx():
    compiler = os.environ.get("CXX", "g++")
    return shutil.which(compiler) or shutil.which("c++")


_NO_CXX = "no C++ compiler (install g++ or set CXX)"


def missing_extra_note(package: str, extra: str) -> str | None:
    """Why a backend cannot be used when its optional ``package`` is not installed, or None.

    The note names the extra that installs it: ``pip install 'quifer-brian[<extra>]'``.
    """
    if importlib.util.find_spec(package) is not None:
        return None
    return (
        f"{package} is not installed: install the {extra} extra, "
        f"pip install 'quifer-brian[{extra}]'"
    )


def import_optional(package: str, extra: str, backend: str) -> ModuleType:
    """Import the optional ``package`` a backend needs; a :class:`BackendError` naming the
    extra that installs it when it is missing.

    Every code path that imports brian2cuda goes through here.
    """
    try:
        return importlib.import_module(package)
    except ImportError as err:
        raise BackendError(
            f"backend={backend!r}: needs {package}, which is not installed ({err}). "
            f"Install the {extra} extra: pip install 'quifer-brian[{extra}]' "
            f"(or run on a CPU backend such as 'cpp_standalone')."
        ) from err


@functools.cache
def nvcc_path() -> str | None:
    """Path of the CUDA compiler, or None (``CUDA_PATH``/bin first, then the PATH)."""
    cuda_home = os.environ.get("CUDA_PATH") or os.environ.get("CUDA_HOME")
    if cuda_home and os.path.isfile(os.path.join(cuda_home, "bin", "nvcc")):
        return os.path.join(cuda_home, "bin", "nvcc")
    return shutil.which("nvcc")


@functools.cache
def gpu_names() -> tuple[str, ...]:
    """Names of the NVIDIA GPUs seen by ``nvidia-smi`` (empty without a GPU or driver)."""
    smi = shutil.which("nvidia-smi")
    if smi is None:
        return ()
    try:
        out = subprocess.run(
            [smi, "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    return tuple(line.strip() for line in out.splitlines() if line.strip())


def numpy_status() -> BackendStatus:
    """numpy: always there, nothing to compile."""
    return BackendStatus("numpy", True, False, True, "pure Python + numpy, no compiler")


def cython_status() -> BackendStatus:
    """cython: a C++ compiler and the Cython package."""
    cxx = _which_cxx()
    if cxx is None:
        return BackendStatus("cython", True, False, False, _NO_CXX)
    try:
        import Cython  # noqa: F401  (optional: only asked whether it is installed)
    except ImportError:
        return BackendStatus("cython", True, False, False, "Cython not installed")
    return BackendStatus("cython", True, True, True, f"Cython with {cxx}")


def cpp_standalone_status() -> BackendStatus:
    """cpp_standalone: a C++ compiler and ``make``."""
    cxx = _which_cxx()
    if cxx is None:
        return BackendStatus("cpp_standalone", True, False, False, _NO_CXX)
    if shutil.which("make") is None:
        return BackendStatus("cpp_standalone", True, False, False, "no `make` on the PATH")
    return BackendStatus("cpp_standalone", True, True, True, f"{cxx} + make")


def cuda_standalone_status() -> BackendStatus:
    """cuda_standalone: brian2cuda (the ``cuda`` extra), nvcc to compile, a GPU to run."""
    missing = missing_extra_note("brian2cuda", "cuda")
    if missing is not None:
        return BackendStatus("cuda_standalone", False, False, False, missing)
    nvcc = nvcc_path()
    if nvcc is None:
        return BackendStatus("cuda_standalone", True, False, False, "no nvcc: generates code only")
    gpus = gpu_names()
    if not gpus:
        return BackendStatus(
            "cuda_standalone",
            True,
            _which_cxx() is not None,
            False,
            f"nvcc ({nvcc}) but no GPU: generates and compiles, cannot run",
        )
    return BackendStatus("cuda_standalone", True, True, True, f"GPU: {gpus[0]}")
