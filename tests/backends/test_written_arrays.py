"""A cached program writes back only the arrays its reader names (backends/written_arrays)."""

import os
import subprocess

import numpy as np
import pytest
from brian2 import ms

from quifer_brian.backends import BuildCache
from quifer_brian.backends.written_arrays import WRITE_ONLY_VARIABLE
from quifer_brian.networks import ping


def _written(program, only, folder):
    """Run the cached ``main`` by hand into ``folder``; return the names of the files."""
    environment = {k: v for k, v in os.environ.items() if k != WRITE_ONLY_VARIABLE}
    if only is not None:
        environment[WRITE_ONLY_VARIABLE] = only
    os.mkdir(folder)
    command = [os.path.join(program.directory, "main"), "--results_dir", f"{folder}{os.sep}"]
    done = subprocess.run(
        command, cwd=program.directory, env=environment, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stdout
    assert "Error writing" not in done.stdout
    return set(os.listdir(folder))


@pytest.mark.standalone
def test_the_program_writes_what_is_asked_and_everything_by_default(tmp_path):
    cache = BuildCache(tmp_path / "cache")
    circuit = ping(n_e=80, n_i=20)
    result = circuit.run(100 * ms, backend="cpp_standalone", seed=2, cache=cache)
    program = cache.lookup(result.meta["build_key"])
    wanted = sorted(spec["file"] for spec in program.manifest["files"].values())
    synapses = [name for name in _written(program, None, tmp_path / "all") if "_w_" in name]

    everything = _written(program, None, tmp_path / "all2")
    assert set(wanted) <= everything and synapses  # unset: Brian2's full write
    asked = _written(program, ":".join(wanted), tmp_path / "asked")
    arrays = {name for name in asked if name.startswith(("_array_", "_dynamic_array_"))}
    assert arrays == set(wanted)  # the weights, indices and states are not written
    assert not [name for name in asked if name.endswith("_queue")]  # nor the spike queues
    assert [name for name in everything if name.endswith("_queue")]
    assert "random_generator_state" in asked and "last_run_info.txt" in asked
    # a name is matched whole: a prefix of a file's name or an empty list writes nothing
    prefix = wanted[0][:-2]
    assert not _written(program, prefix, tmp_path / "prefix") & set(wanted)
    assert not _written(program, "", tmp_path / "none") & set(wanted)
    # and the rerun through the cache (which sets the variable) reads everything it needs
    again = circuit.run(100 * ms, backend="cpp_standalone", seed=2, cache=cache)
    assert again.meta["build_key"] == result.meta["build_key"]
    for population in ("E", "I"):
        assert np.array_equal(again.rates[population], result.rates[population])
        assert np.array_equal(again.spikes[population][0], result.spikes[population][0])
    assert result.spikes["I"][0].size + result.spikes["E"][0].size > 0
    assert np.array_equal(again.lfp, result.lfp)
