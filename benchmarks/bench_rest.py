"""The rest of a second ``quifer-brian run``: what comes after the compiled program.

Run: ``python benchmarks/bench_rest.py [--against ROOT] [--repeats 5] [--n-e 4000]
[--n-i 1000] [--synapse current] [--split 3]`` (``--quick``: 400 + 100 neurons).

A second run of PING (``quifer-brian run ping --param n_e=4000 --param n_i=1000 --param
drive_e=450.0pA --param synapse=current --duration 1.0s --backend cpp_standalone --seed 1
--cache-dir C --out O``, the cache ``C`` warmed by the same command at 400 pA) spends,
besides its start-up and its compiled program, a *rest*: reading the results back, the
LFP proxy and the run's checks, the summary with its spectral fit (``lfp_peaks``),
writing ``result.npz`` and ``summary.json`` -- and waiting for the thread that imports
the analysis package while the program runs.  This script measures it:

- Whole processes of this checkout (``ours``) and of ``--against ROOT`` (another
  checkout, e.g. main's, each with its own scratch cache and bytecode folder), in a
  shuffled order per round, ``--repeats`` rounds; per process: the wall time, the
  program (``wall_time_s`` in ``result.npz``), the rest as ``bench_nest.py`` counts it
  (``total_wall_s`` of ``summary.json`` less the program) and the start-up and exit
  (the process less ``total_wall_s``).  Medians.
- Every timed run's ``result.npz`` arrays and metadata, and ``summary.json``, are
  compared with the first run of ``ours``, bit for bit, all but the wall times
  (``wall_time_s``, ``run_wall_s``, ``simulation_wall_s``, ``total_wall_s``) and the
  build's key (``build_key``: it holds the digest of the package's sources, so it
  differs between checkouts): a change that saves time but changes a number fails here.
- ``--split N``: N more processes of each side run the command in-process with marks
  (``--worker``): before the program, the program, reading its files, waiting for the
  imports the rest needs (the analysis package; specparam, which the spectral fit
  imports), the result's assembly (LFP, checks), the summary, the two writes.

Bytecode is cached for both sides (``PYTHONPYCACHEPREFIX`` in the scratch folder, written
by the untimed runs).  The machine is shared: ``uptime`` is printed before and after.
"""

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
#: Fields that differ from run to run (wall times) or from checkout to checkout (the
#: build cache's key holds the digest of the package's sources); all else must be equal.
WALL_FIELDS = ("wall_time_s", "run_wall_s", "simulation_wall_s", "total_wall_s", "build_key")
SPLIT = (
    "before_program",
    "program",
    "read",
    "import_wait",
    "assemble",
    "summary",
    "save_npz",
    "save_json",
    "other",
)


def command(n_e, n_i, drive_pa, synapse, cache, out):
    """The CLI's argument list of one run."""
    argv = ["run", "ping", "--param", f"n_e={n_e}", "--param", f"n_i={n_i}"]
    argv += ["--param", f"drive_e={drive_pa}pA", "--param", f"synapse={synapse}"]
    argv += ["--duration", "1.0s", "--backend", "cpp_standalone", "--seed", "1"]
    return [*argv, "--cache-dir", cache, "--out", out]


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# ------------------------------------------------------------------- the split, in-process
def worker(argv):
    """Run the CLI on ``argv`` with marks around its phases; print them as JSON."""
    import functools

    start = time.perf_counter()
    from quifer_brian.backends import compiled
    from quifer_brian.cli import main as cli_main
    from quifer_brian.cli import report
    from quifer_brian.results import result as result_module

    marks = {}

    def timed(owner, name, label, after=None):
        function = getattr(owner, name)

        @functools.wraps(function)
        def wrapped(*args, **kwargs):
            begin = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                marks[label] = (begin, time.perf_counter())
                if after is not None:
                    after()

        setattr(owner, name, wrapped)

    def wait_for_imports():  # right after the read: what the thread has not finished yet
        begin = time.perf_counter()
        import specparam  # noqa: F401  # the spectral fit's first call imports it

        import quifer_brian.analysis as analysis

        marks["import_wait"] = (begin, time.perf_counter())
        timed(analysis, "summarise_run", "summary")

    program = compiled.CompiledProgram
    timed(program, "_execute", "program")
    timed(program, "_read", "read", after=wait_for_imports)
    timed(program, "run", "run")
    timed(result_module, "write_record", "save_npz")
    timed(report, "write_json", "save_json")
    main = sys.modules["quifer_brian.cli.main"].main
    begin = time.perf_counter()
    status = main(argv)
    end = time.perf_counter()
    if status != 0:
        sys.exit(status)
    span = {key: b - a for key, (a, b) in marks.items()}
    phases = {
        "before_program": marks["program"][0] - begin,
        "program": span["program"],
        "read": span["read"],
        "import_wait": span["import_wait"],
        "assemble": marks["run"][1] - marks["import_wait"][1],
        "summary": span["summary"],
        "save_npz": span["save_npz"],
        "save_json": span["save_json"],
    }
    phases["other"] = (end - begin) - sum(phases.values())
    phases["main"] = end - begin
    phases["imports"] = begin - start
    print(json.dumps(phases))
    assert cli_main is not None


# ------------------------------------------------------------------- whole processes
def read_outputs(out):
    """``(arrays, metadata, summary)`` of a run's folder, wall times left out."""
    import numpy as np

    with np.load(os.path.join(out, "result.npz"), allow_pickle=False) as archive:
        arrays = {name: archive[name] for name in archive.files if name != "metadata"}
        metadata = json.loads(archive["metadata"].tobytes().decode())
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as stream:
        summary = json.load(stream)
    walls = {"meta": metadata["meta"], "summary": summary}
    times = {
        name: walls[where].pop(name)
        for where in walls
        for name in WALL_FIELDS
        if name in walls[where]
    }
    return arrays, metadata, summary, times


def same_outputs(reference, other):
    """The fields in which two runs' outputs differ (empty: bit for bit the same)."""
    import numpy as np

    differ = []
    arrays, metadata, summary = reference[:3]
    if set(arrays) != set(other[0]):
        differ.append(f"arrays {sorted(set(arrays) ^ set(other[0]))}")
    for name in set(arrays) & set(other[0]):
        a, b = arrays[name], other[0][name]
        if a.dtype != b.dtype or a.shape != b.shape or a.tobytes() != b.tobytes():
            differ.append(f"array {name}")
    for section in sorted(set(metadata) | set(other[1])):
        a, b = metadata.get(section), other[1].get(section)
        if isinstance(a, dict) and isinstance(b, dict):
            keys = sorted(k for k in set(a) | set(b) if a.get(k, a) != b.get(k, b))
            differ.extend(f"metadata {section}.{k}: {a.get(k)!r} != {b.get(k)!r}" for k in keys)
        elif a != b:
            differ.append(f"metadata {section}: {a!r} != {b!r}")
    if json.dumps(summary, sort_keys=True) != json.dumps(other[2], sort_keys=True):
        differ.append("summary.json")
    assert np is not None
    return differ


def run_process(argv, env, cwd):
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "quifer_brian.cli", *argv],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"run failed ({done.returncode}):\n{done.stdout[-1500:]}\n{done.stderr[-3000:]}")
    if "no compile" not in done.stdout:
        sys.exit(f"a timed run did not take the fast path:\n{done.stdout[-1500:]}")
    return wall


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--against", default=None, metavar="ROOT", help="another checkout")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--split", type=int, default=3, help="in-process split runs per side")
    parser.add_argument("--n-e", type=int, default=4000)
    parser.add_argument("--n-i", type=int, default=1000)
    parser.add_argument("--synapse", default="current")
    parser.add_argument("--quick", action="store_true", help="400 + 100 neurons")
    parser.add_argument("--worker", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        worker(args.worker)
        return 0
    if args.quick:
        args.n_e, args.n_i = 400, 100
    roots = {"ours": ROOT} if args.against is None else {"ours": ROOT, "against": args.against}
    scratch = tempfile.mkdtemp(prefix="bench_rest_")
    base = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    print(f"uptime: {uptime()}", flush=True)
    try:
        envs, argvs = {}, {}
        for key, root in roots.items():
            envs[key] = {
                **base,
                "PYTHONPATH": os.path.abspath(root),
                "PYTHONPYCACHEPREFIX": os.path.join(scratch, f"pycache-{key}"),
            }
            cache, out = os.path.join(scratch, f"cache-{key}"), os.path.join(scratch, key)
            warm = command(args.n_e, args.n_i, 400.0, args.synapse, cache, out + "-warm")
            begin = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "quifer_brian.cli", "--quiet", *warm],
                env=envs[key],
                cwd=scratch,
                check=True,
                capture_output=True,
            )
            print(f"{key}: warm-up (compile) {time.perf_counter() - begin:.1f} s", flush=True)
            argvs[key] = command(args.n_e, args.n_i, 450.0, args.synapse, cache, out)
            run_process(argvs[key], envs[key], scratch)  # untimed: the fast path's bytecode
        reference = read_outputs(os.path.join(scratch, "ours"))
        records = {key: [] for key in roots}
        order = random.Random(17)
        for _ in range(args.repeats):
            keys = list(roots)
            order.shuffle(keys)
            for key in keys:
                wall = run_process(argvs[key], envs[key], scratch)
                outputs = read_outputs(argvs[key][-1])
                differ = same_outputs(reference, outputs)
                if differ:
                    sys.exit(f"{key}: the outputs differ from ours in {', '.join(differ)}")
                total, program = outputs[3]["total_wall_s"], outputs[3]["wall_time_s"]
                records[key].append(
                    {
                        "process": wall,
                        "program": program,
                        "rest": total - program,
                        "startup_exit": wall - total,
                        "load": os.getloadavg()[0],
                    }
                )
        print(f"uptime: {uptime()}")
        print(f"\nWhole processes, medians of {args.repeats} interleaved (s); outputs identical")
        print("| side | process | program | rest (total_wall_s - program) | start-up + exit |")
        print("|---|---|---|---|---|")
        for key in roots:
            rows = records[key]
            cells = [statistics.median(r[field] for r in rows) for field in rows[0]]
            print(f"| {key} ({roots[key]}) | " + " | ".join(f"{c:.3f}" for c in cells[:4]) + " |")
            print(f"  {key} all processes: " + ", ".join(f"{r['process']:.2f}" for r in rows))
        if args.split:
            splits = {key: [] for key in roots}
            for _ in range(args.split):
                keys = list(roots)
                order.shuffle(keys)
                for key in keys:
                    done = subprocess.run(
                        [sys.executable, os.path.abspath(__file__), "--worker", *argvs[key]],
                        env=envs[key],
                        cwd=scratch,
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    splits[key].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"\nIn-process split, medians of {args.split} (s); uptime: {uptime()}")
            print("| phase | " + " | ".join(roots) + " |")
            print("|---|" + "---|" * len(roots))
            for phase in (*SPLIT, "main"):
                cells = [statistics.median(s[phase] for s in splits[key]) for key in roots]
                print(f"| {phase} | " + " | ".join(f"{c:.3f}" for c in cells) + " |")
            for key in roots:
                shown = ", ".join(f"{s['program']:.2f}+{s['import_wait']:.2f}" for s in splits[key])
                print(f"  {key} program + import_wait, each: {shown}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
