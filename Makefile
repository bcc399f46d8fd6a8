# Everything builds from a bare python3: a venv, uv inside it, then the pinned stack.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml dbt_project/profiles.yml

# Telemetry off for every tool (no machine here reaches the internet).
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DAGSTER_DISABLE_TELEMETRY := 1
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export DAGSTER_HOME := $(CURDIR)/.dagster

.PHONY: install demo test lint format dev bench clean

install: $(INSTALLED) $(MANIFEST)

$(INSTALLED): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt uv
	$(BIN)/uv pip install --python $(BIN)/python -c constraints.txt -e '.[dev]'
	touch $@

$(MANIFEST): $(INSTALLED) $(DBT_SOURCES)
	$(BIN)/posttrade prepare --force

demo: install
	$(BIN)/posttrade demo

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	cd dbt_project && POSTTRADE_DUCKDB_PATH=:memory: ../$(BIN)/sqlfluff lint models tests

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	cd dbt_project && POSTTRADE_DUCKDB_PATH=:memory: ../$(BIN)/sqlfluff fix models tests

# The UI over the demo's sandbox inbox and warehouse unless told otherwise.
dev: export POSTTRADE_INBOX ?= $(CURDIR)/data/sandbox/inbox
dev: install
	$(BIN)/posttrade prepare
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

bench: install
	$(BIN)/python -m bench all

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs .dagster
