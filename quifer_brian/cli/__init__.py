"""The command line and the demo: the only place that writes figures and files for the
user by default.  ``quifer-brian`` is :func:`main`.

:func:`run_flagship` (the demo, Brian2) is imported on first use, so the command's fast
path (:mod:`.fast`) starts without Brian2.
"""

from .main import build_parser, main

__all__ = ["build_parser", "main", "run_flagship"]


def __getattr__(name):
    if name == "run_flagship":
        from .demo import run_flagship

        return run_flagship
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
