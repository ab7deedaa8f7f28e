"""Figures read as published ones: labels never overlap or get clipped, axes carry units
(LFP proxy in pA, phase in rad), spectra state their resolution, formats and dpi."""

import re
import warnings
from pathlib import Path
from types import SimpleNamespace

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from quifer_brian import plotting
from quifer_brian.analysis import analyse_result, analyse_theta_gamma
from quifer_brian.cli.main import main
from quifer_brian.errors import FigureError
from quifer_brian.results import Result

FS = 1000.0


@pytest.fixture(scope="module")
def run():
    """3 s of a theta-nested 40 Hz LFP (amperes, ~nA) with gamma-locked E spikes."""
    rng = np.random.default_rng(1)
    n = int(3.0 * FS)
    t = np.arange(n) / FS
    theta = 2 * np.pi * 8 * t
    gamma = 2 * np.pi * 40 * t + np.cumsum(rng.normal(0, 0.02, n))
    lfp = (np.cos(theta) + 0.6 * (1 + 0.8 * np.cos(theta)) * np.cos(gamma)) * 1e-9
    lfp = lfp + 0.3e-9 * rng.normal(size=n)
    spikes, rates = {}, {}
    for name, size, base in (("E", 100, 5.0), ("I", 25, 20.0)):
        p = base * np.exp(1.5 * np.cos(gamma)) / np.i0(1.5) / FS
        cells, steps = np.nonzero(rng.random((size, n)) < p)
        order = np.argsort(steps)
        spikes[name] = (steps[order] / FS, cells[order].astype(np.int32))
        rates[name] = np.bincount(steps, minlength=n) / size * FS
    result = Result(
        spikes,
        {"E": 100, "I": 25},
        3.0,
        rates=rates,
        rate_dt=1 / FS,
        lfp=lfp,
        fs=FS,
        meta={"circuit": "synthetic", "backend": "numpy", "seed": 1},
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        measures = analyse_result(result, n_surrogates=5)
        theta_gamma = analyse_theta_gamma(result, n_surrogates=5, bands=((6, 10), (30, 50)))
    return SimpleNamespace(result=result, measures=measures, theta_gamma=theta_gamma)


def _all_figures(run):
    figures = dict(plotting.analysis_figures(run.result, run.measures))
    figures.update(
        {
            f"tg_{k}": v
            for k, v in plotting.theta_gamma_figures(run.result, run.theta_gamma, 0.2).items()
        }
    )
    n_trials = 3
    times = np.arange(0, 0.5, 1e-3)
    onsets = np.arange(n_trials) * 0.125
    trajectory = np.full((times.size, n_trials, 2), 0.5)
    loop_run = SimpleNamespace(
        times=times, trajectory=trajectory, distance=np.zeros((times.size, n_trials))
    )
    figures["loop"] = plotting.loop_figure(
        run.result, 0.3, loop_run, onsets, onsets + 0.1, np.array([[0.2, 0.8]]), 0.1
    )
    return figures


def test_no_label_title_or_tick_is_clipped(run):
    for name, figure in _all_figures(run).items():
        renderer = FigureCanvasAgg(figure).get_renderer()
        figure.draw(renderer)
        box = figure.bbox
        drawn = [axis.get_tightbbox(renderer) for axis in figure.axes]  # ticks, labels, title
        drawn += [text.get_window_extent(renderer) for text in figure.texts]  # suptitle
        for extent in drawn:
            assert extent.x0 >= box.x0 - 1 and extent.x1 <= box.x1 + 1, name
            assert extent.y0 >= box.y0 - 1 and extent.y1 <= box.y1 + 1, name
        assert figure.get_layout_engine() is not None  # constrained layout


def test_crowded_peak_labels_do_not_overlap():
    freqs = np.arange(0.5, 200.0, 0.5)
    fit = SimpleNamespace(
        f_range=(2.0, 100.0),
        exponent=1.5,
        r_squared=0.9,
        aperiodic=lambda f: np.asarray(f, dtype=float) ** -1.5,
        peaks=np.array(
            [
                [38.0, 0.4, 3],
                [40.0, 0.5, 3],
                [42.0, 0.45, 3],
                [44.0, 0.4, 3],
                [8.0, 0.6, 2],
                [9.0, 0.3, 2],
                [90.0, 0.3, 2],
            ]
        ),
    )
    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    plotting.plot_spectrum(freqs, freqs**-1.5, peaks=fit, ax=figure.subplots())
    renderer = FigureCanvasAgg(figure).get_renderer()
    figure.draw(renderer)
    labels = [  # the texts alone (an Annotation's own extent includes its leader line)
        (t, matplotlib.text.Text.get_window_extent(t, renderer)) for t in figure.axes[0].texts
    ]
    assert sorted(t.get_text() for t, _ in labels) == sorted(f"{f:.1f} Hz" for f in fit.peaks[:, 0])
    for k, (_, a) in enumerate(labels):
        for _, b in labels[k + 1 :]:
            assert not a.overlaps(b)
    box = figure.axes[0].bbox
    assert all(box.x0 - 1 <= e.x0 and e.x1 <= box.x1 + 1 for _, e in labels)  # in the axes


def test_lfp_spectrum_in_pa_with_its_resolution_stated(run):
    figure = plotting.analysis_figures(run.result, run.measures)["spectrum"]
    axis = figure.axes[0]
    assert axis.get_ylabel() == "PSD (pA$^2$/Hz)"
    legend = [t.get_text() for t in axis.get_legend().get_texts()]
    welch = next(line for line in axis.get_lines() if line.get_label().startswith("Welch"))
    lfp = run.result.lfp[int(0.2 * FS) :]
    freqs, power, resolution, n_segments = plotting.display_spectrum(lfp, FS)
    # 2.8 s: 8 segments of 2 * 2800 // 9 = 622 samples, 1.61 Hz
    assert (n_segments, round(resolution, 2)) == (8, 1.61)
    assert any(f"{n_segments} x 0.622 s), $\\Delta f$ = 1.61 Hz" in text for text in legend)
    shown = (freqs > 0) & (freqs <= 250)
    np.testing.assert_allclose(welch.get_ydata(), power[shown] * 1e24)  # A^2/Hz -> pA^2/Hz
    # the 40 Hz gamma of ~0.6 nA amplitude: a peak of ~1e5-1e6 pA^2/Hz there
    assert 1e4 < welch.get_ydata()[np.argmin(abs(freqs[shown] - 40))] < 1e7


def test_welch_averaging_narrows_the_scatter_of_a_periodogram():
    """White noise: a periodogram's log10 bins scatter with SD pi / (sqrt(6) ln 10) = 0.557
    (log of a chi^2 with 2 degrees of freedom); 8 averaged segments scatter far less."""
    sig = np.random.default_rng(3).normal(size=9000)
    freqs, power, _, n_segments = plotting.display_spectrum(sig, FS, min_segments=1, max_segment=9)
    inner = (freqs > 5) & (freqs < 450)
    assert n_segments == 1 and np.std(np.log10(power[inner])) == pytest.approx(0.557, abs=0.04)
    freqs, power, _, n_segments = plotting.display_spectrum(sig, FS)
    inner = (freqs > 5) & (freqs < 450)
    assert n_segments == 8 and np.std(np.log10(power[inner])) < 0.557 / 2


def test_phase_in_radians_rasters_with_time_and_units_everywhere(run):
    figures = _all_figures(run)
    polar = figures["tg_phase_histogram"].axes[0]
    ticks = [t.get_text() for t in polar.get_xticklabels()]
    assert "$\\pi/2$" in ticks and "$\\pm\\pi$" in ticks and not any("°" in t for t in ticks)
    assert polar.get_xlabel().startswith("phase (rad)")
    rasters = [*figures["raster"].axes, figures["tg_raster_rates"].axes[0]]
    for axis in rasters:
        assert axis.get_xlabel() == "time (s)"
        assert all(label.get_visible() for label in axis.get_xticklabels())
        assert axis.get_ylabel().endswith("neuron index")
    loop = figures["loop"].axes[0]
    assert loop.get_ylabel().endswith("(pA)")
    trace = loop.get_lines()[0].get_ydata()
    assert 0.5e3 < np.max(np.abs(trace)) < 5e3  # ~1.5 nA shown in pA
    unit = re.compile(r"\((s|ms|Hz|pA|1|rad|pA\$\^2\$/Hz)\)")
    for name, figure in figures.items():
        for axis in figure.axes:
            if axis.name == "polar":
                continue
            colorbar = hasattr(axis, "_colorbar")  # its one label is the y label
            for label in (
                (axis.get_ylabel(),) if colorbar else (axis.get_xlabel(), axis.get_ylabel())
            ):
                assert unit.search(label) or label.endswith("neuron index"), (name, label)


def test_save_figures_in_each_format_at_the_dpi(tmp_path):
    figure = Figure(figsize=(4, 3), layout="constrained")
    figure.subplots().plot([0, 1])
    magic = {"png": b"\x89PNG", "svg": b"<?xml", "pdf": b"%PDF"}
    for fmt, head in magic.items():
        written = plotting.save_figures({"f": figure}, tmp_path, fmt=fmt)
        assert written == [f"f.{fmt}"] and (tmp_path / f"f.{fmt}").read_bytes()[:5].startswith(head)
    png = (tmp_path / "f.png").read_bytes()
    assert int.from_bytes(png[16:20], "big") == 4 * plotting.FIGURE_DPI == 600  # width
    with pytest.raises(FigureError, match=r"save_figures\.fmt: unknown value 'jpeg'"):
        plotting.save_figures({"f": figure}, tmp_path, fmt="jpeg")


def test_the_cli_writes_figures_in_the_asked_format(run, tmp_path, capsys):
    path = tmp_path / "result.npz"
    run.result.save(path)
    assert main(["analyze", str(path), "--format", "svg", "--dpi", "80", "--surrogates", "5"]) == 0
    assert "spectrum.svg, raster.svg" in capsys.readouterr().out
    assert (tmp_path / "spectrum.svg").exists() and not (tmp_path / "spectrum.png").exists()


def test_no_library_code_chooses_a_matplotlib_backend(run):
    package = Path(plotting.__file__).parents[1]
    for source in package.rglob("*.py"):
        text = source.read_text()
        assert "matplotlib.use(" not in text and "switch_backend" not in text, source
    before = matplotlib.get_backend()
    _all_figures(run)
    assert matplotlib.get_backend() == before
