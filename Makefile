# The two commands a newcomer needs: `make run` and `make test`; `make check` while working.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= 1
TEST_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test
# The tiers (tests/tiers.py, docs/testing.md): `make check` runs the fast ones, the
# PostgreSQL pass those that touch the database.
FAST_TIERS := unit or db
POSTGRES_TIERS := db or server
# Installs only what the lock names, with the hashes it names.
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check --require-hashes
# The lock is resolved from PyPI alone, whatever extra indexes this machine's pip has,
# so that it installs the same anywhere.
PIP_COMPILE := PIP_CONFIG_FILE=/dev/null PIP_FIND_LINKS= PIP_EXTRA_INDEX_URL= \
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links $(PIP_COMPILE_ARGS)

.PHONY: run test check serve setup lint lock format editor superuser migrations-check clean

$(VENV)/.runtime: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP_INSTALL) -r requirements.lock
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PIP_INSTALL) -r requirements-dev.lock
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

## check: lint and the fast tiers (no server process, browser or quality tool) on every
## core (pytest-xdist), the Hypothesis properties with fewer examples: under half a minute
check: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	HYPOTHESIS_PROFILE=check $(PY) -m pytest -m "$(FAST_TIERS)" -n auto --dist worksteal

## test: set up and run the whole suite, lint included, on SQLite; then again on PostgreSQL
## the tests that touch the database
test: $(VENV)/.dev node_modules/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m pytest
	@status=0; $(PY) -m tests.postgres || status=$$?; \
	if [ $$status -eq 0 ]; then \
		echo "Running the $(POSTGRES_TIERS) tiers again on PostgreSQL ($(TEST_POSTGRES_URL))"; \
		DATABASE_URL=$(TEST_POSTGRES_URL) $(PY) -m pytest -m "$(POSTGRES_TIERS)"; \
	elif [ $$status -eq 2 ]; then exit 1; fi

## lock: resolve requirements*.txt (direct dependencies) into requirements*.lock, the whole
## tree with hashes; PIP_COMPILE_ARGS=--upgrade moves every pin to its newest release
lock: $(VENV)/.dev
	$(PIP_COMPILE) --output-file requirements.lock requirements.txt
	$(PIP_COMPILE) --output-file requirements-dev.lock requirements-dev.txt

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
