"""Which C/C++ compiler Brian2 tests its optimisation flags with.

Brian2 checks each flag of ``codegen.cpp.extra_compile_args_gcc`` (``-O3``,
``-ffast-math``, ``-march=native``, ...) by compiling a small file with the compiler that
:mod:`distutils` picks: ``$CC``/``$CXX`` when set, else the compiler *Python* was built
with (``sysconfig``'s ``CC``).  A Python built elsewhere (a relocated or downloaded build,
made with clang) names a compiler that may not be installed; then every test fails,
Brian2 drops every flag with a warning nobody sees, and each standalone program is
compiled at ``-O0``: 2-3x slower, and nothing looks wrong.

:func:`use_installed_compiler` closes that gap before anything is compiled; it imports
neither Brian2 nor distutils, so the fast path (:mod:`.fast_index`) applies it too and
both paths key their programs with the same environment.
"""

import os
import shlex
import shutil
import sysconfig

__all__ = ["use_installed_compiler"]

#: Compilers tried, in order, when Python's own is missing: (C, C++).
_FALLBACKS = (("gcc", "g++"), ("cc", "c++"), ("clang", "clang++"))


def _executable(command: str | None) -> str | None:
    """The program of a compiler command such as ``"clang -pthread"``, or None."""
    if not command:
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    return words[0] if words else None


def use_installed_compiler() -> dict[str, str]:
    """Set ``CC`` and ``CXX`` to an installed compiler when Python's own is missing.

    Nothing changes when ``CC`` is already set (the user chose) or when the compiler
    Python was built with is on ``PATH``.  Otherwise the first installed pair of
    gcc/g++, cc/c++, clang/clang++ is put into :data:`os.environ` (inherited by ``make``,
    whose own default is ``g++``).  Idempotent.

    Returns
    -------
    dict
        The variables set by this call (empty when nothing changed).
    """
    if os.environ.get("CC"):
        return {}
    built_with = _executable(sysconfig.get_config_var("CC"))
    if built_with is None or shutil.which(built_with) is not None:
        return {}
    for c_compiler, cxx_compiler in _FALLBACKS:
        if shutil.which(c_compiler) and shutil.which(cxx_compiler):
            chosen = {"CC": c_compiler}
            if not os.environ.get("CXX"):
                chosen["CXX"] = cxx_compiler
            os.environ.update(chosen)
            return chosen
    return {}
