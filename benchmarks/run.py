"""Benchmark: seed -> load -> bill runs at 100k and 1M subscriptions (run by hand).

Each stage runs in its own process (benchmarks/stage.py) so its peak memory is measured
alone. The bill runs are: the first run on 2026-03-31 (every subscription, catching up three
months of history), the daily runs of 2026-04-01 (the busiest day of the data: every period
billed on the 1st) and 2026-04-02 (a typical day), and a re-run of 2026-04-02 (publishes
nothing). Results are printed as a table and written to benchmarks/out/results.json; copy the
figures into the README.

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
OUT = HERE / "out"


def stage(name: str, data: Path, warehouse: Path, n: int, as_of: str | None = None) -> dict:
    cmd = [sys.executable, str(HERE / "stage.py"), name, "--data", str(data),
           "--warehouse", str(warehouse), "--subscriptions", str(n)]
    if as_of:
        cmd += ["--as-of", as_of]
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
        for as_of in ("2026-03-31", "2026-04-01", "2026-04-02", "2026-04-02"):
            rows.append({"subscriptions": n, **stage("run", data, warehouse, n, as_of)})
            print(json.dumps(rows[-1]), flush=True)
    (OUT / "results.json").write_text(json.dumps(rows, indent=2, default=str))
    print(f"\n{'subscriptions':>13} {'stage':>6} {'as_of':>10} {'in scope':>9} {'seconds':>8}"
          f" {'peak MB':>8}")
    for r in rows:
        as_of = r["as_of"] if r["stage"] == "run" else ""
        scope = r["detail"].get("subscriptions_in_scope", "") if r["stage"] == "run" else ""
        print(f"{r['subscriptions']:>13} {r['stage']:>6} {as_of:>10} {scope:>9} {r['seconds']:>8}"
              f" {r['peak_rss_mb']:>8}")


if __name__ == "__main__":
    main()
