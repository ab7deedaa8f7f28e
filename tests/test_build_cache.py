"""The build cache: compiled programs reused across runs and processes, keyed by structure."""

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from brian2 import ms, pA, second

from quifer_brian.backends import BuildCache, CompiledProgram, backend_session, build_cache
from quifer_brian.backends.compiled import MANIFEST, MANIFEST_VERSION
from quifer_brian.errors import BackendError, CircuitError
from quifer_brian.networks import ping
from quifer_brian.units import quantity_to_json

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
    # each result records the values it ran with, not those the program was compiled with
    assert first.params == fresh.params
    assert again.params == {**fresh.params, "drive_e": quantity_to_json(500 * pA)}
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
def test_two_processes_building_at_once_compile_once(tmp_path):
    shared = tmp_path / "shared"
    racing = [_child(shared, 400, 3), _child(shared, 400, 3)]
    first, second = (_finish(p) for p in racing)
    assert first["builds"] + second["builds"] == 1  # the second waited on the lock
    assert (first["t"], first["i"]) == (second["t"], second["i"])
    assert len(BuildCache(shared).entries()) == 1
    assert not [name for name in os.listdir(shared) if name.startswith(".build-")]


@pytest.mark.slow
def test_a_compile_killed_midway_is_cleaned_and_rebuilt(tmp_path, ping_cache):
    """SIGKILL a process (and its compiler) compiling into the cache; a half-written entry
    is planted too.  The next run rebuilds: the spikes of a clean build, nothing stale."""
    cache = tmp_path / "cache"
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(cache), "400", "3"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its make and compiler die with it
    )
    deadline = time.monotonic() + 300
    while not any(cache.glob(".build-*/code_objects/*.cpp")) and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(3)  # into the compile
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()
    (orphan,) = cache.glob(".build-*")
    assert not BuildCache(cache).entries()
    key, _ = BuildCache(cache).key(ping(**SMALL), DURATION / second)
    shutil.copytree(orphan, cache / key)  # a half-written entry: no manifest, no program
    rebuilt = ping(**SMALL).run(DURATION, backend="cpp_standalone", seed=3, cache=str(cache))
    assert rebuilt.meta["build"] == "compiled" and rebuilt.meta["build_key"] == key
    assert sorted(os.listdir(cache)) == [".lock", key]  # the orphan is gone
    clean = ping(**SMALL).run(DURATION, backend="cpp_standalone", seed=3, cache=ping_cache)
    assert rebuilt.mean_rate("E") > 0 and _same_spikes(rebuilt, clean)


# Processes racing on one cache with a stand-in compile (a second's sleep, a fake
# program): the lock, the publication and clear are the real ones.
RACER = textwrap.dedent(
    """
    import hashlib, json, os, sys, time, types
    from quifer_brian.backends import build_cache
    from quifer_brian.backends.compiled import MANIFEST_VERSION
    folder, role, go = sys.argv[1], sys.argv[2], sys.argv[3]

    def compile_(circuit, duration_s, structure, private, *reuse):
        time.sleep(1.0)
        with open(os.path.join(private, "main"), "wb") as stream:
            stream.write(b"program")
        layout = dict.fromkeys(("sizes", "fs", "rate_dt", "lfp", "params"))
        return {"version": MANIFEST_VERSION, "duration_s": duration_s, "files": {},
                "layout": {**layout, "circuit": circuit.name}, "tunable": {}}

    build_cache.BuildCache._compile = staticmethod(compile_)
    cache = build_cache.BuildCache(folder)
    circuit = types.SimpleNamespace(name="fake", structure_params={"n": 3}, tunable_params=())
    print("ready", flush=True)
    while not os.path.exists(go):
        time.sleep(0.01)
    if role == "build":
        program, built = cache.get_or_build(circuit, 0.5)
        print(json.dumps({"builds": build_cache.build_count(), "key": program.manifest["key"]}))
    else:
        cleared = sum(cache.clear() for _ in range(30) if time.sleep(0.05) is None)
        print(json.dumps({"cleared": cleared}))
    """
)


def _race(folder, roles, tmp_path):
    go = tmp_path / "go"
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(folder), role, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for role in roles
    ]
    for racer in racers:  # all imported: start together
        assert racer.stdout.readline().strip() == "ready", racer.stderr.read()[-2000:]
    go.touch()
    return [_finish(racer) for racer in racers]


def test_processes_racing_on_one_cache_compile_once_and_corrupt_nothing(tmp_path):
    """Two builders: one compile, one entry.  A clearer racing a builder: no error, no
    half-built folder left, and the cache is empty or holds the complete entry."""
    first, second = _race(tmp_path / "a", ["build", "build"], tmp_path)
    assert first["builds"] + second["builds"] == 1 and first["key"] == second["key"]
    assert [e["key"] for e in BuildCache(tmp_path / "a").entries()] == [first["key"]]
    assert sorted(os.listdir(tmp_path / "a")) == [".lock", first["key"]]
    (tmp_path / "go").unlink()
    built, cleared = _race(tmp_path / "b", ["build", "clear"], tmp_path)
    assert built["builds"] == 1 and cleared["cleared"] in (0, 1)
    left = sorted(os.listdir(tmp_path / "b"))
    assert left in ([".lock"], [".lock", built["key"]])
    if len(left) == 2:
        assert BuildCache(tmp_path / "b").lookup(built["key"]) is not None


def _key(k):
    return f"{k:024x}"


def _fake_entry(folder, key, size=100, age=None, **manifest_items):
    """A complete entry as a build leaves it: a program and a manifest with its digest."""
    entry = folder / key
    entry.mkdir(parents=True)
    (entry / "main").write_bytes(b"\0" * size)
    manifest = {
        "version": MANIFEST_VERSION,
        "key": key,
        "duration_s": 0.5,
        "layout": dict.fromkeys(("sizes", "fs", "rate_dt", "lfp", "params")) | {"circuit": "fake"},
        "tunable": {},
        "files": {"spikes_E_t": {"file": "spikes_t_1", "dtype": "<f8", "columns": None}},
        "program_sha256": hashlib.sha256(b"\0" * size).hexdigest(),
        **manifest_items,
    }
    (entry / MANIFEST).write_text(json.dumps(manifest))
    if age is not None:
        os.utime(entry / MANIFEST, (age, age))
    return entry


def _dead_pid():
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def test_eviction_keeps_the_most_recent_under_the_bound(tmp_path):
    cache = BuildCache(tmp_path, max_bytes=3200)  # 2 entries of ~1.4 kB
    for k, age in enumerate((1000, 3000, 2000)):
        _fake_entry(tmp_path, _key(k), 1000, age)
    assert [e["key"] for e in cache.entries()] == [_key(1), _key(2), _key(0)]
    cache._evict(keep=_key(0))  # the oldest is kept when it is the one just built
    assert [e["key"] for e in cache.entries()] == [_key(1), _key(0)]
    assert cache.size_bytes() <= 3200
    assert cache.clear() == 2 and cache.entries() == []


def test_a_killed_compile_is_counted_by_the_bound_and_cleaned(tmp_path):
    """A .build-* folder whose process is gone counts in the size and is removed."""
    cache = BuildCache(tmp_path, max_bytes=5000)
    _fake_entry(tmp_path, _key(1), 1000)
    orphan = tmp_path / f".build-{_dead_pid()}-x1"
    orphan.mkdir()
    (orphan / "main.cpp").write_bytes(b"x" * 4000)
    live = tmp_path / f".build-{os.getpid()}-x2"  # this process's: a build in progress
    live.mkdir()
    (live / "main.cpp").write_bytes(b"y" * 500)
    unknown, aged = tmp_path / ".build-a1b2", tmp_path / ".build-c3d4"  # no owner recorded
    unknown.mkdir()
    aged.mkdir()
    os.utime(aged, (1, 1))  # older than ORPHAN_AGE_S
    assert 5500 < cache.size_bytes() < 6000  # the unfinished builds count
    cache._evict()
    assert not orphan.exists() and not aged.exists()
    assert live.exists() and unknown.exists()
    assert [e["key"] for e in cache.entries()] == [_key(1)]


def test_clear_removes_only_what_the_cache_made(tmp_path):
    """Foreign content next to entries: the whole clear is refused, nothing deleted."""
    cache = BuildCache(tmp_path)
    for k in range(2):
        _fake_entry(tmp_path, _key(k))
    (tmp_path / f".build-{_dead_pid()}-abc").mkdir()
    foreign = [tmp_path / ".git", tmp_path / "Documents", tmp_path / _key(9)]  # no manifest
    for folder in foreign:
        (folder / "keep").mkdir(parents=True)
    (tmp_path / "notes.txt").write_text("mine")
    before = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(
        BackendError, match=r"holds what the build cache did not make \(\.git, 00.*09, Documents"
    ):
        cache.clear()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert (tmp_path / "notes.txt").read_text() == "mine"
    for path in [*foreign, tmp_path / "notes.txt"]:
        shutil.move(path, tmp_path.parent / f"moved-{path.name}")
    assert cache.clear() == 2
    assert [p.name for p in tmp_path.iterdir()] == [".lock"]


def test_clear_refuses_the_root_and_the_home_folder(tmp_path, monkeypatch):
    """Never call clear() on the real root here: without the guard (today's main, a
    regression) it would delete the machine.  The root goes through the guard alone;
    the home cases use a home folder inside tmp_path."""
    with pytest.raises(BackendError, match=r"refusing to clear / \(the root"):
        build_cache._refuse_unsafe_folder("/")
    home = tmp_path / "home" / "user"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    for folder in (home, tmp_path / "home", tmp_path):
        with pytest.raises(BackendError, match=r"refusing to clear .*the home folder"):
            BuildCache(folder).clear()
    assert (home / "Documents").is_dir()


def test_a_symlinked_lock_is_refused_and_its_target_untouched(tmp_path):
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    _fake_entry(cache_dir, _key(1))
    target = tmp_path / "precious.txt"
    target.write_text("do not truncate")
    (cache_dir / ".lock").symlink_to(target)
    cache = BuildCache(cache_dir)
    with pytest.raises(BackendError, match=r"did not make \(\.lock\); nothing was deleted"):
        cache.clear()
    with pytest.raises(BackendError, match=r"\.lock is a symbolic link"), cache._lock():
        pass  # what a build takes
    assert target.read_text() == "do not truncate"
    assert (cache_dir / _key(1)).is_dir()


# Where fcntl is missing (filelock then falls back to a soft lock: an exclusively created
# marker holding its owner's process id), in a fresh interpreter.
SOFT_HOLDER = textwrap.dedent(
    """
    import sys, time
    sys.modules["fcntl"] = None  # `import fcntl` raises ImportError, as on such a platform
    from quifer_brian.backends import build_cache
    cache = build_cache.BuildCache(sys.argv[1])
    print(build_cache._LOCK_CLASS.__name__, flush=True)
    with cache._lock():
        print("held", flush=True)
        time.sleep(600)  # killed while holding the lock
    """
)


def test_without_fcntl_the_soft_lock_excludes_and_is_taken_back_from_a_dead_holder(tmp_path):
    """No fcntl: the module imports, the lock excludes another process, and a lock whose
    holder was killed (SIGKILL: no release) is taken back, not waited on for an hour."""
    import filelock

    _fake_entry(tmp_path, _key(1))
    holder = subprocess.Popen(
        [sys.executable, "-W", "ignore", "-c", SOFT_HOLDER, str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "SoftFileLock", holder.stderr.read()[-2000:]
        assert holder.stdout.readline().strip() == "held", holder.stderr.read()[-2000:]
        assert (tmp_path / ".lock").is_file()  # the marker, not a link, not a folder
        contender = filelock.SoftFileLock(str(tmp_path / ".lock"), timeout=0.5)
        with pytest.raises(filelock.Timeout):
            contender.acquire()  # held by a live process: excluded
    finally:
        holder.kill()
        holder.wait()
    cache = BuildCache(tmp_path)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(build_cache, "_LOCK_CLASS", filelock.SoftFileLock)
        patch.setattr(build_cache, "_LOCK_TIMEOUT_S", 30)  # a dead holder must not block
        started = time.monotonic()
        assert cache.clear() == 1
        assert time.monotonic() - started < 30
    assert not os.listdir(tmp_path)  # the soft lock's marker goes with its release


def test_the_default_cache_folder_is_the_platforms(monkeypatch, tmp_path):
    """$QUIFER_BRIAN_CACHE first; else platformdirs' user cache folder (XDG on Linux)."""
    monkeypatch.setenv("QUIFER_BRIAN_CACHE", str(tmp_path / "mine"))
    assert build_cache.default_cache_dir() == str(tmp_path / "mine")
    monkeypatch.delenv("QUIFER_BRIAN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    expected = (
        tmp_path / "xdg" / "quifer_brian" / "builds" if sys.platform.startswith("linux") else None
    )
    found = build_cache.default_cache_dir()
    assert found.endswith(os.path.join("quifer_brian", "builds"))
    if expected is not None:
        assert found == str(expected)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda e: (e / MANIFEST).unlink(), "cannot read the manifest"),
        (lambda e: (e / MANIFEST).write_text('{"version": 3, "files"'), "cannot read the manifest"),
        (lambda e: (e / "main").unlink(), "holds no program file 'main'"),
        (lambda e: (e / "main").write_bytes(b"\1" * 100), "does not match its manifest"),
        (lambda e: _edit_manifest(e, version=2), "version is 2"),
        (lambda e: _edit_manifest(e, key=_key(7)), None),
        (lambda e: _edit_manifest(e, program_sha256=None), "program_sha256 is missing"),
        (
            lambda e: _edit_manifest(e, files={"x": {"file": "/etc/passwd", "dtype": "<f8"}}),
            "must stay inside its folder",
        ),
        (
            lambda e: _edit_manifest(e, files={"x": {"file": "../../x", "dtype": "<f8"}}),
            "must stay inside its folder",
        ),
        (
            lambda e: _edit_manifest(e, files={"x": {"file": "x", "dtype": "|O"}}),
            "must be a numeric dtype",
        ),
        (lambda e: (e / "static_arrays").symlink_to("/etc"), "is a link out of the project"),
    ],
)
def test_a_broken_entry_is_not_used(tmp_path, caplog, damage, reason):
    """lookup() refuses a damaged entry (get_or_build then rebuilds it under the lock)."""
    entry = _fake_entry(tmp_path, _key(1))
    cache = BuildCache(tmp_path)
    assert cache.lookup(_key(1)) is not None
    damage(entry)
    assert cache.lookup(_key(1)) is None
    if reason is not None:
        assert reason in caplog.text
        with pytest.raises(BackendError, match=re.escape(reason)):
            CompiledProgram(entry)  # a folder given by the user: a clear error


def _edit_manifest(entry, **items):
    manifest = json.loads((entry / MANIFEST).read_text())
    manifest.update(items)
    if manifest["program_sha256"] is None:
        del manifest["program_sha256"]
    (entry / MANIFEST).write_text(json.dumps(manifest))


def test_a_standalone_session_removes_its_temporary_project(tmp_path):
    for fail in (False, True):
        with contextlib.suppress(KeyboardInterrupt):
            with backend_session("cpp_standalone", stop_after="generate") as session:
                folder = session.directory
                assert os.path.isdir(folder)
                if fail:
                    raise KeyboardInterrupt
        assert not os.path.exists(folder)
    with backend_session("cpp_standalone", directory=str(tmp_path), stop_after="generate"):
        pass
    assert tmp_path.is_dir()  # a folder the user gave is kept


def test_bad_use_is_refused_before_compiling(tmp_path):
    with pytest.raises(BackendError, match=r"BuildCache.max_bytes: must be > 0; got 0"):
        BuildCache(tmp_path, max_bytes=0)
    with pytest.raises(CircuitError, match=r"ping.run.cache: .*cpp_standalone.*'numpy'"):
        ping(**SMALL).run(DURATION, backend="numpy", cache=tmp_path)
    with pytest.raises(CircuitError, match=r"n_e cannot change without a new build"):
        ping(**SMALL).run_values(n_e=3)
    assert not os.listdir(tmp_path)
