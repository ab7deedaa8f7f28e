"""The backends, each one entry: a name, whether it is a standalone device, what it can
do here, and what it needs configured before its device is set.

Adding a backend is one :func:`register_backend` call; :func:`backend_session`,
``quifer-brian devices``, the CLI's ``--backend`` choices and the sweeps read this
registry.

Examples
--------
>>> list_backends()
('numpy', 'cython', 'cpp_standalone', 'cuda_standalone')
>>> get_backend("cpp_standalone").standalone
True
"""

from collections.abc import Callable
from dataclasses import dataclass

from ..errors import BackendError, did_you_mean
from .cuda import configure_cuda
from .detect import (
    BackendStatus,
    cpp_standalone_status,
    cuda_standalone_status,
    cython_status,
    import_optional,
    numpy_status,
)

__all__ = [
    "Backend",
    "backend_status",
    "check_backend",
    "default_backend",
    "get_backend",
    "import_backend_module",
    "is_standalone",
    "list_backends",
    "register_backend",
]


@dataclass(frozen=True)
class Backend:
    """One way to run a circuit.

    Attributes
    ----------
    name : str
        Brian2's name: a code-generation target (runtime) or a device (standalone).
    standalone : bool
        True for a device that turns the whole network into one program.
    status : callable
        ``status() -> BackendStatus``: what it can do on this machine.
    configure : callable, optional
        ``configure(directory, compute_capability)``: preferences to set before the
        device is activated (e.g. brian2cuda's).
    module : str, optional
        A package that registers the device and its preferences, imported when a
        session starts (before the preferences are saved for restoring).
    extra : str, optional
        The package's extra that installs ``module`` (named in the error when it is
        missing: ``pip install 'quifer-brian[<extra>]'``).
    """

    name: str
    standalone: bool
    status: Callable[[], BackendStatus]
    configure: Callable | None = None
    module: str | None = None
    extra: str | None = None


_REGISTRY: dict[str, Backend] = {}


def register_backend(backend: Backend) -> Backend:
    """Add ``backend`` (a :class:`Backend`) to the registry; a name is registered once."""
    if not isinstance(backend, Backend):
        raise BackendError(f"register_backend: expected a Backend; got {backend!r}.")
    if backend.name in _REGISTRY:
        raise BackendError(f"register_backend: {backend.name!r} is already registered.")
    _REGISTRY[backend.name] = backend
    return backend


def import_backend_module(backend: Backend) -> None:
    """Import the package ``backend.module`` (a :class:`BackendError` naming its extra if
    it is missing)."""
    if backend.module is not None:
        import_optional(backend.module, backend.extra or backend.name, backend.name)


def list_backends() -> tuple[str, ...]:
    """Names of the registered backends, fastest start first."""
    return tuple(_REGISTRY)


def get_backend(name: str) -> Backend:
    """The :class:`Backend` called ``name``; a :class:`BackendError` listing the valid ones."""
    if not isinstance(name, str) or name not in _REGISTRY:
        valid = ", ".join(repr(n) for n in _REGISTRY)
        raise BackendError(
            f"backend: unknown value {name!r}; {did_you_mean(name, _REGISTRY)}valid values "
            f"are {valid}."
        )
    return _REGISTRY[name]


def check_backend(name: str) -> str:
    """Return ``name`` if it names a registered backend; raise listing the valid ones."""
    return get_backend(name).name


def is_standalone(name: str) -> bool:
    """Whether the backend ``name`` is a standalone device."""
    return get_backend(name).standalone


def default_backend() -> str:
    """The fastest CPU backend that runs here: cpp_standalone, else numpy."""
    return "cpp_standalone" if get_backend("cpp_standalone").status().runs else "numpy"


def backend_status() -> list[BackendStatus]:
    """Report what each backend can do here.

    Returns
    -------
    list of BackendStatus
        One per registered backend, in :func:`list_backends` order.
    """
    return [backend.status() for backend in _REGISTRY.values()]


for _backend in (
    Backend("numpy", False, numpy_status),
    Backend("cython", False, cython_status),
    Backend("cpp_standalone", True, cpp_standalone_status),
    Backend(
        "cuda_standalone",
        True,
        cuda_standalone_status,
        configure=configure_cuda,
        module="brian2cuda",
        extra="cuda",
    ),
):
    register_backend(_backend)
