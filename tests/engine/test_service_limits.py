"""Service limits (`service_limit_<classification>`, domain.md §9): an account of a class may
have at most that many services that are not cancelled or regretted; an order beyond it is
refused (`service_limit`) and never billed. 31.00 a month, billing day 1, pre-bill: a service
activated on Jan d is billed (32 - d)/31 x 31.00 = (32 - d).00 for the rest of January."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, rejections, run, scope

D = Decimal


def residential(limit: int | None = 2, valid_from: str = "2000-01-01") -> Scenario:
    """ACC1 (residential) with subscription S1 and the product P1 at 31.00 a month."""
    s = Scenario()
    s.account(classification="residential")
    s.product()
    s.price_term(amount="31.00")
    s.subscription()
    if limit is not None:
        s.rule("service_limit_residential", limit, valid_from=valid_from)
    return s


def order(s: Scenario, service_id: str, ordered_on: str, activated_on: str | None = None,
          subscription_id: str = "S1") -> None:
    s.service(service_id, subscription_id, ordered_on=ordered_on)
    if activated_on:
        s.action("activate", activated_on, service_id=service_id,
                 subscription_id=subscription_id, action_id=f"ACT-{service_id}")


def test_the_order_beyond_the_limit_is_refused_and_never_billed(con):
    # limit 2: SV1 and SV2 (ordered first) are billed Jan 10..Feb 1 = 22.00 each; SV3 is not
    s = residential(2)
    for service_id, ordered_on in (("SV1", "2026-01-01"), ("SV2", "2026-01-02"),
                                   ("SV3", "2026-01-03")):
        order(s, service_id, ordered_on, "2026-01-10")
    s.load(con)
    run(con, "2026-01-10")
    assert sorted(invoice_lines(con)) == [
        ("SV1", "proration", "2026-01-10", "2026-02-01", 22, 31, D("22.00")),
        ("SV2", "proration", "2026-01-10", "2026-02-01", 22, 31, D("22.00")),
    ]
    assert rejections(con) == [("ACT-SV3", "service_limit")]
    # SV3 stays draft since its order (Jan 3)
    assert con.execute(
        "SELECT state, since::VARCHAR FROM published.service_states WHERE service_id = 'SV3'"
    ).fetchall() == [("draft", "2026-01-03")]


def test_another_classification_and_an_unclassified_account_have_no_limit(con):
    # the limit names residential: ACC2 (business) and ACC3 (no class) bill all three
    s = residential(1)
    for account_id, classification in (("ACC2", "business"), ("ACC3", None)):
        s.account(account_id, classification=classification)
        s.subscription(f"S-{account_id}", account_id=account_id)
        for n in (1, 2, 3):
            order(s, f"{account_id}-SV{n}", f"2026-01-0{n}", "2026-01-10",
                  subscription_id=f"S-{account_id}")
    s.load(con)
    run(con, "2026-01-10")
    assert len(invoice_lines(con)) == 6
    assert {line[6] for line in invoice_lines(con)} == {D("22.00")}
    assert rejections(con) == []


def test_a_cancelled_service_frees_its_place(con):
    # limit 1: SV1 active from Jan 1, cancelled Jan 20 (12/31 of 31.00 = 12.00 credited);
    # SV2 ordered and activated Jan 20 is within the limit: Jan 20..Feb 1 = 12.00
    s = residential(1)
    order(s, "SV1", "2026-01-01", "2026-01-01")
    s.action("cancel", "2026-01-20", service_id="SV1")
    order(s, "SV2", "2026-01-20", "2026-01-20")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-20")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV2", "proration", "2026-01-20", "2026-02-01", 12, 31, D("12.00")),
    ]
    assert [(line[0], line[4]) for line in credit_lines(con)] == [("SV1", D("12.00"))]
    assert rejections(con) == []


def test_a_refused_order_never_counts(con):
    # limit 1: SV2 (ordered Jan 5 while SV1 lives) is refused; SV1 is cancelled Jan 10; SV3
    # ordered Jan 12 counts only SV1, churned: accepted, Jan 12..Feb 1 = 20.00. SV1 was
    # billed 31.00 on Jan 1 and 22/31 of it (Jan 10..Feb 1) = 22.00 is credited.
    s = residential(1)
    order(s, "SV1", "2026-01-01", "2026-01-01")
    order(s, "SV2", "2026-01-05", "2026-01-05")
    s.action("cancel", "2026-01-10", service_id="SV1")
    order(s, "SV3", "2026-01-12", "2026-01-12")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-12")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV3", "proration", "2026-01-12", "2026-02-01", 20, 31, D("20.00")),
    ]
    assert [(line[0], line[4]) for line in credit_lines(con)] == [("SV1", D("22.00"))]
    assert rejections(con) == [("ACT-SV2", "service_limit")]


def test_a_draft_order_counts(con):
    # limit 1: SV1 ordered and never activated is not churned: SV2's order is refused
    s = residential(1)
    order(s, "SV1", "2026-01-01")
    order(s, "SV2", "2026-01-05", "2026-01-05")
    s.load(con)
    run(con, "2026-01-05")
    assert invoice_lines(con) == []
    assert rejections(con) == [("ACT-SV2", "service_limit")]


def test_the_limit_is_read_on_the_order_date(con):
    # limit 1 from Feb 1: the two January orders stand (both billed Feb 1..Mar 1, 31.00);
    # SV3 ordered Feb 2 finds two live services and is refused
    s = residential(1, valid_from="2026-02-01")
    order(s, "SV1", "2026-01-01", "2026-02-01")
    order(s, "SV2", "2026-01-15", "2026-02-01")
    order(s, "SV3", "2026-02-02", "2026-02-02")
    s.load(con)
    run(con, "2026-02-02")
    assert sorted(invoice_lines(con)) == [
        ("SV1", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00")),
        ("SV2", "recurring", "2026-02-01", "2026-03-01", 28, 28, D("31.00")),
    ]
    assert rejections(con) == [("ACT-SV3", "service_limit")]


def test_a_subscription_activation_is_refused_for_the_service_beyond_the_limit(con):
    # one subscription-level activate on Jan 10 reaches SV1..SV3: SV1 and SV2 are billed
    # 22.00, and the refusal is published for SV3
    s = residential(2)
    for n in (1, 2, 3):
        order(s, f"SV{n}", f"2026-01-0{n}")
    s.action("activate", "2026-01-10", service_id=None, action_id="ACT-S1")
    s.load(con)
    run(con, "2026-01-10")
    assert sorted(line[0] for line in invoice_lines(con)) == ["SV1", "SV2"]
    assert con.execute(
        "SELECT action_id, service_id, reason FROM published.action_rejections"
    ).fetchall() == [("ACT-S1", "SV3", "service_limit")]


def test_a_backdated_cancel_recorded_later_lets_the_refused_order_in(con):
    # limit 1 across the account's two subscriptions. Jan 10: SV2 (S2) is refused while SV1
    # (S1, billed 31.00 on Jan 1) lives. On Jan 20 a cancel of SV1 dated Jan 5 is recorded:
    # SV1 churned before SV2's order, so SV2 is within the limit after all. The Jan 20 run
    # credits SV1 Jan 5..Feb 1 = 27.00 and bills SV2 Jan 10..Feb 1 = 22.00; S2 itself did not
    # change: it is computed because its account is.
    s = residential(1)
    s.subscription("S2")
    order(s, "SV1", "2026-01-01", "2026-01-01")
    order(s, "SV2", "2026-01-10", "2026-01-10", subscription_id="S2")
    s.action("cancel", "2026-01-05", service_id="SV1", recorded_at="2026-01-20")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-10")
    assert rejections(con) == [("ACT-SV2", "service_limit")]
    run(con, "2026-01-20")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00")),
        ("SV2", "proration", "2026-01-10", "2026-02-01", 22, 31, D("22.00")),
    ]
    assert [(line[0], line[4]) for line in credit_lines(con)] == [("SV1", D("27.00"))]


def test_a_service_limit_is_no_longer_deferred(con):
    s = residential(2)
    order(s, "SV1", "2026-01-01", "2026-01-01")
    s.load(con)
    run(con, "2026-01-01")
    assert con.execute(
        "SELECT kind, name FROM published.bill_run_deferred").fetchall() == []


def test_a_run_that_bills_only_one_subscription_still_counts_the_others(con):
    # limit 2 over two subscriptions: SV1 (S1, ordered Jan 1) and SV2 (S2, Jan 2) are
    # accepted, SV3 (S2, Jan 3) is refused. S2 bills on the 10th, S1 on the 1st: on Feb 10
    # only S2 falls due, but its orders are judged over the account, so S1 is computed with
    # it and SV3 stays refused: only SV2's Feb 10..Mar 10 is billed, 31.00 (judged alone, S2
    # would have room for SV3 and bill it)
    s = residential(2)
    s.subscription("S2", billing_day=10)
    order(s, "SV1", "2026-01-01", "2026-01-10")
    order(s, "SV2", "2026-01-02", "2026-01-10", subscription_id="S2")
    order(s, "SV3", "2026-01-03", "2026-01-10", subscription_id="S2")
    s.load(con)
    run(con, "2026-01-31")
    run(con, "2026-02-01")
    run(con, "2026-02-10")
    assert scope(con) == [("S1", "account"), ("S2", "due")]
    assert invoice_lines(con, "BR-2026-02-10-1") == [
        ("SV2", "recurring", "2026-02-10", "2026-03-10", 28, 28, D("31.00"))]
    assert rejections(con) == [("ACT-SV3", "service_limit")]


def test_a_new_classification_in_a_later_load_rejudges_the_accounts_orders(con):
    # limit 1 for residential: SV2 (ordered Jan 2) is refused, SV1 billed Jan 10..Feb 1 =
    # 22.00. A load of Jan 20 makes ACC1 business (no limit): its subscription is recomputed
    # on Jan 20 although nothing of it is due, and SV2 is billed Jan 10..Feb 1 = 22.00, as a
    # full run would bill it (the classification is read from the snapshot for every date)
    s = residential(1)
    order(s, "SV1", "2026-01-01", "2026-01-10")
    order(s, "SV2", "2026-01-02", "2026-01-10")
    s.load(con)
    run(con, "2026-01-10")
    assert rejections(con) == [("ACT-SV2", "service_limit")]
    s.tables["accounts"][0]["classification"] = "business"
    s.load(con, load_id="L2")
    run(con, "2026-01-20")
    assert scope(con) == [("S1", "changed")]
    assert invoice_lines(con, "BR-2026-01-20-1") == [
        ("SV2", "proration", "2026-01-10", "2026-02-01", 22, 31, D("22.00"))]
    # SV2's published state moves from draft (Jan 3) to effective from its activation
    assert con.execute(
        "SELECT state, since::VARCHAR FROM published.service_states WHERE service_id = 'SV2' "
        "AND bill_run_id = 'BR-2026-01-20-1'"
    ).fetchall() == [("effective", "2026-01-10")]
