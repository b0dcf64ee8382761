# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
CKSUM := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
RUNTIME_STAMP := $(VENV)/.installed-runtime-$(CKSUM)
DEV_STAMP := $(VENV)/.installed-dev-$(CKSUM)

.PHONY: run bench reset-demo test setup setup-runtime assets check lint types pytest pytest-evening api-fuzz schema clean

$(VENV)/bin/pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

## `make run` needs the runtime dependencies only; `make test` adds the test toolchain
## (pyproject.toml [project.optional-dependencies].dev: pytest, mypy, Playwright, schemathesis …).
$(RUNTIME_STAMP): pyproject.toml | $(VENV)/bin/pip
	$(BIN)/pip install --quiet .
	rm -f $(VENV)/.installed-runtime-* && touch $(RUNTIME_STAMP)

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/pip
	$(BIN)/pip install --quiet ".[dev]"
	rm -f $(VENV)/.installed-runtime-* $(VENV)/.installed-dev-* && touch $(RUNTIME_STAMP) $(DEV_STAMP)

setup-runtime: $(RUNTIME_STAMP)

setup: $(DEV_STAMP)

## Front-end packages from npm (GOV.UK Frontend, htmx, Chart.js, axe-core), built into
## frontend/static/frontend/dist/ and never committed.
assets:
	scripts/build-assets

## The machine's own files (SQLite, the filesystem broker, the beat schedule): the settings make no
## folder when read, so the targets that write here make it.
var:
	mkdir -p var

## make run: set up, migrate SQLite, load the demo, start web + Celery worker and beat.
run: setup-runtime assets | var
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) collectstatic --noinput -v0
	scripts/compile-messages
	scripts/run

## make bench: build a data set (BENCH_SCALE=tiny|small|district|city, or `python -m bench --help`
## for the flags), start gunicorn on it beside bare reference views, drive it with wrk, print the
## figures and write var/bench/latest.json. PostgreSQL when DATABASE_URL is set (a `<name>_bench`
## database beside it), SQLite in var/bench/ otherwise.
bench: setup-runtime assets | var
	$(MANAGE) collectstatic --noinput -v0
	$(BIN)/python -m bench $(BENCH_ARGS)

## Forget the demo's database and queued tasks; the next `make run` loads a fresh demo.
reset-demo:
	rm -f var/shequ.sqlite3 var/shequ.sqlite3-wal var/shequ.sqlite3-shm
	rm -rf var/broker

## make test: every check and every test.
test: setup assets lint types check schema pytest pytest-evening api-fuzz

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

types:
	$(BIN)/mypy .

check: assets | var
	$(MANAGE) check
	$(MANAGE) collectstatic --noinput -v0  # the production storage checks every file the CSS/JS names
	$(MANAGE) makemigrations --check --dry-run
	DJANGO_SECRET_KEY=check-deploy-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	  DJANGO_HSTS_SECONDS=31536000 DJANGO_SSL_REDIRECT=1 \
	  $(MANAGE) check --deploy --fail-level WARNING

schema: | var
	$(MANAGE) spectacular --validate --fail-on-warn --file var/schema.yml

pytest: assets
	scripts/compile-messages
	@test -x "$${CHROMIUM:-/usr/bin/chromium}" || echo "*** Chromium not found at $${CHROMIUM:-/usr/bin/chromium}: the browser tests (tests/e2e) are SKIPPED. Install it with: apt-get install chromium fonts-noto-cjk ***"
	$(BIN)/pytest -n 2 -q -m "not api_fuzz" $(PYTEST_ARGS)

## The suite (less the browser tests) again with every test process's clock moved to 16:30 UTC on
## New Year's Eve, already the next day and year in Asia/Shanghai: no test may depend on the hour.
EVENING_UTC ?= 2026-12-31T16:30:00Z
pytest-evening: assets
	SHEQU_FROZEN_CLOCK=$(EVENING_UTC) $(BIN)/pytest -n 2 -q --ignore=tests/e2e -m "not api_fuzz" $(PYTEST_ARGS)

## The API against its schema (tests/api/test_schema_conformance.py): schemathesis sends every
## operation generated requests as six identities on the demo's data; any 5xx, or a status, content
## type or body the schema does not allow, fails. About 5,000 cases, a fixed seed.
api-fuzz: setup
	$(BIN)/pytest -n 2 -q -m api_fuzz tests/api/

clean:
	rm -rf var staticfiles frontend/static/frontend/dist
