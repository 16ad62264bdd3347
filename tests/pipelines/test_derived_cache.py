"""The derived cache returns what its build returns, and derives again whenever a source,
the entry or the directory cannot be trusted."""

from __future__ import annotations

from pathlib import Path

from pipelines.derived_cache import KEEP, derived
from pipelines.engine.catalog import ModelCatalog, default_catalog


class Builds:
    """A build that counts its calls and returns a fresh value each time."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, int]:
        self.calls += 1
        return {"value": self.calls}


def test_a_second_process_reads_what_the_first_derived(tmp_path: Path) -> None:
    source = tmp_path / "model.sql"
    source.write_text("SELECT 1")
    build = Builds()
    assert derived("thing", [source], build, tmp_path / "cache") == {"value": 1}
    assert derived("thing", [source], build, tmp_path / "cache") == {"value": 1}
    assert build.calls == 1


def test_a_changed_source_is_derived_again(tmp_path: Path) -> None:
    source = tmp_path / "model.sql"
    source.write_text("SELECT 1")
    build = Builds()
    derived("thing", [source], build, tmp_path / "cache")
    source.write_text("SELECT 2")
    assert derived("thing", [source], build, tmp_path / "cache") == {"value": 2}
    assert build.calls == 2


def test_a_corrupt_entry_is_derived_again_and_replaced(tmp_path: Path) -> None:
    source = tmp_path / "model.sql"
    source.write_text("SELECT 1")
    cache = tmp_path / "cache"
    build = Builds()
    derived("thing", [source], build, cache)
    (entry,) = cache.glob("thing-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert derived("thing", [source], build, cache) == {"value": 2}
    assert derived("thing", [source], build, cache) == {"value": 2}
    assert build.calls == 2


def test_a_directory_that_cannot_be_written_only_costs_the_time(tmp_path: Path) -> None:
    source = tmp_path / "model.sql"
    source.write_text("SELECT 1")
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # a file where the directory would be
    build = Builds()
    assert derived("thing", [source], build, blocked / "cache") == {"value": 1}
    assert derived("thing", [source], build, blocked / "cache") == {"value": 2}


def test_only_the_newest_entries_are_kept(tmp_path: Path) -> None:
    source = tmp_path / "model.sql"
    cache = tmp_path / "cache"
    for version in range(KEEP + 3):
        source.write_text(f"SELECT {version}")
        derived("thing", [source], Builds(), cache)
    assert len(list(cache.glob("thing-*.pickle"))) == KEEP
    build = Builds()
    derived("thing", [source], build, cache)  # the newest is among those kept
    assert build.calls == 0


def test_the_cached_catalog_is_the_parsed_one() -> None:
    cached, parsed = default_catalog(), ModelCatalog()
    assert cached.digest() == parsed.digest()
    assert cached.order() == parsed.order()
    assert {n: m.reads for n, m in cached.models.items()} == {
        n: m.reads for n, m in parsed.models.items()}
