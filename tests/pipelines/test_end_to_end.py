"""The whole product through the `billing` command: seed -> load -> run -> backfill -> export,
on the project's own synthetic data, with the real loader, engine and Dagster assets."""

from __future__ import annotations

import duckdb
import polars as pl
import pytest

from pipelines import cli

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


def test_seed_load_run_backfill_export(tmp_path, capsys):
    data, wh, out = tmp_path / "data", str(tmp_path / "w.duckdb"), tmp_path / "export"
    assert cli.main(["seed", str(data), "--subscriptions", "300", "--seed", "3",
                     "--start", "2026-01-01", "--days", "60", "--bad-rows", "3"]) == 0
    assert cli.main(["--warehouse", wh, "load", str(data)]) == 0
    assert cli.main(["--warehouse", wh, "run", "--as-of", "2026-02-28"]) == 0
    assert cli.main(["--warehouse", wh, "backfill", "--from", "2026-03-01",
                     "--to", "2026-03-03"]) == 0
    # a run for a date before the last published one is refused
    assert cli.main(["--warehouse", wh, "run", "--as-of", "2026-03-02"]) == 2
    assert "precedes the last published run 2026-03-03" in capsys.readouterr().err
    # re-running the last date publishes nothing new
    assert cli.main(["--warehouse", wh, "run", "--as-of", "2026-03-03"]) == 0
    # and so does a run computing every subscription: the daily runs' scopes missed nothing
    assert cli.main(["--warehouse", wh, "run", "--as-of", "2026-03-03", "--full"]) == 0
    assert cli.main(["--warehouse", wh, "export", str(out)]) == 0

    con = duckdb.connect(wh, read_only=True)
    runs = con.execute(
        "SELECT as_of::VARCHAR, invoices, credit_notes, subscriptions_in_scope "
        "FROM published.bill_runs ORDER BY as_of, bill_run_id"
    ).fetchall()
    assert [r[0] for r in runs] == ["2026-02-28", "2026-03-01", "2026-03-02", "2026-03-03",
                                    "2026-03-03", "2026-03-03"]
    assert runs[0][1] > 100 and runs[-2][1:3] == (0, 0) and runs[-1][1:3] == (0, 0)
    # the first and the --full run compute every subscription loaded (some quarantined ones
    # too, to report their frozen services); a daily run only a part of them
    (loaded,) = con.execute("SELECT count(*) FROM upstream.subscriptions").fetchall()[0]
    assert runs[0][3] >= loaded and runs[-1][3] == runs[0][3]
    assert 0 < runs[1][3] < loaded
    # INV numbers are gapless across runs
    numbers = [n for (n,) in con.execute(
        "SELECT invoice_number FROM published.invoices ORDER BY 1").fetchall()]
    assert numbers == list(range(1, len(numbers) + 1))
    # rows read = loaded + quarantined, and the bad rows are there with their reasons
    stats = con.execute(
        "SELECT sum(rows_read), sum(rows_loaded), sum(rows_quarantined) FROM upstream.load_stats"
    ).fetchall()[0]
    assert stats[0] == stats[1] + stats[2] and stats[2] >= 3
    assert con.execute("SELECT count(*) FROM published.quarantine").fetchall()[0][0] >= 3
    con.close()
    # the export holds the published tables with the same rows
    exported = pl.read_parquet(out / "invoices.parquet")
    assert exported.height == len(numbers)
    assert "token" not in pl.read_parquet(out / "payment_requests.parquet").columns
