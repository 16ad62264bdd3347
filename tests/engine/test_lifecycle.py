"""Scenarios of the service lifecycle (domain.md §3-§5, §11), each a small readable world.
Amounts are hand-computed in the comments: 31.00 a month makes January's days 1.00 each."""

from __future__ import annotations

from decimal import Decimal

import pytest
from scenario import Scenario, credit_lines, invoice_lines, run

from pipelines.engine.bill_run import RunRefused

D = Decimal


def january(**price) -> Scenario:
    """31.00 a month, pre-bill, billing day 1: every January day is worth 1.00."""
    return Scenario().simple(amount="31.00", **price)


def test_backdated_activation_bills_from_its_date(con):
    # recorded on Jan 20, effective Jan 10: January 10..31 = 22.00 in the Jan 20 run
    s = january()
    s.action("activate", "2026-01-10", recorded_at="2026-01-20")
    s.load(con)
    assert run(con, "2026-01-19").invoices == 0
    run(con, "2026-01-20")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-10", "2026-02-01", 22, 31, D("22.00"))]


def test_late_recorded_backdated_cancel_is_corrected_in_its_recording_run(con):
    # January billed in full on Jan 1; a cancel effective Jan 11 recorded on Jan 25 is first
    # seen by the Jan 25 run, which credits Jan 11..31 = 21.00
    s = january()
    s.action("activate", "2026-01-01")
    s.action("cancel", "2026-01-11", recorded_at="2026-01-25")
    s.load(con)
    run(con, "2026-01-01")
    assert run(con, "2026-01-24").credit_notes == 0
    run(con, "2026-01-25")
    assert credit_lines(con) == [
        ("SV1", "cancellation_credit", "2026-01-11", "2026-02-01", D("21.00"),
         "INV-S1-2026-01-01")]


def test_upgrade_mid_period_credits_old_and_charges_new_terms(con):
    # 30.00 -> 60.00 on Apr 16 (15 of 30 days left): credit 15.00, charge 30.00
    s = Scenario().simple(amount="30.00")
    s.tables["products"][0]["tier_path"] = "tv"
    s.product("P2", tier_path="tv")
    s.price_term("PT2", amount="60.00", product_id="P2")
    s.action("activate", "2026-04-01")
    s.action("change", "2026-04-16", recorded_at="2026-04-16", new_product_id="P2",
             new_price_term_id="PT2")
    s.load(con)
    run(con, "2026-04-01")
    run(con, "2026-04-16")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-04-01", "2026-05-01", 30, 30, D("30.00")),
        ("SV1", "proration", "2026-04-16", "2026-05-01", 15, 30, D("30.00"))]
    assert credit_lines(con) == [
        ("SV1", "change_credit", "2026-04-16", "2026-05-01", D("15.00"), "INV-S1-2026-04-01")]


def test_downgrade_mid_period(con):
    # 60.00 -> 30.00 on Apr 11 (20 of 30 days left): credit 40.00, charge 20.00
    s = Scenario().simple(amount="60.00")
    s.tables["products"][0]["tier_path"] = "tv"
    s.product("P2", tier_path="tv")
    s.price_term("PT2", amount="30.00", product_id="P2")
    s.action("activate", "2026-04-01")
    s.action("change", "2026-04-11", recorded_at="2026-04-11", new_product_id="P2",
             new_price_term_id="PT2")
    s.load(con)
    run(con, "2026-04-01")
    summary = run(con, "2026-04-11")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV1", "proration", "2026-04-11", "2026-05-01", 20, 30, D("20.00"))]
    assert credit_lines(con, summary.bill_run_id) == [
        ("SV1", "change_credit", "2026-04-11", "2026-05-01", D("40.00"), "INV-S1-2026-04-01")]


def test_quantity_change(con):
    # quantity 1 -> 3 on Jan 22 (10 days left): credit 10.00, charge 3 x 10.00 = 30.00
    s = january()
    s.action("activate", "2026-01-01")
    s.action("change", "2026-01-22", recorded_at="2026-01-22", new_quantity=3)
    s.load(con)
    run(con, "2026-01-01")
    summary = run(con, "2026-01-22")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV1", "proration", "2026-01-22", "2026-02-01", 10, 31, D("30.00"))]
    assert credit_lines(con, summary.bill_run_id)[0][1:5] == (
        "change_credit", "2026-01-22", "2026-02-01", D("10.00"))


def test_pause_then_resume_credits_the_paused_days(con):
    # paused Jan 5 for 20 days, resumed early on Jan 15: Jan 5..14 (10 days) credited
    s = january()
    s.action("activate", "2026-01-01")
    s.action("pause", "2026-01-05", days=20)
    s.action("resume", "2026-01-15")
    s.load(con)
    run(con, "2026-01-15")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-01", "2026-02-01", 21, 31, D("21.00"))]


def test_pause_ends_by_itself_and_is_credited_when_recorded_after_billing(con):
    # billed Jan 1 in full; a 10-day pause from Jan 5 recorded Jan 5 credits 10.00
    s = january()
    s.action("activate", "2026-01-01")
    s.action("pause", "2026-01-05", days=10)
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-05")
    assert credit_lines(con)[0][1] == "pause_credit"
    assert credit_lines(con)[0][4] == D("10.00")
    # February is billed in full: the pause ran out on Jan 15
    run(con, "2026-02-01")
    assert invoice_lines(con)[-1][1:] == ("recurring", "2026-02-01", "2026-03-01", 28, 28,
                                          D("31.00"))


def test_deactivation_credits_prebilled_days(con):
    s = january()
    s.action("activate", "2026-01-01")
    s.action("deactivate", "2026-01-21", recorded_at="2026-01-21")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-21")
    assert credit_lines(con) == [
        ("SV1", "deactivation_credit", "2026-01-21", "2026-02-01", D("11.00"),
         "INV-S1-2026-01-01")]
    assert con.execute(
        "SELECT state, since::VARCHAR FROM published.service_states ORDER BY as_of DESC LIMIT 1"
    ).fetchall()[0] == ("not_effective", "2026-01-21")


def test_scheduled_cancellation_inside_prebilled_period_then_cancelled(con):
    # a cancel scheduled for Jan 21 is known at the Jan 1 pre-bill: bill Jan 1..20 = 20.00.
    # It is itself cancelled on Jan 10: the Jan 10 run invoices the restored 11.00.
    s = january()
    s.action("activate", "2026-01-01", recorded_at="2025-12-20")
    s.action("cancel", "2026-01-21", recorded_at="2025-12-20", status="cancelled",
             status_changed_at="2026-01-10T09:00:00")
    s.load(con)
    run(con, "2026-01-01")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-01", "2026-01-21", 20, 31, D("20.00"))]
    summary = run(con, "2026-01-10")
    assert invoice_lines(con, summary.bill_run_id) == [
        ("SV1", "correction", "2026-01-01", "2026-02-01", 11, 31, D("11.00"))]


def test_trial_then_billing(con):
    # 14-day trial from Jan 1: billable from Jan 15, 17 days = 17.00
    s = january(trial_days=14)
    s.action("activate", "2026-01-01")
    s.load(con)
    assert run(con, "2026-01-14").invoices == 0
    run(con, "2026-01-15")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00"))]


def test_expiry_after_termed_cycles_without_auto_renew(con):
    # 2 monthly cycles from Jan 1, no renewal: January and February, then nothing
    s = january(termed_cycles=2, auto_renew=False)
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-04-01")
    assert [line[2] for line in invoice_lines(con)] == ["2026-01-01", "2026-02-01"]
    assert con.execute(
        "SELECT state, since::VARCHAR FROM published.service_states"
    ).fetchall()[0] == ("not_effective", "2026-03-01")


def test_post_bill_is_billed_at_period_end(con):
    s = january(model="post")
    s.action("activate", "2026-01-10")
    s.load(con)
    assert run(con, "2026-01-31").invoices == 0
    run(con, "2026-02-01")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-10", "2026-02-01", 22, 31, D("22.00"))]


def test_catch_up_after_missed_days(con):
    # no run between Jan 1 and Apr 1: the Apr 1 run bills Jan..Apr, one invoice, four lines
    s = january()
    s.action("activate", "2026-01-01")
    s.load(con)
    summary = run(con, "2026-04-01")
    assert (summary.invoices, summary.invoice_lines) == (1, 4)
    assert [line[6] for line in invoice_lines(con)] == [D("31.00")] * 4


def test_rerun_publishes_nothing(con):
    s = january()
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-01-01")
    again = run(con, "2026-01-01")
    assert (again.invoices, again.credit_notes, again.payment_requests) == (0, 0, 0)
    assert again.bill_run_id == "BR-2026-01-01-2"


def test_run_for_an_earlier_date_is_refused(con):
    s = january()
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-02-01")
    with pytest.raises(RunRefused, match="precedes the last published run 2026-02-01"):
        run(con, "2026-01-15")


def test_activate_and_cancel_on_one_day_bill_nothing(con):
    s = january()
    s.action("activate", "2026-01-05")
    s.action("cancel", "2026-01-05")
    s.load(con)
    assert run(con, "2026-01-31").invoices == 0


def test_invalid_transitions_are_rejected_once(con):
    s = january()
    s.action("resume", "2026-01-03", action_id="A-RESUME")
    s.action("activate", "2026-01-01", action_id="A-ACT")
    s.action("activate", "2026-01-02", action_id="A-ACT2")
    s.load(con)
    run(con, "2026-01-05")
    run(con, "2026-01-06")
    assert con.execute(
        "SELECT action_id, reason FROM published.action_rejections ORDER BY action_id"
    ).fetchall() == [("A-ACT2", "invalid_transition:effective"),
                     ("A-RESUME", "invalid_transition:effective")]


def test_activation_before_ordered_on_is_rejected(con):
    s = january()
    s.tables["services"][0]["ordered_on"] = s.tables["services"][0]["ordered_on"].replace(2026)
    s.action("activate", "2019-12-31", action_id="A-EARLY")
    s.load(con)
    run(con, "2026-01-05")
    assert con.execute("SELECT action_id, reason FROM published.action_rejections").fetchall() \
        == [("A-EARLY", "before_ordered_on")]


def test_pause_limits(con):
    # pause_max_days = 30 rejects a 45-day pause; two pauses a year, the third is rejected
    s = january()
    s.rule("pause_max_days", 30)
    s.action("activate", "2026-01-01")
    s.action("pause", "2026-01-02", days=45, action_id="A-LONG")
    s.action("pause", "2026-01-03", days=2, action_id="A-P1")
    s.action("pause", "2026-01-10", days=2, action_id="A-P2")
    s.action("pause", "2026-01-20", days=2, action_id="A-P3")
    s.load(con)
    run(con, "2026-01-31")
    assert con.execute(
        "SELECT action_id, reason FROM published.action_rejections ORDER BY action_id"
    ).fetchall() == [("A-LONG", "pause_max_days"), ("A-P3", "pause_max_times_per_year")]


def test_subscription_level_cancel_applies_to_every_service(con):
    s = january()
    s.service("SV2")
    s.action("activate", "2026-01-01", service_id=None)
    s.action("cancel", "2026-01-21", service_id=None, recorded_at="2026-01-21")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-21")
    assert [(c[0], c[1], c[4]) for c in credit_lines(con)] == [
        ("SV1", "cancellation_credit", D("11.00")), ("SV2", "cancellation_credit", D("11.00"))]


def test_one_invoice_per_subscription_numbered_without_gaps(con):
    s = january()
    s.subscription("S0")
    s.service("SV0", subscription_id="S0")
    s.action("activate", "2026-01-01", service_id="SV0", subscription_id="S0")
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    assert con.execute(
        "SELECT invoice_number, invoice_id, due_date::VARCHAR FROM published.invoices "
        "ORDER BY invoice_number"
    ).fetchall() == [(1, "INV-S0-2026-01-01", "2026-01-15"),
                     (2, "INV-S1-2026-01-01", "2026-01-15"),
                     (3, "INV-S0-2026-02-01", "2026-02-15"),
                     (4, "INV-S1-2026-02-01", "2026-02-15")]
