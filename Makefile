# The two set-up commands are `make run` and `make test`; both install what they need first.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production}

.PHONY: install run test lint bench evaluate

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

# `make run` serves the platform as it is deployed, on this machine only: DEBUG off (so the
# project's own error pages, and collected static files), plain-HTTP cookies on loopback, and a
# secret of this checkout's own under var/. `DEBUG=1 make run` shows Django's debug pages instead.
RUN_ENV = DEBUG=$${DEBUG:-0} SECRET_KEY=$${SECRET_KEY:-$$(cat var/secret-key)} \
	ALLOWED_HOSTS=$${ALLOWED_HOSTS:-127.0.0.1,localhost} \
	SESSION_COOKIE_SECURE=0 CSRF_COOKIE_SECURE=0 SECURE_HSTS_SECONDS=0

var/secret-key: | install
	mkdir -p var
	$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: install var/secret-key
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "Open http://127.0.0.1:$(PORT)/ (sign in with a demo account above),"
	@echo "     http://127.0.0.1:$(PORT)/api/docs/ (the API) and http://127.0.0.1:$(PORT)/admin/"
	$(RUN_ENV) $(PY) -m uvicorn backend.config.asgi:application --host 127.0.0.1 --port $(PORT)

test: install
	mkdir -p var
	$(TEST_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	SECRET_KEY=type-check-only $(VENV)/bin/mypy

# Not part of the test suite: each prints a table beside a baseline measured in the same run.
bench: install
	$(PY) tests/perf/bench_engine.py --quick
	$(PY) tests/perf/bench_api.py
	$(PY) tests/perf/bench_scale.py
	$(PY) tests/perf/bench_chat.py
	$(PY) tests/perf/bench_indexing.py
