"""Parameter sweeps: compile once, run every point, on one machine or a Dask cluster.

:func:`sweep` runs a network builder over a grid of parameter values. On cpp_standalone
each network *structure* is compiled once (through the
:class:`~quifer_brian.backends.BuildCache`) and every grid point reruns that program
with its own values (``run_args``); a grid parameter that changes the structure (a size,
a probability) makes one build per structure value, and the sweep says so before it
starts. The points run in parallel on a ``dask.distributed`` client (by default a local
cluster with one single-threaded worker process per core; or any existing scheduler by
address); each point runs in its own results folder. Every finished point is written to
``out/points/`` as it completes (atomically), so running the same sweep again skips the
finished points: an interrupted sweep resumes and loses nothing. A point interrupted by
Ctrl-C is never stored. A stored point is read back only if it is a valid record made
with the same key: the package version and source digest, the versions of the numerical
packages, the builder's full parameters (its defaults included), seed, duration, backend
and metrics; any other file is run again. A point that fails is reported with its
parameters and error and does not stop the others. The result is a ``pandas.DataFrame``:
one row per point, the parameters (in the units shown in the column names), the metrics
(:mod:`quifer_brian.analysis.metrics`), the seed, the error (empty if none), the build
and the wall time.
"""

import contextlib
import hashlib
import inspect
import itertools
import json
import logging
import math
import numbers
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, cast

import numpy as np
from brian2 import Quantity, second

from ._version import __version__
from .analysis.metrics import measure, resolve_metrics
from .backends import build_cache, check_backend, source_digest
from .checks import check_quantity
from .errors import RunInterrupted, SweepError
from .networks import build_network, get_network
from .progress import is_quiet, progress_bar
from .results import package_versions, write_json
from .results.files import atomic_file, ensure_writable_folder
from .units import quantity_to_json

if TYPE_CHECKING:
    import pandas

__all__ = ["sweep", "sweep_points"]

logger = logging.getLogger("quifer_brian.sweeps")

POINTS_FOLDER = "points"


# ---------------------------------------------------------------------------- the grid
def sweep_points(
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """The points of ``grid``: a dict of value lists (Cartesian product) or a list of dicts.

    Examples
    --------
    >>> from brian2 import ms, pA
    >>> points = sweep_points({"tau_gaba": [5 * ms, 10 * ms], "drive_e": [300 * pA]})
    >>> [(float(p["tau_gaba"] / ms), float(p["drive_e"] / pA)) for p in points]
    [(5.0, 300.0), (10.0, 300.0)]
    """
    if isinstance(grid, dict):
        if not grid:
            raise SweepError("sweep.grid: is empty; give {parameter: [values, ...]}.")
        names = list(grid)
        columns = []
        for name in names:
            values = grid[name]
            if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
                values = [values]
            values = list(values)
            if not values:
                raise SweepError(f"sweep.grid.{name}: has no values.")
            columns.append(values)
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*columns)]
    points = [dict(point) for point in cast(Sequence[Mapping[str, Any]], grid)]
    if not points or not all(isinstance(point, dict) for point in grid):
        raise SweepError(
            f"sweep.grid: expected a dict of value lists or a non-empty list of dicts; "
            f"got {grid!r}."
        )
    return points


# ---------------------------------------------------------------------------- one point
def _builder_of(builder):
    return get_network(builder) if isinstance(builder, str) else builder


def _build(builder, builder_function, point):
    """The builder's circuit for ``point``; unknown parameters named as an error."""
    if isinstance(builder, str):
        return build_network(builder, point)
    try:
        inspect.signature(builder_function).bind(**point)
    except TypeError as err:
        raise SweepError(
            f"sweep: {_builder_name(builder)} refuses {_show(point)}: {err}."
        ) from None
    return builder_function(**point)


def _builder_name(builder):
    if isinstance(builder, str):
        return builder
    return f"{builder.__module__}.{builder.__qualname__}"


def run_point(spec):
    """Run one grid point; return its record (never raises for a failing simulation).

    ``spec``: builder, params, duration_s, seed, backend, cache_dir, metrics.  Ctrl-C
    (``KeyboardInterrupt``, :class:`~quifer_brian.errors.RunInterrupted`) is not a
    failure: it propagates and the point is not recorded.
    """
    start = time.perf_counter()
    record = {"error": None, "metrics": {}, "build": None}
    try:
        circuit = _builder_of(spec["builder"])(**spec["params"])
        duration = spec["duration_s"] * second
        if spec["backend"] == "cpp_standalone":
            result = circuit.run(
                duration, backend="cpp_standalone", seed=spec["seed"], cache=spec["cache_dir"]
            )
            record["build"] = result.meta["build_key"]
            record["compiled"] = result.meta["build"] == "compiled"
        else:
            result = circuit.run(duration, backend=spec["backend"], seed=spec["seed"])
        if result.meta.get("complete", True) is not True:  # never measured, never stored
            raise RunInterrupted("interrupted", result=result)
        record["metrics"] = measure(result, spec["metrics"])
        # named in the table: why their rate is 0 and their spike measures are NaN
        record["silent"] = [name for name in result.populations if not result.spikes[name][0].size]
    except Exception as err:  # a failing point is data, not the end of the sweep
        record["error"] = f"{type(err).__name__}: {err}"
    record["wall_s"] = time.perf_counter() - start
    return record


# ---------------------------------------------------------------------------- sweep
def sweep(
    builder: str | Callable[..., Any],
    grid: Mapping[str, Sequence[Any]] | Sequence[Mapping[str, Any]],
    duration: Quantity,
    metrics: Any = None,
    backend: str = "cpp_standalone",
    client: Any = None,
    cache_dir: str | os.PathLike[str] | None = None,
    out: str | os.PathLike[str] | None = None,
    seed: int = 1,
    params: Mapping[str, Any] | None = None,
    n_workers: int | None = None,
    progress: bool = True,
) -> "pandas.DataFrame":
    """Run ``builder`` over ``grid`` and return a table of parameters and metrics.

    Parameters
    ----------
    builder : str or callable
        A network name (``'ping'``, see ``quifer-brian list``) or a builder function
        (importable by the workers).
    grid : dict or list of dict
        ``{parameter: [values]}`` (every combination) or explicit points.  A ``seed``
        entry varies the seed.
    duration : brian2.Quantity (second)
        Simulated time of each point.
    metrics : str, callable, sequence or dict, optional
        What to measure on each result (:func:`quifer_brian.analysis.metrics.measure`); default
        ``('rates', 'gamma')``.
    backend : {'cpp_standalone', 'numpy', 'cython'}
        cpp_standalone compiles each structure once and reruns it; the runtime backends
        simulate each point from scratch.
    client : None, 'sync', str or distributed.Client
        None: a local Dask cluster of ``n_workers`` single-threaded processes (default:
        one per core) for this sweep; a scheduler address (``'tcp://host:8786'``) or a
        ``Client``: an existing cluster (its workers must see ``cache_dir`` to reuse the
        build, or they compile it once each); ``'sync'``: one point after the other in
        this process, without Dask.
    cache_dir : str, optional
        Folder of the build cache (default: the package's, see
        :func:`~quifer_brian.backends.default_cache_dir`).
    out : str, optional
        Folder of the finished points and the table (``table.csv``); default
        ``quifer-out/sweep-<builder>``.  The same sweep run again resumes from it.
    seed : int
        Seed of every point (unless the grid varies ``seed``).
    params : dict, optional
        Parameters fixed for every point.
    n_workers : int, optional
        Workers of the local cluster.
    progress : bool
        Print points done / total, elapsed and remaining time to stderr.

    Returns
    -------
    pandas.DataFrame
        One row per point in grid order: the parameters, the metrics' columns, ``seed``,
        ``silent`` (the populations that fired no spike, comma-separated, or None: their
        rate is 0 and their spike measures NaN), ``error`` (why a point failed, or
        None), ``build`` and ``wall_s``.  ``df.attrs``: ``builds`` (programs compiled
        by this call, here or on the workers), ``structures``, ``computed`` (points
        run by this call), ``resumed`` (points read back from ``out``), ``failed``,
        ``out``, ``units``.

    Raises
    ------
    SweepError
        For a bad grid, duration or backend, an ``out`` folder that cannot be written or
        a scheduler that cannot be reached -- before anything is compiled or run.
    KeyboardInterrupt
        On Ctrl-C: the finished points are kept in ``out/points``, the interrupted ones
        are not; the same call again resumes.
    CircuitError
        For an unknown parameter or a value the builder refuses (the builder's checks),
        also before anything is compiled or run.
    """
    import pandas as pd  # heavy: only when a sweep runs

    name = _builder_name(builder)
    builder_function = _builder_of(builder)
    check_quantity("duration", duration, second, owner="sweep")
    duration_s = float(duration / second)
    if duration_s <= 0:
        raise SweepError(f"sweep.duration: must be > 0; got {duration}.")
    check_backend(backend)
    if backend == "cuda_standalone":
        raise SweepError(
            "sweep.backend: cuda_standalone sweeps are not supported yet; "
            "use 'cpp_standalone', 'numpy' or 'cython'."
        )
    metrics = resolve_metrics(metrics)
    fixed = dict(params or {})
    both = sorted(set(fixed) & set(grid if isinstance(grid, dict) else ()))
    if both:
        raise SweepError(
            f"sweep: {', '.join(both)} given both in params and in the grid; give each "
            f"parameter in one of them."
        )
    points = [{**fixed, **point} for point in sweep_points(grid)]
    seeds = [int(point.pop("seed", seed)) for point in points]
    out = os.path.abspath(out or os.path.join("quifer-out", f"sweep-{name.split('.')[-1]}"))
    cache = build_cache.BuildCache(cache_dir) if backend == "cpp_standalone" else None

    # every point is checked by its builder before anything runs
    specs: list[Any] = []
    keys: list[str] = []
    contents: list[Any] = []
    structures: dict[str, Any] = {}
    for point, point_seed in zip(points, seeds, strict=True):
        circuit = _build(builder, builder_function, point)
        spec = {
            "builder": builder,
            "params": point,
            "duration_s": duration_s,
            "seed": point_seed,
            "backend": backend,
            "cache_dir": cache.directory if cache else None,
            "metrics": dict(metrics),
        }
        specs.append(spec)
        content = _point_key(name, circuit, point_seed, duration_s, backend, metrics)
        contents.append(content)
        keys.append(_point_id(content))
        if cache is not None:
            structures.setdefault(cache.key(circuit, duration_s)[0], (circuit, point))
    _announce_structures(name, structures, points, builder_function)

    folder = os.path.join(out, POINTS_FOLDER)
    _writable_folder(folder, "out")
    if cache is not None:
        _writable_folder(cache.directory, "cache_dir")
    records = {
        key: _read_point(folder, key, content) for key, content in zip(keys, contents, strict=True)
    }
    todo = [i for i, key in enumerate(keys) if records[key] is None]
    resumed = len(keys) - len(todo)
    if resumed:
        _say(progress, f"sweep {name}: {resumed} of {len(keys)} points already done in {out}")

    with _executor(client if todo else "sync", n_workers) as executor:
        builds_before = build_cache.build_count()
        if todo and cache is not None:  # compile each structure once, before the points run
            for key, (circuit, _) in structures.items():
                if cache.lookup(key) is None:
                    _say(progress, f"sweep {name}: compiling structure {key} ...")
                    cache.get_or_build(circuit, duration_s)
        builds = build_cache.build_count() - builds_before

        reporter = _Progress(name, len(keys), resumed, progress)
        failed_now = 0
        try:
            for index, record in _execute([specs[i] for i in todo], todo, executor):
                record["params"] = {k: quantity_to_json(v) for k, v in points[index].items()}
                record["seed"] = seeds[index]
                record["key"] = contents[index]
                records[keys[index]] = record
                if record["error"] is None:
                    write_json(record, os.path.join(folder, f"{keys[index]}.json"))
                else:
                    failed_now += 1
                    logger.warning(
                        "sweep %s: point %s failed: %s", name, _show(points[index]), record["error"]
                    )
                reporter.done(record["error"] is not None)
        finally:  # an interrupt clears the bar's line before its message is printed
            reporter.close()
        reporter.finish()
    on_workers = sum(bool(records[keys[i]].get("compiled")) for i in todo)
    if on_workers:
        logger.warning(
            "sweep %s: %d point(s) compiled their structure themselves: the workers' "
            "cache key differs from this process's (package sources or versions differ, "
            "or the workers do not share the cache folder %s).",
            name,
            on_workers,
            cache.directory if cache else None,
        )
    builds += on_workers

    table, units = _table(points, seeds, [records[key] for key in keys])
    frame = pd.DataFrame(table)
    frame.attrs.update(
        builds=builds,
        structures=len(structures),
        computed=len(todo),
        resumed=resumed,
        failed=int(frame["error"].notna().sum()),
        out=out,
        units=units,
    )
    with atomic_file(os.path.join(out, "table.csv"), ".csv", "w") as stream:
        frame.to_csv(stream, index=False)
    return frame


# ---------------------------------------------------------------------------- execution
@contextlib.contextmanager
def _executor(client, n_workers):
    """``'sync'`` or a connected Dask client (closed on leaving if this sweep opened it).

    Connecting comes before anything is compiled: an unreachable scheduler is a
    :class:`SweepError` naming the address.
    """
    if client == "sync":
        yield "sync"
        return
    from distributed import Client, LocalCluster

    own_cluster = None
    if client is None:
        workers = n_workers or os.cpu_count() or 1
        try:
            own_cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                host="127.0.0.1",
            )
        except (OSError, RuntimeError) as err:
            raise SweepError(
                f"sweep.n_workers: could not start a local Dask cluster of {workers} "
                f"worker(s) ({type(err).__name__}: {err}); use fewer workers or run without "
                f"Dask (client='sync', --serial)."
            ) from None
        client = Client(own_cluster)
    elif isinstance(client, str):
        address = client
        try:
            client = Client(address, timeout=_CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as err:
            raise SweepError(
                f"sweep.client: cannot reach a Dask scheduler at {address!r} "
                f"({type(err).__name__}: {err}); start one (`dask scheduler`), check the "
                f"address, or run without a scheduler (client='sync', --serial)."
            ) from None
        own_cluster = address  # only the connection is ours
    try:
        yield client
    finally:
        if own_cluster is not None:
            client.close()
            if not isinstance(own_cluster, str):
                own_cluster.close()


_CONNECT_TIMEOUT = "10s"


def _execute(specs, indices, client):
    """Yield ``(index, record)`` as points finish, on ``'sync'`` or a Dask client."""
    if not specs:
        return
    if client == "sync":
        for index, spec in zip(indices, specs, strict=True):
            yield index, run_point(spec)
        return
    from distributed import as_completed

    futures = {}
    for index, spec in zip(indices, specs, strict=True):
        futures[client.submit(run_point, spec, pure=False)] = index
    try:
        for future in as_completed(futures):
            index = futures[future]
            try:
                record = future.result()
            except Exception as err:  # a worker died under the point, ...
                record = {
                    "error": f"{type(err).__name__}: {err}",
                    "metrics": {},
                    "build": None,
                    "wall_s": math.nan,
                }
            yield index, record
    finally:
        client.cancel(list(futures))  # an interrupted sweep leaves nothing running


# ---------------------------------------------------------------------------- records
def _point_key(name, circuit, seed, duration_s, backend, metrics):
    """What a stored point must have been made from to be read back (JSON-normalised).

    The package version and source digest, the versions of the numerical packages
    (:func:`~quifer_brian.results.package_versions`), the builder's full parameters (the
    defaults it filled in included), the seed, duration, backend and metric names.
    """
    content = {
        "builder": name,
        "package": {
            "version": __version__,
            "source": source_digest(),
            "versions": package_versions(),
        },
        "params": {k: quantity_to_json(v) for k, v in sorted(circuit.params.items())},
        "seed": seed,
        "duration_s": duration_s,
        "backend": backend,
        "metrics": [metric_name for metric_name, _ in metrics],
    }
    return json.loads(json.dumps(content, sort_keys=True, default=str))


def _point_id(content):
    text = json.dumps(content, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _read_point(folder, key, content):
    """The stored record of a point, or None (missing, unreadable, stale or malformed)."""
    path = os.path.join(folder, f"{key}.json")
    try:
        with open(path) as stream:
            record = json.load(stream)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as err:
        logger.warning("sweep: stored point %s is unreadable (%s); it runs again", path, err)
        return None
    problem = _point_problem(record, content)
    if problem is not None:
        logger.warning("sweep: stored point %s %s; it runs again", path, problem)
        return None
    return record


def _point_problem(record, content):
    """Why ``record`` cannot be the finished point ``content``; None if it can."""
    if not isinstance(record, dict):
        return "is not a JSON object"
    if record.get("key") != content:
        return "was made with another key (package version or source, parameters, seed)"
    if record.get("error") is not None or record.get("seed") != content["seed"]:
        return "is not a finished point of this seed"
    metrics = record.get("metrics")
    if not isinstance(metrics, dict) or not all(_is_measure(v) for v in metrics.values()):
        return "holds metrics that are not numbers"
    if not isinstance(record.get("params"), dict):
        return "has no parameters"
    return None


def _is_measure(value):
    if value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool)):
        return True
    return isinstance(value, list) and all(_is_measure(v) for v in value)


def _writable_folder(folder, argument):
    """Create ``folder`` and check that files can be written in it (a SweepError if not)."""
    try:
        ensure_writable_folder(folder)
    except OSError as err:
        raise SweepError(
            f"sweep.{argument}: cannot write to {folder!r} ({err.strerror or err}); "
            f"choose another folder."
        ) from None


def _table(points, seeds, records):
    """Rows of the DataFrame and the unit of each quantity column."""
    columns = {}
    for point in points:
        for key, value in point.items():
            if isinstance(value, Quantity) and np.ndim(value) == 0:
                columns.setdefault(key, []).append(value)
    units = {key: _display_unit(values) for key, values in columns.items()}
    rows = []
    for point, point_seed, record in zip(points, seeds, records, strict=True):
        row = {}
        for key, value in point.items():
            if key in units:
                unit_name, unit = units[key]
                row[f"{key}_{unit_name}"] = float(value / unit)
            else:
                row[key] = value
        row.update(record["metrics"])
        row["seed"] = point_seed
        row["silent"] = ", ".join(record.get("silent") or []) or None
        row["error"] = record["error"]
        row["build"] = record.get("build")
        row["wall_s"] = record.get("wall_s")
        rows.append(row)
    return rows, {key: unit_name for key, (unit_name, _) in units.items()}


_PREFIXES = ("p", "n", "u", "m", "", "k", "M")


def _display_unit(values):
    """``(name, unit)`` with an SI prefix that puts the column's median in [1, 1000)."""
    from brian2.units import allunits
    from brian2.units.fundamentalunits import get_unit

    base = get_unit(values[0].dim)
    if values[0].is_dimensionless:
        return "1", 1
    magnitudes = [abs(float(v / base)) for v in values if float(v / base) != 0]
    median = float(np.median(magnitudes)) if magnitudes else 1.0
    chosen = (str(base), base)
    for prefix in _PREFIXES:
        unit = base if not prefix else getattr(allunits, f"{prefix}{base!r}", None)
        if unit is not None and median / float(unit / base) >= 1:
            chosen = (str(unit), unit)
    return chosen


def _show(point):
    return ", ".join(f"{k}={v}" for k, v in point.items())


def _announce_structures(name, structures, points, builder_function):
    """Warn when the grid needs several builds, naming the structural parameters that vary.

    A registered builder's table tells which parameters are structural; for another
    callable every varying parameter is named.
    """
    if len(structures) <= 1:
        return
    varying = sorted(key for key in points[0] if len({repr(point[key]) for point in points}) > 1)
    table = getattr(builder_function, "table", None)
    if table is not None:
        varying = [key for key in varying if key in table.structural]
    logger.warning(
        "sweep %s: the grid has %d network structures (structural parameters that change: "
        "%s): one build each.",
        name,
        len(structures),
        ", ".join(varying),
    )


def _say(enabled, text):
    if enabled and not is_quiet():
        print(text, file=sys.stderr, flush=True)


class _Progress:
    """A bar of points done / total (tqdm, on stderr: elapsed and remaining time), and
    one closing line; nothing when ``enabled`` is False or the package is quiet."""

    def __init__(self, name, total, resumed, enabled):
        self.name, self.total, self.done_count = name, total, resumed
        self.resumed, self.failed, self.enabled = resumed, 0, enabled and not is_quiet()
        self.start = time.perf_counter()
        self.bar = None
        if self.enabled:
            self.bar = progress_bar(total=total, desc=f"sweep {name}", unit="point")
            self.bar.update(resumed)

    def done(self, failed):
        self.done_count += 1
        self.failed += failed
        if self.bar is not None:
            self.bar.update(1)
            if self.failed:
                self.bar.set_postfix(failed=self.failed)

    def close(self):
        """Clear and close the bar (again is harmless)."""
        if self.bar is not None:
            self.bar.close()

    def finish(self):
        self.close()
        elapsed = time.perf_counter() - self.start
        failed = f", {self.failed} failed" if self.failed else ""
        _say(
            self.enabled,
            f"sweep {self.name}: {self.done_count}/{self.total} points{failed}, "
            f"{elapsed:.0f} s elapsed",
        )
