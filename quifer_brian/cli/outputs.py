"""Where the command line writes: output folders checked before any work, one-line errors."""

import os
import sys

from ..errors import CommandLineError
from ..results.files import ensure_writable_folder

__all__ = ["prepare_out", "print_error"]


def prepare_out(folder, option="--out", create=True):
    """Create ``folder`` and check that files can be written in it, before any work.

    With ``create=False`` only check that it could be: the folder, or its nearest
    existing parent, is a folder this process can write in.
    """
    try:
        if not create:
            existing = os.path.abspath(folder)
            while not os.path.exists(existing):
                existing = os.path.dirname(existing)
            if not os.path.isdir(existing) or not os.access(existing, os.W_OK | os.X_OK):
                raise PermissionError(13, "not a folder this process can write in")
            return folder
        ensure_writable_folder(folder)
    except OSError as err:
        raise CommandLineError(
            f"{option}: cannot write to {folder!r} ({err.strerror or err}); choose a folder "
            f"you can write to."
        ) from None
    return folder


def print_error(line):
    """One line on stderr, prefixed with the program's name."""
    print(f"quifer-brian {line}", file=sys.stderr, flush=True)
