"""Where the build cache lives and the digest of the package's sources, without Brian2.

Shared by :mod:`.build_cache` (which needs Brian2 to key a built circuit) and
:mod:`.fast_index` (which finds a cached program for a request before Brian2 is
imported): both must agree on the folder and on the sources' digest.
"""

import functools
import hashlib
import os

__all__ = ["CACHE_VARIABLE", "default_cache_dir", "source_digest"]

#: The environment variable that names the cache folder.
CACHE_VARIABLE = "QUIFER_BRIAN_CACHE"


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


@functools.cache
def _source_digest() -> str:
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    digest = hashlib.sha256()
    for root, folders, files in os.walk(package):
        folders.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                digest.update(os.path.relpath(path, package).encode())
                with open(path, "rb") as stream:
                    digest.update(stream.read())
    return digest.hexdigest()[:16]


def source_digest() -> str:
    """Digest of the package's Python sources (16 hex digits): equations and builders
    are part of every cache key (computed once per process)."""
    return _source_digest()
