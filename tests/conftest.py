"""Shared fixtures: an in-memory warehouse with the schemas created."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import duckdb
import pytest

sys.path.append(str(Path(__file__).parent))  # tests/scenario.py; after the packages

from hypothesis import HealthCheck, settings  # noqa: E402

from pipelines.engine.warehouse import ensure_schema  # noqa: E402


@pytest.fixture
def con() -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    ensure_schema(connection)
    yield connection
    connection.close()


# Hypothesis profiles: `ci` (the default) runs every property on 200 examples, derandomized so
# that a CI run is reproducible; `deep` runs 10,000 with fresh randomness, for a long run.
# Select with `--hypothesis-profile=deep` or HYPOTHESIS_PROFILE=deep. A bill run takes
# about 0.1-0.2 s, hence no deadline and no too_slow health check.
settings.register_profile(
    "ci", max_examples=200, deadline=None, derandomize=True, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("deep", settings.get_profile("ci"), max_examples=10_000,
                          derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The `slow` tests (the hypothesis properties: minutes each, the rest of the suite about
    two) go first, each followed by one other test. `make test` runs `--dist load
    --maxschedchunk 2`, whose first chunks of two tests per worker then give every worker one
    slow test at the start, instead of leaving two on one worker at the end."""
    slow = [item for item in items if item.get_closest_marker("slow")]
    rest = [item for item in items if not item.get_closest_marker("slow")]
    ordered: list[pytest.Item] = []
    for item in slow:
        ordered += [item, *rest[:1]]
        rest = rest[1:]
    items[:] = ordered + rest
