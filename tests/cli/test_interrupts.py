"""Ctrl-C (SIGINT) during `quifer-brian run` and `sweep`, in a real child process.

The child gets SIGINT as a terminal would send it: `run` on numpy saves what it
simulated, marked incomplete, and exits 130; a standalone run saves nothing; a sweep
never stores the interrupted point, and resuming it recomputes that point.
"""

import json
import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from quifer_brian import load
from quifer_brian.cli import main

ROOT = Path(__file__).resolve().parents[2]
TINY = ["--param", "n_e=40", "--param", "n_i=10", "--backend", "numpy"]


#: The `quifer-brian` command in a child whose n-th simulation (n = QUIFER_TEST_HOLD_RUN)
#: says on stdout when it has simulated 50 ms, then holds there until a SIGINT stops it
#: (120 s at most): the Ctrl-C lands mid-simulation whatever the machine's load.
#: Everything else is the real CLI (``python -m quifer_brian.cli``).
HOLD_RUN = """
import os, sys, time
import brian2
from quifer_brian.cli.main import main

original, calls = brian2.Network.run, []

def run(self, duration, *args, **kwargs):
    calls.append(duration)
    if len(calls) != int(os.environ["QUIFER_TEST_HOLD_RUN"]):
        return original(self, duration, *args, **kwargs)
    said = []

    def report(elapsed, completion, start, length):
        if completion * float(length) >= 0.05 and not said:
            said.append(True)
            print(f"simulating run {len(calls)}", flush=True)
            deadline = time.monotonic() + 120
            while not self._stopped and time.monotonic() < deadline:
                time.sleep(0.01)

    kwargs.update(report=report, report_period=0.01 * brian2.second)
    return original(self, duration, *args, **kwargs)

brian2.Network.run = run
sys.exit(main(sys.argv[1:]))
"""


def _start(argv, hold_run=None, **options):
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    command = ["-m", "quifer_brian.cli"]
    if hold_run is not None:  # see HOLD_RUN
        environment["QUIFER_TEST_HOLD_RUN"] = str(hold_run)
        command = ["-c", HOLD_RUN]
    return subprocess.Popen(
        [sys.executable, *command, *argv],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **options,
    )


def _wait_for_line(process, text, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return
        if not line and process.poll() is not None:
            break
    process.kill()
    raise AssertionError(f"{text!r} never printed: {process.communicate()[1]}")


def _finished_points(folder):
    names = folder.iterdir() if folder.is_dir() else []
    return sorted(p for p in names if p.suffix == ".json" and not p.name.startswith(".tmp-"))


def _last_error_line(stderr):
    assert "Traceback" not in stderr, stderr
    return stderr.strip().splitlines()[-1]


def test_ctrl_c_during_a_numpy_run_saves_the_partial_result_marked_incomplete(tmp_path):
    argv = ["run", "ping", *TINY, "--duration", "30s", "--out", str(tmp_path)]
    process = _start(argv, hold_run=1)
    _wait_for_line(process, "simulating run 1")  # it has simulated 50 ms, and waits
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    line = _last_error_line(stderr)
    assert line.startswith("quifer-brian run: interrupted (Ctrl-C) at "), line
    assert line.endswith(
        f"of 30 s; the partial result, marked incomplete, is in {tmp_path}/result.npz"
    )
    result = load(tmp_path / "result.npz")
    simulated = result.meta["simulated_duration_s"]
    assert result.meta["complete"] is False and result.meta["requested_duration_s"] == 30.0
    assert 0 < simulated < 30 and result.duration == simulated
    assert len(result.lfp) == math.ceil(simulated * result.fs - 1e-9)  # samples at t < end
    assert result.spikes["E"][0].max() < simulated
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["complete"] is False and summary["simulated_duration_s"] == simulated


@pytest.mark.slow
def test_ctrl_c_mid_sweep_stores_no_interrupted_point_and_the_resume_recomputes_it(tmp_path):
    grid = ["--grid", "tau_gaba=5ms,10ms,15ms", "--metric", "rates", "--metric", "gamma"]
    argv = ["sweep", "ping", *grid, *TINY, "--duration", "1s", "--serial"]
    out = tmp_path / "interrupted"
    process = _start([*argv, "--out", str(out)], hold_run=2)
    # the second point's simulation has begun (the first point is stored by then) and
    # waits for the signal: no race with a point that finishes first
    _wait_for_line(process, "simulating run 2", timeout=300)
    assert len(_finished_points(out / "points")) == 1
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    line = _last_error_line(stderr)
    assert line.startswith("quifer-brian sweep: interrupted (Ctrl-C); the finished points")
    assert len(_finished_points(out / "points")) == 1, "only the finished point is stored"
    assert not (out / "table.csv").exists()

    assert main([*argv, "--out", str(out)]) == 0  # resume: the other two are run
    whole = tmp_path / "whole"
    assert main([*argv, "--out", str(whole)]) == 0
    resumed, reference = pd.read_csv(out / "table.csv"), pd.read_csv(whole / "table.csv")
    columns = [c for c in reference.columns if c not in ("wall_s", "build")]
    assert len(resumed) == 3 and resumed["error"].isna().all()
    pd.testing.assert_frame_equal(resumed[columns], reference[columns])


@pytest.mark.slow
@pytest.mark.standalone
def test_ctrl_c_during_a_standalone_build_saves_nothing(tmp_path):
    cache = tmp_path / "cache"
    argv = ["run", "ping", *TINY[:4], "--backend", "cpp_standalone", "--duration", "1s"]
    process = _start(
        [*argv, "--cache-dir", str(cache), "--out", str(tmp_path / "out")], start_new_session=True
    )
    _wait_for_line(process, "running ping")
    # the project is generated (its makefile written) and make is compiling it: seconds
    # of work still to come before anything could be saved
    deadline = time.monotonic() + 300
    while not list(cache.glob(".build-*/makefile")) and process.poll() is None:
        assert time.monotonic() < deadline, "no project generated in 300 s"
        time.sleep(0.02)
    assert process.poll() is None, process.communicate()[1]
    os.killpg(process.pid, signal.SIGINT)  # as a terminal does: the compiler gets it too
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr
    line = _last_error_line(stderr)
    assert line.startswith("quifer-brian run: interrupted (Ctrl-C) before the end; nothing saved")
    assert not (tmp_path / "out" / "result.npz").exists()
    leftovers = [p.name for p in cache.iterdir()] if cache.is_dir() else []
    assert not [name for name in leftovers if name.startswith(".build-")], leftovers
