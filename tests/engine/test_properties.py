"""Properties of the bill run over generated histories (DEVELOPERS.md principle 3).

Worlds (tests/engine/property_worlds.py) cover every billing cycle, both methods and models,
trials, non-renewing terms, the timing rules, random actions, credit limits and payments,
and three currencies (0, 2 and 3 minor units). One bill run on a tiny world costs about 0.3 s
(seventy models), so an example does not run every day: it runs an increasing sequence of
dates, and the checks that can share those runs are made on them together. The number of
examples comes from the hypothesis profile (tests/conftest.py): `ci` by default (200 each),
`deep` (10,000) for a long run.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal, localcontext

import duckdb
import pytest
from hypothesis import event, given
from scenario import Scenario, run

from .property_worlds import MINOR_UNITS, Case, cases


def fresh(s: Scenario) -> duckdb.DuckDBPyConnection:
    """A new in-memory warehouse holding the scenario (load creates the schemas)."""
    con = duckdb.connect(config={"threads": 1})  # tiny queries: threads cost more than help
    s.load(con)
    return con


def rounded(value: Decimal, currency: str) -> Decimal:
    """Half away from zero to the currency's minor unit (ROUND_HALF_UP acts on the magnitude)."""
    return value.quantize(Decimal(1).scaleb(-MINOR_UNITS[currency]), rounding=ROUND_HALF_UP)


KEY = "service_id, cycle_start, price_term_id, quantity"
LINE = f"{KEY}, unit_amount, days, period_days, amount, tax_rate, tax_amount"
L_LINE = ", ".join("l." + column for column in LINE.split(", "))


def net_by_key(con: duckdb.DuckDBPyConnection, services: list[str]) -> dict[tuple, tuple]:
    """(net amount, net tax) per charge key of `services`, the keys netting to zero left out."""
    rows = con.execute(
        f"""
        SELECT {KEY}, SUM(amount), SUM(tax) FROM (
            SELECT {KEY}, amount, tax_amount AS tax FROM published.invoice_lines
            UNION ALL
            SELECT {KEY}, -amount, -tax_amount FROM published.credit_note_lines
        ) WHERE list_contains(?, service_id)
        GROUP BY ALL HAVING SUM(amount) <> 0 OR SUM(tax) <> 0
        """, [services]).fetchall()
    return {r[:4]: (r[4], r[5]) for r in rows}


def assert_money_is_conserved(con: duckdb.DuckDBPyConnection) -> None:
    """Every charge key nets to the value of its net billed days, computed here in Decimal
    from the lines' own terms; documents equal their lines; no credit exceeds what it
    credits; no key is net negative."""
    invoice_lines = con.execute(
        f"SELECT l.invoice_id, l.line_no, i.currency, {L_LINE}"
        " FROM published.invoice_lines AS l"
        " LEFT JOIN published.invoices AS i ON i.invoice_id = l.invoice_id").fetchall()
    credit_lines = con.execute(
        f"SELECT l.credit_note_id, l.credited_invoice_id, l.credited_line_no, c.currency,"
        f" {L_LINE}"
        " FROM published.credit_note_lines AS l"
        " LEFT JOIN published.credit_notes AS c ON c.credit_note_id = l.credit_note_id"
    ).fetchall()

    keys: dict[tuple, dict] = {}
    by_line: dict[tuple, tuple] = {}
    doc_sums: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])

    def book(key, currency, unit, period_days, tax_rate, days, amount, tax) -> None:
        # a key's terms are frozen at its first line (domain.md §11), so every line agrees
        terms = (currency, unit, period_days, tax_rate)
        k = keys.setdefault(key, {"terms": terms, "days": 0, "amount": Decimal(0),
                                  "tax": Decimal(0)})
        assert k["terms"] == terms, (key, k["terms"], terms)
        k["days"] += days
        k["amount"] += amount
        k["tax"] += tax

    for (doc, line_no, currency, *key4, unit, days, period_days, amount, tax_rate,
         tax) in invoice_lines:
        assert currency is not None, f"line {doc}/{line_no} has no invoice"
        key = tuple(key4)
        book(key, currency, unit, period_days, tax_rate, days, amount, tax)
        by_line[(doc, line_no)] = (key, amount, tax)
        doc_sums[doc][0] += amount
        doc_sums[doc][1] += tax

    credited: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for (doc, inv, inv_line, currency, *key4, unit, days, period_days, amount, tax_rate,
         tax) in credit_lines:
        assert currency is not None, f"credit line of {doc} has no credit note"
        key = tuple(key4)
        # a credit line names an invoice line of its own key
        assert (inv, inv_line) in by_line and by_line[(inv, inv_line)][0] == key, (
            doc, inv, inv_line, key)
        book(key, currency, unit, period_days, tax_rate, -days, -amount, -tax)
        credited[(inv, inv_line)][0] += amount
        credited[(inv, inv_line)][1] += tax
        doc_sums[doc][0] += amount
        doc_sums[doc][1] += tax

    for line, (amount, tax) in credited.items():
        _, line_amount, line_tax = by_line[line]
        assert amount <= line_amount and tax <= line_tax, (line, amount, line_amount, tax,
                                                           line_tax)

    with localcontext() as ctx:
        ctx.prec = 50  # exact enough that no rounding tie is decided by the division
        for key, k in keys.items():
            currency, unit, period_days, tax_rate = k["terms"]
            # a service-day is billed net at most once, and never less than not at all
            assert 0 <= k["days"] <= period_days, (key, k["days"], period_days)
            expected = rounded(unit * key[3] * k["days"] / period_days, currency)
            expected_tax = rounded(expected * tax_rate, currency)
            assert (k["amount"], k["tax"]) == (expected, expected_tax), (
                key, k, expected, expected_tax)

    documents = con.execute(
        "SELECT invoice_id, subtotal, tax, total FROM published.invoices UNION ALL "
        "SELECT credit_note_id, subtotal, tax, total FROM published.credit_notes").fetchall()
    # every document has lines and its totals are its lines' sums, computed here
    assert {doc: (subtotal, tax, total) for doc, subtotal, tax, total in documents} == {
        doc: (amount, tax, amount + tax) for doc, (amount, tax) in doc_sums.items()}


def assert_payment_requests_are_in_minor_units(con: duckdb.DuckDBPyConnection) -> None:
    """Each request asks for whole minor units, more than nothing and at most its invoice,
    through the account's card."""
    rows = con.execute(
        "SELECT p.payment_request_id, p.amount, p.currency, p.payment_method_id, p.account_id,"
        " i.total, i.currency, i.account_id FROM published.payment_requests AS p"
        " LEFT JOIN published.invoices AS i ON i.invoice_id = p.invoice_id").fetchall()
    if rows:
        event("payment requests published")
    for request, amount, currency, method, account, total, inv_currency, inv_account in rows:
        assert (amount * 10 ** MINOR_UNITS[currency]) % 1 == 0, (request, amount, currency)
        assert total is not None and Decimal(0) < amount <= total, (request, amount, total)
        assert (currency, account, method) == (inv_currency, inv_account, f"{account}-CARD")


def run_all(case: Case) -> duckdb.DuckDBPyConnection:
    """A fresh warehouse with the case's world, run on each of its dates in order."""
    con = fresh(case.scenario())
    for day in case.dates:
        run(con, day)
    return con


def coverage(con: duckdb.DuckDBPyConnection, case: Case) -> None:
    """What the example exercised, in hypothesis' statistics (--hypothesis-show-statistics)."""
    event(f"cycle {case.world.cycle}")
    for name, table in (("credit lines", "credit_note_lines"),
                        ("rejections", "action_rejections"),
                        ("payment requests", "payment_requests")):
        found = con.execute(f"SELECT count(*) > 0 FROM published.{table}").fetchall()[0][0]
        event(f"{name}: {'yes' if found else 'no'}")


@pytest.mark.slow
@given(cases(late=False))
def test_runs_on_any_dates_end_where_one_catch_up_run_does(case: Case):
    """With every action recorded on or before its effective date, runs on any increasing
    sequence of dates end in the ledger of one catch-up run at the last date; a re-run of the
    last date publishes nothing; money is conserved and payment requests are in minor units
    in both ledgers."""
    last = case.dates[-1]
    con = run_all(case)
    again = run(con, last)
    assert (again.invoices, again.credit_notes, again.payment_requests) == (0, 0, 0)

    once = fresh(case.scenario())
    run(once, last)
    services = case.world.services
    assert net_by_key(con, services) == net_by_key(once, services)
    coverage(con, case)
    for ledger in (con, once):
        assert_money_is_conserved(ledger)
        assert_payment_requests_are_in_minor_units(ledger)


@pytest.mark.slow
@given(cases(late=True))
def test_runs_of_their_scope_leave_nothing_for_a_full_run(case: Case):
    """With actions recorded late or withdrawn after having been seen, the incremental runs'
    scopes miss nothing: a full run at the last date publishes nothing; money is conserved
    and payment requests are in minor units."""
    con = run_all(case)
    full = run(con, case.dates[-1], full=True)
    assert full.full_run
    assert (full.invoices, full.credit_notes, full.action_rejections,
            full.payment_requests) == (0, 0, 0, 0)
    coverage(con, case)
    assert_money_is_conserved(con)
    assert_payment_requests_are_in_minor_units(con)
