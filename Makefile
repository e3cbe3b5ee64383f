# Retainer: the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
LEDGER ?= ledger/main.beancount
HOST   ?= 127.0.0.1
PORT   ?= 5000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run check install test-deps chromium pdf-libs poppler lint test bench demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

install: $(VENV)/.installed pdf-libs

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

## pdf-libs: Debian's pango, harfbuzz and fonts, which WeasyPrint prints statements with
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@missing=$$(for package in $(PDF_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q 'ok installed' || echo $$package; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's" $$missing "for PDF statements"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; fi

## poppler: Debian's pdftoppm, with which the tests look at a printed statement
poppler:
	@command -v pdftoppm >/dev/null 2>&1 || { \
	  echo "Installing Debian's poppler-utils (pdftoppm) for the statement tests"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq poppler-utils >/dev/null; }

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/mypy

## test: lint, type-check and run the whole suite
test: test-deps chromium pdf-libs poppler lint
	$(BIN)/pytest -n 2

## bench: benchmark books at practice scale (writes bench/results.md)
bench: install
	$(BIN)/python scripts/bench.py

## demo: regenerate the demo practice's time and main ledger
demo: install
	$(BIN)/python scripts/make_demo.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache *.egg-info
