# Two commands from a fresh clone:  `make demo` (the main job) and `make test` (the suite).
# Both create .venv with a Python >= 3.12 that can make a venv with pip (found by
# scripts/find-python.sh) and install the exact versions pinned in requirements.lock
# (setup.cfg's dependencies with the extras in EXTRAS), then the package itself, so the
# documented numbers come from the same numerical packages on every install.
# `make lock` recompiles the lock after a change of setup.cfg or EXTRAS (pip-compile, for
# Python 3.12 on Linux: CI's platform); `make lint` checks that it still matches.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
LOCK   := requirements.lock
EXTRAS := test,cuda,learn,docs
comma  := ,

.PHONY: setup demo test test-slow lint lock typecheck format bench clean docs

$(STAMP): setup.cfg pyproject.toml scripts/find-python.sh $(LOCK)
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  PYTHON=$$(sh scripts/find-python.sh) || exit 1; \
	  echo "creating $(VENV) with $$PYTHON"; \
	  rm -rf $(VENV) && "$$PYTHON" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r $(LOCK)
	$(PY) -m pip install --quiet --no-deps -e .
	@# bytecode now, as a non-editable install would: an environment that sets
	@# PYTHONDONTWRITEBYTECODE never writes it, and every CLI start would compile the sources
	$(PY) -m compileall -q quifer_brian
	@touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/quifer-brian demo

# The default suite on TEST_WORKERS processes (pytest-xdist); tests that share a compiled
# program or a lab's run stay in one process (conftest.py, work_unit).
# `make test TEST_WORKERS=0` runs it in this process only.
TEST_WORKERS ?= 2

test: $(STAMP)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadscope --no-loadscope-reorder

test-slow: $(STAMP)
	$(PY) -m pytest -m slow || [ $$? -eq 5 ]  # 5: no test is marked slow yet

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) scripts/check_lock.py --extras $(EXTRAS)
	$(VENV)/bin/mypy

typecheck: $(STAMP)
	$(VENV)/bin/mypy

# One command after a change of setup.cfg's requirements or of EXTRAS: the lock again.
lock: $(STAMP)
	$(PY) -m piptools compile --quiet --allow-unsafe --strip-extras --no-emit-index-url \
	  --no-emit-find-links $(foreach e,$(subst $(comma), ,$(EXTRAS)),--extra=$(e)) \
	  --output-file $(LOCK) setup.cfg
	$(PY) scripts/check_lock.py --extras $(EXTRAS)

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The documentation site: docs/_build/html/index.html. Warnings are errors, and so is a
# reference to a part of quifer_brian that does not exist (-n). DOCS_PLOT_GALLERY=all
# (default) runs every lab in quick mode for its figures, =light only those whose quick
# run takes seconds (CI), =0 none.
DOCS_PLOT_GALLERY ?= all

docs: $(STAMP)
	DOCS_PLOT_GALLERY=$(DOCS_PLOT_GALLERY) $(PY) -m sphinx -b html -E -n -W --keep-going \
	  docs docs/_build/html
	@echo "open docs/_build/html/index.html"

bench: $(STAMP)
	$(PY) benchmarks/bench_fi_curve.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
