# Everything a fresh machine needs: `make site` builds the archive from seeds/, `make test` runs the tests.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
RUNTIME := $(VENV)/.runtime-installed
TESTDEPS := $(VENV)/.test-installed
CLUSTERDEPS := $(VENV)/.cluster-installed
BUILD := build
# Where new sentences are decoded (README, "Translating on a cluster"): e.g. `make site CLUSTER=local:2`,
# `make translate CLUSTER=tcp://scheduler:8786 DEVICE=cuda`. Empty: this process, device auto.
CLUSTER ?=
DEVICE ?=
PLACEMENT := $(if $(CLUSTER),--cluster $(CLUSTER)) $(if $(DEVICE),--device $(DEVICE))
# The Dask extra only when a cluster is asked for: the site's environment stays small without it.
PLACEMENT_DEPS := $(RUNTIME) $(if $(CLUSTER),$(CLUSTERDEPS))

.PHONY: install site serve extract translate test lint clean venv-size

# The site's environment holds runtime packages only (no CUDA, no torch; see README).
$(RUNTIME): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $(RUNTIME)

$(TESTDEPS): $(RUNTIME)
	$(PY) -m pip install --quiet -e '.[test,cluster]'
	touch $(TESTDEPS)

$(CLUSTERDEPS): $(RUNTIME)
	$(PY) -m pip install --quiet -e '.[cluster]'
	touch $(CLUSTERDEPS)

install: $(RUNTIME)

extract: $(RUNTIME)
	mkdir -p $(BUILD)
	$(PY) -m generator extract seeds --format jsonl --report $(BUILD)/extract-report.json > $(BUILD)/articles.jsonl

translate: $(PLACEMENT_DEPS)
	mkdir -p $(BUILD)
	$(PY) -m generator translate seeds $(PLACEMENT) --format jsonl --report $(BUILD)/translate-report.json > $(BUILD)/articles.jsonl

# Extracts, translates (when a model is installed; pending otherwise), renders docs/ and builds site/.
site: $(PLACEMENT_DEPS)
	$(PY) -m generator build $(PLACEMENT)

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
