"""The Dagster code location: what it defines (the bill-run job itself is executed in
test_bill_run_job.py)."""

import datetime as dt
import subprocess
import sys
from pathlib import Path

import dagster as dg
import pytest

from pipelines.engine.catalog import default_catalog
from pipelines.engine.checks import check_names
from pipelines.orchestration import partitions
from pipelines.orchestration.definitions import defs
from pipelines.settings import settings

REPO = Path(__file__).resolve().parents[2]
LEDGER = dg.AssetKey("published_ledger")
OUTBOX = dg.AssetKey("payment_requests_outbox")
SNAPSHOT = dg.AssetKey("upstream_snapshot")

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


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


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BILLING_START_DATE", "2025-06-01")
    monkeypatch.setenv("BILLING_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("BILLING_MEMORY_LIMIT", "1GB")
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    found = settings()
    assert found.start_date == dt.date(2025, 6, 1)
    assert found.warehouse == tmp_path / "w.duckdb"
    assert found.memory_limit == "1GB"
    # the Dagster instance lives beside the warehouse unless DAGSTER_HOME says otherwise
    assert found.dagster_home == tmp_path / "w.duckdb.dagster"
    assert settings("elsewhere.duckdb").warehouse == Path("elsewhere.duckdb")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    assert settings().dagster_home == tmp_path / "home"
    for name in ("BILLING_START_DATE", "BILLING_WAREHOUSE", "BILLING_MEMORY_LIMIT"):
        monkeypatch.delenv(name)
    defaults = settings()
    assert (defaults.start_date, defaults.warehouse, defaults.memory_limit) == (
        dt.date(2026, 1, 1), Path("warehouse/billing.duckdb"), "3GB")


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


def test_one_blocking_check_per_check_of_the_gate_on_the_ledger():
    graph = defs.resolve_asset_graph()
    names = check_names(default_catalog())
    assert set(graph.asset_check_keys) == {dg.AssetCheckKey(LEDGER, n) for n in names}
    # the four invariants of sql/checks/ and the published grains
    assert len(names) == 5
    for name, description in names.items():
        spec = graph.get_check_spec(dg.AssetCheckKey(LEDGER, name))
        assert spec.blocking
        assert spec.description == description


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
    source = (REPO / "pipelines" / "orchestration" / "definitions.py").read_text()
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
