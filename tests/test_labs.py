"""Every lab runs as a Jupyter notebook in quick mode, and keeps the lab format.

The labs are found by themselves (``examples/*/plot_*.py``): one test per lab runs it
through jupytext and nbclient (the ``run_lab`` fixture of tests/conftest.py, shared with
the tests that check a lab's numbers, so each lab runs once per session). The format
checks read the files only: a title and the sections of a lab's docstring, ``# %%``
cells, quick mode and output folder from the environment, no argparse, no sys.argv, no
backend chosen, solutions and a gallery header beside it.
"""

import ast
import re
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
LABS = sorted(EXAMPLES.glob("*/plot_*.py"))
#: Labs that compile a cpp_standalone project.
STANDALONE = {"plot_05_brunel_states"}
SECTIONS = ("learning goals", "run time on 2 cores", "course topics", "exercises")


def _id(lab):
    return lab.stem


def _params(marked):
    return [
        pytest.param(lab, id=_id(lab), marks=[pytest.mark.standalone] * (lab.stem in marked))
        for lab in LABS
    ]


def sections(lab):
    """``(title, {section name (lower case): text})`` of a lab's docstring."""
    text = ast.get_docstring(ast.parse(lab.read_text(encoding="utf-8"))) or ""
    found = list(re.finditer(r"^([^\n]+)\n(([-=])\3{2,})\n", text, re.MULTILINE))
    found = [match for match in found if len(match[2]) >= len(match[1].rstrip())]
    title = found[0][1] if found and found[0][3] == "=" else None
    named = {}
    for this, following in zip(found, [*found[1:], None], strict=True):
        end = following.start() if following else len(text)
        named[this[1].strip().lower()] = text[this.end() : end].strip()
    return title, named


def test_labs_are_found():
    assert len(LABS) >= 6, LABS
    assert [lab.parent.name[:2] for lab in LABS] == [lab.stem[5:7] for lab in LABS]


@pytest.mark.parametrize("lab", _params(()))
def test_lab_format(lab):
    source = lab.read_text(encoding="utf-8")
    title, named = sections(lab)
    assert title, f"{lab.name}: the docstring must start with a title line and '===='"
    for name in SECTIONS:
        assert named.get(name), f"{lab.name}: no '{name}' section in the docstring"
    assert re.search(r"quick.*\d+\s*(s|min)", named["run time on 2 cores"], re.I | re.S)
    assert re.search(r"full.*\d+\s*(s|min)", named["run time on 2 cores"], re.I | re.S)
    assert source.count("\n# %%\n") >= 2, f"{lab.name}: no '# %%' cells"
    assert 'os.environ.get("QUIFER_LAB_QUICK") == "1"' in source
    assert 'os.environ.get("QUIFER_LAB_OUT", "lab_output")' in source
    for forbidden in ("argparse", "sys.argv", "matplotlib.use(", "plt.show("):
        assert forbidden not in source, f"{lab.name} uses {forbidden}"
    solutions = lab.parent / "solutions.md"
    assert solutions.exists(), f"{lab.parent.name} has no solutions.md"
    n_exercises = len(re.findall(r"^\d+\.", named["exercises"], re.MULTILINE))
    n_solutions = len(re.findall(r"^#+ *(Exercise )?\d+", solutions.read_text(), re.MULTILINE))
    assert n_solutions >= n_exercises > 0, (n_exercises, n_solutions)
    # sphinx-gallery renders only the folders that have a header
    assert (lab.parent / "GALLERY_HEADER.rst").exists(), f"{lab.parent.name}: no header"


@pytest.mark.parametrize("lab", _params(STANDALONE))
def test_lab_runs_as_notebook(lab, run_lab):
    run = run_lab(str(lab.relative_to(EXAMPLES)))
    assert run.stdout.strip(), f"{lab.name} printed nothing"
    figures = sorted(run.out.glob("*.png"))
    assert figures, f"{lab.name} saved no figure"
    for figure in figures:
        assert figure.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", figure.name
        assert figure.stat().st_size > 1000, figure.name
