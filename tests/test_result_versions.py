"""Every numerical package's version is recorded with a result; old files still load."""

import brian2
import matplotlib
import numpy as np
import scipy
import specparam
import sympy
from brian2 import ms

from quifer_brian import load
from quifer_brian.networks import ping
from quifer_brian.results import Result, package_versions


def test_the_versions_are_those_of_the_imported_packages():
    versions = package_versions()
    for name, module in (
        ("brian2", brian2),
        ("numpy", np),
        ("scipy", scipy),
        ("sympy", sympy),
        ("specparam", specparam),
        ("matplotlib", matplotlib),
    ):
        assert versions[name] == module.__version__, name
    assert versions["python"].count(".") == 2


def test_a_run_records_them_and_they_survive_save_and_load(tmp_path):
    result = ping(n_e=40, n_i=10).run(50 * ms, backend="numpy", seed=1)
    assert result.meta["versions"] == package_versions()
    assert {"scipy", "sympy", "specparam"} <= set(result.meta["versions"])
    result.save(tmp_path / "r.npz")
    assert load(tmp_path / "r.npz").meta["versions"] == package_versions()


def test_an_older_result_file_without_them_still_loads(tmp_path):
    """Files written before this change recorded quifer_brian, brian2 and numpy only (or
    nothing, when made by hand): they load unchanged."""
    spikes = {"E": (np.array([0.01, 0.02]), np.array([0, 1], dtype=np.int32))}
    old = {"versions": {"quifer_brian": "0.1.0", "brian2": "2.10.1", "numpy": "2.3.0"}}
    for meta in (old, {}):
        Result(spikes=spikes, sizes={"E": 2}, duration=0.05, meta=meta).save(tmp_path / "o.npz")
        loaded = load(tmp_path / "o.npz")
        assert loaded.meta == meta
        assert np.array_equal(loaded.spikes["E"][0], spikes["E"][0])
