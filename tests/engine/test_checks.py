"""The gate every publish passes (pipelines/engine/checks.py): each check of sql/checks/ and
the published grains, fed a draft that violates it, refuses the run and nothing is
published. The violating drafts come from a deliberately broken model (ModelCatalog
overrides) or from tampered warehouse rows, never from a fake of the check itself."""

from __future__ import annotations

import pytest
from scenario import Scenario, run

from pipelines.engine.bill_run import InvariantFailed
from pipelines.engine.catalog import SQL_DIR, ModelCatalog
from pipelines.engine.checks import GRAINS_CHECK, check_names

PUBLISHED = ("bill_runs", "invoices", "invoice_lines", "credit_notes", "credit_note_lines",
             "payment_requests", "service_states", "subscription_checkpoints")


def world() -> Scenario:
    """Two services of one subscription, 31.00 a month with 19% tax, activated Jan 1 and
    cancelled Feb 11 (recorded then): January invoiced, then February, then credited."""
    s = Scenario().simple(amount="31.00", tax_rate="0.19")
    s.payment_method("CARD")
    s.service("SV2")
    s.action("activate", "2026-01-01", service_id=None)
    s.action("cancel", "2026-02-11", service_id="SV2")
    return s


def broken(model: str, old: str, new: str) -> ModelCatalog:
    """The catalog with one model's text changed (`old` must occur in it)."""
    path = next(SQL_DIR.glob(f"*/{model}.sql"))
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    return ModelCatalog(overrides={model: text.replace(old, new)})


def counts(con) -> dict[str, int]:
    return {t: con.execute(f"SELECT count(*) FROM published.{t}").fetchall()[0][0]
            for t in PUBLISHED}


def refused(con, as_of: str, catalog: ModelCatalog | None = None) -> dict[str, int]:
    """Run `as_of`, expect the gate to refuse it with nothing published; the violations of
    each failed check."""
    before = counts(con)
    with pytest.raises(InvariantFailed) as failure:
        run(con, as_of, catalog=catalog)
    assert counts(con) == before
    failed = {r.name: r.violations for r in failure.value.results if not r.passed}
    for name in failed:
        assert name in str(failure.value)
    return failed


def test_a_correct_run_passes_every_check_of_the_gate(con):
    world().load(con)
    for day in ("2026-01-01", "2026-02-01", "2026-02-11"):
        summary = run(con, day)
        assert {r.name: r.violations for r in summary.checks} == dict.fromkeys(
            check_names(ModelCatalog()), 0)
    assert counts(con)["credit_note_lines"] == 1


def test_documents_whose_totals_are_not_their_lines_are_refused(con):
    # an invoice subtotal one minor unit above its lines
    world().load(con)
    catalog = broken("invoices", "MINOR_TO_AMOUNT(d.subtotal_minor, d.minor_factor) AS subtotal",
                     "MINOR_TO_AMOUNT(d.subtotal_minor + 1, d.minor_factor) AS subtotal")
    assert refused(con, "2026-01-01", catalog) == {"lines_sum_to_totals": 1}


def test_a_service_day_charged_twice_is_refused(con):
    # every key counts its days twice: January's lines claim 62 of 31 days, for both services
    world().load(con)
    catalog = broken("expected_charges", "SUM(DATE_DIFF('day', span_start, span_end)) AS days",
                     "2 * SUM(DATE_DIFF('day', span_start, span_end)) AS days")
    assert refused(con, "2026-01-01", catalog)["no_service_day_charged_twice"] == 2


def test_a_change_worth_less_than_one_minor_unit_is_not_a_day_charged_twice(con):
    # 1 JPY a half year, Jan 1..Jul 1 (181 days) billed on Jan 1. A change on May 10 to
    # 1,000 JPY leaves the old key 129 days, still worth round(129/181 x 1) = 1 JPY: nothing
    # to credit, so no line records its 52 fewer days. The new key bills May 10..Jul 1:
    # round(52/181 x 1000) = round(287.29) = 287 JPY. The check counts the old key's 129
    # days, not the 181 published: 129 + 52 = 181, and the run publishes.
    s = Scenario()
    s.account(currency="JPY")
    s.product("P1", tier_path="tv")
    s.product("P2", tier_path="tv")
    s.price_term("PT1", amount="1", product_id="P1", currency="JPY", cycle="half_year")
    s.price_term("PT2", amount="1000", product_id="P2", currency="JPY", cycle="half_year")
    s.subscription(currency="JPY", cycle="half_year")
    s.service(ordered_on="2025-01-01")
    s.action("activate", "2025-01-01")
    s.action("change", "2025-05-10", new_product_id="P2", new_price_term_id="PT2")
    s.load(con)
    run(con, "2025-01-01")
    run(con, "2025-05-10")
    assert con.execute(
        "SELECT price_term_id, days, amount FROM published.invoice_lines ORDER BY bill_run_id"
    ).fetchall() == [("PT1", 181, 1), ("PT2", 52, 287)]
    assert con.execute("SELECT count(*) FROM published.credit_note_lines").fetchall() == [(0,)]


def test_a_one_time_charge_billed_for_two_days_is_refused(con):
    # a one-time charge is one day of its own one-day period: a draft that bills it for two
    # (49.90 x 2/1) is a service-day charged twice
    s = world()
    s.product("INSTALL", kind="one_time")
    s.price_term("PT-INST", amount="49.90", product_id="INSTALL", cycle=None)
    s.service("SV3", product_id="INSTALL", price_term_id="PT-INST")
    s.load(con)
    catalog = broken("charge_periods", "    o.charged_on + 1 AS span_end",
                     "    o.charged_on + 2 AS span_end")
    assert refused(con, "2026-01-01", catalog)["no_service_day_charged_twice"] == 1


def test_a_negative_line_is_refused(con):
    # the credit for SV2's cancelled days published as a negative amount
    world().load(con)
    run(con, "2026-01-01")
    run(con, "2026-02-01")
    catalog = broken("credit_note_lines",
                     "MINOR_TO_AMOUNT(a.credit_minor, a.minor_factor) AS amount",
                     "-MINOR_TO_AMOUNT(a.credit_minor, a.minor_factor) AS amount")
    assert refused(con, "2026-02-11", catalog)["no_negative_document"] == 1


def test_rows_not_accounted_for_are_refused(con):
    # the load says 2 services read, 2 loaded and 1 quarantined: one row too many
    world().load(con)
    con.execute("UPDATE upstream.load_stats SET rows_quarantined = 1 "
                "WHERE table_name = 'services'")
    assert refused(con, "2026-01-01") == {"quarantine_accounted_for": 1}


def test_quarantine_rows_of_another_load_do_not_account_for_the_run_s_load(con):
    # the counts say one service row was quarantined, but the only quarantine row belongs to
    # an older load: the run's own load does not account for it
    world().load(con)
    con.execute("UPDATE upstream.load_stats SET rows_read = 3, rows_quarantined = 1 "
                "WHERE table_name = 'services'")
    con.execute("INSERT INTO upstream.quarantine VALUES ('L0', 'services', 'SV3', 'quantity', "
                "'range', 'quantity must be >= 1, got 0', 'S1', 'SV3', NULL, 3)")
    assert refused(con, "2026-01-01") == {"quarantine_accounted_for": 1}


def test_a_repeated_key_in_the_draft_is_refused(con):
    # every line numbered 1: the subscription's two lines share (invoice_id, line_no)
    world().load(con)
    catalog = broken("invoice_lines", """    CAST(ROW_NUMBER() OVER (
        PARTITION BY p.subscription_id
        ORDER BY p.service_id, p.cycle_start, p.charge, p.price_term_id, p.quantity
    ) AS INTEGER) AS line_no,""", "    1 AS line_no,")
    assert refused(con, "2026-01-01", catalog)[GRAINS_CHECK] == 1


def test_a_key_already_published_is_refused(con):
    # a published invoice already holds the id the February run derives for S1
    world().load(con)
    run(con, "2026-01-01")
    con.execute("INSERT INTO published.invoices SELECT * REPLACE ('INV-S1-2026-02-01' AS "
                "invoice_id, 99 AS invoice_number) FROM published.invoices")
    assert refused(con, "2026-02-01")[GRAINS_CHECK] == 1
