"""Files that are never half-written: atomic writes, the npz + JSON record, strict JSON.

Every write goes to a temporary file in the target's folder and is renamed over the
target only once complete, so a crash mid-write leaves the old file (at most a stray
``.tmp-*`` file, never a partial target).  Written files get the permissions the umask
allows (``0o666 & ~umask``: 0644 under the usual umask 022), like any file ``open``
creates.

Which helper for which file:

- :func:`atomic_text` -- text (CSV tables: ``atomic_text(path, frame.to_csv(index=False))``);
- :func:`write_json` -- JSON, strict (NaN and inf written as ``null``);
  :func:`read_json` reads it back;
- :func:`save_figure` -- a matplotlib figure (``fig.savefig`` keywords pass through);
- :func:`atomic_file` / :func:`atomic_path` -- any other writer, given a stream or a name.
"""

import contextlib
import json
import math
import os
import sys
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "atomic_file",
    "atomic_path",
    "atomic_text",
    "ensure_writable_folder",
    "read_json",
    "read_record",
    "save_figure",
    "strict_json",
    "write_json",
    "write_record",
]


def current_umask() -> int:
    """The process's umask (read without changing it where the system allows)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as stream:
        for line in stream:
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    mask = os.umask(0o022)  # no /proc: the classic read, put back at once
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], suffix: str) -> Iterator[str]:
    """A temporary path next to ``path``, renamed over it once the block ends without error.

    For writers that take a file name (NWB, HDF5, matplotlib).  The file gets the
    permissions the umask allows.  An exception leaves ``path`` as it was and no
    temporary file behind.
    """
    import tempfile  # here: a cached rerun checks its output folder before it runs, without it

    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=suffix)
    os.close(handle)
    try:
        yield temporary
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.chmod(temporary, 0o666 & ~current_umask())  # mkstemp makes 0600
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


@contextlib.contextmanager
def atomic_file(path: str | os.PathLike[str], suffix: str, mode: str) -> Iterator[IO[Any]]:
    """A stream to a temporary file next to ``path``, renamed over it once complete.

    An exception leaves ``path`` as it was and no temporary file behind.
    """
    with atomic_path(path, suffix) as temporary, open(temporary, mode) as stream:
        yield stream


def atomic_text(path: str | os.PathLike[str], text: str) -> str | os.PathLike[str]:
    """Write ``text`` (UTF-8) to ``path`` atomically; return ``path``."""
    with atomic_file(path, os.path.splitext(os.fspath(path))[1], "w") as stream:
        stream.write(text)
    return path


def save_figure(figure: Any, path: str | os.PathLike[str], **kwargs: Any) -> str | os.PathLike[str]:
    """``figure.savefig(path, **kwargs)``, atomically; return ``path``.

    The format comes from ``path``'s extension unless ``format=`` is given.
    """
    suffix = os.path.splitext(os.fspath(path))[1]
    kwargs.setdefault("format", suffix.lstrip(".") or None)
    with atomic_path(path, suffix) as temporary:
        figure.savefig(temporary, **kwargs)
    return path


def strict_json(data: Any) -> Any:
    """``data`` with numpy values made plain and NaN/inf made None (strict JSON)."""
    if isinstance(data, dict):
        return {key: strict_json(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [strict_json(value) for value in data]
    np = sys.modules.get("numpy")  # not imported: no numpy value can be in data
    if np is not None and isinstance(data, np.ndarray):
        return strict_json(data.tolist())
    if np is not None and isinstance(data, np.generic):
        data = data.item()
    if isinstance(data, float) and not math.isfinite(data):
        return None
    return data


def _dumps(data, **kwargs):
    return json.dumps(strict_json(data), allow_nan=False, default=_json_default, **kwargs)


def write_record(
    path: str | os.PathLike[str], arrays: "dict[str, np.ndarray]", metadata: dict[str, Any]
) -> str | os.PathLike[str]:
    """Write ``arrays`` and a JSON ``metadata`` record to one ``.npz`` file, atomically."""
    import numpy as np  # here: a cached rerun starts its program before numpy is loaded

    arrays = dict(arrays)
    arrays["metadata"] = np.frombuffer(_dumps(metadata).encode(), dtype=np.uint8)
    with atomic_file(path, ".npz", "wb") as stream:
        np.savez(stream, **arrays)  # type: ignore[arg-type]  # numpy stubs: allow_pickle
    return path


def read_record(path: str | os.PathLike[str]) -> "tuple[dict[str, np.ndarray], Any]":
    """``(arrays, metadata)`` of a file written by :func:`write_record`, unchecked.

    ``metadata`` is None when the file holds no metadata record.  For result files use
    :func:`quifer_brian.load`, which checks the content against its schema first.

    Raises
    ------
    OSError, ValueError
        If the file cannot be read as an ``.npz`` archive.
    """
    import numpy as np

    with np.load(os.fspath(path), allow_pickle=False) as archive:
        metadata = None
        if "metadata" in archive.files:
            metadata = json.loads(archive["metadata"].tobytes().decode())
        arrays = {name: archive[name] for name in archive.files if name != "metadata"}
    return arrays, metadata


def write_json(data: Any, path: str | os.PathLike[str]) -> None:
    """Write ``data`` as strict JSON atomically (NaN and inf become ``null``).

    numpy scalars and arrays are written as numbers and lists.  Read it back with
    :func:`read_json`.
    """
    text = _dumps(data, indent=2)  # before the file is opened: a bad value writes nothing
    atomic_text(path, text + "\n")


def read_json(path: str | os.PathLike[str], float_keys: Iterable[str] = ()) -> Any:
    """JSON written by :func:`write_json`; ``null`` under a key of ``float_keys`` -> NaN.

    Parameters
    ----------
    path : str
    float_keys : iterable of str
        Keys (at any depth) whose values are floats by the schema: a ``null`` there was
        a NaN or an inf when written and reads back as NaN.
    """
    with open(os.fspath(path), encoding="utf-8") as stream:
        data = json.load(stream)
    return _nan_for_null(data, frozenset(float_keys))


def _nan_for_null(data, float_keys):
    if isinstance(data, dict):
        return {
            key: math.nan
            if value is None and key in float_keys
            else _nan_for_null(value, float_keys)
            for key, value in data.items()
        }
    if isinstance(data, list):
        return [_nan_for_null(value, float_keys) for value in data]
    return data


def _json_default(value):
    raise TypeError(f"not JSON serialisable: {value!r}")


def ensure_writable_folder(folder: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """Create ``folder`` and check that files can be written in it.

    Raises
    ------
    OSError
        If it cannot be created or written in (callers turn it into their own error).
    """
    os.makedirs(folder, exist_ok=True)
    try:  # a nameless file (Linux): nothing to remove, and no tempfile to import
        os.close(os.open(folder, os.O_TMPFILE | os.O_WRONLY, 0o600))
    except (AttributeError, OSError):  # no O_TMPFILE here, or refused: tempfile decides
        import tempfile

        with tempfile.TemporaryFile(dir=folder):
            pass
    return folder
