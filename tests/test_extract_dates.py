"""Dates: explicit and relative dates normalised against the publication date, at the text's precision."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from threatledger.extract.dates import event_date, normalise_date
from threatledger.extract.triggers import find_triggers

FRIDAY = date(2024, 3, 15)  # a Friday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tuesday", "2024-03-12"),
        ("on Tuesday", "2024-03-12"),
        ("Saturday", "2024-03-09"),
        ("Friday", "2024-03-15"),  # the publication day itself
        ("yesterday", "2024-03-14"),
        ("today", "2024-03-15"),
    ],
)
def test_extract_dates_day_relative_to_publication(text: str, expected: str) -> None:
    assert normalise_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("last year", "2023"),
        ("this year", "2024"),
        ("two years ago", "2022"),
        ("5 years ago", "2019"),
        ("last month", "2024-02"),
        ("three months ago", "2023-12"),
    ],
)
def test_extract_dates_relative_periods(text: str, expected: str) -> None:
    assert normalise_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("in August", "2023-08"),  # not yet August in March 2024: last year's
        ("August", "2023-08"),
        ("in February", "2024-02"),
        ("in March", "2024-03"),  # the month of publication
        ("March 12", "2024-03-12"),
        ("March 20", "2023-03-20"),  # after publication day: the year before
    ],
)
def test_extract_dates_month_without_year_is_latest_before_publication(text: str, expected: str) -> None:
    assert normalise_date(text, FRIDAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("March 2020", "2020-03"),
        ("June 30, 2023", "2023-06-30"),
        ("30 June 2023", "2023-06-30"),
        ("in 2019", "2019"),
        ("September 2021", "2021-09"),
    ],
)
def test_extract_dates_absolute_dates_keep_their_precision(text: str, expected: str) -> None:
    assert normalise_date(text, FRIDAY) == expected
    assert normalise_date(text, None) == expected  # no publication date needed


def test_extract_dates_year_boundary_in_january() -> None:
    january = date(2024, 1, 10)
    assert normalise_date("last month", january) == "2023-12"
    assert normalise_date("in December", january) == "2023-12"
    assert normalise_date("last year", january) == "2023"
    assert normalise_date("Monday", january) == "2024-01-08"


@pytest.mark.parametrize("text", ["66", "20 years", "14 years", "six months", "two decades"])
def test_extract_dates_ages_and_durations_are_not_dates(text: str) -> None:
    assert normalise_date(text, FRIDAY) is None


RELATIVE = ["Tuesday", "yesterday", "last year", "in August", "two years ago", "last month"]


@pytest.mark.parametrize("text", RELATIVE)
def test_extract_dates_relative_without_publication_date_is_none(text: str) -> None:
    assert normalise_date(text, None) is None


def event_date_of(nlp: Language, text: str, word: str) -> str | None:
    doc = nlp(text)
    trigger = next(t for t in find_triggers(doc) if t.token.text == word)
    return event_date(trigger.token, FRIDAY)


@pytest.mark.slow
def test_extract_dates_event_takes_its_own_date_not_a_background_one(nlp: Language) -> None:
    text = "Omar Haddad, who moved to France in 2015, was arrested in Lyon on Tuesday."
    assert event_date_of(nlp, text, "arrested") == "2024-03-12"


@pytest.mark.slow
def test_extract_dates_event_full_date(nlp: Language) -> None:
    assert event_date_of(nlp, "Police arrested Omar Haddad on February 2, 2021.", "arrested") == "2021-02-02"


@pytest.mark.slow
def test_extract_dates_event_ignores_age_and_prison_term(nlp: Language) -> None:
    assert event_date_of(nlp, "Omar Haddad was sentenced to 20 years in prison.", "sentenced") is None
    assert (
        event_date_of(nlp, "Omar Haddad, 66, was sentenced to 20 years in prison on Tuesday.", "sentenced")
        == "2024-03-12"
    )
