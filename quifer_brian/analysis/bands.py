"""Named frequency bands (Hz), defined once for every measure of the package.

Each band is a ``(low, high)`` pair in Hz, inclusive at both ends where a measure
selects frequencies or peaks with it.  :data:`BANDS` holds them by name.

Two different "gamma" bands are in use, on purpose: :data:`GAMMA_BAND` (30-100 Hz) is
where a gamma *peak above the aperiodic fit* is looked for in an LFP spectrum (the
theta-gamma analysis, the run analysis), while :data:`GAMMA_SEARCH_BAND` (20-120 Hz) is
the wider band in which :func:`~quifer_brian.analysis.gamma_measures` takes the raw
spectral maximum of a PING / ING LFP proxy (slow inhibition moves PING below 30 Hz).

Examples
--------
>>> BANDS["theta"]
(4.0, 12.0)
>>> get_band("gamma")
(30.0, 100.0)
"""

from types import MappingProxyType

from ..errors import AnalysisError, did_you_mean

__all__ = [
    "BANDS",
    "GAMMA_BACKGROUND_BAND",
    "GAMMA_BAND",
    "GAMMA_SEARCH_BAND",
    "LFP_FIT_RANGE",
    "RATE_RHYTHM_BAND",
    "SHOT_NOISE_BAND",
    "THETA_BAND",
    "get_band",
]

#: Theta rhythm: where a theta peak of the LFP spectrum is looked for.
THETA_BAND = (4.0, 12.0)
#: Gamma rhythm: where a gamma peak above the aperiodic fit is looked for.
GAMMA_BAND = (30.0, 100.0)
#: Wide gamma: where the spectral maximum of a PING / ING LFP proxy is taken.
GAMMA_SEARCH_BAND = (20.0, 120.0)
#: Above gamma: the background a gamma peak's power is compared with.
GAMMA_BACKGROUND_BAND = (150.0, 250.0)
#: Rhythms of a population rate (Brunel's fast and slow oscillations).
RATE_RHYTHM_BAND = (5.0, 600.0)
#: Shot-noise floor of a population rate binned at 0.5 ms.
SHOT_NOISE_BAND = (700.0, 1000.0)
#: Frequencies of an LFP spectrum fitted for peaks above the aperiodic background.
LFP_FIT_RANGE = (2.0, 100.0)

#: Every named band, by name (read-only).
BANDS = MappingProxyType(
    {
        "theta": THETA_BAND,
        "gamma": GAMMA_BAND,
        "gamma_search": GAMMA_SEARCH_BAND,
        "gamma_background": GAMMA_BACKGROUND_BAND,
        "rate_rhythm": RATE_RHYTHM_BAND,
        "shot_noise": SHOT_NOISE_BAND,
        "lfp_fit": LFP_FIT_RANGE,
    }
)


def get_band(name):
    """Return the band called ``name`` as ``(low, high)`` in Hz.

    Raises
    ------
    AnalysisError
        For an unknown name, listing the known ones.
    """
    try:
        return BANDS[name]
    except (KeyError, TypeError):
        raise AnalysisError(
            f"band: unknown band {name!r}; {did_you_mean(name, BANDS)}the named bands are "
            f"{', '.join(BANDS)}, or pass "
            f"(low, high) in Hz."
        ) from None
