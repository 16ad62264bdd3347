"""A small, valid upstream snapshot that loader tests edit one row at a time.

Rows are dicts of text, exactly as they would appear in the CSV; a column left out of a row
is written empty. `write_snapshot` writes one `<table>.csv` (or `.parquet`) per table.
"""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import polars as pl

from models import UPSTREAM_MODELS

Rows = list[dict[str, str]]

_BASE: dict[str, Rows] = {
    "accounts": [
        {"account_id": "A1", "name": "Ada", "currency": "EUR", "credit_limit": "100.00",
         "classification": "retail", "created_on": "2025-12-01"},
        {"account_id": "A2", "name": "Bob", "currency": "USD", "credit_limit": "0",
         "created_on": "2025-12-02"},
    ],
    "payment_methods": [
        {"payment_method_id": "PM1", "account_id": "A1", "kind": "card", "is_primary": "true",
         "token": "tok_secret_1", "status": "active"},
        {"payment_method_id": "PM2", "account_id": "A2", "kind": "wallet", "is_primary": "1",
         "status": "active"},
    ],
    "products": [
        {"product_id": "P1", "name": "Gold", "kind": "termed", "tier_path": "tv"},
        {"product_id": "P2", "name": "Weekly box", "kind": "termed"},
        {"product_id": "P3", "name": "Setup", "kind": "one_time"},
        {"product_id": "P4", "name": "Data GB", "kind": "usage"},
    ],
    "bundle_components": [],
    "price_terms": [
        {"price_term_id": "PT1", "valid_from": "2026-01-01", "product_id": "P1",
         "currency": "EUR", "billing_cycle": "month", "amount": "19.99", "billing_model": "pre",
         "trial_days": "0", "termed_cycles": "12", "auto_renew": "true", "contract_cycles": "",
         "cancellation_fee": "0", "tax_rate": "0.19", "concurrent_usage": "false"},
        {"price_term_id": "PT1", "valid_from": "2026-06-01", "product_id": "P1",
         "currency": "EUR", "billing_cycle": "month", "amount": "24.99", "billing_model": "pre",
         "trial_days": "0", "termed_cycles": "12", "auto_renew": "true",
         "cancellation_fee": "0", "tax_rate": "0.19", "concurrent_usage": "false"},
        {"price_term_id": "PT2", "valid_from": "2026-01-01", "product_id": "P2",
         "currency": "USD", "billing_cycle": "week", "amount": "5.00", "billing_model": "post",
         "trial_days": "7", "auto_renew": "false", "cancellation_fee": "10.00",
         "tax_rate": "0", "concurrent_usage": "FALSE"},
        {"price_term_id": "PT3", "valid_from": "2026-01-01", "product_id": "P3",
         "currency": "EUR", "amount": "49.00", "billing_model": "pre", "trial_days": "0",
         "auto_renew": "false", "cancellation_fee": "0", "tax_rate": "0.19",
         "concurrent_usage": "false"},
        {"price_term_id": "PT4", "valid_from": "2026-01-01", "product_id": "P4",
         "currency": "EUR", "amount": "0.10", "billing_model": "post", "trial_days": "0",
         "auto_renew": "false", "cancellation_fee": "0", "tax_rate": "0.19",
         "concurrent_usage": "false"},
    ],
    "allowances": [
        {"price_term_id": "PT1", "usage_product_id": "P4", "units_per_cycle": "100"},
    ],
    "subscriptions": [
        {"subscription_id": "S1", "account_id": "A1", "currency": "EUR",
         "billing_cycle": "month", "billing_model": "pre", "billing_method": "anniversary",
         "billing_day": "15", "bill_days_before": "0", "payment_method_id": "PM1",
         "agreement_date": "2026-01-05"},
        {"subscription_id": "S2", "account_id": "A2", "currency": "USD",
         "billing_cycle": "week", "billing_model": "post", "billing_method": "period",
         "billing_day": "1", "bill_days_before": "0", "agreement_date": "2026-01-05"},
        {"subscription_id": "S3", "account_id": "A1", "currency": "EUR",
         "billing_cycle": "none", "agreement_date": "2026-01-05"},
    ],
    "services": [
        {"service_id": "V1", "subscription_id": "S1", "product_id": "P1",
         "price_term_id": "PT1", "quantity": "1", "ordered_on": "2026-01-05"},
        {"service_id": "V2", "subscription_id": "S2", "product_id": "P2",
         "price_term_id": "PT2", "quantity": "2", "ordered_on": "2026-01-05"},
        {"service_id": "V3", "subscription_id": "S3", "product_id": "P3",
         "price_term_id": "PT3", "quantity": "1", "ordered_on": "2026-01-05"},
    ],
    "actions": [
        {"action_id": "X1", "subscription_id": "S1", "service_id": "V1", "action": "activate",
         "status": "executed", "effective_on": "2026-01-10",
         "recorded_at": "2026-01-10T09:00:00Z"},
        {"action_id": "X2", "subscription_id": "S2", "service_id": "V2", "action": "activate",
         "status": "executed", "effective_on": "2026-01-12",
         "recorded_at": "2026-01-12 08:30:00"},
        {"action_id": "X3", "subscription_id": "S1", "service_id": "V1", "action": "pause",
         "status": "cancelled", "status_changed_at": "2026-02-01T00:00:00+00:00",
         "effective_on": "2026-03-01", "recorded_at": "2026-01-20T10:00:00Z", "days": "10"},
        {"action_id": "X4", "subscription_id": "S1", "action": "redeem_pass",
         "status": "executed", "effective_on": "2026-01-15",
         "recorded_at": "2026-01-15T10:00:00Z", "promotion_id": "PR1"},
    ],
    "usage": [
        {"usage_id": "U1", "service_id": "V1", "usage_product_id": "P4",
         "occurred_on": "2026-01-20", "quantity": "12.5"},
    ],
    "promotions": [
        {"promotion_id": "PR1", "kind": "percent", "value": "10", "cycles": "3",
         "product_id": "P1", "auto_apply": "false"},
    ],
    "transactions": [
        {"transaction_id": "T1", "account_id": "A1", "kind": "payment", "amount": "19.99",
         "currency": "EUR", "occurred_on": "2026-01-16"},
    ],
    "business_rules": [
        {"key": "regret_days", "value": "14", "valid_from": "2020-01-01"},
    ],
}


def snapshot() -> dict[str, Rows]:
    """A fresh copy of the valid snapshot (without the optional currencies table)."""
    return copy.deepcopy(_BASE)


def edit(tables: dict[str, Rows], table: str, key: str, **values: str) -> None:
    """Change the row whose first column is `key` (the first such row)."""
    row = next(r for r in tables[table] if next(iter(r.values())) == key)
    row.update(values)


def write_snapshot(folder: Path, tables: dict[str, Rows], parquet: tuple[str, ...] = ()) -> Path:
    """Write every table as CSV with the full contract header (Parquet for `parquet`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        columns = list(UPSTREAM_MODELS[name].to_schema().columns)
        if name in parquet:
            frame = pl.DataFrame([{c: r.get(c) or None for c in columns} for r in rows],
                                 schema={c: pl.String for c in columns})
            frame.write_parquet(folder / f"{name}.parquet")
            continue
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns, restval="")
            writer.writeheader()
            writer.writerows(rows)
    return folder


def drop_row(tables: dict[str, Rows], table: str, key: str) -> None:
    """Remove the row whose first column is `key`."""
    tables[table] = [r for r in tables[table] if next(iter(r.values())) != key]
