"""``quifer-brian run`` of a cached structure without Brian2 in the process.

:func:`fast_command` reads the command line by hand -- only the plainest spelling of a
``run`` (the global ``--quiet``/``--traceback`` before ``run``, then the network and
``run``'s options written out in full, as ``--name value`` or ``--name=value``) -- and
asks :func:`quifer_brian.rerun.fast_plan` for the cached program.  On a hit the command
runs here with numpy alone; on anything else -- another subcommand, ``--help``, an
abbreviated or unknown option, a value that starts with ``-``, a usage error, a
backend other than cpp_standalone, ``--no-cache``, a miss -- it returns None and
:func:`.main.main` takes the full path (argparse, Brian2), which reads the command line
again and gives every message and error as before.  A command line read here is read
the same by the full parser (tested against it), so the fast path never runs something
the full one would have refused or read otherwise.
"""

import os
import time
import types
from typing import Any

from ..errors import RunInterrupted
from ..progress import is_quiet
from ..rerun import fast_plan, run_plan
from .args import MAX_SEED
from .outputs import prepare_out
from .report import SUMMARY_IMPORTS, report_run, save_interrupted

__all__ = ["FastCommand", "fast_command", "read_run_argv"]

#: ``run``'s options that take a value, and their defaults (those of the full parser).
_VALUED = {
    "--param": None,
    "--duration": "1s",
    "--backend": None,
    "--seed": "1",
    "--out": None,
    "--cache-dir": None,
}
_GLOBAL_FLAGS = ("--quiet", "--traceback")


def read_run_argv(argv: list[str]) -> dict[str, Any] | None:
    """The options of a plainly written ``run`` command line, or None for anything else.

    Returns
    -------
    dict or None
        ``quiet``, ``traceback``, ``no_cache`` (bool), ``network``, ``duration``,
        ``backend``, ``out``, ``cache_dir`` (str or None), ``param`` (list of str, in
        order) and ``seed`` (int) -- as the full parser reads them.
    """
    read: dict[str, Any] = {"quiet": False, "traceback": False, "no_cache": False}
    k = 0
    while k < len(argv) and argv[k] in _GLOBAL_FLAGS:
        read[argv[k][2:]] = True
        k += 1
    if k == len(argv) or argv[k] != "run":
        return None
    read.update({name[2:].replace("-", "_"): value for name, value in _VALUED.items()})
    read.update(param=[], network=None)
    k += 1
    while k < len(argv):
        word = argv[k]
        k += 1
        if not word.startswith("-"):
            if read["network"] is not None:
                return None  # a second positional: a usage error
            read["network"] = word
            continue
        if word == "--no-cache":
            read["no_cache"] = True
            continue
        name, equals, value = word.partition("=")
        if name not in _VALUED:
            return None  # -h, --help, abbreviations, --, unknown options
        if not equals:
            if k == len(argv) or argv[k].startswith("-"):
                return None  # a missing value, or one argparse reads by its own rules
            value = argv[k]
            k += 1
        field = name[2:].replace("-", "_")
        if field == "param":
            read["param"].append(value)
        else:
            read[field] = value
    if read["network"] is None:
        return None
    try:
        read["seed"] = int(read["seed"], 10)  # as cli.args.parse_seed reads it
    except ValueError:
        return None
    return read if 0 <= read["seed"] <= MAX_SEED else None


class FastCommand:
    """A ``run`` resolved to a cached program: call it for the exit status.

    Parameters
    ----------
    args : namespace
        ``network``, ``seed``, ``out``, ``quiet`` and ``traceback`` of the command line.
    plan : FastPlan
        The cached program and its run values (:func:`quifer_brian.rerun.fast_plan`).
    start : float
        ``time.perf_counter()`` at the command's start.

    Attributes
    ----------
    quiet, traceback : bool
        The global options.
    """

    def __init__(self, args: Any, plan: Any, start: float) -> None:
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
            result = run_plan(
                plan, seed=args.seed, progress=not is_quiet(), imports=SUMMARY_IMPORTS
            )
        except RunInterrupted as interrupt:
            return save_interrupted(interrupt.result, out, plan.params_json)
        return report_run(result, plan.params_json, out, self.start)


def fast_command(argv: list[str]) -> "FastCommand | None":
    """The fast ``run`` of ``argv``, or None when the full command line must handle it."""
    start = time.perf_counter()
    if "run" not in argv:
        return None
    read = read_run_argv(argv)
    if read is None or read["no_cache"]:
        return None
    texts: dict[str, str] = {}
    for assignment in read["param"]:
        name, equals, text = assignment.partition("=")
        if not equals or not name.strip():
            return None
        if name.strip() in texts:  # refused by the slow path, with its message
            return None
        texts[name.strip()] = text.strip()
    if read["cache_dir"] is not None and not os.path.isdir(read["cache_dir"]):
        return None
    plan = fast_plan(read["network"], texts, read["duration"], read["backend"], read["cache_dir"])
    return None if plan is None else FastCommand(types.SimpleNamespace(**read), plan, start)
