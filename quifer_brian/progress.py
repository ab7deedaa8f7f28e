"""Progress bars on long work: compiles, simulations, sweeps, training loops.

One switch for the whole package: :func:`set_quiet` (the CLI's ``--quiet``) or the
environment variable ``QUIFER_QUIET=1`` turns every bar off. Bars go to stderr through
tqdm, so stdout stays clean for results.
"""

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # tqdm.auto takes 60 ms (asyncio): imported by the first bar only
    from tqdm.auto import tqdm

__all__ = ["is_quiet", "progress_bar", "quiet", "set_quiet"]

_quiet: bool | None = None  # None: follow QUIFER_QUIET


def set_quiet(value: bool = True) -> None:
    """Turn every progress bar of the package off (``True``) or on (``False``)."""
    global _quiet
    _quiet = bool(value)


def is_quiet() -> bool:
    """Whether progress bars are off (:func:`set_quiet`, else ``QUIFER_QUIET``)."""
    if _quiet is not None:
        return _quiet
    return os.environ.get("QUIFER_QUIET", "").strip().lower() not in ("", "0", "false", "no")


@contextmanager
def quiet() -> Iterator[None]:
    """Within the block, no progress bars (the previous setting comes back after)."""
    global _quiet
    previous = _quiet
    _quiet = True
    try:
        yield
    finally:
        _quiet = previous


def progress_bar(
    iterable: Iterable[Any] | None = None,
    *,
    total: float | None = None,
    desc: str | None = None,
    unit: str = "it",
    leave: bool = False,
) -> "tqdm":
    """A tqdm bar over ``iterable`` (or a manual one with ``total``), off when quiet.

    Examples
    --------
    >>> with quiet():
    ...     sum(progress_bar(range(3), desc="adding"))
    3
    """
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, leave=leave, disable=is_quiet())
