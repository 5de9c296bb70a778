"""Status (reported / alleged / confirmed / opinion) and negated_or_hypothetical of events."""

from __future__ import annotations

from datetime import date

import pytest
from spacy.language import Language

from threatledger.extract import extract_doc
from threatledger.extract.extractor import is_opinion_piece
from threatledger.extract.status import classify_status, is_hypothetical
from threatledger.extract.triggers import find_triggers
from threatledger.model import Document


def status_of(nlp: Language, text: str, word: str) -> tuple[str, str, bool]:
    """(type, status, negated_or_hypothetical) of the trigger whose head token is ``word``."""
    doc = nlp(text)
    (trigger,) = [t for t in find_triggers(doc) if t.token.text == word]
    hypothetical = is_hypothetical(trigger.token, trigger.kind)
    status = classify_status(trigger.token, trigger.kind, hypothetical=hypothetical, opinion_piece=False)
    return trigger.kind, status, hypothetical


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Gideon Farrow allegedly stabbed the activist Nadia Kerr in Hamburg in June.", "stabbed"),
        ("Prosecutors allege that Omar Haddad killed Lena Fischer in Graz.", "killed"),
    ],
)
def test_extract_status_hedged_violent_event_is_alleged(nlp: Language, text: str, word: str) -> None:
    _, status, hypothetical = status_of(nlp, text, word)
    assert status == "alleged"
    assert hypothetical is False


@pytest.mark.slow
def test_extract_status_plain_violent_report_is_reported(nlp: Language) -> None:
    assert status_of(nlp, "The journalist Ilse Brandt was shot dead outside her home.", "shot") == (
        "KILLING",
        "reported",
        False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "word", "kind"),
    [
        ("Omar Haddad was convicted of espionage by a court in Vienna in 2023.", "convicted", "CONVICTION"),
        ("Tomas Ferrante was sentenced to 12 years in prison.", "sentenced", "SENTENCE"),
        ("Police arrested Omar Haddad in Lyon on Tuesday.", "arrested", "ARREST"),
    ],
)
def test_extract_status_legal_act_done_is_confirmed(nlp: Language, text: str, word: str, kind: str) -> None:
    assert status_of(nlp, text, word) == (kind, "confirmed", False)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "word", "kind"),
    [
        ("If convicted, Gideon Farrow faces up to 20 years in prison.", "faces", "SENTENCE"),
        ("If convicted, he faces life in prison.", "faces", "SENTENCE"),
        ("Omar Haddad could be extradited to Austria.", "extradited", "EXTRADITION"),
        ("Rights groups called for sanctions on the regime.", "sanctions", "SANCTION"),
        ("Omar Haddad was not charged.", "charged", "CHARGE"),
    ],
)
def test_extract_status_conditional_modal_demanded_or_negated_is_hypothetical(
    nlp: Language, text: str, word: str, kind: str
) -> None:
    found_kind, status, hypothetical = status_of(nlp, text, word)
    assert found_kind == kind
    assert hypothetical is True
    assert status != "confirmed"


@pytest.mark.slow
def test_extract_status_refusal_is_confirmed_and_hypothetical(nlp: Language) -> None:
    assert status_of(nlp, "Turkey refused to extradite Omar Haddad to Austria.", "extradite") == (
        "EXTRADITION",
        "confirmed",
        True,
    )


@pytest.mark.slow
def test_extract_status_conviction_confirms_the_attack(nlp: Language) -> None:
    text = (
        "Omar Haddad stabbed the broadcaster Lena Fischer in Graz in 2022.\n"
        "A court convicted Haddad of attempted murder last year."
    )
    extraction = extract_doc(nlp(text), Document(id="graz", text=text, published=date(2024, 3, 15)))
    by_type = {event.type: event for event in extraction.events}
    assert by_type["CONVICTION"].status == "confirmed"
    assert by_type["CONVICTION"].negated_or_hypothetical is False
    assert by_type["ATTACK"].status == "confirmed"
    assert [a.name for a in by_type["ATTACK"].target] == ["Lena Fischer"]


@pytest.mark.slow
def test_extract_status_attack_without_conviction_stays_reported(nlp: Language) -> None:
    text = (
        "Omar Haddad stabbed the broadcaster Lena Fischer in Graz in 2022.\nPolice are still looking for him."
    )
    extraction = extract_doc(nlp(text), Document(id="graz", text=text, published=date(2024, 3, 15)))
    (attack,) = [event for event in extraction.events if event.type == "ATTACK"]
    assert attack.status == "reported"


@pytest.mark.parametrize(
    ("title", "outlet", "expected"),
    [
        ("Opinion: The courts must not look away", None, True),
        ("The verdict the courts got wrong", "Weekend Commentary", True),
        ("Courier jailed over plot against broadcaster", "City desk", False),
        (None, None, False),
    ],
)
def test_extract_status_opinion_piece_from_title_or_outlet(
    title: str | None, outlet: str | None, expected: bool
) -> None:
    document = Document(id="op", text="Some text.", title=title, outlet=outlet)
    assert is_opinion_piece(document) is expected


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Officials concede that a trial in a Norwegian court is unlikely.", "trial"),
        ("Vestria turned down repeated requests to extradite the two suspects.", "extradite"),
        ("The ministry ruled out any attempt to extradite the suspect.", "extradite"),
    ],
)
def test_extract_status_unlikely_or_turned_down_is_hypothetical(nlp: Language, text: str, word: str) -> None:
    _, status, hypothetical = status_of(nlp, text, word)
    assert hypothetical is True


@pytest.mark.slow
def test_extract_status_a_wish_does_not_reach_into_a_circumstance(nlp: Language) -> None:
    text = "Anton Varga was the prisoner Vestria wanted most in Thursday's exchange at Oslo airport."
    _, _, hypothetical = status_of(nlp, text, "exchange")
    assert hypothetical is False
