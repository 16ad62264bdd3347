"""Compare every published table of two warehouses, row for row (run by hand).

Used to show that a change of the engine's code keeps every published row: run the same
seeded data through the old and the new code (benchmarks/run.py), then

    python benchmarks/compare_published.py OLD.duckdb NEW.duckdb

Columns that record when a run happened rather than what it billed (times, the load id with
its timestamp, the engine version) are left out. Rows are compared as multisets (EXCEPT ALL
both ways). Prints one line per table and exits 1 if any differs.
"""

from __future__ import annotations

import sys

import duckdb

#: Columns whose value depends on when and with which code a run happened.
RUN_TIME_COLUMNS = {"started_at", "finished_at", "load_id", "engine_version", "loaded_at"}


def columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str) -> list[str]:
    return [c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_catalog = ? "
        "AND table_schema = 'published' AND table_name = ? ORDER BY ordinal_position",
        [catalog, table]).fetchall()]


def main(old: str, new: str) -> int:
    con = duckdb.connect()
    con.execute(f"ATTACH '{old}' AS old (READ_ONLY)")
    con.execute(f"ATTACH '{new}' AS new (READ_ONLY)")
    tables = {
        catalog: {t for (t,) in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? "
            "AND table_schema = 'published'", [catalog]).fetchall()}
        for catalog in ("old", "new")
    }
    differing = 0
    for table in sorted(tables["old"] | tables["new"]):
        if table not in tables["old"] or table not in tables["new"]:
            side = "new" if table in tables["new"] else "old"
            print(f"{table:28} only in {side}")
            continue
        shared = [c for c in columns(con, "old", table) if c in columns(con, "new", table)
                  and c not in RUN_TIME_COLUMNS]
        listed = ", ".join(f'"{c}"' for c in shared)
        rows = con.execute(f"SELECT count(*) FROM old.published.{table}").fetchall()[0][0]
        gone, added = (con.execute(
            f"SELECT count(*) FROM (SELECT {listed} FROM {a}.published.{table} EXCEPT ALL "
            f"SELECT {listed} FROM {b}.published.{table})").fetchall()[0][0]
            for a, b in (("old", "new"), ("new", "old")))
        same = "same" if gone == added == 0 else f"DIFFERENT: {gone} rows only in old, " \
                                                 f"{added} only in new"
        differing += same != "same"
        print(f"{table:28} {rows:>10,} rows  {same}  (columns compared: {len(shared)})")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
