"""What a cached rerun does without tempfile and shutil (issue 17's start-up).

``toolchain._installed`` must answer as ``shutil.which``; ``compiled._results_folder``
must make what ``tempfile.mkdtemp`` makes, in the folder tempfile would choose; and the
output folder check (``results.files.ensure_writable_folder``) must still refuse a
folder it cannot write in.
"""

import os
import shutil
import stat
import sys

import pytest

from quifer_brian.backends import compiled, toolchain
from quifer_brian.results.files import ensure_writable_folder


def test_installed_answers_as_shutil_which(tmp_path, monkeypatch):
    tool = tmp_path / "bin" / "my-cc"
    tool.parent.mkdir()
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    plain = tmp_path / "bin" / "not-runnable"
    plain.write_text("")
    plain.chmod(0o644)
    (tmp_path / "bin" / "a-folder").mkdir()
    names = ["sh", "gcc", "no-such-tool-1b7", "my-cc", "not-runnable", "a-folder", str(tool)]
    names += [str(plain), "bin/my-cc", ""]
    monkeypatch.chdir(tmp_path)
    for path in (None, f"{tool.parent}{os.pathsep}/usr/bin{os.pathsep}/bin", "", os.pathsep):
        if path is None:
            monkeypatch.delenv("PATH", raising=False)
        else:
            monkeypatch.setenv("PATH", path)
        for name in names:
            assert toolchain._installed(name) == (shutil.which(name) is not None), (path, name)
    monkeypatch.setenv("PATH", str(tool.parent))
    assert toolchain._installed("my-cc"), "the test sees a tool on PATH"


def test_the_results_folder_is_made_where_tempfile_would_make_it(tmp_path, monkeypatch):
    monkeypatch.delitem(sys.modules, "tempfile")  # as in a rerun: not imported yet
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    made = compiled._results_folder()
    assert os.path.dirname(made) == str(tmp_path / "tmp")
    assert os.path.basename(made).startswith("quifer_results_")
    assert stat.S_IMODE(os.stat(made).st_mode) == 0o700
    assert compiled._results_folder() != made
    monkeypatch.setenv("TMPDIR", str(tmp_path / "absent"))  # unusable: the next candidate
    monkeypatch.setenv("TEMP", str(tmp_path / "tmp2"))
    (tmp_path / "tmp2").mkdir()
    assert os.path.dirname(compiled._results_folder()) == str(tmp_path / "tmp2")


def test_an_output_folder_that_cannot_be_written_is_refused(tmp_path):
    folder = tmp_path / "out" / "deeper"
    assert ensure_writable_folder(folder) == folder and folder.is_dir()
    assert os.listdir(folder) == [], "the check leaves nothing behind"
    (tmp_path / "file").write_text("")
    with pytest.raises(OSError):
        ensure_writable_folder(tmp_path / "file" / "sub")
    if os.geteuid() != 0:  # root writes anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(OSError):
            ensure_writable_folder(locked)
