"""The full parser of ``quifer-brian``: every subcommand, its options and help texts.

Its choices come from the registries (builders, backends, metrics), so building it
imports Brian2; :func:`.main.main` builds it only when the fast path of ``run``
(:mod:`.fast`, which reads its own small command line without argparse) declines.
"""

import argparse
import os
import re

from .._version import __version__
from ..errors import did_you_mean
from ..results import package_versions
from .args import bounded_int, finite_float, parse_seed

__all__ = ["build_parser", "version_text"]


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
    backend_choice = {
        "choices": list_backends(),
        "default": None,
        "help": "default: cpp_standalone if it works",
    }
    devices = commands.add_parser("devices", help="what each backend can do on this machine")
    devices.set_defaults(func=cmd.cmd_devices)
    demo = commands.add_parser(
        "demo", help="the flagship: emergent theta-nested gamma, analysed, with figures"
    )
    demo.add_argument("--out", default="quifer-out", help="output folder (default: %(default)s)")
    demo.add_argument("--backend", **backend_choice)
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
    run.add_argument("--backend", **backend_choice)
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
