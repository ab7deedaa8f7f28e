"""Compiled standalone builds that outlive the process.

Every Brian2 process pays seconds before its first simulated millisecond: Python-side
code generation and the C++ compile.  :class:`BuildCache` keeps compiled cpp_standalone
programs (:class:`~quifer_brian.backends.CompiledProgram`) on disk, keyed by the
circuit's *structure*: the builder, its structural parameters (sizes, connection rules,
delays, dt, ...), the simulated duration, the package's source and the versions of
brian2, numpy and the compiler settings.  A later run of the same structure -- in this
process or another, with other values of the tunable parameters or another seed -- runs
the cached program directly (``run_args``), without code generation or compilation.

Safe to share between processes, on every platform: builds hold the cache's lock (a
``.lock`` file taken through :mod:`filelock`: ``flock`` on POSIX, ``msvcrt`` on Windows,
an exclusively created marker that a dead holder's successor takes back elsewhere; the
lock is never opened through a link), so two processes asking for the same structure
compile it once; a build happens in a private ``.build-<pid>-*`` folder and is published by an
atomic rename; runs write their results to private folders.  Repairs itself: an entry
whose manifest is missing, unreadable or of another version, whose program is missing
or does not match the sha256 recorded at build, is rebuilt (under the lock), never run;
``.build-*`` folders left by a killed compile are counted in the size and removed once
their process is gone.  Bounded: after each new build the least recently used programs
are removed until the cache is below ``max_bytes``.

Touches only what it made: ``quifer-brian cache clear`` (:meth:`BuildCache.clear`)
removes entries (a key-shaped folder with a valid manifest), its own ``.build-*``
folders and the sources' stamps (``.sources-*.json``, see :mod:`.cache_paths`), and
refuses -- deleting nothing -- a folder that holds anything else, ``/``, the home folder
or one of its parents.

Usage (the second run, here or in a new process, does not compile)::

    from brian2 import ms, second
    from quifer_brian.networks import ping
    first = ping().run(1 * second, backend="cpp_standalone", cache=True, seed=1)
    second_run = ping(tau_gaba=20 * ms).run(1 * second, backend="cpp_standalone",
                                            cache=True, seed=2)
"""

import contextlib
import gc
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import tempfile
import time
from typing import Any

import filelock
import numpy as np
from brian2 import Quantity

from .._version import __version__
from ..errors import BackendError
from ..results import Result, write_json
from ..units import quantity_to_json
from .cache_paths import CACHE_VARIABLE as _CACHE_VARIABLE  # noqa: F401 (kept name)
from .cache_paths import _source_digest, default_cache_dir, source_digest
from .compiled import (
    MANIFEST,
    MANIFEST_VERSION,
    CompiledProgram,
    describe_program,
    program_digest,
    seed_code,
)
from .incremental import (
    nearest_structure,
    prepare_project,
    remove_build_leftovers,
    remove_objects,
)
from .session import backend_session
from .toolchain import use_installed_compiler

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
_INCREMENTAL_VARIABLE = "QUIFER_BRIAN_INCREMENTAL"
_KEY = re.compile(r"[0-9a-f]{24}")
_BUILD_PREFIX = ".build-"
_LOCK = ".lock"
_LOCK_FILE = ".lock.pid"  # the lock of versions before filelock where fcntl was missing
#: The sources' stamps (:func:`.cache_paths.source_digest`) and their temporary files.
_STAMP = re.compile(r"\.sources-[0-9a-f]{8}\.json(\.[0-9]+\.tmp)?")
#: The lock's class (filelock picks the platform's: flock, msvcrt, or a soft lock).
_LOCK_CLASS = filelock.FileLock
#: A ``.build-*`` folder older than this is an orphan even if its process id is in use.
ORPHAN_AGE_S = 6 * 3600
_LOCK_TIMEOUT_S = 3600
_builds = 0


def build_count() -> int:
    """Number of programs compiled by this process through a :class:`BuildCache`."""
    return _builds


def _compiler_settings():
    from brian2 import prefs

    use_installed_compiler()  # the key names the compiler the build will use
    return {
        "cc": os.environ.get("CC", ""),
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
    incremental : bool, optional
        Build a new structure incrementally: reuse the object files of the most similar
        cached program of the same circuit and precompile the standard headers (see
        :mod:`~quifer_brian.backends.incremental`; entries keep their object files, a
        few MB each).  False compiles every structure from scratch and drops the
        object files.  Default: True unless ``$QUIFER_BRIAN_INCREMENTAL`` is ``0``.

    Attributes
    ----------
    directory : str
    max_bytes : int
    incremental : bool
    """

    def __init__(
        self,
        directory: str | os.PathLike[str] | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        incremental: bool | None = None,
    ) -> None:
        self.directory = os.path.abspath(directory or default_cache_dir())
        if int(max_bytes) <= 0:
            raise BackendError(f"BuildCache.max_bytes: must be > 0; got {max_bytes!r}.")
        self.max_bytes = int(max_bytes)
        if incremental is None:
            incremental = os.environ.get(_INCREMENTAL_VARIABLE, "1").strip() != "0"
        if not isinstance(incremental, bool):
            raise BackendError(
                f"BuildCache.incremental: must be True, False or None; got {incremental!r}."
            )
        self.incremental = incremental

    def __repr__(self):
        return f"<BuildCache {self.directory}>"

    # ------------------------------------------------------------------ keys
    def key(self, circuit: Any, duration_s: float) -> tuple[str, dict[str, Any]]:
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
    def lookup(self, key: str) -> CompiledProgram | None:
        """The cached program ``key``, or None when it is absent or broken.

        A broken entry (manifest missing, unreadable or of another version, program
        missing or not matching its digest, links out of the entry) is reported in the
        log and left for :meth:`get_or_build` to rebuild.
        """
        folder = os.path.join(self.directory, key)
        if not _KEY.fullmatch(key) or not os.path.isdir(folder) or os.path.islink(folder):
            return None
        try:
            program = CompiledProgram(folder)
        except BackendError as err:
            logger.warning("build cache: entry %s is broken (%s); it will be rebuilt", key, err)
            return None
        if program.manifest.get("key") != key:
            logger.warning("build cache: entry %s holds another build; it will be rebuilt", key)
            return None
        with contextlib.suppress(OSError):
            os.utime(os.path.join(folder, MANIFEST))  # last use, for the eviction order
        return program

    def find(self, circuit: Any, duration_s: float) -> tuple[str, CompiledProgram | None]:
        """``(key, program)``: the key of ``circuit``'s structure and its cached program,
        or None in place of the program when a run would compile it first."""
        key, _ = self.key(circuit, duration_s)
        return key, self.lookup(key)

    def get_or_build(self, circuit: Any, duration_s: float) -> tuple[CompiledProgram, bool]:
        """``(program, built)``: the cached program for ``circuit``, compiled if missing.

        A missing or broken entry is (re)built under the cache's lock: a process that
        finds another one compiling the same structure waits and uses its build.
        """
        key, structure = self.key(circuit, duration_s)
        program = self.lookup(key)
        if program is not None:
            logger.debug("%s: cached build %s", circuit.name, key)
            return program, False
        with self._lock():
            program = self.lookup(key)  # built by another process while we waited
            if program is not None:
                return program, False
            _remove(os.path.join(self.directory, key))  # absent or broken: rebuilt now
            self._remove_orphans()
            return self._build(circuit, duration_s, key, structure), True

    def _build(self, circuit, duration_s, key, structure):
        """Compile into a private folder and publish it as ``key`` (caller holds the lock)."""
        global _builds
        private = tempfile.mkdtemp(prefix=f"{_BUILD_PREFIX}{os.getpid()}-", dir=self.directory)
        logger.info("%s: compiling a new structure (%s) in %s", circuit.name, key, private)
        source = self._nearest(structure) if self.incremental else None
        try:
            manifest = self._compile(
                circuit, duration_s, structure, private, source, self.incremental
            )
            manifest["key"] = key
            manifest["program_sha256"] = program_digest(private)
            write_json(manifest, os.path.join(private, MANIFEST))  # last: marks it complete
            _builds += 1
            final = os.path.join(self.directory, key)
            os.rename(private, final)
        except BaseException:
            shutil.rmtree(private, ignore_errors=True)
            raise
        self._evict(keep=key)
        return CompiledProgram(final)

    @staticmethod
    def _compile(circuit, duration_s, structure, folder, source=None, incremental=True):
        """Generate and compile ``circuit`` in ``folder``; return its manifest.

        ``incremental``: object files of unchanged translation units are taken from the
        cached project ``source`` (see :mod:`~quifer_brian.backends.incremental`) and
        kept in the new entry for the next structure; otherwise Brian2 builds the
        project as it does by itself (no precompiled header either) and the object
        files are dropped after.
        """
        from brian2 import device, prefs, second

        threads = structure["compiler"]["openmp_threads"]  # the key's, not the default 0
        reuse = {}

        def prepare(directory):
            make_args = list(prefs["devices.cpp_standalone.extra_make_args_unix"])
            reuse["generate_s"] = time.perf_counter() - start
            reuse.update(prepare_project(directory, source, make_args))
            reuse["prepare_s"] = time.perf_counter() - start - reuse["generate_s"]

        start = time.perf_counter()
        gc.collect()  # dead circuits' objects free their names (else ..._1: other code)
        with backend_session(
            "cpp_standalone", directory=folder, threads=threads, stop_after="compile"
        ) as session:
            device.insert_code("main", seed_code())  # first: before any random number
            if incremental:  # the session forces the precompiled header in (pch.py)
                session.prepare = prepare
            else:  # Brian2's own build: bench_compile's baseline
                session.precompiled_header = False
            network = circuit.network  # the objects, created inside the session
            session.run(network, duration_s * second, report="text")
            manifest = describe_program(circuit, duration_s, structure)
        reuse["build_s"] = time.perf_counter() - start
        _release(circuit)  # dead with the session; free their names for the next build
        remove_build_leftovers(folder)
        if not incremental:
            remove_objects(folder)
        manifest["reuse"] = {**reuse, "from": os.path.basename(source) if source else None}
        logger.info(
            "%s: %d of %d translation units reused from %s",
            circuit.name,
            reuse.get("reused", 0),
            reuse.get("units", 0),
            manifest["reuse"]["from"],
        )
        return manifest

    def _nearest(self, structure):
        """The folder of the cached program most like ``structure`` (or None)."""
        key = nearest_structure(self.entries(), structure)
        return os.path.join(self.directory, key) if key else None

    # ------------------------------------------------------------------ housekeeping
    @contextlib.contextmanager
    def _lock(self):
        """The cache's lock, held by builds, eviction and clear (never follows a link).

        A link or anything but a regular file at ``.lock`` is refused with a clear
        message before filelock opens it (filelock itself opens with ``O_NOFOLLOW``, so
        a link planted between the check and the open is refused too).
        """
        os.makedirs(self.directory, exist_ok=True)
        path = os.path.join(self.directory, _LOCK)
        _refuse_link(path)
        lock = _LOCK_CLASS(path, timeout=_LOCK_TIMEOUT_S, mode=0o644)
        try:
            lock.acquire()
        except filelock.Timeout as err:
            raise BackendError(
                f"BuildCache: the lock {path} has been held for {_LOCK_TIMEOUT_S} s; if no "
                f"other quifer_brian process uses this cache, remove it."
            ) from err
        except OSError as err:
            raise BackendError(f"BuildCache: cannot take the lock {path}: {err}.") from err
        try:
            yield
        finally:
            lock.release()

    def entries(self) -> list[dict[str, Any]]:
        """The cached programs, most recently used first.

        Returns
        -------
        list of dict
            ``key``, ``circuit``, ``bytes``, ``last_used`` (POSIX time), ``structure``.
        """
        found = []
        for name in self._names():
            content = _KEY.fullmatch(name) and _entry_manifest(os.path.join(self.directory, name))
            if not content:
                continue
            manifest = os.path.join(self.directory, name, MANIFEST)
            with contextlib.suppress(OSError):
                found.append(
                    {
                        "key": name,
                        "circuit": content["layout"].get("circuit", "?"),
                        "bytes": _folder_bytes(os.path.join(self.directory, name)),
                        "last_used": os.path.getmtime(manifest),
                        "structure": content.get("structure", {}),
                    }
                )
        return sorted(found, key=lambda entry: entry["last_used"], reverse=True)

    def _names(self):
        if not os.path.isdir(self.directory):
            return []
        return sorted(os.listdir(self.directory))

    def _builds_in_progress(self):
        """``(path, bytes, orphan)`` of every ``.build-*`` folder."""
        found = []
        for name in self._names():
            path = os.path.join(self.directory, name)
            if name.startswith(_BUILD_PREFIX) and os.path.isdir(path) and not os.path.islink(path):
                found.append((path, _folder_bytes(path), _is_orphan(name, path)))
        return found

    def size_bytes(self) -> int:
        """Total size of the cached programs and of unfinished builds (bytes)."""
        entries = sum(entry["bytes"] for entry in self.entries())
        return entries + sum(size for _, size, _ in self._builds_in_progress())

    def _remove_orphans(self):
        """Remove ``.build-*`` folders whose process is gone (caller holds the lock)."""
        for path, _, orphan in self._builds_in_progress():
            if orphan:
                logger.info("build cache: removing %s, left by a compile that did not end", path)
                shutil.rmtree(path, ignore_errors=True)

    def _evict(self, keep=None):
        """Remove orphaned builds, then least recently used entries, down to the bound.

        The caller holds the lock.  Unfinished builds count towards the size.
        """
        self._remove_orphans()
        entries = self.entries()
        total = self.size_bytes()
        for entry in reversed(entries):  # least recently used first
            if total <= self.max_bytes:
                break
            if entry["key"] == keep:
                continue
            _remove(os.path.join(self.directory, entry["key"]))
            total -= entry["bytes"]
            logger.info(
                "build cache: removed %s (%s) to stay under the size bound",
                entry["key"],
                entry["circuit"],
            )

    def clear(self) -> int:
        """Remove every cached program and unfinished build; return how many programs.

        Only what the cache made is removed: entries (a key-shaped folder with a valid
        manifest), ``.build-*`` folders whose process is gone, the sources' stamps
        (``.sources-*.json`` files), and nothing else.

        Raises
        ------
        BackendError
            Before deleting anything, if the folder is ``/``, the home folder or one of
            its parents, or holds anything else (the message names it: remove it or
            point the cache elsewhere).
        """
        _refuse_unsafe_folder(self.directory)
        if not os.path.isdir(self.directory):
            return 0
        self._classify()  # refuse before anything is created (not even the lock)
        with self._lock():
            entries, builds, stamps = self._classify()
            for path in entries:
                _remove(path)
            for name, path in builds:
                if _is_orphan(name, path):
                    shutil.rmtree(path, ignore_errors=True)
            for path in stamps:
                with contextlib.suppress(OSError):
                    os.unlink(path)
        return len(entries)

    def _classify(self):
        """``(entries, builds, stamps)`` in the folder; raise if it holds anything else."""
        entries, builds, stamps, foreign = [], [], [], []
        for name in self._names():
            path = os.path.join(self.directory, name)
            if name in (_LOCK, _LOCK_FILE) and _is_plain_file(path):
                continue
            if _STAMP.fullmatch(name) and _is_plain_file(path):
                stamps.append(path)
                continue
            if os.path.islink(path):
                foreign.append(name)
            elif name.startswith(_BUILD_PREFIX) and os.path.isdir(path):
                builds.append((name, path))
            elif _KEY.fullmatch(name) and _entry_manifest(path) is not None:
                entries.append(path)
            else:
                foreign.append(name)
        if foreign:
            shown = ", ".join(foreign[:5]) + (" ..." if len(foreign) > 5 else "")
            raise BackendError(
                f"BuildCache.clear: {self.directory} holds what the build cache did not "
                f"make ({shown}); nothing was deleted. Point the cache at its own folder "
                f"(--cache-dir, $QUIFER_BRIAN_CACHE) or move those files away."
            )
        return entries, builds, stamps


def run_cached(
    circuit: Any,
    duration: Quantity,
    seed: int | None = None,
    cache: "BuildCache | str | os.PathLike[str] | None" = None,
    progress: bool = False,
    check: bool = True,
) -> Result:
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
    params = {name: quantity_to_json(value) for name, value in circuit.params.items()}
    result = program.run(values, seed=seed, progress=progress, check=check, params=params)
    return result.with_meta(
        build="compiled" if built else "cached",
        build_key=os.path.basename(program.directory),
        run_wall_s=time.perf_counter() - start,
    )


# ---------------------------------------------------------------------------- helpers
def _versions():
    import brian2

    return {"quifer_brian": __version__, "brian2": brian2.__version__, "numpy": np.__version__}


def _refuse_unsafe_folder(directory):
    real = os.path.realpath(directory)
    home = os.path.realpath(os.path.expanduser("~"))
    if real == os.path.realpath(os.sep) or home == real or home.startswith(real + os.sep):
        raise BackendError(
            f"BuildCache.clear: refusing to clear {directory} (the root, the home folder or "
            f"one of its parents); the cache lives in a folder of its own, such as "
            f"{default_cache_dir()}."
        )


def _refuse_link(path):
    """Refuse a lock path that is a link or not a regular file (a clear BackendError)."""
    if os.path.islink(path):
        raise BackendError(
            f"BuildCache: {path} is a symbolic link; the cache's lock is never followed "
            f"through a link. Remove the link."
        )
    if os.path.lexists(path) and not stat.S_ISREG(os.lstat(path).st_mode):
        raise BackendError(f"BuildCache: the lock {path} is not a regular file; remove it.")


def _process_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _is_orphan(name, path):
    """A ``.build-<pid>-*`` folder whose process is gone, or one older than a while."""
    with contextlib.suppress(OSError):
        if time.time() - os.path.getmtime(path) > ORPHAN_AGE_S:
            return True
    owner = name[len(_BUILD_PREFIX) :].split("-", 1)[0]
    if not owner.isdigit():
        return False  # an older version's folder, no owner recorded: only its age tells
    return int(owner) != os.getpid() and not _process_alive(int(owner))


def _is_plain_file(path):
    return os.path.isfile(path) and not os.path.islink(path)


def _entry_manifest(folder):
    """The manifest of an entry folder if it reads as one this module wrote, else None."""
    path = os.path.join(folder, MANIFEST)
    if os.path.islink(folder) or not _is_plain_file(path):
        return None
    try:
        with open(path, encoding="utf-8") as stream:
            content = json.load(stream)
    except (OSError, ValueError, RecursionError):
        return None
    valid = (
        isinstance(content, dict)
        and isinstance(content.get("version"), int)
        and isinstance(content.get("layout"), dict)
        and isinstance(content.get("files"), dict)
    )
    return content if valid else None


def _remove(path):
    """Remove an entry (a link is unlinked, never followed)."""
    if os.path.islink(path) or os.path.isfile(path):
        with contextlib.suppress(OSError):
            os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path, ignore_errors=True)


def _release(circuit):
    """Let ``circuit`` drop its Brian2 objects (made in a session that has ended), so
    that the next structure's objects get the same names and thus the same code."""
    release = getattr(circuit, "release_objects", None)
    if callable(release):
        release()
    gc.collect()


def _folder_bytes(folder):
    total = 0
    for root, _, files in os.walk(folder):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.path.getsize(os.path.join(root, name))
    return total
