# Everything a fresh machine needs: `make site` builds the archive from seeds/, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed
BUILD := build

.PHONY: install site extract translate test lint clean venv-size

# The site's environment holds runtime packages only (no CUDA, no torch; see README).
$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(RUNTIME)

$(TESTDEPS): $(RUNTIME)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(TESTDEPS)

install: $(RUNTIME)

extract: $(RUNTIME)
	mkdir -p $(BUILD)
	$(PY) -m generator extract seeds --format jsonl --report $(BUILD)/extract-report.json > $(BUILD)/articles.jsonl

# Extracts and translates (when a model is installed; pending otherwise). The MkDocs site build
# joins this target with the site stage.
translate: $(RUNTIME)
	mkdir -p $(BUILD)
	$(PY) -m generator translate seeds --format jsonl --report $(BUILD)/report.json > $(BUILD)/articles.jsonl

site: translate

venv-size: $(RUNTIME)
	du -sh $(VENV)

lint: $(TESTDEPS)
	$(PY) -m ruff check generator tests benchmarks

test: $(TESTDEPS) lint
	$(PY) -m pytest

clean:
	rm -rf $(BUILD) site .pytest_cache .ruff_cache
