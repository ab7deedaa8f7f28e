"""Where one e-prop iteration's time goes: the NEST tutorial network on cpp_standalone.

Run: ``python benchmarks/profile_eprop_iteration.py [--training trial|program]
[--iterations 20] [--per-run 50] [--cache DIR]``.  Trains the sine-wave tutorial's
network (``bench_eprop_nest.py``'s seed 1) for one warm-up call (which compiles the
program when the cache lacks it), then times ``--iterations`` more with every step of a
rerun wrapped: the program's process, writing the run values, reading and removing the
results, forming the updates (trial training) or sorting a run's results (program
training).  Prints wall time per iteration for each part and the CPU time of this
process and of the programs it ran (``os.times()``).  Recorded in
``benchmarks/eprop.md`` (section 2c).
"""

import argparse
import importlib
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_eprop_nest import C_REG, ETA, F_TARGET, N_IN, N_OUT, N_REC, N_STEPS, tutorial_setup

TIMES = {}


def timed(name, function):
    """``function`` with its wall time added to ``TIMES[name]``."""

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            TIMES[name] = TIMES.get(name, 0.0) + time.perf_counter() - start

    return wrapper


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--training", choices=("trial", "program"), default="trial")
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--per-run", type=int, default=50)
    parser.add_argument("--cache", help="build cache folder (default: a scratch folder)")
    args = parser.parse_args(argv)
    from brian2 import Hz

    import quifer_brian.backends.compiled as compiled
    from quifer_brian.learning import eprop_network

    network = importlib.import_module("quifer_brian.learning.eprop_network")
    runs = importlib.import_module("quifer_brian.learning.eprop_program_runs")
    program = compiled.CompiledProgram
    program.verify = timed("the program's sha256", program.verify)
    program._arguments = timed("writing the run values", program._arguments)
    program._execute = timed("the program's process", program._execute)
    program._read = timed("reading the results", program._read)
    compiled.shutil.rmtree = timed("removing the results folder", shutil.rmtree)
    network._add_factorised = timed("forming the updates (numpy)", network._add_factorised)
    runs.training_run = timed("sorting a run's results", runs.training_run)
    with tempfile.TemporaryDirectory(prefix="eprop_profile_") as scratch:
        w_in, w_rec, w_out, w_fb, spikes, target = tutorial_setup(1)
        model = eprop_network(
            N_IN,
            N_REC,
            N_OUT,
            N_STEPS,
            feedback="random",
            backend="cpp_standalone",
            cache=args.cache or scratch,
            training=args.training,
            iterations_per_run=args.per_run,
        )
        model.weights = {"in": w_in, "rec": w_rec, "out": w_out}
        model.weights = {name: value.astype(float) for name, value in model.weights.items()}
        model.random_feedback = w_fb.astype(float)
        options = {"learning_rate": ETA, "c_reg": C_REG, "f_target": F_TARGET * Hz}
        warm_up = args.per_run if args.training == "program" else 2
        inputs, targets = spikes.T.astype(float), target[:, None]
        model.fit(inputs, targets, warm_up, progress=False, **options)
        TIMES.clear()
        start, before = time.perf_counter(), os.times()
        model.fit(inputs, targets, args.iterations, progress=False, **options)
        wall, after = time.perf_counter() - start, os.times()
    n = args.iterations
    own = after.user + after.system - before.user - before.system
    children = (after.children_user + after.children_system) - (
        before.children_user + before.children_system
    )
    print(
        f"training={args.training}: per iteration {wall / n * 1e3:.1f} ms wall, CPU "
        f"{own / n * 1e3:.1f} ms in Python and {children / n * 1e3:.1f} ms in the program "
        f"(load {os.getloadavg()[0]:.1f})"
    )
    for name, seconds in sorted(TIMES.items(), key=lambda item: -item[1]):
        print(f"  {name:30s} {seconds / n * 1e3:8.2f} ms wall per iteration")
    return 0


if __name__ == "__main__":
    sys.exit(main())
