from __future__ import annotations

from threatledger.model import Argument, Event, Provenance
from threatledger.resolve.incidents import (
    DEFENDANT,
    PERPETRATOR,
    VICTIM,
    IncidentProfile,
    central_participants,
    choose_incident,
    compatible,
    event_participants,
    new_incident_id,
    profile_events,
    year_of,
)

PERSONS = {
    "Karimi": ("ent_karimi", "PERSON"),
    "Leyla Baran": ("ent_baran", "PERSON"),
    "IRGC": ("ent_irgc", "ORG"),
    "old man": ("ent_old_man", "PERSON"),
}


def lookup(local_id: str | None, name: str) -> tuple[str, str] | None:
    return PERSONS.get(local_id or "")


def event(
    type: str,
    *,
    agent: tuple[str, ...] = (),
    target: tuple[str, ...] = (),
    date: str | None = None,
    start: int = 0,
) -> Event:
    return Event(
        id=f"ev{start}",
        type=type,
        trigger="t",
        sentence="s.",
        provenance=Provenance("d", start, start + 1, "x"),
        sentence_start=0,
        sentence_end=2,
        agent=tuple(Argument(a, a) for a in agent),
        target=tuple(Argument(t, t) for t in target),
        date=date,
    )


def test_incidents_key_participants_are_persons_by_role() -> None:
    plot = event("PLOT", agent=("Karimi", "IRGC"), target=("Leyla Baran",))
    assert event_participants(plot, lookup) == {("ent_karimi", PERPETRATOR), ("ent_baran", VICTIM)}
    charge = event("CHARGE", agent=("IRGC",), target=("Karimi",))
    assert event_participants(charge, lookup) == {("ent_karimi", DEFENDANT)}


def test_incidents_described_people_are_not_key_participants() -> None:
    arrest = event("ARREST", target=("old man",))
    assert event_participants(arrest, lookup) == frozenset()


def test_incidents_defendant_joins_the_plot_of_its_perpetrator() -> None:
    plot = IncidentProfile(
        "inc_plot",
        frozenset({("ent_karimi", PERPETRATOR), ("ent_baran", VICTIM)}),
        frozenset({"PLOT"}),
        frozenset({2022}),
        seq=1,
    )
    charge = profile_events([("CHARGE", "2023-02")], [("ent_karimi", DEFENDANT)])
    assert choose_incident(charge, [plot]) == plot


def test_incidents_victim_does_not_match_a_defendant() -> None:
    case = IncidentProfile("inc_case", frozenset({("ent_baran", DEFENDANT)}), seq=1)
    plot = profile_events([("PLOT", "2022")], [("ent_baran", VICTIM)])
    assert choose_incident(plot, [case]) is None


def test_incidents_violence_years_apart_are_different_cases() -> None:
    old = IncidentProfile(
        "inc_old", frozenset({("ent_baran", VICTIM)}), frozenset({"PLOT"}), frozenset({2015})
    )
    new = profile_events([("ATTACK", "2022-05")], [("ent_baran", VICTIM)])
    assert not compatible(new, old)
    assert choose_incident(new, [old]) is None


def test_incidents_cyberattack_does_not_join_a_shooting() -> None:
    shooting = IncidentProfile(
        "inc_a", frozenset({("ent_baran", VICTIM)}), frozenset({"ATTACK"}), frozenset({2022})
    )
    hack = profile_events([("CYBERATTACK", "2022")], [("ent_baran", VICTIM)])
    assert choose_incident(hack, [shooting]) is None


def test_incidents_legal_steps_before_the_violence_do_not_join() -> None:
    plot = IncidentProfile(
        "inc_plot", frozenset({("ent_karimi", PERPETRATOR)}), frozenset({"PLOT"}), frozenset({2022})
    )
    early = profile_events([("CONVICTION", "2010")], [("ent_karimi", DEFENDANT)])
    assert choose_incident(early, [plot]) is None


def test_incidents_strongest_tie_wins_then_the_oldest() -> None:
    a = IncidentProfile("inc_a", frozenset({("ent_karimi", PERPETRATOR)}), seq=1)
    b = IncidentProfile("inc_b", frozenset({("ent_karimi", PERPETRATOR), ("ent_baran", VICTIM)}), seq=2)
    c = IncidentProfile("inc_c", frozenset({("ent_karimi", PERPETRATOR), ("ent_baran", VICTIM)}), seq=3)
    group = profile_events([("PLOT", None)], [("ent_karimi", PERPETRATOR), ("ent_baran", VICTIM)])
    assert choose_incident(group, [c, a, b]) == b
    assert choose_incident(group, [c, a, b], exclude={"inc_b"}) == c


def test_incidents_id_derives_from_the_first_event() -> None:
    first = event("PLOT", start=10)
    assert new_incident_id("hash", first) == new_incident_id("hash", first)
    assert new_incident_id("hash", first) != new_incident_id("other", first)
    assert year_of("2022-05-01") == 2022
    assert year_of(None) is None
    assert year_of("abcd") is None


def test_incidents_background_victim_is_not_central() -> None:
    main = [event("ATTACK", agent=("Karimi",), target=("Leyla Baran",), start=i) for i in range(3)]
    background = event("ATTACK", target=("Old Victim",), start=99)
    PERSONS["Old Victim"] = ("ent_old", "PERSON")
    central = central_participants([*main, background], lookup)
    assert ("ent_baran", VICTIM) in central
    assert ("ent_old", VICTIM) not in central
    assert central_participants([background], lookup) == {("ent_old", VICTIM)}
