"""Where a simulation runs: numpy, cython, cpp_standalone or cuda_standalone.

Brian2 has two kinds of backend.  *Runtime* targets (``numpy``, ``cython``) run each
object's code from Python.  *Standalone* devices (``cpp_standalone``,
``cuda_standalone``) turn the whole network into one C++/CUDA program; the device is
process-global and must be set before any object is created.  :func:`backend_session`
hides that: inside ``with backend_session(...) as session`` create the network, call
``session.run(network, duration)``, and read the monitors before leaving the block.
Several sessions, of any backends, can follow each other in one process.

Examples
--------
>>> from brian2 import NeuronGroup, Network, SpikeMonitor, ms
>>> with backend_session("numpy") as session:
...     group = NeuronGroup(1, "dv/dt = 1/(10*ms) : 1", threshold="v > 1", reset="v = 0")
...     monitor = SpikeMonitor(group)
...     session.run(Network(group, monitor), 25 * ms)
...     print(monitor.count[0])
2
"""

import contextlib
import functools
import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass

import brian2
from brian2 import NetworkOperation, device, get_device, prefs, set_device
from brian2.devices.device import RuntimeDevice

from .checks import check_choice, check_count
from .errors import BackendError

__all__ = [
    "BACKENDS",
    "BackendSession",
    "BackendStatus",
    "backend_session",
    "backend_status",
    "build_owner",
    "check_backend",
    "check_standalone_compatible",
    "configure_cuda",
]

#: The four backends, fastest start first.
BACKENDS = ("numpy", "cython", "cpp_standalone", "cuda_standalone")
STANDALONE = ("cpp_standalone", "cuda_standalone")


def check_backend(backend):
    """Return ``backend`` if it is a known backend name; raise listing the valid ones."""
    return check_choice("backend", backend, BACKENDS, error=BackendError)


# ---------------------------------------------------------------------------- detection
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


@functools.cache
def nvcc_path():
    """Path of the CUDA compiler, or None (``CUDA_PATH``/bin first, then the PATH)."""
    cuda_home = os.environ.get("CUDA_PATH") or os.environ.get("CUDA_HOME")
    if cuda_home and os.path.isfile(os.path.join(cuda_home, "bin", "nvcc")):
        return os.path.join(cuda_home, "bin", "nvcc")
    return shutil.which("nvcc")


@functools.cache
def gpu_names():
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


def backend_status():
    """Report what each backend can do here.

    Returns
    -------
    list of BackendStatus
        One per name in :data:`BACKENDS`.
    """
    cxx = _which_cxx()
    make = shutil.which("make")
    statuses = [BackendStatus("numpy", True, False, True, "pure Python + numpy, no compiler")]
    if cxx is None:
        no_cxx = "no C++ compiler (install g++ or set CXX)"
        statuses.append(BackendStatus("cython", True, False, False, no_cxx))
        statuses.append(BackendStatus("cpp_standalone", True, False, False, no_cxx))
    else:
        try:
            import Cython  # noqa: F401

            statuses.append(BackendStatus("cython", True, True, True, f"Cython with {cxx}"))
        except ImportError:
            statuses.append(BackendStatus("cython", True, False, False, "Cython not installed"))
        if make is None:
            statuses.append(
                BackendStatus("cpp_standalone", True, False, False, "no `make` on the PATH")
            )
        else:
            statuses.append(BackendStatus("cpp_standalone", True, True, True, f"{cxx} + make"))
    nvcc = nvcc_path()
    gpus = gpu_names()
    if nvcc is None:
        statuses.append(
            BackendStatus("cuda_standalone", True, False, False, "no nvcc: generates code only")
        )
    elif not gpus:
        statuses.append(
            BackendStatus(
                "cuda_standalone",
                True,
                cxx is not None,
                False,
                f"nvcc ({nvcc}) but no GPU: generates and compiles, cannot run",
            )
        )
    else:
        statuses.append(BackendStatus("cuda_standalone", True, True, True, f"GPU: {gpus[0]}"))
    return statuses


def _status_of(name):
    return next(s for s in backend_status() if s.name == name)


# ---------------------------------------------------------------------------- CUDA
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


def configure_cuda(directory, compute_capability=None, detect_gpu=None):
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
    import brian2cuda  # noqa: F401  (registers the device and its preferences)

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


# ---------------------------------------------------------------------------- sessions
def check_standalone_compatible(network, backend):
    """Refuse a network that relies on Python callbacks on a standalone backend.

    Brian2's standalone devices silently skip ``NetworkOperation`` objects (Python code
    cannot run inside the generated program), so the results would be wrong.
    """
    if backend not in STANDALONE:
        return
    offenders = [obj.name for obj in network.objects if isinstance(obj, NetworkOperation)]
    if offenders:
        raise BackendError(
            f"backend={backend!r}: the network contains Python callbacks "
            f"(network_operation: {', '.join(offenders)}) that a standalone program cannot "
            f"run; express them in equations, run_regularly or TimedArray, or use "
            f"backend='numpy' or 'cython'."
        )


_standalone_epoch = 0


def build_owner():
    """A key naming where objects created now belong.

    ``'runtime'`` outside standalone sessions; inside one, a key unique to that session
    (standalone objects are invalid once their session has ended).
    """
    if isinstance(get_device(), RuntimeDevice):
        return "runtime"
    return ("standalone", _standalone_epoch)


class BackendSession:
    """One simulation on one backend; created by :func:`backend_session`.

    Attributes
    ----------
    backend : str
    directory : str or None
        The standalone project folder.
    compiled : bool
        True once a standalone project has been built in this session.
    """

    def __init__(self, backend, directory, threads, stop_after):
        self.backend = backend
        self.directory = directory
        self.threads = threads
        self.stop_after = stop_after
        self.compiled = False

    def run(self, network, duration, seed=None, report=None, report_period=None):
        """Run ``network`` for ``duration`` (for standalone: generate, compile, execute).

        Parameters
        ----------
        network : brian2.Network
        duration : brian2.Quantity
            Simulated time.
        seed : int, optional
            Seeds Brian2's random numbers (the generated code's in standalone).
        report : {None, 'text', 'stdout', 'stderr'}, optional
            Progress report, Brian2's ``report`` argument.
        report_period : brian2.Quantity, optional
            Wall-clock time between reports (default 10 s).
        """
        check_standalone_compatible(network, self.backend)
        if seed is not None:
            brian2.seed(seed)
        kwargs = {"report": report}
        if report_period is not None:
            kwargs["report_period"] = report_period
        network.run(duration, namespace={}, **kwargs)
        if self.backend in STANDALONE:
            # the compiled program prints the progress report: let its output through
            self.build(with_output=report is not None)

    def build(self, with_output=False):
        """Generate, compile and execute the standalone project (or stop earlier)."""
        device.build(
            directory=self.directory,
            compile=self.stop_after != "generate",
            run=self.stop_after is None,
            with_output=with_output,
        )
        self.compiled = self.stop_after != "generate"

    def rerun(self, run_args=None):
        """Execute the compiled standalone program again with new values (no recompile).

        Parameters
        ----------
        run_args : dict
            ``{group.variable: value}`` of constants / initial values to change.
        """
        if self.backend not in STANDALONE or not self.compiled:
            raise BackendError(
                f"rerun: only a compiled standalone session can rerun; this one is "
                f"backend={self.backend!r}, compiled={self.compiled}."
            )
        device.run(run_args=run_args or {}, with_output=False)


@contextlib.contextmanager
def backend_session(
    backend="numpy",
    directory=None,
    threads=0,
    stop_after=None,
    compute_capability=None,
):
    """Activate ``backend`` for the objects created inside the ``with`` block.

    Parameters
    ----------
    backend : {'numpy', 'cython', 'cpp_standalone', 'cuda_standalone'}
    directory : str, optional
        Standalone project folder; default: a fresh temporary folder.  Builds in one
        process never share a folder unless you ask for it.
    threads : int
        OpenMP threads for cpp_standalone (0: none).  They pay off only for large
        networks (about 10^5 neurons and up); measure first.
    stop_after : {None, 'generate', 'compile'}
        Standalone only: stop after generating the code, or after compiling it (CUDA
        without a GPU); None runs the program.
    compute_capability : float, optional
        CUDA architecture to compile for (see :func:`configure_cuda`).

    Yields
    ------
    BackendSession
    """
    check_backend(backend)
    threads = check_count("threads", threads, minimum=0, error=BackendError)
    if stop_after is not None:
        check_choice("stop_after", stop_after, ("generate", "compile"), error=BackendError)
        if backend not in STANDALONE:
            raise BackendError(
                f"stop_after={stop_after!r}: only standalone backends build a project; "
                f"got backend={backend!r}."
            )
    status = _status_of(backend)
    needs = {None: status.runs, "compile": status.compiles, "generate": status.generates}
    if not needs[stop_after]:
        hint = " Pass stop_after='compile' to build without running." if status.compiles else ""
        raise BackendError(f"backend={backend!r} cannot do that here: {status.note}.{hint}")
    if backend == "cuda_standalone":
        import brian2cuda  # noqa: F401  (registers the device and its preferences)
    saved_prefs = _snapshot_prefs()
    previous_device = get_device()
    if backend in STANDALONE and directory is None:
        directory = tempfile.mkdtemp(prefix=f"quifer_{backend}_")
    session = BackendSession(backend, directory, threads, stop_after)
    try:
        if backend in ("numpy", "cython"):
            prefs.codegen.target = backend
        else:
            if backend == "cuda_standalone":
                configure_cuda(directory, compute_capability)
            prefs.devices.cpp_standalone.openmp_threads = threads
            set_device(backend, directory=directory, build_on_run=False)
            _next_epoch()
        yield session
    finally:
        if backend in STANDALONE:
            _next_epoch()
            device.reinit()
            device.activate()
            set_device(previous_device if previous_device is not None else "runtime")
        _restore_prefs(saved_prefs)


def _next_epoch():
    global _standalone_epoch
    _standalone_epoch += 1


_PREF_KEYS = (
    "codegen.target",
    "codegen.cpp.extra_compile_args",
    "codegen.cpp.extra_compile_args_gcc",
    "codegen.cpp.include_dirs",
    "codegen.cpp.library_dirs",
    "codegen.cpp.runtime_library_dirs",
    "devices.cpp_standalone.openmp_threads",
)


_CUDA_PREF_KEYS = tuple(
    f"devices.cuda_standalone.cuda_backend.{name}"
    for name in (
        "detect_gpus",
        "gpu_id",
        "compute_capability",
        "extra_compile_args_nvcc",
        "detect_cuda",
        "cuda_runtime_version",
        "cuda_path",
    )
)


def _snapshot_prefs():
    return {key: prefs[key] for key in _PREF_KEYS + _CUDA_PREF_KEYS if _has_pref(key)}


def _has_pref(key):
    try:
        prefs[key]
    except KeyError:
        return False
    return True


def _restore_prefs(saved):
    for key, value in saved.items():
        prefs[key] = value
