# Everything a fresh machine needs: `make site` builds the archive from seeds/, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
BUILD := build

.PHONY: install site extract test lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

extract: $(STAMP)
	mkdir -p $(BUILD)
	$(PY) -m generator extract seeds --format jsonl --report $(BUILD)/extract-report.json > $(BUILD)/articles.jsonl

# The site build (translate, render, mkdocs) grows here; today it is extraction into build/.
site: extract

lint: $(STAMP)
	$(PY) -m ruff check generator tests benchmarks

test: $(STAMP) lint
	$(PY) -m pytest

clean:
	rm -rf $(BUILD) site .pytest_cache .ruff_cache
