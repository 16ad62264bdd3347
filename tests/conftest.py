"""Shared fixtures: an in-memory warehouse with the schemas created."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

sys.path.append(str(Path(__file__).parent))  # tests/scenario.py; after the packages

from pipelines.engine.warehouse import ensure_schema  # noqa: E402


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    yield connection
    connection.close()
