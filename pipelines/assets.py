"""The billing assets: the upstream snapshot, the published ledger and the payment outbox.

There is no IO manager: every asset reads and writes the DuckDB warehouse through the
`warehouse` resource and returns a `MaterializeResult` whose metadata is what a reader of the
Dagster UI (and the `billing` CLI) needs to know about the step.
"""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import duckdb
from pydantic import Field

from pipelines import reporting
from pipelines.bill_run import BillRunSummary, RunRefused, run_bill_run
from pipelines.partitions import as_of_dates, dates_of, previous_as_of_date
from pipelines.resources import RunConsole, Warehouse

LAST_LOAD_SQL = """
SELECT s.table_name, s.source_file, s.rows_read, s.rows_loaded, s.rows_quarantined,
       s.load_id, l.source_dir, l.loaded_at
FROM upstream.load_stats AS s
LEFT JOIN upstream.loads AS l USING (load_id)
ORDER BY s.table_name
"""

# The bill runs a partition (range) published: every published run whose as-of date is in it
# (re-running the latest date publishes a second run for that date, with the differences).
PARTITION_BILL_RUNS_SQL = """
SELECT bill_run_id, as_of
FROM published.bill_runs
WHERE mode = 'run' AND status = 'published' AND as_of BETWEEN ? AND ?
ORDER BY as_of, started_at, bill_run_id
"""

PARTITION_PAYMENT_REQUESTS_SQL = """
SELECT r.bill_run_id, r.as_of, p.currency, count(*) AS requests, sum(p.amount) AS amount
FROM published.payment_requests AS p
JOIN published.bill_runs AS r USING (bill_run_id)
WHERE r.mode = 'run' AND r.status = 'published' AND r.as_of BETWEEN ? AND ?
GROUP BY ALL
ORDER BY r.as_of, r.bill_run_id, p.currency
"""


class BillRunStopped(RuntimeError):
    """A date of a partition range failed; the dates before it stay published.

    The engine's exception (RunRefused, InvariantFailed, ...) is the `__cause__`.
    """

    def __init__(self, as_of: dt.date, published: Sequence[dt.date], cause: BaseException):
        self.as_of = as_of
        self.published = list(published)
        done = f"; {published[0]}..{published[-1]} published before it" if published else ""
        super().__init__(f"stopped at {as_of}: {cause}{done}")


def partition_bill_runs(
    con: duckdb.DuckDBPyConnection, first: dt.date, last: dt.date
) -> list[tuple[str, dt.date]]:
    """(bill_run_id, as_of) of the published runs with an as-of date in [first, last]."""
    return [(r[0], r[1]) for r in con.execute(PARTITION_BILL_RUNS_SQL, [first, last]).fetchall()]


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
        stats = con.execute(LAST_LOAD_SQL).fetchall()
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
    partition would launch them in parallel, out of order.
    """
    dates = dates_of(context)
    summaries: list[BillRunSummary] = []
    with warehouse.connect() as con:
        for as_of in dates:
            progress = console.reporter(context.log, f"{as_of}: ", echo=len(dates) == 1)
            try:
                summary = run_bill_run(
                    con, as_of, mode="run", progress=progress, full=config.full
                )
            except Exception as exc:
                context.log.error(f"bill run for {as_of} failed: {exc}")
                raise BillRunStopped(as_of, [s.as_of for s in summaries], exc) from exc
            summaries.append(summary)
            console.say(reporting.format_date_line(summary))
    return dg.MaterializeResult(metadata=ledger_metadata(summaries))


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
        "summaries": dg.MetadataValue.json([reporting.summary_to_json(s) for s in summaries]),
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
        rows = con.execute(PARTITION_PAYMENT_REQUESTS_SQL, [dates[0], dates[-1]]).fetchall()
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
