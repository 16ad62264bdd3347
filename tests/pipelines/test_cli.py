"""The `billing` command line: parsing, exit codes, export, and bill runs through
bill_run_job on a small real warehouse (the loader and the seed are replaced by fakes; the
whole product over seeded data is test_end_to_end.py)."""

import datetime as dt
import sys
import types
from decimal import Decimal

import duckdb
import pytest
from scenario import Scenario

import pipelines.seed
from pipelines import cli
from pipelines.engine import bill_run
from pipelines.engine.catalog import SQL_DIR, ModelCatalog
from pipelines.engine.warehouse import WarehouseBusy, connect

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def wh(tmp_path):
    return str(tmp_path / "w.duckdb")


@pytest.fixture
def loaded(wh):
    """A warehouse holding a small load: S1 bills two services at 517.50 EUR a month with 19%
    tax; S2 one at 10.00 USD, within its account's credit limit, credited when it is cancelled
    on Mar 2; a grace_period action (recorded in February) is loaded but deferred."""
    s = Scenario().simple(amount="517.50", tax_rate="0.19")
    s.payment_method("CARD")
    s.service("SV2")
    s.action("activate", "2026-03-01", service_id=None)
    s.account("ACC2", currency="USD", credit_limit="100")
    s.price_term("PT2", amount="10.00", currency="USD")
    s.subscription("S2", account_id="ACC2", currency="USD")
    s.service("SV3", subscription_id="S2", price_term_id="PT2")
    s.action("activate", "2026-03-01", service_id="SV3", subscription_id="S2")
    s.action("cancel", "2026-03-02", service_id="SV3", subscription_id="S2")
    s.action("grace_period", "2026-03-05", service_id="SV3", subscription_id="S2",
             recorded_at="2026-02-20", days=10)
    con = connect(wh)
    s.load(con)
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
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'published'"
    ).fetchall()]
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


# --- run and backfill through bill_run_job --------------------------------------------------


def broken_from(date: str) -> ModelCatalog:
    """Invoices whose subtotal is one minor unit above their lines from `date` on."""
    path = SQL_DIR / "publish" / "invoices.sql"
    good = "MINOR_TO_AMOUNT(d.subtotal_minor, d.minor_factor) AS subtotal"
    bad = (f"MINOR_TO_AMOUNT(d.subtotal_minor + CASE WHEN :as_of >= DATE '{date}' THEN 1 "
           "ELSE 0 END, d.minor_factor) AS subtotal")
    return ModelCatalog(overrides={"invoices": path.read_text().replace(good, bad)})


def test_run_prints_progress_and_the_summary(loaded, capsys):
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-01"]) == 0
    out = capsys.readouterr().out
    assert f"(Dagster instance: {loaded}.dagster)" in out
    assert "s] 2026-03-01: charge_values: " in out
    assert "bill run BR-2026-03-01-1 for 2026-03-01: published" in out
    assert "subscriptions computed: 2 (all: first run" in out
    # S1: 2 x 517.50 = 1,035.00, tax 19% rounded per line: 2 x 98.33 (98.325); S2: 10.00
    assert "invoices  EUR               1      2  1,035.00  196.66  1,231.66" in out
    assert "invoices  USD               1      1     10.00    0.00     10.00" in out
    assert "EUR              1  1,231.66" in out  # the one payment request: S2 is within limit
    assert "unfunded invoices: 0" in out and "quarantined rows: 0" in out
    assert "grace_period" in out  # deferred
    assert loaded in out and "export DIR" in out


def test_a_second_run_computes_only_what_changed(loaded, capsys):
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-01"]) == 0
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert "subscriptions computed: 1 (only those with changed inputs or a date due)" in out
    # SV3 cancelled from Mar 2: 10.00 - 1/31 x 10.00 (0.32) = 9.68 credited
    assert "credit notes  USD               1      1      9.68  0.00   9.68" in out
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-02", "--full"]) == 0
    assert "subscriptions computed: 2 (all: first run" in capsys.readouterr().out


def test_run_refused_exits_2_with_the_engines_message(loaded, capsys):
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-02"]) == 0
    capsys.readouterr()
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-01"]) == 2
    assert capsys.readouterr().err.strip() == (
        "billing run: as-of 2026-03-01 precedes the last published run 2026-03-02; "
        "use simulate")


def test_run_without_a_load_exits_2(wh, capsys):
    assert cli.main(["--warehouse", wh, "run", "--as-of", "2026-03-31"]) == 2
    assert capsys.readouterr().err.strip() == (
        "billing run: nothing is loaded yet; run `billing load DIR` first")


def test_invariant_failure_exits_3_and_publishes_nothing(loaded, monkeypatch, capsys):
    catalog = broken_from("2026-03-01")
    monkeypatch.setattr(bill_run, "default_catalog", lambda: catalog)
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2026-03-01"]) == 3
    assert "lines_sum_to_totals (2 violations" in capsys.readouterr().err
    con = connect(loaded)
    assert con.execute("SELECT count(*) FROM published.bill_runs").fetchall() == [(0,)]
    con.close()


def test_a_date_outside_the_partitions_exits_2(loaded, capsys):
    assert cli.main(["--warehouse", loaded, "run", "--as-of", "2025-12-31"]) == 2
    assert "outside the billing dates" in capsys.readouterr().err


def test_backfill_runs_each_date_in_order_and_adds_them_up(loaded, capsys):
    argv = ["--warehouse", loaded, "backfill", "--from", "2026-03-01", "--to", "2026-03-03"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "2026-03-01  published  BR-2026-03-01-1  2 invoices, 0 credit notes" in out
    assert "2026-03-02  published  BR-2026-03-02-1  0 invoices, 1 credit notes" in out
    assert "2026-03-03  published  BR-2026-03-03-1  0 invoices, 0 credit notes" in out
    assert "charge_values" not in out  # one line per date, not every step
    assert "backfill 2026-03-01..2026-03-03: 3 bill runs published" in out
    assert "credit notes  USD               1      1      9.68" in out


def test_backfill_stops_at_the_first_failing_date(loaded, monkeypatch, capsys):
    catalog = broken_from("2026-04-01")
    monkeypatch.setattr(bill_run, "default_catalog", lambda: catalog)
    argv = ["--warehouse", loaded, "backfill", "--from", "2026-03-30", "--to", "2026-04-02"]
    assert cli.main(argv) == 3
    err = capsys.readouterr().err
    assert "stopped at 2026-04-01" in err and "2026-03-30..2026-03-31 published" in err


def test_backfill_with_the_dates_reversed_exits_2(loaded, capsys):
    argv = ["--warehouse", loaded, "backfill", "--from", "2026-03-04", "--to", "2026-03-01"]
    assert cli.main(argv) == 2
    assert "is after" in capsys.readouterr().err
