# Roundtable: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
RT := $(VENV)/bin/roundtable
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test setup venv frontend migrate demo lint typecheck test-python test-frontend browsers clean bench fuzz

run: setup migrate demo
	$(RT) serve --host 127.0.0.1 --port 8000

setup: venv frontend

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

venv: $(UV)
	$(UV) sync --frozen --quiet

frontend:
	@if [ -f frontend/package.json ]; then \
	  cd frontend && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund --loglevel=error; } && npm run --silent build; \
	else echo "frontend: not present yet; serving the API only"; fi

migrate: venv
	$(RT) migrate

demo: venv
	$(RT) demo

lint: venv
	$(VENV)/bin/ruff check backend tests migrations bench
	$(VENV)/bin/ruff format --check backend tests migrations bench

typecheck: venv
	$(VENV)/bin/mypy

test: setup browsers lint typecheck test-python test-frontend

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads browsers).
browsers:
	@command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

test-frontend:
	@if [ -f frontend/package.json ]; then cd frontend && npm test --silent; fi

# Most tests wait on servers, browsers and the network: three workers keep two cores busy.
# `make test-python PYTEST_WORKERS=0` runs them in one process. tests/parallel.py says
# which tests are kept together on one worker.
PYTEST_WORKERS ?= 3
test-python: venv
	$(PY) -m pytest -q $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)

fuzz: venv  # the attack tests with twenty times the examples of CI; the API fuzz on PostgreSQL too
	ROUNDTABLE_FUZZ_EXAMPLES=20 $(PY) -m pytest -q tests/security
	ROUNDTABLE_FUZZ_EXAMPLES=5 ROUNDTABLE_FUZZ_DATABASE=postgres $(PY) -m pytest -q tests/security/test_openapi_fuzz.py

bench: venv
	$(PY) bench/fanout.py

clean:
	rm -rf $(VENV) $(TOOLS) frontend/node_modules backend/roundtable/static
