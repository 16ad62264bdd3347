"""Benchmark: seed -> load -> bill runs at 100k and 1M subscriptions (run by hand).

Each stage runs in its own process (benchmarks/stage.py) so its peak memory is measured
alone. The bill runs are: the first run on 2026-03-31 (every subscription, catching up three
months of history; the seed runs to 2026-04-02, so the actions recorded after the run's date
wait for the daily runs), the daily runs of 2026-04-01 (the busiest day of the data: every period
billed on the 1st) and 2026-04-02 (a typical day), a re-run of 2026-04-02 (publishes
nothing) and a full re-run of it (`--full`: every subscription against the ledger, as after an
engine upgrade or a business-rule edit; publishes nothing). Results are printed as a table
and written to benchmarks/out/results.json; copy the figures into the README.

    python benchmarks/run.py [--sizes 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# (as_of, every subscription?) of the bill runs, in order
RUNS = (("2026-03-31", False), ("2026-04-01", False), ("2026-04-02", False),
        ("2026-04-02", False), ("2026-04-02", True))
OUT = HERE / "out"


def stage(name: str, data: Path, warehouse: Path, n: int, as_of: str | None = None,
          full: bool = False) -> dict:
    cmd = [sys.executable, str(HERE / "stage.py"), name, "--data", str(data),
           "--warehouse", str(warehouse), "--subscriptions", str(n)]
    if as_of:
        cmd += ["--as-of", as_of]
    if full:
        cmd += ["--full"]
    result = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    rows = []
    for n in args.sizes:
        data, warehouse = OUT / f"data-{n}", OUT / f"warehouse-{n}.duckdb"
        shutil.rmtree(data, ignore_errors=True)
        warehouse.unlink(missing_ok=True)
        rows.append({"subscriptions": n, **stage("seed", data, warehouse, n)})
        rows.append({"subscriptions": n, **stage("load", data, warehouse, n)})
        for as_of, full in RUNS:
            rows.append({"subscriptions": n, **stage("run", data, warehouse, n, as_of, full)})
            print(json.dumps(rows[-1]), flush=True)
    (OUT / "results.json").write_text(json.dumps(rows, indent=2, default=str))
    print(f"\n{'subscriptions':>13} {'stage':>10} {'as_of':>10} {'in scope':>9} {'seconds':>8}"
          f" {'peak MB':>8}")
    for r in rows:
        run = r["stage"].startswith("run")
        as_of = r["as_of"] if run else ""
        scope = r["detail"].get("subscriptions_in_scope", "") if run else ""
        print(f"{r['subscriptions']:>13} {r['stage']:>10} {as_of:>10} {scope:>9}"
              f" {r['seconds']:>8} {r['peak_rss_mb']:>8}")


if __name__ == "__main__":
    main()
