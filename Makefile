# The two commands of the quick start: `make demo` and `make test`.
# Both create .venv with exactly the versions in requirements.lock (nothing is resolved at
# install time: `pip install --no-deps --require-hashes`) and cortexkit editable from src/.
# The lock's packages are byte-compiled at install time, as pip does for users (imports
# in a fresh process are 2-4x slower without .pyc files where PYTHONDONTWRITEBYTECODE is
# set, as on the CI machines). pyproject.toml declares compatible ranges; `make lock` regenerates requirements.lock
# from them (see tools/lock.py). CI (.ci/run) runs test, lint, lowest, wheel-check, docs.
PYTHON ?= python3
VENV := .venv
PEERS := .venv-peers
SHARED ?= ../shared
BIN := $(VENV)/bin
LOCK := requirements.lock
# pip of the lock (used by `make lock` too, so a relock resolves with the same pip)
PIP_VERSION := $(shell sed -n 's/^pip==\([^ ]*\).*/\1/p' $(LOCK))
# scratch environments of the CI checks (outside the tree: nothing of src/ leaks in)
WORK ?= $(CURDIR)/build/ci
# the quick subset of the suite that runs against the lowest allowed versions
LOWEST_EXTRAS := torch,dask,nwb,explorer,interop,ml
LOWEST_TESTS := tests/test_import.py tests/test_spikes.py tests/test_summary.py \
	tests/test_isi_stats.py tests/test_isi_fits.py tests/test_information.py \
	tests/test_lif.py tests/test_causality.py tests/test_rsa.py tests/test_io_spikes.py \
	tests/test_responses.py tests/test_cli_describe.py tests/test_batch.py tests/test_explorer.py
DOCS_OUT := docs/_build/html

.PHONY: demo test lint docs lock lowest dist wheel-check install-compat bench clean

$(VENV)/.installed: $(LOCK)
	$(PYTHON) -m venv $(VENV)
	grep -A1 '^pip==' $(LOCK) > $(VENV)/pip.lock
	$(BIN)/python -m pip install -qq --no-compile --no-deps --require-hashes -r $(VENV)/pip.lock
	$(BIN)/python -m pip install -qq --no-deps --require-hashes -r $(LOCK)
	$(BIN)/python -m pip install -qq --no-compile --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

demo: $(VENV)/.installed
	$(BIN)/cortexkit demo --out cortexkit-demo

test: $(VENV)/.installed
	$(BIN)/python -m pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests benchmarks tools docs

# HTML docs with warnings as errors; the gallery's executed examples are cached by
# sphinx-gallery between builds (only changed examples rerun).
docs: $(VENV)/.installed
	$(BIN)/python -m sphinx -b html -W --keep-going -j 1 docs $(DOCS_OUT)
	$(BIN)/python tools/check_api_docs.py $(DOCS_OUT)/objects.inv
	@echo "docs: $(DOCS_OUT)/index.html"

# Regenerate requirements.lock from pyproject.toml (after changing a range or adding a
# dependency); commit the result. Same pyproject + pip + indexes -> same lock.
lock:
	$(PYTHON) -m venv $(WORK)/lock
	$(WORK)/lock/bin/python -m pip install -qq --no-compile "pip==$(PIP_VERSION)"
	$(WORK)/lock/bin/python tools/lock.py --out $(LOCK)

# The lowest versions pyproject.toml allows (tools/lowest_requirements.py), in their own
# environment, on a quick subset of the tests.
lowest: $(VENV)/.installed
	rm -rf $(WORK)/lowest
	$(PYTHON) -m venv $(WORK)/lowest
	$(WORK)/lowest/bin/python -m pip install -qq --no-compile --no-deps --require-hashes -r $(VENV)/pip.lock
	$(BIN)/python tools/lowest_requirements.py --extras $(LOWEST_EXTRAS) \
		--lock-pin pytest --lock-pin pytest-timeout --lock-pin hypothesis --lock-pin httpx \
		--lock-pin duckdb --lock-pin setuptools --lock-pin wheel > $(WORK)/lowest.txt
	$(WORK)/lowest/bin/python -m pip install -qq --no-compile --only-binary :all: -r $(WORK)/lowest.txt
	$(WORK)/lowest/bin/python -m pip install -qq --no-compile --no-deps --no-build-isolation -e .
	$(WORK)/lowest/bin/python -m pip freeze --exclude-editable > $(WORK)/lowest-freeze.txt
	$(WORK)/lowest/bin/python -m pytest -q -p no:cacheprovider -m "not slow" $(LOWEST_TESTS)

# Wheel and sdist (built from the locked setuptools, no download) checked by twine.
dist: $(VENV)/.installed
	rm -rf dist build/lib build/bdist.*  # stale build/lib files would end up in the wheel
	$(BIN)/python -m build --no-isolation --outdir dist .
	$(BIN)/python -m twine check --strict dist/*

# Install the built wheel (not the source tree) with [all] into a clean environment,
# constrained to the lock's versions, and run the demo and the explorer tests from it.
wheel-check: dist
	rm -rf $(WORK)/wheel
	$(PYTHON) -m venv $(WORK)/wheel
	$(WORK)/wheel/bin/python -m pip install -qq --no-compile --no-deps --require-hashes -r $(VENV)/pip.lock
	sed -e '/^#/d' -e 's/ \\$$//' -e '/--hash/d' $(LOCK) > $(WORK)/constraints.txt
	$(WORK)/wheel/bin/python -m pip install -qq --no-compile -c $(WORK)/constraints.txt \
		"$$(ls dist/cortexkit-*.whl)[all]" pytest pytest-timeout hypothesis httpx
	cd $(WORK) && $(WORK)/wheel/bin/python -c "import cortexkit, sys; \
		sys.exit(0 if '/site-packages/' in cortexkit.__file__ else 'not the wheel')"
	cd $(WORK) && $(WORK)/wheel/bin/cortexkit demo --out $(WORK)/wheel-demo
	$(WORK)/wheel/bin/python -m pytest -q -p no:cacheprovider tests/test_explorer.py \
		tests/test_import.py

# The wheel with [all] installed (resolved, no lock) into a fresh environment of the peer
# libraries changes none of their versions; cortexkit demo runs there. Writes
# benchmarks/results/install-compat.md (pip freeze before and after). Not part of CI (slow).
install-compat: dist
	$(PYTHON) tools/install_compat.py --wheel "$$(ls dist/cortexkit-*.whl)" \
		--peers $(SHARED)/peers-requirements.txt --venv $(WORK)/install-compat

# Peer libraries (Elephant, neo, pynapple, Brian2, rsatoolbox, SpikeInterface) for
# side-by-side benchmarks, in their own environment as ../shared/peers-requirements.txt asks;
# plus the lock's duckdb (bench_batch queries its Parquet dataset with it).
$(PEERS)/.installed: $(LOCK) $(SHARED)/peers-requirements.txt
	$(PYTHON) -m venv $(PEERS)
	$(PEERS)/bin/python -m pip install -qq --no-compile --upgrade pip
	$(PEERS)/bin/python -m pip install -qq -r $(SHARED)/peers-requirements.txt
	$(PEERS)/bin/python -m pip install -qq -e ".[all]" \
		"duckdb==$$(sed -n 's/^duckdb==\([^ ]*\).*/\1/p' $(LOCK))"
	touch $@

bench: $(PEERS)/.installed
	$(PEERS)/bin/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(PEERS) cortexkit-demo build dist docs/_build docs/api/generated \
		docs/gallery
