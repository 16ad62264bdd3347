"""The `billing` command line.

`run` and `backfill` execute `bill_run_job`, the job the daily schedule runs, in-process on
the Dagster instance kept beside the warehouse (pipelines/orchestration/launch.py), so every
run shows in `dagster dev` with its partition, checks and logs; the summary printed at the end
is read from what the runs published. Dagster is imported only by those two commands.

Exit codes: 0 success; 2 refused or bad input (RunRefused, WarehouseBusy, LoadError, a date
outside the partitions, a command not available yet); 3 an invariant failed (nothing of that
date was published); 1 anything unexpected (with its traceback).
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
from sqlglot import exp

from pipelines import reporting
from pipelines.engine.bill_run import InvariantFailed, RunRefused
from pipelines.engine.catalog import default_catalog
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.engine.summary import read_summaries
from pipelines.engine.warehouse import WarehouseBusy
from pipelines.engine.warehouse import connect as connect_warehouse
from pipelines.settings import settings

# Published columns that must never leave the warehouse, whatever table they end up in.
SECRET_COLUMNS = frozenset({"token"})
NOT_YET = "not available yet (planned: time travel and bill preview)"


class Failed(Exception):
    """A command ends with a message on stderr and a non-zero exit code."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.handler(args) or 0
    except Failed as exc:
        print(f"billing {args.command}: {exc}", file=sys.stderr)
        return exc.code
    except WarehouseBusy as exc:
        print(f"billing {args.command}: {exc}", file=sys.stderr)
        return 2


def iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="billing", description="Batch subscription billing on an embedded DuckDB warehouse."
    )
    parser.add_argument(
        "--warehouse",
        metavar="PATH",
        help="the DuckDB warehouse file (default: $BILLING_WAREHOUSE, else "
        "warehouse/billing.duckdb)",
    )
    # Also accepted after the command: `billing run --as-of D --warehouse W`.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--warehouse", metavar="PATH", default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, handler: Callable[[argparse.Namespace], int | None], text: str):
        p = sub.add_parser(name, parents=[common], help=text, description=text)
        p.set_defaults(handler=handler)
        return p

    p = command("seed", cmd_seed, "write a realistic, deterministic upstream data set")
    p.add_argument("dir", type=Path)
    p.add_argument("--subscriptions", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--start", type=iso_date, default=dt.date(2026, 1, 1))
    p.add_argument("--days", type=int, default=120)
    p.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    p.add_argument("--bad-rows", type=int, default=0, help="rows that fail validation")

    p = command("load", cmd_load, "validate and load the upstream tables of a folder")
    p.add_argument("dir", type=Path)

    full = (
        "compute every subscription, not only those whose inputs changed or whose next date "
        "came (publishes the same documents; use it to check, or after changing the engine "
        "outside sql/)"
    )
    p = command("run", cmd_run, "the bill run for one as-of date")
    p.add_argument("--as-of", type=iso_date, required=True)
    p.add_argument("--full", action="store_true", help=full)

    p = command("backfill", cmd_backfill, "one bill run per date, in order, in one Dagster run")
    p.add_argument("--from", dest="first", type=iso_date, required=True)
    p.add_argument("--to", dest="last", type=iso_date, required=True)
    p.add_argument("--full", action="store_true", help=full)

    p = command("export", cmd_export, "write every published table as DIR/<table>.parquet")
    p.add_argument("dir", type=Path)

    p = command("simulate", cmd_not_yet, "a run in a sandbox (planned)")
    p.add_argument("--as-of", type=iso_date)
    p = command("preview", cmd_not_yet, "the next invoices of a subscription (planned)")
    p.add_argument("--subscription")
    p.add_argument("--cycles", type=int, default=3)
    return parser


def connect(warehouse: str | None) -> duckdb.DuckDBPyConnection:
    """The warehouse of the command (--warehouse, else the setting), with its settings."""
    where = settings(warehouse)
    return connect_warehouse(where.warehouse, where.memory_limit)


def elapsed_printer() -> Callable[[str], None]:
    started = time.perf_counter()

    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", flush=True)

    return say


# --- commands --------------------------------------------------------------------------------


def cmd_seed(args: argparse.Namespace) -> None:
    from pipelines.seed import write_seed

    started = time.perf_counter()
    rows = write_seed(
        args.dir,
        subscriptions=args.subscriptions,
        seed=args.seed,
        start=args.start,
        days=args.days,
        fmt=args.format,
        bad_rows=args.bad_rows,
    )
    print(reporting.format_seed_summary(args.dir, rows, time.perf_counter() - started))


def cmd_load(args: argparse.Namespace) -> None:
    from pipelines.loader import LoadError, load_directory

    started = time.perf_counter()
    con = connect(args.warehouse)
    try:
        summary = load_directory(con, args.dir, progress=elapsed_printer())
    except LoadError as exc:
        raise Failed(str(exc)) from exc
    finally:
        con.close()
    print(reporting.format_load_summary(summary, time.perf_counter() - started))
    print(f"  warehouse: {settings(args.warehouse).warehouse}")


def cmd_run(args: argparse.Namespace) -> None:
    summaries = run_bill_runs(args, args.as_of, args.as_of)
    print(reporting.format_run_summary(summaries[0], str(settings(args.warehouse).warehouse)))


def cmd_backfill(args: argparse.Namespace) -> None:
    if args.first > args.last:
        raise Failed(f"--from {args.first} is after --to {args.last}")
    summaries = run_bill_runs(args, args.first, args.last)
    print(reporting.format_backfill_summary(summaries, str(settings(args.warehouse).warehouse)))


def cmd_export(args: argparse.Namespace) -> None:
    args.dir.mkdir(parents=True, exist_ok=True)
    con = connect(args.warehouse)
    try:
        files = export_published(con, args.dir)
    finally:
        con.close()
    print(reporting.format_export(args.dir, files))


def cmd_not_yet(args: argparse.Namespace) -> None:
    raise Failed(NOT_YET)


# --- bill runs through Dagster ---------------------------------------------------------------


def run_bill_runs(
    args: argparse.Namespace, first: dt.date, last: dt.date
) -> list[reporting.BillRunSummary]:
    """Execute bill_run_job for the dates `first`..`last` (a single-run backfill when
    first < last) and return the summaries of the bill runs it published."""
    with warnings.catch_warnings():
        # Dagster's beta/preview notices (backfill policy) are for the developers of this
        # code, not for the person running a bill.
        warnings.simplefilter("ignore")
        from pipelines.orchestration.assets import BillRunStopped
        from pipelines.orchestration.launch import launch_bill_runs, published_bill_run_ids
        from pipelines.orchestration.partitions import as_of_dates

    for day in (first, last):
        if not as_of_dates.has_partition_key(day.isoformat()):
            raise Failed(
                f"as-of {day} is outside the billing dates {as_of_dates.get_first_partition_key()}"
                f"..{as_of_dates.get_last_partition_key()} (set BILLING_START_DATE for earlier "
                "data; future dates: use simulate)"
            )
    where = settings(args.warehouse)
    span = f"{first}" if first == last else f"{first}..{last}"
    print(f"bill run {span} on {where.warehouse} (Dagster instance: {where.dagster_home})",
          flush=True)
    try:
        result = launch_bill_runs(where, first, last, full=args.full)
    except BillRunStopped as exc:
        # The engine's exception decides the exit code; a single date needs no "stopped at".
        cause = exc.__cause__
        message = str(cause) if first == last else str(exc)
        if isinstance(cause, InvariantFailed):
            raise Failed(message, 3) from exc
        if isinstance(cause, RunRefused | WarehouseBusy):
            raise Failed(message, 2) from exc
        raise
    con = connect(args.warehouse)
    try:
        engine = DuckDBEngine(con)
        ids = published_bill_run_ids(result)
        return read_summaries(lambda table: engine.read_published(table, ids))
    finally:
        con.close()


def export_published(con: duckdb.DuckDBPyConnection, directory: Path) -> list[tuple[str, int]]:
    """Copy every table of schema `published` to DIR/<table>.parquet; (table, rows) each.

    Tables and columns come from the catalog (sql/queries/published_columns.sql), the query is
    built as a tree (identifiers quoted) and the file is written by DuckDB's relation API, so
    no name or path is pasted into SQL text; a secret column is never exported.
    """
    columns = DuckDBEngine(con).query(default_catalog().queries["published_columns"], {})
    files = []
    for (name,), table in columns.group_by(["table_name"], maintain_order=True):
        listed = [exp.column(c, quoted=True) for c in table["column_name"]
                  if c not in SECRET_COLUMNS]
        relation = con.sql(exp.select(*listed).from_(
            exp.table_(exp.to_identifier(name, quoted=True), db="published")).sql("duckdb"))
        relation.write_parquet(str(directory / f"{name}.parquet"))
        files.append((name, relation.shape[0]))
    return files
