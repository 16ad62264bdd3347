"""The installation's settings: the only module that reads the environment.

Each setting has a documented variable and default (README, "Settings"); a run reads its
settings once, here, and passes them down with its context.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_WAREHOUSE = "warehouse/billing.duckdb"
DEFAULT_MEMORY_LIMIT = "3GB"


@dataclass(frozen=True)
class Settings:
    #: the DuckDB warehouse file ($BILLING_WAREHOUSE)
    warehouse: Path
    #: DuckDB's memory cap, e.g. 3GB ($BILLING_MEMORY_LIMIT): a large run spills to disk
    #: instead of growing without bound
    memory_limit: str
    #: the first as-of date a partition exists for ($BILLING_START_DATE)
    start_date: dt.date
    #: the Dagster instance's home ($DAGSTER_HOME, else `<warehouse>.dagster` beside the file)
    dagster_home: Path
    #: where derived artifacts (the parsed models, the upstream DDL) are kept between
    #: processes ($BILLING_CACHE_DIR, else $XDG_CACHE_HOME/billing-pipeline, else
    #: ~/.cache/billing-pipeline)
    cache_dir: Path


def settings(warehouse: str | os.PathLike[str] | None = None) -> Settings:
    """The settings from the environment; an explicit `warehouse` wins over
    $BILLING_WAREHOUSE."""
    path = Path(warehouse or os.environ.get("BILLING_WAREHOUSE") or DEFAULT_WAREHOUSE)
    home = os.environ.get("DAGSTER_HOME")
    cache_home = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return Settings(
        warehouse=path,
        memory_limit=os.environ.get("BILLING_MEMORY_LIMIT") or DEFAULT_MEMORY_LIMIT,
        start_date=dt.date.fromisoformat(os.environ.get("BILLING_START_DATE") or "2026-01-01"),
        dagster_home=(Path(home) if home else path.with_name(path.name + ".dagster")).absolute(),
        cache_dir=Path(os.environ.get("BILLING_CACHE_DIR") or cache_home / "billing-pipeline"),
    )
