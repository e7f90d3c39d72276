# Everyday commands. `make run` serves Michou with its Celery worker until Ctrl-C; `make test` runs the whole suite;
# `make serve` serves as production does (needs DATABASE_URL and REDIS_URL); `make bench` runs the benchmarks.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test bench migrate

run: $(VENV)/.installed-runtime
	scripts/run.sh

serve: $(VENV)/.installed-runtime
	scripts/serve.sh

test: $(VENV)/.installed-dev
	$(BIN)/pytest

# Never part of `make test`: minutes of load on PostgreSQL, Redis and the fake Stripe server (README "Benchmarks").
bench: $(VENV)/.installed-dev
	bench/run.sh

migrate: $(VENV)/.installed-runtime
	DJANGO_DEBUG=$${DJANGO_DEBUG:-true} $(BIN)/python manage.py migrate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# A stamp is newer than the requirements it installed, so pip runs again only after a requirements file changes.
# Stamps live inside the venv: a new venv starts without them.
$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install -r requirements-dev.txt
	touch $@
