"""The command line and the demo: the only place that writes figures and files for the
user by default.  ``quifer-brian`` is :func:`main`."""

from .demo import run_flagship
from .main import build_parser, main

__all__ = ["build_parser", "main", "run_flagship"]
