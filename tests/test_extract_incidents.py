"""Incidents: the case a story opens with, its aftermath, and background cases told years apart."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from threatledger.extract import extract_doc
from threatledger.model import Document

TEXT = (
    "Exiled editor stabbed in Lisbon\n\n"
    "LISBON (Test desk) - Two men stabbed the exiled editor Marek Tamm outside his flat in Lisbon "
    "on Monday. "
    "Police arrested Ivo Lund at the scene on Monday night. "
    "Lund was charged with attempted murder on Tuesday. "
    "In 2009 a court in Tallinn had convicted Tamm of libel and sentenced him to two years in prison.\n"
)


@pytest.mark.slow
def test_extract_incidents_background_case_years_apart_stands_alone(nlp: Language) -> None:
    document = Document(
        id="inc-test", text=TEXT, title="Exiled editor stabbed in Lisbon", published=date(2024, 5, 8)
    )
    extraction = extract_doc(nlp(TEXT), document)
    incident_of = {event_id: inc.id for inc in extraction.incidents for event_id in inc.event_ids}
    by_type = {event.type: event for event in extraction.events}
    assert {"ATTACK", "ARREST", "CHARGE", "CONVICTION"} <= set(by_type)
    main = incident_of[by_type["ATTACK"].id]
    assert incident_of[by_type["ARREST"].id] == main
    assert incident_of[by_type["CHARGE"].id] == main
    assert incident_of[by_type["CONVICTION"].id] != main  # the victim's own trial, 15 years earlier


@pytest.mark.slow
def test_extract_incidents_every_event_in_exactly_one_incident(nlp: Language) -> None:
    document = Document(
        id="inc-test", text=TEXT, title="Exiled editor stabbed in Lisbon", published=date(2024, 5, 8)
    )
    extraction = extract_doc(nlp(TEXT), document)
    members = [event_id for inc in extraction.incidents for event_id in inc.event_ids]
    assert sorted(members) == sorted(event.id for event in extraction.events)
