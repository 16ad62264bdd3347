"""trial_once_per (domain.md §6): a contact gets a product's trial once (`service`, the
default) or one trial at all (`contact`). 31.00 a month, billing day 1, pre-bill, a 14-day
trial: a service activated on Jan 1 with its trial is billed from Jan 15 (17 of January's 31
days = 17.00); one without it is billed from its activation."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, run, scope

D = Decimal


def contact(rule: str | None = None) -> Scenario:
    """One account with two subscriptions; S1's service P1 activated Jan 1."""
    s = Scenario()
    s.account()
    for product in ("P1", "P2"):
        s.product(product)
        s.price_term(f"PT-{product}", amount="31.00", product_id=product, trial_days=14)
    for sub in ("S1", "S2"):
        s.subscription(sub)
    s.service("SV1", "S1", "P1", "PT-P1")
    s.action("activate", "2026-01-01", service_id="SV1", subscription_id="S1")
    if rule:
        s.rule("trial_once_per", rule)
    return s


def bill_a_second_p1_service(con, s: Scenario) -> None:
    """SV2 (P1 again, S2) activated Jan 11, run on Jan 15: no trial, Jan 11..Feb 1 = 21/31 x
    31.00 = 21.00."""
    s.service("SV2", "S2", "P1", "PT-P1")
    s.action("activate", "2026-01-11", service_id="SV2", subscription_id="S2")
    s.load(con)
    run(con, "2026-01-15")
    assert sorted(invoice_lines(con)) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00")),
        ("SV2", "proration", "2026-01-11", "2026-02-01", 21, 31, D("21.00")),
    ]


def p1_on_two_billing_days() -> Scenario:
    """One account: SV1 (P1) in S1, billed on the 1st, and SV2 (P1) in S2, billed on the 10th;
    neither activated."""
    s = Scenario()
    s.account()
    s.product("P1")
    s.price_term("PT-P1", amount="31.00", product_id="P1", trial_days=14)
    s.subscription("S1")
    s.subscription("S2", billing_day=10)
    s.service("SV1", "S1", "P1", "PT-P1")
    s.service("SV2", "S2", "P1", "PT-P1")
    return s


def test_a_second_service_of_the_same_product_gets_no_trial(con):
    bill_a_second_p1_service(con, contact())


def test_under_service_another_product_has_its_own_trial(con):
    # SV2 (P2) activated Jan 11 keeps its trial: billed from Jan 25, 7/31 x 31.00 = 7.00
    s = contact()
    s.service("SV2", "S2", "P2", "PT-P2")
    s.action("activate", "2026-01-11", service_id="SV2", subscription_id="S2")
    s.load(con)
    run(con, "2026-01-25")
    assert sorted(invoice_lines(con)) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00")),
        ("SV2", "proration", "2026-01-25", "2026-02-01", 7, 31, D("7.00")),
    ]


def test_under_contact_any_earlier_trial_counts(con):
    # trial_once_per = contact: SV2 (P2) gets none either, billed from Jan 11: 21.00
    s = contact("contact")
    s.service("SV2", "S2", "P2", "PT-P2")
    s.action("activate", "2026-01-11", service_id="SV2", subscription_id="S2")
    s.load(con)
    run(con, "2026-01-15")
    assert sorted(invoice_lines(con)) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00")),
        ("SV2", "proration", "2026-01-11", "2026-02-01", 21, 31, D("21.00")),
    ]


def test_another_contact_has_its_own_trial(con):
    # ACC2's service of the same product keeps its trial: Jan 25..Feb 1 = 7.00
    s = contact()
    s.account("ACC2")
    s.subscription("S3", account_id="ACC2")
    s.service("SV3", "S3", "P1", "PT-P1")
    s.action("activate", "2026-01-11", service_id="SV3", subscription_id="S3")
    s.load(con)
    run(con, "2026-01-25")
    assert sorted(invoice_lines(con)) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00")),
        ("SV3", "proration", "2026-01-25", "2026-02-01", 7, 31, D("7.00")),
    ]


def test_a_backdated_earlier_activation_takes_the_trial_and_corrects_the_other(con):
    # Jan 15 run: SV1 billed 17.00 from its trial's end. On Jan 20 an activation of SV2
    # dated Dec 20 is recorded: SV2 had the contact's trial first (Dec 20 + 14 = Jan 3), so
    # SV1 has none and owes Jan 1..15 too: 31.00 - 17.00 = 14.00 more, and SV2 is billed from
    # Jan 3: 29/31 x 31.00 = 29.00. SV1's subscription is not changed itself: it is computed
    # because its account is.
    s = contact()
    s.service("SV2", "S2", "P1", "PT-P1")
    s.load(con)
    run(con, "2026-01-15")
    s.action("activate", "2025-12-20", service_id="SV2", subscription_id="S2",
             recorded_at="2026-01-20")
    s.load(con, "L2")
    summary = run(con, "2026-01-20")
    assert summary.invoices == 2
    assert sorted(invoice_lines(con)) == [
        ("SV1", "correction", "2026-01-01", "2026-02-01", 14, 31, D("14.00")),
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00")),
        ("SV2", "proration", "2026-01-03", "2026-02-01", 29, 31, D("29.00")),
    ]


def test_a_run_that_bills_only_the_later_subscription_still_refuses_its_trial(con):
    # S2 bills on the 10th, S1 on the 1st. SV1 (S1) had P1's trial from Jan 1; SV2 (P1, S2,
    # activated Jan 11) has none: its first period Jan 10..Feb 10 is billed from Jan 11 on
    # Jan 31, 30/31 x 31.00 = 30.00. On Feb 10 only S2 falls due, but SV2's trial is decided
    # over the account, so S1 is computed with it: Feb 10..Mar 10 is billed whole (31.00) and
    # nothing of January is credited (computed alone, SV2 would get the trial and a credit of
    # Jan 11..25, 14.00)
    s = p1_on_two_billing_days()
    s.action("activate", "2026-01-01", service_id="SV1", subscription_id="S1")
    s.action("activate", "2026-01-11", service_id="SV2", subscription_id="S2")
    s.load(con)
    run(con, "2026-01-31")
    assert sorted(invoice_lines(con)) == [
        ("SV1", "proration", "2026-01-15", "2026-02-01", 17, 31, D("17.00")),
        ("SV2", "proration", "2026-01-11", "2026-02-10", 30, 31, D("30.00")),
    ]
    run(con, "2026-02-01")
    run(con, "2026-02-10")
    assert scope(con) == [("S1", "account"), ("S2", "due")]
    assert invoice_lines(con, "BR-2026-02-10-1") == [
        ("SV2", "recurring", "2026-02-10", "2026-03-10", 28, 28, D("31.00"))]
    assert credit_lines(con) == []


def test_a_subscription_moved_to_another_account_returns_the_trial_it_had_taken(con):
    # SV2 (P1, S2) gets no trial on Jan 11: S1 of the same account had P1's. A load of Jan 20
    # moves S1 to ACC2: ACC1's first P1 service is now SV2, whose trial runs Jan 11..Jan 25,
    # as a full run would judge it. S1 is computed (changed), and with it the subscriptions of
    # the account it left: 14 of the Jan 11..Feb 1 line's days are credited, 14/31 x 31.00 =
    # 14.00
    s = contact()
    s.account("ACC2")
    bill_a_second_p1_service(con, s)
    s.tables["subscriptions"][0]["account_id"] = "ACC2"
    s.load(con, load_id="L2")
    run(con, "2026-01-20")
    assert scope(con) == [("S1", "changed"), ("S2", "account")]
    assert [line[:5] for line in credit_lines(con, "BR-2026-01-20-1")] == [
        ("SV2", "correction", "2026-01-11", "2026-02-01", D("14.00"))]


def test_a_due_subscription_of_an_account_that_changed_is_valued_whole(con):
    # S2 (billing day 10) has SV2, P1 activated Jan 1 with its trial: billed from Jan 15,
    # Jan 15..Feb 10 = 26/31 x 31.00 = 26.00 on Jan 15. On Feb 10 S2 falls due, and an
    # activation of SV1 (P1, S1) dated Dec 20 is recorded: SV1 had the contact's trial
    # first, so SV2 has none and owes Jan 1..10 of the Dec 10..Jan 10 period (9/31 x 31.00 =
    # 9.00, a period that had ended when S2 was last computed) and Jan 10..15 (31.00 - 26.00
    # = 5.00), with Feb 10..Mar 10 billed whole (31.00). SV1 is billed from its trial's end,
    # Jan 3: 29/31 x 31.00 = 29.00, and Feb 1..Mar 1, 31.00.
    s = p1_on_two_billing_days()
    s.action("activate", "2026-01-01", service_id="SV2", subscription_id="S2")
    s.load(con)
    run(con, "2026-01-15")
    assert invoice_lines(con) == [
        ("SV2", "proration", "2026-01-15", "2026-02-10", 26, 31, D("26.00"))]
    s.action("activate", "2025-12-20", service_id="SV1", subscription_id="S1",
             recorded_at="2026-02-10")
    s.load(con, "L2")
    run(con, "2026-02-10")
    assert scope(con) == [("S1", "changed"), ("S2", "due")]
    assert sorted(invoice_lines(con, "BR-2026-02-10-1")) == [
        ("SV1", "proration", "2026-01-03", "2026-02-01", 29, 31, D("29.00")),
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00")),
        ("SV2", "correction", "2026-01-10", "2026-02-10", 5, 31, D("5.00")),
        ("SV2", "proration", "2026-01-01", "2026-01-10", 9, 31, D("9.00")),
        ("SV2", "recurring", "2026-02-10", "2026-03-10", 28, 28, D("31.00")),
    ]
