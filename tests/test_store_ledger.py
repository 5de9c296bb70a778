"""Store behaviour on every back end (PostgreSQL runs with THREATLEDGER_TEST_PG_URL set)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_factories import (
    arrest_story,
    charge_story,
    unrelated_plot,
    verdict_story,
    wire_copy,
)
from ledger_stores import BACKENDS, open_test_store
from threatledger.errors import StoreError
from threatledger.model import Extraction
from threatledger.store import open_store
from threatledger.store.base import Store
from threatledger.store.sql_store import SQLStore

TABLES = (
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


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[SQLStore]:
    with open_test_store(backend, tmp_path) as opened:
        yield opened


def ingest(store: Store, *extractions: Extraction) -> None:
    for extraction in extractions:
        store.add_extraction(extraction)


def counts(store: SQLStore) -> dict[str, int]:
    return {t: int(store.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]) for t in TABLES}


def test_store_ledger_is_a_store(store: SQLStore) -> None:
    assert isinstance(store, Store)
    assert store.version == 5
    assert store.db.execute("SELECT MAX(version) FROM schema_version").fetchone()[0] == 5


def test_store_ledger_reingest_is_idempotent(store: SQLStore) -> None:
    stories = (charge_story(), arrest_story(), verdict_story(), unrelated_plot())
    ingest(store, *stories)
    first, stats = counts(store), store.stats()
    again = [store.add_extraction(s) for s in stories]
    assert all(s.skipped == 1 and s.events == 0 for s in again)
    assert counts(store) == first
    assert store.stats() == stats
    assert store.has_document(stories[0].document.content_hash)


def test_store_ledger_near_duplicate_is_linked_not_counted(store: SQLStore) -> None:
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


def test_store_ledger_cross_document_entities_merge(store: SQLStore) -> None:
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


def test_store_ledger_incident_id_is_stable_when_articles_join(store: SQLStore) -> None:
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


def test_store_ledger_incident_ids_are_the_same_on_a_fresh_store(backend: str, tmp_path: Path) -> None:
    ids = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        with open_test_store(backend, tmp_path / name) as store:
            ingest(store, charge_story(), arrest_story(), unrelated_plot())
            ids.append(sorted(i.id for i in store.incidents()))
    assert ids[0] == ids[1]


def test_store_ledger_export_uses_global_incident_ids(store: SQLStore) -> None:
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


def test_store_ledger_full_text_search(store: SQLStore) -> None:
    ingest(store, charge_story(), verdict_story(), unrelated_plot())
    hits = store.search("prisoner exchange")
    assert hits[0].kind == "event"
    assert hits[0].document_id == "ostend-verdict"
    assert "\u00abprisoner\u00bb" in hits[0].snippet
    assert {h.kind for h in store.search("Tehran")} == {"event", "document"}
    assert store.search("zeppelin") == []
    with pytest.raises(StoreError, match="nothing to search"):
        store.search('"*"')


def test_store_ledger_exception_mid_write_leaves_store_consistent(
    store: SQLStore, monkeypatch: pytest.MonkeyPatch
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
    monkeypatch.undo()
    stats = store.add_extraction(arrest_story())
    assert stats.documents == 1
    assert stats.events == 1


def test_store_ledger_concurrent_reader_while_writer_holds_the_db(store: SQLStore) -> None:
    writer = store
    with open_store(store.url, create=False) as reader:
        ingest(writer, charge_story())
        with writer.transaction() as conn:
            from threatledger.store.sql_spans import refresh_incidents
            from threatledger.store.sql_write import write_extraction

            write_extraction(conn, unrelated_plot())
            refresh_incidents(conn, conn.take_touched())  # as add_extraction does before it commits
            assert len(reader.incidents()) == 1  # the reader sees the last commit, not blocked
        assert len(reader.incidents()) == 2


def test_store_ledger_new_extractor_reextracts_and_keeps_history(store: SQLStore) -> None:
    ingest(store, charge_story())
    incident_id = store.incidents()[0].id
    stats = store.add_extraction(charge_story(extractor="threatledger.test.v2"))
    assert stats.reextracted == 1
    assert stats.documents == 0
    assert store.stats().events == 2
    assert store.stats().extractions == 2
    assert store.incidents()[0].id == incident_id
    old = store.db.execute("SELECT COUNT(*) FROM events WHERE active = 0").fetchone()[0]
    assert old == 2
    assert [d["extractor"] for d in store.export_documents()] == ["threatledger.test.v2"]


def test_store_ledger_failed_extraction_is_counted_not_stored(store: SQLStore) -> None:
    failed = charge_story()
    failed.error = {"code": "E300", "message": "parser failed"}
    assert store.add_extraction(failed).failed == 1
    assert store.stats().documents == 0


def test_store_ledger_second_writer_gets_a_locked_error(backend: str, store: SQLStore) -> None:
    url = f"{store.url}?timeout=0.05" if backend == "sqlite" else store.url
    with open_store(url) as other, store.transaction():
        if backend == "postgresql":
            other.db.execute("SET lock_timeout = '100ms'")  # type: ignore[attr-defined]
        with pytest.raises(StoreError, match="locked") as info:
            other.add_extraction(charge_story())
        assert info.value.hint
        assert "wait" in info.value.hint


def test_store_ledger_batch_is_one_transaction(store: SQLStore, monkeypatch: pytest.MonkeyPatch) -> None:
    stats = store.add_extractions([charge_story(), arrest_story(), charge_story()])
    assert (stats.documents, stats.skipped, stats.events) == (2, 1, 3)
    before = counts(store)
    import threatledger.store.sql_write as write

    original = write.write_extraction

    def second_fails(db: object, extraction: Extraction) -> object:
        if extraction.document.id == "ostend-verdict":
            raise RuntimeError("killed mid-batch")
        return original(db, extraction)  # type: ignore[arg-type]

    monkeypatch.setattr("threatledger.store.sql_store.write_extraction", second_fails)
    with pytest.raises(RuntimeError, match="mid-batch"):
        store.add_extractions([unrelated_plot(), verdict_story()])
    assert counts(store) == before
