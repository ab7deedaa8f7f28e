"""A result's repr is a few short lines, whatever the size of the run."""

import numpy as np

from quifer_brian.results import Result


def _big_result():
    rng = np.random.default_rng(0)
    times = np.sort(rng.uniform(0, 2.0, 50_000))
    spikes = {
        "E": (times, rng.integers(0, 4000, times.size)),
        "I": (times[:12_345], rng.integers(0, 1000, 12_345)),
    }
    return Result(
        spikes,
        {"E": 4000, "I": 1000},
        2.0,
        rates={"E": rng.random(20_000), "I": rng.random(20_000)},
        rate_dt=1e-4,
        lfp=rng.normal(size=20_000),
        fs=10_000.0,
        states={"theta_phase": rng.random(20_000)},
        params={f"p{k}": k for k in range(12)},
        meta={"circuit": "ping", "backend": "numpy", "seed": 3},
    )


def test_repr_is_short_and_names_network_counts_and_keys():
    text = repr(_big_result())
    lines = text.splitlines()
    assert len(lines) == 5 and len(text) < 600  # was ~20,000 characters
    assert lines[0] == "Result(network=ping, 2 s, backend=numpy, seed=3)"
    assert lines[1] == "  E: 4000 neurons, 50000 spikes (6.25 Hz)"
    assert lines[2] == "  I: 1000 neurons, 12345 spikes (6.17 Hz)"
    assert "20000 samples at 10000 Hz" in lines[3] and "theta_phase" in lines[3]
    assert lines[4].endswith("p7 ... (+4)")
