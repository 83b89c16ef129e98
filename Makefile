# The two commands of the README: `make run` and `make test`. Each sets everything up
# (a virtualenv in .venv with the project and its dependencies) before it runs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint typecheck bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

## run: set up, train the default model unless one is active, tag the example notes
run: setup
	$(BIN)/mentor-themes train --unless-active
	$(BIN)/mentor-themes tag --input data/samples/examples.jsonl

## test: set up, then lint, type-check and run every test
test: setup lint typecheck
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

## bench: print the tagging benchmark figures
bench: setup
	$(BIN)/python bench/tagging.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
