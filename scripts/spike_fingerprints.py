"""Fingerprints of the spikes that fixed seeds give, to check a refactor changes none.

Runs ping, brunel, theta_gamma and the actualization loop (small sizes, fixed seeds) on
numpy and cpp_standalone and prints one JSON object: ``{"<network>/<backend>": digest}``,
the SHA-256 of every population's spike times and indices.  Compare two runs with
``diff``; equal digests mean identical spikes.

    python scripts/spike_fingerprints.py [numpy cpp_standalone] > fingerprints.json
"""

import hashlib
import json
import sys
import tempfile

import numpy as np
from brian2 import ms, second

from quifer_brian.networks import actualization_loop, brunel, ping, theta_gamma


def _digest(spikes):
    digest = hashlib.sha256()
    for name in sorted(spikes):
        times, indices = spikes[name]
        digest.update(name.encode())
        digest.update(np.round(np.asarray(times, dtype=float) * 1e7).astype(np.int64).tobytes())
        digest.update(np.asarray(indices, dtype=np.int64).tobytes())
    return digest.hexdigest()[:16], {k: len(v[0]) for k, v in spikes.items()}


def _loop_spikes(backend):
    rng = np.random.default_rng(3)
    archetypes = rng.uniform(0.1, 0.9, size=(3, 2))
    loop = actualization_loop(2, archetypes=archetypes, batch=4, neurons_per_dim=16)
    cues = np.clip(archetypes[[0, 1, 2, 0]] + rng.normal(0, 0.1, (4, 2)), 0, 1)
    out = loop.actualize(cues, 200 * ms, target=0, backend=backend, seed=5, cache=False)
    return out.result.spikes


def _ping_cached(backend):
    if backend != "cpp_standalone":
        return {}
    with tempfile.TemporaryDirectory() as folder:
        circuit = ping(n_e=200, n_i=50)
        return circuit.run(300 * ms, backend=backend, seed=1, cache=folder).spikes


def _circuits():
    return {
        "ping": lambda b: ping(n_e=200, n_i=50).run(300 * ms, backend=b, seed=1).spikes,
        "brunel": lambda b: brunel(n_e=400, g=5, eta=2).run(200 * ms, backend=b, seed=2).spikes,
        "theta_gamma": lambda b: theta_gamma().run(0.5 * second, backend=b, seed=3).spikes,
        "ping_cached": _ping_cached,
        "loop": _loop_spikes,
    }


def main(backends):
    prints = {}
    for name, run in _circuits().items():
        for backend in backends:
            spikes = run(backend)
            if not spikes:
                continue
            digest, counts = _digest(spikes)
            prints[f"{name}/{backend}"] = {"digest": digest, "spikes": counts}
            print(name, backend, digest, counts, file=sys.stderr)
    print(json.dumps(prints, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv[1:] or ["numpy", "cpp_standalone"])
