"""Which subscriptions a run computes (int_run_scope): the ones whose inputs changed, whose
next date came, or all of them when an input they all share changed. Each case bills two
subscriptions, S1 on price term PT1 and S2 on PT2, and reads the scope of the next run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from scenario import Scenario, run


def two_subscriptions() -> Scenario:
    s = Scenario().simple(amount="30.00")
    s.price_term("PT2", amount="20.00")
    s.subscription("S2")
    s.service("SV2", subscription_id="S2", price_term_id="PT2")
    s.action("activate", "2026-04-01")
    s.action("activate", "2026-04-01", service_id="SV2", subscription_id="S2")
    return s


def scope(con) -> list[tuple[str, str]]:
    return con.execute(
        "SELECT subscription_id, reason FROM work.int_run_scope ORDER BY subscription_id"
    ).fetchall()


def test_a_day_with_nothing_due_computes_nothing(con):
    s = two_subscriptions()
    s.load(con)
    assert run(con, "2026-04-01").subscriptions_in_scope == 2
    assert (run(con, "2026-04-02").subscriptions_in_scope, scope(con)) == (0, [])


def test_a_price_term_edit_reaches_only_the_subscriptions_that_reference_it(con):
    # a new version of PT2 from May 1 (25.00): S2 is recomputed, S1 is left alone, and May is
    # billed to S2 at the new version
    s = two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    s.price_term("PT2", amount="25.00", valid_from="2026-05-01")
    s.load(con, load_id="L2")
    run(con, "2026-04-02")
    assert scope(con) == [("S2", "changed")]
    run(con, "2026-05-01")
    assert con.execute(
        "SELECT service_id, price_valid_from, amount FROM published.invoice_lines "
        "WHERE cycle_start = '2026-05-01' ORDER BY service_id"
    ).fetchall() == [("SV1", dt.date(2000, 1, 1), Decimal("30.0000")),
                     ("SV2", dt.date(2026, 5, 1), Decimal("25.0000"))]


def test_a_product_edit_reaches_the_subscriptions_of_its_services(con):
    s = two_subscriptions()
    s.product("P2")
    s.tables["price_terms"][1]["product_id"] = "P2"
    s.tables["services"][1]["product_id"] = "P2"
    s.load(con)
    run(con, "2026-04-01")
    s.tables["products"][1]["tier_path"] = "tv"
    s.load(con, load_id="L2")
    run(con, "2026-04-02")
    assert scope(con) == [("S2", "changed")]


def test_a_business_rule_edit_computes_every_subscription(con):
    s = two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    s.rule("payment_terms_days", 30, valid_from="2026-05-01")
    s.load(con, load_id="L2")
    run(con, "2026-04-02")
    assert scope(con) == [("S1", "full"), ("S2", "full")]
