"""Incremental builds: object files reused by content, never a stale one linked."""

import os
import shutil
import subprocess
import textwrap

import numpy as np
import pytest
from brian2 import ms

from quifer_brian.backends import BuildCache
from quifer_brian.backends.incremental import (
    PCH_HEADER,
    nearest_structure,
    prepare_project,
    reusable_objects,
)
from quifer_brian.backends.size_constants import SIZES_UNIT, externalize_sizes
from quifer_brian.networks import ping

PCH_TEXT = prepare_project.__globals__["_PCH_TEXT"]

MAKEFILE = textwrap.dedent(
    """\
    PROGRAM = main

    SRCS = {srcs}
    H_SRCS = h.h
    OBJS = ${{SRCS:.cpp=.o}}
    CXXFLAGS = -c {flags} -I.
    DEPS = make.deps

    all: $(PROGRAM)

    $(PROGRAM): $(OBJS) $(DEPS) makefile
    \t$(CXX) $(OBJS) -o $(PROGRAM)

    make.deps: $(SRCS) $(H_SRCS)
    \t$(CXX) $(CXXFLAGS) -MM $(SRCS) > make.deps

    ifneq ($(wildcard $(DEPS)), )
    include $(DEPS)
    endif

    %.o : %.cpp makefile
    \t$(CXX) $(CXXFLAGS) $< -o $@
    """
)
SOURCES = {
    "a.cpp": '#include "h.h"\nint a() { return A; }\n',
    "b.cpp": '#include "h.h"\nint b() { return 2 * A; }\n',
    "main.cpp": '#include "h.h"\nint a(); int b();\nint main() { return a() + b() - 3 * A; }\n',
}


def _project(folder, sources=SOURCES, header="#define A 1\n", flags="-O0"):
    folder.mkdir()
    (folder / "makefile").write_text(MAKEFILE.format(srcs=" ".join(sources), flags=flags))
    (folder / "h.h").write_text(header)
    for name, text in sources.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    (folder / PCH_HEADER).write_text(PCH_TEXT)  # as prepare_project writes it
    return str(folder)


def _built(folder, **kwargs):
    path = _project(folder, **kwargs)
    subprocess.run(["make", "-s"], cwd=path, check=True, capture_output=True)
    return path


def _would_compile(folder):
    """The object files ``make`` would compile (a dry run)."""
    done = subprocess.run(["make", "-n"], cwd=folder, check=True, capture_output=True, text=True)
    return sorted(line.split()[-1] for line in done.stdout.splitlines() if " -c " in line)


needs_make = pytest.mark.skipif(
    shutil.which("make") is None or shutil.which("g++") is None, reason="needs make and g++"
)


@needs_make
def test_only_changed_sources_compile_and_a_header_change_compiles_all(tmp_path):
    old = _built(tmp_path / "old")
    changed = {**SOURCES, "b.cpp": '#include "h.h"\nint b() { return 2 * A + 0; }\n'}
    new = _project(tmp_path / "new", sources=changed)
    assert reusable_objects(old, new) == ["a.cpp", "main.cpp"]
    assert prepare_project(new, old, []) == {"units": 3, "reused": 2, "pch": "none", "sizes": 0}
    assert _would_compile(new) == ["b.o"]  # make trusts the reused objects, not b's
    # a header differs: nothing is reused, even the sources that did not change
    other = _project(tmp_path / "header", header="#define A 2\n")
    assert reusable_objects(old, other) == []
    prepare_project(other, old, [])
    assert _would_compile(other) == ["a.o", "b.o", "main.o"]
    subprocess.run(["make", "-s"], cwd=other, check=True)
    ran = subprocess.run(["./main"], cwd=other, check=False)
    assert ran.returncode == 0  # a() + b() - 3 A: every object compiled with A = 2


@needs_make
def test_other_flags_or_a_missing_object_are_not_reused(tmp_path):
    old = _built(tmp_path / "old")
    flagged = _project(tmp_path / "flags", flags="-O1")
    assert reusable_objects(old, flagged) == []
    os.remove(os.path.join(old, "a.o"))
    same = _project(tmp_path / "same")
    assert reusable_objects(old, same) == ["b.cpp", "main.cpp"]
    assert reusable_objects(str(tmp_path / "nowhere"), same) == []


@needs_make
def test_the_compiled_header_moves_only_to_a_project_with_the_same_flags(tmp_path):
    old = _built(tmp_path / "old")
    compiled = f"{PCH_HEADER}.gch"
    (tmp_path / "old" / compiled).write_bytes(b"stands for a compiled header")
    flagged = _project(tmp_path / "flags", flags="-O1")
    assert prepare_project(flagged, old, [])["pch"] == "none"  # 3 units: not built either
    assert (tmp_path / "old" / compiled).is_file()
    same = _project(tmp_path / "same")
    assert prepare_project(same, old, [])["pch"] == "moved"
    assert not (tmp_path / "old" / compiled).exists()
    assert (tmp_path / "same" / compiled).read_bytes() == b"stands for a compiled header"


def test_the_nearest_structure_is_of_the_same_circuit_and_fewest_changes():
    base = {"circuit": "ping", "source": "s", "duration_s": 1.0}
    mine = {**base, "structure": {"n_e": 500, "p_ei": 0.2}}
    entries = [
        {"key": "other_circuit", "structure": {**mine, "circuit": "brunel"}},
        {"key": "two_changes", "structure": {**base, "structure": {"n_e": 1, "p_ei": 0.3}}},
        {"key": "one_change", "structure": {**base, "structure": {"n_e": 1, "p_ei": 0.2}}},
        {"key": "older_one", "structure": {**base, "structure": {"n_e": 500, "p_ei": 0.1}}},
        {"key": "other_source", "structure": {**mine, "source": "t"}},
    ]
    assert nearest_structure(entries, mine) == "one_change"  # the most recent of equals
    assert nearest_structure(entries[:2], mine) == "two_changes"
    assert nearest_structure([entries[0], entries[4]], mine) is None


POPULATION_CODE = """\
#include <stddef.h>
#include <stdint.h>
long long population()
{
    const size_t _numv = %d;
    const int64_t N = %d;
    const int32_t _iter_step = 1;
    long long total = 0;
    for (int64_t i = 0; i < N; i++) total += _iter_step;
    return total + 10 * _numv;
}
"""
MONITOR_CODE = """\
#include <stdint.h>
long long monitor()
{
    const int64_t _num_source_neurons = %d;
    return 100 * _num_source_neurons;
}
"""
SIZED_MAIN = """\
#include <cstdio>
long long population();
long long monitor();
int main() { std::printf("%lld", population() + monitor()); }
"""


def _sized_project(folder, n):
    """Two code objects as Brian2 writes them (sizes as local constants), and a main."""
    sources = {
        "code_objects/population.cpp": POPULATION_CODE % (n, n),
        "code_objects/monitor.cpp": MONITOR_CODE % n,
        "main.cpp": SIZED_MAIN,
    }
    return _project(folder, sources=sources, header="")


def _output(folder):
    subprocess.run(["make", "-s"], cwd=folder, check=True, capture_output=True)
    return subprocess.run(["./main"], cwd=folder, check=True, capture_output=True, text=True).stdout


@needs_make
def test_sizes_leave_the_code_objects_so_a_new_size_compiles_two_units(tmp_path):
    old = _sized_project(tmp_path / "old", 4000)
    assert externalize_sizes(old) == 2  # _numv and N; not _iter_step, not the monitor's
    text = (tmp_path / "old" / "code_objects" / "population.cpp").read_text()
    assert "4000" not in text and "const int32_t _iter_step = 1;" in text
    assert "_num_source_neurons = 4000;" in (tmp_path / "old/code_objects/monitor.cpp").read_text()
    assert externalize_sizes(old) == 0  # a rewritten project is left as it is
    assert _output(old) == str(4000 + 10 * 4000 + 100 * 4000)
    new = _sized_project(tmp_path / "new", 5000)
    info = prepare_project(new, old, [])
    assert (info["sizes"], info["units"], info["reused"]) == (2, 4, 2)  # population, main
    assert _would_compile(new) == ["code_objects/monitor.o", SIZES_UNIT.replace(".cpp", ".o")]
    assert _output(new) == str(5000 + 10 * 5000 + 100 * 5000)  # the new sizes, none stale


SMALL = {"n_e": 400, "n_i": 100}
DURATION = 200 * ms


def _same(a, b):
    """Bit for bit: spikes, population rates and the LFP."""
    return (
        all(
            np.array_equal(a.spikes[p][0], b.spikes[p][0])
            and np.array_equal(a.spikes[p][1], b.spikes[p][1])
            for p in a.spikes
        )
        and a.rates.keys() == b.rates.keys()
        and all(np.array_equal(a.rates[p], b.rates[p]) for p in a.rates)
        and np.array_equal(a.lfp, b.lfp)
    )


@pytest.mark.standalone
def test_a_probability_change_recompiles_one_unit_and_gives_a_clean_builds_spikes(tmp_path):
    """Incremental (reused objects, precompiled header) against Brian2's own clean build."""
    cache = BuildCache(tmp_path / "cache")
    first = ping(**SMALL).run(DURATION, backend="cpp_standalone", seed=3, cache=cache)
    changed = ping(**SMALL, p_ei=0.3).run(DURATION, backend="cpp_standalone", seed=3, cache=cache)
    reuse = cache.lookup(changed.meta["build_key"]).manifest["reuse"]
    assert reuse["from"] == first.meta["build_key"]
    assert reuse["units"] - reuse["reused"] <= 2  # the E->I connect code (+ main.cpp)
    clean = ping(**SMALL, p_ei=0.3).run(DURATION, backend="cpp_standalone", seed=3)
    assert clean.mean_rate("E") > 0 and _same(changed, clean)
    assert not _same(first, changed)  # the new probability reached the program


@pytest.mark.standalone
def test_a_size_change_recompiles_four_units_and_gives_brian2s_own_build(tmp_path):
    """The sizes moved out of the code objects: compare with a build without the move."""
    cache = BuildCache(tmp_path / "cache")
    ping(**SMALL).run(DURATION, backend="cpp_standalone", seed=3, cache=cache)
    bigger = ping(n_e=500, n_i=100).run(DURATION, backend="cpp_standalone", seed=3, cache=cache)
    reuse = cache.lookup(bigger.meta["build_key"]).manifest["reuse"]
    assert reuse["sizes"] > 100  # every code object of E and of what touches it
    # compiled: quifer_sizes.cpp, objects.cpp, main.cpp, the E population-rate monitor
    assert reuse["units"] - reuse["reused"] <= 4
    assert bigger.rates["E"].size > 0
    clean = BuildCache(tmp_path / "clean", incremental=False)
    alone = ping(n_e=500, n_i=100).run(DURATION, backend="cpp_standalone", seed=3, cache=clean)
    assert alone.meta["build_key"] == bigger.meta["build_key"]  # one key: one program
    assert bigger.spikes["E"][0].size > 0 and _same(bigger, alone)


def test_release_keeps_objects_of_the_current_context():
    """Objects made at runtime stay (the user may extend them); a dead session's go."""
    circuit = ping(n_e=40, n_i=10).build(seed=1)
    network = circuit.network
    circuit.release_objects()
    assert circuit.network is network
    circuit._built_on = ("standalone", -1)  # as after a standalone session has ended
    circuit.release_objects()
    assert circuit._network is None and circuit._parts is None
