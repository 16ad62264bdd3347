"""Dagster resources: the warehouse every asset reads and writes, and the run console.

The warehouse is one DuckDB file with a single writer. We wrap
`pipelines.engine.warehouse.connect` rather than using `dagster_duckdb.DuckDBResource`
because the latter retries a locked file ten times with back-off and then surfaces DuckDB's
IO error; `connect` fails at once with `WarehouseBusy`'s message naming the file, and creates
the upstream and published schemas on first use.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from pydantic import PrivateAttr

from pipelines.engine import warehouse
from pipelines.settings import settings


class Warehouse(dg.ConfigurableResource):
    """The DuckDB warehouse file. An empty `path` means the setting (`$BILLING_WAREHOUSE`,
    else `warehouse/billing.duckdb`), resolved when a step connects, not when code loads."""

    path: str = ""

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        where = settings(self.path or None)
        con = warehouse.connect(where.warehouse, where.memory_limit)
        try:
            yield con
        finally:
            con.close()


class RunConsole(dg.ConfigurableResource):
    """Where a step's progress lines go besides the Dagster event log.

    In `dagster dev` the event log is enough (`echo=False`); the `billing` CLI runs the same
    job with `echo=True` so that long steps show on the terminal with the seconds elapsed
    since the run started.
    """

    echo: bool = False
    _started: float = PrivateAttr(default_factory=time.perf_counter)

    def setup_for_execution(self, context: dg.InitResourceContext) -> None:
        self._started = time.perf_counter()

    def say(self, message: str) -> None:
        if self.echo:
            print(f"[{time.perf_counter() - self._started:7.1f}s] {message}", flush=True)

    def reporter(
        self, log: dg.DagsterLogManager, prefix: str = "", echo: bool = True
    ) -> Callable[[str], None]:
        """A progress callback for the engine: logs each line, and echoes it unless `echo` is
        false (a backfill echoes one line per date, not every step of every date)."""

        def report(message: str) -> None:
            line = f"{prefix}{message}"
            log.info(line)
            if echo:
                self.say(line)

        return report
