"""The actualization loop: a batch of trials in one compiled program against its baselines.

Run: ``nice -n 5 python benchmarks/bench_actualization.py [--batch 32] [--duration 500]
[--repeats 3] [--seed 1] [--skip-threads]`` (``--quick``: batch 4, 100 ms, for a smoke
run).  Everything runs in this process, one after the other; the numbers that count are
the ratios, measured in the same run.

The loop is ``actualization_loop(3, archetypes, batch=B)`` with K = 4 archetypes drawn as
in ``tests/networks/test_actualization.py``; the standard condition is ``target=0``, random
initial states, annealed jitter of 30 pA (so that every time-dependent gain is at work).

1. **Compile once**: ``BuildCache.get_or_build`` of the batch-B circuit (objects, code
   generation, ``make``), counted with ``build_count()``.
2. **One run**: ``loop.actualize(..., backend='cpp_standalone', cache=cache)`` end to end
   (checks, run values, the program, reading and decoding), ``2 * repeats`` times (half
   before, half after the separate runs of (a)), median; the program's own wall time apart.
3. **Further conditions** (other targets, focus gains, release, jitter, no schedule, noisy
   cues without focus, a new draw of archetypes): each one ``actualize`` call; the script
   fails if any of them compiles (``build_count()`` must not move) or is not ``'cached'``.
4. **(a) B separate runs**: ``actualization_loop(..., batch=1)`` through the same cache
   (one compile of the batch-1 structure, timed apart), then one ``actualize`` per trial.
5. **(b) naive numpy**: the same batch-B network (``loop.circuit(...).network``) on numpy,
   with the schedule, the annealing and the cue taken out of the equations and driven by
   a Python ``network_operation`` every 1 ms (see :func:`naive_numpy`); also the package's
   own numpy run (the same network with the gains in the equations, same seed), to show
   what the two compute and what the Python driving costs.
6. **OpenMP threads**: the same circuit compiled with ``backend_session(threads=0)`` and
   ``threads=2`` (``stop_after='compile'``), each program run ``repeats`` times,
   alternating.  (Not through the cache: its builds are compiled without threads.)
"""

import argparse
import datetime
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import brian2
import numpy as np
from brian2 import amp, ms, network_operation, pA, second

from quifer_brian.backends import BuildCache, backend_session, build_count
from quifer_brian.networks.actualization import (
    ActualizationResult,
    actualization_loop,
    decode_states,
    random_archetypes,
)

DIM, K = 3, 4
SEPARATION = 0.4
CUE_NOISE = 0.15
THRESHOLD = 0.1
JITTER = 30 * pA
#: How often the naive baseline's Python code updates the gains.
UPDATE = 1 * ms


# ------------------------------------------------------------------------ trials
def draw_archetypes(seed):
    """K archetypes uniform in [0.1, 0.9]^3, pairwise >= SEPARATION apart (as the tests)."""
    return random_archetypes(K, DIM, SEPARATION, seed=seed)


def draw_states(archetypes, batch, seed):
    """``(random initial states, noisy cues of random archetypes, the archetype each cue was
    made from)``: ``(batch, 3)``, ``(batch, 3)``, ``(batch,)``."""
    rng = np.random.default_rng(100 + seed)
    initial = rng.uniform(0, 1, (batch, DIM))
    cued = rng.integers(0, K, batch)
    cues = np.clip(archetypes[cued] + rng.normal(0, CUE_NOISE, (batch, DIM)), 0, 1)
    return initial, cues, cued


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    value = function(*args, **kwargs)
    return time.perf_counter() - start, value


def success(run):
    """Fraction of trials within THRESHOLD of their goal at the end: the focus target, or
    without focus the archetype they were cued with."""
    return float(run.success(THRESHOLD).mean())


# ------------------------------------------------------------------ compiled runs
def compile_structure(loop, initial, duration, cache):
    """Wall time of building the circuit's program into ``cache`` (and whether it compiled)."""
    circuit = loop.circuit(initial, target=0, noise_amplitude=JITTER)
    wall, (_, built) = timed(cache.get_or_build, circuit, float(duration / second))
    return wall, built


def compiled_run(loop, states, duration, seed, cache, **condition):
    """``(end-to-end wall, the program's wall, ActualizationResult)`` of one cached run."""
    condition.setdefault("noise_amplitude", JITTER)
    wall, run = timed(
        loop.actualize,
        states,
        duration,
        backend="cpp_standalone",
        seed=seed,
        cache=cache,
        **condition,
    )
    if run.result.meta["build"] != "cached":
        sys.exit(f"bench_actualization: a run compiled ({condition}); expected a cached program")
    return wall, run.result.meta["wall_time_s"], run


def conditions(archetypes, initial, cues, cued, seed):
    """``(label, archetypes, states, actualize options)`` of the further conditions."""
    other = draw_archetypes(seed + 1)
    return [
        ("target = archetype 1", archetypes, initial, {"target": 1}),
        ("target = archetype 2", archetypes, initial, {"target": 2}),
        ("target = archetype 3", archetypes, initial, {"target": 3}),
        ("focus gain 200 pA", archetypes, initial, {"target": 0, "focus_gain": 200 * pA}),
        ("focus gain 400 pA", archetypes, initial, {"target": 0, "focus_gain": 400 * pA}),
        ("release 0.5", archetypes, initial, {"target": 0, "release": 0.5}),
        (
            "jitter 60 pA, harmonic",
            archetypes,
            initial,
            {"target": 0, "noise_decay": "harmonic", "noise_amplitude": 60 * pA},
        ),
        ("no schedule", archetypes, initial, {"target": 0, "force_schedule": False}),
        ("noisy cues, no focus", archetypes, cues, {"cued": cued}),
        ("new archetypes, target 0", other, initial, {"target": 0}),
    ]


# ------------------------------------------------------------------ naive numpy
def naive_numpy(loop, initial, duration, seed):
    """The standard condition on numpy, its gains driven by Python every :data:`UPDATE`.

    The network is the package's (``loop.circuit(...).network``), with the time-dependent
    parts of its equations switched off through their shared variables -- ``scheduled =
    0`` makes the schedule 1, the jitter sources' ``rate = harmonic = 0`` makes their gain
    ``A``, and the cue's end time ``t_cue_cue = 0`` turns the equations' cue off --
    and a ``network_operation`` that every 1 ms writes, for the middle of the coming
    millisecond ``t_m``:

    - ``I_peak_focus = g s(t_m)`` and ``release = r s(t_m)`` (field gain ``1 - r s``),
      with ``s = clip((t_m - t_cue) / t_ramp, 0, 1)``;
    - the jitter sources' ``A = A_0 exp(-rate t_m / 10 ms)``;
    - ``I_ext = drive + cue`` before ``t_cue`` and ``drive`` after, the cue current per
      cell computed in numpy from the cue states.

    ``g``, ``r``, ``A``, ``rate`` are the package's own run values.  Taken at the middle,
    the gains are the mean of the equations' gains over each millisecond (exactly for the
    ramp and the cue, to 1e-5 of it for the jitter's decay).  Same seed, same build order as the
    package's numpy run, so both draw the same random numbers.

    Returns
    -------
    (total wall, network.run wall, ActualizationResult)
    """
    start = time.perf_counter()
    params = loop.params
    with backend_session("numpy") as session:
        brian2.seed(seed)  # as Circuit.run: before the build's random initial values
        circuit = loop.circuit(initial, target=0, noise_amplitude=JITTER)
        values = circuit.run_values()
        feature = circuit.populations["F"]
        network = circuit.network
        jitter = network["actualization_J"]
        feature.scheduled = 0.0
        jitter.rate = 0.0
        jitter.harmonic = 0.0
        feature.namespace["t_cue_cue"] = 0 * ms
        peak = values["actualization_F.I_peak_focus"]
        release = values["actualization_F.release"]
        scheduled = values["actualization_F.scheduled"]
        amplitude = values["actualization_J.A"]
        rate = values["actualization_J.rate"]
        t_cue, t_ramp = float(params["t_cue"] / second), float(params["t_ramp"] / second)
        step, dt = float(10 * ms / second), float(params["dt"] / second)
        update = float(UPDATE / second)
        drive = np.array(feature.I_ext_[:])
        width = params["tuning_width"]
        cue_current = float(params["cue_gain"] / amp) * np.exp(
            -((feature.pref_[:] - feature.value_cue_[:]) ** 2) / (2 * width**2)
        )

        @network_operation(dt=UPDATE, when="start", name="naive_drive")
        def drive_gains(t):
            middle = float(t / second) + (update - dt) / 2
            s = scheduled * np.clip((middle - t_cue) / t_ramp, 0, 1) + (1 - scheduled)
            feature.I_peak_focus_ = peak * s
            feature.release_ = release * s
            jitter.A_ = amplitude * np.exp(-rate * middle / step)
            feature.I_ext_ = drive + cue_current if middle < t_cue else drive

        network.add(drive_gains)
        result = circuit.run(duration, session=session)  # seeded above, not again
    times, indices = result.spikes["F"]
    stops, states = decode_states(
        times, indices, loop.batch, loop.n_dims, params["neurons_per_dim"], duration
    )
    run = ActualizationResult(
        stops, states, circuit.params["target_states"], loop.archetypes, result
    )
    return time.perf_counter() - start, result.meta["wall_time_s"], run


def package_numpy(loop, initial, duration, seed):
    """``(total wall, network.run wall, result)`` of the package's own numpy run."""
    wall, run = timed(
        loop.actualize,
        initial,
        duration,
        target=0,
        noise_amplitude=JITTER,
        backend="numpy",
        seed=seed,
    )
    return wall, run.result.meta["wall_time_s"], run


# ------------------------------------------------------------------ projects
def build_project(loop, initial, duration, seed, scratch, threads=0, stop_after="compile"):
    """``(folder, wall)`` of building the standard circuit's project (no cache, no run)."""
    folder = tempfile.mkdtemp(prefix=f"{stop_after}_threads{threads}_", dir=scratch)
    start = time.perf_counter()
    with backend_session(
        "cpp_standalone", directory=folder, threads=threads, stop_after=stop_after
    ) as session:
        circuit = loop.circuit(initial, target=0, noise_amplitude=JITTER)
        circuit.run(duration, session=session, seed=seed)
    return folder, time.perf_counter() - start


def run_program(folder):
    """Wall time of one run of the compiled program in ``folder`` (its built-in values)."""
    start = time.perf_counter()
    subprocess.run([os.path.join(folder, "main")], cwd=folder, check=True, capture_output=True)
    return time.perf_counter() - start


# ------------------------------------------------------------------ measurements
def measure_batched(loop, archetypes, initial, cues, cued, duration, seed, repeats, cache):
    """Compile, one run (``repeats`` times), the further conditions; with build counts."""
    builds = build_count()
    compile_wall, built = compile_structure(loop, initial, duration, cache)
    if not built or build_count() != builds + 1:
        sys.exit("bench_actualization: the first build of a fresh cache did not compile")
    print(f"  compile (batch {loop.batch}): {compile_wall:.1f} s", flush=True)
    runs = [compiled_run(loop, initial, duration, seed, cache, target=0) for _ in range(repeats)]
    print(f"  one run: {runs[0][0]:.2f} s, focus success {success(runs[0][2]):.2f}", flush=True)
    further = []
    for label, stored, states, condition in conditions(archetypes, initial, cues, cued, seed):
        same = stored is archetypes
        this = loop if same else actualization_loop(DIM, stored, batch=loop.batch)
        wall, program, run = compiled_run(this, states, duration, seed, cache, **condition)
        further.append((label, wall, program, success(run)))
        print(f"  {label}: {wall:.2f} s, success {success(run):.2f}", flush=True)
    recompiles = build_count() - builds - 1
    if recompiles:
        sys.exit(f"bench_actualization: {recompiles} further conditions recompiled")
    return {"compile": compile_wall, "runs": runs, "further": further}


def measure_separate(archetypes, initial, duration, seed, cache):
    """(a): one batch-1 compile, then one cached ``actualize`` per trial."""
    builds = build_count()
    single = actualization_loop(DIM, archetypes, batch=1)
    compile_wall, _ = compile_structure(single, initial[:1], duration, cache)
    runs = [
        compiled_run(single, initial[i : i + 1], duration, seed + i, cache, target=0)
        for i in range(len(initial))
    ]
    measured = {
        "compile": compile_wall,
        "builds": build_count() - builds,
        "wall": sum(r[0] for r in runs),
        "program": sum(r[1] for r in runs),
        "success": float(np.mean([success(r[2]) for r in runs])),
    }
    print(
        f"  {len(initial)} separate runs: compile {compile_wall:.1f} s, runs "
        f"{measured['wall']:.1f} s",
        flush=True,
    )
    return measured


def measure_threads(loop, initial, duration, seed, repeats, scratch):
    """Build + compile with 0 and 2 OpenMP threads, then run both ``repeats`` times, alternating."""
    folders, compiles, walls = {}, {}, {0: [], 2: []}
    for n in walls:
        folders[n], compiles[n] = build_project(loop, initial, duration, seed, scratch, threads=n)
    for _ in range(repeats):
        for n in walls:
            walls[n].append(run_program(folders[n]))
    print(
        f"  threads: {', '.join(f'{n}: {statistics.median(w):.2f} s' for n, w in walls.items())}",
        flush=True,
    )
    return {n: (compiles[n], statistics.median(walls[n])) for n in walls}


# ------------------------------------------------------------------ report
def machine():
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as stream:
            names = [line.split(":", 1)[1].strip() for line in stream if "model name" in line]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    versions = f"Python {platform.python_version()}, Brian2 {brian2.__version__}"
    return f"{os.cpu_count()} cores ({cpu}), {versions}"


def load():
    return "load average " + ", ".join(f"{x:.2f}" for x in os.getloadavg())


def table(batch, batched, generate, separate, naive, equations, threads):
    """Rows ``(measurement, seconds, ratio)`` of the summary."""
    run = statistics.median(r[0] for r in batched["runs"])
    program = statistics.median(r[1] for r in batched["runs"])
    further = statistics.median(f[1] for f in batched["further"])
    with_compile = separate["compile"] + separate["wall"]
    rows = [
        (f"generate + compile, batch-{batch} structure (once)", batched["compile"], None),
        ("  of which objects + code generation (generate-only build)", generate, None),
        ("one run: `actualize` on the cached program, end to end", run, 1.0),
        ("  of which the compiled program", program, program / run),
        (
            f"{len(batched['further'])} further conditions, median per condition",
            further,
            further / run,
        ),
        (
            f"(a) {batch} separate batch-1 runs (cached), runs only",
            separate["wall"],
            separate["wall"] / run,
        ),
        (
            "(a)   of which the compiled programs (vs the batch program)",
            separate["program"],
            separate["program"] / program,
        ),
        ("(a) compile of the batch-1 structure (once)", separate["compile"], None),
        (
            f"(a) {batch} separate runs + their compile, vs batch run + its compile",
            with_compile,
            with_compile / (batched["compile"] + run),
        ),
        ("(b) naive: numpy + Python network_operation, end to end", naive[0], naive[0] / run),
        ("(b)   of which network.run (vs the batch program)", naive[1], naive[1] / program),
        (
            "(b) package on numpy (gains in the equations), end to end",
            equations[0],
            equations[0] / run,
        ),
        ("(b)   of which network.run (vs the batch program)", equations[1], equations[1] / program),
    ]
    for n, (compile_wall, wall) in threads.items():
        rows.append((f"OpenMP threads = {n}: build + compile", compile_wall, None))
        rows.append(
            (f"OpenMP threads = {n}: program run (vs threads = 0)", wall, wall / threads[0][1])
        )
    return rows


def report(args, batched, generate, separate, naive, equations, threads):
    batch = args.batch
    print()
    print(f"finished {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {load()}")
    print(
        f"builds: batch-{batch} structure 1 (every further condition ran the cached "
        f"program); batch-1 structure {separate['builds']}"
    )
    print(
        f"success (within {THRESHOLD}): batch focus {success(batched['runs'][0][2]):.2f}; "
        f"{batch} separate {separate['success']:.2f}; naive numpy {success(naive[2]):.2f}; "
        f"package numpy {success(equations[2]):.2f}"
    )
    gap = np.abs(naive[2].final_states - equations[2].final_states)
    spikes = [r[2].result.spikes["F"][0].size for r in (naive, equations)]
    print(
        f"naive vs package numpy (same seed): final states differ by {np.nanmean(gap):.4f} "
        f"on average (max {np.nanmax(gap):.4f}); F spikes {spikes[0]} vs {spikes[1]}"
    )
    for label, wall, program, rate in batched["further"]:
        print(
            f"  condition {label:<26} {wall:6.2f} s (program {program:.2f} s), success {rate:.2f}"
        )
    print()
    print("| measurement | time (s) | ratio |")
    print("|---|---|---|")
    for label, seconds, ratio in table(
        batch, batched, generate, separate, naive, equations, threads
    ):
        shown = "-" if ratio is None else f"{ratio:.3g}"
        print(f"| {label} | {seconds:.3g} | {shown} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=32, help="trials per batch run")
    parser.add_argument("--duration", type=float, default=500.0, help="simulated ms")
    parser.add_argument("--repeats", type=int, default=3, help="runs per timed variant and side")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--skip-threads", action="store_true", help="no OpenMP comparison")
    parser.add_argument("--quick", action="store_true", help="batch 4, 100 ms, 1 repeat")
    args = parser.parse_args(argv)
    if args.quick:
        args.batch, args.duration, args.repeats = 4, 100.0, 1
    batch, duration, seed, repeats = args.batch, args.duration * ms, args.seed, args.repeats
    archetypes = draw_archetypes(seed)
    initial, cues, cued = draw_states(archetypes, batch, seed)
    loop = actualization_loop(DIM, archetypes, batch=batch)
    print(
        f"actualization loop, {batch} trials x {args.duration:g} ms, dim {DIM}, K {K}; "
        f"{datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC; {machine()}; {load()}",
        flush=True,
    )
    scratch = tempfile.mkdtemp(prefix="bench_actualization_")
    try:
        cache = BuildCache(os.path.join(scratch, "cache"))
        batched = measure_batched(
            loop, archetypes, initial, cues, cued, duration, seed, repeats, cache
        )
        separate = measure_separate(archetypes, initial, duration, seed, cache)
        # the batch run again after the separate runs: the median spans both sides
        batched["runs"] += [
            compiled_run(loop, initial, duration, seed, cache, target=0) for _ in range(repeats)
        ]
        _, generate = build_project(loop, initial, duration, seed, scratch, stop_after="generate")
        print(f"  generate only: {generate:.1f} s", flush=True)
        naive = naive_numpy(loop, initial, duration, seed)
        print(f"  naive numpy: {naive[0]:.1f} s", flush=True)
        equations = package_numpy(loop, initial, duration, seed)
        print(f"  package numpy: {equations[0]:.1f} s", flush=True)
        threads = {}
        if not args.skip_threads:
            threads = measure_threads(loop, initial, duration, seed, repeats, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    report(args, batched, generate, separate, naive, equations, threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
