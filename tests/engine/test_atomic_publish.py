"""A run publishes atomically (issue 2 §4): interrupted anywhere, the warehouse holds all of
that run or none of it, and running the date again gives the same documents; a second process
is refused while one holds the warehouse."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import duckdb
import pytest
from scenario import Scenario, run

from pipelines.engine import duckdb_engine
from pipelines.engine.warehouse import WarehouseBusy, connect

PUBLISHED = ("bill_runs", "invoices", "invoice_lines", "credit_notes", "payment_requests",
             "service_states")


def world() -> Scenario:
    s = Scenario()
    s.account(credit_limit="0")
    s.payment_method("CARD")
    s.product()
    s.price_term(amount="31.00", tax_rate="0.19")
    s.subscription()
    s.service()
    s.service("SV2")
    s.action("activate", "2026-01-01", service_id=None)
    return s


def snapshot(con) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * EXCLUDE (bill_run_id) FROM published.{t} ORDER BY ALL")
            .fetchall() for t in PUBLISHED if t != "bill_runs"}


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM published.{t}").fetchall()[0][0]
            for t in PUBLISHED}


def test_interrupted_publish_leaves_nothing_and_rerun_reproduces_the_documents(
        con, monkeypatch):
    reference = duckdb.connect()
    world().load(reference)
    run(reference, "2026-01-01")

    world().load(con)
    real_statements = duckdb_engine.publish_statements
    written = []

    def die_at_the_last_table(model, columns):
        # every other table's insert has run inside the transaction; the commit has not
        if written and model.name == "subscription_checkpoints":
            raise KeyboardInterrupt("killed")
        written.append(model.name)
        return real_statements(model, columns)

    monkeypatch.setattr(duckdb_engine, "publish_statements", die_at_the_last_table)
    with pytest.raises(KeyboardInterrupt):
        run(con, "2026-01-01")
    assert "invoices" in written and "bill_runs" in written
    assert set(counts(con).values()) == {0}

    monkeypatch.setattr(duckdb_engine, "publish_statements", real_statements)
    summary = run(con, "2026-01-01")
    assert summary.bill_run_id == "BR-2026-01-01-1"
    assert snapshot(con) == snapshot(reference)
    assert counts(con)["invoices"] == 1 and counts(con)["payment_requests"] == 1


def test_second_process_is_refused_while_one_holds_the_warehouse(tmp_path):
    path = tmp_path / "billing.duckdb"
    connect(path).close()
    holder = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(f"""
            import sys, time
            from pipelines.engine.warehouse import connect
            con = connect({str(path)!r})
            print("holding", flush=True)
            sys.stdin.readline()
        """)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "holding"
        with pytest.raises(WarehouseBusy, match="in use by another process"):
            connect(path)
    finally:
        holder.communicate("\n", timeout=30)
