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
both paths key their programs with the same environment.  It costs the fast path about
0.1 ms: Python's compiler is read from the build-time data module that :mod:`sysconfig`
loads (:func:`python_compiler`), not through :mod:`sysconfig` (whose import and first
``get_config_var`` cost 1.5-2 ms, 6 ms where its data module has no bytecode).
"""

import importlib
import os
import sys

__all__ = ["python_compiler", "use_installed_compiler"]

#: Compilers tried, in order, when Python's own is missing: (C, C++).
_FALLBACKS = (("gcc", "g++"), ("cc", "c++"), ("clang", "clang++"))


def python_compiler() -> str | None:
    """The C compiler command Python was built with: ``sysconfig.get_config_var("CC")``.

    On Linux this is the ``CC`` of the build-time data module that :mod:`sysconfig`
    itself imports (``_sysconfigdata_{abiflags}_{platform}_{multiarch}``, or the one
    ``$_PYTHON_SYSCONFIGDATA_NAME`` names), read directly; elsewhere (macOS adjusts the
    value), or where that module is missing, :mod:`sysconfig` answers.
    """
    if sys.platform.startswith("linux"):
        multiarch = getattr(sys.implementation, "_multiarch", "")
        default = f"_sysconfigdata_{sys.abiflags}_{sys.platform}_{multiarch}"
        name = os.environ.get("_PYTHON_SYSCONFIGDATA_NAME", default)
        try:
            variables = importlib.import_module(name).build_time_vars
        except (ImportError, AttributeError, ValueError):
            pass
        else:
            return variables.get("CC")
    import sysconfig

    return sysconfig.get_config_var("CC")


def _executable(command: str | None) -> str | None:
    """The program of a compiler command such as ``"clang -pthread"``, or None."""
    if not command:
        return None
    if any(quote in command for quote in "\"'\\"):  # quoted words: the shell's rules
        import shlex

        try:
            words = shlex.split(command)
        except ValueError:
            return None
    else:
        words = command.split()
    return words[0] if words else None


def _installed(command: str) -> bool:
    """``shutil.which(command) is not None``, without importing :mod:`shutil` on POSIX."""
    if os.name != "posix":
        import shutil

        return shutil.which(command) is not None

    def runnable(path):  # shutil.which's test
        return os.path.exists(path) and os.access(path, os.X_OK) and not os.path.isdir(path)

    if os.path.dirname(command):
        return runnable(command)
    path = os.environ.get("PATH")
    if path is None:
        path = os.confstr("CS_PATH") or os.defpath
    return bool(path) and any(
        runnable(os.path.join(folder, command)) for folder in path.split(os.pathsep)
    )


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
    built_with = _executable(python_compiler())
    if built_with is None or _installed(built_with):
        return {}
    for c_compiler, cxx_compiler in _FALLBACKS:
        if _installed(c_compiler) and _installed(cxx_compiler):
            chosen = {"CC": c_compiler}
            if not os.environ.get("CXX"):
                chosen["CXX"] = cxx_compiler
            os.environ.update(chosen)
            return chosen
    return {}
