# Developer entry points. Every target works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install test lint bench golden clean bytecode grammar

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]' --config-settings editable_mode=compat
	$(MAKE) --no-print-directory bytecode
	touch $(STAMP)

# Byte-compile the package (also when PYTHONDONTWRITEBYTECODE is set): start-up time
# is part of every m4compat run.
bytecode:
	$(BIN)/python -m compileall -q m4compat mta >/dev/null 2>&1 || $(BIN)/python -m compileall -q m4compat >/dev/null

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check m4compat mta tests bench
	$(BIN)/mypy

bench: $(STAMP) bytecode
	$(BIN)/python bench/m4_bench.py
	$(BIN)/python bench/bt_bench.py
	$(BIN)/python bench/makemap_bench.py

# Rebuild the eval parse table shipped with m4compat after editing eval.lark.
grammar: $(STAMP)
	$(BIN)/python -c "from m4compat.builtins.evalexpr import write_shipped_table; write_shipped_table()"

# Regenerate the m4 golden files from GNU m4 (needs /usr/bin/m4, GNU 1.4.19).
golden: $(STAMP)
	$(BIN)/python tests/golden/m4/regen.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
