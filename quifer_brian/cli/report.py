"""What ``quifer-brian run`` prints and writes after a run, shared by its two paths.

The fast path (:mod:`.fast`, a cached program run without Brian2) and the full one
(:func:`.commands.cmd_run`) end here, so both save the same files and print the same
table.  The analysis (spectra: scipy) is imported only once the run is done.
"""

import os
import time
from typing import TYPE_CHECKING, Any

from ..results.files import write_json
from .args import print_table
from .outputs import print_error

if TYPE_CHECKING:
    from ..results import Result

__all__ = ["SUMMARY_IMPORTS", "report_run", "save_interrupted"]

#: What :func:`report_run` imports: the analysis package (scipy) and specparam, which
#: :func:`~quifer_brian.analysis.compute_spectral_peaks` imports on its first fit (with
#: matplotlib: about 0.5 s).  A cached run imports them while its program runs
#: (:func:`quifer_brian.rerun.run_plan`), not after it.
SUMMARY_IMPORTS = ("quifer_brian.analysis", "specparam")


def report_run(
    result: "Result",
    params_json: dict[str, Any],
    out: str,
    start: float,
    loop: dict[str, Any] | None = None,
) -> int:
    """Summarise ``result``, save ``result.npz`` and ``summary.json`` in ``out``, print the
    table; return the exit status (0).

    ``start`` is the ``time.perf_counter()`` of the command's start (the summary's
    ``total_wall_s``); ``loop`` the actualization batch's summary, if any.
    """
    from ..analysis import summarise_run  # scipy: after the run, never before it

    summary = summarise_run(result)
    summary["params"] = params_json
    summary["versions"] = result.meta.get("versions", {})  # what made these numbers
    if loop is not None:  # where the trials settled: target, cued, any
        summary["loop"] = loop
    result.save(os.path.join(out, "result.npz"))
    summary["total_wall_s"] = round(time.perf_counter() - start, 2)
    write_json(summary, os.path.join(out, "summary.json"))
    rows = [("measure", "value")]
    for name, rate in summary["rates_hz"].items():
        rows.append((f"rate {name} (Hz)", f"{rate:.2f}"))
    if summary["lfp_peak_hz"] is not None:
        rows.append(("LFP peak (Hz)", f"{summary['lfp_peak_hz']:.1f}"))
    else:
        rows.append(("LFP peak (Hz)", summary.get("lfp_note", "none above the background")))
    rows.extend(_loop_rows(summary.get("loop")))
    rows.append(("backend", summary["backend"]))
    if "build" in result.meta:
        rows.append(("build", f"{result.meta['build']} ({result.meta['build_key']})"))
    rows.append(("seed", str(summary["seed"])))
    rows.append(("simulated (s)", f"{summary['duration_s']:g}"))
    rows.append(("wall time (s)", f"{summary['total_wall_s']:.1f}"))
    print_table(rows)
    print(f"result.npz and summary.json written to {out}/")
    return 0


def _loop_rows(loop):
    """The actualization batch's settling fractions as rows (none for other circuits)."""
    if loop is None:
        return []
    within = f"within {loop['threshold']:g} of"
    rows = [(f"trials {within} the {loop['goal']} (success)", f"{loop['success']:.2f}")]
    if loop["reached_target"] is not None:
        rows.append((f"trials {within} the cued archetype", f"{loop['reached_cued']:.2f}"))
    rows.append((f"trials {within} any archetype", f"{loop['reached_nearest']:.2f}"))
    rows.append(("silent trials", f"{loop['silent']:.2f}"))
    return rows


def save_interrupted(result: "Result | None", out: str, params_json: dict[str, Any]) -> int:
    """Ctrl-C during ``run``: save the partial result, marked incomplete, if there is one."""
    if result is None:
        print_error(f"run: interrupted (Ctrl-C) before the end; nothing saved in {out}/")
        return 130
    meta = result.meta
    result.save(os.path.join(out, "result.npz"))
    summary = {
        "complete": False,
        "requested_duration_s": meta["requested_duration_s"],
        "simulated_duration_s": meta["simulated_duration_s"],
        "backend": meta.get("backend"),
        "seed": meta.get("seed"),
        "params": params_json,
    }
    write_json(summary, os.path.join(out, "summary.json"))
    print_error(
        f"run: interrupted (Ctrl-C) at {meta['simulated_duration_s']:g} s of "
        f"{meta['requested_duration_s']:g} s; the partial result, marked incomplete, is in "
        f"{out}/result.npz"
    )
    return 130
