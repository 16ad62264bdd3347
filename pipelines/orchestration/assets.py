"""The billing assets: the upstream snapshot, the published ledger and the payment outbox.

There is no IO manager: every asset reads and writes the DuckDB warehouse through the
`warehouse` resource and returns a `MaterializeResult` whose metadata is what a reader of the
Dagster UI needs to know about the step. The ledger asset is the one place a bill run is
started from: the command line, the schedule and backfills all execute `bill_run_job`.
"""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
from pydantic import Field

from pipelines import reporting
from pipelines.engine.bill_run import RunRefused, run_bill_run
from pipelines.engine.catalog import default_catalog
from pipelines.engine.context import RunContext
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.engine.summary import BillRunSummary
from pipelines.orchestration.checks import ledger_check_results, ledger_check_specs
from pipelines.orchestration.partitions import as_of_dates, dates_of, previous_as_of_date
from pipelines.orchestration.resources import RunConsole, Warehouse


class BillRunStopped(RuntimeError):
    """A date of a partition range failed; the dates before it stay published.

    The engine's exception (RunRefused, InvariantFailed, ...) is the `__cause__`.
    """

    def __init__(self, as_of: dt.date, published: Sequence[dt.date], cause: BaseException):
        self.as_of = as_of
        self.published = list(published)
        done = f"; {published[0]}..{published[-1]} published before it" if published else ""
        super().__init__(f"stopped at {as_of}: {cause}{done}")


class UpstreamSnapshotConfig(dg.Config):
    source_dir: str = Field(
        default="",
        description="A folder of upstream files to load first (as `billing load DIR`); "
        "empty: record the last load without loading.",
    )


class LedgerConfig(dg.Config):
    full: bool = Field(
        default=False,
        description="Compute every subscription instead of only those whose inputs changed or "
        "whose next date came (int_run_scope); publishes the same documents.",
    )


@dg.asset(group_name="billing", kinds={"duckdb"})
def upstream_snapshot(
    context: dg.AssetExecutionContext,
    config: UpstreamSnapshotConfig,
    warehouse: Warehouse,
    console: RunConsole,
) -> dg.MaterializeResult:
    """The upstream tables of the last load: rows read, loaded and quarantined per table.

    Loading is normally `billing load DIR`, which records the load in upstream.loads and
    upstream.load_stats; this asset reads those records so that every bill run in Dagster
    shows which snapshot it billed. Given `source_dir`, it loads that folder first.
    """
    with warehouse.connect() as con:
        if config.source_dir:
            from pipelines.loader import load_directory  # written alongside; imported late

            load_directory(con, Path(config.source_dir), console.reporter(context.log, "load: "))
        stats = DuckDBEngine(con).query(default_catalog().queries["last_load"], {}).rows()
    if not stats:
        raise RunRefused("no upstream data loaded yet; run `billing load DIR` first")
    per_table = dg.MetadataValue.table(
        records=[
            dg.TableRecord(
                {
                    "table": r[0],
                    "source_file": r[1] or "",
                    "read": r[2],
                    "loaded": r[3],
                    "quarantined": r[4],
                }
            )
            for r in stats
        ],
        schema=dg.TableSchema(
            columns=[
                dg.TableColumn("table", "string"),
                dg.TableColumn("source_file", "string"),
                dg.TableColumn("read", "int"),
                dg.TableColumn("loaded", "int"),
                dg.TableColumn("quarantined", "int"),
            ]
        ),
    )
    load_id, source_dir, loaded_at = stats[0][5], stats[0][6], stats[0][7]
    return dg.MaterializeResult(
        metadata={
            "load_id": load_id,
            "source_dir": source_dir or "",
            "loaded_at": loaded_at.isoformat() if loaded_at else "",
            "rows_read": sum(r[2] for r in stats),
            "rows_loaded": sum(r[3] for r in stats),
            "rows_quarantined": sum(r[4] for r in stats),
            "tables": per_table,
            "quarantine": "upstream.quarantine (one row per failed check)",
        },
    )


@dg.asset(
    group_name="billing",
    kinds={"duckdb"},
    partitions_def=as_of_dates,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[
        upstream_snapshot,
        dg.AssetDep("published_ledger", partition_mapping=previous_as_of_date),
    ],
    check_specs=ledger_check_specs(),
)
def published_ledger(
    context: dg.AssetExecutionContext,
    config: LedgerConfig,
    warehouse: Warehouse,
    console: RunConsole,
) -> dg.MaterializeResult:
    """The published tables (invoices, credit notes, payment requests, states, ...) as of the
    partition's date: one bill run per date, each published atomically by the engine.

    A day's ledger is the previous day's plus that day's run (the self-dependency), and the
    engine refuses a date before the last published one. So a backfill must run its dates in
    order, one after the other: the single-run backfill policy hosts the whole range in one
    Dagster run, which loops over the dates and stops at the first failure (the dates before
    it stay published; the run fails naming the date). Dagster's default of one run per
    partition would launch them in parallel, out of order. The checks Dagster records are the
    gate each bill run passed before publishing (checks.py).
    """
    dates = dates_of(context)
    summaries: list[BillRunSummary] = []
    with warehouse.connect() as con:
        engine = DuckDBEngine(con)
        for as_of in dates:
            progress = console.reporter(context.log, f"{as_of}: ", echo=len(dates) == 1)
            run = RunContext.build(as_of, mode="run", full=config.full)
            try:
                summary = run_bill_run(engine, run, progress=progress)
            except Exception as exc:
                context.log.error(f"bill run for {as_of} failed: {exc}")
                # the dates before it stay published: Dagster records them as materialized
                for done in summaries:
                    context.log_event(dg.AssetMaterialization(
                        asset_key=context.asset_key, partition=done.as_of.isoformat(),
                        metadata={"bill_run_id": done.bill_run_id}))
                raise BillRunStopped(as_of, [s.as_of for s in summaries], exc) from exc
            summaries.append(summary)
            console.say(reporting.format_date_line(summary))
    return dg.MaterializeResult(
        metadata=ledger_metadata(summaries), check_results=list(ledger_check_results(summaries))
    )


def ledger_metadata(summaries: Sequence[BillRunSummary]) -> dict[str, object]:
    """The figures of a range's bill runs: per date, and totals per currency."""
    per_date = [
        dg.TableRecord(
            {
                "as_of": s.as_of.isoformat(),
                "bill_run_id": s.bill_run_id,
                "status": s.status,
                "invoices": s.invoices,
                "credit_notes": s.credit_notes,
                "lines": s.invoice_lines + s.credit_note_lines,
                "payment_requests": s.payment_requests,
                "unfunded_invoices": s.unfunded_invoices,
                "action_rejections": s.action_rejections,
                "frozen_services": s.frozen_services,
                "invoiced": reporting.invoiced_total(s),
            }
        )
        for s in summaries
    ]
    text_cols = {"as_of", "bill_run_id", "status", "invoiced"}
    columns = [
        dg.TableColumn(name, "string" if name in text_cols else "int")
        for name in (per_date[0].data if per_date else {})
    ]
    totals = reporting.table(
        ["", "currency", "documents", "lines", "subtotal", "tax", "total"],
        reporting.document_rows(t for s in summaries for t in s.totals),
        indent="",
    )
    return {
        "as_of_dates": f"{summaries[0].as_of}..{summaries[-1].as_of}" if summaries else "",
        "bill_runs": dg.MetadataValue.table(records=per_date, schema=dg.TableSchema(columns)),
        "invoices": sum(s.invoices for s in summaries),
        "credit_notes": sum(s.credit_notes for s in summaries),
        "payment_requests": sum(s.payment_requests for s in summaries),
        "totals_per_currency": dg.MetadataValue.md(f"```\n{totals}\n```"),
        "bill_run_ids": dg.MetadataValue.json([s.bill_run_id for s in summaries]),
    }


@dg.asset(
    group_name="billing",
    kinds={"duckdb"},
    partitions_def=as_of_dates,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[published_ledger],
)
def payment_requests_outbox(
    context: dg.AssetExecutionContext, warehouse: Warehouse
) -> dg.MaterializeResult:
    """The payment requests the partition's bill runs published, to be sent to the gateway
    (`payment_request_id` is the idempotency key).

    It is downstream of the ledger's blocking invariant checks: when one fails, the outbox
    is not materialized for that date, so nothing is handed to the gateway.
    """
    dates = dates_of(context)
    with warehouse.connect() as con:
        rows = DuckDBEngine(con).query(
            default_catalog().queries["partition_payment_requests"],
            {"first": dates[0], "last": dates[-1]},
        ).rows()
    by_run = [
        {
            "bill_run_id": r[0],
            "as_of": r[1].isoformat(),
            "currency": r[2],
            "requests": r[3],
            "amount": str(r[4]),
        }
        for r in rows
    ]
    by_currency = reporting.table(
        ["currency", "requests", "amount"], reporting.payment_rows(by_run), indent=""
    )
    return dg.MaterializeResult(
        metadata={
            "payment_requests": sum(r[3] for r in rows),
            "per_currency": dg.MetadataValue.md(f"```\n{by_currency}\n```"),
            "by_bill_run": dg.MetadataValue.json(by_run),
            "table": "published.payment_requests",
        }
    )
