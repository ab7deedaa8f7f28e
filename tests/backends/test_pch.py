"""The precompiled header of an uncached cpp_standalone build (backends/pch.py)."""

import gc
import os
import shutil

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, SpikeMonitor, Synapses, ms, mV, seed

from quifer_brian.backends import backend_session
from quifer_brian.backends import session as session_module
from quifer_brian.backends.pch import PCH_HEADER, PCH_MIN_UNITS, PCH_TEXT, stale_units

pytestmark = [
    pytest.mark.standalone,
    pytest.mark.skipif(
        shutil.which("make") is None or shutil.which("g++") is None, reason="needs make, g++"
    ),
]

COMPILED = f"{PCH_HEADER}.gch"


def _spikes(folder, p_connect, precompiled_header=True):
    """A small noisy LIF network, built, compiled and run in ``folder``: (i, t)."""
    gc.collect()  # the last build's objects free their names (else pch_lif_..._1: new code)
    with backend_session("cpp_standalone", directory=str(folder)) as session:
        session.precompiled_header = precompiled_header
        seed(3)  # first: the synapses are drawn where connect() stands in the program
        group = NeuronGroup(
            50,
            "dv/dt = (-v + 15*mV)/(10*ms) + 6*mV*sqrt(2/(10*ms))*xi : volt",
            threshold="v > 10*mV",
            reset="v = 0*mV",
            method="euler",
            name="pch_lif",
            namespace={"mV": mV, "ms": ms},
        )
        synapses = Synapses(group, group, on_pre="v_post += 0.5*mV", name="pch_syn")
        synapses.connect(p=p_connect)
        monitor = SpikeMonitor(group, name="pch_spikes")
        session.run(Network(group, synapses, monitor), 100 * ms)
        return np.asarray(monitor.i[:]).copy(), np.asarray(monitor.t_[:]).copy()


def _objects(folder):
    """``{object file: mtime}`` of a compiled project."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            if name.endswith(".o"):
                path = os.path.join(root, name)
                found[os.path.relpath(path, folder)] = os.stat(path).st_mtime_ns
    return found


def test_an_uncached_build_uses_the_header_and_fires_the_same_spikes(tmp_path, monkeypatch):
    seen = []
    real = session_module.prepare_pch

    def spy(folder, make_args):  # the compiled header exists when make starts
        how = real(folder, make_args)
        seen.append((how, os.path.isfile(os.path.join(folder, COMPILED))))
        return how

    monkeypatch.setattr(session_module, "prepare_pch", spy)
    project = tmp_path / "project"
    with_header = _spikes(project, 0.2)
    assert seen == [("built", True)]
    makefile = (project / "makefile").read_text()
    assert f"-include {PCH_HEADER}" in makefile
    # the user's folder: Brian2's files and make.deps, the 1 kB header, no compiled header
    assert (project / PCH_HEADER).read_text() == PCH_TEXT
    assert not (project / COMPILED).exists()
    assert not (project / "make.deps").read_text().startswith("# written by quifer_brian")
    assert len(with_header[0]) > 100  # the network fires

    without = _spikes(tmp_path / "plain", 0.2, precompiled_header=False)
    assert PCH_HEADER not in (tmp_path / "plain" / "makefile").read_text()
    assert not (tmp_path / "plain" / PCH_HEADER).exists()
    np.testing.assert_array_equal(with_header[0], without[0])
    np.testing.assert_array_equal(with_header[1], without[1])


def test_a_project_rebuilt_in_place_recompiles_what_changed(tmp_path, monkeypatch):
    seen = []
    real = session_module.prepare_pch
    monkeypatch.setattr(
        session_module, "prepare_pch", lambda *args: seen.append(real(*args)) or seen[-1]
    )
    project = tmp_path / "project"
    _spikes(project, 0.2)
    before = _objects(project)
    assert len(before) >= PCH_MIN_UNITS and stale_units(str(project)) == 0
    changed = _spikes(project, 0.3)  # only the synapse creation's code changes
    after = _objects(project)
    recompiled = sorted(name for name in after if after[name] != before.get(name))
    assert seen == ["built", "none"]  # too few units to pay for the header the second time
    assert 0 < len(recompiled) < PCH_MIN_UNITS, recompiled
    assert any("pch_syn_synapses_create" in name for name in recompiled)
    fresh = _spikes(tmp_path / "fresh", 0.3, precompiled_header=False)
    np.testing.assert_array_equal(changed[0], fresh[0])
    np.testing.assert_array_equal(changed[1], fresh[1])


def test_stale_units_counts_missing_and_older_objects(tmp_path):
    names = ["a.cpp", "b.cpp", "c.cpp"]
    (tmp_path / "makefile").write_text(f"SRCS = {' '.join(names)}\nH_SRCS = h.h\n")
    for name in [*names, "h.h", "a.o", "b.o"]:
        (tmp_path / name).write_text("")
    for name, when in {"makefile": 1, "h.h": 1, "a.cpp": 1, "b.cpp": 3, "c.cpp": 1}.items():
        os.utime(tmp_path / name, (when, when))
    for name in ("a.o", "b.o"):
        os.utime(tmp_path / name, (2, 2))
    assert stale_units(str(tmp_path)) == 2  # b.o older than b.cpp, c.o missing
    os.utime(tmp_path / "h.h", (5, 5))  # a header changed: every unit
    assert stale_units(str(tmp_path)) == 3
