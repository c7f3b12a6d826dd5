# The help desk's commands. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
# The interpreter the virtualenv is made from: Python 3.12 or newer (Django 6).
PYTHON ?=
BASE_PYTHON = $(shell PYTHON="$(PYTHON)" scripts/find-python)
LOCK := requirements/dev.lock
STAMP := $(VENV)/.installed
# Front-end files (Bootstrap, htmx): npm installs package-lock.json's exact versions,
# scripts/vendor-assets copies what the pages use into static/vendor/ (git-ignored).
VENDOR := static/vendor/.installed
PORT ?= 8000
PIP_COMPILE := $(BIN)/pip-compile -q --strip-extras --generate-hashes --allow-unsafe --no-emit-index-url --no-emit-find-links

# The translation catalogues: their compiled .mo files are built here, never committed.
CATALOGUES := $(wildcard locale/*/LC_MESSAGES/django.po)
COMPILED := $(CATALOGUES:.po=.mo)
# What `make messages` extracts: the project's own code and templates, not tests or tools.
MESSAGES_SCOPE := -l fr -l es -l pt_BR --no-obsolete --add-location=file --ignore=.venv --ignore=node_modules --ignore='bench/*' --ignore='tests/*' --ignore='var/*' --ignore='static/*'

.PHONY: help install run test lint format bench loadtest rehearse lock migrate seed clean messages

help: ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(STAMP): $(LOCK)
	@base="$(BASE_PYTHON)"; test -n "$$base" || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$base"; "$$base" -m venv $(VENV) || exit 1; fi
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q --require-hashes -r $(LOCK)
	@touch $(STAMP)

$(VENDOR): package.json package-lock.json scripts/vendor-assets
	@command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer"; exit 1; }
	npm ci --ignore-scripts --no-audit --no-fund
	scripts/vendor-assets
	@touch $(VENDOR)

install: $(STAMP) $(VENDOR) $(COMPILED) ## Create the virtualenv, install the pinned Python and front-end dependencies, compile the translations

# GNU gettext's msgfmt compiles a catalogue; Django's compilemessages runs it.
locale/%/LC_MESSAGES/django.mo: locale/%/LC_MESSAGES/django.po $(STAMP)
	@command -v msgfmt >/dev/null || { echo "msgfmt is missing: install GNU gettext (apt-get install gettext)"; exit 1; }
	DEBUG=true $(PY) manage.py compilemessages -l $* --ignore=.venv --ignore=node_modules

messages: $(STAMP) ## Extract the translatable strings into locale/<lang>/LC_MESSAGES/django.po (README "Languages")
	DEBUG=true $(PY) manage.py makemessages $(MESSAGES_SCOPE)

# SITE_URL (links in emails) follows PORT unless set. It is set here for all three
# processes: honcho gives each its own PORT (the worker's is PORT+100), so the worker,
# which sends the emails, could not derive it from PORT itself. The help widget's demo
# page is the same server as http://localhost: another origin, allowed to embed Flow's widget.
run: $(STAMP) $(VENDOR) $(COMPILED) ## Run the whole help desk (web, worker, beat) on the embedded defaults, with demo data (PORT=8000; links in emails follow it unless SITE_URL is set)
	DEBUG=true $(PY) manage.py migrate --noinput
	DEBUG=true $(PY) manage.py kb_refresh_html
	DEBUG=true $(PY) manage.py seed_demo
	@echo ""
	@echo "  Help desk:    http://127.0.0.1:$(PORT)/"
	@echo "  Back office:  http://127.0.0.1:$(PORT)/admin/  (demo logins above)"
	@echo "  Links in emails: $${SITE_URL:-http://127.0.0.1:$(PORT)}"
	@echo "  Help widget on a fake Akvo Flow page (another origin): http://localhost:$(PORT)/widget/demo/akvo-flow/"
	@echo "  The worker and beat restart by themselves if they exit (scripts/supervise.py)."
	@echo "  Stop with Ctrl-C."
	@echo ""
	DEBUG=true PORT=$(PORT) SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" \
	  WIDGET_ALLOWED_ORIGINS="$${WIDGET_ALLOWED_ORIGINS:-akvo-flow=http://localhost:$(PORT)}" \
	  $(BIN)/honcho -f Procfile.dev start

test: $(STAMP) $(VENDOR) $(COMPILED) ## Run the test suite (SQLite by default; PostgreSQL/Redis when DATABASE_URL/CELERY_BROKER_URL say so)
	$(BIN)/pytest $(PYTEST_ARGS); status=$$?; \
	  if [ $$status -eq 5 ]; then echo "pytest collected no tests"; fi; exit $$status

lint: $(STAMP) ## Check lint, formatting (ruff) and types (mypy with django-stubs)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy helpdesk catalog kb tickets portal desk reports integrations api demo

format: $(STAMP) ## Fix formatting and safe lint findings
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP) ## Run the benchmarks on PostgreSQL (SCALE=, SCENARIOS=, REPEAT=; see bench/README.md)
	$(PY) -m bench.run $(if $(SCALE),--scale $(SCALE)) $(foreach s,$(SCENARIOS),--scenario $(s)) $(if $(REPEAT),--repeat $(REPEAT))

loadtest: $(STAMP) $(VENDOR) ## Load the app under gunicorn on PostgreSQL (LOADTEST_TICKETS=, SCENARIOS=, DURATION=, CONNECTIONS=, REPEAT=; see bench/README.md)
	$(PY) -m bench.loadtest

rehearse: $(STAMP) ## Rehearse the scale-out topology (2 web, 2 workers, 1 beat, a private Redis) under load, a worker killed and Redis restarted (DURATION=, REQUESTERS=, DRAIN=, PGBOUNCER=1; see README "Scaling out")
	$(PY) -m bench.scaleout $(if $(PGBOUNCER),--pgbouncer)

lock: ## Re-pin the dependencies from pyproject.toml into requirements/*.lock
	@test -x $(BIN)/pip-compile || { echo "Run make install first"; exit 1; }
	$(PIP_COMPILE) -o requirements/prod.lock pyproject.toml
	$(PIP_COMPILE) --extra dev -o requirements/dev.lock pyproject.toml

clean: ## Remove the virtualenv, node_modules, static/vendor and the local data under var/
	rm -rf $(VENV) var node_modules static/vendor
