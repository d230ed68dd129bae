# The front door: make run, make test, make lint.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CHROMIUM ?= /usr/bin/chromium
NGINX ?= /usr/sbin/nginx
PG_DUMP ?= /usr/bin/pg_dump
PDFTOTEXT ?= /usr/bin/pdftotext
HTML_VALIDATE := tools/html-validate/node_modules/.bin/html-validate
export FLASK_APP := wsgi
export CHROMIUM

.PHONY: run test lint format venv clean bench bench-profile bench-bulk bench-backup screenshots

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

## Serve the site with demo data on http://127.0.0.1:5000 (SQLite in instance/).
## The worker runs beside the site (flask worker: mail and periodic jobs) and stops with it.
run: venv
	FLASK_DEBUG=1 $(BIN)/flask db upgrade
	FLASK_DEBUG=1 $(BIN)/flask seed-demo --if-empty
	export FLASK_DEBUG=1 MAIL_SENDER_PROCESS=1; \
	$(BIN)/flask worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask run --host 127.0.0.1 --port 5000

## The whole test suite (SQLite; set TEST_DATABASE_URL for PostgreSQL), browser tests included,
## one process per core (TEST_WORKERS=0: all in one process).
TEST_WORKERS ?= auto
test: venv $(CHROMIUM) $(NGINX) $(PG_DUMP) $(PDFTOTEXT) $(HTML_VALIDATE)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

# The browser tests drive Debian's Chromium (Playwright's own download does not work here).
$(CHROMIUM):
	@echo "Chromium is missing: installing Debian's package for the browser tests."
	apt-get update -qq && apt-get install -y -qq chromium

# The HTML conformance test checks every page with html-validate, at the version
# pinned in tools/html-validate/package-lock.json (Node.js and npm from Debian if missing).
$(HTML_VALIDATE): tools/html-validate/package-lock.json
	@command -v npm >/dev/null || (echo "npm is missing: installing Debian's nodejs and npm." \
		&& apt-get update -qq && apt-get install -y -qq nodejs npm)
	cd tools/html-validate && npm ci --no-audit --no-fund
	touch $@

# The deployment test runs the shipped nginx site in front of two app instances.
$(NGINX):
	@echo "nginx is missing: installing Debian's package for the deployment test."
	apt-get update -qq && apt-get install -y -qq nginx

# flask backup and restore on PostgreSQL use its client tools.
$(PG_DUMP):
	@echo "pg_dump is missing: installing Debian's PostgreSQL client tools."
	apt-get update -qq && apt-get install -y -qq postgresql-client

# The PDF tests read every PDF back as people's readers do, with poppler's pdftotext.
$(PDFTOTEXT):
	@echo "pdftotext is missing: installing Debian's poppler-utils for the PDF tests."
	apt-get update -qq && apt-get install -y -qq poppler-utils

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache tools/html-validate/node_modules

## Benchmarks on SQLite and PostgreSQL against a bare Flask app and a minimal locked insert
## (needs wrk, Redis and a PostgreSQL server); writes bench/RESULTS.md. BENCH_QUICK=1: a few
## minutes on the demo data, printed only.
bench: venv
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BIN)/python bench/run.py

## Where the time goes: CPU per request of each benchmarked figure, in one process, and the
## booking's profile (writes bench/PROFILE.md; BENCH_DATABASES=sqlite for SQLite only).
bench-profile: venv
	$(BIN)/python bench/where_time_goes.py

## How long a 200-row bulk add takes end to end (SQLite; set BENCH_POSTGRES_URL for PostgreSQL too).
bench-bulk: venv
	$(BIN)/python bench/bulk_add.py

## How long flask backup and flask restore take (demo data and 20,000 registrations,
## SQLite and PostgreSQL; BENCH_POSTGRES_URL for another server).
bench-backup: venv
	$(BIN)/python bench/backup.py

## Screenshots of the key pages at phone and desktop size, into docs/screenshots/.
screenshots: venv $(CHROMIUM)
	$(BIN)/python docs/make_screenshots.py
