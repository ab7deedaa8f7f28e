"""The ``quifer-brian`` command: a thin shell around library functions.

Each subcommand (:mod:`.commands`) parses its arguments, calls one library function and
prints the result.  ``main(argv)`` returns the exit status (0 success, 2 bad input) so it
can be tested directly.

Exit status: 0 success, 1 a failed check (``fi-curve``, failed sweep points) or an
unexpected error (a bug: one line, ``--traceback`` shows it whole), 2 an expected failure
(bad input, a bad or corrupt file, an OS error such as an unwritable ``--out``, an
unreachable scheduler), 130 interrupted by Ctrl-C -- each with one line on stderr.

``run NETWORK`` builds one of the registered network builders with ``--param
name=value`` overrides (values read by :func:`quifer_brian.units.parse_value`, never
evaluated), runs it and writes ``result.npz`` and ``summary.json``; ``analyze RESULT``
measures a saved result (rates, CV, LFP peaks, spike-LFP locking, theta-gamma coupling)
and draws ``spectrum.png`` and ``raster.png`` (``--format svg`` or ``pdf`` for vector
graphics, ``--dpi`` for png; 150 by default; no matplotlib backend is chosen: the
figures are drawn on bare ``Figure`` objects); ``list`` shows the networks and models
with their parameters, units and defaults.
"""

import contextlib
import os
import sys
from typing import TYPE_CHECKING

from ..errors import QuiferError
from ..progress import quiet
from .fast import fast_command

if TYPE_CHECKING:
    import argparse

__all__ = ["build_parser", "main", "version_text"]


def build_parser() -> "argparse.ArgumentParser":
    """The argument parser of ``quifer-brian`` (one subparser per subcommand).

    Built by :func:`.parser.build_parser` (argparse and Brian2 are imported then, not
    when this module is: the fast path of ``run`` never needs them).
    """
    from .parser import build_parser as build

    return build()


def version_text() -> str:
    """``quifer-brian X`` and the versions of the numerical packages its numbers depend on."""
    from .parser import version_text as text

    return text()


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (see the module docstring).

    ``--quiet`` turns every progress bar and report off for this call
    (:func:`quifer_brian.progress.quiet`).
    """
    if argv is None:  # the process's own command line: the console script, python -m
        _spare_the_last_collection()
        argv = sys.argv[1:]
    argv = list(argv)
    fast = fast_command(argv)  # a cached `run`: no Brian2, no full parser
    if fast is not None:
        return _guarded("quifer-brian run", fast.quiet, fast.traceback, fast)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help, --version and bad usage
        return exit_.code if isinstance(exit_.code, int) else 2
    if args.command is None:
        parser.print_help()
        return 2
    return _guarded(
        f"quifer-brian {args.command}", args.quiet, args.traceback, lambda: args.func(args)
    )


def _spare_the_last_collection():
    """Let the process end without the garbage collector's last passes over every object.

    At exit the interpreter runs full collections while it tears the modules down; with
    scipy, specparam and matplotlib loaded (a run's summary) that is 0.15-0.2 s, about a
    tenth of a cached ``quifer-brian run``.  :func:`gc.freeze`, registered here as an
    exit handler, moves every object to the generation the collector never scans: each is
    still freed by its reference count as its module is cleared, files are closed and
    the standard streams flushed as before, and every other exit handler still runs; only
    reference cycles alive at exit are left to the operating system (Python never
    promised their ``__del__`` at exit).  Only for the command's own process (``main()``
    reading ``sys.argv``), never for a caller of ``main(argv)``.
    """
    import atexit
    import gc

    atexit.register(gc.freeze)


def _guarded(label, quiet_, traceback, command):
    """Run ``command()`` with the exit statuses and one-line messages of the module doc."""
    try:
        with quiet() if quiet_ else contextlib.nullcontext():
            return command()
    except BrokenPipeError:  # output piped into head & co.
        sys.stdout = open(os.devnull, "w")  # silence the failing flush at exit
        return 0
    except KeyboardInterrupt:
        _say(f"{label}: interrupted (Ctrl-C); nothing more was written")
        return 130
    except (QuiferError, OSError) as err:
        _say(f"{label}: {_one_line(err)}")
        return 2
    except Exception as err:
        if traceback:
            raise
        _say(
            f"{label}: unexpected error (a bug: please report it with the command and the "
            f"output of --traceback): {type(err).__name__}: {_one_line(err)}"
        )
        return 1


def _one_line(err):
    return " ".join(line.strip() for line in str(err).splitlines() if line.strip())


def _say(line):
    print(line, file=sys.stderr, flush=True)
