"""Blocking asset checks on `published_ledger`: one per invariant of `pipelines.invariants`
(Σ lines = document totals; no service-day charged net more than once; no negative invoice or
credit note; every quarantined row accounted for).

The same invariants gate the publish itself: inside the bill-run transaction the engine
checks the draft and, if one fails, raises `InvariantFailed` and publishes nothing (so the
ledger step fails and `billing run` exits 3). These checks re-verify what was actually
published, for the partition's bill runs, and record each result in Dagster. They are
blocking, so a failure also stops `payment_requests_outbox` downstream: no payment request of
a ledger that fails an invariant is handed to the gateway.

They run in one step (`multi_asset_check`): `check_invariants` evaluates every invariant
of a bill run at once, and one step holds one connection to the single-writer warehouse.
"""

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import dagster as dg

from pipelines import invariants
from pipelines.assets import partition_bill_runs, published_ledger
from pipelines.partitions import as_of_dates, dates_of
from pipelines.resources import Warehouse

# One check per invariant, named and described as in pipelines.invariants, so that a new
# invariant becomes a new check without touching this module.
INVARIANTS: dict[str, str] = {name: spec[0] for name, spec in invariants.INVARIANTS.items()}


@dg.multi_asset_check(
    name="ledger_invariants",
    specs=[
        dg.AssetCheckSpec(
            name,
            asset=published_ledger,
            blocking=True,
            partitions_def=as_of_dates,
            description=description,
        )
        for name, description in INVARIANTS.items()
    ],
)
def ledger_invariants(
    context: dg.AssetCheckExecutionContext, warehouse: Warehouse
) -> Iterator[dg.AssetCheckResult]:
    """Evaluate every invariant on each bill run published for the partition's dates."""
    dates = dates_of(context)
    with warehouse.connect() as con:
        runs = partition_bill_runs(con, dates[0], dates[-1])
        results = {run_id: invariants.check_invariants(con, run_id) for run_id, _ in runs}
    yield from invariant_check_results(runs, results)


def invariant_check_results(
    runs: Sequence[tuple[str, dt.date]], results: Mapping[str, Sequence[Any]]
) -> Iterator[dg.AssetCheckResult]:
    """One AssetCheckResult per invariant, over all the runs checked.

    An invariant that `check_invariants` did not report fails loudly rather than passing.
    """
    for name, description in INVARIANTS.items():
        failures, failing, missing = 0, [], []
        for run_id, _ in runs:
            found = [r for r in results[run_id] if r.name == name]
            if not found:
                missing.append(run_id)
            for r in found:
                if not r.passed:
                    failures += r.failures
                    failing.append(run_id)
        passed = not failing and not missing
        if missing:
            text = f"pipelines.invariants reported no result named {name!r}"
        elif not runs:
            text = "no published bill run for these dates"
        else:
            text = description
        yield dg.AssetCheckResult(
            asset_key=published_ledger.key,
            check_name=name,
            passed=passed,
            description=text,
            metadata={
                "bill_runs_checked": len(runs),
                "failures": failures,
                "failing_bill_runs": ", ".join(failing) or "none",
            },
        )
