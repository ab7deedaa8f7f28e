"""Sphinx configuration of the quifer_brian documentation (``make docs``)."""

import os
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(DOCS / "_ext"))

import quifer_brian  # noqa: E402

project = "quifer_brian"
author = "the quifer_brian authors"
copyright = "the quifer_brian authors, MIT licence"
release = quifer_brian.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "lab_index",
    "public_names",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "**.ipynb_checkpoints", "labs/*.md5", "sg_execution_times.rst"]
root_doc = "index"

# -- API reference: every module of the package, found by itself -------------------------
autosummary_generate = True
autosummary_imported_members = False  # each object is documented where it is defined
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_typehints = "signature"
autodoc_member_order = "bysource"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Internal references must resolve: a reference to anything of quifer_brian that is not
# documented is an error (with -W).  References to other projects (numpy, brian2,
# matplotlib, ...) are not checked: the build has no network for intersphinx.
nitpicky = True
nitpick_ignore_regex = [
    (r"py:.*", r"(?!quifer_brian\b).*"),
    (r"py:.*", r".*\._[a-z]\w*(\..*)?"),  # private modules are not documented
    # the module is shadowed by the function ``learning.eprop_network`` of the same name,
    # so autosummary documents the function; its helper classes have no page
    (r"py:class", r"quifer_brian\.learning\.eprop_network\.\w+"),
]


def _shadowed_packages() -> list[str]:
    """Subpackages hidden behind a function of the same name in their parent.

    ``quifer_brian.networks.actualization`` is a package, but ``quifer_brian.networks``
    re-exports its function ``actualization`` under the same name, so autosummary (which
    imports by attribute) finds the function. Their modules are listed by name instead.
    """
    import importlib
    import pkgutil

    found = []
    for info in pkgutil.walk_packages(quifer_brian.__path__, "quifer_brian."):
        if not info.ispkg:
            continue
        parent, _, name = info.name.rpartition(".")
        module = importlib.import_module(info.name)
        if getattr(importlib.import_module(parent), name, None) is not module:
            found.append(info.name)
    return found


def _write_shadowed(target: Path) -> None:
    import importlib
    import pkgutil

    lines = [
        "Subpackages listed by their modules",
        "===================================",
        "",
        "A subpackage whose name is also a function of its parent (the function",
        ":func:`quifer_brian.networks.actualization` hides the package",
        "``quifer_brian.networks.actualization``) is listed here by its modules.",
        "",
    ]
    for package in _shadowed_packages():
        module = importlib.import_module(package)
        names = [
            f"   {package}.{info.name}"
            for info in pkgutil.iter_modules(module.__path__)
            if not info.name.startswith("_")
        ]
        lines += [
            f"``{package}``",
            "-" * (len(package) + 4),
            "",
            ".. autosummary::",
            "   :toctree: generated",
            "   :recursive:",
            "",
            *names,
            "",
            f".. automodule:: {package}",
            "   :no-members:",
            "   :no-index:",
            "",
        ]
    text = "\n".join(lines) + "\n"
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


_write_shadowed(DOCS / "api_subpackages.rst")

# -- The labs: a sphinx-gallery of examples/*/plot_*.py -----------------------------------
# The labs run in quick mode (QUIFER_LAB_QUICK=1) and their figures go on their pages.
# DOCS_PLOT_GALLERY: "all" (default) runs every lab; "light" only the labs whose stated
# quick run time is in seconds, not minutes (CI: the test suite runs every lab anyway);
# "0" none (code, text and downloads only).
os.environ.setdefault("QUIFER_LAB_QUICK", "1")
os.environ.setdefault("QUIFER_LAB_OUT", str(DOCS / "_build" / "lab_output"))
os.environ.setdefault("QUIFER_QUIET", "1")
PLOT_GALLERY = os.environ.get("DOCS_PLOT_GALLERY") or "all"


def _quick_in_seconds(lab: Path) -> bool:
    """Whether a lab's docstring states a quick run time in seconds ("Quick ...: about 4 s")."""
    from lab_index import lab_sections

    run_time = lab_sections(lab).get("run time on 2 cores", "")
    quick = re.search(r"quick[^:]*:\s*about\s*([^.]*)", run_time, re.IGNORECASE | re.DOTALL)
    return bool(quick) and "min" not in quick[1]


def _executed_labs() -> str:
    """sphinx-gallery's ``filename_pattern``: the labs to run for their figures."""
    if PLOT_GALLERY == "light":
        light = [lab.stem for lab in sorted((ROOT / "examples").glob("*/plot_*.py"))]
        light = [n for n in light if _quick_in_seconds(next(ROOT.glob(f"examples/*/{n}.py")))]
        return r"/(" + "|".join(map(re.escape, light)) + r")\.py$" if light else r"^$"
    return r"/plot_"


sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "labs",
    "filename_pattern": _executed_labs(),
    "plot_gallery": PLOT_GALLERY != "0",
    "download_all_examples": False,
    "within_subsection_order": "FileNameSortKey",
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib",),
    "capture_repr": (),
    "show_memory": False,
    "min_reported_time": 1,
    "first_notebook_cell": None,
    "write_computation_times": False,
}

# -- HTML ---------------------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"quifer_brian {release}"
html_static_path = ["_static"]
html_css_files = ["custom.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "header_links_before_dropdown": 6,
    "secondary_sidebar_items": ["page-toc", "sourcelink"],
}
html_show_sourcelink = False
# pages without sub-pages: no empty navigation column (the labs' table needs the width)
html_sidebars = {page: [] for page in ("index", "install", "lab_index", "architecture", "api")}
html_last_updated_fmt = None
