# CIMIS Hub — `make run` serves the hub with demo data, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HUB := $(VENV)/bin/hub
STAMP := $(VENV)/.installed
HUB_PORT ?= 5000
PO := $(wildcard hub/translations/*/LC_MESSAGES/messages.po)
MO := $(PO:.po=.mo)

.PHONY: run serve test test-fast test-sqlite test-postgres test-clock setup axe screenshots lint format translations extract-messages bench clean

# The scheduler runs beside the web server in a process of its own; Ctrl-C stops both.
run: setup
	$(HUB) setup
	@trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(HUB) scheduler run & scheduler=$$!; \
	$(HUB) run --host 127.0.0.1 --port $(HUB_PORT)

# Production mode on this machine: migrations, then gunicorn (HUB_WORKERS) and the one scheduler, on PostgreSQL and
# Redis (HUB_DATABASE_URL, HUB_REDIS_URL; local defaults in hub/core/serve.py); needs HUB_SECRET_KEY and HUB_BASE_URL.
# Ctrl-C stops both gracefully. docs/DEPLOY.md for several hosts behind nginx.
serve: setup
	$(PY) -m hub.core.serve

test: $(STAMP) $(MO) axe
	$(PY) .ci/test_all.py

# The fast lane while developing: SQLite, without the slow tests and those that start processes of the hub.
test-fast: $(STAMP) $(MO) axe
	$(PY) -m pytest -m "not slow and not processes"

test-sqlite: $(STAMP) $(MO) axe
	$(PY) -m pytest

test-postgres: $(STAMP) $(MO) axe
	$(PY) .ci/postgres_suite.py

# The SQLite suite with the clock 400 days ahead (CLOCK_SHIFT=+1100d for another shift): no test may need today.
test-clock: $(STAMP) $(MO) axe
	$(PY) .ci/test_clock.py

setup: $(STAMP) $(MO)

# axe-core from npm (pinned in tests/browser/package.json and its lock file) into .cache/npm/, not committed: the
# browser tests serve it to the pages they check (tests/browser/harness.py). Without npm or a network the axe
# checks skip with one line; in CI (CI=true) a failed install fails the run.
AXE_DIR := .cache/npm
AXE_JS := $(AXE_DIR)/node_modules/axe-core/axe.min.js
axe: $(AXE_JS)

$(AXE_JS): tests/browser/package.json tests/browser/package-lock.json
	@mkdir -p $(AXE_DIR)
	@cp tests/browser/package.json tests/browser/package-lock.json $(AXE_DIR)/
	@if command -v npm >/dev/null 2>&1 && npm ci --prefix $(AXE_DIR) --ignore-scripts --no-audit --no-fund \
	      --loglevel=error --fetch-retries=0 --fetch-timeout=30000 >$(AXE_DIR)/install.log 2>&1; then touch $@; \
	elif [ "$$CI" = "true" ]; then cat $(AXE_DIR)/install.log >&2; echo "axe-core could not be installed with npm, and CI needs it" >&2; exit 1; \
	else echo "axe-core not installed (no npm or no network): the browser tests skip their axe checks"; fi

# PNGs of the main pages per role, phone (360 px) and desktop (1280 px), of the demo network into docs/screenshots/.
screenshots: $(STAMP) $(MO)
	$(PY) -m tests.browser.screenshots docs/screenshots

$(STAMP): setup.cfg pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found; set PYTHON=...)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,dev,serve]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy -i $< -o $@ >/dev/null

# Re-extract the messages after changing visible strings, then translate the new entries.
extract-messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F hub/translations/babel.cfg -k _l -k lazy_gettext -k _m -o hub/translations/messages.pot --no-location --sort-output -w 100 .
	$(VENV)/bin/pybabel update -i hub/translations/messages.pot -d hub/translations --no-fuzzy-matching -w 100
	$(PY) -m hub.translations.fill_english

# Ruff, and the import contract of the layout (.importlinter; tests/test_layout.py checks it in `make test` too).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache .importlinter

format: $(STAMP)
	$(VENV)/bin/ruff format .

bench: $(STAMP)
	@echo "Benchmarks live in bench/; see docs/BENCHMARKS.md"

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache *.egg-info $(MO)
