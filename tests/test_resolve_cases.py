"""Placing a document's groups of events: mixed groups, main case, subject, aftermath, same day."""

from __future__ import annotations

from collections.abc import Collection

from threatledger.model import Argument, Entity, Event, Mention, Provenance
from threatledger.resolve.cases import (
    DocumentContext,
    date_value,
    document_subject,
    is_aftermath,
    place_group,
    record_violence,
    split_cases,
)
from threatledger.resolve.incidents import DEFENDANT, PERPETRATOR, VICTIM, IncidentProfile, profile_events

PEOPLE = {
    n: (f"ent_{n.split()[-1].lower()}", "PERSON") for n in ("Ana Brill", "Omar Tahir", "Ivo Lenk", "Rui Sato")
}


def lookup(local_id: str | None, name: str) -> tuple[str, str] | None:
    return PEOPLE.get(local_id or name)


class Index:
    """Incidents by their key participants, as a store would answer."""

    def __init__(self, *incidents: IncidentProfile) -> None:
        self.incidents = incidents

    def incident_candidates(self, entity_ids: Collection[str]) -> list[IncidentProfile]:
        return [i for i in self.incidents if {p[0] for p in i.participants} & set(entity_ids)]


def event(
    type: str, start: int, *, agent: str = "", target: str = "", date: str | None = None, sentence: str = "s."
) -> Event:
    return Event(
        id=f"ev{start}",
        type=type,
        trigger="t",
        sentence=sentence,
        provenance=Provenance("d", start, start + 1, "x"),
        sentence_start=start,
        sentence_end=start + len(sentence),
        agent=(Argument(agent, agent),) if agent else (),
        target=(Argument(target, target),) if target else (),
        date=date,
    )


def incident(
    incident_id: str, events: list[tuple[str, str]], *participants: tuple[str, str]
) -> IncidentProfile:
    return profile_events(events, participants, incident_id=incident_id)


def doc(*incidents: IncidentProfile, **options: object) -> DocumentContext:
    return DocumentContext(lookup, Index(*incidents), **options)  # type: ignore[arg-type]


def test_resolve_cases_split_by_shared_victims_and_accused() -> None:
    per_event = [
        frozenset({("a", VICTIM)}),
        frozenset({("b", DEFENDANT)}),
        frozenset({("a", VICTIM), ("c", PERPETRATOR)}),
        frozenset(),
        frozenset({("c", DEFENDANT)}),
        frozenset({("b", VICTIM)}),
    ]
    assert split_cases(per_event) == [(0, 2, 4), (1,), (5,)]


def test_resolve_cases_a_background_case_goes_to_its_own_incident() -> None:
    """Ana Brill's poisoning (2020) is the story; Omar Tahir's older attack is background: it joins his
    case, and does not carry the story into it."""
    tahir = incident("inc_tahir", [("ATTACK", "2018")], ("ent_tahir", VICTIM))
    events = [
        event("ATTACK", 0, target="Ana Brill", date="2020-09-02"),
        event("DIPLOMATIC_ACTION", 10, date="2020-09-02"),
        event("ATTACK", 20, target="Omar Tahir", date="2018"),
    ]
    placements = place_group(events, doc(tahir, published="2020-09-03"))
    assert [(p.events, p.incident_id) for p in placements] == [((2,), "inc_tahir"), ((0, 1), None)]


def test_resolve_cases_background_without_a_rival_stays_with_the_story() -> None:
    """ "Police arrested Ivo Lenk over the 2019 killing of Omar Tahir": one case, it joins Tahir's."""
    tahir = incident("inc_tahir", [("KILLING", "2019")], ("ent_tahir", VICTIM))
    events = [
        event("ARREST", 0, target="Ivo Lenk", date="2024-05-02"),
        event("KILLING", 10, target="Omar Tahir", date="2019"),
    ]
    placements = place_group(events, doc(tahir, published="2024-05-03"))
    assert [(p.events, p.incident_id) for p in placements] == [((0, 1), "inc_tahir")]


def test_resolve_cases_old_unmatched_violence_starts_its_own_incident() -> None:
    events = [
        event("PLOT", 0, target="Ana Brill", date="2022-08"),
        event("KILLING", 10, target="Rui Sato", date="2015"),
    ]
    placements = place_group(events, doc(published="2022-08-20"))
    assert [(p.events, p.incident_id) for p in placements] == [((1,), None), ((0,), None)]


def test_resolve_cases_the_main_case_is_told_nearest_publication() -> None:
    """The older case is the one split off, whichever comes first in the text."""
    brill = incident("inc_brill", [("ATTACK", "2023")], ("ent_brill", VICTIM))
    sato = incident("inc_sato", [("ATTACK", "2016")], ("ent_sato", VICTIM))
    events = [
        event("ATTACK", 0, target="Rui Sato", date="2016"),
        event("ATTACK", 10, target="Ana Brill", date="2023-01"),
    ]
    placements = place_group(events, doc(brill, sato, published="2023-02-01"))
    assert [(p.events, p.incident_id) for p in placements] == [((0,), "inc_sato"), ((1,), "inc_brill")]


def test_resolve_cases_subject_is_the_victim_of_unattributed_violence() -> None:
    text_start = 100
    sentence = "Ana Brill, 41, was found unconscious on a bench."
    brill = Entity(
        "Ana Brill",
        "Ana Brill",
        "PERSON",
        (Mention("Ana Brill", Provenance("d", 5, 14, "x")), Mention("Brill", Provenance("d", 100, 109, "x"))),
    )
    attack = event("ATTACK", text_start, date="2018-03-04", sentence=sentence)
    assert document_subject([brill], [attack]) == brill
    case = incident("inc_brill", [("ATTACK", "2018")], ("ent_brill", VICTIM))
    placements = place_group([attack], doc(case, subject=brill))
    assert placements[0].incident_id == "inc_brill"
    assert placements[0].participants == {("ent_brill", VICTIM)}


def test_resolve_cases_a_perpetrator_is_no_subject() -> None:
    lenk = Entity(
        "Ivo Lenk",
        "Ivo Lenk",
        "PERSON",
        tuple(Mention("Lenk", Provenance("d", i, i + 4, "x")) for i in (0, 9)),
    )
    assert document_subject([lenk], [event("KILLING", 0, agent="Ivo Lenk")]) is None
    assert document_subject([lenk], [event("CHARGE", 0, target="Ivo Lenk")]) == lenk


def test_resolve_cases_aftermath_follows_the_documents_dated_violence() -> None:
    context = doc(published="2022-04-08")
    killing = [event("KILLING", 0, target="Omar Tahir", date="2018-10-02")]
    (placement,) = place_group(killing, context)
    record_violence(killing, placement, "inc_new", context)
    steps = [event("CHARGE", 10, date="2020-03"), event("TRANSFER", 20, date="2022-04-07")]
    assert is_aftermath(steps, lookup)
    assert [p.incident_id for p in place_group(steps, context)] == ["inc_new"]
    earlier = [event("SANCTION", 30, date="2010")]  # steps before the violence are no aftermath of it
    assert [p.incident_id for p in place_group(earlier, context)] == [None]


def test_resolve_cases_same_day_violence_of_a_person_of_the_document() -> None:
    brill = incident("inc_brill", [("ATTACK", "2020-09-02")], ("ent_brill", VICTIM))
    attack = [event("ATTACK", 0, date="2020-09-02")]
    assert place_group(attack, doc(brill, people=frozenset({"ent_brill"})))[0].incident_id == "inc_brill"
    assert place_group(attack, doc(brill))[0].incident_id is None
    other_day = [event("ATTACK", 0, date="2020-09-03")]
    assert place_group(other_day, doc(brill, people=frozenset({"ent_brill"})))[0].incident_id is None


def test_resolve_cases_date_value() -> None:
    assert date_value("2020") == 2020.5
    assert date_value("2020-01-01") == 2020.0
    assert date_value(None) is None
    assert date_value("2020-07") is not None
    assert date_value("2020-07") < date_value("2020-08-01")  # type: ignore[operator]
