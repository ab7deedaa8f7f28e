"""The rhythm of trials run side by side in one network (the actualization loop's layout).

:func:`compute_trial_rhythm`: one population's trial-averaged rate spectrum (peak, its
share of the power, the fundamental), the power in the rhythm's band against Poisson
surrogates, and the locking of other populations' spikes to it.
"""

import numbers

import numpy as np
from scipy import signal as sps

from ..errors import AnalysisError
from ._inputs import check_f_range
from .locking import compute_plv
from .phase import spike_phases
from .spectral import compute_spectrum

__all__ = ["FUNDAMENTAL_LOW", "SURROGATE_CHUNK", "compute_trial_rhythm"]

#: Lowest frequency searched for a rhythm's fundamental by :func:`compute_trial_rhythm`.
FUNDAMENTAL_LOW = 12.0
#: Surrogate sets of :func:`compute_trial_rhythm` drawn at a time.
SURROGATE_CHUNK = 100


def _trial_spans(result, n_trials, t_start, t_stop, populations):
    """Checked ``(starts, stops)`` (s, one per trial) of :func:`compute_trial_rhythm`."""
    owner = "compute_trial_rhythm"
    if isinstance(n_trials, bool) or not isinstance(n_trials, numbers.Integral) or n_trials < 1:
        raise AnalysisError(f"{owner}.n_trials: must be an integer >= 1; got {n_trials!r}.")
    for name in populations:
        if name not in result.sizes or result.sizes[name] % n_trials:
            raise AnalysisError(
                f"{owner}.n_trials: every population must hold n_trials equal blocks; "
                f"got n_trials={n_trials} for {name!r} of sizes {result.sizes}."
            )
    try:
        starts = np.broadcast_to(np.asarray(t_start, dtype=float), (n_trials,))
        stop = result.duration if t_stop is None else t_stop
        stops = np.broadcast_to(np.asarray(stop, dtype=float), (n_trials,))
    except (TypeError, ValueError) as err:
        raise AnalysisError(
            f"{owner}.t_start, t_stop: must be times (s), one or one per trial ({n_trials}); {err}."
        ) from None
    inside = np.all(np.isfinite(starts) & np.isfinite(stops) & (starts >= 0))
    if not inside or np.any(stops > result.duration + 1e-9):
        raise AnalysisError(
            f"{owner}.t_start, t_stop: must lie within the run (0-{result.duration:g} s); "
            f"got {t_start!r}, {t_stop!r}."
        )
    return starts, stops


def compute_trial_rhythm(
    result,
    n_trials,
    t_start=0.15,
    t_stop=None,
    band=(30.0, 80.0),
    total=(5.0, 200.0),
    rhythm="I",
    locked=("F", "M"),
    n_surrogates=200,
    seed=0,
):
    """The rhythm of trials run side by side: one population's spectrum, others' locking.

    Each population of ``result`` holds ``n_trials`` equal blocks of consecutive cells,
    one per trial (the actualization loop's layout).

    Parameters
    ----------
    result : Result
    n_trials : int
    t_start, t_stop : float or array (n_trials,) (s)
        Analysed span (default: 150 ms to the end); arrays give every trial its own span
        (trials cued at different times), all as long as the shortest.
    band, total : (float, float) (Hz)
        Where the peak is looked for, and the reference range of the power.
    rhythm : str
        The population whose rate carries the rhythm (the interneurons).
    locked : tuple of str
        The populations whose spikes are locked to it.
    n_surrogates : int
        Poisson surrogates of the ``rhythm`` population for ``band_p``.
    seed : int
        Seed of the surrogates.

    Returns
    -------
    dict
        ``peak`` (Hz: the largest power in ``band`` of the trial-averaged spectrum of
        each trial's ``rhythm`` population rate, 1 ms bins, one Hann window over the
        span), ``local_max`` (the peak is above both neighbours), ``fraction`` (power of
        the peak's lobe -- down to the nearest minima on both sides -- over the power in
        ``total``; on a broad spectrum the lobe is one ripple, a fragile number:
        benchmarks/gamma_share.md), ``band_share`` (the power in ``band`` over the power
        in ``total``), ``band_null95`` and ``band_p`` (the 95th percentile of
        ``band_share`` on ``n_surrogates`` rhythm-free trains -- each trial's spikes in
        its span redrawn uniformly over the span, same counts -- and the p-value of the
        measured share against them), ``fundamental`` (Hz: the largest power from 12 Hz
        to the top of ``band``; sharp volleys put power at the harmonics too, so
        ``peak`` can be the second harmonic of a slower rhythm), ``plv`` (spikes of
        ``locked`` in each trial against the phase of that trial's rate band-passed to
        ``band``, pooled),
        ``freqs`` and ``power``.

    Raises
    ------
    AnalysisError
        When ``rhythm`` fired no spike in any trial's span, the spans do not fit, or
        ``n_surrogates`` is not a positive integer.

    Notes
    -----
    A train without rhythm has a flat spectrum: its band share is the band's width over
    the reference range's (0.26 for 30-80 of 5-200 Hz) up to the estimate's noise, which
    the surrogates measure for these spans and spike counts.
    """
    fs = 1000.0
    owner = "compute_trial_rhythm"
    if (
        isinstance(n_surrogates, bool)
        or not isinstance(n_surrogates, numbers.Integral)
        or n_surrogates < 1
    ):
        raise AnalysisError(f"{owner}.n_surrogates: must be an integer >= 1; got {n_surrogates!r}.")
    try:
        rng = np.random.default_rng(seed)
    except (TypeError, ValueError) as err:
        raise AnalysisError(
            f"{owner}.seed: must be an integer >= 0 or None; got {seed!r} ({err})."
        ) from None
    band = check_f_range(band, fs, f"{owner}.band")
    total = check_f_range(total, fs, f"{owner}.total")
    starts, stops = _trial_spans(result, n_trials, t_start, t_stop, (rhythm, *locked))
    length = round(float(np.min(stops - starts)) * fs)
    if length < 2:
        raise AnalysisError(
            f"compute_trial_rhythm.t_stop: every span must be at least 2 ms longer than "
            f"t_start; got t_start={t_start!r}, t_stop={t_stop!r}."
        )
    first = np.round(starts * fs).astype(int)
    edges = np.arange(0.0, result.duration + 0.5 / fs, 1 / fs)

    def trial_of(name):
        times, cells = result.spikes[name]
        return times, cells // (result.sizes[name] // n_trials)

    times_r, trial_r = trial_of(rhythm)
    rates = np.array([np.histogram(times_r[trial_r == b], edges)[0] for b in range(n_trials)])
    spans = zip(rates, first, strict=True)
    if not any(rate[begin : begin + length].any() for rate, begin in spans):
        raise AnalysisError(
            f"compute_trial_rhythm.rhythm: population {rhythm!r} fired no spikes in any "
            f"trial's span ({length} ms from t_start): no rhythm to measure."
        )
    spectra = []
    for rate, begin in zip(rates.astype(float), first, strict=True):
        segment = rate[begin : begin + length] - rate[begin : begin + length].mean()
        freqs, power = compute_spectrum(segment, fs, nperseg=segment.size)
        spectra.append(power)
    power = np.mean(spectra, axis=0)
    reference, in_reference_band, slow = _frequency_masks(freqs, band, total, length)
    band_share = float(power[in_reference_band].sum() / power[reference].sum())
    counts = [int(rates[b, begin : begin + length].sum()) for b, begin in enumerate(first)]
    null = _poisson_band_shares(counts, length, fs, reference, in_reference_band, n_surrogates, rng)
    in_band = np.flatnonzero((freqs >= band[0]) & (freqs <= band[1]))
    peak = in_band[np.argmax(power[in_band])]
    low, high = peak, peak
    while low > 0 and power[low - 1] < power[low]:
        low -= 1
    while high < len(power) - 1 and power[high + 1] < power[high]:
        high += 1
    lobe = np.zeros_like(reference)
    lobe[low : high + 1] = True
    phases = []
    for name in locked:
        times, trial = trial_of(name)
        for b in range(n_trials):
            inside = (times >= first[b] / fs) & (times < (first[b] + length) / fs)
            spikes = times[inside & (trial == b)]
            if spikes.size and rates[b].any():
                phases.append(spike_phases(spikes, rates[b].astype(float), fs, band))
    plv = compute_plv(np.concatenate(phases))[0] if phases else np.nan
    return {
        "peak": float(freqs[peak]),
        "local_max": bool(
            0 < peak < len(power) - 1
            and power[peak] > power[peak - 1]
            and power[peak] > power[peak + 1]
        ),
        "fraction": float(power[lobe & reference].sum() / power[reference].sum()),
        "band_share": band_share,
        "band_null95": float(np.percentile(null, 95)),
        "band_p": float((1 + np.count_nonzero(null >= band_share)) / (1 + n_surrogates)),
        "fundamental": float(freqs[slow][np.argmax(power[slow])]),
        "plv": float(plv),
        "freqs": freqs,
        "power": power,
    }


def _frequency_masks(freqs, band, total, length):
    """The spectrum's bins in ``total``, in ``band`` within ``total``, and from
    :data:`FUNDAMENTAL_LOW` to the top of ``band``; each must hold a bin (an empty one
    made the shares 0/0, which the surrogate test counted as significant)."""
    reference = (freqs >= total[0]) & (freqs <= total[1])
    in_band = (freqs >= band[0]) & (freqs <= band[1])
    slow = (freqs >= FUNDAMENTAL_LOW) & (freqs <= band[1])
    resolution = f"the spectrum's bins are {freqs[1]:g} Hz apart ({length} ms spans)"
    if not reference.any():
        raise AnalysisError(
            f"compute_trial_rhythm.total: {total} Hz holds no frequency bin; {resolution}."
        )
    if not (in_band & reference).any() or not slow.any():
        raise AnalysisError(
            f"compute_trial_rhythm.band: {band} Hz must hold a frequency bin inside total "
            f"{total} Hz and reach {FUNDAMENTAL_LOW:g} Hz (the fundamental is searched "
            f"from there to its top); {resolution}."
        )
    return reference, in_band & reference, slow


def _poisson_band_shares(counts, length, fs, reference, in_band, n_surrogates, rng):
    """Band shares of ``n_surrogates`` rhythm-free sets of trials: trial ``b``'s
    ``counts[b]`` spikes in ``length`` bins drawn uniformly (multinomial), each spectrum
    estimated as :func:`compute_trial_rhythm` does (one Hann window, mean removed); in
    chunks of :data:`SURROGATE_CHUNK` sets, so that memory does not grow with their
    number."""
    uniform = np.full(length, 1.0 / length)
    shares = []
    for first in range(0, n_surrogates, SURROGATE_CHUNK):
        size = min(SURROGATE_CHUNK, n_surrogates - first)
        rates = np.stack([rng.multinomial(n, uniform, size=size) for n in counts], axis=1)
        _, spectra = sps.welch(rates.astype(float), fs=fs, nperseg=length, detrend="constant")
        power = spectra.mean(axis=1)  # (sets, frequencies): averaged over the trials
        shares.append(power[:, in_band].sum(axis=1) / power[:, reference].sum(axis=1))
    return np.concatenate(shares)
