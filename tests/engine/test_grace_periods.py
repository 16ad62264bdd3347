"""grace_period (domain.md §5): a span in which a service is not deactivated for lack of
funds, `days` long or up to until_date, between grace_min_days (1) and grace_max_days (30);
grace days are billable, and a period outside the limits is rejected."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from scenario import Scenario, invoice_lines, rejections, run

D = Decimal


def active() -> Scenario:
    s = Scenario().simple(amount="31.00")
    s.action("activate", "2026-01-01")
    return s


def spans(con) -> list[tuple]:
    return con.execute(
        "SELECT bill_run_id, service_id, account_id, action_id, grace_from::VARCHAR, "
        "grace_to::VARCHAR FROM published.grace_periods ORDER BY action_id").fetchall()


def test_a_grace_period_is_published_once_and_bills_as_usual(con):
    # 10 days from Jan 5 (recorded Jan 1): published by the Jan 5 run, not again on Jan 6;
    # January is billed in full (31.00) all the same
    s = active()
    s.action("grace_period", "2026-01-05", recorded_at="2026-01-01", days=10, action_id="G1")
    s.load(con)
    run(con, "2026-01-01")
    assert spans(con) == []  # not started yet
    run(con, "2026-01-05")
    run(con, "2026-01-06")
    assert spans(con) == [
        ("BR-2026-01-05-1", "SV1", "ACC1", "G1", "2026-01-05", "2026-01-15")]
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00"))]
    assert rejections(con) == []


def test_a_grace_period_outside_the_limits_is_rejected(con):
    # until Feb 20 from Jan 5 is 46 days (> 30); 0 days is below the minimum of 1
    s = active()
    s.action("grace_period", "2026-01-05", until_date=dt.date(2026, 2, 20), action_id="G1")
    s.action("grace_period", "2026-01-06", until_date=dt.date(2026, 1, 6), action_id="G2")
    s.load(con)
    run(con, "2026-01-06")
    assert rejections(con) == [("G1", "grace_period_too_long"), ("G2", "grace_period_too_short")]
    assert spans(con) == []


def test_the_limits_are_read_at_the_version_valid_on_the_grace_period(con):
    # grace_max_days 60 from Jan 1: the 46-day grace period is within it
    s = active()
    s.rule("grace_max_days", "60", valid_from="2026-01-01")
    s.action("grace_period", "2026-01-05", until_date=dt.date(2026, 2, 20), action_id="G1")
    s.load(con)
    run(con, "2026-01-05")
    assert spans(con) == [
        ("BR-2026-01-05-1", "SV1", "ACC1", "G1", "2026-01-05", "2026-02-20")]


def test_a_grace_period_for_a_cancelled_service_is_rejected(con):
    s = active()
    s.action("cancel", "2026-01-03")
    s.action("grace_period", "2026-01-05", days=5, action_id="G1")
    s.load(con)
    run(con, "2026-01-05")
    assert rejections(con) == [("G1", "invalid_transition:cancelled")]
