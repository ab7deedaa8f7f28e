"""A compiled cpp_standalone program of a circuit, run again without Brian2 objects.

Brian2's standalone program can be run again with new values of variables given on its
command line (``group.variable=value``, what ``device.run(run_args=...)`` passes).  A
:class:`CompiledProgram` keeps what is needed to do that from any process, without
building the Brian2 objects again: the project folder with its ``main`` executable and a
*manifest* naming the result files of every monitor.  Its :meth:`~CompiledProgram.run`
starts the executable with the circuit's tunable values and a seed, reads the files back
and assembles the same :class:`~quifer_brian.results.Result` as ``Circuit.run``.

The seed: Brian2 compiles ``seed(n)`` into the program.  The programs made here start
with a few lines that re-seed Brian2's random generators from the environment variable
``QUIFER_BRIAN_SEED`` (generator ``k`` gets ``seed + k``, as ``brian2.seed`` does), so
one program serves every seed; without the variable the generators keep Brian2's
random initialisation.
"""

import hashlib
import json
import math
import numbers
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import BackendError, RunInterrupted, SimulationError
from ..progress import is_quiet
from .stamps import file_state, read_stamp, settled, write_stamp
from .written_arrays import WRITE_ONLY_VARIABLE

if TYPE_CHECKING:  # the result is assembled after the program ran (see run)
    from ..results import Result

__all__ = [
    "MANIFEST",
    "SEED_VARIABLE",
    "CompiledProgram",
    "describe_program",
    "program_digest",
    "seed_code",
]

SEED_VARIABLE = "QUIFER_BRIAN_SEED"
MANIFEST = "manifest.json"
#: The executable's name in a project folder.
PROGRAM = "main"
#: The program's digest with the file state it was computed for (see ``verify``).
PROGRAM_STAMP = "program.stamp.json"
#: Manifest format; a program with another version is rebuilt.  3: the program's digest.
MANIFEST_VERSION = 3
_LAYOUT_KEYS = ("circuit", "sizes", "fs", "rate_dt", "lfp", "params")


def seed_code() -> str:
    """C++ lines for the start of ``main``: seed the generators from the environment."""
    return (
        "{\n"
        f'    const char* _quifer_seed = std::getenv("{SEED_VARIABLE}");\n'
        "    if (_quifer_seed != NULL && _quifer_seed[0] != '\\0')\n"
        "        for (int _i = 0; _i < (int)brian::_random_generators.size(); _i++)\n"
        "            brian::_random_generators[_i]"
        ".seed(std::strtoul(_quifer_seed, NULL, 10) + _i);\n"
        "}\n"
    )


def describe_program(circuit: Any, duration_s: float, structure: dict[str, Any]) -> dict[str, Any]:
    """The manifest of a circuit just compiled in the active cpp_standalone session.

    Parameters
    ----------
    circuit : Circuit
        Built inside the session (its objects belong to the device).
    duration_s : float
        Simulated time compiled into the program (s).
    structure : dict
        What the program was built from (the cache key's content), kept for reading.

    Returns
    -------
    dict
        JSON-able: the result layout, the tunable targets, and for each monitored array
        its file name, dtype and number of columns.
    """
    import numpy as np
    from brian2 import get_device  # Brian2 only at build time: a rerun runs without it

    device = get_device()
    files = {}
    for key, (owner, name) in circuit.recorded().items():
        variable = owner.variables[name.rstrip("_")]
        size = variable.size
        columns = size[1] if isinstance(size, tuple) and len(size) == 2 else None
        files[key] = {
            "file": device.get_array_filename(variable),
            "dtype": np.dtype(variable.dtype).str,
            "columns": columns,
        }
    return {
        "version": MANIFEST_VERSION,
        "duration_s": float(duration_s),
        "layout": circuit.result_layout(),
        "tunable": _tunable_dtypes(circuit),
        "files": files,
        "structure": structure,
    }


def _tunable_dtypes(circuit):
    """``{"group.variable": dtype}`` of the circuit's tunable targets."""
    import numpy as np
    from brian2 import TimedArray

    owners = {obj.name: obj for obj in circuit.network.objects}
    timed_arrays = {
        value.name: value
        for obj in circuit.network.objects
        for value in getattr(obj, "namespace", {}).values()
        if isinstance(value, TimedArray)
    }
    dtypes = {}
    for target in circuit.run_values():
        group, variable = target.split(".", 1)
        if variable == "values" and group in timed_arrays:  # a TimedArray's values
            dtypes[target] = np.dtype(timed_arrays[group].values.dtype).str
            continue
        if group not in owners or variable not in owners[group].variables:
            raise SimulationError(
                f"{circuit.name}: the tunable target {target!r} names no variable of the "
                f"circuit; the builder's tunable values are wrong."
            )
        dtypes[target] = np.dtype(owners[group].variables[variable].dtype).str
    return dtypes


def program_digest(directory: str) -> str:
    """sha256 (hex) of the executable ``main`` in ``directory``."""
    digest = hashlib.sha256()
    with open(os.path.join(directory, PROGRAM), "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class CompiledProgram:
    """A compiled circuit in a folder: ``main`` plus its manifest.

    The manifest is checked on creation: its file names stay inside the folders they
    name (no absolute path, no ``..``), its types are numbers; the folder holds a real
    ``main`` and no link pointing out of it.  A manifest read from the folder must record
    the program's sha256 (written at build), and the digest is checked again before each
    run: a changed or swapped program is refused, never run.

    Parameters
    ----------
    directory : str
        The project folder (holds ``main``, ``static_arrays/`` and ``manifest.json``).
    manifest : dict, optional
        Read from the folder when not given (then its digest is required).

    Raises
    ------
    BackendError
        If the manifest is missing, unreadable or invalid, or the program is missing or
        does not match its digest.
    """

    def __init__(self, directory: str, manifest: dict[str, Any] | None = None) -> None:
        self.directory = os.path.abspath(directory)
        from_disk = manifest is None
        if manifest is None:
            manifest = _read_manifest(self.directory)
        _check_manifest(manifest, self.directory, require_digest=from_disk)
        self.manifest: dict[str, Any] = manifest
        self._check_folder()
        self.verify()

    def _check_folder(self):
        program = os.path.join(self.directory, PROGRAM)
        if os.path.islink(program) or not os.path.isfile(program):
            raise BackendError(
                f"CompiledProgram: {self.directory} holds no program file {PROGRAM!r} (or it "
                f"is a link); the build is incomplete: build it again."
            )
        root = os.path.realpath(self.directory)
        for path in _links(self.directory):
            if not _inside(os.path.realpath(path), root):
                raise BackendError(
                    f"CompiledProgram: {path} is a link out of the project folder "
                    f"{self.directory}; refusing to use it."
                )

    def verify(self) -> None:
        """Check the program against the digest in the manifest (when it records one).

        The sha256 is computed unless the program's :func:`~.stamps.file_state`
        (size, modification and change times, inode, device) is the one recorded with
        that digest in the folder's stamp (``program.stamp.json``): a program rewritten,
        replaced or touched has another state and is hashed again.  The stamp is written
        after a hash that matched, if the program had been left alone for
        :data:`~.stamps.SETTLED_S` seconds and did not change while it was read
        (:mod:`.stamps` says why that is sound).
        """
        expected = self.manifest.get("program_sha256")
        if expected is None:
            return
        path = os.path.join(self.directory, PROGRAM)
        stamp_path = os.path.join(self.directory, PROGRAM_STAMP)
        try:
            before = file_state(path)
            if read_stamp(stamp_path) == {"sha256": expected, "state": before}:
                return
            found = program_digest(self.directory)
            after = file_state(path)
        except OSError as err:
            raise BackendError(
                f"CompiledProgram: cannot read the program in {self.directory}: {err}."
            ) from err
        if found != expected:
            raise BackendError(
                f"CompiledProgram: the program in {self.directory} does not match its "
                f"manifest (sha256 {found[:12]}..., recorded {str(expected)[:12]}...): it "
                f"was changed after the build; build it again."
            )
        if after == before and settled([before]):
            write_stamp(stamp_path, {"sha256": expected, "state": before})

    @property
    def duration(self) -> float:
        """Simulated time of one run (s)."""
        return self.manifest["duration_s"]

    def run(
        self,
        values: dict[str, Any],
        seed: int | None = None,
        progress: bool = False,
        check: bool = True,
        started: Callable[[], None] | None = None,
        params: dict[str, Any] | None = None,
    ) -> "Result":
        """Run the program once with ``values`` and return the result.

        Parameters
        ----------
        values : dict of str -> float or 1-D array
            ``{"group.variable": SI value}``, from ``Circuit.run_values``; every tunable
            target of the program must be given (a stale value could otherwise linger).
            An array sets the variable element by element (its size must match).
        seed : int, optional
            Seed of the random generators (None: Brian2's random initialisation).
        progress : bool
            Let the program's progress report through to the terminal.
        check : bool
            Raise :class:`~quifer_brian.errors.SimulationError` on NaN or silence.
        started : callable, optional
            Called (no arguments) as soon as the program has started: work of the
            caller's that can overlap the simulation without delaying its start.
        params : dict, optional
            The run's parameters as the result records them (``quantity_to_json``
            form) over those the program was compiled with (the manifest's): the
            caller's tunable values, which ``values`` carries as run values.

        Returns
        -------
        Result
            ``meta['complete']`` is True, with ``requested_duration_s`` and
            ``simulated_duration_s`` (both the program's duration).

        Raises
        ------
        RunInterrupted
            When Ctrl-C (SIGINT) stopped the program: it is killed, its results folder
            removed, nothing read back (``result`` is None).
        """
        arrays, wall = self._run_and_read(values, seed, progress, False, started)
        # here, not at the top: the recording layer (the result's file format, logging)
        # is not needed before the program has run, and a rerun's start-up counts
        from .recording import assemble_result

        layout = self.manifest["layout"]
        if params:
            layout = {**layout, "params": {**layout["params"], **params}}
        result = assemble_result(
            layout,
            arrays,
            self.duration,
            "cpp_standalone",
            seed,
            wall,
            check=check,
        )
        return result.with_meta(
            complete=True,
            requested_duration_s=self.duration,
            simulated_duration_s=self.duration,
        )

    def run_arrays(self, values: dict[str, Any], seed: int | None = None) -> dict[str, Any]:
        """Run the program once with ``values``; return its recorded arrays as they are.

        Unlike :meth:`run`, no :class:`Result` is assembled and a monitor that recorded
        several columns (a ``StateMonitor`` of many cells) comes back whole, shape
        ``(n_times, n_columns)``; keys are those of ``circuit.recorded()``.
        """
        return self._run_and_read(values, seed, False, True)[0]

    def _run_and_read(self, values, seed, progress, whole, started=None):
        missing = sorted(set(self.manifest["tunable"]) - set(values))
        if missing:
            raise SimulationError(
                f"CompiledProgram.run: values for {', '.join(missing)} are missing; pass "
                f"circuit.run_values(...)."
            )
        progress = progress and not is_quiet()  # --quiet / QUIFER_QUIET
        environment = dict(os.environ)
        # only the monitors read below: not the synapses' 100 MB (backends/written_arrays.py)
        environment[WRITE_ONLY_VARIABLE] = ":".join(
            spec["file"] for spec in self.manifest["files"].values()
        )
        if seed is not None:
            environment[SEED_VARIABLE] = str(int(seed))
        else:
            environment.pop(SEED_VARIABLE, None)
        self.verify()  # the digest, just before running
        results = _results_folder()
        try:
            arguments = self._arguments(values, results)
            start = time.perf_counter()
            self._execute(arguments, results, environment, progress, started)
            wall = time.perf_counter() - start
            arrays = self._read(results, whole)
        finally:
            import shutil  # after the program: not part of a rerun's start-up

            shutil.rmtree(results, ignore_errors=True)
        return arrays, wall

    def _arguments(self, values, folder):
        """Command-line ``group.variable=value``; arrays go through files in ``folder``."""
        dtypes = self.manifest["tunable"]
        arguments = []
        for k, (name, value) in enumerate(sorted(values.items())):
            if isinstance(value, numbers.Real):  # numpy's scalars too; no numpy needed
                arguments.append(f"{name}={float(value)!r}")
                continue
            import numpy as np  # an array (then numpy is loaded already, or is needed)

            array = np.asarray(value)
            if array.ndim == 0:
                arguments.append(f"{name}={float(array)!r}")
                continue
            path = os.path.join(folder, f"run_arg_{k}.dat")
            array.astype(np.dtype(dtypes.get(name, "<f8"))).tofile(path)
            arguments.append(f"{name}={path}")
        return arguments

    def _execute(self, arguments, results, environment, progress, started=None):
        """Run ``main``; a SIGINT to this process or to the program ends in RunInterrupted.

        As ``subprocess.run`` does, any exception while the program runs (Ctrl-C's
        KeyboardInterrupt, one raised by ``started``) kills it before going on; the
        caller removes its results folder, so no partial output is ever read back.
        """
        command = [os.path.join(self.directory, "main"), "--results_dir", results + os.sep]
        stopped = "the compiled program was stopped before the end: nothing was read back"
        try:
            with subprocess.Popen(
                command + arguments,
                cwd=self.directory,
                env=environment,
                stdout=None if progress else subprocess.PIPE,
                stderr=subprocess.STDOUT if not progress else None,
                text=True,
            ) as process:
                try:
                    if started is not None:
                        started()
                    output, _ = process.communicate()
                except BaseException:
                    process.kill()  # Popen's exit waits for it
                    raise
        except KeyboardInterrupt:
            raise RunInterrupted(stopped) from None
        if process.returncode == -signal.SIGINT:  # Ctrl-C reached the program only
            raise RunInterrupted(stopped)
        if process.returncode != 0:
            lines = (output or "").strip().splitlines()[-5:]
            raise SimulationError(
                f"the compiled program in {self.directory} failed with exit status "
                f"{process.returncode}: {' | '.join(lines) or '(no output)'}"
            )

    def _read(self, results, whole=False):
        import numpy as np  # after the program: a rerun starts it before numpy is loaded

        arrays = {}
        root = os.path.realpath(results)
        for key, spec in self.manifest["files"].items():
            path = os.path.join(results, spec["file"])
            try:
                if not _inside(os.path.realpath(path), root):
                    raise OSError(f"{path} leads out of the results folder")
                data = np.fromfile(path, dtype=np.dtype(spec["dtype"]))
                if spec["columns"]:
                    data = data.reshape(-1, spec["columns"])
                    data = data if whole else data[:, 0]
            except (OSError, ValueError) as err:
                raise SimulationError(
                    f"the compiled program in {self.directory} left no readable {key!r} "
                    f"({spec['file']}): {err}"
                ) from err
            arrays[key] = data
        return arrays


# ---------------------------------------------------------------------------- the manifest
#: Where :func:`tempfile.gettempdir` looks on POSIX, after $TMPDIR, $TEMP and $TMP.
_TEMPORARY_ROOTS = ("/tmp", "/var/tmp", "/usr/tmp")


def _results_folder():
    """A new private folder (mode 0700) for one run's results, as ``tempfile.mkdtemp``.

    Without importing :mod:`tempfile` (and the :mod:`random` and :mod:`shutil` it
    imports: 1.5-3 ms of a rerun's start-up) where it is not loaded yet -- so nothing
    can have changed its ``tempdir`` -- on POSIX: the first of ``tempfile``'s candidate
    folders where a new folder can be made; otherwise, or if none can, ``tempfile``.
    """
    if "tempfile" not in sys.modules and os.name == "posix":
        roots = [os.environ.get(name) for name in ("TMPDIR", "TEMP", "TMP")]
        for root in [*filter(None, roots), *_TEMPORARY_ROOTS]:
            for _ in range(100):
                name = f"quifer_results_{os.urandom(6).hex()}"
                path = os.path.join(os.path.abspath(root), name)
                try:
                    os.mkdir(path, 0o700)
                except FileExistsError:
                    continue
                except OSError:
                    break
                return path
    import tempfile

    return tempfile.mkdtemp(prefix="quifer_results_")


def _links(folder):
    """Paths of the symbolic links under ``folder`` (links to folders are not entered).

    :func:`os.scandir` knows each entry's kind from the listing: no ``lstat`` per file.
    """
    found = []
    try:
        with os.scandir(folder) as listing:
            for entry in listing:
                if entry.is_symlink():
                    found.append(entry.path)
                elif entry.is_dir():
                    found.extend(_links(entry.path))
    except OSError:
        pass
    return found


def _inside(path, root):
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _read_manifest(directory):
    path = os.path.join(directory, MANIFEST)
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError, RecursionError) as err:
        raise BackendError(
            f"CompiledProgram: cannot read the manifest {path}: {str(err)[:120]}; the build "
            f"is incomplete or damaged: build it again."
        ) from err


def _check_manifest(manifest, directory, require_digest):
    """Raise :class:`BackendError` unless ``manifest`` is one this module wrote."""

    def refuse(field, problem):
        raise BackendError(
            f"CompiledProgram: the manifest in {directory}: {field} {problem}; the build is "
            f"damaged or was edited: build it again."
        )

    if not isinstance(manifest, dict):
        refuse("(the whole)", "is not a JSON object")
    if manifest.get("version") != MANIFEST_VERSION:
        refuse("version", f"is {manifest.get('version')!r}, this package writes {MANIFEST_VERSION}")
    duration = manifest.get("duration_s")
    if (
        isinstance(duration, bool)
        or not isinstance(duration, numbers.Real)
        or not (math.isfinite(duration) and duration > 0)
    ):
        refuse("duration_s", f"must be a finite time > 0 (s); got {duration!r}")
    layout = manifest.get("layout")
    if not isinstance(layout, dict) or any(key not in layout for key in _LAYOUT_KEYS):
        refuse("layout", f"must be an object with {', '.join(_LAYOUT_KEYS)}")
    tunable = manifest.get("tunable")
    if not isinstance(tunable, dict):
        refuse("tunable", "must be an object")
    for name, dtype in tunable.items():
        _check_dtype(refuse, f"tunable.{name}", dtype)
    files = manifest.get("files")
    if not isinstance(files, dict):
        refuse("files", "must be an object")
    for key, spec in files.items():
        if not isinstance(spec, dict):
            refuse(f"files.{key}", "must be an object")
        _check_relative(refuse, f"files.{key}.file", spec.get("file"))
        _check_dtype(refuse, f"files.{key}.dtype", spec.get("dtype"))
        columns = spec.get("columns")
        if columns is not None and (
            isinstance(columns, bool) or not isinstance(columns, int) or columns < 1
        ):
            refuse(f"files.{key}.columns", f"must be null or an integer >= 1; got {columns!r}")
    digest = manifest.get("program_sha256")
    if digest is None and require_digest:
        refuse("program_sha256", "is missing")
    if digest is not None and not (
        isinstance(digest, str)
        and len(digest) == 64
        and all(c in "0123456789abcdef" for c in digest)
    ):
        refuse("program_sha256", f"must be a sha256 in hex; got {digest!r}")


def _check_relative(refuse, field, name):
    """A file name inside its folder: relative, no ``..``, no drive."""
    if not isinstance(name, str) or not name:
        refuse(field, f"must be a file name; got {name!r}")
    parts = name.replace("\\", "/").split("/")
    if os.path.isabs(name) or os.path.splitdrive(name)[0] or ".." in parts:
        refuse(field, f"must stay inside its folder (relative, no '..'); got {name!r}")


#: A numeric dtype as ``numpy.dtype(...).str`` writes it (``'<f8'``, ``'|b1'``...).
_NUMERIC_DTYPE = re.compile(r"[<>|=][biuf](1|2|4|8|16)")


def _check_dtype(refuse, field, dtype):
    """Read without numpy (a rerun starts its program before numpy is loaded)."""
    if not isinstance(dtype, str) or not _NUMERIC_DTYPE.fullmatch(dtype):
        refuse(field, f"must be a numeric dtype; got {dtype!r}")
