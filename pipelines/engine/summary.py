"""What a bill run did, read back from the relations it published.

The summary is never computed beside the run: it is the run's own record (bill_runs,
bill_run_totals, bill_run_deferred, bill_run_scope, payment_requests), read from the draft
the run just published or, later, from the published tables (the command line does that after
a Dagster run). Money stays `Decimal`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl

#: The relations a summary is read from, each with a bill_run_id column.
SUMMARY_RELATIONS = ("bill_runs", "bill_run_totals", "bill_run_deferred", "bill_run_scope",
                     "payment_requests")
COUNTS = ("invoices", "credit_notes", "invoice_lines", "credit_note_lines", "payment_requests",
          "unfunded_invoices", "action_rejections", "frozen_services", "quarantined_rows",
          "subscriptions_in_scope")


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
    #: subscriptions in scope per reason (full, changed, due, quarantined)
    scope: dict[str, int] = field(default_factory=dict)
    # dicts of currency, document_type, documents, lines, subtotal, tax, total (Decimal money)
    totals: list[dict] = field(default_factory=list)
    # dicts of kind, name, rows_count
    deferred: list[dict] = field(default_factory=list)
    # dicts of currency, requests, amount (Decimal)
    payments: list[dict] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    #: the gate's results on the draft (checks.CheckResult), when the run itself reports
    checks: list = field(default_factory=list)

    @property
    def full_run(self) -> bool:
        """Whether the run computed every subscription (reason `full`)."""
        return "full" in self.scope


def read_summaries(
    read: Callable[[str], pl.DataFrame], status: str = "published"
) -> list[BillRunSummary]:
    """The summaries of the runs whose rows `read(relation)` returns, in as-of order."""
    frames = {name: read(name) for name in SUMMARY_RELATIONS}
    summaries = []
    for run in frames["bill_runs"].sort("as_of", "started_at", "bill_run_id").to_dicts():
        mine = {name: frame.filter(pl.col("bill_run_id") == run["bill_run_id"])
                for name, frame in frames.items()}
        payments = (mine["payment_requests"].group_by("currency")
                    .agg(requests=pl.len(), amount=pl.col("amount").sum()).sort("currency"))
        summaries.append(BillRunSummary(
            bill_run_id=run["bill_run_id"], as_of=run["as_of"], mode=run["mode"], status=status,
            **{name: int(run[name]) for name in COUNTS},
            scope={r["reason"]: r["subscriptions"] for r in mine["bill_run_scope"].to_dicts()},
            totals=mine["bill_run_totals"].sort("currency", "document_type")
            .drop("bill_run_id").to_dicts(),
            deferred=mine["bill_run_deferred"].sort("kind", "name").drop("bill_run_id")
            .to_dicts(),
            payments=payments.to_dicts(),
        ))
    return summaries
