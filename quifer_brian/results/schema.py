"""Result files checked against their schema before anything large is allocated.

A result file is a zip of ``.npy`` members (``np.savez``) plus a JSON metadata record.
:func:`read_result_file` reads one defensively: every member's header (dtype, shape) is
read first and its declared size checked against the bytes the member really holds and
against :data:`MAX_BYTES`; only then are the arrays read.  :func:`check_result_fields`
then checks the content: types, shapes, finite and in-range spike times (sorted if they
are not), neuron indices within the population sizes, sane sizes.  Every failure raises
:class:`~quifer_brian.errors.ResultFileError` naming the file and the field.
"""

import json
import math
import numbers
import os
import zipfile
from typing import Any

import numpy as np

from ..errors import ResultFileError

__all__ = ["MAX_BYTES", "MAX_NEURONS", "check_result_fields", "read_result_file"]

#: Largest total of array bytes a result file may declare.
MAX_BYTES = 8 * 1024**3
#: Largest population a result file may declare.
MAX_NEURONS = 10**8
#: Largest metadata record (bytes).
MAX_METADATA_BYTES = 64 * 1024**2
#: Longest simulated duration a result file may declare (s).
MAX_DURATION_S = 1e7

_FIX = "The file is damaged or was edited; write it again with Result.save."


_NO_VALUE = object()


def _fail(path, field, problem, value=_NO_VALUE):
    shown = "" if value is _NO_VALUE else f"; got {_short(value)}"
    raise ResultFileError(
        f"load: {path}: {field}: {problem}{shown}. {_FIX}", owner="load", argument=field
    )


def _short(value):
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# ---------------------------------------------------------------------------- the archive
def read_result_file(path: str) -> tuple[dict[str, np.ndarray], Any]:
    """``(arrays, metadata)`` of a result file, with every array header checked first.

    Raises
    ------
    ResultFileError
        If the file cannot be read, is not a zip of ``.npy`` arrays, or declares arrays
        larger than what it holds (or than :data:`MAX_BYTES`).
    """
    path = os.fspath(path)
    try:
        on_disk = os.path.getsize(path)
        with zipfile.ZipFile(path) as archive:
            members = _check_members(path, archive, on_disk)
            arrays = {}
            for name, info in members.items():
                with archive.open(info) as stream:
                    arrays[name] = np.lib.format.read_array(stream, allow_pickle=False)
    except ResultFileError:
        raise
    except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile) as err:
        raise ResultFileError(
            f"load: cannot read {path!r} as a result file: {err}", owner="load"
        ) from err
    return _split_metadata(path, arrays)


def _check_members(path, archive, on_disk):
    members, total = {}, 0
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            _fail(path, info.filename, "not an array (.npy) member")
        name = info.filename[: -len(".npy")]
        if info.compress_type == zipfile.ZIP_STORED and info.file_size > on_disk:
            _fail(path, name, f"declares {info.file_size} bytes, the file has {on_disk}")
        with archive.open(info) as stream:
            shape, dtype = _read_header(path, name, stream)
        declared = math.prod(shape) * dtype.itemsize
        if declared > info.file_size:
            _fail(
                path,
                name,
                f"declares shape {shape} of {dtype} ({declared} bytes), "
                f"the member holds {info.file_size} bytes",
            )
        total += declared
        if total > MAX_BYTES:
            _fail(path, name, f"the arrays declare more than {MAX_BYTES} bytes in all")
        members[name] = info
    return members


def _read_header(path, name, stream):
    try:
        version = np.lib.format.read_magic(stream)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(stream)
        elif version == (2, 0):
            shape, _, dtype = np.lib.format.read_array_header_2_0(stream)
        else:
            _fail(path, name, "unsupported .npy format version", version)
    except ValueError as err:
        _fail(path, name, f"unreadable array header ({err})")
    if dtype.hasobject:
        _fail(path, name, "holds Python objects; result arrays are numbers", str(dtype))
    return tuple(int(n) for n in shape), dtype


def _split_metadata(path, arrays):
    record = arrays.pop("metadata", None)
    if record is None:
        return arrays, None
    if record.dtype != np.uint8 or record.ndim != 1 or record.size > MAX_METADATA_BYTES:
        _fail(
            path,
            "metadata",
            f"must be a JSON text (1-D uint8) of at most {MAX_METADATA_BYTES} bytes",
            f"{record.dtype} {record.shape}",
        )
    try:
        metadata = json.loads(record.tobytes().decode("utf-8"))
    except (ValueError, RecursionError) as err:
        _fail(path, "metadata", f"not valid JSON ({str(err)[:80]})")
    return arrays, metadata


# ---------------------------------------------------------------------------- the content
def check_result_fields(path: str, arrays: dict[str, np.ndarray], metadata: Any) -> dict[str, Any]:
    """The checked, typed fields of a :class:`Result` from a file's arrays and metadata.

    Returns
    -------
    dict
        Keyword arguments of :class:`Result` (spikes sorted by time if they were not).
    """
    if not isinstance(metadata, dict):
        _fail(path, "metadata", "must be a JSON object", type(metadata).__name__)
    populations = metadata.get("populations")
    if not isinstance(populations, list) or not all(isinstance(p, str) for p in populations):
        _fail(path, "populations", "must be a list of names", populations)
    if len(set(populations)) != len(populations):
        _fail(path, "populations", "names must be unique", populations)
    sizes = _sizes(path, metadata.get("sizes"), populations)
    duration = _number(path, "duration", metadata.get("duration"), maximum=MAX_DURATION_S)
    fields = {
        "sizes": sizes,
        "duration": duration,
        "rate_dt": _number(path, "rate_dt", metadata.get("rate_dt"), optional=True),
        "fs": _number(path, "fs", metadata.get("fs"), optional=True),
        "params": _mapping(path, "params", metadata.get("params", {})),
        "meta": _meta(path, metadata.get("meta", {})),
    }
    expected = {f"spikes/{p}/{c}" for p in populations for c in "ti"} | {"lfp"}
    unknown = [
        name
        for name in arrays
        if name not in expected and not name.startswith(("rates/", "states/"))
    ]
    if unknown:
        _fail(path, unknown[0], "is not a field of a result file")
    fields["spikes"] = {p: _spikes(path, p, arrays, sizes[p], duration) for p in populations}
    fields["rates"] = _signals(path, arrays, "rates/")
    unknown_rates = sorted(set(fields["rates"]) - set(populations))
    if unknown_rates:
        _fail(path, f"rates/{unknown_rates[0]}", "names no population", populations)
    fields["states"] = _signals(path, arrays, "states/")
    fields["lfp"] = (
        _signals(path, {"lfp": arrays["lfp"]}, "lfp").get("") if "lfp" in arrays else None
    )
    if (fields["lfp"] is not None or fields["states"]) and fields["fs"] is None:
        _fail(path, "fs", "must be given when the file holds an LFP or states")
    if fields["rates"] and fields["rate_dt"] is None:
        _fail(path, "rate_dt", "must be given when the file holds rates")
    return fields


def _number(path, field, value, optional=False, maximum=math.inf):
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        _fail(path, field, "must be a number", value)
    if not (math.isfinite(value) and 0 < value <= maximum):
        _fail(path, field, f"must be finite, > 0 and <= {maximum:g}", value)
    return float(value)


def _mapping(path, field, value):
    if not isinstance(value, dict):
        _fail(path, field, "must be a JSON object", type(value).__name__)
    return value


def _sizes(path, sizes, populations):
    _mapping(path, "sizes", sizes)
    if sorted(sizes) != sorted(populations):
        _fail(path, "sizes", f"must name exactly the populations {populations}", sorted(sizes))
    for name, n in sizes.items():
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_NEURONS:
            _fail(path, f"sizes.{name}", f"must be an integer in [1, {MAX_NEURONS}]", n)
    return dict(sizes)


def _meta(path, meta):
    _mapping(path, "meta", meta)
    if "complete" in meta and not isinstance(meta["complete"], bool):
        _fail(path, "meta.complete", "must be true or false", meta["complete"])
    for key in ("requested_duration_s", "simulated_duration_s"):
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            _fail(path, f"meta.{key}", "must be a number (s) or null", value)
        if not (math.isfinite(value) and value >= 0):
            _fail(path, f"meta.{key}", "must be finite and >= 0", value)
    return meta


def _spikes(path, population, arrays, size, duration):
    field_t, field_i = f"spikes/{population}/t", f"spikes/{population}/i"
    for field in (field_t, field_i):
        if field not in arrays:
            _fail(path, field, "is missing")
    times, indices = arrays[field_t], arrays[field_i]
    if times.ndim != 1 or times.dtype.kind != "f":
        _fail(path, field_t, "must be a 1-D float array (s)", f"{times.dtype} {times.shape}")
    if indices.ndim != 1 or indices.dtype.kind not in "iu":
        _fail(path, field_i, "must be a 1-D integer array", f"{indices.dtype} {indices.shape}")
    if len(times) != len(indices):
        _fail(path, field_i, f"must have one index per spike time ({len(times)})", len(indices))
    bad = ~np.isfinite(times) | (times < 0) | (times > duration * (1 + 1e-9))
    if bad.any():
        k = int(np.argmax(bad))
        _fail(
            path,
            field_t,
            f"spike times must be finite and in [0, {duration:g}] s (the duration); spike {k} is",
            float(times[k]),
        )
    bad = (indices < 0) | (indices >= size)
    if bad.any():
        k = int(np.argmax(bad))
        _fail(
            path,
            field_i,
            f"neuron indices must be in [0, {size - 1}] (the size); spike {k} has",
            int(indices[k]),
        )
    times, indices = times.astype(float), indices.astype(np.int32)
    if len(times) > 1 and np.any(np.diff(times) < 0):  # sortable: put in time order
        order = np.argsort(times, kind="stable")
        times, indices = times[order], indices[order]
    return times, indices


def _signals(path, arrays, prefix):
    signals = {}
    for name, values in arrays.items():
        if not name.startswith(prefix):
            continue
        if values.ndim != 1 or values.dtype.kind not in "fiub":
            _fail(path, name, "must be a 1-D numeric array", f"{values.dtype} {values.shape}")
        if values.dtype.kind == "f" and not np.all(np.isfinite(values)):
            # a run whose signals went NaN or infinite is refused before it is saved
            _fail(path, name, "must be finite", f"{int(np.sum(~np.isfinite(values)))} values")
        signals[name[len(prefix) :]] = values
    return signals
