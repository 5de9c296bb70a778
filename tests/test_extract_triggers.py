"""Triggers and frames: words of each event family report their type in context; metaphors report nothing."""

from __future__ import annotations

import pytest
from spacy.language import Language

from threatledger.extract.triggers import Trigger, find_triggers
from threatledger.model import EVENT_TYPES

pytestmark = pytest.mark.slow


def triggers(nlp: Language, text: str) -> list[Trigger]:
    return find_triggers(nlp(text))


def kinds(nlp: Language, text: str) -> set[str]:
    return {t.kind for t in triggers(nlp, text)}


def kind_at(nlp: Language, text: str, word: str) -> str | None:
    """The event type of the trigger whose head token is ``word``, or None when it is no trigger."""
    found = [t for t in triggers(nlp, text) if t.token.text == word]
    assert len(found) <= 1
    return found[0].kind if found else None


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Norway expelled three Russian diplomats on Friday.", "expelled", "DIPLOMATIC_ACTION"),
        ("The expulsion of four diplomats was announced on Friday.", "expulsion", "DIPLOMATIC_ACTION"),
        ("Tomas Ferrante was sentenced to 12 years in prison.", "sentenced", "SENTENCE"),
        ("The judge handed Tomas Ferrante a life sentence.", "sentence", "SENTENCE"),
        ("Anika Sorensen was arrested in Oslo last week.", "arrested", "ARREST"),
        ("Police announced the arrest of Anika Sorensen.", "arrest", "ARREST"),
        ("Dmitri Volkan was charged with espionage.", "charged", "CHARGE"),
        ("Prosecutors filed charges against Dmitri Volkan.", "charges", "CHARGE"),
        ("The journalist Ilse Brandt was shot dead outside her home.", "shot", "KILLING"),
        ("The killing of Ilse Brandt shocked the town.", "killing", "KILLING"),
        (
            "Prosecutors say Karim Delacroix attempted to hire killers to murder Yusuf Adebayo.",
            "murder",
            "PLOT",
        ),
        ("Ludmila Orlova was executed by firing squad in 2019.", "executed", "EXECUTION"),
        ("Guards released Pavel Renko from prison on Sunday.", "released", "RELEASE"),
        ("Police raided the offices of the newspaper on Monday.", "raided", "SEARCH_RAID"),
    ],
)
def test_extract_triggers_family_words_report_their_type(
    nlp: Language, text: str, word: str, expected: str
) -> None:
    assert kind_at(nlp, text, word) == expected


def test_extract_triggers_shot_dead_is_one_trigger(nlp: Language) -> None:
    found = triggers(nlp, "The journalist Ilse Brandt was shot dead outside her home.")
    assert [(t.kind, t.span.text) for t in found] == [("KILLING", "shot dead")]


def test_extract_triggers_types_belong_to_the_ontology(nlp: Language) -> None:
    text = (
        "Police arrested Omar Haddad in Lyon. Prosecutors charged him with espionage, and a court later "
        "sentenced him to ten years in prison. France expelled two diplomats."
    )
    found = triggers(nlp, text)
    assert found
    assert all(t.kind in EVENT_TYPES for t in found)
    assert [t.token.i for t in found] == sorted({t.token.i for t in found})  # text order, one per token


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Critics called the new law an attack on free speech.", "attack"),
        ("Critics say the ruling is an attack on democracy.", "attack"),
        ("The film's final plot twist surprised audiences.", "plot"),
        ("The ministry issued a press release on Monday.", "release"),
        ("The company plans to release its annual report in May.", "release"),
        ("The bank will charge a small fee.", "charge"),
        ("The opposition leader attacked the budget proposal in parliament.", "attacked"),
        ("The committee killed the bill on Thursday.", "killed"),
        ("The minister shot down the proposal.", "shot"),
        ("The novel has a clever plot.", "plot"),
    ],
)
def test_extract_triggers_metaphors_are_not_events(nlp: Language, text: str, word: str) -> None:
    assert kind_at(nlp, text, word) is None


def test_extract_triggers_executed_search_warrants_is_a_raid(nlp: Language) -> None:
    found = triggers(nlp, "Officers executed search warrants at two homes in Leeds.")
    assert [t.kind for t in found] == ["SEARCH_RAID"]
    assert "EXECUTION" not in kinds(nlp, "Officers executed search warrants at two homes in Leeds.")


def test_extract_triggers_plot_to_kill_is_no_killing(nlp: Language) -> None:
    assert "KILLING" not in kinds(nlp, "Police uncovered a plot to kill the dissident Yusuf Adebayo.")
