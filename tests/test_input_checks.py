"""Inputs of the codes, the f-I protocol, circuit runs and the seed helper: refused with
a clear error before anything is drawn, allocated, built or run."""

import numpy as np
import pytest
from brian2 import ms, nA, second

from quifer_brian.checks import MAX_SEED, check_seed
from quifer_brian.coding import decode_rate, encode_phase, encode_population, encode_rate
from quifer_brian.errors import AnalysisError, CircuitError, LoopError, ModelError
from quifer_brian.networks import kuramoto, ping
from quifer_brian.networks.actualization import actualization_loop
from quifer_brian.protocols import simulate_fi_curve


@pytest.mark.parametrize("seed", [-1, 2**32, 2.5, "1", True])
def test_check_seed_refuses_what_numpy_and_brian2_cannot_take(seed):
    with pytest.raises(ModelError, match=r"run\.seed: must be an integer in \[0, 4294967295\]"):
        check_seed("seed", seed, owner="run")


def test_check_seed_accepts_the_whole_range_and_none():
    assert check_seed("seed", 0) == 0
    assert check_seed("seed", np.int64(MAX_SEED)) == MAX_SEED
    assert check_seed("seed", None) is None
    with pytest.raises(ModelError, match="must be an integer"):
        check_seed("seed", None, allow_none=False)


@pytest.mark.parametrize(
    ("encode", "match"),
    [
        (lambda: encode_rate([0.5], 1.0, r_max=np.inf), r"encode_rate\.r_max: must be a finite"),
        (lambda: encode_rate([0.5], 1.0, seed=-1), r"encode_rate\.seed: must be an integer in"),
        (lambda: encode_rate([0.5], 1e6, r_max=1e9), r"encode_rate: about 5e\+14 spikes .* TiB"),
        (
            lambda: encode_rate([0.5], 0.1, neurons_per_dim=10**12),
            r"encode_rate: values x neurons_per_dim make 1000000000000 neurons",
        ),
        (
            lambda: encode_population([0.5], 0.1, neurons_per_dim=10**12),
            r"encode_population\.neurons_per_dim: must be an integer <= 100000000",
        ),
        (lambda: encode_population([0.5], 0.1, seed=2**33), r"encode_population\.seed"),
        (lambda: encode_phase([0.5], 1e9, frequency=1e6), r"encode_phase: about 1e\+15 spikes"),
    ],
)
def test_codes_refuse_bad_seeds_and_sizes_before_drawing(encode, match):
    with pytest.raises(ModelError, match=match):
        encode()


def test_a_decoding_window_must_end():
    """An infinite t_stop divided the counts by inf: every rate came out 0."""
    with pytest.raises(AnalysisError, match=r"decode_rate\.t_stop: must be a finite time"):
        decode_rate([0.1], [0], (1, 1), t_start=0.0, t_stop=np.inf)
    decoded = decode_rate([0.1, 0.2], [0, 0], (1, 1), t_start=0.0, t_stop=1.0, r_max=2.0)
    assert decoded.tolist() == [[1.0]]  # 2 spikes in 1 s at r_max 2 Hz: the value 1


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: simulate_fi_curve([0.1, np.nan] * nA), r"simulate_fi_curve\.currents: must be"),
        (
            lambda: simulate_fi_curve([0.1] * nA, duration=np.inf * second),
            r"\.duration: must be a finite time > 0",
        ),
        (
            lambda: simulate_fi_curve([0.1] * nA, duration=-1 * second),
            r"\.duration: must be a finite time > 0",
        ),
        (lambda: simulate_fi_curve([0.1] * nA, dt=np.nan * ms), r"simulate_fi_curve\.dt"),
        (lambda: simulate_fi_curve([0.1] * nA, seed=-3), r"simulate_fi_curve\.seed"),
    ],
)
def test_the_fi_protocol_checks_its_inputs(call, match):
    with pytest.raises(ModelError, match=match):
        call()


@pytest.mark.parametrize(
    ("run", "match"),
    [
        (
            lambda: ping(n_e=8, n_i=2).run(3 * ms),
            r"ping\.run\.duration: must be at least 7\. ms \(the LFP delay 6\. ms plus one "
            r"sample at 1\. kHz\); got 3\. ms",
        ),
        (
            lambda: ping(n_e=8, n_i=2).run(np.inf * second),
            r"ping\.run\.duration: must be a finite time > 0",
        ),
        (
            lambda: ping(n_e=8, n_i=2).run(np.nan * second),
            r"ping\.run\.duration: must be a finite time > 0",
        ),
        (
            # ran for ever with a progress bar promising 17 million days, growing its arrays
            lambda: ping(n_e=8, n_i=2).run(1e12 * second),
            r"ping\.run: duration=1\. Ts, recorded at 1\. kHz or finer \(1e\+15 samples per "
            r"signal\), would need about 7\.28e\+03 TiB of memory, more than this machine has "
            r"\(.*\)\. Run for a shorter duration\.$",
        ),
        (lambda: kuramoto(n=4).run(0.5 * ms), r"kuramoto\.run\.duration: must be at least 1\. ms"),
        (
            lambda: ping(n_e=8, n_i=2).run(10 * ms, seed=-1),
            r"ping\.run\.seed: must be an integer in \[0, 4294967295\]",
        ),
        (lambda: ping(n_e=8, n_i=2).run(10 * ms, seed=1.5), r"ping\.run\.seed"),
    ],
)
def test_a_circuit_run_checks_duration_and_seed_before_building(run, match):
    """A duration shorter than the LFP delay plus one sample gave a raw numpy traceback
    (or a wrong LFP); a negative seed a raw Brian2/numpy one."""
    with pytest.raises(CircuitError, match=match):
        run()


def test_the_shortest_valid_run_gives_its_lfp():
    result = ping(n_e=8, n_i=2).run(7 * ms, seed=1, check=False)
    assert result.lfp.shape == (7,)


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (dict(duration=np.inf * second), r"actualize\.duration: must be a finite value > 0"),
        (dict(seed=-1), r"actualize\.seed: must be an integer in \[0, 4294967295\]"),
        (dict(decay_rate=np.inf), r"actualize\.decay_rate: must be a finite real number"),
        (dict(noise_amplitude=np.nan * nA), r"actualize\.noise_amplitude: must be a finite"),
    ],
)
def test_the_loop_refuses_non_finite_options_and_bad_seeds(options, match):
    loop = actualization_loop(
        2, archetypes=[[0.2, 0.3], [0.8, 0.7]], batch=1, neurons_per_dim=10, memory_size=2
    )
    duration = options.pop("duration", 100 * ms)
    with pytest.raises(LoopError, match=match):
        loop.actualize([[0.2, 0.3]], duration, **options)
