"""PING on cpp_standalone: ``quifer_brian.networks.ping`` against the same network in raw Brian2.

Run: ``python benchmarks/bench_ping.py [--sizes 5000 50000] [--duration 1] [--repeats 3]``
(``--quick``: 500 neurons, 0.2 s, one process each, for a smoke run).

Each measurement is one fresh Python process (``--worker package|raw``), alternating
package and raw; the table reports the median of ``--repeats`` processes per variant.
Both variants build the same objects in the same order with the same names and seed --
E/I LIF groups (the E drive a tonic current ``I_0_drive * gain_drive`` with uniform
per-neuron gains; ``I_0_drive`` and the receptor time constants shared constant
variables, as ping() declares its tunable parameters), the four receptor projections,
a spike and a population-rate monitor per population and the LFP probe (a one-neuron
group summing ``|I_ampa|`` and ``|I_gaba_a|`` of the E cells through a ``(summed)``
synapse, recorded at 1 kHz) -- so the spike counts
must agree exactly; the script checks that.

Phases (wall clock, seconds):

- import: ``import brian2`` (+ ``quifer_brian`` for the package);
- build: Python side up to the compiler -- parameter checks, object creation,
  ``network.run`` (code generation), writing the project;
- compile: ``make`` of the generated project (a fresh folder each time: a full build);
  for the package, with the precompiled header it makes just before ``make``
  (``backends/pch.py``; counted here, not in build);
- simulate: the binary's run (synapse creation in C++, the time loop, writing results);
  ``loop`` is the time loop alone as the binary reports it;
- collect: reading the monitors back into numpy (and, for the package, the Result and
  its NaN/silence checks);
- rerun: the two last compiled programs run again ``--binary-reruns`` times, alternating
  (the simulate phase alone, measured more often than whole processes allow).

Sizes: ``n_e = 0.8 N``, ``n_i = 0.2 N``.  Up to ``--reference`` neurons (5000) the
builder's default connection probabilities are used; above it they are scaled by
``reference / N``, so every neuron keeps the in-degree it has at ``reference`` neurons.
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

START = time.perf_counter()

#: ``ping()`` defaults (the raw script writes the same values by hand).
DEFAULT_P = {"p_ee": 0.1, "p_ei": 0.5, "p_ie": 0.5, "p_ii": 0.5}
PHASES = ("import", "build", "compile", "simulate", "loop", "collect")
#: ``total`` = build + compile + simulate + collect; ``process`` = the whole process;
#: ``rerun``: the compiled programs run again ``--binary-reruns`` times, alternating.
COLUMNS = (*PHASES, "total", "process")


# --------------------------------------------------------------------------- timing
class PhaseClock:
    """Wall-clock marks around the device's compile and run (behaviour unchanged)."""

    def __init__(self):
        self.marks = {}

    def install(self, package=False):
        from brian2.devices.cpp_standalone.device import CPPStandaloneDevice

        for method in ("compile_source", "run"):
            original = getattr(CPPStandaloneDevice, method)
            setattr(CPPStandaloneDevice, method, self._wrap(method, original))
        if package:  # the package compiles a precompiled header before make
            from quifer_brian.backends import session

            session.prepare_pch = self._wrap("prepare_pch", session.prepare_pch)

    def _wrap(self, name, original):
        def timed(*args, **kwargs):
            self.marks[f"{name}_start"] = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.marks[f"{name}_end"] = time.perf_counter()
                if name == "run":  # read now: the package's session resets the device
                    self.marks["loop"] = float(getattr(args[0], "_last_run_time", "nan"))

        return timed

    def phases(self, t_imported, t_build_start, t_end):
        m = self.marks
        pch = m.get("prepare_pch_end", 0.0) - m.get("prepare_pch_start", 0.0)
        return {
            "import": t_imported - START,
            "build": m["compile_source_start"] - t_build_start - pch,
            "compile": m["compile_source_end"] - m["compile_source_start"] + pch,
            "simulate": m["run_end"] - m["run_start"],
            "loop": m["loop"],
            "collect": t_end - m["run_end"],
        }


# --------------------------------------------------------------------------- package
def run_package(n_e, n_i, probabilities, duration_s, seed, directory):
    from brian2 import second

    from quifer_brian.networks import ping

    t_imported = time.perf_counter()
    clock = PhaseClock()
    clock.install(package=True)
    t_build_start = time.perf_counter()
    circuit = ping(n_e=n_e, n_i=n_i, **probabilities)
    result = circuit.run(
        duration_s * second, backend="cpp_standalone", seed=seed, directory=directory
    )
    t_end = time.perf_counter()
    spikes = {name: len(times) for name, (times, _) in result.spikes.items()}
    return clock.phases(t_imported, t_build_start, t_end), spikes


# --------------------------------------------------------------------------- raw Brian2
def run_raw(n_e, n_i, probabilities, duration_s, seed, directory):
    """The same PING network written directly in Brian2."""
    import brian2
    import numpy as np
    from brian2 import (
        Mohm,
        Network,
        NeuronGroup,
        PopulationRateMonitor,
        SpikeMonitor,
        StateMonitor,
        Synapses,
        amp,
        device,
        ms,
        mV,
        nS,
        pA,
        second,
        set_device,
    )

    t_imported = time.perf_counter()
    clock = PhaseClock()
    clock.install()
    t_build_start = time.perf_counter()
    set_device("cpp_standalone", directory=directory, build_on_run=False)
    brian2.seed(seed)

    lif = """
    dv/dt = (E_L - v + R_m*(I_ext + I_in))/tau_m : volt (unless refractory)
    I_ampa = g_ampa*(E_ampa - v) : amp
    I_gaba_a = g_gaba_a*(E_gaba_a - v) : amp
    dg_ampa/dt = -g_ampa/tau_ampa : siemens
    dg_gaba_a/dt = -g_gaba_a/tau_gaba_a : siemens
    I_ext : amp
    tau_ampa : second (shared, constant)
    tau_gaba_a : second (shared, constant)
    """
    neuron = dict(E_L=-70 * mV, R_m=100 * Mohm, V_th=-50 * mV, V_reset=-60 * mV)
    reversal = dict(E_ampa=0 * mV, E_gaba_a=-80 * mV)
    noise = dict(mu_noise=0 * pA, sigma_noise=40 * pA, tau_noise=5 * ms)
    drive = dict(spread_drive=0.2)
    lif_kwargs = dict(threshold="v > V_th", reset="v = V_reset", refractory="t_ref")
    lif_kwargs.update(method="euler", dt=0.1 * ms)
    # E: OU noise plus a tonic drive I_0_drive * gain_drive, gains uniform in 1 +- 20 %;
    # the receptor time constants and I_0_drive are shared variables (tunable at run time)
    exc = NeuronGroup(
        n_e,
        lif
        + """
        I_in = I_ampa + I_gaba_a + I_noise + I_drive : amp
        dI_noise/dt = (mu_noise - I_noise)/tau_noise + sigma_noise*sqrt(2/tau_noise)*xi_noise : amp
        I_drive = I_0_drive*gain_drive : amp
        I_0_drive : amp (shared, constant)
        gain_drive : 1 (constant)
        """,
        namespace=dict(tau_m=20 * ms, t_ref=2 * ms, **neuron, **reversal, **noise, **drive),
        name="ping_E",
        **lif_kwargs,
    )
    exc.tau_ampa = 2 * ms
    exc.tau_gaba_a = 10 * ms
    exc.I_0_drive = 400 * pA
    exc.v = "E_L"
    exc.I_noise = "mu_noise"
    exc.gain_drive = "1 + spread_drive*(2*rand() - 1)"
    inh = NeuronGroup(
        n_i,
        lif + "I_in = I_ampa + I_gaba_a : amp",
        namespace=dict(tau_m=10 * ms, t_ref=1 * ms, **neuron, **reversal),
        name="ping_I",
        **lif_kwargs,
    )
    inh.tau_ampa = 2 * ms
    inh.tau_gaba_a = 10 * ms
    inh.v = "E_L"
    inh.I_ext = 0 * pA
    exc.v = "V_reset + rand()*(V_th - V_reset)"
    inh.v = "V_reset + rand()*(V_th - V_reset)"

    projections = []
    for name, source, target, receptor, w in (
        ("EE", exc, exc, "g_ampa", 0.05 * nS),
        ("EI", exc, inh, "g_ampa", 0.5 * nS),
        ("IE", inh, exc, "g_gaba_a", 0.5 * nS),
        ("II", inh, inh, "g_gaba_a", 0.5 * nS),
    ):
        synapses = Synapses(
            source,
            target,
            "w : siemens",
            on_pre=f"{receptor}_post += w",
            delay=1 * ms,
            dt=0.1 * ms,
            namespace={},
            method="euler",
            name=f"ping_{name}",
        )
        synapses.connect(p=probabilities[f"p_{name.lower()}"])
        synapses.w = w
        projections.append(synapses)

    monitors = {}
    for name, group in (("E", exc), ("I", inh)):
        monitors[f"spikes_{name}"] = SpikeMonitor(group, name=f"ping_spikes_{name}")
        monitors[f"rate_{name}"] = PopulationRateMonitor(group, name=f"ping_rate_{name}")
    # the LFP probe sums on the recording's clock and is recorded after the groups (the
    # package's construction since 2026-12-04: each sample the sums of its own step)
    probe = NeuronGroup(
        1, "I_exc : amp\nI_inh : amp", dt=1 * ms, name="ping_lfp_probe", namespace={}
    )
    summing = Synapses(
        exc,
        probe,
        "I_exc_post = abs(I_ampa_pre) : amp (summed)\n"
        "I_inh_post = abs(I_gaba_a_pre) : amp (summed)",
        namespace=dict(exc.namespace),
        name="ping_lfp_sum",
    )
    summing.connect()
    lfp_monitor = StateMonitor(
        probe, ["I_exc", "I_inh"], record=0, dt=1 * ms, when="after_groups", name="ping_lfp"
    )
    network = Network(exc, inh, *projections, probe, summing, *monitors.values(), lfp_monitor)
    network.run(duration_s * second, namespace={})
    device.build(directory=directory, compile=True, run=True, with_output=False)

    spikes = {}
    for name in ("E", "I"):
        spike_monitor = monitors[f"spikes_{name}"]
        times, indices = np.asarray(spike_monitor.t / second), np.asarray(spike_monitor.i[:])
        rate = np.asarray(monitors[f"rate_{name}"].rate / (1 / second))
        spikes[name] = len(times)
        assert len(indices) == len(times) and rate.size > 0
    excitatory = np.asarray(lfp_monitor.I_exc[0] / amp)
    inhibitory = np.asarray(lfp_monitor.I_inh[0] / amp)
    delayed = np.concatenate([np.full(6, excitatory[0]), excitatory[:-6]])  # 6 ms at 1 kHz
    lfp = delayed - 1.65 * inhibitory
    assert np.all(np.isfinite(lfp))
    t_end = time.perf_counter()
    return clock.phases(t_imported, t_build_start, t_end), spikes


# --------------------------------------------------------------------------- driver
def probabilities_for(n_neurons, reference):
    scale = min(1.0, reference / n_neurons)
    return {name: p * scale for name, p in DEFAULT_P.items()}


def worker(args):
    n_e, n_i = round(0.8 * args.size), round(0.2 * args.size)
    probabilities = probabilities_for(args.size, args.reference)
    directory = tempfile.mkdtemp(prefix=f"bench_ping_{args.worker}_")
    run = run_package if args.worker == "package" else run_raw
    try:
        phases, spikes = run(n_e, n_i, probabilities, args.duration, args.seed, directory)
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    if not args.keep:
        shutil.rmtree(directory, ignore_errors=True)
    print(json.dumps({"phases": phases, "spikes": spikes, "directory": directory}))
    return 0


def rerun_binaries(directories, n_reruns):
    """Wall time of each compiled program run again, alternating; medians per variant."""
    times = {variant: [] for variant in directories}
    for _ in range(n_reruns):
        for variant, directory in directories.items():
            start = time.perf_counter()
            subprocess.run(["./main"], cwd=directory, check=True, capture_output=True)
            times[variant].append(time.perf_counter() - start)
    return {variant: statistics.median(values) for variant, values in times.items()}


def measure(variant, size, args):
    command = [sys.executable, os.path.abspath(__file__), "--worker", variant]
    command += ["--size", str(size), "--duration", str(args.duration)]
    command += ["--seed", str(args.seed), "--reference", str(args.reference), "--keep"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{variant} worker failed (size {size}):\n{done.stderr[-4000:]}")
    record = json.loads(done.stdout.strip().splitlines()[-1])
    phases = record["phases"]
    phases["total"] = sum(phases[k] for k in ("build", "compile", "simulate", "collect"))
    phases["process"] = wall
    record["load"] = os.getloadavg()[0]
    return record


def median_phases(records):
    return {phase: statistics.median(r["phases"][phase] for r in records) for phase in COLUMNS}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[5000, 50000])
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument(
        "--repeats",
        type=int,
        nargs="+",
        default=[3],
        help="processes per variant, one value or one per size",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--binary-reruns",
        type=int,
        default=5,
        help="extra alternating runs of the last two compiled programs (simulate only)",
    )
    parser.add_argument(
        "--reference", type=int, default=5000, help="size whose in-degrees larger networks keep"
    )
    parser.add_argument("--quick", action="store_true", help="500 neurons, 0.2 s, 1 repeat")
    parser.add_argument("--worker", choices=("package", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--keep", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return worker(args)
    if args.quick:
        args.sizes, args.duration, args.repeats, args.binary_reruns = [500], 0.2, [1], 1
    # Both workers inherit the compiler the package would choose: a raw Brian2 process on
    # a Python whose own compiler is missing would drop every optimisation flag, and the
    # comparison would be -O3 against -O0 (quifer_brian.backends.toolchain).
    from quifer_brian.backends.toolchain import use_installed_compiler

    chosen = use_installed_compiler()
    if chosen:
        print(f"compiler for both variants: {chosen}")

    repeats = args.repeats * len(args.sizes) if len(args.repeats) == 1 else args.repeats
    tables = []
    for size, n_repeats in zip(args.sizes, repeats, strict=True):
        p = probabilities_for(size, args.reference)
        print(
            f"\nN = {size} ({0.8 * size:.0f} E + {0.2 * size:.0f} I), {args.duration:g} s, "
            f"p = {', '.join(f'{k} {v:g}' for k, v in p.items())}, {n_repeats} x 2 processes"
        )
        records = {"package": [], "raw": []}
        for repeat in range(n_repeats):
            for variant in ("package", "raw"):
                record = measure(variant, size, args)
                records[variant].append(record)
                ph = record["phases"]
                print(
                    f"  {repeat + 1} {variant:7s} "
                    + "  ".join(f"{k} {ph[k]:6.2f}" for k in COLUMNS)
                    + f"  load {record['load']:.2f}  spikes {record['spikes']}",
                    flush=True,
                )
        counts = {v: [r["spikes"] for r in rs] for v, rs in records.items()}
        same = all(c == counts["package"][0] for cs in counts.values() for c in cs)
        package, raw = median_phases(records["package"]), median_phases(records["raw"])
        last = {variant: rs[-1]["directory"] for variant, rs in records.items()}
        try:
            if args.binary_reruns > 0:
                reruns = rerun_binaries(last, args.binary_reruns)
                package["rerun"], raw["rerun"] = reruns["package"], reruns["raw"]
                print(f"  binary reruns ({args.binary_reruns} each, alternating): {reruns}")
        finally:
            for rs in records.values():
                for record in rs:
                    shutil.rmtree(record["directory"], ignore_errors=True)
        tables.append((size, n_repeats, package, raw, same, counts["package"][0]))

    print(
        f"\nMedians (s); ratio = package / raw; {os.cpu_count()} CPUs; "
        f"load {os.getloadavg()[0]:.2f}"
    )
    print("| N | repeats | phase | package | raw | ratio |")
    print("|---|---|---|---|---|---|")
    for size, n_repeats, package, raw, same, counts in tables:
        for phase in (*COLUMNS, "rerun"):
            if phase not in raw:
                continue
            ratio = package[phase] / raw[phase] if raw[phase] > 0 else float("nan")
            print(
                f"| {size} | {n_repeats} | {phase} | {package[phase]:.3f} | "
                f"{raw[phase]:.3f} | {ratio:.3f} |"
            )
        print(
            f"  N = {size}: spike counts {'identical' if same else 'DIFFER'} "
            f"between package and raw: {counts}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
