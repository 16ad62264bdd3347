"""The run context (pipelines/engine/context.py): built in one place, frozen, and the only
source of the date, the cut-off and the clock a run binds."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from scenario import Scenario

from pipelines.engine.bill_run import run_bill_run
from pipelines.engine.context import RunContext
from pipelines.engine.duckdb_engine import DuckDBEngine

NOON = dt.datetime(2026, 3, 31, 12, 0)


def test_the_context_of_a_date():
    context = RunContext.build(dt.date(2026, 3, 31), clock=lambda: NOON)
    # known on D: recorded before D + 1 00:00 UTC (domain.md §3)
    assert context.known_on == dt.datetime(2026, 4, 1, 0, 0)
    assert (context.mode, context.scope.name, context.horizon, context.engine) == (
        "run", "incremental", dt.date(2026, 3, 31), "duckdb")
    assert context.started_at == NOON
    assert RunContext.build(dt.date(2026, 3, 31), full=True).scope.name == "full"


def test_the_context_is_frozen_and_refuses_unknown_values():
    context = RunContext.build(dt.date(2026, 3, 31))
    with pytest.raises(dataclasses.FrozenInstanceError):
        context.as_of = dt.date(2026, 4, 1)  # type: ignore[misc]
    with pytest.raises(ValueError, match="mode must be one of"):
        RunContext.build(dt.date(2026, 3, 31), mode="rehearse")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="engine must be one of"):
        RunContext.build(dt.date(2026, 3, 31), engine="spark")


def test_a_run_takes_its_times_from_the_context_s_clock(con):
    # a fixed clock gives the run record fixed times: nothing else reads the wall clock
    ticks = iter([NOON, NOON + dt.timedelta(seconds=42)])
    s = Scenario().simple(amount="30.00")
    s.action("activate", "2026-03-01")
    s.load(con)
    context = RunContext.build(dt.date(2026, 3, 31), clock=lambda: next(ticks))
    run_bill_run(DuckDBEngine(con), context)
    assert con.execute("SELECT started_at, finished_at FROM published.bill_runs").fetchall() == [
        (NOON, NOON + dt.timedelta(seconds=42))]
