"""LIF f-I curve: numpy vs cpp_standalone, compile and simulation timed separately.

Run: ``python benchmarks/bench_fi_curve.py [--duration 1] [--n-currents 50]``.  The same
network (one LIF neuron per current, dt = 0.01 ms) is run on numpy and on
cpp_standalone in one process; standalone is split into code generation + compilation
and execution (a rerun of the compiled binary with new currents via ``run_args``).
Prints the times and the ratios.
"""

import argparse
import tempfile
import time

import numpy as np
from brian2 import Network, SpikeMonitor, device, ms, nA, second

from quifer_brian.backends import backend_session
from quifer_brian.equations import lif


def build(currents):
    group = lif.group(len(currents), dt=0.01 * ms)
    group.I_ext = currents
    monitor = SpikeMonitor(group)
    return group, monitor, Network(group, monitor)


def time_numpy(currents, duration):
    with backend_session("numpy") as session:
        start = time.perf_counter()
        _, monitor, network = build(currents)
        session.run(network, duration)
        return time.perf_counter() - start, monitor.num_spikes


def time_standalone(currents, duration):
    with backend_session("cpp_standalone", directory=tempfile.mkdtemp()) as session:
        start = time.perf_counter()
        group, monitor, network = build(currents)
        network.run(duration)
        device.build(directory=session.directory, compile=True, run=False, with_output=False)
        session.compiled = True
        compile_time = time.perf_counter() - start
        start = time.perf_counter()
        session.rerun({group.I_ext: currents})
        run_time = time.perf_counter() - start
        return compile_time, run_time, monitor.num_spikes


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=1.0, help="simulated seconds")
    parser.add_argument("--n-currents", type=int, default=50)
    args = parser.parse_args()
    currents = np.linspace(0.1, 1.0, args.n_currents) * nA
    duration = args.duration * second
    numpy_time, numpy_spikes = time_numpy(currents, duration)
    compile_time, run_time, sa_spikes = time_standalone(currents, duration)
    print(f"LIF f-I curve, {args.n_currents} neurons, {args.duration:g} s at dt = 0.01 ms")
    print(f"  numpy                       : {numpy_time:7.2f} s  ({numpy_spikes} spikes)")
    print(f"  cpp_standalone generate+compile: {compile_time:7.2f} s")
    print(f"  cpp_standalone run          : {run_time:7.2f} s  ({sa_spikes} spikes)")
    print(f"  ratio numpy / standalone run            : {numpy_time / run_time:7.1f}x")
    total = compile_time + run_time
    print(f"  ratio numpy / standalone compile + run  : {numpy_time / total:7.2f}x")


if __name__ == "__main__":
    main()
