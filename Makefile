# The README's two commands: `make run` (platform with demo data; HOST=0.0.0.0 PORT=8080 make run to move it)
# and `make test` (whole suite).
PY ?= python3
HOST ?= 127.0.0.1
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint install browser softhsm

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/cbec db upgrade
	$(BIN)/cbec demo --if-empty
	$(BIN)/cbec accounts demo-users
	$(BIN)/cbec serve --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests tools bench
	$(BIN)/ruff format --check src tests tools bench
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/python tools/gen_glossary.py --check
	$(BIN)/python tools/gen_fieldspec.py --check

browser:
	bash tools/install-browser.sh

softhsm:
	bash tools/install-softhsm.sh

test: $(STAMP) lint browser softhsm
	$(BIN)/pytest -n 2
