"""Regret (domain.md §5): within `regret_days` of the first activation the service becomes
regretted and a credit note refunds everything invoiced for it, line by line; outside the
window, or on a service never activated, the regret is rejected. 31.00 a month, billing day
1, pre-bill: a January day is worth 1.00."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, rejections, run

D = Decimal


def january() -> Scenario:
    return Scenario().simple(amount="31.00")


def state(con) -> tuple:
    return con.execute("SELECT state, since::VARCHAR FROM published.service_states "
                       "ORDER BY as_of DESC LIMIT 1").fetchone()


def test_regret_inside_the_window_refunds_the_month_billed(con):
    # Jan 1 bills January 31.00; the regret on Jan 10 (9 days in, window 14) refunds all 31.00
    s = january()
    s.action("activate", "2026-01-01")
    s.action("regret", "2026-01-10", recorded_at="2026-01-10")
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-10")
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "regret_refund", "2026-01-01", "2026-02-01", D("31.00"), "INV-S1-2026-01-01")]
    assert state(con) == ("regretted", "2026-01-10")
    assert run(con, "2026-02-01").invoices == 0  # nothing is billed after a regret


def test_regret_refunds_a_proration_and_the_next_month(con):
    # activated Jan 20: Jan 20..Feb 1 = 12/31 x 31.00 = 12.00; Feb 1 bills February 31.00;
    # the regret on Feb 2 (13 days after Jan 20) refunds both lines, each naming its invoice
    s = january()
    s.action("activate", "2026-01-20")
    s.action("regret", "2026-02-02", recorded_at="2026-02-02")
    s.load(con)
    run(con, "2026-01-20")
    run(con, "2026-02-01")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-20", "2026-02-01", 12, 31, D("12.00")),
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))]
    summary = run(con, "2026-02-02")
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "regret_refund", "2026-01-20", "2026-02-01", D("12.00"), "INV-S1-2026-01-20"),
        ("SV1", "regret_refund", "2026-02-01", "2026-03-01", D("31.00"), "INV-S1-2026-02-01")]
    assert summary.credit_notes == 1


def test_regret_after_the_window_is_rejected_and_credits_nothing(con):
    # activated Jan 1: the window is Jan 1..Jan 15 (14 days); a regret on Jan 16 is refused
    s = january()
    s.action("activate", "2026-01-01")
    s.action("regret", "2026-01-16", recorded_at="2026-01-16", action_id="R1")
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-16")
    assert summary.credit_notes == 0
    assert rejections(con) == [("R1", "regret_window")]
    assert state(con) == ("effective", "2026-01-01")


def test_the_last_day_of_the_window_is_inside_it(con):
    s = january()
    s.action("activate", "2026-01-01")
    s.action("regret", "2026-01-15", recorded_at="2026-01-15")
    s.load(con)
    run(con, "2026-01-01")
    assert run(con, "2026-01-15").credit_notes == 1


def test_regret_days_is_read_at_the_version_valid_on_the_regret(con):
    # regret_days 30 from Jan 1: a regret on Jan 25 is inside the window
    s = january()
    s.rule("regret_days", "30", valid_from="2026-01-01")
    s.action("activate", "2026-01-01")
    s.action("regret", "2026-01-25", recorded_at="2026-01-25")
    s.load(con)
    run(con, "2026-01-01")
    assert credit_lines(con, run(con, "2026-01-25").bill_run_id) == [
        ("SV1", "regret_refund", "2026-01-01", "2026-02-01", D("31.00"), "INV-S1-2026-01-01")]


def test_a_service_never_activated_or_cancelled_cannot_be_regretted(con):
    s = january()
    s.action("regret", "2026-01-05", recorded_at="2026-01-05", action_id="R0")
    s.action("activate", "2026-01-06", recorded_at="2026-01-06", action_id="X1")
    s.action("cancel", "2026-01-08", recorded_at="2026-01-08", action_id="X2")
    s.action("regret", "2026-01-09", recorded_at="2026-01-09", action_id="R1")
    s.load(con)
    run(con, "2026-01-09")
    assert rejections(con) == [("R0", "invalid_transition:draft"),
                               ("R1", "invalid_transition:cancelled")]
