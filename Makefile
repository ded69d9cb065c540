# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint lint-imports clean browser-deps

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python requirements.txt
	$(BIN)/pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput

seed: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo

run: seed
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

# axe-core for the browser tests, at the version package-lock.json pins (npm ci).
AXE := node_modules/axe-core/axe.min.js
$(AXE): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: axe-core not installed, the browser tests will be skipped."; fi

browser-deps:
	@[ -f $(AXE) ] || $(MAKE) --no-print-directory $(AXE)
	@if [ "$${BROWSER_TESTS:-1}" = "0" ]; then echo "Browser tests: skipped (BROWSER_TESTS=0)."; \
	elif ! command -v $${CHROMIUM_PATH:-chromium} >/dev/null 2>&1; then \
	  echo "Browser tests: SKIPPED, no Chromium here (apt-get install chromium to run them)."; \
	elif [ ! -f $(AXE) ]; then echo "Browser tests: SKIPPED, no axe-core (npm ci)."; \
	else echo "Browser tests: run with $$(command -v $${CHROMIUM_PATH:-chromium}) (tests/browser/)."; fi

# The import contract first (pyproject.toml [tool.importlinter], docs/architecture.md).
# Browser tests (marker `browser`) run where Chromium is, and say so when they are skipped.
test: install browser-deps
	$(BIN)/lint-imports --no-cache --no-logo
	DEBUG=$${DEBUG:-1} $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} -m 'not schemathesis and not screenshots and not browser'
	@# The browser tests in a run of their own: Playwright's event loop stays open in the worker
	@# for the rest of a session, which Django's other tests would then refuse to run beside.
	DEBUG=$${DEBUG:-1} $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2} -m browser

lint: install
	$(BIN)/ruff check .

lint-imports: install
	$(BIN)/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
