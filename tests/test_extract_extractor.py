"""The extractor on a whole article: stable ids, provenance on every fact, incidents, and the output shape."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from threatledger.extract import EXTRACTOR, extract_doc, extract_documents
from threatledger.extract.triggers import find_triggers
from threatledger.model import ENTITY_TYPES, EVENT_TYPES, ROLES, STATUSES, Document, Event, Extraction

pytestmark = pytest.mark.slow

FIXTURE = Path(__file__).parent / "fixtures" / "extract" / "courier_case.txt"
TEXT = FIXTURE.read_text(encoding="utf-8")
TITLE = TEXT.split("\n", 1)[0]
ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def make_document(*, id: str = "courier-case", text: str = TEXT) -> Document:
    return Document(id=id, text=text, title=TITLE, published=date(2024, 3, 15), outlet="Test desk")


@pytest.fixture(scope="module")
def extraction(nlp: Language) -> Extraction:
    return extract_doc(nlp(TEXT), make_document())


def events_of(extraction: Extraction, kind: str) -> list[Event]:
    return [event for event in extraction.events if event.type == kind]


def names(arguments: Any) -> list[str]:
    return [argument.name for argument in arguments]


def test_extract_extractor_ids_are_deterministic(nlp: Language, extraction: Extraction) -> None:
    again = extract_doc(nlp(TEXT), make_document())
    assert again.to_dict() == extraction.to_dict()
    assert [e.id for e in again.events] == [e.id for e in extraction.events]
    assert [e.id for e in again.entities] == [e.id for e in extraction.entities]
    assert [i.id for i in again.incidents] == [i.id for i in extraction.incidents]


def test_extract_extractor_ids_are_unique_and_prefixed(extraction: Extraction) -> None:
    for prefix, ids in (
        ("evt_", [e.id for e in extraction.events]),
        ("ent_", [e.id for e in extraction.entities]),
        ("inc_", [i.id for i in extraction.incidents]),
    ):
        assert ids
        assert len(set(ids)) == len(ids)
        assert all(i.startswith(prefix) for i in ids)


def test_extract_extractor_ids_derive_from_the_document(nlp: Language, extraction: Extraction) -> None:
    other = extract_doc(nlp(TEXT), make_document(id="another-copy"))
    assert [e.type for e in other.events] == [e.type for e in extraction.events]
    assert not {e.id for e in other.events} & {e.id for e in extraction.events}


def test_extract_extractor_event_provenance_slices_the_trigger(extraction: Extraction) -> None:
    assert extraction.events
    for event in extraction.events:
        prov = event.provenance
        assert prov.document_id == "courier-case"
        assert prov.extractor == EXTRACTOR
        assert 0 <= prov.start < prov.end <= len(TEXT)
        assert TEXT[prov.start : prov.end] == event.trigger
        assert TEXT[event.sentence_start : event.sentence_end] == event.sentence
        assert event.sentence_start <= prov.start
        assert prov.end <= event.sentence_end


def test_extract_extractor_event_mentions_are_trigger_spans(nlp: Language, extraction: Extraction) -> None:
    spans = {(t.span.start_char, t.span.end_char) for t in find_triggers(nlp(TEXT))}
    for event in extraction.events:
        assert (event.provenance.start, event.provenance.end) in spans
        for mention in event.mentions:
            assert mention.document_id == "courier-case"
            assert mention.extractor == EXTRACTOR
            assert (mention.start, mention.end) in spans
            assert (mention.start, mention.end) != (event.provenance.start, event.provenance.end)


def test_extract_extractor_entity_mentions_slice_the_text(extraction: Extraction) -> None:
    assert extraction.entities
    for entity in extraction.entities:
        assert entity.type in ENTITY_TYPES
        assert entity.mentions
        for mention in entity.mentions:
            prov = mention.provenance
            assert prov.document_id == "courier-case"
            assert prov.extractor == EXTRACTOR
            assert TEXT[prov.start : prov.end] == mention.text


def test_extract_extractor_role_arguments_point_to_entities(extraction: Extraction) -> None:
    entity_ids = {entity.id for entity in extraction.entities}
    for event in extraction.events:
        for role in ROLES:
            for argument in event.role(role):
                assert argument.entity_id in entity_ids


def test_extract_extractor_every_event_in_exactly_one_incident(extraction: Extraction) -> None:
    assert extraction.incidents
    members = [event_id for incident in extraction.incidents for event_id in incident.event_ids]
    assert sorted(members) == sorted(event.id for event in extraction.events)
    assert all(incident.summary for incident in extraction.incidents)


def test_extract_extractor_output_has_the_fields_the_scorer_reads(extraction: Extraction) -> None:
    record = json.loads(json.dumps(extraction.to_dict()))
    assert record["doc"]["id"] == "courier-case"
    assert record["doc"]["published"] == "2024-03-15"
    assert record["extractor"] == EXTRACTOR
    assert "error" not in record
    for entity in record["entities"]:
        assert isinstance(entity["name"], str)
        assert entity["name"]
        assert entity["type"] in ENTITY_TYPES
        assert all(isinstance(m["text"], str) for m in entity["mentions"])
    for event in record["events"]:
        assert event["type"] in EVENT_TYPES
        assert isinstance(event["sentence"]["text"], str)
        for role in ROLES:
            assert event[role] is None or all(isinstance(a["name"], str) for a in event[role])
        assert event["date"] is None or ISO_DATE.match(event["date"])
        assert event["status"] in STATUSES
        assert isinstance(event["negated_or_hypothetical"], bool)
    event_ids = {event["id"] for event in record["events"]}
    for incident in record["incidents"]:
        assert set(incident["events"]) <= event_ids


def test_extract_extractor_finds_the_arrest_with_its_roles(extraction: Extraction) -> None:
    (arrest,) = events_of(extraction, "ARREST")
    assert names(arrest.target) == ["Omar Haddad"]  # "him", resolved back
    assert [name.lower() for name in names(arrest.agent)] == ["police"]
    assert names(arrest.place) == ["Salzburg"]
    assert arrest.date == "2023-08"  # "in August", before a March publication
    assert arrest.status == "confirmed"
    assert arrest.negated_or_hypothetical is False


def test_extract_extractor_finds_sentence_and_expulsion(extraction: Extraction) -> None:
    (sentence,) = events_of(extraction, "SENTENCE")
    assert names(sentence.target) == ["Omar Haddad"]
    assert sentence.date == "2024-03-12"  # "on Tuesday"
    (expulsion,) = events_of(extraction, "DIPLOMATIC_ACTION")
    assert names(expulsion.agent) == ["Austria"]


def test_extract_extractor_entities_of_the_article(extraction: Extraction) -> None:
    by_name = {entity.name: entity for entity in extraction.entities}
    assert by_name["Omar Haddad"].type == "PERSON"
    assert {m.text for m in by_name["Omar Haddad"].mentions} == {"Omar Haddad", "Haddad"}
    assert by_name["Lena Fischer"].type == "PERSON"
    dfo = by_name["Directorate of Foreign Operations"]
    assert dfo.type == "ORG"
    assert [m.text for m in dfo.mentions] == ["Directorate of Foreign Operations", "DFO", "DFO"]
    assert dfo.aliases == ("DFO",)
    assert (by_name["Austria"].type, by_name["Austria"].country) == ("STATE", "AT")
    assert (by_name["Salzburg"].type, by_name["Salzburg"].country) == ("PLACE", "AT")


def test_extract_extractor_extract_documents_matches_extract_doc(extraction: Extraction) -> None:
    short = "Police arrested Lena Fischer in Graz on Tuesday. She was released on Thursday."
    documents = [make_document(), make_document(id="short", text=short)]
    results = list(extract_documents(documents))
    assert [r.document.id for r in results] == ["courier-case", "short"]
    assert results[0].to_dict() == extraction.to_dict()


def test_extract_extractor_headline_is_its_own_sentence(extraction: Extraction) -> None:
    for event in extraction.events:
        assert TITLE not in event.sentence or event.sentence.strip() == TITLE


def test_extract_extractor_plot_target_is_the_victim(extraction: Extraction) -> None:
    (plot,) = events_of(extraction, "PLOT")
    assert names(plot.target) == ["Lena Fischer"]


@pytest.mark.slow
def test_extract_extractor_worker_processes_give_the_same_records_in_order() -> None:
    from threatledger.extract import extract_documents

    texts = [
        "Police arrested Anna Berg in Oslo on Monday. She was charged with espionage on Tuesday.",
        "A court in Graz sentenced Omar Haddad to 14 years in prison on Friday.",
        "Austria expelled two diplomats last week over the plot.",
    ]
    documents = [Document(id=f"w{n}", text=text, published=date(2024, 3, 15)) for n, text in enumerate(texts)]
    one = [e.to_dict() for e in extract_documents(documents, n_process=1)]
    two = [e.to_dict() for e in extract_documents(documents, n_process=2, batch_size=1)]
    assert [e["doc"]["id"] for e in two] == ["w0", "w1", "w2"]
    assert two == one
