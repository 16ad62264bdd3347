"""Subscription states (domain.md §4): active when a service is effective or paused, churned
when every service is cancelled or regretted, otherwise inactive; published when the state
or its since-date changes."""

from __future__ import annotations

from scenario import Scenario, run


def two_services() -> Scenario:
    """S1 with SV1 and SV2, both ordered on 2020-01-01, 31.00 a month."""
    s = Scenario().simple(amount="31.00")
    s.service("SV2")
    return s


def states(con) -> list[tuple]:
    return con.execute(
        "SELECT as_of::VARCHAR, subscription_id, account_id, state, since::VARCHAR "
        "FROM published.subscription_states ORDER BY as_of, subscription_id").fetchall()


def test_a_subscription_churns_when_its_last_service_is_cancelled(con):
    s = two_services()
    s.action("activate", "2026-01-01")
    s.action("cancel", "2026-01-10")
    s.action("cancel", "2026-01-20", service_id="SV2")
    s.load(con)
    for day in ("2026-01-01", "2026-01-10", "2026-01-15", "2026-01-20"):
        run(con, day)
    assert states(con) == [
        ("2026-01-01", "S1", "ACC1", "active", "2026-01-01"),
        # SV1 cancelled, SV2 still draft: neither active nor churned
        ("2026-01-10", "S1", "ACC1", "inactive", "2026-01-10"),
        ("2026-01-20", "S1", "ACC1", "churned", "2026-01-20"),
    ]


def test_a_pause_keeps_the_subscription_active_since_its_activation(con):
    s = two_services()
    s.action("activate", "2026-01-01")
    s.action("pause", "2026-01-05", days=10)
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-06")
    assert states(con) == [("2026-01-01", "S1", "ACC1", "active", "2026-01-01")]


def test_a_subscription_never_activated_is_inactive_since_its_first_order(con):
    s = two_services()
    s.load(con)
    run(con, "2026-01-01")
    assert states(con) == [("2026-01-01", "S1", "ACC1", "inactive", "2020-01-01")]


def test_one_active_service_among_deactivated_ones_keeps_it_active(con):
    # SV1 from Jan 1, SV2 from Jan 5; SV1 deactivated Jan 8: still active, since Jan 1
    s = two_services()
    s.action("activate", "2026-01-01")
    s.action("activate", "2026-01-05", service_id="SV2")
    s.action("deactivate", "2026-01-08")
    s.action("deactivate", "2026-01-12", service_id="SV2")
    s.load(con)
    run(con, "2026-01-10")
    run(con, "2026-01-12")
    assert states(con) == [
        ("2026-01-10", "S1", "ACC1", "active", "2026-01-01"),
        ("2026-01-12", "S1", "ACC1", "inactive", "2026-01-12"),
    ]


def test_regretting_the_only_service_churns_the_subscription(con):
    s = Scenario().simple(amount="31.00")
    s.action("activate", "2026-01-01")
    s.action("regret", "2026-01-03")
    s.load(con)
    run(con, "2026-01-03")
    assert states(con) == [("2026-01-03", "S1", "ACC1", "churned", "2026-01-03")]


def subscriber_states(con) -> list[tuple]:
    return con.execute(
        "SELECT as_of::VARCHAR, account_id, state, since::VARCHAR "
        "FROM published.subscriber_states ORDER BY as_of, account_id").fetchall()


def test_a_subscriber_is_active_while_any_subscription_is_and_churns_with_the_last(con):
    # ACC1: S1 active Jan 1..cancelled Jan 20; S2 active from Jan 10, cancelled Feb 1. The
    # subscriber stays active since Jan 1 across the hand-over, and churns on Feb 1; S1's own
    # state churns on Jan 20.
    s = Scenario().simple(amount="31.00")
    s.subscription("S2")
    s.service("SV2", subscription_id="S2")
    s.action("activate", "2026-01-01")
    s.action("cancel", "2026-01-20")
    s.action("activate", "2026-01-10", service_id="SV2", subscription_id="S2")
    s.action("cancel", "2026-02-01", service_id="SV2", subscription_id="S2")
    s.load(con)
    for day in ("2026-01-01", "2026-01-10", "2026-01-20", "2026-02-01"):
        run(con, day)
    assert subscriber_states(con) == [
        # S2's service is still draft on Jan 1: the account is active through S1
        ("2026-01-01", "ACC1", "active", "2026-01-01"),
        ("2026-02-01", "ACC1", "churned", "2026-02-01"),
    ]
    assert [r for r in states(con) if r[1] == "S1"] == [
        ("2026-01-01", "S1", "ACC1", "active", "2026-01-01"),
        ("2026-01-20", "S1", "ACC1", "churned", "2026-01-20"),
    ]


def test_a_subscriber_with_a_draft_subscription_left_is_inactive(con):
    # S1 cancelled on Jan 20 while S2's service was never activated: inactive, not churned
    s = Scenario().simple(amount="31.00")
    s.subscription("S2")
    s.service("SV2", subscription_id="S2", ordered_on="2026-01-05")
    s.action("activate", "2026-01-01")
    s.action("cancel", "2026-01-20")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-01-20")
    assert subscriber_states(con) == [
        ("2026-01-01", "ACC1", "active", "2026-01-01"),
        ("2026-01-20", "ACC1", "inactive", "2026-01-20"),
    ]
