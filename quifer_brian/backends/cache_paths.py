"""Where the build cache lives and the digest of the package's sources, without Brian2.

Shared by :mod:`.build_cache` (which needs Brian2 to key a built circuit) and
:mod:`.fast_index` (which finds a cached program for a request before Brian2 is
imported): both must agree on the folder and on the sources' digest.

The digest reads and hashes every source file (a few ms: most of a rerun's own work
before its program starts).  :func:`source_digest` given the cache's folder takes it
instead from a stamp there, ``.sources-<8 hex>.json``, while every source file's state
is the one recorded with the digest (:mod:`.stamps` says why that is sound).
"""

import functools
import hashlib
import os
import zlib
from typing import Any

from .stamps import file_state, read_stamp, settled, write_stamp

__all__ = ["CACHE_VARIABLE", "default_cache_dir", "source_digest"]

#: The environment variable that names the cache folder.
CACHE_VARIABLE = "QUIFER_BRIAN_CACHE"
_STAMP_FORMAT = 1


def default_cache_dir() -> str:
    """``$QUIFER_BRIAN_CACHE``, else the platform's user cache folder + ``builds``.

    The platform's folder comes from :mod:`platformdirs`: ``$XDG_CACHE_HOME/quifer_brian``
    (``~/.cache/quifer_brian``) on Linux, ``~/Library/Caches/quifer_brian`` on macOS,
    ``%LOCALAPPDATA%\\quifer_brian\\Cache`` on Windows.
    """
    if os.environ.get(CACHE_VARIABLE):
        return os.environ[CACHE_VARIABLE]
    import platformdirs

    return os.path.join(platformdirs.user_cache_dir("quifer_brian", appauthor=False), "builds")


def _package() -> str:
    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _source_files(package: str) -> list[tuple[str, str]]:
    """``(relative path, path)`` of every ``.py`` file of the package, in digest order.

    The order of ``os.walk`` with sorted names: a folder's files, then each sub-folder
    (links to folders are listed, not entered); read with :func:`os.scandir`, which
    knows the entries' kinds without a ``stat`` each.
    """
    found: list[tuple[str, str]] = []

    def visit(folder, relative):
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            return
        folders = []
        for entry in entries:
            try:
                is_folder = entry.is_dir()
            except OSError:
                is_folder = False
            if is_folder:
                if not entry.is_symlink():
                    folders.append(entry)
            elif entry.name.endswith(".py"):
                found.append((relative + entry.name, entry.path))
        for entry in folders:
            visit(entry.path, relative + entry.name + os.sep)

    visit(package, "")
    return found


def _hash_sources(files: list[tuple[str, str]]) -> str:
    digest = hashlib.sha256()
    for relative, path in files:
        digest.update(relative.encode())
        with open(path, "rb") as stream:
            digest.update(stream.read())
    return digest.hexdigest()[:16]


@functools.cache
def _source_digest() -> str:
    return _hash_sources(_source_files(_package()))


def source_digest(stamp_dir: str | None = None) -> str:
    """Digest of the package's Python sources (16 hex digits): equations and builders
    are part of every cache key.

    Parameters
    ----------
    stamp_dir : str, optional
        The build cache's folder: the digest is taken from its stamp while no source
        file's :func:`file_state` changed (see the module's notes), else computed and the
        stamp written (when the folder exists and the files have settled).  Without it
        the sources are hashed (once per process).  Both give the same digest.
    """
    if stamp_dir is None:
        return _source_digest()
    package = _package()
    files = _source_files(package)
    path = os.path.join(stamp_dir, f".sources-{zlib.crc32(package.encode()):08x}.json")
    try:
        before: list[list[Any]] = [[relative, *file_state(full)] for relative, full in files]
    except OSError:
        return _source_digest()
    stamp = read_stamp(path)
    if (
        isinstance(stamp, dict)
        and stamp.get("format") == _STAMP_FORMAT
        and stamp.get("package") == package
        and stamp.get("files") == before
        and isinstance(stamp.get("digest"), str)
    ):
        return stamp["digest"]
    digest = _hash_sources(files)
    try:
        after = [[relative, *file_state(full)] for relative, full in files]
    except OSError:
        return digest
    if after == before and settled([state[1:] for state in before]) and os.path.isdir(stamp_dir):
        content = {"format": _STAMP_FORMAT, "package": package, "files": before, "digest": digest}
        write_stamp(path, content)
    return digest
