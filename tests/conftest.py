"""Fixtures shared by the tests (the numpy default lives in the root conftest.py)."""

import os
from pathlib import Path
from typing import NamedTuple

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
EXAMPLES = ROOT / "examples"
#: Labs whose cpp_standalone project is shared with another test module (same circuit,
#: seed and duration), under pytest's session temp folder: compiled once per session.
LAB_BUILD_DIRS = {"plot_05_brunel_states": "brunel_quarter_build"}


class LabRun(NamedTuple):
    """What a lab printed (its cells' stdout, in order) and the folder of its figures."""

    stdout: str
    out: Path


def execute_lab(lab, out, build_dir, timeout):
    """Run ``lab`` (a path) as a Jupyter notebook in quick mode; return its stdout.

    The script is read as a notebook by jupytext (``# %%`` cells) and executed by
    nbclient in a fresh kernel whose working folder is ``out``, with
    ``QUIFER_LAB_QUICK=1``, ``QUIFER_LAB_OUT=out`` and ``QUIFER_LAB_BUILD_DIR=build_dir``.
    A first cell turns Python's UserWarnings into errors: labs run without warnings.
    """
    import jupytext
    import nbformat
    from nbclient import NotebookClient

    notebook = jupytext.read(lab, fmt="py:percent")
    strict = "import warnings\nwarnings.simplefilter('error', UserWarning)"
    notebook.cells.insert(0, nbformat.v4.new_code_cell(strict))
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {
        **os.environ,
        "PYTHONPATH": path,
        "QUIFER_LAB_QUICK": "1",
        "QUIFER_LAB_OUT": str(out),
        "QUIFER_LAB_BUILD_DIR": str(build_dir),
        "QUIFER_QUIET": "1",
    }
    env.pop("MPLBACKEND", None)  # the kernel's own (inline) backend, as in Jupyter
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(out)}},
    )
    client.execute(env=env)
    return "".join(
        output.get("text", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == "stdout"
    )


@pytest.fixture(scope="session")
def run_lab(tmp_path_factory):
    """``run_lab("02_ping/plot_02_ping_gamma.py") -> LabRun``: the lab run as a notebook.

    Each lab runs once per test session (quick mode, in a Jupyter kernel, see
    :func:`execute_lab`); tests that check its printed numbers and its figures share that
    run (``tests/test_labs.py`` runs every lab, ``tests/networks/test_*_lab.py`` check
    the numbers of theirs).
    """
    runs = {}

    def run(relative, timeout=600):
        if relative not in runs:
            lab = EXAMPLES / relative
            out = tmp_path_factory.mktemp(lab.stem)
            build = LAB_BUILD_DIRS.get(lab.stem, f"{lab.stem}_build")
            try:
                stdout = execute_lab(lab, out, tmp_path_factory.getbasetemp() / build, timeout)
                runs[relative] = LabRun(stdout, out)
            except Exception as err:  # kept, so that a broken lab fails fast everywhere
                runs[relative] = err
        if isinstance(runs[relative], Exception):
            pytest.fail(f"{relative} failed as a notebook: {runs[relative]}", pytrace=False)
        return runs[relative]

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
