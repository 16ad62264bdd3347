"""What the CLI prints and the assets record: load, seed, run and backfill summaries.

Money is `Decimal` from the warehouse to the terminal: it is formatted from its Decimal value,
never through float. A bill-run summary is read from what the run published
(engine/summary.py), so `billing run` prints exactly what the run recorded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from pipelines.engine.summary import BillRunSummary

DOCUMENT_LABELS = {"invoice": "invoices", "credit_note": "credit notes"}
CENT = Decimal("0.01")


def field_of(item: Any, name: str, default: Any = None) -> Any:
    """`item.name` or `item[name]`: the loader's rows may be objects or dicts."""
    if isinstance(item, Mapping):
        return item.get(name, default)
    return getattr(item, name, default)


def money(value: Any) -> str:
    """A Decimal amount as text, exactly: its significant digits, and at least two places
    (1234.5000 -> 1,234.50; 583.2340 -> 583.234)."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    exact = amount.normalize()
    if exact.as_tuple().exponent > -2:
        exact = amount.quantize(CENT)
    return f"{exact:,}"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], indent: str = "  ") -> str:
    """A plain text table: text columns left-aligned, numbers right-aligned."""
    body = [[str(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in body)]) for i, h in enumerate(headers)]
    numeric = [all(_looks_numeric(r[i]) for r in body) and body for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(cells, widths, numeric, strict=True)
        ]
        return (indent + "  ".join(parts)).rstrip()

    return "\n".join([line(headers), *(line(r) for r in body)])


def _looks_numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("-", "").isdigit() or text == "-"


# --- seed and load ---------------------------------------------------------------------------


def format_seed_summary(out_dir: Path, rows: Mapping[str, int], seconds: float) -> str:
    lines = [f"seeded {out_dir} in {seconds:.1f}s", table(["table", "rows"], sorted(rows.items()))]
    lines.append(f"  total rows: {sum(rows.values()):,}")
    return "\n".join(lines)


def format_load_summary(summary: Any, seconds: float | None = None) -> str:
    """The per-table counts of a load and where its quarantined rows are."""
    rows = [
        (
            field_of(t, "table_name"),
            f"{field_of(t, 'rows_read', 0):,}",
            f"{field_of(t, 'rows_loaded', 0):,}",
            f"{field_of(t, 'rows_quarantined', 0):,}",
        )
        for t in field_of(summary, "tables", [])
    ]
    quarantined = field_of(summary, "quarantined")
    if not isinstance(quarantined, int):
        quarantined = sum(field_of(t, "rows_quarantined", 0) for t in field_of(summary, "tables"))
    took = f" in {seconds:.1f}s" if seconds is not None else ""
    lines = [
        f"load {field_of(summary, 'load_id')}{took}",
        table(["table", "read", "loaded", "quarantined"], rows),
        f"  quarantined rows: {quarantined:,}"
        + (" (see table upstream.quarantine: one row per failed check)" if quarantined else ""),
    ]
    return "\n".join(lines)


# --- bill runs -------------------------------------------------------------------------------


def invoiced_total(summary: BillRunSummary) -> str:
    """Invoice totals per currency on one line, e.g. 'EUR 1,234.50, USD 99.00'."""
    parts = [
        f"{t['currency']} {money(t['total'])}"
        for t in summary.totals
        if t.get("document_type") == "invoice"
    ]
    return ", ".join(parts) or "nothing"


def format_date_line(summary: BillRunSummary) -> str:
    """One line per bill run of a backfill."""
    return (
        f"{summary.as_of}  {summary.status:<9}  {summary.bill_run_id}  "
        f"{summary.invoices:,} invoices, {summary.credit_notes:,} credit notes, "
        f"{summary.payment_requests:,} payment requests; invoiced {invoiced_total(summary)}"
    )


def document_rows(totals: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    summed: dict[tuple[str, str], list[Any]] = {}
    for t in totals:
        key = (t["document_type"], t["currency"])
        acc = summed.setdefault(key, [0, 0, Decimal(0), Decimal(0), Decimal(0)])
        acc[0] += t["documents"]
        acc[1] += t["lines"]
        acc[2] += Decimal(t["subtotal"])
        acc[3] += Decimal(t["tax"])
        acc[4] += Decimal(t["total"])
    return [
        (
            DOCUMENT_LABELS.get(kind, kind),
            currency,
            f"{docs:,}",
            f"{lines:,}",
            money(subtotal),
            money(tax),
            money(total),
        )
        for (kind, currency), (docs, lines, subtotal, tax, total) in sorted(summed.items())
    ]


def payment_rows(payments: Iterable[Mapping[str, Any]]) -> list[tuple[str, ...]]:
    summed: dict[str, list[Any]] = {}
    for p in payments:
        acc = summed.setdefault(p["currency"], [0, Decimal(0)])
        acc[0] += int(p["requests"])
        acc[1] += Decimal(p["amount"])
    return [(c, f"{n:,}", money(a)) for c, (n, a) in sorted(summed.items())]


def _figures(summaries: Sequence[BillRunSummary]) -> str:
    documents = document_rows(t for s in summaries for t in s.totals)
    lines = [
        "documents:",
        table(["", "currency", "documents", "lines", "subtotal", "tax", "total"], documents)
        if documents
        else "  none",
    ]
    pay = payment_rows(p for s in summaries for p in s.payments)
    lines.append("payment requests:")
    lines.append(table(["currency", "requests", "amount"], pay) if pay else "  none")
    count = {
        "unfunded invoices": sum(s.unfunded_invoices for s in summaries),
        "action rejections": sum(s.action_rejections for s in summaries),
        "frozen services": sum(s.frozen_services for s in summaries),
        # every run of a range reads the same load: its quarantine is counted once
        "quarantined rows": summaries[-1].quarantined_rows if summaries else 0,
    }
    lines.append("  " + "   ".join(f"{k}: {v:,}" for k, v in count.items()))
    deferred: dict[tuple[str, str], int] = {}
    for s in summaries:
        for d in s.deferred:
            key = (d["kind"], d["name"])
            deferred[key] = max(deferred.get(key, 0), int(d["rows_count"]))
    if deferred:
        lines.append("deferred features (loaded, not applied yet):")
        lines.append(
            table(
                ["kind", "name", "rows"],
                [(k, n, f"{r:,}") for (k, n), r in sorted(deferred.items())],
            )
        )
    return "\n".join(lines)


def _outputs(warehouse: str, bill_run_ids: Sequence[str]) -> str:
    runs = ", ".join(bill_run_ids) if len(bill_run_ids) <= 3 else f"{len(bill_run_ids)} bill runs"
    return "\n".join(
        [
            "outputs:",
            f"  warehouse: {warehouse} (schema published, rows tagged bill_run_id = {runs})",
            f"  quarantine: {warehouse} tables upstream.quarantine and published.quarantine",
            f"  export:    billing --warehouse {warehouse} export DIR   (Parquet per table)",
        ]
    )


def scope_text(summary: BillRunSummary) -> str:
    if summary.full_run:
        return "all: first run, changed catalog or engine, or --full"
    return "only those with changed inputs or a date due"


def format_run_summary(summary: BillRunSummary, warehouse: str) -> str:
    """The end of `billing run`: what one bill run published and where it is."""
    return "\n".join(
        [
            f"bill run {summary.bill_run_id} for {summary.as_of}: {summary.status}",
            f"subscriptions computed: {summary.subscriptions_in_scope:,} ({scope_text(summary)})",
            _figures([summary]),
            _outputs(warehouse, [summary.bill_run_id]),
        ]
    )


def format_backfill_summary(summaries: Sequence[BillRunSummary], warehouse: str) -> str:
    """The end of `billing backfill`: the range's bill runs added up."""
    first, last = summaries[0].as_of, summaries[-1].as_of
    return "\n".join(
        [
            f"backfill {first}..{last}: {len(summaries)} bill runs published",
            _figures(summaries),
            _outputs(warehouse, [s.bill_run_id for s in summaries]),
        ]
    )


def format_export(directory: Path, files: Sequence[tuple[str, int]]) -> str:
    return "\n".join(
        [
            f"exported {len(files)} published tables to {directory}",
            table(["file", "rows"], [(f"{name}.parquet", f"{rows:,}") for name, rows in files]),
        ]
    )
