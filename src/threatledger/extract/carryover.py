"""Roles carried over from context: "During the trial, ..." is the trial of the defendant named just before.

A legal step that leaves a role empty takes it from the nearest earlier step of the same case within a
few sentences, the way a reader does: the person for personal steps, the court and its city for the
steps a court takes.
"""

from __future__ import annotations

from threatledger.extract.events import EventMention

PERSONAL_STEPS = frozenset(
    {"ARREST", "CHARGE", "TRIAL", "CONVICTION", "SENTENCE", "RELEASE", "TRANSFER", "EXTRADITION", "EXECUTION"}
)
COURT_STEPS = frozenset({"TRIAL", "CONVICTION", "SENTENCE"})
MAX_SENTENCES_BACK = 6


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
            if member.kind in COURT_STEPS:
                _carry(member, earlier, "agent", COURT_STEPS, person_only=False)
                _carry(member, earlier, "place", COURT_STEPS, person_only=False)


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
    starts = {sent.start: n for n, sent in enumerate(doc.sents)}
    return {id(e): starts[e.sent.start] for e in events}


def carry_dates(events: list[EventMention]) -> None:
    """An event whose sentence gives no date takes the date of the event told just before it in the
    same paragraph ("Hours later, ...", "The ministry summoned the ambassador.")."""
    ordered = sorted(events, key=lambda m: m.trigger.token.i)
    for previous, member in zip(ordered, ordered[1:], strict=False):
        if member.date is not None or member.hypothetical or previous.date is None:
            continue
        doc = member.trigger.token.doc
        between = doc.text[previous.sent.start_char : member.sent.start_char]
        if "\n" not in between.rstrip():
            member.date = previous.date
