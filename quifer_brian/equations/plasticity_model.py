"""Plasticity rules: synaptic equations and event code that change the weight ``w``.

A rule is attached to a receptor's synapses with
``receptor.synapses(source, target, w=..., plasticity=rule, w_max=...)``: its equations
are added to the ``Synapses`` model, its ``on_pre`` code runs before the receptor's
effect (so a weight change at a presynaptic spike already acts on that spike) and its
``on_post`` code runs at postsynaptic spikes.  ``w`` keeps the receptor's units; the
rule's amplitudes are fractions of ``w_max``, and hard bounds keep ``0 <= w <= w_max``.
"""

from dataclasses import dataclass, field

from .model import Model

__all__ = ["PlasticityModel"]


@dataclass(frozen=True)
class PlasticityModel(Model):
    """A synaptic plasticity rule.

    Parameters
    ----------
    on_pre, on_post : str
        Code run at pre- and postsynaptic spikes.  They may use ``w`` and ``w_max``.
    """

    on_pre: str = ""
    on_post: str = ""
    kind: str = field(default="plasticity", init=False)

    def _event_lines(self):
        def one_line(code):
            return "; ".join(s.strip() for s in code.strip().splitlines())

        return [f"On pre: {one_line(self.on_pre)}", f"On post: {one_line(self.on_post)}"]
