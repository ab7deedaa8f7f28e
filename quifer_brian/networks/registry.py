"""The network builders by name: each builder registers itself in its own file.

Examples
--------
>>> from quifer_brian.networks import get_network, list_networks
>>> "ping" in list_networks()
True
>>> get_network("ping").table["tau_gaba"].tunable
True
"""

from collections.abc import Callable, Mapping
from typing import Any

from ..errors import CircuitError, did_you_mean

__all__ = ["build_network", "get_network", "list_networks", "register_network"]

_NETWORKS: dict[str, Callable[..., Any]] = {}


def register_network(name: str, builder: Callable[..., Any]) -> Callable[..., Any]:
    """Register ``builder`` (a function made by ``ParamTable.builder``) under ``name``.

    Registering the same builder again is harmless (a module reload); another builder
    under a taken name is refused.  Returns ``builder`` (usable as a decorator helper).
    """
    if not isinstance(name, str) or not name.isidentifier():
        raise CircuitError(f"register_network.name: must be an identifier; got {name!r}.")
    if getattr(builder, "table", None) is None:
        raise CircuitError(
            f"register_network.builder: {name!r} has no parameter table; decorate it with "
            f"ParamTable.builder (quifer_brian.networks.params)."
        )
    known = _NETWORKS.get(name)
    same = (getattr(known, "__module__", None), getattr(known, "__qualname__", None)) == (
        builder.__module__,
        builder.__qualname__,
    )
    if known is not None and not same:
        raise CircuitError(
            f"register_network.name: {name!r} is already registered for "
            f"{known.__module__}.{known.__qualname__}; choose another name."
        )
    _NETWORKS[name] = builder
    return builder


def get_network(name: str) -> Callable[..., Any]:
    """The builder registered as ``name``; a CircuitError listing the names if none."""
    if name not in _NETWORKS:
        raise CircuitError(
            f"unknown network {name!r}; {did_you_mean(name, _NETWORKS)}the networks are: "
            f"{', '.join(list_networks())}."
        )
    return _NETWORKS[name]


def list_networks() -> tuple[str, ...]:
    """The registered network names, sorted."""
    return tuple(sorted(_NETWORKS))


def build_network(name: str, params: Mapping[str, Any]) -> Any:
    """Call the builder registered as ``name`` with ``params``.

    Unlike a direct call (where an unknown keyword is Python's ``TypeError``), an unknown
    parameter is a :class:`CircuitError` listing the builder's parameters: this is the
    entry point for names and values that come from text (the command line, sweeps).
    """
    builder: Any = get_network(name)  # a ParamTable.builder: it has a table
    names = builder.table.names
    unknown = sorted(set(params) - set(names))
    if unknown:
        raise CircuitError(
            f"{name}: unknown parameter(s) {', '.join(unknown)}; "
            f"{did_you_mean(unknown[0], names)}its parameters are: {', '.join(names)}."
        )
    return builder(**params)
