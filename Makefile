# Everyday commands. `make run` serves Michou with its Celery worker until Ctrl-C; `make test` runs the whole suite;
# `make serve` serves as production does (needs DATABASE_URL and REDIS_URL); `make bench` runs the benchmarks.
# `make lint typecheck` is what CI checks before the tests; `make format` rewrites the tree as `lint` expects;
# `make messages` refreshes the Chinese catalogue after adding strings and compiles it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run serve test bench migrate lint format typecheck messages

run: $(VENV)/.installed-runtime
	scripts/run.sh

serve: $(VENV)/.installed-runtime
	scripts/serve.sh

test: $(VENV)/.installed-dev
	$(BIN)/pytest

# Never part of `make test`: minutes of load on PostgreSQL, Redis and the fake Stripe server (README "Benchmarks").
bench: $(VENV)/.installed-dev
	bench/run.sh

# Style and the import contract (.importlinter): which app may import which.
lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(VENV)/.installed-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# What mypy checks, and how strictly, is in pyproject.toml.
typecheck: $(VENV)/.installed-dev
	DJANGO_DEBUG=true $(BIN)/mypy

# Then translate every new or fuzzy entry in the .po file (and drop its `#, fuzzy` flag) and run this again.
messages: $(VENV)/.installed-runtime
	DJANGO_DEBUG=true $(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete
	msgfmt --check-format -o locale/zh_Hans/LC_MESSAGES/django.mo locale/zh_Hans/LC_MESSAGES/django.po

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
