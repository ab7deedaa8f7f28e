"""Large networks on cpp_standalone: full-scale Brunel and a 100,000-neuron PING.

Run: ``python benchmarks/bench_large.py [--workloads brunel ping] [--ping-sizes 100000]
[--duration 1]`` (``--quick``: Brunel at scale 0.1 with epsilon 0.01 and a 2000-neuron
PING, 0.2 s, for a smoke run).

Workloads, each simulated ``--duration`` on cpp_standalone with seed 1:

- ``brunel``: :func:`quifer_brian.networks.brunel` at full scale (``scale=1``:
  N_E = 10,000, N_I = 2500, fixed in-degrees C_E = 1000, C_I = 250, so 12,500 x 1250 =
  15.6 M recurrent synapses; g = 5, eta = 2, the AI point C);
- ``ping``: :func:`quifer_brian.networks.ping` with ``n_e = 0.8 N``, ``n_i = 0.2 N`` and
  the probabilities scaled by 5000 / N (as ``bench_ping.py``), so every neuron keeps its
  5000-neuron in-degree (N = 100,000: 122 M synapses).

Each workload runs in a fresh process (``--worker``) that compiles the circuit through a
:class:`~quifer_brian.backends.BuildCache` in a scratch folder (Python code generation
and ``make`` timed apart), then starts the compiled program itself under GNU
``/usr/bin/time``: the program's wall time is the simulation (synapse creation, the
time loop, writing every array at the end), the loop alone is what the program reports
in ``last_run_info.txt``, its peak resident memory is time's ``%M`` (``ru_maxrss`` of
the program alone).  The Python side's peak and the compile's (the largest ``make``
child) are printed too.  Synaptic events are counted exactly: the out-degree of every
neuron from the connectivity the program writes, summed over its spikes; events per
second divide them by the loop time.
"""

import argparse
import glob
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

REFERENCE = 5000  #: PING size whose in-degrees larger networks keep
PING_P = {"p_ee": 0.1, "p_ei": 0.5, "p_ie": 0.5, "p_ii": 0.5}
PROJECTIONS = ("EE", "EI", "IE", "II")  # source first
TIME = "/usr/bin/time"  #: GNU time: the program's own peak resident memory


# --------------------------------------------------------------------------- worker
def make_circuit(workload, size, quick):
    from quifer_brian.networks import brunel, ping

    if workload == "brunel":
        return brunel(g=5.0, eta=2.0, scale=0.1, epsilon=0.01) if quick else brunel(g=5.0, eta=2.0)
    scale = min(1.0, REFERENCE / size)
    probabilities = {name: p * scale for name, p in PING_P.items()}
    return ping(n_e=round(0.8 * size), n_i=round(0.2 * size), **probabilities)


def time_make():
    """Wall time of the device's ``make``, recorded by wrapping ``compile_source``."""
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    marks = {}
    original = CPPStandaloneDevice.compile_source

    def timed(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            marks["make"] = time.perf_counter() - start

    CPPStandaloneDevice.compile_source = timed
    return marks


def run_program(program, values, seed, results):
    """Run the compiled program; return (wall s, peak RSS KiB, user s, system s).

    Through ``/usr/bin/time`` where there is one: a child forked from this (large)
    Python process starts with the parent's peak RSS as its own, so ``os.wait4`` on a
    direct child cannot see a program smaller than the parent; the fallback says so.
    """
    from quifer_brian.backends.compiled import SEED_VARIABLE

    command = [os.path.join(program.directory, "main"), "--results_dir", results + os.sep]
    command += program._arguments(values, results)  # arrays (brunel's nu_ext) go to files
    environment = dict(os.environ, **{SEED_VARIABLE: str(seed)})
    report = os.path.join(results, "..", "time.txt")
    if os.path.exists(TIME):
        command = [TIME, "-f", "%M %U %S", "-o", report, *command]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=program.directory, env=environment, stdout=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"the compiled program failed with exit status {status}")
    if not os.path.exists(TIME):
        return wall, usage.ru_maxrss, usage.ru_utime, usage.ru_stime
    with open(report) as stream:
        peak, user, system = stream.read().split()[-3:]
    return wall, int(peak), float(user), float(system)


def count_events(program, results, circuit_name, sizes):
    """(synapses per projection, spikes per population, synaptic events) from the files."""
    import numpy as np

    files = program.manifest["files"]
    spikes = {}
    for population in sizes:
        spec = files[f"spikes_{population}_i"]
        spikes[population] = np.fromfile(
            os.path.join(results, spec["file"]), dtype=np.dtype(spec["dtype"])
        )
    synapses, events = {}, 0
    for projection in PROJECTIONS:
        pattern = os.path.join(
            results, f"_dynamic_array_{circuit_name}_{projection}__synaptic_pre*"
        )
        found = glob.glob(pattern)
        if len(found) != 1:
            sys.exit(f"expected one file {pattern}; found {found}")
        pre = np.fromfile(found[0], dtype=np.int32)
        source = projection[0]
        out_degree = np.bincount(pre, minlength=sizes[source])
        synapses[projection] = int(pre.size)
        events += int(out_degree[spikes[source]].sum())
        del pre, out_degree
    return synapses, {k: int(v.size) for k, v in spikes.items()}, events


def worker(args):
    from quifer_brian.backends import BuildCache

    start = time.perf_counter()
    circuit = make_circuit(args.worker, args.size, args.quick)
    marks = time_make()
    scratch = tempfile.mkdtemp(prefix="bench_large_")
    try:
        cache = BuildCache(os.path.join(scratch, "cache"), max_bytes=64 * 1024**3)
        program, _ = cache.get_or_build(circuit, args.duration)
        built = time.perf_counter()
        compiler_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        python_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results = os.path.join(scratch, "results")
        os.makedirs(results)
        wall, peak, user, system = run_program(program, circuit.run_values(), args.seed, results)
        with open(os.path.join(results, "last_run_info.txt")) as stream:
            loop = float(stream.read().split()[0])
        sizes = program.manifest["layout"]["sizes"]
        synapses, spikes, events = count_events(program, results, circuit.name, sizes)
        results_bytes = sum(
            os.path.getsize(os.path.join(results, name)) for name in os.listdir(results)
        )
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return {
        "workload": args.worker,
        "sizes": sizes,
        "synapses": synapses,
        "spikes": spikes,
        "events": events,
        "codegen_s": built - start - marks["make"],
        "make_s": marks["make"],
        "program_s": wall,
        "loop_s": loop,
        "program_peak_kib": peak,
        "program_user_s": user,
        "program_sys_s": system,
        "compiler_peak_kib": compiler_kib,
        "python_peak_kib": python_kib,
        "results_bytes": results_bytes,
    }


# --------------------------------------------------------------------------- driver
def measure(workload, size, args):
    command = [sys.executable, os.path.abspath(__file__), "--worker", workload]
    command += ["--size", str(size), "--duration", str(args.duration), "--seed", str(args.seed)]
    command += ["--quick"] if args.quick else []
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    process = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{workload} worker failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    record = json.loads(done.stdout.strip().splitlines()[-1])
    record["process_s"] = process
    record["load"] = os.getloadavg()[0]
    return record


def describe(record):
    n_neurons = sum(record["sizes"].values())
    n_synapses = sum(record["synapses"].values())
    n_spikes = sum(record["spikes"].values())
    gib = 1024**2  # KiB per GiB
    peak = record["program_peak_kib"]
    return {
        "network": f"{record['workload']} {n_neurons:,}",
        "neurons": n_neurons,
        "synapses": n_synapses,
        "spikes": n_spikes,
        "rates": {
            k: v / (record["sizes"][k] * record["duration"]) for k, v in record["spikes"].items()
        },
        "events": record["events"],
        "events_per_s": record["events"] / record["loop_s"],
        "setup_write_s": record["program_s"] - record["loop_s"],
        "peak_gib": peak / gib,
        "bytes_per_synapse": peak * 1024 / n_synapses,
        "compiler_gib": record["compiler_peak_kib"] / gib,
        "python_gib": record["python_peak_kib"] / gib,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", nargs="+", choices=("brunel", "ping"), default=None)
    parser.add_argument("--ping-sizes", type=int, nargs="+", default=[100000])
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--quick", action="store_true", help="small networks, 0.2 s")
    parser.add_argument("--worker", choices=("brunel", "ping"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        record = worker(args)
        record["duration"] = args.duration
        print(json.dumps(record))
        return 0
    if args.quick:
        args.duration, args.ping_sizes = 0.2, [2000]
    workloads = args.workloads or ["brunel", "ping"]
    runs = [("brunel", 0)] if "brunel" in workloads else []
    runs += [("ping", size) for size in args.ping_sizes] if "ping" in workloads else []

    total_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    print(
        f"{args.duration:g} s simulated, seed {args.seed}; {os.cpu_count()} CPUs, "
        f"{total_gib:.1f} GiB memory, load {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    rows = []
    for workload, size in runs:
        print(f"  {workload} {size or ''} ...", flush=True)
        record = measure(workload, size, args)
        derived = describe(record)
        rows.append((record, derived))
        print(
            f"    {derived['network']} neurons, {derived['synapses']:,} synapses "
            f"{record['synapses']}, {derived['spikes']:,} spikes, rates "
            + ", ".join(f"{k} {v:.2f} Hz" for k, v in derived["rates"].items())
            + f", load {record['load']:.2f}",
            flush=True,
        )

    print(
        "\n| network | synapses | codegen (s) | compile (s) | program (s) | loop (s) "
        "| setup + write (s) | process (s) | peak RSS program (GiB) | bytes / synapse "
        "| spikes | synaptic events | events / s (loop) |"
    )
    print("|---" * 13 + "|")
    for record, d in rows:
        print(
            f"| {d['network']} | {d['synapses'] / 1e6:.1f} M | {record['codegen_s']:.1f} | "
            f"{record['make_s']:.1f} | {record['program_s']:.1f} | {record['loop_s']:.1f} | "
            f"{d['setup_write_s']:.1f} | {record['process_s']:.1f} | {d['peak_gib']:.2f} | "
            f"{d['bytes_per_synapse']:.1f} | {d['spikes']:,} | "
            f"{d['events'] / 1e6:.0f} M | {d['events_per_s'] / 1e6:.1f} M |"
        )
    for record, d in rows:
        print(
            f"  {d['network']}: program user {record['program_user_s']:.1f} s, system "
            f"{record['program_sys_s']:.1f} s; results written {record['results_bytes'] / 1e9:.2f} "
            f"GB; peak RSS of the Python side {d['python_gib']:.2f} GiB, of the compile "
            f"children {d['compiler_gib']:.2f} GiB (at least the Python RSS they forked from)"
        )
    pings = [(record, d) for record, d in rows if record["workload"] == "ping"]
    if len(pings) >= 2:  # marginal cost per synapse between the two largest PINGs
        (r1, d1), (r2, d2) = sorted(pings, key=lambda pair: pair[1]["synapses"])[-2:]
        slope = (
            (r2["program_peak_kib"] - r1["program_peak_kib"])
            * 1024
            / (d2["synapses"] - d1["synapses"])
        )
        print(f"PING marginal memory per synapse: {slope:.1f} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
