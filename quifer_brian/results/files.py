"""Files that are never half-written: atomic writes, the npz + JSON record, strict JSON.

Every write goes to a temporary file in the target's folder and is renamed over the
target only once complete, so a crash mid-write leaves the old file (at most a stray
``.tmp-*`` file, never a partial target).
"""

import contextlib
import json
import os
import tempfile

import numpy as np

__all__ = ["atomic_file", "atomic_path", "read_record", "write_json", "write_record"]


@contextlib.contextmanager
def atomic_path(path, suffix):
    """A temporary path next to ``path``, renamed over it once the block ends without error.

    For writers that take a file name (NWB, HDF5).  An exception leaves ``path`` as it was
    and no temporary file behind.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    os.close(handle)
    try:
        yield temporary
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_file(path, suffix, mode):
    """A stream to a temporary file next to ``path``, renamed over it once complete.

    An exception leaves ``path`` as it was and no temporary file behind.
    """
    with atomic_path(path, suffix) as temporary, open(temporary, mode) as stream:
        yield stream


def write_record(path, arrays, metadata):
    """Write ``arrays`` and a JSON ``metadata`` record to one ``.npz`` file, atomically."""
    arrays = dict(arrays)
    arrays["metadata"] = np.frombuffer(json.dumps(metadata).encode(), dtype=np.uint8)
    with atomic_file(path, ".npz", "wb") as stream:
        np.savez(stream, **arrays)
    return path


def read_record(path):
    """``(arrays, metadata)`` of a file written by :func:`write_record`.

    ``metadata`` is None when the file holds no metadata record.

    Raises
    ------
    OSError, ValueError
        If the file cannot be read as an ``.npz`` archive.
    """
    with np.load(os.fspath(path), allow_pickle=False) as archive:
        metadata = None
        if "metadata" in archive.files:
            metadata = json.loads(archive["metadata"].tobytes().decode())
        arrays = {name: archive[name] for name in archive.files if name != "metadata"}
    return arrays, metadata


def write_json(data, path):
    """Write ``data`` as JSON atomically (temporary file renamed over ``path``)."""
    with atomic_file(path, ".json", "w") as stream:
        json.dump(data, stream, indent=2, default=_json_default)


def _json_default(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"not JSON serialisable: {value!r}")
