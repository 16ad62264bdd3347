"""Termed periods (domain.md §6) and the actions on them (§5): renew, set_auto_renew,
extend_term. A termed period runs termed_cycles cycles from the first billable day; at its end
the service renews (auto_renew in force then) or expires (not_effective, nothing billed,
pre-billed days after the end credited). 31.00 a month, billing day 1, pre-bill: every
January and March day is worth 1.00, a February day 31/28."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, rejections, run

D = Decimal


def termed(cycles: int = 1, auto_renew: bool = False, **price) -> Scenario:
    return Scenario().simple(amount="31.00", termed_cycles=cycles, auto_renew=auto_renew,
                             **price)


def states(con) -> list[tuple]:
    return con.execute("SELECT state, since::VARCHAR, as_of::VARCHAR FROM published.service_states "
                       "ORDER BY as_of").fetchall()


def subscription_states(con) -> list[tuple]:
    return con.execute("SELECT state, since::VARCHAR FROM published.subscription_states "
                       "ORDER BY as_of").fetchall()


def test_a_term_that_renews_bills_on_without_a_gap(con):
    # 2 cycles from Jan 1, auto_renew: the term ends Mar 1 and renews; Jan..Apr in full
    s = termed(cycles=2, auto_renew=True)
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-03-01")
    run(con, "2026-04-01")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00")),
        ("SV1", "recurring", "2026-03-01", "2026-04-01", 31, 31, D("31.00")),
        ("SV1", "recurring", "2026-04-01", "2026-05-01", 30, 30, D("31.00"))]
    assert credit_lines(con) == []
    assert states(con) == [("effective", "2026-01-01", "2026-01-01")]


def test_a_term_that_expires_bills_to_its_end(con):
    # activated Jan 10, one cycle, no renewal: the term ends Feb 10. January 10..31 = 22.00;
    # Feb 1..10 = 9/28 x 31.00 = 9.9643 -> 9.96; nothing from March on
    s = termed()
    s.action("activate", "2026-01-10")
    s.load(con)
    run(con, "2026-01-10")
    run(con, "2026-02-01")
    run(con, "2026-03-01")
    assert invoice_lines(con) == [
        ("SV1", "proration", "2026-01-10", "2026-02-01", 22, 31, D("22.00")),
        ("SV1", "proration", "2026-02-01", "2026-02-10", 9, 28, D("9.96"))]
    assert states(con)[-1] == ("not_effective", "2026-02-10", "2026-03-01")
    assert subscription_states(con)[-1] == ("inactive", "2026-02-10")


def test_an_expiry_credits_the_prebilled_days_after_the_end(con):
    # an extend_term of 10 days (recorded Jan 20) moves the end to Feb 20: the Feb 1 run
    # bills Feb 1..20 = 19/28 x 31.00 = 21.0357 -> 21.04. The extension is withdrawn on
    # Feb 5: the term ends Feb 10 again, worth 9.96, so Feb 10..20 is credited 21.04 - 9.96
    # = 11.08 as the days of an expired (not_effective) service
    s = termed()
    s.action("activate", "2026-01-10")
    s.action("extend_term", "2026-01-20", days=10, status="cancelled",
             status_changed_at="2026-02-05T09:00:00")
    s.load(con)
    run(con, "2026-02-01")
    assert invoice_lines(con)[-1] == (
        "SV1", "proration", "2026-02-01", "2026-02-20", 19, 28, D("21.04"))
    run(con, "2026-02-05")
    assert credit_lines(con) == [
        ("SV1", "deactivation_credit", "2026-02-10", "2026-02-20", D("11.08"),
         "INV-S1-2026-02-01")]


def test_set_auto_renew_false_then_the_term_expires(con):
    # activated Jan 10, one cycle, auto_renew: Feb is pre-billed in full on Feb 1 (31.00).
    # set_auto_renew false on Feb 5, inside the first term: it expires Feb 10 instead of
    # renewing; February is worth 9/28 x 31.00 = 9.96, credit 31.00 - 9.96 = 21.04
    s = termed(auto_renew=True)
    s.action("activate", "2026-01-10")
    s.action("set_auto_renew", "2026-02-05", auto_renew=False)
    s.load(con)
    run(con, "2026-02-01")
    assert invoice_lines(con)[-1] == (
        "SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))
    run(con, "2026-02-05")
    assert credit_lines(con) == [
        ("SV1", "deactivation_credit", "2026-02-10", "2026-03-01", D("21.04"),
         "INV-S1-2026-02-01")]
    assert run(con, "2026-03-01").invoices == 0
    assert states(con)[-1] == ("not_effective", "2026-02-10", "2026-03-01")


def test_set_auto_renew_true_renews_a_term_that_would_expire(con):
    # one cycle from Jan 1 that would expire Feb 1; turned on on Jan 20: Feb billed in full
    s = termed()
    s.action("activate", "2026-01-01")
    s.action("set_auto_renew", "2026-01-20", auto_renew=True)
    s.load(con)
    run(con, "2026-02-01")
    assert invoice_lines(con)[-1] == (
        "SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))
    assert rejections(con) == []


def test_renew_of_an_expired_service_restarts_billing_prorated(con):
    # one cycle from Jan 1, no renewal: expired from Feb 1. Renewed Feb 15: Feb 15..Mar 1 =
    # 14/28 x 31.00 = 15.50; the new term runs one cycle to Mar 15 and expires (auto_renew
    # is still false): Mar 1..15 = 14.00
    s = termed()
    s.action("activate", "2026-01-01")
    s.action("renew", "2026-02-15")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    run(con, "2026-02-15")
    run(con, "2026-03-01")
    run(con, "2026-04-01")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV1", "proration", "2026-02-15", "2026-03-01", 14, 28, D("15.50")),
        ("SV1", "proration", "2026-03-01", "2026-03-15", 14, 31, D("14.00"))]
    assert [state[:2] for state in states(con)] == [
        ("effective", "2026-01-01"), ("not_effective", "2026-02-01"),
        ("effective", "2026-02-15"), ("not_effective", "2026-03-15")]
    assert subscription_states(con) == [
        ("active", "2026-01-01"), ("inactive", "2026-02-01"), ("active", "2026-02-15"),
        ("inactive", "2026-03-15")]


def test_renew_on_the_day_of_expiry_leaves_no_gap(con):
    # expires Feb 1, renewed Feb 1: February billed in full; the new term ends Mar 1
    s = termed()
    s.action("activate", "2026-01-01")
    s.action("renew", "2026-02-01")
    s.load(con)
    run(con, "2026-03-01")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00"))]


def test_extend_term_bills_the_extra_days_prorated(con):
    # one cycle from Jan 1 ends Feb 1; extended by 10 days on Jan 20: Feb 1..11 =
    # 10/28 x 31.00 = 11.0714 -> 11.07, then expired
    s = termed()
    s.action("activate", "2026-01-01")
    s.action("extend_term", "2026-01-20", days=10)
    s.load(con)
    run(con, "2026-03-01")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV1", "proration", "2026-02-01", "2026-02-11", 10, 28, D("11.07"))]
    assert states(con) == [("not_effective", "2026-02-11", "2026-03-01")]


def test_extend_term_shifts_the_later_terms_too(con):
    # one renewing cycle from Jan 1, extended by 10 days on Jan 20: the terms end Feb 11,
    # Mar 11, ... Turned off on Feb 15 (inside the second term): it expires Mar 11.
    # Mar 1..11 = 10/31 x 31.00 = 10.00
    s = termed(auto_renew=True)
    s.action("activate", "2026-01-01")
    s.action("extend_term", "2026-01-20", days=10)
    s.action("set_auto_renew", "2026-02-15", auto_renew=False)
    s.load(con)
    run(con, "2026-04-01")
    assert [line[1:] for line in invoice_lines(con)] == [
        ("recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00")),
        ("proration", "2026-03-01", "2026-03-11", 10, 31, D("10.00"))]


def test_a_term_counts_from_the_end_of_the_trial(con):
    # a 14-day trial from Jan 1: the term (one cycle) runs Jan 15..Feb 15. Jan 15..31 =
    # 17.00; Feb 1..15 = 14/28 x 31.00 = 15.50
    s = termed(trial_days=14)
    s.action("activate", "2026-01-01")
    s.load(con)
    run(con, "2026-03-01")
    assert [line[1:] for line in invoice_lines(con)] == [
        ("proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00")),
        ("proration", "2026-02-01", "2026-02-15", 14, 28, D("15.50"))]


def test_weekly_terms_count_whole_weeks(con):
    # 7.00 a week from Mondays, two cycles from Mon Jan 5: expires Mon Jan 19. Renewed Wed
    # Jan 21: Jan 21..26 = 5/7 x 7.00 = 5.00; the new term ends Feb 4: Feb 2..4 = 2.00
    s = Scenario().simple(amount="7.00", cycle="week", termed_cycles=2, auto_renew=False)
    s.action("activate", "2026-01-05")
    s.action("renew", "2026-01-21")
    s.load(con)
    run(con, "2026-02-16")
    assert [line[1:] for line in invoice_lines(con)] == [
        ("recurring", "2026-01-05", "2026-01-12", 7, 7, D("7.00")),
        ("recurring", "2026-01-12", "2026-01-19", 7, 7, D("7.00")),
        ("proration", "2026-01-21", "2026-01-26", 5, 7, D("5.00")),
        ("recurring", "2026-01-26", "2026-02-02", 7, 7, D("7.00")),
        ("proration", "2026-02-02", "2026-02-04", 2, 7, D("2.00"))]


def test_month_end_terms_are_clamped_on_the_first_billable_day(con):
    # billing day 31, anniversary from Jan 31, one renewing cycle: the terms end Feb 28,
    # Mar 31, ... Turned off on Mar 5: it expires Mar 31, so April is not billed
    s = Scenario().simple(amount="31.00", method="anniversary", termed_cycles=1,
                          auto_renew=True)
    s.action("activate", "2026-01-31")
    s.action("set_auto_renew", "2026-03-05", auto_renew=False)
    s.load(con)
    run(con, "2026-04-30")
    assert [line[2:4] for line in invoice_lines(con)] == [
        ("2026-01-31", "2026-02-28"), ("2026-02-28", "2026-03-31")]


# --- rejections ------------------------------------------------------------------------------


def test_renew_of_a_service_that_has_not_expired(con):
    s = termed(auto_renew=True)
    s.action("activate", "2026-01-01")
    s.action("renew", "2026-02-10", action_id="R1")
    s.load(con)
    run(con, "2026-03-01")
    assert rejections(con) == [("R1", "not_expired")]
    assert len(invoice_lines(con)) == 3  # Jan, Feb, Mar in full: nothing changed


def test_term_actions_on_a_service_without_a_term(con):
    s = Scenario().simple(amount="31.00")
    s.action("activate", "2026-01-01")
    s.action("renew", "2026-01-10", action_id="R1")
    s.action("set_auto_renew", "2026-01-11", auto_renew=False, action_id="R2")
    s.action("extend_term", "2026-01-12", days=5, action_id="R3")
    s.load(con)
    run(con, "2026-02-01")
    assert rejections(con) == [("R1", "not_termed"), ("R2", "not_termed"),
                               ("R3", "not_termed")]
    assert [line[6] for line in invoice_lines(con)] == [D("31.00"), D("31.00")]


def test_set_auto_renew_and_extend_term_of_an_expired_service(con):
    # expired Feb 1: turning auto_renew on or extending is refused; renew is the way back
    s = termed()
    s.action("activate", "2026-01-01")
    s.action("set_auto_renew", "2026-02-03", auto_renew=True, action_id="R1")
    s.action("extend_term", "2026-02-04", days=30, action_id="R2")
    s.load(con)
    run(con, "2026-03-01")
    assert rejections(con) == [("R1", "invalid_transition:not_effective"),
                               ("R2", "invalid_transition:not_effective")]
    assert len(invoice_lines(con)) == 1


def test_term_actions_of_a_draft_cancelled_or_deactivated_service(con):
    s = termed()
    s.service("SV2")
    s.service("SV3")
    s.action("renew", "2026-01-05", action_id="R1")  # SV1 never activated
    s.action("activate", "2026-01-01", service_id="SV2")
    s.action("cancel", "2026-01-10", service_id="SV2")
    s.action("renew", "2026-02-10", service_id="SV2", action_id="R2")
    s.action("extend_term", "2026-01-15", service_id="SV2", days=5, action_id="R3")
    s.action("activate", "2026-01-01", service_id="SV3")
    s.action("deactivate", "2026-02-05", service_id="SV3")  # after it expired on Feb 1
    s.action("renew", "2026-02-10", service_id="SV3", action_id="R4")
    s.load(con)
    run(con, "2026-03-01")
    assert rejections(con) == [
        ("R1", "invalid_transition:draft"), ("R2", "invalid_transition:cancelled"),
        ("R3", "invalid_transition:cancelled"), ("R4", "invalid_transition:not_effective")]
    # SV2 Jan 1..10 = 9.00; SV3 January = 31.00, nothing after
    assert sorted((line[0], line[6]) for line in invoice_lines(con)) == [
        ("SV2", D("9.00")), ("SV3", D("31.00"))]


def test_a_subscription_level_renew_rejects_nothing(con):
    # service_id null: renews the expired SV1, leaves the term-less SV2 alone
    s = termed()
    s.price_term("PT2", amount="31.00")
    s.service("SV2", price_term_id="PT2")
    s.action("activate", "2026-01-01", service_id=None)
    s.action("renew", "2026-02-15", service_id=None)
    s.load(con)
    run(con, "2026-02-15")
    assert rejections(con) == []
    assert ("SV1", "proration", "2026-02-15", "2026-03-01", 14, 28, D("15.50")) in \
        invoice_lines(con)
