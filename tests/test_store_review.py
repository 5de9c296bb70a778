from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ledger_factories import DocBuilder, arrest_story, charge_story, unrelated_plot, verdict_story
from ledger_stores import BACKENDS, open_test_store
from threatledger.errors import StoreError
from threatledger.store.sql_store import SQLStore

WHO = {"author": "analyst.kim", "reason": "checked against the court record"}


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[SQLStore]:
    with open_test_store(request.param, tmp_path) as opened:
        for extraction in (charge_story(), arrest_story(), verdict_story(), unrelated_plot()):
            opened.add_extraction(extraction)
        yield opened


def event_of(store: SQLStore, event_type: str) -> str:
    for summary in store.incidents():
        for event in store.incident(summary.id).timeline:
            if event.type == event_type:
                return event.id
    raise AssertionError(event_type)


def test_review_correction_is_an_overlay_with_the_original_kept(store: SQLStore) -> None:
    arrest = event_of(store, "ARREST")
    correction = store.correct_event(arrest, "date", "2024-05-07", **WHO)
    assert (correction.old_value, correction.new_value) == ("2024-05-08", "2024-05-07")
    view = next(e for e in store.incident(store.incidents()[0].id).timeline if e.id == arrest)
    assert view.date == "2024-05-07"
    assert view.review == "corrected"
    assert view.original == {"date": "2024-05-08"}
    raw = store.db.execute("SELECT date, cur_date FROM events WHERE event_id = ?", (arrest,)).fetchone()
    assert tuple(raw) == ("2024-05-08", "2024-05-07")


def test_review_every_change_is_in_the_audit_log(store: SQLStore) -> None:
    arrest = event_of(store, "ARREST")
    store.correct_event(arrest, "status", "alleged", **WHO)
    store.confirm_event(arrest, **WHO)
    log = [e for e in store.audit_log() if e.actor == "analyst.kim"]
    assert [(e.action, e.target_id) for e in log] == [("correct", arrest), ("confirm", arrest)]
    assert log[0].detail["old"] == "confirmed"
    assert log[0].detail["new"] == "alleged"
    assert log[0].detail["reason"] == WHO["reason"]
    assert [c.action for c in store.corrections(arrest)] == ["correct", "confirm"]
    assert any(e.action == "ingest" for e in store.audit_log())


def test_review_reject_hides_the_event_but_keeps_it(store: SQLStore) -> None:
    plot = event_of(store, "PLOT")
    before = store.stats().events
    store.reject_event(plot, **WHO)
    assert store.stats().events == before - 1
    assert all(e.id != plot for s in store.incidents() for e in store.incident(s.id).timeline)
    assert store.db.execute("SELECT COUNT(*) FROM events WHERE event_id = ?", (plot,)).fetchone()[0] == 1


def test_review_correct_type_and_role(store: SQLStore) -> None:
    sentence = event_of(store, "SENTENCE")
    store.correct_event(sentence, "type", "conviction", **WHO)
    store.correct_event(sentence, "agent", "court in Ostend", **WHO)
    view = next(e for s in store.incidents() for e in store.incident(s.id).timeline if e.id == sentence)
    assert view.type == "CONVICTION"
    assert view.names("agent") == ("court in Ostend",)
    assert view.original == {"type": "SENTENCE", "agent": []}
    assert view.roles["agent"][0].entity_id is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("type", "PICNIC", "unknown event type"),
        ("status", "rumoured", "unknown status"),
        ("date", "last spring", "not a date"),
        ("trigger", "x", "cannot correct"),
    ],
)
def test_review_bad_corrections_are_refused(store: SQLStore, field: str, value: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        store.correct_event(event_of(store, "ARREST"), field, value, **WHO)
    assert store.corrections() == []


def test_review_unknown_event_is_a_store_error(store: SQLStore) -> None:
    with pytest.raises(StoreError, match="no event"):
        store.confirm_event("ev_missing", **WHO)


def test_review_merge_and_split_entities(store: SQLStore) -> None:
    lone = DocBuilder("extra", "The activist O. Sarraf spoke in Berlin.")
    lone.entity("O. Sarraf")
    store.add_extraction(lone.build())
    sarraf = store.entity("Omid Sarraf")[0]
    initial = store.entity("O. Sarraf")
    other = next(e for e in initial if e.id != sarraf.id)
    store.merge_entities(other.id, sarraf.id, **WHO)
    assert [e.id for e in store.entity("O. Sarraf")] == [sarraf.id]
    with pytest.raises(StoreError, match="was merged into"):
        store.merge_entities(other.id, sarraf.id, **WHO)
    split = store.split_entity(sarraf.id, ["O. Sarraf"], **WHO)
    new_id = split.new_value["entity_id"]
    assert store.entity("O. Sarraf")[0].id == new_id
    assert store.entity("Omid Sarraf")[0].id == sarraf.id


def test_review_merge_and_split_incidents(store: SQLStore) -> None:
    karimi, sarraf = sorted(store.incidents(), key=lambda s: -s.events)
    store.merge_incidents(sarraf.id, karimi.id, **WHO)
    assert [s.id for s in store.incidents()] == [karimi.id]
    assert store.incident(sarraf.id).id == karimi.id
    assert sarraf.id in store.incident(karimi.id).merged_from
    plot = next(e.id for e in store.incident(karimi.id).timeline if "Sarraf" in e.sentence)
    split = store.split_incident(karimi.id, [plot], **WHO)
    new_id = split.new_value["incident_id"]
    assert {s.id for s in store.incidents()} == {karimi.id, new_id}
    assert [e.id for e in store.incident(new_id).timeline] == [plot]
    with pytest.raises(StoreError, match="leave some events"):
        store.split_incident(new_id, [plot], **WHO)


def test_review_a_later_article_follows_an_entity_merge(store: SQLStore) -> None:
    baran = store.entity("Leyla Baran")[0]
    b = DocBuilder("alias-doc", "The reporter Leyla B. Baranova said she was followed in Lyon.")
    b.entity("Leyla B. Baranova")
    store.add_extraction(b.build())
    variant = next(e for e in store.entity("Leyla B. Baranova"))
    store.merge_entities(variant.id, baran.id, **WHO)
    again = DocBuilder("alias-doc-2", "Leyla B. Baranova returned to Lyon on Monday.")
    again.entity("Leyla B. Baranova")
    store.add_extraction(again.build())
    assert store.entity("Leyla B. Baranova")[0].id == baran.id
