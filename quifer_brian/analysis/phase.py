"""Band-pass filtering, instantaneous phase and amplitude, and spike phases."""

import numpy as np
from scipy import signal as sps

from ..errors import AnalysisError
from ._inputs import as_signal_and_fs, as_spike_times, check_f_range, check_span

__all__ = ["compute_amplitude", "compute_phase", "filter_signal", "spike_phases"]


def filter_signal(sig, fs=None, f_range=None, order=4):
    r"""Band-pass a signal with a zero-phase Butterworth filter.

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    f_range : (float, float) (Hz)
        Pass band. ``f_lo = 0`` gives a low-pass filter.
    order : int
        Butterworth order of the single-pass filter (the forward-backward pass squares
        the magnitude response).

    Returns
    -------
    filtered : 1-D array (signal units)

    Notes
    -----
    ``scipy.signal.butter`` in second-order sections, applied forward and backward
    (``sosfiltfilt``): :math:`|H_{zp}(f)| = |H(f)|^2` and zero phase, so phases
    computed from the output are not delayed. Near both ends the filter rings for a few
    times ``order / (pi * bandwidth)`` seconds (about 1 s for a 4 Hz wide theta
    band): discard that much data, or spikes there, when precision matters.

    References
    ----------
    Gustafsson (1996) Determining the initial states in forward-backward filtering.
    IEEE Trans Signal Process 44:988.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 2, 1 / fs)
    >>> mixed = np.sin(2 * np.pi * 6 * t) + np.sin(2 * np.pi * 60 * t)
    >>> theta = filter_signal(mixed, fs, (4, 8))
    >>> round(float(np.std(theta[500:-500]) * np.sqrt(2)), 2)
    1.0
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    return _bandpass(sig, fs, check_f_range(f_range, fs), order)


def _bandpass(sig, fs, f_range, order=4):
    f_lo, f_hi = f_range
    if f_hi >= fs / 2:
        raise AnalysisError(
            f"f_range: the upper edge {f_hi:g} Hz must lie below the Nyquist frequency "
            f"{fs / 2:g} Hz for a band-pass filter."
        )
    if f_lo <= 0:
        sos = sps.butter(order, f_hi, btype="lowpass", fs=fs, output="sos")
    else:
        sos = sps.butter(order, [f_lo, f_hi], btype="bandpass", fs=fs, output="sos")
    return sps.sosfiltfilt(sos, sig)


def _analytic(sig, fs, f_range, order=4):
    filtered = sig if f_range is None else _bandpass(sig, fs, f_range, order)
    return sps.hilbert(filtered)


def compute_phase(sig, fs=None, f_range=None, order=4):
    r"""Compute the instantaneous phase of a signal in a frequency band.

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    f_range : (float, float) (Hz), optional
        Band to filter to first (zero-phase, see :func:`filter_signal`). ``None`` uses
        the signal as it is (already narrow-band).
    order : int
        Butterworth order.

    Returns
    -------
    phase : 1-D array (rad)
        In :math:`(-\pi, \pi]`; 0 at the peaks of a cosine.

    Notes
    -----
    :math:`\phi(t) = \arg(x_f(t) + i\,\mathcal{H}[x_f](t))`, with :math:`x_f` the
    band-passed signal and :math:`\mathcal{H}` the Hilbert transform
    (``scipy.signal.hilbert``).

    References
    ----------
    Le Van Quyen et al. (2001) Comparison of Hilbert transform and wavelet methods for
    the analysis of neuronal synchrony. J Neurosci Methods 111:83.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 1, 1 / fs)
    >>> phase = compute_phase(np.cos(2 * np.pi * 10 * t), fs, (5, 15))
    >>> abs(float(phase[500])) < 0.02  # a cosine peak: phase 0
    True
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    f_range = check_f_range(f_range, fs, allow_none=True)
    return np.angle(_analytic(sig, fs, f_range, order))


def compute_amplitude(sig, fs=None, f_range=None, order=4):
    r"""Compute the instantaneous amplitude (envelope) of a signal in a band.

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    f_range : (float, float) (Hz), optional
        Band (zero-phase filter); ``None`` uses the signal as it is.
    order : int
        Butterworth order.

    Returns
    -------
    amplitude : 1-D array (signal units)

    Notes
    -----
    :math:`A(t) = |x_f(t) + i\,\mathcal{H}[x_f](t)|`.

    References
    ----------
    Bruns (2004) Fourier-, Hilbert- and wavelet-based signal analysis: are they really
    different approaches? J Neurosci Methods 137:321.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 1, 1 / fs)
    >>> amp = compute_amplitude(3 * np.cos(2 * np.pi * 40 * t), fs, (30, 50))
    >>> round(float(amp[500]), 2)
    3.0
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    f_range = check_f_range(f_range, fs, allow_none=True)
    return np.abs(_analytic(sig, fs, f_range, order))


def spike_phases(spike_times, sig, fs=None, f_range=None, order=4):
    r"""Return the phase of a band of a signal at each spike time.

    Parameters
    ----------
    spike_times : 1-D array (s), spike trains or result
        Spike times (any order), or any spike-train form (all neurons pooled).
        Time 0 is the signal's first sample.
    sig : 1-D array (signal units) or result
        The field (e.g. an LFP) sampled at ``fs``.
    fs : float (Hz)
    f_range : (float, float) (Hz), optional
        Band of the rhythm; ``None`` uses the signal as it is.
    order : int
        Butterworth order.

    Returns
    -------
    phases : 1-D array (rad)
        In :math:`[-\pi, \pi)`, one per spike, in the order given.

    Notes
    -----
    The unwrapped phase :math:`\phi(t)` (see :func:`compute_phase`) is linearly
    interpolated between samples at each spike time and wrapped back to
    :math:`[-\pi, \pi)`. Linear interpolation of the unwrapped phase is exact for a
    sinusoid and vectorised over spikes.

    References
    ----------
    Vinck et al. (2010) The pairwise phase consistency: a bias-free measure of
    rhythmic neuronal synchronization. NeuroImage 51:112.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 2, 1 / fs)
    >>> lfp = np.cos(2 * np.pi * 40 * t)
    >>> phases = spike_phases([0.5125, 1.00625], lfp, fs, (30, 50))
    >>> np.round(phases, 2).tolist()  # trough (-pi), then a quarter cycle after a peak
    [-3.14, 1.57]
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    f_range = check_f_range(f_range, fs, allow_none=True)
    times = as_spike_times(spike_times, "spike_times")
    check_span(times, sig.size, fs, "spike_times")
    unwrapped = np.unwrap(np.angle(_analytic(sig, fs, f_range, order)))
    # Linear interpolation on the uniform sample grid (equivalent to np.interp, faster).
    position = times * fs
    left = np.minimum(position.astype(np.intp), sig.size - 2)
    slope = np.diff(unwrapped)
    position -= left
    position *= slope[left]
    position += unwrapped[left]
    position += np.pi  # wrap in place to [-pi, pi)
    np.remainder(position, 2 * np.pi, out=position)
    position -= np.pi
    return position
