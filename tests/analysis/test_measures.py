"""Composite measures of a run, on synthetic results with known answers (fixed seeds)."""

import numpy as np
import pytest

from quifer_brian.analysis import (
    analyse_result,
    analyse_theta_gamma,
    compute_lfp_spectrum,
    compute_theta_gamma_coupling,
    compute_trial_rhythm,
    gamma_measures,
    state_signatures,
    summarise_run,
    theta_gamma_bands,
)
from quifer_brian.analysis.trials import SURROGATE_CHUNK
from quifer_brian.errors import AnalysisError
from quifer_brian.results import Result


def _result(spikes, sizes, duration, lfp=None, fs=None):
    return Result(
        spikes=spikes,
        sizes=sizes,
        duration=duration,
        lfp=lfp,
        fs=fs,
        meta={"circuit": "synthetic", "backend": "none", "seed": 0, "wall_time_s": 0.12345},
    )


def _theta_gamma(duration=4.0, fs=1000.0):
    """8 Hz theta, 40 Hz gamma whose amplitude follows theta's phase, E spikes at the
    gamma troughs of theta's upper half (the CLI's synthetic run)."""
    rng = np.random.default_rng(0)
    t = np.arange(int(duration * fs)) / fs
    theta = np.sin(2 * np.pi * 8 * t)
    gamma = (1 + theta) * np.sin(2 * np.pi * 40 * t)
    walk = np.cumsum(rng.normal(size=t.size)) * 0.02
    lfp = 2.0 * theta + 0.8 * gamma + walk - walk.mean()
    troughs = (np.arange(int(duration * 40)) + 0.75) / 40
    troughs = troughs[np.sin(2 * np.pi * 8 * troughs) > -0.3]  # E fires in theta's upper half
    times = np.repeat(troughs, 5) + rng.normal(0, 0.001, troughs.size * 5)
    indices = rng.integers(0, 20, times.size).astype(np.int32)
    order = np.argsort(times)
    return _result({"E": (times[order], indices[order])}, {"E": 20}, duration, lfp, fs)


@pytest.fixture(scope="module")
def theta_gamma_run():
    return _theta_gamma()


# ---------------------------------------------------------------- gamma_measures
def test_gamma_measures_find_the_rhythm_and_the_locking(synth):
    """A 40 Hz LFP with von Mises(kappa = 2) spike phases: peak 40 Hz, PLV I1/I0(2)."""
    kappa, duration = 2.0, 4.0
    times, lfp = synth.make_phase_locked(kappa, n_spikes=4000, duration=duration, seed=1)
    lfp = lfp + np.random.default_rng(2).normal(0, 0.01, lfp.size)
    order = np.argsort(times)
    indices = np.arange(times.size) % 50
    result = _result({"E": (times[order], indices)}, {"E": 50}, duration, lfp, synth.FS)
    measured = gamma_measures(result)
    assert measured["df"] == pytest.approx(1 / (duration - 0.1))
    assert abs(measured["peak"] - 40.0) <= measured["df"]
    assert measured["ratio"] > 1e3
    assert measured["plv"] == pytest.approx(synth.vm_plv(kappa), abs=0.03)
    assert measured["phases"].size == np.count_nonzero((times > 0.1) & (times < duration - 0.02))


# -------------------------------------------------------------- state_signatures
def test_state_signatures_of_poisson_cells():
    """Independent Poisson cells at 20 Hz: rate 20, CV 1, Fano 1, chi near 0, no rhythm."""
    rng = np.random.default_rng(3)
    n_neurons, t_stop = 400, 2.0
    counts = rng.poisson(20.0 * t_stop, n_neurons)
    indices = np.repeat(np.arange(n_neurons), counts)
    times = rng.uniform(0, t_stop, indices.size)
    order = np.argsort(times)
    signatures = state_signatures(times[order], indices[order], n_neurons, 0.1, t_stop)
    assert signatures["rate"] == pytest.approx(20.0, rel=0.05)
    assert signatures["cv"] == pytest.approx(1.0, abs=0.1)
    assert signatures["fano"] == pytest.approx(1.0, abs=0.15)
    assert signatures["chi"] < 0.2
    assert signatures["ratio"] < 5


def test_state_signatures_of_a_synchronous_regular_population():
    """Every cell fires at each 50 Hz cycle (0.1 ms jitter): CV ~ 0, chi ~ 1, peak 50 Hz."""
    rng = np.random.default_rng(4)
    n_neurons, t_stop = 200, 2.0
    cycles = np.arange(1, int(t_stop * 50)) / 50 + 0.5e-3  # mid-bin of the 1 ms chi bins
    times = np.tile(cycles, n_neurons) + rng.normal(0, 1e-4, cycles.size * n_neurons)
    indices = np.repeat(np.arange(n_neurons), cycles.size)
    order = np.argsort(times)
    signatures = state_signatures(times[order], indices[order], n_neurons, 0.1, t_stop)
    assert signatures["rate"] == pytest.approx(50.0, rel=0.05)
    assert signatures["cv"] < 0.1
    assert signatures["chi"] > 0.9
    assert signatures["peak"] == pytest.approx(50.0, abs=5.0)  # 5 Hz resolution
    assert signatures["ratio"] > 100


# --------------------------------------------------------- the theta-gamma recipe
def test_theta_gamma_measures_known_coupling_and_locking(theta_gamma_run):
    measured = analyse_theta_gamma(theta_gamma_run, n_surrogates=50)
    assert measured["theta_hz"] == pytest.approx(8.0, abs=1.0)
    assert measured["gamma_hz"] == pytest.approx(40.0, abs=2.0)
    assert measured["theta_height"] > 0.3 and measured["gamma_height"] > 0.3
    assert measured["bands"] == theta_gamma_bands(measured["theta_hz"], measured["gamma_hz"])
    assert measured["gamma_plv"] > 0.8
    assert measured["mi_p_value"] < 0.05 and measured["mi_over_p95"] > 1
    assert measured["rates_hz"]["E"] == pytest.approx(theta_gamma_run.mean_rate("E"))


def test_one_theta_gamma_recipe_for_the_flagship_and_the_run_analysis(theta_gamma_run):
    """Both analyses measure the same coupling: the same bands, surrogates and MI."""
    flagship = analyse_theta_gamma(theta_gamma_run, n_surrogates=30, seed=5)
    analysis = analyse_result(theta_gamma_run, n_surrogates=30, seed=5)
    assert (analysis["theta_hz"], analysis["gamma_hz"]) == (
        flagship["theta_hz"],
        flagship["gamma_hz"],
    )
    fs = theta_gamma_run.fs
    sig = theta_gamma_run.lfp[int(0.2 * fs) :]
    phase_band, gamma_band = theta_gamma_bands(analysis["theta_hz"], analysis["gamma_hz"])
    test = compute_theta_gamma_coupling(sig, fs, phase_band, gamma_band, n_surrogates=30, seed=5)
    assert analysis["mi"] == flagship["mi"] == test.mi
    assert analysis["mi_p_value"] == flagship["mi_p_value"] == test.p_value


@pytest.mark.parametrize(("depth", "significant"), [(0.0, False), (0.5, True)])
def test_theta_gamma_coupling_beats_surrogates_only_when_modulated(synth, depth, significant):
    """6 Hz theta and 60 Hz gamma, its amplitude modulated by ``depth``, in given bands."""
    sig = synth.make_pac(depth, seed=4)
    phase_band, gamma_band = theta_gamma_bands(6.0, 60.0)
    test = compute_theta_gamma_coupling(
        sig, synth.FS, phase_band, gamma_band, n_surrogates=50, seed=1
    )
    assert (test.p_value < 0.05) is significant


# ------------------------------------------------------- summary and run analysis
def test_summary_names_the_run_and_its_strongest_peak(theta_gamma_run):
    summary = summarise_run(theta_gamma_run)
    assert summary["network"] == "synthetic" and summary["simulation_wall_s"] == 0.123
    assert summary["rates_hz"] == {"E": pytest.approx(theta_gamma_run.mean_rate("E"))}
    _, _, fit = compute_lfp_spectrum(theta_gamma_run)
    strongest = fit.strongest()
    assert summary["lfp_peak_hz"] == strongest.frequency
    assert summary["lfp_peak_height"] == strongest.height
    assert [peak["frequency_hz"] for peak in summary["lfp_peaks"]] == list(fit.frequencies)
    assert summary["lfp_peak_hz"] == analyse_result(theta_gamma_run, 10)["strongest_peak_hz"]


def test_run_analysis_locks_spikes_to_the_strongest_peak(theta_gamma_run):
    measured = analyse_result(theta_gamma_run, n_surrogates=50)
    assert measured["strongest_peak_hz"] == pytest.approx(40.0, abs=2.0)
    low, high = measured["plv_band"]
    assert low < measured["strongest_peak_hz"] < high
    assert measured["plv"] > 0.8 and measured["plv_population"] == "E"
    assert measured["mi_p_value"] < 0.05 and measured["mi_surrogates"] == 50
    assert measured["notes"] == []


def test_without_lfp_or_peaks_the_measures_say_why():
    spikes = {"E": (np.array([0.1, 0.2, 0.3, 0.35]), np.array([0, 0, 0, 1]))}
    no_lfp = _result(spikes, {"E": 2}, 1.0)
    assert summarise_run(no_lfp)["lfp_note"] == "no LFP in this network"
    measured = analyse_result(no_lfp)
    assert measured["notes"] == ["no LFP: no spectrum, locking or coupling"]
    assert measured["rates_hz"] == {"E": 2.0}
    assert measured["cv_isi"]["E"] == pytest.approx(0.0)
    early = {"E": (spikes["E"][0] / 10, spikes["E"][1])}  # within the 50 ms run
    short = _result(early, {"E": 2}, 0.05, np.ones(50), 1000.0)
    assert summarise_run(short)["lfp_note"].startswith("no spectral peaks measured: ")
    assert summarise_run(short)["lfp_peak_hz"] is None


def _volleys(frequency, n_trials, cells_per_trial, duration, jitter, phase_lag, seed):
    """Spikes of trials side by side: every cell of trial b fires once per cycle of a
    ``frequency`` rhythm, jittered (SD ``jitter`` s), ``phase_lag`` s after the volley."""
    rng = np.random.default_rng(seed)
    cycles = np.arange(0.0, duration, 1 / frequency)
    times, cells = [], []
    for b in range(n_trials):
        for k in range(cells_per_trial):
            spikes = cycles + phase_lag + rng.normal(0, jitter, cycles.size)
            keep = (spikes >= 0) & (spikes < duration)
            times.append(spikes[keep])
            cells.append(np.full(keep.sum(), b * cells_per_trial + k))
    times, cells = np.concatenate(times), np.concatenate(cells)
    order = np.argsort(times)
    return times[order], cells[order].astype(np.int32)


def test_trial_rhythm_finds_a_40_hz_rhythm_and_its_locking():
    """Peak and fundamental at 40 Hz; locking against theory for Gaussian jitter.

    Spikes jittered with SD sigma around a fixed phase of a frequency-f rhythm have
    PLV = exp(-(2 pi f sigma)^2 / 2) (the characteristic function of the jitter): 0.882
    for 2 ms at 40 Hz.  A narrow band (35-45 Hz) keeps the band-passed rate sinusoidal,
    so that its Hilbert phase advances uniformly in time (in the default 30-80 Hz band
    the volleys' harmonic skews it, and even uniform spikes get a PLV of about 0.2).
    """
    n_trials, duration, sigma = 3, 1.0, 0.002
    spikes = {
        "I": _volleys(40.0, n_trials, 10, duration, 0.001, 0.0, seed=1),
        "F": _volleys(40.0, n_trials, 20, duration, sigma, 0.003, seed=2),
    }
    sizes = {"I": 30, "F": 60}
    measured = compute_trial_rhythm(
        _result(spikes, sizes, duration), n_trials, 0.1, 0.9, locked=("F",)
    )
    df = 1 / 0.8  # one window over the 0.8 s span
    assert abs(measured["peak"] - 40.0) <= df and abs(measured["fundamental"] - 40.0) <= df
    assert measured["local_max"]
    # one volley per cycle: nearly all the power above 5 Hz at 40 Hz and its harmonics
    # (80 Hz is at the band's edge): far above rhythm-free trains, which no surrogate beats
    assert measured["band_share"] > measured["band_null95"] + 0.2, measured
    assert measured["band_p"] == pytest.approx(1 / 201)
    narrow = {"band": (35.0, 45.0), "locked": ("F",)}
    locked = compute_trial_rhythm(_result(spikes, sizes, duration), n_trials, 0.1, 0.9, **narrow)
    theory = np.exp(-((2 * np.pi * 40.0 * sigma) ** 2) / 2)
    assert abs(locked["plv"] - theory) < 0.05, (locked["plv"], theory)
    # the same number of spikes uniform in time: not locked (PLV ~ 1/sqrt(n), n ~ 1900)
    rng = np.random.default_rng(3)
    times = np.sort(rng.uniform(0, duration, spikes["F"][0].size))
    shuffled = {**spikes, "F": (times, rng.integers(0, 60, times.size).astype(np.int32))}
    unlocked = compute_trial_rhythm(
        _result(shuffled, sizes, duration), n_trials, 0.1, 0.9, **narrow
    )
    assert unlocked["plv"] < 0.05, unlocked["plv"]


def test_trial_rhythm_band_share_of_rhythm_free_trains_is_flat_and_rarely_significant():
    """Poisson trains (no rhythm) have a flat spectrum: the band share is the band's
    share of the frequency bins -- 10 of 38 (31.6-78.9 of 5.3-200 Hz at 190 ms) -- and
    the surrogate test calls 5 % of them significant at p < 0.05 (60 sets: 3 expected,
    Binomial(60, 0.05) >= 9 has probability 0.003)."""
    n_trials, length = 4, 0.19
    shares, significant = [], 0
    rng = np.random.default_rng(7)
    for _ in range(60):
        counts = rng.poisson(40, n_trials)
        times = np.concatenate([rng.uniform(0.0, length, n) for n in counts])
        cells = np.repeat(np.arange(n_trials) * 10, counts).astype(np.int32)
        order = np.argsort(times)
        result = _result({"I": (times[order], cells[order])}, {"I": 10 * n_trials}, length)
        measured = compute_trial_rhythm(result, n_trials, 0.0, locked=(), n_surrogates=99)
        shares.append(measured["band_share"])
        significant += measured["band_p"] < 0.05
    assert np.mean(shares) == pytest.approx(10 / 38, abs=0.02), np.mean(shares)
    assert significant <= 8, significant


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        ({"n_surrogates": 0}, r"n_surrogates: must be an integer >= 1; got 0\."),
        ({"n_surrogates": 2.5}, r"n_surrogates: must be an integer >= 1; got 2\.5\."),
        ({"n_surrogates": True}, r"n_surrogates: must be an integer >= 1; got True\."),
        ({"n_surrogates": "200"}, r"n_surrogates: must be an integer >= 1; got '200'\."),
        ({"seed": -1}, r"seed: must be an integer >= 0 or None; got -1"),
        ({"seed": "abc"}, r"seed: must be an integer >= 0 or None; got 'abc'"),
        # a range between two bins (1.25 Hz apart) made the shares 0/0, "significant"
        ({"total": (5.0, 5.1)}, r"total: \(5\.0, 5\.1\) Hz holds no frequency bin"),
        ({"band": (300.0, 310.0)}, r"band: \(300\.0, 310\.0\) Hz must hold a frequency bin"),
        ({"band": (5.0, 10.0)}, r"band: .* must hold a frequency bin .* reach 12 Hz"),
        ({"band": (80.0, 30.0)}, r"band: range is inverted or empty"),
        ({"total": (np.nan, 200.0)}, r"total: frequencies must be finite"),
        ({"band": (30.0, 900.0)}, r"band: upper frequency 900 Hz is above the Nyquist"),
    ],
)
def test_trial_rhythm_refuses_bad_surrogates_seed_or_ranges(bad, match):
    spikes = {"I": _volleys(40.0, 3, 10, 1.0, 0.001, 0.0, seed=1)}
    with pytest.raises(AnalysisError, match=match):
        compute_trial_rhythm(_result(spikes, {"I": 30}, 1.0), 3, locked=(), **bad)


def test_trial_rhythm_surrogates_beyond_one_chunk():
    """More surrogates than one chunk (SURROGATE_CHUNK): every set counts in the p-value,
    and the null's 95th percentile estimates the same quantile as with one chunk."""
    spikes = {"I": _volleys(40.0, 3, 10, 1.0, 0.004, 0.0, seed=1)}
    result = _result(spikes, {"I": 30}, 1.0)
    one = compute_trial_rhythm(result, 3, locked=(), n_surrogates=SURROGATE_CHUNK)
    many = compute_trial_rhythm(result, 3, locked=(), n_surrogates=5 * SURROGATE_CHUNK + 7)
    assert many["band_share"] == one["band_share"]
    assert many["band_p"] == 1 / (5 * SURROGATE_CHUNK + 8)  # above every set
    assert many["band_null95"] == pytest.approx(one["band_null95"], abs=0.03)


@pytest.mark.parametrize(
    ("n_trials", "t_start", "t_stop", "match"),
    [
        (0, 0.1, 0.9, r"n_trials: must be an integer >= 1; got 0"),
        (4, 0.1, 0.9, r"n_trials: every population must hold n_trials equal blocks"),
        (3, 0.1, 5.0, r"t_start, t_stop: must lie within the run"),
        (3, np.nan, 0.9, r"t_start, t_stop: must lie within the run"),
        (3, [0.1, 0.2], 0.9, r"t_start, t_stop: must be times"),
        (3, 0.5, 0.5, r"t_stop: every span must be at least 2 ms longer"),
    ],
)
def test_trial_rhythm_refuses_bad_spans_and_trial_counts(n_trials, t_start, t_stop, match):
    spikes = {"I": _volleys(40.0, 3, 10, 1.0, 0.001, 0.0, seed=1)}
    spikes["F"] = spikes["I"]
    with pytest.raises(AnalysisError, match=match):
        result = _result(spikes, {"I": 30, "F": 30}, 1.0)
        compute_trial_rhythm(result, n_trials, t_start, t_stop, locked=("F",))
