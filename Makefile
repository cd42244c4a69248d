# The whole setup: `make generate` then `make test`. Everything runs from .venv, which the
# first target to need it creates from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.bench-installed
# Node tools the tests run against the generated code (Prism), pinned by package-lock.json.
NODE_STAMP := node_modules/.installed
# The browser the docs' browser tests drive with Playwright: Debian's chromium (Playwright itself
# downloads no browser). Installed with apt-get, through sudo when not root.
CHROMIUM := /usr/bin/chromium
APT_GET := $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive apt-get
# Options of the schemathesis corpus sweep (`make corpus`, `make corpus-schemathesis`).
CORPUS_SCHEMATHESIS_ARGS ?= --jobs 2 --max-examples 10

.PHONY: generate check test bench corpus corpus-schemathesis clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(BENCH_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	touch $(BENCH_STAMP)

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $(NODE_STAMP)

$(CHROMIUM):
	$(APT_GET) install -y -q chromium || ($(APT_GET) update -q && $(APT_GET) install -y -q chromium)

generate: $(STAMP)  ## regenerate generated/ from every spec in specs/
	$(BIN)/stubforge generate

check: $(STAMP)  ## exit 1 when generated/ is not what the specs generate now
	$(BIN)/stubforge check

test: $(STAMP) $(NODE_STAMP) $(CHROMIUM)  ## the whole test suite (what CI runs)
	$(BIN)/python -m pytest -q -n auto --dist loadfile

bench: $(BENCH_STAMP)  ## cold generation CPU, wall and memory beside openapi-generator's; steps; regeneration (specs/, Kubernetes, Stripe, GitHub, Microsoft Graph); the client's per-call overhead and import time (`python tests/bench.py --client`: only these); the docs page beside Redoc (`--docs`)
	$(BIN)/python tests/bench.py

corpus: $(STAMP)  ## the corpus tests on every spec and a kill at every filesystem step (make test samples both); generate, import and mypy --strict every spec in ../shared/corpus and print the report; the client calling every operation of the mock (calls made and succeeded per spec); then the schemathesis sweep
	STUBFORGE_CORPUS_SPECS=all STUBFORGE_KILL_POINTS=all $(BIN)/python -m pytest -q tests/test_corpus.py tests/test_atomic.py; tests=$$?; \
	$(BIN)/python tests/corpus_report.py; report=$$?; \
	$(BIN)/python tests/corpus_calls.py; calls=$$?; \
	$(BIN)/python tests/corpus_schemathesis.py $(CORPUS_SCHEMATHESIS_ARGS) && exit $$(( tests || report || calls ))

corpus-schemathesis: $(STAMP)  ## only the schemathesis sweep: every corpus spec that generates, served in mock mode, every check (CORPUS_SCHEMATHESIS_ARGS="--jobs 2 --max-examples 10 --json out.json")
	$(BIN)/python tests/corpus_schemathesis.py $(CORPUS_SCHEMATHESIS_ARGS)

clean:
	rm -rf $(VENV) node_modules build dist *.egg-info .pytest_cache .mypy_cache
