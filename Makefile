# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test venv migrate demo lint bench stress clean

# Python keeps its compiled modules (__pycache__, ignored by git) whatever the shell says: with
# PYTHONDONTWRITEBYTECODE set, every test worker rewrites every test module on every run, and
# every command a test starts compiles the platform again.
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

migrate: $(STAMP)
	$(BIN)/xinfang migrate --noinput

demo: migrate
	$(BIN)/xinfang demo --address http://$(HOST):$(PORT)/

# Served as users will see it: gunicorn, DEBUG off, Chinese error pages (xinfang serve).
# A developer's server with the debug page: .venv/bin/xinfang runserver.
run: demo
	$(BIN)/xinfang serve --bind $(HOST):$(PORT)

# The suite on every core and one more worker (pytest-xdist), which fills the time the others
# wait for a browser, a server or a command they started; TEST_WORKERS=0 runs it in one process.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
test: lint
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(PYTEST_ARGS)

# mypy checks the files [tool.mypy] names, with Django's types; no migration may be missing.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	$(BIN)/xinfang makemigrations --check --dry-run

bench: $(STAMP)
	@if ls bench/bench_*.py >/dev/null 2>&1; then for f in bench/bench_*.py; do $(BIN)/python $$f; done; else echo "no benchmarks yet"; fi

# kill -9 rounds against `xinfang serve` while two agents register cases, on SQLite and on
# PostgreSQL (STRESS_POSTGRES, default postgres://postgres@127.0.0.1:5432/xinfang_stress,
# created if missing), then the concurrent registration of one new petitioner. Prints figures;
# never fails on time. Not in CI. A quick run: make stress ROUNDS=20
ROUNDS ?= 200
stress: $(STAMP)
	$(BIN)/python bench/stress_kill.py --rounds $(ROUNDS) $(if $(STRESS_POSTGRES),--postgres $(STRESS_POSTGRES))

# Removes what the build made. Never var/: it holds the database, the data key and the files.
clean:
	rm -rf $(VENV) build *.egg-info var/static var/screenshots
