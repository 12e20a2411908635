# Developer entry points. Every target works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint bench golden clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check m4compat mta tests bench
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python bench/m4_bench.py

# Regenerate the m4 golden files from GNU m4 (needs /usr/bin/m4, GNU 1.4.19).
golden: $(STAMP)
	$(BIN)/python tests/golden/m4/regen.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
