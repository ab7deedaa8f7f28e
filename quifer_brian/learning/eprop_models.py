"""e-prop's units as Brian2 equations: (adaptive) LIF cells, leaky readouts, traces.

The discrete-time model (one step ``dt``; Bellec et al. 2020, Methods, with the input
scaling of NEST's ``eprop_*_bsshslm_2020`` models).  With ``alpha = exp(-dt/tau_m)``,
``kappa = exp(-dt/tau_out)`` and ``rho = exp(-dt/tau_a)``, for recurrent cell ``j``:

- ``v_j[n+1] = alpha (v_j[n] + (1 - alpha) (sum_i W_in_ji x_i[n] + sum_i W_rec_ji z_i[n])
  - theta z_j[n])`` (reset by subtraction);
- ``a_j[n+1] = rho (a_j[n] + z_j[n])`` (ALIF only; ``beta = 0`` is the LIF);
- ``z_j[n] = H(v_j[n] - A_j[n])`` with the threshold ``A_j = theta + beta a_j``;
- the pseudo-derivative ``psi_j[n] = gamma / theta max(0, 1 - |v_j[n] - A_j[n]| / theta)``;
- readout ``y_k[n] = kappa y_k[n-1] + (1 - kappa) sum_j W_out_kj z_j[n]``, error
  ``err_k[n] = y_k[n] - y*_k[n]``, loss ``E = 1/2 sum_n sum_k err_k[n]^2``.

In Brian2 the leaks are ODEs (exact integration); spikes are added by synapses (no delay)
and the resets; the pseudo-derivative is stored just before the threshold.  The
e-prop quantities (Bellec et al. 2020, eqs. 13-14, 22-26):

- presynaptic trace ``xbar_i[n] = alpha (xbar_i[n-1] + (1 - alpha) x_i[n-1])``;
- eligibility trace ``e_ji[n] = psi_j[n] (xbar_i[n] - beta eps_ji[n])`` with the adaptation
  eligibility vector ``eps_ji[n+1] = rho (eps_ji[n] + e_ji[n])`` (ALIF);
- filtered with the readout's time constant: ``ebar = kappa ebar + (1 - kappa) e``;
- learning signal ``L_j[n] = sum_k B_jk err_k[n]`` (``B = W_out^T``: symmetric e-prop;
  fixed random ``B``: random e-prop), broadcast through feedback synapses;
- update accumulated over the trial: ``g_ji = sum_n L_j[n] ebar_ji[n]`` and, for the
  output weights, ``g_kj = sum_n err_k[n] zbar_j[n]`` with the readout-filtered spikes.

Without recurrent weights these are the exact gradients of ``E`` (with the reset taken
as constant, as in the paper); with recurrent weights e-prop drops the paths through
other cells' spikes.

Reference: Bellec G, Scherr F, Subramoney A, Hajek E, Salaj D, Legenstein R, Maass W
(2020). A solution to the learning dilemma for recurrent networks of spiking neurons.
Nat Commun 11:3625.
"""

from dataclasses import dataclass, field

import numpy as np
from brian2 import Quantity, ms, mV, second, volt

from ..checks import check_choice, check_count, check_finite, check_scalar_quantity
from ..errors import ModelError

__all__ = [
    "PSEUDO_DERIVATIVE",
    "READOUT_EQUATIONS",
    "RECURRENT_EQUATIONS",
    "TRACE_MODES",
    "WEIGHT_UNIT",
    "EpropSpec",
    "eligibility_code",
    "input_equations",
]

#: Unit of the input and recurrent weights as the optimiser sees them (NEST's pA at
#: C_m = 1 pF, i.e. millivolts of membrane potential per unit spike).
WEIGHT_UNIT = mV

#: Recurrent (A)LIF cells.  ``zbar`` feeds the outgoing eligibility traces, ``zout`` the
#: output weights' updates; ``psi`` is written just before the threshold.
RECURRENT_EQUATIONS = """
dv/dt = -v / tau_m : volt
da/dt = -a / tau_a : 1
dzbar/dt = -zbar / tau_m : 1
dzout/dt = -zout / tau_out : 1
psi : 1/volt
L : 1
count : 1
"""
RECURRENT_THRESHOLD = "v > theta + beta * a"
RECURRENT_RESET = "v -= theta; a += 1; zbar += 1 - alpha; zout += 1 - kappa; count += 1"
PSEUDO_DERIVATIVE = "psi = gamma / theta * clip(1 - abs(v - theta - beta * a) / theta, 0, inf)"

#: Leaky readouts; ``err`` and ``loss`` are written at the end of each step.
READOUT_EQUATIONS = """
dy/dt = -y / tau_out : 1
err : 1
loss : 1
"""
READOUT_ERROR = "err = y - y_target(t, i)\nloss += 0.5 * err**2"


def input_equations():
    """Input cells: spikes read from the ``x_in`` TimedArray, with their trace ``xbar``."""
    return "dxbar/dt = -xbar / tau_m : 1"


def eligibility_code(adaptive):
    """``(equations, step_code)`` of an input or recurrent e-prop synapse.

    ``step_code`` runs after the spikes of a step were delivered and before the resets:
    it forms the eligibility trace from ``psi_post`` and ``xbar_pre`` (called ``zbar`` in
    the recurrent cells: the caller substitutes the name).
    """
    equations = "w : volt\ne_bar : 1/volt\ng : 1/volt\ns_e : 1/volt\n"
    if adaptive:
        equations += "deps_a/dt = -eps_a / tau_a : 1/volt (clock-driven)\n"
        step = (
            "e_now = psi_post * (TRACE_pre - beta * eps_a)\n"
            "eps_a += e_now\n"
            "e_bar = kappa * e_bar + (1 - kappa) * e_now\n"
            "s_e += e_now"
        )
    else:
        step = (
            "e_now = psi_post * TRACE_pre\n"
            "e_bar = kappa * e_bar + (1 - kappa) * e_now\n"
            "s_e += e_now"
        )
    return equations, step


_OWNER = "eprop_network"

#: Where the eligibility traces are computed (see :class:`EpropSpec`).
TRACE_MODES = ("synaptic", "factorised")


@dataclass(frozen=True)
class EpropSpec:
    """The structure of an e-prop network: what a compiled program is built from.

    Parameters
    ----------
    n_in, n_rec, n_out : int
        Input channels, recurrent cells, readouts.
    n_steps : int
        Time steps of one trial.
    dt : brian2.Quantity (second)
    tau_m, tau_out : brian2.Quantity (second)
        Membrane time constants of the recurrent cells and of the readouts.
    theta : brian2.Quantity (volt)
        Threshold (also the reset step).
    gamma : float
        Height of the pseudo-derivative (times ``1/theta``).
    adaptive : bool
        ALIF cells (threshold adaptation ``beta``, time constant ``tau_a``).
    tau_a : brian2.Quantity (second)
    beta : brian2.Quantity (volt)
        Threshold increase per unit adaptation (0 for LIF cells).
    recurrent : bool
        Recurrent weights (False: a feed-forward spiking layer, where e-prop is exact).
    traces : {'synaptic', 'factorised'}
        Where the eligibility traces live.  ``'synaptic'``: as synaptic variables, every
        synapse every step (the program accumulates the updates).  ``'factorised'``: the
        program records each cell's pseudo-derivative and the updates are formed after
        the trial from per-cell and per-input factors
        (:mod:`~quifer_brian.learning.eprop_factorised`); the same numbers, without the
        per-synapse work.
    """

    n_in: int
    n_rec: int
    n_out: int
    n_steps: int
    dt: Quantity = field(default_factory=lambda: 1 * ms)
    tau_m: Quantity = field(default_factory=lambda: 30 * ms)
    tau_out: Quantity = field(default_factory=lambda: 30 * ms)
    theta: Quantity = field(default_factory=lambda: 0.03 * mV)
    gamma: float = 0.3
    adaptive: bool = False
    tau_a: Quantity = field(default_factory=lambda: 2000 * ms)
    beta: Quantity = field(default_factory=lambda: 0 * mV)
    recurrent: bool = True
    traces: str = "synaptic"

    def __post_init__(self):
        for name in ("n_in", "n_rec", "n_out", "n_steps"):
            check_count(name, getattr(self, name), owner=_OWNER)
        for name in ("dt", "tau_m", "tau_out", "tau_a"):
            check_scalar_quantity(name, getattr(self, name), second, owner=_OWNER)
        check_scalar_quantity("theta", self.theta, mV, owner=_OWNER)
        check_scalar_quantity("beta", self.beta, mV, owner=_OWNER, allow_zero=True)
        check_finite("gamma", self.gamma, owner=_OWNER)
        if not float(self.gamma) > 0:
            raise ModelError(
                owner=_OWNER, argument="gamma", value=self.gamma, problem="must be > 0"
            )
        check_choice("adaptive", self.adaptive, (True, False), owner=_OWNER)
        check_choice("recurrent", self.recurrent, (True, False), owner=_OWNER)
        check_choice("traces", self.traces, TRACE_MODES, owner=_OWNER)
        if self.recurrent and self.n_rec < 2:
            raise ModelError(
                owner=_OWNER,
                argument="n_rec",
                value=self.n_rec,
                problem="must be >= 2 with recurrent weights (no autapses)",
                fix="Pass recurrent=False for a single cell.",
            )
        if not self.adaptive and float(self.beta / mV) != 0:
            raise ModelError(
                owner=_OWNER,
                argument="beta",
                value=self.beta,
                problem="must be 0 mV for LIF cells",
                fix="Pass adaptive=True for ALIF cells.",
            )
        if float(self.dt / self.tau_m) > 0.5 or float(self.dt / self.tau_out) > 0.5:
            raise ModelError(
                owner=_OWNER,
                argument="dt",
                value=self.dt,
                problem=f"must be at most half of tau_m ({self.tau_m}) and tau_out "
                f"({self.tau_out})",
            )

    @property
    def alpha(self):
        """Membrane decay per step, ``exp(-dt/tau_m)``."""
        return float(np.exp(-float(self.dt / self.tau_m)))

    @property
    def kappa(self):
        """Readout decay per step, ``exp(-dt/tau_out)``."""
        return float(np.exp(-float(self.dt / self.tau_out)))

    @property
    def rho(self):
        """Adaptation decay per step, ``exp(-dt/tau_a)``."""
        return float(np.exp(-float(self.dt / self.tau_a)))

    @property
    def duration(self):
        """Simulated time of one trial."""
        return self.n_steps * self.dt

    def namespace(self):
        """The constants the equations read."""
        return {
            "tau_m": self.tau_m,
            "tau_out": self.tau_out,
            "tau_a": self.tau_a,
            "theta": self.theta,
            "beta": self.beta,
            "gamma": float(self.gamma),
            "alpha": self.alpha,
            "kappa": self.kappa,
        }

    def as_dict(self):
        """Every field, quantities as SI floats (JSON-able, for cache keys and files)."""
        return {name: _plain(getattr(self, name)) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, values):
        """The spec :meth:`as_dict` wrote (SI floats back to quantities)."""
        values = dict(values)
        for name, unit in _UNITS.items():
            if name in values:
                values[name] = float(values[name]) * unit
        return cls(**values)


_UNITS = {
    "dt": second,
    "tau_m": second,
    "tau_out": second,
    "tau_a": second,
    "theta": volt,
    "beta": volt,
}


def _plain(value):
    if isinstance(value, Quantity):
        return float(np.asarray(value))
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    return float(value)
