"""The library functions behind the command line.

Run a network builder by name with parameters read from text, draw the figures of a
measured result and describe the networks' parameters.  :mod:`quifer_brian.cli` is a
thin shell over these; the summary and the analysis of a run are
:func:`quifer_brian.analysis.summarise_run` and :func:`quifer_brian.analysis.analyse_result`.
"""

import inspect
import os

import numpy as np

from .errors import CircuitError

__all__ = [
    "NETWORKS",  # noqa: F822 (module __getattr__: read from the registry when asked)
    "build_network",
    "builder_parameters",
    "format_default",
    "network_builder",
    "parameter_meanings",
    "parse_params",
    "write_analysis_figures",
]


def __getattr__(name):
    """``NETWORKS``: the registered network names, read from the registry when asked."""
    if name == "NETWORKS":
        from .networks import list_networks

        return list_networks()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def network_builder(name):
    """The network builder registered as ``name``; a CircuitError listing them if none."""
    from .networks import get_network

    return get_network(name)


def builder_parameters(builder):
    """``{name: default}`` of a builder's parameters, in signature order.

    A registered builder's come from its parameter table; any other callable's from its
    signature (its keyword parameters).
    """
    table = getattr(builder, "table", None)
    if table is not None:
        return table.defaults()
    return {
        name: parameter.default
        for name, parameter in inspect.signature(builder).parameters.items()
        if parameter.default is not inspect.Parameter.empty
    }


def parse_params(network, assignments):
    """Read ``['name=value', ...]`` into keyword arguments for the builder ``network``.

    Values are read with :func:`~quifer_brian.units.parse_value` (``10ms``,
    ``0.5*nS``, ``true``, ``6,12,40``); an integer given for a number parameter (the
    table's kind ``'number'``) becomes a float and a single value given for a sequence
    parameter a one-element tuple.  The builder itself checks units and ranges.

    Raises
    ------
    CircuitError
        For an unknown network or parameter (listing the valid ones), a missing ``=``
        or a value that cannot be read.
    """
    from .units import ParseError, parse_value

    table = network_builder(network).table
    params = {}
    for assignment in assignments or ():
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CircuitError(
                f"{network}: --param needs name=value (e.g. tau_gaba=5ms); got {assignment!r}."
            )
        if name not in table.names:
            raise CircuitError(
                f"{network}.{name}: unknown parameter; the parameters of {network} are: "
                f"{', '.join(table.names)}."
            )
        try:
            value = parse_value(text)
        except ParseError as err:
            raise CircuitError(f"{network}.{name}: {err}") from None
        param = table[name]
        if param.unit == "number" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(param.default, (tuple, list)) and not isinstance(
            value, (tuple, str, type(None))
        ):
            value = (value,)
        params[name] = value
    return params


def build_network(network, params):
    """Call the builder ``network`` with ``params``; unknown keywords as a CircuitError."""
    builder = network_builder(network)
    names = builder.table.names
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise CircuitError(
            f"{network}: unknown parameter(s) {', '.join(unknown)}; its parameters are: "
            f"{', '.join(names)}."
        )
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
    """``(shown, unit)`` of a default value for the ``list`` tables (``('10. ms', 'second')``)."""
    from .networks.params import format_value

    return format_value(value)


def parameter_meanings(builder):
    """``{name: meaning}``: the one-line meaning of each parameter, from the builder's table."""
    return {param.name: param.meaning for param in builder.table}
