# The two set-up commands of the README: `make demo` and `make test`.
# Each creates .venv and installs everything it needs (Python packages from PyPI,
# Elasticsearch from Maven Central); nothing is installed by hand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: venv test lint wheel-check real-scheduler postgres redis scale demo bench es-up es-down clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,deploy,scale]'
	rm -f $(VENV)/.installed-* && touch $@

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check vigie ingest enrich dags bench tests
	$(BIN)/mypy

test: lint postgres
	$(BIN)/pytest -q

# PostgreSQL for tests/test_real_scheduler.py (the DAGs on a real scheduler and database):
# Debian's `postgresql` package, installed with apt (CI runs as root) unless a server is there.
# tests/test_compose.py builds deploy/composecheck (compose-go, the loader of `docker compose`)
# with the machine's Go toolchain; modules come from the Go module proxy.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

# The real-scheduler test alone (also part of `make test`): PostgreSQL, Airflow's dag-processor,
# scheduler and api-server against the test node and the sample site; prints its wall time.
real-scheduler: venv postgres
	$(BIN)/pytest -q -s tests/test_real_scheduler.py

# Build the wheel, install it in a fresh virtualenv outside the checkout (dependencies from
# PyPI) and run `vigie es install-templates` + `vigie run` from it on the test node and the
# sample site (tests/test_wheel.py, also part of `make test`).
wheel-check: venv
	$(BIN)/pytest -q -s tests/test_wheel.py

# Redis for the scale test (the Celery broker): Debian's `redis-server`, installed with apt
# unless it is there; the test starts its own server on a free port (no service is enabled).
redis:
	@command -v redis-server >/dev/null 2>&1 || { \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; }

# The local scale test (issue 17): three Elasticsearch nodes as one cluster, Redis, PostgreSQL,
# Airflow with the CeleryExecutor, news_ingest over 2,000 generated articles with 1 and then 2
# workers, one node SIGKILLed mid-run; writes its section of bench/results.md (bench/scale.py).
scale: venv postgres redis
	$(BIN)/python -m bench.scale

demo: venv
	$(BIN)/python -m vigie.demo

bench: venv
	$(BIN)/python -m bench.run

# The freshness soak (issue 17, not in CI, ~45 min): the real scheduler on its default schedule,
# a local site publishing 50 articles at random times over 30 minutes, a webhook receiver;
# publication -> searchable and -> alert delivered into bench/results.md (bench/soak.py).
soak: venv postgres
	$(BIN)/python -m bench.soak

es-up: venv
	$(BIN)/vigie es up

es-down: venv
	$(BIN)/vigie es down

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
