"""`billing load`: validation, quarantine, cascade, agreed terms and the atomic write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from loader_fixtures import drop_row, edit, snapshot, write_snapshot

from pipelines import loader
from pipelines.loader import LoadError, load_directory

QUARANTINE = "SELECT table_name, row_key, column_name, check_name, message FROM upstream.quarantine"


def load(con, folder, tables, **kwargs):
    return load_directory(con, write_snapshot(folder, tables, **kwargs))


def quarantined(con, check=None):
    """(table, row_key, column, check, message) rows, optionally of one check."""
    sql = QUARANTINE + (" WHERE check_name = ?" if check else "") + " ORDER BY ALL"
    return con.execute(sql, [check] if check else []).fetchall()


def counts(summary):
    return {t.table_name: (t.rows_read, t.rows_loaded, t.rows_quarantined)
            for t in summary.tables}


def count(con, table):
    return con.execute(f"SELECT count(*) FROM upstream.{table}").fetchall()[0][0]


# --- a clean load -----------------------------------------------------------------------


def test_a_valid_snapshot_loads_every_row(con, tmp_path):
    summary = load(con, tmp_path, snapshot())
    assert summary.quarantined == 0
    assert counts(summary) == {
        "accounts": (2, 2, 0), "payment_methods": (2, 2, 0), "products": (4, 4, 0),
        "bundle_components": (0, 0, 0), "price_terms": (5, 5, 0), "allowances": (1, 1, 0),
        "subscriptions": (3, 3, 0), "services": (3, 3, 0), "actions": (4, 4, 0),
        "usage": (1, 1, 0), "promotions": (1, 1, 0), "transactions": (1, 1, 0),
        "currencies": (0, 0, 0), "business_rules": (1, 1, 0),
    }
    assert count(con, "services") == 3
    assert quarantined(con) == []
    stats = con.execute("SELECT table_name, source_file, rows_read, rows_loaded, "
                        "rows_quarantined FROM upstream.load_stats ORDER BY table_name").fetchall()
    assert len(stats) == 14
    assert ("currencies", None, 0, 0, 0) in stats
    assert ("actions", str(tmp_path / "actions.csv"), 4, 4, 0) in stats
    assert con.execute("SELECT load_id, source_dir FROM upstream.loads").fetchall() == [
        (summary.load_id, str(tmp_path))
    ]
    assert summary.load_id.startswith("L-") and len(summary.load_id) == 27


def test_values_are_typed_as_the_contract_says(con, tmp_path):
    load(con, tmp_path, snapshot())
    assert con.execute(
        "SELECT recorded_at, status_changed_at, effective_on, days FROM upstream.actions "
        "ORDER BY action_id").fetchall() == [
        (dt.datetime(2026, 1, 10, 9, 0), None, dt.date(2026, 1, 10), None),
        (dt.datetime(2026, 1, 12, 8, 30), None, dt.date(2026, 1, 12), None),
        (dt.datetime(2026, 1, 20, 10, 0), dt.datetime(2026, 2, 1), dt.date(2026, 3, 1), 10),
        (dt.datetime(2026, 1, 15, 10, 0), None, dt.date(2026, 1, 15), None),
    ]
    assert con.execute("SELECT payment_method_id, is_primary, token FROM "
                       "upstream.payment_methods ORDER BY 1").fetchall() == [
        ("PM1", True, "tok_secret_1"), ("PM2", True, None)]
    assert con.execute("SELECT price_term_id, concurrent_usage, billing_cycle FROM "
                       "upstream.price_terms WHERE price_term_id IN ('PT2', 'PT3')"
                       " ORDER BY 1").fetchall() == [("PT2", False, "week"), ("PT3", False, None)]


def test_money_stays_exact(con, tmp_path):
    tables = snapshot()
    edit(tables, "accounts", "A1", credit_limit="0.1")
    edit(tables, "accounts", "A2", credit_limit="0.2")
    load(con, tmp_path, tables)
    assert con.execute("SELECT amount FROM upstream.price_terms WHERE price_term_id = 'PT1' "
                       "ORDER BY valid_from").fetchall() == [
        (Decimal("19.990000"),), (Decimal("24.990000"),)]
    total = con.execute("SELECT sum(credit_limit) FROM upstream.accounts").fetchall()[0][0]
    assert total == Decimal("0.3")
    assert con.execute("SELECT typeof(amount), typeof(tax_rate) FROM upstream.price_terms "
                       "LIMIT 1").fetchall()[0] == ("DECIMAL(18,6)", "DECIMAL(9,6)")


def test_timestamps_in_every_accepted_spelling_are_stored_as_naive_utc(con, tmp_path):
    tables = snapshot()
    spellings = {"X1": "2026-01-05T10:00:00Z", "X2": "2026-01-05 10:00:00",
                 "X3": "2026-01-05T10:00:00+00:00", "X4": " 2026-01-05T12:00:00.5+02:00 "}
    for action_id, text in spellings.items():
        edit(tables, "actions", action_id, recorded_at=text)
    assert load(con, tmp_path, tables).quarantined == 0
    assert con.execute("SELECT recorded_at FROM upstream.actions ORDER BY action_id"
                       ).fetchall() == [(dt.datetime(2026, 1, 5, 10, 0),)] * 3 + [
        (dt.datetime(2026, 1, 5, 10, 0, 0, 500000),)]


def test_booleans_accept_true_false_and_1_0_in_any_case(con, tmp_path):
    tables = snapshot()
    edit(tables, "price_terms", "PT1", auto_renew="TRUE", concurrent_usage="0")
    assert load(con, tmp_path, tables).quarantined == 0
    assert con.execute("SELECT auto_renew, concurrent_usage FROM upstream.price_terms "
                       "WHERE price_term_id = 'PT1' ORDER BY valid_from").fetchall() == [
        (True, False), (True, False)]


def test_optional_tables_absent_from_the_folder_load_empty(con, tmp_path):
    tables = snapshot()
    drop_row(tables, "actions", "X4")  # names promotion PR1
    for name in ("bundle_components", "allowances", "usage", "promotions", "transactions",
                 "business_rules", "payment_methods"):
        del tables[name]
    for row in tables["subscriptions"]:
        row["payment_method_id"] = ""
    summary = load(con, tmp_path, tables)
    assert summary.quarantined == 0
    assert counts(summary)["usage"] == (0, 0, 0)
    assert count(con, "promotions") == 0
    assert con.execute("SELECT source_file, rows_read FROM upstream.load_stats "
                       "WHERE table_name = 'usage'").fetchall()[0] == (None, 0)


def test_optional_columns_may_be_left_out_of_the_header(con, tmp_path):
    write_snapshot(tmp_path, snapshot())
    frame = pl.read_csv(tmp_path / "services.csv", infer_schema=False)
    frame.drop("parent_service_id").write_csv(tmp_path / "services.csv")
    assert load_directory(con, tmp_path).quarantined == 0
    assert con.execute("SELECT count(*) FROM upstream.services WHERE parent_service_id IS NULL"
                       ).fetchall()[0] == (3,)


def test_unknown_extra_columns_are_ignored_and_reported(con, tmp_path):
    write_snapshot(tmp_path, snapshot())
    frame = pl.read_csv(tmp_path / "products.csv", infer_schema=False)
    frame.with_columns(colour=pl.lit("red")).write_csv(tmp_path / "products.csv")
    summary = load_directory(con, tmp_path)
    products = next(t for t in summary.tables if t.table_name == "products")
    assert products.ignored_columns == ("colour",)
    assert products.rows_loaded == 4


def test_progress_is_reported_per_table(con, tmp_path):
    said = []
    load_directory(con, write_snapshot(tmp_path, snapshot()), progress=said.append)
    assert "validated actions: 4 rows" in said
    assert "read services: 3 rows" in said
    assert said[-1].startswith("loaded L-")


def test_parquet_files_load_like_csv(con, tmp_path):
    load(con, tmp_path, snapshot(), parquet=("price_terms", "actions"))
    assert count(con, "price_terms") == 5
    assert con.execute("SELECT recorded_at FROM upstream.actions WHERE action_id = 'X2'"
                       ).fetchall()[0] == (dt.datetime(2026, 1, 12, 8, 30),)


def test_typed_parquet_columns_are_cast_exactly(con, tmp_path):
    write_snapshot(tmp_path, snapshot())
    (tmp_path / "transactions.csv").unlink()
    pl.DataFrame({
        "transaction_id": ["T1", "T2"], "account_id": ["A1", "A1"], "kind": ["payment"] * 2,
        "amount": [19.99, 0.1], "currency": ["EUR", "EUR"],
        "occurred_on": [dt.date(2026, 1, 16)] * 2, "payment_request_id": [None, None],
    }).write_parquet(tmp_path / "transactions.parquet")
    assert load_directory(con, tmp_path).quarantined == 0
    assert con.execute("SELECT amount FROM upstream.transactions ORDER BY 1").fetchall() == [
        (Decimal("0.1"),), (Decimal("19.99"),)]


# --- bad rows ---------------------------------------------------------------------------


def test_unparseable_values_are_quarantined_with_the_column_named(con, tmp_path):
    tables = snapshot()
    edit(tables, "transactions", "T1", amount="19,99", occurred_on="2026-02-30")
    edit(tables, "actions", "X2", recorded_at="yesterday")
    edit(tables, "price_terms", "PT3", trial_days="1.5", auto_renew="yes",
         tax_rate="0.1234567")
    load(con, tmp_path, tables)
    assert quarantined(con, "parse") == [
        ("actions", "X2", "recorded_at", "parse",
         "recorded_at is not an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ): 'yesterday'"),
        ("price_terms", "PT3|2026-01-01", "auto_renew", "parse",
         "auto_renew is not a boolean (true/false or 1/0): 'yes'"),
        ("price_terms", "PT3|2026-01-01", "tax_rate", "parse",
         "tax_rate is not a decimal with at most 3 digits before and 6 after the point: "
         "'0.1234567'"),
        ("price_terms", "PT3|2026-01-01", "trial_days", "parse",
         "trial_days is not a 32-bit integer: '1.5'"),
        ("transactions", "T1", "amount", "parse",
         "amount is not a decimal with at most 12 digits before and 6 after the point: "
         "'19,99'"),
        ("transactions", "T1", "occurred_on", "parse",
         "occurred_on is not a date (YYYY-MM-DD): '2026-02-30'"),
    ]
    # a value that cannot be read is not also reported as missing
    assert quarantined(con, "not_null") == []


def test_a_bad_key_date_keeps_its_text_in_the_row_key(con, tmp_path):
    tables = snapshot()
    edit(tables, "business_rules", "regret_days", valid_from="someday")
    load(con, tmp_path, tables)
    assert quarantined(con) == [("business_rules", "regret_days|someday", "valid_from", "parse",
                                 "valid_from is not a date (YYYY-MM-DD): 'someday'")]


def test_a_business_rule_it_cannot_read_is_quarantined_not_defaulted(con, tmp_path):
    tables = snapshot()
    edit(tables, "business_rules", "regret_days", value="-3")
    tables["business_rules"].append(
        {"key": "trial_once_pr", "value": "contact", "valid_from": "2020-01-01"})
    summary = load(con, tmp_path, tables)
    assert counts(summary)["business_rules"] == (2, 0, 2)
    assert quarantined(con) == [
        ("business_rules", "regret_days|2020-01-01", "value", "valid_value",
         "not a value its key takes (the README's business-rule table lists each key's "
         "values), got -3"),
        ("business_rules", "trial_once_pr|2020-01-01", "key", "known_key",
         "not a business-rule key (the README's business-rule table lists them), got "
         "trial_once_pr"),
    ]
    assert count(con, "business_rules") == 0


def test_model_checks_quarantine_with_their_reason(con, tmp_path):
    tables = snapshot()
    edit(tables, "products", "P4", kind="metered")
    edit(tables, "services", "V2", quantity="0")
    edit(tables, "subscriptions", "S2", billing_day="8")
    load(con, tmp_path, tables)
    base = [q for q in quarantined(con) if q[3] != "dependency_quarantined"]
    assert base == [
        ("products", "P4", "kind", "enum",
         "kind must be one of termed, one_time, usage, no_billing, device, bundle, got metered"),
        ("services", "V2", "quantity", "range", "quantity must be >= 1, got 0"),
        ("subscriptions", "S2", "billing_day", "billing_day_range",
         "billing_day must be 1-7 (ISO weekday) for weekly cycles and 1-31 otherwise, got 8"),
    ]


def test_every_row_of_a_duplicated_key_is_quarantined(con, tmp_path):
    tables = snapshot()
    tables["transactions"].append({**tables["transactions"][0], "amount": "5.00"})
    tables["price_terms"].append({**tables["price_terms"][2]})
    summary = load(con, tmp_path, tables)
    assert quarantined(con, "duplicate_key") == [
        ("price_terms", "PT2|2026-01-01", None, "duplicate_key",
         "price_term_id|valid_from PT2|2026-01-01 appears 2 times"),
        ("price_terms", "PT2|2026-01-01", None, "duplicate_key",
         "price_term_id|valid_from PT2|2026-01-01 appears 2 times"),
        ("transactions", "T1", "transaction_id", "duplicate_key",
         "transaction_id T1 appears 2 times"),
        ("transactions", "T1", "transaction_id", "duplicate_key",
         "transaction_id T1 appears 2 times"),
    ]
    assert counts(summary)["transactions"] == (2, 0, 2)
    assert counts(summary)["price_terms"] == (6, 4, 2)


def test_unknown_references_name_the_column(con, tmp_path):
    tables = snapshot()
    edit(tables, "services", "V3", subscription_id="S9")
    edit(tables, "usage", "U1", usage_product_id="P9")
    load(con, tmp_path, tables)
    assert quarantined(con, "unknown_reference") == [
        ("services", "V3", "subscription_id", "unknown_reference",
         "subscription_id S9 is not in subscriptions"),
        ("usage", "U1", "usage_product_id", "unknown_reference",
         "usage_product_id P9 is not in products"),
    ]


def test_unknown_currency_unless_upstream_adds_it(con, tmp_path):
    tables = snapshot()
    edit(tables, "transactions", "T1", currency="XBT")
    load(con, tmp_path, tables)
    assert quarantined(con, "unknown_currency") == [
        ("transactions", "T1", "currency", "unknown_currency",
         "currency XBT is not a known ISO 4217 code (add it to currencies)")]

    tables["currencies"] = [{"currency": "XBT", "minor_units": "4"},
                            {"currency": "JPY", "minor_units": "2"}]
    assert load(con, tmp_path / "again", tables).quarantined == 0
    assert con.execute("SELECT currency, minor_units FROM upstream.currency_minor_units WHERE "
                       "currency IN ('XBT', 'JPY', 'EUR', 'KWD') ORDER BY 1").fetchall() == [
        ("EUR", 2), ("JPY", 2), ("KWD", 3), ("XBT", 4)]


@pytest.mark.parametrize("parquet", [(), ("accounts",)])
def test_a_credit_limit_finer_than_its_currency_is_quarantined_with_its_dependants(
        con, tmp_path, parquet):
    tables = snapshot()
    edit(tables, "accounts", "A1", credit_limit="50.00555")
    summary = load(con, tmp_path, tables, parquet=parquet)
    assert quarantined(con, "minor_units") == [
        ("accounts", "A1", "credit_limit", "minor_units",
         "credit_limit 50.00555 has more decimals than EUR's 2 minor units")]
    # the account takes its payment method, subscriptions, their services, actions and usage,
    # and its transactions with it
    assert {t: c[2] for t, c in counts(summary).items() if c[2]} == {
        "accounts": 1, "payment_methods": 1, "subscriptions": 2, "services": 2,
        "actions": 3, "usage": 1, "transactions": 1,
    }
    assert ("subscriptions", "S1", "account_id", "dependency_quarantined",
            "account A1 is quarantined") in quarantined(con)
    assert ("transactions", "T1", "account_id", "dependency_quarantined",
            "account A1 is quarantined") in quarantined(con)
    for table in summary.tables:
        assert table.rows_read == table.rows_loaded + table.rows_quarantined, table
    assert con.execute("SELECT account_id FROM upstream.accounts").fetchall() == [("A2",)]


def test_credit_limits_need_whole_minor_units_of_their_currency(con, tmp_path):
    tables = snapshot()
    tables["accounts"] += [
        {"account_id": "A3", "name": "Jun", "currency": "JPY", "credit_limit": "100.5",
         "created_on": "2025-12-03"},
        {"account_id": "A4", "name": "Kei", "currency": "JPY", "credit_limit": "100",
         "created_on": "2025-12-03"},
        {"account_id": "A5", "name": "Kim", "currency": "KWD", "credit_limit": "1.125",
         "created_on": "2025-12-03"},
        {"account_id": "A6", "name": "Eve", "currency": "EUR", "credit_limit": "50.0000",
         "created_on": "2025-12-03"},
        {"account_id": "A7", "name": "Ivy", "currency": "KWD", "credit_limit": "1.1255",
         "created_on": "2025-12-03"},
    ]
    summary = load(con, tmp_path, tables)
    assert quarantined(con) == [
        ("accounts", "A3", "credit_limit", "minor_units",
         "credit_limit 100.5 has more decimals than JPY's 0 minor units"),
        ("accounts", "A7", "credit_limit", "minor_units",
         "credit_limit 1.1255 has more decimals than KWD's 3 minor units"),
    ]
    assert counts(summary)["accounts"] == (7, 5, 2)
    # only significant decimals count: 50.0000 EUR is 50.00
    assert con.execute("SELECT credit_limit FROM upstream.accounts WHERE account_id = 'A6'"
                       ).fetchall() == [(Decimal("50"),)]


def test_the_minor_units_checked_are_the_effective_ones(con, tmp_path):
    tables = snapshot()
    tables["accounts"].append({"account_id": "A3", "name": "Jun", "currency": "JPY",
                               "credit_limit": "100.5", "created_on": "2025-12-03"})
    tables["currencies"] = [{"currency": "JPY", "minor_units": "2"}]
    assert load(con, tmp_path, tables).quarantined == 0
    # a currency nobody knows is reported as such, not as too fine
    tables = snapshot()
    edit(tables, "accounts", "A2", currency="XBT", credit_limit="0.00001")
    load(con, tmp_path / "unknown", tables)
    assert [q[3] for q in quarantined(con) if q[0] == "accounts"] == ["unknown_currency"]


def test_a_transaction_amount_finer_than_its_currency_is_quarantined(con, tmp_path):
    tables = snapshot()
    edit(tables, "transactions", "T1", amount="10.005")
    tables["transactions"] += [
        {"transaction_id": "T2", "account_id": "A2", "kind": "payment", "amount": "10.50",
         "currency": "USD", "occurred_on": "2026-01-16"},
        {"transaction_id": "T3", "account_id": "A2", "kind": "refund", "amount": "3.5",
         "currency": "JPY", "occurred_on": "2026-01-16"},
        {"transaction_id": "T4", "account_id": "A2", "kind": "adjustment", "amount": "0.125",
         "currency": "KWD", "occurred_on": "2026-01-16"},
    ]
    summary = load(con, tmp_path, tables)
    # the transaction's own currency decides; the account is not affected
    assert quarantined(con) == [
        ("transactions", "T1", "amount", "minor_units",
         "amount 10.005 has more decimals than EUR's 2 minor units"),
        ("transactions", "T3", "amount", "minor_units",
         "amount 3.5 has more decimals than JPY's 0 minor units"),
    ]
    assert counts(summary)["transactions"] == (4, 2, 2)
    assert counts(summary)["accounts"] == (2, 2, 0)


def test_price_term_versions_must_agree_or_all_are_quarantined(con, tmp_path):
    tables = snapshot()
    tables["price_terms"][1].update(currency="USD", billing_model="post")
    load(con, tmp_path, tables)
    assert quarantined(con, "inconsistent_versions") == [
        ("price_terms", f"PT1|{day}", None, "inconsistent_versions",
         "the versions of price term PT1 disagree on currency, billing_model")
        for day in ("2026-01-01", "2026-06-01")
    ]
    # everything naming PT1 depends on it
    assert [q[:4] for q in quarantined(con, "dependency_quarantined")] == [
        ("actions", "X1", "service_id", "dependency_quarantined"),
        ("actions", "X3", "service_id", "dependency_quarantined"),
        ("allowances", "PT1|P4", "price_term_id", "dependency_quarantined"),
        ("services", "V1", "price_term_id", "dependency_quarantined"),
        ("usage", "U1", "service_id", "dependency_quarantined"),
    ]


def test_a_service_whose_price_term_does_not_fit_is_quarantined(con, tmp_path):
    tables = snapshot()
    edit(tables, "services", "V1", price_term_id="PT2")  # P2's weekly USD post price
    load(con, tmp_path, tables)
    assert quarantined(con, "terms_mismatch") == [
        ("services", "V1", "price_term_id", "terms_mismatch",
         "price term PT2 bills per week but subscription S1 per month"),
        ("services", "V1", "price_term_id", "terms_mismatch",
         "price term PT2 is in USD but subscription S1 is in EUR"),
        ("services", "V1", "price_term_id", "terms_mismatch",
         "price term PT2 is post-billed but subscription S1 is pre-billed"),
        ("services", "V1", "product_id", "terms_mismatch",
         "price term PT2 belongs to product P2, not P1"),
    ]


def test_one_time_prices_fit_any_cycle_and_no_billing_subscriptions_any_model(con, tmp_path):
    tables = snapshot()
    tables["services"].append({"service_id": "V4", "subscription_id": "S1", "product_id": "P3",
                               "price_term_id": "PT3", "quantity": "1",
                               "ordered_on": "2026-01-05"})
    assert load(con, tmp_path, tables).quarantined == 0


def test_a_termed_service_in_a_no_billing_subscription_is_quarantined(con, tmp_path):
    # S3 has billing_cycle none: no periods to bill a termed service in (V3, one-time, fits)
    tables = snapshot()
    tables["price_terms"].append(dict(tables["price_terms"][3], price_term_id="PT5",
                                      product_id="P2"))
    tables["services"].append({"service_id": "V5", "subscription_id": "S3", "product_id": "P2",
                               "price_term_id": "PT5", "quantity": "1",
                               "ordered_on": "2026-01-05"})
    load(con, tmp_path, tables)
    assert quarantined(con) == [
        ("services", "V5", "product_id", "terms_mismatch",
         "product P2 is termed (billed per cycle) but subscription S3 has billing_cycle none")]


def test_an_action_on_a_service_of_another_subscription_is_quarantined(con, tmp_path):
    tables = snapshot()
    edit(tables, "actions", "X2", service_id="V1")  # X2 is S2's; V1 belongs to S1
    load(con, tmp_path, tables)
    assert quarantined(con) == [
        ("actions", "X2", "service_id", "service_of_other_subscription",
         "service V1 belongs to subscription S1, not S2")]


def test_at_most_one_primary_payment_method_per_account(con, tmp_path):
    tables = snapshot()
    tables["payment_methods"].append({"payment_method_id": "PM3", "account_id": "A1",
                                      "kind": "wallet", "is_primary": "true",
                                      "status": "active"})
    load(con, tmp_path, tables)
    assert quarantined(con, "multiple_primary") == [
        ("payment_methods", pm, "is_primary", "multiple_primary",
         "account A1 has 2 primary payment methods; at most one allowed")
        for pm in ("PM1", "PM3")
    ]


# --- the cascade ------------------------------------------------------------------------


def test_a_bad_subscription_quarantines_its_services_and_their_actions(con, tmp_path):
    tables = snapshot()
    edit(tables, "subscriptions", "S1", billing_model="arrears")
    summary = load(con, tmp_path, tables)
    assert quarantined(con) == [
        ("actions", "X1", "service_id", "dependency_quarantined", "service V1 is quarantined"),
        ("actions", "X1", "subscription_id", "dependency_quarantined",
         "subscription S1 is quarantined"),
        ("actions", "X3", "service_id", "dependency_quarantined", "service V1 is quarantined"),
        ("actions", "X3", "subscription_id", "dependency_quarantined",
         "subscription S1 is quarantined"),
        ("actions", "X4", "subscription_id", "dependency_quarantined",
         "subscription S1 is quarantined"),
        ("services", "V1", "subscription_id", "dependency_quarantined",
         "subscription S1 is quarantined"),
        ("subscriptions", "S1", "billing_model", "enum",
         "billing_model must be one of pre, post, got arrears"),
        ("usage", "U1", "service_id", "dependency_quarantined", "service V1 is quarantined"),
    ]
    assert counts(summary)["actions"] == (4, 1, 3)
    assert con.execute("SELECT action_id FROM upstream.actions").fetchall() == [("X2",)]


def test_the_cascade_runs_from_accounts_down_to_child_services(con, tmp_path):
    tables = snapshot()
    tables["services"].append({"service_id": "V9", "subscription_id": "S3", "product_id": "P3",
                               "price_term_id": "PT3", "quantity": "1",
                               "ordered_on": "2026-01-05", "parent_service_id": "V3"})
    edit(tables, "accounts", "A1", credit_limit="-5")
    summary = load(con, tmp_path, tables)
    assert {t: c[2] for t, c in counts(summary).items() if c[2]} == {
        "accounts": 1, "payment_methods": 1, "subscriptions": 2, "services": 3,
        "actions": 3, "usage": 1, "transactions": 1,
    }
    assert ("services", "V9", "parent_service_id", "dependency_quarantined",
            "service V3 is quarantined") in quarantined(con)


def test_quarantine_rows_carry_the_references_of_the_bad_row(con, tmp_path):
    tables = snapshot()
    edit(tables, "actions", "X1", action="change", new_price_term_id="PT9")
    edit(tables, "services", "V2", quantity="-1")
    load(con, tmp_path, tables)
    rows = con.execute("SELECT table_name, row_key, check_name, subscription_id, service_id, "
                       "price_term_id, load_id FROM upstream.quarantine "
                       "WHERE check_name <> 'dependency_quarantined' ORDER BY ALL").fetchall()
    load_id = con.execute("SELECT load_id FROM upstream.loads").fetchall()[0][0]
    assert rows == [
        ("actions", "X1", "unknown_reference", "S1", "V1", "PT9", load_id),
        ("services", "V2", "range", "S2", "V2", "PT2", load_id),
    ]


def test_counts_reconcile_and_a_row_with_several_failures_counts_once(con, tmp_path):
    tables = snapshot()
    edit(tables, "price_terms", "PT3", amount="-1", trial_days="-1", billing_model="later")
    edit(tables, "subscriptions", "S2", account_id="A9")
    summary = load(con, tmp_path, tables)
    for table in summary.tables:
        assert table.rows_read == table.rows_loaded + table.rows_quarantined, table
        assert count(con, table.table_name) == table.rows_loaded
    per_table = dict(con.execute("SELECT table_name, count(DISTINCT row_key) FROM "
                                 "upstream.quarantine GROUP BY ALL").fetchall())
    assert per_table == {t.table_name: t.rows_quarantined for t in summary.tables
                         if t.rows_quarantined}
    # PT3 (three failures) -> V3; S2 (unknown account) -> V2 -> X2
    assert per_table == {"price_terms": 1, "services": 2, "subscriptions": 1, "actions": 1}
    assert len(quarantined(con, "range")) == 2
    assert summary.quarantined == 5


# --- terms agreed at the start ----------------------------------------------------------


def test_a_later_snapshot_that_changes_agreed_terms_is_quarantined(con, tmp_path):
    first = load(con, tmp_path / "day1", snapshot())
    tables = snapshot()
    edit(tables, "subscriptions", "S1", billing_day="1")
    edit(tables, "services", "V2", quantity="3")
    tables["subscriptions"].append({"subscription_id": "S4", "account_id": "A2",
                                    "currency": "USD", "billing_cycle": "none",
                                    "agreement_date": "2026-02-01"})
    second = load(con, tmp_path / "day2", tables)
    assert quarantined(con, "frozen_column_changed") == [
        ("services", "V2", "quantity", "frozen_column_changed",
         "quantity was agreed as 2 and cannot change (got 3); changes come as actions"),
        ("subscriptions", "S1", "billing_day", "frozen_column_changed",
         "billing_day was agreed as 15 and cannot change (got 1); changes come as actions"),
    ]
    assert con.execute("SELECT subscription_id, billing_day, first_load_id FROM "
                       "upstream.agreed_subscription_terms ORDER BY 1").fetchall() == [
        ("S1", 15, first.load_id), ("S2", 1, first.load_id), ("S3", None, first.load_id),
        ("S4", None, second.load_id),
    ]
    assert con.execute("SELECT quantity FROM upstream.agreed_service_terms "
                       "WHERE service_id = 'V2'").fetchall()[0] == (2,)


def test_a_null_agreed_term_is_compared_null_safely(con, tmp_path):
    load(con, tmp_path / "day1", snapshot())
    tables = snapshot()
    edit(tables, "subscriptions", "S3", billing_model="pre", billing_method="period",
         bill_days_before="0")
    load(con, tmp_path / "day2", tables)
    assert [q[2] for q in quarantined(con, "frozen_column_changed")] == [
        "billing_method", "billing_model"]


def test_terms_of_a_quarantined_row_are_not_agreed(con, tmp_path):
    tables = snapshot()
    edit(tables, "subscriptions", "S2", billing_method="calendar")
    load(con, tmp_path / "day1", tables)
    assert con.execute("SELECT subscription_id FROM upstream.agreed_subscription_terms "
                       "ORDER BY 1").fetchall() == [("S1",), ("S3",)]
    edit(tables, "subscriptions", "S2", billing_method="period", billing_day="3")
    assert load(con, tmp_path / "day2", tables).quarantined == 0
    assert con.execute("SELECT billing_day FROM upstream.agreed_subscription_terms "
                       "WHERE subscription_id = 'S2'").fetchall()[0] == (3,)


def test_loading_the_same_snapshot_twice_is_repeatable(con, tmp_path):
    folder = write_snapshot(tmp_path, snapshot())
    first, second = load_directory(con, folder), load_directory(con, folder)
    assert counts(first) == counts(second)
    assert first.load_id != second.load_id
    assert count(con, "loads") == 2
    assert count(con, "agreed_service_terms") == 3
    assert count(con, "actions") == 4
    assert count(con, "load_stats") == 14


# --- loads that cannot happen -----------------------------------------------------------


def test_a_missing_required_table_is_an_error_naming_the_file(con, tmp_path):
    write_snapshot(tmp_path, snapshot())
    (tmp_path / "services.csv").unlink()
    with pytest.raises(LoadError, match=r"services\.csv: required table services is missing"):
        load_directory(con, tmp_path)


def test_a_missing_contract_column_is_an_error(con, tmp_path):
    write_snapshot(tmp_path, snapshot())
    frame = pl.read_csv(tmp_path / "subscriptions.csv", infer_schema=False)
    frame.drop("billing_model").write_csv(tmp_path / "subscriptions.csv")
    with pytest.raises(LoadError, match=r"subscriptions\.csv: missing required column\(s\) "
                                        r"billing_model"):
        load_directory(con, tmp_path)


def test_a_duplicated_header_column_is_an_error(con, tmp_path):
    write_snapshot(tmp_path, snapshot())
    (tmp_path / "products.csv").write_text("product_id,name,kind,kind\nP1,Gold,termed,termed\n")
    with pytest.raises(LoadError, match=r"products\.csv: duplicated column"):
        load_directory(con, tmp_path)


def test_an_unreadable_file_is_an_error(con, tmp_path):
    write_snapshot(tmp_path, snapshot())
    (tmp_path / "accounts.csv").write_bytes(b"account_id,name\n\xff\xfe,x\n")
    with pytest.raises(LoadError, match=r"accounts\.csv: cannot read accounts"):
        load_directory(con, tmp_path)
    (tmp_path / "accounts.csv").write_bytes(b"")
    with pytest.raises(LoadError, match=r"accounts\.csv: cannot read accounts"):
        load_directory(con, tmp_path)


def test_a_table_given_twice_is_an_error(con, tmp_path):
    write_snapshot(tmp_path, snapshot(), parquet=("usage",))
    write_snapshot(tmp_path / "csv", snapshot())
    (tmp_path / "csv" / "usage.csv").rename(tmp_path / "usage.csv")
    with pytest.raises(LoadError, match=r"both usage\.csv and usage\.parquet"):
        load_directory(con, tmp_path)


def test_a_failed_load_leaves_the_previous_snapshot_in_force(con, tmp_path):
    first = load(con, tmp_path / "good", snapshot())
    broken = write_snapshot(tmp_path / "bad", snapshot())
    (broken / "actions.csv").unlink()
    with pytest.raises(LoadError):
        load_directory(con, broken)
    assert count(con, "actions") == 4
    assert con.execute("SELECT load_id FROM upstream.loads").fetchall() == [(first.load_id,)]
    assert con.execute("SELECT DISTINCT load_id FROM upstream.load_stats").fetchall() == [
        (first.load_id,)]


def test_a_failure_while_writing_rolls_everything_back(con, tmp_path, monkeypatch):
    first = load(con, tmp_path / "good", snapshot())
    tables = snapshot()
    drop_row(tables, "transactions", "T1")
    tables["subscriptions"].append({"subscription_id": "S4", "account_id": "A2",
                                    "currency": "USD", "billing_cycle": "none",
                                    "agreement_date": "2026-02-01"})
    real_insert = loader._insert

    def failing_insert(con, table, frame):
        if table == "actions":
            raise RuntimeError("disk full")
        real_insert(con, table, frame)

    monkeypatch.setattr(loader, "_insert", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        load(con, tmp_path / "next", tables)
    assert count(con, "transactions") == 1
    assert count(con, "subscriptions") == 3
    assert count(con, "agreed_subscription_terms") == 3
    assert con.execute("SELECT load_id FROM upstream.loads").fetchall() == [(first.load_id,)]


# --- key matching stays exact when hashes collide ---------------------------------------


def test_key_matching_is_exact_even_if_every_hash_collides(monkeypatch):
    monkeypatch.setattr(loader, "_hashed",
                        lambda key: pl.when(key.is_not_null()).then(pl.lit(7, pl.UInt64)))
    left = pl.DataFrame({loader.ROW: [0, 1, 2, 3], "ref": ["a", "b", "zz", None]},
                        schema_overrides={loader.ROW: pl.UInt32})
    right = pl.DataFrame({"id": ["b", "a", "c"], "owner": ["B", "A", "C"]})
    found = loader._lookup(left, "ref", right, "id").sort(loader.ROW)
    assert found.rows() == [(0, "a", "A", True), (1, "b", "B", True), (2, "zz", None, False)]
    assert loader._is_in(pl.Series(["a", "zz", None]), pl.Series(["c", "a"])).to_list() == [
        True, False, False]
    dups = loader._duplicates(pl.DataFrame({loader.ROW: [0, 1, 2], "k": ["x", "y", "x"]}), ["k"])
    assert dups.select(loader.ROW, "__n").rows() == [(0, 2), (2, 2)]
