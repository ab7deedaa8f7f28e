"""Composite measures of a run: several analysis steps applied to a result.

Each function takes a result (``.spikes``, ``.sizes``, ``.lfp``, ``.fs``, ``.duration``,
``.populations``, ``.mean_rate``, ``.meta``; see :class:`quifer_brian.results.Result`)
or spike arrays, and returns a dict of numbers (seconds, Hz):

- :func:`gamma_measures`: gamma peak, prominence and spike locking of a PING / ING run;
- :func:`state_signatures`: the signatures of Brunel's (2000) four states;
- :func:`analyse_theta_gamma`: theta, gamma, their coupling and the gamma locking of E;
- :func:`summarise_run` and :func:`analyse_result`: the command line's summary and
  analysis of any run.

The theta-gamma recipe (:func:`theta_gamma_bands`, :func:`compute_theta_gamma_coupling`)
is written once here and used by both theta-gamma analyses.
"""

import numpy as np

from ..errors import AnalysisError
from ._inputs import check_result
from .bands import (
    GAMMA_BACKGROUND_BAND,
    GAMMA_BAND,
    GAMMA_SEARCH_BAND,
    LFP_FIT_RANGE,
    RATE_RHYTHM_BAND,
    SHOT_NOISE_BAND,
    THETA_BAND,
)
from .coupling import compute_mi_surrogates
from .locking import compute_plv
from .peaks import compute_spectral_peaks
from .phase import spike_phases
from .rhythm import compute_rate_autocorrelation, compute_rhythm_frequency
from .spectral import compute_spectrum
from .spikes import compute_cv_isi, compute_fano_factor, compute_population_rate, compute_rates
from .synchrony import compute_chi

__all__ = [
    "GAMMA_T_START",
    "MIN_PEAK_HEIGHT",
    "SIGNATURE_BIN",
    "SIGNATURE_N_CHI",
    "THETA_GAMMA_T_START",
    "analyse_result",
    "analyse_theta_gamma",
    "compute_lfp_spectrum",
    "compute_rate_rhythms",
    "compute_theta_gamma_coupling",
    "gamma_measures",
    "state_signatures",
    "summarise_run",
    "theta_gamma_bands",
]

#: s of onset transient left out by :func:`gamma_measures`.
GAMMA_T_START = 0.1
#: Population-rate bin (s) of :func:`state_signatures`.
SIGNATURE_BIN = 0.5e-3
#: Cells (the first ones) whose synchrony chi :func:`state_signatures` measures.
SIGNATURE_N_CHI = 500
#: s of onset transient left out by :func:`analyse_theta_gamma`.
THETA_GAMMA_T_START = 0.2
#: A rhythm's peak counts when it stands this far above the aperiodic fit (log10 power: a
#: factor of 2).
MIN_PEAK_HEIGHT = 0.3
#: Half-widths (Hz) of the theta phase band and the gamma band around their peaks, and
#: the side bands (Hz) added to the gamma band for the amplitude (they hold theta's
#: modulation side bands).
THETA_HALF_WIDTH = 2.0
GAMMA_HALF_WIDTH = 10.0
SIDE_BAND = 5.0
#: Pass bands (Hz) of the E spike rate whose autocorrelation gives theta's and gamma's
#: frequencies (gamma's removes theta's envelope), and the population whose rate it is.
RATE_THETA_PASS_BAND = (2.0, 20.0)
RATE_GAMMA_PASS_BAND = (15.0, 250.0)
RATE_POPULATION = "E"


# ----------------------------------------------------------------- PING / ING gamma
def gamma_measures(result, population="E"):
    """Gamma peak, its prominence and the spike locking of one population of a run.

    Parameters
    ----------
    result : Result
        From ``ping().run(...)`` or ``ing().run(...)`` (needs the LFP proxy).
    population : str
        Whose spikes are locked to the rhythm (``'E'`` for PING, ``'I'`` for ING).

    Returns
    -------
    dict
        ``peak`` (Hz, strongest LFP-proxy frequency in 20-120 Hz; one Welch segment over
        the whole run after 0.1 s, so the resolution is 1/duration), ``ratio`` (peak
        power / median power in 150-250 Hz), ``plv`` (spikes vs the LFP band-passed
        at peak +- 10 Hz), ``phases`` (rad), ``freqs``, ``power`` and ``df`` (Hz).
        When ``population`` fired no spike in the window, ``plv`` is nan, ``phases`` is
        empty and ``plv_note`` says why (the peak and ratio come from the LFP alone).

    Raises
    ------
    AnalysisError
        When the result has no LFP proxy, a flat one, or no population ``population``.
    """
    _check_lfp(result, "gamma_measures")
    times = _population_times(result, population, "gamma_measures")
    fs = result.fs
    sig = result.lfp[int(GAMMA_T_START * fs) :]
    freqs, power = compute_spectrum(sig, fs, method="welch", nperseg=sig.size)
    search = (freqs >= GAMMA_SEARCH_BAND[0]) & (freqs <= GAMMA_SEARCH_BAND[1])
    if not np.any(power[search] > 0):
        raise AnalysisError(
            "gamma_measures.result: the LFP proxy is flat (no synaptic currents: a silent "
            "network?); there is no gamma peak to measure."
        )
    peak = float(freqs[search][np.argmax(power[search])])
    high = (freqs >= GAMMA_BACKGROUND_BAND[0]) & (freqs <= GAMMA_BACKGROUND_BAND[1])
    ratio = float(power[search].max() / np.median(power[high]))
    t_stop = result.duration - 0.02
    times = times[(times > GAMMA_T_START) & (times < t_stop)]
    measured = {"peak": peak, "ratio": ratio, "plv": float("nan"), "phases": np.array([])}
    if times.size:
        phases = spike_phases(times, result.lfp, fs, (peak - 10.0, peak + 10.0))
        measured.update(plv=float(compute_plv(phases)[0]), phases=phases)
    else:
        measured["plv_note"] = _no_spikes(population, GAMMA_T_START, t_stop)
    return {**measured, "freqs": freqs, "power": power, "df": float(freqs[1] - freqs[0])}


def _check_lfp(result, owner):
    """Raise :class:`AnalysisError` when ``result`` has no LFP proxy to measure."""
    if getattr(result, "lfp", None) is None or getattr(result, "fs", None) is None:
        raise AnalysisError(
            f"{owner}.result: has no LFP proxy (its network records none, or it was not "
            f"saved); give the result of a network with an LFP (ping, ing, brunel, "
            f"theta_gamma, ...)."
        )


def _population_times(result, population, owner):
    """The spike times (s) of ``population``; :class:`AnalysisError` naming the known ones."""
    if population not in result.spikes:
        raise AnalysisError(
            f"{owner}.population: {population!r} is not a population of this result; its "
            f"populations are {list(result.spikes)}."
        )
    return np.asarray(result.spikes[population][0], dtype=float)


def _no_spikes(population, t_start, t_stop):
    return f"no spikes: population {population!r} fired none in {t_start:g}-{t_stop:g} s"


# ------------------------------------------------------------------ Brunel's states
def state_signatures(times, indices, n_neurons, t_start, t_stop):
    """The measured signatures that tell Brunel's states apart, for one population.

    Parameters
    ----------
    times : 1-D array (s)
    indices : 1-D array of int
        Spikes of the population (e.g. ``result.spikes['E']``).
    n_neurons : int
    t_start, t_stop : float (s)
        Analysis window (leave the onset transient out).

    Returns
    -------
    dict
        ``rate`` (Hz, mean over cells), ``cv`` (mean CV of the ISIs), ``fano`` (mean
        Fano factor in 50 ms windows), ``chi`` (Golomb's chi, 1 ms bins, first 500
        cells), ``peak`` (Hz, strongest frequency 5-600 Hz of the population rate in
        0.5 ms bins), ``ratio`` (its power over the median 700-1000 Hz shot-noise
        floor), ``freqs`` and ``power`` (the population-rate spectrum).

    Raises
    ------
    AnalysisError
        When the population fired no spike in the window.

    Notes
    -----
    SR: CV near 0.  SI fast: peak >= 100 Hz far above the floor, CV near 1.  SI slow:
    peak < 60 Hz at low rates.  AI: no strong peak, CV near 1 (Brunel 2000, fig. 8).
    """
    times = np.asarray(times, dtype=float)
    indices = np.asarray(indices)
    keep = (times >= t_start) & (times < t_stop)
    spikes = (times[keep], indices[keep])
    if not keep.any():
        raise AnalysisError(
            f"state_signatures.times: the population (n_neurons={n_neurons}) fired no "
            f"spikes in {t_start:g}-{t_stop:g} s: a silent population has a rate of 0 and "
            f"no CV, Fano factor, chi or rhythm. Check the drive, or the window."
        )
    rate = float(np.mean(compute_rates(spikes, t_start, t_stop, n_neurons)))
    cv = float(np.nanmean(compute_cv_isi(spikes, n_neurons=n_neurons)))
    fano = float(np.nanmean(compute_fano_factor(spikes, 0.05, t_start, t_stop, n_neurons)))
    few = spikes[1] < SIGNATURE_N_CHI
    chi = compute_chi(
        (spikes[0][few], spikes[1][few]),
        1e-3,
        None,
        t_start,
        t_stop,
        n_neurons=min(SIGNATURE_N_CHI, n_neurons),
    )
    _, pop_rate = compute_population_rate(
        spikes, SIGNATURE_BIN, t_start=t_start, t_stop=t_stop, n_neurons=n_neurons
    )
    freqs, power = compute_spectrum(pop_rate, 1 / SIGNATURE_BIN, nperseg=round(0.2 / SIGNATURE_BIN))
    search = (freqs >= RATE_RHYTHM_BAND[0]) & (freqs <= RATE_RHYTHM_BAND[1])
    peak = int(np.argmax(power[search]))
    band = (freqs >= SHOT_NOISE_BAND[0]) & (freqs <= SHOT_NOISE_BAND[1])
    return {
        "rate": rate,
        "cv": cv,
        "fano": fano,
        "chi": float(chi),
        "peak": float(freqs[search][peak]),
        "ratio": float(power[search][peak] / np.median(power[band])),
        "freqs": freqs,
        "power": power,
    }


# ------------------------------------------------------- the theta-gamma recipe
def theta_gamma_bands(theta_hz, gamma_hz):
    """The theta phase band and the gamma band around measured peaks (Hz).

    Returns
    -------
    ((float, float), (float, float))
        ``(theta_hz - 2, theta_hz + 2)`` and ``(gamma_hz - 10, gamma_hz + 10)``.

    Examples
    --------
    >>> theta_gamma_bands(8.0, 40.0)
    ((6.0, 10.0), (30.0, 50.0))
    """
    return (
        (theta_hz - THETA_HALF_WIDTH, theta_hz + THETA_HALF_WIDTH),
        (gamma_hz - GAMMA_HALF_WIDTH, gamma_hz + GAMMA_HALF_WIDTH),
    )


def compute_theta_gamma_coupling(
    sig, fs, phase_band, gamma_band, n_surrogates=200, min_shift=None, seed=0
):
    """Theta-gamma modulation index (Tort 2010) of a signal, against surrogates.

    Parameters
    ----------
    sig : 1-D array
        The LFP (proxy), onset transient already left out.
    fs : float (Hz)
    phase_band, gamma_band : (float, float) (Hz)
        Theta phase band and gamma band (:func:`theta_gamma_bands`).  The amplitude is
        taken in the gamma band widened by 5 Hz on both sides (it holds the side bands
        of the theta modulation), capped at 0.45 ``fs``.
    n_surrogates : int
        Time-shift surrogates for the p-value.
    min_shift : float (s), optional
        Smallest surrogate shift; default 1 s, or a quarter of the signal if shorter
        than 4 s.
    seed : int
        Seed of the surrogate shifts.

    Returns
    -------
    MISurrogateResult
        See :func:`~quifer_brian.analysis.compute_mi_surrogates`.
    """
    if min_shift is None:
        min_shift = min(1.0, len(sig) / fs / 4)
    amp_band = (gamma_band[0] - SIDE_BAND, min(0.45 * fs, gamma_band[1] + SIDE_BAND))
    return compute_mi_surrogates(
        sig,
        fs,
        phase_band,
        amp_band,
        n_surrogates=n_surrogates,
        min_shift=min_shift,
        seed=seed,
    )


def _peak_or_nan(fit, band):
    """(frequency, height) of the strongest peak in ``band``, or (nan, 0)."""
    peak = fit.strongest(band)
    return (float("nan"), 0.0) if peak is None else (peak.frequency, peak.height)


def compute_rate_rhythms(result, t_start, population=RATE_POPULATION):
    """Theta's and gamma's frequencies from the autocorrelation of a population's spike rate.

    The LFP proxy cannot tell a rhythm's fundamental from its harmonics: sharp gamma
    volleys put power at twice gamma's frequency, and gamma bursts repeating at theta
    make the spectrum a comb at theta's harmonics, so when gamma slows below 30 Hz the
    strongest LFP peak in 30-100 Hz is a harmonic; and the LFP's theta peak that stands
    highest above the aperiodic fit can be a faster, weaker one than the rhythm of the
    E bursts.  The spike rate's autocorrelation peaks at each rhythm's *period*.

    Parameters
    ----------
    result : Result
    t_start : float (s)
        Onset transient left out.
    population : str

    Returns
    -------
    dict
        ``theta_hz``, ``theta_rhythmicity``: the highest side peak of the rate's
        autocorrelation (1 ms bins, band-passed to 2-20 Hz) at a period of 1/12 to 1/4 s
        (:data:`~quifer_brian.analysis.THETA_BAND`); ``gamma_hz``,
        ``gamma_rhythmicity``: the same for the rate band-passed to 15-250 Hz, periods
        1/120 to 1/20 s (:data:`~quifer_brian.analysis.GAMMA_SEARCH_BAND`, which
        reaches below the 30 Hz gamma floor on purpose: a slow gamma is reported as it
        is).  A frequency is nan (rhythmicity 0) when no side peak reaches
        :data:`~quifer_brian.analysis.rhythm.MIN_RHYTHMICITY`.
    """
    measured = {}
    times, _ = result.spikes[population]
    for name, pass_band, band in (
        ("theta", RATE_THETA_PASS_BAND, THETA_BAND),
        ("gamma", RATE_GAMMA_PASS_BAND, GAMMA_SEARCH_BAND),
    ):
        frequency, rhythmicity = float("nan"), 0.0
        if np.count_nonzero(times >= t_start) >= 2:
            lags, acf = compute_rate_autocorrelation(
                result.spikes[population],
                t_start,
                result.duration,
                pass_band,
                n_neurons=result.sizes[population],
            )
            frequency, rhythmicity = compute_rhythm_frequency(lags, acf, band)
        measured[f"{name}_hz"], measured[f"{name}_rhythmicity"] = frequency, rhythmicity
    return measured


def _height_near(fit, frequency, half_width):
    """Height of the strongest fitted peak within +-``half_width`` of ``frequency``."""
    if not np.isfinite(frequency):
        return 0.0
    peak = fit.strongest((frequency - half_width, frequency + half_width))
    return 0.0 if peak is None else peak.height


def _theta_gamma_coupling(result, sig, t_start, bands, n_surrogates, min_shift, seed):
    """Gamma locking of E spikes and theta-gamma coupling of ``sig`` in ``bands``."""
    fs = result.fs
    phase_band, gamma_band = bands
    times, _ = result.spikes["E"]
    times = times[(times > t_start + 0.05) & (times < result.duration - 0.05)] - t_start
    plv = compute_plv(spike_phases(times, sig, fs, gamma_band))[0] if times.size else np.nan
    test = compute_theta_gamma_coupling(
        sig, fs, phase_band, gamma_band, n_surrogates=n_surrogates, min_shift=min_shift, seed=seed
    )
    return {
        "gamma_plv": float(plv),
        "mi": float(test.mi),
        "mi_p_value": float(test.p_value),
        "mi_over_p95": float(test.mi / np.percentile(test.surrogates, 95)),
    }


def analyse_theta_gamma(result, bands=None, n_surrogates=200, min_shift=None, seed=0):
    """Measure theta, gamma, their coupling and the gamma locking of E spikes.

    The first 0.2 s are left out; the spectrum's peaks are fitted in 2-100 Hz.  The
    rhythms' frequencies come from the E spike rate, not the LFP, whose strongest peaks
    can be harmonics (:func:`compute_rate_rhythms`).

    Parameters
    ----------
    result : Result
        From ``theta_gamma().run(...)`` (needs ``lfp`` and the ``'E'`` population).
    bands : ((float, float), (float, float)) (Hz), optional
        Theta phase band and gamma band to use instead of the measured peaks +- 2 Hz and
        +- 10 Hz (a control without rhythms has no peaks to centre them on).
    n_surrogates : int
        Time-shift surrogates for the modulation index's p-value.
    min_shift : float (s), optional
        Smallest surrogate shift; default 1 s, or a quarter of the analysed signal for
        runs shorter than 4.2 s.
    seed : int
        Seed of the surrogate shifts.

    Returns
    -------
    dict
        ``theta_hz``, ``gamma_hz`` (the E spike rate's rhythms in 4-12 and 20-120 Hz,
        :func:`compute_rate_rhythms`: gamma below 30 Hz when it is slow; nan if none),
        ``theta_rhythmicity``, ``gamma_rhythmicity`` (the rate's autocorrelation at
        their periods), ``theta_height``, ``gamma_height`` (log10 power above the
        aperiodic fit of the LFP's strongest peak within 2 Hz of ``theta_hz`` and 10 Hz
        of ``gamma_hz``; 0 if none), ``theta_lfp_hz``, ``gamma_lfp_hz`` (the LFP's
        strongest peaks in 4-12 and 30-100 Hz, for comparison only: either may be a
        harmonic),
        ``aperiodic_exponent``, ``gamma_plv`` (E spikes vs the gamma band of the LFP
        proxy), ``mi``, ``mi_p_value``, ``mi_over_p95`` (MI / 95th percentile of the
        surrogates; these four are nan, and ``bands`` None, when theta or gamma is
        nan and no ``bands`` are given), ``bands``, ``rates_hz`` per population, and
        ``spectrum`` ``(freqs, power, PeakFit)`` for plotting.

    Raises
    ------
    AnalysisError
        When the result has no LFP proxy or no ``'E'`` population.
    """
    _check_lfp(result, "analyse_theta_gamma")
    _population_times(result, RATE_POPULATION, "analyse_theta_gamma")
    fs = result.fs
    t_start = THETA_GAMMA_T_START
    sig = np.asarray(result.lfp)[int(t_start * fs) :]
    if sig.size and np.all(sig == sig[0]):
        raise AnalysisError(
            "analyse_theta_gamma.result: the LFP proxy is flat (no synaptic currents: a "
            "silent network?); there is no spectrum to measure theta and gamma in."
        )
    freqs, power = compute_spectrum(sig, fs)
    fit = compute_spectral_peaks(freqs, power, f_range=LFP_FIT_RANGE)
    rhythms = compute_rate_rhythms(result, t_start)
    f_theta, f_gamma = rhythms["theta_hz"], rhythms["gamma_hz"]
    coupling = dict.fromkeys(("gamma_plv", "mi", "mi_p_value", "mi_over_p95"), float("nan"))
    if bands is None and np.isfinite([f_theta, f_gamma]).all():
        bands = theta_gamma_bands(f_theta, f_gamma)
    if bands is not None:  # else no rhythm to centre the bands on: no locking, no coupling
        coupling = _theta_gamma_coupling(result, sig, t_start, bands, n_surrogates, min_shift, seed)
    return {
        **rhythms,
        "theta_height": _height_near(fit, f_theta, THETA_HALF_WIDTH),
        "gamma_height": _height_near(fit, f_gamma, GAMMA_HALF_WIDTH),
        "theta_lfp_hz": _peak_or_nan(fit, THETA_BAND)[0],
        "gamma_lfp_hz": _peak_or_nan(fit, GAMMA_BAND)[0],
        "aperiodic_exponent": float(fit.exponent),
        **coupling,
        "bands": bands,
        "rates_hz": {name: result.mean_rate(name) for name in result.populations},
        "spectrum": (freqs, power, fit),
    }


# ------------------------------------------------------- summary and full analysis
def _analysis_start(result):
    """Seconds of onset transient left out of the LFP measures (0.2 s, less if short)."""
    return min(0.2, result.duration / 4)


def compute_lfp_spectrum(result):
    """Spectrum of a run's LFP after the onset transient, and its fitted peaks.

    The first 0.2 s (a quarter of runs shorter than 0.8 s) are left out; peaks are
    fitted in 2-100 Hz (at most 0.45 ``fs``).

    Returns
    -------
    freqs, power : 1-D arrays (Hz, A^2/Hz)
    fit : PeakFit or str
        The peaks above the aperiodic background, or why they could not be fitted
        (a run too short for enough frequency bins, ...).

    Raises
    ------
    AnalysisError
        When the result has no LFP proxy.
    """
    _check_lfp(result, "compute_lfp_spectrum")
    sig = np.asarray(result.lfp, dtype=float)[int(_analysis_start(result) * result.fs) :]
    freqs, power = compute_spectrum(sig, result.fs)
    try:
        fit = compute_spectral_peaks(
            freqs, power, f_range=(LFP_FIT_RANGE[0], min(LFP_FIT_RANGE[1], 0.45 * result.fs))
        )
    except AnalysisError as err:
        fit = f"no spectral peaks measured: {err}"
    return freqs, power, fit


def _peaks_json(fit):
    return [
        {"frequency_hz": float(f), "height": float(h), "width_hz": float(w)}
        for f, h, w in np.asarray(fit.peaks).reshape(-1, 3)
    ]


def _round(value, digits=3):
    return None if value is None else round(float(value), digits)


def summarise_run(result):
    """The summary of a run: rates per population, LFP peaks, backend, seed, wall time."""
    check_result(result)
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
    _, _, fit = compute_lfp_spectrum(result)
    if isinstance(fit, str):
        summary["lfp_note"] = fit
        return summary
    summary["lfp_peaks"] = _peaks_json(fit)
    strongest = fit.strongest()
    if strongest is not None:
        summary["lfp_peak_hz"] = strongest.frequency
        summary["lfp_peak_height"] = strongest.height
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
        to ``plv_band`` around the strongest peak, and when the E spike rate has a theta
        and a gamma rhythm (:func:`compute_rate_rhythms`, as :func:`analyse_theta_gamma`)
        ``theta_hz``, ``gamma_hz``, ``mi``, ``mi_p_value``
        (:func:`compute_theta_gamma_coupling` in :func:`theta_gamma_bands`).
        ``spectrum`` holds ``(freqs, power, PeakFit)`` for plotting (not JSON).
    """
    check_result(result)
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
    freqs, power, fit = compute_lfp_spectrum(result)
    measures["spectrum"] = (freqs, power, None if isinstance(fit, str) else fit)
    if isinstance(fit, str):
        measures["notes"].append(fit)
        return measures
    measures["aperiodic_exponent"] = float(fit.exponent)
    measures["peaks"] = _peaks_json(fit)
    strongest = fit.strongest()
    if strongest is None:
        measures["notes"].append("no peak above the aperiodic background")
        return measures
    fs = result.fs
    t0 = _analysis_start(result)
    sig = np.asarray(result.lfp, dtype=float)[int(t0 * fs) :]
    f_peak = strongest.frequency
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
    f_theta = f_gamma = float("nan")
    if RATE_POPULATION in result.populations:
        rhythms = compute_rate_rhythms(result, t0)
        f_theta, f_gamma = rhythms["theta_hz"], rhythms["gamma_hz"]
    if not (np.isfinite(f_theta) and np.isfinite(f_gamma)):
        measures["notes"].append("no theta and gamma rhythms in the E spike rate: no coupling")
        return measures
    phase_band, gamma_band = theta_gamma_bands(f_theta, f_gamma)
    test = compute_theta_gamma_coupling(
        sig, fs, phase_band, gamma_band, n_surrogates=n_surrogates, seed=seed
    )
    measures.update(
        theta_hz=f_theta,
        gamma_hz=f_gamma,
        mi=float(test.mi),
        mi_p_value=float(test.p_value),
        mi_surrogates=n_surrogates,
    )
    return measures
