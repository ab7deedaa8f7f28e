"""Incremental standalone builds: reuse the object files of a cached project.

A cpp_standalone project is ~50 C++ translation units (one per code object, plus
``objects.cpp``, ``main.cpp``, ``network.cpp``, ``run.cpp`` and Brian2's support code).
Another structure of the same circuit changes only some of them: population sizes are
compiled into every code object of that population (``const size_t _numv = 4000``), a
connection probability only into its ``synapses_create_generator`` code object.  Between
code generation and ``make``, :func:`prepare_project` copies from a cached project of
the same circuit every object file whose translation unit is unchanged, so ``make``
compiles only the others.  Before that, :mod:`.size_constants` moves the sizes out of
the code objects' text into one unit, so that a new size leaves them unchanged, and
:mod:`.written_arrays` lets the program write back only the arrays its reader asks for.

Reuse is decided by *content*, never by timestamps: an object file is taken only when

- the two makefiles are the same apart from their lists of files (same compiler, same
  flags),
- every header of the project (``.h`` under the folder, the project's own and Brian2's
  support headers) is byte for byte the same in both projects, and
- the source file is byte for byte the same.

Then the object file is what compiling that source would give (system headers and the
compiler belong to the cache key's versions and compiler settings).  Afterwards the
timestamps are set so that ``make`` sees exactly that: every source and header a little
in the past, every reused object after them, ``make.deps`` last.

``make.deps`` is written here (one comment line) instead of by ``make``: Brian2's rule
preprocesses every source serially (2-3 s) and its rules name the code objects' targets
without their folder (``x.o`` for ``code_objects/x.o``), so they never applied to them.
A cached project is never made again in place, so it needs no dependency rules.

A precompiled header of the C++ standard library (:data:`PCH_HEADER`, forced into every
translation unit with ``-include``) halves the time of each translation unit.  Its
compiled form (~50 MB) moves from the cached project to the new one when it was made
with the same flags, else it is built when enough units are to be compiled: one copy
per chain of builds.  The generated code is the same: only the standard headers are
read earlier.

References
----------
GNU make manual, "How make Processes a Makefile"; GCC manual, "Precompiled Headers".
"""

import contextlib
import os
import re
import shutil
import time
from typing import Any

from .pch import (
    PCH_FLAGS,
    PCH_HEADER,
    PCH_MIN_UNITS,
    PCH_TEXT,
    make_pch,
    makefile_lines,
    project_files,
)
from .size_constants import externalize_sizes
from .written_arrays import limit_written_arrays

__all__ = [
    "PCH_FLAGS",
    "PCH_HEADER",
    "PCH_MIN_UNITS",
    "nearest_structure",
    "prepare_project",
    "project_files",
    "remove_build_leftovers",
    "remove_objects",
    "reusable_objects",
]

_DEPS_TEXT = "# written by quifer_brian: objects are reused by content (backends/incremental.py)\n"
_LISTS = ("SRCS", "H_SRCS")
_PCH_TEXT = PCH_TEXT  # the header prepare_project writes (tests read it here)


def reusable_objects(source: str, folder: str) -> list[str]:
    """Sources of ``folder`` whose object file in ``source`` is valid for ``folder``.

    Parameters
    ----------
    source : str
        A complete project (built by ``make``, object files kept).
    folder : str
        A project just generated, not yet compiled.

    Returns
    -------
    list of str
        Project-relative paths of ``.cpp`` files; empty when the makefiles differ in
        anything but their file lists or when any header differs.
    """
    if _flags_text(source) is None or _flags_text(source) != _flags_text(folder):
        return []
    for header in _headers(folder) | _headers(source):
        if not _same_file(os.path.join(source, header), os.path.join(folder, header)):
            return []
    reused = []
    for name in project_files(folder)["SRCS"]:
        obj = _object_of(name)
        if (
            name in project_files(source)["SRCS"]
            and os.path.isfile(os.path.join(source, obj))
            and _same_file(os.path.join(source, name), os.path.join(folder, name))
        ):
            reused.append(name)
    return reused


def prepare_project(folder: str, source: str | None, make_args: list[str]) -> dict[str, Any]:
    """Between code generation and ``make``: reuse objects, write ``make.deps``, the PCH.

    Parameters
    ----------
    folder : str
        The generated project (its makefile forces :data:`PCH_HEADER` in).
    source : str or None
        A cached project of the same circuit to take object files from.
    make_args : list of str
        Brian2's ``extra_make_args_unix`` (for the precompiled header's ``make``).

    Returns
    -------
    dict
        ``units`` (translation units), ``reused`` (object files taken from ``source``),
        ``pch`` (how the precompiled header came) and ``sizes`` (size constants moved
        out of the code objects, :mod:`.size_constants`).
    """
    sizes = externalize_sizes(folder)
    limit_written_arrays(folder)  # objects.cpp: compiled for every structure anyway
    with open(os.path.join(folder, PCH_HEADER), "w", encoding="utf-8") as stream:
        stream.write(PCH_TEXT)
    reused = reusable_objects(source, folder) if source else []
    for name in reused:
        obj = _object_of(name)
        shutil.copyfile(os.path.join(str(source), obj), os.path.join(folder, obj))
    now = time.time()
    for root, _, names in os.walk(folder):
        for name in names:
            if name.endswith((".cpp", ".c", ".h")) or name == "makefile":
                os.utime(os.path.join(root, name), (now - 2, now - 2))
    for name in reused:
        os.utime(os.path.join(folder, _object_of(name)), (now - 1, now - 1))
    with open(os.path.join(folder, "make.deps"), "w", encoding="utf-8") as stream:
        stream.write(_DEPS_TEXT)
    os.utime(os.path.join(folder, "make.deps"), (now, now))
    units = len(project_files(folder)["SRCS"])
    pch = "none"
    if source and _pch_moved(source, folder):
        pch = "moved"
    elif units - len(reused) >= PCH_MIN_UNITS:
        pch = "built" if make_pch(folder, make_args) else "failed"
    return {"units": units, "reused": len(reused), "pch": pch, "sizes": sizes}


def remove_build_leftovers(folder: str) -> None:
    """Remove the files of :func:`prepare_project` that the program does not need."""
    with contextlib.suppress(OSError):
        os.remove(os.path.join(folder, "quifer_pch.mk"))


def nearest_structure(entries: list[dict[str, Any]], structure: dict[str, Any]) -> str | None:
    """The key of the entry most like ``structure``, or None.

    Parameters
    ----------
    entries : list of dict
        :meth:`BuildCache.entries`, most recently used first.
    structure : dict
        The content of the key being built (:meth:`BuildCache.key`).

    Returns
    -------
    str or None
        Among entries of the same circuit, package sources, versions and compiler
        settings: the one with the fewest differing structural parameters (a differing
        duration counts as one), the most recently used first among equals.
    """
    best, best_score = None, None
    fixed = [name for name in structure if name not in ("structure", "duration_s")]
    mine = structure["structure"]
    for entry in entries:
        other = entry.get("structure")
        if not isinstance(other, dict) or any(other.get(k) != structure[k] for k in fixed):
            continue
        params = other.get("structure") or {}
        score = sum(params.get(name) != value for name, value in mine.items())
        score += other.get("duration_s") != structure["duration_s"]
        if best_score is None or score < best_score:
            best, best_score = entry["key"], score
    return best


def remove_objects(folder: str) -> None:
    """Drop the compiler's object files: only ``main`` and the data are needed to run."""
    for root, _, files in os.walk(folder):
        for name in files:
            if name.endswith(".o"):
                os.remove(os.path.join(root, name))


# ---------------------------------------------------------------------------- helpers
def _pch_moved(source, folder):
    """Move ``source``'s compiled header to ``folder`` if it was made for it.

    Same flags (makefile) and same header text: GCC checks the compiler and the flags
    itself (and reads the header instead when they differ), not the header's text.
    Moved, not copied: one compiled header (~50 MB) per chain of builds in the cache.
    """
    compiled = f"{PCH_HEADER}.gch"
    if not (
        os.path.isfile(os.path.join(source, compiled))
        and _flags_text(source) == _flags_text(folder)
        and _same_file(os.path.join(source, PCH_HEADER), os.path.join(folder, PCH_HEADER))
    ):
        return False
    try:
        os.replace(os.path.join(source, compiled), os.path.join(folder, compiled))
    except OSError:
        return False
    return True


def _flags_text(folder):
    """The makefile without its file lists (None when there is none)."""
    lines = makefile_lines(folder)
    if not lines:
        return None
    pattern = re.compile(rf"^\s*({'|'.join(_LISTS)})\s*=")
    return "\n".join(line for line in lines if not pattern.match(line))


def _headers(folder):
    found = set()
    for root, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".h"):
                found.add(os.path.relpath(os.path.join(root, name), folder))
    return found


def _same_file(first, second):
    if not (os.path.isfile(first) and os.path.isfile(second)):
        return False
    if os.path.getsize(first) != os.path.getsize(second):
        return False
    with open(first, "rb") as one, open(second, "rb") as two:
        return one.read() == two.read()


def _object_of(source):
    return os.path.splitext(source)[0] + ".o"
