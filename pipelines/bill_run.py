"""One bill run: compute what should have been charged up to the as-of date, subtract what is
published, check the invariants and publish the difference atomically.

The billing rules live in the SQL models (`sql/`); this module only decides the run's
identity, runs the models in dependency order into the in-memory `work` catalog, checks the
invariants on that draft and copies it into the published tables in one transaction. A crash
at any point leaves that transaction uncommitted, so the warehouse holds all of the run or none
of it; the draft is recomputed identically by the next run of the date. The process holds the
warehouse file's exclusive lock throughout, so nothing else writes between draft and publish.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache

import duckdb
import sqlglot

from pipelines.invariants import check_invariants
from pipelines.sql_models import all_models, materialize, release_points, run_order
from pipelines.warehouse import ensure_schema, fetch_row

# Published table <- the draft model that produces its rows (same name), with a filter.
PUBLISHED_FROM_DRAFT: dict[str, str] = {
    "invoices": "",
    "invoice_lines": "",
    "invoice_status": "",
    "credit_notes": "",
    "credit_note_lines": "",
    "payment_requests": "WHERE payment_method_id IS NOT NULL",
    "action_rejections": "",
    "service_states": "",
    "quarantine": "",
    "bill_run_frozen_services": "",
    "bill_run_deferred": "",
    "bill_run_totals": "",
}


# Staging and intermediate tables the summary and the publish step read after the models ran
# (the publish-layer tables are kept anyway; every other work table is dropped after its last
# reader, see sql_models.release_points).
KEPT_FOR_PUBLISH = {"int_run_scope", "stg_catalog_fingerprint"}


class RunRefused(RuntimeError):
    """The run may not happen (an earlier date than the last published run, no load yet)."""


class InvariantFailed(RuntimeError):
    """An invariant check failed on the draft; nothing was published."""


@dataclass
class BillRunSummary:
    bill_run_id: str
    as_of: dt.date
    mode: str
    status: str
    invoices: int = 0
    credit_notes: int = 0
    invoice_lines: int = 0
    credit_note_lines: int = 0
    payment_requests: int = 0
    unfunded_invoices: int = 0
    action_rejections: int = 0
    frozen_services: int = 0
    quarantined_rows: int = 0
    subscriptions_in_scope: int = 0
    full_run: bool = False
    # dicts of currency, document_type, documents, lines, subtotal, tax, total (Decimal money)
    totals: list[dict] = field(default_factory=list)
    # dicts of kind, name, rows_count
    deferred: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def latest_published_as_of(con: duckdb.DuckDBPyConnection) -> dt.date | None:
    (last,) = fetch_row(
        con,
        "SELECT max(as_of) FROM published.bill_runs WHERE mode = 'run' AND status = 'published'",
    )
    return last


def _next_bill_run_id(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> str:
    """BR-<as_of>-<n>: n counts the runs of that date, so a crashed run's id is reused."""
    (runs,) = fetch_row(con, "SELECT count(*) FROM published.bill_runs WHERE as_of = ?", [as_of])
    return f"BR-{as_of.isoformat()}-{runs + 1}"


def _refuse_if_not_allowed(con: duckdb.DuckDBPyConnection, as_of: dt.date) -> str:
    load = fetch_row(
        con, "SELECT load_id FROM upstream.loads ORDER BY loaded_at DESC, load_id DESC LIMIT 1"
    )
    if load is None:
        raise RunRefused("nothing is loaded yet; run `billing load DIR` first")
    last = latest_published_as_of(con)
    if last is not None and as_of < last:
        raise RunRefused(
            f"as-of {as_of.isoformat()} precedes the last published run {last.isoformat()}; "
            "use simulate"
        )
    return load[0]


def _published_columns(table: str) -> str:
    """The column list of a published table, as its DDL declares it."""
    return _published_column_lists()[table]


@cache
def _published_column_lists() -> dict[str, str]:
    """Every published table's column list, read once per process from the DDL applied to a
    scratch database (a connection costs tens of milliseconds; a CLI run is one process)."""
    con = duckdb.connect()
    ensure_schema(con)
    rows = con.execute(
        "SELECT table_name, STRING_AGG(column_name, ', ' ORDER BY ordinal_position) "
        "FROM information_schema.columns WHERE table_schema = 'published' GROUP BY table_name"
    ).fetchall()
    con.close()
    return dict(rows)


def _count(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(fetch_row(con, sql)[0])


def engine_digest(models: dict[str, str]) -> str:
    """A digest of SQL models (name -> text) as parsed, comments left out, so that rewording
    or re-indenting a model leaves it unchanged and a changed expression does not."""
    digest = hashlib.sha256()
    for name in sorted(models):
        statement = sqlglot.parse_one(models[name], read="duckdb")
        digest.update(name.encode() + b"\0")
        digest.update(statement.sql(dialect="duckdb", comments=False).encode() + b"\0")
    return digest.hexdigest()[:16]


@cache
def engine_version() -> str:
    """The digest of every model in `sql/`: a run whose engine differs from the last published
    run's computes every subscription (int_run_scope), so that a change of rules reaches
    them all."""
    return engine_digest({path.stem: path.read_text() for path in all_models()})


def model_params(as_of: dt.date, bill_run_id: str, full: bool) -> dict[str, object]:
    """The parameters every model of a run binds. The cut-off is where "known on D" ends
    (domain.md §3): actions recorded before D + 1 00:00 UTC."""
    return {
        "as_of": as_of,
        "cutoff": dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()),
        "bill_run_id": bill_run_id,
        "full_run": full,
        "engine_version": engine_version(),
    }


def run_bill_run(
    con: duckdb.DuckDBPyConnection,
    as_of: dt.date,
    mode: str = "run",
    progress: Callable[[str], None] | None = None,
    full: bool = False,
) -> BillRunSummary:
    """Bill everything due on `as_of` that is not published yet, and publish it atomically.

    Only the subscriptions whose inputs changed or whose next date has come are computed
    (int_run_scope); `full` computes every subscription, which publishes the same documents.
    """
    say = progress or (lambda _msg: None)
    started_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    load_id = _refuse_if_not_allowed(con, as_of)
    bill_run_id = _next_bill_run_id(con, as_of)
    params = model_params(as_of, bill_run_id, full)
    summary = BillRunSummary(bill_run_id=bill_run_id, as_of=as_of, mode=mode, status="draft")

    order = run_order()
    releases = release_points(order, keep=KEPT_FOR_PUBLISH)
    for name in order:
        began = time.perf_counter()
        materialize(con, name, params)
        for table in releases[name]:
            con.execute(f"DROP TABLE IF EXISTS work.{table}")
        summary.timings[name] = time.perf_counter() - began
        say(f"{name}: {summary.timings[name]:.2f}s")

    failed = [r for r in check_invariants(con) if not r.passed]
    if failed:
        detail = "; ".join(f"{r.name} ({r.failures} failures): {r.description}" for r in failed)
        raise InvariantFailed(f"bill run {bill_run_id} for {as_of}: {detail}")

    _fill_summary(con, summary)
    if mode != "run":
        summary.status = "simulated"
        return summary
    began = time.perf_counter()
    con.execute("BEGIN TRANSACTION")
    try:
        _publish(con, summary, load_id, started_at)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    summary.timings["publish"] = time.perf_counter() - began
    summary.status = "published"
    return summary


def _fill_summary(con: duckdb.DuckDBPyConnection, summary: BillRunSummary) -> None:
    summary.subscriptions_in_scope = _count(con, "SELECT count(*) FROM work.int_run_scope")
    summary.full_run = bool(
        _count(con, "SELECT count(*) FROM work.int_run_scope WHERE reason = 'full'")
    )
    summary.invoices = _count(con, "SELECT count(*) FROM work.invoices")
    summary.credit_notes = _count(con, "SELECT count(*) FROM work.credit_notes")
    summary.invoice_lines = _count(con, "SELECT count(*) FROM work.invoice_lines")
    summary.credit_note_lines = _count(con, "SELECT count(*) FROM work.credit_note_lines")
    summary.payment_requests = _count(
        con, "SELECT count(*) FROM work.payment_requests WHERE payment_method_id IS NOT NULL"
    )
    summary.unfunded_invoices = _count(
        con, "SELECT count(*) FROM work.payment_requests WHERE payment_method_id IS NULL"
    )
    summary.action_rejections = _count(con, "SELECT count(*) FROM work.action_rejections")
    summary.frozen_services = _count(con, "SELECT count(*) FROM work.bill_run_frozen_services")
    summary.quarantined_rows = _count(
        con, "SELECT coalesce(sum(rows_quarantined), 0) FROM upstream.load_stats"
    )
    totals = con.execute(
        "SELECT currency, document_type, documents, lines, subtotal, tax, total "
        "FROM work.bill_run_totals ORDER BY currency, document_type"
    ).fetchall()
    summary.totals = [
        dict(zip(("currency", "document_type", "documents", "lines", "subtotal", "tax", "total"),
                 row, strict=True))
        for row in totals
    ]
    summary.deferred = [
        dict(zip(("kind", "name", "rows_count"), row, strict=True))
        for row in con.execute(
            "SELECT kind, name, rows_count FROM work.bill_run_deferred ORDER BY kind, name"
        ).fetchall()
    ]


def _publish(
    con: duckdb.DuckDBPyConnection,
    summary: BillRunSummary,
    load_id: str,
    started_at: dt.datetime,
) -> None:
    """Copy the draft into the published tables (same transaction as the computation)."""
    for table, where in PUBLISHED_FROM_DRAFT.items():
        began = time.perf_counter()
        cols = _published_columns(table)
        con.execute(
            f"INSERT INTO published.{table} ({cols}) SELECT {cols} FROM work.{table} {where}"
        )
        summary.timings[f"publish {table}"] = time.perf_counter() - began
    began = time.perf_counter()
    con.execute(
        "DELETE FROM published.subscription_checkpoints WHERE subscription_id IN "
        "(SELECT subscription_id FROM work.int_run_scope)"
    )
    cols = _published_columns("subscription_checkpoints")
    con.execute(
        f"INSERT INTO published.subscription_checkpoints ({cols}) "
        f"SELECT {cols} FROM work.subscription_checkpoints"
    )
    summary.timings["publish subscription_checkpoints"] = time.perf_counter() - began
    con.execute(
        """
        INSERT INTO published.bill_run_inputs
        SELECT ?, table_name, rows_read, rows_loaded, rows_quarantined FROM upstream.load_stats
        """,
        [summary.bill_run_id],
    )
    con.execute(
        """
        INSERT INTO published.bill_runs VALUES
            (?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,
             (SELECT fingerprint FROM work.stg_catalog_fingerprint), ?)
        """,
        [
            summary.bill_run_id, summary.as_of, summary.mode, started_at,
            dt.datetime.now(dt.UTC).replace(tzinfo=None), load_id, summary.invoices,
            summary.credit_notes, summary.invoice_lines, summary.credit_note_lines,
            summary.payment_requests, summary.unfunded_invoices, summary.action_rejections,
            summary.frozen_services, summary.quarantined_rows, summary.subscriptions_in_scope,
            engine_version(),
        ],
    )
