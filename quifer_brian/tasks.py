"""The library functions behind the command line.

Run a network builder by name with parameters read from text, summarise a run, measure
a saved result (rates, CV, LFP peaks, spike-LFP locking, theta-gamma coupling) and
describe the networks' parameters.  :mod:`quifer_brian.cli` is a thin shell over these.
"""

import inspect
import os

import numpy as np

from .errors import CircuitError

__all__ = [
    "NETWORKS",  # noqa: F822 (module __getattr__: read from the registry when asked)
    "analyse_result",
    "build_network",
    "builder_parameters",
    "format_default",
    "network_builder",
    "parameter_meanings",
    "parse_params",
    "summarise_run",
    "write_analysis_figures",
]

THETA_BAND = (4.0, 12.0)  # Hz
GAMMA_BAND = (30.0, 100.0)  # Hz


def __getattr__(name):
    """``NETWORKS``: the registered network names, read from the registry when asked."""
    if name == "NETWORKS":
        from .networks import list_networks

        return list_networks()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def network_builder(name):
    """The network builder registered as ``name``; a CircuitError listing them if none."""
    from .networks import get_network

    return get_network(name)


def builder_parameters(builder):
    """``{name: default}`` of a builder's parameters, in signature order.

    A registered builder's come from its parameter table; any other callable's from its
    signature (its keyword parameters).
    """
    table = getattr(builder, "table", None)
    if table is not None:
        return table.defaults()
    return {
        name: parameter.default
        for name, parameter in inspect.signature(builder).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def parse_params(network, assignments):
    """Read ``['name=value', ...]`` into keyword arguments for the builder ``network``.

    Values are read with :func:`~quifer_brian.quantities.parse_value` (``10ms``,
    ``0.5*nS``, ``true``, ``6,12,40``); an integer given for a number parameter (the
    table's kind ``'number'``) becomes a float and a single value given for a sequence
    parameter a one-element tuple.  The builder itself checks units and ranges.

    Raises
    ------
    CircuitError
        For an unknown network or parameter (listing the valid ones), a missing ``=``
        or a value that cannot be read.
    """
    from .quantities import ParseError, parse_value

    table = network_builder(network).table
    params = {}
    for assignment in assignments or ():
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CircuitError(
                f"{network}: --param needs name=value (e.g. tau_gaba=5ms); got {assignment!r}."
            )
        if name not in table.names:
            raise CircuitError(
                f"{network}.{name}: unknown parameter; the parameters of {network} are: "
                f"{', '.join(table.names)}."
            )
        try:
            value = parse_value(text)
        except ParseError as err:
            raise CircuitError(f"{network}.{name}: {err}") from None
        param = table[name]
        if param.unit == "number" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(param.default, (tuple, list)) and not isinstance(
            value, (tuple, str, type(None))
        ):
            value = (value,)
        params[name] = value
    return params


def build_network(network, params):
    """Call the builder ``network`` with ``params``; unknown keywords as a CircuitError."""
    builder = network_builder(network)
    names = builder.table.names
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise CircuitError(
            f"{network}: unknown parameter(s) {', '.join(unknown)}; its parameters are: "
            f"{', '.join(names)}."
        )
    return builder(**params)


def _analysis_start(result):
    """Seconds of onset transient left out of the LFP measures (0.2 s, less if short)."""
    return min(0.2, result.duration / 4)


def _lfp_spectrum(result):
    """Spectrum of the LFP after the onset transient, and its fitted peaks.

    Returns
    -------
    freqs, power : 1-D arrays (Hz, A^2/Hz)
    fit : PeakFit or str
        The peaks above the aperiodic background, or why they could not be fitted
        (a run too short for enough frequency bins, ...).
    """
    from .analysis import compute_spectrum, find_peaks
    from .errors import AnalysisError

    sig = np.asarray(result.lfp, dtype=float)[int(_analysis_start(result) * result.fs) :]
    freqs, power = compute_spectrum(sig, result.fs)
    try:
        fit = find_peaks(freqs, power, f_range=(2.0, min(100.0, 0.45 * result.fs)))
    except AnalysisError as err:
        fit = f"no spectral peaks measured: {err}"
    return freqs, power, fit


def _peaks_json(fit):
    return [
        {"frequency_hz": float(f), "height": float(h), "width_hz": float(w)}
        for f, h, w in np.asarray(fit.peaks).reshape(-1, 3)
    ]


def _strongest(fit, band=None):
    rows = np.asarray(fit.peaks).reshape(-1, 3)
    if band is not None:
        rows = rows[(rows[:, 0] >= band[0]) & (rows[:, 0] <= band[1])]
    if rows.size == 0:
        return None
    return rows[np.argmax(rows[:, 1])]


def _round(value, digits=3):
    return None if value is None else round(float(value), digits)


def summarise_run(result):
    """The summary of a run: rates per population, LFP peaks, backend, seed, wall time."""

    summary = {
        "network": result.meta.get("circuit"),
        "backend": result.meta.get("backend"),
        "seed": result.meta.get("seed"),
        "duration_s": result.duration,
        "simulation_wall_s": _round(result.meta.get("wall_time_s")),
        "rates_hz": {name: float(result.mean_rate(name)) for name in result.populations},
        "lfp_peak_hz": None,
        "lfp_peaks": [],
    }
    if result.lfp is None:
        summary["lfp_note"] = "no LFP in this network"
        return summary
    _, _, fit = _lfp_spectrum(result)
    if isinstance(fit, str):
        summary["lfp_note"] = fit
        return summary
    summary["lfp_peaks"] = _peaks_json(fit)
    strongest = _strongest(fit)
    if strongest is not None:
        summary["lfp_peak_hz"] = float(strongest[0])
        summary["lfp_peak_height"] = float(strongest[1])
    return summary


def analyse_result(result, n_surrogates=200, seed=0):
    """Measure a saved result: rates, CV, LFP peaks, spike locking and coupling.

    Parameters
    ----------
    result : Result
    n_surrogates : int
        Time-shift surrogates for the theta-gamma modulation index's p-value.
    seed : int
        Seed of the surrogate shifts.

    Returns
    -------
    dict
        ``rates_hz`` and ``cv_isi`` (mean over neurons with >= 3 spikes, None if none)
        per population; with an LFP: ``aperiodic_exponent``, ``peaks`` (above the
        aperiodic fit), ``strongest_peak_hz``, ``plv`` of the spikes of ``plv_population``
        to ``plv_band`` around the strongest peak, and when both a theta (4-12 Hz) and a
        gamma (30-100 Hz) peak exist ``theta_hz``, ``gamma_hz``, ``mi``, ``mi_p_value``.
        ``spectrum`` holds ``(freqs, power, PeakFit)`` for plotting (not JSON).
    """
    from .analysis import compute_cv_isi, compute_mi_surrogates, compute_plv, spike_phases
    from .errors import AnalysisError

    measures = {"rates_hz": {}, "cv_isi": {}, "notes": []}
    for name in result.populations:
        measures["rates_hz"][name] = float(result.mean_rate(name))
        try:
            cv = np.asarray(compute_cv_isi(result.spikes[name], n_neurons=result.sizes[name]))
        except AnalysisError:  # no neuron with 3 spikes
            cv = np.array([np.nan])
        measures["cv_isi"][name] = float(np.nanmean(cv)) if np.isfinite(cv).any() else None
    if result.lfp is None:
        measures["notes"].append("no LFP: no spectrum, locking or coupling")
        return measures
    freqs, power, fit = _lfp_spectrum(result)
    measures["spectrum"] = (freqs, power, None if isinstance(fit, str) else fit)
    if isinstance(fit, str):
        measures["notes"].append(fit)
        return measures
    measures["aperiodic_exponent"] = float(fit.exponent)
    measures["peaks"] = _peaks_json(fit)
    strongest = _strongest(fit)
    if strongest is None:
        measures["notes"].append("no peak above the aperiodic background")
        return measures
    fs = result.fs
    t0 = _analysis_start(result)
    sig = np.asarray(result.lfp, dtype=float)[int(t0 * fs) :]
    f_peak = float(strongest[0])
    measures["strongest_peak_hz"] = f_peak
    half = max(2.0, 0.2 * f_peak)
    band = (max(0.5, f_peak - half), min(0.45 * fs, f_peak + half))
    population = "E" if "E" in result.populations else result.populations[0]
    times, _ = result.spikes[population]
    margin = min(0.05, result.duration / 10)
    times = times[(times > t0 + margin) & (times < result.duration - margin)] - t0
    if times.size:
        plv, preferred = compute_plv(spike_phases(times, sig, fs, band))
        measures.update(
            plv=float(plv),
            plv_preferred_phase=float(preferred),
            plv_population=population,
            plv_band=list(band),
        )
    else:
        measures["notes"].append(f"no {population} spikes to lock to the LFP")
    theta = _strongest(fit, THETA_BAND)
    gamma = _strongest(fit, GAMMA_BAND)
    if theta is None or gamma is None:
        measures["notes"].append("no theta and gamma peak pair: no theta-gamma coupling")
        return measures
    f_theta, f_gamma = float(theta[0]), float(gamma[0])
    test = compute_mi_surrogates(
        sig,
        fs,
        (f_theta - 2.0, f_theta + 2.0),
        (f_gamma - 15.0, min(0.45 * fs, f_gamma + 15.0)),
        n_surrogates=n_surrogates,
        min_shift=min(1.0, len(sig) / fs / 4),
        seed=seed,
    )
    measures.update(
        theta_hz=f_theta,
        gamma_hz=f_gamma,
        mi=float(test.mi),
        mi_p_value=float(test.p_value),
        mi_surrogates=n_surrogates,
    )
    return measures


def write_analysis_figures(result, measures, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import plot_raster, plot_spectrum

    written = []
    if "spectrum" in measures:
        freqs, power, fit = measures["spectrum"]
        figure, axis = plt.subplots(figsize=(6, 4))
        plot_spectrum(freqs, power, peaks=fit, ax=axis)
        axis.set_title("LFP proxy")
        figure.savefig(os.path.join(out, "spectrum.png"), dpi=100)
        plt.close(figure)
        written.append("spectrum.png")
    names = result.populations
    figure, axes = plt.subplots(len(names), 1, figsize=(8, 1.5 + 1.5 * len(names)), sharex=True)
    axes = np.atleast_1d(axes)
    window = (0.0, min(result.duration, 1.0))
    for axis, name in zip(axes, names, strict=True):
        times, indices = result.spikes[name]
        keep = (times >= window[0]) & (times < window[1])
        plot_raster((times[keep], indices[keep]), ax=axis)
        axis.set_ylabel(f"{name} neuron")
        axis.set_xlim(window)
        axis.set_ylim(-0.5, result.sizes[name] - 0.5)
        if axis is not axes[-1]:
            axis.set_xlabel("")
    figure.tight_layout()
    figure.savefig(os.path.join(out, "raster.png"), dpi=100)
    plt.close(figure)
    written.append("raster.png")
    return written


def format_default(value):
    """``(shown, unit)`` of a default value for the ``list`` tables (``('10. ms', 'second')``)."""
    from .networks.params import format_value

    return format_value(value)


def parameter_meanings(builder):
    """``{name: meaning}``: the one-line meaning of each parameter, from the builder's table."""
    return {param.name: param.meaning for param in builder.table}
