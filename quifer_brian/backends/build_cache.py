"""Compiled standalone builds that outlive the process.

Every Brian2 process pays seconds before its first simulated millisecond: Python-side
code generation and the C++ compile.  :class:`BuildCache` keeps compiled cpp_standalone
programs (:class:`~quifer_brian.backends.CompiledProgram`) on disk, keyed by the
circuit's *structure*: the builder, its structural parameters (sizes, connection rules,
delays, dt, ...), the simulated duration, the package's source and the versions of
brian2, numpy and the compiler settings.  A later run of the same structure -- in this
process or another, with other values of the tunable parameters or another seed -- runs
the cached program directly (``run_args``), without code generation or compilation.

Safe to share between processes: a build happens in a private folder and is published
by an atomic rename (two processes building the same structure both succeed; the second
one's copy is discarded); runs write their results to private folders.  Bounded: after
each new build the least recently used programs are removed until the cache is below
``max_bytes``.  ``quifer-brian cache clear`` empties it.

Usage (the second run, here or in a new process, does not compile)::

    from brian2 import ms, second
    from quifer_brian.networks import ping
    first = ping().run(1 * second, backend="cpp_standalone", cache=True, seed=1)
    second_run = ping(tau_gaba=20 * ms).run(1 * second, backend="cpp_standalone",
                                            cache=True, seed=2)
"""

import contextlib
import fcntl
import functools
import hashlib
import json
import logging
import os
import shutil
import tempfile
import time

import numpy as np

from .._version import __version__
from ..errors import BackendError
from ..results import write_json
from ..units import quantity_to_json
from .compiled import MANIFEST, MANIFEST_VERSION, CompiledProgram, describe_program, seed_code
from .session import backend_session

__all__ = [
    "DEFAULT_MAX_BYTES",
    "BuildCache",
    "build_count",
    "default_cache_dir",
    "run_cached",
    "source_digest",
]

logger = logging.getLogger("quifer_brian.backends")

#: Default bound on the cache's size on disk (bytes).
DEFAULT_MAX_BYTES = 2 * 1024**3
_CACHE_VARIABLE = "QUIFER_BRIAN_CACHE"
_builds = 0


def build_count():
    """Number of programs compiled by this process through a :class:`BuildCache`."""
    return _builds


def default_cache_dir():
    """``$QUIFER_BRIAN_CACHE``, else ``$XDG_CACHE_HOME/quifer_brian/builds`` (~/.cache)."""
    if os.environ.get(_CACHE_VARIABLE):
        return os.environ[_CACHE_VARIABLE]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "quifer_brian", "builds")


@functools.cache
def _source_digest():
    """Digest of the package's Python sources: equations and builders are part of a key."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for root, folders, files in os.walk(package):
        folders.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                digest.update(os.path.relpath(path, package).encode())
                with open(path, "rb") as stream:
                    digest.update(stream.read())
    return digest.hexdigest()[:16]


def source_digest():
    """Digest of the package's Python sources (16 hex digits); part of every cache key."""
    return _source_digest()


def _compiler_settings():
    from brian2 import prefs

    return {
        "cxx": os.environ.get("CXX", ""),
        "extra_compile_args": list(prefs["codegen.cpp.extra_compile_args"] or []),
        "extra_compile_args_gcc": list(prefs["codegen.cpp.extra_compile_args_gcc"]),
        "openmp_threads": int(prefs["devices.cpp_standalone.openmp_threads"]),
    }


class BuildCache:
    """Compiled cpp_standalone programs on disk, keyed by the circuit's structure.

    Parameters
    ----------
    directory : str, optional
        Where the programs live (default: :func:`default_cache_dir`).
    max_bytes : int
        Bound on the total size; the least recently used programs go first.

    Attributes
    ----------
    directory : str
    max_bytes : int
    """

    def __init__(self, directory=None, max_bytes=DEFAULT_MAX_BYTES):
        self.directory = os.path.abspath(directory or default_cache_dir())
        if int(max_bytes) <= 0:
            raise BackendError(f"BuildCache.max_bytes: must be > 0; got {max_bytes!r}.")
        self.max_bytes = int(max_bytes)

    def __repr__(self):
        return f"<BuildCache {self.directory}>"

    # ------------------------------------------------------------------ keys
    def key(self, circuit, duration_s):
        """``(key, structure)``: the digest naming a program and what it digests."""
        structure = {
            "circuit": circuit.name,
            "structure": {k: quantity_to_json(v) for k, v in circuit.structure_params.items()},
            "tunable": list(circuit.tunable_params),
            "duration_s": float(duration_s),
            "backend": "cpp_standalone",
            "manifest": MANIFEST_VERSION,
            "source": _source_digest(),
            "versions": _versions(),
            "compiler": _compiler_settings(),
        }
        text = json.dumps(structure, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:24], structure

    # ------------------------------------------------------------------ lookup / build
    def lookup(self, key):
        """The cached program ``key``, or None."""
        folder = os.path.join(self.directory, key)
        try:
            program = CompiledProgram(folder)
        except (OSError, ValueError):
            return None
        if program.manifest.get("version") != MANIFEST_VERSION:
            return None
        with contextlib.suppress(OSError):
            os.utime(os.path.join(folder, MANIFEST))  # last use, for the eviction order
        return program

    def get_or_build(self, circuit, duration_s):
        """``(program, built)``: the cached program for ``circuit``, compiled if missing."""
        key, structure = self.key(circuit, duration_s)
        program = self.lookup(key)
        if program is not None:
            logger.debug("%s: cached build %s", circuit.name, key)
            return program, False
        return self._build(circuit, duration_s, key, structure), True

    def _build(self, circuit, duration_s, key, structure):
        from brian2 import device, second

        global _builds
        os.makedirs(self.directory, exist_ok=True)
        private = tempfile.mkdtemp(prefix=".build-", dir=self.directory)
        logger.info("%s: compiling a new structure (%s) in %s", circuit.name, key, private)
        try:
            threads = structure["compiler"]["openmp_threads"]  # the key's, not the default 0
            with backend_session(
                "cpp_standalone", directory=private, threads=threads, stop_after="compile"
            ) as session:
                device.insert_code("main", seed_code())  # first: before any random number
                network = circuit.network  # the objects, created inside the session
                session.run(network, duration_s * second, report="text")
                manifest = describe_program(circuit, duration_s, structure)
            _remove_objects(private)
            write_json(manifest, os.path.join(private, MANIFEST))
            _builds += 1
            final = os.path.join(self.directory, key)
            with self._lock():
                if os.path.isdir(final):  # another process published it first: use theirs
                    shutil.rmtree(private, ignore_errors=True)
                else:
                    os.rename(private, final)
                self._evict(keep=key)
        except BaseException:
            shutil.rmtree(private, ignore_errors=True)
            raise
        return CompiledProgram(final)

    # ------------------------------------------------------------------ housekeeping
    @contextlib.contextmanager
    def _lock(self):
        os.makedirs(self.directory, exist_ok=True)
        with open(os.path.join(self.directory, ".lock"), "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def entries(self):
        """The cached programs, most recently used first.

        Returns
        -------
        list of dict
            ``key``, ``circuit``, ``bytes``, ``last_used`` (POSIX time), ``structure``.
        """
        if not os.path.isdir(self.directory):
            return []
        found = []
        for name in os.listdir(self.directory):
            manifest = os.path.join(self.directory, name, MANIFEST)
            if name.startswith(".") or not os.path.isfile(manifest):
                continue
            with contextlib.suppress(OSError, ValueError):
                with open(manifest) as stream:
                    content = json.load(stream)
                found.append(
                    {
                        "key": name,
                        "circuit": content["layout"]["circuit"],
                        "bytes": _folder_bytes(os.path.join(self.directory, name)),
                        "last_used": os.path.getmtime(manifest),
                        "structure": content.get("structure", {}),
                    }
                )
        return sorted(found, key=lambda entry: entry["last_used"], reverse=True)

    def size_bytes(self):
        """Total size of the cached programs (bytes)."""
        return sum(entry["bytes"] for entry in self.entries())

    def _evict(self, keep=None):
        entries = self.entries()
        total = sum(entry["bytes"] for entry in entries)
        for entry in reversed(entries):  # least recently used first
            if total <= self.max_bytes:
                break
            if entry["key"] == keep:
                continue
            shutil.rmtree(os.path.join(self.directory, entry["key"]), ignore_errors=True)
            total -= entry["bytes"]
            logger.info(
                "build cache: removed %s (%s) to stay under the size bound",
                entry["key"],
                entry["circuit"],
            )

    def clear(self):
        """Remove every cached program; return how many there were."""
        if not os.path.isdir(self.directory):
            return 0
        with self._lock():
            removed = 0
            for name in os.listdir(self.directory):
                path = os.path.join(self.directory, name)
                if name == ".lock" or not os.path.isdir(path):
                    continue
                shutil.rmtree(path, ignore_errors=True)
                removed += not name.startswith(".")
        return removed


def run_cached(circuit, duration, seed=None, cache=None, progress=False, check=True):
    """Run ``circuit`` on cpp_standalone through the build cache.

    Parameters
    ----------
    circuit : Circuit
    duration : brian2.Quantity (second)
    seed : int, optional
    cache : BuildCache or str, optional
        A cache or its folder (default: :func:`default_cache_dir`).
    progress : bool
        Show the compiled program's progress report.
    check : bool
        Raise on NaN or a silent run.

    Returns
    -------
    Result
        ``meta['build']`` is ``'compiled'`` when this call compiled the program and
        ``'cached'`` otherwise; ``meta['build_key']`` names the program.
    """
    from brian2 import second

    if not isinstance(cache, BuildCache):
        cache = BuildCache(cache)
    duration_s = float(duration / second)
    values = circuit.run_values()  # checks nothing new: the circuit's own values
    program, built = cache.get_or_build(circuit, duration_s)
    start = time.perf_counter()
    result = program.run(values, seed=seed, progress=progress, check=check)
    return result.with_meta(
        build="compiled" if built else "cached",
        build_key=os.path.basename(program.directory),
        run_wall_s=time.perf_counter() - start,
    )


# ---------------------------------------------------------------------------- helpers
def _versions():
    import brian2

    return {"quifer_brian": __version__, "brian2": brian2.__version__, "numpy": np.__version__}


def _remove_objects(folder):
    """Drop the compiler's object files: only ``main`` and the data are needed to run."""
    for root, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".o"):
                os.remove(os.path.join(root, name))


def _folder_bytes(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(root, name))
    return total
