# Retainer: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
LEDGER ?= ledger/main.beancount
HOST   ?= 127.0.0.1
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run check install test-deps chromium lint test bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed

## check: bean-check the demo books (contracts + time + accruals)
check: install
	$(BIN)/bean-check $(LEDGER)

## run: check, then serve Fava on http://$(HOST):$(PORT)
run: check
	$(BIN)/fava --host $(HOST) --port $(PORT) $(LEDGER)

test-deps: $(VENV)/.installed-test

## chromium: Debian's browser for the browser tests (never a downloaded one)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

## test: lint, type-check and run the whole suite
test: test-deps chromium lint
	$(BIN)/pytest -n 2

## bench: benchmark books at practice scale (writes bench/results.md)
bench: install
	$(BIN)/python scripts/bench.py

## demo: regenerate the demo practice's time and main ledger
demo: install
	$(BIN)/python scripts/make_demo.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
