"""Neural sampling (issue 15): exactness, digits and speed of the spiking sampler.

Usage: ``PYTHONPATH=. python benchmarks/bench_sampling.py [out_folder [section ...]]``;
the numbers go to stdout (recorded in ``benchmarks/sampling.md``) and the
KL-against-time figure to ``out_folder`` (default ``benchmarks/``).  Sections (default:
all, about 20 minutes on 2 cores): ``exactness``, ``kl_time``, ``digits``, ``stepwise``,
``speed`` (best of 5 alternating runs), ``lif`` (the sampler as built) and
``lif_variants`` (synapses x W translation, 16 chains, the longest).

1. KL(sampled || exact) of three random 5-unit machines after 50 s at dt 0.1 ms
   (cpp_standalone), with the numpy reference of the same chain on the same draws.
2. KL of a 10-unit machine against simulated time (log-log figure).
3. Digits, 3 seeds: class-conditional samples classified by a logistic regression
   trained on real digits, their diversity, completion of the bottom half against a
   numpy block-Gibbs sampler of the same RBM with as many samples.
4. Speed: samples (states) per second of wall time, spiking (program run only and with
   the compile) against the numpy references.
"""

import contextlib
import functools
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from brian2 import second

from quifer_brian.backends import BuildCache
from quifer_brian.learning.rbm import (
    gibbs_sample,
    load_binary_digits,
    mean_pairwise_hamming,
    sample_rbm_spiking,
    train_rbm,
    with_labels,
)
from quifer_brian.networks import boltzmann_sampler
from quifer_brian.networks.boltzmann_exact import (
    boltzmann_distribution,
    kl_divergence,
    random_machine,
    sample_abstract_reference,
    state_frequencies,
    states_from_spikes,
)

OUT = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).parent)
SECTIONS = ("exactness", "kl_time", "digits", "stepwise", "speed", "lif", "lif_variants")
CHOSEN = tuple(sys.argv[2:]) or SECTIONS
CACHE = BuildCache(tempfile.mkdtemp(prefix="bench_sampling_"))
N_PER_CLASS, N_SAMPLES = 4, 40


def exactness():
    print("## 1. Five-unit machines, 50 s at dt 0.1 ms, tau 10 ms ('exponential')")
    print("| draw | KL spiking | KL numpy reference | spiking run s | compile+run s | numpy s |")
    print("|---|---|---|---|---|---|")
    n_steps = 500_000
    for draw in range(3):
        weights, biases = random_machine(5, draw)
        exact = boltzmann_distribution(weights, biases)
        sampler = boltzmann_sampler(weights, biases, support=np.ones((5, 5), dtype=bool))
        start = time.perf_counter()
        run = sampler.run(50 * second, backend="cpp_standalone", seed=draw + 1, cache=CACHE)
        total = time.perf_counter() - start
        program = run.result.meta.get("wall_time_s", total)
        start = time.perf_counter()
        steps, units = sample_abstract_reference(weights, biases, n_steps, 100, seed=draw + 1)
        _, states = states_from_spikes(steps * 1e-4, units, 5, 1e-4, 100, n_steps)
        numpy_s = time.perf_counter() - start
        kl_ref = kl_divergence(state_frequencies(states), exact)
        print(
            f"| {draw} | {sampler.kl(run):.4f} | {kl_ref:.4f} | {program:.2f} | {total:.1f} | "
            f"{numpy_s:.2f} |"
        )


def stepwise_reference(weights, biases, n_steps, tau_steps, seed):
    """The same chain stepped one dt at a time in numpy (the plain way): on-states."""
    rng = np.random.default_rng(seed)
    n = len(biases)
    last = np.full(n, -(10 * tau_steps), dtype=np.int64)
    counts = np.zeros(2**n, dtype=np.int64)
    powers = 1 << np.arange(n)
    uniforms = rng.random((n_steps, n))
    z = np.zeros(n, dtype=bool)
    for m in range(n_steps):
        p = np.exp(biases + weights @ z) / tau_steps
        spike = (m - last >= tau_steps) & (uniforms[m] < p)
        last[spike] = m
        z = m - last < tau_steps
        counts[powers @ z] += 1
    return counts / n_steps


def lif(variants=True):
    from brian2 import ms

    from quifer_brian.networks.boltzmann_lif import calibrate_lif

    print("\n## 5. LIF sampler (Petrovici et al. 2016): the same 5-unit draws")
    start = time.perf_counter()
    calibration = calibrate_lif(10 * ms, 0.1 * ms, duration=10 * second)
    print(
        f"calibration: E_0 = {calibration.E_0 * 1e3:.1f} mV, beta = "
        f"{calibration.beta * 1e3:.2f} mV, alpha = {calibration.alpha * 1e3:.2f} mV "
        f"({time.perf_counter() - start:.0f} s)"
    )
    spans = np.array([1, 2, 5, 10, 25])
    support = np.ones((5, 5), dtype=bool)  # one structure per synapse kind: one compile
    print("\nThe sampler as built (renewing synapses, 'exponential' translation), 4 chains")
    print(
        "| draw | KL (4 chains x 25 s) | KL after "
        + " | ".join(f"{s:g}" for s in spans)
        + " s per chain | marginals sampled | marginals exact | build | wall s |"
    )
    for draw in range(3):
        run, sampler, wall = lif_run(draw, calibration, support, 4, "renewing", "exponential")
        exact = sampler.exact()
        kls = [
            kl_divergence(state_frequencies(run.states[:, : int(s / 1e-4)].reshape(-1, 5)), exact)
            for s in spans
        ]
        marginal = run.states.reshape(-1, 5).mean(axis=0)
        p_exact = exact @ ((np.arange(32)[:, None] >> np.arange(5)[None, :]) & 1)
        print(
            f"| {draw} | {sampler.kl(run):.4f} | "
            + " | ".join(f"{k:.4f}" for k in kls)
            + f" | {' '.join(f'{m:.3f}' for m in marginal)} | "
            f"{' '.join(f'{m:.3f}' for m in p_exact)} | {run.result.meta['build']} | "
            f"{wall:.1f} |"
        )
    if not variants:
        return
    print("\nSynapses and W translation (the sbs library's choices), 16 chains x 25 s")
    print("| synapses | translation | KL draw 0 | draw 1 | draw 2 | mean | builds |")
    for synapses in ("renewing", "additive"):
        for translation in ("exponential", "sbs"):
            kls, builds = [], []
            for draw in range(3):
                run, sampler, _ = lif_run(draw, calibration, support, 16, synapses, translation)
                kls.append(sampler.kl(run))
                builds.append(run.result.meta["build"])
            print(
                f"| {synapses} | {translation} | "
                + " | ".join(f"{k:.4f}" for k in kls)
                + f" | {np.mean(kls):.4f} | {', '.join(builds)} |"
            )


def lif_run(draw, calibration, support, n_chains, synapses, translation):
    """One LIF sampling run of draw ``draw`` (25 s per chain): (run, sampler, wall s)."""
    weights, biases = random_machine(5, draw)
    sampler = boltzmann_sampler(
        weights,
        biases,
        model="lif",
        calibration=calibration,
        n_chains=n_chains,
        support=support,
        lif_synapses=synapses,
    )
    with lif_translation(translation):
        start = time.perf_counter()
        run = sampler.run(
            25 * second, backend="cpp_standalone", seed=draw + 1, t_start=0.1 * second, cache=CACHE
        )
    return run, sampler, time.perf_counter() - start


@contextlib.contextmanager
def lif_translation(translation):
    """Run the LIF sampler with ``lif_run_values(..., translation=translation)``: the
    sampler uses ``'exponential'``; ``'sbs'`` is the authors' library's (for comparison)."""
    from quifer_brian.networks import boltzmann
    from quifer_brian.networks.boltzmann_lif import lif_run_values

    boltzmann.lif_run_values = functools.partial(lif_run_values, translation=translation)
    try:
        yield
    finally:
        boltzmann.lif_run_values = lif_run_values


def speed_stepwise():
    print("\n## 4. The plain per-step numpy reference (draw 0, 50 s at dt 0.1 ms)")
    weights, biases = random_machine(5, 0)
    start = time.perf_counter()
    p = stepwise_reference(weights, biases, 500_000, 100, seed=1)
    wall = time.perf_counter() - start
    kl = kl_divergence(p, boltzmann_distribution(weights, biases))
    print(f"KL {kl:.4f}, wall {wall:.1f} s")


def kl_against_time():
    import matplotlib.pyplot as plt

    print("\n## 2. Ten-unit machine (draw 10): KL against simulated time")
    weights, biases = random_machine(10, 10)
    sampler = boltzmann_sampler(weights, biases)
    run = sampler.run(200 * second, backend="cpp_standalone", seed=1, cache=CACHE)
    exact = sampler.exact()
    spans = np.array([0.5, 1, 2, 5, 10, 20, 50, 100, 200])
    kls = [kl_divergence(state_frequencies(run.states[0, : int(s / 1e-4)]), exact) for s in spans]
    print("| simulated s | " + " | ".join(f"{s:g}" for s in spans) + " |")
    print("|---" * (len(spans) + 1) + "|")
    print("| KL | " + " | ".join(f"{k:.4f}" for k in kls) + " |")
    slope = np.polyfit(np.log(spans), np.log(kls), 1)[0]
    print(f"log-log slope {slope:.2f} (sampling noise alone: -1)")
    fig, ax = plt.subplots(figsize=(4.5, 3.5))
    ax.loglog(spans, kls, "o-")
    ax.set_xlabel("simulated time (s)")
    ax.set_ylabel("KL(sampled || exact) (nats)")
    ax.set_title("10-unit Boltzmann machine")
    fig.tight_layout()
    fig.savefig(OUT / "sampling_kl_10_units.png", dpi=100)


def digits(seed):
    from sklearn.linear_model import LogisticRegression

    x_train, y_train, x_test, y_test = load_binary_digits()
    classifier = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    rbm = train_rbm(with_labels(x_train, y_train), n_hidden=200, n_epochs=60, seed=seed)
    classes = np.repeat(np.arange(10), N_PER_CLASS)
    clamp = -np.ones((len(classes), rbm.n_visible), dtype=int)
    clamp[:, 64:] = with_labels(np.zeros((len(classes), 64)), classes)[:, 64:]
    start = time.perf_counter()
    spiking = sample_rbm_spiking(rbm, clamp, N_SAMPLES, seed=seed + 1, cache=CACHE)
    spiking_s = time.perf_counter() - start
    start = time.perf_counter()
    gibbs = gibbs_sample(rbm, clamp, N_SAMPLES, every=2, seed=seed + 1)
    gibbs_s = time.perf_counter() - start
    pixels = spiking[..., :64]
    predicted = classifier.predict(pixels.reshape(-1, 64)).reshape(len(classes), -1)
    accuracy = float(np.mean(predicted == classes[:, None]))
    predicted = classifier.predict(gibbs[..., :64].reshape(-1, 64)).reshape(len(classes), -1)
    accuracy_gibbs = float(np.mean(predicted == classes[:, None]))
    diversity = min(
        mean_pairwise_hamming(pixels[classes == c].reshape(-1, 64))
        / mean_pairwise_hamming(x_train[y_train == c])
        for c in range(10)
    )
    picks = np.concatenate([np.flatnonzero(y_test == c)[:N_PER_CLASS] for c in range(10)])
    clamp = -np.ones((len(picks), rbm.n_visible), dtype=int)
    clamp[:, :32] = x_test[picks, :32]
    spiking = sample_rbm_spiking(rbm, clamp, N_SAMPLES, seed=seed + 2, cache=CACHE)
    gibbs = gibbs_sample(rbm, clamp, N_SAMPLES, every=2, seed=seed + 2)
    truth = x_test[picks][:, None, 32:]
    completion = float(np.mean(spiking[..., 32:64] == truth))
    completion_gibbs = float(np.mean(gibbs[..., 32:64] == truth))
    n = len(classes) * N_SAMPLES
    print(
        f"| {seed} | {accuracy:.3f} | {accuracy_gibbs:.3f} | {diversity:.2f} | "
        f"{completion:.3f} | {completion_gibbs:.3f} | {n / spiking_s:.0f} | {n / gibbs_s:.0f} |"
    )


def speed(repeats=5):
    """Samples per second, best and median of ``repeats`` alternating runs (the machine is
    shared: the best run is the least disturbed one).  The spiking programs are cached
    (compiled before timing)."""
    print(f"\n## 4. Speed: samples per second of wall time, best (median) of {repeats}")
    weights, biases = random_machine(5, 0)
    sampler = boltzmann_sampler(weights, biases, support=np.ones((5, 5), dtype=bool))
    sampler.run(50 * second, backend="cpp_standalone", seed=1, cache=CACHE)  # compile
    n_states = 500_000
    spiking, spiking_total, reference = [], [], []
    for k in range(repeats):
        start = time.perf_counter()
        run = sampler.run(50 * second, backend="cpp_standalone", seed=k + 1, cache=CACHE)
        spiking_total.append(time.perf_counter() - start)
        spiking.append(run.result.meta["wall_time_s"])
        start = time.perf_counter()
        steps, units = sample_abstract_reference(
            weights, biases, n_steps=n_states, tau_steps=100, seed=k + 1
        )
        states_from_spikes(steps * 1e-4, units, 5, 1e-4, 100, n_states)
        reference.append(time.perf_counter() - start)
    x_train, y_train, _, _ = load_binary_digits()
    rbm = train_rbm(with_labels(x_train, y_train), n_hidden=200, n_epochs=60, seed=1)
    classes = np.repeat(np.arange(10), N_PER_CLASS)
    clamp = -np.ones((len(classes), rbm.n_visible), dtype=int)
    clamp[:, 64:] = with_labels(np.zeros((len(classes), 64)), classes)[:, 64:]
    sample_rbm_spiking(rbm, clamp, N_SAMPLES, seed=1, cache=CACHE)  # compile
    digits_spiking, digits_gibbs = [], []
    for k in range(repeats):
        start = time.perf_counter()
        sample_rbm_spiking(rbm, clamp, N_SAMPLES, seed=k + 2, cache=CACHE)
        digits_spiking.append(time.perf_counter() - start)
        start = time.perf_counter()
        gibbs_sample(rbm, clamp, N_SAMPLES, every=2, seed=k + 2)
        digits_gibbs.append(time.perf_counter() - start)
    n_digits = len(classes) * N_SAMPLES

    def rate(count, walls):
        return f"{count / min(walls):,.0f} ({count / np.median(walls):,.0f})"

    print("| sampler | task | samples/s best (median) |")
    print("|---|---|---|")
    print(f"| spiking, program only | 5 units, 500 000 states | {rate(n_states, spiking)} |")
    print(f"| spiking, whole rerun call | same | {rate(n_states, spiking_total)} |")
    print(f"| numpy reference, event-driven | same | {rate(n_states, reference)} |")
    print(
        f"| spiking, digits, whole call | {n_digits} samples | {rate(n_digits, digits_spiking)} |"
    )
    print(f"| numpy block Gibbs, digits | same | {rate(n_digits, digits_gibbs)} |")


def main():
    unknown = sorted(set(CHOSEN) - set(SECTIONS))
    if unknown:
        raise SystemExit(f"unknown sections {unknown}; choose from {', '.join(SECTIONS)}")
    os.makedirs(OUT, exist_ok=True)
    if "exactness" in CHOSEN:
        exactness()
    if "kl_time" in CHOSEN:
        kl_against_time()
    if "digits" in CHOSEN:
        print(
            "\n## 3. Digits (200 hidden, 10 label copies, PCD-1 60 epochs, weight decay 1e-3; "
            "tau 10 ms, dt 1 ms)"
        )
        print(
            "| seed | cond. acc spiking | cond. acc Gibbs | min diversity ratio | completion "
            "spiking | completion Gibbs | spiking samples/s (with compile) | Gibbs samples/s |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for seed in range(3):
            digits(seed)
    if "stepwise" in CHOSEN:
        speed_stepwise()
    if "speed" in CHOSEN:
        speed()
    if "lif" in CHOSEN or "lif_variants" in CHOSEN:
        lif(variants="lif_variants" in CHOSEN)


if __name__ == "__main__":
    main()
