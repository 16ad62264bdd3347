"""The DuckDB engine: the models run into relations of the in-memory `work` catalog beside the
warehouse file, and the publish models are copied into the `published` schema in one
transaction.

An engine does four things (`Engine`): run a model into a relation, read a relation, add the
stored state of the subscriptions that resume (pipelines/engine/catalog.py, STATE), and
publish atomically. Another engine (Spark), a sandbox for simulate or a preview of one
subscription is another implementation or another context, never another bill run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol

import duckdb
import polars as pl
from sqlglot import exp

from pipelines.engine.catalog import (
    RESUMED,
    STATE_ROOT,
    Model,
    Param,
    bind,
    default_catalog,
    resolve,
)


class Engine(Protocol):
    name: str

    def computing(self) -> AbstractContextManager[None]:
        """Within: a series of materialize and drop calls (one compute); lets the engine
        set up once what each of them would otherwise set up alone."""

    def materialize(self, model: Model, params: Mapping[str, Param]) -> None:
        """Run `model` into the relation work.<name> (a table or a view)."""

    def drop(self, model: Model) -> None:
        """Drop the relation of `model`: no later model reads it."""

    def read(self, relation: str, limit: int | None = None) -> pl.DataFrame:
        """The rows of work.<relation>."""

    def count(self, relation: str) -> int:
        """How many rows work.<relation> holds."""

    def query(self, query: Model, params: Mapping[str, Param]) -> pl.DataFrame:
        """The rows of a read-only query (sql/queries/)."""

    def rows(self, sql: str) -> list[tuple]:
        """The rows of a query the engine generated from the declarations (checks.py), in
        its own dialect."""

    def resume(self, models: Sequence[Model]) -> None:
        """Add to work.<name> of each state model the rows stored for the subscriptions that
        resume (catalog.STATE)."""

    def publish(self, models: Sequence[Model], state: Sequence[Model] = ()) -> None:
        """Write the relations of the publish `models` into their published tables, and the
        replayed rows of the `state` models into the stored state, all or nothing."""


class DuckDBEngine:
    """The models on a DuckDB connection opened by `pipelines.engine.warehouse`."""

    name = "duckdb"

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        (self.database,) = self.con.execute("SELECT current_database()").fetchall()[0]
        self._unvacuumed_depth = 0

    def computing(self) -> AbstractContextManager[None]:
        return self._unvacuumed()

    @contextmanager
    def _unvacuumed(self) -> Iterator[None]:
        """Within: no automatic checkpoint. DuckDB checkpoints an in-memory catalog too, to
        vacuum deleted rows, once the committed undo buffers pass checkpoint_threshold: a
        stop-the-world pass of up to a second over every work table in a large run. The work
        catalog's tables are created whole and dropped whole (which frees their memory at
        once), and the catalog is discarded with the connection, so such a pass reclaims
        nothing. Only the work catalog is written within; the warehouse file keeps its own
        checkpoints (publish commits under the connection's setting). Set once for a whole
        compute (computing()), else once per call: each SET is a statement of its own."""
        if self._unvacuumed_depth:  # within computing(): already set
            yield
            return
        (threshold,) = self.con.execute(
            "SELECT current_setting('checkpoint_threshold')").fetchall()[0]
        self.con.execute(f"SET checkpoint_threshold = '{_UNREACHED_THRESHOLD}'")
        self._unvacuumed_depth += 1
        try:
            yield
        finally:
            self._unvacuumed_depth -= 1
            self.con.execute(f"SET checkpoint_threshold = '{threshold}'")

    def materialize(self, model: Model, params: Mapping[str, Param]) -> None:
        with self._unvacuumed():
            self._materialize(model, params)

    def _materialize(self, model: Model, params: Mapping[str, Param]) -> None:
        if model.materialized == "view":
            # A view cannot hold parameters: they are bound as literals through the tree, and
            # the warehouse schemas are qualified with its catalog (the view lives in `work`).
            # Most views have no parameter: their text is generated once per process.
            key = (id(model), self.database)
            if model.parameters or key not in _VIEWS:
                tree = bind(model.tree, resolve(params, model.parameters, model.name))
                sql = tree.transform(self._qualified).sql(dialect="duckdb", comments=False)
                _VIEWS[key] = (model, f"CREATE OR REPLACE VIEW work.{model.name} AS {sql}")
            self.con.execute(_VIEWS[key][1])
            return
        statement = _table_statement(model)
        self.con.execute(statement, resolve(params, model.parameters, model.name))

    def _qualified(self, node: exp.Expression) -> exp.Expression:
        """A table of a view, fully qualified: a view is bound in its own catalog (`work`),
        where neither the warehouse's schemas nor `work.<name>` resolve as elsewhere."""
        if isinstance(node, exp.Table) and node.db and not node.catalog:
            node = node.copy()
            if node.db == "work":
                node.set("catalog", exp.to_identifier("work"))
                node.set("db", exp.to_identifier("main"))
            else:
                node.set("catalog", exp.to_identifier(self.database))
        return node

    def drop(self, model: Model) -> None:
        kind = "VIEW" if model.materialized == "view" else "TABLE"
        with self._unvacuumed():
            self.con.execute(f"DROP {kind} IF EXISTS work.{model.name}")

    def read(self, relation: str, limit: int | None = None) -> pl.DataFrame:
        table = self.con.table(f"work.{relation}")
        return (table.limit(limit) if limit is not None else table).pl()

    def read_published(self, table: str, bill_run_ids: Sequence[str]) -> pl.DataFrame:
        """The rows of published.<table> that the runs `bill_run_ids` wrote."""
        query = exp.select("*").from_(exp.table_(table, db="published")).where(
            exp.column("bill_run_id").isin(*(exp.Literal.string(i) for i in bill_run_ids)))
        return self.con.sql(query.sql(dialect="duckdb")).pl()

    def count(self, relation: str) -> int:
        return int(self.con.table(f"work.{relation}").aggregate("count(*)").fetchall()[0][0])

    def query(self, query: Model, params: Mapping[str, Param]) -> pl.DataFrame:
        return self.con.sql(query.tree.sql(dialect="duckdb"),
                            params=resolve(params, query.parameters, query.name)).pl()

    def rows(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def resume(self, models: Sequence[Model]) -> None:
        _, _, resuming = self._scope_summary()
        if not resuming:
            return
        self._check_stored(models)
        with self._unvacuumed():
            for model in models:
                self.con.execute(
                    f"INSERT INTO work.{model.name} BY NAME SELECT * FROM state.{model.name} "
                    f"WHERE {model.state} IN (SELECT {model.state} FROM work.{RESUMED})")

    def publish(self, models: Sequence[Model], state: Sequence[Model] = ()) -> None:
        columns = self._published_columns()
        is_full, subscriptions, resuming = self._scope_summary() if state else (False, 0, 0)
        compact = is_full or not state or self._dead_share(state) >= COMPACT_AT
        with self._vacuuming(compact):
            self.con.execute("BEGIN TRANSACTION")
            try:
                for model in models:
                    for statement in publish_statements(model, columns[model.name]):
                        self.con.execute(statement.sql(dialect="duckdb"))
                if subscriptions > resuming:  # some subscription replayed
                    if not is_full:
                        self._check_stored(state)
                    for model in state:
                        self._store(model, rebuild=is_full)
                self.con.execute("COMMIT")
            except BaseException:
                self.con.execute("ROLLBACK")
                raise
            if not compact:  # now, while vacuuming is off, rather than when the file closes
                self.con.execute("CHECKPOINT")

    @contextmanager
    def _vacuuming(self, enabled: bool) -> Iterator[None]:
        """Within, unless `enabled`: checkpoints do not vacuum. A daily run's publish deletes
        the stored rows of the subscriptions it replayed (and their checkpoints), scattered
        over every row group of tables of millions of rows; vacuuming them at the checkpoint
        that writes the run rewrites nearly every row group of those tables (2 s of a 3 s
        checkpoint at 1M). The deleted rows are only skipped until then, so a run vacuums
        once they are a COMPACT_AT share of the stored state (and a full run rebuilds it)."""
        if enabled:
            yield
            return
        (previous,) = self.con.execute(
            "SELECT current_setting('max_vacuum_tasks')").fetchall()[0]
        self.con.execute("SET max_vacuum_tasks = 0")
        try:
            yield
        finally:
            self.con.execute(f"SET max_vacuum_tasks = {int(previous)}")

    def _dead_share(self, models: Sequence[Model]) -> float:
        """The share of the rows of the stored state tables that are deleted but not yet
        vacuumed away (DuckDB's estimated_size counts them, count(*) does not); 0 without
        stored state."""
        stored = self._columns_of("state", self.database)
        names = [m.name for m in models if m.name in stored]
        if not names:
            return 0.0
        listed = ", ".join(f"'{n}'" for n in names)
        (physical,) = self.con.execute(
            "SELECT SUM(estimated_size) FROM duckdb_tables() WHERE schema_name = 'state' "
            f"AND database_name = ? AND table_name IN ({listed})", [self.database]).fetchall()[0]
        counts = " UNION ALL ".join(f"SELECT COUNT(*) AS n FROM state.{n}" for n in names)
        (live,) = self.con.execute(f"SELECT SUM(n) FROM ({counts})").fetchall()[0]
        return 1 - live / physical if physical else 0.0

    def _check_stored(self, models: Sequence[Model]) -> None:
        """Refuse a run that is not full to read or write stored state that does not match
        its models: it would keep the rows of the subscriptions it did not compute."""
        stored, computed = self._columns_of("state", self.database), self._columns_of(
            "main", "work")
        for model in models:
            if stored.get(model.name) != computed[model.name]:
                raise StateMissing(
                    f"the warehouse's stored state for {model.name} is missing or has other "
                    "columns than the model, yet this run is not full; run `billing run "
                    "--full` once to rebuild it")

    def _store(self, model: Model, rebuild: bool) -> None:
        """Replace the stored rows of the replayed subscriptions by what the run computed for
        them; a full run replayed every subscription: its rows are the whole table, created
        anew."""
        if rebuild:
            self.con.execute(f"CREATE OR REPLACE TABLE state.{model.name} AS "
                             f"SELECT * FROM work.{model.name}")
            return
        replayed = f"SELECT {model.state} FROM work.{STATE_ROOT}"
        self.con.execute(f"DELETE FROM state.{model.name} WHERE {model.state} IN ({replayed})")
        self.con.execute(f"INSERT INTO state.{model.name} BY NAME SELECT * FROM "
                         f"work.{model.name} WHERE {model.state} IN ({replayed})")

    def _scope_summary(self) -> tuple[bool, int, int]:
        """(every subscription computed?, subscriptions computed, of which resuming)."""
        (row,) = self.query(default_catalog().queries["run_scope_summary"], {}).rows()
        return bool(row[0]), int(row[1]), int(row[2])

    def _columns_of(self, schema: str, database: str) -> dict[str, list[tuple[str, str]]]:
        """Each table's (column, type) pairs, in order, of one schema of one catalog."""
        found: dict[str, list[tuple[str, str]]] = {}
        rows = self.con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = ? AND database_name = ? ORDER BY table_name, column_index",
            [schema, database]).fetchall()
        for name, column, kind in rows:
            found.setdefault(name, []).append((column, kind))
        return found

    def _published_columns(self) -> dict[str, list[str]]:
        """Each published table's columns, in order, as the warehouse holds them."""
        found = self.query(default_catalog().queries["published_columns"], {})
        return {name: table["column_name"].to_list()
                for (name,), table in found.group_by(["table_name"], maintain_order=True)}


class StateMissing(RuntimeError):
    """A run is to resume subscriptions from stored state the warehouse does not hold as the
    models declare it (a table dropped or altered by hand): nothing is computed from it."""


#: The share of deleted rows in the stored state at which a run's publish vacuums them
#: (DuckDBEngine._vacuuming): with a tenth of the book replaying a day, every third day or so.
COMPACT_AT = 0.25

#: A checkpoint_threshold no run's work catalog reaches (see DuckDBEngine._unvacuumed).
_UNREACHED_THRESHOLD = "1000TB"

#: CREATE VIEW statements of parameterless views, per (model, warehouse catalog); the model
#: is kept beside its statement so that its id is never reused.
_VIEWS: dict[tuple[int, str], tuple[Model, str]] = {}


def _table_statement(model: Model) -> str:
    """CREATE TABLE AS for the model with its placeholders as DuckDB `$name` parameters:
    generated once per process and model, bound by DuckDB on every run."""
    return f"CREATE OR REPLACE TABLE work.{model.name} AS {model.duckdb_sql}"


def publish_statements(model: Model, columns: Sequence[str]) -> list[exp.Expression]:
    """The statements that write a publish model into its published table, as its header
    declares: append its rows, or first delete the published rows it replaces."""
    target = exp.table_(model.name, db="published")
    source = exp.table_(model.name, db="work")
    statements: list[exp.Expression] = []
    publication = model.published
    if publication.mode == "replace":
        keys = exp.select(publication.column).from_(exp.table_(publication.relation, db="work"))
        statements.append(exp.delete(target, where=exp.column(publication.column).isin(
            query=keys)))
    listed = [exp.column(c) for c in columns]
    statements.append(exp.insert(exp.select(*listed).from_(source), target,
                                 columns=[exp.to_identifier(c) for c in columns]))
    return statements
