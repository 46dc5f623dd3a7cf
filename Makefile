# The two commands a newcomer needs: `make run` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export UV_PYTHON_DOWNLOADS ?= never
export PYTHONUNBUFFERED := 1

UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
PY := .venv/bin/python
MANAGE := $(PY) manage.py
DEMO_BUSINESSES ?= 300
PG_URL ?= postgres://postgres@127.0.0.1:5432/export_support
BENCH_N ?= 100000

# Production-like environment used only to run `check --deploy` in the test target.
DEPLOY_CHECK_ENV := DJANGO_SETTINGS_MODULE=config.settings.production \
	DJANGO_SECRET_KEY=deploy-check-$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n') \
	DJANGO_ALLOWED_HOSTS=export-support.example.jp DJANGO_ADMIN_URL=ops-console/ \
	DATABASE_URL=$(PG_URL) CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \
	REDIS_URL=redis://127.0.0.1:6379/1 SITE_URL=https://export-support.example.jp

.PHONY: help install run test test-fast lint check-deploy pytest services bench messages load faults

help:
	@echo "make run       install, migrate, load demo data, serve http://127.0.0.1:8000"
	@echo "make test      install, lint (ruff, import layers), migration and deploy checks, the whole pytest suite"
	@echo "make test-fast the edit loop: no browser or integration tests, test database reused"
	@echo "make services  web + Celery worker + beat on PostgreSQL and Redis (honcho)"
	@echo "make bench     seed a PostgreSQL bench database (BENCH_N businesses) and time pages"
	@echo "make messages  re-extract and compile the Japanese translation"
	@echo "make load      locust against gunicorn (production settings) on the bench database"
	@echo "make faults    Redis down, PostgreSQL restart, worker SIGKILL: no e-mail lost/doubled"

install:
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || \
		{ echo "Installing uv from PyPI"; python3 -m pip install --quiet --user uv || python3 -m pip install --quiet uv; }
	@$(UV) sync --frozen --quiet

run: install
	@mkdir -p var
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) seed_demo --if-empty --businesses $(DEMO_BUSINESSES)
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	$(MANAGE) runserver 127.0.0.1:8000

test: install lint check-deploy pytest

# The edit loop: unit and view tests only, the test database kept between runs. `make test`
# (and CI) still runs everything.
test-fast: install
	.venv/bin/pytest -m "not browser and not integration" --reuse-db \
		-o addopts="--strict-markers -p no:cacheprovider" $(PYTEST_ARGS)

lint:
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/lint-imports --no-cache
	DATABASE_URL=sqlite://:memory: $(MANAGE) makemigrations --check --dry-run

check-deploy:
	$(DEPLOY_CHECK_ENV) $(MANAGE) check --deploy --fail-level WARNING

pytest:
	bin/ensure-browser
	.venv/bin/pytest $(PYTEST_ARGS)

services: export DATABASE_URL ?= $(PG_URL)
services: export CELERY_BROKER_URL ?= redis://127.0.0.1:6379/0
services: export REDIS_URL ?= redis://127.0.0.1:6379/1
services: install
	$(MANAGE) database_ensure
	$(MANAGE) migrate --no-input -v 0
	$(MANAGE) setup_periodic_tasks
	$(MANAGE) seed_demo --if-empty --businesses $(DEMO_BUSINESSES)
	.venv/bin/honcho start -f Procfile

bench: install
	BENCH_N=$(BENCH_N) bin/bench

messages: install
	$(MANAGE) makemessages -l ja --no-obsolete --ignore=.venv --ignore=var --ignore=static
	$(MANAGE) compilemessages -l ja --ignore=.venv

# Needs the bench database (`make bench`); LOAD_SEED=1 seeds it when missing. See bin/load.
load: install
	bin/load

# Private Redis and PostgreSQL instances; the shared services are not touched. Its own test
# database name, so it can run beside `make test`.
faults: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/export_support_faults
faults: install
	.venv/bin/pytest tests/test_faults.py -s -q -p no:cacheprovider $(PYTEST_ARGS)
