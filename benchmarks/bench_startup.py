"""A second ``quifer-brian run``: start-up against ``import numpy``, whole process
against NEST 3.10 (issue 17), in one run.

Run: ``python benchmarks/bench_startup.py [--repeats 7] [--nest-repeats 3] [--no-nest]
[--quick] [--source] [--against ROOT]``.

- Start-up: a whole ``python -c`` process that runs ``quifer-brian run`` of a cached
  small PING (``quifer_brian.cli.main``) and is ended, by an audit hook
  (:func:`sys.addaudithook`), at the moment it starts the compiled program (the
  ``subprocess.Popen`` event) -- interpreter, imports, reading the command line, the
  request's context, the cache's record, the program's check, the output folder, the
  results folder, the program's arguments: everything before the program runs.  Against
  a bare ``python -c "import numpy"`` with the same hook, interleaved in a shuffled
  order, medians of ``--repeats`` (``--against ROOT``: another checkout's fast path in
  the same rotation, for a comparison under the same load); wall time and the child's
  CPU time (user + system, less sensitive to the other processes on a shared machine).
  The hook also checks that Brian2 was not imported (the fast path was taken).
  Bytecode: every process reads compiled bytecode as an installed package does
  (``PYTHONPYCACHEPREFIX`` in the scratch folder, written by an untimed first process
  of each kind; ``PYTHONDONTWRITEBYTECODE`` is removed), so the package is not compiled
  from source in each process while numpy is not (``--source``: it is, as with
  ``PYTHONDONTWRITEBYTECODE=1`` and no ``__pycache__`` in its folder).  Also timed:
  importing the analysis package (scipy; the fast path imports it in a thread once the
  program runs, and the summary needs it after), as ``import numpy,
  quifer_brian.analysis`` less ``import numpy``.
- Whole process: ``benchmarks/bench_nest.py`` (a second ``quifer-brian run ping``, 4000
  + 1000, 1 s, against NEST building and simulating the same network), once with
  current-based and once with conductance-based synapses (``--quick``: 400 + 100,
  0.2 s).  Its table splits each process into start-up, the program and the rest.

The ratios are what counts on a shared machine; ``uptime`` is printed with them.
"""

import argparse
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SMALL = ["run", "ping", "--param", "n_e=40", "--param", "n_i=10", "--duration", "200ms"]
#: Ends the process when it starts a program: 0 with Brian2 never imported, else 3.
HOOK = (
    "import os, sys\n"
    "def _at_spawn(event, args):\n"
    "    if event in ('subprocess.Popen', 'os.posix_spawn', 'os.exec', 'os.fork'):\n"
    "        os._exit(0 if 'brian2' not in sys.modules else 3)\n"
    "sys.addaudithook(_at_spawn)\n"
)


def _timed(code, env, cwd):
    """(wall s, CPU s) of a ``python -c code`` process that must exit with status 0."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=cwd, capture_output=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"status {done.returncode}: {done.stderr.decode()[-1500:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def startup(repeats, source=False, against=None):
    """Per probe: the wall and CPU times (s) of each repeat, in a shuffled order.

    ``source``: no bytecode is written or read for the package (``PYTHONDONTWRITEBYTECODE``,
    the package's folder without ``__pycache__``): it is compiled in every process.
    ``against``: another checkout's root, whose fast path is timed too (``"against"``).
    Every process runs in the scratch folder, so that no checkout in the current folder
    is imported instead of the one on ``PYTHONPATH``.
    """
    scratch = tempfile.mkdtemp(prefix="bench_startup_")
    base = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    if source:
        base["PYTHONDONTWRITEBYTECODE"] = "1"
    roots = {"fast": ROOT} if against is None else {"fast": ROOT, "against": against}
    probes = {"numpy": (HOOK + "import numpy\n", None)}
    try:
        for key, root in roots.items():
            env = {**base, "PYTHONPATH": root, "QUIFER_BRIAN_CACHE": os.path.join(scratch, key)}
            if not source:
                env["PYTHONPYCACHEPREFIX"] = os.path.join(scratch, f"pycache-{key}")
            argv = [*SMALL, "--out", os.path.join(scratch, "out")]
            subprocess.run(  # the warm-up: compiles the small PING and writes its record
                [sys.executable, "-m", "quifer_brian.cli", "--quiet", *argv],
                env=env,
                cwd=scratch,
                check=True,
                capture_output=True,
            )
            code = f"from quifer_brian.cli import main\nmain({argv!r})\nos._exit(4)\n"
            probes[key] = (HOOK + code, env)
            if key == "fast":
                probes["numpy"] = (HOOK + "import numpy\n", env)
                probes["analysis"] = ("import numpy, quifer_brian.analysis", env)
        for code, env in probes.values():  # untimed: writes the bytecode of what each imports
            _timed(code, env, scratch)
        times = {key: [] for key in probes}
        order = random.Random(5)
        for _ in range(repeats):
            keys = list(probes)
            order.shuffle(keys)
            for key in keys:
                times[key].append(_timed(*probes[key], scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return times


def _median(times, key, which):
    return statistics.median(t[which] for t in times[key])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--nest-repeats", type=int, default=3, help="of each bench_nest run")
    parser.add_argument("--no-nest", action="store_true", help="start-up only")
    parser.add_argument(
        "--source",
        action="store_true",
        help="the package compiled from source in every process (PYTHONDONTWRITEBYTECODE=1; "
        "its folder must hold no __pycache__)",
    )
    parser.add_argument("--quick", action="store_true", help="bench_nest --quick")
    parser.add_argument(
        "--against",
        default=None,
        metavar="ROOT",
        help="another checkout (e.g. main's) whose fast path is timed too, interleaved",
    )
    args = parser.parse_args(argv)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    times = startup(args.repeats, source=args.source, against=args.against)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    kind = "package compiled from source" if args.source else "bytecode cached"
    print(f"\nStart-up ({kind}), medians of {args.repeats} interleaved processes (s)")
    print("| process | wall, median | wall, all | CPU, median |")
    print("|---|---|---|---|")
    rows = [
        ("numpy", 'python -c "import numpy"'),
        ("fast", "quifer-brian run (cached), to the program's start"),
    ]
    if args.against:
        rows.append(("against", f"the same, {args.against}"))
    for key, label in rows:
        shown = ", ".join(f"{t[0]:.3f}" for t in times[key])
        print(
            f"| {label} | {_median(times, key, 0):.3f} | {shown} | {_median(times, key, 1):.3f} |"
        )
    analysis = _median(times, "analysis", 0) - _median(times, "numpy", 0)
    label = "importing quifer_brian.analysis after numpy (overlaps the program)"
    print(f"| {label} | {analysis:.3f} | - | - |")
    for key, _ in rows[1:]:
        for which, name in ((0, "wall"), (1, "CPU")):
            ratio = _median(times, key, which) / _median(times, "numpy", which)
            print(f"{key}: start-up / bare numpy import, {name} = {ratio:.2f} (target <= 1.2)")
    if args.no_nest:
        return 0
    for synapse in ("current", "conductance"):
        command = [sys.executable, os.path.join(HERE, "bench_nest.py"), "--synapse", synapse]
        command += ["--repeats", str(args.nest_repeats)] + (["--quick"] if args.quick else [])
        print(f"\n$ {' '.join(command[1:])}", flush=True)
        subprocess.run(command, env={**os.environ, "PYTHONPATH": ROOT}, check=True)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
