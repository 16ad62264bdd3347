"""The stored state (pipelines/engine/catalog.py, STATE): a subscription whose actions and
account did not change since it was last computed resumes from the state machine's rows that
run stored, instead of walking its actions again; a replayed one's stored rows are replaced
in the publish. Two subscriptions of two accounts, S1 at 30.00 and S2 at 20.00 a month, both
activated Apr 1 (billing day 1, pre-billed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from scenario import Scenario, compute_models, invoice_lines, run, scope

from pipelines.engine.bill_run import run_bill_run
from pipelines.engine.catalog import default_catalog
from pipelines.engine.context import RunContext
from pipelines.engine.duckdb_engine import COMPACT_AT, DuckDBEngine, StateMissing

D = Decimal


def load_a_cancel_of_sv2(con, s: Scenario) -> None:
    """A cancel of SV2 from Apr 20, recorded Apr 15: S2 changes, S1 does not."""
    s.action("cancel", "2026-04-20", service_id="SV2", subscription_id="S2",
             recorded_at="2026-04-15")
    s.load(con, "L2")


def stored_timeline(con) -> list[tuple]:
    return con.execute(
        "SELECT service_id, state, seg_start::VARCHAR, seg_end::VARCHAR "
        "FROM state.service_timeline ORDER BY service_id, seg_start").fetchall()


def test_a_due_subscription_resumes_from_the_state_its_last_run_stored(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    assert stored_timeline(con) == [("SV1", "effective", "2026-04-01", None),
                                    ("SV2", "effective", "2026-04-01", None)]
    compute_models(con, "2026-05-01", "service_timeline", "requested_actions")
    assert con.execute("SELECT subscription_id, reason, resumes FROM work.run_scope "
                       "ORDER BY 1").fetchall() == [("S1", "due", True), ("S2", "due", True)]
    # no action walked again, yet the timeline holds both services, as stored
    assert con.execute("SELECT COUNT(*) FROM work.requested_actions").fetchall() == [(0,)]
    assert con.execute(
        "SELECT service_id, state, seg_start::VARCHAR, seg_end::VARCHAR "
        "FROM work.service_timeline ORDER BY 1").fetchall() == stored_timeline(con)
    run(con, "2026-05-01")
    assert invoice_lines(con, "BR-2026-05-01-1") == [
        ("SV1", "recurring", "2026-05-01", "2026-06-01", 31, 31, D("30.00")),
        ("SV2", "recurring", "2026-05-01", "2026-06-01", 31, 31, D("20.00")),
    ]


def test_a_replayed_subscription_replaces_its_stored_rows_and_no_other(con):
    # a cancel of SV2 from Apr 20, recorded Apr 15: S2 changed and replays, S1 is not computed
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    load_a_cancel_of_sv2(con, s)
    run(con, "2026-04-15")
    assert scope(con) == [("S2", "changed")]
    assert stored_timeline(con) == [("SV1", "effective", "2026-04-01", None),
                                    ("SV2", "effective", "2026-04-01", "2026-04-20"),
                                    ("SV2", "cancelled", "2026-04-20", None)]


def test_a_run_refuses_to_resume_from_state_the_warehouse_lost(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    con.execute("DROP TABLE state.service_timeline")
    with pytest.raises(StateMissing, match="stored state for service_timeline is missing"):
        run(con, "2026-05-01")
    # nor does one that only replays (a cancel of SV2 recorded Apr 15): it would store SV2's
    # rows alone
    load_a_cancel_of_sv2(con, s)
    with pytest.raises(StateMissing, match="stored state for service_timeline is missing"):
        run(con, "2026-04-15")
    assert con.execute("SELECT COUNT(*) FROM published.bill_runs").fetchall() == [(1,)]
    # a full run replays every subscription and stores the state again
    run(con, "2026-05-01", full=True)
    assert stored_timeline(con) == [("SV1", "effective", "2026-04-01", None),
                                    ("SV2", "effective", "2026-04-01", "2026-04-20"),
                                    ("SV2", "cancelled", "2026-04-20", None)]


def test_a_run_refuses_to_resume_from_a_stored_table_the_model_does_not_match(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    con.execute("ALTER TABLE state.service_terms DROP COLUMN regretted_on")
    with pytest.raises(StateMissing, match="service_terms is missing or has other columns"):
        run(con, "2026-05-01")
    assert con.execute("SELECT COUNT(*) FROM published.bill_runs").fetchall() == [(1,)]


def test_a_full_run_rebuilds_the_stored_state(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    con.execute("INSERT INTO state.service_timeline BY NAME SELECT 'SV9' AS service_id, "
                "0 AS seq, 'effective' AS state, DATE '2026-01-01' AS seg_start")
    run(con, "2026-04-01", full=True)
    assert stored_timeline(con) == [("SV1", "effective", "2026-04-01", None),
                                    ("SV2", "effective", "2026-04-01", None)]


def stored_rows(con) -> int:
    return sum(con.execute(f"SELECT COUNT(*) FROM state.{m.name}").fetchall()[0][0]
               for m in default_catalog().state_models)


def test_the_dead_share_is_the_stored_rows_deleted_and_not_yet_vacuumed(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    engine = DuckDBEngine(con)
    assert engine._dead_share(default_catalog().state_models) == 0.0
    total = stored_rows(con)
    # one of the `total` stored rows deleted (a single row group is never vacuumed)
    con.execute("DELETE FROM state.service_timeline WHERE service_id = 'SV2'")
    assert engine._dead_share(default_catalog().state_models) == pytest.approx(1 / total)


class RecordingConnection:
    """The connection, recording the statements the engine executes."""

    def __init__(self, con):
        self._con, self.statements = con, []

    def execute(self, sql, *args):
        self.statements.append(sql)
        return self._con.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self._con, name)


def published_with_vacuuming(con, as_of: str) -> bool:
    """Run `as_of`, and say whether its publish left checkpoints free to vacuum; the
    setting is as before the run either way."""
    engine = DuckDBEngine(con)
    engine.con = recording = RecordingConnection(con)
    run_bill_run(engine, RunContext.build(dt.date.fromisoformat(as_of)))
    assert con.execute("SELECT current_setting('max_vacuum_tasks')").fetchall() == [(100,)]
    off = "SET max_vacuum_tasks = 0" in recording.statements
    assert off == ("CHECKPOINT" in recording.statements)
    return not off


def store_deleted_rows(con, rows: int) -> None:
    con.execute(f"INSERT INTO state.service_timeline BY NAME SELECT 'SV9' AS service_id, "
                f"range AS seq, 'effective' AS state, DATE '2026-01-01' AS seg_start "
                f"FROM range({rows})")
    # rows appended and deleted before a checkpoint leave no trace; a vacuuming one would
    # reclaim the rows deleted before
    con.execute("SET max_vacuum_tasks = 0")
    con.execute("CHECKPOINT")
    con.execute("RESET max_vacuum_tasks")
    con.execute("DELETE FROM state.service_timeline WHERE service_id = 'SV9'")


def test_a_daily_publish_vacuums_only_once_a_quarter_of_the_stored_rows_are_deleted(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    assert published_with_vacuuming(con, "2026-04-01")  # the first run builds the state
    assert not published_with_vacuuming(con, "2026-05-01")  # nothing deleted
    # rows stored (and checkpointed) for a service no load holds, then deleted: just under a
    # quarter of the stored rows dead, then (whether or not that run reclaimed them) one more
    live = stored_rows(con)
    dead = int(live * COMPACT_AT / (1 - COMPACT_AT))  # dead / (live + dead) < COMPACT_AT
    store_deleted_rows(con, dead)
    assert not published_with_vacuuming(con, "2026-06-01")
    store_deleted_rows(con, dead + 1)
    assert published_with_vacuuming(con, "2026-07-01")
    assert invoice_lines(con, "BR-2026-07-01-1") == [
        ("SV1", "recurring", "2026-07-01", "2026-08-01", 31, 31, D("30.00")),
        ("SV2", "recurring", "2026-07-01", "2026-08-01", 31, 31, D("20.00")),
    ]
