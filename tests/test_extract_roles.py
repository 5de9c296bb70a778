"""Roles: agent, sponsor, target and place from the sentence's syntax, and references to earlier sentences."""

from __future__ import annotations

import pytest
from spacy.language import Language

from threatledger.extract.roles import fill_roles
from threatledger.extract.triggers import find_triggers
from threatledger.resolve.within_doc import DocEntities

pytestmark = pytest.mark.slow


def roles_of(nlp: Language, text: str, word: str) -> dict[str, list[str]]:
    """The canonical names filling each role of the trigger whose head token is ``word``."""
    doc = nlp(text)
    ents = DocEntities(doc)
    (trigger,) = [t for t in find_triggers(doc) if t.token.text == word]
    roles = fill_roles(trigger.token, trigger.kind, ents)
    return {role: [filler.cluster.name for filler in fillers] for role, fillers in roles.items()}


def test_extract_roles_active_charge(nlp: Language) -> None:
    roles = roles_of(nlp, "Federal prosecutors charged Dmitri Volkan with fraud on Monday.", "charged")
    assert len(roles["agent"]) == 1
    assert "prosecutors" in roles["agent"][0].lower()
    assert roles["target"] == ["Dmitri Volkan"]
    assert roles["sponsor"] == []


def test_extract_roles_passive_with_by_phrase(nlp: Language) -> None:
    roles = roles_of(nlp, "Omar Haddad was arrested by police in Paris.", "arrested")
    assert roles["target"] == ["Omar Haddad"]
    assert len(roles["agent"]) == 1
    assert "police" in roles["agent"][0].lower()
    assert roles["place"] == ["Paris"]


def test_extract_roles_passive_without_by_phrase_has_no_agent(nlp: Language) -> None:
    roles = roles_of(nlp, "Anika Sorensen was arrested in Oslo last week.", "arrested")
    assert roles["agent"] == []
    assert roles["target"] == ["Anika Sorensen"]
    assert roles["place"] == ["Oslo"]


def test_extract_roles_list_of_defendants(nlp: Language) -> None:
    roles = roles_of(nlp, "Oskar Lind, Petra Haas and Jonas Weber were charged with espionage.", "charged")
    assert roles["target"] == ["Oskar Lind", "Petra Haas", "Jonas Weber"]
    assert roles["agent"] == []


def test_extract_roles_two_objects_joined_by_and(nlp: Language) -> None:
    roles = roles_of(nlp, "Prosecutors charged Omar Haddad and Lena Fischer with espionage.", "charged")
    assert roles["target"] == ["Omar Haddad", "Lena Fischer"]


def test_extract_roles_violent_event_perpetrator_victim_place(nlp: Language) -> None:
    roles = roles_of(
        nlp,
        "Omar Haddad stabbed the broadcaster Lena Fischer in Graz on behalf of the "
        "Directorate of Foreign Operations.",
        "stabbed",
    )
    assert roles["agent"] == ["Omar Haddad"]
    assert roles["target"] == ["Lena Fischer"]
    assert roles["place"] == ["Graz"]
    assert roles["sponsor"] == ["Directorate of Foreign Operations"]


@pytest.mark.parametrize(
    ("text", "person"),
    [
        (
            "Investigators said Rafael Montero had travelled to Vienna in May. "
            "He was arrested at the airport "
            "on Monday.",
            "Rafael Montero",
        ),
        (
            "Omar Haddad met Lena Fischer in Vienna in May. He was arrested at the airport on Monday.",
            "Omar Haddad",
        ),
        (
            "Lena Fischer met Omar Haddad in Vienna in May. She was arrested at the airport on Monday.",
            "Lena Fischer",
        ),
    ],
)
def test_extract_roles_pronoun_resolves_to_earlier_subject(nlp: Language, text: str, person: str) -> None:
    roles = roles_of(nlp, text, "arrested")
    assert roles["target"] == [person]


def test_extract_roles_object_pronoun_resolves_to_earlier_subject(nlp: Language) -> None:
    text = "Rafael Montero flew to Vienna in May. Police arrested him at the airport on Monday."
    roles = roles_of(nlp, text, "arrested")
    assert roles["target"] == ["Rafael Montero"]
    assert [name.lower() for name in roles["agent"]] == ["police"]


def test_extract_roles_place_of_the_court(nlp: Language) -> None:
    roles = roles_of(nlp, "A court in Vienna sentenced Omar Haddad to 14 years in prison.", "sentenced")
    assert roles["target"] == ["Omar Haddad"]
    assert roles["place"] == ["Vienna"]


def test_extract_roles_who_uncovers_a_plot_is_not_its_agent(nlp: Language) -> None:
    roles = roles_of(nlp, "Police uncovered a plot to kill the dissident Yusuf Adebayo.", "kill")
    assert roles["target"] == ["Yusuf Adebayo"]
    assert roles["agent"] == []


def test_extract_roles_agents_are_not_their_own_sponsor(nlp: Language) -> None:
    roles = roles_of(nlp, "Two Iranian agents shot Lena Fischer in Graz.", "shot")
    assert roles["target"] == ["Lena Fischer"]
    assert len(roles["agent"]) == 1
    assert not set(roles["sponsor"]) & set(roles["agent"])


def test_extract_roles_city_court_is_the_agent(nlp: Language) -> None:
    text = "The Vienna court sentenced Omar Haddad to 14 years in prison on Tuesday."
    roles = roles_of(nlp, text, "sentenced")
    assert roles["target"] == ["Omar Haddad"]
    assert len(roles["agent"]) == 1
    assert "court" in roles["agent"][0].lower()


def test_extract_roles_dateline_is_no_agent(nlp: Language) -> None:
    text = (
        "Vestria jails blogger\n\nOSLO (Court desk) - A court in Oslo on Wednesday sentenced the blogger "
        "Anton Varga, who fled the country two years ago, to six years in prison."
    )
    roles = roles_of(nlp, text, "sentenced")
    assert "OSLO" not in roles["agent"]
    assert roles["agent"] == ["court in Oslo"]
    assert roles["target"] == ["Anton Varga"]


def test_extract_roles_place_named_as_organisation_after_in(nlp: Language) -> None:
    roles = roles_of(nlp, "The Higher Regional Court in Kassel convicted the man of arson.", "convicted")
    assert roles["place"] == ["Kassel"]


def test_extract_roles_a_term_served_has_no_court_place(nlp: Language) -> None:
    text = "Anton Varga died in Labytnangi, where he was serving a 19-year sentence for treason."
    roles = roles_of(nlp, text, "sentence")
    assert roles["place"] == []
