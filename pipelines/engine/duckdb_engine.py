"""The DuckDB engine: the models run into relations of the in-memory `work` catalog beside the
warehouse file, and the publish models are copied into the `published` schema in one
transaction.

An engine does three things (`Engine`): run a model into a relation, read a relation, and
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

from pipelines.engine.catalog import Model, Param, bind, default_catalog, resolve


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

    def publish(self, models: Sequence[Model]) -> None:
        """Write the relations of the publish `models` into their published tables, all or
        nothing."""


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

    def publish(self, models: Sequence[Model]) -> None:
        columns = self._published_columns()
        self.con.execute("BEGIN TRANSACTION")
        try:
            for model in models:
                for statement in publish_statements(model, columns[model.name]):
                    self.con.execute(statement.sql(dialect="duckdb"))
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def _published_columns(self) -> dict[str, list[str]]:
        """Each published table's columns, in order, as the warehouse holds them."""
        found = self.query(default_catalog().queries["published_columns"], {})
        return {name: table["column_name"].to_list()
                for (name,), table in found.group_by(["table_name"], maintain_order=True)}


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
