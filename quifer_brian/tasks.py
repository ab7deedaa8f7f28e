"""The library functions behind the command line.

Run a network builder by name with parameters read from text, draw the figures of a
measured result and describe the networks' parameters.  :mod:`quifer_brian.cli` is a
thin shell over these; the summary and the analysis of a run are
:func:`quifer_brian.analysis.summarise_run` and :func:`quifer_brian.analysis.analyse_result`.
"""

import inspect
import os
import re

import numpy as np

from .errors import CircuitError

__all__ = [
    "NETWORKS",
    "build_network",
    "builder_parameters",
    "format_default",
    "network_builder",
    "parameter_meanings",
    "parse_params",
    "write_analysis_figures",
]

NETWORKS = ("brunel", "frequency_bank", "ing", "kuramoto", "ping", "theta_gamma")
_DOC_PARAMETER = re.compile(r"^(\w+(?:, \w+)*) : (.*)$")  # numpydoc "name : type"
_MEANING_WIDTH = 90


def network_builder(name):
    """The network builder called ``name``; a QuiferError listing the networks if none."""
    from . import networks

    if name not in NETWORKS:
        raise CircuitError(f"unknown network {name!r}; the networks are: {', '.join(NETWORKS)}.")
    return getattr(networks, name)


def builder_parameters(builder):
    """``{name: default}`` of a builder's keyword parameters, in signature order."""
    return {
        name: parameter.default
        for name, parameter in inspect.signature(builder).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def parse_params(network, assignments):
    """Read ``['name=value', ...]`` into keyword arguments for the builder ``network``.

    Values are read with :func:`~quifer_brian.units.parse_value` (``10ms``,
    ``0.5*nS``, ``true``, ``6,12,40``); an integer given for a float parameter becomes a
    float and a single value given for a sequence parameter a one-element tuple.  The
    builder itself checks units and ranges.

    Raises
    ------
    CircuitError
        For an unknown network or parameter (listing the valid ones), a missing ``=``
        or a value that cannot be read.
    """
    from .units import ParseError, parse_value

    defaults = builder_parameters(network_builder(network))
    params = {}
    for assignment in assignments or ():
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CircuitError(
                f"{network}: --param needs name=value (e.g. tau_gaba=5ms); got {assignment!r}."
            )
        if name not in defaults:
            raise CircuitError(
                f"{network}.{name}: unknown parameter; the parameters of {network} are: "
                f"{', '.join(defaults)}."
            )
        try:
            value = parse_value(text)
        except ParseError as err:
            raise CircuitError(f"{network}.{name}: {err}") from None
        default = defaults[name]
        if isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(default, (tuple, list)) and not isinstance(value, (tuple, str, type(None))):
            value = (value,)
        params[name] = value
    return params


def build_network(network, params):
    """Call the builder ``network`` with ``params``; unknown keywords as a CircuitError."""
    builder = network_builder(network)
    try:
        inspect.signature(builder).bind(**params)
    except TypeError:
        valid = ", ".join(builder_parameters(builder))
        unknown = ", ".join(sorted(set(params) - set(builder_parameters(builder))))
        raise CircuitError(
            f"{network}: unknown parameter(s) {unknown}; its parameters are: {valid}."
        ) from None
    return builder(**params)


def write_analysis_figures(result, measures, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import plot_raster, plot_spectrum

    written = []
    if "spectrum" in measures:
        freqs, power, fit = measures["spectrum"]
        figure, axis = plt.subplots(figsize=(6, 4))
        plot_spectrum(freqs, power, peaks=fit, ax=axis)
        axis.set_title("LFP proxy")
        figure.savefig(os.path.join(out, "spectrum.png"), dpi=100)
        plt.close(figure)
        written.append("spectrum.png")
    names = result.populations
    figure, axes = plt.subplots(len(names), 1, figsize=(8, 1.5 + 1.5 * len(names)), sharex=True)
    axes = np.atleast_1d(axes)
    window = (0.0, min(result.duration, 1.0))
    for axis, name in zip(axes, names, strict=True):
        times, indices = result.spikes[name]
        keep = (times >= window[0]) & (times < window[1])
        plot_raster((times[keep], indices[keep]), ax=axis)
        axis.set_ylabel(f"{name} neuron")
        axis.set_xlim(window)
        axis.set_ylim(-0.5, result.sizes[name] - 0.5)
        if axis is not axes[-1]:
            axis.set_xlabel("")
    figure.tight_layout()
    figure.savefig(os.path.join(out, "raster.png"), dpi=100)
    plt.close(figure)
    written.append("raster.png")
    return written


def format_default(value):
    from brian2 import Quantity

    from .units import describe_unit

    if isinstance(value, Quantity):
        shown = value.in_best_unit() if hasattr(value, "in_best_unit") else value
        return str(shown), describe_unit(value.dim)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value), "-"
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value), "1"
    return repr(value), "1"


def parameter_meanings(builder):
    """First sentence of each parameter's description in the builder's docstring."""
    doc = inspect.getdoc(builder) or ""
    lines = doc.splitlines()
    try:
        start = lines.index("Parameters") + 2
    except ValueError:
        return {}
    meanings = {}
    k = start
    while k < len(lines):
        line = lines[k]
        if line and not line.startswith(" ") and k + 1 < len(lines) and set(lines[k + 1]) == {"-"}:
            break  # next section
        match = _DOC_PARAMETER.match(line)
        if match:
            text = []
            k += 1
            while k < len(lines) and lines[k].startswith("    "):
                text.append(lines[k].strip())
                k += 1
            sentence = " ".join(text).split(". ")[0].rstrip(".").replace("``", "")
            if len(sentence) > _MEANING_WIDTH:
                sentence = sentence[: _MEANING_WIDTH - 3].rstrip() + "..."
            unit = re.findall(r"\(([^()]+)\)", match.group(2))
            for name in match.group(1).split(", "):
                meanings[name] = (sentence, unit[-1] if unit else None)
            continue
        k += 1
    return meanings
