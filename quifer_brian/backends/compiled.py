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

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import numpy as np
from brian2 import TimedArray, get_device

from ..errors import RunInterrupted, SimulationError
from .recording import assemble_result

__all__ = ["MANIFEST", "SEED_VARIABLE", "CompiledProgram", "describe_program", "seed_code"]

SEED_VARIABLE = "QUIFER_BRIAN_SEED"
MANIFEST = "manifest.json"
#: Manifest format; a program with another version is rebuilt.
MANIFEST_VERSION = 2


def seed_code():
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


def describe_program(circuit, duration_s, structure):
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


class CompiledProgram:
    """A compiled circuit in a folder: ``main`` plus its manifest.

    Parameters
    ----------
    directory : str
        The project folder (holds ``main``, ``static_arrays/`` and ``manifest.json``).
    manifest : dict, optional
        Read from the folder when not given.
    """

    def __init__(self, directory, manifest=None):
        self.directory = os.path.abspath(directory)
        if manifest is None:
            with open(os.path.join(self.directory, MANIFEST)) as stream:
                manifest = json.load(stream)
        self.manifest = manifest

    @property
    def duration(self):
        """Simulated time of one run (s)."""
        return self.manifest["duration_s"]

    def run(self, values, seed=None, progress=False, check=True):
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
        missing = sorted(set(self.manifest["tunable"]) - set(values))
        if missing:
            raise SimulationError(
                f"CompiledProgram.run: values for {', '.join(missing)} are missing; pass "
                f"circuit.run_values(...)."
            )
        environment = dict(os.environ)
        if seed is not None:
            environment[SEED_VARIABLE] = str(int(seed))
        else:
            environment.pop(SEED_VARIABLE, None)
        results = tempfile.mkdtemp(prefix="quifer_results_")
        try:
            arguments = self._arguments(values, results)
            start = time.perf_counter()
            self._execute(arguments, results, environment, progress)
            wall = time.perf_counter() - start
            arrays = self._read(results)
        finally:
            shutil.rmtree(results, ignore_errors=True)
        result = assemble_result(
            self.manifest["layout"],
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

    def _arguments(self, values, folder):
        """Command-line ``group.variable=value``; arrays go through files in ``folder``."""
        dtypes = self.manifest["tunable"]
        arguments = []
        for k, (name, value) in enumerate(sorted(values.items())):
            array = np.asarray(value)
            if array.ndim == 0:
                arguments.append(f"{name}={float(array)!r}")
                continue
            path = os.path.join(folder, f"run_arg_{k}.dat")
            array.astype(np.dtype(dtypes.get(name, "<f8"))).tofile(path)
            arguments.append(f"{name}={path}")
        return arguments

    def _execute(self, arguments, results, environment, progress):
        """Run ``main``; a SIGINT to this process or to the program ends in RunInterrupted.

        On KeyboardInterrupt ``subprocess.run`` kills the program before re-raising; the
        caller removes its results folder, so no partial output is ever read back.
        """
        command = [os.path.join(self.directory, "main"), "--results_dir", results + os.sep]
        stopped = "the compiled program was stopped before the end: nothing was read back"
        try:
            completed = subprocess.run(
                command + arguments,
                cwd=self.directory,
                env=environment,
                stdout=None if progress else subprocess.PIPE,
                stderr=subprocess.STDOUT if not progress else None,
                text=True,
                check=False,
            )
        except KeyboardInterrupt:
            raise RunInterrupted(stopped) from None
        if completed.returncode == -signal.SIGINT:  # Ctrl-C reached the program only
            raise RunInterrupted(stopped)
        if completed.returncode != 0:
            output = (completed.stdout or "").strip().splitlines()[-5:]
            raise SimulationError(
                f"the compiled program in {self.directory} failed with exit status "
                f"{completed.returncode}: {' | '.join(output) or '(no output)'}"
            )

    def _read(self, results):
        arrays = {}
        for key, spec in self.manifest["files"].items():
            data = np.fromfile(os.path.join(results, spec["file"]), dtype=np.dtype(spec["dtype"]))
            if spec["columns"]:
                data = data.reshape(-1, spec["columns"])[:, 0]
            arrays[key] = data
        return arrays
