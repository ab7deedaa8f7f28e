"""Clocks: the Kuramoto reference against its closed form, the spiking frequency bank
against its targets."""

import numpy as np
import pytest
from brian2 import Hz, ms, nA, pA, second

from quifer_brian import analysis as qa
from quifer_brian.analysis import mean_field_phase, module_lfp, module_phases, order_parameter
from quifer_brian.errors import CircuitError, UnitsError
from quifer_brian.networks import frequency_bank, kuramoto
from quifer_brian.networks.clock import REACHABLE_RANGE, TAU_GABA_RANGE
from quifer_brian.networks.kuramoto import lorentzian_quantiles

# --------------------------------------------------------------------------- Kuramoto
GAMMA = 1 * Hz  # half-width of the Lorentzian (rad/s)
N_OSCILLATORS = 2000
# dt * gamma = 0.02: the RK4 error is far below the tolerance (dt = 5 ms gives the same r
# to 1e-4); 24 / gamma of simulated time: r has settled by ~10 / gamma for K >= 3 gamma.
K_DT, K_DURATION, K_SETTLE = 20 * ms, 24 * second, 12.0


def stationary_r(coupling, frequencies="quantiles", backend="numpy", **kwargs):
    circuit = kuramoto(
        n=N_OSCILLATORS, coupling=coupling, frequencies=frequencies, gamma=GAMMA, dt=K_DT, **kwargs
    )
    result = circuit.run(K_DURATION, backend=backend)
    _, r = order_parameter(result, t_start=K_SETTLE)
    return float(np.mean(r)), result


def theory_r(ratio):
    """r = sqrt(1 - K_c/K), K_c = 2 gamma (Kuramoto 1975)."""
    return np.sqrt(max(0.0, 1 - 2 / ratio))


@pytest.mark.parametrize("ratio", [3, 4, 6])
def test_kuramoto_locked_order_parameter_matches_theory(ratio):
    r, _ = stationary_r(ratio * GAMMA)
    assert abs(r - theory_r(ratio)) <= 0.005, (r, theory_r(ratio))


def test_kuramoto_incoherent_below_critical_coupling():
    r, _ = stationary_r(1 * GAMMA)
    assert r < 0.05


def test_kuramoto_random_frequencies_match_theory_within_sampling():
    r, _ = stationary_r(4 * GAMMA, frequencies="random", seed=3)
    assert abs(r - theory_r(4)) <= 0.03, r


def test_kuramoto_wrap_events_and_mean_field_rotate_at_the_centre_frequency():
    circuit = kuramoto(n=200, coupling=6 * Hz, gamma=GAMMA, omega_0=2 * np.pi * 10 * Hz, dt=1 * ms)
    result = circuit.run(3 * second)
    psi = np.unwrap(mean_field_phase(result))
    late = slice(int(1.5 * result.fs), None)
    slope = np.polyfit(result.times[late], psi[late], 1)[0] / (2 * np.pi)
    assert abs(slope - 10) < 0.1, slope  # the locked cluster turns at omega_0 / 2 pi
    assert result.mean_rate("oscillators") == pytest.approx(10, rel=0.05)  # one event a cycle


def test_lorentzian_quantiles_are_symmetric_and_have_the_right_median_spread():
    omegas = lorentzian_quantiles(1001, 5.0, 2.0)
    assert omegas[500] == pytest.approx(5.0)
    # a quarter of a Cauchy distribution lies within gamma of the centre on each side
    assert np.mean(np.abs(omegas - 5.0) < 2.0) == pytest.approx(0.5, abs=0.002)


@pytest.mark.slow
@pytest.mark.parametrize("ratio", [3, 4, 6])
def test_kuramoto_order_parameter_is_independent_of_dt(ratio):
    """A 4x finer step and a longer average give the same r (the default suite's dt is fine)."""
    circuit = kuramoto(n=N_OSCILLATORS, coupling=ratio * GAMMA, gamma=GAMMA, dt=K_DT / 4)
    _, r = order_parameter(circuit.run(2 * K_DURATION), t_start=2 * K_SETTLE)
    assert abs(np.mean(r) - theory_r(ratio)) <= 0.005


@pytest.mark.slow
def test_kuramoto_random_frequencies_scatter_within_tolerance_across_seeds():
    values = [stationary_r(4 * GAMMA, frequencies="random", seed=seed)[0] for seed in range(5)]
    assert max(abs(r - theory_r(4)) for r in values) <= 0.03, values


@pytest.mark.slow  # a compile of its own; the default suite has the numpy twin
@pytest.mark.standalone
def test_kuramoto_cpp_standalone_matches_numpy():
    """Same deterministic network on both backends: same order parameter."""
    r_numpy, _ = stationary_r(4 * GAMMA)
    r_cpp, result = stationary_r(4 * GAMMA, backend="cpp_standalone")
    assert result.meta["backend"] == "cpp_standalone"
    assert r_cpp == pytest.approx(r_numpy, abs=1e-3)
    assert abs(r_cpp - theory_r(4)) <= 0.005


@pytest.mark.parametrize(
    ("kwargs", "match", "error"),
    [
        ({"n": 0}, r"kuramoto\.n", CircuitError),
        ({"coupling": 3}, r"kuramoto\.coupling", UnitsError),
        ({"coupling": -1 * Hz}, r"kuramoto\.coupling: must be >= 0", CircuitError),
        ({"gamma": 0 * Hz}, r"kuramoto\.gamma: must be > 0", CircuitError),
        ({"frequencies": "lorentz"}, r"kuramoto\.frequencies.*'quantiles'", CircuitError),
        ({"n": 3, "frequencies": [1, 2] * Hz}, r"kuramoto\.frequencies.*\(3,\)", CircuitError),
    ],
)
def test_kuramoto_refuses_bad_input(kwargs, match, error):
    with pytest.raises(error, match=match):
        kuramoto(**kwargs)


# ----------------------------------------------------------------------- frequency bank
TARGETS = (6, 12, 40)
BANK_DURATION = 2 * second
BANK_SEED = 1
SKIP = 0.3  # s: the start-up transient, and the filter's edge effects at both ends


@pytest.fixture(scope="module")
def bank_result():
    return frequency_bank(TARGETS).run(BANK_DURATION, seed=BANK_SEED)


def peak_frequency(sig, fs, target):
    """The spectral maximum between target/2 and 3 target/2.

    A PING rhythm is far from sinusoidal (sharp volleys, slow decay): its harmonics
    (2 f, 3 f) can carry more LFP power than the fundamental, so the search stops short
    of 2 f.  The band is wide enough to catch a module off by far more than 15 %.
    """
    freqs, power = qa.compute_spectrum(
        sig[int(SKIP * fs) :], fs, f_range=(target / 2, 1.5 * target)
    )
    return float(freqs[np.argmax(power)])


def module_plv(result, population, module, target):
    times, _ = result.spikes[population]
    times = times[(times > SKIP) & (times < result.duration - SKIP)]
    band = (0.7 * target, 1.3 * target)
    return qa.compute_plv(qa.spike_phases(times, module_lfp(result, module), result.fs, band))[0]


@pytest.mark.parametrize(("module", "target"), list(enumerate(TARGETS)))
def test_bank_module_oscillates_at_its_target(bank_result, module, target):
    peak = peak_frequency(module_lfp(bank_result, module), bank_result.fs, target)
    assert abs(peak - target) <= 0.15 * target, (target, peak)


@pytest.mark.parametrize(("module", "target"), list(enumerate(TARGETS)))
def test_bank_module_spikes_lock_to_their_own_rhythm(bank_result, module, target):
    assert module_plv(bank_result, f"E{module}", module, target) >= 0.3
    assert module_plv(bank_result, f"I{module}", module, target) >= 0.3


def test_bank_uncoupled_modules_do_not_lock_to_each_other(bank_result):
    # the 6 Hz module's E spikes against the 40 Hz module's rhythm (40/6 is not an
    # integer); with ~8 slow cycles the 40 Hz phases are sampled coarsely, so the chance
    # level is ~0.15, well below the locking criterion
    assert module_plv(bank_result, "E0", 2, TARGETS[2]) < 0.3


def test_bank_module_phases_advance_at_the_target_frequencies(bank_result):
    phases = module_phases(bank_result)
    assert phases.shape == (3, len(bank_result.times))
    inner = slice(int(SKIP * bank_result.fs), -int(SKIP * bank_result.fs))
    for phase, target in zip(phases, TARGETS, strict=True):
        unwrapped = np.unwrap(phase[inner])
        rate = (unwrapped[-1] - unwrapped[0]) / (2 * np.pi * (len(unwrapped) / bank_result.fs))
        assert abs(rate - target) <= 0.15 * target, (target, rate)


def test_bank_decay_of_inhibition_grows_with_the_period():
    circuit = frequency_bank((5, 10, 20, 40))
    taus = circuit.params["tau_gaba"] / ms
    assert np.all(np.diff(taus) < 0)
    assert TAU_GABA_RANGE[0] / ms <= taus.min() and taus.max() <= TAU_GABA_RANGE[1] / ms


def test_bank_coupling_creates_projections_between_modules():
    circuit = frequency_bank((6, 40), n_e=20, n_i=5, coupling=200 * pA)
    assert {"E0I1", "E1I0"} <= set(circuit.synapses)
    assert "E0I1" not in frequency_bank((6, 40), n_e=20, n_i=5).synapses


@pytest.mark.parametrize(
    ("kwargs", "match", "error"),
    [
        ({"frequencies": ()}, r"frequency_bank\.frequencies: must name at least one", CircuitError),
        (
            {"frequencies": (6, -12)},
            r"frequency_bank\.frequencies: .* > 0 Hz; got -12",
            CircuitError,
        ),
        (
            {"frequencies": (6, 200)},
            r"frequency_bank\.frequencies: 200 Hz cannot be reached; "
            r"a PING module reaches \d+\.\d-\d+\.\d Hz",
            CircuitError,
        ),
        (
            {"frequencies": (0.5,)},
            r"frequency_bank\.frequencies: 0\.5 Hz cannot be reached",
            CircuitError,
        ),
        ({"frequencies": [6, 12] * ms}, r"frequency_bank\.frequencies", UnitsError),
        ({"drive_e": 100 * pA}, r"frequency_bank\.drive_e: .*rheobase", CircuitError),
        ({"inhibition": 1 * nA}, r"frequency_bank\.inhibition", UnitsError),
        ({"p": 1.5}, r"frequency_bank\.p: must be a number in \(0, 1\]", CircuitError),
        (
            {"p_coupling": 0},
            r"frequency_bank\.p_coupling: must be a number in \(0, 1\]; got 0\. Use coupling=0",
            CircuitError,
        ),
    ],
)
def test_bank_refuses_bad_input(kwargs, match, error):
    with pytest.raises(error, match=match):
        frequency_bank(**kwargs)


def test_bank_reachable_range_covers_theta_to_gamma():
    low, high = REACHABLE_RANGE
    assert low < 4 and high > 45
    frequency_bank(frequencies=[low, high] * Hz)  # both ends are accepted
