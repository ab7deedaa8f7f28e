"""The versions of everything that shapes a result's numbers, recorded with the result.

A run's numbers depend on more than Brian2: numpy and scipy (random streams, filters,
spectra), sympy (Brian2's code generation), specparam (peak fits), matplotlib (figures),
Cython and brian2cuda (the compiled backends).  :func:`package_versions` reads them
from the installed distributions' metadata -- without importing them -- and every
:class:`~quifer_brian.results.Result` carries them in ``meta['versions']``.  The lock
file (``requirements.lock``, ``make lock``) pins the same packages.

Examples
--------
>>> versions = package_versions()
>>> sorted({"quifer_brian", "python", "brian2", "numpy", "scipy"} - set(versions))
[]
"""

import functools
import platform

from .._version import __version__

__all__ = ["NUMERICAL_PACKAGES", "package_versions"]

#: Distributions whose versions can change a result's numbers (name as installed).
NUMERICAL_PACKAGES = (
    "brian2",
    "numpy",
    "scipy",
    "sympy",
    "specparam",
    "matplotlib",
    "pandas",
    "cython",
    "brian2cuda",
    "scikit-learn",
)


@functools.cache
def _installed() -> dict[str, str]:
    from importlib import metadata  # 0.1 s (email, zipfile, csv): not on a run's start-up

    found = {}
    for name in NUMERICAL_PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # optional (brian2cuda, scikit-learn): not part of this install
    return found


def package_versions() -> dict[str, str]:
    """Versions of quifer_brian, Python and the numerical packages installed here.

    Returns
    -------
    dict of str -> str
        ``{"quifer_brian": ..., "python": ..., "brian2": ..., "numpy": ..., ...}``; a
        package that is not installed (an optional one) is left out.
    """
    return {"quifer_brian": __version__, "python": platform.python_version(), **_installed()}
