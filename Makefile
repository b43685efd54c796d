# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test

.PHONY: run test serve setup lint format editor superuser migrations-check clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# The web quality tools the tests and bench/lighthouse.py use (package.json): the Nu HTML
# Checker, axe-core, Lighthouse. No install scripts: vnu-jar's would download a JDK when
# `java` is missing; the machine's Java 17 runs it.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

## setup: install, migrate and load the starter content (idempotent, keeps editors' work)
setup: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py setup_site
	$(PY) manage.py load_guides
	$(PY) manage.py load_protocols

## run: set up and serve with runserver (Daphne: HTTP and WebSockets) on $(HOST):$(PORT)
run: setup
	@echo ""
	@echo "  Site:   http://$(HOST):$(PORT)/"
	@echo "  Admin:  http://$(HOST):$(PORT)/admin/  (first create an editor: make editor)"
	@echo ""
	$(PY) manage.py runserver $(HOST):$(PORT)

## serve: the production server (uvicorn, DEBUG off): $(WORKERS) process(es) sharing the port
serve: setup
	$(PY) manage.py collectstatic --noinput -v 0
	DJANGO_DEBUG=0 $(PY) manage.py serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

## test: set up and run the whole suite, lint included: on SQLite, then again on PostgreSQL
test: $(VENV)/.dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest
	@status=0; $(PY) -m tests.postgres || status=$$?; \
	if [ $$status -eq 0 ]; then \
		echo "Running the suite again on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		DATABASE_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest; \
	elif [ $$status -eq 2 ]; then exit 1; fi

## editor: create an editor (Wagtail's Editors group) for /admin/; asks on a terminal, else
## reads EDITOR_USERNAME, EDITOR_EMAIL, EDITOR_PASSWORD (e.g. make editor EDITOR_USERNAME=ann ...)
editor: setup
	$(PY) manage.py create_editor

## superuser: the same for an account that may do anything (same variables)
superuser: setup
	$(PY) manage.py create_editor --superuser

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: $(VENV)/.runtime
	$(PY) manage.py makemigrations --check --dry-run

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache .ruff_cache
