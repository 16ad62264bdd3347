"""When a downgrade or a cancel takes effect (domain.md §5): `downgrade_timing` and
`cancel_out_of_contract` = immediate | end_of_period, read at the version valid on the action's
date. Under end_of_period the action moves to the start of the first billing period that
starts on or after its date. Amounts are hand-computed in the comments: 31.00 a month makes
January's days 1.00 each, 62.00 a month 2.00 each."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
from scenario import Scenario, compute_models, credit_lines, invoice_lines, run

D = Decimal


def tiers(old="62.00", new="31.00", **subscription) -> Scenario:
    """Pre-bill monthly, billing day 1: product P1 at `old` a month, P2 (same tier) at `new`;
    SV1 ordered on P1."""
    s = Scenario().simple(amount=old, **subscription)
    s.tables["products"][0]["tier_path"] = "tv"
    s.product("P2", tier_path="tv")
    s.price_term("PT2", amount=new, product_id="P2")
    return s


def to_p2(s: Scenario, effective_on: str, recorded_at: str | None = None) -> None:
    s.action("change", effective_on, recorded_at=recorded_at or effective_on,
             new_product_id="P2", new_price_term_id="PT2")


def model_rows(con, as_of: dt.date, sql: str, *models: str) -> list[tuple]:
    """Materialize `models` (and what they read) for a full run on as_of; run `sql`."""
    compute_models(con, as_of, *models, full=True)
    return con.execute(sql).fetchall()


def fresh(s: Scenario) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    s.load(con)
    return con


def net_by_period(con) -> dict[tuple, tuple]:
    """(net amount, net tax) per service and period, the ones netting to zero left out."""
    rows = con.execute(
        """
        SELECT service_id, cycle_start, SUM(amount), SUM(tax) FROM (
            SELECT service_id, cycle_start, amount, tax_amount AS tax
            FROM published.invoice_lines
            UNION ALL
            SELECT service_id, cycle_start, -amount, -tax_amount FROM published.credit_note_lines
        ) GROUP BY ALL HAVING SUM(amount) <> 0 OR SUM(tax) <> 0
        """
    ).fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def state_as_of(con, as_of: str) -> tuple:
    """SV1's state and since as last published by a run on or before as_of."""
    return con.execute(
        "SELECT state, since::VARCHAR FROM published.service_states "
        "WHERE service_id = 'SV1' AND as_of <= ?::DATE ORDER BY as_of DESC LIMIT 1",
        [as_of],
    ).fetchall()[0]


def test_downgrade_at_end_of_period_keeps_the_running_period_and_bills_the_next_at_new_terms(
        con):
    # 62.00 -> 31.00 requested Jan 11: nothing credited in January (62.00 stays), the change
    # applies on Feb 1 and February is billed 31.00 under PT2
    s = tiers()
    s.rule("downgrade_timing", "end_of_period")
    s.action("activate", "2026-01-01")
    to_p2(s, "2026-01-11")
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-11")
    assert (summary.invoices, summary.credit_notes) == (0, 0)
    assert summary.deferred == []
    run(con, "2026-02-01")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("62.00")),
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))]
    assert credit_lines(con) == []
    assert con.execute(
        "SELECT price_term_id FROM published.invoice_lines ORDER BY invoice_id"
    ).fetchall() == [("PT1",), ("PT2",)]


def test_immediate_downgrade_credits_the_rest_of_the_running_period(con):
    # the same downgrade with the rule set to immediate: Jan 11..31 (21 days) credited at
    # 2.00 = 42.00 and charged at 1.00 = 21.00
    s = tiers()
    s.rule("downgrade_timing", "immediate")
    s.action("activate", "2026-01-01")
    to_p2(s, "2026-01-11")
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-11")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV1", "proration", "2026-01-11", "2026-02-01", 21, 31, D("21.00"))]
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "change_credit", "2026-01-11", "2026-02-01", D("42.00"), "INV-S1-2026-01-01")]


def test_upgrade_is_immediate_under_end_of_period(con):
    # 31.00 -> 62.00 on Jan 22 (10 days left): credit 10 x 1.00 = 10.00, charge 10 x 2.00
    s = tiers(old="31.00", new="62.00")
    s.rule("downgrade_timing", "end_of_period")
    s.action("activate", "2026-01-01")
    to_p2(s, "2026-01-22")
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-22")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV1", "proration", "2026-01-22", "2026-02-01", 10, 31, D("20.00"))]
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "change_credit", "2026-01-22", "2026-02-01", D("10.00"), "INV-S1-2026-01-01")]


def test_cancel_at_end_of_period_credits_nothing_and_bills_no_next_period(con):
    # cancel requested Jan 11: January (31.00) stays billed, nothing for February; the
    # service is effective until Jan 31 and cancelled from Feb 1
    s = Scenario().simple(amount="31.00")
    s.rule("cancel_out_of_contract", "end_of_period")
    s.action("activate", "2026-01-01")
    s.action("cancel", "2026-01-11")
    s.load(con)
    run(con, "2026-01-01")
    assert (run(con, "2026-01-11").credit_notes, state_as_of(con, "2026-01-11")) == (
        0, ("effective", "2026-01-01"))
    feb = run(con, "2026-02-01")
    assert (feb.invoices, feb.credit_notes) == (0, 0)
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00"))]
    assert credit_lines(con) == []
    assert state_as_of(con, "2026-02-01") == ("cancelled", "2026-02-01")


def test_cancel_at_end_of_period_follows_the_anniversary_after_a_trial(con):
    # anniversary billing, 5-day trial: activated Jan 15, F = Jan 20, periods start on the
    # 20th. A cancel on Feb 3 moves to Feb 20: Jan 20..Feb 20 (31.00) stays billed, and
    # nothing is billed from Feb 20
    s = Scenario().simple(amount="31.00", method="anniversary", trial_days=5)
    s.rule("cancel_out_of_contract", "end_of_period")
    s.action("activate", "2026-01-15")
    s.action("cancel", "2026-02-03")
    s.load(con)
    for day in ("2026-01-20", "2026-02-03", "2026-02-20"):
        run(con, day)
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-20", "2026-02-20", 31, 31, D("31.00"))]
    assert credit_lines(con) == []
    assert state_as_of(con, "2026-02-20") == ("cancelled", "2026-02-20")


def test_timing_rule_is_read_at_the_version_valid_on_the_action_date(con):
    # quantity 3 at 31.00 (3.00 a January day); end_of_period from Jan 15 only.
    # 3 -> 2 on Jan 11 is immediate: credit 21 x 3.00 = 63.00, charge 21 x 2.00 = 42.00;
    # 2 -> 1 on Jan 20 (a downgrade from the terms the first change left) waits for Feb 1:
    # nothing in January, February billed at quantity 1 = 31.00
    s = Scenario().simple(amount="31.00")
    s.tables["services"][0]["quantity"] = 3
    s.rule("downgrade_timing", "immediate")
    s.rule("downgrade_timing", "end_of_period", valid_from="2026-01-15")
    s.action("activate", "2026-01-01")
    s.action("change", "2026-01-11", new_quantity=2)
    s.action("change", "2026-01-20", new_quantity=1)
    s.load(con)
    run(con, "2026-01-01")
    jan11 = run(con, "2026-01-11")
    assert invoice_lines(con, jan11.bill_run_id) == [
        ("SV1", "proration", "2026-01-11", "2026-02-01", 21, 31, D("42.00"))]
    assert credit_lines(con, jan11.bill_run_id)[0][1:5] == (
        "change_credit", "2026-01-11", "2026-02-01", D("63.00"))
    jan20 = run(con, "2026-01-20")
    assert (jan20.invoices, jan20.credit_notes) == (0, 0)
    feb = run(con, "2026-02-01")
    assert invoice_lines(con, feb.bill_run_id) == [
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))]
    assert con.execute(
        "SELECT quantity FROM published.invoice_lines WHERE bill_run_id = ?", [feb.bill_run_id]
    ).fetchall() == [(1,)]


def test_downgrade_dated_on_a_period_start_does_not_move(con):
    # requested on Jan 20 for Feb 1, a period start: it applies on Feb 1 (not Mar 1), so
    # February is billed 31.00 under PT2 and March too
    s = tiers()
    s.rule("downgrade_timing", "end_of_period")
    s.action("activate", "2026-01-01")
    to_p2(s, "2026-02-01", recorded_at="2026-01-20")
    s.load(con)
    for day in ("2026-01-01", "2026-01-20", "2026-02-01", "2026-03-01"):
        run(con, day)
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("62.00")),
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00")),
        ("SV1", "recurring", "2026-03-01", "2026-04-01", 31, 31, D("31.00"))]
    assert credit_lines(con) == []


def test_an_unknown_rule_value_is_applied_as_immediate_and_reported(con):
    s = tiers()
    s.rule("downgrade_timing", "next_month")
    s.rule("cancel_out_of_contract", "end_of_period")
    s.action("activate", "2026-01-01")
    to_p2(s, "2026-01-11")
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-11")
    assert summary.credit_notes == 1
    assert summary.deferred == [
        {"kind": "business_rule", "name": "downgrade_timing", "rows_count": 1}]


def test_moved_actions_day_by_day_equal_one_catch_up_run():
    # a downgrade (Jan 11) and a cancel (Feb 10), both end_of_period: every daily run from
    # Jan 1 to Mar 5 publishes what one catch-up run on Mar 5 does, and the daily runs see
    # the moved dates (Feb 1: the downgrade; Mar 1: the cancel)
    s = tiers()
    s.rule("downgrade_timing", "end_of_period")
    s.rule("cancel_out_of_contract", "end_of_period")
    s.action("activate", "2026-01-01")
    to_p2(s, "2026-01-11")
    s.action("cancel", "2026-02-10")
    daily = fresh(s)
    day = dt.date(2026, 1, 1)
    while day <= dt.date(2026, 3, 5):
        run(daily, day)
        day += dt.timedelta(days=1)
    once = fresh(s)
    run(once, dt.date(2026, 3, 5))
    # January 62.00 under PT1, February 31.00 under PT2, nothing from March 1
    expected = {("SV1", dt.date(2026, 1, 1)): (D("62.00"), D("0.00")),
                ("SV1", dt.date(2026, 2, 1)): (D("31.00"), D("0.00"))}
    assert net_by_period(daily) == net_by_period(once) == expected
    assert daily.execute(
        "SELECT as_of::VARCHAR, state, since::VARCHAR FROM published.service_states "
        "ORDER BY as_of"
    ).fetchall() == [("2026-01-01", "effective", "2026-01-01"),
                     ("2026-03-01", "cancelled", "2026-03-01")]


def test_a_moved_action_lands_on_a_period_start_of_the_billing_anchors(con):
    # weekly on Wednesdays (ISO 3), both rules end_of_period: a downgrade requested on Friday
    # Jan 9 and a cancel on Monday Jan 19 move to the next Wednesdays, Jan 14 and Jan 21 (the
    # hypothesis properties run random worlds under random timing rules)
    s = tiers(cycle="week", billing_day=3)
    s.tables["price_terms"][0]["billing_cycle"] = "week"
    s.tables["price_terms"][1]["billing_cycle"] = "week"
    s.rule("downgrade_timing", "end_of_period")
    s.rule("cancel_out_of_contract", "end_of_period")
    s.action("activate", "2026-01-07")
    to_p2(s, "2026-01-09")
    s.action("cancel", "2026-01-19")
    s.load(con)
    assert model_rows(
        con, dt.date(2026, 1, 31),
        "SELECT action, requested_on::VARCHAR, effective_on::VARCHAR FROM work.service_actions "
        "ORDER BY seq",
        "service_actions",
    ) == [("activate", "2026-01-07", "2026-01-07"), ("change", "2026-01-09", "2026-01-14"),
          ("cancel", "2026-01-19", "2026-01-21")]
