"""Tests of the neuron models against the firing patterns and f-I curves of their papers.

Anchors:

- Izhikevich 2003 (IEEE Trans Neural Netw 14:1569), fig. 2, step current I = 10 (10 pA
  through the model's C_m = 1 pF): RS adapts, FS fires fast, CH fires repeated bursts,
  IB fires one initial burst then single spikes, LTS adapts.
- Naud, Marcille, Clopath & Gerstner 2008 (Biol Cybern 99:335), table 1 / fig. 4: the
  AdEx parameter sets of ``ADEX_PATTERNS`` with their step currents give tonic spiking,
  adaptation, an initial burst and regular bursting.
- Wang & Buzsaki 1996 (J Neurosci 16:6402), fig. 1: the interneuron starts firing
  repetitively at I_c = 0.16 uA/cm2 and its rate rises monotonically to about 400 Hz at
  20 uA/cm2.  With the default area of 1e-4 cm2, 1 uA/cm2 is 100 pA.
- The reduced Traub-Miles cell (Ermentrout & Kopell 1998; Borgers & Kopell 2003) fires
  repetitively with a monotone f-I curve.

The LIF f-I curve is tested with the theory module (tests/test_theory.py).  All models
here are deterministic; every run is on numpy with the time step given below.
"""

import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, ms, mV, nS, pA, pF

from quifer_brian.equations import (
    ADEX_PATTERNS,
    IZHIKEVICH_PRESETS,
    adex,
    izhikevich,
    traub_miles,
    wang_buzsaki,
)

# Naud et al. 2008, table 1 (Delta_T = 2 mV in every row), as transcribed in Brian2's
# examples/frompapers/Naud_et_al_2008_adex_firing_patterns.py and in an independent
# transcription elsewhere (the two agree; the paper itself was not reachable):
# C pF, g_L nS, E_L mV, V_T mV, a nS, tau_w ms, b pA, V_r mV, step current pA.
NAUD_2008_TABLE_1 = {
    "tonic": (200, 10, -70, -50, 2, 30, 0, -58, 500),
    "adapting": (200, 12, -70, -50, 2, 300, 60, -58, 500),
    "initial_burst": (130, 18, -58, -50, 4, 150, 120, -50, 400),
    "bursting": (200, 10, -58, -50, 2, 120, 100, -46, 210),
    "irregular": (100, 12, -60, -50, -11, 130, 30, -48, 160),
    "transient": (100, 10, -65, -50, 10, 90, 100, -47, 180),
    "delayed_accelerating": (200, 12, -70, -50, -10, 300, 0, -58, 300),
    "delayed_bursting": (100, 10, -65, -50, -10, 90, 30, -47, 110),
}

# Izhikevich and AdEx: Euler at 0.1 ms (every criterion below also holds at 0.01 ms).
DT_POINT = 0.1 * ms
IZHIKEVICH_STEP = 10 * pA  # Izhikevich 2003's I = 10 with C_m = 1 pF
IZHIKEVICH_DURATION = 300 * ms
ADEX_DURATION = 500 * ms

# Spike-train criteria (dimensionless ratios).
ADAPTING_RATIO = 1.5  # last ISI / first ISI above this: the train adapts
NON_ADAPTING_RATIO = 1.2  # ... below this: it does not
TONIC_CV = 0.02  # CV of the ISIs after the first two below this: tonic
BURST_GAP = 4.0  # bimodal: the long ISI mode starts >= 4x above the short one
MIN_BURSTS = 3  # a bursting train repeats its burst (>= 3 inter-burst intervals)
FS_MIN_RATE = 100.0  # Hz; Izhikevich 2003: FS fires "with extremely high frequency"

# Wang-Buzsaki: densities in uA/cm2 -> currents through the default area 1e-4 cm2.
PA_PER_UA_CM2 = 100.0
WB_DENSITIES = np.array([0.12, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0])  # uA/cm2
WB_DURATION = 350 * ms
WB_SETTLE = 100 * ms  # rates are measured on the spikes after this
WB_RHEOBASE = 0.16  # uA/cm2, Wang & Buzsaki 1996
# Rates read off WB 1996 fig. 1C (about 60 Hz at 1 uA/cm2, about 400 Hz at 20 uA/cm2);
# reading a printed curve is good to about 15 %.  The 400 Hz and I_c come from the issue's
# reading of the figure; the 60 Hz is from memory of the figure: neither was rechecked
# against the paper (no copy was reachable).
WB_PUBLISHED_RATES = {1.0: 60.0, 20.0: 400.0}  # uA/cm2 -> Hz
WB_FIGURE_TOLERANCE = 0.15

# Traub-Miles (dt 0.02 ms, slow on numpy): short run, rates from the ISIs.
TM_DENSITIES = np.array([2.0, 6.0, 20.0])  # uA/cm2
TM_DURATION = 50 * ms
REGULAR_CV = 0.05  # repetitive firing: at least 3 spikes with regular ISIs


# ---------------------------------------------------------------- helpers
def _run(groups, duration):
    """Run ``groups`` with spike monitors; return the spike times (ms) of every neuron."""
    monitors = [SpikeMonitor(group) for group in groups]
    Network(*groups, *monitors).run(duration, namespace={})
    return [
        [np.asarray(train / ms) for train in monitor.spike_trains().values()]
        for monitor in monitors
    ]


def burst_split(isi):
    """Split ISIs at the largest ratio between consecutive sorted values.

    Returns ``(gap, n_short, n_long)``: ``gap`` is the shortest ISI of the long mode over
    the longest of the short mode.  A bursting train has a large gap, several intra-burst
    ISIs (short) per inter-burst ISI (long), and repeats (several long ISIs).
    """
    ordered = np.sort(isi)
    ratios = ordered[1:] / ordered[:-1]
    k = int(np.argmax(ratios))
    return float(ratios[k]), k + 1, len(ordered) - k - 1


def is_bursting(isi):
    gap, n_short, n_long = burst_split(isi)
    return gap > BURST_GAP and n_long >= MIN_BURSTS and n_short >= n_long


# ---------------------------------------------------------------- Izhikevich
@pytest.fixture(scope="module")
def izhikevich_isis():
    """ISIs (ms) of every Izhikevich 2003 preset under the step current, one network."""
    groups = []
    for name, params in IZHIKEVICH_PRESETS.items():
        group = izhikevich.group(1, name=f"izh_{name}", dt=DT_POINT, **params)
        group.I_ext = IZHIKEVICH_STEP
        groups.append(group)
    spikes = _run(groups, IZHIKEVICH_DURATION)
    return {name: np.diff(s[0]) for name, s in zip(IZHIKEVICH_PRESETS, spikes, strict=True)}


@pytest.mark.parametrize("name", ["RS", "LTS"])
def test_izhikevich_adapting_presets_adapt(izhikevich_isis, name):
    isi = izhikevich_isis[name]
    ratio = isi[-1] / isi[0]
    assert ratio > ADAPTING_RATIO, f"{name}: last/first ISI = {ratio:.2f} (ISIs {isi[:6]} ms)"
    assert not is_bursting(isi), f"{name} should not burst: {burst_split(isi)}"


def izhikevich_reference_isis(a, b, c, d, current, duration, dt=0.01):
    """ISIs (ms) of Izhikevich (2003)'s published equations in plain Python, forward
    Euler at ``dt`` ms, from v = c, u = b c (the group's initial values)."""
    v, u, spikes = c, b * c, []
    for step in range(round(duration / dt)):
        v, u = v + dt * (0.04 * v * v + 5 * v + 140 - u + current), u + dt * a * (b * v - u)
        if v >= 30:
            spikes.append(step * dt)
            v, u = c, u + d
    return np.diff(spikes)


def test_izhikevich_fs_adapts_briefly_as_published(izhikevich_isis):
    """Decision on the foundation issue's "FS does not adapt (last/first ISI < 1.2)":
    Izhikevich (2003)'s FS (a = 0.1: 1/a = 10 ms) adapts fast and briefly -- ISIs 4.3,
    5.9, 7.1, 7.4, 7.4 ms at I = 10, last/first 1.7 -- then fires tonically.  The group
    must reproduce the published equations (independent integration), adaptation over
    within four spikes."""
    isi = izhikevich_isis["FS"]
    params = {
        k: float(v / mV) if hasattr(v, "dim") else v for k, v in IZHIKEVICH_PRESETS["FS"].items()
    }
    # the same forward Euler at the group's 0.1 ms: the group's ISIs to 2 %
    same_step = izhikevich_reference_isis(**params, current=10, duration=300, dt=0.1)
    np.testing.assert_allclose(isi[:6], same_step[:6], rtol=0.02)
    # and dt = 0.1 ms stays within 7 % of the converged (0.01 ms) published ISIs
    converged = izhikevich_reference_isis(**params, current=10, duration=300)
    np.testing.assert_allclose(same_step[:6], converged[:6], rtol=0.07)
    steady = isi[3:]
    assert np.ptp(steady) / steady.mean() < 0.03, f"FS ISIs from the 4th on: {steady} ms"


def test_izhikevich_fs_fires_fast_and_regularly(izhikevich_isis):
    fs, rs = izhikevich_isis["FS"], izhikevich_isis["RS"]
    rate_fs, rate_rs = 1000 / fs[-1], 1000 / rs[-1]
    assert rate_fs > FS_MIN_RATE, f"FS steady rate {rate_fs:.0f} Hz"
    assert rate_fs > 4 * rate_rs, f"FS {rate_fs:.0f} Hz vs RS {rate_rs:.0f} Hz"
    tail = fs[3:]
    assert tail.std() / tail.mean() < TONIC_CV, f"FS ISIs after the 3rd: {tail} ms"
    assert not is_bursting(fs)


def test_izhikevich_ch_fires_bursts(izhikevich_isis):
    isi = izhikevich_isis["CH"]
    gap, n_short, n_long = burst_split(isi)
    assert gap > BURST_GAP, f"CH ISI modes not separated: gap ratio {gap:.1f} ({isi} ms)"
    assert n_long >= MIN_BURSTS, f"CH: only {n_long} inter-burst intervals"
    assert n_short >= 2 * n_long, f"CH: {n_short} intra-burst ISIs for {n_long} bursts"


def test_izhikevich_ib_bursts_once_then_spikes(izhikevich_isis):
    """IB: one initial burst (a short first ISI), then regular single spikes."""
    isi = izhikevich_isis["IB"]
    gap, n_short, _ = burst_split(isi)
    assert gap > BURST_GAP and n_short == 1, f"IB ISIs {isi} ms"
    assert isi.argmin() == 0
    assert not is_bursting(isi)


# ---------------------------------------------------------------- AdEx
@pytest.fixture(scope="module")
def adex_isis():
    """ISIs (ms) of the Naud et al. 2008 patterns, each with its step current."""
    names = ["tonic", "adapting", "initial_burst", "bursting"]
    groups = []
    for name in names:
        params, current = ADEX_PATTERNS[name]
        group = adex.group(1, name=f"adex_{name}", dt=DT_POINT, **params)
        group.I_ext = current
        groups.append(group)
    spikes = _run(groups, ADEX_DURATION)
    return {name: np.diff(s[0]) for name, s in zip(names, spikes, strict=True)}


def test_adex_tonic(adex_isis):
    isi = adex_isis["tonic"]
    tail = isi[2:]
    cv = tail.std() / tail.mean()
    assert len(isi) > 20, f"tonic: only {len(isi)} ISIs"
    assert cv < TONIC_CV, f"tonic: CV of ISIs after the first two = {cv:.3f}"
    assert isi[-1] / isi[0] < NON_ADAPTING_RATIO


def test_adex_adapting(adex_isis):
    isi = adex_isis["adapting"]
    ratio = isi[-1] / isi[0]
    assert ratio > 2 * ADAPTING_RATIO, f"adapting: last/first ISI = {ratio:.2f}"
    growth = np.diff(isi)
    assert np.all(growth > -DT_POINT / ms), f"adapting ISIs must not shrink: {isi} ms"
    settled = abs(isi[-1] - isi[-2]) / isi[-1]
    assert settled < 0.02, f"adapting ISIs still changing by {settled:.1%}: {isi} ms"
    assert not is_bursting(isi)


def test_adex_initial_burst(adex_isis):
    isi = adex_isis["initial_burst"]
    gap, n_short, _ = burst_split(isi)
    assert gap > BURST_GAP and n_short == 2, f"initial burst ISIs {isi} ms"
    assert np.all(isi[:2] < isi[2:].min()), f"the short ISIs must come first: {isi} ms"
    tail = isi[3:]
    assert tail.std() / tail.mean() < TONIC_CV, f"tonic after the burst: {isi} ms"


def test_adex_regular_bursting(adex_isis):
    isi = adex_isis["bursting"]
    gap, n_short, n_long = burst_split(isi)
    assert gap > BURST_GAP, f"bursting: ISI gap ratio {gap:.1f} ({isi} ms)"
    assert n_long >= MIN_BURSTS, f"bursting: only {n_long} inter-burst intervals ({isi} ms)"
    assert n_short >= n_long
    assert is_bursting(isi)
    assert not is_bursting(adex_isis["tonic"])


@pytest.mark.parametrize("name", sorted(NAUD_2008_TABLE_1))
def test_adex_patterns_match_naud_2008_table(name):
    params, current = ADEX_PATTERNS[name]
    C, g_L, E_L, V_T, a, tau_w, b, V_r, step = NAUD_2008_TABLE_1[name]
    expected = dict(
        C_m=C * pF,
        g_L=g_L * nS,
        E_L=E_L * mV,
        V_T=V_T * mV,
        Delta_T=2 * mV,
        a=a * nS,
        tau_w=tau_w * ms,
        b=b * pA,
        V_r=V_r * mV,
    )
    for key, value in expected.items():
        assert params[key] == value, f"{name}.{key}: {params[key]} != {value}"
    assert current == step * pA, f"{name}: step current {current} != {step} pA"


# ---------------------------------------------------------------- Hodgkin-Huxley types
def _rates(trains, settle):
    """Rate (Hz) from the mean ISI after ``settle`` (ms); 0 if fewer than 2 spikes."""
    rates = []
    for train in trains:
        late = train[train > settle]
        rates.append(1000 / np.diff(late).mean() if len(late) > 1 else 0.0)
    return np.array(rates)


@pytest.fixture(scope="module")
def wb_trains():
    group = wang_buzsaki.group(len(WB_DENSITIES), name="wb_fi")
    group.I_ext = WB_DENSITIES * PA_PER_UA_CM2 * pA
    (trains,) = _run([group], WB_DURATION)
    assert not np.any(np.isnan(group.v[:])), "Wang-Buzsaki produced NaN"
    return trains


def test_wang_buzsaki_rheobase(wb_trains):
    rates = _rates(wb_trains, WB_SETTLE / ms)
    below = WB_DENSITIES < WB_RHEOBASE
    assert np.all(rates[below] == 0), (
        f"fires below I_c: {dict(zip(WB_DENSITIES, rates, strict=True))}"
    )
    assert np.all(rates[~below] > 0), (
        f"silent above I_c: {dict(zip(WB_DENSITIES, rates, strict=True))}"
    )


def test_wang_buzsaki_fires_repetitively_with_monotone_fi(wb_trains):
    rates = _rates(wb_trains, WB_SETTLE / ms)
    above = WB_DENSITIES > WB_RHEOBASE
    for density, train in zip(
        WB_DENSITIES[above], np.array(wb_trains, dtype=object)[above], strict=True
    ):
        isi = np.diff(train[train > WB_SETTLE / ms])
        assert len(isi) >= 2 and isi.std() / isi.mean() < REGULAR_CV, (
            f"{density} uA/cm2: ISIs {isi} ms"
        )
    assert np.all(np.diff(rates[above]) > 0), f"f-I not monotone: {rates[above]} Hz"


@pytest.mark.parametrize(("density", "published"), sorted(WB_PUBLISHED_RATES.items()))
def test_wang_buzsaki_matches_published_fi(wb_trains, density, published):
    rate = _rates(wb_trains, WB_SETTLE / ms)[list(WB_DENSITIES).index(density)]
    assert rate == pytest.approx(published, rel=WB_FIGURE_TOLERANCE), (
        f"{density} uA/cm2: {rate:.1f} Hz, WB 1996 fig. 1C about {published} Hz"
    )


def test_traub_miles_fires_repetitively_with_monotone_fi():
    group = traub_miles.group(len(TM_DENSITIES), name="tm_fi")
    group.I_ext = TM_DENSITIES * PA_PER_UA_CM2 * pA
    (trains,) = _run([group], TM_DURATION)
    assert not np.any(np.isnan(group.v[:])), "Traub-Miles produced NaN"
    for density, train in zip(TM_DENSITIES, trains, strict=True):
        isi = np.diff(train)
        assert len(isi) >= 2 and isi.std() / isi.mean() < REGULAR_CV, (
            f"{density} uA/cm2: ISIs {isi} ms"
        )
    rates = _rates(trains, 0.0)
    assert np.all(np.diff(rates) > 0), f"f-I not monotone: {rates} Hz"
