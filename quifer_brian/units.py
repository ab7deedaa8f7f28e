"""Units in one place: text <-> quantity, JSON <-> quantity, unit names for messages.

Text (the command line), without ``eval``:

``parse_quantity('10 ms')`` reads a number and a unit expression (unit names from
Brian2's unit registry, joined by ``*`` or ``/``, with integer powers ``**2`` or ``^2``);
``parse_value`` also reads booleans, ``none``, comma-separated sequences and plain
words.  Nothing is evaluated: a unit name is looked up among Brian2's
:class:`~brian2.units.fundamentalunits.Unit` objects and anything else is refused
with a message naming the text.

JSON: :func:`quantity_to_json` writes a quantity as ``{"value", "unit"}`` with the unit
spelled as a product of Brian2 unit names, which :func:`quantity_from_json` reads back
through the same parser (compound units such as ``uF/cm**2`` or ``mV*ms`` included).
"""

import re
import sys

from .errors import ParseError

__all__ = [
    "ParseError",
    "describe_unit",
    "format_value",
    "parse_quantity",
    "parse_si",
    "parse_value",
    "quantity_from_json",
    "quantity_to_json",
]


_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_INTEGER = re.compile(r"[+-]?\d+")
_UNIT_TOKEN = re.compile(r"\s*(\*\*|\^|\*|/|[A-Za-z_][A-Za-z0-9_]*|\d+|-\d+)\s*")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def _units():
    """Brian2's units by name (``ms``, ``msecond``, ``nS``, ``Hz``, ``um2`` ...)."""
    import brian2
    from brian2.units import allunits, stdunits
    from brian2.units.fundamentalunits import Unit

    table = {}
    for module in (allunits, stdunits, brian2):
        for name in dir(module):
            unit = getattr(module, name)
            if not name.startswith("_") and isinstance(unit, Unit):
                table.setdefault(name, unit)
    return table


_UNIT_TABLE = None
_SI_SYMBOLS = {
    "s": "second",
    "Hz": "hertz",
    "V": "volt",
    "A": "amp",
    "S": "siemens",
    "F": "farad",
    "m": "metre",
    "M": "molar",
    "Ohm": "ohm",
}
_SI_PREFIXES = ("", "f", "p", "n", "u", "m", "c", "k", "M", "G")


def _lookup_unit(name, text):
    global _UNIT_TABLE
    if _UNIT_TABLE is None:
        _UNIT_TABLE = _units()
    if name in _UNIT_TABLE:
        return _UNIT_TABLE[name]
    # SI symbols Brian2 spells out: 's' -> second, 'ns' -> nsecond, 'mHz' -> mhertz ...
    for symbol, long_name in _SI_SYMBOLS.items():
        prefix = name[: -len(symbol)]
        if name.endswith(symbol) and prefix in _SI_PREFIXES:
            if prefix + long_name in _UNIT_TABLE:
                return _UNIT_TABLE[prefix + long_name]
    raise ParseError(
        f"unknown unit {name!r} in {text!r}; write a Brian2 unit such as ms, mV, nS, "
        "pA, Hz (e.g. '10 ms', '0.5*nS')."
    )


def _parse_unit(expression, text):
    """A unit expression (``'ms'``, ``'mV/ms'``, ``'um**2'``) as a Brian2 quantity."""
    tokens = []
    position = 0
    while position < len(expression):
        match = _UNIT_TOKEN.match(expression, position)
        if match is None:
            raise ParseError(f"cannot read the unit {expression.strip()!r} in {text!r}.")
        tokens.append(match.group(1))
        position = match.end()
    value = 1
    operator = "*"
    k = 0
    expect_unit = True
    while k < len(tokens):
        token = tokens[k]
        if expect_unit:
            if not _WORD.fullmatch(token):
                raise ParseError(f"cannot read the unit {expression.strip()!r} in {text!r}.")
            unit = _lookup_unit(token, text)
            if k + 1 < len(tokens) and tokens[k + 1] in ("**", "^"):
                if k + 2 >= len(tokens) or not _INTEGER.fullmatch(tokens[k + 2]):
                    raise ParseError(
                        f"cannot read the unit {expression.strip()!r} in {text!r}: a power "
                        "must be an integer."
                    )
                unit = unit ** int(tokens[k + 2])
                k += 2
            value = value * unit if operator == "*" else value / unit
            expect_unit = False
        else:
            if token not in ("*", "/"):
                raise ParseError(f"cannot read the unit {expression.strip()!r} in {text!r}.")
            operator = token
            expect_unit = True
        k += 1
    if expect_unit:
        raise ParseError(f"cannot read the unit {expression.strip()!r} in {text!r}.")
    return value


def parse_quantity(text):
    """Read a number with an optional unit: ``'10ms'``, ``'10 ms'``, ``'0.5*nS'``, ``'2'``.

    Parameters
    ----------
    text : str

    Returns
    -------
    brian2.Quantity, int or float
        A quantity when a unit is given; otherwise an int (``'2'``) or a float.

    Raises
    ------
    ParseError
        If the text is not a number followed by a known unit.

    Examples
    --------
    >>> from quifer_brian.units import parse_quantity
    >>> parse_quantity("10 ms"), parse_quantity("0.5*nS"), parse_quantity("2")
    (10. * msecond, 0.5 * nsiemens, 2)
    >>> parse_quantity("3 ns"), parse_quantity("1 um**2")
    (3. * nsecond, 1. * umetre2)
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text such as '10 ms'; got {text!r}.")
    stripped = text.strip()
    match = _NUMBER.match(stripped)
    if match is None:
        raise ParseError(f"expected a number with an optional unit (e.g. '10 ms'); got {text!r}.")
    number_text = match.group(0)
    number = int(number_text) if _INTEGER.fullmatch(number_text) else float(number_text)
    rest = stripped[match.end() :].strip()
    if not rest:
        return number
    if rest.startswith("*"):
        rest = rest[1:].strip()
        if not rest or rest.startswith("*"):
            raise ParseError(f"expected a unit after '*' in {text!r}.")
    return float(number) * _parse_unit(rest, text)


#: Units :func:`parse_si` reads without Brian2: symbol -> SI base unit as Brian2 names it.
_SI_SYMBOLS = {
    "s": "second",
    "V": "volt",
    "A": "amp",
    "S": "siemens",
    "Hz": "hertz",
    "F": "farad",
    "ohm": "ohm",
}
_SI_LONG = {
    "second": "second",
    "volt": "volt",
    "amp": "amp",
    "siemens": "siemens",
    "hertz": "hertz",
    "farad": "farad",
    "ohm": "ohm",
}
#: Prefixes as Brian2 scales its units (``10.0 ** exponent``, the same floats).
_SI_EXPONENTS = {"": 0, "k": 3, "M": 6, "G": 9, "m": -3, "u": -6, "n": -9, "p": -12}


def _si_table():
    table = {}
    for prefix, exponent in _SI_EXPONENTS.items():
        scale = 10.0**exponent if exponent else 1.0
        for symbol, base in _SI_SYMBOLS.items():
            table[prefix + symbol] = (scale, base)
        for long, base in _SI_LONG.items():
            table[prefix + long] = (scale, base)
    del table["ms"], table["Ms"]  # 'ms' is a millisecond; 'Ms' (megasiemens) is not read
    table["ms"] = (10.0**-3, "second")
    return table


_SI_TEXT = _si_table()


def parse_si(text: str) -> tuple[float, str] | None:
    """A scalar read like :func:`parse_quantity`, without Brian2, or None when unsure.

    Reads a number with an optional simple unit (a prefix and one of s, V, A, S, Hz,
    F, ohm: ``'5ms'``, ``'0.5*nS'``, ``'-55 mV'``) into its SI value and the SI unit's
    name as Brian2 spells it (``'1'`` for a plain number).  The value is the same float
    Brian2 computes (the number times the unit's scale).  Anything else -- a compound
    unit, a sequence, a word -- gives None: the caller then reads it with Brian2.

    Examples
    --------
    >>> parse_si("5ms"), parse_si("0.5*nS"), parse_si("2"), parse_si("1 mV/ms")
    ((0.005, 'second'), (5e-10, 'siemens'), (2.0, '1'), None)
    """
    if not isinstance(text, str):
        return None
    stripped = text.strip()
    if not stripped or "," in stripped or not (stripped[0].isdigit() or stripped[0] in "+-."):
        return None
    match = _NUMBER.match(stripped)
    if match is None:
        return None
    number = float(match.group(0))
    rest = stripped[match.end() :].strip()
    if not rest:
        return number, "1"
    if rest.startswith("*"):
        rest = rest[1:].strip()
    if rest not in _SI_TEXT:
        return None
    scale, unit = _SI_TEXT[rest]
    return number * scale, unit


def parse_value(text):
    """Read a parameter value: a quantity, a bool, ``none``, a sequence or a word.

    ``'true'``/``'false'`` (any case) are booleans, ``'none'`` is None, text with commas
    is a tuple of values (``'6,12,40'``), text starting with a digit, sign or point is a
    quantity (:func:`parse_quantity`), and a single word (``'conductance'``) stays a
    string for the function receiving it to check.

    Examples
    --------
    >>> from quifer_brian.units import parse_value
    >>> parse_value("6,12,40"), parse_value("false"), parse_value("current")
    ((6, 12, 40), False, 'current')
    """
    if not isinstance(text, str):
        raise ParseError(f"expected text; got {text!r}.")
    stripped = text.strip()
    if not stripped:
        raise ParseError("empty value.")
    if "," in stripped:
        parts = stripped.split(",")
        if parts[-1].strip() == "":  # '6,' is a one-element sequence
            parts = parts[:-1]
        if any(not part.strip() for part in parts):
            raise ParseError(f"empty item in the sequence {text!r}.")
        return tuple(parse_value(part) for part in parts)
    lowered = stripped.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    if lowered == "none":
        return None
    if stripped[0].isdigit() or stripped[0] in "+-.":
        return parse_quantity(stripped)
    if _WORD.fullmatch(stripped):
        return stripped
    raise ParseError(
        f"cannot read {text!r}: expected a number with an optional unit ('10 ms'), "
        "true/false, none, a comma-separated list or a single word."
    )


# ---------------------------------------------------------------------------- names
def describe_unit(dimensions):
    """Return a readable unit for ``dimensions`` (``'second'``, ``'volt'``, ...)."""
    from brian2.units.fundamentalunits import DIMENSIONLESS, get_unit

    if dimensions is DIMENSIONLESS or dimensions == DIMENSIONLESS:
        return "dimensionless"
    return repr(get_unit(dimensions))


def format_value(value):
    """``(shown, unit)`` of a parameter value, for tables.

    ``10 * ms`` is shown as ``('10. ms', 'second')``.

    Examples
    --------
    >>> from brian2 import ms
    >>> format_value(10 * ms), format_value(0.2), format_value("current")
    (('10. ms', 'second'), ('0.2', '1'), ("'current'", '-'))
    """
    from brian2 import Quantity

    if isinstance(value, Quantity):
        return str(value.in_best_unit()), describe_unit(value.dim)
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return repr(value), "-"
    if isinstance(value, (tuple, list)):
        return ",".join(str(v) for v in value), "1"
    return repr(value), "1"


# ---------------------------------------------------------------------------- JSON
def quantity_to_json(value):
    """A JSON-safe form of a parameter: quantities become ``{"value", "unit"}`` (SI).

    Examples
    --------
    >>> from brian2 import cm, mV, ms, uF
    >>> quantity_to_json(2 * ms)
    {'value': 0.002, 'unit': 'second'}
    >>> bool(quantity_from_json(quantity_to_json(1 * uF / cm**2)) == 1 * uF / cm**2)
    True
    >>> bool(quantity_from_json(quantity_to_json(3 * mV * ms)) == 3 * mV * ms)
    True
    """
    if hasattr(value, "dim"):
        import numpy as np
        from brian2 import get_unit

        unit = get_unit(value.dim)
        magnitude = np.asarray(value / unit).tolist()
        return {"value": magnitude, "unit": repr(unit)}
    np = sys.modules.get("numpy")  # not imported (a rerun's start-up): no numpy value
    if np is not None and isinstance(value, np.ndarray):
        return value.tolist()
    if np is not None and isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [quantity_to_json(v) for v in value]
    if isinstance(value, dict):
        return {k: quantity_to_json(v) for k, v in value.items()}
    return value


def quantity_from_json(value):
    """Inverse of :func:`quantity_to_json` (any unit Brian2 can name, compound ones too)."""
    if isinstance(value, dict) and set(value) == {"value", "unit"}:
        spelled = value["unit"]
        unit = 1 if spelled in ("1", "Unit(1)") else _parse_unit(spelled, spelled)
        magnitude = value["value"]
        if isinstance(magnitude, list):
            import numpy as np

            return np.asarray(magnitude) * unit
        return magnitude * unit
    if isinstance(value, dict):
        return {k: quantity_from_json(v) for k, v in value.items()}
    return value
