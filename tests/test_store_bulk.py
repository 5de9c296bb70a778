"""The bulk path, ``add_extractions(..., resolve=False)``, on every back end."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from ledger_factories import arrest_story, charge_story, unrelated_plot, verdict_story, wire_copy
from ledger_stores import BACKENDS, open_test_store
from threatledger.model import Extraction
from threatledger.store import sql_bulk, sqldb
from threatledger.store.sql_store import SQLStore

# (child table, column, parent table, key): the references PostgreSQL does not check row by row
REFERENCES = (
    ("events", "extraction_pk", "extractions", "pk"),
    ("events", "document_pk", "documents", "pk"),
    ("events", "incident_id", "incidents", "id"),
    ("events", "cur_incident_id", "incidents", "id"),
    ("event_args", "event_pk", "events", "pk"),
    ("event_args", "entity_id", "entities", "id"),
    ("event_args", "cur_entity_id", "entities", "id"),
    ("event_mentions", "event_pk", "events", "pk"),
    ("mentions", "extraction_pk", "extractions", "pk"),
    ("doc_entities", "extraction_pk", "extractions", "pk"),
    ("doc_entities", "entity_id", "entities", "id"),
    ("document_bands", "document_pk", "documents", "pk"),
    ("incident_participants", "incident_id", "incidents", "id"),
    ("incident_participants", "entity_id", "entities", "id"),
)
TABLES = sorted({t for t, _, _, _ in REFERENCES} | {p for _, _, p, _ in REFERENCES} | {"entity_names"})


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[SQLStore]:
    with open_test_store(backend, tmp_path / "a") as opened:
        yield opened


def counts(store: SQLStore) -> dict[str, int]:
    return {t: int(store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}


def orphans(store: SQLStore) -> list[str]:
    found = []
    for child, column, parent, key in REFERENCES:
        row = store.db.execute(
            f"SELECT COUNT(*) FROM {child} c LEFT JOIN {parent} p ON p.{key} = c.{column}"
            f" WHERE c.{column} IS NOT NULL AND p.{key} IS NULL"
        ).fetchone()
        if int(row[0]):
            found.append(f"{child}.{column}")
    return found


def rows(store: SQLStore, sql: str) -> list[tuple[object, ...]]:
    return sorted(tuple(r) for r in store.db.execute(sql).fetchall())


@pytest.mark.parametrize("copy_min_rows", [0, sqldb.COPY_MIN_ROWS])
def test_store_bulk_stores_what_the_full_path_stores_for_exact_names(
    backend: str, store: SQLStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, copy_min_rows: int
) -> None:
    """Rows sent by COPY (PostgreSQL, or a few by INSERT) or executemany (SQLite) are the same rows."""
    monkeypatch.setattr(sqldb, "COPY_MIN_ROWS", copy_min_rows)
    batch = [charge_story(), unrelated_plot()]
    with open_test_store(backend, tmp_path / "b") as full:
        full_stats = full.add_extractions(batch)
        bulk_stats = store.add_extractions(batch, resolve=False)
        assert bulk_stats == full_stats
        assert counts(store) == counts(full)
        for sql in (
            "SELECT id, name, type FROM entities",
            "SELECT entity_id, norm, kind FROM entity_names",
            "SELECT id, summary FROM incidents",
            "SELECT incident_id, entity_id, kind FROM incident_participants",
            "SELECT role, position, name, entity_id FROM event_args",
            "SELECT local_id, entity_id, method FROM doc_entities",
        ):
            assert rows(store, sql) == rows(full, sql), sql
        assert list(store.export_documents()) == list(full.export_documents())
    assert orphans(store) == []


def test_store_bulk_is_idempotent_by_content_hash(store: SQLStore) -> None:
    first = store.add_extractions([charge_story(), unrelated_plot(), charge_story("copy")], resolve=False)
    assert (first.documents, first.skipped, first.events) == (2, 1, 3)
    before = counts(store)
    again = store.add_extractions([charge_story(), unrelated_plot()], resolve=False)
    assert (again.documents, again.skipped, again.events) == (0, 2, 0)
    assert counts(store) == before


def test_store_bulk_counts_a_failed_extraction(store: SQLStore) -> None:
    failed = replace(unrelated_plot(), error={"code": "E300", "message": "parser crashed"})
    stats = store.add_extractions([failed, charge_story()], resolve=False)
    assert (stats.failed, stats.documents) == (1, 1)


def test_store_bulk_hands_a_stored_document_to_the_full_path(store: SQLStore) -> None:
    store.add_extraction(charge_story())
    newer = charge_story(extractor="threatledger.test.v2")
    stats = store.add_extractions([newer, unrelated_plot()], resolve=False)
    assert (stats.reextracted, stats.documents) == (1, 1)
    assert store.stats().extractions == 3


def test_store_bulk_incidents_are_joined_by_later_articles(store: SQLStore) -> None:
    store.add_extractions([charge_story()], resolve=False)
    (plot,) = store.incidents()
    stats = store.add_extraction(arrest_story())
    assert stats.incidents_joined == 1
    assert [i.id for i in store.incidents()] == [plot.id]
    assert store.incident(plot.id).documents == ("ostend-charge", "vienna-arrest")


def test_store_bulk_chunks_keys_and_sequences(store: SQLStore, monkeypatch: pytest.MonkeyPatch) -> None:
    """Chunks of two documents (sent while the next is built), a stored document in the second chunk:
    keys stay unique, and the full path adds rows after it."""
    monkeypatch.setattr(sql_bulk, "CHUNK_DOCUMENTS", 2)
    monkeypatch.setattr(sqldb, "COPY_MIN_ROWS", 0)
    store.add_extraction(unrelated_plot())
    other = wire_copy(charge_story(), "ostend-charge-2", {"Tuesday": "Wednesday"})
    batch = [charge_story(), arrest_story(), unrelated_plot(), other]
    stats = store.add_extractions(batch, resolve=False)
    assert (stats.documents, stats.skipped) == (3, 1)
    store.add_extraction(verdict_story())
    pks = [r[0] for r in store.db.execute("SELECT pk FROM events ORDER BY pk").fetchall()]
    assert len(pks) == len(set(pks)) == store.stats().events
    assert orphans(store) == []


def test_store_bulk_is_all_or_nothing(store: SQLStore, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sql_bulk, "CHUNK_DOCUMENTS", 1)
    store.add_extractions([unrelated_plot()], resolve=False)
    before = counts(store)
    original = sql_bulk.BulkLoader.add_document

    def fails_on_verdict(self: sql_bulk.BulkLoader, extraction: Extraction) -> object:
        if extraction.document.id == "ostend-verdict":
            raise RuntimeError("killed mid-batch")
        return original(self, extraction)

    monkeypatch.setattr(sql_bulk.BulkLoader, "add_document", fails_on_verdict)
    with pytest.raises(RuntimeError, match="mid-batch"):
        store.add_extractions([charge_story(), arrest_story(), verdict_story()], resolve=False)
    assert counts(store) == before


def test_store_full_path_leaves_no_orphans(store: SQLStore) -> None:
    for extraction in (charge_story(), arrest_story(), verdict_story(), unrelated_plot()):
        store.add_extraction(extraction)
    (first, *_) = store.incidents()
    event = store.incident(first.id).timeline[0]
    store.reject_event(event.id, author="test", reason="orphans")
    assert orphans(store) == []
