"""Which subscriptions a run computes (sql/scope/run_scope.sql): the ones whose inputs
changed, whose next date came, or all of them when an input they all share changed. Each case
bills two subscriptions of two accounts, S1 (ACC1) on price term PT1 and S2 (ACC2) on PT2,
and reads the scope of the next run."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import duckdb
from scenario import Scenario, compute_models, credit_lines, invoice_lines, run, scope

from pipelines.engine.catalog import SQL_DIR, ModelCatalog


def periods_valued(con, as_of: str) -> list[tuple[str, str | None, str]]:
    """(reason, valued_from, cycle_start) of the periods a run on as_of would value."""
    compute_models(con, as_of, "billing_periods")
    return con.execute(
        "SELECT r.reason, r.valued_from::VARCHAR, p.cycle_start::VARCHAR "
        "FROM work.billing_periods AS p JOIN work.run_scope AS r USING (subscription_id) "
        "ORDER BY p.cycle_start"
    ).fetchall()


def test_a_day_with_nothing_due_computes_nothing(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    assert run(con, "2026-04-01").subscriptions_in_scope == 2
    assert (run(con, "2026-04-02").subscriptions_in_scope, scope(con)) == (0, [])


def test_a_price_term_edit_reaches_only_the_subscriptions_that_reference_it(con):
    # a new version of PT2 from May 1 (25.00): S2 is recomputed, S1 is left alone, and May is
    # billed to S2 at the new version
    s = Scenario().two_subscriptions()
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
    s = Scenario().two_subscriptions()
    s.product("P2")
    s.tables["price_terms"][1]["product_id"] = "P2"
    s.tables["services"][1]["product_id"] = "P2"
    s.load(con)
    run(con, "2026-04-01")
    s.tables["products"][1]["tier_path"] = "tv"
    s.load(con, load_id="L2")
    run(con, "2026-04-02")
    assert scope(con) == [("S2", "changed")]


def test_the_other_subscriptions_of_a_changed_ones_account_are_computed_whole(con):
    # S3 joins S1's account ACC1 on Apr 2: S1 is computed beside it (an account's trials and
    # state are judged together) and valued whole, since the new one could take its trial
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    s.subscription("S3")
    s.service("SV3", subscription_id="S3")
    s.load(con, load_id="L2")
    assert periods_valued(con, "2026-04-02") == [("account", None, "2026-04-01")]
    assert scope(con) == [("S1", "account"), ("S3", "changed")]


def test_the_other_subscriptions_of_a_due_ones_account_are_computed_like_it(con):
    # S3 of ACC1, activated on Apr 10 as scheduled on Mar 30, is due on Apr 10, when its
    # service's state changes (and with it, maybe, ACC1's): S1, not due itself, is brought in
    # and valued, as a due one is, from its last computation
    s = Scenario().two_subscriptions()
    s.subscription("S3")
    s.service("SV3", subscription_id="S3")
    s.action("activate", "2026-04-10", service_id="SV3", subscription_id="S3",
             recorded_at="2026-03-30", status="scheduled")
    s.load(con)
    run(con, "2026-04-01")
    assert sorted(periods_valued(con, "2026-04-10")) == [
        ("account", "2026-04-01", "2026-04-01"), ("due", "2026-04-01", "2026-04-01")]
    assert scope(con) == [("S1", "account"), ("S3", "due")]


def test_a_subscription_due_only_for_billing_brings_in_no_other(con):
    # ACC1: S1 active from Mar 1, S3 (billing on the 15th) from Apr 1. On Apr 15 S3 is due for
    # its next period and no state of it changes: S1 is left alone. ACC1's state is not read
    # over S3 alone (that would say active since Apr 1): it stays active since Mar 1
    s = Scenario().simple(amount="30.00")
    s.action("activate", "2026-03-01")
    s.subscription("S3", billing_day=15)
    s.service("SV3", subscription_id="S3")
    s.action("activate", "2026-04-01", service_id="SV3", subscription_id="S3")
    s.load(con)
    run(con, "2026-03-01")
    run(con, "2026-04-01")
    assert run(con, "2026-04-15").subscriptions_in_scope == 1
    assert scope(con) == [("S3", "due")]
    assert con.execute(
        "SELECT account_id, state, since::VARCHAR FROM published.subscriber_states"
    ).fetchall() == [("ACC1", "active", "2026-03-01")]


def test_a_business_rule_edit_computes_every_subscription(con):
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    s.rule("payment_terms_days", 30, valid_from="2026-05-01")
    s.load(con, load_id="L2")
    run(con, "2026-04-02")
    assert scope(con) == [("S1", "full"), ("S2", "full")]


def test_a_due_subscription_values_only_the_periods_open_at_its_last_computation(con):
    # monthly from Jan 1, computed on the 1st of each month: on Apr 1 S1 was last computed on
    # Mar 1, when January and February had ended and were billed in full, so the run values
    # March (still open then) and April only, and bills April
    s = Scenario().simple(amount="30.00")
    s.action("activate", "2026-01-01")
    s.load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-03-01"):
        run(con, day)
    assert periods_valued(con, "2026-04-01") == [("due", "2026-03-01", "2026-03-01"),
                                                 ("due", "2026-03-01", "2026-04-01")]
    april = run(con, "2026-04-01")
    assert (april.invoices, april.credit_notes, april.invoice_lines) == (1, 0, 1)


def test_a_service_frozen_at_its_last_computation_is_valued_whole(con):
    # the only version of PT1 starts Mar 1, so the February days of a Feb 10 activation have no
    # price and the service stays frozen run after run (March is not billed either); the
    # ended February never drops out of the valuation. A later load adds a version from
    # Jan 1 at 28.00: February is billed (19/28 x 28.00 = 19.00) and March at 31.00
    s = Scenario().simple(amount="31.00", valid_from="2026-03-01")
    s.action("activate", "2026-02-10")
    s.load(con)
    day = dt.date(2026, 2, 10)
    while day <= dt.date(2026, 3, 3):
        summary = run(con, str(day))
        assert (summary.invoices, summary.frozen_services) == (0, 1)
        day += dt.timedelta(days=1)
    assert periods_valued(con, "2026-03-04")[0] == ("due", None, "2026-02-01")
    s.price_term(amount="28.00", valid_from="2026-01-01")
    s.load(con, load_id="L2")
    run(con, "2026-03-04")
    assert con.execute(
        "SELECT period_start::VARCHAR, period_end::VARCHAR, amount FROM published.invoice_lines "
        "ORDER BY cycle_start"
    ).fetchall() == [("2026-02-10", "2026-03-01", Decimal("19.0000")),
                     ("2026-03-01", "2026-04-01", Decimal("31.0000"))]



def test_the_engine_digest_ignores_comments_and_layout():
    # rewording a header comment or re-indenting a model does not force a full run; a changed
    # expression does
    model = (SQL_DIR / "scope" / "run_scope.sql").read_text()
    base = ModelCatalog().digest()
    reworded = model.replace("-- One row per subscription", "-- A row for each subscription")
    assert ModelCatalog(overrides={"run_scope": reworded.replace("    ", "  ")}).digest() == base
    changed = model.replace("c.wake_on <= :as_of", "c.wake_on < :as_of")
    assert changed != model
    assert ModelCatalog(overrides={"run_scope": changed}).digest() != base


def test_an_action_recorded_after_a_run_brings_its_subscription_in_without_a_new_load(con):
    # the load already holds S1's cancel of Apr 15, recorded on Apr 2 at 10:00: the run of
    # Apr 1 does not see it (its cut-off is Apr 2 00:00) and bills April whole; the run of Apr 2
    # sees it come into force, computes S1 alone (its fingerprint is the same: no load came)
    # and credits Apr 15-30 (period end exclusive), 16/30 of 30.00 = 16.00; Apr 3 has nothing to do
    s = Scenario().two_subscriptions()
    s.action("cancel", "2026-04-15", recorded_at="2026-04-02")
    s.load(con)
    run(con, "2026-04-01")
    assert invoice_lines(con, "BR-2026-04-01-1")[0][6] == Decimal("30.00")
    assert run(con, "2026-04-02").subscriptions_in_scope == 1
    assert scope(con) == [("S1", "changed")]
    assert [(r[0], r[2], r[3], r[4]) for r in credit_lines(con, "BR-2026-04-02-1")] == [
        ("SV1", "2026-04-15", "2026-05-01", Decimal("16.00"))]
    assert run(con, "2026-04-03").subscriptions_in_scope == 0


def test_an_action_withdrawn_after_a_run_brings_its_subscription_in_without_a_new_load(con):
    # S1's cancel of Apr 20 was recorded on Mar 30 and withdrawn (cancelled) on Apr 2 at
    # 12:00: the run of Apr 1 still sees it and bills Apr 1-19, 19/30 of 30.00 = 19.00; the
    # run of Apr 2 sees it withdrawn, computes S1 alone and bills the rest of April on April's
    # key, Apr 20-30: 11/30 of 30.00 = 11.00
    s = Scenario().two_subscriptions()
    s.action("cancel", "2026-04-20", recorded_at="2026-03-30", status="cancelled",
             status_changed_at="2026-04-02T12:00:00")
    s.load(con)
    run(con, "2026-04-01")
    assert [(r[0], r[6]) for r in invoice_lines(con, "BR-2026-04-01-1")] == [
        ("SV1", Decimal("19.00")), ("SV2", Decimal("20.00"))]
    run(con, "2026-04-02")
    assert scope(con) == [("S1", "changed")]
    assert [(r[0], r[2], r[3], r[6]) for r in invoice_lines(con, "BR-2026-04-02-1")] == [
        ("SV1", "2026-04-01", "2026-05-01", Decimal("11.00"))]


def test_a_warehouse_loaded_without_fingerprints_computes_every_subscription(con):
    # a snapshot written by a release that derived no fingerprints: nothing can tell which
    # subscription changed, so each run is full until the next load derives them; the run
    # after that load values each once more (their checkpoints hold no fingerprint), then the
    # runs are incremental again
    s = Scenario().two_subscriptions()
    s.load(con)
    run(con, "2026-04-01")
    con.execute("DELETE FROM upstream.subscription_fingerprints")
    run(con, "2026-04-02")
    assert scope(con) == [("S1", "full"), ("S2", "full")]
    s.load(con, load_id="L2")
    run(con, "2026-04-03")
    assert scope(con) == [("S1", "changed"), ("S2", "changed")]
    assert run(con, "2026-04-04").subscriptions_in_scope == 0


def test_the_load_fingerprint_ignores_an_execution_and_sees_every_column():
    # an executed scheduled action is in force as it was while scheduled: same fingerprint;
    # an edit of any column (here auto_renew, which set_auto_renew reads) changes it
    def fingerprint(**extra) -> int:
        con = duckdb.connect()
        s = Scenario().two_subscriptions()
        s.action("set_auto_renew", "2026-05-01", recorded_at="2026-04-10", **extra)
        s.load(con)
        return con.execute("SELECT fingerprint FROM upstream.subscription_fingerprints "
                           "WHERE subscription_id = 'S1'").fetchall()[0][0]

    scheduled = fingerprint(status="scheduled", auto_renew=False)
    assert fingerprint(status="executed", auto_renew=False) == scheduled
    assert fingerprint(status="scheduled", auto_renew=True) != scheduled


def test_the_load_ties_the_accounts_whose_subscriptions_decide_for_each_other(con):
    # ACC1: two subscriptions with a service that can have a trial (PT-T grants 14 days; S1B
    # only through a change to it) - tied. ACC2: one of two - not. ACC3 (residential, limit 2):
    # three services over two subscriptions - tied; ACC4: two over two - not; ACC5: five in one
    # subscription - not (a subscription's services are always computed together)
    s = Scenario()
    s.product()
    s.price_term("PT1")
    s.price_term("PT-T", trial_days=14)
    s.rule("service_limit_residential", 2)
    layout = {"ACC1": [("PT-T",), ("PT1",)], "ACC2": [("PT-T",), ("PT1",)],
              "ACC3": [("PT1", "PT1"), ("PT1",)], "ACC4": [("PT1",), ("PT1",)],
              "ACC5": [("PT1",) * 5]}
    for account_id, subscriptions in layout.items():
        s.account(account_id, classification="residential" if account_id > "ACC2" else None)
        for n, terms in enumerate(subscriptions):
            sub = f"S{account_id[-1]}{'AB'[n]}"
            s.subscription(sub, account_id=account_id)
            for k, term in enumerate(terms):
                s.service(f"SV{sub}{k}", sub, price_term_id=term)
    s.action("change", "2026-02-01", service_id="SVS1B0", subscription_id="S1B",
             new_price_term_id="PT-T")
    s.load(con)
    assert con.execute("SELECT account_id FROM upstream.tied_accounts ORDER BY 1").fetchall() \
        == [("ACC1",), ("ACC3",)]
