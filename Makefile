# Two commands: `make run` serves the app, `make test` runs the whole suite.
# Both set everything up on a fresh clone and are quick when already set up.
SHELL := /bin/bash
PY := .venv/bin/python
PIP := .venv/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
FRONTEND_SRC := $(shell find frontend/src frontend/public -type f 2>/dev/null) frontend/index.html frontend/vite.config.ts frontend/tsconfig.json

.PHONY: run test setup python frontend migrate chromium bwrap functions-runtime toolkit lint worker beat faults reliability

# Webhook signatures are checked against PUBLIC_BASE_URL: default it to where we serve.
run: export PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
# A development server: debug pages on (production mode is DJANGO_DEBUG unset or false, README).
run: export DJANGO_DEBUG ?= true
run: setup migrate
	@$(PY) manage.py bootstrap
	@$(PY) manage.py flex_seed --user admin
	$(PY) manage.py serve --host $(HOST) --port $(PORT)

test: export DJANGO_DEBUG ?= true
test: setup chromium bwrap toolkit lint
	$(PY) manage.py check
	cd frontend && npm test --silent
	@# The reliability report of this run (var/reliability/RELIABILITY.md), from what its tests measured
	@# (pytest's junit record, the JSON the fault, fuzz and isolation tests leave): rendering only, no
	@# rerun. It fails the build when a figure of the run shows a leak, a lost or doubled message or a
	@# server error found by fuzzing; the pytest status is kept either way.
	@rm -f var/reliability/junit.xml  # a run that dies before writing its record reports nothing of an older one
	@status=0; .venv/bin/pytest --junitxml=var/reliability/junit.xml $(PYTEST_ARGS) || status=$$?; \
	  $(PY) manage.py reliability_report --this-run --output var/reliability/RELIABILITY.md || \
	    { [ $$status -ne 0 ] || status=1; }; \
	  exit $$status

setup: python frontend functions-runtime bwrap

python: .venv/.installed

.venv/.installed: pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e '.[test]'
	touch $@

frontend: frontend/dist/index.html

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(FRONTEND_SRC)
	cd frontend && npm run build

migrate: python
	@mkdir -p var
	$(PY) manage.py migrate --noinput -v 0

# Browser tests drive Debian's Chromium (Playwright's own download does not work offline).
chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Functions run under bubblewrap (Debian's bubblewrap package); without it they refuse to run at all.
bwrap:
	@test -x /usr/bin/bwrap || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; }

# The Serverless Toolkit's deploy client, to check that the Toolkit itself deploys here (tests only).
toolkit: var/toolkit/node_modules/@twilio-labs/serverless-api/package.json

var/toolkit/node_modules/@twilio-labs/serverless-api/package.json:
	mkdir -p var/toolkit && npm install --prefix var/toolkit --no-audit --no-fund --no-save @twilio-labs/serverless-api@5.7.0

# The Functions runtime's own npm packages (twilio, @twilio/runtime-handler): the globals functions expect.
functions-runtime: serverless/runtime/node/node_modules/.installed

serverless/runtime/node/node_modules/.installed: serverless/runtime/node/package.json serverless/runtime/node/package-lock.json
	cd serverless/runtime/node && npm ci --no-audit --no-fund
	touch $@

lint: python
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy config accounts studio executions scenarios twiml flex serverless conversations webchat ops
	.venv/bin/lint-imports --no-cache

# The production topology's other processes (with REDIS_URL and DATABASE_URL set):
worker: python
	.venv/bin/celery -A config worker --loglevel=info --concurrency=2

beat: python
	.venv/bin/celery -A config beat --loglevel=info

# Every fault on the production topology (private PostgreSQL on 5441 and Redis on 6391: FAULTS_PG_PORT,
# FAULTS_REDIS_PORT; `make test` runs the bounded form). Its figures land in var/reliability/faults.json;
# `make reliability RELIABILITY_ARGS=--no-run` rewrites docs/RELIABILITY.md from them.
# `make reliability`: one pytest run of the suites the report counts, then docs/RELIABILITY.md rewritten
# from every figure in var/reliability (each dated); `--full` adds every fault, `--no-run` only renders.
faults: python
	FAULTS_FULL=1 DJANGO_DEBUG=true .venv/bin/pytest tests/faults -q

reliability: python
	DJANGO_DEBUG=true $(PY) manage.py reliability_report $(RELIABILITY_ARGS)
