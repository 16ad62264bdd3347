"""The Dagster code location: what it defines, and how a bill run behaves as assets.

The engine is replaced by a fake here; end-to-end runs over real data are in the CLI tests.
"""

import datetime as dt
import subprocess
import sys
import warnings
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.errors import DagsterAssetCheckFailedError

from pipelines import assets, checks, invariants, partitions
from pipelines.bill_run import BillRunSummary, RunRefused
from pipelines.definitions import defs
from pipelines.invariants import InvariantResult
from pipelines.resources import RunConsole, Warehouse

REPO = Path(__file__).resolve().parents[2]
LEDGER = dg.AssetKey("published_ledger")
OUTBOX = dg.AssetKey("payment_requests_outbox")
SNAPSHOT = dg.AssetKey("upstream_snapshot")
QUIET = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


# --- what the code location defines -------------------------------------------------------


def test_asset_keys_are_the_three_billing_assets():
    assert set(defs.resolve_all_asset_keys()) == {SNAPSHOT, LEDGER, OUTBOX}


def test_ledger_and_outbox_are_daily_by_as_of_date_and_the_snapshot_is_not():
    graph = defs.resolve_asset_graph()
    for key in (LEDGER, OUTBOX):
        part = graph.get(key).partitions_def
        assert part == partitions.as_of_dates
        assert isinstance(part, dg.DailyPartitionsDefinition)
        assert part.get_first_partition_key() == "2026-01-01"
        assert part.end_offset == 1
    assert graph.get(SNAPSHOT).partitions_def is None


def test_today_has_a_partition():
    today = dt.datetime.now(dt.UTC).date()
    assert partitions.as_of_dates.has_partition_key(today.isoformat())


def test_start_date_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("BILLING_START_DATE", "2025-06-01")
    assert partitions.billing_start_date() == dt.date(2025, 6, 1)
    monkeypatch.delenv("BILLING_START_DATE")
    assert partitions.billing_start_date() == dt.date(2026, 1, 1)


def test_ledger_depends_on_the_snapshot_and_on_its_previous_day():
    graph = defs.resolve_asset_graph()
    assert graph.get(LEDGER).parent_keys == {SNAPSHOT, LEDGER}
    mapping = graph.get_partition_mapping(LEDGER, LEDGER)
    assert mapping == dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1)
    assert graph.get_parent_partition_keys_for_child(
        "2026-03-31", LEDGER, LEDGER
    ).partitions_subset.get_partition_keys() == ["2026-03-30"]
    assert graph.get(OUTBOX).parent_keys == {LEDGER}


def test_backfills_of_the_ledger_run_as_one_run():
    ledger = defs.resolve_assets_def(LEDGER)
    assert ledger.backfill_policy == dg.BackfillPolicy.single_run()


def test_one_blocking_check_per_invariant_on_the_ledger():
    graph = defs.resolve_asset_graph()
    expected = {dg.AssetCheckKey(LEDGER, name) for name in invariants.INVARIANTS}
    assert set(graph.asset_check_keys) == expected
    assert len(expected) >= 4
    for key in expected:
        spec = graph.get_check_spec(key)
        assert spec.blocking
        assert spec.description


def test_the_job_selects_ledger_and_outbox_and_its_schedule_runs_at_two_utc():
    job = defs.resolve_job_def("bill_run_job")
    assert job.partitions_def == partitions.as_of_dates
    assert set(job.asset_layer.executable_asset_keys) == {LEDGER, OUTBOX}
    schedule = defs.resolve_schedule_def("daily_bill_run")
    assert schedule.cron_schedule == "0 2 * * *"
    tick = dg.build_schedule_context(
        scheduled_execution_time=dt.datetime(2026, 3, 31, 2, 0, tzinfo=dt.UTC)
    )
    requests = schedule.evaluate_tick(tick).run_requests
    assert [r.partition_key for r in requests] == ["2026-03-31"]


def test_definitions_module_only_assembles():
    source = (REPO / "pipelines" / "definitions.py").read_text()
    assert "@dg." not in source and "def " not in source
    assert len(source.splitlines()) <= 50


def test_dagster_definitions_validate_passes():
    dagster = Path(sys.executable).parent / "dagster"
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# --- a bill run as assets, with a fake engine -----------------------------------------------


@pytest.fixture
def warehouse(tmp_path):
    """A warehouse with one load recorded (the snapshot the runs bill)."""
    resource = Warehouse(path=str(tmp_path / "w.duckdb"))
    with resource.connect() as con:
        con.execute("INSERT INTO upstream.loads VALUES ('L1', '/data', now())")
        con.execute(
            "INSERT INTO upstream.load_stats VALUES "
            "('L1', 'accounts', 'accounts.csv', 10, 9, 1), "
            "('L1', 'services', 'services.csv', 20, 20, 0)"
        )
    return resource


class FakeEngine:
    """Publishes one bill_runs row and one payment request per date; fails on `fail_on`."""

    def __init__(self, fail_on=None, error=RunRefused):
        self.calls = []
        self.fail_on = fail_on
        self.error = error

    def __call__(self, con, as_of, mode="run", progress=None, full=False):
        self.calls.append(as_of)
        if progress:
            progress("int_expected_charges: 0.01s")
        if as_of == self.fail_on:
            raise self.error(f"fake failure for {as_of}")
        run_id = f"BR-{as_of}-1"
        con.execute(
            "INSERT INTO published.bill_runs VALUES (?, ?, 'run', now(), now(), 'published', "
            "'L1', 1, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 'fake')",
            [run_id, as_of],
        )
        con.execute(
            "INSERT INTO published.payment_requests VALUES "
            "(?, 'A1', 'I1', 'PM1', 12.50, 'EUR', ?, 1, ?)",
            [f"PR-{as_of}", as_of, run_id],
        )
        from decimal import Decimal

        return BillRunSummary(
            run_id,
            as_of,
            mode,
            "published",
            invoices=1,
            invoice_lines=1,
            payment_requests=1,
            quarantined_rows=1,
            totals=[
                {
                    "currency": "EUR",
                    "document_type": "invoice",
                    "documents": 1,
                    "lines": 1,
                    "subtotal": Decimal("10.5000"),
                    "tax": Decimal("2.0000"),
                    "total": Decimal("12.5000"),
                }
            ],
        )


def passing_invariants(con, bill_run_id=None):
    return [InvariantResult(name, "fake", 0) for name in invariants.INVARIANTS]


def materialize(warehouse, **target):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return dg.materialize(
            [
                assets.upstream_snapshot,
                assets.published_ledger,
                checks.ledger_invariants,
                assets.payment_requests_outbox,
            ],
            resources={"warehouse": warehouse, "console": RunConsole()},
            instance=dg.DagsterInstance.ephemeral(),
            run_config=QUIET,
            **target,
        )


def range_tags(first, last):
    return {
        "tags": {
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        }
    }


def test_one_partition_runs_the_engine_checks_and_fills_the_outbox(warehouse, monkeypatch):
    engine = FakeEngine()
    monkeypatch.setattr(assets, "run_bill_run", engine)
    monkeypatch.setattr(invariants, "check_invariants", passing_invariants)
    result = materialize(warehouse, partition_key="2026-03-31")
    assert result.success
    assert engine.calls == [dt.date(2026, 3, 31)]
    snapshot = result.asset_materializations_for_node("upstream_snapshot")[0].metadata
    assert snapshot["rows_read"].value == 30 and snapshot["rows_quarantined"].value == 1
    ledger = result.asset_materializations_for_node("published_ledger")[0].metadata
    assert ledger["invoices"].value == 1
    assert ledger["summaries"].value[0]["totals"][0]["total"] == "12.5000"
    assert "12.50" in ledger["totals_per_currency"].value
    checks_run = result.get_asset_check_evaluations()
    assert {e.check_name for e in checks_run} == set(invariants.INVARIANTS)
    assert all(e.passed for e in checks_run)
    outbox = result.asset_materializations_for_node("payment_requests_outbox")[0].metadata
    assert outbox["payment_requests"].value == 1
    assert outbox["by_bill_run"].value == [
        {
            "bill_run_id": "BR-2026-03-31-1",
            "as_of": "2026-03-31",
            "currency": "EUR",
            "requests": 1,
            "amount": "12.5000",
        }
    ]


def test_a_range_runs_every_date_in_order_in_one_run(warehouse, monkeypatch):
    engine = FakeEngine()
    monkeypatch.setattr(assets, "run_bill_run", engine)
    monkeypatch.setattr(invariants, "check_invariants", passing_invariants)
    result = materialize(warehouse, **range_tags("2026-02-01", "2026-02-04"))
    assert result.success
    assert engine.calls == partitions.dates_in_range(dt.date(2026, 2, 1), dt.date(2026, 2, 4))
    partitions_done = {
        m.partition for m in result.asset_materializations_for_node("published_ledger")
    }
    assert partitions_done == {"2026-02-01", "2026-02-02", "2026-02-03", "2026-02-04"}
    outbox = result.asset_materializations_for_node("payment_requests_outbox")[0].metadata
    assert outbox["payment_requests"].value == 4


def test_a_range_stops_at_the_first_failing_date(warehouse, monkeypatch):
    engine = FakeEngine(fail_on=dt.date(2026, 2, 3))
    monkeypatch.setattr(assets, "run_bill_run", engine)
    monkeypatch.setattr(invariants, "check_invariants", passing_invariants)
    with pytest.raises(assets.BillRunStopped) as stopped:
        materialize(warehouse, **range_tags("2026-02-01", "2026-02-05"))
    assert engine.calls == partitions.dates_in_range(dt.date(2026, 2, 1), dt.date(2026, 2, 3))
    assert stopped.value.as_of == dt.date(2026, 2, 3)
    assert isinstance(stopped.value.__cause__, RunRefused)
    assert "stopped at 2026-02-03" in str(stopped.value)


def test_a_failing_invariant_check_blocks_the_outbox(warehouse, monkeypatch):
    monkeypatch.setattr(assets, "run_bill_run", FakeEngine())

    def one_fails(con, bill_run_id=None):
        results = passing_invariants(con, bill_run_id)
        results[0] = InvariantResult(results[0].name, "fake", 3)
        return results

    monkeypatch.setattr(invariants, "check_invariants", one_fails)
    with pytest.raises(DagsterAssetCheckFailedError, match=next(iter(invariants.INVARIANTS))):
        materialize(warehouse, partition_key="2026-03-31")


def test_a_check_fails_when_an_invariant_is_not_reported():
    results = list(checks.invariant_check_results([("BR-1", dt.date(2026, 1, 1))], {"BR-1": []}))
    assert len(results) == len(invariants.INVARIANTS)
    assert not any(r.passed for r in results)
    assert "reported no result" in results[0].description


def test_the_snapshot_refuses_when_nothing_is_loaded(tmp_path):
    empty = Warehouse(path=str(tmp_path / "empty.duckdb"))
    with warnings.catch_warnings(), pytest.raises(RunRefused, match="billing load"):
        warnings.simplefilter("ignore")
        dg.materialize(
            [assets.upstream_snapshot],
            resources={"warehouse": empty, "console": RunConsole()},
            instance=dg.DagsterInstance.ephemeral(),
            run_config=QUIET,
        )
