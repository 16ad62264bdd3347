"""The `billing` command line.

`run` and `backfill` execute the same Dagster assets as `dagster dev` (upstream_snapshot,
published_ledger, its invariant checks and payment_requests_outbox), in-process with an
ephemeral Dagster instance, so the CLI behaves exactly like the scheduled job. The price,
measured with a trivial engine: about 0.8 s to import Dagster and 0.9 s for the first
`materialize` of a process (0.2 s for later ones), paid once per command, a backfill included.
Dagster is imported only by those two commands.

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

from pipelines import reporting
from pipelines.bill_run import InvariantFailed, RunRefused
from pipelines.warehouse import WarehouseBusy, connect, fetch_row, warehouse_path

# Published columns that must never leave the warehouse, whatever table they end up in.
SECRET_COLUMNS = frozenset({"token"})
PUBLISHED_TABLES_SQL = """
SELECT table_name FROM information_schema.tables
WHERE table_schema = 'published' AND table_catalog = current_database()
ORDER BY table_name
"""
TABLE_COLUMNS_SQL = """
SELECT column_name FROM information_schema.columns
WHERE table_schema = 'published' AND table_name = ? AND table_catalog = current_database()
ORDER BY ordinal_position
"""
# Dagster's console logger would print every event; the CLI prints its own progress.
QUIET_RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
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
    print(f"  warehouse: {warehouse_path(args.warehouse)}")


def cmd_run(args: argparse.Namespace) -> None:
    summaries, payments = run_bill_runs(args, args.as_of, args.as_of)
    print(reporting.format_run_summary(summaries[0], payments, str(warehouse_path(args.warehouse))))


def cmd_backfill(args: argparse.Namespace) -> None:
    if args.first > args.last:
        raise Failed(f"--from {args.first} is after --to {args.last}")
    summaries, payments = run_bill_runs(args, args.first, args.last)
    print(
        reporting.format_backfill_summary(summaries, payments, str(warehouse_path(args.warehouse)))
    )


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
) -> tuple[list[reporting.BillRunSummary], list[dict]]:
    """Materialize the billing assets for the dates `first`..`last` in one in-process Dagster
    run (a single-run backfill when first < last) and return what the run recorded: the bill
    run summaries and the payment requests per bill run and currency."""
    with warnings.catch_warnings():
        # Dagster's beta/preview notices (backfill policy, partitioned checks) are for the
        # developers of this code, not for the person running a bill.
        warnings.simplefilter("ignore")
        return _materialize(args, first, last)


def _materialize(
    args: argparse.Namespace, first: dt.date, last: dt.date
) -> tuple[list[reporting.BillRunSummary], list[dict]]:
    import dagster as dg
    from dagster._core.errors import DagsterAssetCheckFailedError  # not re-exported by dagster

    from pipelines.assets import (
        BillRunStopped,
        payment_requests_outbox,
        published_ledger,
        upstream_snapshot,
    )
    from pipelines.checks import ledger_invariants
    from pipelines.partitions import as_of_dates
    from pipelines.resources import RunConsole, Warehouse

    for day in (first, last):
        if not as_of_dates.has_partition_key(day.isoformat()):
            raise Failed(
                f"as-of {day} is outside the billing dates {as_of_dates.get_first_partition_key()}"
                f"..{as_of_dates.get_last_partition_key()} (set BILLING_START_DATE for earlier "
                "data; future dates: use simulate)"
            )
    where = warehouse_path(args.warehouse)
    span = f"{first}" if first == last else f"{first}..{last}"
    print(f"bill run {span} on {where}", flush=True)
    if first == last:
        target = {"partition_key": first.isoformat()}
    else:
        target = {
            "tags": {
                "dagster/asset_partition_range_start": first.isoformat(),
                "dagster/asset_partition_range_end": last.isoformat(),
            }
        }
    try:
        result = dg.materialize(
            [upstream_snapshot, published_ledger, ledger_invariants, payment_requests_outbox],
            resources={
                "warehouse": Warehouse(path=str(where)),
                "console": RunConsole(echo=True),
            },
            instance=dg.DagsterInstance.ephemeral(),
            run_config={
                **QUIET_RUN_CONFIG,
                "ops": {"published_ledger": {"config": {"full": args.full}}},
            },
            **target,
        )
    except BillRunStopped as exc:
        # The engine's exception decides the exit code; a single date needs no "stopped at".
        cause = exc.__cause__
        message = str(cause) if first == last else str(exc)
        if isinstance(cause, InvariantFailed):
            raise Failed(message, 3) from exc
        if isinstance(cause, RunRefused | WarehouseBusy):
            raise Failed(message, 2) from exc
        raise
    except RunRefused as exc:  # upstream_snapshot: nothing loaded yet
        raise Failed(str(exc)) from exc
    except DagsterAssetCheckFailedError as exc:
        raise Failed(
            f"the published ledger failed blocking invariant checks ({exc}); "
            "the payment outbox was not filled",
            3,
        ) from exc
    ledger = result.asset_materializations_for_node("published_ledger")
    outbox = result.asset_materializations_for_node("payment_requests_outbox")
    summaries = [reporting.summary_from_json(s) for s in ledger[0].metadata["summaries"].value]
    payments = list(outbox[0].metadata["by_bill_run"].value) if outbox else []
    return summaries, payments


def export_published(con, directory: Path) -> list[tuple[str, int]]:
    """Copy every table of schema `published` to DIR/<table>.parquet; (table, rows) each.

    Identifiers come from the catalog and are quoted; a secret column is never exported.
    """
    files = []
    for (name,) in con.execute(PUBLISHED_TABLES_SQL).fetchall():
        columns = [c for (c,) in con.execute(TABLE_COLUMNS_SQL, [name]).fetchall()]
        select = ", ".join(quote(c) for c in columns if c not in SECRET_COLUMNS)
        target = str(directory / f"{name}.parquet").replace("'", "''")
        con.execute(
            f"COPY (SELECT {select} FROM published.{quote(name)}) TO '{target}' (FORMAT parquet)"
        )
        (rows,) = fetch_row(con, f"SELECT count(*) FROM published.{quote(name)}")
        files.append((name, rows))
    return files


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
