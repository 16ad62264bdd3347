"""One bill run: compute what should have been charged up to the as-of date, subtract what is
published, check the draft and publish the difference atomically.

The billing rules live in the SQL models (`sql/`); this module decides the run's identity (or
refuses it), runs the models in dependency order on an engine, passes the draft through the
gate (checks.py) and has the engine publish it in one transaction. A crash at any point
leaves that transaction uncommitted, so the warehouse holds all of the run or none of it; the
draft is recomputed identically by the next run of the date. The DuckDB warehouse is held
under an exclusive file lock throughout, so nothing else writes between draft and publish.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping

from pipelines.engine import checks
from pipelines.engine.catalog import RESUMED, STATE_ROOT, ModelCatalog, Param, default_catalog
from pipelines.engine.context import RunContext
from pipelines.engine.duckdb_engine import Engine
from pipelines.engine.summary import SUMMARY_RELATIONS, BillRunSummary, read_summaries

Progress = Callable[[str], None]


class RunRefused(RuntimeError):
    """The run may not happen (an earlier date than the last published run, no load yet)."""


class InvariantFailed(RuntimeError):
    """A check of the gate failed on the draft; nothing was published."""

    def __init__(self, message: str, results: list[checks.CheckResult]):
        super().__init__(message)
        self.results = results


def compute(
    engine: Engine,
    params: Mapping[str, Param],
    catalog: ModelCatalog | None = None,
    targets: Iterable[str] | None = None,
    keep: Iterable[str] = (),
    progress: Progress | None = None,
) -> dict[str, float]:
    """Run the models (every one, or those `targets` need) in dependency order, dropping each
    relation once no later model reads it (except `keep`), and add the stored state of the
    resuming subscriptions once the state machine has run (catalog.STATE); the seconds each
    model took. The state tables and the keys they are stored by outlive the compute: publish
    stores their replayed rows."""
    catalog = catalog or default_catalog()
    order = catalog.order(targets)
    state = [m for m in catalog.state_models if m.name in order]
    kept = {m.name for m in state} | ({STATE_ROOT, RESUMED} if state else set())
    releases = catalog.release_points(order, keep=set(keep) | set(targets or ()) | kept)
    resume_after = catalog.machine_ends(order)
    timings: dict[str, float] = {}
    with engine.computing():
        for position, name in enumerate(order, start=1):
            began = time.perf_counter()
            engine.materialize(catalog.models[name], params)
            for relation in releases[name]:
                engine.drop(catalog.models[relation])
            timings[name] = time.perf_counter() - began
            if progress:
                progress(f"{name}: {timings[name]:.2f}s")
            if position == resume_after and state:
                began = time.perf_counter()
                engine.resume(state)
                timings["resume"] = time.perf_counter() - began
    return timings


def run_bill_run(
    engine: Engine,
    context: RunContext,
    progress: Progress | None = None,
    catalog: ModelCatalog | None = None,
) -> BillRunSummary:
    """Bill everything due on the context's as-of date that is not published yet, and (mode
    `run`) publish it atomically. Only the subscriptions whose inputs changed or whose next
    date came are computed (sql/scope/run_scope.sql) unless the context's scope is full,
    which publishes the same documents."""
    catalog = catalog or default_catalog()
    bill_run_id = _identity(engine, catalog, context)
    params = context.model_parameters(bill_run_id, catalog.digest())
    timings = compute(engine, params, catalog, progress=progress)

    began = time.perf_counter()
    results = checks.evaluate(engine, catalog)
    timings["checks"] = time.perf_counter() - began
    failed = [r for r in results if not r.passed]
    if failed:
        detail = "; ".join(f"{r.name} ({r.violations} violations: {r.description}) e.g. "
                           f"{r.sample[:2]}" for r in failed)
        raise InvariantFailed(f"bill run {bill_run_id} for {context.as_of}: {detail}", results)

    status = "simulated"
    if context.mode == "run":
        began = time.perf_counter()
        engine.publish(catalog.layer("publish"), catalog.state_models)
        timings["publish"] = time.perf_counter() - began
        status = "published"
    (summary,) = read_summaries(engine.read, status=status)
    summary.timings = timings
    summary.checks = results
    return summary


def _identity(engine: Engine, catalog: ModelCatalog, context: RunContext) -> str:
    """BR-<as_of>-<n>, n counting the runs of that date (a crashed run's id is reused), or
    the refusal: nothing loaded, or a date before the last published run."""
    (row,) = engine.query(catalog.queries["run_identity"], {"as_of": context.as_of}).to_dicts()
    if row["load_id"] is None:
        raise RunRefused("nothing is loaded yet; run `billing load DIR` first")
    last = row["last_published_as_of"]
    if context.mode == "run" and last is not None and context.as_of < last:
        raise RunRefused(
            f"as-of {context.as_of.isoformat()} precedes the last published run "
            f"{last.isoformat()}; use simulate"
        )
    return f"BR-{context.as_of.isoformat()}-{row['runs_on_date'] + 1}"


__all__ = ["SUMMARY_RELATIONS", "InvariantFailed", "RunRefused", "compute", "run_bill_run"]
