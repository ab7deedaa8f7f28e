"""Sessions: one simulation on one backend, with Brian2's global state put back after.

Brian2 has two kinds of backend.  *Runtime* targets (``numpy``, ``cython``) run each
object's code from Python.  *Standalone* devices (``cpp_standalone``,
``cuda_standalone``) turn the whole network into one C++/CUDA program; the device is
process-global and must be set before any object is created.  :func:`backend_session`
hides that: inside ``with backend_session(...) as session`` create the network, call
``session.run(network, duration)``, and read the monitors before leaving the block.
Several sessions, of any backends, can follow each other in one process; the
preferences a session changes are restored when it ends.

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
import os
import re
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any

import brian2
from brian2 import Network, NetworkOperation, Quantity, device, get_device, prefs, set_device
from brian2.codegen.cpp_prefs import get_compiler_and_args
from brian2.devices.device import RuntimeDevice

from ..checks import check_choice, check_count
from ..errors import BackendError, SimulationError
from ..progress import is_quiet, progress_bar
from .pch import PCH_FLAGS, PCH_HEADER, prepare_pch, remove_pch
from .registry import get_backend, import_backend_module, is_standalone
from .toolchain import use_installed_compiler

__all__ = [
    "BackendSession",
    "backend_session",
    "build_owner",
    "check_standalone_compatible",
    "preserved_random_state",
    "stop_on_interrupt",
]


def check_standalone_compatible(network: Network, backend: str) -> None:
    """Refuse a network that relies on Python callbacks on a standalone backend.

    Brian2's standalone devices silently skip ``NetworkOperation`` objects (Python code
    cannot run inside the generated program), so the results would be wrong.
    """
    if not is_standalone(backend):
        return
    offenders = [obj.name for obj in network.objects if isinstance(obj, NetworkOperation)]
    if offenders:
        raise BackendError(
            f"backend={backend!r}: the network contains Python callbacks "
            f"(NetworkOperation objects: {', '.join(offenders)}) that a standalone program cannot "
            f"run; express them in equations, run_regularly or TimedArray, or use "
            f"backend='numpy' or 'cython'."
        )


_standalone_epoch = 0


def build_owner() -> str | tuple[str, int]:
    """A key naming where objects created now belong.

    ``'runtime'`` outside standalone sessions; inside one, a key unique to that session
    (standalone objects are invalid once their session has ended).
    """
    if isinstance(get_device(), RuntimeDevice):
        return "runtime"
    return ("standalone", _standalone_epoch)


@contextlib.contextmanager
def preserved_random_state() -> Iterator[None]:
    """Put the runtime random state (numpy's global generator, Brian2's buffers) back after.

    Seeding inside the block (``brian2.seed``) leaves the caller's random stream as it
    was: the package never changes global state it does not own.  Standalone devices
    draw their random numbers in the generated program: nothing to put back.
    """
    active = get_device()
    if not isinstance(active, RuntimeDevice):
        yield
        return
    saved = active.get_random_state()
    try:
        yield
    finally:
        active.set_random_state(saved)


@contextlib.contextmanager
def stop_on_interrupt(network: Network) -> Iterator[Callable[[], bool]]:
    """Make the first Ctrl-C (SIGINT) stop ``network`` cleanly after the current time step.

    Inside the block, the first SIGINT calls ``network.stop()``: Brian2 finishes the time
    step, sets ``network.t`` to where it stopped and runs its end-of-run code, so the
    monitors hold a consistent record up to that time.  A second SIGINT interrupts at
    once (``KeyboardInterrupt``).  The previous handler is put back on leaving.  Outside
    the main thread, or where SIGINT is ignored, nothing is installed.

    Yields
    ------
    callable
        ``stopped() -> bool``: whether a SIGINT stopped the run.
    """
    state = {"stopped": False}
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous in (
        signal.SIG_IGN,
        None,
    ):
        yield lambda: False
        return

    def handler(signum, frame):
        if state["stopped"]:
            raise KeyboardInterrupt
        state["stopped"] = True
        network.stop()

    signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: state["stopped"]
    finally:
        signal.signal(signal.SIGINT, previous)


class BackendSession:
    """One simulation on one backend; created by :func:`backend_session`.

    Attributes
    ----------
    backend : str
    directory : str or None
        The standalone project folder.
    compiled : bool
        True once a standalone project has been built in this session.
    interrupted : bool
        True when Ctrl-C stopped the last :meth:`run` of a runtime backend before the end
        (see :func:`stop_on_interrupt`); the network's ``t`` says how far it got.
    prepare : callable or None
        ``prepare(directory)``, called between code generation and ``make`` when the
        session stops after the compile (the build cache reuses object files there, and
        manages the precompiled header itself).
    precompiled_header : bool
        Whether a cpp_standalone compile uses a precompiled header of the C++ standard
        library (:mod:`.pch`; default True).  The generated code is the same either way.
    """

    def __init__(
        self, backend: str, directory: str | None, threads: int, stop_after: str | None
    ) -> None:
        self.backend = backend
        self.directory = directory
        self.threads = threads
        self.stop_after = stop_after
        self.compiled = False
        self.interrupted = False
        self.prepare: Callable[[str], None] | None = None
        self.precompiled_header = True

    def run(
        self,
        network: Network,
        duration: Quantity,
        seed: int | None = None,
        report: str | None = None,
        report_period: Quantity | None = None,
    ) -> None:
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

        Notes
        -----
        On a runtime backend, Ctrl-C stops the run after the current time step and sets
        :attr:`interrupted` (the caller collects what was recorded); a second Ctrl-C
        raises ``KeyboardInterrupt`` at once.  On a standalone backend, Ctrl-C stops the
        compile or the program and raises ``KeyboardInterrupt``: nothing is read back.
        """
        check_standalone_compatible(network, self.backend)
        if seed is not None:
            brian2.seed(seed)
        if is_quiet():  # --quiet / QUIFER_QUIET: no report either
            report = None
        kwargs = {"report": report}
        if report_period is not None:
            kwargs["report_period"] = report_period
        self.interrupted = False
        if is_standalone(self.backend):
            with progress_bar(total=2, desc=f"{self.backend}: generating code") as bar:
                network.run(duration, namespace={}, **kwargs)
                bar.update(1)
                bar.set_description(f"{self.backend}: {_BUILD_STAGE[self.stop_after]}")
                # the compiled program prints the progress report: let its output through
                self.build(with_output=report is not None)
                bar.update(1)
            return
        with stop_on_interrupt(network) as stopped:
            network.run(duration, namespace={}, **kwargs)
        self.interrupted = stopped()

    def build(self, with_output: bool = False) -> None:
        """Generate, compile and execute the standalone project (or stop earlier).

        A cpp_standalone compile forces a precompiled header of the C++ standard library
        into every translation unit (:mod:`.pch`; unless :attr:`precompiled_header` is
        False): built between code generation and ``make``, removed after ``make``.
        Brian2's ``make.deps`` is kept, so a project folder rebuilt in place recompiles
        what changed, as with Brian2's own build.

        Raises
        ------
        KeyboardInterrupt
            When the compiler or the program was stopped by SIGINT (Ctrl-C reaches them
            too; Brian2 would report it as a failed build).
        BackendError, SimulationError
            When the compile or the program failed for another reason.
        """
        hook = self.prepare if self.stop_after == "compile" else None
        try:
            if hook is None and not self._uses_pch():
                device.build(
                    directory=self.directory,
                    compile=self.stop_after != "generate",
                    run=self.stop_after is None,
                    with_output=with_output,
                )
            else:
                self._build_in_steps(hook, with_output)
        except RuntimeError as err:
            failure = _build_failure(err, self.directory)
            if failure is err:
                raise
            raise failure from err
        self.compiled = self.stop_after != "generate"

    def _uses_pch(self) -> bool:
        """Whether this session's build forces :data:`.pch.PCH_HEADER` in (GCC-style)."""
        return (
            self.precompiled_header
            and self.backend == "cpp_standalone"
            and self.stop_after != "generate"
            and get_compiler_and_args()[0] != "msvc"
        )

    def _build_in_steps(self, hook: Callable[[str], None] | None, with_output: bool) -> None:
        """Generate; the header (or the caller's ``prepare``); ``make``; run."""
        if self._uses_pch() and PCH_HEADER not in device.extra_compile_args:
            device.extra_compile_args.extend(PCH_FLAGS)
        device.build(directory=self.directory, compile=False, run=False)
        directory = str(self.directory)
        compiler, _ = get_compiler_and_args()
        if hook is not None:  # the build cache: it keeps its compiled header
            hook(directory)
            device.compile_source(directory, compiler, debug=False, clean=False)
        else:
            try:
                prepare_pch(directory, list(prefs["devices.cpp_standalone.extra_make_args_unix"]))
                device.compile_source(directory, compiler, debug=False, clean=False)
            finally:
                remove_pch(directory)  # ~50 MB, needed only by the compiler
        if self.stop_after is None:
            device.run(directory, "results", with_output)

    def rerun(self, run_args: dict[Any, Any] | None = None) -> None:
        """Execute the compiled standalone program again with new values (no recompile).

        Parameters
        ----------
        run_args : dict
            ``{group.variable: value}`` of constants / initial values to change.
        """
        if not is_standalone(self.backend) or not self.compiled:
            raise BackendError(
                f"rerun: only a compiled standalone session can rerun; this one is "
                f"backend={self.backend!r}, compiled={self.compiled}."
            )
        device.run(run_args=run_args or {}, with_output=False)


_BUILD_STAGE = {
    None: "compiling and running",
    "compile": "compiling",
    "generate": "code generated",
}


def _build_failure(err, directory):
    """The error to raise for Brian2's RuntimeError from a failed compile or run."""
    text = str(err)
    code = re.search(r"error code: (\d+)", text)
    if code is not None:  # os.system's wait status: killed by SIGINT means Ctrl-C
        status = int(code.group(1))
        if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGINT:
            return KeyboardInterrupt()
        return BackendError(
            f"the C++ compile of the standalone project in {directory} failed (exit "
            f"status {os.waitstatus_to_exitcode(status)}); run 'quifer-brian devices' to "
            f"check the compiler, or look at the compiler's output above."
        )
    if text.startswith("Project run failed"):
        return SimulationError(
            f"the standalone program in {directory} failed or was killed before it "
            f"finished; its output is in {directory}/results/stdout.txt."
        )
    return err


@contextlib.contextmanager
def backend_session(
    backend: str = "numpy",
    directory: str | None = None,
    threads: int = 0,
    stop_after: str | None = None,
    compute_capability: float | None = None,
) -> Iterator[BackendSession]:
    """Activate ``backend`` for the objects created inside the ``with`` block.

    Parameters
    ----------
    backend : {'numpy', 'cython', 'cpp_standalone', 'cuda_standalone'}
    directory : str, optional
        Standalone project folder; default: a fresh temporary folder, removed when the
        session ends (also on error).  Builds in one process never share a folder
        unless you ask for it.  A cpp_standalone build leaves there what Brian2's own
        build leaves (sources, objects, ``make.deps``, ``main``, results) plus the 1 kB
        ``quifer_pch.h`` that the makefile names; the compiled header (~50 MB) is
        removed after ``make`` (:mod:`.pch`).
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
    entry = get_backend(backend)
    threads = check_count("threads", threads, minimum=0, error=BackendError)
    if stop_after is not None:
        check_choice("stop_after", stop_after, ("generate", "compile"), error=BackendError)
        if not entry.standalone:
            raise BackendError(
                f"stop_after={stop_after!r}: only standalone backends build a project; "
                f"got backend={backend!r}."
            )
    use_installed_compiler()  # else Brian2 may drop every optimisation flag
    status = entry.status()
    needs = {None: status.runs, "compile": status.compiles, "generate": status.generates}
    if not needs[stop_after]:
        hint = " Pass stop_after='compile' to build without running." if status.compiles else ""
        raise BackendError(f"backend={backend!r} cannot do that here: {status.note}.{hint}")
    if entry.module is not None:
        import_backend_module(entry)  # heavy, optional: only for this backend
    saved_prefs = _snapshot_prefs()
    previous_device = get_device()
    temporary = None  # a project folder of our own: removed at the end
    if entry.standalone and directory is None:
        directory = temporary = tempfile.mkdtemp(prefix=f"quifer_{backend}_")
    session = BackendSession(backend, directory, threads, stop_after)
    try:
        if not entry.standalone:
            prefs.codegen.target = backend
        else:
            if entry.configure is not None:
                entry.configure(directory, compute_capability)
            prefs.devices.cpp_standalone.openmp_threads = threads
            set_device(backend, directory=directory, build_on_run=False)
            _next_epoch()
        yield session
    finally:
        if entry.standalone:
            _next_epoch()
            device.reinit()
            device.activate()
            set_device(previous_device if previous_device is not None else "runtime")
        _restore_prefs(saved_prefs)
        if temporary is not None:
            shutil.rmtree(temporary, ignore_errors=True)


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
