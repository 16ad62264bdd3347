"""Executing `bill_run_job` from the command line, on the Dagster instance beside the
warehouse.

The instance lives in the setting `dagster_home` ($DAGSTER_HOME, else the folder
`<warehouse>.dagster` next to the warehouse file), created on first use, so that every run of
`billing run` or `billing backfill` appears in `dagster dev` (started with the same
DAGSTER_HOME) with its partition, checks and logs, exactly like a scheduled run.
"""

from __future__ import annotations

import datetime as dt
import warnings

import dagster as dg

from pipelines.orchestration.definitions import defs
from pipelines.settings import Settings

# Dagster's console logger would print every event; the CLI prints its own progress.
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
INSTANCE_CONFIG = "telemetry:\n  enabled: false\n"


def instance_for(where: Settings) -> dg.DagsterInstance:
    """The Dagster instance of a warehouse, created with its folder on first use."""
    home = where.dagster_home
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_CONFIG)
    return dg.DagsterInstance.from_config(str(home))


def launch_bill_runs(
    where: Settings, first: dt.date, last: dt.date, full: bool = False, echo: bool = True
) -> dg.ExecuteInProcessResult:
    """Execute bill_run_job for the as-of dates first..last (one partition, or a single-run
    backfill of the range). An exception of the run (BillRunStopped, with the engine's
    RunRefused, InvariantFailed or WarehouseBusy as its cause) propagates as raised."""
    if first == last:
        target: dict = {"partition_key": first.isoformat()}
    else:
        target = {"tags": {
            "dagster/asset_partition_range_start": first.isoformat(),
            "dagster/asset_partition_range_end": last.isoformat(),
        }}
    run_config = {
        **QUIET,
        "resources": {
            "warehouse": {"config": {"path": str(where.warehouse)}},
            "console": {"config": {"echo": echo}},
        },
        "ops": {"published_ledger": {"config": {"full": full}}},
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Dagster's beta notices: see pipelines/cli.py
        instance = instance_for(where)
        job = defs.resolve_job_def("bill_run_job")
        return job.execute_in_process(instance=instance, run_config=run_config, **target)


def published_bill_run_ids(result: dg.ExecuteInProcessResult) -> list[str]:
    """The ids of the bill runs a run of bill_run_job published, in order."""
    ledger = result.asset_materializations_for_node("published_ledger")
    return list(ledger[0].metadata["bill_run_ids"].value) if ledger else []
