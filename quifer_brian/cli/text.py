"""Text in and out of the command line: parameters, grids and durations read from text
(never evaluated), and plain tables printed."""

import argparse
import math

from brian2 import second

from ..checks import check_positive, check_quantity
from ..errors import CommandLineError, did_you_mean
from ..networks import get_network
from ..units import ParseError, parse_quantity, parse_value

__all__ = [
    "MAX_SEED",
    "bounded_int",
    "finite_float",
    "parse_duration",
    "parse_grid",
    "parse_params",
    "parse_seed",
    "print_table",
]

#: Largest seed Brian2's generators take (an unsigned 32-bit integer).
MAX_SEED = 2**32 - 1


def parse_params(network, assignments):
    """Read ``['name=value', ...]`` into keyword arguments for the builder ``network``.

    Values are read with :func:`~quifer_brian.units.parse_value` (``10ms``,
    ``0.5*nS``, ``true``, ``6,12,40``); an integer given for a number parameter (the
    table's kind ``'number'``) becomes a float and a single value given for a sequence
    parameter a one-element tuple.  The builder itself checks units and ranges.

    Raises
    ------
    CommandLineError
        For an unknown network or parameter (listing the valid ones), a missing ``=``
        or a value that cannot be read.
    """
    table = get_network(network).table
    params = {}
    for assignment in assignments or ():
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CommandLineError(
                f"{network}: --param needs name=value (e.g. tau_gaba=5ms); got {assignment!r}."
            )
        if name not in table.names:
            raise CommandLineError(
                f"{network}.{name}: unknown parameter; {did_you_mean(name, table.names)}"
                f"the parameters of {network} are: "
                f"{', '.join(table.names)}."
            )
        try:
            value = parse_value(text)
        except ParseError as err:
            raise CommandLineError(f"{network}.{name}: {err}") from None
        param = table[name]
        if param.unit == "number" and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif isinstance(param.default, (tuple, list)) and not isinstance(
            value, (tuple, str, type(None))
        ):
            value = (value,)
        params[name] = value
    return params


def parse_grid(network, assignments):
    """Read ``['name=v1,v2,...', ...]`` into a sweep grid ``{name: [values]}``."""
    grid = {}
    for assignment in assignments:
        name, equals, text = assignment.partition("=")
        if not equals or not text.strip():
            raise CommandLineError(
                f"--grid needs name=value1,value2,... (e.g. tau_gaba=5ms,10ms); got {assignment!r}."
            )
        name = name.strip()
        if name in grid:
            raise CommandLineError(
                f"--grid: {name} is given twice; put all its values in one "
                f"--grid {name}=value1,value2,..."
            )
        values = [
            parse_params(network, [f"{name}={piece.strip()}"])[name] for piece in text.split(",")
        ]
        grid[name] = values
    return grid


def parse_duration(text):
    """A positive time read from text (``'500ms'``); a CommandLineError naming --duration."""
    try:
        duration = parse_quantity(text)
    except ParseError as err:
        raise CommandLineError(f"--duration: {err}") from None
    check_quantity("--duration", duration, second)
    check_positive("--duration", duration, error=CommandLineError)
    if not math.isfinite(float(duration / second)):
        raise CommandLineError(f"--duration: must be a finite time; got {text!r}.")
    return duration


def parse_seed(text):
    """A seed from text: an integer in [0, 2**32 - 1] (an argparse ``type``)."""
    return bounded_int(0, MAX_SEED)(text)


def bounded_int(low, high):
    """An argparse ``type``: an integer in ``[low, high]``, refused at parse time."""

    def parse(text):
        try:
            value = int(text, 10)
        except (TypeError, ValueError):
            value = None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be an integer in [{low}, {high}]; got {text!r}")
        return value

    parse.__name__ = "integer"
    return parse


def finite_float(text):
    """An argparse ``type``: a finite number (``nan`` and ``inf`` refused at parse time)."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number; got {text!r}")
    return value


def print_table(rows, indent=""):
    """Print ``rows`` (the first is the header) as aligned columns."""
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(rows[0]))]
    for n, row in enumerate(rows):
        cells = (str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))
        print(indent + "  ".join(cells).rstrip())
        if n == 0:
            print(indent + "  ".join("-" * width for width in widths))
