"""A precompiled header of the C++ standard library for cpp_standalone projects.

Each translation unit of a Brian2 project (~50 for a PING) parses the same standard
headers (``<vector>``, ``<random>``, ``<iostream>``, ...) before its own few hundred
lines: about half its compile time.  :data:`PCH_FLAGS` forces :data:`PCH_HEADER` (those
headers, :data:`PCH_TEXT`) into every unit with ``-include``; when its compiled form
``quifer_pch.h.gch`` lies beside it, made with the same compiler and flags, GCC loads
that instead of parsing the headers again (and silently reads the header's text when the
compiled form is missing or was made otherwise: slower, never wrong).  The generated
code is the same: only the standard headers are read earlier.

Two users: the build cache's incremental builds (:mod:`.incremental`, which moves one
compiled header along a chain of cached projects), and every other cpp_standalone build
of a session (:meth:`~quifer_brian.backends.session.BackendSession.build`), which builds
the compiled header with :func:`prepare_pch` before ``make`` and removes it with
:func:`remove_pch` after: it is ~50 MB, needed only while compiling, and a project folder
should hold what Brian2's own build leaves there (plus the 1 kB header, which the
makefile names).

References
----------
GCC manual, "Precompiled Headers"; GNU make manual, "Multiple Makefiles".
"""

import contextlib
import os
import subprocess

__all__ = [
    "PCH_FLAGS",
    "PCH_HEADER",
    "PCH_MIN_UNITS",
    "PCH_TEXT",
    "make_pch",
    "prepare_pch",
    "project_files",
    "remove_pch",
    "stale_units",
    "write_pch_header",
]

#: The precompiled header's name in a project folder.
PCH_HEADER = "quifer_pch.h"
#: Compiler flags that force the header into every translation unit.
PCH_FLAGS = ("-include", PCH_HEADER)
#: Build the precompiled header (~1.5 s) only when at least this many units compile.
PCH_MIN_UNITS = 8
#: The header's text: the standard headers that Brian2's generated code includes.
PCH_TEXT = """// Written by quifer_brian: the C++ standard headers of Brian2's generated code.
#ifndef QUIFER_PCH_H
#define QUIFER_PCH_H
#include <algorithm>
#include <cassert>
#include <chrono>
#include <climits>
#include <cmath>
#include <csignal>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>
#include <assert.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#endif
"""
_PCH_MAKEFILE_NAME = "quifer_pch.mk"
_PCH_MAKEFILE = (
    f"{PCH_HEADER}.gch: {PCH_HEADER} makefile\n"
    f"\t$(CXX) $(filter-out {' '.join(PCH_FLAGS)},$(CXXFLAGS)) -x c++-header $< -o $@\n"
)
_LISTS = ("SRCS", "H_SRCS")


def project_files(folder: str) -> dict[str, list[str]]:
    """``{"SRCS": [...], "H_SRCS": [...]}``: the files a project's makefile lists."""
    lists: dict[str, list[str]] = {name: [] for name in _LISTS}
    for line in makefile_lines(folder):
        name, _, value = line.partition("=")
        if name.strip() in lists:
            lists[name.strip()] = value.split()
    return lists


def makefile_lines(folder: str) -> list[str]:
    """The lines of ``folder/makefile`` (empty when there is none)."""
    path = os.path.join(folder, "makefile")
    if not os.path.isfile(path):
        return []
    with open(path, encoding="utf-8") as stream:
        return stream.read().splitlines()


def write_pch_header(folder: str) -> None:
    """Write :data:`PCH_HEADER` into ``folder``, unless it is there already.

    An unchanged header keeps its time stamp, so that ``make`` in a project rebuilt in
    place does not see it as new (Brian2 writes its own files the same way).
    """
    path = os.path.join(folder, PCH_HEADER)
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as stream:
            if stream.read() == PCH_TEXT:
                return
    with open(path, "w", encoding="utf-8") as stream:
        stream.write(PCH_TEXT)


def stale_units(folder: str) -> int:
    """How many translation units ``make`` will compile, about: object missing or older.

    An object file is counted when it is missing or older than its source, the makefile
    or any of the project's headers (``make`` follows each unit's own headers in
    ``make.deps``; nearly every unit includes ``objects.h``).  The count only decides
    whether a compiled header pays off.
    """
    files = project_files(folder)
    newest_rule = max(
        [_mtime(os.path.join(folder, name)) for name in ["makefile", *files["H_SRCS"]]]
    )
    stale = 0
    for name in files["SRCS"]:
        obj = os.path.join(folder, os.path.splitext(name)[0] + ".o")
        source = os.path.join(folder, name)
        if not os.path.isfile(obj):
            stale += 1
        elif os.path.getmtime(obj) < max(newest_rule, _mtime(source)):
            stale += 1
    return stale


def make_pch(folder: str, make_args: list[str]) -> bool:
    """Compile the precompiled header with the project's compiler and flags (``make``).

    Returns
    -------
    bool
        Whether it was built; on failure no compiled header is left (each unit then
        reads the header's text: slower only).
    """
    extra = os.path.join(folder, _PCH_MAKEFILE_NAME)
    with open(extra, "w", encoding="utf-8") as stream:
        stream.write(_PCH_MAKEFILE)
    jobs = [arg for arg in make_args if not arg.startswith("-j")]
    command = ["make", "-s", "-f", "makefile", "-f", extra, *jobs, f"{PCH_HEADER}.gch"]
    done = subprocess.run(command, cwd=folder, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        with contextlib.suppress(OSError):
            os.remove(os.path.join(folder, f"{PCH_HEADER}.gch"))
    return done.returncode == 0


def prepare_pch(folder: str, make_args: list[str]) -> str:
    """Between code generation and ``make`` of a session's build: the header, compiled.

    Parameters
    ----------
    folder : str
        The generated project (its makefile forces :data:`PCH_HEADER` in).
    make_args : list of str
        Brian2's ``extra_make_args_unix``.

    Returns
    -------
    str
        ``'built'``, ``'failed'`` or ``'none'`` (fewer than :data:`PCH_MIN_UNITS` units
        to compile, as in a project rebuilt in place after a small change).
    """
    write_pch_header(folder)
    if stale_units(folder) < PCH_MIN_UNITS:
        return "none"
    return "built" if make_pch(folder, make_args) else "failed"


def remove_pch(folder: str) -> None:
    """Remove the compiled header and its makefile (the header's text stays)."""
    for name in (f"{PCH_HEADER}.gch", _PCH_MAKEFILE_NAME):
        with contextlib.suppress(OSError):
            os.remove(os.path.join(folder, name))


def _mtime(path):
    try:
        return os.path.getmtime(path)
    except OSError:
        return 0.0
