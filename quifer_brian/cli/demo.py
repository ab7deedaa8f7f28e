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

``quifer-brian demo`` (:func:`cmd_demo`) prints each measure against its criterion,
marked PASS or FAIL (:func:`demo_criteria`), and exits 1 when one fails.
"""

import math
import os
import time

from brian2 import second

from ..analysis import GAMMA_BAND, THETA_BAND, analyse_theta_gamma
from ..analysis.measures import THETA_GAMMA_T_START
from ..backends import check_backend, default_backend
from ..checks import check_quantity
from ..errors import CommandLineError
from ..networks import theta_gamma
from ..plotting import FIGURE_DPI, save_figures, theta_gamma_figures
from ..results import write_json
from .demo_loop import LOOP_SURROGATES, run_loop_act
from .outputs import prepare_out
from .text import print_table

__all__ = ["DEFAULT_DURATION", "cmd_demo", "demo_criteria", "run_flagship"]

T_START = THETA_GAMMA_T_START  # s of onset transient left out of every measure
MIN_DURATION = 2.0  # s: shorter runs leave too few theta cycles for a theta peak
#: s simulated by default: about 45 theta cycles.  In 4 s the modulation index stood
#: 3.0-10x above its surrogates' 95th percentile on seeds 1, 2, 11, 12, 13 (criterion
#: 3x); in 8 s 5.3-18x (cpp_standalone).
DEFAULT_DURATION = 8.0
#: Wall-clock seconds the whole demo may take (compile, both acts, figures).
MAX_WALL_S = 90.0


def run_flagship(
    out_dir="quifer-out",
    backend=None,
    duration=DEFAULT_DURATION * second,
    seed=1,
    progress=True,
    figure_format="png",
    dpi=FIGURE_DPI,
):
    """Run the flagship demo and write its figures and ``summary.json`` to ``out_dir``.

    Parameters
    ----------
    out_dir : str
        Output folder (created).
    backend : str, optional
        Default: cpp_standalone where a C++ compiler works, numpy otherwise.
    duration : brian2.Quantity (second)
        At least 2 s (checked before anything is built); default 8 s.
    seed : int
    progress : bool
        Print the simulation's progress.
    figure_format : {'png', 'svg', 'pdf'}
        Format of the figures.
    dpi : int
        Dots per inch of png figures.

    Returns
    -------
    dict
        The summary written to ``summary.json``; ``criteria`` holds its rows against
        the demo's criteria (:func:`demo_criteria`) and ``passed`` whether all hold.
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
    cache = True if backend == "cpp_standalone" else None  # a rerun skips the compile
    result = theta_gamma().run(duration, backend=backend, seed=seed, progress=progress, cache=cache)
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
        # the one-off C++ compile (the build cache keeps it for every later run)
        compile_wall_s=round(simulated - result.meta.get("run_wall_s", simulated), 2)
        if result.meta.get("build") == "compiled"
        else 0.0,
    )
    # without a theta and a gamma rhythm the figures use the named bands (the rows FAIL)
    drawn = {**measures, "bands": measures["bands"] or (THETA_BAND, GAMMA_BAND)}
    save_figures(theta_gamma_figures(result, drawn, T_START), out_dir, dpi=dpi, fmt=figure_format)
    result.save(os.path.join(out_dir, "result.npz"))
    summary["loop"] = run_loop_act(
        result, measures["theta_hz"], out_dir, seed, T_START, figure_format=figure_format, dpi=dpi
    )
    summary["total_wall_s"] = round(time.perf_counter() - start, 2)
    summary["wall_after_compile_s"] = round(summary["total_wall_s"] - summary["compile_wall_s"], 2)
    summary["criteria"] = demo_criteria(summary)
    summary["passed"] = all(row["passed"] is not False for row in summary["criteria"])
    write_json(summary, os.path.join(out_dir, "summary.json"))
    return summary


def _number(value):
    return value is not None and math.isfinite(value)


def _within(low, high):
    return (lambda v: _number(v) and low <= v <= high), f"{low:g}-{high:g} Hz"


def _at_least(limit):
    return (lambda v: _number(v) and v >= limit), f">= {limit:g}"


def _below(limit, unit=""):
    return (lambda v: _number(v) and v < limit), f"< {limit:g}{unit}"


def _row(measure, value, text, check=None):
    passed = None if check is None else bool(check[0](value))
    return {
        "measure": measure,
        "value": value,
        "text": text,
        "criterion": "" if check is None else check[1],
        "passed": passed,
    }


def _fmt(value, spec=".1f"):
    return "none" if not _number(value) else format(value, spec)


def demo_criteria(summary):
    """The demo's measures against its criteria.

    Parameters
    ----------
    summary : dict
        From :func:`run_flagship` (its ``loop`` entry from
        :func:`~quifer_brian.cli.demo_loop.run_loop_act`).

    Returns
    -------
    list of dict
        One row per measure: ``measure``, ``value``, ``text`` (the value printed),
        ``criterion`` (empty for a measure shown for information) and ``passed``
        (True, False, or None without a criterion).  A missing or nan value fails.

    Examples
    --------
    >>> rows = demo_criteria({"theta_hz": 6.1, "gamma_hz": 26.0, "loop": {}})
    >>> [(row["measure"], row["passed"]) for row in rows[:2]]
    [('theta rhythm of E (Hz)', True), ('gamma rhythm of E (Hz)', False)]
    """
    get, loop = summary.get, summary.get("loop", {})
    rows = [
        _row(
            "theta rhythm of E (Hz)", get("theta_hz"), _fmt(get("theta_hz")), _within(*THETA_BAND)
        ),
        _row(
            "gamma rhythm of E (Hz)", get("gamma_hz"), _fmt(get("gamma_hz")), _within(*GAMMA_BAND)
        ),
        _row(
            "LFP peaks in 4-12 / 30-100 Hz",
            [get("theta_lfp_hz"), get("gamma_lfp_hz")],
            f"{_fmt(get('theta_lfp_hz'))} / {_fmt(get('gamma_lfp_hz'))}",
        ),
        _row("theta-gamma MI", get("mi"), _fmt(get("mi"), ".2e")),
        _row("MI / surrogate 95th pct", get("mi_over_p95"), _fmt(get("mi_over_p95")), _at_least(3)),
        _row(
            "MI p-value (200 surrogates)",
            get("mi_p_value"),
            _fmt(get("mi_p_value"), ".3f"),
            _below(0.05),
        ),
        _row("E-spike gamma PLV", get("gamma_plv"), _fmt(get("gamma_plv"), ".2f"), _at_least(0.5)),
    ]
    for name, rate in (get("rates_hz") or {}).items():
        rows.append(_row(f"rate {name} (Hz)", rate, _fmt(rate)))
    rows += [
        _row(
            "loop: trials within 0.1 of their cued archetype",
            loop.get("success"),
            _fmt(loop.get("success"), ".2f"),
            _at_least(0.95),
        ),
        _row(
            "loop: mean final distance",
            loop.get("final_distance"),
            _fmt(loop.get("final_distance"), ".3f"),
            _below(0.1),
        ),
        _row("loop: median settling (ms)", loop.get("settling_ms"), _fmt(loop.get("settling_ms"))),
        _row("loop: trials (one per theta cycle)", loop.get("trials"), str(loop.get("trials"))),
        _row(
            "loop: theta cycle (ms)", loop.get("theta_cycle_ms"), _fmt(loop.get("theta_cycle_ms"))
        ),
        _row(
            "loop: rhythm fundamental (Hz)",
            loop.get("rhythm_hz"),
            _fmt(loop.get("rhythm_hz")),
            _within(30, 80),
        ),
        _row(
            "loop: 30-80 Hz share of I power / null 95th",
            loop.get("gamma_band_share"),
            f"{_fmt(loop.get('gamma_band_share'), '.2f')} / "
            f"{_fmt(loop.get('gamma_band_null95'), '.2f')}",
        ),
        _row(
            f"loop: its p-value ({LOOP_SURROGATES} Poisson surrogates)",
            loop.get("gamma_band_p"),
            _fmt(loop.get("gamma_band_p"), ".3f"),
            _below(0.05),
        ),
        _row("backend", get("backend"), str(get("backend"))),
        _row("C++ compile (s, once: cached)", get("compile_wall_s"), _fmt(get("compile_wall_s"))),
        _row(
            "wall time after the compile (s)",
            get("wall_after_compile_s"),
            _fmt(get("wall_after_compile_s")),
            _below(MAX_WALL_S, " s"),
        ),
    ]
    return rows


def cmd_demo(args):
    """``quifer-brian demo``: run the flagship, print its criteria; 1 if one fails."""
    prepare_out(args.out, create=False)  # the demo checks its arguments, then creates it
    print(
        "Flagship: theta_gamma() -- theta and gamma emerging from E, PV-like and O-LM-like "
        "cells; spectrum, theta-gamma coupling and gamma locking of E spikes; then that "
        "theta clocks the spiking actualization loop (one noisy cue per theta cycle, read "
        "out at the first trough 300 ms later) settling on the cued archetype."
    )
    summary = run_flagship(
        out_dir=args.out,
        backend=args.backend,
        duration=args.duration * second,
        seed=args.seed,
        progress=True,
        figure_format=args.format,
        dpi=args.dpi,
    )
    marks = {True: "PASS", False: "FAIL", None: ""}
    rows = [("measure", "value", "criterion", "")]
    rows += [
        (row["measure"], row["text"], row["criterion"], marks[row["passed"]])
        for row in summary["criteria"]
    ]
    print_table(rows)
    print(f"figures, summary.json and result.npz written to {args.out}/")
    failed = [row["measure"] for row in summary["criteria"] if row["passed"] is False]
    if failed:
        print(f"FAILED: {len(failed)} criteria ({'; '.join(failed)}).")
        return 1
    print("all criteria hold.")
    return 0
