"""The ``quifer-brian`` command: a thin shell around library functions.

Each subcommand parses its arguments, calls one library function and prints the result.
``main(argv)`` returns the exit status (0 success, 2 bad input) so it can be tested
directly.
"""

import argparse
import sys

from ._version import __version__
from .devices import BACKENDS
from .errors import QuiferError

__all__ = ["main"]


def _cmd_devices(args):
    from .devices import backend_status

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
    import numpy as np
    from brian2 import nA, second

    from .devices import backend_status
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
        "cells; spectrum, theta-gamma coupling and gamma locking of E spikes."
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
    rows.append(("backend", summary["backend"], ""))
    rows.append(("wall time (s)", f"{summary['total_wall_s']:.1f}", "< 90 s"))
    _print_table(rows)
    print(f"figures, summary.json and result.npz written to {args.out}/")
    return 0


def _fmt(value):
    return "none" if value is None else f"{value:.1f}"


def _yes(flag):
    return "yes" if flag else "no"


def _print_table(rows):
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        print("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)))
        if n == 0:
            print("  ".join("-" * width for width in widths))


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
        "--backend", choices=BACKENDS, default=None, help="default: cpp_standalone if it works"
    )
    demo.add_argument("--duration", type=float, default=4.0, help="simulated seconds")
    demo.add_argument("--seed", type=int, default=1)
    demo.set_defaults(func=_cmd_demo)
    fi_curve = commands.add_parser(
        "fi-curve", help="LIF f-I curve on every backend that runs here, against theory"
    )
    fi_curve.add_argument("--quick", action="store_true", help="shorter runs")
    fi_curve.set_defaults(func=_cmd_fi_curve)
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
    except QuiferError as err:
        print(f"quifer-brian {args.command}: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
