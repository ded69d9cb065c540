# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install migrate seed lint lint-imports clean

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

# The import contract first (pyproject.toml [tool.importlinter], docs/architecture.md).
test: install
	$(BIN)/lint-imports --no-cache --no-logo
	DEBUG=$${DEBUG:-1} $(BIN)/python -m pytest -n $${PYTEST_WORKERS:-2}

lint: install
	$(BIN)/ruff check .

lint-imports: install
	$(BIN)/lint-imports --no-cache --no-logo

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
