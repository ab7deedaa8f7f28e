"""A second ``quifer-brian run``: start-up against ``import numpy``, whole process
against NEST 3.10 (issue 17), in one run.

Run: ``python benchmarks/bench_startup.py [--repeats 3] [--no-nest] [--quick]``.

- Start-up: the fast path up to the moment the compiled program would start --
  interpreter, ``from quifer_brian.cli import main``'s imports, reading the command
  line, the request's context, the cache's record, the program's digest -- timed as a
  whole process (``python -c`` calling :func:`quifer_brian.cli.fast.fast_command`)
  against a bare ``python -c "import numpy"``, interleaved, medians of ``--repeats``
  (after a warm-up compile of a small PING into a scratch cache).  Also timed: importing
  the analysis package (scipy; the fast path imports it in a thread while the program
  runs, and the summary needs it after), as ``import numpy, quifer_brian.analysis``
  less ``import numpy``.
- Whole process: ``benchmarks/bench_nest.py`` (a second ``quifer-brian run ping``, 4000
  + 1000, 1 s, against NEST building and simulating the same network), once with
  current-based and once with conductance-based synapses (``--quick``: 400 + 100,
  0.2 s).  Its table splits each process into start-up, the program and the rest.

The ratios are what counts on a shared machine; ``uptime`` is printed with them.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SMALL = ["run", "ping", "--param", "n_e=40", "--param", "n_i=10", "--duration", "200ms"]


def _wall(code, env):
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def startup(repeats):
    """Medians (s): bare numpy import, the fast path's start-up, the analysis import."""
    scratch = tempfile.mkdtemp(prefix="bench_startup_")
    env = {**os.environ, "PYTHONPATH": ROOT, "QUIFER_BRIAN_CACHE": os.path.join(scratch, "c")}
    try:
        argv = [*SMALL, "--out", os.path.join(scratch, "out")]
        subprocess.run(  # the warm-up: compiles the small PING and writes its record
            [sys.executable, "-m", "quifer_brian.cli", "--quiet", *argv],
            env=env,
            check=True,
            capture_output=True,
        )
        probe = (
            "import sys\nfrom quifer_brian.cli import main\nfrom quifer_brian.cli.fast "
            f"import fast_command\nassert fast_command({argv!r}) is not None\n"
            "assert 'brian2' not in sys.modules\n"
        )
        times = {"numpy": [], "fast": [], "analysis": []}
        for _ in range(repeats):
            times["numpy"].append(_wall("import numpy", env))
            times["fast"].append(_wall(probe, env))
            times["analysis"].append(_wall("import numpy, quifer_brian.analysis", env))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    medians = {key: statistics.median(values) for key, values in times.items()}
    medians["analysis"] -= medians["numpy"]
    return medians, times


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-nest", action="store_true", help="start-up only")
    parser.add_argument("--quick", action="store_true", help="bench_nest --quick")
    args = parser.parse_args(argv)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    medians, times = startup(args.repeats)
    print(f"\nStart-up, medians of {args.repeats} interleaved processes (s)")
    print("| process | median | all |")
    print("|---|---|---|")
    for key, label in (
        ("numpy", 'python -c "import numpy"'),
        ("fast", "quifer-brian run (cached): start-up until the program starts"),
    ):
        shown = ", ".join(f"{t:.3f}" for t in times[key])
        print(f"| {label} | {medians[key]:.3f} | {shown} |")
    print(
        f"| importing quifer_brian.analysis after numpy (overlaps the program) | "
        f"{medians['analysis']:.3f} | - |"
    )
    print(
        f"start-up / bare numpy import = {medians['fast'] / medians['numpy']:.2f} (target <= 1.2)"
    )
    if args.no_nest:
        return 0
    for synapse in ("current", "conductance"):
        command = [sys.executable, os.path.join(HERE, "bench_nest.py"), "--synapse", synapse]
        command += ["--repeats", str(args.repeats)] + (["--quick"] if args.quick else [])
        print(f"\n$ {' '.join(command[1:])}", flush=True)
        subprocess.run(command, env={**os.environ, "PYTHONPATH": ROOT}, check=True)
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
