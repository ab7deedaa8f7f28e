"""Why imprinted loops miss the cued pattern: a per-cue diagnosis of issue 12's criterion.

Run: ``nice -n 10 python benchmarks/imprint_completion.py [--draws 0,1,2]
[--designed]`` (about 1 min of imprint per draw on numpy and one cpp_standalone compile
for all draws; ``--designed`` also runs the same cues on the loop built with the
patterns, i.e. the Gaussian match weights, a second compile).  The draws, cues and sizes
are those of ``tests/networks/test_actualization_imprint.py``.

For every cue it prints the cue's distance to each pattern, the memory assembly that
fired most in the first 20 ms and at the end (spike counts), the pattern nearest to the
final state and the final distance to the cued one; then a *read-out proxy*: the
assembly with the largest static F->M drive ``sum_f r_f(cue) w_fk`` (``r_f`` the tuned
cue profile, width ``tuning_width``), which predicts where a trial ends.  Recorded runs:
``imprint_completion.md``.
"""

import argparse

import numpy as np
from brian2 import ms

from quifer_brian.backends import BuildCache
from quifer_brian.networks.actualization import actualization_loop, random_archetypes
from quifer_brian.networks.actualization.layout import preferred_values

DIM, K, BATCH, REPETITIONS = 3, 3, 32, 20
CUE_NOISE, THRESHOLD, DURATION = 0.15, 0.1, 500 * ms


def cues_of(seed):
    """The test's patterns and cues of draw ``seed``."""
    patterns = random_archetypes(K, DIM, 0.4, seed=seed)
    rng = np.random.default_rng(100 + seed)
    cued = rng.integers(0, K, BATCH)
    return patterns, np.clip(patterns[cued] + rng.normal(0, CUE_NOISE, (BATCH, DIM)), 0, 1), cued


def static_drive(fm_weights, cues, neurons_per_dim, memory_size, width):
    """``(n_cues, K)``: the tuned cue profile times each assembly's mean F->M weight."""
    preferred = preferred_values(neurons_per_dim)
    profile = np.exp(-((preferred - cues[..., np.newaxis]) ** 2) / (2 * width**2))
    weights = np.asarray(fm_weights).reshape(len(fm_weights), -1, memory_size).mean(-1)
    return profile.reshape(len(cues), -1) @ weights


def diagnose(run, patterns, cues, cued, drive):
    """Print the per-cue table of one run; return (success, proxy accuracy)."""
    times, indices = (np.asarray(x) for x in run.result.spikes["M"])
    assembly = indices // (run.result.sizes["M"] // (BATCH * K))  # trial * K + archetype
    early = np.zeros((BATCH, K))
    late = np.zeros((BATCH, K))
    np.add.at(early, (assembly[times < 0.02] // K, assembly[times < 0.02] % K), 1)
    end = times >= float(DURATION / ms) / 1000 - 0.1
    np.add.at(late, (assembly[end] // K, assembly[end] % K), 1)
    to_patterns = np.sqrt(((cues[:, None] - patterns[None]) ** 2).sum(-1))
    final = np.sqrt(((run.final_states[:, None] - patterns[None]) ** 2).sum(-1))
    success = run.success(THRESHOLD)
    print("cue cued  distance to patterns  first 20 ms  last 100 ms  ends at  final dist  proxy")
    for b in range(BATCH):
        ends = int(np.argmin(final[b])) if np.isfinite(final[b]).all() else -1
        print(
            f"{b:3d} {cued[b]:4d}  {np.array2string(to_patterns[b], precision=2):20s}"
            f"  {np.array2string(early[b], precision=0):11s}"
            f"  {np.array2string(late[b], precision=0):11s}"
            f"  {ends:7d}  {final[b, cued[b]]:10.2f}  {drive[b].argmax():5d}"
            + ("" if success[b] else "   FAIL")
        )
    return success.mean(), (drive.argmax(1) == cued).mean()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", default="0,1,2")
    parser.add_argument("--designed", action="store_true")
    parser.add_argument("--cache", default=None, help="build-cache folder (default: the package's)")
    args = parser.parse_args(argv)
    cache = BuildCache(args.cache) if args.cache else BuildCache()
    for seed in (int(s) for s in args.draws.split(",")):
        patterns, cues, cued = cues_of(seed)
        empty = actualization_loop(DIM, n_archetypes=K, batch=BATCH)
        trained, imprint = empty.imprint(patterns, REPETITIONS, seed=seed)
        p = empty.params
        drive = static_drive(
            imprint.fm_weights, cues, p["neurons_per_dim"], p["memory_size"], p["tuning_width"]
        )
        run = trained.actualize(
            cues, DURATION, cued=cued, backend="cpp_standalone", seed=seed, cache=cache
        )
        print(f"\ndraw {seed}: patterns {np.array2string(patterns, precision=2)}")
        own = np.argmin(((cues[:, None] - patterns[None]) ** 2).sum(-1), 1) == cued
        print(
            f"ratio F->M {imprint.ratio['FM']:.1f}, M->F {imprint.ratio['MF']:.1f}; "
            f"cues nearest their own pattern {own.mean():.2f}"
        )
        success, proxy = diagnose(run, patterns, cues, cued, drive)
        print(
            f"draw {seed}: success {success:.3f}, settled at any pattern "
            f"{run.reached_nearest(THRESHOLD).mean():.3f}, read-out proxy {proxy:.3f}"
        )
        if args.designed:
            designed = actualization_loop(DIM, patterns, batch=BATCH).actualize(
                cues, DURATION, cued=cued, backend="cpp_standalone", seed=seed, cache=cache
            )
            print(
                f"draw {seed}: designed (Gaussian match) weights: success "
                f"{designed.success(THRESHOLD).mean():.3f}"
            )


if __name__ == "__main__":
    main()
