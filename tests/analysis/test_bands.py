"""Named frequency bands: defined once, with the bounds every measure used before."""

import pytest

from quifer_brian.analysis import (
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
from quifer_brian.errors import AnalysisError


def test_the_bounds_of_every_band():
    assert THETA_BAND == (4.0, 12.0)
    assert GAMMA_BAND == (30.0, 100.0)
    assert GAMMA_SEARCH_BAND == (20.0, 120.0)
    assert GAMMA_BACKGROUND_BAND == (150.0, 250.0)
    assert RATE_RHYTHM_BAND == (5.0, 600.0)
    assert SHOT_NOISE_BAND == (700.0, 1000.0)
    assert LFP_FIT_RANGE == (2.0, 100.0)
    for low, high in BANDS.values():
        assert 0 < low < high


def test_bands_by_name_are_read_only():
    assert get_band("theta") is THETA_BAND and BANDS["gamma"] is GAMMA_BAND
    with pytest.raises(TypeError):
        BANDS["theta"] = (5.0, 10.0)


def test_unknown_band_lists_the_named_ones():
    with pytest.raises(
        AnalysisError,
        match=r"band: unknown band 'beta'; did you mean 'theta'\? the named bands are",
    ):
        get_band("beta")
