"""Saving and loading results: lossless round trip, atomic writes, clear errors."""

import json
import os

import numpy as np
import pytest
from brian2 import ms, nS

import quifer_brian
from quifer_brian import units
from quifer_brian.errors import QuiferError
from quifer_brian.results import Result, files


def make_result(seed=0):
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0, 1, 500))
    return Result(
        spikes={
            "E": (times, rng.integers(0, 40, 500).astype(np.int32)),
            "I": (np.array([0.1, 0.2]), np.array([0, 3], dtype=np.int32)),
        },
        sizes={"E": 40, "I": 10},
        duration=1.0,
        rates={"E": rng.uniform(0, 20, 10000)},
        rate_dt=1e-4,
        lfp=rng.normal(size=1000),
        fs=1000.0,
        states={"phase": rng.uniform(-np.pi, np.pi, 1000)},
        params={
            "tau_gaba": units.quantity_to_json(10 * ms),
            "w": units.quantity_to_json(2 * nS),
            "n_e": 40,
        },
        meta={"backend": "numpy", "seed": 7},
    )


def test_round_trip_is_lossless(tmp_path):
    original = make_result()
    path = tmp_path / "run.npz"
    original.save(path)
    loaded = quifer_brian.load(path)
    for name in original.spikes:
        for a, b in zip(original.spikes[name], loaded.spikes[name], strict=True):
            np.testing.assert_array_equal(a, b)
            assert a.dtype == b.dtype
    np.testing.assert_array_equal(loaded.lfp, original.lfp)
    np.testing.assert_array_equal(loaded.rates["E"], original.rates["E"])
    np.testing.assert_array_equal(loaded.states["phase"], original.states["phase"])
    assert loaded.sizes == original.sizes and loaded.params == original.params
    assert loaded.meta == original.meta and loaded.populations == ["E", "I"]
    assert units.quantity_from_json(loaded.params["tau_gaba"]) == 10 * ms


def test_a_crash_mid_write_leaves_the_old_file_intact(tmp_path, monkeypatch):
    path = tmp_path / "run.npz"
    make_result(seed=1).save(path)
    before = path.read_bytes()

    def crash(stream, **arrays):
        stream.write(b"half a file")
        raise KeyboardInterrupt

    monkeypatch.setattr(files.np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        make_result(seed=2).save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["run.npz"], "no temporary file is left"


def test_loading_something_else_says_what_is_wrong(tmp_path):
    other = tmp_path / "other.npz"
    np.savez(other, x=np.arange(3))
    with pytest.raises(QuiferError, match="is not a quifer result"):
        quifer_brian.load(other)
    with pytest.raises(QuiferError, match="cannot read"):
        quifer_brian.load(tmp_path / "missing.npz")


def test_write_json_is_atomic(tmp_path):
    """A value JSON cannot write leaves the previous file and no temporary behind."""
    from quifer_brian.results import write_json

    path = tmp_path / "summary.json"
    write_json({"rate_hz": np.float64(2.5), "peaks": np.arange(2)}, path)
    with pytest.raises(TypeError, match="not JSON serialisable"):
        write_json({"bad": object()}, path)
    assert json.loads(path.read_text()) == {"rate_hz": 2.5, "peaks": [0, 1]}
    assert os.listdir(tmp_path) == ["summary.json"]


def test_a_result_is_frozen_and_with_meta_returns_a_new_one():
    original = make_result(seed=3)
    with pytest.raises(AttributeError):
        original.duration = 2.0
    tagged = original.with_meta(build="cached")
    assert tagged.meta["build"] == "cached" and "build" not in original.meta
    assert tagged.spikes is original.spikes and tagged.duration == original.duration
