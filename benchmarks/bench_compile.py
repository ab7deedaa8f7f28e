"""Compile speed: cold builds, incremental builds of a new structure, a structural sweep.

Run: ``python benchmarks/bench_compile.py [--n-e 400] [--n-i 100] [--duration 0.2]
[--repeats 2] [--sweep-points 16] [--sweep-param p_ei|n_e] [--skip-sweep]``
(``--quick``: one repeat, a 4-point sweep).  Every build runs in a fresh interpreter
(a worker of this script) with a private cache folder; the times are those of
``BuildCache.get_or_build`` (code generation + compile), the process start is left out.

*Today* is the build cache as it compiled before incremental builds
(``BuildCache(incremental=False)``: Brian2's own build, its ``make.deps``, object files
dropped); *new* is the default (object files reused by content, precompiled header).

(a) Interleaved, ``--repeats`` times: a cold build today, a cold build new, then in the
    new cache the first build of another structure: ``n_e`` x 1.25, then also
    ``p_ei`` 0.2 -> 0.3.  The spikes of the two cold builds (same structure, same seed)
    must be identical.
(b) A sweep over a structural parameter: ``sweep('ping', {'p_ei': [...]})`` with
    ``--sweep-points`` values (``--sweep-param n_e``: ``n_e`` from 0.75 to 1.5 times
    ``--n-e``), every point a new structure (compile each, then run each), today
    against new, each from an empty cache; the tables must agree.
"""

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

WORKER = "--worker"


def worker(cache, incremental, params, duration_s):
    from brian2 import second

    from quifer_brian.backends import BuildCache
    from quifer_brian.networks import ping
    from quifer_brian.progress import set_quiet

    set_quiet()
    cache = BuildCache(cache, incremental=incremental)
    circuit = ping(**params)
    start = time.perf_counter()
    program, built = cache.get_or_build(circuit, duration_s)
    build_s = time.perf_counter() - start
    result = program.run(circuit.run_values(), seed=1)
    digest = hashlib.sha256()
    for name in sorted(result.spikes):
        for array in result.spikes[name]:
            digest.update(array.tobytes())
    print(
        json.dumps(
            {
                "build_s": build_s,
                "built": built,
                "reuse": program.manifest.get("reuse"),
                "spikes": digest.hexdigest()[:16],
                "n_spikes": int(sum(result.spikes[n][0].size for n in result.spikes)),
                "duration_s": float(duration_s * second / second),
            }
        )
    )


def sweep_worker(cache, incremental, points, n_e, n_i, duration_s, out, parameter="p_ei"):
    import numpy as np
    from brian2 import second

    from quifer_brian.sweeps import sweep

    os.environ["QUIFER_BRIAN_INCREMENTAL"] = "1" if incremental else "0"
    if parameter == "n_e":  # a size: 0.75 to 1.5 times n_e
        grid = {"n_e": [int(n) for n in np.linspace(0.75 * n_e, 1.5 * n_e, points).round()]}
    else:
        grid = {"p_ei": [float(p) for p in np.linspace(0.1, 0.4, points)]}
    start = time.perf_counter()
    frame = sweep(
        "ping",
        grid,
        duration_s * second,
        metrics=("rates",),
        client="sync",
        cache_dir=cache,
        out=out,
        seed=1,
        params={"n_i": n_i} if parameter == "n_e" else {"n_e": n_e, "n_i": n_i},
        progress=False,
    )
    wall = time.perf_counter() - start
    rates = [round(float(x), 9) for x in frame["rate_E_hz"]]
    print(json.dumps({"wall_s": wall, "rate_E_hz": rates, "failed": int(frame.attrs["failed"])}))


def _call(*args):
    done = subprocess.run(
        [sys.executable, __file__, WORKER, *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"worker {args} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-e", type=int, default=400)
    parser.add_argument("--n-i", type=int, default=100)
    parser.add_argument("--duration", type=float, default=0.2, help="simulated s")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sweep-points", type=int, default=16)
    parser.add_argument("--skip-sweep", action="store_true")
    parser.add_argument(
        "--sweep-param", choices=("p_ei", "n_e"), default="p_ei", help="the swept structure"
    )
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.repeats, args.sweep_points = 1, 4
    scratch = tempfile.mkdtemp(prefix="bench_compile_")
    print(f"scratch folder {scratch}; load: {os.getloadavg()}", flush=True)
    base = {"n_e": args.n_e, "n_i": args.n_i}
    bigger = {**base, "n_e": round(args.n_e * 1.25)}
    changed_p = {**bigger, "p_ei": 0.3}
    times = {"today_cold": [], "new_cold": [], "new_n_e": [], "new_p": []}
    for repeat in range(args.repeats):
        old = _call(tempfile.mkdtemp(dir=scratch), 0, json.dumps(base), args.duration)
        new_cache = tempfile.mkdtemp(dir=scratch)
        new = _call(new_cache, 1, json.dumps(base), args.duration)
        if old["spikes"] != new["spikes"]:
            sys.exit(f"cold builds differ: {old} vs {new}")
        after_n_e = _call(new_cache, 1, json.dumps(bigger), args.duration)
        after_p = _call(new_cache, 1, json.dumps(changed_p), args.duration)
        for name, record in zip(times, (old, new, after_n_e, after_p), strict=True):
            times[name].append(record["build_s"])
            print(f"  repeat {repeat}: {name:10s} {record['build_s']:6.1f} s  {record['reuse']}")
        print(f"  load: {os.getloadavg()}", flush=True)
    med = {name: statistics.median(values) for name, values in times.items()}
    print(f"\nping {args.n_e}+{args.n_i}, {args.duration} s; medians of {args.repeats}:")
    print(
        f"  cold today {med['today_cold']:.1f} s, cold new {med['new_cold']:.1f} s: "
        f"{med['new_cold'] / med['today_cold']:.2f}x"
    )
    for name, label in (("new_n_e", "n_e x1.25"), ("new_p", "then p_ei")):
        print(
            f"  first build after {label}: {med[name]:.1f} s = "
            f"{med[name] / med['today_cold']:.2f}x today's cold, "
            f"{med[name] / med['new_cold']:.2f}x the new cold"
        )
    if not args.skip_sweep:
        _sweeps(args, scratch)
    shutil.rmtree(scratch, ignore_errors=True)  # the folder this run made


def _sweeps(args, scratch):
    records = {}
    for label, flag in (("today", 0), ("new", 1)):
        records[label] = _call(
            "sweep",
            tempfile.mkdtemp(dir=scratch),
            flag,
            args.sweep_points,
            args.n_e,
            args.n_i,
            args.duration,
            tempfile.mkdtemp(dir=scratch),
            args.sweep_param,
        )
        print(f"  sweep {label}: {records[label]['wall_s']:.1f} s", flush=True)
    if records["today"]["rate_E_hz"] != records["new"]["rate_E_hz"]:
        sys.exit(f"the sweeps' tables differ: {records}")
    ratio = records["today"]["wall_s"] / records["new"]["wall_s"]
    print(
        f"  {args.sweep_points}-point {args.sweep_param} sweep: "
        f"today {records['today']['wall_s']:.1f} s, new {records['new']['wall_s']:.1f} s: "
        f"{ratio:.2f}x faster; load {os.getloadavg()}"
    )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == WORKER:
        rest = sys.argv[2:]
        if rest[0] == "sweep":
            cache, flag, points, n_e, n_i, duration, out, parameter = rest[1:]
            sweep_worker(
                cache, flag == "1", int(points), int(n_e), int(n_i), float(duration), out, parameter
            )
        else:
            cache, flag, params, duration = rest
            worker(cache, flag == "1", json.loads(params), float(duration))
    else:
        main()
