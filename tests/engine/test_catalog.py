"""The models as they declare themselves (pipelines/engine/catalog.py): headers, layers and
what each may read, macros, publications and grains, on the seeded data."""

from __future__ import annotations

import datetime as dt
import re

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scenario import Scenario, compute_models

from pipelines.cli import main as billing
from pipelines.engine.bill_run import compute
from pipelines.engine.catalog import LAYERS, MAY_READ, SQL_DIR, ModelCatalog, ModelError
from pipelines.engine.checks import grain_repeats
from pipelines.engine.context import RunContext
from pipelines.engine.duckdb_engine import DuckDBEngine
from pipelines.engine.warehouse import connect, ensure_schema

CATALOG = ModelCatalog()


def text(model: str) -> str:
    return next(SQL_DIR.glob(f"*/{model}.sql")).read_text()


# --- headers and layers ----------------------------------------------------------------------


def test_every_layer_has_its_folder_and_models():
    assert LAYERS == ("sources", "scope", "ledger", "expected", "reconcile", "publish",
                      "checks")
    for layer in LAYERS:
        models = CATALOG.layer(layer)
        assert models, layer
        assert all(m.path.parent.name == layer and m.grain != () for m in models)


def test_only_the_sources_read_upstream_and_only_the_ledger_reads_the_published_tables():
    for model in CATALOG.models.values():
        if "upstream" in model.reads_schemas:
            assert model.layer == "sources", model.name
        if "published" in model.reads_schemas:
            assert model.layer == "ledger", model.name


def test_what_should_be_billed_never_reads_what_was_billed():
    # expected models read sources, the run's scope and each other: no ledger, no published
    assert MAY_READ["expected"] == {"sources", "scope"}
    for model in CATALOG.layer("expected"):
        layers = {CATALOG.models[r].layer for r in model.reads}
        assert layers <= {"sources", "scope", "expected"}, model.name
        assert model.reads_schemas == set(), model.name


@pytest.mark.parametrize(("model", "old", "new", "error"), [
    ("billing_periods", "-- grain: subscription_id, cycle_start\n", "",
     "no grain declared"),
    ("billing_periods", "-- layer: expected", "-- layer: reconcile", "lives in expected/"),
    ("invoices", "-- published: append\n", "",
     "exactly the publish models declare `published`"),
    ("billed_through", "-- grain: subscription_id", "-- grain: subscription_id\n-- owner: x",
     "is not a declaration"),
    ("expected_charges", "FROM work.charge_periods",
     "FROM work.charge_periods CROSS JOIN work.ledger_charge_keys AS l",
     "expected/expected_charges may not read ['ledger']"),
    ("expected_charges", "FROM work.charge_periods",
     "FROM work.charge_periods CROSS JOIN published.invoices AS l",
     "expected/expected_charges may not read ['published']"),
    ("charge_periods", "FROM work.billable_segments AS s",
     "FROM work.billable_segment AS s", "no model produces: ['billable_segment']"),
    ("billable_services", "JOIN work.run_scope AS r",
     "JOIN work.expected_charges AS x ON TRUE JOIN work.run_scope AS r",
     "cycle"),
    ("subscription_fingerprints", "FROM upstream.products",
     "FROM work.src_products", "load/subscription_fingerprints may read only the upstream"),
    ("subscription_fingerprints", "FROM upstream.products",
     "FROM published.invoices", "load/subscription_fingerprints may read only the upstream"),
    # the state machine (catalog.STATE) reads its services from replayed_services only, and
    # nothing that depends on the date: else a resumed subscription's stored rows could differ
    # from what a replay would give
    ("service_terms", "FROM work.service_first_activations AS f",
     "FROM work.service_first_activations AS f JOIN work.billable_services AS b "
     "ON b.service_id = f.service_id", "service_terms computes stored state"),
    ("service_terms", "FROM work.service_first_activations AS f",
     "FROM work.service_first_activations AS f CROSS JOIN work.run_scope AS r",
     "service_terms computes stored state"),
    ("service_terms", "    f.regretted_on\n", "    f.regretted_on, :as_of AS seen_on\n",
     "it reads ['as_of']"),
    # outside the machine, only a table with stored state holds every subscription's rows
    ("cancellation_fees", "FROM work.contract_cancellations AS x",
     "FROM work.contract_cancellations AS x JOIN work.service_action_outcomes AS o "
     "ON o.service_id = x.service_id",
     "reads ['service_action_outcomes'], which hold only the replayed subscriptions"),
    ("service_action_outcomes", "-- grain: service_id, seq", "-- grain: service_id, seq\n"
     "-- state: service_id", "only an expected table declares state"),
    ("service_terms", "-- state: service_id", "-- state: account_id",
     "only an expected table declares state"),
])
def test_a_model_that_breaks_the_conventions_is_refused(model, old, new, error):
    assert old in text(model)
    with pytest.raises(ModelError, match=re.escape(error)):
        catalog = ModelCatalog(overrides={model: text(model).replace(old, new)})
        catalog.order()


def test_a_macro_call_with_the_wrong_arity_is_refused():
    broken = text("service_term_steps").replace("MONTH_INDEX(w.origin)", "MONTH_INDEX()")
    with pytest.raises(ModelError, match="MONTH_INDEX takes 1 arguments, got 0"):
        ModelCatalog(overrides={"service_term_steps": broken})


# --- macros ----------------------------------------------------------------------------------


def macro(expression: str) -> object:
    """The value DuckDB gives a macro call, expanded as the catalog expands models."""
    import sqlglot

    from pipelines.engine.catalog import expand_macros

    tree = expand_macros(sqlglot.parse_one(f"SELECT {expression}", read="duckdb"),
                         CATALOG.macros)
    return duckdb.sql(tree.sql(dialect="duckdb")).fetchall()[0][0]


@pytest.mark.parametrize(("month", "day", "expected"), [
    ("2027-01-01", 31, "2027-01-31"), ("2027-02-01", 31, "2027-02-28"),
    ("2028-02-01", 31, "2028-02-29"), ("2027-04-01", 31, "2027-04-30"),
    ("2027-04-01", 15, "2027-04-15"), ("2026-12-01", 31, "2026-12-31"),
])
def test_month_day_clamps_to_the_month_s_length(month, day, expected):
    # domain.md §1: billing day 31 gives Jan 31, Feb 28 (29 in a leap year), Apr 30
    assert macro(f"MONTH_DAY(MONTH_INDEX(DATE '{month}'), {day})") == dt.date.fromisoformat(
        expected)


def test_amounts_cross_minor_units_exactly():
    assert str(macro("MINOR_TO_AMOUNT(CAST(123456 AS HUGEINT), 100)")) == "1234.5600"
    assert str(macro("MINOR_TO_AMOUNT(CAST(-7 AS HUGEINT), 1000)")) == "-0.0070"
    assert macro("AMOUNT_TO_MINOR(CAST(500.25 AS DECIMAL(18, 4)), 100)") == 50025


@given(day=st.dates(dt.date(1999, 1, 1), dt.date(2099, 12, 31)),
       cycle=st.sampled_from([0, 1, 3, 6, 12]), anchor=st.integers(0, 11),
       billing_day=st.integers(1, 31))
def test_the_period_of_a_day_holds_it(day, cycle, anchor, billing_day):
    # PERIOD_START(k) <= day < PERIOD_START(k + 1) for k = PERIOD_OF(day), for every cycle
    # (0: weekly, billing day an ISO weekday), anchor month and billing day
    if cycle == 0:
        billing_day = billing_day % 7 + 1
    anchor = anchor % cycle if cycle else 0
    args = f"{cycle}, {anchor}, {billing_day}"
    k = macro(f"PERIOD_OF(DATE '{day}', {args})")
    start = macro(f"PERIOD_START({k}, {args})")
    end = macro(f"PERIOD_START({k} + 1, {args})")
    assert start <= day < end
    assert end - start == dt.timedelta(days=7) if cycle == 0 else 28 * cycle <= (
        end - start).days <= 31 * cycle


# --- publications and grains -----------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """The seed's 2,000 subscriptions (with bad rows), published up to Feb 15, and every model
    of the plan for Mar 31 computed and kept."""
    where = tmp_path_factory.mktemp("seeded")
    assert billing(["seed", str(where / "data"), "--subscriptions", "2000", "--seed", "11",
                    "--days", "90", "--bad-rows", "5"]) == 0
    con = connect(where / "w.duckdb")
    from pipelines.loader import load_directory

    load_directory(con, where / "data")
    from scenario import run

    run(con, "2026-02-15")
    params = RunContext.build(dt.date(2026, 3, 31)).model_parameters("BR-grain", "digest")
    compute(DuckDBEngine(con), params, keep=CATALOG.models)
    yield con
    con.close()


def test_every_published_table_is_written_by_its_publish_model(seeded):
    published = {t for (t,) in seeded.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'published'"
    ).fetchall()}
    assert published == {m.name for m in CATALOG.layer("publish")}
    for model in CATALOG.layer("publish"):
        columns = [c for (c,) in seeded.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = 'published' AND table_name = ?", [model.name]).fetchall()]
        produced = [c for (c, *_) in seeded.execute(f"DESCRIBE work.{model.name}").fetchall()]
        assert set(columns) <= set(produced), model.name


@pytest.mark.parametrize("name", list(CATALOG.models))
def test_every_model_s_declared_grain_is_unique_on_the_seeded_data(seeded, name):
    model = CATALOG.models[name]
    assert seeded.execute(grain_repeats(model).sql(dialect="duckdb")).fetchall() == [(0,)]


def test_the_load_derives_one_fingerprint_per_subscription_named_in_the_snapshot(seeded):
    # every subscription id a row of the load names (bad rows' too, from the quarantine), once
    (named,) = seeded.execute(
        "SELECT COUNT(DISTINCT subscription_id) FROM (SELECT subscription_id FROM "
        "upstream.subscriptions UNION ALL SELECT subscription_id FROM upstream.services "
        "UNION ALL SELECT subscription_id FROM upstream.actions UNION ALL SELECT "
        "subscription_id FROM upstream.quarantine)").fetchall()[0]
    assert seeded.execute(
        "SELECT COUNT(*), COUNT(DISTINCT subscription_id), COUNT(fingerprint) "
        "FROM upstream.subscription_fingerprints").fetchall() == [(named, named, named)]
    assert named == 2000  # the seed's, those with bad rows too (the quarantine names them)


def test_the_seeded_run_exercises_the_models_it_checks(seeded):
    # the grains above are judged on real rows: documents, credits and rejections
    counts = {name: seeded.execute(f"SELECT count(*) FROM work.{name}").fetchall()[0][0]
              for name in ("invoice_lines", "credit_note_lines", "action_rejections",
                           "charge_values", "service_timeline")}
    assert all(n > 0 for n in counts.values()), counts


# --- the expected layer on its own -----------------------------------------------------------


def test_expected_charges_are_computed_from_the_sources_and_a_scope_alone():
    # no ledger and no published schema at all: the expected layer needs only the upstream
    # tables and a scope (here written by hand, as a preview or another engine would supply)
    s = Scenario().simple(amount="30.00")
    s.action("activate", "2026-03-10")
    con = duckdb.connect()
    ensure_schema(con)
    s.load(con)
    con.execute("DROP SCHEMA published CASCADE")
    con.execute("CREATE TABLE work.run_scope AS SELECT 'S1' AS subscription_id, "
                "CAST(NULL AS DATE) AS valued_from, FALSE AS resumes")
    con.execute("CREATE TABLE work.billed_through AS SELECT 'S1' AS subscription_id, "
                "CAST(NULL AS DATE) AS billed_through")
    engine = DuckDBEngine(con)
    params = RunContext.build(dt.date(2026, 3, 10)).model_parameters("BR-x", "x")
    for name in CATALOG.order(["expected_charges"]):
        model = CATALOG.models[name]
        if model.layer in ("sources", "expected"):
            engine.materialize(model, params)
    # 30.00 a month from Mar 10: 22 of 31 days due on Mar 10 at the catalogue's 30.00
    assert con.execute(
        "SELECT period_start::VARCHAR, days, period_days, is_due, unit_amount "
        "FROM work.expected_charges").fetchall() == [("2026-03-10", 22, 31, True, 30)]


def test_compute_runs_only_what_its_targets_need(con):
    s = Scenario().simple(amount="30.00")
    s.action("activate", "2026-03-10")
    s.load(con)
    compute_models(con, "2026-03-10", "subscription_anchors")
    relations = {t for (t,) in con.execute(
        "SELECT table_name FROM duckdb_tables() WHERE database_name = 'work'").fetchall()}
    # the target is kept, and nothing downstream of it ran
    assert "subscription_anchors" in relations
    assert not relations & {"billing_periods", "expected_charges", "invoices"}
