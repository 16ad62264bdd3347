"""The SQL models of `sql/`, as they declare themselves.

Every model is one file `sql/<layer>/<name>.sql` producing the relation `work.<name>`. Its
header comment says what a row is, then declares, one `-- key: value` line each:
- `layer`: the folder it lives in (sources, scope, ledger, expected, reconcile, publish,
  checks); the layer decides what the model may read (`MAY_READ`);
- `grain`: the columns that are unique in its rows (`one row` for a single-row model);
- `materialized`: `table` (the default) or `view`;
- `published`: for publish models, how the run writes it into `published.<name>`: `append`,
  or `replace <column> in <relation>` (the rows of the published table whose <column> is
  in work.<relation> are replaced);
- `state`: for the models whose rows the next runs resume from instead of replaying the
  state machine, the column (subscription_id or service_id) that says whose rows they are
  (see STATE below).
Macros (`sql/macros/<name>.sql`, header `-- macro: NAME(arg, ...)`) are single expressions
that models call like functions; they are expanded in the parsed tree before anything runs,
so one rule (the month-end clamp, minor units to a decimal amount, ...) is written once and
reaches every engine. Queries (`sql/queries/`) are read-only SQL for the command line and the
Dagster metadata, outside the plan. Load models (`sql/load/`, layer `load`) read only the
upstream snapshot and are derived by the load that writes it, into `upstream.<name>`
(pipelines/engine/warehouse.py, derive_load_tables): what depends on the snapshot alone is
computed once per load, not once per run.

Everything here works on parsed trees (sqlglot), never on pasted text: a model's inputs are
read from its tree, parameters are bound as literals through the tree, and the same tree is
what the Spark transpilation starts from (DEVELOPERS.md principle 4).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache, cached_property
from pathlib import Path

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel

from pipelines.derived_cache import derived

SQL_DIR = Path(__file__).resolve().parents[2] / "sql"

#: The layers of the plan in the order a reader meets them, and what each may read besides
#: itself: `upstream` and `published` are the warehouse schemas, the rest are layers.
MAY_READ: dict[str, frozenset[str]] = {
    "sources": frozenset({"upstream"}),
    "scope": frozenset({"sources", "ledger"}),
    "ledger": frozenset({"published", "sources", "scope"}),
    "expected": frozenset({"sources", "scope"}),
    "reconcile": frozenset({"sources", "scope", "ledger", "expected"}),
    "publish": frozenset({"sources", "scope", "ledger", "expected", "reconcile"}),
    "checks": frozenset({"sources", "scope", "ledger", "expected", "reconcile", "publish"}),
}
LAYERS: tuple[str, ...] = tuple(MAY_READ)
QUERY_LAYER = "queries"
LOAD_LAYER = "load"
MACRO_LAYER = "macros"
HEADER_KEYS = frozenset({"layer", "grain", "materialized", "published", "macro", "state"})
ONE_ROW = "one row"

#: The stored state. The state machine (the expected models from the actions to the
#: timeline, the anchors and the terms) is a function of a subscription's services, its
#: visible actions and its account's other subscriptions, never of the as-of date; run_scope
#: knows when any of them changed since a subscription's checkpoint. So the models declaring
#: `state` are computed for the subscriptions the run replays only (their machine reads its
#: services from STATE_ROOT), then the rows the last run that computed each resuming
#: subscription stored (`state.<name>`, for the keys of RESUMED) are added to them, before
#: any other model reads them; publish replaces the stored rows of the replayed ones.
STATE_ROOT = "replayed_services"
RESUMED = "resumed_services"
STATE_KEYS = frozenset({"subscription_id", "service_id"})


class ModelError(ValueError):
    """A model file breaks the conventions above (its header, layer or references)."""


@dataclass(frozen=True)
class Publication:
    """How a publish model reaches its published table of the same name."""

    mode: str  # "append" or "replace"
    column: str | None = None  # replace: the key column
    relation: str | None = None  # replace: the work relation holding the keys to replace

    @classmethod
    def parse(cls, text: str, where: str) -> Publication:
        words = text.split()
        if words == ["append"]:
            return cls("append")
        if len(words) == 4 and words[0] == "replace" and words[2] == "in":
            return cls("replace", words[1], words[3])
        raise ModelError(f"{where}: published must be 'append' or 'replace <column> in "
                         f"<relation>', not {text!r}")


@dataclass(frozen=True)
class Model:
    """One SQL file: its declaration and its parsed (macro-expanded) statement."""

    name: str
    layer: str
    path: Path
    description: str
    grain: tuple[str, ...] | None  # None: one row
    materialized: str
    published: Publication | None
    tree: exp.Expression = field(repr=False, compare=False)
    state: str | None = None  # the column of its stored rows' keys (STATE), if it has state

    @cached_property
    def reads(self) -> frozenset[str]:
        """The work relations it reads (other models), from its tree."""
        return frozenset(t.name for t in _tables(self.tree) if t.db == "work")

    @cached_property
    def reads_schemas(self) -> frozenset[str]:
        """The warehouse schemas it reads directly (upstream, published)."""
        return frozenset(t.db for t in _tables(self.tree) if t.db and t.db != "work")

    @cached_property
    def duckdb_sql(self) -> str:
        """The statement in DuckDB SQL, comments left out: what runs, and what the engine
        version digests (so rewording a comment changes neither)."""
        return self.tree.sql(dialect="duckdb", comments=False)

    @cached_property
    def parameters(self) -> frozenset[str]:
        return frozenset(p.name for p in self.tree.find_all(exp.Placeholder))


def _tables(tree: exp.Expression) -> Iterable[exp.Table]:
    ctes = {c.alias for c in tree.find_all(exp.CTE)}
    return (t for t in tree.find_all(exp.Table) if t.db or t.name not in ctes)


@dataclass(frozen=True)
class Macro:
    name: str
    arguments: tuple[str, ...]
    body: exp.Expression


# --- headers ---------------------------------------------------------------------------------


def parse_header(text: str, where: str) -> tuple[str, dict[str, str]]:
    """(description, declarations) of a file's leading comment block: the description, an
    empty `--` line, then one `-- key: value` line per declaration."""
    description: list[str] = []
    declared: dict[str, str] = {}
    in_declarations = False
    for line in text.splitlines():
        if not line.startswith("--"):
            break
        body = line[2:].strip()
        if not body:
            in_declarations = bool(description)
            continue
        if not in_declarations:
            description.append(body)
            continue
        key, sep, value = body.partition(":")
        if not sep or key not in HEADER_KEYS:
            raise ModelError(f"{where}: {body!r} is not a declaration "
                             f"({', '.join(sorted(HEADER_KEYS))})")
        if key in declared:
            raise ModelError(f"{where}: {key} declared twice")
        declared[key] = value.strip()
    if not description:
        raise ModelError(f"{where}: the header must start by saying what a row is")
    return " ".join(description), declared


def _grain(text: str | None, where: str) -> tuple[str, ...] | None:
    if not text:
        raise ModelError(f"{where}: no grain declared (`-- grain: col, ...` or `one row`)")
    if text == ONE_ROW:
        return None
    columns = tuple(c.strip() for c in text.split(","))
    if not all(c.isidentifier() for c in columns):
        raise ModelError(f"{where}: grain must list column names, not {text!r}")
    return columns


# --- macros ----------------------------------------------------------------------------------


def _parse_macro(path: Path) -> Macro:
    text = path.read_text()
    _, declared = parse_header(text, str(path))
    signature = declared.get("macro", "")
    name, _, rest = signature.partition("(")
    arguments = tuple(a.strip() for a in rest.rstrip(")").split(",") if a.strip())
    if name.strip().lower() != path.stem or not rest.endswith(")"):
        raise ModelError(f"{path}: declare `-- macro: {path.stem.upper()}(arg, ...)`")
    body = sqlglot.parse_one(text, read="duckdb")
    used = {p.name for p in body.find_all(exp.Placeholder)}
    if used != set(arguments):
        raise ModelError(f"{path}: the body uses {sorted(used)}, the signature {arguments}")
    return Macro(name.strip().upper(), arguments, body)


def expand_macros(tree: exp.Expression, macros: Mapping[str, Macro]) -> exp.Expression:
    """The tree with every macro call replaced by the macro's body, arguments substituted
    (macros may call macros); a tree that calls none is returned as it is."""

    def expand(node: exp.Expression) -> exp.Expression:
        if not isinstance(node, exp.Anonymous) or node.name.upper() not in macros:
            return node
        macro = macros[node.name.upper()]
        if len(node.expressions) != len(macro.arguments):
            raise ModelError(f"{macro.name} takes {len(macro.arguments)} arguments, "
                             f"got {len(node.expressions)}: {node.sql()}")
        values = dict(zip(macro.arguments, node.expressions, strict=True))
        body = macro.body.transform(
            lambda n: exp.paren(values[n.name].copy(), copy=False)
            if isinstance(n, exp.Placeholder) and n.name in values else n
        )
        return expand_macros(body, macros)

    calls = any(isinstance(n, exp.Anonymous) and n.name.upper() in macros
                for n in tree.find_all(exp.Anonymous))
    return tree.transform(expand) if calls else tree


# --- binding ---------------------------------------------------------------------------------

Param = object | Callable[[], object]


def literal(value: object) -> exp.Expression:
    """A sqlglot literal for a bound parameter (dates as DATE, decimals exact)."""
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "timestamp")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "date")
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return exp.Literal.number(value)
    if isinstance(value, Decimal):
        return exp.cast(exp.Literal.number(str(value)), "decimal(18, 6)")
    if value is None:
        return exp.Null()
    return exp.Literal.string(str(value))


def resolve(params: Mapping[str, Param], names: Iterable[str], where: str) -> dict[str, object]:
    """The values of `names` (a callable value is read now: the run's clock)."""
    missing = sorted(set(names) - params.keys())
    if missing:
        raise KeyError(f"{where} needs parameters {missing}")
    return {n: params[n]() if callable(params[n]) else params[n] for n in names}


def bind(tree: exp.Expression, values: Mapping[str, object]) -> exp.Expression:
    return exp.replace_placeholders(tree.copy(), **{k: literal(v) for k, v in values.items()})


# Functions sqlglot does not model but that exist under one name in DuckDB, mapped to their
# Spark counterpart: DuckDB's 64-bit HASH (input fingerprints) would be Spark's 32-bit
# murmur3 HASH; XXHASH64 keeps 64 bits. Fingerprints are only compared with fingerprints the
# same engine computed.
SPARK_FUNCTION_NAMES = {"HASH": "XXHASH64"}


def _portable(node: exp.Expression) -> exp.Expression:
    """The one place the models' non-portable constructs are mapped for Spark: DuckDB's
    HUGEINT (128-bit integer) for exact money arithmetic becomes DECIMAL(38, 0), and the
    functions of SPARK_FUNCTION_NAMES are renamed."""
    if isinstance(node, exp.DataType) and node.this == exp.DataType.Type.INT128:
        return exp.DataType.build("decimal(38, 0)")
    if isinstance(node, exp.Anonymous) and node.name.upper() in SPARK_FUNCTION_NAMES:
        return exp.Anonymous(
            this=SPARK_FUNCTION_NAMES[node.name.upper()], expressions=node.expressions
        )
    return node


# --- the catalog -----------------------------------------------------------------------------


class ModelCatalog:
    """Every model, macro and query under `sql_dir`, checked against the conventions.

    `overrides` (name -> SQL text) replaces a model's text: the tests use it to feed the
    checks a deliberately broken model.
    """

    def __init__(self, sql_dir: Path = SQL_DIR, overrides: Mapping[str, str] | None = None):
        self.sql_dir = sql_dir
        self.macros = {m.name: m for m in map(_parse_macro, sorted(
            (sql_dir / MACRO_LAYER).glob("*.sql")))}
        overrides = dict(overrides or {})
        self.models: dict[str, Model] = {}
        for layer in LAYERS:
            for path in sorted((sql_dir / layer).glob("*.sql")):
                self._add(self.models, path, layer, overrides.pop(path.stem, None))
        self.load_models: dict[str, Model] = {}
        for path in sorted((sql_dir / LOAD_LAYER).glob("*.sql")):
            self._add(self.load_models, path, LOAD_LAYER, overrides.pop(path.stem, None))
        if overrides:
            raise ModelError(f"no model to override named {sorted(overrides)}")
        self.queries: dict[str, Model] = {}
        for path in sorted((sql_dir / QUERY_LAYER).glob("*.sql")):
            self._add(self.queries, path, QUERY_LAYER, None)
        self._check_references()

    def _add(self, into: dict[str, Model], path: Path, layer: str, text: str | None) -> None:
        text = path.read_text() if text is None else text
        where = str(path.relative_to(self.sql_dir))
        description, declared = parse_header(text, where)
        if declared.get("layer") != layer:
            raise ModelError(f"{where}: declares layer {declared.get('layer')!r} but lives "
                             f"in {layer}/")
        if path.stem in self.models or path.stem in into:
            raise ModelError(f"{where}: another model is named {path.stem}")
        materialized = declared.get("materialized", "table")
        if materialized not in ("table", "view"):
            raise ModelError(f"{where}: materialized must be table or view")
        published = declared.get("published")
        if (published is None) == (layer == "publish"):
            raise ModelError(f"{where}: exactly the publish models declare `published`")
        state = declared.get("state")
        if state is not None and (layer != "expected" or materialized != "table"
                                  or state not in STATE_KEYS):
            raise ModelError(f"{where}: only an expected table declares state, by one of "
                             f"{sorted(STATE_KEYS)}")
        tree = sqlglot.parse_one(text, read="duckdb")
        into[path.stem] = Model(
            name=path.stem, layer=layer, path=path, description=description,
            grain=_grain(declared.get("grain"), where) if layer != QUERY_LAYER else None,
            materialized=materialized,
            published=Publication.parse(published, where) if published else None,
            tree=expand_macros(tree, self.macros),
            state=state,
        )

    def _check_references(self) -> None:
        for model in self.load_models.values():
            if model.reads or model.reads_schemas - {"upstream"}:
                raise ModelError(f"load/{model.name} may read only the upstream tables")
        for model in self.models.values():
            unknown = model.reads - self.models.keys()
            if unknown:
                raise ModelError(f"{model.name} reads work relations no model produces: "
                                 f"{sorted(unknown)}")
            allowed = MAY_READ[model.layer] | {model.layer}
            layers = {self.models[r].layer for r in model.reads} | model.reads_schemas
            if layers - allowed:
                raise ModelError(f"{model.layer}/{model.name} may not read "
                                 f"{sorted(layers - allowed)} (the {model.layer} layer reads "
                                 f"{sorted(MAY_READ[model.layer])})")

        for name in self.machine:
            model = self.models[name]
            outside = {r for r in model.reads if r != STATE_ROOT and r not in self.machine
                       and self.models[r].layer != "sources"}
            if outside or model.reads_schemas or model.parameters:
                raise ModelError(
                    f"{name} computes stored state (STATE, pipelines/engine/catalog.py): it "
                    f"may read only the sources, {STATE_ROOT} and the rest of the state "
                    f"machine, and no parameter; it reads "
                    f"{sorted(outside | model.reads_schemas | model.parameters)}")
        stateless = self.machine - {m.name for m in self.state_models}
        for model in self.models.values():
            partial = model.reads & stateless if model.name not in self.machine else set()
            if partial:
                raise ModelError(f"{model.name} reads {sorted(partial)}, which hold only the "
                                 f"replayed subscriptions: read a model that declares state")

    @cached_property
    def state_models(self) -> list[Model]:
        return [m for m in self.models.values() if m.state]

    @cached_property
    def machine(self) -> frozenset[str]:
        """The models of the state machine: those declaring state and every expected model
        they read, up to STATE_ROOT and what it is computed from."""
        root = set(self._order((STATE_ROOT,)))
        found: set[str] = set()
        pending = [m.name for m in self.state_models]
        while pending:
            name = pending.pop()
            if name in found or name in root or self.models[name].layer != "expected":
                continue
            found.add(name)
            pending.extend(self.models[name].reads)
        return frozenset(found)

    # -- what the plan needs ----------------------------------------------------------------

    def layer(self, name: str) -> list[Model]:
        return [m for m in self.models.values() if m.layer == name]

    def order(self, targets: Iterable[str] | None = None) -> list[str]:
        """The models (every one, or those `targets` need) in dependency order, the state
        machine and what it reads first: the stored state is added to its tables once the
        machine has run (`machine_ends`), before anything else reads them."""
        order = self._order(tuple(targets) if targets is not None else None)
        if self.machine.intersection(order) and RESUMED not in order:
            order = self._order((*order, RESUMED))
        first = set(self._order((*sorted(self.machine), RESUMED)))
        return [n for n in order if n in first] + [n for n in order if n not in first]

    def machine_ends(self, order: list[str]) -> int:
        """How many models of `order` (from `order()`) run before the stored state is added:
        up to the last model of the machine and the keys of the resuming services."""
        return max((i + 1 for i, n in enumerate(order) if n in self.machine | {RESUMED}),
                   default=0)

    @cache  # noqa: B019 - a catalog lives as long as the process and its models never change
    def _order(self, targets: tuple[str, ...] | None) -> tuple[str, ...]:
        names = list(self.models) if targets is None else list(targets)
        order: list[str] = []
        seen: set[str] = set()

        def visit(name: str, path: tuple[str, ...]) -> None:
            if name in seen:
                return
            if name in path:
                raise ModelError(f"models depend on each other in a cycle: "
                                 f"{' -> '.join((*path, name))}")
            for dependency in sorted(self.models[name].reads):
                visit(dependency, (*path, name))
            seen.add(name)
            order.append(name)

        for name in names:
            visit(name, ())
        return tuple(order)

    def release_points(self, order: list[str], keep: Iterable[str] = ()) -> dict[str, list[str]]:
        """For each model of `order`, the relations no later model reads once it has run:
        they can be dropped then (the work catalog lives in memory, and a first run's
        intermediate tables would otherwise crowd out the rest and spill to disk). Publish and
        check models, the relations a publication names, and `keep` stay."""
        kept = set(keep) | {m.published.relation for m in self.layer("publish")
                            if m.published.relation}
        last_reader = {name: name for name in order}
        for name in order:
            for dependency in self._reads_through_views(name):
                last_reader[dependency] = name
        points: dict[str, list[str]] = {name: [] for name in order}
        for relation, reader in last_reader.items():
            if relation not in kept and self.models[relation].layer not in ("publish", "checks"):
                points[reader].append(relation)
        return points

    def _reads_through_views(self, name: str) -> set[str]:
        """What model `name` reads, and what the views it reads read in turn (a view's
        inputs must outlive every reader of the view)."""
        found: set[str] = set()
        pending = list(self.models[name].reads)
        while pending:
            relation = pending.pop()
            if relation not in found:
                found.add(relation)
                if self.models[relation].materialized == "view":
                    pending.extend(self.models[relation].reads)
        return found

    def digest(self) -> str:
        """A digest of the models as parsed and expanded, comments left out, so that
        rewording or re-indenting a model leaves it unchanged and a changed expression (in
        a model or a macro it calls) does not."""
        digest = hashlib.sha256()
        for name, model in sorted({**self.models, **self.load_models}.items()):
            digest.update(name.encode() + b"\0")
            digest.update(model.duckdb_sql.encode())
            digest.update(f"\0{model.state}\0".encode())
        return digest.hexdigest()[:16]

    def sql(self, model: Model, params: Mapping[str, Param], dialect: str = "duckdb") -> str:
        """The model's statement with its parameters bound as literals, in `dialect`."""
        tree = bind(model.tree, resolve(params, model.parameters, model.name))
        if dialect == "duckdb":
            return tree.sql(dialect="duckdb")
        return tree.transform(_portable).sql(dialect=dialect,
                                             unsupported_level=ErrorLevel.RAISE)


@cache
def default_catalog() -> ModelCatalog:
    """The models of this release, parsed once per process, or read from the derived cache
    when the same files were parsed before (pipelines/derived_cache.py)."""
    sources = [*SQL_DIR.rglob("*.sql"), Path(__file__)]
    return derived("catalog", sources, _parsed_catalog)


def _parsed_catalog() -> ModelCatalog:
    """The catalog with what every run asks of it already derived, so that it is kept too."""
    catalog = ModelCatalog()
    catalog.digest()
    for model in (*catalog.models.values(), *catalog.queries.values(),
                  *catalog.load_models.values()):
        _ = model.reads, model.reads_schemas, model.parameters
    _ = catalog.state_models
    return catalog
