"""What a cached rerun does without tempfile and shutil (issue 17's start-up).

``toolchain._installed`` must answer as ``shutil.which``; ``compiled._results_folder``
must make what ``tempfile.mkdtemp`` makes, in the folder tempfile would choose; and the
output folder check (``results.files.ensure_writable_folder``) must still refuse a
folder it cannot write in.
"""

import os
import shutil
import stat
import subprocess
import sys

import numpy as np
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


def test_a_rerun_starts_its_program_before_numpy_is_loaded():
    """numpy (35 ms of a 50 ms start) is imported while the program runs, not before."""
    code = (
        "import sys\n"
        "from quifer_brian.cli import main\n"
        "import quifer_brian.cli.fast, quifer_brian.rerun, quifer_brian.units\n"
        "import quifer_brian.backends.compiled, quifer_brian.backends.fast_index\n"
        "import quifer_brian.results.files\n"
        "from quifer_brian.units import quantity_to_json\n"
        "from quifer_brian.results.files import strict_json\n"
        "assert quantity_to_json({'a': [1.5, 2]}) == {'a': [1.5, 2]}\n"
        "assert strict_json({'x': float('nan'), 'y': (1, 2)}) == {'x': None, 'y': [1, 2]}\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'brian2')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_the_manifest_dtype_check_reads_what_numpy_writes():
    refused = []

    def refuse(field, message):
        refused.append(message)

    numeric = (bool, np.int8, np.int32, np.int64, np.uint8, np.float32, np.float64)
    for dtype in numeric:
        compiled._check_dtype(refuse, "dtype", np.dtype(dtype).str)
    assert refused == []
    for dtype in ("<c16", "|O", "<U4", "<M8[s]", "f8", 8, None, "<f8 "):
        compiled._check_dtype(refuse, "dtype", dtype)
    assert len(refused) == 8


def test_scalar_run_values_are_written_as_before(tmp_path):
    program = object.__new__(compiled.CompiledProgram)
    program.manifest = {"tunable": {"a.x": "<f8", "b.y": "<f8", "c.z": "<f8", "d.w": "<i4"}}
    values = {"a.x": 1e-10, "b.y": np.float64(0.3), "c.z": True, "d.w": np.array(7)}
    arguments = program._arguments(values, str(tmp_path))
    assert arguments == [f"{k}={float(np.asarray(v))!r}" for k, v in sorted(values.items())]
    array = program._arguments({"a.x": np.arange(3.0)}, str(tmp_path))
    assert np.array_equal(np.fromfile(array[0].split("=", 1)[1]), np.arange(3.0))
