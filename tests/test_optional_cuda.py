"""brian2cuda is optional (the ``cuda`` extra): without it everything but cuda_standalone
works, and every path that needs it stops with a BackendError naming the extra."""

import json
import subprocess
import sys
import textwrap

import pytest

from quifer_brian.backends import backend_session, configure_cuda
from quifer_brian.backends.detect import cuda_standalone_status
from quifer_brian.backends.registry import get_backend, import_backend_module
from quifer_brian.errors import BackendError

EXTRA = r"pip install 'quifer-brian\[cuda\]'"


@pytest.fixture
def without_brian2cuda(monkeypatch):
    """As if brian2cuda were not installed: ``import brian2cuda`` raises ImportError."""
    for name in [m for m in sys.modules if m == "brian2cuda" or m.startswith("brian2cuda.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "brian2cuda", None)


def test_the_status_names_the_cuda_extra(without_brian2cuda):
    status = cuda_standalone_status()
    assert not (status.generates or status.compiles or status.runs)
    assert "brian2cuda is not installed" in status.note
    assert "pip install 'quifer-brian[cuda]'" in status.note


def test_a_cuda_session_is_refused_before_anything_is_built(without_brian2cuda, tmp_path):
    with (
        pytest.raises(BackendError, match=rf"cuda_standalone.*cannot do that here.*{EXTRA}"),
        backend_session("cuda_standalone", directory=str(tmp_path), stop_after="generate"),
    ):
        pass  # pragma: no cover - never entered
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "path",
    [
        lambda folder: configure_cuda(folder),
        lambda folder: import_backend_module(get_backend("cuda_standalone")),
    ],
    ids=["configure_cuda", "session_import"],
)
def test_every_import_of_brian2cuda_names_the_extra(without_brian2cuda, tmp_path, path):
    with pytest.raises(BackendError, match=rf"needs brian2cuda, which is not installed.*{EXTRA}"):
        path(str(tmp_path))


def test_the_cpu_backends_do_not_import_brian2cuda(tmp_path):
    """A fresh interpreter that cannot import brian2cuda imports the whole package and the
    CLI, and runs a circuit on cpp_standalone's neighbour numpy, without touching it."""
    child = textwrap.dedent(
        """
        import json, sys
        sys.modules["brian2cuda"] = None  # absent: `import brian2cuda` raises ImportError
        from brian2 import ms
        import quifer_brian, quifer_brian.cli, quifer_brian.sweeps
        from quifer_brian.backends import backend_status
        from quifer_brian.networks import ping
        result = ping(n_e=40, n_i=10).run(50 * ms, backend="numpy", seed=1)
        print(json.dumps({
            "spikes": int(len(result.spikes["E"][0])),
            "cuda": [s.note for s in backend_status() if s.name == "cuda_standalone"][0],
        }))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", child], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["spikes"] > 0
    assert "quifer-brian[cuda]" in report["cuda"]
