# newsflow: the two commands a new user needs are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install run test test-faults test-unit test-integration test-wheel wheel lint fmt typecheck schemas lock clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/' | expand -t 20

# The venv is (re)built when the lock or the project metadata change.
$(STAMP): requirements-dev.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the pinned dependencies

run: $(STAMP)  ## start broker + workers, publish the bundled samples, print enriched articles (Ctrl-C stops)
	$(BIN)/newsflow up

test: $(STAMP)  ## the whole suite, including tests through a real broker (not the long fault tests)
	$(BIN)/python -m pytest -m "not faults"

test-faults: $(STAMP)  ## the long fault-injection tests, printing what they measured
	$(BIN)/python -m pytest -m faults -rP

test-unit: $(STAMP)  ## the fast tests only (no broker)
	$(BIN)/python -m pytest -m "not integration and not faults"

test-integration: $(STAMP)  ## only the tests that go through a real broker
	$(BIN)/python -m pytest -m "integration and not faults"

# The wheel the image installs. build/ goes first: setuptools builds in it and would put files
# left there by an older tree (a deleted module) into the wheel.
wheel: $(STAMP)  ## build dist/newsflow-<version>-py3-none-any.whl (what the Dockerfile installs)
	rm -rf build dist/newsflow-*.whl
	$(BIN)/python -m pip wheel --quiet --disable-pip-version-check --no-deps -w dist .
	rm -rf build

# The runtime lock's wheels are kept in $(WHEELHOUSE) (default ~/.cache/newsflow-wheels) between runs.
test-wheel: wheel  ## install the runtime lock + that wheel in a clean venv and run the CLI from it
	$(PYTHON) tests/wheel/check.py $(if $(WHEELHOUSE),--wheelhouse $(WHEELHOUSE)) dist/newsflow-*.whl

lint: $(STAMP)  ## ruff (lint + format check) and mypy --strict
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: $(STAMP)  ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

schemas: $(STAMP)  ## regenerate schemas/json (JSON Schemas and asyncapi.json) from the models and settings
	$(BIN)/newsflow schemas export

LOCK := $(BIN)/uv pip compile pyproject.toml --generate-hashes --python-version 3.11 \
	  --python-platform x86_64-manylinux_2_28 --no-header --quiet

# requirements.lock is the runtime only (no extras); requirements-dev.lock is resolved under it as
# a constraint, so every package the two share has the same version in both: the tests run what
# ships.
lock: $(STAMP)  ## re-resolve requirements.lock and requirements-dev.lock (with hashes)
	$(BIN)/python -m pip install --quiet uv==0.13.9
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -c requirements.lock -o requirements-dev.lock

clean:  ## remove the venv, caches and built wheels
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache .hypothesis
