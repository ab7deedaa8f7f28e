"""File states that stand for file contents: a digest computed once, trusted while the
file's state is unchanged.

A *stamp* records a digest (sha256) of files together with each file's
:func:`file_state` -- size, modification and change times in ns, inode, device -- when
the digest was computed.  A later process that finds every state unchanged uses the
recorded digest instead of reading and hashing the files again; any difference is a
miss that hashes again.  Used for the package's sources (:mod:`.cache_paths`) and a
cached program (:mod:`.compiled`), the fast path's two digests.

Why a state stands for the content.  Writing to a file sets its modification and change
times to the current time, and replacing it (an editor's save, ``git checkout``, a
rebuild) gives another inode; putting the modification time back (``touch -d``,
``tar``, ``rsync -t``) sets the change time, which no unprivileged call can set.  What
remains is the file system's timestamp granularity (a clock tick on ext4, 2 s on FAT):
two writes within one tick of the same size leave the same state.  So a stamp is
written only when every file had been left alone for :data:`SETTLED_S` seconds before
it was hashed (:func:`settled`), and had the same state before and after the hash: a
later write then falls in a later tick and changes the state (git's "racy clean" rule
for its index).  Not covered, as by any stat-based check: content changed without the
file system's knowledge (bit rot, a raw write to the device), or by someone who also
rewrites the stamp -- who could rewrite the recorded digest itself as well.
"""

import contextlib
import json
import os
import time
from typing import Any

__all__ = ["SETTLED_S", "file_state", "read_stamp", "settled", "write_stamp"]

#: Seconds a file must have been left alone before its state may stand for its content
#: (above the coarsest timestamp granularity of common file systems: 2 s on FAT).
SETTLED_S = 2.0


def file_state(path: str) -> list[int]:
    """``[size, mtime_ns, ctime_ns, inode, device]`` of a file (a link is followed).

    Raises
    ------
    OSError
        If the file cannot be reached.
    """
    found = os.stat(path)
    return [found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino, found.st_dev]


def settled(states: list[list[int]], now_s: float | None = None) -> bool:
    """Whether the times of every state (from :func:`file_state`) lie :data:`SETTLED_S`
    seconds or more before ``now_s`` (default: now)."""
    limit = int(((time.time() if now_s is None else now_s) - SETTLED_S) * 1e9)
    return all(state[1] < limit and state[2] < limit for state in states)


def read_stamp(path: str) -> Any:
    """The JSON content of the stamp ``path``, or None if it is missing or unreadable."""
    try:
        with open(path, encoding="utf-8") as stream:
            return json.load(stream)
    except (OSError, ValueError, RecursionError):
        return None


def write_stamp(path: str, content: Any) -> None:
    """Write the stamp atomically (a temporary name renamed over it).

    A failure (a read-only folder ...) is ignored: the next process hashes again.
    """
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(content, stream)
        os.replace(temporary, path)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
