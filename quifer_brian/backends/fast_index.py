"""The build cache's request index: a cached program found without Brian2.

:class:`~quifer_brian.backends.BuildCache` keys a program by a *built* circuit (its
structural parameters as Brian2 quantities, Brian2's preferences), so finding it needs
Brian2 and the builder.  Each run through the cache by name (``quifer-brian run``,
:func:`quifer_brian.rerun.run_network`) therefore also writes a *request record* into
the program's entry, ``<cache>/<key>/requests/<context>-<n>.json``: what was asked, as
text, and what it resolved to.  A later request finds the record with the standard
library and numpy alone and runs the program (:mod:`.compiled`) directly.

The record is honest only if everything the key depends on is in the *context*
(:func:`request_context`): the network's name, the simulated duration (s), the backend
as asked, the package's source digest (the builders, their defaults, the key's own
code), the installed versions of Python, brian2, brian2cuda and numpy (read from their
metadata, not imported), the compiler's environment (``CXX``, ``CC``, ``*FLAGS``) and
the contents of Brian2's preference files (``~/.brian/user_preferences`` and
``./brian_preferences``), which can change the compile arguments.  Within a context,
the structural parameters must be given by exactly the same text; a tunable one may
differ where the record says the circuit's run values are plain copies of the
parameters (:func:`tunable_values`).  Anything else -- no record, a text the small
unit reader cannot read, a value outside its bounds, a missing or changed program --
is a miss: the caller takes the slow path (Brian2, the builder, the real key), which
reports errors in full and writes a new record.  A miss costs a few milliseconds; a
wrong program is never run.

Records live inside the entries, so eviction and ``cache clear`` remove them with
their programs.
"""

import contextlib
import hashlib
import json
import math
import os
import platform
import re
import sys
from importlib.machinery import PathFinder  # loaded at start-up (importlib.util is not)
from typing import Any

from .._version import __version__
from ..results.files import write_json
from ..units import parse_si
from .cache_paths import source_digest
from .compiled import MANIFEST_VERSION
from .toolchain import use_installed_compiler

__all__ = [
    "RECORD_FORMAT",
    "find_record",
    "request_context",
    "tunable_values",
    "write_record",
]

#: Format of the request records; another format is a miss.
RECORD_FORMAT = 1
_REQUESTS = "requests"
_KEY = re.compile(r"[0-9a-f]{24}")
#: Environment variables that can change what the compiler makes of the same sources.
_COMPILER_VARIABLES = ("CXX", "CC", "CXXFLAGS", "CFLAGS", "CPPFLAGS", "LDFLAGS")
_VERSIONED = ("brian2", "brian2cuda", "numpy")
_DIST_INFO = re.compile(r"(?P<name>[A-Za-z0-9_.]+)-(?P<version>[^-]+)\.dist-info")


def _installed_versions() -> dict[str, Any]:
    """Version (from the ``*.dist-info`` folder's name) and location of each package.

    Read from the folders on ``sys.path`` as :mod:`importlib.metadata` would find them,
    without importing it (0.1 s) or the packages; where the package would be imported
    from (``PathFinder.find_spec`` on ``sys.path``) is included too.
    """
    found: dict[str, Any] = {}
    for folder in sys.path:
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        for name in names:
            match = _DIST_INFO.fullmatch(name)
            if match and match["name"].lower() in _VERSIONED:
                found.setdefault(match["name"].lower(), match["version"])
    result: dict[str, Any] = {}
    for name in _VERSIONED:
        spec = PathFinder.find_spec(name)
        result[name] = [found.get(name), spec.origin if spec is not None else None]
    return result


def _preference_files() -> dict[str, str | None]:
    """sha256 of each preference file Brian2 reads at import (None: absent)."""
    found: dict[str, str | None] = {}
    user = os.path.join(os.path.expanduser("~"), ".brian", "user_preferences")
    for label, path in (("user", user), ("cwd", os.path.abspath("brian_preferences"))):
        try:
            with open(path, "rb") as stream:
                found[label] = hashlib.sha256(stream.read()).hexdigest()
        except FileNotFoundError:
            found[label] = None
    return found


def request_context(
    network: str, duration_s: float, backend: str | None, cache_dir: str | None = None
) -> str:
    """Digest (24 hex digits) of everything besides the parameters that picks a program.

    Parameters
    ----------
    network : str
        The registered network's name.
    duration_s : float
        Simulated time (s).
    backend : str or None
        As asked (None: the default backend).
    cache_dir : str, optional
        The build cache's folder: the sources' digest is read from its stamp while the
        sources are unchanged (:func:`~.cache_paths.source_digest`; the same digest).

    Raises
    ------
    OSError
        If a preference file exists but cannot be read (the caller takes the slow path).
    """
    use_installed_compiler()  # as the slow path does: both key the same environment
    content = {
        "format": RECORD_FORMAT,
        "network": network,
        "duration_s": repr(float(duration_s)),
        "backend": backend,
        "manifest": MANIFEST_VERSION,
        "source": source_digest(cache_dir),
        "quifer_brian": __version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "versions": _installed_versions(),
        "compiler": {name: os.environ.get(name) for name in _COMPILER_VARIABLES},
        "preferences": _preference_files(),
    }
    text = json.dumps(content, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def write_record(cache_dir: str, key: str, context: str, record: dict[str, Any]) -> str:
    """Store ``record`` for ``context`` in the entry ``key`` (atomically); return its path.

    One file per (context, structural texts): a rerun of the same request replaces it.
    """
    structural = json.dumps(record["structural"], sort_keys=True).encode()
    name = f"{context}-{hashlib.sha256(structural).hexdigest()[:16]}.json"
    folder = os.path.join(cache_dir, key, _REQUESTS)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, name)
    write_json({**record, "format": RECORD_FORMAT, "context": context, "key": key}, path)
    return path


def find_record(cache_dir: str, context: str, texts: dict[str, str]) -> dict[str, Any] | None:
    """The record of ``context`` whose structural texts are those of ``texts``, or None.

    ``texts`` maps every parameter the request gives to its text; those that the record
    does not list as tunable are structural and must match the record's exactly (no
    more, no fewer).
    """
    try:
        names = os.listdir(cache_dir)
    except OSError:
        return None
    prefix = f"{context}-"
    for name in names:
        if not _KEY.fullmatch(name):
            continue
        folder = os.path.join(cache_dir, name, _REQUESTS)
        try:
            files = [f for f in os.listdir(folder) if f.startswith(prefix)]
        except OSError:
            continue
        for file in files:
            record = _read(os.path.join(folder, file))
            if record is None or record.get("key") != name:
                continue
            structural = {k: v for k, v in texts.items() if k not in record["tunable"]}
            if structural == record["structural"]:
                return record
    return None


def _read(path):
    with contextlib.suppress(OSError, ValueError, RecursionError):
        with open(path, encoding="utf-8") as stream:
            record = json.load(stream)
        fields = ("structural", "tunable", "tunable_texts", "run_values", "params_json")
        if (
            isinstance(record, dict)
            and record.get("format") == RECORD_FORMAT
            and all(isinstance(record.get(field), dict) for field in fields)
        ):
            return record
    return None


def tunable_values(
    record: dict[str, Any], texts: dict[str, str]
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """``(run_values, params_json)`` of the tunable texts of a request, or None (a miss).

    The same texts as the record's give its values.  Another text is read here only for
    a parameter whose record holds a spec (a scalar number or quantity copied unchanged
    to its targets, nothing else depending on it, in a *simple* record): it is read by
    :func:`~quifer_brian.units.parse_si` and must have the parameter's unit and be
    finite and within its bounds; such a parameter not given takes its default.  Any
    other parameter must be given by the record's text, or not at all as in the record.
    """
    given = {k: v for k, v in texts.items() if k in record["tunable"]}
    recorded = record["tunable_texts"]
    if given == recorded:
        return record["run_values"], record["params_json"]
    if not record.get("simple"):
        return None
    run_values = dict(record["run_values"])
    params_json = {k: v for k, v in record["params_json"].items() if k not in record["tunable"]}
    for name, spec in record["tunable"].items():
        if not spec:  # only as recorded
            if given.get(name) != recorded.get(name):
                return None
            if name in record["params_json"]:
                params_json[name] = record["params_json"][name]
            continue
        value = spec["default_si"]
        if name in given:
            read = parse_si(given[name])
            if read is None or read[1] != spec["unit"] or not _within(read[0], spec):
                return None
            value = read[0]
            unit = spec["unit"]
            params_json[name] = value if unit == "1" else {"value": value, "unit": unit}
        for target in spec["targets"]:
            run_values[target] = value
    return run_values, params_json


def _within(value, spec):
    """Finite and within the bounds (in the parameter's unit), as ``Param.check`` reads them."""
    if not math.isfinite(value):
        return False
    number = value / spec["scale"]
    low, low_open, high, high_open = spec["limits"]
    if low is not None and (number <= low if low_open else number < low):
        return False
    return not (high is not None and (number >= high if high_open else number > high))
