"""Sphinx configuration of the quifer_brian documentation (``make docs``)."""

import os
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
exclude_patterns = ["_build", "**.ipynb_checkpoints", "labs/*.md5"]
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
    # named by quifer_brian.learning's docstring before it exists (issue 16: the learning
    # helpers add it); remove this line once it is written
    (r"py:func", r"quifer_brian\.networks\.boltzmann_sampler"),
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

    lines = []
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
            ".. currentmodule:: None",
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


_write_shadowed(DOCS / "api_shadowed.rst.inc")

# -- The labs: a sphinx-gallery of examples/*/plot_*.py -----------------------------------
# DOCS_PLOT_GALLERY=0 renders the labs without running them (code, text, downloads);
# otherwise they run in quick mode (QUIFER_LAB_QUICK=1) and their figures show.
os.environ.setdefault("QUIFER_LAB_QUICK", "1")
os.environ.setdefault("QUIFER_LAB_OUT", str(DOCS / "_build" / "lab_output"))
os.environ.setdefault("QUIFER_QUIET", "1")
sphinx_gallery_conf = {
    "examples_dirs": str(ROOT / "examples"),
    "gallery_dirs": "labs",
    "filename_pattern": r"/plot_",
    "plot_gallery": os.environ.get("DOCS_PLOT_GALLERY", "True"),
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
html_last_updated_fmt = None
