"""``quifer-brian run`` of a cached structure without Brian2 in the process.

:func:`fast_command` reads the command line with a parser that has exactly the options
of ``run`` (and the global ones), and asks :func:`quifer_brian.rerun.fast_plan` for the
cached program.  On a hit the command runs here with numpy alone; on anything else --
another subcommand, ``--help``, a usage error, a backend other than cpp_standalone,
``--no-cache``, a miss -- it returns None and :func:`.main.main` takes the full path,
which gives every message and error as before.
"""

import argparse
import os
import time

from ..errors import RunInterrupted
from ..progress import is_quiet
from ..rerun import fast_plan, run_plan
from .args import parse_seed
from .outputs import prepare_out
from .report import report_run, save_interrupted

__all__ = ["FastCommand", "fast_command"]


class _Refused(Exception):
    """The fast parser met something it leaves to the full one."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Refused(message)

    def exit(self, status=0, message=None):
        raise _Refused(message)


def _parser():
    parser = _Parser(prog="quifer-brian", add_help=False, exit_on_error=False)
    parser.add_argument("--version", action="store_true")
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--traceback", action="store_true")
    commands = parser.add_subparsers(dest="command", parser_class=_Parser)
    run = commands.add_parser("run", add_help=False, exit_on_error=False)
    run.add_argument("-h", "--help", action="store_true")
    run.add_argument("network")
    run.add_argument("--param", action="append", default=[])
    run.add_argument("--duration", default="1s")
    run.add_argument("--backend", default=None)
    run.add_argument("--seed", type=parse_seed, default=1)
    run.add_argument("--out", default=None)
    run.add_argument("--no-cache", action="store_true")
    run.add_argument("--cache-dir", default=None)
    return parser


class FastCommand:
    """A ``run`` resolved to a cached program: call it for the exit status.

    Attributes
    ----------
    quiet, traceback : bool
        The global options.
    """

    def __init__(self, args: argparse.Namespace, plan, start: float) -> None:
        self.args = args
        self.plan = plan
        self.start = start
        self.quiet: bool = args.quiet
        self.traceback: bool = args.traceback

    def __call__(self) -> int:
        args, plan = self.args, self.plan
        out = args.out or os.path.join("quifer-out", args.network)
        prepare_out(out)  # an unwritable folder is found before the simulation
        print(
            f"running {args.network} for {plan.duration_text} on cpp_standalone (seed "
            f"{args.seed}) with the cached build {plan.key}: no compile ...",
            flush=True,
        )
        try:
            result = run_plan(plan, seed=args.seed, progress=not is_quiet())
        except RunInterrupted as interrupt:
            return save_interrupted(interrupt.result, out, plan.params_json)
        return report_run(result, plan.params_json, out, self.start)


def fast_command(argv: list[str]) -> "FastCommand | None":
    """The fast ``run`` of ``argv``, or None when the full command line must handle it."""
    start = time.perf_counter()
    if "run" not in argv:
        return None
    try:
        args = _parser().parse_args(argv)
    except (_Refused, argparse.ArgumentError, SystemExit):
        return None
    if args.command != "run" or args.help or args.version or args.no_cache:
        return None
    texts: dict[str, str] = {}
    for assignment in args.param:
        name, equals, text = assignment.partition("=")
        if not equals or not name.strip():
            return None
        texts.pop(name.strip(), None)
        texts[name.strip()] = text.strip()
    if args.cache_dir is not None and not os.path.isdir(args.cache_dir):
        return None
    plan = fast_plan(args.network, texts, args.duration, args.backend, args.cache_dir)
    return None if plan is None else FastCommand(args, plan, start)
