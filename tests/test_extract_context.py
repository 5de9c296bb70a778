"""Context rules: dates from the story's timeline and narrative, actors from announcements and the lede,
places from venues, and the words that name no event. Every text here is written for the test."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from threatledger.extract.extractor import extract_doc
from threatledger.model import Document as Article
from threatledger.model import Event, Extraction

pytestmark = pytest.mark.slow

PUBLISHED = date(2024, 3, 15)


def extract(nlp: Language, text: str, *, title: str | None = None) -> Extraction:
    article = Article(id="t", text=text, title=title, url=None, published=PUBLISHED, outlet=None)
    return extract_doc(nlp(text), article)


def events_of(extraction: Extraction, kind: str) -> list[Event]:
    return [event for event in extraction.events if event.type == kind]


def names(args: object) -> list[str]:
    return [arg.name for arg in args]  # type: ignore[attr-defined]


def test_extract_context_a_timeline_line_dates_its_events(nlp: Language) -> None:
    text = (
        "Timeline of the Varga case\n\n"
        "12 May 2019 - The European Union imposes travel bans and asset freezes on Lorenz Varga.\n\n"
        "3 June 2019 - Prosecutors in Graz open an inquiry.\n"
    )
    (sanction,) = events_of(extract(nlp, text, title="Timeline of the Varga case"), "SANCTION")
    assert sanction.date is not None
    assert sanction.date.startswith("2019-05")


def test_extract_context_a_month_without_a_year_is_in_the_story_s_year(nlp: Language) -> None:
    text = (
        "On March 3, 2021, agents detained Tomas Weller in Vienna. The arrest drew a swift response.\n\n"
        "In June the Austrian government expelled two diplomats."
    )
    (expulsion,) = events_of(extract(nlp, text), "DIPLOMATIC_ACTION")
    assert expulsion.date == "2021-06"  # not 2023-06, the June before publication


def test_extract_context_a_year_later_counts_from_the_year_before_it(nlp: Language) -> None:
    text = "Marek Doval was shot dead in Linz in 2016, and his killer was convicted a year later."
    (conviction,) = events_of(extract(nlp, text), "CONVICTION")
    assert conviction.date == "2017"


def test_extract_context_an_authority_announcing_a_passive_step_is_its_agent(nlp: Language) -> None:
    extraction = extract(
        nlp, "The interior ministry of Norland announced that Pavel Stroy had been executed."
    )
    (execution,) = events_of(extraction, "EXECUTION")
    assert [name.lower() for name in names(execution.agent)] == ["interior ministry of norland"]
    assert names(execution.target) == ["Pavel Stroy"]


def test_extract_context_it_after_an_announcement_is_the_announcer(nlp: Language) -> None:
    extraction = extract(
        nlp, "Iran's intelligence ministry announced that it had captured the activist Farid Nouri."
    )
    (arrest,) = events_of(extraction, "ARREST")
    assert ["intelligence ministry" in name.lower() for name in names(arrest.agent)] == [True]
    assert names(arrest.target) == ["Farid Nouri"]


def test_extract_context_frozen_assets_name_their_owner(nlp: Language) -> None:
    (sanction,) = events_of(
        extract(nlp, "The Treasury froze the assets of Sergei Volkov on Tuesday."), "SANCTION"
    )
    assert names(sanction.target) == ["Sergei Volkov"]
    assert sanction.date == "2024-03-12"  # the Tuesday before a Friday publication


def test_extract_context_the_city_is_the_place_and_a_searched_venue_is_too(nlp: Language) -> None:
    extraction = extract(
        nlp,
        "Police arrested Sergei Volkov at a hotel in Salzburg. Days later, agents searched the consulate.",
    )
    (arrest,) = events_of(extraction, "ARREST")
    assert names(arrest.place) == ["Salzburg"]  # not "hotel in Salzburg"
    (search,) = events_of(extraction, "SEARCH_RAID")
    assert names(search.place) == ["consulate"]


def test_extract_context_a_release_in_a_prisoner_swap_is_a_transfer(nlp: Language) -> None:
    extraction = extract(nlp, "Karel Dusek was freed in a prisoner swap with Russia last year.")
    assert events_of(extraction, "RELEASE") == []
    (transfer,) = events_of(extraction, "TRANSFER")
    assert names(transfer.target) == ["Karel Dusek"]


@pytest.mark.parametrize(
    "text",
    [
        "The two countries signed an extradition treaty in 2019.",
        "FOR IMMEDIATE RELEASE",
        "An assessment released last year described the network.",
        "Officials warned that the inquiry would poison relations between the two capitals.",
    ],
)
def test_extract_context_words_that_name_no_event(nlp: Language, text: str) -> None:
    assert extract(nlp, text).events == []


def test_extract_context_two_diplomatic_steps_stay_two_events(nlp: Language) -> None:
    extraction = extract(
        nlp, "Germany expelled two Russian diplomats on Monday. Berlin also summoned the Russian ambassador."
    )
    steps = events_of(extraction, "DIPLOMATIC_ACTION")
    assert sorted(step.trigger for step in steps) == ["expelled", "summoned"]


def test_extract_context_a_pronoun_opening_a_paragraph_means_the_protagonist(nlp: Language) -> None:
    text = (
        "Pieter Janssen, a former banker, was released from prison on Friday. Pieter Janssen had spent three "
        "years in custody. President Anna Kovac welcomed the release.\n\n"
        "He was arrested in 2020 at an airport in Kigali."
    )
    (arrest,) = events_of(extract(nlp, text), "ARREST")
    assert names(arrest.target) == ["Pieter Janssen"]  # not Anna Kovac, the subject just before
    assert arrest.date == "2020"
    assert names(arrest.place) == ["Kigali"]


def test_extract_context_one_state_for_one_country_code(nlp: Language) -> None:
    extraction = extract(nlp, "Britain expelled two Russian diplomats on Monday, the UK foreign office said.")
    states = [entity for entity in extraction.entities if entity.type == "STATE" and entity.country == "GB"]
    assert len(states) == 1


def test_extract_context_a_sentence_told_before_the_verdict_takes_the_court(nlp: Language) -> None:
    text = (
        "Blogger jailed in Bergen\n\n"
        "Anton Varga, a blogger, was sentenced on Monday to nine years in prison after a court in Bergen "
        "found him guilty of espionage."
    )
    extraction = extract(nlp, text, title="Blogger jailed in Bergen")
    (sentence,) = events_of(extraction, "SENTENCE")
    (conviction,) = events_of(extraction, "CONVICTION")
    assert names(conviction.agent) == ["court in Bergen"]
    assert names(sentence.agent) == ["court in Bergen"]
    assert names(sentence.target) == ["Anton Varga"]


def test_extract_context_a_later_charge_is_brought_by_the_same_prosecutors(nlp: Language) -> None:
    text = (
        "Three charged over Graz shooting\n\n"
        "On Monday federal prosecutors charged Lorenz Varga and Emil Strand with murder. "
        "A third man, Pavel Horak, was charged two days later."
    )
    charges = events_of(extract(nlp, text, title="Three charged over Graz shooting"), "CHARGE")
    later = [c for c in charges if "Pavel Horak" in names(c.target)]
    assert len(later) == 1
    assert len(later[0].agent) == 1
    assert "prosecutors" in later[0].agent[0].name
