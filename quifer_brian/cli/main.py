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

import argparse
import contextlib
import os
import re
import sys

from .._version import __version__
from ..errors import QuiferError, did_you_mean
from ..progress import quiet
from ..results import package_versions
from .args import bounded_int, finite_float, parse_seed
from .fast import fast_command

__all__ = ["build_parser", "main", "version_text"]


class _Parser(argparse.ArgumentParser):
    """argparse whose usage errors are one line on stderr (exit status 2)."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {_suggest(message)} (see '{self.prog} --help')\n")


_INVALID_CHOICE = re.compile(r"invalid choice: '(?P<value>[^']*)' \(choose from (?P<options>.*)\)")


def _suggest(message):
    """argparse's "invalid choice" message with a "did you mean" added (subcommands,
    backends, metrics: every ``choices=``)."""
    match = _INVALID_CHOICE.search(message)
    if match is None:
        return message
    options = [o.strip().strip("'") for o in match["options"].split(",")]
    hint = did_you_mean(match["value"], options).rstrip()
    return f"{message}; {hint[0].lower()}{hint[1:]}" if hint else message


_MAX_SURROGATES = 100_000


def version_text() -> str:
    """``quifer-brian X`` and the versions of the numerical packages its numbers depend on
    (the ones every result records in ``meta['versions']``)."""
    versions = package_versions()
    others = ", ".join(
        f"{name} {version}" for name, version in versions.items() if name != "quifer_brian"
    )
    return f"quifer-brian {__version__} ({others})"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``quifer-brian`` (one subparser per subcommand).

    Its choices and help texts come from the registries (builders, backends, metrics),
    so it imports Brian2; the fast path of ``run`` (:mod:`.fast`) never builds it.
    """
    from ..analysis import STANDARD_METRICS
    from ..backends import list_backends
    from ..networks import list_networks
    from . import commands as cmd

    parser = _Parser(
        prog="quifer-brian",
        description="Equation-driven spiking networks on Brian2.",
    )
    parser.add_argument("--version", action="version", version=version_text())
    parser.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bars or reports (results and errors are still printed)",
    )
    parser.add_argument(
        "--traceback",
        action="store_true",
        help="show the whole traceback of an unexpected error (for a bug report)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    devices = commands.add_parser("devices", help="what each backend can do on this machine")
    devices.set_defaults(func=cmd.cmd_devices)
    demo = commands.add_parser(
        "demo", help="the flagship: emergent theta-nested gamma, analysed, with figures"
    )
    demo.add_argument("--out", default="quifer-out", help="output folder (default: %(default)s)")
    demo.add_argument(
        "--backend",
        choices=list_backends(),
        default=None,
        help="default: cpp_standalone if it works",
    )
    demo.add_argument("--duration", type=finite_float, default=8.0, help="simulated seconds (8)")
    demo.add_argument("--seed", type=parse_seed, default=1, help="in [0, 2**32 - 1]")
    _figure_options(demo)
    demo.set_defaults(func=cmd.cmd_demo)
    fi_curve = commands.add_parser(
        "fi-curve", help="LIF f-I curve on every backend that runs here, against theory"
    )
    fi_curve.add_argument("--quick", action="store_true", help="shorter runs")
    fi_curve.set_defaults(func=cmd.cmd_fi_curve)
    run = commands.add_parser("run", help="run a network and save its result and a summary")
    run.add_argument("network", metavar="NETWORK", help=f"one of: {', '.join(list_networks())}")
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="builder parameter, e.g. tau_gaba=5ms, w_ie=0.5*nS, gaba=false, "
        "frequencies=6,12,40 (repeatable; see 'quifer-brian list NETWORK')",
    )
    run.add_argument("--duration", default="1s", help="simulated time (default: %(default)s)")
    run.add_argument(
        "--backend",
        choices=list_backends(),
        default=None,
        help="default: cpp_standalone if it works",
    )
    run.add_argument(
        "--seed", type=parse_seed, default=1, help="in [0, 2**32 - 1] (default: %(default)s)"
    )
    run.add_argument("--out", default=None, help="output folder (default: quifer-out/NETWORK)")
    run.add_argument(
        "--no-cache", action="store_true", help="cpp_standalone: compile afresh, keep nothing"
    )
    run.add_argument("--cache-dir", default=None, help="build cache folder (default: ~/.cache)")
    run.set_defaults(func=cmd.cmd_run)
    sweep = commands.add_parser(
        "sweep", help="run a network over a parameter grid (compiled once; on Dask)"
    )
    sweep.add_argument("network", metavar="NETWORK", help=f"one of: {', '.join(list_networks())}")
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="values of one parameter (repeatable: every combination is run)",
    )
    sweep.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="fixed parameter"
    )
    sweep.add_argument("--duration", default="1s", help="per point (default: %(default)s)")
    sweep.add_argument(
        "--backend",
        choices=("cpp_standalone", "numpy", "cython"),
        default="cpp_standalone",
        help="default: %(default)s (one compile per structure)",
    )
    sweep.add_argument(
        "--seed", type=parse_seed, default=1, help="in [0, 2**32 - 1] (default: %(default)s)"
    )
    sweep.add_argument(
        "--metric",
        action="append",
        default=[],
        choices=tuple(STANDARD_METRICS),
        help="what to measure (repeatable; default: rates and gamma)",
    )
    sweep.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="an existing Dask scheduler"
    )
    sweep.add_argument(
        "--workers",
        type=bounded_int(1, 4 * (os.cpu_count() or 1)),
        default=None,
        help="local cluster size (at most 4 per core)",
    )
    sweep.add_argument(
        "--serial", action="store_true", help="no Dask: one point after the other, here"
    )
    sweep.add_argument("--cache-dir", default=None, help="build cache folder")
    sweep.add_argument(
        "--out", default=None, help="points and table (default: quifer-out/sweep-NETWORK)"
    )
    sweep.set_defaults(func=cmd.cmd_sweep)
    cache = commands.add_parser("cache", help="the compiled-program cache: info or clear")
    cache.add_argument("action", choices=("info", "clear"))
    cache.add_argument("--cache-dir", default=None, help="default: ~/.cache/quifer_brian/builds")
    cache.set_defaults(func=cmd.cmd_cache)
    analyze = commands.add_parser(
        "analyze", help="rates, CV, LFP peaks, spike locking and coupling of a saved result"
    )
    analyze.add_argument("result", metavar="RESULT", help="a result.npz")
    analyze.add_argument("--out", default=None, help="figure folder (default: the result's)")
    analyze.add_argument(
        "--surrogates",
        type=bounded_int(1, _MAX_SURROGATES),
        default=200,
        help="for the MI p-value (default: %(default)s)",
    )
    analyze.add_argument("--seed", type=parse_seed, default=0, help="of the surrogates")
    _figure_options(analyze)
    analyze.set_defaults(func=cmd.cmd_analyze)
    list_ = commands.add_parser(
        "list", help="networks and models with their parameters, units and defaults"
    )
    list_.add_argument("name", nargs="?", default=None, help="one network or model only")
    list_.set_defaults(func=cmd.cmd_list)
    return parser


def _figure_options(command):
    from ..plotting import FIGURE_DPI, FIGURE_FORMATS

    """``--format`` and ``--dpi`` of a subcommand that writes figures."""
    command.add_argument(
        "--format",
        choices=FIGURE_FORMATS,
        default="png",
        help="figure format (default: %(default)s; svg and pdf are vector graphics)",
    )
    command.add_argument(
        "--dpi",
        type=bounded_int(30, 1200),
        default=FIGURE_DPI,
        help="dots per inch of png figures (default: %(default)s)",
    )


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (see the module docstring).

    ``--quiet`` turns every progress bar and report off for this call
    (:func:`quifer_brian.progress.quiet`).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
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
