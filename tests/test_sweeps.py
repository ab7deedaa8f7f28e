"""Sweeps: compiled once, run through run_args, on Dask, resumable, failures as data."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from brian2 import ms, pA, second

from quifer_brian.analysis import gamma_measures
from quifer_brian.backends import build_cache
from quifer_brian.errors import CircuitError, SweepError, UnitsError
from quifer_brian.networks import ping
from quifer_brian.sweeps import sweep, sweep_points

from .conftest import SWEEP_DURATION_MS, SWEEP_PING

DURATION = SWEEP_DURATION_MS * ms
TAUS = [5 * ms, 10 * ms, 15 * ms, 20 * ms]
DRIVES = [350 * pA, 400 * pA, 450 * pA, 500 * pA]
GRID = {"tau_gaba": TAUS, "drive_e": DRIVES}
SMALL_GRID = {"tau_gaba": [5 * ms, 10 * ms], "drive_e": [400 * pA]}


def _same_table(a, b):
    columns = [c for c in a.columns if c != "wall_s"]
    pd.testing.assert_frame_equal(
        a[columns].reset_index(drop=True), b[columns].reset_index(drop=True)
    )


@pytest.fixture(scope="module")
def full_sweep(ping_cache, tmp_path_factory):
    return sweep(
        "ping",
        GRID,
        DURATION,
        params=SWEEP_PING,
        client="sync",
        cache_dir=ping_cache.directory,
        out=tmp_path_factory.mktemp("sweep") / "full",
        seed=1,
        progress=False,
    )


@pytest.mark.standalone
def test_sixteen_points_compile_once(full_sweep, ping_cache):
    table = full_sweep
    assert len(table) == 16 and table.attrs["structures"] == 1
    assert table.attrs["builds"] <= 1  # 0 when another test compiled the structure first
    assert table["build"].nunique() == 1 and table["error"].isna().all()
    assert list(table.columns[:4]) == ["n_e", "n_i", "tau_gaba_ms", "drive_e_pA"]
    assert table.attrs["units"] == {"tau_gaba": "ms", "drive_e": "pA"}
    # the science: gamma falls as the inhibition decays more slowly, at every drive
    # (2.5 Hz resolution and a small network: compared at each doubling of tau_gaba)
    for _, by_drive in table.groupby("drive_e_pA"):
        frequency = dict(zip(by_drive["tau_gaba_ms"], by_drive["gamma_hz"], strict=True))
        assert frequency[5] > frequency[10] > frequency[20], frequency
        assert 25 <= frequency[20] and frequency[5] <= 115, frequency
    assert len({key for key in os.listdir(table.attrs["out"] + "/points")}) == 16


@pytest.mark.standalone
def test_sweep_agrees_with_separate_runs(full_sweep):
    """Corner points run on their own (numpy: another random stream) give the same gamma."""
    table = full_sweep
    df = 1 / (DURATION / second - 0.1)  # spectral resolution of gamma_measures (Hz)
    for tau, drive in [(TAUS[0], DRIVES[0]), (TAUS[-1], DRIVES[-1])]:
        single = ping(**SWEEP_PING, tau_gaba=tau, drive_e=drive).run(DURATION, seed=11)
        row = table[
            np.isclose(table["tau_gaba_ms"], float(tau / ms))
            & np.isclose(table["drive_e_pA"], float(drive / pA))
        ]
        assert abs(gamma_measures(single)["peak"] - row["gamma_hz"].item()) <= 2 * df + 1e-9


@pytest.mark.standalone
def test_the_same_sweep_again_runs_nothing(full_sweep, ping_cache):
    again = sweep(
        "ping",
        GRID,
        DURATION,
        params=SWEEP_PING,
        client="sync",
        cache_dir=ping_cache.directory,
        out=full_sweep.attrs["out"],
        progress=False,
    )
    assert (again.attrs["computed"], again.attrs["resumed"], again.attrs["builds"]) == (0, 16, 0)
    _same_table(again, full_sweep)


SLOW_METRIC = textwrap.dedent(
    """
    import os, sys, time
    from brian2 import ms, pA
    from quifer_brian.sweeps import sweep

    def slow_rates(result):
        if os.environ.get("QUIFER_TEST_SLOW"):
            time.sleep(1.0)
        return {"rate_E_hz": float(result.mean_rate("E"))}

    if __name__ == "__main__":
        sweep("ping", {"tau_gaba": [5*ms, 7.5*ms, 10*ms, 15*ms, 20*ms, 25*ms]}, 500*ms,
              metrics=[slow_rates, "gamma"], params={"n_e": 400, "n_i": 100},
              client=sys.argv[3], cache_dir=sys.argv[1], out=sys.argv[2], progress=False)
    """
)


@pytest.mark.standalone
def test_an_interrupted_sweep_resumes_without_rerunning(ping_cache, tmp_path):
    script = tmp_path / "slow_sweep.py"
    script.write_text(SLOW_METRIC)
    out = tmp_path / "interrupted"
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the code under test
    environment = {
        **os.environ,
        "QUIFER_TEST_SLOW": "1",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), root]),
    }
    command = [sys.executable, str(script), ping_cache.directory, str(out)]
    process = subprocess.Popen([*command, "sync"], env=environment, stderr=subprocess.DEVNULL)
    points = out / "points"
    deadline = time.monotonic() + 300

    def finished_points():  # a point being written is a ".tmp-*.json" file until renamed
        names = points.iterdir() if points.is_dir() else []
        return [p for p in names if p.suffix == ".json" and not p.name.startswith(".tmp-")]

    while time.monotonic() < deadline and process.poll() is None:
        if len(finished_points()) >= 2:
            break
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)  # killed between points or in the middle of one
    process.wait()
    finished = len(finished_points())
    assert 2 <= finished < 6
    for point in finished_points():  # none half-written (a stray .tmp-* file may remain)
        json.loads(point.read_text())
    sys.path.insert(0, str(tmp_path))
    try:
        from slow_sweep import slow_rates  # the same metric, without the sleep here
    finally:
        sys.path.remove(str(tmp_path))
    arguments = dict(
        metrics=[slow_rates, "gamma"],
        params=SWEEP_PING,
        client="sync",
        cache_dir=ping_cache.directory,
        progress=False,
    )
    grid = {"tau_gaba": [5 * ms, 7.5 * ms, 10 * ms, 15 * ms, 20 * ms, 25 * ms]}
    resumed = sweep("ping", grid, DURATION, out=out, **arguments)
    assert resumed.attrs["resumed"] == finished and resumed.attrs["computed"] == 6 - finished
    uninterrupted = sweep("ping", grid, DURATION, out=tmp_path / "whole", **arguments)
    _same_table(resumed, uninterrupted)


@pytest.mark.standalone
def test_a_failing_point_is_reported_and_the_others_finish(ping_cache, tmp_path):
    grid = {"drive_e": [0 * pA, 450 * pA]}  # no drive, noise 5x below rheobase: silent
    table = sweep(
        "ping",
        grid,
        DURATION,
        params=SWEEP_PING,
        metrics="rates",
        client="sync",
        cache_dir=ping_cache.directory,
        out=tmp_path,
        progress=False,
    )
    assert table.attrs["failed"] == 1 and table.attrs["builds"] == 0, table.attrs
    assert "SimulationError" in table["error"][0] and "no population fired" in table["error"][0]
    assert pd.isna(table["error"][1]) and table["rate_E_hz"][1] > 1
    assert np.isnan(table["rate_E_hz"][0])
    assert len(os.listdir(tmp_path / "points")) == 1  # the failure is retried next time


@pytest.mark.standalone
@pytest.mark.slow  # compiles a second structure
def test_a_structural_parameter_builds_per_structure(ping_cache, tmp_path, caplog):
    grid = {"n_i": [100, 120], "tau_gaba": [5 * ms, 10 * ms]}
    before = build_cache.build_count()
    with caplog.at_level("WARNING", logger="quifer_brian.sweeps"):
        table = sweep(
            "ping",
            grid,
            DURATION,
            params={"n_e": 400},
            metrics="rates",
            client="sync",
            cache_dir=ping_cache.directory,
            out=tmp_path,
            progress=False,
        )
    assert table.attrs["structures"] == 2 and table.groupby("n_i")["build"].nunique().eq(1).all()
    assert build_cache.build_count() - before <= 2 and table["build"].nunique() == 2
    assert "2 network structures" in caplog.text and "n_i" in caplog.text


@pytest.mark.standalone
def test_local_cluster_with_two_workers(full_sweep, ping_cache, tmp_path):
    table = sweep(
        "ping",
        SMALL_GRID,
        DURATION,
        params=SWEEP_PING,
        client=None,
        n_workers=2,
        cache_dir=ping_cache.directory,
        out=tmp_path,
        progress=False,
    )
    assert table.attrs["builds"] == 0 and table["error"].isna().all()
    reference = full_sweep[
        np.isin(full_sweep["tau_gaba_ms"], [5.0, 10.0]) & np.isclose(full_sweep["drive_e_pA"], 400)
    ]
    assert table["gamma_hz"].tolist() == reference["gamma_hz"].tolist()


@pytest.mark.standalone
def test_an_existing_scheduler_by_address(full_sweep, ping_cache, tmp_path):
    """A scheduler and a worker started as separate processes, on the loopback only."""
    scheduler_file = tmp_path / "scheduler.json"
    dask = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    worker = [sys.executable, "-m", "distributed.cli.dask_worker"]
    processes = [
        subprocess.Popen(
            [
                *dask,
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        import json

        address = json.loads(scheduler_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        processes.append(
            subprocess.Popen(
                [
                    *worker,
                    address,
                    "--nworkers",
                    "1",
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        table = sweep(
            "ping",
            SMALL_GRID,
            DURATION,
            params=SWEEP_PING,
            client=address,
            cache_dir=ping_cache.directory,
            out=tmp_path / "out",
            progress=False,
        )
    finally:
        for process in reversed(processes):
            process.terminate()
            process.wait(timeout=30)
    reference = full_sweep[
        np.isin(full_sweep["tau_gaba_ms"], [5.0, 10.0]) & np.isclose(full_sweep["drive_e_pA"], 400)
    ]
    assert table["error"].isna().all()
    assert table["gamma_hz"].tolist() == reference["gamma_hz"].tolist()


def test_bad_input_is_refused_before_anything_runs(tmp_path):
    cache = tmp_path / "cache"
    arguments = dict(client="sync", cache_dir=cache, out=tmp_path / "out", progress=False)
    with pytest.raises(CircuitError, match=r"ping: unknown parameter\(s\) tau_x"):
        sweep("ping", {"tau_x": [1 * ms]}, DURATION, **arguments)
    with pytest.raises(UnitsError, match=r"tau_gaba"):
        sweep("ping", {"tau_gaba": [5 * pA]}, DURATION, **arguments)
    with pytest.raises(CircuitError, match=r"unknown network 'pong'"):
        sweep("pong", {"tau_gaba": [5 * ms]}, DURATION, **arguments)
    with pytest.raises(SweepError, match=r"sweep.grid: is empty"):
        sweep("ping", {}, DURATION, **arguments)
    with pytest.raises(SweepError, match=r"sweep.duration: must be > 0"):
        sweep("ping", SMALL_GRID, 0 * ms, **arguments)
    assert not cache.exists()


def test_grid_points_are_the_cartesian_product_in_order():
    points = sweep_points({"a": [1, 2], "b": [3 * ms]})
    assert points == [{"a": 1, "b": 3 * ms}, {"a": 2, "b": 3 * ms}]
    assert sweep_points([{"a": 1}]) == [{"a": 1}]
    with pytest.raises(SweepError, match=r"sweep.grid.a: has no values"):
        sweep_points({"a": []})


# ---------------------------------------------------------------- stored points: keys, checks
def tiny_ping(tau_gaba=10 * ms, drive_e=400 * pA):
    """A module-level builder (importable) whose defaults a test can change."""
    return ping(n_e=20, n_i=5, tau_gaba=tau_gaba, drive_e=drive_e)


def _tiny_sweep(out, **options):
    return sweep(
        tiny_ping,
        {"tau_gaba": [5 * ms, 10 * ms]},
        50 * ms,
        metrics="rates",
        backend="numpy",
        client="sync",
        out=out,
        progress=False,
        **options,
    )


def test_stored_points_are_validated_and_stale_or_broken_ones_rerun(tmp_path, monkeypatch, caplog):
    first = _tiny_sweep(tmp_path)
    assert (first.attrs["computed"], first.attrs["resumed"]) == (2, 0)
    files = sorted((tmp_path / "points").glob("*.json"))
    record = json.loads(files[0].read_text())
    assert record["key"]["package"]["source"] and record["key"]["params"]["drive_e"]
    assert _tiny_sweep(tmp_path).attrs["resumed"] == 2

    files[0].write_text('{"metrics": {"rate_E_hz": 1e9}, "error": null')  # truncated
    edited = json.loads(files[1].read_text())
    edited["metrics"]["rate_E_hz"] = "fast"
    files[1].write_text(json.dumps(edited))
    with caplog.at_level("WARNING", logger="quifer_brian.sweeps"):
        again = _tiny_sweep(tmp_path)
    assert (again.attrs["computed"], again.attrs["resumed"]) == (2, 0)
    assert "is unreadable" in caplog.text and "metrics that are not numbers" in caplog.text
    _same_table(again, first)

    from quifer_brian import sweeps

    monkeypatch.setattr(sweeps, "source_digest", lambda: "0123456789abcdef")  # code changed
    assert _tiny_sweep(tmp_path).attrs["computed"] == 2
    monkeypatch.setattr(sweeps, "__version__", "99.0")  # another release
    assert _tiny_sweep(tmp_path).attrs["computed"] == 2


def test_a_changed_builder_default_reruns_the_points(tmp_path, monkeypatch):
    first = _tiny_sweep(tmp_path)
    monkeypatch.setattr(tiny_ping, "__defaults__", (10 * ms, 500 * pA))  # drive_e default
    changed = _tiny_sweep(tmp_path)
    assert (changed.attrs["computed"], changed.attrs["resumed"]) == (2, 0)
    assert changed["rate_E_hz"].tolist() != first["rate_E_hz"].tolist()
    assert len(list((tmp_path / "points").glob("*.json"))) == 4


def test_an_unwritable_out_is_refused_before_anything_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SweepError, match=r"sweep.out: cannot write to .*file/points"):
        _tiny_sweep(blocker)
    with pytest.raises(SweepError, match=r"sweep: tau_gaba given both in params and in the grid"):
        _tiny_sweep(tmp_path, params={"tau_gaba": 3 * ms})
