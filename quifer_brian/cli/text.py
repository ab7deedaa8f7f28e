"""Text in and out of the command line: parameters, grids and durations read from text
(never evaluated), and plain tables printed."""

import math
import re

from brian2 import Quantity, get_dimensions, second

from ..checks import check_positive, check_quantity
from ..errors import CommandLineError
from ..networks import get_network
from ..rerun import read_params
from ..units import ParseError, parse_quantity
from .args import MAX_SEED, bounded_int, finite_float, parse_seed, print_table

__all__ = [
    "MAX_SEED",
    "bounded_int",
    "display_value",
    "finite_float",
    "parse_duration",
    "parse_grid",
    "parse_params",
    "parse_seed",
    "plain_text",
    "print_table",
]


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
    get_network(network)  # an unknown network: the registry's message, first
    params = {}
    for assignment in assignments or ():
        name, equals, text = assignment.partition("=")
        name = name.strip()
        if not equals or not name:
            raise CommandLineError(
                f"{network}: --param needs name=value (e.g. tau_gaba=5ms); got {assignment!r}."
            )
        if name in params:  # the last one would win without a word
            raise CommandLineError(
                f"{network}: --param {name} is given twice; give each parameter once."
            )
        params.update(read_params(network, {name: text}, error=CommandLineError))
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


# ------------------------------------------------------------------ listing text
_ROLE = re.compile(r":(?:[a-z]+:)*[a-z]+:`~?([^`<]*?)\s*(?:<[^`>]*>)?`")
_MATH = re.compile(r":math:`([^`]*)`")


def plain_text(text: str) -> str:
    """``text`` without Sphinx / reST markup, for a terminal.

    A cross-reference role (func, class, mod ...) keeps its target, or only the target's
    last name when the target starts with a tilde; a math role keeps its formula without
    backslashes; double and single back-quoted literals lose their quotes (see the
    examples).

    Examples
    --------
    >>> plain_text("see :func:`~quifer_brian.analysis.compute_spectrum` and ``fs``")
    'see compute_spectrum and fs'
    >>> plain_text(r"decays as :math:`e^{-t/\\tau}`; set `dopamine`")
    'decays as e^{-t/tau}; set dopamine'
    """
    text = _MATH.sub(lambda m: m[1].replace("\\", ""), text)
    text = _ROLE.sub(lambda m: m[1].split(".")[-1] if "~" in m[0] else m[1], text)
    return re.sub(r"`{1,2}([^`]*)`{1,2}", r"\1", text)


def _display_units():
    """Per dimension: the units people use, largest first (the value is shown in the
    largest that gives at least 1); densities in the membrane units of HH papers."""
    from brian2.units import allunits as u

    cm = u.cmetre
    groups = (
        ((u.second, "s"), (u.msecond, "ms"), (u.usecond, "us")),
        ((u.volt, "V"), (u.mvolt, "mV"), (u.uvolt, "uV")),
        ((u.namp, "nA"), (u.pamp, "pA")),
        ((u.usiemens, "uS"), (u.nsiemens, "nS"), (u.psiemens, "pS")),
        ((u.nfarad, "nF"), (u.pfarad, "pF")),
        ((u.khertz, "kHz"), (u.hertz, "Hz")),
        ((u.Gohm, "Gohm"), (u.Mohm, "Mohm")),
        ((u.mmetre, "mm"), (u.umetre, "um")),
        ((u.umetre2, "um^2"),),
        ((u.msiemens / cm**2, "mS/cm^2"),),
        ((u.ufarad / cm**2, "uF/cm^2"),),
        ((u.uamp / cm**2, "uA/cm^2"),),
    )
    table = {}
    for group in groups:
        table[get_dimensions(group[0][0])] = group
    return table


def display_value(value: object) -> tuple[str, str]:
    """``(number, unit)`` of a parameter value in the units people use, for ``list``.

    Conductance densities in mS/cm^2, specific capacitances in uF/cm^2, areas in um^2,
    times in s/ms/us, conductances in uS/nS/pS ...; other quantities in Brian2's best
    unit, numbers and text as they are (unit ``'1'`` and ``'-'``).

    Examples
    --------
    >>> from brian2 import cm, ms, msiemens, nA, uF, umetre
    >>> display_value(120 * msiemens / cm**2), display_value(1 * uF / cm**2)
    (('120', 'mS/cm^2'), ('1', 'uF/cm^2'))
    >>> display_value(0.4 * nA), display_value(10 * ms), display_value(100 * umetre**2)
    (('400', 'pA'), ('10', 'ms'), ('100', 'um^2'))
    >>> display_value(0.2), display_value("current"), display_value((6.0, 12.0))
    (('0.2', '1'), ("'current'", '-'), ('6,12', '1'))
    """
    if not isinstance(value, Quantity) or value.ndim > 0:
        if isinstance(value, bool) or value is None or isinstance(value, str):
            return repr(value), "-"
        if isinstance(value, (tuple, list)):
            return ",".join(f"{float(v):g}" for v in value), "1"
        if isinstance(value, Quantity):  # an array of quantities: Brian2's best unit
            unit = value.get_best_unit()
            return ",".join(f"{float(v):.6g}" for v in value / unit), str(unit)
        return repr(value), "1"
    if get_dimensions(value).is_dimensionless:
        return f"{float(value):.6g}", "1"
    global _DISPLAY_UNITS
    if _DISPLAY_UNITS is None:
        _DISPLAY_UNITS = _display_units()
    candidates = _DISPLAY_UNITS.get(get_dimensions(value))
    if candidates is None:
        unit = value.get_best_unit()
        return f"{float(value / unit):.6g}", str(unit)
    chosen = candidates[-1]
    for unit, name in candidates:
        if abs(float(value / unit)) >= 1:
            chosen = (unit, name)
            break
    if float(value) == 0:  # zero: the usual unit of its kind (the middle one)
        chosen = candidates[len(candidates) // 2]
    return f"{float(value / chosen[0]):.6g}", chosen[1]


_DISPLAY_UNITS = None
