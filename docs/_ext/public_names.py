"""Resolves references to quifer_brian's public names to where they are documented.

The API reference documents each object once, in the module that defines it
(``quifer_brian.networks.ei.ping``), while the docstrings and the guide refer to the
public names that the subpackages re-export (``quifer_brian.networks.ping``). When a
reference to ``quifer_brian...`` finds no target, this extension imports the name, finds
the module that defines the object and links there: to the object's own entry if it has
one, else (a model instance such as ``quifer_brian.equations.lif``) to the page of the
module that creates it. A name that does not import stays unresolved and, with ``-n -W``,
fails the build.
"""

import importlib
import inspect
import os
import sys

from docutils import nodes

__all__ = ["canonical_names", "setup"]


def _import(target: str):
    """The object named by a dotted ``target``, or None."""
    parts = target.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for name in parts[cut:]:
                obj = getattr(obj, name)
        except AttributeError:
            return None
        return obj
    return None


def canonical_names(target: str) -> list[str]:
    """Where the object named ``target`` is defined: candidate names, best first."""
    obj = _import(target)
    if obj is None:
        return []
    if inspect.ismodule(obj):
        return [obj.__name__]
    module, qualname = getattr(obj, "__module__", None), getattr(obj, "__qualname__", None)
    if isinstance(module, str) and isinstance(qualname, str) and not inspect.ismodule(obj):
        if module.startswith("quifer_brian") and (inspect.isclass(obj) or callable(obj)):
            return [f"{module}.{qualname}"]
    # an instance (a model, a constant): the deepest module of the package holding it
    package, _, name = target.rpartition(".")
    holders = [
        module_name
        for module_name, module in list(sys.modules.items())
        if module_name.startswith(package) and getattr(module, name, None) is obj
    ]
    holders.sort(key=lambda module_name: -module_name.count("."))
    return [f"{holder}.{name}" for holder in holders] + holders[:1]


def _resolve(app, env, node, contnode):
    if node.get("refdomain") != "py" or not node["reftarget"].startswith("quifer_brian"):
        return None
    domain = env.get_domain("py")
    candidates = canonical_names(node["reftarget"])
    if os.environ.get("DOCS_DEBUG_NAMES"):
        print("public_names", node["reftarget"], candidates, file=sys.stderr)
    for candidate in candidates:
        for role in ("obj", "mod"):
            found = domain.resolve_xref(
                env, node["refdoc"], app.builder, role, candidate, node, contnode
            )
            if found is not None:
                return found
    return None


def _missing_reference(app, env, node, contnode) -> nodes.Node | None:
    return _resolve(app, env, node, contnode)


def setup(app):
    """Sphinx extension entry point."""
    app.connect("missing-reference", _missing_reference)
    return {"parallel_read_safe": True, "version": "1"}
