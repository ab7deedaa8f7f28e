"""The ``quifer-brian`` command: a thin shell around library functions.

Each subcommand parses its arguments, calls one library function and prints the result.
``main(argv)`` returns the exit status (0 success, 2 bad input) so it can be tested
directly.

``run NETWORK`` builds one of the network builders with ``--param name=value``
overrides (values read by :func:`quifer_brian.units.parse_value`, never
evaluated), runs it and writes ``result.npz`` and ``summary.json``; ``analyze RESULT``
measures a saved result (rates, CV, LFP peaks, spike-LFP locking, theta-gamma
coupling) and draws ``spectrum.png`` and ``raster.png``; ``list`` shows the networks
and models with their parameters, units and defaults.
"""

import argparse
import inspect
import os
import sys
import time

import numpy as np

from ._version import __version__
from .analysis import STANDARD_METRICS, analyse_result, summarise_run
from .backends import list_backends
from .errors import CircuitError, QuiferError
from .results import write_json
from .tasks import (
    NETWORKS,
    build_network,
    format_default,
    network_builder,
    parse_params,
    write_analysis_figures,
)

__all__ = ["main"]


def _cmd_devices(args):
    from .backends import backend_status

    rows = [("backend", "generates", "compiles", "runs", "notes")]
    for status in backend_status():
        rows.append(
            (
                status.name,
                _yes(status.generates),
                _yes(status.compiles) if status.name != "numpy" else "-",
                _yes(status.runs),
                status.note,
            )
        )
    _print_table(rows)
    return 0


def _cmd_fi_curve(args):
    from brian2 import nA, second

    from .backends import backend_status
    from .equations import lif
    from .protocols import simulate_fi_curve
    from .theory import lif_rate

    currents = np.array([0.1, 0.15, 0.25, 0.3, 0.4, 0.6, 1.0]) * nA
    duration = (0.3 if args.quick else 1.0) * second
    params = lif.params
    theory = lif_rate(currents, **{k: params[k] for k in _LIF_THEORY_ARGS})
    backends = [s.name for s in backend_status() if s.runs]
    skipped = [s for s in backend_status() if not s.runs]
    print(
        f"LIF f-I curve ({lif.reference}); rheobase "
        f"{float((params['V_th'] - params['E_L']) / params['R_m'] / nA):.2f} nA; "
        f"{float(duration / second):g} s per point, dt = 0.01 ms"
    )
    columns = {}
    for backend in backends:
        print(f"  running on {backend} ...", flush=True)
        columns[backend] = simulate_fi_curve(currents, duration=duration, backend=backend, seed=1)
    header = ["I (nA)", "theory (Hz)", *(f"{b} (Hz)" for b in backends), "max rel. error"]
    rows = [header]
    worst = 0.0
    for k, current in enumerate(np.asarray(currents / nA)):
        simulated = [columns[b][k] for b in backends]
        if theory[k] > 0:
            error = max(abs(s - theory[k]) / theory[k] for s in simulated)
        else:
            error = max(simulated)  # should be exactly 0 below rheobase
        worst = max(worst, error)
        rows.append(
            (
                f"{current:.2f}",
                f"{theory[k]:.2f}",
                *(f"{s:.2f}" for s in simulated),
                f"{error:.2%}" if theory[k] > 0 else ("0 (silent)" if error == 0 else "FIRES"),
            )
        )
    _print_table(rows)
    for status in skipped:
        print(f"  not run on {status.name}: {status.note}")
    ok = worst < 0.01
    print(
        f"{'OK' if ok else 'FAILED'}: every backend within 1% of theory above rheobase "
        f"and silent below it (worst {worst:.3%})."
    )
    return 0 if ok else 1


_LIF_THEORY_ARGS = ("tau_m", "R_m", "E_L", "V_th", "V_reset", "t_ref")


def _cmd_demo(args):
    from brian2 import second

    from .flagship import run_flagship

    print(
        "Flagship: theta_gamma() -- theta and gamma emerging from E, PV-like and O-LM-like "
        "cells; spectrum, theta-gamma coupling and gamma locking of E spikes; then that "
        "theta clocks the spiking actualization loop (one noisy cue per theta cycle, read "
        "out two cycles later) settling on a target."
    )
    summary = run_flagship(
        out_dir=args.out,
        backend=args.backend,
        duration=args.duration * second,
        seed=args.seed,
        progress=True,
    )
    rows = [("measure", "value", "criterion")]
    rows.append(("theta peak (Hz)", _fmt(summary["theta_hz"]), "4-12 Hz"))
    rows.append(("gamma peak (Hz)", _fmt(summary["gamma_hz"]), "30-100 Hz"))
    rows.append(("theta-gamma MI", f"{summary['mi']:.2e}", ""))
    rows.append(("MI / surrogate 95th pct", f"{summary['mi_over_p95']:.1f}", ">= 3"))
    rows.append(("MI p-value (200 surrogates)", f"{summary['mi_p_value']:.3f}", "< 0.05"))
    rows.append(("E-spike gamma PLV", f"{summary['gamma_plv']:.2f}", ">= 0.5"))
    for name, rate in summary["rates_hz"].items():
        rows.append((f"rate {name} (Hz)", f"{rate:.1f}", ""))
    loop = summary["loop"]
    rows.append(("loop: trials within 0.1 of target", f"{loop['success']:.2f}", ">= 0.95"))
    rows.append(("loop: mean final distance", f"{loop['final_distance']:.3f}", "< 0.1"))
    rows.append(("loop: median settling (ms)", _fmt(loop["settling_ms"]), ""))
    rows.append(("loop: trials (one per theta cycle)", str(loop["trials"]), ""))
    rows.append(("loop: theta cycle (ms)", _fmt(loop["theta_cycle_ms"]), ""))
    rows.append(("loop: rhythm fundamental (Hz)", _fmt(loop["rhythm_hz"]), "30-80 Hz"))
    rows.append(("loop: gamma share of I power", f"{loop['gamma_share']:.2f}", ">= 0.25"))
    rows.append(("backend", summary["backend"], ""))
    rows.append(("wall time (s)", f"{summary['total_wall_s']:.1f}", "< 90 s"))
    _print_table(rows)
    print(f"figures, summary.json and result.npz written to {args.out}/")
    return 0


# --------------------------------------------------------------------------- networks


def _parse_duration(text):
    from brian2 import second

    from .checks import check_positive, check_quantity
    from .units import ParseError, parse_quantity

    try:
        duration = parse_quantity(text)
    except ParseError as err:
        raise CircuitError(f"--duration: {err}") from None
    check_quantity("--duration", duration, second)
    check_positive("--duration", duration)
    return duration


def _cmd_run(args):
    from .backends import check_backend
    from .flagship import _default_backend
    from .units import quantity_to_json

    start = time.perf_counter()
    params = parse_params(args.network, args.param)
    duration = _parse_duration(args.duration)
    backend = check_backend(args.backend) if args.backend else _default_backend()
    out = args.out or os.path.join("quifer-out", args.network)
    circuit = build_network(args.network, params)
    cache = None
    if backend == "cpp_standalone" and not args.no_cache:
        cache = args.cache_dir or True
    how = " from the build cache" if cache else ""
    print(
        f"running {args.network} for {duration} on {backend}{how} (seed {args.seed}) ...",
        flush=True,
    )
    result = circuit.run(duration, backend=backend, seed=args.seed, progress=True, cache=cache)
    summary = summarise_run(result)
    summary["params"] = {k: quantity_to_json(v) for k, v in params.items()}
    os.makedirs(out, exist_ok=True)
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
    rows.append(("backend", summary["backend"]))
    if "build" in result.meta:
        rows.append(("build", f"{result.meta['build']} ({result.meta['build_key']})"))
    rows.append(("seed", str(summary["seed"])))
    rows.append(("simulated (s)", f"{summary['duration_s']:g}"))
    rows.append(("wall time (s)", f"{summary['total_wall_s']:.1f}"))
    _print_table(rows)
    print(f"result.npz and summary.json written to {out}/")
    return 0


# --------------------------------------------------------------------------- sweep
def parse_grid(network, assignments):
    """Read ``['name=v1,v2,...', ...]`` into a sweep grid ``{name: [values]}``."""
    grid = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        if not equals or not text.strip():
            raise CircuitError(
                f"--grid needs name=value1,value2,... (e.g. tau_gaba=5ms,10ms); got {assignment!r}."
            )
        values = [
            parse_params(network, [f"{name.strip()}={piece.strip()}"])[name.strip()]
            for piece in text.split(",")
        ]
        grid[name.strip()] = values
    return grid


def _cmd_sweep(args):
    from .sweeps import sweep

    params = parse_params(args.network, args.param)
    if not args.grid:
        raise CircuitError("--grid: give at least one, e.g. --grid tau_gaba=5ms,10ms,20ms.")
    grid = parse_grid(args.network, args.grid)
    duration = _parse_duration(args.duration)
    if args.workers is not None and args.workers < 1:
        raise CircuitError(f"--workers: must be an integer >= 1; got {args.workers}.")
    client = "sync" if args.serial else args.scheduler
    out = args.out or os.path.join("quifer-out", f"sweep-{args.network}")
    table = sweep(
        args.network,
        grid,
        duration,
        metrics=args.metric or None,
        backend=args.backend,
        client=client,
        cache_dir=args.cache_dir,
        out=out,
        seed=args.seed,
        params=params,
        n_workers=args.workers,
    )
    shown = table.drop(columns=["build", "wall_s"]).to_string(index=False, float_format="%.4g")
    print(shown)
    attrs = table.attrs
    print(
        f"{len(table)} points: {attrs['computed']} run, {attrs['resumed']} read back, "
        f"{attrs['failed']} failed; {attrs['builds']} build(s) for {attrs['structures']} "
        f"structure(s). Table written to {os.path.join(out, 'table.csv')}"
    )
    return 1 if attrs["failed"] else 0


# --------------------------------------------------------------------------- cache
def _cmd_cache(args):
    from .backends import BuildCache

    cache = BuildCache(args.cache_dir)
    if args.action == "clear":
        removed = cache.clear()
        print(f"removed {removed} compiled program(s) from {cache.directory}")
        return 0
    entries = cache.entries()
    print(
        f"build cache {cache.directory}: {len(entries)} program(s), "
        f"{sum(e['bytes'] for e in entries) / 1e6:.1f} MB (bound {cache.max_bytes / 1e9:.1f} GB)"
    )
    rows = [("key", "network", "MB", "last used")]
    for entry in entries:
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry["last_used"]))
        rows.append((entry["key"], entry["circuit"], f"{entry['bytes'] / 1e6:.1f}", used))
    if entries:
        _print_table(rows)
    return 0


# --------------------------------------------------------------------------- analyze


def _cmd_analyze(args):
    from .results import load

    if args.surrogates < 1:
        raise CircuitError(f"--surrogates: must be an integer >= 1; got {args.surrogates}.")
    result = load(args.result)
    out = args.out or os.path.dirname(os.path.abspath(args.result))
    measures = analyse_result(result, n_surrogates=args.surrogates, seed=args.seed)
    os.makedirs(out, exist_ok=True)
    written = write_analysis_figures(result, measures, out)
    record = {k: v for k, v in measures.items() if k != "spectrum"}
    write_json(record, os.path.join(out, "analysis.json"))
    name = result.meta.get("circuit", "result")
    print(f"{name}: {result.duration:g} s on {result.meta.get('backend')}")
    rows = [("measure", "value")]
    for pop, rate in measures["rates_hz"].items():
        cv = measures["cv_isi"][pop]
        rows.append((f"rate {pop} (Hz)", f"{rate:.2f}"))
        rows.append((f"CV ISI {pop}", "n/a (< 3 spikes)" if cv is None else f"{cv:.2f}"))
    if "peaks" in measures:
        rows.append(("aperiodic exponent", f"{measures['aperiodic_exponent']:.2f}"))
        peaks = ", ".join(
            f"{p['frequency_hz']:.1f} Hz ({p['height']:.2f})" for p in measures["peaks"]
        )
        rows.append(("LFP peaks (log10 height)", peaks or "none"))
    if "plv" in measures:
        lo, hi = measures["plv_band"]
        rows.append(
            (
                f"{measures['plv_population']}-spike PLV ({lo:.0f}-{hi:.0f} Hz)",
                f"{measures['plv']:.2f}",
            )
        )
    if "mi" in measures:
        rows.append(
            ("theta / gamma peak (Hz)", f"{measures['theta_hz']:.1f} / {measures['gamma_hz']:.1f}")
        )
        rows.append(("theta-gamma MI", f"{measures['mi']:.2e}"))
        rows.append(
            (
                f"MI p-value ({measures['mi_surrogates']} surrogates)",
                f"{measures['mi_p_value']:.3f}",
            )
        )
    _print_table(rows)
    for note in measures["notes"]:
        print(f"  note: {note}")
    print(f"{', '.join(written)} and analysis.json written to {out}/")
    return 0


# --------------------------------------------------------------------------- list


def _list_network(name):
    builder = network_builder(name)
    summary = (inspect.getdoc(builder) or "").splitlines()[0]
    print(f"{name}: {summary}")
    header = ("parameter", "default", "unit", "bounds", "tunable", "meaning")
    _print_table([header, *builder.table.rows()], indent="  ")


def _list_model(name):
    from .equations import get_model

    model = get_model(name)
    print(f"{model.name} ({model.kind}): {model.description}")
    rows = [("parameter", "default", "unit", "meaning")]
    for parameter in model.parameters:
        shown, unit = format_default(parameter.default)
        rows.append((parameter.name, shown, unit, parameter.meaning))
    _print_table(rows, indent="  ")


def _cmd_list(args):
    from .equations import list_models

    models = list_models()
    if args.name is not None and args.name not in NETWORKS and args.name not in models:
        raise CircuitError(
            f"unknown network or model {args.name!r}; the networks are: {', '.join(NETWORKS)}; "
            f"the models are: {', '.join(models)}."
        )
    if args.name is not None:
        (_list_network if args.name in NETWORKS else _list_model)(args.name)
        return 0
    print("Networks (quifer-brian run NETWORK --param name=value):\n")
    for name in NETWORKS:
        _list_network(name)
        print()
    print("Models (quifer_brian.equations.get_model(name)):\n")
    for kind in _model_kinds():
        for name in list_models(kind):
            _list_model(name)
            print()
    return 0


def _model_kinds():
    from .equations import get_model, list_models

    return sorted({get_model(name).kind for name in list_models()})


def _fmt(value):
    return "none" if value is None else f"{value:.1f}"


def _yes(flag):
    return "yes" if flag else "no"


def _print_table(rows, indent=""):
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print(indent + "  ".join(cells).rstrip())
        if n == 0:
            print(indent + "  ".join("-" * width for width in widths))


def build_parser():
    """The argument parser of ``quifer-brian`` (one subparser per subcommand)."""
    parser = argparse.ArgumentParser(
        prog="quifer-brian",
        description="Equation-driven spiking networks on Brian2.",
    )
    parser.add_argument("--version", action="version", version=f"quifer-brian {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    devices = commands.add_parser("devices", help="what each backend can do on this machine")
    devices.set_defaults(func=_cmd_devices)
    demo = commands.add_parser(
        "demo", help="the flagship: emergent theta-nested gamma, analysed, with figures"
    )
    demo.add_argument("--out", default="quifer-out", help="output folder (default: %(default)s)")
    demo.add_argument(
        "--backend",
        choices=list_backends(),
        default=None,
        help="default: cpp_standalone if it works",
    )
    demo.add_argument("--duration", type=float, default=4.0, help="simulated seconds")
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(func=_cmd_demo)
    fi_curve = commands.add_parser(
        "fi-curve", help="LIF f-I curve on every backend that runs here, against theory"
    )
    fi_curve.add_argument("--quick", action="store_true", help="shorter runs")
    fi_curve.set_defaults(func=_cmd_fi_curve)
    run = commands.add_parser("run", help="run a network and save its result and a summary")
    run.add_argument("network", metavar="NETWORK", help=f"one of: {', '.join(NETWORKS)}")
    run.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="builder parameter, e.g. tau_gaba=5ms, w_ie=0.5*nS, gaba=false, "
        "frequencies=6,12,40 (repeatable; see 'quifer-brian list NETWORK')",
    )
    run.add_argument("--duration", default="1s", help="simulated time (default: %(default)s)")
    run.add_argument(
        "--backend",
        choices=list_backends(),
        default=None,
        help="default: cpp_standalone if it works",
    )
    run.add_argument("--seed", type=int, default=1, help="default: %(default)s")
    run.add_argument("--out", default=None, help="output folder (default: quifer-out/NETWORK)")
    run.add_argument(
        "--no-cache", action="store_true", help="cpp_standalone: compile afresh, keep nothing"
    )
    run.add_argument("--cache-dir", default=None, help="build cache folder (default: ~/.cache)")
    run.set_defaults(func=_cmd_run)
    sweep = commands.add_parser(
        "sweep", help="run a network over a parameter grid (compiled once; on Dask)"
    )
    sweep.add_argument("network", metavar="NETWORK", help=f"one of: {', '.join(NETWORKS)}")
    sweep.add_argument(
        "--grid",
        action="append",
        default=[],
        metavar="NAME=V1,V2,...",
        help="values of one parameter (repeatable: every combination is run)",
    )
    sweep.add_argument(
        "--param", action="append", default=[], metavar="NAME=VALUE", help="fixed parameter"
    )
    sweep.add_argument("--duration", default="1s", help="per point (default: %(default)s)")
    sweep.add_argument(
        "--backend",
        choices=("cpp_standalone", "numpy", "cython"),
        default="cpp_standalone",
        help="default: %(default)s (one compile per structure)",
    )
    sweep.add_argument("--seed", type=int, default=1, help="default: %(default)s")
    sweep.add_argument(
        "--metric",
        action="append",
        default=[],
        choices=tuple(STANDARD_METRICS),
        help="what to measure (repeatable; default: rates and gamma)",
    )
    sweep.add_argument(
        "--scheduler", default=None, metavar="ADDRESS", help="an existing Dask scheduler"
    )
    sweep.add_argument("--workers", type=int, default=None, help="local cluster size")
    sweep.add_argument(
        "--serial", action="store_true", help="no Dask: one point after the other, here"
    )
    sweep.add_argument("--cache-dir", default=None, help="build cache folder")
    sweep.add_argument(
        "--out", default=None, help="points and table (default: quifer-out/sweep-NETWORK)"
    )
    sweep.set_defaults(func=_cmd_sweep)
    cache = commands.add_parser("cache", help="the compiled-program cache: info or clear")
    cache.add_argument("action", choices=("info", "clear"))
    cache.add_argument("--cache-dir", default=None, help="default: ~/.cache/quifer_brian/builds")
    cache.set_defaults(func=_cmd_cache)
    analyze = commands.add_parser(
        "analyze", help="rates, CV, LFP peaks, spike locking and coupling of a saved result"
    )
    analyze.add_argument("result", metavar="RESULT", help="a result.npz")
    analyze.add_argument("--out", default=None, help="figure folder (default: the result's)")
    analyze.add_argument(
        "--surrogates", type=int, default=200, help="for the MI p-value (default: %(default)s)"
    )
    analyze.add_argument("--seed", type=int, default=0, help="of the surrogates")
    analyze.set_defaults(func=_cmd_analyze)
    list_ = commands.add_parser(
        "list", help="networks and models with their parameters, units and defaults"
    )
    list_.add_argument("name", nargs="?", default=None, help="one network or model only")
    list_.set_defaults(func=_cmd_list)
    return parser


def main(argv=None):
    """Run the command line; return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help, --version and bad usage
        return int(exit_.code or 0)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except BrokenPipeError:  # output piped into head & co.
        sys.stdout = open(os.devnull, "w")  # silence the failing flush at exit
        return 0
    except QuiferError as err:
        print(f"quifer-brian {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
