"""The invariants a bill run must keep before anything is published.

Each is one SQL query that counts violations. They run on the draft of a run inside its
transaction (a failure rolls the run back: nothing is published) and, as Dagster asset checks,
on what a published run wrote.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from pipelines.warehouse import fetch_row

# Each query reads the documents of one run through the views `run_invoices`,
# `run_invoice_lines`, `run_credit_notes`, `run_credit_note_lines` (the draft or a published
# run) and the published ledger of what the run touched (a period no line of the run names
# cannot have changed).
INVARIANTS: dict[str, tuple[str, str]] = {
    "lines_sum_to_totals": (
        "Σ lines = document totals (subtotal, tax and total) for every invoice and credit note",
        """
        WITH docs AS (
            SELECT invoice_id AS id, subtotal, tax, total FROM run_invoices
            UNION ALL
            SELECT credit_note_id, subtotal, tax, total FROM run_credit_notes
        ),
        sums AS (
            SELECT invoice_id AS id, SUM(amount) AS amount, SUM(tax_amount) AS tax
            FROM run_invoice_lines GROUP BY invoice_id
            UNION ALL
            SELECT credit_note_id, SUM(amount), SUM(tax_amount)
            FROM run_credit_note_lines GROUP BY credit_note_id
        )
        SELECT COUNT(*) FROM docs AS d FULL OUTER JOIN sums AS s ON s.id = d.id
        WHERE d.id IS NULL OR s.id IS NULL OR d.subtotal <> s.amount OR d.tax <> s.tax
           OR d.total <> d.subtotal + d.tax
        """,
    ),
    "no_service_day_charged_twice": (
        "no service-day charged net more than once: per service and period, net billed days "
        "<= period days and every charge key's net amount >= 0",
        """
        WITH touched AS (
            SELECT service_id, cycle_start FROM run_invoice_lines
            UNION
            SELECT service_id, cycle_start FROM run_credit_note_lines
        ),
        lines AS (
            SELECT l.service_id, l.cycle_start, l.price_term_id, l.quantity, l.days,
                   l.period_days, l.amount
            FROM published.invoice_lines AS l
            JOIN touched AS t ON t.service_id = l.service_id AND t.cycle_start = l.cycle_start
            UNION ALL
            SELECT service_id, cycle_start, price_term_id, quantity, days, period_days, amount
            FROM run_invoice_lines WHERE NOT already_published
            UNION ALL
            SELECT l.service_id, l.cycle_start, l.price_term_id, l.quantity, -l.days,
                   l.period_days, -l.amount
            FROM published.credit_note_lines AS l
            JOIN touched AS t ON t.service_id = l.service_id AND t.cycle_start = l.cycle_start
            UNION ALL
            SELECT service_id, cycle_start, price_term_id, quantity, -days, period_days, -amount
            FROM run_credit_note_lines WHERE NOT already_published
        ),
        keys AS (
            SELECT service_id, cycle_start, SUM(amount) AS amount, SUM(days) AS days,
                   MAX(period_days) AS period_days
            FROM lines GROUP BY service_id, cycle_start, price_term_id, quantity
        ),
        periods AS (
            SELECT service_id, cycle_start, SUM(days) AS days, MAX(period_days) AS period_days,
                   MIN(amount) AS min_amount
            FROM keys GROUP BY service_id, cycle_start
        )
        SELECT COUNT(*) FROM periods WHERE days > period_days OR min_amount < 0
        """,
    ),
    "no_negative_document": (
        "no negative invoice or credit note, and every line amount is positive",
        """
        SELECT (SELECT COUNT(*) FROM run_invoices WHERE total < 0 OR subtotal < 0)
             + (SELECT COUNT(*) FROM run_credit_notes WHERE total < 0 OR subtotal < 0)
             + (SELECT COUNT(*) FROM run_invoice_lines WHERE amount < 0 OR tax_amount < 0)
             + (SELECT COUNT(*) FROM run_credit_note_lines WHERE amount < 0 OR tax_amount < 0)
        """,
    ),
    "quarantine_accounted_for": (
        "every input row accounted for: per table rows read = loaded + quarantined, and the "
        "quarantined count equals the distinct rows (file positions) in upstream.quarantine",
        """
        WITH q AS (
            SELECT table_name, COUNT(DISTINCT source_row) AS rows_quarantined
            FROM upstream.quarantine GROUP BY table_name
        )
        SELECT COUNT(*) FROM upstream.load_stats AS s
        LEFT JOIN q ON q.table_name = s.table_name
        WHERE s.rows_read <> s.rows_loaded + s.rows_quarantined
           OR s.rows_quarantined <> COALESCE(q.rows_quarantined, 0)
        """,
    ),
}


@dataclass(frozen=True)
class InvariantResult:
    name: str
    description: str
    failures: int

    @property
    def passed(self) -> bool:
        return self.failures == 0


def _bind_run_views(con: duckdb.DuckDBPyConnection, bill_run_id: str | None) -> None:
    """Point the run_* views at the draft (work schema) or at one published run."""
    for table in ("invoices", "invoice_lines", "credit_notes", "credit_note_lines"):
        if bill_run_id is None:
            source = f"SELECT *, FALSE AS already_published FROM work.{table}"
        else:
            source = (
                f"SELECT *, TRUE AS already_published FROM published.{table} "
                f"WHERE bill_run_id = '{bill_run_id.replace(chr(39), '')}'"
            )
        con.execute(f"CREATE OR REPLACE TEMP VIEW run_{table} AS {source}")


def check_invariants(
    con: duckdb.DuckDBPyConnection, bill_run_id: str | None = None
) -> list[InvariantResult]:
    """Evaluate every invariant on the draft (bill_run_id None) or on a published run."""
    _bind_run_views(con, bill_run_id)
    results = []
    for name, (description, query) in INVARIANTS.items():
        (failures,) = fetch_row(con, query)
        results.append(InvariantResult(name, description, int(failures)))
    return results
