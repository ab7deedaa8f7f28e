"""cuda_standalone against cpp_standalone: PING 50k, full-scale Brunel, the loop at batch 1024.

Run by ``benchmarks/gpu.sh`` on a machine with an NVIDIA GPU (never in CI):
``python benchmarks/bench_gpu.py [--out DIR] [--budget 480]``.  Checks without a GPU:
``--dry-run`` (tiny sizes, 50 ms: cpp_standalone built and run, CUDA code generated only)
and ``--generate-only`` (the full sizes: CUDA and C++ code generated, nothing compiled).

Workloads, each simulated on both backends with seed 1, each build and run in a fresh
process (Brian2's standalone device is process-global):

- ``ping``: :func:`quifer_brian.networks.ping` with ``n_e`` 40,000 and ``n_i`` 10,000 and
  the probabilities scaled by 5000 / 50,000 (every neuron keeps its 5000-neuron in-degree,
  as ``bench_large.py`` and ``bench_ping.py``: 61 M synapses), 1 s;
- ``brunel``: :func:`quifer_brian.networks.brunel` at full scale (12,500 neurons, 15.6 M
  synapses, g = 5, eta = 2), 1 s;
- ``loop``: :func:`quifer_brian.networks.actualization.actualization_loop` with 3
  dimensions, 4 archetypes and ``batch=1024`` trials side by side (the standard
  condition of ``bench_actualization.py``: target 0, random initial states, 30 pA of
  annealed jitter), 500 ms.

For each: code generation, the compile (``make``; for CUDA ``nvcc``), the program's
whole run (synapse creation, the time loop, writing the results) and the time loop alone
(``last_run_info.txt``), and the spikes.  A table goes to stdout and a markdown snippet
(with the GPU's name, driver and the CUDA version) to ``DIR/gpu_results.md``;
``DIR/gpu_results.json`` holds the raw records.  Work that would start after
``--budget`` seconds is skipped and marked so (the script must end within 10 minutes).
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time

BACKENDS = ("cpp_standalone", "cuda_standalone")
WORKLOADS = ("ping", "brunel", "loop")
#: Full-size parameters; ``--dry-run`` shrinks them.
PING_SIZE, PING_REFERENCE = 50_000, 5000
PING_P = {"p_ee": 0.1, "p_ei": 0.5, "p_ie": 0.5, "p_ii": 0.5}
LOOP_BATCH = 1024
DURATIONS = {"ping": 1.0, "brunel": 1.0, "loop": 0.5}
DRY_DURATION = 0.05


# --------------------------------------------------------------------------- worker
def make_circuit(workload: str, dry: bool):
    """The circuit of ``workload`` (tiny with ``dry``); built inside the active session."""
    import numpy as np
    from brian2 import pA

    from quifer_brian.networks import brunel, ping
    from quifer_brian.networks.actualization import actualization_loop, random_archetypes

    if workload == "ping":
        size = 500 if dry else PING_SIZE
        scale = min(1.0, PING_REFERENCE / size)
        probabilities = {name: p * scale for name, p in PING_P.items()}
        return ping(n_e=round(0.8 * size), n_i=round(0.2 * size), **probabilities)
    if workload == "brunel":
        return brunel(g=5.0, eta=2.0, scale=0.1, epsilon=0.01) if dry else brunel(g=5.0, eta=2.0)
    batch = 4 if dry else LOOP_BATCH
    archetypes = random_archetypes(4, 3, 0.4, seed=1)  # as bench_actualization.py
    loop = actualization_loop(3, archetypes, batch=batch)
    initial = np.random.default_rng(101).uniform(0, 1, (batch, 3))
    return loop.circuit(initial, target=0, noise_amplitude=30 * pA)


def time_device():
    """Wall times of the device's ``make`` and of its program run, by wrapping them."""
    from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

    marks: dict[str, float] = {}
    for method in ("compile_source", "run"):
        original = getattr(CPPStandaloneDevice, method)

        def timed(*args, _original=original, _method=method, **kwargs):
            start = marks[_method + "_start"] = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                marks[_method] = time.perf_counter() - start

        setattr(CPPStandaloneDevice, method, timed)
    return marks


def worker(workload: str, backend: str, mode: str, threads: str = "0") -> dict:
    """Build (and run, unless only generating) one workload on one backend here."""
    from brian2 import second

    from quifer_brian.backends import backend_session

    stop_after = None
    if mode == "generate" or (mode == "dry" and backend == "cuda_standalone"):
        stop_after = "generate"
    duration = DRY_DURATION if mode == "dry" else DURATIONS[workload]
    marks = time_device()
    folder = tempfile.mkdtemp(prefix=f"bench_gpu_{workload}_{backend}_")
    start = time.perf_counter()
    try:
        threads_n = int(threads) if backend == "cpp_standalone" else 0
        with backend_session(
            backend, directory=folder, stop_after=stop_after, threads=threads_n
        ) as session:
            circuit = make_circuit(workload, mode == "dry")
            result = circuit.run(duration * second, session=session, seed=1, check=False)
            total = time.perf_counter() - start
            loop_s = None
            if result is not None:
                with open(os.path.join(folder, "results", "last_run_info.txt")) as stream:
                    loop_s = float(stream.read().split()[0])
            sources = os.listdir(os.path.join(folder, "code_objects"))
        record = {
            "workload": workload,
            "backend": backend,
            "mode": mode,
            "duration_s": duration,
            "neurons": sum(len(group) for group in circuit.populations.values()),
            "generated_files": len(sources),
            "cuda_sources": sum(name.endswith(".cu") for name in sources),
            "total_s": total,
            "make_s": marks.get("compile_source"),
            "program_s": marks.get("run"),
            "loop_s": loop_s,
            "spikes": None,
        }
        if result is not None:
            record["spikes"] = {k: len(v[0]) for k, v in result.spikes.items()}
        # objects, code generation and compile: everything before the program starts
        record["build_s"] = marks.get("run_start", start + total) - start
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return record


# --------------------------------------------------------------------------- driver
def run_worker(workload, backend, mode, threads, timeout):
    command = [sys.executable, os.path.abspath(__file__), "--worker", workload, backend, mode]
    command.append(str(threads))
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"workload": workload, "backend": backend, "mode": mode, "error": "timed out"}
    wall = time.perf_counter() - start
    if done.returncode != 0:
        return {
            "workload": workload,
            "backend": backend,
            "mode": mode,
            "error": (done.stderr or done.stdout)[-1500:],
        }
    record = json.loads(done.stdout.strip().splitlines()[-1])
    record["process_s"] = wall
    return record


def machine() -> dict:
    """The GPU (name, driver, memory), the CUDA compiler's version, CPUs, versions."""
    import brian2

    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpus": os.cpu_count(),
        "host": platform.node(),
        "python": platform.python_version(),
        "brian2": brian2.__version__,
        "gpu": "none (nvidia-smi not found)",
        "nvcc": "not found",
    }
    try:
        import brian2cuda

        info["brian2cuda"] = brian2cuda.__version__
    except ImportError:
        info["brian2cuda"] = "not installed"
    if shutil.which("nvidia-smi"):
        query = "--query-gpu=name,driver_version,memory.total,compute_cap"
        out = subprocess.run(
            ["nvidia-smi", query, "--format=csv,noheader"], capture_output=True, text=True
        )
        info["gpu"] = out.stdout.strip() or out.stderr.strip()
    from quifer_brian.backends import nvcc_path

    if nvcc_path():
        out = subprocess.run([nvcc_path(), "--version"], capture_output=True, text=True)
        info["nvcc"] = out.stdout.strip().splitlines()[-1]
    return info


def fmt(value, digits=1):
    return "-" if value is None else f"{value:.{digits}f}"


def markdown(info, records, mode) -> str:
    lines = [
        f"### GPU run ({mode}), {info['date']}",
        "",
        f"GPU: {info['gpu']}; {info['nvcc']}; {info['cpus']} CPUs; Python {info['python']}, "
        f"Brian2 {info['brian2']}, brian2cuda {info['brian2cuda']}; cpp_standalone with "
        f"{info['cpp_threads']} OpenMP threads.  `benchmarks/gpu.sh` (seed 1; times in s).",
        "",
        "| workload | backend | neurons | simulated s | build: objects, codegen, make "
        "| of which make | program | time loop | spikes | loop: cpp / cuda |",
        "|---" * 10 + "|",
    ]
    loops = {}
    for record in records:
        if "error" not in record and record.get("loop_s"):
            loops[(record["workload"], record["backend"])] = record["loop_s"]
    for record in records:
        name = f"{record['workload']} | {record['backend']}"
        if "error" in record:
            reason = record["error"].strip().splitlines()[-1] if record["error"].strip() else "?"
            if not reason.startswith("skipped"):
                reason = f"failed: {reason}"
            lines.append(f"| {name} | {reason[:120]} |" + " |" * 7)
            continue
        build = record["build_s"]
        spikes = "-" if record["spikes"] is None else f"{sum(record['spikes'].values()):,}"
        ratio = "-"
        cpp = loops.get((record["workload"], "cpp_standalone"))
        cuda = loops.get((record["workload"], "cuda_standalone"))
        if record["backend"] == "cuda_standalone" and cpp and cuda:
            ratio = f"{cpp / cuda:.1f}x"
        lines.append(
            f"| {name} | {record['neurons']:,} | {record['duration_s']:g} | {fmt(build)} | "
            f"{fmt(record['make_s'])} | {fmt(record['program_s'])} | "
            f"{fmt(record['loop_s'], 2)} | {spikes} | {ratio} |"
        )
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="gpu_results", help="folder of the results")
    parser.add_argument("--budget", type=float, default=480.0, help="seconds; later work skipped")
    parser.add_argument("--workloads", nargs="+", choices=WORKLOADS, default=list(WORKLOADS))
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    modes = parser.add_mutually_exclusive_group()
    modes.add_argument("--dry-run", action="store_true", help="tiny sizes; CUDA generated only")
    modes.add_argument("--generate-only", action="store_true", help="full sizes, no compile")
    parser.add_argument(
        "--cpp-threads", type=int, default=0, help="OpenMP threads of cpp_standalone (0: none)"
    )
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(worker(*args.worker)))
        return 0
    mode = "dry" if args.dry_run else "generate" if args.generate_only else "full"
    start = time.perf_counter()
    info = machine()
    info["cpp_threads"] = args.cpp_threads
    print(f"{mode} run; GPU: {info['gpu']}; {info['nvcc']}; {info['cpus']} CPUs", flush=True)
    records = []
    for workload in args.workloads:
        for backend in args.backends:
            left = args.budget - (time.perf_counter() - start)
            if left < 10:
                records.append(
                    {"workload": workload, "backend": backend, "mode": mode,
                     "error": f"skipped: the {args.budget:g} s budget was spent"}
                )  # fmt: skip
                print(f"  {workload} on {backend}: skipped (budget)", flush=True)
                continue
            print(f"  {workload} on {backend} ...", flush=True)
            record = run_worker(workload, backend, mode, args.cpp_threads, timeout=left)
            records.append(record)
            if "error" in record:
                print(f"    failed: {record['error'].strip()[-600:]}", flush=True)
            else:
                print(
                    f"    {record['neurons']:,} neurons, total {record['total_s']:.1f} s, make "
                    f"{fmt(record['make_s'])} s, program {fmt(record['program_s'])} s, loop "
                    f"{fmt(record['loop_s'], 2)} s, spikes {record['spikes']}",
                    flush=True,
                )
    text = markdown(info, records, mode)
    print("\n" + text)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "gpu_results.md"), "w") as stream:
        stream.write(text)
    with open(os.path.join(args.out, "gpu_results.json"), "w") as stream:
        json.dump({"machine": info, "records": records}, stream, indent=2)
    print(f"written: {args.out}/gpu_results.md, gpu_results.json "
          f"({time.perf_counter() - start:.0f} s in all)")  # fmt: skip
    return 1 if any("error" in r and not r["error"].startswith("skipped") for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
