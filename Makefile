# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest fuzz bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/portfolio serve --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy portfolio api schemas

pytest: $(STAMP)
	$(BIN)/pytest

test: lint typecheck pytest

# The deep schemathesis run: many more cases per operation and role than `make test` draws.
fuzz: $(STAMP)
	PORTFOLIO_FUZZ_EXAMPLES=50 $(BIN)/pytest tests/hardening/test_fuzz.py
	PORTFOLIO_FAULT_KILLS=20 $(BIN)/pytest tests/faults
	PORTFOLIO_FUZZ_EXAMPLES=50 $(BIN)/pytest tests/vouchers/test_state_machine.py tests/vouchers/test_bulk_rows.py
	# Load: the mixed workload at a sustained rate for 3 minutes (BENCH_SOAK_SECONDS); fails
	# on >= 1 % errors, any 5xx or growing memory of the API process.
	$(BIN)/python -m bench soak

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
