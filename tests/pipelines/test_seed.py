"""The seed generator: deterministic, complete and valid upstream data."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest

from models import UPSTREAM_MODELS
from pipelines.loader import load_directory
from pipelines.seed import TABLES, write_seed
from pipelines.seed.generator import CURRENCY_COLUMNS, Money

N_SUBS = 200
START = date(2026, 1, 1)
DAYS = 120
LAST_DAY = START + timedelta(days=DAYS - 1)
MONEY = {
    ("accounts", "credit_limit"), ("bundle_components", "extra_amount"),
    ("price_terms", "amount"), ("price_terms", "cancellation_fee"),
    ("price_terms", "tax_rate"), ("allowances", "units_per_cycle"), ("usage", "quantity"),
    ("promotions", "value"), ("transactions", "amount"), ("subscriptions", "rate_percent"),
}  # fmt: skip


def read_all(folder: Path, fmt: str) -> dict[str, pl.DataFrame]:
    if fmt == "parquet":
        return {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLES}
    return {t: pl.read_csv(folder / f"{t}.csv", infer_schema=False) for t in TABLES}


@pytest.fixture(scope="module")
def parquet_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("seed_parquet")
    return folder, write_seed(folder, N_SUBS, seed=7, start=START, days=DAYS)


@pytest.fixture(scope="module")
def csv_dir(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    folder = tmp_path_factory.mktemp("seed_csv")
    return folder, write_seed(folder, N_SUBS, seed=7, start=START, days=DAYS, fmt="csv")


@pytest.fixture(scope="module")
def data(parquet_dir: tuple[Path, dict[str, int]]) -> dict[str, pl.DataFrame]:
    return read_all(parquet_dir[0], "parquet")


# --- files, counts, determinism ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_same_arguments_give_identical_bytes(tmp_path: Path, fmt: str) -> None:
    a = write_seed(tmp_path / "a", 150, seed=3, start=START, days=60, fmt=fmt, bad_rows=9)
    b = write_seed(tmp_path / "b", 150, seed=3, start=START, days=60, fmt=fmt, bad_rows=9)
    assert a == b
    for table in TABLES:
        name = f"{table}.{fmt}"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    write_seed(tmp_path / "a", 150, seed=3)
    write_seed(tmp_path / "b", 150, seed=4)
    for table in ("subscriptions", "services", "actions"):
        a = (tmp_path / "a" / f"{table}.parquet").read_bytes()
        assert a != (tmp_path / "b" / f"{table}.parquet").read_bytes()


def test_parquet_counts_match_files(parquet_dir: tuple[Path, dict[str, int]]) -> None:
    folder, counts = parquet_dir
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.parquet" for t in TABLES)
    assert list(counts) == list(TABLES)
    for table, n in counts.items():
        assert pq.read_metadata(folder / f"{table}.parquet").num_rows == n
    assert counts["subscriptions"] == N_SUBS
    assert counts["accounts"] == round(N_SUBS / 1.5)
    assert counts["business_rules"] == 18
    assert counts["currencies"] == 4


def test_csv_counts_match_files(
    csv_dir: tuple[Path, dict[str, int]], parquet_dir: tuple[Path, dict[str, int]]
) -> None:
    folder, counts = csv_dir
    assert sorted(p.name for p in folder.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert counts == parquet_dir[1]
    for table, n in counts.items():
        lines = (folder / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert lines[0] == ",".join(c for c, _ in TABLES[table])
        assert len(lines) == n + 1


def test_switching_format_leaves_one_file_per_table(tmp_path: Path) -> None:
    write_seed(tmp_path, 20, fmt="csv")
    write_seed(tmp_path, 20, fmt="parquet")
    assert sorted(p.suffix for p in tmp_path.iterdir()) == [".parquet"] * len(TABLES)


def test_csv_and_parquet_hold_the_same_values(
    csv_dir: tuple[Path, dict[str, int]], data: dict[str, pl.DataFrame]
) -> None:
    csv = read_all(csv_dir[0], "csv")
    for table in ("price_terms", "subscriptions", "actions", "transactions"):
        as_text = data[table].with_columns(
            pl.col(pl.Datetime).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
            pl.col(pl.Boolean).cast(pl.String).str.to_lowercase(),
        )
        for column, _ in TABLES[table]:
            left = as_text[column]
            right = csv[table][column]
            if (table, column) in MONEY:
                left = left.map_elements(lambda d: d.normalize(), return_dtype=pl.Object)
                right = right.map_elements(lambda s: Decimal(s).normalize(), return_dtype=pl.Object)
                assert left.to_list() == right.to_list(), column
            else:
                assert left.cast(pl.String).to_list() == right.to_list(), column


# --- types and formats ---------------------------------------------------------------------


def test_money_is_decimal_never_float(data: dict[str, pl.DataFrame]) -> None:
    for table, frame in data.items():
        assert not any(dt in (pl.Float32, pl.Float64) for dt in frame.dtypes), table
    for table, column in MONEY:
        expected = pl.Decimal(18, 6)
        if column == "tax_rate":
            expected = pl.Decimal(9, 6)
        if column == "rate_percent":
            expected = pl.Decimal(9, 4)
        assert data[table].schema[column] == expected, (table, column)
    assert data["services"].schema["quantity"] == pl.Int32
    assert data["actions"].schema["recorded_at"] == pl.Datetime("us")
    assert data["actions"].schema["effective_on"] == pl.Date


def test_csv_text_formats(csv_dir: tuple[Path, dict[str, int]]) -> None:
    csv = read_all(csv_dir[0], "csv")
    ts = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
    assert all(ts.match(v) for v in csv["actions"]["recorded_at"])
    assert all(ts.match(v) for v in csv["actions"]["status_changed_at"].drop_nulls())
    assert set(csv["payment_methods"]["is_primary"]) == {"true", "false"}
    assert all(re.match(r"^\d{4}-\d\d-\d\d$", v) for v in csv["services"]["ordered_on"])
    terms = csv["price_terms"]
    scale = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}
    for cur, amount in zip(terms["currency"], terms["amount"], strict=True):
        assert re.match(r"^\d+(\.\d{1,6})?$", amount)
        decimals = len(amount.split(".")[1]) if "." in amount else 0
        assert decimals >= scale[cur], (cur, amount)
        if cur == "JPY":
            assert decimals == 0, amount
    assert "19.99" in terms.filter(pl.col("price_term_id") == "PT-TV_BASIC-USD-M-PRE")["amount"]


# --- content -----------------------------------------------------------------------------


def test_currencies_with_zero_two_and_three_minor_units(data: dict[str, pl.DataFrame]) -> None:
    assert set(data["accounts"]["currency"]) == {"USD", "EUR", "JPY", "KWD"}
    assert dict(data["currencies"].iter_rows()) == {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}
    terms = data["price_terms"]
    for cur, places in (("JPY", 0), ("USD", 3), ("EUR", 3), ("KWD", 3)):
        amounts = terms.filter(pl.col("currency") == cur)["amount"].to_list()
        assert all(a == round(a, places) for a in amounts), cur
    kwd = terms.filter(pl.col("currency") == "KWD")["amount"].to_list()
    assert any(a != round(a, 2) for a in kwd)  # a third decimal is used
    weekly_usd = terms.filter((pl.col("currency") == "USD") & (pl.col("billing_cycle") == "week"))
    assert any(a != round(a, 2) for a in weekly_usd["amount"])  # price scale 3 > minor units
    assert terms.filter(pl.col("price_term_id") == "PT-TV_BASIC-JPY-M-PRE")["amount"][0] == 2980


def test_cycles_models_and_billing_days(data: dict[str, pl.DataFrame]) -> None:
    subs = data["subscriptions"]
    cycles = set(subs["billing_cycle"])
    assert {"week", "month", "quarter", "half_year", "year"} <= cycles
    assert cycles <= {"week", "month", "quarter", "half_year", "year", "none"}
    assert set(subs["billing_model"]) == {"pre", "post"}
    assert set(subs["billing_method"].drop_nulls()) == {"period", "anniversary"}
    month_based = subs.filter(pl.col("billing_cycle").is_in(["month", "quarter", "year"]))
    assert {29, 30, 31} <= set(month_based["billing_day"].drop_nulls())
    weekly = subs.filter(pl.col("billing_cycle") == "week")["billing_day"].drop_nulls()
    assert weekly.len() > 0 and weekly.is_between(1, 7).all()
    assert subs["billing_day"].is_null().sum() > 0
    assert subs.filter(pl.col("billing_model") == "post")["bill_days_before"].max() == 0
    assert set(subs["bill_days_before"].drop_nulls()) <= {0, 3, 5, 7}


def test_every_service_matches_its_price_term(data: dict[str, pl.DataFrame]) -> None:
    terms = data["price_terms"].unique("price_term_id")
    joined = (
        data["services"]
        .join(data["subscriptions"], on="subscription_id", suffix="_sub")
        .join(terms, on="price_term_id", suffix="_term")
        .join(data["products"].select("product_id", "kind"), on="product_id")
    )
    assert joined.height == data["services"].height
    assert (joined["product_id"] == joined["product_id_term"]).all()
    assert (joined["currency"] == joined["currency_term"]).all()
    assert (joined["billing_model"] == joined["billing_model_term"]).all()
    recurring = joined.filter(pl.col("kind").is_in(["termed", "device"]))
    assert recurring.height > 0.85 * joined.height
    assert (recurring["billing_cycle"] == recurring["billing_cycle_term"]).all()
    others = joined.filter(~pl.col("kind").is_in(["termed", "device"]))
    assert others["billing_cycle_term"].is_null().all()
    assert set(others.filter(pl.col("billing_cycle") == "none")["kind"]) <= {
        "one_time",
        "no_billing",
    }


def test_services_per_subscription_and_order_dates(data: dict[str, pl.DataFrame]) -> None:
    services, subs = data["services"], data["subscriptions"]
    per_sub = services.group_by("subscription_id").len()["len"]
    assert per_sub.min() == 1 and per_sub.max() == 3
    assert 1.6 < services.height / subs.height < 2.0
    assert services["service_id"].n_unique() == services.height
    assert services["ordered_on"].min() >= START - timedelta(days=30)
    assert services["ordered_on"].max() <= LAST_DAY
    first = services.group_by("subscription_id").agg(pl.col("ordered_on").min())
    both = subs.join(first, on="subscription_id")
    assert (both["agreement_date"] <= both["ordered_on"]).all()


def test_action_kinds_and_statuses(data: dict[str, pl.DataFrame]) -> None:
    actions = data["actions"]
    kinds = set(actions["action"])
    assert {"activate", "change", "pause", "resume", "cancel", "deactivate"} <= kinds
    assert len(kinds & {"regret", "grace_period", "set_auto_renew", "redeem_pass"}) >= 2
    assert {"executed", "scheduled", "cancelled"} <= set(actions["status"])
    assert actions["action_id"].to_list()[:2] == ["A0000001", "A0000002"]
    assert actions["action_id"].n_unique() == actions.height
    in_force = actions.filter(pl.col("status").is_in(["executed", "scheduled"]))
    executed = in_force.filter(pl.col("status") == "executed")
    assert executed["effective_on"].max() <= LAST_DAY
    assert in_force.filter(pl.col("status") == "scheduled")["effective_on"].min() > LAST_DAY
    assert in_force["status_changed_at"].is_null().all()
    withdrawn = actions.filter(pl.col("status").is_in(["cancelled", "rejected"]))
    assert (withdrawn["status_changed_at"] > withdrawn["recorded_at"]).all()
    end = pl.datetime(LAST_DAY.year, LAST_DAY.month, LAST_DAY.day) + pl.duration(days=1)
    assert withdrawn.select((pl.col("status_changed_at") < end).all()).item()
    recorded = actions["recorded_at"].dt.date()
    assert recorded.min() >= START and recorded.max() <= LAST_DAY
    assert actions["effective_on"].min() >= START - timedelta(days=40)
    assert actions["effective_on"].max() <= LAST_DAY + timedelta(days=60)
    assert (actions["effective_on"] < recorded).sum() > 0  # backdated / recorded late
    assert (actions["effective_on"] > recorded).sum() > 0  # recorded ahead
    assert actions["service_id"].is_null().sum() > 0  # subscription-level actions


def test_action_columns_are_filled_by_kind(data: dict[str, pl.DataFrame]) -> None:
    actions = data["actions"]
    pauses = actions.filter(pl.col("action") == "pause")
    assert pauses["days"].is_between(7, 60).all()
    changes = actions.filter(pl.col("action") == "change")
    has_target = changes["new_price_term_id"].is_not_null() | changes["new_quantity"].is_not_null()
    assert has_target.all()
    assert (changes["new_product_id"].is_null() | changes["new_price_term_id"].is_not_null()).all()
    assert changes["new_quantity"].drop_nulls().is_between(1, 5).all()
    other = actions.filter(~pl.col("action").is_in(["change"]))
    assert other["new_price_term_id"].is_null().all()


def test_changes_stay_on_the_tier_path_and_terms(data: dict[str, pl.DataFrame]) -> None:
    terms = data["price_terms"].unique("price_term_id")
    products = data["products"].select("product_id", "tier_path")
    changes = (
        data["actions"]
        .filter(pl.col("new_price_term_id").is_not_null())
        .join(data["services"], on="service_id", suffix="_svc")
        .join(data["subscriptions"], left_on="subscription_id_svc", right_on="subscription_id")
        .join(terms, left_on="new_price_term_id", right_on="price_term_id", suffix="_term")
        .join(products, on="product_id")
        .join(products, left_on="product_id_term", right_on="product_id", suffix="_new")
    )
    assert changes.height > 0
    assert (changes["currency"] == changes["currency_term"]).all()
    assert (changes["billing_cycle"] == changes["billing_cycle_term"]).all()
    assert (changes["billing_model"] == changes["billing_model_term"]).all()
    assert (changes["tier_path"] == changes["tier_path_new"]).all()
    product_changes = changes.filter(pl.col("new_product_id").is_not_null())
    assert product_changes.height > 0
    assert (product_changes["new_product_id"] == product_changes["product_id_term"]).all()
    term_only = changes.filter(pl.col("new_product_id").is_null())
    assert term_only.height > 0


def test_price_versions_share_attributes_and_rise(data: dict[str, pl.DataFrame]) -> None:
    terms = data["price_terms"]
    versions = terms.group_by("price_term_id").len()
    assert set(versions["len"]) == {1, 2}
    fixed = [c for c, _ in TABLES["price_terms"] if c not in ("valid_from", "amount")]
    assert terms.select(fixed).unique().height == versions.height
    second = terms.filter(pl.col("valid_from") > START)
    assert second.height > 0.15 * versions.height
    assert second["valid_from"].max() <= LAST_DAY
    first = terms.filter(pl.col("valid_from") <= START).select("price_term_id", "amount")
    pairs = second.join(first, on="price_term_id", suffix="_old")
    assert pairs.height == second.height
    assert (pairs["amount"] > pairs["amount_old"]).all()
    assert terms["valid_from"].min() < START - timedelta(days=30)


def test_catalogue_terms(data: dict[str, pl.DataFrame]) -> None:
    products = data["products"]
    assert 20 <= products.height <= 40
    kinds = set(products["kind"])
    assert {"termed", "device", "one_time", "usage", "no_billing"} <= kinds
    tv = products.filter(pl.col("tier_path") == "tv")["product_id"].to_list()
    assert tv == ["TV_BASIC", "TV_PLUS", "TV_PREMIUM"]
    terms = data["price_terms"]
    assert set(terms["tax_rate"].cast(pl.String)) >= {"0.190000", "0.200000", "0.000000"}
    assert terms["trial_days"].is_in([0, 7, 14, 30]).all() and terms["trial_days"].max() == 30
    assert set(terms["termed_cycles"].drop_nulls()) == {12}
    assert terms["auto_renew"].sum() < terms.height
    assert set(terms["contract_cycles"].drop_nulls()) == {12}
    assert (terms["cancellation_fee"] > 0).any()
    assert not terms["concurrent_usage"].any()


def test_accounts_and_payment_methods(data: dict[str, pl.DataFrame]) -> None:
    accounts, methods = data["accounts"], data["payment_methods"]
    assert (accounts["credit_limit"] >= 0).all()
    assert (accounts["credit_limit"] == 0).mean() > 0.5
    assert (accounts["created_on"] < START).all()
    assert set(accounts["classification"].drop_nulls()) == {"retail", "business", "vip"}
    primaries = methods.filter(pl.col("is_primary")).group_by("account_id").len()
    assert primaries["len"].max() == 1
    assert set(methods["kind"]) == {"card", "direct_debit", "wallet"}
    assert {"active", "expired"} <= set(methods["status"])
    assert methods.filter(pl.col("kind") != "wallet")["token"].str.starts_with("tok_").all()
    subs = data["subscriptions"].filter(pl.col("payment_method_id").is_not_null())
    owned = subs.join(methods, on="payment_method_id", suffix="_pm")
    assert owned.height == subs.height > 0
    assert (owned["account_id"] == owned["account_id_pm"]).all()
    tx = data["transactions"].join(accounts, on="account_id", suffix="_acc")
    assert (tx["currency"] == tx["currency_acc"]).all()
    assert (tx["amount"] > 0).all()


def test_no_invalid_values_without_bad_rows(data: dict[str, pl.DataFrame]) -> None:
    assert data["services"]["quantity"].min() >= 1
    assert (data["price_terms"]["tax_rate"] < 1).all()
    assert (data["price_terms"]["amount"] >= 0).all()
    assert set(data["price_terms"]["currency"]) == {"USD", "EUR", "JPY", "KWD"}
    actions = data["actions"].join(
        data["services"].select("service_id", pl.col("subscription_id").alias("owner")),
        on="service_id",
    )
    assert (actions["subscription_id"] == actions["owner"]).all()
    assert actions.height == data["actions"]["service_id"].drop_nulls().len()
    assert set(data["actions"]["action"]) <= {
        "activate", "deactivate", "pause", "resume", "cancel", "regret", "change", "renew",
        "set_auto_renew", "extend_term", "extend_trial", "grace_period", "bill_in_advance",
        "change_billing_day", "change_payment_method", "redeem_pass",
    }  # fmt: skip
    usage = data["usage"].join(data["services"], on="service_id")
    assert usage.height == data["usage"].height
    assert (usage["usage_product_id"] == usage["product_id"]).all()


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_a_seed_without_bad_rows_loads_without_quarantine(
    request: pytest.FixtureRequest, fmt: str
) -> None:
    folder, written = request.getfixturevalue(f"{fmt}_dir")
    con = duckdb.connect()
    summary = load_directory(con, folder)
    assert summary.quarantined == 0
    assert {t.table_name: t.rows_loaded for t in summary.tables} == written
    # money to collect or received is whole minor units of its currency (loader: minor_units)
    assert con.execute("SELECT count(*) FROM upstream.quarantine").fetchall() == [(0,)]
    con.close()


def test_the_file_columns_are_the_models_columns() -> None:
    assert list(TABLES) == list(UPSTREAM_MODELS)
    for table, spec in TABLES.items():
        columns = UPSTREAM_MODELS[table].to_schema().columns
        assert [c for c, _ in spec] == list(columns), table
        for column, typ in spec:
            dtype = columns[column].dtype.type
            if isinstance(typ, Money):
                assert (typ.precision, typ.scale) == (dtype.precision, dtype.scale)
                assert typ.currency_column == CURRENCY_COLUMNS.get(table, {}).get(column)
            else:
                assert typ == dtype, (table, column)


def _simulate(data: dict[str, pl.DataFrame]) -> tuple[int, int, int]:
    """Apply domain.md §5 to every service: (valid, invalid, before_ordered_on) actions."""
    services = {r["service_id"]: r for r in data["services"].iter_rows(named=True)}
    actions = (
        data["actions"]
        .filter(pl.col("status").is_in(["executed", "scheduled"]))
        .filter(pl.col("action").is_in(["activate", "deactivate", "pause", "resume", "cancel"]))
        .sort("effective_on", "recorded_at", "action_id")
    )
    by_sub: dict[str, list[str]] = {}
    for svc in services.values():
        by_sub.setdefault(svc["subscription_id"], []).append(svc["service_id"])
    state = {s: ("draft", None) for s in services}
    valid = invalid = early = 0
    for row in actions.iter_rows(named=True):
        targets = [row["service_id"]] if row["service_id"] else by_sub[row["subscription_id"]]
        for sid in targets:
            st, pause_end = state[sid]
            if st == "paused" and row["effective_on"] >= pause_end:
                st = "effective"
            kind, new = row["action"], None
            if kind == "activate" and st in ("draft", "not_effective"):
                if row["effective_on"] < services[sid]["ordered_on"]:
                    early += 1
                    continue
                new = ("effective", None)
            elif kind == "deactivate" and st == "effective":
                new = ("not_effective", None)
            elif kind == "pause" and st == "effective":
                new = ("paused", row["effective_on"] + timedelta(days=row["days"]))
            elif kind == "resume" and st == "paused":
                new = ("effective", None)
            elif kind == "cancel" and st != "cancelled":
                new = ("cancelled", None)
            if new is not None:
                state[sid] = new
                valid += row["service_id"] is not None
            elif row["service_id"] is not None:
                invalid += 1
    return valid, invalid, early


def test_most_transitions_are_valid(tmp_path: Path) -> None:
    write_seed(tmp_path, 1500, seed=11, start=START, days=DAYS)
    valid, invalid, early = _simulate(read_all(tmp_path, "parquet"))
    total = valid + invalid + early
    assert total > 2500
    assert valid / total > 0.93
    assert invalid > 0  # the engine has rejections to publish
    assert early / total < 0.01


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_bad_rows_are_spread_over_tables(tmp_path: Path, fmt: str) -> None:
    clean = write_seed(tmp_path / "clean", 300, seed=5, fmt=fmt)
    counts = write_seed(tmp_path / "bad", 300, seed=5, fmt=fmt, bad_rows=9)
    assert counts == clean
    if fmt == "csv":
        services = pl.read_csv(tmp_path / "bad" / "services.csv", infer_schema=False)
        assert services.filter(pl.col("ordered_on") == "2026-02-30").height == 1
        d = read_all(tmp_path / "bad", "csv")
        quantity_zero = (d["services"]["quantity"] == "0").sum()
        tax = (d["price_terms"]["tax_rate"] == "1.5").sum()
        weekly_nine = d["subscriptions"].filter(
            (pl.col("billing_cycle") == "week") & (pl.col("billing_day") == "9")
        )
    else:
        d = read_all(tmp_path / "bad", "parquet")
        assert (d["transactions"]["amount"] < 0).sum() == 1
        quantity_zero = (d["services"]["quantity"] == 0).sum()
        tax = (d["price_terms"]["tax_rate"] > 1).sum()
        weekly_nine = d["subscriptions"].filter(
            (pl.col("billing_cycle") == "week") & (pl.col("billing_day") == 9)
        )
    assert quantity_zero == 1
    assert tax == 1
    assert weekly_nine.height == 1
    assert (d["accounts"]["currency"] == "XXX").sum() == 1
    assert d["services"].height - d["services"]["service_id"].n_unique() == 1
    assert (d["payment_methods"]["kind"] == "cheque").sum() == 1
    assert (d["actions"]["action"] == "teleport").sum() == 1
    owners = d["actions"].join(
        d["services"]
        .unique("service_id", keep="first")
        .select("service_id", pl.col("subscription_id").alias("owner")),
        on="service_id",
    )
    assert (owners["subscription_id"] != owners["owner"]).sum() >= 1


def test_rejects_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fmt"):
        write_seed(tmp_path, 10, fmt="json")
    with pytest.raises(ValueError, match="subscriptions"):
        write_seed(tmp_path, 0)
    with pytest.raises(ValueError, match="bad_rows"):
        write_seed(tmp_path, 10, bad_rows=-1)
