"""The CUDA path: brian2cuda's preferences for these machines (CUDA 13, cuRAND, no GPU).

See :func:`configure_cuda`; :func:`~quifer_brian.backends.backend_session` calls it for
``cuda_standalone``.
"""

import glob
import os

from brian2 import prefs

from ..errors import BackendError
from .detect import gpu_names, import_optional, nvcc_path

__all__ = ["configure_cuda"]


def _curand_from_wheel():
    """cuRAND include folder and library file from the ``nvidia-curand`` wheel, if any."""
    try:
        import nvidia  # namespace package of NVIDIA's wheels (the `cuda` extra)
    except ImportError:
        return None, None
    include = library = None
    for root in nvidia.__path__:  # nvidia/cu13/... or nvidia/curand/... by version
        for header in sorted(glob.glob(os.path.join(root, "*", "include", "curand.h"))):
            include = os.path.dirname(header)
        for candidate in sorted(glob.glob(os.path.join(root, "*", "lib", "libcurand.so*"))):
            library = candidate
    return include, library


def _toolkit_has_curand(cuda_root):
    patterns = ("include/curand.h", "targets/*/include/curand.h")
    return any(glob.glob(os.path.join(cuda_root, pattern)) for pattern in patterns)


def configure_cuda(
    directory: str, compute_capability: float | None = None, detect_gpu: bool | None = None
) -> None:
    """Set the brian2cuda preferences this machine needs (before the network runs).

    - GPU detection off when there is no GPU (it would call ``nvidia-smi``), with GPU 0
      and ``compute_capability`` (default 8.0) named instead;
    - ``-std=c++17`` for nvcc and the host compiler: CUDA 13's Thrust/CUB refuse C++11,
      which brian2cuda's makefile asks for (a later ``-std`` wins);
    - cuRAND headers and library from the ``nvidia-curand`` wheel when the toolkit lacks
      them; the makefile links ``-lcurand``, so an unversioned ``libcurand.so`` link to
      the wheel's library is made in ``directory``;
    - without nvcc, CUDA detection off so the code can still be generated.

    Parameters
    ----------
    directory : str
        The build directory (where the library link goes).
    compute_capability : float, optional
        Target architecture, e.g. 8.0 (A100) or 9.0 (H100).  Default: the GPU's, or 8.0.
    detect_gpu : bool, optional
        Default: True if ``nvidia-smi`` lists a GPU.
    """
    # heavy, optional (the `cuda` extra): registers the device and its preferences
    import_optional("brian2cuda", "cuda", "cuda_standalone")

    cuda = prefs.devices.cuda_standalone.cuda_backend
    if detect_gpu is None:
        detect_gpu = bool(gpu_names())
    cuda.detect_gpus = detect_gpu
    if not detect_gpu:
        cuda.gpu_id = 0
        cuda.compute_capability = float(compute_capability or 8.0)
    elif compute_capability is not None:
        cuda.compute_capability = float(compute_capability)
    # brian2cuda edits this list in place: always hand it a fresh one.
    nvcc_flags = [f for f in cuda.extra_compile_args_nvcc if not f.startswith("-std=")]
    cuda.extra_compile_args_nvcc = [*nvcc_flags, "-std=c++17"]
    host_key = (
        "codegen.cpp.extra_compile_args"
        if prefs["codegen.cpp.extra_compile_args"] is not None
        else "codegen.cpp.extra_compile_args_gcc"
    )
    prefs[host_key] = [f for f in prefs[host_key] if not f.startswith("-std=")] + ["-std=c++17"]
    nvcc = nvcc_path()
    if nvcc is None:
        cuda.detect_cuda = False
        cuda.cuda_runtime_version = 13.0
        return
    cuda_root = os.path.dirname(os.path.dirname(os.path.realpath(nvcc)))
    cuda.cuda_path = cuda_root
    if _toolkit_has_curand(cuda_root):
        return
    include, library = _curand_from_wheel()
    if include is None or library is None:
        raise BackendError(
            "backend='cuda_standalone': the CUDA toolkit has no cuRAND headers and the "
            "`nvidia-curand` package is not installed; install the cuda extra: "
            "pip install 'quifer-brian[cuda]'."
        )
    link_dir = os.path.join(os.path.abspath(directory), "curand_link")
    os.makedirs(link_dir, exist_ok=True)
    link = os.path.join(link_dir, "libcurand.so")
    if os.path.lexists(link):
        os.remove(link)
    os.symlink(library, link)
    prefs.codegen.cpp.include_dirs = [*prefs.codegen.cpp.include_dirs, include]
    prefs.codegen.cpp.library_dirs = [*prefs.codegen.cpp.library_dirs, link_dir]
    prefs.codegen.cpp.runtime_library_dirs = [
        *prefs.codegen.cpp.runtime_library_dirs,
        os.path.dirname(library),
    ]
