"""The fast path of a cached run (issue 17): no Brian2 in the process, same result.

The quick tests check the pieces against Brian2 itself (the unit reader, the parser's
refusals, the record's tunable values); the slow one compiles a small PING once and
compares the fast path's results with the slow path's, through the CLI and the library.
"""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from quifer_brian.backends.fast_index import find_record, tunable_values, write_record
from quifer_brian.cli.fast import fast_command
from quifer_brian.units import _SI_TEXT, parse_si

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _python(code, env=None, cwd=None):
    environment = {**os.environ, "PYTHONPATH": ROOT, **(env or {})}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_parse_si_gives_brians_floats_for_every_unit_it_reads():
    from brian2 import get_unit

    from quifer_brian.units import parse_quantity

    for name in _SI_TEXT:
        for number in ("1.7", "5", "0.3", "-55", "1e-3", "400"):
            quantity = parse_quantity(f"{number} {name}")
            assert parse_si(f"{number}*{name}") == (float(quantity), repr(get_unit(quantity.dim)))
    for refused in ("1 mV/ms", "6,12", "true", "conductance", "5 kms", "", "1 um**2"):
        assert parse_si(refused) is None


def test_the_command_line_and_the_fast_modules_import_without_brian2():
    shown = _python(
        "import sys, quifer_brian.cli, quifer_brian.cli.main, quifer_brian.rerun; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('brian2', 'scipy', 'sympy', 'matplotlib')))"
    )
    assert shown.strip() == "[]"


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["run", "ping", "--help"],
        ["--version", "run", "ping"],
        ["run", "ping", "--backend", "numpy"],
        ["run", "ping", "--no-cache"],
        ["run", "ping", "--seed", "-1"],
        ["run", "ping", "--param", "tau_gaba"],
        ["run", "ping", "--bogus"],
        ["run"],
    ],
)
def test_anything_but_a_plain_cached_run_goes_to_the_full_command_line(argv, tmp_path, monkeypatch):
    monkeypatch.setenv("QUIFER_BRIAN_CACHE", str(tmp_path))
    assert fast_command(argv) is None


def _record(simple=True):
    return {
        "network": "ping",
        "structural": {"n_e": "40"},
        "tunable_texts": {},
        "tunable": {
            "tau_gaba": {
                "unit": "second",
                "scale": 1e-3,
                "limits": [0.0, True, None, False],
                "default_si": 0.01,
                "targets": ["ping_E.tau_gaba", "ping_I.tau_gaba"],
            },
            "spread": {
                "unit": "1",
                "scale": 1.0,
                "limits": [0.0, False, 1.0, False],
                "default_si": 0.2,
                "targets": ["ping_E.spread"],
            },
        },
        "simple": simple,
        "run_values": {"ping_E.tau_gaba": 0.01, "ping_I.tau_gaba": 0.01, "ping_E.spread": 0.2},
        "params_json": {"n_e": 40},
        "duration_text": "1. s",
    }


def test_tunable_texts_become_run_values_only_when_read_for_sure():
    record = _record()
    values, params = tunable_values(record, {"n_e": "40", "tau_gaba": "5ms"})
    assert values == {"ping_E.tau_gaba": 0.005, "ping_I.tau_gaba": 0.005, "ping_E.spread": 0.2}
    assert params == {"n_e": 40, "tau_gaba": {"value": 0.005, "unit": "second"}}
    assert tunable_values(record, {"tau_gaba": "5 mV"}) is None  # another unit
    assert tunable_values(record, {"tau_gaba": "0ms"}) is None  # out of bounds: > 0
    assert tunable_values(record, {"spread": "1.5"}) is None  # out of [0, 1]
    assert tunable_values(record, {"spread": "1"})[0]["ping_E.spread"] == 1.0
    assert tunable_values(record, {"tau_gaba": "5*ms/2"}) is None  # not a simple unit
    assert tunable_values(_record(simple=False), {"tau_gaba": "5ms"}) is None
    same = tunable_values(_record(simple=False), {})
    assert same == (record["run_values"], record["params_json"])


def test_a_parameter_without_a_spec_changes_only_through_the_slow_path():
    record = _record()
    record["tunable"]["w"] = {}  # a converted weight: its run value is not a copy
    record["tunable_texts"] = {"w": "0.5nS"}
    record["run_values"]["ping_EE.w"] = 1.25e-10
    record["params_json"]["w"] = {"value": 5e-10, "unit": "siemens"}
    values, params = tunable_values(record, {"w": "0.5nS", "tau_gaba": "4ms"})
    assert values["ping_EE.w"] == 1.25e-10 and values["ping_I.tau_gaba"] == 0.004
    assert params["w"] == {"value": 5e-10, "unit": "siemens"}
    assert tunable_values(record, {"w": "0.6nS"}) is None
    assert tunable_values(record, {"tau_gaba": "4ms"}) is None  # w left out: its default


def test_a_record_is_found_by_its_context_and_exact_structural_texts(tmp_path):
    key = "0123456789abcdef01234567"
    (tmp_path / key).mkdir()
    write_record(str(tmp_path), key, "c" * 24, _record())
    assert find_record(str(tmp_path), "c" * 24, {"n_e": "40", "tau_gaba": "3ms"})["key"] == key
    assert find_record(str(tmp_path), "c" * 24, {"n_e": "40.0"}) is None  # other text
    assert find_record(str(tmp_path), "c" * 24, {"n_e": "40", "n_i": "10"}) is None
    assert find_record(str(tmp_path), "d" * 24, {"n_e": "40"}) is None  # other context
    assert find_record(str(tmp_path / "absent"), "c" * 24, {"n_e": "40"}) is None


def test_the_context_changes_with_what_changes_a_program(tmp_path, monkeypatch):
    from quifer_brian.backends.fast_index import request_context

    monkeypatch.chdir(tmp_path)
    base = request_context("ping", 1.0, None)
    assert request_context("ping", 1.0, None) == base
    assert request_context("ping", 0.5, None) != base
    assert request_context("ping", 1.0, "cpp_standalone") != base
    assert request_context("brunel", 1.0, None) != base
    monkeypatch.setenv("CXX", "clang++")
    assert request_context("ping", 1.0, None) != base
    monkeypatch.delenv("CXX")
    (tmp_path / "brian_preferences").write_text("codegen.cpp.extra_compile_args = ['-O1']\n")
    assert request_context("ping", 1.0, None) != base


SMALL = ["--param", "n_e=40", "--param", "n_i=10", "--duration", "200ms"]


_PROBE = "print('MODULES', sorted(m for m in sys.modules if m.startswith('brian2')))\n"


def _cli(args, cache, cwd, probe=False):
    """``quifer-brian ARGS`` in a new process; with ``probe``, the modules it imported."""
    code = (
        "import sys\nfrom quifer_brian.cli import main\nstatus = main(sys.argv[1:])\n"
        + (
            "print('MODULES', sorted(m for m in sys.modules if m.startswith('brian2')))\n"
            if probe
            else ""
        )
        + "sys.exit(status)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        env={**os.environ, "PYTHONPATH": ROOT, "QUIFER_BRIAN_CACHE": str(cache)},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-1500:] + done.stderr[-1500:]
    return done.stdout


@pytest.mark.slow
@pytest.mark.standalone
def test_a_cached_run_needs_no_brian2_and_gives_the_slow_paths_result(tmp_path):
    from quifer_brian.rerun import run_network
    from quifer_brian.results import load

    cache = tmp_path / "cache"
    slow = _cli(["run", "ping", *SMALL, "--out", str(tmp_path / "slow")], cache, tmp_path)
    assert "compiling it first" in slow
    fast = _cli(
        ["run", "ping", *SMALL, "--out", str(tmp_path / "fast")], cache, tmp_path, probe=True
    )
    assert "MODULES []" in fast and "no compile" in fast  # brian2 never imported
    changed = _cli(  # a tunable value the fast path reads itself
        ["run", "ping", *SMALL, "--param", "drive_e=500pA", "--out", str(tmp_path / "tuned")],
        cache,
        tmp_path,
        probe=True,
    )
    assert "MODULES []" in changed
    a, b = load(tmp_path / "slow" / "result.npz"), load(tmp_path / "fast" / "result.npz")
    for name in a.populations:
        for x, y in zip(a.spikes[name], b.spikes[name], strict=True):
            np.testing.assert_array_equal(x, y)
    np.testing.assert_array_equal(a.lfp, b.lfp)
    summary = [json.loads((tmp_path / d / "summary.json").read_text()) for d in ("slow", "fast")]
    for key in ("rates_hz", "lfp_peak_hz", "params", "seed", "backend"):
        assert summary[0][key] == summary[1][key]
    # the tuned run equals the slow path given the same value (a Brian2 process)
    params = {"n_e": 40, "n_i": 10, "drive_e": "500pA"}
    reference = run_network("ping", "200ms", params, seed=1, cache=str(cache))
    tuned = load(tmp_path / "tuned" / "result.npz")
    assert len(tuned.spikes["E"][0]) != len(a.spikes["E"][0])  # the value did change it
    # and the saved result records it (it recorded the compiled 450 pA before)
    assert tuned.params == reference.params and tuned.params != a.params
    for name in tuned.populations:
        np.testing.assert_array_equal(tuned.spikes[name][0], reference.spikes[name][0])
        np.testing.assert_array_equal(tuned.spikes[name][1], reference.spikes[name][1])
    # the library entry point's fast path, in a process without Brian2
    shown = _python(
        "import sys, numpy as np\nfrom quifer_brian.rerun import run_network\n"
        "r = run_network('ping', '200ms', {'n_e': 40, 'n_i': 10}, seed=1, "
        f"cache={str(cache)!r})\n"
        "np.save('spikes.npy', r.spikes['E'][0])\n"
        "print(r.meta['build'], 'brian2' in sys.modules)\n",
        cwd=tmp_path,
    )
    assert shown.split() == ["cached", "False"]
    np.testing.assert_array_equal(np.load(tmp_path / "spikes.npy"), a.spikes["E"][0])


def _fast(tmp_path, monkeypatch, run):
    """A FastCommand on a stand-in plan whose run is ``run`` (no program needed)."""
    import argparse
    import types

    from quifer_brian.cli import fast

    monkeypatch.setattr(fast, "run_plan", run)
    args = argparse.Namespace(
        network="ping", seed=3, out=str(tmp_path / "out"), quiet=False, traceback=False
    )
    plan = types.SimpleNamespace(key="k" * 24, duration_text="1. s", params_json={"n_e": 40})
    return fast.FastCommand(args, plan, 0.0)


def test_ctrl_c_on_the_fast_path_saves_nothing_and_exits_130(tmp_path, monkeypatch, capsys):
    from quifer_brian.cli.main import _guarded
    from quifer_brian.errors import RunInterrupted, SimulationError

    def interrupted(plan, seed, progress, imports):
        raise RunInterrupted("stopped")

    command = _fast(tmp_path, monkeypatch, interrupted)
    assert _guarded("quifer-brian run", False, False, command) == 130
    err = capsys.readouterr().err
    assert "interrupted (Ctrl-C) before the end; nothing saved" in err
    assert not (tmp_path / "out" / "result.npz").exists()

    def failed(plan, seed, progress, imports):
        raise SimulationError("ping: no population fired a single spike")

    command = _fast(tmp_path, monkeypatch, failed)
    assert _guarded("quifer-brian run", False, False, command) == 2
    assert "quifer-brian run: ping: no population fired" in capsys.readouterr().err

    def killed(plan, seed, progress, imports):
        raise KeyboardInterrupt

    assert _guarded("quifer-brian run", False, False, _fast(tmp_path, monkeypatch, killed)) == 130


def test_ping_s_record_reads_its_copied_values_and_leaves_converted_weights_alone():
    from brian2 import ms, pA, second

    from quifer_brian.networks import ping
    from quifer_brian.rerun import describe_request

    texts = {"n_e": "40", "n_i": "10", "tau_gaba": "5ms"}
    circuit = ping(n_e=40, n_i=10, tau_gaba=5 * ms)
    record = describe_request(circuit, texts, {"tau_gaba": 5 * ms}, 0.2 * second)
    assert record["simple"] and record["structural"] == {"n_e": "40", "n_i": "10"}
    assert record["tunable_texts"] == {"tau_gaba": "5ms"}
    copied = {name for name, spec in record["tunable"].items() if spec}
    assert {"drive_e", "tau_gaba"} <= copied
    assert not {"w_ee", "w_ei", "w_ie", "w_ii"} & copied  # converted: only as recorded
    # the fast path's values for a new drive are the circuit's own run values for it
    values, _ = tunable_values(record, {"n_e": "40", "drive_e": "450pA"})
    expected = ping(n_e=40, n_i=10, drive_e=450 * pA).run_values()
    assert values == {k: float(v) for k, v in expected.items()}
