"""Progress on long work (compiles, runs, sweeps), --quiet, and a cache message that says
what the build cache will really do."""

import hashlib
import json
import os
import re

import pytest
from brian2 import ms, pA

from quifer_brian.backends import BuildCache, backend_session
from quifer_brian.backends.compiled import MANIFEST, MANIFEST_VERSION
from quifer_brian.cli import main
from quifer_brian.cli.commands import _cache_note
from quifer_brian.networks import ping
from quifer_brian.progress import is_quiet, quiet
from quifer_brian.results import package_versions
from quifer_brian.sweeps import sweep

TINY = ["--param", "n_e=40", "--param", "n_i=10", "--duration", "100ms"]


def _plant_entry(cache, key):
    """A complete entry under ``key`` as a build leaves it (a stand-in program)."""
    entry = os.path.join(cache.directory, key)
    os.makedirs(entry)
    with open(os.path.join(entry, "main"), "wb") as stream:
        stream.write(b"\0" * 10)
    manifest = {
        "version": MANIFEST_VERSION,
        "key": key,
        "duration_s": 0.1,
        "layout": dict.fromkeys(("sizes", "fs", "rate_dt", "lfp", "params")) | {"circuit": "ping"},
        "tunable": {},
        "files": {},
        "program_sha256": hashlib.sha256(b"\0" * 10).hexdigest(),
    }
    with open(os.path.join(entry, MANIFEST), "w") as stream:
        json.dump(manifest, stream)


def test_the_cache_note_says_compile_or_cached_as_it_will_happen(tmp_path):
    """The old message said "from the build cache" whatever the cache held, and the run
    then compiled: the note is now decided by looking the structure's key up first."""
    cache = BuildCache(tmp_path / "cache")
    circuit = ping(n_e=40, n_i=10)
    note = _cache_note(cache, circuit, 100 * ms)
    key, program = cache.find(circuit, 0.1)
    assert program is None
    assert note.startswith(": compiling it first") and f"build {key}" in note
    assert "cached build" not in note
    _plant_entry(cache, key)
    assert cache.find(circuit, 0.1)[1] is not None
    assert _cache_note(cache, circuit, 100 * ms) == f" with the cached build {key}: no compile"
    # another structure (another size) is not served by that entry
    other = _cache_note(cache, ping(n_e=41, n_i=10), 100 * ms)
    assert other.startswith(": compiling it first")
    assert _cache_note(None, circuit, 100 * ms) == ""


def test_quiet_turns_the_run_report_off_for_that_call_only(tmp_path, capsys):
    argv = ["run", "ping", *TINY, "--backend", "numpy", "--out", str(tmp_path / "a")]
    assert main(argv) == 0
    loud = capsys.readouterr()
    assert "Starting simulation" in loud.out + loud.err  # Brian2's own report
    assert main(["--quiet", *argv[:-1], str(tmp_path / "b")]) == 0
    hushed = capsys.readouterr()
    assert "Starting simulation" not in hushed.out + hushed.err
    assert "rate E (Hz)" in hushed.out  # the results are still printed
    assert not is_quiet()  # the switch does not outlive the call
    first, second = (json.loads((tmp_path / f / "summary.json").read_text()) for f in "ab")
    assert first["rates_hz"] == second["rates_hz"]  # same seed: quiet changes nothing else
    assert first["versions"] == package_versions()  # the summary says what made its numbers


@pytest.mark.standalone
def test_a_standalone_build_shows_its_stages(tmp_path, capsys):
    """Code generation and compile are no longer silent: a bar names the stage."""
    with backend_session("cpp_standalone", directory=str(tmp_path), stop_after="generate") as s:
        ping(n_e=40, n_i=10).run(10 * ms, session=s, progress=True)
    shown = capsys.readouterr().err
    assert "cpp_standalone: generating code" in shown
    with quiet(), backend_session("cpp_standalone", stop_after="generate") as s:
        ping(n_e=40, n_i=10).run(10 * ms, session=s, progress=True)
    assert "generating code" not in capsys.readouterr().err


def test_a_sweep_shows_a_bar_of_points_and_a_closing_line(tmp_path, capsys):
    grid = {"drive_e": [300 * pA, 400 * pA]}
    options = dict(
        backend="numpy", client="sync", out=tmp_path / "out", params={"n_e": 40, "n_i": 10}
    )
    table = sweep("ping", grid, 50 * ms, **options)
    err = capsys.readouterr().err
    assert len(table) == 2
    assert re.search(r"sweep ping: +\d+%\|", err)  # tqdm's bar
    assert "sweep ping: 2/2 points" in err
    with quiet():
        sweep("ping", grid, 50 * ms, **{**options, "out": tmp_path / "again"})
    assert "sweep ping" not in capsys.readouterr().err
