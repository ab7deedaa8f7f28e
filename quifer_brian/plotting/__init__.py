"""Figures: ``plot_*`` helpers that draw on one axes (:mod:`.axes`) and multi-panel
figures of a run returned as :class:`~matplotlib.figure.Figure` objects (:mod:`.figures`).
Nothing here chooses a matplotlib backend."""

from .axes import (
    plot_comodulogram,
    plot_phase_histogram,
    plot_population_rate,
    plot_raster,
    plot_spectrogram,
    plot_spectrum,
)
from .figures import (
    FIGURE_DPI,
    FIGURE_FORMATS,
    analysis_figures,
    display_spectrum,
    loop_figure,
    save_figures,
    theta_gamma_figures,
)

__all__ = [
    "FIGURE_DPI",
    "FIGURE_FORMATS",
    "analysis_figures",
    "display_spectrum",
    "loop_figure",
    "plot_comodulogram",
    "plot_phase_histogram",
    "plot_population_rate",
    "plot_raster",
    "plot_spectrogram",
    "plot_spectrum",
    "save_figures",
    "theta_gamma_figures",
]
