"""What a neural sampler returns, and the sampler object that runs it.

:class:`BoltzmannSampler` wraps the circuit built by
:func:`~quifer_brian.networks.boltzmann_sampler`; its ``run`` turns the spikes into
binary states on a grid (:class:`SamplingResult`).
"""

from dataclasses import dataclass

import numpy as np
from brian2 import Network, NeuronGroup, Quantity, ms, second

from ..backends import BackendSession, BuildCache
from ..checks import check_scalar_quantity
from ..errors import CircuitError
from ..results import Result
from .boltzmann_exact import (
    boltzmann_distribution,
    kl_divergence,
    state_frequencies,
    states_from_spikes,
)
from .circuit import Circuit

__all__ = ["BoltzmannSampler", "SamplingResult"]

_OWNER = "boltzmann_sampler"


@dataclass(frozen=True)
class SamplingResult:
    """The states a sampler visited, and its spikes.

    Attributes
    ----------
    states : ndarray of uint8, shape (n_chains, n_samples, n_units)
        :math:`z_k(t) = 1` iff unit k spiked in :math:`(t - \\tau, t]`; clamped units hold
        their clamped value.
    times : ndarray (s)
        The sample times.
    clamp : ndarray of int, shape (n_chains, n_units)
        0 or 1 where clamped, -1 where free.
    result : Result
        The run's spikes (population ``'Z'``, chain c's unit k is neuron ``c*n + k``).
    """

    states: np.ndarray
    times: np.ndarray
    clamp: np.ndarray
    result: Result

    def frequencies(self, chain: int | None = None) -> np.ndarray:
        """Fraction of samples in each state (index :math:`\\sum_k z_k 2^k`), all chains
        together or one ``chain``."""
        states = self.states if chain is None else self.states[chain]
        return state_frequencies(states)


class BoltzmannSampler:
    """A neural-sampling circuit with ``run`` returning a :class:`SamplingResult`.

    Attributes
    ----------
    circuit : Circuit
        The Brian2 circuit (population ``'Z'``, synapses ``'W'``).
    weights, biases : ndarray
        ``W`` and ``b`` of the sampled distribution.
    clamp : ndarray of int, shape (n_chains, n_units)
    tau, dt : brian2.Quantity
    """

    def __init__(
        self,
        circuit: Circuit,
        weights: np.ndarray,
        biases: np.ndarray,
        clamp: np.ndarray,
        tau: Quantity,
        dt: Quantity,
        intensity: str,
    ) -> None:
        self.circuit = circuit
        self.weights, self.biases, self.clamp = weights, biases, clamp
        self.tau, self.dt, self.intensity = tau, dt, intensity
        self.tau_steps = round(float(tau / dt))

    @property
    def n_units(self) -> int:
        """Number of units of the Boltzmann machine."""
        return len(self.biases)

    @property
    def n_chains(self) -> int:
        """Number of independent copies simulated side by side."""
        return self.clamp.shape[0]

    @property
    def network(self) -> Network:
        """The :class:`brian2.Network` of the circuit."""
        return self.circuit.network

    @property
    def units(self) -> NeuronGroup:
        """The :class:`brian2.NeuronGroup` of all units of all chains."""
        return self.circuit.populations["Z"]

    def exact(self, chain: int = 0) -> np.ndarray:
        """The exact distribution of the free units given the clamps of ``chain``, over all
        ``2**n`` states (probability 0 where a clamped unit differs from its clamp)."""
        p = boltzmann_distribution(self.weights, self.biases)
        n = self.n_units
        states = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
        clamped = self.clamp[chain] >= 0
        keep = np.all(states[:, clamped] == self.clamp[chain][clamped], axis=1)
        p = np.where(keep, p, 0.0)
        return p / p.sum()

    def kl(self, sampled: SamplingResult, chain: int | None = None) -> float:
        """KL(sampled || exact) of a :class:`SamplingResult` (one chain or all, same clamp)."""
        return kl_divergence(sampled.frequencies(chain), self.exact(chain or 0))

    def run(
        self,
        duration: Quantity,
        backend: str = "numpy",
        seed: int | None = None,
        sample_every: Quantity | None = None,
        t_start: Quantity = 0 * ms,
        cache: bool | str | BuildCache | None = None,
        session: BackendSession | None = None,
        check: bool = True,
        progress: bool = False,
    ) -> SamplingResult | None:
        """Simulate for ``duration`` and return the states on a grid and the spikes.

        Parameters
        ----------
        duration : brian2.Quantity (s)
        backend, seed, cache, session, check, progress
            As :meth:`Circuit.run <quifer_brian.networks.Circuit.run>`; with
            ``cache`` a cpp_standalone program is compiled once per structure (sizes,
            ``tau``, ``dt``, which pairs are coupled) and rerun with new ``W``, ``b`` and
            clamps.
        sample_every : brian2.Quantity (s), optional
            Grid of the samples (default: every step, the time average).
        t_start : brian2.Quantity (s)
            First sample time (the burn-in before it is dropped).

        Returns
        -------
        SamplingResult
        """
        every = 1
        if sample_every is not None:
            check_scalar_quantity("sample_every", sample_every, second, _OWNER, error=CircuitError)
            every = max(1, round(float(sample_every / self.dt)))
        result = self.circuit.run(
            duration,
            backend=backend,
            seed=seed,
            cache=cache,
            session=session,
            check=check,
            progress=progress,
        )
        if result is None:
            return None
        return self.sample(result, every, float(t_start / second))

    def sample(self, result: Result, every: int = 1, t_start: float = 0.0) -> SamplingResult:
        """The :class:`SamplingResult` of a run's ``result`` (grid of ``every`` steps)."""
        n, dt = self.n_units, float(self.dt / second)
        times, indices = result.spikes["Z"]
        n_steps = round(result.duration / dt)
        grid, states = states_from_spikes(
            times, indices, n * self.n_chains, dt, self.tau_steps, n_steps, every, t_start
        )
        states = states.reshape(len(grid), self.n_chains, n).transpose(1, 0, 2).copy()
        clamped = self.clamp >= 0
        for chain in range(self.n_chains):
            states[chain][:, clamped[chain]] = self.clamp[chain][clamped[chain]]
        return SamplingResult(states=states, times=grid * dt, clamp=self.clamp, result=result)
