"""e-prop pattern generation: the package against NEST 3.10's sine-wave tutorial.

Run: ``python benchmarks/bench_eprop_nest.py [--iterations 200] [--seeds 1 2 3]
[--only ours|nest] [--training trial|program] [--per-run 50] [--json FILE]``.
Needs NEST for its side: ``pip install nest-simulator==3.10.0`` (optional; not a
dependency of the package).  Without NEST the script says so and runs only ours (exit status 0).

The task is NEST's ``eprop_supervised_regression_sine-waves_bsshslm_2020.py`` (after
Bellec et al. 2020's TensorFlow tutorial): 100 frozen-Poisson input channels (5 % per
1 ms step, a 1000-step sequence repeated), 100 recurrent LIF cells (tau_m 30 ms, V_th
0.03 mV, reset by subtraction, t_ref 0, pseudo-derivative 0.3/V_th piecewise linear), one
readout (tau 30 ms), target: four summed sines (periods 1000, 500, 333, 200 steps, random
amplitudes and phases, normalised); weights normal / sqrt(fan-in) (float32, no
autapses), *random* feedback weights, gradient descent with eta = 1e-4, batch 1,
firing-rate regularisation c_reg = 300 towards 10 Hz, loss 1/2 sum_t (y - y*)^2 per
iteration.  Both sides draw every number from ``np.random.seed(seed)`` in the
tutorial's order, so they start from the same weights, input and target.

``--training program`` trains with ``eprop_network(..., training="program")``: one
program run simulates ``--per-run`` iterations and applies the updates itself (the same
weights as the trial-by-trial training, to rounding); ``--training trial`` (default) runs
the program once per iteration and forms the updates in Python.

What is timed is the whole process (interpreter start, imports, setup, training,
exit), as a user sees it.  Ours runs on cpp_standalone through a scratch build cache:
the first (cold) process compiles the program and is reported apart; the timed
processes find it in the cache.  Processes alternate (ours, NEST, ours, ...).

Known differences of formulation (why the losses need not agree exactly): NEST's
connections carry a 1-step delay and its readout reports the previous step's value
(the error of step t meets the traces of step t-1); ours delivers spikes within the
step and integrates the leak before adding them (an input spike adds
``alpha (1 - alpha) w`` to the potential seen at the next threshold, NEST's
``(1 - alpha) w``).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

N_IN, N_REC, N_OUT, N_STEPS = 100, 100, 1, 1000
ETA, C_REG, F_TARGET = 1e-4, 300.0, 10.0


def tutorial_setup(seed):
    """Weights, input spikes and target drawn as NEST's tutorial draws them."""
    # the tutorial's legacy global generator, call for call: both sides draw the same
    np.random.seed(seed)  # noqa: NPY002
    w_in = np.array(np.random.randn(N_IN, N_REC).T / np.sqrt(N_IN), dtype=np.float32)  # noqa: NPY002
    w_rec = np.array(np.random.randn(N_REC, N_REC).T / np.sqrt(N_REC), dtype=np.float32)  # noqa: NPY002
    np.fill_diagonal(w_rec, 0.0)
    w_out = np.array(np.random.randn(N_REC, N_OUT).T / np.sqrt(N_REC), dtype=np.float32)  # noqa: NPY002
    w_fb = np.array(np.random.randn(N_REC, N_OUT) / np.sqrt(N_REC), dtype=np.float32)  # noqa: NPY002
    spikes = (np.random.rand(N_STEPS, N_IN) < 0.05).swapaxes(0, 1)  # noqa: NPY002
    spikes[:, 0] = 0  # as the tutorial: no spike in a sequence's first step
    periods = [1000, 500, 333, 200]
    amplitudes = np.random.uniform(low=0.5, high=2.0, size=len(periods))  # noqa: NPY002
    phases = np.random.uniform(low=0.0, high=2.0 * np.pi, size=len(periods))  # noqa: NPY002
    target = sum(
        a * np.sin(np.linspace(p, p + 2.0 * np.pi * (N_STEPS // T), N_STEPS))
        for a, p, T in zip(amplitudes, phases, periods, strict=True)
    )
    target -= target[0]
    target /= max(np.abs(target).max(), 1e-6)
    return w_in, w_rec, w_out, w_fb, spikes, target


# ---------------------------------------------------------------------------- workers
def worker_ours(seed, iterations, cache, traces="factorised", training="trial", per_run=50):
    """Train the package's network; return the loss history and timings."""
    start = time.perf_counter()
    from brian2 import Hz

    from quifer_brian.learning import eprop_network

    w_in, w_rec, w_out, w_fb, spikes, target = tutorial_setup(seed)
    model = eprop_network(
        N_IN,
        N_REC,
        N_OUT,
        N_STEPS,
        feedback="random",
        backend="cpp_standalone",
        cache=cache,
        traces=traces,
        training=training,
        iterations_per_run=per_run,
    )
    model.weights = {
        "in": w_in.astype(float),
        "rec": w_rec.astype(float),
        "out": w_out.astype(float),
    }
    model.random_feedback = w_fb.astype(float)
    inputs = spikes.T.astype(float)
    compiled_at = time.perf_counter()
    if training == "trial":
        model.trials  # noqa: B018 - compiles or finds the program
    ready = time.perf_counter()  # training='program': the first fit run compiles
    model.fit(
        inputs,
        target[:, None],
        iterations,
        learning_rate=ETA,
        optimizer="gd",
        c_reg=C_REG,
        f_target=F_TARGET * Hz,
        progress=False,
    )
    end = time.perf_counter()
    return {
        "loss": model.history["loss"],
        "rate_hz": model.history["rate"],
        "compiled": bool(
            model.trials.compiled
            if training == "trial"
            else any(p.compiled for p in model._programs.values())
        ),
        "setup_s": compiled_at - start,
        "program_s": ready - compiled_at,
        "train_s": end - ready,
    }


def worker_nest(seed, iterations):
    """NEST 3.10's tutorial network, trained; return the loss history and timings."""
    start = time.perf_counter()
    import nest

    w_in, w_rec, w_out, w_fb, spikes, target = tutorial_setup(seed)
    steps_task = iterations * N_STEPS
    offset, delays = 1, 3
    nest.ResetKernel()
    nest.set(
        eprop_learning_window=float(N_STEPS),
        eprop_reset_neurons_on_update=True,
        eprop_update_interval=float(N_STEPS),
        print_time=False,
        resolution=1.0,
        total_num_virtual_procs=1,
    )
    nest.set_verbosity("M_ERROR")
    rec_params = {
        "C_m": 1.0,
        "c_reg": C_REG,
        "E_L": 0.0,
        "f_target": F_TARGET,
        "I_e": 0.0,
        "regular_spike_arrival": False,
        "surrogate_gradient_function": "piecewise_linear",
        "surrogate_gradient_height": 0.3 / 0.03,
        "surrogate_gradient_width": 1.0 * 0.03,
        "t_ref": 0.0,
        "tau_m": 30.0,
        "V_m": 0.0,
        "V_th": 0.03,
    }
    out_params = {
        "C_m": 1.0,
        "E_L": 0.0,
        "I_e": 0.0,
        "loss": "mean_squared_error",
        "regular_spike_arrival": False,
        "tau_m": 30.0,
        "V_m": 0.0,
    }
    generators = nest.Create("spike_generator", N_IN)
    inputs = nest.Create("parrot_neuron", N_IN)
    rec = nest.Create("eprop_iaf_bsshslm_2020", N_REC, rec_params)
    out = nest.Create("eprop_readout_bsshslm_2020", N_OUT, out_params)
    rate_target = nest.Create("step_rate_generator", N_OUT)
    meter = nest.Create(
        "multimeter",
        {
            "interval": 1.0,
            "record_from": ["readout_signal", "target_signal"],
            "start": float(offset + delays),
            "stop": float(offset + delays + steps_task),
        },
    )
    nest.SetDefaults(
        "eprop_synapse_bsshslm_2020",
        {
            "optimizer": {
                "type": "gradient_descent",
                "batch_size": 1,
                "eta": ETA,
                "Wmin": -100.0,
                "Wmax": 100.0,
            },
            "average_gradient": False,
        },
    )
    base = {"synapse_model": "eprop_synapse_bsshslm_2020", "delay": 1.0, "tau_m_readout": 30.0}
    static = {"synapse_model": "static_synapse", "delay": 1.0}
    all_to_all = {"rule": "all_to_all", "allow_autapses": False}
    nest.Connect(generators, inputs, {"rule": "one_to_one"}, static)
    nest.Connect(inputs, rec, all_to_all, {**base, "weight": w_in})
    nest.Connect(rec, rec, all_to_all, {**base, "weight": w_rec})
    nest.Connect(rec, out, all_to_all, {**base, "weight": w_out})
    nest.Connect(
        out,
        rec,
        all_to_all,
        {
            "synapse_model": "eprop_learning_signal_connection_bsshslm_2020",
            "delay": 1.0,
            "weight": w_fb,
        },
    )
    nest.Connect(
        rate_target,
        out,
        {"rule": "one_to_one"},
        {"synapse_model": "rate_connection_delayed", "delay": 1.0, "receptor_type": 2},
    )
    nest.Connect(meter, out, "all_to_all", static)
    starts = np.arange(0.0, steps_task, N_STEPS) + offset
    times = np.arange(0.0, N_STEPS, 1.0)
    generators.set(
        [
            {"spike_times": np.hstack([times[row] + s for s in starts]).astype(np.float32)}
            for row in spikes
        ]
    )
    rate_target.set(
        {
            "amplitude_times": np.arange(0.0, steps_task, 1.0) + offset + delays,
            "amplitude_values": np.tile(target, iterations),
        }
    )
    final = nest.Create("spike_generator", 1, {"spike_times": [steps_task + delays]})
    nest.Connect(final, inputs + rec, "all_to_all", {"weight": 1000.0})
    built = time.perf_counter()
    nest.Simulate(float(steps_task + offset + delays + 1))
    simulated = time.perf_counter()
    events = meter.get("events")
    readout = np.asarray(events["readout_signal"]).reshape(iterations, N_STEPS)
    wanted = np.asarray(events["target_signal"]).reshape(iterations, N_STEPS)
    loss = 0.5 * np.sum((readout - wanted) ** 2, axis=1)
    return {
        "loss": loss.tolist(),
        "setup_s": built - start,
        "train_s": simulated - built,
    }


# ---------------------------------------------------------------------------- gradients
def cosine_table(seeds=(1, 2, 3), lengths=(100, 300, 1000), scales=(1.0, 0.3, 0.1)):
    """e-prop against BPTT on the tutorial's network at its initial weights.

    With the numpy formulation (:mod:`quifer_brian.learning.eprop_reference`, which the
    tests show equal to the Brian2 equations' updates to 1e-6): the cosine similarity of
    the input and recurrent updates, and the two norms, for trials of ``lengths`` steps
    with the recurrent weights scaled by ``scales``.
    """
    from quifer_brian.learning import bptt_gradients, eprop_gradients

    alpha = kappa = float(np.exp(-1.0 / 30.0))
    params = {"alpha": alpha, "kappa": kappa, "rho": 1.0, "theta": 0.03, "beta": 0.0}
    params["gamma"] = 0.3
    off = ~np.eye(N_REC, dtype=bool)
    rows = []
    for n_steps in lengths:
        for scale in scales:
            for seed in seeds:
                w_in, w_rec, w_out, _, spikes, target = tutorial_setup(seed)
                x, y = spikes.T[:n_steps].astype(float), target[:n_steps, None]
                weights = (w_in.astype(float), w_rec.astype(float) * scale, w_out.astype(float))
                e = eprop_gradients(params, *weights, x, y)
                b = bptt_gradients(params, *weights, x, y)
                found = np.concatenate([e["in"].ravel(), e["rec"][off]])
                exact = np.concatenate([b["in"].ravel(), b["rec"][off]])
                cosine = found @ exact / (np.linalg.norm(found) * np.linalg.norm(exact))
                rows.append(
                    (n_steps, scale, seed, cosine, np.linalg.norm(found), np.linalg.norm(exact))
                )
                print(
                    f"steps {n_steps:5d}  W_rec x {scale:3.1f}  seed {seed}: cosine {cosine:6.3f}  "
                    f"|e-prop| {rows[-1][4]:9.3g}  |BPTT| {rows[-1][5]:9.3g}"
                )
    return rows


# ---------------------------------------------------------------------------- the paper
def pattern_generation(seed, max_iterations, cache, learning_rate=3e-3, every=50, training="trial"):
    """The paper's task (Bellec et al. 2020, Fig. 2): NMSE <= 0.1 within 1000 iterations.

    The tutorial's sizes, input and 1 s target of four summed sines (drawn with
    ``seed``), the package's initial weights (``eprop_network(seed=seed)``), trained
    with Adam (``learning_rate``), *symmetric* feedback and the rate regulariser (c_reg
    300, 10 Hz) on cpp_standalone.  Prints the normalised MSE of the training trial
    (``2 loss / n_steps / var(target)``) every ``every`` iterations and stops once it is
    <= 0.1 at a report.  Returns the iterations run and the NMSE curve.
    """
    from brian2 import Hz

    from quifer_brian.learning import eprop_network

    *_, spikes, target = tutorial_setup(seed)
    model = eprop_network(
        N_IN,
        N_REC,
        N_OUT,
        N_STEPS,
        backend="cpp_standalone",
        cache=cache,
        seed=seed,
        training=training,
        iterations_per_run=every,
    )
    variance = float(np.var(target))
    nmse = []
    while len(model.history["loss"]) < max_iterations:
        model.fit(
            spikes.T.astype(float),
            target[:, None],
            every,
            learning_rate=learning_rate,
            optimizer="adam",
            c_reg=C_REG,
            f_target=F_TARGET * Hz,
            progress=False,
        )
        nmse = [2 * loss / N_STEPS / variance for loss in model.history["loss"]]
        print(
            f"iteration {len(nmse):5d}: NMSE {nmse[-1]:.4f}, "
            f"rate {model.history['rate'][-1]:.1f} Hz"
        )
        if nmse[-1] <= 0.1:
            break
    return {"iterations": len(nmse), "nmse": nmse}


# ---------------------------------------------------------------------------- driver
def _process(arguments):
    """Run this script as a worker; ``(result, whole-process wall time)``."""
    with tempfile.TemporaryDirectory(prefix="eprop_bench_") as folder:
        out = os.path.join(folder, "out.json")
        command = [sys.executable, os.path.abspath(__file__), *arguments, "--json", out]
        start, times = time.perf_counter(), os.times()
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        after = os.times()  # the worker and every process it waited for (the program)
        cpu = (after.children_user - times.children_user) + (
            after.children_system - times.children_system
        )
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(arguments)} failed:\n{done.stderr[-2000:]}")
        with open(out, encoding="utf-8") as stream:
            result = json.load(stream)
        result["cpu_s"] = cpu
        return result, wall


def nest_available():
    """True when ``import nest`` works in this interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", "import nest"], capture_output=True, text=True, check=False
    )
    return done.returncode == 0


def _summary(name, runs):
    final = [run["loss"][-1] for run, _ in runs]
    walls = [wall for _, wall in runs]
    cpus = [run["cpu_s"] for run, _ in runs]
    first = [run["loss"][0] for run, _ in runs]
    print(
        f"{name:5s} loss first {np.mean(first):8.3f}  final {np.mean(final):8.3f} "
        f"(seeds: {', '.join(f'{v:.3f}' for v in final)})  process wall "
        f"median {np.median(walls):7.1f} s (each: {', '.join(f'{w:.1f}' for w in walls)}), "
        f"CPU median {np.median(cpus):7.1f} s"
    )
    return {"final": final, "first": first, "walls": walls, "cpus": cpus}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--only", choices=("ours", "nest"))
    parser.add_argument("--json", help="write the measured numbers here")
    parser.add_argument(
        "--cosine", action="store_true", help="only the e-prop/BPTT cosine table (numpy)"
    )
    parser.add_argument(
        "--pattern", type=int, metavar="MAX", help="only the paper's task, at most MAX iterations"
    )
    parser.add_argument(
        "--traces",
        choices=("factorised", "synaptic"),
        default="factorised",
        help="the package's e-prop formulation with --training trial (default: factorised)",
    )
    parser.add_argument(
        "--training",
        choices=("trial", "program"),
        default="trial",
        help="the package's training: one program run per trial (updates in Python) or "
        "--per-run iterations per run with the updates applied in the program",
    )
    parser.add_argument("--per-run", type=int, default=50, help="iterations per program run")
    parser.add_argument("--worker", choices=("ours", "nest"), help=argparse.SUPPRESS)
    parser.add_argument("--cache", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        seed = args.seeds[0]
        if args.worker == "ours":
            result = worker_ours(
                seed, args.iterations, args.cache, args.traces, args.training, args.per_run
            )
        else:
            result = worker_nest(seed, args.iterations)
        with open(args.json, "w", encoding="utf-8") as stream:
            json.dump(result, stream)
        return 0
    if args.cosine:
        cosine_table(args.seeds)
        return 0
    if args.pattern:
        with tempfile.TemporaryDirectory(prefix="eprop_cache_") as cache:
            for seed in args.seeds:
                print(f"seed {seed}:")
                start = time.perf_counter()
                pattern_generation(seed, args.pattern, cache, training=args.training)
                print(f"  {time.perf_counter() - start:.1f} s (compile included)")
        return 0
    sides = ["ours", "nest"] if args.only is None else [args.only]
    if "nest" in sides and not nest_available():
        print("NEST is not importable (pip install nest-simulator==3.10.0): skipping its side.")
        sides.remove("nest")
        if not sides:
            return 0
    report = {"iterations": args.iterations, "seeds": args.seeds}
    with tempfile.TemporaryDirectory(prefix="eprop_cache_") as cache:
        common = ["--iterations", str(args.iterations), "--cache", cache, "--traces", args.traces]
        common += ["--training", args.training, "--per-run", str(args.per_run)]
        if "ours" in sides:
            cold, wall = _process(["--worker", "ours", "--seeds", str(args.seeds[0]), *common])
            print(
                f"ours, cold first process (compiles: {cold['compiled']}): {wall:.1f} s, of "
                f"which program {cold['program_s']:.1f} s, training {cold['train_s']:.1f} s"
            )
            report["ours_cold"] = {"wall_s": wall, **cold}
        runs = {side: [] for side in sides}
        for seed in args.seeds:
            for side in sides:
                result, wall = _process(["--worker", side, "--seeds", str(seed), *common])
                runs[side].append((result, wall))
                print(
                    f"  {side} seed {seed}: final loss {result['loss'][-1]:.3f}, {wall:.1f} s "
                    f"(setup {result['setup_s']:.1f} s, training {result['train_s']:.1f} s; "
                    f"CPU {result['cpu_s']:.1f} s)",
                    flush=True,
                )
    for side in sides:
        report[side] = _summary(side, runs[side])
        report[f"{side}_loss_curves"] = [run["loss"] for run, _ in runs[side]]
    if len(sides) == 2:
        ratio_loss = np.mean(report["ours"]["final"]) / np.mean(report["nest"]["final"])
        ratio_wall = np.median(report["ours"]["walls"]) / np.median(report["nest"]["walls"])
        print(f"final loss ours / NEST: {ratio_loss:.3f} (target <= 1.1)")
        ratio_cpu = np.median(report["ours"]["cpus"]) / np.median(report["nest"]["cpus"])
        print(f"process wall ours / NEST: {ratio_wall:.3f} (target <= 0.5)")
        print(f"process CPU time ours / NEST: {ratio_cpu:.3f} (less sensitive to the load)")
        report.update(loss_ratio=ratio_loss, wall_ratio=ratio_wall, cpu_ratio=ratio_cpu)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as stream:
            json.dump(report, stream)
    return 0


if __name__ == "__main__":
    sys.exit(main())
