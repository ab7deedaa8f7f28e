"""Digests trusted by file state (backends/stamps.py; issue 17's start-up).

The fast path skips hashing the package's sources and the cached program while each
file's state (size, mtime, ctime, inode, device) is the one recorded with the digest.
These tests check that the recorded digest is really used (a planted digest comes
back), and that every change of content -- even with the modification time put back --
and every file added or removed makes the files be hashed again; and that no stamp is
written for files changed within ``SETTLED_S`` seconds.
"""

import hashlib
import json
import os
import time

import pytest

from quifer_brian.backends import cache_paths, compiled, stamps
from quifer_brian.backends.compiled import (
    MANIFEST,
    MANIFEST_VERSION,
    PROGRAM_STAMP,
    CompiledProgram,
)
from quifer_brian.errors import BackendError


def _walk_digest(package):
    """The sources' digest as the build cache has always computed it (os.walk)."""
    digest = hashlib.sha256()
    for root, folders, files in os.walk(package):
        folders.sort()
        for name in sorted(files):
            if name.endswith(".py"):
                path = os.path.join(root, name)
                digest.update(os.path.relpath(path, package).encode())
                with open(path, "rb") as stream:
                    digest.update(stream.read())
    return digest.hexdigest()[:16]


@pytest.fixture
def package(tmp_path, monkeypatch):
    root = tmp_path / "pkg"
    for relative, text in {
        "__init__.py": "x = 1\n",
        "b/__init__.py": "",
        "b/model.py": "tau = 10\n",
        "a/z.py": "y = 2\n",
        "a/notes.txt": "not a source\n",
    }.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    monkeypatch.setattr(cache_paths, "_package", lambda: str(root))
    (tmp_path / "cache").mkdir()
    return root


def _stamp(cache):
    (found,) = [name for name in os.listdir(cache) if name.startswith(".sources-")]
    return cache / found


def test_the_package_s_own_digest_is_the_os_walk_digest():
    package = cache_paths._package()
    assert cache_paths._source_digest() == _walk_digest(package)


def test_the_sources_stamp_stands_for_them_until_any_file_changes(package, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    assert cache_paths.source_digest(str(cache)) == _walk_digest(package)
    assert os.listdir(cache) == [], "files written just now: no stamp"
    monkeypatch.setattr(stamps, "SETTLED_S", 0.0)
    time.sleep(0.01)
    true = cache_paths.source_digest(str(cache))
    assert true == _walk_digest(package)
    stamp = json.loads(_stamp(cache).read_text())
    stamp["digest"] = "planted"  # a hit returns the stamp's digest, no hashing
    _stamp(cache).write_text(json.dumps(stamp))
    assert cache_paths.source_digest(str(cache)) == "planted"
    # the same size and the modification time put back: the change time still moves
    model = package / "b" / "model.py"
    before = os.stat(model)
    time.sleep(0.01)
    model.write_text("tau = 20\n")
    os.utime(model, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(model).st_mtime_ns == before.st_mtime_ns
    changed = cache_paths.source_digest(str(cache))
    assert changed == _walk_digest(package) != true
    for change in (
        lambda: (package / "b" / "new.py").write_text(""),  # a file added
        lambda: (package / "a" / "z.py").unlink(),  # a file removed
        lambda: model.rename(package / "b" / "m.py"),  # renamed
    ):
        time.sleep(0.01)
        assert cache_paths.source_digest(str(cache)) == _walk_digest(package)  # stamped
        stamp = json.loads(_stamp(cache).read_text())
        stamp["digest"] = "planted"
        _stamp(cache).write_text(json.dumps(stamp))
        assert cache_paths.source_digest(str(cache)) == "planted"
        change()
        assert cache_paths.source_digest(str(cache)) == _walk_digest(package)


def test_a_sources_stamp_in_a_cache_is_the_cache_s_own(package, tmp_path, monkeypatch):
    from quifer_brian.backends import BuildCache

    monkeypatch.setattr(stamps, "SETTLED_S", 0.0)
    cache = tmp_path / "cache"
    time.sleep(0.01)
    cache_paths.source_digest(str(cache))
    assert _stamp(cache).exists()
    assert BuildCache(cache).clear() == 0  # not foreign: removed, nothing refused
    assert os.listdir(cache) == [".lock"]


def _program(folder, size=2000):
    folder.mkdir()
    (folder / "main").write_bytes(b"\1" * size)
    (folder / "main").chmod(0o755)
    manifest = {
        "version": MANIFEST_VERSION,
        "key": "k",
        "duration_s": 0.5,
        "layout": dict.fromkeys(("sizes", "fs", "rate_dt", "lfp", "params")) | {"circuit": "f"},
        "tunable": {},
        "files": {},
        "program_sha256": hashlib.sha256(b"\1" * size).hexdigest(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest))
    return folder


def test_a_program_is_hashed_again_whenever_its_state_changed(tmp_path, monkeypatch):
    folder = _program(tmp_path / "p")
    CompiledProgram(folder)
    assert not (folder / PROGRAM_STAMP).exists(), "built just now: no stamp"
    monkeypatch.setattr(stamps, "SETTLED_S", 0.0)
    time.sleep(0.01)
    CompiledProgram(folder)
    assert (folder / PROGRAM_STAMP).exists()

    def refuse(directory):
        raise AssertionError("hashed despite an unchanged state")

    monkeypatch.setattr(compiled, "program_digest", refuse)
    CompiledProgram(folder).verify()  # the stamp stands for the program
    monkeypatch.undo()
    monkeypatch.setattr(stamps, "SETTLED_S", 0.0)
    main = folder / "main"
    before = os.stat(main)
    time.sleep(0.01)
    main.write_bytes(b"\2" * 2000)  # same size, modification time put back
    os.utime(main, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(BackendError, match="does not match its manifest"):
        CompiledProgram(folder)
    main.unlink()  # replaced by a copy of the right content: another inode
    main.write_bytes(b"\1" * 2000)
    os.utime(main, ns=(before.st_atime_ns, before.st_mtime_ns))
    CompiledProgram(folder)


def test_the_program_starts_before_the_caller_s_overlapping_work(tmp_path, monkeypatch):
    folder = _program(tmp_path / "p")
    (folder / "main").write_text("#!/bin/sh\nsleep 30\n")
    manifest = json.loads((folder / MANIFEST).read_text())
    manifest["program_sha256"] = hashlib.sha256((folder / "main").read_bytes()).hexdigest()
    (folder / MANIFEST).write_text(json.dumps(manifest))
    program = CompiledProgram(folder)
    events = []

    class Popen(compiled.subprocess.Popen):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            events.append(("started", self))

    def started():
        events.append(("work", None))
        raise KeyboardInterrupt  # Ctrl-C while the program runs: it is killed

    monkeypatch.setattr(compiled.subprocess, "Popen", Popen)
    begin = time.monotonic()
    with pytest.raises(compiled.RunInterrupted):
        program.run({}, seed=1, started=started)
    assert [name for name, _ in events] == ["started", "work"]
    assert events[0][1].returncode is not None, "killed, not left running"
    assert time.monotonic() - begin < 20
