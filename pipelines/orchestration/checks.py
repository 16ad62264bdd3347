"""The ledger's asset checks: one per check of the bill run's gate (engine/checks.py: the
models of sql/checks/ and the declared grains of the published tables).

The gate runs inside every bill run, on the draft, before anything is published: a run that
fails one is refused and publishes nothing, so the ledger step fails and `billing run` exits
3. What Dagster records is that gate's outcome for the partition's runs: each check passed,
with how many runs it judged. The checks are blocking, so a failure (or a check the engine did
not report) also stops `payment_requests_outbox` downstream: no payment request of a ledger
that fails a check is handed to the gateway.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import dagster as dg

from pipelines.engine.catalog import default_catalog
from pipelines.engine.checks import check_names
from pipelines.engine.summary import BillRunSummary

LEDGER = "published_ledger"


def ledger_check_specs() -> list[dg.AssetCheckSpec]:
    """A blocking check per check of the gate, named and described as the gate names them, so
    that a new model in sql/checks/ becomes a new Dagster check without touching this code."""
    return [
        dg.AssetCheckSpec(name, asset=LEDGER, blocking=True, description=description)
        for name, description in check_names(default_catalog()).items()
    ]


def ledger_check_results(summaries: Sequence[BillRunSummary]) -> Iterable[dg.AssetCheckResult]:
    """One result per check over the runs of a partition range. A check that a run did not
    report fails loudly rather than passing."""
    for name, description in check_names(default_catalog()).items():
        found = [[r for r in s.checks if r.name == name] for s in summaries]
        missing = [s.bill_run_id for s, results in zip(summaries, found, strict=True)
                   if not results]
        violations = sum(r.violations for results in found for r in results)
        yield dg.AssetCheckResult(
            check_name=name,
            passed=not missing and violations == 0,
            description=f"the bill run reported no result named {name!r}" if missing
            else description,
            metadata={
                "bill_runs_checked": len(summaries) - len(missing),
                "violations": violations,
                "runs_without_result": ", ".join(missing) or "none",
            },
        )
