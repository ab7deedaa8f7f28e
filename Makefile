# Two commands from a fresh clone:  `make demo` (the main job) and `make test` (the suite).
# Both create .venv with a Python >= 3.12 that can make a venv with pip (found by
# scripts/find-python.sh) and install
# the package with its test, cuda and learn extras first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: setup demo test test-slow lint format bench clean docs

$(STAMP): setup.cfg pyproject.toml scripts/find-python.sh
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  PYTHON=$$(sh scripts/find-python.sh) || exit 1; \
	  echo "creating $(VENV) with $$PYTHON"; \
	  rm -rf $(VENV) && "$$PYTHON" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,cuda,learn]'
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/quifer-brian demo

test: $(STAMP)
	$(PY) -m pytest

test-slow: $(STAMP)
	$(PY) -m pytest -m slow || [ $$? -eq 5 ]  # 5: no test is marked slow yet

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The documentation site: docs/_build/html/index.html. Warnings are errors, and so is a
# reference to a part of quifer_brian that does not exist (-n). DOCS_PLOT_GALLERY=all
# (default) runs every lab in quick mode for its figures, =light only those whose quick
# run takes seconds (CI), =0 none.
DOCS_STAMP := $(VENV)/.installed-docs
DOCS_PLOT_GALLERY ?= all

$(DOCS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e '.[docs]'
	@touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	DOCS_PLOT_GALLERY=$(DOCS_PLOT_GALLERY) $(PY) -m sphinx -b html -E -n -W --keep-going \
	  docs docs/_build/html
	@echo "open docs/_build/html/index.html"

bench: $(STAMP)
	$(PY) benchmarks/bench_fi_curve.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
