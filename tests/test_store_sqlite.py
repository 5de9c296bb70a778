from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_factories import (
    EXTRACTOR,
    arrest_story,
    charge_story,
    unrelated_plot,
    verdict_story,
    wire_copy,
)
from threatledger.errors import MigrationError, StoreError
from threatledger.model import Extraction
from threatledger.store import open_store, parse_sqlite_url
from threatledger.store.base import Store
from threatledger.store.sqlite import SQLiteStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "ledger.db"


@pytest.fixture
def store(db: Path) -> Iterator[SQLiteStore]:
    with SQLiteStore(db) as opened:
        yield opened


def ingest(store: Store, *extractions: Extraction) -> None:
    for extraction in extractions:
        store.add_extraction(extraction)


def counts(store: SQLiteStore) -> dict[str, int]:
    tables = (
        "documents",
        "extractions",
        "entities",
        "entity_names",
        "events",
        "event_args",
        "incidents",
        "mentions",
        "incident_participants",
        "document_bands",
    )
    return {t: store.conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def test_store_sqlite_is_a_store_in_wal_mode(store: SQLiteStore) -> None:
    assert isinstance(store, Store)
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == store.version == 1


def test_store_sqlite_reingest_is_idempotent(store: SQLiteStore) -> None:
    stories = (charge_story(), arrest_story(), verdict_story(), unrelated_plot())
    ingest(store, *stories)
    first, stats = counts(store), store.stats()
    again = [store.add_extraction(s) for s in stories]
    assert all(s.skipped == 1 and s.events == 0 for s in again)
    assert counts(store) == first
    assert store.stats() == stats
    assert store.has_document(stories[0].document.content_hash)


def test_store_sqlite_near_duplicate_is_linked_not_counted(store: SQLiteStore) -> None:
    original = charge_story()
    copy = wire_copy(
        original, "wire-copy", {"on Tuesday": "on Tuesday morning", "Officials said": "Officials say"}
    )
    ingest(store, original)
    before = store.stats()
    stats = store.add_extraction(copy)
    assert stats.documents == 1
    assert stats.near_duplicates == 1
    after = store.stats()
    assert after.documents == before.documents
    assert after.near_duplicates == 1
    assert after.events == before.events
    assert after.incidents == before.incidents
    detail = store.incident(store.incidents()[0].id)
    assert len(detail.timeline) == 2
    assert all(e.also_reported_in[0].document_id == "wire-copy" for e in detail.timeline)
    exported = {d["doc"]["id"]: d for d in store.export_documents()}
    assert exported["wire-copy"]["near_duplicate_of"] == "ostend-charge"
    assert exported["wire-copy"]["incidents"][0]["id"] == exported["ostend-charge"]["incidents"][0]["id"]


def test_store_sqlite_cross_document_entities_merge(store: SQLiteStore) -> None:
    ingest(store, charge_story(), arrest_story(), verdict_story())
    karimi = store.entity("Nasrullah Karimi")
    assert len(karimi) == 1
    assert {"Nasrollah Karimi", "Nasrullah Karimi"} <= set(karimi[0].names)
    assert karimi[0].documents == 3
    assert store.entity("Karimi")[0].id == karimi[0].id
    guards = store.entity("Sepah")
    assert len(guards) == 1
    assert guards[0].name == "Islamic Revolutionary Guard Corps"
    assert guards[0].documents == 2
    assert guards[0].country == "IR"


def test_store_sqlite_incident_id_is_stable_when_articles_join(store: SQLiteStore) -> None:
    ingest(store, charge_story())
    incident_id = store.incidents()[0].id
    ingest(store, arrest_story(), unrelated_plot(), verdict_story())
    detail = store.incident(incident_id)
    assert detail.id == incident_id
    assert [e.type for e in detail.timeline] == [
        "PLOT",
        "CHARGE",
        "ARREST",
        "CONVICTION",
        "SENTENCE",
        "RELEASE",
    ]
    assert set(detail.documents) == {"ostend-charge", "vienna-arrest", "ostend-verdict"}
    assert len(store.incidents()) == 2


def test_store_sqlite_incident_ids_are_the_same_on_a_fresh_store(tmp_path: Path) -> None:
    ids = []
    for name in ("a.db", "b.db"):
        with SQLiteStore(tmp_path / name) as store:
            ingest(store, charge_story(), arrest_story(), unrelated_plot())
            ids.append(sorted(i.id for i in store.incidents()))
    assert ids[0] == ids[1]


def test_store_sqlite_export_uses_global_incident_ids(store: SQLiteStore) -> None:
    ingest(store, charge_story(), arrest_story(), unrelated_plot())
    docs = {d["doc"]["id"]: d for d in store.export_documents()}
    assert list(docs) == ["ostend-charge", "vienna-arrest", "hamburg-plot"]
    charge, arrest = docs["ostend-charge"], docs["vienna-arrest"]
    assert charge["incidents"][0]["id"] == arrest["incidents"][0]["id"]
    assert {e["id"] for e in charge["events"]} == set(charge["incidents"][0]["events"])
    event = arrest["events"][0]
    assert event["type"] == "ARREST"
    assert event["target"][0]["canonical"] == "Nasrollah Karimi"
    assert event["sentence"]["text"].startswith("Police in Vienna arrested")
    assert docs["hamburg-plot"]["incidents"][0]["id"] != charge["incidents"][0]["id"]


def test_store_sqlite_full_text_search(store: SQLiteStore) -> None:
    ingest(store, charge_story(), verdict_story(), unrelated_plot())
    hits = store.search("prisoner exchange")
    assert hits[0].kind == "event"
    assert hits[0].document_id == "ostend-verdict"
    assert "\u00abprisoner\u00bb" in hits[0].snippet
    assert {h.kind for h in store.search("Tehran")} == {"event", "document"}
    assert store.search("zeppelin") == []
    with pytest.raises(StoreError, match="nothing to search"):
        store.search('"*"')


def test_store_sqlite_exception_mid_write_leaves_store_consistent(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    ingest(store, charge_story())
    before = counts(store)
    import threatledger.store.sql_write as write

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("killed mid-write")

    monkeypatch.setattr(write, "_insert_arguments", boom)
    with pytest.raises(RuntimeError, match="killed"):
        store.add_extraction(arrest_story())
    assert counts(store) == before
    assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    monkeypatch.undo()
    stats = store.add_extraction(arrest_story())
    assert stats.documents == 1
    assert stats.events == 1


def test_store_sqlite_concurrent_reader_while_writer_holds_the_db(db: Path) -> None:
    with SQLiteStore(db) as writer, SQLiteStore(db, create=False) as reader:
        ingest(writer, charge_story())
        with writer.transaction() as conn:
            from threatledger.store.sql_write import write_extraction

            write_extraction(conn, unrelated_plot())
            assert len(reader.incidents()) == 1  # the reader sees the last commit, not blocked
        assert len(reader.incidents()) == 2


def test_store_sqlite_locked_database_is_a_store_error(db: Path) -> None:
    with SQLiteStore(db) as writer, SQLiteStore(db, timeout=0.05) as other, writer.transaction():
        with pytest.raises(StoreError, match="locked") as info:
            other.add_extraction(charge_story())
        assert info.value.hint
        assert "wait" in info.value.hint


def test_store_sqlite_corrupt_file_is_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not a database at all " * 200)
    with pytest.raises(StoreError, match="not a threatledger store or is damaged") as info:
        open_store(str(bad))
    assert info.value.hint
    assert "backup" in info.value.hint


def test_store_sqlite_missing_store_is_not_created_for_reading(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        open_store(str(tmp_path / "absent.db"), create=False)
    assert not (tmp_path / "absent.db").exists()


def test_store_sqlite_newer_schema_is_refused(db: Path) -> None:
    SQLiteStore(db).close()
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_version VALUES (99, 'later')")
    conn.commit()
    conn.close()
    with pytest.raises(MigrationError, match="schema version 99"):
        SQLiteStore(db)


def test_store_sqlite_new_extractor_reextracts_and_keeps_history(store: SQLiteStore) -> None:
    ingest(store, charge_story())
    incident_id = store.incidents()[0].id
    stats = store.add_extraction(charge_story(extractor="threatledger.test.v2"))
    assert stats.reextracted == 1
    assert stats.documents == 0
    assert store.stats().events == 2
    assert store.stats().extractions == 2
    assert store.incidents()[0].id == incident_id
    old = store.conn.execute("SELECT COUNT(*) FROM events WHERE active = 0").fetchone()[0]
    assert old == 2
    assert [d["extractor"] for d in store.export_documents()] == ["threatledger.test.v2"]


def test_store_sqlite_failed_extraction_is_counted_not_stored(store: SQLiteStore) -> None:
    failed = charge_story()
    failed.error = {"code": "E300", "message": "parser failed"}
    assert store.add_extraction(failed).failed == 1
    assert store.stats().documents == 0


@pytest.mark.parametrize(
    ("url", "path", "timeout"),
    [
        ("ledger.db", "ledger.db", None),
        ("sqlite:///ledger.db", "ledger.db", None),
        ("sqlite:////tmp/ledger.db", "/tmp/ledger.db", None),
        ("sqlite:///ledger.db?timeout=2.5", "ledger.db", 2.5),
    ],
)
def test_store_sqlite_url_parsing(url: str, path: str, timeout: float | None) -> None:
    assert parse_sqlite_url(url) == (path, timeout)


def test_store_sqlite_postgres_url_is_a_clear_seam() -> None:
    with pytest.raises(StoreError, match="PostgreSQL"):
        open_store("postgresql://ledger@localhost/ledger")
    with pytest.raises(StoreError, match="unknown store URL"):
        open_store("mongodb://x")


def test_store_sqlite_extractor_constant_matches_factories() -> None:
    assert EXTRACTOR.startswith("threatledger.")
