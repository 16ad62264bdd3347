"""Validate one upstream snapshot (contract.md) and load it into the `upstream` schema.

A load reads one file per contract table, casts every column itself (so that a bad value
quarantines its row instead of failing the load), validates each row against the table's
pandera model, then runs the checks that span rows or tables (keys, references, currencies,
price versions, terms agreed at the start) and quarantines every row that depends on a
quarantined row. Everything is validated before anything is written; the write replaces all
upstream tables in one transaction, so a failed load leaves the previous snapshot in force.

Choices the contract leaves open:
- Columns a file has beyond the contract are ignored (listed in the summary), so upstream can
  add a column before the pipeline reads it. A missing `?` column loads as null; any other
  missing column, a duplicated column, or both `<t>.csv` and `<t>.parquet` is a LoadError.
- Parquet columns of the expected type are taken as they are; other types go through the same
  text parsing as CSV (a float 19.99 becomes the decimal 19.99, never a binary fraction).
- A service's price term must have the service's product and currency; its billing_cycle and
  billing_model are compared with the subscription's only where both are set (one-time and
  usage prices have no cycle, and `none` subscriptions need no model). A termed or device
  service (charged per cycle) in a subscription with billing_cycle `none` is a
  `terms_mismatch`: it has no periods to be billed in (one-time and no-billing services are
  what such a subscription holds).

Check names in upstream.quarantine (one row per failed check; a row counts once):
- `parse`: a value that cannot be read as its column's type (the text is in the message);
- `not_null`, `enum`, `range`, `format`, and the models' own rules (`billing_day_range`,
  `required_unless_no_billing`, `change_needs_target`, ...): see models/;
- `duplicate_key` (every row of the key), `unknown_reference`, `unknown_currency`,
  `inconsistent_versions`, `terms_mismatch`, `service_of_other_subscription`,
  `multiple_primary`, `frozen_column_changed`;
- `minor_units`: an `accounts.credit_limit` or a `transactions.amount` with more significant
  decimals than its currency's minor units (the effective ones: pipelines/currencies.py
  overridden by the upstream `currencies` table), e.g. 50.00555 EUR or 100.5 JPY; such an
  amount cannot be requested or received (prices may be finer: they are rounded per charge);
- `dependency_quarantined`: the row names a quarantined row (models.REFERENCES), iterated to
  a fixed point (a bad account takes its subscriptions, their services, their actions...).

Every step is a vectorised polars expression or join; the only Python loops run over tables,
columns, checks and references. Text keys are joined on 64-bit hashes, confirmed on the text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
from sqlglot import exp

from models import (
    REFERENCES,
    REQUIRED_TABLES,
    TABLE_KEYS,
    UPSTREAM_MODELS,
    Reference,
    optional_columns,
)
from models.validation import row_failures
from pipelines.currencies import effective_minor_units
from pipelines.engine.context import utc_now
from pipelines.engine.warehouse import derive_load_tables, ensure_schema

ROW = "__row"
ISSUE_SCHEMA = {ROW: pl.UInt32, "column_name": pl.String, "check_name": pl.String,
                "message": pl.String}
QUARANTINE_COLUMNS = ("load_id", "table_name", "row_key", "column_name", "check_name",
                      "message", "subscription_id", "service_id", "price_term_id", "source_row")
#: The references a quarantined row carries into upstream.quarantine, per table
#: (quarantine column -> the table's column), so that the bill run can freeze services.
QUARANTINE_IDS: dict[str, dict[str, str]] = {
    "subscriptions": {"subscription_id": "subscription_id"},
    "services": {"subscription_id": "subscription_id", "service_id": "service_id",
                 "price_term_id": "price_term_id"},
    "actions": {"subscription_id": "subscription_id", "service_id": "service_id",
                "price_term_id": "new_price_term_id"},
    "price_terms": {"price_term_id": "price_term_id"},
    "allowances": {"price_term_id": "price_term_id"},
    "usage": {"service_id": "service_id"},
}
ENTITY = {"accounts": "account", "payment_methods": "payment method", "products": "product",
          "price_terms": "price term", "subscriptions": "subscription", "services": "service",
          "promotions": "promotion"}
AGREED = {
    "subscriptions": ("agreed_subscription_terms", "subscription_id",
                      ("billing_day", "billing_cycle", "billing_model", "billing_method",
                       "currency")),
    "services": ("agreed_service_terms", "service_id",
                 ("subscription_id", "product_id", "price_term_id", "quantity", "ordered_on")),
}
CURRENCY_TABLES = ("accounts", "price_terms", "subscriptions", "transactions")
#: Money that must be a whole number of its currency's minor units (table -> (column, currency
#: column)): a credit limit gates payment requests, which are money to collect; a transaction
#: is money received or moved. Prices may be finer (they are rounded once, per charge).
MINOR_UNIT_MONEY: dict[str, tuple[str, str]] = {
    "accounts": ("credit_limit", "currency"),
    "transactions": ("amount", "currency"),
}


class LoadError(Exception):
    """The snapshot cannot be loaded at all (missing or unreadable file, wrong header)."""


@dataclass(frozen=True)
class TableCount:
    table_name: str
    source_file: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    ignored_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class LoadSummary:
    load_id: str
    source_dir: Path
    tables: list[TableCount]
    quarantined: int


@dataclass
class _Table:
    """One table in flight: typed rows (with their position ROW) and the issues found."""

    name: str
    source: Path | None
    data: pl.DataFrame
    raw_keys: pl.DataFrame | None = None  # raw text of non-text key columns, by ROW
    issues: list[pl.DataFrame] = field(default_factory=list)
    ignored: tuple[str, ...] = ()
    bad: pl.Series | None = None  # per row: quarantined (after the cascade)

    def add(self, issues: pl.DataFrame) -> None:
        if issues.height:
            self.issues.append(issues.select(list(ISSUE_SCHEMA)).cast(ISSUE_SCHEMA))


def load_directory(
    con: duckdb.DuckDBPyConnection,
    source_dir: Path,
    progress: Callable[[str], None] | None = None,
) -> LoadSummary:
    """Validate the snapshot in `source_dir` and replace the upstream tables with it."""
    say = progress or (lambda _msg: None)
    source_dir = Path(source_dir)
    sources = _find_sources(source_dir)
    ensure_schema(con)

    tables: dict[str, _Table] = {}
    for name, path in sources.items():
        tables[name] = _read_table(name, path)
        say(f"read {name}: {tables[name].data.height} rows")
    for table in tables.values():
        _validate_rows(table)
        say(f"validated {table.name}: {table.data.height} rows")

    minor_units = _minor_units(tables["currencies"])
    _check_relations(tables, minor_units)
    _check_agreed_terms(con, tables)
    _cascade(tables)
    say("checked keys, references and agreed terms")

    load_id = _load_id(con, sources)
    quarantine = _quarantine(load_id, tables)
    counts = [
        TableCount(t.name, str(t.source) if t.source else None, t.data.height,
                   t.data.height - int(t.bad.sum()), int(t.bad.sum()), t.ignored)
        for t in tables.values()
    ]
    _write(con, load_id, source_dir, tables, quarantine, counts, minor_units)
    total = sum(c.rows_quarantined for c in counts)
    say(f"loaded {load_id}: {sum(c.rows_loaded for c in counts)} rows, {total} quarantined")
    return LoadSummary(load_id, source_dir, counts, total)


# --- reading and casting ----------------------------------------------------------------


def _find_sources(source_dir: Path) -> dict[str, Path | None]:
    if not source_dir.is_dir():
        raise LoadError(f"{source_dir}: not a folder")
    sources: dict[str, Path | None] = {}
    for name in UPSTREAM_MODELS:
        found = [p for p in (source_dir / f"{name}.csv", source_dir / f"{name}.parquet")
                 if p.is_file()]
        if len(found) > 1:
            raise LoadError(f"{found[0]}: both {name}.csv and {name}.parquet are present; "
                            "keep one file per table")
        if not found and name in REQUIRED_TABLES:
            raise LoadError(f"{source_dir / (name + '.csv')}: required table {name} is "
                            f"missing (expected {name}.csv or {name}.parquet)")
        sources[name] = found[0] if found else None
    return sources


def _target_types(name: str) -> dict[str, pl.DataType]:
    return {c: col.dtype.type for c, col in UPSTREAM_MODELS[name].to_schema().columns.items()}


def _read_table(name: str, path: Path | None) -> _Table:
    targets = _target_types(name)
    if path is None:
        empty = pl.DataFrame(schema=targets).with_row_index(ROW)
        return _Table(name, None, empty, raw_keys=_raw_keys(name, empty, targets))
    try:
        if path.suffix == ".csv":
            frame = pl.read_csv(path, infer_schema=False, encoding="utf8")
        else:
            frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several exception types for unreadable files
        raise LoadError(f"{path}: cannot read {name}: {exc}") from exc
    frame = frame.rename({c: c.strip().lstrip("\ufeff") for c in frame.columns})
    duplicated = [c for c in frame.columns if "_duplicated_" in c]
    if duplicated:
        raise LoadError(f"{path}: duplicated column(s) in the header: {', '.join(duplicated)}")
    optional = set(optional_columns(name))
    missing = [c for c in targets if c not in frame.columns and c not in optional]
    if missing:
        raise LoadError(f"{path}: missing required column(s) {', '.join(missing)} "
                        f"(expected {', '.join(targets)})")
    ignored = tuple(c for c in frame.columns if c not in targets)
    raw = frame.select(
        _as_text(c, frame.schema[c], t) if c in frame.columns else pl.lit(None, pl.String).alias(c)
        for c, t in targets.items()
    ).with_row_index(ROW)

    table = _Table(name, path, raw, ignored=ignored)
    table.raw_keys = _raw_keys(name, raw, targets)
    typed = raw.select(pl.col(ROW), *(_parse_fast(c, raw.schema[c], t) for c, t in targets.items()))
    for column, target in targets.items():
        if raw.schema[column] != pl.String or target == pl.String:
            continue
        failed = raw.get_column(column).is_not_null() & typed.get_column(column).is_null()
        if failed.any():
            rows = failed.arg_true()
            text = raw.get_column(column).gather(rows).str.strip_chars()
            retried = pl.select(_parse_slow(pl.lit(text), target)).to_series()
            typed = typed.with_columns(typed.get_column(column).scatter(rows, retried))
            bad = retried.is_null() & (text != "")
            table.add(pl.DataFrame({ROW: rows.filter(bad), "__text": text.filter(bad)}).select(
                pl.col(ROW), column_name=pl.lit(column), check_name=pl.lit("parse"),
                message=pl.concat_str(pl.lit(f"{column} is not {_kind(target)}: '"),
                                      pl.col("__text"), pl.lit("'")),
            ))
    table.data = typed
    return table


def _as_text(column: str, source: pl.DataType, target: pl.DataType) -> pl.Expr:
    """A column as read: kept when it already has the target type (Parquet), else as text.

    A typed Parquet column of another type goes through the same parsing as CSV text, so that
    a float 19.99 becomes the decimal 19.99 and an out-of-range integer is a parse error."""
    col = pl.col(column)
    if source == target:
        return col
    if isinstance(source, pl.Datetime) and isinstance(target, pl.Datetime):
        if source.time_zone:
            col = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return col.cast(target)
    return col.cast(pl.String)


def _raw_keys(name: str, raw: pl.DataFrame, targets: dict[str, pl.DataType]):
    """Key columns that are not text keep their raw text for row_key, so that a bad date in
    a key stays readable in the quarantine."""
    columns = [c for c in TABLE_KEYS[name] if targets[c] != pl.String]
    if not columns:
        return None
    return raw.select(pl.col(ROW), *(pl.col(c).cast(pl.String) for c in columns))


def _kind(target: pl.DataType) -> str:
    """What a valid value of `target` looks like, for parse messages."""
    if isinstance(target, pl.Decimal):
        return (f"a decimal with at most {target.precision - target.scale} digits before and "
                f"{target.scale} after the point")
    return {
        pl.Int32: "a 32-bit integer",
        pl.Date: "a date (YYYY-MM-DD)",
        pl.Datetime: "an ISO 8601 UTC timestamp (YYYY-MM-DDTHH:MM:SSZ)",
        pl.Boolean: "a boolean (true/false or 1/0)",
    }[target.base_type()]


def _decimal_shape(target: pl.Decimal) -> str:
    """Plain decimal notation that fits the column exactly: no exponent, no rounding."""
    whole, scale = target.precision - target.scale, target.scale
    return rf"^[+-]?0*(\d{{1,{whole}}}(\.\d{{0,{scale}}})?|\.\d{{1,{scale}}})$"


def _parse_fast(column: str, source: pl.DataType, target: pl.DataType) -> pl.Expr:
    """The canonical spelling of each type, parsed in one vectorised pass.

    Values it cannot read (null here, set in the text) get a second, more lenient pass on
    just those rows (_parse_slow): padding, `1`/`0`, `+00:00`, fractional seconds."""
    col = pl.col(column)
    if source != pl.String:
        return col
    if target == pl.String:
        return pl.when(col != "").then(col).alias(column)
    if isinstance(target, pl.Decimal):
        typed = pl.when(col.str.contains(_decimal_shape(target))).then(col)
        return typed.cast(target, strict=False).alias(column)
    if target == pl.Int32:
        return col.cast(pl.Int32, strict=False).alias(column)
    if target == pl.Date:
        return col.str.to_date("%Y-%m-%d", strict=False).alias(column)
    if isinstance(target, pl.Datetime):
        return col.str.to_datetime("%Y-%m-%dT%H:%M:%SZ", strict=False,
                                   time_unit=target.time_unit).alias(column)
    if target == pl.Boolean:
        return pl.when(col == "true").then(True).when(col == "false").then(False).alias(column)
    raise TypeError(f"no parser for {column}: {target}")  # pragma: no cover


def _parse_slow(text: pl.Expr, target: pl.DataType) -> pl.Expr:
    """Every accepted spelling, for the (stripped) values the fast pass could not read."""
    text = pl.when(text != "").then(text)
    if isinstance(target, pl.Decimal):
        return pl.when(text.str.contains(_decimal_shape(target))).then(text) \
            .cast(target, strict=False)
    if target == pl.Int32:
        return text.cast(pl.Int32, strict=False)
    if target == pl.Date:
        return text.str.to_date("%Y-%m-%d", strict=False)
    if isinstance(target, pl.Datetime):
        iso = (text.str.replace(r"^(\d{4}-\d{2}-\d{2})[Tt ]", "${1} ")
               .str.replace(r"[Zz]$", "+00:00")
               .str.replace(r"([+-]\d{2})(\d{2})$", "${1}:${2}"))
        iso = pl.when(iso.str.contains(r"[+-]\d{2}:\d{2}$")).then(iso) \
            .otherwise(pl.concat_str(iso, pl.lit("+00:00")))
        return (iso.str.to_datetime("%Y-%m-%d %H:%M:%S%.f%:z", strict=False,
                                    time_unit=target.time_unit, time_zone="UTC")
                .dt.replace_time_zone(None))
    if target == pl.Boolean:
        lower = text.str.to_lowercase()
        return pl.when(lower.is_in(["true", "1"])).then(True) \
            .when(lower.is_in(["false", "0"])).then(False)
    raise TypeError(f"no parser for {target}")  # pragma: no cover


# --- row checks (pandera) ---------------------------------------------------------------


def _validate_rows(table: _Table) -> None:
    """Run the table's pandera model; its failures become the row's issues."""
    failures = row_failures(UPSTREAM_MODELS[table.name], table.data.drop(ROW))
    table.add(failures.rename({"row": ROW}))


# --- matching keys ---------------------------------------------------------------------
# Joins on millions of text ids are the slow part of a load. Keys are matched on a 64-bit
# hash of the text instead, and every match is then confirmed on the text itself, so a hash
# collision can cost time but never pair the wrong rows.


def _hashed(key: pl.Expr) -> pl.Expr:
    """The 64-bit hash a key is matched on (null for a null key)."""
    return pl.when(key.is_not_null()).then(key.hash())


def _lookup(left: pl.DataFrame, on: str, right: pl.DataFrame, right_on: str) -> pl.DataFrame:
    """`left` (rows with `on` set) with the columns of the first `right` row whose `right_on`
    equals `on`, and `__found`; a left join on text keys."""
    attrs = [c for c in right.columns if c != right_on]
    keyed = right.select(pl.col(right_on).alias("__key"), *attrs)
    build = keyed.with_columns(__h=_hashed(pl.col("__key"))).drop_nulls("__h")
    build = build.unique("__h", keep="first")
    probe = left.filter(pl.col(on).is_not_null()).with_columns(__h=_hashed(pl.col(on)))
    joined = probe.join(build, on="__h", how="left").drop("__h")
    clash = pl.col("__key").is_not_null() & (pl.col("__key") != pl.col(on))
    if joined.select(clash.any()).item():  # two keys share a hash: settle on the text
        exact = keyed.unique("__key", keep="first")
        settled = joined.filter(clash).drop("__key", *attrs).join(
            exact, left_on=on, right_on="__key", how="left", coalesce=False)
        joined = pl.concat([joined.filter(~clash), settled.select(joined.columns)])
    return joined.with_columns(__found=pl.col("__key").is_not_null()).drop("__key")


def _is_in(values: pl.Series, keys: pl.Series) -> pl.Series:
    """values.is_in(keys) for text: candidates by hash, confirmed on their text."""
    keys = keys.drop_nulls()
    if keys.len() == 0:
        return pl.repeat(False, values.len(), dtype=pl.Boolean, eager=True)
    hashed = pl.select(_hashed(pl.lit(values))).to_series()
    known = pl.select(_hashed(pl.lit(keys))).to_series().unique()
    found = hashed.is_in(known.implode()).fill_null(False)
    if found.any():
        rows = found.arg_true()
        found = found.scatter(rows, values.gather(rows).is_in(keys.unique().implode()))
    return found


def _duplicates(frame: pl.DataFrame, keys: list[str]) -> pl.DataFrame:
    """Rows (ROW, keys, __n) whose complete key occurs __n > 1 times."""
    complete = frame.filter(pl.all_horizontal(pl.col(k).is_not_null() for k in keys))
    key = pl.struct(keys) if len(keys) > 1 else pl.col(keys[0])
    hashed = complete.select(_hashed(key)).to_series()
    if hashed.n_unique() == hashed.len():
        return complete.clear().with_columns(__n=pl.lit(0, pl.UInt32))
    candidates = complete.filter(hashed.is_duplicated())
    counted = candidates.with_columns(pl.len().over(keys).alias("__n"))
    return counted.filter(pl.col("__n") > 1)


# --- checks across rows and tables ------------------------------------------------------


def _issues(frame: pl.DataFrame, column: str | None, check: str, message: pl.Expr):
    return frame.select(pl.col(ROW), column_name=pl.lit(column, dtype=pl.String),
                        check_name=pl.lit(check), message=message)


def _text(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).fill_null("empty")


def _minor_units(currencies: _Table) -> dict[str, int]:
    """Shipped minor units overridden by the upstream rows that passed their checks."""
    _check_duplicate_keys(currencies)
    bad = _base_bad_rows(currencies)
    good = currencies.data.filter(~pl.col(ROW).is_in(bad.implode()))
    return effective_minor_units(dict(good.select("currency", "minor_units").iter_rows()))


#: Columns of the referenced row that later checks compare, per reference.
FETCHED = {
    ("actions", "service_id"): {"subscription_id": "owner"},
    ("services", "subscription_id"): {"currency": "sub_currency", "billing_cycle": "sub_cycle",
                                      "billing_model": "sub_model"},
    ("services", "price_term_id"): {"product_id": "pt_product", "currency": "pt_currency",
                                    "billing_cycle": "pt_cycle", "billing_model": "pt_model"},
    ("services", "product_id"): {"kind": "product_kind"},
}

#: Product kinds charged per billing cycle: they need a subscription with a cycle.
PER_CYCLE_KINDS = ("termed", "device")


def _check_relations(tables: dict[str, _Table], minor_units: dict[str, int]) -> None:
    """Checks across rows and tables. Those of single rows come first, so that comparisons
    with a referenced row skip rows that already failed (they would only add noise)."""
    for table in tables.values():
        if table.name != "currencies":  # done before the currency table was needed
            _check_duplicate_keys(table)
    _check_price_versions(tables["price_terms"])
    _check_primary_methods(tables["payment_methods"])
    _check_currencies(tables, minor_units)
    _check_minor_units(tables, minor_units)
    resolved = _check_references(tables)
    _check_service_terms(tables["services"], resolved)
    _check_action_services(tables["actions"], resolved[("actions", "service_id")])


def _check_currencies(tables: dict[str, _Table], minor_units: dict[str, int]) -> None:
    """Money needs its currency's minor units to be rounded (domain.md §2)."""
    known = pl.Series(sorted(minor_units), dtype=pl.String).implode()
    for name in CURRENCY_TABLES:
        currency = pl.col("currency")
        unknown = tables[name].data.filter(currency.is_not_null() & ~currency.is_in(known))
        tables[name].add(_issues(unknown, "currency", "unknown_currency", pl.concat_str(
            pl.lit("currency "), currency,
            pl.lit(" is not a known ISO 4217 code (add it to currencies)"))))


def _check_minor_units(tables: dict[str, _Table], minor_units: dict[str, int]) -> None:
    """Money to collect or received has no more significant decimals than its currency's
    minor units: 50.00555 EUR or 100.5 JPY is not an amount anyone can pay (50.0000 EUR is
    50.00 and passes). A row of an unknown currency is left to `unknown_currency`."""
    codes = pl.Series(list(minor_units), dtype=pl.String)
    digits = pl.Series(list(minor_units.values()), dtype=pl.Int64)
    for name, (column, currency_column) in MINOR_UNIT_MONEY.items():
        data = tables[name].data
        scale = data.schema[column].scale  # the model's Decimal(p, s): values are ints of 10^-s
        units = pl.col(currency_column).replace_strict(codes, digits, default=None,
                                                       return_dtype=pl.Int64)
        step = pl.lit(10, pl.Int128).pow((scale - units).clip(lower_bound=0))
        finer = (pl.col(column).to_physical() % step) != 0  # null amount or units: not finer
        bad = data.filter(finer.fill_null(False)).with_columns(__units=units)
        significant = (pl.col(column).cast(pl.String).str.strip_chars_end("0")
                       .str.strip_chars_end("."))
        tables[name].add(_issues(bad, column, "minor_units", pl.concat_str(
            pl.lit(f"{column} "), significant, pl.lit(" has more decimals than "),
            pl.col(currency_column), pl.lit("'s "), pl.col("__units").cast(pl.String),
            pl.lit(" minor units"))))


def _check_duplicate_keys(table: _Table) -> None:
    """Every row of a key that appears more than once: upstream must say which is right."""
    keys = list(TABLE_KEYS[table.name])
    counted = _duplicates(table.data.select(ROW, *keys), keys)
    key_text = pl.concat_str([pl.col(k).cast(pl.String) for k in keys], separator="|")
    table.add(_issues(counted, keys[0] if len(keys) == 1 else None, "duplicate_key",
                      pl.concat_str(pl.lit("|".join(keys) + " "), key_text,
                                    pl.lit(" appears "), pl.col("__n").cast(pl.String),
                                    pl.lit(" times"))))


def _check_references(tables: dict[str, _Table]) -> dict[tuple[str, str], pl.DataFrame]:
    """Every reference names an existing row; returns the resolved rows of FETCHED refs."""
    resolved = {}
    for ref in REFERENCES:
        child, parent = tables[ref.table], tables[ref.parent]
        fetched = FETCHED.get((ref.table, ref.column), {})
        columns = parent.data.select(ref.parent_column, *fetched).rename(fetched)
        if fetched:  # a comparison with a row that failed its own checks would only add noise
            columns = columns.with_columns(_flagged(parent).not_().alias(f"__{ref.parent}_ok"))
        found = _lookup(child.data.select(ROW, ref.column), ref.column, columns,
                        ref.parent_column)
        resolved[(ref.table, ref.column)] = found.filter(pl.col("__found"))
        child.add(_issues(found.filter(~pl.col("__found")), ref.column, "unknown_reference",
                          pl.concat_str(pl.lit(f"{ref.column} "), pl.col(ref.column),
                                        pl.lit(f" is not in {ref.parent}"))))
    return resolved


def _flagged(table: _Table) -> pl.Series:
    """Per row: has the row failed a check so far?"""
    flags = pl.repeat(False, table.data.height, dtype=pl.Boolean, eager=True)
    if table.issues:
        flags = flags.scatter(pl.concat(table.issues).get_column(ROW).unique(), True)
    return flags


def _check_price_versions(price_terms: _Table) -> None:
    """All versions of a price term share product, currency, cycle and model, or all of them
    are quarantined (a version cannot silently move a service to another product)."""
    shared = ("product_id", "currency", "billing_cycle", "billing_model")
    data = price_terms.data.filter(pl.col("price_term_id").is_not_null())
    spread = data.group_by("price_term_id").agg(pl.col(c).n_unique() for c in shared)
    differing = spread.filter(pl.any_horizontal(pl.col(c) > 1 for c in shared)).select(
        "price_term_id",
        __cols=pl.concat_list(pl.when(pl.col(c) > 1).then(pl.lit(c)) for c in shared)
        .list.drop_nulls().list.join(", "),
    )
    rows = data.select(ROW, "price_term_id").join(differing, on="price_term_id")
    price_terms.add(_issues(rows, None, "inconsistent_versions", pl.concat_str(
        pl.lit("the versions of price term "), pl.col("price_term_id"),
        pl.lit(" disagree on "), pl.col("__cols"))))


def _check_service_terms(services: _Table, resolved) -> None:
    """A service's price term belongs to its product and bills in its subscription's terms."""
    joined = resolved[("services", "price_term_id")].join(
        resolved[("services", "subscription_id")].drop("__found"), on=ROW)
    joined = joined.join(
        resolved[("services", "product_id")].select(ROW, "product_kind"), on=ROW, how="left")
    joined = joined.with_columns(
        services.data.select("subscription_id", "product_id")[joined.get_column(ROW)])
    pt, sub = pl.col("price_term_id"), pl.col("subscription_id")
    mismatches = (
        ("product_id", pl.col("pt_product") != pl.col("product_id"), pl.concat_str(
            pl.lit("price term "), pt, pl.lit(" belongs to product "), pl.col("pt_product"),
            pl.lit(", not "), pl.col("product_id"))),
        ("price_term_id", pl.col("pt_currency") != pl.col("sub_currency"), pl.concat_str(
            pl.lit("price term "), pt, pl.lit(" is in "), pl.col("pt_currency"),
            pl.lit(" but subscription "), sub, pl.lit(" is in "), pl.col("sub_currency"))),
        ("price_term_id", (pl.col("sub_cycle") != "none")
         & (pl.col("pt_cycle") != pl.col("sub_cycle")), pl.concat_str(
            pl.lit("price term "), pt, pl.lit(" bills per "), pl.col("pt_cycle"),
            pl.lit(" but subscription "), sub, pl.lit(" per "), pl.col("sub_cycle"))),
        ("price_term_id", pl.col("pt_model") != pl.col("sub_model"), pl.concat_str(
            pl.lit("price term "), pt, pl.lit(" is "), pl.col("pt_model"),
            pl.lit("-billed but subscription "), sub, pl.lit(" is "), pl.col("sub_model"),
            pl.lit("-billed"))),
        ("product_id", (pl.col("sub_cycle") == "none")
         & pl.col("product_kind").is_in(PER_CYCLE_KINDS), pl.concat_str(
            pl.lit("product "), pl.col("product_id"), pl.lit(" is "), pl.col("product_kind"),
            pl.lit(" (billed per cycle) but subscription "), sub,
            pl.lit(" has billing_cycle none"))),
    )
    joined = joined.filter(pl.col("__price_terms_ok") & pl.col("__subscriptions_ok"))
    for column, differs, message in mismatches:
        services.add(_issues(joined.filter(differs.fill_null(False)), column, "terms_mismatch",
                             message))


def _check_action_services(actions: _Table, resolved: pl.DataFrame) -> None:
    """An action names a service of its own subscription, or it would change another one."""
    joined = resolved.with_columns(actions.data.get_column("subscription_id")
                                   .gather(resolved.get_column(ROW)))
    differs = (pl.col("owner") != pl.col("subscription_id")).fill_null(False)
    wrong = joined.filter(differs & pl.col("__services_ok"))
    actions.add(_issues(wrong, "service_id", "service_of_other_subscription", pl.concat_str(
        pl.lit("service "), pl.col("service_id"), pl.lit(" belongs to subscription "),
        pl.col("owner"), pl.lit(", not "), pl.col("subscription_id"))))


def _check_primary_methods(methods: _Table) -> None:
    """At most one primary method per account; with two, neither can be trusted."""
    primaries = methods.data.filter(pl.col("is_primary").fill_null(False)).select(
        ROW, "account_id")
    counted = _duplicates(primaries, ["account_id"])
    methods.add(_issues(counted, "is_primary", "multiple_primary", pl.concat_str(
        pl.lit("account "), pl.col("account_id"), pl.lit(" has "),
        pl.col("__n").cast(pl.String), pl.lit(" primary payment methods; at most one allowed"))))


def _check_agreed_terms(con: duckdb.DuckDBPyConnection, tables: dict[str, _Table]) -> None:
    """Terms agreed at the start never change (domain.md §11): compare with first-seen."""
    for name, (agreed_table, key, columns) in AGREED.items():
        agreed = _agreed(con, agreed_table, key, columns)
        if agreed.height == 0:
            continue
        was = {c: f"__agreed_{c}" for c in columns}
        joined = _lookup(tables[name].data.select(ROW, key, *columns), key,
                         agreed.rename(was), key).filter(pl.col("__found"))
        for column in columns:
            changed = joined.filter(pl.col(column).ne_missing(pl.col(was[column])))
            tables[name].add(_issues(changed, column, "frozen_column_changed", pl.concat_str(
                pl.lit(f"{column} was agreed as "), _text(was[column]),
                pl.lit(" and cannot change (got "), _text(column),
                pl.lit("); changes come as actions"))))


def _agreed(con, table: str, key: str, columns: tuple[str, ...]) -> pl.DataFrame:
    return con.table(f"upstream.{table}").select(key, *columns).pl()


# --- the cascade ------------------------------------------------------------------------


def _base_bad_rows(table: _Table) -> pl.Series:
    """Rows with a failed check; a parse failure hides the other reasons of its cell."""
    if not table.issues:
        return pl.Series(ROW, [], dtype=pl.UInt32)
    issues = pl.concat(table.issues)
    parse = issues.filter(pl.col("check_name") == "parse")
    if parse.height:
        others = issues.filter(pl.col("check_name") != "parse").join(
            parse.select(ROW, "column_name"), on=[ROW, "column_name"], how="anti",
            nulls_equal=True)
        issues = pl.concat([parse, others])
    table.issues = [issues]
    return issues.get_column(ROW).unique()


def _cascade(tables: dict[str, _Table]) -> None:
    """Quarantine every row that names a quarantined row, to a fixed point."""
    for table in tables.values():
        table.bad = pl.repeat(False, table.data.height, dtype=pl.Boolean, eager=True)
        table.bad = table.bad.scatter(_base_bad_rows(table), True)
    dependent: dict[Reference, pl.Series] = {}
    dirty = {name for name, t in tables.items() if t.bad.any()}
    while dirty:
        changed: set[str] = set()
        for ref in REFERENCES:
            if ref.parent not in dirty:
                continue
            child, parent = tables[ref.table], tables[ref.parent]
            bad_keys = parent.data.get_column(ref.parent_column).filter(parent.bad)
            hits = _is_in(child.data.get_column(ref.column), bad_keys)
            dependent[ref] = hits
            if (hits & ~child.bad).any():
                child.bad = child.bad | hits
                changed.add(ref.table)
        dirty = changed
    for ref, hits in dependent.items():
        child = tables[ref.table]
        child.add(_issues(child.data.filter(hits), ref.column, "dependency_quarantined",
                          pl.concat_str(pl.lit(ENTITY[ref.parent] + " "), pl.col(ref.column),
                                        pl.lit(" is quarantined"))))


# --- writing ----------------------------------------------------------------------------


def _load_id(con: duckdb.DuckDBPyConnection, sources: dict[str, Path | None]) -> str:
    """L-<UTC time>-<hash of the input files' names, sizes and times>; unique per warehouse."""
    digest = hashlib.sha256()
    for name, path in sources.items():
        if path is not None:
            stat = path.stat()
            digest.update(f"{name}:{path.name}:{stat.st_size}:{stat.st_mtime_ns};".encode())
    stamp = utc_now().strftime("%Y%m%dT%H%M%SZ")
    base = f"L-{stamp}-{digest.hexdigest()[:8]}"
    taken = {r[0] for r in con.execute(
        "SELECT load_id FROM upstream.loads WHERE load_id LIKE ?", [base + "%"]).fetchall()}
    load_id, n = base, 1
    while load_id in taken:
        n += 1
        load_id = f"{base}-{n}"
    return load_id


def _quarantine(load_id: str, tables: dict[str, _Table]) -> pl.DataFrame:
    frames = []
    for table in tables.values():
        if not table.issues:
            continue
        issues = pl.concat(table.issues)
        ids = QUARANTINE_IDS.get(table.name, {})
        rows = table.data.filter(table.bad)
        if table.raw_keys is not None:
            rows = rows.drop(table.raw_keys.columns[1:]).join(table.raw_keys, on=ROW)
        parts = [pl.col(k).cast(pl.String) for k in TABLE_KEYS[table.name]]
        key = pl.when(pl.any_horizontal(p.is_not_null() for p in parts)).then(
            pl.concat_str([p.fill_null("") for p in parts], separator="|"))
        rows = rows.select(
            ROW, row_key=key,
            **{q: (pl.col(c) if c in rows.columns else pl.lit(None, dtype=pl.String))
               for q, c in ids.items()},
        )
        frames.append(issues.join(rows, on=ROW).sort(ROW, "check_name", "column_name",
                                                     nulls_last=True).select(
            load_id=pl.lit(load_id), table_name=pl.lit(table.name),
            row_key=pl.col("row_key"), column_name=pl.col("column_name"),
            check_name=pl.col("check_name"), message=pl.col("message"),
            **{q: pl.col(q) if q in ids else pl.lit(None, dtype=pl.String)
               for q in ("subscription_id", "service_id", "price_term_id")},
            source_row=pl.col(ROW).cast(pl.Int64) + 1,
        ))
    schema = {c: pl.Int64 if c == "source_row" else pl.String for c in QUARANTINE_COLUMNS}
    return pl.concat(frames) if frames else pl.DataFrame(schema=schema)


def _write(con, load_id, source_dir, tables, quarantine, counts, minor_units) -> None:
    """Replace the upstream snapshot in one transaction; agreed terms are only added to."""
    loaded_at = utc_now()
    stats = pl.DataFrame(
        [(load_id, c.table_name, c.source_file, c.rows_read, c.rows_loaded, c.rows_quarantined)
         for c in counts], orient="row",
        schema={"load_id": pl.String, "table_name": pl.String, "source_file": pl.String,
                "rows_read": pl.Int64, "rows_loaded": pl.Int64, "rows_quarantined": pl.Int64})
    units = pl.DataFrame({"currency": list(minor_units), "minor_units": list(minor_units.values())},
                         schema={"currency": pl.String, "minor_units": pl.Int32})
    replaced = {name: (t.data.filter(~t.bad) if t.bad.any() else t.data).drop(ROW)
                for name, t in tables.items()}
    replaced |= {"quarantine": quarantine, "load_stats": stats, "currency_minor_units": units}
    added = {"loads": pl.DataFrame({"load_id": [load_id], "source_dir": [str(source_dir)],
                                    "loaded_at": [loaded_at]})}
    for name, (agreed_table, key, columns) in AGREED.items():
        loaded = replaced[name].select(key, *columns)
        known = _is_in(loaded.get_column(key), _agreed(con, agreed_table, key, ()).to_series())
        added[agreed_table] = loaded.filter(~known).with_columns(first_load_id=pl.lit(load_id))

    con.execute("BEGIN TRANSACTION")
    try:
        for name, frame in replaced.items():
            con.execute(exp.delete(exp.table_(name, db="upstream")).sql(dialect="duckdb"))
            _insert(con, name, frame)
        for name, frame in added.items():
            _insert(con, name, frame)
        derive_load_tables(con)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    if frame.height == 0:
        return
    columns = [exp.to_identifier(c, quoted=True) for c in frame.columns]
    statement = exp.insert(exp.select(*columns).from_("__load_frame"),
                           exp.table_(table, db="upstream"), columns=columns)
    con.register("__load_frame", frame.to_arrow())
    try:
        con.execute(statement.sql(dialect="duckdb"))
    finally:
        con.unregister("__load_frame")


__all__ = ["LoadError", "LoadSummary", "TableCount", "load_directory"]
