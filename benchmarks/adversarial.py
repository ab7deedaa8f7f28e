"""An adversarial pass over the command line and the Python API, counted.

Each case is one hostile (or legitimate) input, run in its own forked process with a time
limit, and classified:

- ``clear``: an expected failure answered with a clear error: exit status 2 and no
  traceback on the command line; a :class:`~quifer_brian.QuiferError` through the API
  (whose message names the argument, where the case says which);
- ``ok``: a legitimate input that ran, and whose output passed the case's own check;
- ``traceback``: a raw traceback, an exception outside the package's family, or an
  exit status other than 0, 2 or 130;
- ``silent-wrong``: a bad input accepted, or a legitimate one whose output is wrong
  (its check failed), or data outside the case's scratch folder touched;
- ``hang``: no answer within the case's time limit.

The target is 0 tracebacks, 0 silent-wrong and 0 hangs.  Run it with::

    .venv/bin/python benchmarks/adversarial.py            # every case
    .venv/bin/python benchmarks/adversarial.py -k cache   # the cases whose name has 'cache'

It prints one line per case that is not ``clear`` or ``ok``, then the counts, and exits 1
when any case is a traceback, silent-wrong or hang.  Everything runs on the numpy backend
with tiny networks, apart from a few cpp_standalone cases (skipped without a compiler),
in a scratch folder with a fake ``$HOME``; no case can reach the user's files.
"""

import argparse
import io
import json
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field

import numpy as np

#: Small networks so every simulating case takes about a second on numpy.
SMALL_PING = ["--param", "n_e=80", "--param", "n_i=20"]
NUMPY = ["--backend", "numpy"]
SHORT = ["--duration", "300ms"]


@dataclass
class Case:
    """One input: ``argv`` for the command line or ``call`` for the API."""

    name: str
    expect: str  # "error", "ok" or "any" (either a clear error or a checked result)
    argv: list | None = None
    call: object = None
    check: object = None  # (value, scratch) -> None or a string saying what is wrong
    names: tuple = ()  # words a clear API error must contain
    timeout: float = 90.0
    env: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------------------
# Running one case in a forked child


def _child(case, scratch, report_path):
    os.chdir(scratch)
    os.environ["HOME"] = os.path.join(scratch, "home")
    os.environ["XDG_CACHE_HOME"] = os.path.join(scratch, "home", ".cache")
    os.environ.update(case.env)
    os.umask(0o022)
    out = open(os.path.join(scratch, "stdout.txt"), "w")
    err = open(os.path.join(scratch, "stderr.txt"), "w")
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    sys.stdout = io.TextIOWrapper(os.fdopen(1, "wb", closefd=False), line_buffering=True)
    sys.stderr = io.TextIOWrapper(os.fdopen(2, "wb", closefd=False), line_buffering=True)
    report = {}
    try:
        if case.argv is not None:
            from quifer_brian.cli.main import main

            try:
                report["rc"] = main(list(case.argv))
            except SystemExit as exc:
                report["rc"] = exc.code if isinstance(exc.code, int) else 1
            value = report["rc"]
        else:
            value = case.call()
            report["returned"] = True
        if case.check is not None:
            problem = case.check(value, scratch)
            if problem:
                report["check"] = str(problem)
    except BaseException as exc:  # classifying is the point
        from quifer_brian import QuiferError

        report["exception"] = type(exc).__name__
        report["message"] = str(exc)[:500]
        report["family"] = isinstance(exc, QuiferError)
        if not report["family"]:
            traceback.print_exc()
    sys.stdout.flush()
    sys.stderr.flush()
    with open(report_path, "w") as stream:
        json.dump(report, stream)


def run_case(case, root):
    scratch = tempfile.mkdtemp(prefix="case-", dir=root)
    os.makedirs(os.path.join(scratch, "home", "Documents"))
    with open(os.path.join(scratch, "home", "Documents", "thesis.txt"), "w") as stream:
        stream.write("years of work\n")
    report_path = os.path.join(scratch, "report.json")
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        try:
            _child(case, scratch, report_path)
        finally:
            os._exit(0)
    while True:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > case.timeout:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return "hang", f"no answer in {case.timeout:.0f} s"
        time.sleep(0.05)
    stderr = _read(os.path.join(scratch, "stderr.txt"))
    if not os.path.exists(report_path):
        return "traceback", "the case's process died: " + stderr[-300:]
    with open(report_path) as stream:
        report = json.load(stream)
    if "check" in report:
        return "silent-wrong", report["check"]
    if not _home_intact(scratch):
        return "silent-wrong", "the fake $HOME's Documents/thesis.txt was touched"
    if case.argv is not None:
        return _classify_cli(case, report, stderr)
    return _classify_api(case, report)


def _read(path):
    try:
        with open(path, errors="replace") as stream:
            return stream.read()
    except OSError:
        return ""


def _home_intact(scratch):
    path = os.path.join(scratch, "home", "Documents", "thesis.txt")
    return os.path.exists(path) and _read(path) == "years of work\n"


def _classify_cli(case, report, stderr):
    if "exception" in report or "Traceback (most recent call last)" in stderr:
        return "traceback", report.get("exception", "") + ": " + _last_lines(stderr)
    rc = report.get("rc")
    if rc == 2:
        if case.expect == "ok":
            return "silent-wrong", "a legitimate input refused: " + _last_lines(stderr)
        return "clear", _last_lines(stderr)
    if rc in (0, None):
        if case.expect == "error":
            return "silent-wrong", "accepted (exit 0)"
        return "ok", ""
    if rc == 130:
        return "ok", "interrupted"
    return "traceback", f"exit status {rc}: " + _last_lines(stderr)


def _classify_api(case, report):
    if "exception" in report:
        if not report["family"]:
            return "traceback", f"{report['exception']}: {report['message'][:200]}"
        if case.expect == "ok":
            return "silent-wrong", "a legitimate input refused: " + report["message"][:200]
        missing = [word for word in case.names if word not in report["message"]]
        if missing:
            return "clear", f"(vague: does not name {missing}) " + report["message"][:160]
        return "clear", report["message"][:160]
    if case.expect == "error":
        return "silent-wrong", "accepted without an error"
    return "ok", ""


def _last_lines(text, n=2):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-n:])[:300]


# ---------------------------------------------------------------------------------------
# Checks of legitimate outputs


def check_run_folder(folder):
    """A completed ``run``: files readable by others, strict JSON, a complete result."""

    def check(rc, scratch):
        path = os.path.join(scratch, folder)
        for name in ("result.npz", "summary.json"):
            file = os.path.join(path, name)
            if not os.path.exists(file):
                return f"{name} missing"
            mode = stat.S_IMODE(os.stat(file).st_mode)
            if mode != 0o644:
                return f"{name} has mode {oct(mode)} under umask 022 (expected 0o644)"
        problem = strict_json(os.path.join(path, "summary.json"))
        if problem:
            return problem
        leftovers = [n for n in os.listdir(path) if n.startswith(".") or n.endswith(".tmp")]
        if leftovers:
            return f"temporary files left: {leftovers}"
        return None

    return check


def strict_json(path):
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    try:
        with open(path) as stream:
            json.load(stream, parse_constant=refuse)
    except ValueError as err:
        return f"{os.path.basename(path)}: {err}"
    return None


def no_temp_projects(before):
    def check(value, scratch):
        after = set(_temp_projects())
        new = after - before
        if new:
            return f"standalone temp projects left behind: {sorted(new)[:3]}"
        return None

    return check


def _temp_projects():
    folder = tempfile.gettempdir()
    return [n for n in os.listdir(folder) if n.startswith("quifer_cpp_standalone")]


# ---------------------------------------------------------------------------------------
# The corpus


def cli_cases(fixtures):
    cases = []

    def bad(name, argv, timeout=90.0):
        cases.append(Case(name, "error", argv=argv, timeout=timeout))

    def good(name, argv, check=None, timeout=120.0):
        cases.append(Case(name, "ok", argv=argv, check=check, timeout=timeout))

    run = ["run", "ping", *NUMPY, *SMALL_PING]
    # networks and parameters
    bad("cli-run-unknown-network", ["run", "pingg", *NUMPY])
    bad("cli-run-unknown-param", [*run, "--param", "tau_gabba=5ms"])
    bad("cli-run-param-no-equals", [*run, "--param", "tau_gaba"])
    bad("cli-run-param-empty-name", [*run, "--param", "=5ms"])
    bad("cli-run-param-empty-value", [*run, "--param", "tau_gaba="])
    bad("cli-run-param-wrong-unit", [*run, "--param", "tau_gaba=5mV"])
    bad("cli-run-param-garbage", [*run, "--param", "tau_gaba=fast"])
    for value in ("0ms", "-1ms", "inf*ms", "nan*ms"):
        bad(f"cli-run-dt={value}", [*run, "--param", f"dt={value}", *SHORT])
    bad("cli-run-dt-unstable-5ms", [*run, "--param", "dt=5ms", *SHORT])
    bad("cli-run-dt-unstable-1ms", [*run, "--param", "dt=1ms", *SHORT])
    for value in ("0", "-5", "1.5", "abc", "1e12", "inf"):
        bad(f"cli-run-n_e={value}", [*run, "--param", f"n_e={value}"])
    for value in ("1.5", "-0.1", "nan", "inf"):
        bad(f"cli-run-p_ee={value}", [*run, "--param", f"p_ee={value}"])
    for value in ("-0.5nS", "nan*nS", "inf*nS"):
        bad(f"cli-run-w_ie={value}", [*run, "--param", f"w_ie={value}"])
    bad("cli-run-delay-negative", [*run, "--param", "delay=-1ms"])
    bad("cli-run-drive-inf", [*run, "--param", "drive_e=inf*nA"])
    for value in ("0ms", "-1ms", "inf*ms"):
        bad(f"cli-run-tau_gaba={value}", [*run, "--param", f"tau_gaba={value}"])
    bad("cli-run-synapse-bogus", [*run, "--param", "synapse=chemical"])
    bad("cli-run-noise-negative", [*run, "--param", "noise_e=-40pA"])
    bad("cli-run-spread-2", [*run, "--param", "drive_e_spread=2"])
    # durations and seeds
    for value in ("0s", "-1s", "inf", "nan", "1", "1mV", "0.5ms", "abc"):
        bad(f"cli-run-duration={value}", [*run, "--duration", value])
    for value in ("-1", "4294967296", "abc", "1.5"):
        bad(f"cli-run-seed={value}", [*run, *SHORT, "--seed", value])
    bad("cli-run-backend-bogus", ["run", "ping", "--backend", "gpu"])
    # output folders
    bad("cli-run-out-is-file", [*run, *SHORT, "--out", fixtures["file"]])
    bad("cli-run-out-unwritable", [*run, *SHORT, "--out", "/proc/quifer-out"], timeout=30)
    bad("cli-run-out-under-file", [*run, *SHORT, "--out", fixtures["file"] + "/sub"])
    good("cli-run-ping-small", [*run, *SHORT, "--out", "out"], check_run_folder("out"))
    # other builders
    kur = ["run", "kuramoto", *NUMPY, "--param", "n=50", *SHORT]
    bad("cli-kuramoto-K-dt-huge", [*kur, "--param", "coupling=1e5Hz"])
    bad("cli-kuramoto-dt-1s", [*kur, "--param", "dt=1s"])
    bad("cli-kuramoto-omega-dt", [*kur, "--param", "omega_0=1e5Hz"])
    bad("cli-kuramoto-n-0", [*kur, "--param", "n=0"])
    bad("cli-kuramoto-gamma-0", [*kur, "--param", "gamma=0Hz"])
    bad("cli-kuramoto-gamma-negative", [*kur, "--param", "gamma=-1Hz"])
    bad("cli-kuramoto-method-bogus", [*kur, "--param", "method=rk9"])
    bad("cli-kuramoto-frequencies-count", [*kur, "--param", "frequencies=1,2,3"])
    bad("cli-kuramoto-coupling-nan", [*kur, "--param", "coupling=nan*Hz"])
    brunel = ["run", "brunel", *NUMPY, "--param", "scale=0.02", *SHORT]
    bad("cli-brunel-scale-0", [*brunel, "--param", "scale=0"])
    bad("cli-brunel-scale-2", [*brunel, "--param", "scale=2"])
    bad("cli-brunel-epsilon-0", [*brunel, "--param", "epsilon=0"])
    bad("cli-brunel-g-negative", [*brunel, "--param", "g=-1"])
    bad("cli-brunel-eta-nan", [*brunel, "--param", "eta=nan"])
    bad("cli-brunel-reset-above-threshold", [*brunel, "--param", "V_reset=30mV"])
    bad("cli-brunel-J-negative", [*brunel, "--param", "J=-0.1mV"])
    bad("cli-brunel-delay-0", [*brunel, "--param", "delay=0ms"])
    bad("cli-brunel-tau_m-inf", [*brunel, "--param", "tau_m=inf*ms"])
    theta = ["run", "theta_gamma", *NUMPY, *SHORT]
    bad("cli-theta-rate-negative", [*theta, "--param", "rate_i=-1Hz"])
    bad("cli-theta-rate-inf", [*theta, "--param", "rate_e=inf*Hz"])
    bad("cli-theta-w_drive-0", [*theta, "--param", "w_drive=0nS"])
    bank = ["run", "frequency_bank", *NUMPY, *SHORT]
    bad("cli-bank-negative-frequency", [*bank, "--param", "frequencies=-6,12"])
    bad("cli-bank-frequency-garbage", [*bank, "--param", "frequencies=six"])
    bad("cli-bank-frequency-empty", [*bank, "--param", "frequencies="])
    bad("cli-bank-p-2", [*bank, "--param", "p=2"])
    ing = ["run", "ing", *NUMPY, *SHORT]
    bad("cli-ing-n_i-0", [*ing, "--param", "n_i=0"])
    bad("cli-ing-g_syn-negative", [*ing, "--param", "g_syn=-20nS"])
    bad("cli-ing-p_ii-nan", [*ing, "--param", "p_ii=nan"])
    act = ["run", "actualization", *NUMPY, *SHORT]
    bad("cli-act-n_dims-0", [*act, "--param", "n_dims=0"])
    bad("cli-act-batch-0", [*act, "--param", "batch=0"])
    bad("cli-act-target-out-of-range", [*act, "--param", "target=10"])
    bad("cli-act-cue_noise-negative", [*act, "--param", "cue_noise=-1"])
    bad("cli-act-U_d-2", [*act, "--param", "U_d=2"])
    bad("cli-act-match_width-0", [*act, "--param", "match_width=0"])
    bad("cli-act-noise_decay-bogus", [*act, "--param", "noise_decay=linear"])
    bad("cli-act-neurons_per_dim-4", [*act, "--param", "neurons_per_dim=4"])
    bad("cli-act-release-nan", [*act, "--param", "release=nan"])
    # analyze
    bad("cli-analyze-missing", ["analyze", "nothing/result.npz"])
    bad("cli-analyze-directory", ["analyze", fixtures["dir"]])
    for name in fixtures["corrupt"]:
        bad(f"cli-analyze-{name}", ["analyze", fixtures["corrupt"][name]])
    good(
        "cli-analyze-valid",
        ["analyze", fixtures["result"], "--surrogates", "20", "--out", "an"],
        check=lambda rc, scratch: strict_json(os.path.join(scratch, "an", "analysis.json")),
    )
    for value in ("-1", "0", "abc"):
        bad(
            f"cli-analyze-surrogates={value}",
            ["analyze", fixtures["result"], "--surrogates", value],
        )
    bad("cli-analyze-seed-negative", ["analyze", fixtures["result"], "--seed", "-1"])
    bad("cli-analyze-out-is-file", ["analyze", fixtures["result"], "--out", fixtures["file"]])
    # sweep
    sweep = ["sweep", "ping", "--serial", *NUMPY, *SMALL_PING, "--duration", "200ms"]
    bad("cli-sweep-no-grid", sweep)
    bad("cli-sweep-grid-garbage", [*sweep, "--grid", "tau_gaba=5ms,abc"])
    bad("cli-sweep-grid-empty", [*sweep, "--grid", "tau_gaba="])
    bad("cli-sweep-grid-unknown", [*sweep, "--grid", "tau_gabba=5ms,6ms"])
    bad("cli-sweep-grid-n_e-0", [*sweep, "--grid", "n_e=0,10"])
    bad("cli-sweep-grid-duplicate", [*sweep, "--grid", "tau_gaba=5ms", "--grid", "tau_gaba=6ms"])
    bad(
        "cli-sweep-grid-and-param",
        [*sweep, "--grid", "tau_gaba=5ms,6ms", "--param", "tau_gaba=5ms"],
    )
    bad("cli-sweep-metric-bogus", [*sweep, "--grid", "tau_gaba=5ms,6ms", "--metric", "power"])
    bad("cli-sweep-duration-0", [*sweep, "--grid", "tau_gaba=5ms,6ms", "--duration", "0s"])
    bad("cli-sweep-workers-0", ["sweep", "ping", "--grid", "tau_gaba=5ms,6ms", "--workers", "0"])
    bad(
        "cli-sweep-workers-negative", ["sweep", "ping", "--grid", "tau_gaba=5ms", "--workers", "-2"]
    )
    bad(
        "cli-sweep-scheduler-unreachable",
        ["sweep", "ping", *NUMPY, "--grid", "tau_gaba=5ms,6ms", "--scheduler", "tcp://127.0.0.1:9"],
        timeout=60,
    )
    bad(
        "cli-sweep-scheduler-garbage",
        ["sweep", "ping", "--grid", "tau_gaba=5ms", "--scheduler", "::::"],
        timeout=60,
    )
    bad("cli-sweep-out-is-file", [*sweep, "--grid", "tau_gaba=5ms,6ms", "--out", fixtures["file"]])
    bad("cli-sweep-seed-negative", [*sweep, "--grid", "tau_gaba=5ms,6ms", "--seed", "-3"])
    good(
        "cli-sweep-small",
        [*sweep, "--grid", "tau_gaba=5ms,10ms", "--out", "sw"],
        check=check_sweep_folder("sw", 2),
        timeout=180,
    )
    # cache
    bad("cli-cache-info-file", ["cache", "info", "--cache-dir", fixtures["file"]])
    cases.append(
        Case("cli-cache-info-missing", "any", argv=["cache", "info", "--cache-dir", "no/such/dir"])
    )
    cases.append(
        Case("cli-cache-clear-empty", "any", argv=["cache", "clear", "--cache-dir", "empty"])
    )
    bad("cli-cache-bogus-action", ["cache", "purge"])
    # demo, list, fi-curve
    bad("cli-demo-duration-short", ["demo", *NUMPY, "--duration", "1s"])
    bad("cli-demo-duration-negative", ["demo", *NUMPY, "--duration", "-4s"])
    bad("cli-demo-seed-negative", ["demo", *NUMPY, "--seed", "-1"])
    bad("cli-demo-out-is-file", ["demo", *NUMPY, "--out", fixtures["file"]])
    bad("cli-list-unknown", ["list", "pingg"])
    good("cli-list-ping", ["list", "ping"])
    good("cli-list-model", ["list", "lif"])
    bad("cli-fi-curve-bogus-backend", ["fi-curve", "--backend", "gpu"])
    bad("cli-no-command", [])
    bad("cli-unknown-command", ["simulate"])
    return cases


def check_sweep_folder(folder, n_rows):
    def check(rc, scratch):
        table = os.path.join(scratch, folder, "table.csv")
        if not os.path.exists(table):
            return "table.csv missing"
        with open(table) as stream:
            rows = [line for line in stream.read().splitlines() if line.strip()]
        if len(rows) != n_rows + 1:
            return f"table.csv has {len(rows) - 1} rows, expected {n_rows}"
        mode = stat.S_IMODE(os.stat(table).st_mode)
        if mode != 0o644:
            return f"table.csv has mode {oct(mode)} under umask 022"
        for name in os.listdir(os.path.join(scratch, folder)):
            if name.endswith(".json"):
                problem = strict_json(os.path.join(scratch, folder, name))
                if problem:
                    return problem
        return None

    return check


def api_cases(fixtures):
    import brian2 as b2
    from brian2 import Hz, kHz, ms, mV, nA, nS, pA, second

    import quifer_brian as qb
    from quifer_brian import analysis as an
    from quifer_brian import coding as co
    from quifer_brian import equations as eq
    from quifer_brian import networks as nw

    cases = []

    def bad(name, call, names=(), timeout=90.0):
        cases.append(Case(name, "error", call=call, names=tuple(names), timeout=timeout))

    def good(name, call, check=None, timeout=120.0):
        cases.append(Case(name, "ok", call=call, check=check, timeout=timeout))

    small = {"n_e": 80, "n_i": 20}

    def ping_run(**params):
        return lambda: nw.ping(**small, **params).run(300 * ms, backend="numpy", seed=1)

    # builders
    bad("api-ping-n_e-0", lambda: nw.ping(n_e=0), ["n_e"])
    bad("api-ping-n_e-float", lambda: nw.ping(n_e=2.5), ["n_e"])
    bad("api-ping-n_e-huge", lambda: nw.ping(n_e=10**12).network, ["n_e"])
    bad("api-ping-p-1.5", lambda: nw.ping(p_ee=1.5), ["p_ee"])
    bad("api-ping-p-nan", lambda: nw.ping(p_ei=float("nan")), ["p_ei"])
    bad("api-ping-tau-negative", lambda: nw.ping(tau_gaba=-1 * ms), ["tau_gaba"])
    bad("api-ping-tau-inf", lambda: nw.ping(tau_gaba=np.inf * ms), ["tau_gaba"])
    bad("api-ping-w-negative", lambda: nw.ping(w_ie=-1 * nS), ["w_ie"])
    bad("api-ping-w-nan", lambda: nw.ping(w_ie=np.nan * nS), ["w_ie"])
    bad("api-ping-w-wrong-unit", lambda: nw.ping(w_ie=1 * nA), ["w_ie"])
    bad("api-ping-delay-negative", lambda: nw.ping(delay=-1 * ms), ["delay"])
    bad("api-ping-drive-inf", lambda: nw.ping(drive_e=np.inf * nA), ["drive_e"])
    bad("api-ping-unknown", lambda: nw.ping(tau_gabba=5 * ms), ["tau_gabba"])
    bad("api-ping-dt-5ms", ping_run(dt=5 * ms), ["dt"])
    bad("api-ping-dt-0", lambda: nw.ping(dt=0 * ms), ["dt"])
    bad("api-ping-duration-0", lambda: nw.ping(**small).run(0 * ms, backend="numpy"), ["duration"])
    bad(
        "api-ping-duration-negative",
        lambda: nw.ping(**small).run(-1 * second, backend="numpy"),
        ["duration"],
    )
    bad(
        "api-ping-duration-inf",
        lambda: nw.ping(**small).run(np.inf * second, backend="numpy"),
        ["duration"],
    )
    bad(
        "api-ping-duration-unitless",
        lambda: nw.ping(**small).run(1.0, backend="numpy"),
        ["duration"],
    )
    bad(
        "api-ping-duration-below-lfp-delay",
        lambda: nw.ping(**small).run(1 * ms, backend="numpy"),
        ["duration"],
    )
    bad(
        "api-ping-seed-negative",
        lambda: nw.ping(**small).run(100 * ms, backend="numpy", seed=-1),
        ["seed"],
    )
    bad(
        "api-ping-seed-float",
        lambda: nw.ping(**small).run(100 * ms, backend="numpy", seed=1.5),
        ["seed"],
    )
    bad(
        "api-ping-seed-huge",
        lambda: nw.ping(**small).run(100 * ms, backend="numpy", seed=2**40),
        ["seed"],
    )
    bad(
        "api-ping-backend-bogus", lambda: nw.ping(**small).run(100 * ms, backend="gpu"), ["backend"]
    )
    good("api-ping-valid", ping_run(), check=check_result(rates=("E", 1.0, 500.0)))
    # touching a handle before run(seed): the same spikes, or a clear refusal
    cases.append(
        Case(
            "api-ping-determinism-touch",
            "any",
            call=determinism_touch(nw, small, ms),
            check=lambda v, s: v,
            names=("seed",),
        )
    )
    good(
        "api-ping-determinism-global-rng",
        determinism_global_rng(nw, small, ms),
        check=lambda v, s: v,
    )
    good("api-ping-no-global-rng-change", global_rng_untouched(nw, small, ms), check=lambda v, s: v)
    bad("api-brunel-reset-above-threshold", lambda: nw.brunel(V_reset=25 * mV), ["V_reset"])
    bad("api-brunel-g-nan", lambda: nw.brunel(g=float("nan")), ["g"])
    bad("api-brunel-scale-0", lambda: nw.brunel(scale=0), ["scale"])
    bad("api-brunel-J-negative", lambda: nw.brunel(J=-0.1 * mV), ["J"])
    bad(
        "api-kuramoto-K-dt",
        lambda: nw.kuramoto(n=50, coupling=1e5 * Hz).run(100 * ms, backend="numpy"),
        ["coupling"],
    )
    bad("api-kuramoto-n-0", lambda: nw.kuramoto(n=0), ["n"])
    bad(
        "api-kuramoto-frequencies-nan",
        lambda: nw.kuramoto(n=3, frequencies=[1, np.nan, 2] * Hz),
        ["frequencies"],
    )
    bad(
        "api-kuramoto-frequencies-count",
        lambda: nw.kuramoto(n=5, frequencies=[1, 2] * Hz),
        ["frequencies"],
    )
    good("api-kuramoto-valid", kuramoto_theory(nw, ms, second), check=lambda v, s: v, timeout=180)
    bad("api-theta-rate-negative", lambda: nw.theta_gamma(rate_i=-1 * Hz), ["rate_i"])
    bad(
        "api-bank-frequencies-negative",
        lambda: nw.frequency_bank(frequencies=(-6, 12)),
        ["frequencies"],
    )
    bad("api-ing-p-2", lambda: nw.ing(p_ii=2.0), ["p_ii"])
    bad("api-network-unknown", lambda: nw.get_network("pingg"), ["pingg"])
    # models
    bad("api-lif-n-0", lambda: eq.lif.group(0), ["n"])
    bad("api-lif-n-negative", lambda: eq.lif.group(-3), ["n"])
    bad("api-lif-tau-negative", lambda: eq.lif.group(10, tau_m=-1 * ms), ["tau_m"])
    bad("api-lif-tau-inf", lambda: eq.lif.group(10, tau_m=np.inf * ms), ["tau_m"])
    bad("api-lif-threshold-below-reset", lambda: eq.lif.group(10, V_th=-80 * mV), ["V_th"])
    bad("api-lif-unknown-param", lambda: eq.lif.group(10, tau=5 * ms), ["tau"])
    bad("api-lif-wrong-unit", lambda: eq.lif.group(10, tau_m=5 * mV), ["tau_m"])
    bad("api-poisson-rate-beyond-step", poisson_rate(eq, b2, 20 * kHz), ["rate"])
    bad("api-poisson-rate-negative", lambda: eq.poisson.group(10, rate_0=-1 * Hz), ["rate"])
    good("api-poisson-rate-delivered", poisson_delivered(eq, b2, Hz), check=lambda v, s: v)
    bad("api-model-ignores-I_in", custom_model_without_input(eq, b2, ms), ["I_in"])
    bad("api-model-unknown", lambda: eq.get_model("liff"), ["liff"])
    # analysis
    spikes = (np.array([0.01, 0.02, 0.05]), np.array([0, 1, 2]))
    bad(
        "api-rates-nan-times",
        lambda: an.compute_rates(
            (np.array([0.01, np.nan]), np.array([0, 1])), t_stop=1.0, n_neurons=3
        ),
    )
    bad(
        "api-rates-inf-times",
        lambda: an.compute_rates(
            (np.array([0.01, np.inf]), np.array([0, 1])), t_stop=1.0, n_neurons=3
        ),
    )
    bad(
        "api-rates-index-beyond",
        lambda: an.compute_rates((spikes[0], np.array([0, 1, 7])), t_stop=1.0, n_neurons=3),
    )
    bad(
        "api-rates-index-negative",
        lambda: an.compute_rates((spikes[0], np.array([0, -1, 2])), t_stop=1.0, n_neurons=3),
    )
    good(
        "api-rates-window",
        lambda: an.compute_rates((np.array([0.5, 2.0]), np.array([0, 1])), t_stop=1.0, n_neurons=3),
        check=lambda rates, s: None if np.allclose(rates, [1.0, 0.0, 0.0]) else f"rates {rates}",
    )
    bad(
        "api-rates-stop-before-start",
        lambda: an.compute_rates(spikes, t_start=1.0, t_stop=0.5, n_neurons=3),
    )
    bad(
        "api-rates-length-mismatch",
        lambda: an.compute_rates((spikes[0], np.array([0, 1])), t_stop=1.0, n_neurons=3),
    )
    bad(
        "api-cv-index-float",
        lambda: an.compute_cv_isi((spikes[0], np.array([0.5, 1, 2])), n_neurons=3),
    )
    bad(
        "api-poprate-bin-0",
        lambda: an.compute_population_rate(spikes, bin_size=0.0, t_stop=1.0, n_neurons=3),
    )
    bad(
        "api-poprate-bin-nan",
        lambda: an.compute_population_rate(spikes, bin_size=np.nan, t_stop=1.0, n_neurons=3),
    )
    signal_ = np.sin(2 * np.pi * 40 * np.arange(2000) / 1000.0)
    bad(
        "api-spectrum-nan",
        lambda: an.compute_spectrum(np.where(np.arange(2000) == 5, np.nan, signal_), fs=1000.0),
    )
    bad("api-spectrum-fs-0", lambda: an.compute_spectrum(signal_, fs=0.0), ["fs"])
    bad("api-spectrum-fs-negative", lambda: an.compute_spectrum(signal_, fs=-1000.0), ["fs"])
    bad("api-spectrum-fs-inf", lambda: an.compute_spectrum(signal_, fs=np.inf), ["fs"])
    bad("api-spectrum-2d", lambda: an.compute_spectrum(np.ones((3, 3)), fs=1000.0))
    bad(
        "api-spectrum-method-bogus",
        lambda: an.compute_spectrum(signal_, fs=1000.0, method="fft2"),
        ["method"],
    )
    bad(
        "api-spectrum-frange-reversed",
        lambda: an.compute_spectrum(signal_, fs=1000.0, f_range=(80, 20)),
        ["f_range"],
    )
    good(
        "api-spectrum-peak-40hz",
        lambda: an.compute_spectrum(signal_, fs=1000.0),
        check=peak_at(40.0),
    )
    bad("api-plv-nan", lambda: an.compute_plv(np.array([0.1, np.nan])))
    bad("api-plv-empty", lambda: an.compute_plv(np.array([])))
    bad("api-ppc-one", lambda: an.compute_ppc(np.array([0.3])))
    bad(
        "api-mi-nbins-1",
        lambda: an.compute_modulation_index(
            signal_, fs=1000.0, phase_range=(4, 8), amp_range=(30, 80), n_bins=1
        ),
        ["n_bins"],
    )
    bad(
        "api-mi-ranges-reversed",
        lambda: an.compute_modulation_index(
            signal_, fs=1000.0, phase_range=(8, 4), amp_range=(30, 80)
        ),
        ["phase_range"],
    )
    bad("api-find-peaks-mismatch", lambda: an.compute_spectral_peaks(np.arange(10.0), np.ones(9)))
    bad(
        "api-fano-bin-negative",
        lambda: an.compute_fano_factor(spikes, bin_size=-0.01, t_stop=1.0, n_neurons=3),
        ["bin_size"],
    )
    bad(
        "api-spike-phases-nan",
        lambda: an.spike_phases(np.array([np.nan]), signal_, fs=1000.0, f_range=(30, 50)),
    )
    bad("api-metric-unknown", lambda: an.get_metric("power"), ["power"])
    # coding
    bad("api-encode-rate-nan", lambda: co.encode_rate(np.array([[0.5, np.nan]]), 0.1), ["values"])
    bad("api-encode-rate-inf", lambda: co.encode_rate(np.array([[0.5, np.inf]]), 0.1), ["values"])
    bad(
        "api-encode-rate-rmax-negative",
        lambda: co.encode_rate(np.array([[0.5]]), 0.1, r_max=-5.0),
        ["r_max"],
    )
    bad("api-encode-rate-duration-0", lambda: co.encode_rate(np.array([[0.5]]), 0.0), ["duration"])
    bad(
        "api-encode-rate-process-bogus",
        lambda: co.encode_rate(np.array([[0.5]]), 0.1, process="gamma"),
        ["process"],
    )
    bad(
        "api-encode-population-width-0",
        lambda: co.encode_population(np.array([[0.5]]), 0.1, width=0.0),
        ["width"],
    )
    bad(
        "api-encode-population-range-reversed",
        lambda: co.encode_population(np.array([[0.5]]), 0.1, value_range=(1.0, 0.0)),
        ["value_range"],
    )
    bad(
        "api-encode-latency-tmax-0",
        lambda: co.encode_latency(np.array([[0.5]]), t_max=0.0),
        ["t_max"],
    )
    bad("api-encode-phase-no-frequency", lambda: co.encode_phase(np.array([[0.5]]), 0.1))
    bad(
        "api-decode-rate-index-beyond",
        lambda: co.decode_rate(np.array([0.01]), np.array([5]), (1, 2), t_stop=0.1),
        ["indices"],
    )
    bad(
        "api-decode-rate-nan-time",
        lambda: co.decode_rate(np.array([np.nan]), np.array([0]), (1, 2), t_stop=0.1),
    )
    bad(
        "api-spike-generator-index-beyond",
        lambda: co.to_spike_generator(np.array([0.01]), np.array([3]), 2),
        ["indices"],
    )
    bad(
        "api-spike-generator-negative-time",
        lambda: co.to_spike_generator(np.array([-0.01]), np.array([0]), 2),
        ["times"],
    )
    good("api-encode-rate-mean", encode_rate_mean(co), check=lambda v, s: v)
    # the loop
    bad("api-loop-n_dims-0", lambda: nw.actualization_loop(0, n_archetypes=2), ["n_dims"])
    bad(
        "api-loop-archetypes-nan",
        lambda: nw.actualization_loop(2, archetypes=np.array([[0.5, np.nan]])),
        ["archetypes"],
    )
    bad(
        "api-loop-archetypes-outside",
        lambda: nw.actualization_loop(2, archetypes=np.array([[0.5, 1.5]])),
        ["archetypes"],
    )
    bad(
        "api-loop-archetypes-shape",
        lambda: nw.actualization_loop(3, archetypes=np.array([[0.5, 0.5]])),
        ["archetypes"],
    )
    bad("api-loop-U_d-2", lambda: nw.actualization_loop(2, n_archetypes=2, U_d=2.0), ["U_d"])
    bad("api-loop-batch-0", lambda: nw.actualization_loop(2, n_archetypes=2, batch=0), ["batch"])
    bad(
        "api-loop-focus-negative",
        lambda: nw.actualization_loop(2, n_archetypes=2, focus_gain=-1 * pA),
        ["focus_gain"],
    )
    bad(
        "api-loop-initial-shape",
        loop_actualize(nw, np, ms, states=np.full((4, 3), 0.5)),
        ["initial_states"],
    )
    bad(
        "api-loop-initial-nan",
        loop_actualize(nw, np, ms, states=np.full((4, 2), np.nan)),
        ["initial_states"],
    )
    bad("api-loop-duration-negative", loop_actualize(nw, np, ms, duration=-100 * ms), ["duration"])
    bad("api-loop-target-out-of-range", loop_actualize(nw, np, ms, target=7), ["target"])
    # results and files
    for name, path in fixtures["corrupt"].items():
        bad(f"api-load-{name}", lambda path=path: qb.load(path))
    bad("api-load-missing", lambda: qb.load("no/such/result.npz"))
    good(
        "api-load-valid",
        lambda: qb.load(fixtures["result"]),
        check=check_result(rates=("E", 1.0, 500.0)),
    )
    good(
        "api-analyse-valid",
        lambda: an.analyse_result(qb.load(fixtures["result"]), n_surrogates=10),
        check=strict_json_value,
    )
    good("api-save-umask", save_mode(qb, fixtures), check=lambda v, s: v)
    # sweeps
    bad(
        "api-sweep-grid-empty",
        lambda: qb.sweep("ping", {"tau_gaba": []}, 100 * ms, backend="numpy", client="serial"),
        ["tau_gaba"],
    )
    bad(
        "api-sweep-grid-nan",
        lambda: qb.sweep("ping", {"tau_gaba": [np.nan * ms]}, 100 * ms, backend="numpy"),
        ["tau_gaba"],
    )
    bad(
        "api-sweep-unknown-builder",
        lambda: qb.sweep("pingg", {"tau_gaba": [5 * ms]}, 100 * ms),
        ["pingg"],
    )
    bad(
        "api-sweep-metric-unknown",
        lambda: qb.sweep("ping", {"tau_gaba": [5 * ms]}, 100 * ms, metrics=["power"]),
        ["power"],
    )
    bad(
        "api-sweep-duration-negative",
        lambda: qb.sweep("ping", {"tau_gaba": [5 * ms]}, -1 * second),
        ["duration"],
    )
    # protocols
    bad(
        "api-fi-nan-current",
        lambda: qb.protocols.simulate_fi_curve(np.array([0.1, np.nan]) * nA, duration=100 * ms),
        ["currents"],
    )
    bad(
        "api-fi-duration-0",
        lambda: qb.protocols.simulate_fi_curve(np.array([0.1, 0.3]) * nA, duration=0 * ms),
        ["duration"],
    )
    good("api-fi-theory", fi_against_theory(qb, nA, ms, second), check=lambda v, s: v, timeout=120)
    return cases


# Legitimate-output checks for the API (each returns None when right, else the problem)


def check_result(rates):
    population, low, high = rates

    def check(result, scratch):
        rate = result.mean_rate(population)
        if not (low <= rate <= high):
            return f"mean rate of {population} {rate:.1f} Hz outside [{low}, {high}]"
        for name, (times, indices) in result.spikes.items():
            if len(times) and (not np.all(np.isfinite(times)) or times.max() > result.duration):
                return f"spike times of {name} outside the run"
            if len(indices) and (indices.min() < 0 or indices.max() >= result.sizes[name]):
                return f"spike indices of {name} outside the population"
        if result.meta.get("complete") is False:
            return "a full run marked incomplete"
        return None

    return check


def strict_json_value(value, scratch):
    """The analysis of a valid result: its rates are finite and positive.

    (Its JSON form is checked by ``cli-analyze-valid``: ``analysis.json`` is written by
    the command line, which turns the measures' objects into plain values.)
    """
    rates = [v for k, v in value.items() if "rate" in k and np.isscalar(v)]
    if not isinstance(value, dict) or not value:
        return "analyse_result returned nothing"
    if any(not np.isfinite(v) or v < 0 for v in rates):
        return f"analysis rates not finite and >= 0: {rates}"
    return None


def peak_at(frequency):
    def check(value, scratch):
        freqs, power = value
        peak = freqs[np.argmax(power)]
        if abs(peak - frequency) > 2.0:
            return f"spectrum peak at {peak} Hz, expected {frequency}"
        return None

    return check


def determinism_touch(nw, small, ms):
    def call():
        first = nw.ping(**small).run(200 * ms, backend="numpy", seed=1)
        circuit = nw.ping(**small)
        np.random.seed(12345)  # noqa: NPY002 - the global state is what is tested
        _ = circuit.exc, circuit.network
        np.random.rand(17)  # noqa: NPY002 - the global state is what is tested
        second = circuit.run(200 * ms, backend="numpy", seed=1)
        a, b = len(first.spikes["E"][0]), len(second.spikes["E"][0])
        if a != b or not np.array_equal(first.spikes["E"][0], second.spikes["E"][0]):
            return f"same seed, different spikes after touching handles: {a} vs {b} E spikes"
        return None

    return call


def determinism_global_rng(nw, small, ms):
    def call():
        np.random.seed(1)  # noqa: NPY002 - the global state is what is tested
        first = nw.ping(**small).run(200 * ms, backend="numpy", seed=7)
        np.random.seed(999)  # noqa: NPY002 - the global state is what is tested
        second = nw.ping(**small).run(200 * ms, backend="numpy", seed=7)
        if not np.array_equal(first.spikes["E"][0], second.spikes["E"][0]):
            return "same seed, different spikes under a different global numpy state"
        return None

    return call


def global_rng_untouched(nw, small, ms):
    def call():
        np.random.seed(42)  # noqa: NPY002 - the global state is what is tested
        expected = np.random.RandomState(42).rand(3)
        nw.ping(**small).run(100 * ms, backend="numpy", seed=7)
        np.random.seed(42)  # noqa: NPY002 - the global state is what is tested
        got = np.random.rand(3)  # noqa: NPY002 - the global state is what is tested
        if not np.array_equal(expected, got):
            return "unexpected: numpy's global generator misbehaves"
        np.random.seed(42)  # noqa: NPY002 - the global state is what is tested
        nw.ping(**small).run(100 * ms, backend="numpy", seed=7)
        after = np.random.rand(3)  # noqa: NPY002 - the global state is what is tested
        if np.array_equal(after, expected):
            return None
        return "run(seed=...) changed numpy's global random state (a library must not)"

    return call


def kuramoto_theory(nw, ms, second):
    """K = 4 gamma: r = sqrt(1 - K_c/K) = sqrt(1/2) (Lorentzian frequencies, K_c = 2 gamma)."""

    def call():
        from quifer_brian.analysis import order_parameter

        circuit = nw.kuramoto(n=1000, coupling=4.0 / second, gamma=1.0 / second)
        result = circuit.run(8 * second, backend="numpy", seed=1)
        _, r = order_parameter(result, t_start=4.0)
        expected = math.sqrt(1 - 2.0 / 4.0)
        if abs(float(np.mean(r)) - expected) > 0.05:
            return f"Kuramoto r {float(np.mean(r)):.3f} against theory {expected:.3f}"
        return None

    return call


def poisson_rate(eq, b2, rate):
    def call():
        net = b2.Network(eq.poisson.group(10, rate_0=rate, dt=0.1 * b2.ms))
        net.run(10 * b2.ms)

    return call


def poisson_delivered(eq, b2, Hz):
    def call():
        b2.seed(3)
        group = eq.poisson.group(200, rate_0=200 * Hz)
        monitor = b2.SpikeMonitor(group)
        b2.Network(group, monitor).run(1 * b2.second)
        rate = monitor.num_spikes / 200.0
        if abs(rate - 200.0) > 10.0:
            return f"poisson source delivered {rate:.1f} Hz for 200 Hz asked"
        return None

    return call


def custom_model_without_input(eq, b2, ms):
    def call():
        model = eq.NeuronModel(
            name="leaky_no_input",
            description="a leaky unit that forgot I_in",
            equations="dv/dt = -v/tau : volt",
            parameters=(eq.Parameter("tau", 10 * ms, "time constant", positive=True),),
            threshold="v > 10*mV",
            reset="v = 0*mV",
        )
        return model.group(10, currents=(eq.exp_current,))

    return call


def encode_rate_mean(co):
    def call():
        times, _ = co.encode_rate(np.full((1, 50), 0.5), 2.0, r_max=100.0, seed=3)[:2]
        rate = len(times) / (50 * 2.0)
        if abs(rate - 50.0) > 5.0:
            return f"encode_rate gave {rate:.1f} Hz for value 0.5 of 100 Hz"
        return None

    return call


def loop_actualize(nw, np, ms, states=None, duration=None, target=0):
    def call():
        loop = nw.actualization_loop(2, archetypes=np.array([[0.2, 0.8], [0.8, 0.2]]), batch=4)
        initial = np.full((4, 2), 0.5) if states is None else states
        return loop.actualize(
            initial, 200 * ms if duration is None else duration, target=target, backend="numpy"
        )

    return call


def save_mode(qb, fixtures):
    def call():
        result = qb.load(fixtures["result"])
        os.umask(0o022)
        result.save("copy.npz")
        mode = stat.S_IMODE(os.stat("copy.npz").st_mode)
        if mode != 0o644:
            return f"saved result has mode {oct(mode)} under umask 022"
        return None

    return call


def fi_against_theory(qb, nA, ms, second):
    """The library's LIF against the closed form (defaults of ``lif``)."""

    def call():
        from brian2 import Mohm, mV

        from quifer_brian import theory

        currents = np.array([0.25, 0.3, 0.5]) * nA
        rates = qb.protocols.simulate_fi_curve(currents, duration=1 * second)
        expected = theory.lif_rate(
            currents, 20 * ms, 100 * Mohm, -70 * mV, -50 * mV, -60 * mV, 2 * ms
        )
        if np.any(np.abs(rates - expected) > 0.02 * expected + 0.5):
            return f"f-I rates {np.round(rates, 2)} against theory {np.round(expected, 2)}"
        return None

    return call


# ---------------------------------------------------------------------------------------
# Fixtures: a valid result, corrupt variants, a plain file, a folder with foreign content


def make_fixtures(root):
    fixtures = {"dir": os.path.join(root, "a-folder"), "file": os.path.join(root, "a-file.txt")}
    os.makedirs(fixtures["dir"])
    with open(fixtures["file"], "w") as stream:
        stream.write("not a folder\n")
    result_path = os.path.join(root, "valid", "result.npz")
    code = (
        "from brian2 import ms\nfrom quifer_brian import networks\n"
        "result = networks.ping(n_e=80, n_i=20).run(600*ms, backend='numpy', seed=1)\n"
        f"result.save({result_path!r})\n"
    )
    os.makedirs(os.path.dirname(result_path))
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    fixtures["result"] = result_path
    fixtures["corrupt"] = corrupt_results(result_path, os.path.join(root, "corrupt"))
    return fixtures


def corrupt_results(path, folder):
    os.makedirs(folder)
    with np.load(path) as archive:
        arrays = {name: archive[name] for name in archive.files}
    metadata = json.loads(arrays.pop("metadata").tobytes().decode())
    variants = {}

    def write(name, arrays_, metadata_, raw=None):
        file = os.path.join(folder, f"{name}.npz")
        if raw is not None:
            with open(file, "wb") as stream:
                stream.write(raw)
        else:
            data = dict(arrays_)
            if metadata_ is not None:
                text = metadata_ if isinstance(metadata_, str) else json.dumps(metadata_)
                data["metadata"] = np.frombuffer(text.encode(), dtype=np.uint8)
            np.savez(file, **data)
        variants[name] = file

    with open(path, "rb") as stream:
        raw = stream.read()
    write("empty-file", None, None, raw=b"")
    write("garbage-bytes", None, None, raw=os.urandom(4096))
    write("truncated", None, None, raw=raw[: len(raw) // 2])
    write("no-metadata", arrays, None)
    write("metadata-not-json", arrays, "{not json")
    write("metadata-a-list", arrays, "[1, 2, 3]")

    def edited(name, **changes):
        meta = json.loads(json.dumps(metadata))
        for key, value in changes.items():
            if value is _DROP:
                meta.pop(key, None)
            else:
                meta[key] = value
        write(name, arrays, meta)

    edited("wrong-format", format="something-else")
    edited("future-version", format_version=99)
    edited("duration-negative", duration=-1.0)
    edited("duration-nan", duration="NaN")
    edited("duration-string", duration="long")
    edited("sizes-huge", sizes={"E": 2**45, "I": 20})
    edited("sizes-negative", sizes={"E": -80, "I": 20})
    edited("sizes-missing-population", sizes={"E": 80})
    edited("populations-unknown", populations=["E", "I", "X"])
    edited("fs-zero", fs=0.0)
    edited("rate-dt-negative", rate_dt=-0.001)
    edited("no-sizes", sizes=_DROP)
    edited("no-populations", populations=_DROP)

    def array_edit(name, key, value):
        data = dict(arrays)
        data[key] = value
        write(name, data, metadata)

    times = arrays["spikes/E/t"]
    indices = arrays["spikes/E/i"]
    array_edit("spike-time-nan", "spikes/E/t", np.where(np.arange(len(times)) == 3, np.nan, times))
    array_edit("spike-time-inf", "spikes/E/t", np.where(np.arange(len(times)) == 3, np.inf, times))
    array_edit("spike-time-beyond-run", "spikes/E/t", times + 10.0)
    array_edit("spike-time-negative", "spikes/E/t", times - 1.0)
    array_edit("spike-index-beyond", "spikes/E/i", indices + 1000)
    array_edit("spike-index-negative", "spikes/E/i", indices - 1000)
    array_edit("spike-length-mismatch", "spikes/E/i", indices[:-5])
    array_edit("spike-times-strings", "spikes/E/t", np.array(["a"] * len(times)))
    array_edit("spike-times-2d", "spikes/E/t", np.stack([times, times]))
    array_edit("lfp-nan", "lfp", np.full_like(arrays["lfp"], np.nan))
    array_edit("lfp-2d", "lfp", np.stack([arrays["lfp"], arrays["lfp"]]))
    return variants


_DROP = object()


# ---------------------------------------------------------------------------------------
# Interrupts: real processes and real signals


def interrupt_cases(root):
    """SIGINT during ``run`` and ``sweep``: exit 130, nothing read back as complete."""
    cases = []
    cases.append(
        Case("signal-run-sigint", "ok", call=_sigint_run(root), check=lambda v, s: v, timeout=120)
    )
    cases.append(
        Case(
            "signal-sweep-sigint", "ok", call=_sigint_sweep(root), check=lambda v, s: v, timeout=240
        )
    )
    return cases


def _cli(args, cwd):
    return subprocess.Popen(
        [sys.executable, "-m", "quifer_brian.cli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for(process, text, timeout):
    start = time.monotonic()
    seen = ""
    while time.monotonic() - start < timeout:
        line = process.stdout.readline()
        seen += line
        if text in line:
            return True
        if process.poll() is not None:
            return False
    return False


def _listdir(folder):
    try:
        return [name for name in os.listdir(folder) if name.endswith(".json")]
    except OSError:
        return []


def _wait_until(condition, process, timeout):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return True
        if process.poll() is not None:
            return False
        time.sleep(0.1)
    return False


def _sigint_run(root):
    def call():
        folder = tempfile.mkdtemp(dir=root)
        process = _cli(
            ["run", "ping", *NUMPY, *SMALL_PING, "--duration", "60s", "--out", "out"], folder
        )
        started = _wait_for(process, "Starting simulation", 60)
        time.sleep(2.0)
        process.send_signal(signal.SIGINT)
        try:
            _, err = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            return "the run did not stop within 60 s of SIGINT"
        if not started:
            return "the run never started: " + err[-200:]
        if process.returncode != 130:
            return f"exit status {process.returncode} after SIGINT (expected 130)"
        if "Traceback" in err:
            return "a traceback after SIGINT"
        path = os.path.join(folder, "out", "result.npz")
        if os.path.exists(path):
            with np.load(path) as archive:
                meta = json.loads(archive["metadata"].tobytes().decode())
            inner = meta.get("meta", {})
            if inner.get("complete", True):
                return "the interrupted run's result is not marked incomplete"
            if not inner.get("simulated_duration_s", 60) < 60:
                return "the interrupted result does not record its simulated duration"
        return None

    return call


def _sigint_sweep(root):
    def call():
        folder = tempfile.mkdtemp(dir=root)
        args = ["sweep", "ping", "--serial", *NUMPY, *SMALL_PING, "--duration", "3s"]
        args += ["--grid", "tau_gaba=5ms,10ms,15ms", "--out", "sw", "--metric", "rates"]
        process = _cli(args, folder)
        points = os.path.join(folder, "sw", "points")
        started = _wait_until(lambda: len(_listdir(points)) >= 1, process, 120)
        time.sleep(1.0)  # well inside the second point
        process.send_signal(signal.SIGINT)
        try:
            process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            return "the sweep did not stop within 60 s of SIGINT"
        if not started:
            return "the sweep never started"
        if process.returncode != 130:
            return f"sweep exit status {process.returncode} after SIGINT (expected 130)"
        resumed = _cli(args, folder)
        resumed.communicate(timeout=600)
        if resumed.returncode != 0:
            return f"the resumed sweep exited {resumed.returncode}"
        table = os.path.join(folder, "sw", "table.csv")
        with open(table) as stream:
            rows = [line for line in stream.read().splitlines() if line.strip()]
        if len(rows) != 4:
            return f"the resumed sweep's table has {len(rows) - 1} rows, expected 3"
        return None

    return call


# ---------------------------------------------------------------------------------------


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-k", default="", help="only the cases whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the cases and stop")
    args = parser.parse_args(argv)
    root = tempfile.mkdtemp(prefix="quifer-adversarial-")
    try:
        fixtures = make_fixtures(root)
        for name in ("home", "empty"):
            os.makedirs(os.path.join(root, name), exist_ok=True)
        cases = cli_cases(fixtures) + api_cases(fixtures) + cache_cases() + interrupt_cases(root)
        cases = [case for case in cases if args.k in case.name]
        if args.list:
            print("\n".join(case.name for case in cases))
            return 0
        counts = {}
        start = time.monotonic()
        for case in cases:
            outcome, detail = run_case(case, root)
            counts[outcome] = counts.get(outcome, 0) + 1
            if outcome not in ("clear", "ok") or "vague" in detail:
                print(f"{outcome:13s} {case.name}: {detail}", flush=True)
        print(f"\n{len(cases)} cases in {time.monotonic() - start:.0f} s")
        for outcome in ("clear", "ok", "traceback", "silent-wrong", "hang"):
            print(f"  {outcome:13s} {counts.get(outcome, 0)}")
        failures = sum(counts.get(o, 0) for o in ("traceback", "silent-wrong", "hang"))
        return 1 if failures else 0
    finally:
        shutil.rmtree(root, ignore_errors=True)


def cache_cases():
    """``cache clear`` pointed at folders it did not make, with deletions only recorded.

    Each call replaces the deleting functions with a recorder in its (forked) process, so
    even a wrong answer deletes nothing; a case fails if any deletion was attempted
    outside the cache's own entries, or if the command did not refuse.
    """
    cases = []

    def clear_case(name, folder_of, prepare=None, expect_refusal=True):
        def call():
            folder = folder_of()
            if prepare:
                prepare(folder)
            rc, removed = _guarded_clear(folder)
            if removed:
                return f"cache clear of {folder} tried to delete {removed[:3]}"
            if expect_refusal and rc != 2:
                return f"cache clear of {folder} exited {rc} (expected a refusal, 2)"
            return None

        cases.append(Case(name, "ok", call=call, check=lambda v, s: v))

    clear_case("cache-clear-root", lambda: "/")
    clear_case("cache-clear-home", lambda: os.environ["HOME"])
    clear_case("cache-clear-home-parent", lambda: os.path.dirname(os.environ["HOME"]))
    clear_case("cache-clear-foreign", lambda: os.path.abspath("foreign"), _foreign_content)

    def lock_symlink():
        folder = os.path.abspath("cache-with-link")
        os.makedirs(folder)
        target = os.path.abspath("precious.txt")
        with open(target, "w") as stream:
            stream.write("keep me\n")
        os.symlink(target, os.path.join(folder, ".lock"))
        from quifer_brian.cli.main import main

        main(["cache", "clear", "--cache-dir", folder])
        with open(target) as stream:
            if stream.read() != "keep me\n":
                return "a .lock symlink truncated its target"
        return None

    cases.append(Case("cache-lock-symlink", "ok", call=lock_symlink, check=lambda v, s: v))
    return cases


def _foreign_content(folder):
    os.makedirs(os.path.join(folder, ".git", "objects"))
    os.makedirs(os.path.join(folder, "Documents"))
    with open(os.path.join(folder, "Documents", "notes.txt"), "w") as stream:
        stream.write("mine\n")
    os.makedirs(os.path.join(folder, "0123456789abcdef"))


def _guarded_clear(folder):
    """Run ``cache clear`` on ``folder`` with every deletion recorded instead of done."""
    removed = []

    def record(path, *args, **kwargs):
        removed.append(str(path))

    saved = shutil.rmtree, os.remove, os.unlink, os.rmdir
    shutil.rmtree = os.remove = os.unlink = os.rmdir = record
    try:
        from quifer_brian.cli.main import main

        rc = main(["cache", "clear", "--cache-dir", folder])
    finally:
        shutil.rmtree, os.remove, os.unlink, os.rmdir = saved
    return rc, removed


if __name__ == "__main__":
    sys.exit(main())
