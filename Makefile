# Everyday commands. `make demo` is the tour: seed, load and bill a sample data set.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_WAREHOUSE := warehouse/demo.duckdb
DEMO_DATA := data/sample
# The warehouse `make dagster` shows, and the Dagster instance beside it that `billing run`
# records its runs in (DAGSTER_HOME wins when set).
WAREHOUSE ?= $(or $(BILLING_WAREHOUSE),warehouse/billing.duckdb)
DAGSTER_HOME ?= $(abspath $(WAREHOUSE)).dagster

.PHONY: venv demo test lint bench dagster

venv: $(STAMP)

# Reinstalls only when pyproject.toml changes.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -e '.[dev]'
	touch $(STAMP)

demo: venv
	rm -rf $(DEMO_DATA) $(DEMO_WAREHOUSE) $(DEMO_WAREHOUSE).dagster
	$(BIN)/billing seed $(DEMO_DATA) --subscriptions 2000 --seed 7 --start 2026-01-01 --days 90 --bad-rows 5
	$(BIN)/billing --warehouse $(DEMO_WAREHOUSE) load $(DEMO_DATA)
	$(BIN)/billing --warehouse $(DEMO_WAREHOUSE) run --as-of 2026-03-31
	@echo
	@echo "demo outputs:"
	@echo "  upstream files:  $(DEMO_DATA)/"
	@echo "  warehouse:       $(DEMO_WAREHOUSE) (schemas upstream and published)"
	@echo "  as Parquet:      $(BIN)/billing --warehouse $(DEMO_WAREHOUSE) export warehouse/demo-export"
	@echo "  in Dagster:      BILLING_WAREHOUSE=$(DEMO_WAREHOUSE) make dagster"

# Two workers, handed two tests at a time; the slow hypothesis properties are collected first
# (tests/conftest.py), so each worker starts with one of them.
test: venv
	$(BIN)/python -m pytest -n 2 --dist load --maxschedchunk 2

lint: venv
	$(BIN)/ruff check .

bench: venv
	$(BIN)/python benchmarks/run.py

dagster: venv
	mkdir -p $(DAGSTER_HOME)
	BILLING_WAREHOUSE=$(WAREHOUSE) DAGSTER_HOME=$(DAGSTER_HOME) $(BIN)/dagster dev -w workspace.yaml
