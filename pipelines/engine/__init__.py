"""The bill-run engine: one plan of SQL models (`sql/`), its context, and the engine that runs
it.

- `context`: the frozen run context (as-of date, known-on cut-off, mode, scope, horizon,
  engine, clock), built in one place;
- `catalog`: the models as they declare themselves (layer, grain, publication), macros,
  dependencies, Spark transpilation;
- `duckdb_engine`: the engine protocol (run a model into a relation, read a relation, publish
  atomically) and its DuckDB implementation;
- `warehouse`: the DuckDB warehouse file and its schemas;
- `bill_run`: one bill run (identity, compute, gate, publish); `checks`: the gate;
  `summary`: what a run did, read back from what it published.
"""
