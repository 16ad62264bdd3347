"""No-billing services (domain.md §6) are never invoiced, but they have states like any other
service: service_states publishes them and subscription_states counts them (domain.md §4).
A subscription with billing_cycle `none` holds one-time and no-billing services; a termed or
device service in one cannot be billed and is left out (counted as deferred; the loader
quarantines it, tests/pipelines). The termed service: 31.00 a month, billing day 1."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, rejections, run

D = Decimal


def with_support(cycle="month") -> Scenario:
    """A subscription (cycle `cycle`) with a no-billing support service SV2, and in a cycled
    one a termed service SV1 at 31.00 a month."""
    s = Scenario()
    s.account()
    s.product("P1")
    s.product("SUPPORT", kind="no_billing")
    s.price_term("PT1", amount="31.00")
    s.price_term("PT-SUP", amount="0", product_id="SUPPORT", cycle=None)
    if cycle == "none":
        s.subscription(cycle="none", model=None, method=None, bill_days_before=None)
    else:
        s.subscription(cycle=cycle)
        s.service("SV1")
    s.service("SV2", product_id="SUPPORT", price_term_id="PT-SUP")
    return s


def service_states(con) -> list[tuple]:
    return con.execute(
        "SELECT service_id, state, since::VARCHAR, as_of::VARCHAR FROM published.service_states "
        "ORDER BY as_of, service_id").fetchall()


def subscription_states(con) -> list[tuple]:
    return con.execute(
        "SELECT state, since::VARCHAR, as_of::VARCHAR FROM published.subscription_states "
        "ORDER BY as_of").fetchall()


def test_never_invoiced_but_its_states_are_published(con):
    # a no-billing service in a `none` subscription: ordered Jan 1 (draft), activated Mar 10,
    # paused Apr 1 for 10 days, cancelled May 1; no invoice ever, every state published
    s = with_support(cycle="none")
    s.action("activate", "2026-03-10", service_id="SV2", recorded_at="2026-03-10")
    s.action("pause", "2026-04-01", service_id="SV2", recorded_at="2026-04-01", days=10)
    s.action("cancel", "2026-05-01", service_id="SV2", recorded_at="2026-05-01")
    s.load(con)
    for day in ("2026-03-01", "2026-03-10", "2026-04-01", "2026-04-11", "2026-05-01"):
        summary = run(con, day)
        assert (summary.invoices, summary.credit_notes) == (0, 0)
    assert invoice_lines(con) == [] and credit_lines(con) == []
    assert service_states(con) == [
        ("SV2", "draft", "2020-01-01", "2026-03-01"),
        ("SV2", "effective", "2026-03-10", "2026-03-10"),
        ("SV2", "paused", "2026-04-01", "2026-04-01"),
        ("SV2", "effective", "2026-04-11", "2026-04-11"),
        ("SV2", "cancelled", "2026-05-01", "2026-05-01")]
    # the subscription: inactive while draft, active from Mar 10 (paused counts as active),
    # churned when its only service is cancelled
    assert subscription_states(con) == [
        ("inactive", "2020-01-01", "2026-03-01"),
        ("active", "2026-03-10", "2026-03-10"),
        ("churned", "2026-05-01", "2026-05-01")]


def test_a_no_billing_service_keeps_its_subscription_active(con):
    # termed SV1 and no-billing SV2 activated Jan 1; SV1 cancelled Feb 1: the subscription stays
    # active, because SV2 is effective. Only SV1 is invoiced: January 31.00
    s = with_support()
    s.action("activate", "2026-01-01", service_id=None)
    s.action("cancel", "2026-02-01", service_id="SV1", recorded_at="2026-02-01")
    s.load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    assert invoice_lines(con) == [
        ("SV1", "recurring", "2026-01-01", "2026-02-01", 31, 31, D("31.00"))]
    assert subscription_states(con) == [("active", "2026-01-01", "2026-01-01")]
    assert service_states(con)[-1] == ("SV1", "cancelled", "2026-02-01", "2026-02-01")


def test_a_no_billing_service_follows_the_state_machine(con):
    # a resume of a service that is not paused is rejected like any other; a regret within the
    # window makes it regretted and refunds nothing (nothing was invoiced)
    s = with_support(cycle="none")
    s.action("activate", "2026-03-10", service_id="SV2", action_id="X1")
    s.action("resume", "2026-03-11", service_id="SV2", action_id="X2")
    s.action("regret", "2026-03-12", service_id="SV2", action_id="X3")
    s.load(con)
    summary = run(con, "2026-03-12")
    assert (summary.invoices, summary.credit_notes) == (0, 0)
    assert rejections(con) == [("X2", "invalid_transition:effective")]
    assert service_states(con) == [("SV2", "regretted", "2026-03-12", "2026-03-12")]


def test_a_termed_service_in_a_none_subscription_is_left_out_and_counted(con):
    # billing_cycle none has no periods: a termed service there is never billed, has no state,
    # and the run counts it as deferred; the no-billing service beside it works
    s = with_support(cycle="none")
    s.service("SV1")
    s.action("activate", "2026-03-10", service_id=None)
    s.load(con)
    summary = run(con, "2026-03-17")
    assert summary.invoices == 0
    assert run(con, "2026-04-10").invoices == 0
    assert [r[0] for r in service_states(con)] == ["SV2"]
    deferred = con.execute(
        "SELECT kind, name, rows_count FROM published.bill_run_deferred "
        "WHERE bill_run_id = ?", [summary.bill_run_id]).fetchall()
    assert deferred == [("product_kind", "termed:billing_cycle_none", 1)]


def test_one_time_and_no_billing_are_not_deferred(con):
    s = with_support()
    s.product("INSTALL", kind="one_time")
    s.price_term("PT-INST", amount="49.90", product_id="INSTALL", cycle=None)
    s.service("SV3", product_id="INSTALL", price_term_id="PT-INST")
    s.load(con)
    summary = run(con, "2026-03-10")
    assert con.execute("SELECT COUNT(*) FROM published.bill_run_deferred WHERE bill_run_id = ?",
                       [summary.bill_run_id]).fetchone() == (0,)
