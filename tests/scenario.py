"""Small readable billing scenarios written straight into the upstream tables.

Engine tests describe their world with these builders (defaults fill what a test does not care
about) and load it without the file loader, so that a scenario reads like the domain example
it checks. A builder sets only the columns it gives a value; `Scenario.load` takes each table's
columns from its model (models.UPSTREAM_MODELS) and fills the others with null.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import duckdb

from models import UPSTREAM_MODELS
from pipelines.currencies import ISO_4217_MINOR_UNITS
from pipelines.engine.bill_run import compute, run_bill_run
from pipelines.engine.catalog import ModelCatalog, default_catalog
from pipelines.engine.context import RunContext
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.engine.summary import BillRunSummary
from pipelines.engine.warehouse import derive_load_tables, ensure_schema


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def ts(text: str) -> dt.datetime:
    """A recorded_at timestamp: a date means 10:00 UTC that day."""
    if len(text) == 10:
        return dt.datetime.fromisoformat(text + "T10:00:00")
    return dt.datetime.fromisoformat(text)


@dataclass
class Scenario:
    tables: dict[str, list[dict]] = field(default_factory=dict)
    _action_seq: int = 0

    def _add(self, table: str, row: dict) -> dict:
        self.tables.setdefault(table, []).append(row)
        return row

    def account(self, account_id="ACC1", currency="EUR", credit_limit="0", classification=None):
        return self._add("accounts", dict(
            account_id=account_id, name=account_id, currency=currency,
            credit_limit=Decimal(credit_limit), classification=classification,
            created_on=d("2020-01-01")))

    def payment_method(self, pm_id, account_id="ACC1", kind="card", is_primary=True,
                       status="active"):
        return self._add("payment_methods", dict(
            payment_method_id=pm_id, account_id=account_id, kind=kind, is_primary=is_primary,
            token="tok", status=status))

    def product(self, product_id="P1", kind="termed", tier_path=None):
        return self._add("products", dict(
            product_id=product_id, name=product_id, kind=kind, tier_path=tier_path))

    def price_term(self, price_term_id="PT1", amount="30.00", product_id="P1", currency="EUR",
                   cycle="month", model="pre", valid_from="2000-01-01", tax_rate="0",
                   trial_days=0, termed_cycles=None, auto_renew=True, contract_cycles=None,
                   cancellation_fee="0"):
        return self._add("price_terms", dict(
            price_term_id=price_term_id, valid_from=d(valid_from), product_id=product_id,
            currency=currency, billing_cycle=cycle, amount=Decimal(amount), billing_model=model,
            trial_days=trial_days, termed_cycles=termed_cycles, auto_renew=auto_renew,
            contract_cycles=contract_cycles, cancellation_fee=Decimal(cancellation_fee),
            tax_rate=Decimal(tax_rate), concurrent_usage=False))

    def subscription(self, subscription_id="S1", account_id="ACC1", currency="EUR",
                     cycle="month", model="pre", method="period", billing_day=None,
                     bill_days_before=0, payment_method_id=None):
        return self._add("subscriptions", dict(
            subscription_id=subscription_id, account_id=account_id, currency=currency,
            billing_cycle=cycle, billing_model=model, billing_method=method,
            billing_day=billing_day, bill_days_before=bill_days_before,
            payment_method_id=payment_method_id, agreement_date=d("2020-01-01")))

    def service(self, service_id="SV1", subscription_id="S1", product_id="P1",
                price_term_id="PT1", quantity=1, ordered_on="2020-01-01"):
        return self._add("services", dict(
            service_id=service_id, subscription_id=subscription_id, product_id=product_id,
            price_term_id=price_term_id, quantity=quantity, ordered_on=d(ordered_on)))

    def action(self, action, effective_on, service_id="SV1", subscription_id="S1",
               recorded_at=None, status="executed", status_changed_at=None, action_id=None,
               **extra):
        """`extra`: any other column of actions (new_price_term_id=..., days=...)."""
        self._action_seq += 1
        row = dict(
            action_id=action_id or f"A{self._action_seq:04d}", subscription_id=subscription_id,
            service_id=service_id, action=action, status=status,
            status_changed_at=ts(status_changed_at) if status_changed_at else None,
            effective_on=d(effective_on), recorded_at=ts(recorded_at or effective_on))
        row.update(extra)
        return self._add("actions", row)

    def rule(self, key, value, valid_from="2000-01-01"):
        return self._add("business_rules", dict(key=key, value=str(value),
                                                valid_from=d(valid_from)))

    def transaction(self, transaction_id, amount, kind="payment", account_id="ACC1",
                    currency="EUR", occurred_on="2020-01-01"):
        return self._add("transactions", dict(
            transaction_id=transaction_id, account_id=account_id, kind=kind,
            amount=Decimal(amount), currency=currency, occurred_on=d(occurred_on)))

    def simple(self, amount="30.00", cycle="month", model="pre", method="period",
               billing_day=None, currency="EUR", **price):
        """One account, product, price term, subscription and (unactivated) service."""
        self.account(currency=currency)
        self.product()
        self.price_term(amount=amount, cycle=cycle, model=model, currency=currency, **price)
        self.subscription(cycle=cycle, model=model, method=method, billing_day=billing_day,
                          currency=currency)
        self.service()
        return self

    def two_subscriptions(self) -> Scenario:
        """`simple` at 30.00 (S1, SV1 of ACC1) and S2 of ACC2 with SV2 at 20.00 a month, both
        activated Apr 1 (billing day 1, pre-billed)."""
        self.simple(amount="30.00")
        self.price_term("PT2", amount="20.00")
        self.account("ACC2")
        self.subscription("S2", account_id="ACC2")
        self.service("SV2", subscription_id="S2", price_term_id="PT2")
        self.action("activate", "2026-04-01")
        self.action("activate", "2026-04-01", service_id="SV2", subscription_id="S2")
        return self

    def load(self, con: duckdb.DuckDBPyConnection, load_id: str = "L1") -> None:
        """Replace the upstream tables with this scenario, as a clean load would."""
        ensure_schema(con)
        con.execute("BEGIN TRANSACTION")
        for table in ("accounts", "payment_methods", "products", "price_terms", "subscriptions",
                      "services", "actions", "business_rules", "transactions", "quarantine",
                      "load_stats", "currency_minor_units"):
            con.execute(f"DELETE FROM upstream.{table}")
        for table, rows in self.tables.items():
            cols = list(UPSTREAM_MODELS[table].to_schema().columns)  # a row omits nulls
            unknown = {c for r in rows for c in r} - set(cols)
            assert not unknown, f"{table} has no column(s) {sorted(unknown)}"
            if rows:
                con.executemany(
                    f"INSERT INTO upstream.{table} ({', '.join(cols)}) "
                    f"VALUES ({', '.join('?' for _ in cols)})",
                    [[r.get(c) for c in cols] for r in rows],
                )
            con.execute(
                "INSERT INTO upstream.load_stats VALUES (?, ?, NULL, ?, ?, 0)",
                [load_id, table, len(rows), len(rows)],
            )
        con.executemany(
            "INSERT INTO upstream.currency_minor_units VALUES (?, ?)",
            list(ISO_4217_MINOR_UNITS.items()),
        )
        con.execute("INSERT INTO upstream.loads VALUES (?, 'scenario', now())", [load_id])
        derive_load_tables(con)
        con.execute("COMMIT")


def run(con: duckdb.DuckDBPyConnection, as_of: str | dt.date, full: bool = False,
        catalog: ModelCatalog | None = None) -> BillRunSummary:
    """The bill run for `as_of` (ISO text or a date), as bill_run_job runs it; `full` computes
    every subscription; `catalog` replaces the models (a test's broken model)."""
    day = d(as_of) if isinstance(as_of, str) else as_of
    return run_bill_run(DuckDBEngine(con), RunContext.build(day, full=full), catalog=catalog)


def compute_models(con: duckdb.DuckDBPyConnection, as_of: str | dt.date, *targets: str,
                   full: bool = False) -> None:
    """Run `targets` (and what they read) of the bill run for `as_of` into the work catalog,
    as the run does (engine.bill_run.compute), keeping them to be read; publishes nothing."""
    day = d(as_of) if isinstance(as_of, str) else as_of
    context = RunContext.build(day, full=full)
    params = context.model_parameters("BR-test", default_catalog().digest())
    compute(DuckDBEngine(con), params, targets=targets)


def invoice_lines(con: duckdb.DuckDBPyConnection, bill_run_id: str | None = None) -> list[tuple]:
    """(service, kind, period_start, period_end, days, period_days, amount) in publish order."""
    where = f"WHERE bill_run_id = '{bill_run_id}'" if bill_run_id else ""
    return con.execute(
        "SELECT service_id, kind, period_start::VARCHAR, period_end::VARCHAR, days, "
        f"period_days, amount FROM published.invoice_lines {where} "
        "ORDER BY invoice_id, line_no"
    ).fetchall()


def scope(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(subscription, reason) of the last computed run's scope (work.run_scope)."""
    return con.execute(
        "SELECT subscription_id, reason FROM work.run_scope ORDER BY subscription_id"
    ).fetchall()


def rejections(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    """(action_id, reason) of every published rejection, by action."""
    return con.execute(
        "SELECT action_id, reason FROM published.action_rejections ORDER BY action_id"
    ).fetchall()


def credit_lines(con: duckdb.DuckDBPyConnection, bill_run_id: str | None = None) -> list[tuple]:
    where = f"WHERE bill_run_id = '{bill_run_id}'" if bill_run_id else ""
    return con.execute(
        "SELECT service_id, kind, period_start::VARCHAR, period_end::VARCHAR, amount, "
        f"credited_invoice_id FROM published.credit_note_lines {where} "
        "ORDER BY credit_note_id, line_no"
    ).fetchall()
