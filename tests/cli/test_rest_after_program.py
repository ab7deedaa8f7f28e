"""What a cached ``quifer-brian run`` does after its program (issue 17, the "rest").

The summary's spectral fit imports specparam (with scipy and matplotlib: about half a
second) on its first call; a cached run now imports it in the thread that imports the
analysis package while the program runs, so nothing heavy is left to import after the
program.  And the command's own process ends without the garbage collector's last
passes over every object (``gc.freeze`` at exit), a caller of ``main(argv)`` never.
"""

import json
import os
import subprocess
import sys
import threading
import types

import pytest

from quifer_brian.cli.report import SUMMARY_IMPORTS
from quifer_brian.rerun import RESULT_IMPORTS, FastPlan, run_plan

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HEAVY = ("scipy", "specparam", "matplotlib", "quifer_brian.analysis")


def _python(code, cwd):
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": ROOT},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


# A result with an LFP whose spectrum has a 40 Hz peak over 1/f noise: the summary fits it.
_REPORT = """
import json, sys, time, numpy as np
for module in {preload!r}:
    __import__(module)
from quifer_brian.cli.report import report_run
from quifer_brian.results import Result
rng = np.random.default_rng(3)
fs, n = 1000.0, 2000
t = np.arange(n) / fs
lfp = np.cumsum(rng.normal(size=n)) * 1e-3 + np.sin(2 * np.pi * 40 * t)
spikes = {{"E": (np.sort(rng.uniform(0, 2, 80)), rng.integers(0, 40, 80).astype(np.int32))}}
result = Result(spikes, {{"E": 40}}, 2.0, lfp=lfp, fs=fs,
                meta={{"circuit": "test", "backend": "numpy", "seed": 1, "wall_time_s": 0.1}})
before = set(sys.modules)
status = report_run(result, {{}}, "out", time.perf_counter())
new = set(sys.modules) - before
heavy = sorted({{m.split(".")[0] for m in new if m.split(".")[0] in {heavy!r}}}
               | {{m for m in new if m.startswith("quifer_brian.analysis")}})
print(json.dumps({{"status": status, "heavy": heavy}}))
"""


def test_after_the_summary_imports_the_summary_imports_nothing_heavy(tmp_path):
    heavy = tuple(name.split(".")[0] for name in HEAVY)
    shown = _python(_REPORT.format(preload=["quifer_brian.analysis"], heavy=heavy), tmp_path)
    found = json.loads(shown.strip().splitlines()[-1])
    assert found["status"] == 0
    assert "specparam" in found["heavy"], (
        "without specparam imported first, the summary imports it itself"
    )
    shown = _python(_REPORT.format(preload=list(SUMMARY_IMPORTS), heavy=heavy), tmp_path)
    assert json.loads(shown.strip().splitlines()[-1]) == {"status": 0, "heavy": []}
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert summary["lfp_peaks"], "the spectral fit ran"
    assert abs(summary["lfp_peak_hz"] - 40) < 2


class _Program:
    """A stand-in compiled program: ``run`` starts the caller's work and waits for the
    threads it started (the real program runs meanwhile)."""

    def __init__(self, directory):
        self.directory = str(directory)
        self.started = None

    def run(self, values, seed=None, progress=False, check=True, started=None, params=None):
        self.started = started
        if started is not None:
            before = set(threading.enumerate())
            started()
            for thread in set(threading.enumerate()) - before:
                thread.join(timeout=60)
        return types.SimpleNamespace(with_meta=lambda **meta: meta)


def test_run_plan_imports_what_the_caller_needs_in_a_thread_while_the_program_runs(
    tmp_path, monkeypatch
):
    module = "quifer_probe_imported_during_the_program"
    (tmp_path / f"{module}.py").write_text(
        "import threading\nIN_MAIN_THREAD = threading.current_thread() is threading.main_thread()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, module, raising=False)
    program = _Program(tmp_path)
    plan = FastPlan(program, "k" * 24, {}, {}, "1. s")
    meta = run_plan(plan, seed=1, imports=(*RESULT_IMPORTS, module))
    assert meta["build"] == "cached" and program.started is not None
    assert module in sys.modules, "imported while the program ran"
    assert sys.modules[module].IN_MAIN_THREAD is False
    program = _Program(tmp_path)  # everything imported already: no thread
    run_plan(FastPlan(program, "k" * 24, {}, {}, "1. s"), imports=(module, "json"))
    assert program.started is None


def test_a_cached_run_of_the_cli_asks_for_the_summary_s_imports(tmp_path, monkeypatch):
    from quifer_brian.cli import fast
    from quifer_brian.errors import RunInterrupted

    asked = {}

    def run(plan, seed, progress, imports):
        asked["imports"] = imports
        raise RunInterrupted("stopped")

    monkeypatch.setattr(fast, "run_plan", run)
    args = types.SimpleNamespace(
        network="ping", seed=3, out=str(tmp_path / "out"), quiet=True, traceback=False
    )
    plan = types.SimpleNamespace(key="k" * 24, duration_text="1. s", params_json={})
    assert fast.FastCommand(args, plan, 0.0)() == 130
    assert set(asked["imports"]) >= {"quifer_brian.analysis", "specparam"}


_EXIT = """
import atexit, gc, sys
base = gc.get_freeze_count()  # objects frozen already (the interpreter's start may freeze some)
atexit.register(lambda: print("frozen at exit:", gc.get_freeze_count() > base, flush=True))
import quifer_brian.cli
cli_main = sys.modules["quifer_brian.cli.main"]

class Command:
    quiet = traceback = False
    def __call__(self):
        print("ran", flush=True)
        return 0

cli_main.fast_command = lambda argv: Command()
sys.argv = ["quifer-brian", "run", "ping"]
status = cli_main.main({argv})
print("status", status, "frozen now:", gc.get_freeze_count() > base, flush=True)
"""


@pytest.mark.parametrize("argv, frozen", [("", "True"), ("['run', 'ping']", "False")])
def test_only_the_command_s_own_process_skips_the_last_collection(tmp_path, argv, frozen):
    shown = _python(_EXIT.format(argv=argv), tmp_path).split()
    assert " ".join(shown) == f"ran status 0 frozen now: False frozen at exit: {frozen}"
