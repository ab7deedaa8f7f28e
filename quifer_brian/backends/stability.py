"""The time step against the dynamics, checked when a network's objects are created.

Nothing here runs a simulation: the checks read the Brian2 objects' equations, methods,
namespaces and the values known before the run, and refuse a step the chosen method
cannot carry, before any code is generated or compiled.

- :func:`check_time_steps`: each integrated variable's fastest time constant
  ``tau = -1 / (d f / d x)`` (``dx/dt = f``), derived from the equations with sympy and
  evaluated with the group's values (voltage-dependent rates over
  :data:`VOLTAGE_RANGE`), against ``dt`` and :data:`MAX_STEP_RATIO` of the method.
- :func:`check_bernoulli_sources`: a threshold ``rand() < p`` (a Bernoulli source
  such as the ``poisson`` model, ``p = rate*dt``) fires at most once per step; ``p``
  above :data:`MAX_SPIKE_PROBABILITY` is refused.
"""

import logging
import re
from typing import Any

import numpy as np
import sympy
from brian2 import NeuronGroup, second, volt
from brian2.codegen.generators.numpy_generator import NumpyCodeGenerator
from brian2.core.functions import DEFAULT_FUNCTIONS
from brian2.core.variables import ArrayVariable, Constant
from brian2.parsing.sympytools import str_to_sympy
from brian2.stateupdaters.base import StateUpdateMethod, UnsupportedEquationsException

from ..errors import CircuitError

__all__ = [
    "MAX_SPIKE_PROBABILITY",
    "MAX_STEP_RATIO",
    "VOLTAGE_RANGE",
    "check_bernoulli_sources",
    "check_steps",
    "check_time_steps",
    "fastest_time_constants",
    "mark_bernoulli_by_design",
]

logger = logging.getLogger("quifer_brian.backends")

#: Largest ``dt / tau`` each explicit method is allowed, where ``tau`` is a variable's
#: fastest time constant.  For ``dx/dt = -x/tau`` one step multiplies ``x`` by
#: ``R(dt/tau)``: Euler's ``1 - h`` decays too fast (at the bound ``h = 1/4`` its discrete
#: time constant is 13% short), changes sign at ``h > 1`` and grows at ``h > 2``; in the
#: PING network (tau_AMPA = 2 ms, Euler) the gamma peak is 40 Hz at dt <= 0.5 ms, 35 Hz
#: at 1 ms, 26 Hz at 2 ms, and the conductances flip sign and diverge at 5 ms.  RK2's
#: ``1 - h + h^2/2`` keeps its time constant within 7% to ``h = 1/2``.  RK4 is bounded
#: by measurement on the Hodgkin-Huxley models, where ``tau`` is the worst case over
#: :data:`VOLTAGE_RANGE`: Traub-Miles (tau_v = 10 us) is exact to dt = 0.03 ms
#: (``h = 3``), loses spikes at 0.04 ms and turns NaN at 0.05 ms; Wang-Buzsaki (tau_v =
#: 35 us) is exact to 0.1 ms (``h = 2.8``).  Methods that integrate the linear part
#: exactly (``exact``, ``linear``, ``exponential_euler``) are not limited.
MAX_STEP_RATIO = {
    "euler": 0.25,
    "milstein": 0.25,
    "heun": 0.5,
    "rk2": 0.5,
    "rk4": 3.0,
}

#: Membrane potentials (V) over which voltage-dependent rates are evaluated: from the
#: potassium reversal of cortical cells to above the sodium spike peak.
VOLTAGE_RANGE = (-0.09, 0.06)

#: Largest spike probability per step of a Bernoulli source (``rand() < rate*dt``):
#: its count per step is 0 or 1, so its variance is ``p (1 - p)`` instead of a Poisson
#: count's ``p`` (Fano factor ``1 - p``: 0.9 at the bound, 0.6 at p = 0.4), and a rate
#: above ``1/dt`` saturates (20 kHz asked at dt = 0.1 ms delivers 10 kHz).
MAX_SPIKE_PROBABILITY = 0.1

_VOLTAGES = np.linspace(*VOLTAGE_RANGE, 161) + 1e-7  # off the 0/0 points of exprel rates
_MAX_VALUES = 16  # distinct values of one variable used as they are; more: min and max
_BERNOULLI = re.compile(r"^\s*rand\(\)\s*<\s*(?P<p>.+?)\s*$")


def _exprel(x):
    x = np.asarray(x, dtype=float)
    safe = np.where(x == 0, 1.0, x)
    return np.where(x == 0, 1.0, np.expm1(x) / safe)


def _numpy_functions():
    functions = {"exprel": _exprel}
    for name, function in DEFAULT_FUNCTIONS.items():
        try:
            code = function.implementations[NumpyCodeGenerator].get_code(None)
        except KeyError:  # no numpy implementation (cpp/cython only)
            continue
        if callable(code):
            functions.setdefault(name, code)
    return functions


def _method(group):
    """The integration method Brian2 will use for ``group`` (a name), or None."""
    choice = group.state_updater.method_choice
    if isinstance(choice, str):
        return choice
    if callable(choice):
        return None
    for name in choice:
        try:
            StateUpdateMethod.apply_stateupdater(
                group.equations, group.variables, name, group_name=group.name
            )
        except UnsupportedEquationsException:
            continue
        return name
    return None


def _values(group, name, variable):
    """The values at which to evaluate: a 1-D array (SI), or None if unknown."""
    if name == "t":
        return np.zeros(1)
    if name in ("not_refractory",):
        return np.ones(1)
    if isinstance(variable, ArrayVariable) and not variable.scalar and variable.dim is volt.dim:
        return _VOLTAGES
    if isinstance(variable, (Constant, ArrayVariable)):
        try:
            values = np.asarray(variable.get_value(), dtype=float).ravel()
        except NotImplementedError:  # standalone: set by an expression, known only at run
            return None
    else:
        values = np.asarray(variable, dtype=float).ravel()  # a unit or a quantity
    values = np.unique(values[np.isfinite(values)])
    if values.size > _MAX_VALUES:
        values = values[[0, -1]]
    return values if values.size else None


def _fastest_tau(group, variable, expression, functions):
    """Fastest decay time constant (s) of ``variable``, inf if none, None if unknown."""
    deterministic, _ = expression.split_stochastic()
    rhs = str_to_sympy(deterministic.code, group.variables)
    symbols = {symbol.name: symbol for symbol in rhs.free_symbols}
    if variable not in symbols:
        return np.inf
    derivative = sympy.diff(rhs, symbols[variable])
    names = sorted(symbol.name for symbol in derivative.free_symbols)
    grids = _grids(group, names)
    if grids is None:
        return None
    if np.prod([len(g) for g in grids], dtype=float) > 1e6:
        grids = [g[[0, -1]] if len(g) > 2 else g for g in grids]
    points = np.meshgrid(*grids, indexing="ij") if grids else []
    function = sympy.lambdify(
        [sympy.Symbol(name, real=True) for name in names], derivative, [functions, "numpy"]
    )
    with np.errstate(all="ignore"):
        rates = np.asarray(function(*points), dtype=float)
    decays = rates[np.isfinite(rates) & (rates < 0)]
    return float(-1 / decays.min()) if decays.size else np.inf


def fastest_time_constants(group: Any) -> dict[str, float]:
    """``{variable: tau (s)}`` for every integrated variable of ``group`` that decays.

    ``tau = -1 / max(-d f / d x)`` for ``dx/dt = f`` (noise terms dropped), the
    derivative taken with sympy after substituting the subexpressions and evaluated at
    the values the group holds before the run (membrane potentials over
    :data:`VOLTAGE_RANGE`).  A variable that only grows, or whose derivative needs a
    value known only during the run (standalone values set by expressions), is left
    out.
    """
    equations = getattr(group, "equations", None)
    if equations is None or not equations.diff_eq_names:
        return {}
    functions = _numpy_functions()
    taus = {}
    for variable, expression in equations.get_substituted_expressions(group.variables):
        try:
            tau = _fastest_tau(group, variable, expression, functions)
        except Exception as error:
            logger.debug("%s.%s: no time constant (%s)", group.name, variable, error)
            continue
        if tau is not None and np.isfinite(tau):
            taus[variable] = tau
    return taus


def check_steps(objects: dict[str, Any], owner: str) -> None:
    """Both checks of this module: :func:`check_time_steps`, :func:`check_bernoulli_sources`."""
    check_time_steps(objects, owner)
    check_bernoulli_sources(objects, owner)


def check_time_steps(objects: dict[str, Any], owner: str) -> None:
    """Refuse a step too large for an integrated variable's fastest time constant.

    Parameters
    ----------
    objects : dict of str -> Brian2 object
        What to check, by the name used in messages (``'E'``); objects without
        differential equations are skipped.
    owner : str
        The circuit's name (messages start with it).

    Raises
    ------
    CircuitError
        Naming the population, the variable, its time constant, dt, the method and the
        largest dt the method is allowed (``dt <= ratio * tau``, see
        :data:`MAX_STEP_RATIO`).
    """
    # (largest dt allowed, label, variable, tau, method, ratio)
    too_large: list[tuple[Any, ...]] = []
    for label, group in objects.items():
        if getattr(group, "state_updater", None) is None:
            continue
        method = _method(group)
        ratio = MAX_STEP_RATIO.get(method)
        if ratio is None:
            continue
        dt = float(group.clock.dt / second)
        too_large.extend(
            (ratio * tau, label, variable, tau, method, ratio, dt)
            for variable, tau in fastest_time_constants(group).items()
            if dt > ratio * tau
        )
    if too_large:
        allowed, label, variable, tau, method, ratio, dt = min(too_large)
        others = f" ({len(too_large) - 1} more variables too)" if len(too_large) > 1 else ""
        raise CircuitError(
            f"{owner}: population {label!r}: {variable} has a time constant of {_ms(tau)} at "
            f"the fastest, and method {method!r} needs dt <= {ratio:g} tau = {_ms(allowed)} "
            f"(larger steps distort or flip its decay){others}; got dt = {_ms(dt)}.  Use "
            f"dt <= {_ms(allowed)} (--param dt=...)."
        )


_BY_DESIGN = "_quifer_bernoulli_by_design"


def mark_bernoulli_by_design(group: NeuronGroup) -> NeuronGroup:
    """Mark ``group``'s ``rand() < p`` threshold as a per-step Bernoulli code by design.

    :func:`check_bernoulli_sources` then accepts any ``p`` up to 1 for it: the group is
    meant to fire at most once per step with probability ``p`` (for example the input
    layer of a converted network, Rueckauer et al. 2017), not to approximate a Poisson
    process. Returns the group.
    """
    setattr(group, _BY_DESIGN, True)
    return group


def check_bernoulli_sources(objects: dict[str, Any], owner: str) -> None:
    """Refuse a ``rand() < p`` threshold whose ``p`` exceeds :data:`MAX_SPIKE_PROBABILITY`.

    ``p`` is evaluated at t = 0 with the values the group holds before the run
    (``rate*dt`` of the ``poisson`` model); a value known only during the run is not
    checked. A group marked with :func:`mark_bernoulli_by_design` is skipped: its spike per
    step *is* the code (the rate code of ANN-to-SNN conversion), not a stand-in for a
    Poisson process.
    """
    for label, group in objects.items():
        if not isinstance(group, NeuronGroup) or getattr(group, _BY_DESIGN, False):
            continue
        match = _BERNOULLI.match(group.events.get("spike") or "")
        if match is None:
            continue
        probability = _max_value(group, match["p"])
        if probability is not None and probability > MAX_SPIKE_PROBABILITY:
            dt = float(group.clock.dt / second)
            raise CircuitError(
                f"{owner}: population {label!r} fires with probability {match['p']} per "
                f"step, up to {probability:.3g} at dt = {_ms(dt)} (a rate of "
                f"{probability / dt:.4g} Hz); a Bernoulli source carries at most "
                f"{MAX_SPIKE_PROBABILITY:g} per step (rate <= {MAX_SPIKE_PROBABILITY / dt:.4g}"
                f" Hz) before its counts lose their Poisson variance and saturate at 1/dt.  "
                f"Drive the targets with Poisson counts per step instead ('g += "
                f"w*poisson(rate*dt)' in a run_regularly, as brunel does), or reduce dt."
            )


def _grids(group, names):
    """The values each name takes in ``group`` (arrays), or None where one is unreadable."""
    resolved = group.resolve_all(names, run_namespace={})
    grids = []
    for name in names:
        values = _values(group, name, resolved[name])
        if values is None:
            return None
        grids.append(values)
    return grids


def _max_value(group, code):
    try:
        expression = str_to_sympy(code, group.variables)
        names = sorted(symbol.name for symbol in expression.free_symbols)
        grids = _grids(group, names)
        if grids is None:
            return None
        function = sympy.lambdify(
            [sympy.Symbol(name, real=True) for name in names],
            expression,
            [_numpy_functions(), "numpy"],
        )
        with np.errstate(all="ignore"):
            values = np.asarray(function(*np.meshgrid(*grids, indexing="ij")), dtype=float)
    except Exception as error:
        logger.debug("%s: threshold %r not evaluated (%s)", group.name, code, error)
        return None
    values = values[np.isfinite(values)]
    return float(values.max()) if values.size else None


def _ms(seconds):
    return f"{seconds * 1e3:.4g} ms"
