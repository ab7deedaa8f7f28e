"""Run a registered network by name, through the build cache, at once when it is cached.

:func:`run_network` is the library's entry point of ``quifer-brian run`` for scripts:
parameters as text (``{"tau_gaba": "5ms"}``), the same spikes for the same seed.  When
the build cache holds a program for the request (:mod:`quifer_brian.backends.fast_index`)
it runs it with numpy alone -- Brian2, the builder and the code generator are not even
imported, so a rerun starts in a fifth of a second.  Otherwise (a *miss*) it builds the
network with Brian2, runs it through the cache (compiling it the first time) and writes
the request record that lets the next identical structure skip all that.

Examples
--------
>>> from quifer_brian.rerun import run_network
>>> result = run_network("ping", "1s", {"n_e": "4000", "n_i": "1000"}, seed=1)  # doctest: +SKIP
"""

import importlib
import json
import os
import sys
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .backends.cache_paths import default_cache_dir
from .backends.compiled import CompiledProgram
from .backends.fast_index import find_record, request_context, tunable_values, write_record
from .errors import BackendError, CircuitError, ParseError, QuiferError, did_you_mean
from .results.versions import package_versions
from .units import parse_si

__all__ = [
    "RESULT_IMPORTS",
    "FastPlan",
    "describe_request",
    "fast_plan",
    "read_params",
    "record_run",
    "run_network",
    "run_plan",
]

if TYPE_CHECKING:
    from .results import Result


def _log():
    """The module's logger (logging is imported by the slow path only)."""
    import logging

    return logging.getLogger("quifer_brian.rerun")


class FastPlan:
    """A request resolved without Brian2: the cached program and its run values.

    Attributes
    ----------
    program : CompiledProgram
    key : str
        The build cache's key of the program.
    run_values : dict
        ``{"group.variable": SI value}`` for the program.
    params_json : dict
        The request's parameters as ``quantity_to_json`` writes them (for summaries).
    duration_text : str
        The duration as Brian2 prints it (``'1. s'``).
    """

    def __init__(
        self,
        program: CompiledProgram,
        key: str,
        run_values: dict[str, Any],
        params_json: dict[str, Any],
        duration_text: str,
    ) -> None:
        self.program = program
        self.key = key
        self.run_values = run_values
        self.params_json = params_json
        self.duration_text = duration_text


def fast_plan(
    network: str,
    texts: Mapping[str, str],
    duration: str,
    backend: str | None = None,
    cache_dir: str | None = None,
) -> FastPlan | None:
    """The cached program for a request, found without Brian2, or None (a miss).

    Parameters
    ----------
    network : str
    texts : dict of str -> str
        The parameters as text (``{"tau_gaba": "5ms"}``; the last one given wins).
    duration : str
        Simulated time as text (``'1s'``).
    backend : {None, 'cpp_standalone'}
        As asked (None: the default); any other backend is a miss.
    cache_dir : str, optional
        The build cache's folder (default: :func:`~quifer_brian.backends.default_cache_dir`).
    """
    if backend not in (None, "cpp_standalone") or "brian2" in sys.modules:
        return None  # Brian2 already loaded: its preferences may have been changed here
    read = parse_si(duration)
    if read is None or read[1] != "second" or not read[0] > 0:
        return None
    directory = os.path.abspath(cache_dir or default_cache_dir())
    texts = {name.strip(): text.strip() for name, text in texts.items()}
    try:
        context = request_context(network, read[0], backend, directory)
    except OSError:
        return None
    record = find_record(directory, context, texts)
    if record is None:
        return None
    values = tunable_values(record, texts)
    if values is None:
        return None
    try:
        program = CompiledProgram(os.path.join(directory, record["key"]))
    except BackendError as err:
        _log().info("fast path: %s; taking the slow path", err)
        return None
    manifest = program.manifest
    if manifest.get("key") != record["key"] or manifest.get("program_sha256") != record.get(
        "program_sha256"
    ):
        return None
    return FastPlan(program, record["key"], values[0], values[1], record["duration_text"])


#: What a result of :func:`run_plan` needs once the program has run: the LFP proxy
#: (:mod:`quifer_brian.analysis`, which imports scipy: about a second).
RESULT_IMPORTS = ("quifer_brian.analysis",)


def _import_modules(modules):
    """Read the installed versions (every result records them) and import ``modules``
    while the program runs; a module that fails here is imported (and fails) later."""
    try:
        package_versions()
        for module in modules:
            importlib.import_module(module)
    except Exception:
        return


def run_plan(
    plan: FastPlan,
    seed: int | None = None,
    progress: bool = False,
    check: bool = True,
    imports: tuple[str, ...] = RESULT_IMPORTS,
) -> "Result":
    """Run a :class:`FastPlan`'s program; the result's ``meta`` is that of a cached run.

    The modules of ``imports`` (by default :data:`RESULT_IMPORTS`, what the result
    needs; the CLI adds what its summary needs) are imported, and the installed
    versions read, in a thread while the program runs: they no longer add to the wall
    time on a machine with a second core.  The thread starts once the program has
    (before, it would hold the interpreter while the program is prepared and delay its
    start); it is not started when every module is already imported.
    """
    missing = tuple(module for module in imports if module not in sys.modules)
    started = None
    if missing:

        def started():
            threading.Thread(target=_import_modules, args=(missing,), daemon=True).start()

    try:
        os.utime(os.path.join(plan.program.directory, "manifest.json"))  # last use (eviction)
    except OSError:
        pass
    start = time.perf_counter()
    result = plan.program.run(
        plan.run_values,
        seed=seed,
        progress=progress,
        check=check,
        started=started,
        params=plan.params_json,  # the request's values, not the compiled ones
    )
    return result.with_meta(
        build="cached", build_key=plan.key, run_wall_s=time.perf_counter() - start
    )


def read_params(
    network: str, texts: Mapping[str, str], error: type[QuiferError] = CircuitError
) -> dict[str, Any]:
    """Read ``{name: text}`` into keyword arguments for the builder ``network`` (Brian2).

    Values are read with :func:`~quifer_brian.units.parse_value`; an integer given for a
    number parameter becomes a float and a single value given for a sequence parameter
    a one-element tuple.  The builder itself checks units and ranges.
    """
    from .networks import get_network
    from .units import parse_value

    table = get_network(network).table  # type: ignore[attr-defined]  # set by @register
    params = {}
    for name, text in texts.items():
        if name not in table.names:
            raise error(
                f"{network}.{name}: unknown parameter; {did_you_mean(name, table.names)}"
                f"the parameters of {network} are: {', '.join(table.names)}."
            )
        try:
            value = parse_value(text)
        except ParseError as err:
            raise error(f"{network}.{name}: {err}") from None
        param = table[name]
        if param.unit == "number" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(param.default, (tuple, list)) and not isinstance(
            value, (tuple, str, type(None))
        ):
            value = (value,)
        params[name] = value
    return params


def record_run(
    circuit: Any,
    texts: Mapping[str, str],
    params: Mapping[str, Any],
    duration: Any,
    backend: str | None,
    cache_dir: str,
    result: "Result",
) -> None:
    """Write the request record of a run through the build cache (the slow path).

    A record that cannot be written only costs the next run its fast path (logged).
    """
    if result.meta.get("build_key") is None:
        return
    try:
        record = describe_request(circuit, texts, params, duration)
        manifest = os.path.join(cache_dir, result.meta["build_key"], "manifest.json")
        with open(manifest, encoding="utf-8") as stream:
            record["program_sha256"] = json.load(stream).get("program_sha256")
        context = request_context(circuit.name, record.pop("duration_s"), backend, cache_dir)
        write_record(cache_dir, result.meta["build_key"], context, record)
    except OSError as err:
        _log().warning("build cache: the request record was not written (%s)", err)


def describe_request(
    circuit: Any, texts: Mapping[str, str], params: Mapping[str, Any], duration: Any
) -> dict[str, Any]:
    """The request record of ``circuit`` built from ``texts`` (read into ``params``).

    A tunable parameter gets a spec (unit, bounds, default, targets) only when its run
    values are plain copies of its SI value and nothing else depends on it -- checked
    here on ``circuit.run_values()`` itself, with the parameter's value and with a
    changed one; the others (converted weights ...) are left to the slow path when
    their text changes.  ``simple`` is False for a builder without a parameter table or
    with derived tunable values.
    """
    import numpy as np
    from brian2 import second

    from .units import quantity_to_json

    names = tuple(circuit.tunable_params)
    simple = circuit.table is not None and not circuit.table.derived_tunable
    base = circuit.run_values()
    tunable = {
        name: (_copied_spec(circuit, name, base) if simple else None) or {} for name in names
    }
    return {
        "network": circuit.name,
        "structural": {k: t for k, t in texts.items() if k not in names},
        "tunable_texts": {k: t for k, t in texts.items() if k in names},
        "tunable": tunable,
        "simple": simple,
        "run_values": {k: np.asarray(v).tolist() for k, v in base.items()},
        "params_json": {k: quantity_to_json(v) for k, v in params.items()},
        "duration_text": str(duration),
        "duration_s": float(duration / second),
    }


def _copied_spec(circuit, name, base):
    """The spec of a tunable parameter copied unchanged to its targets, else None."""
    import numpy as np
    from brian2 import get_dimensions, get_unit

    param = circuit.table.params.get(name)
    if param is None or any(target.convert for target in param.target):
        return None
    if param.is_quantity:
        unit, scale = repr(get_unit(get_dimensions(param.unit))), float(param.unit)
    elif param.unit == "number":
        unit, scale = "1", 1.0
    else:
        return None
    value = circuit.params[name]
    try:
        default_si, value_si = float(param.default), float(value)
        trial = value * 1.5 if value_si != 0 else 1.0 * (param.unit if param.is_quantity else 1)
        changed = circuit.run_values(**{name: trial})
    except (TypeError, ValueError):  # a value that is not a scalar, a trial out of bounds
        return None
    targets = [target.resolve(circuit.name) for target in param.target]
    for key, was in base.items():  # the parameter reaches its targets, and only them
        now = changed[key]
        expected = (value_si, float(trial)) if key in targets else (was, was)
        if not (np.array_equal(was, expected[0]) and np.array_equal(now, expected[1])):
            return None
    return {
        "unit": unit,
        "scale": scale,
        "limits": list(param._limits),
        "default_si": default_si,
        "targets": targets,
    }


def _text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value) if not isinstance(value, float) else repr(value)
    return None


def run_network(
    network: str,
    duration: str = "1s",
    params: Mapping[str, Any] | None = None,
    seed: int | None = 1,
    cache: str | os.PathLike[str] | None = None,
    progress: bool = False,
    check: bool = True,
) -> "Result":
    """Run the registered ``network`` on cpp_standalone through the build cache.

    Parameters
    ----------
    network : str
        A registered builder (``'ping'``, ``'brunel'`` ...).
    duration : str
        Simulated time as text (``'1s'``, ``'500ms'``).
    params : dict of str -> str, int, float or bool, optional
        Builder parameters as ``quifer-brian run --param`` reads them
        (``{"tau_gaba": "5ms", "n_e": 4000}``).
    seed : int, optional
    cache : str, optional
        The build cache's folder (default: :func:`~quifer_brian.backends.default_cache_dir`).
    progress : bool
        Let the program's progress report through.
    check : bool
        Raise :class:`~quifer_brian.errors.SimulationError` on NaN or silence.

    Returns
    -------
    Result
        The same as ``build_network(network, ...).run(duration, 'cpp_standalone',
        seed=seed, cache=cache)``; ``meta['build']`` is ``'cached'`` or ``'compiled'``.
    """
    texts = {name: _text(value) for name, value in (params or {}).items()}
    cache_dir = os.fspath(cache) if cache is not None else None
    if all(text is not None for text in texts.values()):
        plan = fast_plan(network, texts, duration, "cpp_standalone", cache_dir)
        if plan is not None:
            return run_plan(plan, seed=seed, progress=progress, check=check)
    from .networks import build_network
    from .units import parse_quantity

    values = {
        name: value if texts[name] is None else None for name, value in (params or {}).items()
    }
    parsed = read_params(network, {k: t for k, t in texts.items() if t is not None})
    parsed.update({k: v for k, v in values.items() if v is not None})
    circuit = build_network(network, parsed)
    quantity = parse_quantity(duration)
    directory = cache_dir or default_cache_dir()
    result = circuit.run(
        quantity, "cpp_standalone", seed=seed, progress=progress, check=check, cache=directory
    )
    if all(text is not None for text in texts.values()):
        record_run(circuit, texts, parsed, quantity, "cpp_standalone", directory, result)
    return result
