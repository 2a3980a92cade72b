# Everything a fresh machine needs: `make site` builds the archive from seeds/, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed
BUILD := build

.PHONY: install site serve extract translate test lint clean venv-size

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

translate: $(RUNTIME)
	mkdir -p $(BUILD)
	$(PY) -m generator translate seeds --format jsonl --report $(BUILD)/translate-report.json > $(BUILD)/articles.jsonl

# Extracts, translates (when a model is installed; pending otherwise), renders docs/ and builds site/.
site: $(RUNTIME)
	$(PY) -m generator build

serve: $(RUNTIME)
	$(PY) -m generator serve

venv-size: $(RUNTIME)
	du -sh $(VENV)

lint: $(TESTDEPS)
	$(PY) -m ruff check generator tests benchmarks

test: $(TESTDEPS) lint
	$(PY) -m pytest

clean:
	rm -rf $(BUILD) site .pytest_cache .ruff_cache
