"""Speed of the spike-LFP phase-locking pipeline, as ratios measured in one process.

Pipeline: zero-phase band-pass + Hilbert phase + phase at each spike + PLV + PPC, on
1,000,000 spikes and a 100 s signal at 1 kHz. Compared with

- the plain vectorised numpy/scipy pipeline doing the same steps (``sosfiltfilt``,
  ``hilbert``, ``np.interp`` of the unwrapped phase, closed-form PLV and PPC);
- Elephant's per-spike ``spike_triggered_phase`` + ``mean_phase_vector`` on a subset
  (default 10,000 spikes; Elephant loops over spikes in Python), compared per spike.

Run: ``python benchmarks/bench_analysis.py [--n-spikes N] [--elephant-spikes M]``.
"""

import argparse
import time

import numpy as np
from scipy import signal as sps

from quifer_brian.analysis import compute_plv, compute_ppc, spike_phases

FS = 1000.0
F_RANGE = (35.0, 45.0)


def make_data(n_spikes, duration, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration * FS)) / FS
    sig = np.cos(2 * np.pi * 40 * t + np.cumsum(rng.normal(0, 0.02, t.size)))
    sig += 0.5 * rng.normal(size=t.size)
    spikes = np.sort(rng.uniform(0.5, duration - 0.5, n_spikes))
    return spikes, sig


def plain(spikes, sig):
    sos = sps.butter(4, F_RANGE, btype="bandpass", fs=FS, output="sos")
    phase = np.unwrap(np.angle(sps.hilbert(sps.sosfiltfilt(sos, sig))))
    phases = np.interp(spikes, np.arange(sig.size) / FS, phase)
    total = np.exp(1j * phases).sum()
    n = phases.size
    return abs(total) / n, np.angle(total), (abs(total) ** 2 - n) / (n * (n - 1))


def ours(spikes, sig):
    phases = spike_phases(spikes, sig, FS, F_RANGE)
    plv, preferred = compute_plv(phases)
    return plv, preferred, compute_ppc(phases)


def best_of(function, *args, repeat=7):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), out


def elephant_pipeline(spikes, sig):
    import neo
    import quantities as pq
    from elephant.phase_analysis import mean_phase_vector, spike_triggered_phase
    from elephant.signal_processing import hilbert

    sos = sps.butter(4, F_RANGE, btype="bandpass", fs=FS, output="sos")
    filtered = neo.AnalogSignal(sps.sosfiltfilt(sos, sig), units="mV", sampling_rate=FS * pq.Hz)
    train = neo.SpikeTrain(spikes * pq.s, t_stop=sig.size / FS * pq.s)
    phases, _, _ = spike_triggered_phase(hilbert(filtered, padding=None), train, interpolate=True)
    preferred, plv = mean_phase_vector(phases[0])
    return float(plv), float(preferred)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-spikes", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=100.0, help="signal length (s)")
    parser.add_argument("--elephant-spikes", type=int, default=10_000)
    args = parser.parse_args(argv)

    spikes, sig = make_data(args.n_spikes, args.duration)
    t_plain, ref = best_of(plain, spikes, sig)
    t_ours, got = best_of(ours, spikes, sig)
    print(f"{args.n_spikes} spikes, {args.duration:g} s at {FS:g} Hz")
    print(f"plain numpy/scipy pipeline: {t_plain * 1e3:8.1f} ms")
    print(f"quifer_brian.analysis:      {t_ours * 1e3:8.1f} ms   ratio {t_ours / t_plain:.2f}x")
    print(f"  PLV {got[0]:.6f} vs {ref[0]:.6f}, PPC {got[2]:.6f} vs {ref[2]:.6f}")

    if args.elephant_spikes:
        subset = spikes[:: max(1, spikes.size // args.elephant_spikes)][: args.elephant_spikes]
        start = time.perf_counter()
        plv_e, _ = elephant_pipeline(subset, sig)
        t_eleph = time.perf_counter() - start
        t_sub, got_sub = best_of(ours, subset, sig)
        per_spike = t_eleph / subset.size
        print(
            f"Elephant on {subset.size} spikes:  {t_eleph:8.2f} s   (ours {t_sub * 1e3:.1f} ms, "
            f"Elephant / ours = {t_eleph / t_sub:.0f}x); PLV {plv_e:.6f} vs {got_sub[0]:.6f}"
        )
        print(
            f"Elephant extrapolated to {args.n_spikes} spikes: "
            f"{per_spike * args.n_spikes / 60:.1f} min (vs ours {t_ours:.2f} s)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
