"""A ping() sweep: compile once (``quifer_brian.sweeps``) against a compile per point.

Run: ``python benchmarks/bench_sweep.py [--n-e 800] [--n-i 200] [--duration 1]
[--tau-gaba 5 10 15 20] [--drive-e 350 400 450 500] [--parallel-repeats 3]
[--skip-plain]`` (``--quick``: 80 + 20 neurons, 0.2 s, a 2 x 1 grid, for a smoke run).

The grid is every (tau_gaba, drive_e) pair, seed 1 at every point, all in this process:

(a) ``sweep('ping', grid, duration, client='sync', cache_dir=<fresh>, out=<fresh>)``
    -- one code generation and compile, then each point reruns the compiled program
    with its values -- against the plain loop a user writes without the cache:
    ``ping(**point).run(duration, backend='cpp_standalone', seed=1)`` per point, each a
    fresh project that is generated and compiled (``--skip-plain`` leaves it out: it
    takes a compile per point).  Both measure the same metrics (rates, gamma); the
    script checks that they agree point by point (same seed, same program: the gamma
    frequencies must be identical).
(b) With the build cached (the same cache folder), the sweep on a local Dask cluster of
    ``n_workers=2`` against ``n_workers=1`` (``client=None``; a fresh ``out`` each time,
    so every point runs; cluster start-up included), alternating,
    ``--parallel-repeats`` times each after one uncounted warm-up sweep, medians.  Each
    line also gives the points' own wall times (median and sum).
"""

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

from brian2 import ms, pA, second

from quifer_brian.analysis import measure
from quifer_brian.backends import BuildCache
from quifer_brian.networks import ping
from quifer_brian.sweeps import sweep, sweep_points

METRICS = ("rates", "gamma")
COLUMNS = ("rate_E_hz", "rate_I_hz", "gamma_hz")


def plain_loop(points, fixed, duration, seed):
    """The sweep without the cache: one generated and compiled project per point."""
    rows = []
    for point in points:
        result = ping(**fixed, **point).run(duration, backend="cpp_standalone", seed=seed)
        rows.append(measure(result, METRICS))
        print(f"    plain {_show(point)}: gamma {rows[-1]['gamma_hz']:.1f} Hz", flush=True)
    return rows


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def run_sweep(grid, fixed, duration, seed, cache_dir, scratch, label, **options):
    out = tempfile.mkdtemp(prefix=f"{label}_", dir=scratch)
    wall, frame = timed(
        sweep,
        "ping",
        grid,
        duration,
        metrics=METRICS,
        cache_dir=cache_dir,
        out=out,
        seed=seed,
        params=fixed,
        progress=False,
        **options,
    )
    if frame.attrs["failed"]:
        sys.exit(f"{label}: {frame.attrs['failed']} points failed:\n{frame['error']}")
    return wall, frame


def programs_at_once(cache_dir, frame, fixed, points, seed, n_at_once):
    """Wall time of running the cached program once per point, ``n_at_once`` at a time."""
    program = BuildCache(cache_dir).lookup(frame["build"].iloc[0])
    values = [ping(**fixed, **point).run_values() for point in points]
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=n_at_once) as pool:  # each run is a process
        list(pool.map(lambda v: program.run(v, seed=seed, check=False), values))
    return round(time.perf_counter() - start, 2)


def _show(point):
    return ", ".join(f"{k}={v}" for k, v in point.items())


def compare(reference, other):
    """Largest absolute difference per column between two lists of metric rows."""
    return {
        column: max(abs(a[column] - b[column]) for a, b in zip(reference, other, strict=True))
        for column in COLUMNS
    }


def rows_of(frame):
    return [{column: float(row[column]) for column in COLUMNS} for _, row in frame.iterrows()]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-e", type=int, default=800)
    parser.add_argument("--n-i", type=int, default=200)
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--tau-gaba", type=float, nargs="+", default=[5, 10, 15, 20], help="ms")
    parser.add_argument("--drive-e", type=float, nargs="+", default=[350, 400, 450, 500], help="pA")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--parallel-repeats", type=int, default=3)
    parser.add_argument(
        "--skip-plain", action="store_true", help="leave out the plain loop of (a) (slow)"
    )
    parser.add_argument("--quick", action="store_true", help="80 + 20 neurons, 0.2 s, 2 points")
    args = parser.parse_args(argv)
    if args.quick:
        args.n_e, args.n_i, args.duration = 80, 20, 0.2
        args.tau_gaba, args.drive_e, args.parallel_repeats = [5, 10], [400], 1

    duration = args.duration * second
    fixed = {"n_e": args.n_e, "n_i": args.n_i}
    grid = {
        "tau_gaba": [value * ms for value in args.tau_gaba],
        "drive_e": [value * pA for value in args.drive_e],
    }
    points = sweep_points(grid)
    n_points = len(points)
    print(
        f"ping {args.n_e} E + {args.n_i} I, {args.duration:g} s, {n_points} points "
        f"(tau_gaba {args.tau_gaba} ms x drive_e {args.drive_e} pA), seed {args.seed}; "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    scratch = tempfile.mkdtemp(prefix="bench_sweep_")
    cache_dir = os.path.join(scratch, "cache")
    timings, loads = {}, {}
    try:
        # (a) compile once vs compile per point
        print("  (a) sweep, client='sync', fresh cache ...", flush=True)
        timings["sync"], frame_sync = run_sweep(
            grid, fixed, duration, args.seed, cache_dir, scratch, "sync", client="sync"
        )
        loads["sync"] = os.getloadavg()[0]
        builds = frame_sync.attrs["builds"]
        print(f"    {timings['sync']:.1f} s, {builds} build(s)", flush=True)
        plain = None
        if not args.skip_plain:
            print("  (a) plain loop, a compile per point ...", flush=True)
            timings["plain"], plain = timed(plain_loop, points, fixed, duration, args.seed)
            loads["plain"] = os.getloadavg()[0]
            print(f"    {timings['plain']:.1f} s", flush=True)

        # (b) parallel, with the build cached; the first cluster start (imports, first
        # reads of the program) is a warm-up and not counted
        parallel = {1: [], 2: []}
        frames = {}
        runs = [(0, 2)] + [(r + 1, n) for r in range(args.parallel_repeats) for n in (1, 2)]
        for repeat, n_workers in runs:
            wall, frame = run_sweep(
                grid,
                fixed,
                duration,
                args.seed,
                cache_dir,
                scratch,
                f"workers{n_workers}",
                client=None,
                n_workers=n_workers,
            )
            if frame.attrs["builds"]:
                sys.exit("the parallel sweep compiled again: the cache was not used")
            recompiled = set(frame["build"]) - set(frame_sync["build"])
            if recompiled:  # a worker missed the cache (workers' builds are not counted)
                print(
                    f"  WARNING: the workers compiled {len(recompiled)} new program(s): the "
                    f"cache key includes the package source; was it edited during the run?",
                    flush=True,
                )
            if repeat:
                parallel[n_workers].append(wall)
                frames[n_workers] = frame
            print(
                f"  (b) {repeat or 'warm-up'} n_workers={n_workers}: {wall:.1f} s "
                f"(points: median {statistics.median(frame['wall_s']):.2f} s, "
                f"sum {sum(frame['wall_s']):.1f} s), load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
        # control: how much parallelism the machine gives now -- the cached program
        # itself, every point, 1 or 2 at a time, without Dask or metrics
        control = {1: [], 2: []}
        for _ in range(args.parallel_repeats):
            for n_at_once in (1, 2):
                control[n_at_once].append(
                    programs_at_once(cache_dir, frame_sync, fixed, points, args.seed, n_at_once)
                )
        print(
            "  control, the program alone, 1 / 2 at a time: "
            + " / ".join(f"{control[n]}" for n in (1, 2)),
            flush=True,
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    reference = rows_of(frame_sync)
    differences = {
        "2 workers": compare(reference, rows_of(frames[2])),
        "1 worker": compare(reference, rows_of(frames[1])),
    }
    if plain is not None:
        differences["plain"] = compare(reference, plain)
    one, two = statistics.median(parallel[1]), statistics.median(parallel[2])
    print("\n| what | time (s) | ratio | load |")
    print("|---|---|---|---|")
    if plain is not None:
        print(
            f"| (a) plain loop, {n_points} compiles | {timings['plain']:.1f} | 1 | "
            f"{loads['plain']:.2f} |"
        )
        speed_up = f"speed-up **{timings['plain'] / timings['sync']:.1f}x**"
    else:
        speed_up = "-"
    print(
        f"| (a) sweep, sync, {builds} compile + {n_points} reruns | {timings['sync']:.1f} | "
        f"{speed_up} | {loads['sync']:.2f} |"
    )
    print(f"| (b) sweep, cached, 1 worker (median of {len(parallel[1])}) | {one:.1f} | 1 | - |")
    print(
        f"| (b) sweep, cached, 2 workers (median of {len(parallel[2])}) | {two:.1f} | "
        f"speed-up **{one / two:.2f}x** | - |"
    )
    c1, c2 = statistics.median(control[1]), statistics.median(control[2])
    alone = f"| (b) control: the compiled program alone, {n_points} runs"
    print(f"{alone}, 1 at a time | {c1:.1f} | 1 | - |")
    print(f"{alone}, 2 at a time | {c2:.1f} | speed-up **{c1 / c2:.2f}x** | - |")
    print("\nLargest |difference| against the sync sweep, per column:")
    for label, difference in differences.items():
        print(f"  {label}: " + ", ".join(f"{k} {v:.3g}" for k, v in difference.items()))
    print("\ngamma (Hz) by point, sync sweep / plain loop:")
    for index, (point, row) in enumerate(zip(points, reference, strict=True)):
        base = f"{plain[index]['gamma_hz']:6.1f}" if plain is not None else "-"
        print(
            f"  tau_gaba {float(point['tau_gaba'] / ms):4.0f} ms, drive_e "
            f"{float(point['drive_e'] / pA):4.0f} pA: {row['gamma_hz']:6.1f} / {base}"
        )
    same = all(value == 0 for difference in differences.values() for value in difference.values())
    print(f"metrics {'identical' if same else 'DIFFER'} across the ways run")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
