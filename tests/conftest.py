"""Fixtures shared by the tests (the numpy default lives in the root conftest.py)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from brian2 import Network, SpikeMonitor, ms, nA, nS

from quifer_brian.equations import ampa, gaba_a, lif

DT = 0.1 * ms
N_E, N_I = 40, 10


def _build_ei_network():
    """A small deterministic E/I network: constant drives, fixed connectivity, no noise."""
    exc = lif.group(N_E, currents=[ampa, gaba_a], name="exc", dt=DT)
    inh = lif.group(N_I, currents=[ampa], name="inh", dt=DT, tau_m=10 * ms)
    exc.I_ext = "0.22*nA + 0.1*nA*i/N"
    inh.I_ext = 0.15 * nA
    e_to_i = ampa.synapses(exc, inh, w=1.5 * nS, condition="(i + j) % 3 == 0", delay=1 * ms)
    i_to_e = gaba_a.synapses(inh, exc, w=2 * nS, condition="(i + 2*j) % 4 == 0", delay=1 * ms)
    monitors = [SpikeMonitor(exc, name="exc_spikes"), SpikeMonitor(inh, name="inh_spikes")]
    return Network(exc, inh, e_to_i, i_to_e, *monitors), monitors


@pytest.fixture
def build_ei_network():
    """Function building a small deterministic E/I network: ``(network, monitors)``."""
    return _build_ei_network


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def run_lab(tmp_path):
    """Run ``examples/<relative> --quick --out tmp_path [arguments]``; return its stdout.

    Labs must run without Python warnings (``-W error::UserWarning``).
    """

    def run(relative, *arguments, timeout=600):
        env = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
        lab = ROOT / "examples" / relative
        command = [sys.executable, "-W", "error::UserWarning", str(lab), "--quick"]
        done = subprocess.run(
            [*command, "--out", str(tmp_path), *arguments],
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return run


# One cpp_standalone PING structure shared by the build-cache and sweep tests: compiled
# once per test session, rerun with other values (run_args) everywhere else.
SWEEP_PING = {"n_e": 400, "n_i": 100}  # ping()'s defaults, written out
SWEEP_DURATION_MS = 500


@pytest.fixture(scope="session")
def ping_cache(tmp_path_factory):
    """A build cache shared by the tests of one session."""
    from quifer_brian.backends import BuildCache

    return BuildCache(tmp_path_factory.mktemp("build_cache"))
