# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LOCALE := api/web/locale
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(LOCALE)/*/LC_MESSAGES/messages.po))
# The browser tests drive Debian's Chromium (Playwright's own download cannot reach the
# internet here); fonts-noto-cjk makes Chinese render as Chinese, not boxes. WeasyPrint (the
# printable PDFs) lays text out with Pango and subsets the fonts it embeds with HarfBuzz. The
# benchmarks that load the HTTP server use wrk, a real load generator outside Python.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 wrk
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint typecheck pytest fuzz bench clean catalogues messages browser

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

# Compiled message catalogues (.mo: build output, not in git).
%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile --statistics -i $< -o $@

catalogues: $(MO_FILES)

# After changing a page's text: re-extract the messages and merge them into both catalogues;
# then translate the new entries of $(LOCALE)/zh_Hans (a test fails on any untranslated one).
messages: $(STAMP)
	$(BIN)/pybabel extract -F api/web/babel.cfg -k t:2 --add-location=file --sort-output \
		--no-wrap --project=portfolio --version=0.1.0 -o $(LOCALE)/messages.pot api/web
	$(BIN)/pybabel update -i $(LOCALE)/messages.pot -d $(LOCALE) --no-wrap --ignore-obsolete

# Installs the browser, the CJK fonts and wrk when missing (apt-get, as root or through sudo).
browser:
	@missing=""; for package in $(SYSTEM_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" \
			|| missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y --no-install-recommends $$missing; \
	fi

run: $(STAMP) catalogues browser
	$(BIN)/portfolio serve --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy portfolio api schemas

# The suite runs as two pytest processes side by side, one per core, each with its own
# embedded store: the tests that start `api serve` processes and the browser tests (which
# share one served demo, in file order) in one, everything else in the other. Run serially,
# the suite took 21 minutes. The clean-stop tests then run alone: they assert that one signal
# stops serve and its store within a bound, which the load of both processes would stretch.
# `$(BIN)/pytest` alone still runs it all in one process.
ALONE := tests/faults/test_clean_stops.py
APART := tests/web tests/faults tests/repair tests/ops tests/privacy/test_migration.py \
	tests/vouchers/test_redemption_crash.py
pytest: $(STAMP) catalogues browser
	@mkdir -p var
	@$(BIN)/pytest -p no:cacheprovider --basetemp=var/pytest-apart $(APART) --ignore=$(ALONE) \
		> var/pytest-apart.log 2>&1 & apart=$$!; \
	$(BIN)/pytest --basetemp=var/pytest-rest $(foreach path,$(APART),--ignore=$(path)); \
	rest=$$?; wait $$apart; status=$$?; \
	echo "--- the other process: $(APART)"; cat var/pytest-apart.log; \
	echo "--- alone: $(ALONE)"; \
	$(BIN)/pytest -p no:cacheprovider --basetemp=var/pytest-alone $(ALONE); alone=$$?; \
	exit $$(( rest || status || alone ))

test: lint typecheck pytest

# The deep schemathesis run: many more cases per operation and role than `make test` draws.
fuzz: $(STAMP)
	PORTFOLIO_FUZZ_EXAMPLES=50 $(BIN)/pytest tests/hardening/test_fuzz.py
	PORTFOLIO_FAULT_KILLS=20 $(BIN)/pytest tests/faults
	PORTFOLIO_FUZZ_EXAMPLES=50 $(BIN)/pytest tests/vouchers/test_state_machine.py tests/vouchers/test_bulk_rows.py
	# Load: the mixed workload at a sustained rate for 3 minutes (BENCH_SOAK_SECONDS); fails
	# on >= 1 % errors, any 5xx or growing memory of the API process.
	$(BIN)/python -m bench soak

bench: $(STAMP) browser
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache var/screenshots $(MO_FILES)
