"""The benchmark's bill runs timed on this checkout and on another one, interleaved.

    python benchmarks/compare_timings.py OTHER_CHECKOUT [--size 1000000] [--repeats 2]

This machine's speed drifts by 10-30 % within minutes, so two benchmarks run one after the
other do not compare. Here both checkouts load the same seeded data, then every run of the
benchmark (benchmarks/run.py, RUNS) is timed `--repeats` times per side, alternating sides,
each on a copy of the warehouse as that side's previous run left it; the medians are printed
with their ratio (this checkout / the other). Each side runs its own benchmarks/stage.py in
its own process with its own code first on the path (`git worktree add /tmp/old REV` makes
an OTHER_CHECKOUT of an earlier revision).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from run import RUNS

HERE = Path(__file__).resolve().parent


def stage(checkout: Path, name: str, data: Path, warehouse: Path, *extra: str) -> dict:
    result = subprocess.run(
        [sys.executable, str(checkout / "benchmarks" / "stage.py"), name, "--data", str(data),
         "--warehouse", str(warehouse), *extra],
        check=True, capture_output=True, text=True, cwd=checkout,
        env={**os.environ, "PYTHONPATH": str(checkout)},
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("other", type=Path, help="the other checkout")
    parser.add_argument("--size", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sides = {"this": HERE.parent, "other": args.other.resolve()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        data = work / "data"
        stage(sides["this"], "seed", data, work / "unused.duckdb", "--subscriptions",
              str(args.size))
        warehouses = {side: work / f"{side}.duckdb" for side in sides}
        for side, checkout in sides.items():
            loaded = stage(checkout, "load", data, warehouses[side])
            print(f"load on {side}: {loaded['seconds']:.2f} s", flush=True)
        for as_of, full in RUNS:
            extra = ["--as-of", as_of, *(["--full"] if full else [])]
            seconds: dict[str, list[float]] = {side: [] for side in sides}
            for _ in range(args.repeats):
                for side, checkout in sides.items():
                    trial = work / f"{side}-trial.duckdb"
                    shutil.copy(warehouses[side], trial)
                    seconds[side].append(stage(checkout, "run", data, trial, *extra)["seconds"])
            for side in sides:
                shutil.move(work / f"{side}-trial.duckdb", warehouses[side])
            this, other = (statistics.median(seconds[side]) for side in sides)
            print(f"run {' '.join(extra[1:])}: this {this:.2f} s {seconds['this']}, "
                  f"other {other:.2f} s {seconds['other']}, ratio {this / other:.3f}",
                  flush=True)


if __name__ == "__main__":
    main()
