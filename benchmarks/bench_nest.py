"""PING, a whole ``quifer-brian run`` process on a cached build, against NEST 3.10.

Run: ``python benchmarks/bench_nest.py [--n-e 4000] [--n-i 1000] [--drive-e 450]
[--duration 1] [--repeats 3] [--synapse conductance|current] [--ours cli|script]``
(``--quick``: 400 + 100 neurons, 0.2 s).  Needs NEST:
``pip install nest-simulator==3.10.0`` into the venv (optional; not a dependency of the
package).

What is timed is the wall time of a whole process, as a user sees it from the shell:

- ours: :data:`OURS_COMMAND`, ``quifer-brian run ping --param n_e=... --param n_i=...
  --param drive_e=... --duration 1s --backend cpp_standalone --out DIR`` with a scratch
  ``--cache-dir``.  The cache is warmed first by one run at another drive (that run
  compiles and is reported apart), so every timed run is a *second* run: it reruns the
  compiled program with the new drive, without code generation or compilation, then
  summarises the run and writes ``result.npz`` and ``summary.json`` as the CLI does.
  ``--ours script`` times :data:`SCRIPT_COMMAND` instead, this script's
  ``--worker ours``: only ``ping(...).run(..., backend='cpp_standalone', cache=True,
  seed=1)`` and ``result.save``.
- NEST: :data:`NEST_COMMAND`, this script's ``--worker nest``: import, the same network
  built with ``iaf_cond_exp`` (``--synapse current``: ``iaf_psc_exp`` against
  ``ping(synapse='current')``), simulate, spikes saved to ``DIR/spikes.npz``.

Runs alternate (ours, NEST, ours, ...); the table gives medians of ``--repeats``
processes, split into: start-up (interpreter, imports, exit: the process less the work
after the imports), build + simulate (ours: the compiled program, which creates the
synapses itself; NEST: ``Create``/``Connect`` and ``Simulate``, also given apart) and
the rest (ours: circuit, cache lookup, reading the results back, the CLI's summary,
saving; NEST: saving).  Ours are read from ``summary.json`` (``total_wall_s``) and the
result's metadata (``wall_time_s``: the program), after the process has ended.

The NEST twin of ``ping()``: LIF E (tau_m 20 ms, R_m 100 MOhm -> g_L 10 nS,
C_m 200 pF, t_ref 2 ms) and I cells (tau_m 10 ms -> C_m 100 pF, t_ref 1 ms), E_L -70,
V_th -50, V_reset -60 mV; exponential conductances (AMPA: E 0 mV, tau 2 ms; GABA_A:
E -80 mV, tau 10 ms); pairwise Bernoulli connections with ping's probabilities
(autapses allowed, no multapses, as ``Synapses.connect(p=...)``), weights (nS) and the
1 ms delay; E drive ``I_e = drive_e (1 + 0.2 U(-1, 1))`` per neuron; initial V_m
uniform in [V_reset, V_th]; a spike recorder per population; one thread (ours is
single-threaded too).  Differences: NEST integrates ``iaf_cond_exp`` with GSL's
adaptive RKF45 (ours: forward Euler, dt = 0.1 ms); the OU noise (sigma 40 pA,
tau 5 ms) becomes a ``noise_generator``, independent per neuron, piecewise constant
over h = tau_noise with std = sigma sqrt(2 tau_noise / h), which keeps the noise's
zero-frequency power (2 sigma^2 tau_noise); NEST records no LFP proxy (ours sums two
currents of every E cell each step into the probe) and computes no summary.  So the
networks are alike, not identical: the script prints both networks' rates and E
population-rate peak frequency as a check.
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

#: Our measured process: a second ``quifer-brian run`` (formatted with the run's values).
OURS_COMMAND = [
    "{bin}/quifer-brian",
    "run",
    "ping",
    "--param",
    "n_e={n_e}",
    "--param",
    "n_i={n_i}",
    "--param",
    "drive_e={drive_e}pA",
    "--param",
    "synapse={synapse}",
    "--duration",
    "{duration}s",
    "--backend",
    "cpp_standalone",
    "--seed",
    "1",
    "--cache-dir",
    "{cache}",
    "--out",
    "{out}",
]
#: ``--ours script``: the run alone, through the library (no summary).
SCRIPT_COMMAND = [
    "{python}",
    os.path.abspath(__file__),
    "--worker",
    "ours",
    "--n-e",
    "{n_e}",
    "--n-i",
    "{n_i}",
    "--drive-e",
    "{drive_e}",
    "--duration",
    "{duration}",
    "--synapse",
    "{synapse}",
    "--out",
    "{out}",
]
NEST_COMMAND = [
    "{python}",
    os.path.abspath(__file__),
    "--worker",
    "nest",
    "--n-e",
    "{n_e}",
    "--n-i",
    "{n_i}",
    "--drive-e",
    "{drive_e}",
    "--duration",
    "{duration}",
    "--synapse",
    "{synapse}",
    "--threads",
    "{threads}",
    "--out",
    "{out}",
]
#: Table rows: the whole process, start-up (interpreter, imports, exit), network
#: construction + simulation, everything else; NEST's build and simulate also apart.
ROWS = ("process", "startup", "build_simulate", "rest", "build", "simulate")
LABELS = {
    "process": "whole process",
    "startup": "start-up: interpreter, imports, exit",
    "build_simulate": "build + simulate (ours: the compiled program)",
    "rest": "rest (ours: circuit, cache lookup, read back, summary, save; NEST: save)",
    "build": "NEST build (Create, Connect)",
    "simulate": "NEST Simulate",
}

# ping() defaults, written out for the NEST twin
P = {"EE": 0.1, "EI": 0.5, "IE": 0.5, "II": 0.5}
W_NS = {"EE": 0.05, "EI": 0.5, "IE": 0.5, "II": 0.5}
E_REV = {"EE": 0.0, "EI": 0.0, "IE": -80.0, "II": -80.0}  # mV, by receptor
V_SYN = -55.0  # mV: where current-based weights take the driving force
DELAY_MS, DT_MS, SPREAD = 1.0, 0.1, 0.2
SIGMA_PA, TAU_NOISE_MS = 40.0, 5.0
#: noise_generator: a new value every NOISE_DT_MS, std keeping the OU's power at 0 Hz
NOISE_DT_MS = TAU_NOISE_MS
NOISE_STD_PA = SIGMA_PA * (2 * TAU_NOISE_MS / NOISE_DT_MS) ** 0.5


# --------------------------------------------------------------------------- workers
def worker_ours(args):
    from brian2 import pA, second

    from quifer_brian.networks import ping

    t_imported = time.perf_counter()
    circuit = ping(n_e=args.n_e, n_i=args.n_i, drive_e=args.drive_e * pA, synapse=args.synapse)
    result = circuit.run(args.duration * second, backend="cpp_standalone", cache=True, seed=1)
    os.makedirs(args.out, exist_ok=True)
    result.save(os.path.join(args.out, "result.npz"))
    return {"after_import": time.perf_counter() - t_imported}


def worker_nest(args):
    os.environ.setdefault("PYNEST_QUIET", "1")
    import nest
    import numpy as np

    t_imported = time.perf_counter()
    nest.verbosity = nest.VerbosityLevel.ERROR
    nest.ResetKernel()
    nest.SetKernelStatus({"resolution": DT_MS, "rng_seed": 1, "local_num_threads": args.threads})
    conductance = args.synapse == "conductance"
    model = "iaf_cond_exp" if conductance else "iaf_psc_exp"
    common = {"E_L": -70.0, "V_th": -50.0, "V_reset": -60.0, "tau_syn_ex": 2.0}
    common["tau_syn_in"] = 10.0
    if conductance:
        common.update(E_ex=0.0, E_in=-80.0, g_L=10.0)
    exc = nest.Create(model, args.n_e, params={**common, "t_ref": 2.0})
    inh = nest.Create(model, args.n_i, params={**common, "t_ref": 1.0})
    # C_m = tau_m g_L: 20 ms x 10 nS and 10 ms x 10 nS
    if conductance:
        exc.set(C_m=200.0)
        inh.set(C_m=100.0)
    else:  # iaf_psc_exp: tau_m and C_m
        exc.set(C_m=200.0, tau_m=20.0)
        inh.set(C_m=100.0, tau_m=10.0)
    exc.set(I_e=nest.random.uniform(args.drive_e * (1 - SPREAD), args.drive_e * (1 + SPREAD)))
    for group in (exc, inh):
        group.set(V_m=nest.random.uniform(-60.0, -50.0))
    noise = nest.Create(
        "noise_generator",
        params={"mean": 0.0, "std": NOISE_STD_PA, "dt": NOISE_DT_MS},
    )
    nest.Connect(noise, exc, syn_spec={"delay": DT_MS})
    groups = {"E": exc, "I": inh}
    for name in ("EE", "EI", "IE", "II"):
        weight = W_NS[name]
        if not conductance:  # current amplitude = w (E_rev - V_syn), pA
            weight = W_NS[name] * (E_REV[name] - V_SYN)
        elif name[0] == "I":
            weight = -weight  # iaf_cond_exp: negative weights go to g_in
        nest.Connect(
            groups[name[0]],
            groups[name[1]],
            conn_spec={
                "rule": "pairwise_bernoulli",
                "p": P[name],
                "allow_autapses": True,
            },
            syn_spec={"weight": weight, "delay": DELAY_MS},
        )
    recorders = {}
    for name, group in groups.items():
        recorders[name] = nest.Create("spike_recorder")
        nest.Connect(group, recorders[name])
    n_synapses = nest.GetKernelStatus("num_connections")
    t_built = time.perf_counter()
    nest.Simulate(args.duration * 1000.0)
    t_simulated = time.perf_counter()
    arrays = {}
    for name, group in groups.items():
        events = recorders[name].get("events")
        arrays[f"{name}_t"] = np.asarray(events["times"], dtype=float) / 1000.0
        arrays[f"{name}_i"] = np.asarray(events["senders"]) - group[0].global_id
    os.makedirs(args.out, exist_ok=True)
    np.savez(os.path.join(args.out, "spikes.npz"), **arrays)
    t_end = time.perf_counter()
    return {
        "after_import": t_end - t_imported,
        "build": t_built - t_imported,
        "simulate": t_simulated - t_built,
        "connections": int(n_synapses),
    }


# --------------------------------------------------------------------------- checks
def spikes_of(variant, out):
    """``{population: (times s, indices)}`` from a worker's output folder."""
    import numpy as np

    if variant == "nest":
        data = np.load(os.path.join(out, "spikes.npz"))
        return {name: (data[f"{name}_t"], data[f"{name}_i"]) for name in ("E", "I")}
    from quifer_brian.results import load

    return dict(load(os.path.join(out, "result.npz")).spikes)


def activity(spikes, sizes, duration):
    """Mean rates (Hz) and the peak frequency (Hz, 20-120) of the E population rate."""
    import numpy as np

    rates = {name: len(spikes[name][0]) / (sizes[name] * duration) for name in sizes}
    times = spikes["E"][0]
    times = times[times >= 0.2 * duration]  # leave out the onset
    counts, _ = np.histogram(times, bins=np.arange(0.2 * duration, duration + 1e-9, 1e-3))
    power = np.abs(np.fft.rfft(counts - counts.mean())) ** 2
    freqs = np.fft.rfftfreq(len(counts), 1e-3)
    band = (freqs >= 20) & (freqs <= 120)
    peak = float(freqs[band][np.argmax(power[band])]) if band.any() else float("nan")
    return rates, peak


# --------------------------------------------------------------------------- driver
def measure(template, variant, values):
    """Run one process; its wall time and phases (see the module docstring)."""
    command = [part.format(**values) for part in template]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    process = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{variant} run failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    record = {"process": process, "load": os.getloadavg()[0]}
    lines = done.stdout.strip().splitlines()
    if lines and lines[-1].startswith("{"):  # this script's workers
        record.update(json.loads(lines[-1]))
    else:  # the CLI: what it wrote
        with open(os.path.join(values["out"], "summary.json")) as stream:
            record["after_import"] = json.load(stream)["total_wall_s"]
    record["startup"] = process - record["after_import"]
    if variant == "nest":
        record["build_simulate"] = record["build"] + record["simulate"]
    else:
        from quifer_brian.results import load

        meta = load(os.path.join(values["out"], "result.npz")).meta
        record["build_simulate"] = meta["wall_time_s"]  # the compiled program
        record["compiled"] = meta.get("build") == "compiled"
    record["rest"] = record["after_import"] - record["build_simulate"]
    return record


def show(label, record):
    parts = [f"{key} {record[key]:6.2f}" for key in ROWS if key in record]
    compiled = "  (compiled)" if record.get("compiled") else ""
    print(f"  {label:12s} " + "  ".join(parts) + f"  load {record['load']:.2f}{compiled}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-e", type=int, default=4000)
    parser.add_argument("--n-i", type=int, default=1000)
    parser.add_argument("--drive-e", type=float, default=450.0, help="E drive, pA")
    parser.add_argument(
        "--warm-drive-e", type=float, default=400.0, help="E drive of the cache warm-up, pA"
    )
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--synapse", choices=("conductance", "current"), default="conductance")
    parser.add_argument("--threads", type=int, default=1, help="NEST threads (ours: 1)")
    parser.add_argument(
        "--ours", choices=("cli", "script"), default="cli", help="OURS_COMMAND or SCRIPT_COMMAND"
    )
    parser.add_argument("--quick", action="store_true", help="400 + 100 neurons, 0.2 s")
    parser.add_argument("--worker", choices=("ours", "nest"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        run = worker_ours if args.worker == "ours" else worker_nest
        print(json.dumps(run(args)))
        return 0
    if args.quick:
        args.n_e, args.n_i, args.duration = 400, 100, 0.2

    ours_template = OURS_COMMAND if args.ours == "cli" else SCRIPT_COMMAND
    scratch = tempfile.mkdtemp(prefix="bench_nest_")
    values = {
        "python": sys.executable,
        "bin": os.path.dirname(sys.executable),
        "cache": os.path.join(scratch, "cache"),
        "n_e": args.n_e,
        "n_i": args.n_i,
        "duration": args.duration,
        "synapse": args.synapse,
        "threads": args.threads,
    }
    # the script worker's cache=True reads the folder from the environment
    os.environ["QUIFER_BRIAN_CACHE"] = values["cache"]
    sizes = {"E": args.n_e, "I": args.n_i}
    print(
        f"PING {args.n_e} E + {args.n_i} I, {args.duration:g} s, {args.synapse} synapses, "
        f"drive_e {args.drive_e:g} pA (cache warmed at {args.warm_drive_e:g} pA), "
        f"{args.repeats} x 2 processes, NEST threads {args.threads}; {os.cpu_count()} CPUs, "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print("  ours: " + " ".join(ours_template))
    records = {"ours": [], "nest": []}
    try:
        warm_values = {**values, "drive_e": args.warm_drive_e}
        warm = measure(ours_template, "ours", {**warm_values, "out": f"{scratch}/warm"})
        show("ours warm-up", warm)
        outs = {}
        for repeat in range(args.repeats):
            for variant, template in (("ours", ours_template), ("nest", NEST_COMMAND)):
                outs[variant] = os.path.join(scratch, f"{variant}{repeat}")
                record = measure(
                    template, variant, {**values, "drive_e": args.drive_e, "out": outs[variant]}
                )
                records[variant].append(record)
                show(f"{repeat + 1} {variant}", record)
                if record.get("compiled"):
                    print("  WARNING: a timed run compiled (the package source changed?)")
        checks = {v: activity(spikes_of(v, outs[v]), sizes, args.duration) for v in outs}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    medians = {
        variant: {
            key: statistics.median(r[key] for r in rs) for key in ROWS if all(key in r for r in rs)
        }
        for variant, rs in records.items()
    }
    print(
        f"\nMedians (s) of {args.repeats} processes each; ratio = ours / NEST; "
        f"load {os.getloadavg()[0]:.2f}; NEST connections "
        f"{records['nest'][-1].get('connections')}"
    )
    print("| phase | ours | NEST | ours / NEST |")
    print("|---|---|---|---|")
    for key in ROWS:
        ours, nest = medians["ours"].get(key), medians["nest"].get(key)
        shown = [f"{value:.2f}" if value is not None else "-" for value in (ours, nest)]
        ratio = f"{ours / nest:.2f}" if ours is not None and nest else "-"
        print(f"| {LABELS[key]} | {shown[0]} | {shown[1]} | {ratio} |")
    print(f"| ours, first run (compiles) | {warm['process']:.2f} | - | - |")
    for variant, (rates, peak) in checks.items():
        print(
            f"  {variant}: rates E {rates['E']:.2f} Hz, I {rates['I']:.2f} Hz; "
            f"E population-rate peak {peak:.1f} Hz"
        )
    ratio = medians["ours"]["process"] / medians["nest"]["process"]
    print(f"whole process, ours / NEST = {ratio:.2f} (issue 17 target <= 0.35)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
