"""Measure rhythms and phase locking in spiking-network output.

Spectra (:mod:`.spectral`), peaks above the aperiodic background (:mod:`.peaks`),
band-pass phase and amplitude (:mod:`.phase`), a population's rhythm from its
spike-rate autocorrelation (:mod:`.rhythm`), spike-field phase locking
(:mod:`.locking`), phase-amplitude coupling (:mod:`.coupling`), population synchrony
(:mod:`.synchrony`) and spike-train statistics (:mod:`.spikes`); the named frequency
bands (:mod:`.bands`), composite measures of a run (:mod:`.measures`: PING gamma,
Brunel's state signatures, theta-gamma, the run summary and analysis), the rhythm of
trials side by side (:mod:`.trials`), the clocks' phases (:mod:`.clocks`) and the sweep
metrics' registry (:mod:`.metrics`).

Inputs: signals as 1-D arrays with ``fs`` in Hz; spike trains as ``(times, indices)``
(a Brian2 ``SpikeMonitor``'s ``t``, ``i``), a list of per-neuron time arrays, or a
result object (``.spikes``, ``.lfp``, ``.fs``); times in seconds or as Brian2
quantities. Everything runs without Brian2. See :mod:`quifer_brian.analysis._inputs`.
"""

from .bands import (
    BANDS,
    GAMMA_BACKGROUND_BAND,
    GAMMA_BAND,
    GAMMA_SEARCH_BAND,
    LFP_FIT_RANGE,
    RATE_RHYTHM_BAND,
    SHOT_NOISE_BAND,
    THETA_BAND,
    get_band,
)
from .clocks import mean_field_phase, module_lfp, module_phases, order_parameter
from .coupling import (
    MISurrogateResult,
    compute_comodulogram,
    compute_mi_surrogates,
    compute_modulation_index,
)
from .locking import (
    RayleighResult,
    compute_plv,
    compute_ppc,
    compute_spike_field_coherence,
    rayleigh_test,
)
from .measures import (
    analyse_result,
    analyse_theta_gamma,
    compute_lfp_spectrum,
    compute_rate_rhythms,
    compute_theta_gamma_coupling,
    gamma_measures,
    state_signatures,
    summarise_run,
    theta_gamma_bands,
)
from .metrics import (
    DEFAULT_METRICS,
    STANDARD_METRICS,
    Metric,
    get_metric,
    list_metrics,
    measure,
    register_metric,
    resolve_metrics,
)
from .peaks import POOR_FIT_R_SQUARED, Peak, PeakFit, compute_spectral_peaks, find_peaks
from .phase import compute_amplitude, compute_phase, filter_signal, spike_phases
from .rhythm import compute_rate_autocorrelation, compute_rhythm_frequency
from .spectral import compute_band_power, compute_spectrogram, compute_spectrum
from .spikes import compute_cv_isi, compute_fano_factor, compute_population_rate, compute_rates
from .synchrony import (
    compute_chi,
    compute_kuramoto_order,
    compute_kuramoto_order_spikes,
    compute_spike_train_phases,
)
from .trials import compute_trial_rhythm

__all__ = [
    "BANDS",
    "DEFAULT_METRICS",
    "GAMMA_BACKGROUND_BAND",
    "GAMMA_BAND",
    "GAMMA_SEARCH_BAND",
    "LFP_FIT_RANGE",
    "POOR_FIT_R_SQUARED",
    "RATE_RHYTHM_BAND",
    "SHOT_NOISE_BAND",
    "STANDARD_METRICS",
    "THETA_BAND",
    "MISurrogateResult",
    "Metric",
    "Peak",
    "PeakFit",
    "RayleighResult",
    "analyse_result",
    "analyse_theta_gamma",
    "compute_amplitude",
    "compute_band_power",
    "compute_chi",
    "compute_comodulogram",
    "compute_cv_isi",
    "compute_fano_factor",
    "compute_kuramoto_order",
    "compute_kuramoto_order_spikes",
    "compute_lfp_spectrum",
    "compute_mi_surrogates",
    "compute_modulation_index",
    "compute_phase",
    "compute_plv",
    "compute_population_rate",
    "compute_ppc",
    "compute_rate_autocorrelation",
    "compute_rate_rhythms",
    "compute_rates",
    "compute_rhythm_frequency",
    "compute_spectral_peaks",
    "compute_spectrogram",
    "compute_spectrum",
    "compute_spike_field_coherence",
    "compute_spike_train_phases",
    "compute_theta_gamma_coupling",
    "compute_trial_rhythm",
    "filter_signal",
    "find_peaks",
    "gamma_measures",
    "get_band",
    "get_metric",
    "list_metrics",
    "mean_field_phase",
    "measure",
    "module_lfp",
    "module_phases",
    "order_parameter",
    "rayleigh_test",
    "register_metric",
    "resolve_metrics",
    "spike_phases",
    "state_signatures",
    "summarise_run",
    "theta_gamma_bands",
]
