"""From triggers to events: roles, date and status for each mention, then one record per real event.

Mentions of one type whose participants and dates agree are merged; the most informative sentence (the
one naming the most roles) represents the event, and missing roles are filled from the other mentions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spacy.tokens import Doc, Span

from threatledger.extract.dates import event_date
from threatledger.extract.doccache import sentences
from threatledger.extract.mentions import is_back_reference, is_generic
from threatledger.extract.references import Filler
from threatledger.extract.roles import fill_roles
from threatledger.extract.status import classify_status, is_hypothetical
from threatledger.extract.triggers import Trigger, find_triggers
from threatledger.model import ROLES
from threatledger.resolve.within_doc import DocEntities


@dataclass
class EventMention:
    """One mention of an event in the text, with what its own sentence says."""

    kind: str
    trigger: Trigger
    roles: dict[str, list[Filler]]
    date: str | None
    status: str
    hypothetical: bool
    secondary: bool = False  # refers back to an event reported elsewhere; never an event on its own
    others: list[EventMention] = field(default_factory=list)

    @property
    def sent(self) -> Span:
        return self.trigger.token.sent

    def richness(self) -> int:
        """How many roles and dates the mention names."""
        return sum(len(v) for v in self.roles.values()) + (1 if self.date else 0)

    def ids(self, role: str) -> set[int]:
        return {id(f.cluster) for f in self.roles[role]}


def headline_end(doc: Doc, title: str | None) -> int:
    """Character offset where a headline on the first line ends (0 when there is none)."""
    first, _, rest = doc.text.partition("\n")
    if not rest.strip():
        return 0  # a one-line document is all story, no headline
    is_title = title is not None and first.strip() == title.strip()
    if is_title or (len(first.split()) < 25 and not first.rstrip().endswith((".", "!", "?", '"', "”"))):
        return len(first)
    return 0


def lede_sentence(doc: Doc, title: str | None) -> Span | None:
    """The first full sentence after the headline: what the story reports as news."""
    head_end = headline_end(doc, title)
    return next((sent for sent in sentences(doc) if sent.start_char >= head_end and len(sent) >= 8), None)


def mention_events(
    doc: Doc, ents: DocEntities, published: date | None, *, opinion_piece: bool, title: str | None = None
) -> list[EventMention]:
    """An EventMention for every trigger in the doc."""
    head_end = headline_end(doc, title)
    lede = lede_sentence(doc, title)
    out = []
    for trig in find_triggers(doc):
        if is_generic(trig.token, trig.kind):
            continue
        roles = fill_roles(trig.token, trig.kind, ents)
        hypothetical = is_hypothetical(trig.token, trig.kind)
        status = classify_status(
            trig.token, trig.kind, hypothetical=hypothetical, opinion_piece=opinion_piece
        )
        when = event_date(trig.token, published)
        if (
            when is None
            and published is not None
            and not hypothetical
            and lede is not None
            and trig.token.sent.start == lede.start
        ):
            when = published.isoformat()[:7]  # the lede reports what just happened: the month is certain
        mention = EventMention(trig.kind, trig, roles, when, status, hypothetical)
        mention.secondary = trig.token.idx < head_end or is_back_reference(trig.token, trig.kind)
        out.append(mention)
    return out


def _dates_agree(a: str | None, b: str | None) -> bool:
    return a is None or b is None or a.startswith(b) or b.startswith(a)


def _participants_agree(a: EventMention, b: EventMention) -> bool:
    ta, tb = a.ids("target"), b.ids("target")
    if ta and tb:
        return bool(ta & tb)
    aa, ab = a.ids("agent"), b.ids("agent")
    return not (aa and ab and not aa & ab)


DISTINCT_ACTS = frozenset({"DIPLOMATIC_ACTION", "SANCTION"})


def _acts_agree(a: EventMention, b: EventMention) -> bool:
    """Diplomatic steps and sanctions come in series (expel, summon, close a consulate; a visa ban, an
    asset freeze): two told with different words are two acts."""
    ta, tb = a.trigger.token, b.trigger.token
    return a.kind not in DISTINCT_ACTS or ta.lemma_ == tb.lemma_ or not ta.pos_ == tb.pos_ == "VERB"


def same_event(a: EventMention, b: EventMention) -> bool:
    return (
        a.kind == b.kind
        and _acts_agree(a, b)
        and a.hypothetical == b.hypothetical
        and _dates_agree(a.date, b.date)
        and _participants_agree(a, b)
    )


def merge_mentions(mentions: list[EventMention]) -> list[EventMention]:
    """One EventMention per real event; the others are kept on it as provenance."""
    groups: list[list[EventMention]] = []
    for mention in (m for m in mentions if not m.secondary):
        for group in groups:
            if all(same_event(mention, other) for other in group):
                group.append(mention)
                break
        else:
            groups.append([mention])
    for mention in (m for m in mentions if m.secondary):
        target = _closest_group(mention, groups)
        if target is not None:
            target.append(mention)
    return [_represent(group) for group in groups]


def _closest_group(mention: EventMention, groups: list[list[EventMention]]) -> list[EventMention] | None:
    """The group of the same type a back-reference most likely points to: the latest one before it."""
    same = [g for g in groups if g[0].kind == mention.kind and g[0].hypothetical == mention.hypothetical]
    if not same:
        return None
    before = [g for g in same if g[0].trigger.token.i < mention.trigger.token.i]
    return before[-1] if before else same[0]


def _represent(group: list[EventMention]) -> EventMention:
    best = max(group, key=lambda m: (not m.secondary, m.richness(), -m.trigger.token.i))
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
