"""Writes ``labs_index.rst``: the table of labs, read from their docstrings at build time.

Every ``examples/NN_topic/plot_NN_what.py`` is found by itself, so a new lab appears in the
index as soon as it exists. The table takes each lab's title, its run time and the course
topics it serves from the sections of its docstring (the lab format of CONTRIBUTING.md).
"""

import ast
import re
from pathlib import Path

__all__ = ["lab_sections", "setup", "write_index"]

SECTION = re.compile(r"^(?P<title>[^\n]+)\n(?P<rule>[-=~^]{3,})\n", re.MULTILINE)


def lab_sections(path: Path) -> dict[str, str]:
    """Title and sections of a lab's docstring, ``{"title": ..., "<section>": text}``."""
    text = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    found = list(SECTION.finditer(text))
    sections = {"title": found[0]["title"].strip() if found else path.stem}
    for this, following in zip(found, [*found[1:], None], strict=True):
        end = following.start() if following else len(text)
        sections[this["title"].strip().lower()] = text[this.end() : end].strip()
    return sections


def _items(text: str) -> list[str]:
    """The bullet items of a section (``- ...`` lines and their continuations)."""
    items: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if stripped.startswith(("- ", "* ")) or not items:
            items.append(stripped.lstrip("-* ").strip())
        else:
            items[-1] += " " + stripped
    return items


def _cell(text: str, bullets: bool = False) -> str:
    """A list-table cell: the section as one paragraph, or as a bullet list."""
    if not text.strip():
        return "--"
    if bullets and len(_items(text)) > 1:
        return "\n       ".join(f"* {item}" for item in _items(text))
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def _section(sections: dict[str, str], start: str) -> str:
    return next((text for name, text in sections.items() if name.startswith(start)), "")


def write_index(examples: Path, target: Path) -> None:
    """Write the labs' table (``list-table``) to ``target`` if its text changed."""
    rows = []
    for lab in sorted(examples.glob("*/plot_*.py")):
        sections = lab_sections(lab)
        page = f"labs/{lab.parent.name}/{lab.stem}"
        rows.append(
            f"   * - :doc:`{sections['title']} <{page}>`\n"
            f"     - {_cell(_section(sections, 'run time'))}\n"
            f"     - {_cell(_section(sections, 'course topics'), bullets=True)}\n"
            f"     - :download:`solutions <../examples/{lab.parent.name}/solutions.md>`"
        )
    text = (
        ".. list-table::\n   :header-rows: 1\n   :widths: 30 25 35 10\n\n"
        "   * - Lab\n     - Run time on 2 cores\n     - Course topics\n     - Solutions\n"
        + "\n".join(rows)
        + "\n"
    )
    if not target.exists() or target.read_text(encoding="utf-8") != text:
        target.write_text(text, encoding="utf-8")


def _write(app) -> None:
    docs = Path(app.srcdir)
    write_index(docs.parent / "examples", docs / "labs_table.rst.inc")


def setup(app):
    """Sphinx extension entry point: write the table before the sources are read."""
    app.connect("builder-inited", _write)
    return {"parallel_read_safe": True, "version": "1"}
