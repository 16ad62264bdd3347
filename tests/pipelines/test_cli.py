"""The `billing` command line: parsing, exit codes, export, and runs through Dagster.

Loader, seed and engine are replaced by fakes; end-to-end runs over real data are elsewhere.
"""

import datetime as dt
import sys
import types
from decimal import Decimal

import duckdb
import pytest

import pipelines.seed
from pipelines import assets, cli, invariants
from pipelines.bill_run import BillRunSummary, InvariantFailed, RunRefused
from pipelines.invariants import InvariantResult
from pipelines.warehouse import WarehouseBusy, connect

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def wh(tmp_path):
    return str(tmp_path / "w.duckdb")


@pytest.fixture
def loaded(wh):
    """A warehouse with one load recorded."""
    con = connect(wh)
    con.execute("INSERT INTO upstream.loads VALUES ('L1', '/data', now())")
    con.execute("INSERT INTO upstream.load_stats VALUES ('L1', 'accounts', 'a.csv', 5, 4, 1)")
    con.close()
    return wh


# --- parsing ---------------------------------------------------------------------------------


def test_run_parses_the_as_of_date_and_the_warehouse_before_or_after_the_command():
    parser = cli.build_parser()
    args = parser.parse_args(["--warehouse", "a.duckdb", "run", "--as-of", "2026-03-31"])
    assert (args.command, args.as_of, args.warehouse) == ("run", dt.date(2026, 3, 31), "a.duckdb")
    args = parser.parse_args(["run", "--as-of", "2026-03-31", "--warehouse", "b.duckdb"])
    assert args.warehouse == "b.duckdb"
    assert parser.parse_args(["run", "--as-of", "2026-03-31"]).warehouse is None


def test_backfill_and_seed_arguments():
    parser = cli.build_parser()
    args = parser.parse_args(["backfill", "--from", "2026-01-01", "--to", "2026-01-31"])
    assert (args.first, args.last) == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    args = parser.parse_args(
        [
            "seed",
            "out",
            "--subscriptions",
            "20",
            "--seed",
            "7",
            "--format",
            "csv",
            "--bad-rows",
            "3",
        ]
    )
    assert (args.subscriptions, args.seed, args.format, args.bad_rows) == (20, 7, "csv", 3)
    assert (args.start, args.days) == (dt.date(2026, 1, 1), 120)


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--as-of", "31/03/2026"],
        ["run"],
        ["seed", "out"],
        ["seed", "out", "--subscriptions", "5", "--format", "xlsx"],
        ["nonsense"],
    ],
)
def test_bad_arguments_exit_2(argv, capsys):
    with pytest.raises(SystemExit) as exited:
        cli.main(argv)
    assert exited.value.code == 2


@pytest.mark.parametrize("argv", [["simulate", "--as-of", "2026-03-31"], ["preview"]])
def test_simulate_and_preview_are_placeholders(argv, capsys):
    assert cli.main(argv) == 2
    assert "not available yet (planned: time travel and bill preview)" in capsys.readouterr().err


# --- seed and load -------------------------------------------------------------------------


def test_seed_calls_write_seed_and_prints_rows_per_table(tmp_path, monkeypatch, capsys):
    calls = []

    def write_seed(out_dir, subscriptions, seed=0, start=None, days=120, fmt="parquet", bad_rows=0):
        calls.append((out_dir, subscriptions, seed, start, days, fmt, bad_rows))
        return {"accounts": 12, "subscriptions": 20}

    monkeypatch.setattr(pipelines.seed, "write_seed", write_seed, raising=False)
    argv = ["seed", str(tmp_path), "--subscriptions", "20", "--seed", "7", "--days", "90"]
    assert cli.main(argv) == 0
    assert calls == [(tmp_path, 20, 7, dt.date(2026, 1, 1), 90, "parquet", 0)]
    out = capsys.readouterr().out
    assert "accounts" in out and "total rows: 32" in out


def fake_loader(load_directory):
    module = types.ModuleType("pipelines.loader")

    class LoadError(Exception):
        pass

    module.LoadError = LoadError
    module.load_directory = lambda con, source_dir, progress=None: load_directory(
        module, con, source_dir, progress
    )
    return module


def test_load_prints_counts_and_points_to_the_quarantine(wh, tmp_path, monkeypatch, capsys):
    def load(module, con, source_dir, progress):
        progress("accounts.csv: 5 rows read")
        return types.SimpleNamespace(
            load_id="L7",
            tables=[
                {
                    "table_name": "accounts",
                    "source_file": "accounts.csv",
                    "rows_read": 5,
                    "rows_loaded": 4,
                    "rows_quarantined": 1,
                },
                types.SimpleNamespace(
                    table_name="services",
                    source_file="services.csv",
                    rows_read=1200,
                    rows_loaded=1200,
                    rows_quarantined=0,
                ),
            ],
            quarantined=1,
        )

    monkeypatch.setitem(sys.modules, "pipelines.loader", fake_loader(load))
    assert cli.main(["--warehouse", wh, "load", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "accounts.csv: 5 rows read" in out
    assert "1,200" in out and "quarantined rows: 1" in out and "upstream.quarantine" in out


def test_load_error_exits_2_naming_the_file(wh, tmp_path, monkeypatch, capsys):
    def load(module, con, source_dir, progress):
        raise module.LoadError(f"{source_dir}/accounts.csv: required table missing")

    monkeypatch.setitem(sys.modules, "pipelines.loader", fake_loader(load))
    assert cli.main(["--warehouse", wh, "load", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("billing load: ") and "accounts.csv" in err


def test_a_busy_warehouse_exits_2(wh, tmp_path, monkeypatch, capsys):
    def busy(path=None):
        raise WarehouseBusy(f"the warehouse {path} is in use by another process")

    monkeypatch.setattr(cli, "connect", busy)
    assert cli.main(["--warehouse", wh, "export", str(tmp_path / "out")]) == 2
    assert "in use by another process" in capsys.readouterr().err


# --- export --------------------------------------------------------------------------------


def test_export_writes_every_published_table_as_parquet(wh, tmp_path, capsys):
    con = connect(wh)
    con.execute(
        "INSERT INTO published.invoices VALUES ('I1', 1, 'INV', 'A1', 'S1', 'EUR', "
        "DATE '2026-03-31', DATE '2026-04-14', 10.00, 1.90, 11.90, 'BR-1')"
    )
    # A table that picked up a secret column by mistake: the column stays behind.
    con.execute("CREATE TABLE published.leaky (payment_method_id VARCHAR, token VARCHAR)")
    con.execute("INSERT INTO published.leaky VALUES ('PM1', 'tok_secret')")
    tables = [r[0] for r in con.execute(cli.PUBLISHED_TABLES_SQL).fetchall()]
    con.close()
    out_dir = tmp_path / "export"
    assert cli.main(["--warehouse", wh, "export", str(out_dir)]) == 0
    assert sorted(p.stem for p in out_dir.glob("*.parquet")) == sorted(tables)
    assert {"invoices", "invoice_lines", "payment_requests", "bill_runs"} <= set(tables)
    read = duckdb.connect()
    invoices = read.execute(f"SELECT * FROM '{out_dir / 'invoices.parquet'}'").fetchall()
    assert len(invoices) == 1 and invoices[0][10] == Decimal("11.9000")
    leaky = read.execute(f"DESCRIBE SELECT * FROM '{out_dir / 'leaky.parquet'}'").fetchall()
    assert [c[0] for c in leaky] == ["payment_method_id"]
    printed = capsys.readouterr().out
    assert "invoices.parquet" in printed and f"{len(tables)} published tables" in printed


# --- run and backfill through Dagster, with a fake engine ----------------------------------


class FakeEngine:
    def __init__(self, fail_on=None, error=RunRefused, message=None):
        self.calls, self.fail_on, self.error, self.message = [], fail_on, error, message
        self.full: list[bool] = []

    def __call__(self, con, as_of, mode="run", progress=None, full=False):
        self.calls.append(as_of)
        self.full.append(full)
        progress("int_expected_charges: 0.42s")
        if as_of == self.fail_on:
            raise self.error(self.message or f"fake failure on {as_of}")
        run_id = f"BR-{as_of}-1"
        con.execute(
            "INSERT INTO published.bill_runs VALUES (?, ?, 'run', now(), now(), 'published', "
            "'L1', 2, 1, 3, 1, 1, 1, 0, 0, 1, 1, 0, 'fake')",
            [run_id, as_of],
        )
        con.execute(
            "INSERT INTO published.payment_requests VALUES "
            "(?, 'A1', 'I1', 'PM1', 1234.5, 'EUR', ?, 1, ?)",
            [f"PR-{as_of}", as_of, run_id],
        )
        money = Decimal
        return BillRunSummary(
            run_id,
            as_of,
            mode,
            "published",
            invoices=2,
            credit_notes=1,
            invoice_lines=3,
            credit_note_lines=1,
            payment_requests=1,
            unfunded_invoices=1,
            quarantined_rows=1,
            subscriptions_in_scope=1200 if full else 40,
            full_run=full,
            totals=[
                {
                    "currency": "EUR",
                    "document_type": "invoice",
                    "documents": 2,
                    "lines": 3,
                    "subtotal": money("1037.3950"),
                    "tax": money("197.1050"),
                    "total": money("1234.5000"),
                },
                {
                    "currency": "EUR",
                    "document_type": "credit_note",
                    "documents": 1,
                    "lines": 1,
                    "subtotal": money("10.0000"),
                    "tax": money("1.9000"),
                    "total": money("11.9000"),
                },
            ],
            deferred=[{"kind": "action", "name": "redeem_pass", "rows_count": 4}],
        )


@pytest.fixture
def engine(monkeypatch):
    def install(**kwargs):
        fake = FakeEngine(**kwargs)
        monkeypatch.setattr(assets, "run_bill_run", fake)
        monkeypatch.setattr(
            invariants,
            "check_invariants",
            lambda con, run_id=None: [InvariantResult(n, "", 0) for n in invariants.INVARIANTS],
        )
        return fake

    return install


def test_run_prints_progress_and_the_summary(loaded, engine, capsys):
    fake = engine()
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-31"]) == 0
    assert fake.calls == [dt.date(2026, 3, 31)]
    out = capsys.readouterr().out
    assert "s] 2026-03-31: int_expected_charges: 0.42s" in out
    assert "bill run BR-2026-03-31-1 for 2026-03-31: published" in out
    assert fake.full == [False]
    assert "subscriptions computed: 40 (only those with changed inputs or a date due)" in out
    assert "1,037.395" in out  # every digit a Decimal has, never a float's
    assert "1,234.50" in out and "11.90" in out and "credit notes" in out
    assert "unfunded invoices: 1" in out and "quarantined rows: 1" in out
    assert "redeem_pass" in out
    assert loaded in out and "export DIR" in out


def test_run_full_computes_every_subscription(loaded, engine, capsys):
    fake = engine()
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-31", "--full"]) == 0
    assert fake.full == [True]
    assert "subscriptions computed: 1,200 (all: first run" in capsys.readouterr().out


def test_run_refused_exits_2_with_the_engines_message(loaded, engine, capsys):
    message = "as-of 2026-03-01 precedes the last published run 2026-03-31; use simulate"
    engine(fail_on=dt.date(2026, 3, 1), message=message)
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-01"]) == 2
    assert capsys.readouterr().err.strip() == f"billing run: {message}"


def test_run_without_a_load_exits_2(wh, engine, capsys):
    fake = engine()
    assert cli.main(["--warehouse", wh, "run", "--as-of", "2026-03-31"]) == 2
    assert "billing load" in capsys.readouterr().err
    assert fake.calls == []


def test_invariant_failure_exits_3(loaded, engine, capsys):
    engine(fail_on=dt.date(2026, 3, 31), error=InvariantFailed)
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-31"]) == 3
    assert "fake failure on 2026-03-31" in capsys.readouterr().err


def test_a_failing_published_check_exits_3(loaded, engine, monkeypatch, capsys):
    engine()
    monkeypatch.setattr(
        invariants,
        "check_invariants",
        lambda con, run_id=None: [InvariantResult(n, "", 2) for n in invariants.INVARIANTS],
    )
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-31"]) == 3
    assert "payment outbox was not filled" in capsys.readouterr().err


def test_a_date_outside_the_partitions_exits_2(loaded, engine, capsys):
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2025-12-31"]) == 2
    assert "outside the billing dates" in capsys.readouterr().err


def test_backfill_runs_each_date_in_order_and_adds_them_up(loaded, engine, capsys):
    fake = engine()
    argv = ["--warehouse", loaded, "backfill", "--from", "2026-03-01", "--to", "2026-03-03"]
    assert cli.main(argv) == 0
    assert fake.calls == [dt.date(2026, 3, d) for d in (1, 2, 3)]
    out = capsys.readouterr().out
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        assert f"{day}  published  BR-{day}-1" in out
    assert "int_expected_charges" not in out  # one line per date, not every step
    assert "backfill 2026-03-01..2026-03-03: 3 bill runs published" in out
    assert "3,703.50" in out  # 3 x 1234.50 of payment requests and invoices
    assert "quarantined rows: 1" in out


def test_backfill_stops_at_the_first_failing_date(loaded, engine, capsys):
    fake = engine(fail_on=dt.date(2026, 3, 2), error=InvariantFailed)
    argv = ["--warehouse", loaded, "backfill", "--from", "2026-03-01", "--to", "2026-03-04"]
    assert cli.main(argv) == 3
    assert fake.calls == [dt.date(2026, 3, 1), dt.date(2026, 3, 2)]
    err = capsys.readouterr().err
    assert "stopped at 2026-03-02" in err and "2026-03-01..2026-03-01 published" in err


def test_backfill_with_the_dates_reversed_exits_2(loaded, capsys):
    argv = ["--warehouse", loaded, "backfill", "--from", "2026-03-04", "--to", "2026-03-01"]
    assert cli.main(argv) == 2
    assert "is after" in capsys.readouterr().err
