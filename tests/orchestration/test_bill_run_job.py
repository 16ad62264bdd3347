"""bill_run_job executed for real: one partition, a two-day single-run backfill, a range that
stops at a failing date, a run the gate refuses, on a warehouse file with the Dagster instance
beside it; and the same published rows as the command line and as the engine called alone."""

from __future__ import annotations

import datetime as dt
import warnings

import dagster as dg
import pytest
from scenario import Scenario
from scenario import run as engine_run

from pipelines import cli
from pipelines.engine import bill_run
from pipelines.engine.bill_run import InvariantFailed, RunRefused
from pipelines.engine.catalog import SQL_DIR, ModelCatalog
from pipelines.engine.warehouse import connect
from pipelines.orchestration import assets
from pipelines.orchestration.launch import instance_for, launch_bill_runs, published_bill_run_ids
from pipelines.orchestration.resources import RunConsole, Warehouse
from pipelines.settings import settings

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
LEDGER = dg.AssetKey("published_ledger")
COMPARED = ("invoices", "invoice_lines", "credit_notes", "credit_note_lines", "payment_requests",
            "invoice_status", "service_states", "action_rejections", "bill_run_totals")


def world() -> Scenario:
    """31.00 a month with 19% tax, no credit limit, a card: every invoice asks a payment; SV2
    is cancelled on Jan 2 (recorded then): its pre-billed January is credited on Jan 2."""
    s = Scenario().simple(amount="31.00", tax_rate="0.19")
    s.payment_method("CARD")
    s.service("SV2")
    s.action("activate", "2026-01-01", service_id=None)
    s.action("cancel", "2026-01-02", service_id="SV2")
    return s


def warehouse_with(tmp_path, name: str = "w.duckdb"):
    path = tmp_path / name
    con = connect(path)
    world().load(con)
    con.close()
    return settings(path)


def published(path) -> dict[str, list[tuple]]:
    con = connect(path)
    try:
        return {t: con.execute(f"SELECT * EXCLUDE (bill_run_id) FROM published.{t} ORDER BY ALL")
                .fetchall() for t in COMPARED}
    finally:
        con.close()


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_one_partition_publishes_checks_and_fills_the_outbox(tmp_path):
    where = warehouse_with(tmp_path)
    result = launch_bill_runs(where, day("2026-01-01"), day("2026-01-01"), echo=False)
    assert result.success
    assert published_bill_run_ids(result) == ["BR-2026-01-01-1"]
    # every check of the gate is recorded for the partition, passed, with the run it judged
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {
        "lines_sum_to_totals", "no_negative_document", "no_service_day_charged_twice",
        "quarantine_accounted_for", "published_grains_unique"}
    assert all(e.passed and e.metadata["bill_runs_checked"].value == 1 for e in evaluations)
    # two lines of 31.00 + 5.89 tax: one invoice of 73.78, all of it requested from the card
    outbox = result.asset_materializations_for_node("payment_requests_outbox")[0].metadata
    assert outbox["by_bill_run"].value == [{"bill_run_id": "BR-2026-01-01-1",
                                           "as_of": "2026-01-01", "currency": "EUR",
                                           "requests": 1, "amount": "73.7800"}]
    # the run is in the instance beside the warehouse, with its partition
    instance = instance_for(where)
    assert instance.get_materialized_partitions(LEDGER) == {"2026-01-01"}
    assert [r.tags.get("dagster/partition") for r in instance.get_runs()] == ["2026-01-01"]


def test_a_two_day_backfill_equals_the_command_line_and_the_engine_alone(tmp_path):
    # the job over a two-day range in one run, `billing run` for each day, and the engine
    # called day by day publish the same rows
    job = warehouse_with(tmp_path, "job.duckdb")
    result = launch_bill_runs(job, day("2026-01-01"), day("2026-01-02"), echo=False)
    assert published_bill_run_ids(result) == ["BR-2026-01-01-1", "BR-2026-01-02-1"]
    assert instance_for(job).get_materialized_partitions(LEDGER) == {"2026-01-01",
                                                                      "2026-01-02"}

    by_cli = warehouse_with(tmp_path, "cli.duckdb")
    for date in ("2026-01-01", "2026-01-02"):
        assert cli.main(["--warehouse", str(by_cli.warehouse), "run", "--as-of", date]) == 0

    alone = tmp_path / "engine.duckdb"
    con = connect(alone)
    world().load(con)
    engine_run(con, "2026-01-01")
    engine_run(con, "2026-01-02")
    con.close()

    rows = published(job.warehouse)
    assert rows == published(by_cli.warehouse) == published(alone)
    # January for both services, then the credit for SV2's cancelled 30 days
    assert len(rows["invoice_lines"]) == 2 and len(rows["credit_note_lines"]) == 1


def broken_invoices_from(date: str) -> ModelCatalog:
    """Invoices whose subtotal is one minor unit above their lines from `date` on."""
    path = SQL_DIR / "publish" / "invoices.sql"
    good = "MINOR_TO_AMOUNT(d.subtotal_minor, d.minor_factor) AS subtotal"
    bad = (f"MINOR_TO_AMOUNT(d.subtotal_minor + CASE WHEN :as_of >= DATE '{date}' THEN 1 "
           "ELSE 0 END, d.minor_factor) AS subtotal")
    return ModelCatalog(overrides={"invoices": path.read_text().replace(good, bad)})


def test_a_range_stops_at_the_first_failing_date_and_blocks_the_outbox(tmp_path, monkeypatch):
    where = warehouse_with(tmp_path)
    catalog = broken_invoices_from("2026-02-01")
    monkeypatch.setattr(bill_run, "default_catalog", lambda: catalog)
    with pytest.raises(assets.BillRunStopped) as stopped:
        launch_bill_runs(where, day("2026-01-30"), day("2026-02-02"), echo=False)
    assert stopped.value.as_of == day("2026-02-01")
    assert isinstance(stopped.value.__cause__, InvariantFailed)
    assert "stopped at 2026-02-01" in str(stopped.value)
    assert "2026-01-30..2026-01-31 published before it" in str(stopped.value)
    con = connect(where.warehouse)
    runs = con.execute("SELECT as_of::VARCHAR FROM published.bill_runs ORDER BY 1").fetchall()
    con.close()
    assert runs == [("2026-01-30",), ("2026-01-31",)]
    # Dagster agrees with the warehouse: the dates before the failure are materialized, the
    # failing one is not, and nothing reached the outbox
    instance = instance_for(where)
    assert instance.get_materialized_partitions(LEDGER) == {"2026-01-30", "2026-01-31"}
    assert instance.get_materialized_partitions(dg.AssetKey("payment_requests_outbox")) == set()


def test_a_date_before_the_last_published_run_is_refused(tmp_path):
    where = warehouse_with(tmp_path)
    launch_bill_runs(where, day("2026-01-02"), day("2026-01-02"), echo=False)
    with pytest.raises(assets.BillRunStopped) as stopped:
        launch_bill_runs(where, day("2026-01-01"), day("2026-01-01"), echo=False)
    assert isinstance(stopped.value.__cause__, RunRefused)
    assert "precedes the last published run 2026-01-02" in str(stopped.value)


def test_the_snapshot_records_the_last_load_and_refuses_when_nothing_is_loaded(tmp_path):
    where = warehouse_with(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = dg.materialize(
            [assets.upstream_snapshot],
            resources={"warehouse": Warehouse(path=str(where.warehouse)),
                       "console": RunConsole()},
            instance=dg.DagsterInstance.ephemeral(),
        )
        metadata = result.asset_materializations_for_node("upstream_snapshot")[0].metadata
        # the scenario's rows: one account, payment method, product, price term,
        # subscription, two services and two actions
        assert (metadata["load_id"].value, metadata["rows_read"].value) == ("L1", 9)
        empty = Warehouse(path=str(tmp_path / "empty.duckdb"))
        with pytest.raises(RunRefused, match="billing load"):
            dg.materialize([assets.upstream_snapshot],
                           resources={"warehouse": empty, "console": RunConsole()},
                           instance=dg.DagsterInstance.ephemeral())
