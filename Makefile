# The two commands a new machine needs: `make serve` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: serve test lint demo bench install contract

$(BIN)/huiyin: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/huiyin

install: $(BIN)/huiyin

serve: install
	$(BIN)/huiyin serve

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

demo: install
	$(BIN)/huiyin demo

# The API contract: schemathesis against a live server, every operation, as every role.
contract: install
	$(BIN)/python -m tests.contract.run

# The benchmark; it writes its figures to docs/benchmarks.md (`--help` for the options).
bench: install
	$(BIN)/python -m bench.benchmark
