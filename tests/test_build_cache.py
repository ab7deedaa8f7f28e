"""The build cache: compiled programs reused across runs and processes, keyed by structure."""

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from brian2 import ms, pA

from quifer_brian.backends import BuildCache, build_cache
from quifer_brian.backends.compiled import MANIFEST, MANIFEST_VERSION
from quifer_brian.errors import BackendError, CircuitError
from quifer_brian.networks import ping

pytestmark = pytest.mark.standalone

SMALL = {"n_e": 400, "n_i": 100}  # tests/conftest.py SWEEP_PING: compiled once a session
DURATION = 500 * ms

# A run in a fresh interpreter: prints the builds it made and its spikes.
CHILD = textwrap.dedent(
    """
    import json, sys
    from brian2 import ms, pA
    from quifer_brian.backends import build_cache
    from quifer_brian.networks import ping
    cache, drive, seed = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    result = ping(n_e=400, n_i=100, drive_e=drive * pA).run(
        500 * ms, backend="cpp_standalone", seed=seed, cache=cache)
    times, indices = result.spikes["E"]
    print(json.dumps({"builds": build_cache.build_count(), "build": result.meta["build"],
                      "t": times.tolist(), "i": indices.tolist()}))
    """
)


def _child(cache, drive_pa, seed):
    return subprocess.Popen(
        [sys.executable, "-c", CHILD, str(cache), str(drive_pa), str(seed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(process):
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err[-2000:]
    return json.loads(out.strip().splitlines()[-1])


def _same_spikes(a, b):
    return all(
        np.array_equal(a.spikes[p][0], b.spikes[p][0])
        and np.array_equal(a.spikes[p][1], b.spikes[p][1])
        for p in a.spikes
    )


def test_cache_compiles_once_and_matches_an_uncached_build(ping_cache):
    """Same seed and parameters: the cached program gives the spikes of a fresh build."""
    cache = ping_cache  # shared: another test may have compiled this structure already
    before = build_cache.build_count()
    first = ping(**SMALL).run(DURATION, backend="cpp_standalone", seed=3, cache=cache)
    again = ping(**SMALL, drive_e=500 * pA).run(
        DURATION, backend="cpp_standalone", seed=4, cache=cache
    )
    assert build_cache.build_count() - before == (first.meta["build"] == "compiled")
    assert again.meta["build"] == "cached"
    assert first.meta["build_key"] == again.meta["build_key"]
    assert again.meta["build_key"] in [entry["key"] for entry in cache.entries()]
    # the new values reached the program: more drive, more E spikes
    assert again.mean_rate("E") > 1.1 * first.mean_rate("E")
    fresh = ping(**SMALL).run(DURATION, backend="cpp_standalone", seed=3)
    assert fresh.mean_rate("E") > 0 and _same_spikes(first, fresh)
    assert np.allclose(first.lfp, fresh.lfp, rtol=1e-12, atol=0)
    # and a change of seed alone changes the spikes
    reseeded = ping(**SMALL).run(DURATION, backend="cpp_standalone", seed=5, cache=cache)
    assert not _same_spikes(first, reseeded)


def test_a_new_process_does_not_compile(ping_cache):
    """A later process runs the cached program: no build, the spikes of this process."""
    here = ping(**SMALL, drive_e=450 * pA).run(
        DURATION, backend="cpp_standalone", seed=7, cache=ping_cache
    )  # compiled here if no other test did it first
    later = _finish(_child(ping_cache.directory, 450, 7))
    assert later["builds"] == 0 and later["build"] == "cached"
    assert later["t"] == here.spikes["E"][0].tolist() and later["i"] == here.spikes["E"][1].tolist()


@pytest.mark.slow
def test_two_processes_building_at_once_both_succeed(tmp_path):
    shared = tmp_path / "shared"
    racing = [_child(shared, 400, 3), _child(shared, 400, 3)]
    first, second = (_finish(p) for p in racing)
    assert first["builds"] + second["builds"] >= 1
    assert (first["t"], first["i"]) == (second["t"], second["i"])
    assert len(BuildCache(shared).entries()) == 1
    assert not [name for name in os.listdir(shared) if name.startswith(".build-")]


def _fake_entry(folder, key, size, age):
    entry = folder / key
    entry.mkdir(parents=True)
    (entry / "main").write_bytes(b"\0" * size)
    manifest = entry / MANIFEST
    manifest.write_text(json.dumps({"version": MANIFEST_VERSION, "layout": {"circuit": "fake"}}))
    os.utime(manifest, (age, age))


def test_eviction_keeps_the_most_recent_under_the_bound(tmp_path):
    cache = BuildCache(tmp_path, max_bytes=2500)
    for k, age in enumerate((1000, 3000, 2000)):
        _fake_entry(tmp_path, f"entry{k}", 1000, age)
    assert [e["key"] for e in cache.entries()] == ["entry1", "entry2", "entry0"]
    cache._evict(keep="entry0")  # the oldest is kept when it is the one just built
    assert [e["key"] for e in cache.entries()] == ["entry1", "entry0"]
    assert cache.size_bytes() <= 2500
    assert cache.clear() == 2 and cache.entries() == []


def test_bad_use_is_refused_before_compiling(tmp_path):
    with pytest.raises(BackendError, match=r"BuildCache.max_bytes: must be > 0; got 0"):
        BuildCache(tmp_path, max_bytes=0)
    with pytest.raises(CircuitError, match=r"ping.run.cache: .*cpp_standalone.*'numpy'"):
        ping(**SMALL).run(DURATION, backend="numpy", cache=tmp_path)
    with pytest.raises(CircuitError, match=r"n_e cannot change without a new build"):
        ping(**SMALL).run_values(n_e=3)
    assert not os.listdir(tmp_path)
