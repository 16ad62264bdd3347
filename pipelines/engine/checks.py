"""The gate every publish passes: the invariants of `sql/checks/` and the declared grains.

Each model of `sql/checks/` returns the rows that violate its invariant (none, when the run is
right); each publish model's declared grain must be unique in the draft and, for a table that
keeps every run's rows under one key (invoices, lines, payment requests, ...), must not repeat
a key already published. A run with any violation is refused and publishes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlglot import exp

from pipelines.engine.catalog import Model, ModelCatalog
from pipelines.engine.duckdb_engine import Engine

GRAINS_CHECK = "published_grains_unique"
GRAINS_DESCRIPTION = (
    "every published table's declared grain stays unique: no key twice in the run's rows, "
    "and no key of the run already published"
)
SAMPLE_ROWS = 5


@dataclass(frozen=True)
class CheckResult:
    name: str
    description: str
    violations: int
    #: a few violating rows (or, for the grains, the tables at fault), for the message
    sample: list[dict] = field(default_factory=list, compare=False)

    @property
    def passed(self) -> bool:
        return self.violations == 0


def check_names(catalog: ModelCatalog) -> dict[str, str]:
    """Every check of the gate, name -> description: one per model of sql/checks/, and the
    grains."""
    names = {m.name: m.description for m in catalog.layer("checks")}
    return {**names, GRAINS_CHECK: GRAINS_DESCRIPTION}


def grain_repeats(model: Model) -> exp.Expression:
    """A COUNT(*) query: how many keys of the model's declared grain its relation holds more
    than once (for a one-row model: 1 if it holds more than one row)."""
    grain = list(model.grain or ())
    relation = exp.table_(model.name, db="work")
    if not grain:
        return exp.select("CAST(COUNT(*) > 1 AS INTEGER)").from_(relation)
    return exp.select("COUNT(*)").from_(
        exp.select(*grain).from_(relation).group_by(*grain).having("COUNT(*) > 1").subquery("d"))


def grain_queries(model: Model) -> list[exp.Expression]:
    """COUNT(*) queries for a publish model's grain: keys repeated in the draft and, when the
    published table keeps every run's rows under the same key (an append table whose grain
    does not name the run), keys already published."""
    grain = list(model.grain or ())
    draft = exp.table_(model.name, db="work")
    queries: list[exp.Expression] = [grain_repeats(model)]
    if grain and model.published.mode == "append" and "bill_run_id" not in grain:
        same_key = exp.and_(*(
            exp.NullSafeEQ(this=exp.column(c, table="d"), expression=exp.column(c, table="p"))
            for c in grain
        ))
        queries.append(
            exp.select("COUNT(*)").from_(exp.alias_(draft, "d", table=True)).join(
                exp.alias_(exp.table_(model.name, db="published"), "p", table=True),
                on=same_key))
    return queries


def grains_query(models: tuple[Model, ...]) -> str:
    """One query over every publish model's grain queries: (table, violations) rows."""
    parts = [
        exp.select(exp.Literal.string(model.name).as_("table_name"),
                   exp.paren(query.subquery()).as_("violations"))
        for model in models for query in grain_queries(model)
    ]
    return exp.union(*parts, distinct=False).sql(dialect="duckdb")


_GRAINS: dict[tuple[Model, ...], str] = {}


def evaluate(engine: Engine, catalog: ModelCatalog) -> list[CheckResult]:
    """Every check of the gate on the run's draft (the check models must have run)."""
    results = []
    for model in catalog.layer("checks"):
        violations = engine.count(model.name)
        sample = engine.read(model.name, limit=SAMPLE_ROWS).to_dicts() if violations else []
        results.append(CheckResult(model.name, model.description, violations, sample))
    published = tuple(catalog.layer("publish"))
    if published not in _GRAINS:  # a grain query depends on the declarations only
        _GRAINS[published] = grains_query(published)
    found: dict[str, int] = {}
    for row in engine.rows(_GRAINS[published]):
        found[row[0]] = found.get(row[0], 0) + int(row[1])
    at_fault = [{"table": m.name, "grain": ", ".join(m.grain or ()), "violations": found[m.name]}
                for m in published if found.get(m.name)]
    results.append(CheckResult(GRAINS_CHECK, GRAINS_DESCRIPTION,
                               sum(t["violations"] for t in at_fault), at_fault))
    return results
