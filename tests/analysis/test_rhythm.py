"""Rhythms from the spike rate's autocorrelation: the fundamental, never a harmonic."""

import numpy as np
import pytest

from quifer_brian.analysis import (
    GAMMA_BAND,
    analyse_theta_gamma,
    compute_rate_autocorrelation,
    compute_rate_rhythms,
    compute_rhythm_frequency,
)
from quifer_brian.results import Result

FS = 1000.0
THETA, GAMMA = 6.0, 25.0  # Hz: a slow gamma, below the 30 Hz gamma floor
N_CELLS = 40


def _nested_volleys(duration=6.0, seed=0):
    """Four sharp E volleys at 25 Hz per 6 Hz theta cycle; the LFP is their comb.

    Each volley (10 of 40 cells, 1 ms jitter) makes a 2 ms wide LFP deflection: the LFP
    power sits at the harmonics of theta, strongest near 25 and 50 Hz, so the strongest
    LFP peak in 30-100 Hz is gamma's second harmonic.
    """
    rng = np.random.default_rng(seed)
    cycles = np.arange(0.1, duration - 0.5, 1 / THETA)
    volleys = (cycles[:, None] + np.arange(4) / GAMMA).ravel()
    times = np.repeat(volleys, 10) + rng.normal(0, 0.001, volleys.size * 10)
    cells = rng.integers(0, N_CELLS, times.size)
    order = np.argsort(times)
    t = np.arange(int(duration * FS)) / FS
    lfp = np.zeros_like(t)
    for volley in volleys:
        lfp -= np.exp(-0.5 * ((t - volley) / 0.002) ** 2)
    walk = np.cumsum(rng.normal(size=t.size)) * 0.02
    return Result(
        spikes={"E": (times[order], cells[order].astype(np.int32))},
        sizes={"E": N_CELLS},
        duration=duration,
        lfp=lfp + walk - walk.mean(),
        fs=FS,
        meta={"circuit": "synthetic", "backend": "none", "seed": seed},
    )


@pytest.fixture(scope="module")
def nested():
    return _nested_volleys()


def test_rate_rhythms_are_the_fundamentals_where_the_lfp_shows_a_harmonic(nested):
    measured = analyse_theta_gamma(nested, n_surrogates=20)
    assert measured["gamma_hz"] == pytest.approx(GAMMA, abs=0.5)  # below 30 Hz: as it is
    assert measured["theta_hz"] == pytest.approx(THETA, abs=0.3)
    assert measured["gamma_rhythmicity"] > 0.3 and measured["theta_rhythmicity"] > 0.3
    # the LFP's strongest gamma-band peak is gamma's second harmonic, not gamma
    assert measured["gamma_lfp_hz"] == pytest.approx(2 * GAMMA, abs=THETA)
    assert measured["gamma_lfp_hz"] >= GAMMA_BAND[0]
    assert measured["bands"][1] == pytest.approx((GAMMA - 10, GAMMA + 10), abs=0.5)


def test_no_rhythm_in_poisson_spikes_and_so_no_coupling_measured():
    rng = np.random.default_rng(1)
    times = np.sort(rng.uniform(0, 4.0, 4000))
    spikes = (times, rng.integers(0, N_CELLS, times.size))
    walk = np.cumsum(rng.normal(size=4000))
    result = Result(
        spikes={"E": spikes}, sizes={"E": N_CELLS}, duration=4.0, lfp=walk - walk.mean(), fs=FS
    )
    measured = compute_rate_rhythms(result, 0.2)
    assert np.isnan(measured["gamma_hz"]) and measured["gamma_rhythmicity"] == 0.0
    assert np.isnan(measured["theta_hz"]) and measured["theta_rhythmicity"] == 0.0
    # no bands to centre on: the coupling and locking are nan, not an error
    analysed = analyse_theta_gamma(result, n_surrogates=10)
    assert analysed["bands"] is None
    assert all(np.isnan(analysed[key]) for key in ("mi", "mi_over_p95", "gamma_plv"))


def test_the_highest_side_peak_is_the_period_not_its_multiple():
    """A 40 Hz rhythm: side peaks at 25, 50, 75 ms; the range 15-60 Hz holds the first."""
    volleys = np.repeat(np.arange(0.0, 3.0, 1 / 40), 10)
    times = np.sort(volleys + np.random.default_rng(2).normal(0, 0.002, volleys.size))
    lags, acf = compute_rate_autocorrelation(times, 0.0, 3.0, (10, 200))
    assert acf[0] == 1.0 and lags[1] == pytest.approx(1e-3)
    frequency, rhythmicity = compute_rhythm_frequency(lags, acf, (15, 60))
    assert frequency == pytest.approx(40.0, abs=1.0) and rhythmicity > 0.5
    # with only the second period (50 ms) in range, that is what is found
    assert compute_rhythm_frequency(lags, acf, (15, 30))[0] == pytest.approx(20.0, abs=1.0)
