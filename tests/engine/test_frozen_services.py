"""Frozen services (domain.md §11): quarantined or missing inputs freeze a service's billing
instead of crediting its history; a clean load catches up."""

from __future__ import annotations

from decimal import Decimal

from scenario import Scenario, credit_lines, invoice_lines, run


def billed_world() -> Scenario:
    s = Scenario().simple(amount="31.00")
    s.action("activate", "2026-01-01")
    return s


def quarantine(con, table: str, key: str, service_id: str | None) -> None:
    """Record a quarantined row as the loader would: in quarantine and in the counts of the
    load in force."""
    (load_id,) = con.execute(
        "SELECT load_id FROM upstream.loads ORDER BY loaded_at DESC LIMIT 1").fetchall()[0]
    con.execute(
        "INSERT INTO upstream.quarantine VALUES (?, ?, ?, 'quantity', 'check_ge', "
        "'must be >= 1, got 0', 'S1', ?, NULL, 1)",
        [load_id, table, key, service_id],
    )
    con.execute("DELETE FROM upstream.load_stats WHERE table_name = ?", [table])
    con.execute("INSERT INTO upstream.load_stats VALUES (?, ?, NULL, 1, 0, 1)", [load_id, table])


def quarantine_service(con, service_id: str = "SV1") -> None:
    quarantine(con, "services", service_id, service_id)


def test_quarantined_service_is_frozen_not_credited(con):
    s = billed_world()
    s.load(con)
    run(con, "2026-01-01")
    # the next snapshot's service row is bad: the loader quarantines it (and drops it)
    services = s.tables.pop("services")
    s.load(con, load_id="L2")
    quarantine_service(con)
    summary = run(con, "2026-02-01")
    assert (summary.invoices, summary.credit_notes, summary.frozen_services) == (0, 0, 1)
    assert con.execute(
        "SELECT service_id, reason FROM published.bill_run_frozen_services"
    ).fetchall() == [("SV1", "quarantined")]
    # a clean load catches up February
    s.tables["services"] = services
    s.load(con, load_id="L3")
    run(con, "2026-02-02")
    assert invoice_lines(con)[-1][2:] == ("2026-02-01", "2026-03-01", 28, 28, Decimal("31.00"))
    assert credit_lines(con) == []


def test_service_missing_from_load_is_frozen(con):
    s = billed_world()
    s.load(con)
    run(con, "2026-01-01")
    s.tables.pop("services")
    s.load(con, load_id="L2")
    run(con, "2026-02-01")
    assert con.execute(
        "SELECT service_id, reason FROM published.bill_run_frozen_services"
    ).fetchall() == [("SV1", "missing_from_load")]
    assert credit_lines(con) == []


def test_quarantined_action_freezes_its_service(con):
    s = billed_world()
    s.load(con)
    s.action("pause", "2026-01-10", days=5)
    s.load(con)
    quarantine(con, "actions", "A9", "SV1")
    summary = run(con, "2026-01-01")
    assert (summary.invoices, summary.frozen_services) == (0, 1)
    assert con.execute(
        "SELECT reason FROM published.bill_run_frozen_services"
    ).fetchall() == [("quarantined_actions",)]


def test_no_price_version_freezes(con):
    # the only version starts in March; a February activation has no price
    s = Scenario().simple(amount="31.00", valid_from="2026-03-01")
    s.action("activate", "2026-02-10")
    s.load(con)
    summary = run(con, "2026-02-10")
    assert (summary.invoices, summary.frozen_services) == (0, 1)
    assert con.execute(
        "SELECT reason FROM published.bill_run_frozen_services"
    ).fetchall() == [("no_price_version",)]
