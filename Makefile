# The whole setup: `make generate` then `make test`. Everything runs from .venv, which the
# first target to need it creates from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: generate check test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

generate: $(STAMP)  ## regenerate generated/ from every spec in specs/
	$(BIN)/stubforge generate

check: $(STAMP)  ## exit 1 when generated/ is not what the specs generate now
	$(BIN)/stubforge check

test: $(STAMP)  ## the whole test suite (what CI runs)
	$(BIN)/python -m pytest -q

bench: $(STAMP)  ## print generation time and memory figures
	$(BIN)/python tests/bench.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache
