# The two commands a new user runs: `make demo` and `make test`. Both set everything up first.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.pef-gx-installed

.PHONY: setup demo test test-fast lint format bench browser java spark-server spark-server-stop clean

setup: $(STAMP) java

# Re-install only when the dependency pins change. constraints.txt holds the tested versions.
# The spark extra (pyspark, dbt-spark) is part of the dev setup: the Spark tests run in `make test`.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else "pef-gx needs Python 3.10+")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spark]" -c constraints.txt
	touch $(STAMP)

# Headless Chromium for the Data Docs / HTML page tests (Debian packages; needs root or sudo).
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }

# A Java runtime for Spark (Debian package; needs root or sudo). Skipped when java is already on PATH.
java:
	@command -v java >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null; }

# One local Spark server JVM (Thrift :10000 and Spark Connect :15002, 127.0.0.1 only) for the
# `spark_server` target; its warehouse and metastore live in dbt_project/spark_server/.
spark-server: setup
	$(BIN)/python scripts/spark_server.py start

spark-server-stop:
	$(BIN)/python scripts/spark_server.py stop

# The main job on the sample project, on the embedded DuckDB default.
# build = dbt build, then the GX checkpoint on the tables dbt wrote, the results file and the Data Docs.
demo: setup
	$(BIN)/pef-gx build
	@echo "Data Docs (offline): $$($(BIN)/pef-gx docs)"
	$(BIN)/pef-gx score
	$(BIN)/pef-gx badge

test: setup browser
	$(BIN)/pytest

test-fast: setup
	$(BIN)/pytest -m "not integration"

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs dbt_project/*.duckdb gx/uncommitted dbt_project/spark_local dbt_project/spark_server

bench: setup
	for f in bench/*_bench.py; do $(BIN)/python $$f || exit 1; done
