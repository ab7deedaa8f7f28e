"""The subcommands of ``quifer-brian``: one short function each, ``(args) -> exit status``.

Each parses its arguments (:mod:`.text`), calls one library function and prints the
result; :mod:`.main` wires them into the parser.
"""

import inspect
import os
import time

import numpy as np
from brian2 import Quantity, nA, second

from ..analysis import analyse_result
from ..backends import (
    BuildCache,
    backend_status,
    check_backend,
    default_backend,
    default_cache_dir,
)
from ..equations import get_model, lif, list_models
from ..errors import CommandLineError, QuiferError, RunInterrupted, did_you_mean
from ..networks import build_network, get_network, list_networks
from ..networks.actualization.batch import summarise_batch
from ..plotting import analysis_figures, save_figures
from ..progress import is_quiet
from ..protocols import simulate_fi_curve
from ..rerun import record_run
from ..results import load, write_json
from ..sweeps import sweep
from ..theory import lif_rate
from ..units import quantity_to_json
from .demo import cmd_demo  # the demo and its criteria live with it
from .outputs import prepare_out, print_error
from .report import report_run, save_interrupted
from .text import (
    display_value,
    parse_duration,
    parse_grid,
    parse_params,
    plain_text,
    print_table,
)

__all__ = [
    "cmd_analyze",
    "cmd_cache",
    "cmd_demo",
    "cmd_devices",
    "cmd_fi_curve",
    "cmd_list",
    "cmd_run",
    "cmd_sweep",
]


def cmd_devices(args):
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
    print_table(rows)
    return 0


def cmd_fi_curve(args):
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
    print_table(rows)
    for status in skipped:
        print(f"  not run on {status.name}: {status.note}")
    ok = worst < 0.01
    print(
        f"{'OK' if ok else 'FAILED'}: every backend within 1% of theory above rheobase "
        f"and silent below it (worst {worst:.3%})."
    )
    return 0 if ok else 1


_LIF_THEORY_ARGS = ("tau_m", "R_m", "E_L", "V_th", "V_reset", "t_ref")


# --------------------------------------------------------------------------- networks


def cmd_run(args):
    start = time.perf_counter()
    params = parse_params(args.network, args.param)
    duration = parse_duration(args.duration)
    backend = check_backend(args.backend) if args.backend else default_backend()
    out = args.out or os.path.join("quifer-out", args.network)
    circuit = build_network(args.network, params)
    prepare_out(out)  # an unwritable folder is found before the simulation, not after
    cache = None
    if backend == "cpp_standalone" and not args.no_cache:
        cache = BuildCache(prepare_out(args.cache_dir, "--cache-dir") if args.cache_dir else None)
    print(
        f"running {args.network} for {duration} on {backend} (seed {args.seed})"
        f"{_cache_note(cache, circuit, duration)} ...",
        flush=True,
    )
    params_json = {k: quantity_to_json(v) for k, v in params.items()}
    try:
        result = circuit.run(
            duration, backend=backend, seed=args.seed, progress=not is_quiet(), cache=cache
        )
    except RunInterrupted as interrupt:
        return save_interrupted(interrupt.result, out, params_json)
    if cache is not None and circuit.name != "actualization":  # the next run's fast path
        record_run(
            circuit, _texts(args.param), params, duration, args.backend, cache.directory, result
        )
    loop = summarise_batch(circuit, result) if circuit.name == "actualization" else None
    return report_run(result, params_json, out, start, loop)


def _texts(assignments):
    """``{name: text}`` of ``--param name=text`` (the last one given wins)."""
    texts = {}
    for assignment in assignments:
        name, _, text = assignment.partition("=")
        texts.pop(name.strip(), None)
        texts[name.strip()] = text.strip()
    return texts


def _cache_note(cache, circuit, duration):
    """What the build cache will do for this run, found before it starts."""
    if cache is None:
        return ""
    key, program = cache.find(circuit, float(duration / second))
    if program is not None:
        return f" with the cached build {key}: no compile"
    return (
        f": compiling it first (a minute or two), then kept as build {key} in "
        f"{cache.directory} so later runs of this structure skip the compile"
    )


# --------------------------------------------------------------------------- sweep
def cmd_sweep(args):
    params = parse_params(args.network, args.param)
    if not args.grid:
        raise CommandLineError("--grid: give at least one, e.g. --grid tau_gaba=5ms,10ms,20ms.")
    grid = parse_grid(args.network, args.grid)
    duration = parse_duration(args.duration)
    client = "sync" if args.serial else args.scheduler
    out = args.out or os.path.join("quifer-out", f"sweep-{args.network}")
    try:
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
    except KeyboardInterrupt:
        print_error(
            f"sweep: interrupted (Ctrl-C); the finished points are kept in {out}/points "
            f"(an interrupted one is not); run the same command again to resume"
        )
        return 130
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
def cmd_cache(args):
    if args.cache_dir and os.path.exists(args.cache_dir) and not os.path.isdir(args.cache_dir):
        raise CommandLineError(
            f"--cache-dir: {args.cache_dir!r} is a file, not a folder; give the build "
            f"cache's folder (default {default_cache_dir()})."
        )
    cache = BuildCache(args.cache_dir)
    if args.action == "clear":
        removed = cache.clear()
        print(f"removed {removed} compiled program(s) from {cache.directory}")
        return 0
    entries = cache.entries()
    print(
        f"build cache {cache.directory}: {len(entries)} program(s), "
        f"{cache.size_bytes() / 1e6:.1f} MB (bound {cache.max_bytes / 1e9:.1f} GB)"
    )
    rows = [("key", "network", "MB", "last used")]
    for entry in entries:
        used = time.strftime("%Y-%m-%d %H:%M", time.localtime(entry["last_used"]))
        rows.append((entry["key"], entry["circuit"], f"{entry['bytes'] / 1e6:.1f}", used))
    if entries:
        print_table(rows)
    return 0


# --------------------------------------------------------------------------- analyze


def cmd_analyze(args):
    result = _load_result(args.result)
    out = prepare_out(args.out or os.path.dirname(os.path.abspath(args.result)))
    measures = analyse_result(result, n_surrogates=args.surrogates, seed=args.seed)
    figures = analysis_figures(result, measures)
    written = save_figures(figures, out, dpi=args.dpi, fmt=args.format)
    record = {k: v for k, v in measures.items() if k != "spectrum"}
    complete = result.meta.get("complete", True) is not False  # absent: saved complete
    record["complete"] = complete
    write_json(record, os.path.join(out, "analysis.json"))
    name = result.meta.get("circuit", "result")
    print(f"{name}: {result.duration:g} s on {result.meta.get('backend')}")
    if not complete:
        requested = result.meta.get("requested_duration_s")
        print(
            f"  INCOMPLETE: the run was interrupted after {result.duration:g} s of "
            f"{requested if requested is not None else '?'} s; the measures cover that part"
        )
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
    print_table(rows)
    for note in measures["notes"]:
        print(f"  note: {note}")
    print(f"{', '.join(written)} and analysis.json written to {out}/")
    return 0


# --------------------------------------------------------------------------- list


def _load_result(path):
    """:func:`load`, with any other failure to read the file as a CommandLineError.

    Reading a file is all ``load`` does: whatever else it raises (a bad zip archive, a
    hand-edited record missing a field) says the file is not a valid result.
    """
    try:
        return load(path)
    except (QuiferError, OSError):
        raise
    except Exception as err:
        raise CommandLineError(
            f"RESULT: {path!r} is not a valid result file ({type(err).__name__}: {err}); "
            f"give a result.npz written by 'quifer-brian run' or Result.save."
        ) from None


def _list_network(name):
    builder = get_network(name)
    summary = (inspect.getdoc(builder) or "").splitlines()[0]
    print(f"{name}: {plain_text(summary)}")
    header = ("parameter", "default", "unit", "bounds", "tunable", "meaning")
    rows = []
    for param, (shown_name, shown, unit, bounds, tunable, meaning) in zip(
        builder.table, builder.table.rows(), strict=True
    ):
        if isinstance(param.default, Quantity) and not param.shown_unit:
            shown, unit = display_value(param.default)
        elif param.is_quantity and not param.shown_unit:  # a text or None default
            unit = display_value(1.0 * param.unit)[1]
        rows.append((shown_name, shown, unit, bounds, tunable, plain_text(meaning)))
    print_table([header, *rows], indent="  ")


def _list_model(name):
    model = get_model(name)
    print(f"{model.name} ({model.kind}): {plain_text(model.description)}")
    rows = [("parameter", "default", "unit", "meaning")]
    for parameter in model.parameters:
        shown, unit = display_value(parameter.default)
        rows.append((parameter.name, shown, unit, plain_text(parameter.meaning)))
    print_table(rows, indent="  ")


def cmd_list(args):
    models, networks = list_models(), list_networks()
    if args.name is not None and args.name not in networks and args.name not in models:
        raise CommandLineError(
            f"unknown network or model {args.name!r}; "
            f"{did_you_mean(args.name, [*networks, *models])}the networks are: "
            f"{', '.join(networks)}; "
            f"the models are: {', '.join(models)}."
        )
    if args.name is not None:
        (_list_network if args.name in networks else _list_model)(args.name)
        return 0
    print("Networks (quifer-brian run NETWORK --param name=value):\n")
    for name in networks:
        _list_network(name)
        print()
    print("Models (quifer_brian.equations.get_model(name)):\n")
    for kind in _model_kinds():
        for name in list_models(kind):
            _list_model(name)
            print()
    return 0


def _model_kinds():
    return sorted({get_model(name).kind for name in list_models()})


def _fmt(value):
    return "none" if value is None else f"{value:.1f}"


def _yes(flag):
    return "yes" if flag else "no"
