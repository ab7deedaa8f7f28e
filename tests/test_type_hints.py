"""The public API is annotated (PEP 561: the package ships py.typed; `make lint` runs mypy).

Every function, method and property that a listed module exports (its ``__all__``) has a
type on each parameter and on its return value.  Plotting and analysis are another
helper's (issue 16, "figures"), learning/ is not yet written: not listed here.
"""

import importlib
import inspect
from pathlib import Path

import pytest

import quifer_brian

PUBLIC = [
    "quifer_brian.backends",
    "quifer_brian.results",
    "quifer_brian.coding",
    "quifer_brian.equations",
    "quifer_brian.networks",
    "quifer_brian.networks.actualization",
    "quifer_brian.sweeps",
    "quifer_brian.protocols",
    "quifer_brian.progress",
    "quifer_brian.cli.main",
]


def _missing(function, skip_first=False):
    """Names of the unannotated parameters of ``function`` (and ``'return'``)."""
    signature = inspect.signature(function)
    names = list(signature.parameters.items())[1 if skip_first else 0 :]
    missing = [name for name, p in names if p.annotation is inspect.Parameter.empty]
    if signature.return_annotation is inspect.Signature.empty and function.__name__ != "__init__":
        missing.append("return")
    return missing


def _members(cls):
    """The public methods and properties a class defines itself (dataclass-made ones not)."""
    for name, member in vars(cls).items():
        if name.startswith("_") and name != "__init__":
            continue
        if name == "__init__" and "__dataclass_fields__" in vars(cls):
            continue
        if isinstance(member, property):
            yield name, member.fget, True
        elif isinstance(member, classmethod):
            yield name, member.__func__, True
        elif isinstance(member, staticmethod):
            yield name, member.__func__, False
        elif inspect.isfunction(member):
            yield name, member, True


def _unannotated(module_name):
    module = importlib.import_module(module_name)
    found = {}
    for name in module.__all__:
        obj = getattr(module, name)
        if not getattr(obj, "__module__", "").startswith("quifer_brian"):
            continue
        if inspect.isclass(obj):
            for member, function, bound in _members(obj):
                missing = _missing(function, skip_first=bound)
                if missing:
                    found[f"{name}.{member}"] = missing
        elif inspect.isfunction(obj) or hasattr(obj, "__signature__"):
            missing = _missing(obj)
            if missing:
                found[name] = missing
    return found


@pytest.mark.parametrize("module_name", PUBLIC)
def test_the_public_api_is_annotated(module_name):
    assert _unannotated(module_name) == {}


def test_the_check_finds_a_missing_hint():
    """The check above can fail: an unannotated function and method are reported."""

    def untyped(a, b: int = 1):
        return a

    class Thing:
        def method(self, x: int):
            return x

        @property
        def size(self) -> int:
            return 1

    assert _missing(untyped) == ["a", "return"]
    assert dict((name, _missing(f, bound)) for name, f, bound in _members(Thing)) == {
        "method": ["return"],
        "size": [],
    }


def test_builders_carry_their_parameter_types():
    """A builder's signature comes from its parameter table: each parameter typed."""
    from brian2 import Quantity

    from quifer_brian.networks import Circuit, brunel, ping

    signature = inspect.signature(ping)
    assert signature.return_annotation is Circuit
    assert signature.parameters["n_e"].annotation is int
    assert signature.parameters["drive_e"].annotation is Quantity
    assert signature.parameters["synapse"].annotation is str
    assert inspect.signature(brunel).return_annotation is Circuit


def test_the_package_ships_py_typed():
    root = Path(quifer_brian.__file__).parent
    assert (root / "py.typed").is_file()
    setup = (root.parent / "setup.cfg").read_text()
    assert "quifer_brian = py.typed" in setup
