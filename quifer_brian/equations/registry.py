"""The registry of every model in the library, by name."""

from typing import TYPE_CHECKING, Any

from ..errors import ModelError, did_you_mean

if TYPE_CHECKING:
    from .model import Model

__all__ = ["get_model", "list_models", "register"]

_MODELS: dict[str, Any] = {}


def register[M: Model](model: M) -> M:
    """Add ``model`` to the registry under its name and return it."""
    if model.name in _MODELS:
        raise ModelError(f"register: a model named {model.name!r} already exists.")
    _MODELS[model.name] = model
    return model


def list_models(kind: str | None = None) -> list[str]:
    """Names of the registered models, sorted; ``kind`` filters by model kind.

    Parameters
    ----------
    kind : {'neuron', 'current', 'plasticity'}, optional

    Examples
    --------
    >>> from quifer_brian.equations import list_models
    >>> "lif" in list_models("neuron"), "ampa" in list_models("current")
    (True, True)
    """
    kinds = sorted({m.kind for m in _MODELS.values()})
    if kind is not None and kind not in kinds:
        raise ModelError(
            f"list_models: unknown kind {kind!r}; {did_you_mean(kind, kinds)}valid kinds are "
            f"{kinds}."
        )
    return sorted(name for name, m in _MODELS.items() if kind is None or m.kind == kind)


def get_model(name: str) -> "Model":
    """Return the registered model called ``name``.

    Examples
    --------
    >>> from quifer_brian.equations import get_model
    >>> get_model("adex").name
    'adex'
    """
    try:
        return _MODELS[name]
    except (KeyError, TypeError):
        valid = ", ".join(sorted(_MODELS))
        raise ModelError(
            f"get_model: unknown model {name!r}; {did_you_mean(name, _MODELS)}valid models "
            f"are: {valid}."
        ) from None
