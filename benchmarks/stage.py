"""One benchmark stage in its own process, so that its peak memory is its own.

Prints one JSON line: the stage, its wall time and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import time
from pathlib import Path

from pipelines.engine.bill_run import run_bill_run
from pipelines.engine.context import RunContext
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.engine.warehouse import connect
from pipelines.loader import load_directory
from pipelines.seed import write_seed
from pipelines.settings import settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stage", choices=["seed", "load", "run"])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--subscriptions", type=int, default=100_000)
    parser.add_argument("--as-of", type=dt.date.fromisoformat, default=dt.date(2026, 3, 31))
    parser.add_argument("--full", action="store_true", help="compute every subscription")
    args = parser.parse_args()

    began = time.perf_counter()
    detail: dict = {}
    if args.stage == "seed":
        # history through the last run's date (run.RUNS), so that each daily run sees the
        # actions recorded on its day, as a production run does
        detail = write_seed(args.data, args.subscriptions, seed=1, start=dt.date(2026, 1, 1),
                            days=92)
    elif args.stage == "load":
        con = connect(args.warehouse, settings().memory_limit)
        summary = load_directory(con, args.data)
        detail = {"quarantined": summary.quarantined}
        con.close()
    else:
        con = connect(args.warehouse, settings().memory_limit)
        summary = run_bill_run(DuckDBEngine(con), RunContext.build(args.as_of, full=args.full))
        detail = {"subscriptions_in_scope": summary.subscriptions_in_scope,
                  "invoices": summary.invoices, "invoice_lines": summary.invoice_lines,
                  "credit_notes": summary.credit_notes,
                  "payment_requests": summary.payment_requests,
                  "slowest_models": sorted(summary.timings.items(), key=lambda kv: -kv[1])[:5]}
        con.close()
    seconds = time.perf_counter() - began
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"stage": args.stage + (" --full" if args.full else ""),
                      "as_of": str(args.as_of), "seconds": round(seconds, 2),
                      "peak_rss_mb": round(peak_mb), "detail": detail}, default=str))


if __name__ == "__main__":
    main()
