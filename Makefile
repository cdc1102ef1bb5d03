# The two commands of the quick start: `make demo` and `make test`.
# Both create .venv and install cortexkit with the versions pinned in pyproject.toml.
PYTHON ?= python3
VENV := .venv
PEERS := .venv-peers
SHARED ?= ../shared
BIN := $(VENV)/bin

.PHONY: demo test bench lint clean

$(VENV)/.installed-all: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[all]"
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed-all
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

# Peer libraries (Elephant, neo, pynapple, Brian2, rsatoolbox) for side-by-side benchmarks,
# in their own environment as ../shared/peers-requirements.txt asks.
$(PEERS)/.installed: pyproject.toml $(SHARED)/peers-requirements.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/pip install --quiet --upgrade pip
	$(PEERS)/bin/pip install --quiet -r $(SHARED)/peers-requirements.txt
	$(PEERS)/bin/pip install --quiet -e ".[all]"
	touch $@

demo: $(VENV)/.installed-all
	$(BIN)/cortexkit demo --out cortexkit-demo

test: $(VENV)/.installed-dev
	$(BIN)/python -m pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks

bench: $(PEERS)/.installed
	$(PEERS)/bin/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(PEERS) cortexkit-demo
