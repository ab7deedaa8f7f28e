"""The `quifer-brian` command, through main(argv)."""

import json
import os
import re
import time

import numpy as np
import pandas as pd
import pytest
from brian2 import ms

from quifer_brian import __version__, load
from quifer_brian.cli import main
from quifer_brian.cli.text import parse_params
from quifer_brian.errors import CircuitError
from quifer_brian.networks import build_network, ping
from quifer_brian.results import Result

from ..conftest import SWEEP_PING


def test_version(capsys):
    """The package's version and those of the numerical packages its numbers depend on."""
    import brian2
    import numpy
    import scipy

    assert main(["--version"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith(f"quifer-brian {__version__} (python ")
    for name, module in (("brian2", brian2), ("numpy", numpy), ("scipy", scipy)):
        assert f"{name} {module.__version__}" in out


def test_devices_prints_a_row_per_backend(capsys):
    assert main(["devices"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines[2:]]
    assert names == ["numpy", "cython", "cpp_standalone", "cuda_standalone"]


def test_fi_curve_compares_simulation_with_theory(monkeypatch, capsys):
    # Restrict the demo to numpy here; the other backends are covered by their own tests.
    from quifer_brian.backends import backend_status
    from quifer_brian.cli import commands

    statuses = [s for s in backend_status() if s.name == "numpy"]
    monkeypatch.setattr(commands, "backend_status", lambda: statuses)
    assert main(["fi-curve", "--quick"]) == 0
    out = capsys.readouterr().out
    assert "OK: every backend within 1% of theory" in out
    assert "0.30    63.04" in out  # the closed-form rate at 0.3 nA


def test_without_a_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: quifer-brian" in capsys.readouterr().out


def test_unknown_command_exits_2(capsys):
    assert main(["fly"]) == 2
    assert "invalid choice: 'fly'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["fi-curve", "--fast"], ["devices", "extra"], ["demo", "--backend", "gpu"]]
)
def test_bad_arguments_exit_2(argv, capsys):
    assert main(argv) == 2
    assert "error:" in capsys.readouterr().err


def test_demo_too_short_exits_2_before_running(tmp_path, capsys):
    assert main(["demo", "--duration", "0.5", "--out", str(tmp_path / "demo")]) == 2
    line = _one_line_error(capsys, "quifer-brian demo: demo.duration: must be >= 2 s")
    assert "got 0.5 s" in line and not (tmp_path / "demo").exists()


# --------------------------------------------------------------------------- run / analyze / list

TINY_PING = ["--param", "n_e=40", "--param", "n_i=10", "--duration", "200ms", "--backend", "numpy"]


def _one_line_error(capsys, prefix):
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(prefix), err
    return lines[0]


@pytest.fixture(scope="module")
def ping_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("ping")
    status = main(["run", "ping", *TINY_PING, "--out", str(out)])
    return status, out


def test_run_saves_the_result_and_a_summary(ping_run, capsys):
    status, out = ping_run
    assert status == 0
    summary = json.loads((out / "summary.json").read_text())
    result = load(out / "result.npz")
    assert result.sizes == {"E": 40, "I": 10}
    assert result.duration == pytest.approx(0.2)
    assert summary["network"] == "ping"
    assert summary["backend"] == "numpy"
    assert summary["seed"] == 1
    assert summary["rates_hz"]["E"] == pytest.approx(result.mean_rate("E"))
    assert summary["params"] == {"n_e": 40, "n_i": 10}
    assert summary["total_wall_s"] > 0
    assert "lfp_peak_hz" in summary


def test_run_prints_the_summary_into_the_default_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    argv = ["run", "kuramoto", "--param", "n=20", "--duration", "50 ms", "--backend", "numpy"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "Starting simulation" in out  # Brian2's progress report
    assert "rate oscillators (Hz)" in out
    assert "no LFP in this network" in out
    assert "written to quifer-out/kuramoto/" in out
    summary = json.loads((tmp_path / "quifer-out" / "kuramoto" / "summary.json").read_text())
    assert summary["lfp_peak_hz"] is None
    assert summary["duration_s"] == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["run", "ping", "--param", "tau_gaba=5mV"],
            "quifer-brian run: ping.tau_gaba: expected a quantity in second; "
            "got 5. * mvolt (volt).",
        ),
        (["run", "ping", "--param", "tau=5ms"], "quifer-brian run: ping.tau: unknown parameter"),
        (
            ["run", "pong"],
            "quifer-brian run: unknown network 'pong'; did you mean 'ping'? the networks are: "
            "actualization,",
        ),
        (["run", "ping", "--param", "n_e=4x0"], "quifer-brian run: ping.n_e: unknown unit 'x0'"),
        (["run", "ping", "--param", "n_e"], "quifer-brian run: ping: --param needs name=value"),
        (["run", "ping", "--param", "n_e=2.5"], "quifer-brian run: ping.n_e: must be an integer"),
        (["run", "ping", "--duration", "5mV"], "quifer-brian run: --duration: expected a quantity"),
        (["run", "ping", "--duration=-1ms"], "quifer-brian run: --duration: must be > 0"),
        (["run", "ping", "--duration=1e999s"], "quifer-brian run: --duration: must be a finite"),
        (["run", "ping", "--duration", "1 xs"], "quifer-brian run: --duration: unknown unit 'xs'"),
        (["run", "ping", "--param", "synapse=chemical"], "quifer-brian run: ping.synapse"),
        (
            ["run", "ping", "--seed", "-1"],
            "quifer-brian run: error: argument --seed: must be an integer in [0, 4294967295]; "
            "got '-1'",
        ),
        (
            ["run", "ping", "--seed", "4294967296"],
            "quifer-brian run: error: argument --seed: must be an integer in [0, 4294967295]",
        ),
        (["run", "ping", "--seed", "1.5"], "quifer-brian run: error: argument --seed: must be"),
        (["run", "ping", "--backend", "gpu"], "quifer-brian run: error: argument --backend: "),
    ],
)
def test_run_bad_input_exits_2_with_one_line(argv, expected, capsys):
    assert main(argv) == 2
    line = _one_line_error(capsys, "quifer-brian run: ")
    assert line.startswith(expected), line


def test_unknown_parameter_lists_the_builder_parameters(capsys):
    assert main(["run", "ping", "--param", "tau=5ms"]) == 2
    line = _one_line_error(capsys, "quifer-brian run: ping.tau")
    assert "n_e, n_i, synapse," in line and "tau_gaba" in line


def test_run_bad_backend_is_an_argparse_error(capsys):
    assert main(["run", "ping", "--backend", "gpu"]) == 2
    assert "invalid choice: 'gpu'" in capsys.readouterr().err


def test_parse_params_reads_values_for_each_builder():
    assert parse_params("frequency_bank", ["frequencies=6,12,40"]) == {"frequencies": (6, 12, 40)}
    assert parse_params("frequency_bank", ["frequencies=40"]) == {"frequencies": (40,)}
    brunel = parse_params("brunel", ["g=5", "eta=2.5"])
    assert brunel == {"g": 5.0, "eta": 2.5} and isinstance(brunel["g"], float)
    assert parse_params("theta_gamma", ["gaba=false", "septal_frequency=none"]) == {
        "gaba": False,
        "septal_frequency": None,
    }
    from brian2 import nS

    assert parse_params("ping", ["w_ie=0.5*nS", "synapse=current"]) == {
        "w_ie": 0.5 * nS,
        "synapse": "current",
    }


def test_build_network_turns_unknown_keywords_into_a_circuit_error():
    with pytest.raises(CircuitError, match=r"unknown parameter.*tau.*its parameters are: n_e, n_i"):
        build_network("ping", {"tau": 1})


def test_analyze_prints_measures_and_draws_figures(ping_run, tmp_path, capsys):
    _, out = ping_run
    capsys.readouterr()
    assert main(["analyze", str(out / "result.npz"), "--out", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "rate E (Hz)" in text and "CV ISI E" in text
    for name in ("spectrum.png", "raster.png", "analysis.json"):
        assert (tmp_path / name).stat().st_size > 0
    analysis = json.loads((tmp_path / "analysis.json").read_text())
    result = load(out / "result.npz")
    assert analysis["rates_hz"]["E"] == pytest.approx(result.mean_rate("E"))


def _synthetic_theta_gamma(duration=4.0, fs=1000.0):
    """An LFP with an 8 Hz rhythm, 40 Hz gamma whose amplitude follows theta's phase, and
    E spikes at the gamma troughs of theta's upper half -- known answers for the analysis."""
    rng = np.random.default_rng(0)
    t = np.arange(int(duration * fs)) / fs
    theta = np.sin(2 * np.pi * 8 * t)
    gamma = (1 + theta) * np.sin(2 * np.pi * 40 * t)
    walk = np.cumsum(rng.normal(size=t.size)) * 0.02
    lfp = 2.0 * theta + 0.8 * gamma + walk - walk.mean()
    troughs = (np.arange(int(duration * 40)) + 0.75) / 40
    troughs = troughs[np.sin(2 * np.pi * 8 * troughs) > -0.3]  # E fires in theta's upper half
    times = np.repeat(troughs, 5) + rng.normal(0, 0.001, troughs.size * 5)
    indices = rng.integers(0, 20, times.size).astype(np.int32)
    order = np.argsort(times)
    return Result(
        spikes={"E": (times[order], indices[order])},
        sizes={"E": 20},
        duration=duration,
        lfp=lfp,
        fs=fs,
        meta={"circuit": "synthetic", "backend": "none", "seed": 0},
    )


def test_analyze_measures_known_coupling_and_locking(tmp_path, capsys):
    _synthetic_theta_gamma().save(tmp_path / "result.npz")
    assert main(["analyze", str(tmp_path / "result.npz"), "--surrogates", "50"]) == 0
    text = capsys.readouterr().out
    assert "theta-gamma MI" in text and "MI p-value (50 surrogates)" in text
    analysis = json.loads((tmp_path / "analysis.json").read_text())
    assert analysis["theta_hz"] == pytest.approx(8.0, abs=1.0)
    assert analysis["gamma_hz"] == pytest.approx(40.0, abs=2.0)
    assert analysis["strongest_peak_hz"] == pytest.approx(40.0, abs=2.0)
    assert analysis["mi_p_value"] < 0.05
    assert analysis["plv"] > 0.8
    assert (tmp_path / "spectrum.png").exists() and (tmp_path / "raster.png").exists()


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["analyze", "missing.npz"], "quifer-brian analyze: load: cannot read 'missing.npz'"),
        (["analyze", "README.md"], "quifer-brian analyze: load: cannot read 'README.md'"),
        (
            ["analyze", "x.npz", "--surrogates", "0"],
            "quifer-brian analyze: error: argument --surrogates: must be an integer in [1, ",
        ),
        (
            ["analyze", "x.npz", "--seed", "-1"],
            "quifer-brian analyze: error: argument --seed: must be an integer in [0, 4294967295]",
        ),
    ],
)
def test_analyze_bad_input_exits_2_with_one_line(argv, expected, capsys):
    assert main(argv) == 2
    assert _one_line_error(capsys, expected)


def test_list_shows_networks_and_models_with_units_and_defaults(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("brunel", "frequency_bank", "ing", "kuramoto", "ping", "theta_gamma"):
        assert f"\n{name}: " in out
    assert "lif (neuron): " in out and "ampa (current): " in out


def test_list_one_network_and_one_model(capsys):
    assert main(["list", "ping"]) == 0
    rows = {line.split()[0]: line.split() for line in capsys.readouterr().out.splitlines()[3:]}
    assert rows["tau_gaba"][1:4] == ["10", "ms", ">"]
    assert rows["n_e"][1:3] == ["400", "1"]
    assert main(["list", "frequency_bank"]) == 0
    assert "frequencies     6,12,40  Hz" in capsys.readouterr().out
    assert main(["list", "lif"]) == 0
    assert "membrane time constant" in capsys.readouterr().out


def test_list_unknown_name_exits_2(capsys):
    assert main(["list", "foo"]) == 2
    line = _one_line_error(capsys, "quifer-brian list: unknown network or model 'foo'")
    assert "ping" in line and "lif" in line


# ----------------------------------------------------------------------- cache, sweep
SWEEP_ARGS = ["--param", "n_e=400", "--param", "n_i=100", "--duration", "500ms"]


@pytest.mark.standalone
def test_run_on_cpp_standalone_uses_the_build_cache(ping_cache, tmp_path, capsys):
    """Same structure as the session's cached PING: no compile, the build is named."""
    argv = ["run", "ping", *SWEEP_ARGS, "--param", "drive_e=420pA", "--backend", "cpp_standalone"]
    ping(**SWEEP_PING).run(500 * ms, backend="cpp_standalone", seed=2, cache=ping_cache)
    assert main([*argv, "--cache-dir", ping_cache.directory, "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    key = re.search(r"with the cached build ([0-9a-f]{24}): no compile", out).group(1)
    assert re.search(rf"build +cached \({key}\)", out)
    result = load(tmp_path / "result.npz")
    assert result.meta["build"] == "cached" and result.sizes == {"E": 400, "I": 100}
    assert json.loads((tmp_path / "summary.json").read_text())["params"]["drive_e"] == {
        "value": pytest.approx(420e-12),
        "unit": "amp",
    }


@pytest.mark.standalone
def test_sweep_runs_the_grid_and_writes_the_table(ping_cache, tmp_path, capsys):
    argv = ["sweep", "ping", *SWEEP_ARGS, "--grid", "tau_gaba=5ms,10ms", "--grid", "drive_e=400pA"]
    options = ["--serial", "--cache-dir", ping_cache.directory, "--out", str(tmp_path)]
    assert main([*argv, *options, "--metric", "gamma", "--metric", "rates"]) == 0
    out = capsys.readouterr().out
    assert "tau_gaba_ms" in out and "gamma_hz" in out and "2 points: 2 run, 0 read back" in out
    table = pd.read_csv(tmp_path / "table.csv")
    assert table["tau_gaba_ms"].tolist() == [5.0, 10.0]
    assert table["gamma_hz"][0] > table["gamma_hz"][1]
    assert main([*argv, *options, "--metric", "gamma", "--metric", "rates"]) == 0
    assert "2 points: 0 run, 2 read back" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sweep", "ping"], "quifer-brian sweep: --grid: give at least one"),
        (["sweep", "ping", "--grid", "tau_gaba"], "quifer-brian sweep: --grid needs name=value1"),
        (["sweep", "ping", "--grid", "tau=5ms"], "quifer-brian sweep: ping.tau: unknown parameter"),
        (["sweep", "ping", "--grid", "tau_gaba=5ms,5mV"], "quifer-brian sweep: ping.tau_gaba: exp"),
        (["sweep", "ping", "--grid", "n_e=1,2x"], "quifer-brian sweep: ping.n_e: unknown unit 'x'"),
        (["sweep", "pong", "--grid", "a=1"], "quifer-brian sweep: unknown network 'pong'"),
        (
            ["sweep", "ping", "--grid", "n_e=10", "--workers", "0"],
            "quifer-brian sweep: error: argument --workers: must be an integer in [1, ",
        ),
        (
            ["sweep", "ping", "--grid", "n_e=10", "--seed", "2**32"],
            "quifer-brian sweep: error: argument --seed: must be an integer in [0, 4294967295]",
        ),
        (
            ["sweep", "ping", "--grid", "n_e=10", "--duration", "0s"],
            "quifer-brian sweep: --duration: must be > 0",
        ),
    ],
)
def test_sweep_bad_input_exits_2_with_one_line(argv, expected, capsys, tmp_path):
    assert main([*argv, "--out", str(tmp_path)]) == 2
    line = _one_line_error(capsys, "quifer-brian sweep: ")
    assert line.startswith(expected), line
    assert not os.listdir(tmp_path)


def test_cache_info_and_clear(tmp_path, capsys):
    key = "0123456789abcdef01234567"  # an entry: a key-shaped folder with a manifest
    entry = tmp_path / key
    entry.mkdir()
    (entry / "main").write_bytes(b"\0" * 2_000_000)
    manifest = {"version": 3, "layout": {"circuit": "ping"}, "files": {}}
    (entry / "manifest.json").write_text(json.dumps(manifest))
    assert main(["cache", "info", "--cache-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "1 program(s), 2.0 MB" in out and key in out and "ping" in out
    (tmp_path / ".ssh").mkdir()  # not the cache's: the clear is refused, nothing deleted
    assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 2
    line = _one_line_error(capsys, "quifer-brian cache: ")
    assert "did not make (.ssh); nothing was deleted" in line
    assert entry.is_dir() and (tmp_path / ".ssh").is_dir()
    (tmp_path / ".ssh").rmdir()
    assert main(["cache", "clear", "--cache-dir", str(tmp_path)]) == 0
    assert "removed 1 compiled program(s)" in capsys.readouterr().out
    assert not entry.exists()
    assert main(["cache", "wipe"]) == 2
    capsys.readouterr()
    blocker = tmp_path / "a_file"  # a file is not a cache folder: refused, not "0 programs"
    blocker.write_text("mine")
    assert main(["cache", "info", "--cache-dir", str(blocker)]) == 2
    assert "is a file, not a folder" in _one_line_error(capsys, "quifer-brian cache: ")


def test_a_grid_parameter_given_twice_is_refused(tmp_path, capsys):
    argv = ["sweep", "ping", "--serial", "--backend", "numpy", "--out", str(tmp_path / "s")]
    argv += ["--grid", "tau_gaba=5ms", "--grid", "tau_gaba=6ms"]
    assert main(argv) == 2
    assert "tau_gaba is given twice" in _one_line_error(capsys, "quifer-brian sweep: ")


@pytest.mark.standalone
def test_a_run_parameter_given_twice_is_refused_also_on_the_fast_path(ping_cache, tmp_path, capsys):
    """The last value used to win without a word, on the slow and the fast path alike."""
    argv = ["run", "ping", *SWEEP_ARGS, "--backend", "cpp_standalone"]
    argv += ["--cache-dir", ping_cache.directory]
    ping(**SWEEP_PING).run(500 * ms, backend="cpp_standalone", seed=2, cache=ping_cache)
    assert main([*argv, "--out", str(tmp_path / "first")]) == 0  # writes the fast path's record
    capsys.readouterr()
    twice = [*argv, "--param", "n_i=120", "--out", str(tmp_path / "twice")]
    assert main(twice) == 2
    assert "--param n_i is given twice" in _one_line_error(capsys, "quifer-brian run: ")
    assert not (tmp_path / "twice" / "result.npz").exists()


# ----------------------------------------------------------------------- expected failures
def test_an_unwritable_out_is_refused_before_running(tmp_path, capsys):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    argv = ["run", "ping", *TINY_PING, "--duration", "30s", "--out", str(blocker / "out")]
    started = time.perf_counter()
    assert main(argv) == 2
    line = _one_line_error(capsys, f"quifer-brian run: --out: cannot write to '{blocker}/out'")
    assert "choose a folder you can write to" in line
    assert time.perf_counter() - started < 5, "refused before a 30 s simulation"
    assert main(["demo", "--out", str(blocker / "demo")]) == 2
    _one_line_error(capsys, "quifer-brian demo: --out: cannot write to")


def _corrupt_results(folder, good):
    """Files that are not valid results: garbage, truncated, a hand-edited record."""
    from quifer_brian.results.files import read_record, write_record

    (folder / "garbage.npz").write_bytes(b"PK\x03\x04 not really a zip")
    data = good.read_bytes()
    (folder / "truncated.npz").write_bytes(data[: len(data) // 2])
    arrays, metadata = read_record(good)
    edited = dict(metadata)
    del edited["sizes"]
    write_record(str(folder / "edited.npz"), arrays, edited)
    return ["garbage.npz", "truncated.npz", "edited.npz"]


def test_analyze_of_a_bad_file_exits_2_with_one_line(ping_run, tmp_path, capsys):
    _, out = ping_run
    capsys.readouterr()
    for name in _corrupt_results(tmp_path, out / "result.npz"):
        assert main(["analyze", str(tmp_path / name), "--out", str(tmp_path)]) == 2, name
        line = _one_line_error(capsys, "quifer-brian analyze: ")
        assert name in line, line


def test_analyze_says_when_a_result_is_incomplete(ping_run, tmp_path, capsys):
    _, out = ping_run
    partial = load(out / "result.npz").with_meta(
        complete=False, requested_duration_s=30.0, simulated_duration_s=0.2
    )
    partial.save(tmp_path / "result.npz")
    capsys.readouterr()
    assert main(["analyze", str(tmp_path / "result.npz"), "--surrogates", "10"]) == 0
    text = capsys.readouterr().out
    assert "INCOMPLETE: the run was interrupted after 0.2 s of 30.0 s" in text
    assert json.loads((tmp_path / "analysis.json").read_text())["complete"] is False


def test_an_unreachable_scheduler_exits_2_before_running(monkeypatch, tmp_path, capsys):
    from quifer_brian import sweeps

    monkeypatch.setattr(sweeps, "_CONNECT_TIMEOUT", "1s")
    argv = ["sweep", "ping", "--grid", "n_e=10,20", "--param", "n_i=5", "--backend", "numpy"]
    address = "tcp://127.0.0.1:9"  # the discard port: nothing listens there
    assert main([*argv, "--scheduler", address, "--out", str(tmp_path)]) == 2
    line = _one_line_error(capsys, "quifer-brian sweep: sweep.client: cannot reach a Dask")
    assert address in line and "--serial" in line
    assert not list((tmp_path / "points").iterdir())


def test_an_unexpected_error_is_one_line_and_exit_1(monkeypatch, capsys):
    from quifer_brian.cli import commands

    def broken(args):
        raise ZeroDivisionError("division by zero\nsecond line")

    monkeypatch.setattr(commands, "backend_status", lambda: broken(None))
    assert main(["devices"]) == 1
    line = _one_line_error(capsys, "quifer-brian devices: unexpected error (a bug")
    assert line.endswith("ZeroDivisionError: division by zero second line")
    with pytest.raises(ZeroDivisionError):
        main(["--traceback", "devices"])
