"""From triggers to events: roles, date and status for each mention, then one record per real event.

Mentions of one type whose participants and dates agree are merged; the most informative sentence (the
one naming the most roles) represents the event, and missing roles are filled from the other mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span

from threatledger.extract.dates import event_date
from threatledger.extract.references import Filler
from threatledger.extract.roles import fill_roles
from threatledger.extract.status import classify_status, is_hypothetical
from threatledger.extract.triggers import Trigger, find_triggers
from threatledger.model import ROLES


@dataclass
class EventMention:
    """One mention of an event in the text, with what its own sentence says."""

    kind: str
    trigger: Trigger
    roles: dict[str, list[Filler]]
    date: str | None
    status: str
    hypothetical: bool
    others: list[EventMention] = field(default_factory=list)

    @property
    def sent(self) -> Span:
        return self.trigger.token.sent

    def richness(self) -> int:
        return sum(len(v) for v in self.roles.values()) + (1 if self.date else 0)

    def ids(self, role: str) -> set[int]:
        return {id(f.cluster) for f in self.roles[role]}


def mention_events(doc: Doc, ents: object, published: date | None, *, opinion_piece: bool) -> list[EventMention]:
    """An EventMention for every trigger in the doc."""
    from threatledger.resolve.within_doc import DocEntities

    assert isinstance(ents, DocEntities)
    out = []
    for trig in find_triggers(doc):
        roles = fill_roles(trig.token, trig.kind, ents)
        hypothetical = is_hypothetical(trig.token, trig.kind)
        status = classify_status(trig.token, trig.kind, hypothetical=hypothetical, opinion_piece=opinion_piece)
        out.append(EventMention(trig.kind, trig, roles, event_date(trig.token, published), status, hypothetical))
    return out


def _dates_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _participants_agree(a: EventMention, b: EventMention) -> bool:
    ta, tb = a.ids("target"), b.ids("target")
    if ta and tb:
        return bool(ta & tb)
    aa, ab = a.ids("agent"), b.ids("agent")
    if aa and ab and not (aa & ab):
        return False
    return True


def same_event(a: EventMention, b: EventMention) -> bool:
    return a.kind == b.kind and a.hypothetical == b.hypothetical and _dates_agree(a.date, b.date) and \
        _participants_agree(a, b)


def merge_mentions(mentions: list[EventMention]) -> list[EventMention]:
    """One EventMention per real event; the others are kept on it as provenance."""
    groups: list[list[EventMention]] = []
    for mention in mentions:
        for group in groups:
            if all(same_event(mention, other) for other in group):
                group.append(mention)
                break
        else:
            groups.append([mention])
    return [_represent(group) for group in groups]


def _represent(group: list[EventMention]) -> EventMention:
    best = max(group, key=lambda m: (m.richness(), -m.trigger.token.i))
    for other in group:
        if other is best:
            continue
        best.others.append(other)
        for role in ROLES:
            if not best.roles[role] and other.roles[role]:
                best.roles[role] = list(other.roles[role])
        if best.date is None and other.date is not None:
            best.date = other.date
    return best
