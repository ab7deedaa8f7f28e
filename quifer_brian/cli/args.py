"""Command-line values read without Brian2: seeds, bounded integers, finite numbers, and
plain tables printed (shared by the full parser and the fast path of ``run``).

argparse is imported only to raise its ``ArgumentTypeError``: the fast path of ``run``
(:mod:`.fast`) imports this module and never argparse (3 ms of its start-up).
"""

import math

__all__ = ["MAX_SEED", "bounded_int", "finite_float", "parse_seed", "print_table"]

#: Largest seed Brian2's generators take (an unsigned 32-bit integer).
MAX_SEED = 2**32 - 1


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
            import argparse

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
        import argparse

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
