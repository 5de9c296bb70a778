"""Roles carried over from context: "During the trial, ..." is the trial of the defendant named just before.

A legal step that leaves a role empty takes it from the nearest earlier step of the same case within a
few sentences, the way a reader does: the person for personal steps, the court and its city for the
steps a court takes (also from a step told later in the same sentence: "was sentenced after a court found
him guilty"), the prosecutors for a later charge.
"""

from __future__ import annotations

import re

from spacy.tokens import Doc

from threatledger.extract.doccache import doc_text, sentences
from threatledger.extract.events import EventMention
from threatledger.extract.places import country_of_place
from threatledger.extract.references import Filler
from threatledger.resolve.within_doc import Cluster, DocEntities

PERSONAL_STEPS = frozenset(
    {"ARREST", "CHARGE", "TRIAL", "CONVICTION", "SENTENCE", "RELEASE", "TRANSFER", "EXTRADITION", "EXECUTION"}
)
COURT_STEPS = frozenset({"TRIAL", "CONVICTION", "SENTENCE"})
SAME_AUTHORITY_STEPS = frozenset({"CHARGE"})  # a later charge in a case is brought by the same prosecutors
MAX_SENTENCES_BACK = 6
PLACE_SENTENCES_BACK = 1  # a court's city carries to the step told in the same or the next sentence
DATELINE_STEPS = COURT_STEPS | {"RELEASE", "EXECUTION", "SEARCH_RAID"}
SAME_DAY = re.compile(r"\b(?:on )?(?:the|that) same day\b|\bthat day\b")


def carry_roles(events: list[EventMention], groups: list[list[int]]) -> None:
    """Fill empty roles of legal steps from the nearest earlier step of the same case."""
    sent_index = _sentence_numbers(events)
    for group in groups:
        members = sorted((events[i] for i in group), key=lambda m: m.trigger.token.i)
        for k, member in enumerate(members):
            earlier = [
                m for m in members[:k] if sent_index[id(member)] - sent_index[id(m)] <= MAX_SENTENCES_BACK
            ]
            if member.kind in PERSONAL_STEPS:
                _carry(member, earlier, "target", PERSONAL_STEPS, person_only=True)
            if member.kind in SAME_AUTHORITY_STEPS:  # "A fourth man was charged a week later."
                _carry(member, earlier, "agent", frozenset({member.kind}), person_only=False)
            if member.kind in COURT_STEPS:
                # "was sentenced ... after a court in Bergen found him guilty": a step told later in the
                # same sentence names the court too
                later = [m for m in members[k + 1 :] if sent_index[id(m)] == sent_index[id(member)]]
                _carry(member, earlier + later[::-1], "agent", COURT_STEPS, person_only=False)
                near = [
                    m for m in earlier if sent_index[id(member)] - sent_index[id(m)] <= PLACE_SENTENCES_BACK
                ]
                _carry(member, near + later[::-1], "place", COURT_STEPS, person_only=False)


def _carry(
    member: EventMention, earlier: list[EventMention], role: str, kinds: frozenset[str], *, person_only: bool
) -> None:
    if member.roles[role]:
        return
    for other in reversed(earlier):
        values = [f for f in other.roles[role] if f.cluster.type == "PERSON" or not person_only]
        if other.kind in kinds and values:
            member.roles[role] = list(values)
            return


def _sentence_numbers(events: list[EventMention]) -> dict[int, int]:
    if not events:
        return {}
    doc = events[0].trigger.token.doc
    starts = {sent.start: n for n, sent in enumerate(sentences(doc))}
    return {id(e): starts[e.sent.start] for e in events}


def carry_dates(events: list[EventMention]) -> None:
    """An event whose sentence gives no date takes the date of the event told just before it in the
    same paragraph ("Hours later, ...", "The ministry summoned the ambassador."), when it is told as a
    step of its own (a finite verb), not as a noun or a state."""
    ordered = sorted(events, key=lambda m: m.trigger.token.i)
    for previous, member in zip(ordered, ordered[1:], strict=False):
        if member.date is not None or member.hypothetical or previous.date is None:
            continue
        if member.trigger.token.tag_ in ("VB", "VBG", "NN", "NNS"):
            continue  # "was serving", "requests to extradite", "during the trial": no step told in turn
        doc = member.trigger.token.doc
        between = doc_text(doc)[previous.sent.start_char : member.sent.start_char]
        if "\n" not in between.rstrip() or SAME_DAY.search(member.sent.text.lower()):
            member.date = previous.date


def dateline_place(doc: Doc, ents: DocEntities) -> tuple[Cluster, int] | None:
    """The city of a dateline ("BERGEN (Wire desk) - ...") and the sentence it opens."""
    for sent in sentences(doc):
        first = sent[0]
        if not (first.is_upper and len(first.text) > 1) or not any(
            t.text in ("(", "-", "–", "—") for t in sent[1:6]
        ):
            continue
        end = first.i + 1
        while end < sent.end and sent.doc[end].is_upper and sent.doc[end].is_alpha:
            end += 1  # "NEW YORK"
        name = doc[first.i : end]
        cluster = ents.cluster_of(first.i)
        if cluster is None and country_of_place(name.text.title()):
            cluster = ents.add_phrase(name, "PLACE")
        return (cluster, sent.start) if cluster is not None else None
    return None


def place_court_steps(events: list[EventMention], dateline: tuple[Cluster, int] | None) -> None:
    """A court step, a release, an execution or a search told in the dateline's sentence happened in
    the dateline's city (a charge, an arrest or a diplomatic act may be reported from far away)."""
    if dateline is None:
        return
    where, sent_start = dateline
    for member in events:
        if member.kind in DATELINE_STEPS and not member.roles["place"] and member.sent.start == sent_start:
            member.roles["place"] = [Filler(where, where.name)]


NEWS_REACTIONS = frozenset({"DIPLOMATIC_ACTION", "SANCTION"})


def date_reactions(events: list[EventMention], news: str | None) -> None:
    """A diplomatic reaction or sanction told without a date belongs to the news the story reports (also
    "had already recalled its ambassador", which is told as background to the news): the lede's date."""
    if news is None:
        return
    for member in events:
        if member.date is None and not member.hypothetical and member.kind in NEWS_REACTIONS:
            member.date = news
