"""The Dagster code location: assembles what the modules beside it define.

Runs use the in-process executor: the warehouse is one DuckDB file with a single writer, and
the steps of a bill run follow one another anyway, so running each step in its own process
would only add start-up time and contend for the file lock.
"""

from __future__ import annotations

import dagster as dg

from pipelines.orchestration.assets import (
    payment_requests_outbox,
    published_ledger,
    upstream_snapshot,
)
from pipelines.orchestration.jobs import bill_run_job
from pipelines.orchestration.resources import RunConsole, Warehouse
from pipelines.orchestration.schedules import daily_bill_run

defs = dg.Definitions(
    assets=[upstream_snapshot, published_ledger, payment_requests_outbox],
    jobs=[bill_run_job],
    schedules=[daily_bill_run],
    resources={"warehouse": Warehouse(), "console": RunConsole()},
    executor=dg.in_process_executor,
)
