"""The Kuramoto phase-oscillator bank written as Brian2 equations.

:func:`kuramoto` is the classic bank of phase oscillators (Kuramoto 1975) with an O(N)
mean-field coupling through summed variables: the continuous reference that the
spiking clock (:func:`~quifer_brian.networks.frequency_bank`) replaces.
:func:`quifer_brian.analysis.order_parameter` and
:func:`~quifer_brian.analysis.mean_field_phase` read a run's mean field.
"""

from typing import Any

import numpy as np
from brian2 import Hz, NeuronGroup, Synapses, linked_var, ms, second

from ..checks import check_choice, check_finite, check_quantity
from ..errors import CircuitError
from .circuit import Circuit, CircuitParts
from .params import Param, ParamTable
from .registry import register_network

__all__ = [
    "FREQUENCY_CHOICES",
    "KURAMOTO",
    "MAX_COUPLING_STEP",
    "MAX_PHASE_STEP",
    "kuramoto",
    "lorentzian_quantiles",
]


#: Ways of choosing the natural frequencies of :func:`kuramoto`.
FREQUENCY_CHOICES = ("quantiles", "random")

_KURAMOTO_EQUATIONS = """
dphi/dt = omega - omega_0 + K*(Y*cos(phi) - X*sin(phi)) : 1
theta = phi + omega_0*t : 1
omega : Hz (constant)
cycle : 1
X : 1 (linked)
Y : 1 (linked)
"""

_MEAN_FIELD_EQUATIONS = """
X : 1
Y : 1
r = sqrt(X**2 + Y**2) : 1
mean_cos = X*cos(omega_0*t) - Y*sin(omega_0*t) : 1
mean_sin = X*sin(omega_0*t) + Y*cos(omega_0*t) : 1
"""


#: Largest ``K dt`` accepted.  The locked state relaxes at a rate up to K, so an
#: explicit step needs ``K dt`` < 2 (Euler's stability limit); with n = 500, gamma =
#: 1 rad/s and dt = 10 ms, r matches sqrt(1 - 2 gamma / K) within 0.3% and the mean
#: field turns at omega_0 up to ``K dt`` = 2 (rk4 and euler), while at ``K dt`` = 4 the
#: clock runs at 13.5 Hz instead of 10 (rk4) or r drops to 0.70 instead of 1.00 (euler).
MAX_COUPLING_STEP = 1.0

#: Largest ``|omega| dt`` (rad) accepted, for the fastest natural frequency (the 99th
#: percentile of the Lorentzian): at least two steps per cycle, so the mean field
#: (recorded every step at most) does not alias and each cycle gives one event.
#: Measured (dt = 10 ms): 80 Hz oscillators (5 rad per step) still give 80 events/s,
#: 150 Hz (9.4 rad) give 99.5.
MAX_PHASE_STEP = np.pi

#: Quantile of the Lorentzian taken as its fastest frequency (its tails are unbounded).
FASTEST_QUANTILE = 0.99

#: Integration methods :func:`kuramoto` accepts.
METHODS = ("rk4", "rk2", "euler", "heun")

#: The parameters of :func:`kuramoto`.
KURAMOTO = ParamTable(
    "kuramoto",
    [
        Param("n", 2000, "count", ">= 1", "number of oscillators"),
        Param("coupling", 4 * Hz, Hz, ">= 0", "coupling strength K (rad/s); K_c = 2 gamma"),
        Param(
            "frequencies",
            "quantiles",
            "any",
            None,
            "'quantiles', 'random' or n angular frequencies (rad/s)",
            shown_unit="hertz",
        ),
        Param("omega_0", 2 * np.pi * 10 * Hz, Hz, ">= 0", "centre of the frequencies (rad/s)"),
        Param("gamma", 1 * Hz, Hz, "> 0", "half-width of the Lorentzian (rad/s)"),
        Param(
            "seed",
            0,
            "count",
            "[0, 4294967295]",
            "numpy seed of the initial phases (and 'random')",
        ),
        Param("dt", 1 * ms, second, "> 0", "time step"),
        Param("method", "rk4", "choice", None, "Brian2 integration method", options=METHODS),
    ],
    size=lambda p: (p["n"] + 1, p["n"]),  # the mean field sums over n synapses
)


def _check_frequencies(n, frequencies, owner="kuramoto"):
    if isinstance(frequencies, str):
        check_choice("frequencies", frequencies, FREQUENCY_CHOICES, owner=owner, error=CircuitError)
        return
    check_quantity("frequencies", frequencies, Hz, owner=owner)
    check_finite("frequencies", frequencies, owner=owner, error=CircuitError)
    if np.shape(frequencies) != (n,):
        raise CircuitError(
            f"{owner}.frequencies: needs one angular frequency per oscillator, shape "
            f"({n},); got shape {np.shape(frequencies)}."
        )


@KURAMOTO.builder
def kuramoto(**params: Any) -> Circuit:
    r"""Kuramoto phase oscillators with mean-field coupling, written as equations.

    ``n`` oscillators ('oscillators') with natural angular frequencies
    :math:`\omega_j` from a Lorentzian (Cauchy) distribution of centre ``omega_0`` and
    half-width ``gamma`` are coupled all to all through the mean field: a one-neuron
    group sums :math:`\cos\theta_j` and :math:`\sin\theta_j` (``(summed)`` variables)
    and every oscillator reads the sums back (linked variables), so a step costs
    O(n), not O(n^2).  No spikes drive anything: each oscillator emits an event when
    its phase completes a cycle (``theta`` crosses a multiple of 2 pi), recorded as the
    population's spikes -- one "spike" per cycle, the phase-oscillator analogue of a
    clock neuron.

    Parameters
    ----------
    n : int
        Number of oscillators (> 0).
    coupling : brian2.Quantity (1/second, i.e. rad/s)
        Coupling strength K (>= 0).  Synchrony sets in at ``K_c = 2 gamma``.
    frequencies : {'quantiles', 'random'} or brian2.Quantity array (1/second)
        ``'quantiles'``: the deterministic, equally spaced quantiles of the Lorentzian,
        ``omega_j = omega_0 + gamma tan(pi (j - (n + 1)/2) / (n + 1))``, j = 1..n;
        ``'random'``: independent Cauchy draws (numpy, ``seed``); or ``n`` angular
        frequencies given explicitly (``omega_0`` and ``gamma`` are then only the frame).
    omega_0 : brian2.Quantity (1/second, rad/s)
        Centre of the frequency distribution (>= 0); 2 pi 10 Hz is a 10 Hz clock.
    gamma : brian2.Quantity (1/second, rad/s)
        Half-width at half-maximum of the Lorentzian (> 0).
    seed : int
        Seed of the numpy generator that draws the initial phases (uniform in
        [0, 2 pi)) and, with ``frequencies='random'``, the natural frequencies.  The
        network is deterministic: ``run(seed=...)`` does not change it, and numpy and
        standalone runs agree.
    dt : brian2.Quantity (second)
        Time step (> 0), with ``coupling * dt <= 1`` and ``|omega| dt <= pi`` for the
        fastest frequency (the 99% quantile of the Lorentzian); see
        :data:`MAX_COUPLING_STEP` and :data:`MAX_PHASE_STEP`.  The equations are
        integrated in the frame rotating at ``omega_0``, so the integration error depends
        on ``K dt`` and ``gamma dt``, not on ``omega_0 dt``.
    method : str
        Brian2 integration method (``'rk4'``, ``'rk2'``, ``'euler'``).

    Returns
    -------
    Circuit
        Population ``'oscillators'`` (phase-wrap events as spikes; variables ``phi``,
        ``theta``, ``omega``); synapses ``'mean_field'``; recorded states (at 1 kHz):
        ``'r'`` (order parameter), ``'mean_cos'`` and ``'mean_sin'`` (the mean field
        :math:`r e^{i\psi}` in the laboratory frame), sampled at 1 kHz, or every step
        when ``dt`` is longer than 1 ms.  Read them with
        :func:`~quifer_brian.analysis.order_parameter` and
        :func:`~quifer_brian.analysis.mean_field_phase`.

    Notes
    -----
    Kuramoto (1975):
    :math:`\dot\theta_j = \omega_j + \frac{K}{N}\sum_k \sin(\theta_k - \theta_j)
    = \omega_j + K r \sin(\psi - \theta_j)`, with the order parameter
    :math:`r e^{i\psi} = \frac1N \sum_k e^{i\theta_k}`.  Writing
    :math:`X + iY = r e^{i\psi}` gives :math:`K r \sin(\psi - \theta) = K (Y\cos\theta
    - X\sin\theta)`, the form in the equations.  They are integrated for
    :math:`\phi_j = \theta_j - \omega_0 t` (the frame rotating with the centre
    frequency): the mean field then stands still in the locked state, and freezing it
    during a step (Brian2 updates summed variables once per step) costs nothing.

    For a Lorentzian :math:`g(\omega)` of half-width :math:`\gamma` and
    :math:`N \to \infty` the stationary order parameter is
    :math:`r = \sqrt{1 - K_c / K}` above :math:`K_c = 2\gamma`, and 0 below (Kuramoto
    1975; Strogatz 2000); at finite N the incoherent state keeps
    :math:`r = O(N^{-1/2})`.

    References
    ----------
    Kuramoto (1975) Self-entrainment of a population of coupled non-linear
    oscillators. Lecture Notes in Physics 39:420.
    Strogatz (2000) From Kuramoto to Crawford: exploring the onset of synchronization
    in populations of coupled oscillators. Physica D 143:1.

    Examples
    --------
    >>> from brian2 import Hz
    >>> circuit = kuramoto(n=100, coupling=3 * Hz)
    >>> circuit.populations["oscillators"].N, sorted(circuit.monitors)[-3:]
    (100, ['state_mean_cos', 'state_mean_sin', 'state_r'])
    """
    _check_frequencies(params["n"], params["frequencies"])
    _check_steps(params)
    # States are sampled every step when the step is longer than 1 ms: a 1 kHz monitor on
    # a coarse run would cost more than the oscillators.
    fs = min(1000 * Hz, 1 / params["dt"])
    return Circuit("kuramoto", _construct_kuramoto, params, fs=fs, table=KURAMOTO)


def _check_steps(params, owner="kuramoto"):
    """Refuse ``K dt`` > :data:`MAX_COUPLING_STEP` and ``|omega| dt`` > :data:`MAX_PHASE_STEP`."""
    dt = float(params["dt"] * second)
    coupling = float(params["coupling"] * second)
    if coupling * dt > MAX_COUPLING_STEP:
        raise CircuitError(
            owner=owner,
            argument="coupling",
            value=params["coupling"],
            problem=f"K*dt must be <= {MAX_COUPLING_STEP:g} (the locked state relaxes at a "
            f"rate up to K; beyond, the step distorts r and the clock rate); "
            f"K*dt = {coupling * dt:.3g} at dt = {params['dt']}",
            fix=f"Use dt <= {MAX_COUPLING_STEP / coupling * 1e3:.4g} ms (--param dt=...).",
        )
    frequencies = params["frequencies"]
    if isinstance(frequencies, str):
        centre, width = float(params["omega_0"] * second), float(params["gamma"] * second)
        fastest = abs(centre) + width * np.tan(np.pi * (FASTEST_QUANTILE - 0.5))
        what = f"the {FASTEST_QUANTILE:.0%} quantile of the Lorentzian"
    else:
        fastest = float(np.max(np.abs(np.asarray(frequencies * second, dtype=float))))
        what = "the fastest given frequency"
    if fastest * dt > MAX_PHASE_STEP:
        raise CircuitError(
            owner=owner,
            argument="dt",
            value=params["dt"],
            problem=f"|omega|*dt must be <= pi (two steps per cycle) for {what}, "
            f"{fastest:.4g} rad/s; |omega|*dt = {fastest * dt:.3g}",
            fix=f"Use dt <= {MAX_PHASE_STEP / fastest * 1e3:.4g} ms, or slower frequencies.",
        )


def lorentzian_quantiles(n, omega_0, gamma):
    """The ``n`` equally spaced quantiles of a Lorentzian (rad/s, plain floats).

    ``omega_j = omega_0 + gamma tan(pi (j - (n + 1)/2) / (n + 1))`` for j = 1..n: the
    quantiles ``j / (n + 1)`` of the Cauchy distribution, which leave out its extreme
    tails.
    """
    j = np.arange(1, n + 1)
    return omega_0 + gamma * np.tan(np.pi * (j - (n + 1) / 2) / (n + 1))


def _natural_frequencies(n, frequencies, omega_0, gamma, rng):
    centre, width = float(omega_0 * second), float(gamma * second)
    if isinstance(frequencies, str) and frequencies == "quantiles":
        return lorentzian_quantiles(n, centre, width)
    if isinstance(frequencies, str):  # 'random'
        return centre + width * np.tan(np.pi * (rng.random(n) - 0.5))
    return np.asarray(frequencies * second, dtype=float)


def _construct_kuramoto(n, coupling, frequencies, omega_0, gamma, seed, dt, method):
    rng = np.random.default_rng(seed)
    phases = rng.random(n) * 2 * np.pi
    omegas = _natural_frequencies(n, frequencies, omega_0, gamma, rng)
    oscillators = NeuronGroup(
        n,
        _KURAMOTO_EQUATIONS,
        # one event per completed cycle of theta (cycle = the number completed so far)
        threshold="theta >= 2*pi*(cycle + 1)",
        reset="cycle = floor(theta/(2*pi))",
        method=method,
        dt=dt,
        namespace={"K": coupling, "omega_0": omega_0},
        name="kuramoto_oscillators",
    )
    mean_field = NeuronGroup(
        1, _MEAN_FIELD_EQUATIONS, dt=dt, namespace={"omega_0": omega_0}, name="kuramoto_mean"
    )
    summing = Synapses(
        oscillators,
        mean_field,
        model="X_post = cos(phi_pre)/N_pre : 1 (summed)\nY_post = sin(phi_pre)/N_pre : 1 (summed)",
        dt=dt,
        namespace={},
        name="kuramoto_mean_field",
    )
    summing.connect()
    oscillators.X = linked_var(mean_field, "X", index=np.zeros(n, dtype=int))
    oscillators.Y = linked_var(mean_field, "Y", index=np.zeros(n, dtype=int))
    oscillators.omega = omegas * Hz
    oscillators.phi = phases
    oscillators.cycle = 0
    return CircuitParts(
        populations={"oscillators": oscillators},
        synapses={"mean_field": summing},
        others=[mean_field],
        states={
            "r": (mean_field, "r"),
            "mean_cos": (mean_field, "mean_cos"),
            "mean_sin": (mean_field, "mean_sin"),
        },
    )


register_network("kuramoto", kuramoto)
