# The two commands: `make run` (serve the portal with demo data), `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint fmt messages check-translations bench clean

$(VENV)/.runtime: requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.lock
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.lock
	$(PIP) install --quiet -r requirements-dev.lock
	touch $@

run: $(VENV)/.runtime
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	@echo "Log in at http://127.0.0.1:8000 as partner@example.com, cam@example.com or admin@example.com (password demo-password)"
	@if [ -n "$$REDIS_URL" ]; then \
	  mkdir -p var; trap 'kill 0' EXIT INT TERM; \
	  $(VENV)/bin/celery -A portal worker --loglevel=INFO --concurrency=2 & \
	  $(VENV)/bin/celery -A portal beat --loglevel=INFO --schedule=var/celerybeat-schedule & \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	else \
	  $(PY) manage.py runserver 127.0.0.1:8000; \
	fi

test: $(VENV)/.dev
	$(VENV)/bin/pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: $(VENV)/.dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Regenerate and compile every Japanese catalogue (needs GNU gettext).
messages: $(VENV)/.runtime
	$(PY) scripts/i18n.py make
	$(PY) scripts/i18n.py compile

check-translations: $(VENV)/.runtime
	$(PY) scripts/i18n.py check

bench: $(VENV)/.dev
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
