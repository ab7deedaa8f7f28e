"""The flagship demo: emergent theta-nested gamma, measured end to end.

``run_flagship()`` builds :func:`~quifer_brian.networks.theta_gamma`, runs it on the
fastest backend that works here (cpp_standalone where a C++ compiler exists, numpy
otherwise), and measures what the package is for: the theta and gamma peaks of the LFP
proxy above its aperiodic background, theta-gamma phase-amplitude coupling against
time-shift surrogates, and the locking of excitatory spikes to gamma.  Then the second
act (:mod:`quifer_brian.cli.demo_loop`): that theta clocks the spiking actualization
loop, one actualization per theta cycle.  It writes the figures, ``summary.json`` and
the result into an output folder.  The measures are
:func:`quifer_brian.analysis.analyse_theta_gamma`.
"""

import os
import time

from brian2 import second

from ..analysis import analyse_theta_gamma
from ..analysis.measures import THETA_GAMMA_T_START
from ..backends import check_backend, default_backend
from ..checks import check_quantity
from ..errors import CommandLineError
from ..networks import theta_gamma
from ..plotting import save_figures, theta_gamma_figures
from ..results import write_json
from .demo_loop import run_loop_act

__all__ = ["run_flagship"]

T_START = THETA_GAMMA_T_START  # s of onset transient left out of every measure
MIN_DURATION = 2.0  # s: shorter runs leave too few theta cycles for a theta peak


def run_flagship(out_dir="quifer-out", backend=None, duration=4 * second, seed=1, progress=True):
    """Run the flagship demo and write its figures and ``summary.json`` to ``out_dir``.

    Parameters
    ----------
    out_dir : str
        Output folder (created).
    backend : str, optional
        Default: cpp_standalone where a C++ compiler works, numpy otherwise.
    duration : brian2.Quantity (second)
        At least 2 s (checked before anything is built).
    seed : int
    progress : bool
        Print the simulation's progress.

    Returns
    -------
    dict
        The summary written to ``summary.json``.
    """
    backend = check_backend(backend) if backend is not None else default_backend()
    check_quantity("duration", duration, second, owner="demo")
    if float(duration / second) < MIN_DURATION:
        raise CommandLineError(
            f"demo.duration: must be >= {MIN_DURATION:g} s ({T_START:g} s of onset transient "
            f"are left out and the theta-gamma measures need several theta cycles); got "
            f"{duration}."
        )
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    result = theta_gamma().run(duration, backend=backend, seed=seed, progress=progress)
    simulated = time.perf_counter() - start
    measures = analyse_theta_gamma(result, seed=seed)
    summary = {
        key: value for key, value in measures.items() if key not in ("spectrum", "comodulogram")
    }
    summary.update(
        backend=backend,
        seed=seed,
        duration_s=result.duration,
        simulation_wall_s=round(simulated, 2),
    )
    save_figures(theta_gamma_figures(result, measures, T_START), out_dir)
    result.save(os.path.join(out_dir, "result.npz"))
    summary["loop"] = run_loop_act(result, measures["theta_hz"], out_dir, seed, T_START)
    summary["total_wall_s"] = round(time.perf_counter() - start, 2)
    write_json(summary, os.path.join(out_dir, "summary.json"))
    return summary
