# The two commands of the README: `make run` and `make test`. Each sets everything up
# (a virtualenv in .venv with the project and its dependencies) before it runs.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint typecheck bench load clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@

## run: set up, migrate the database, train the default model unless one is active, load
## the demo sessions into an empty demo tenant, create a key for it (printed once), and
## serve on 127.0.0.1:8000
run: setup
	$(BIN)/mentor-themes db upgrade
	$(BIN)/mentor-themes train --unless-active
	$(BIN)/mentor-themes demo load --if-empty
	$(BIN)/mentor-themes keys create --tenant demo --role admin --label "make run" --rotate
	$(BIN)/mentor-themes serve

## test: set up, then lint, type-check and run every test: the PostgreSQL ones against a
## local server that scripts/test-postgres.sh starts, the dashboard's in the Chromium that
## scripts/test-browser.sh finds (both install Debian's package when run as root)
test: setup lint typecheck
	@url="$${MENTOR_THEMES_TEST_POSTGRES_URL:-$$(scripts/test-postgres.sh || true)}"; \
	browser="$${MENTOR_THEMES_TEST_CHROMIUM:-$$(scripts/test-browser.sh || true)}"; \
	MENTOR_THEMES_TEST_POSTGRES_URL="$$url" MENTOR_THEMES_TEST_CHROMIUM="$$browser" $(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

## bench: print the tagging and HTTP benchmark figures (the HTTP one drives wrk)
bench: setup
	$(BIN)/python bench/tagging.py
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/endpoints.py

## load: a minute of mixed traffic (ingest, batches, trends, reads) at a 2-worker server;
## prints the figures per route and fails on any error or memory growth of 10% or more
load: setup
	$(BIN)/python bench/load.py --seconds 60

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
