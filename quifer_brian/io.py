"""Saving and loading results: one ``.npz`` file of arrays plus a JSON metadata record.

Writes are atomic: the file is written under a temporary name in the same folder and
renamed over the target only once complete, so a crash mid-write leaves the old file.
"""

import contextlib
import json
import os
import tempfile

import numpy as np

from .errors import QuiferError
from .result import Result

__all__ = ["load", "quantity_from_json", "quantity_to_json", "save", "write_json"]

FORMAT = "quifer-result"
FORMAT_VERSION = 1


def save(result, path):
    """Write the result to ``path`` (``.npz``), atomically.

    The file is written to a temporary file in the same folder and renamed over
    ``path`` only once complete, so a crash mid-write leaves any old file intact.
    """
    arrays = {}
    for name, (times, indices) in result.spikes.items():
        arrays[f"spikes/{name}/t"] = np.asarray(times, dtype=float)
        arrays[f"spikes/{name}/i"] = np.asarray(indices, dtype=np.int32)
    for name, rate in result.rates.items():
        arrays[f"rates/{name}"] = np.asarray(rate, dtype=float)
    for name, state in result.states.items():
        arrays[f"states/{name}"] = np.asarray(state)
    if result.lfp is not None:
        arrays["lfp"] = np.asarray(result.lfp, dtype=float)
    metadata = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "sizes": result.sizes,
        "duration": result.duration,
        "rate_dt": result.rate_dt,
        "fs": result.fs,
        "params": result.params,
        "meta": result.meta,
        "populations": result.populations,
    }
    arrays["metadata"] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    _atomic_savez(os.fspath(path), arrays)
    return path


def _atomic_savez(path, arrays):
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with _atomic_file(path, ".npz", "wb") as stream:
        np.savez(stream, **arrays)


@contextlib.contextmanager
def _atomic_file(path, suffix, mode):
    """A stream to a temporary file next to ``path``, renamed over it once complete.

    An exception leaves ``path`` as it was and no temporary file behind; a killed process
    leaves ``path`` as it was too (at most a stray ``.tmp-*`` file, never a partial
    ``path``).
    """
    folder = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    try:
        with os.fdopen(handle, mode) as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def load(path):
    """Read a :class:`Result` saved with :meth:`Result.save`.

    Raises
    ------
    QuiferError
        If the file is not a quifer result (with the reason).
    """
    try:
        archive = np.load(os.fspath(path), allow_pickle=False)
    except (OSError, ValueError) as err:
        raise QuiferError(f"load: cannot read {path!r} as a result file: {err}") from err
    with archive:
        if "metadata" not in archive.files:
            raise QuiferError(f"load: {path!r} is not a quifer result (no metadata record).")
        metadata = json.loads(archive["metadata"].tobytes().decode())
        if metadata.get("format") != FORMAT:
            raise QuiferError(f"load: {path!r} is not a quifer result file.")
        spikes = {
            name: (archive[f"spikes/{name}/t"], archive[f"spikes/{name}/i"])
            for name in metadata["populations"]
        }
        rates = {k[len("rates/") :]: archive[k] for k in archive.files if k.startswith("rates/")}
        states = {k[len("states/") :]: archive[k] for k in archive.files if k.startswith("states/")}
        lfp = archive["lfp"] if "lfp" in archive.files else None
    return Result(
        spikes=spikes,
        sizes=metadata["sizes"],
        duration=metadata["duration"],
        rates=rates,
        rate_dt=metadata["rate_dt"],
        lfp=lfp,
        fs=metadata["fs"],
        states=states,
        params=metadata["params"],
        meta=metadata["meta"],
    )


def quantity_to_json(value):
    """A JSON-safe form of a parameter: quantities become ``{"value", "unit"}`` (SI)."""
    if hasattr(value, "dim"):
        from brian2 import get_unit

        unit = get_unit(value.dim)
        magnitude = np.asarray(value / unit).tolist()
        return {"value": magnitude, "unit": repr(unit)}
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [quantity_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: quantity_to_json(v) for k, v in value.items()}
    return value


def quantity_from_json(value):
    """Inverse of :func:`quantity_to_json`."""
    if isinstance(value, dict) and set(value) == {"value", "unit"}:
        import brian2

        unit = 1 if value["unit"] == "1" else getattr(brian2, value["unit"])
        return (
            np.asarray(value["value"]) * unit
            if isinstance(value["value"], list)
            else (value["value"] * unit)
        )
    if isinstance(value, dict):
        return {k: quantity_from_json(v) for k, v in value.items()}
    return value


def write_json(data, path):
    """Write ``data`` as JSON atomically (temporary file renamed over ``path``)."""
    with _atomic_file(path, ".json", "w") as stream:
        json.dump(data, stream, indent=2, default=_json_default)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {value!r}")
