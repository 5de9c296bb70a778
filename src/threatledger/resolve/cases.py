"""Placing one document's groups of events into global incidents, with what the whole document tells.

The extractor groups a document's events into incidents; cross-document merging (see
:mod:`threatledger.resolve.incidents`) then joins each group to a global incident that shares a key
participant and fits in type and date. A group is not always one case, and not every group names
someone, so a document is placed with four more rules:

* **mixed groups** are split into cases (events tied by a key participant), so a background case cannot
  chain the document's story to another one: a background case goes its own way when the rest of the
  group has violence of its own and the case joins another incident, or its violence is years apart;
* a group's **main case** is the one told nearest the document's publication date; it is never split off;
* an act of violence with no one named, told in a sentence that names the document's **subject** (the
  person it mentions most, who is no perpetrator in it), is taken to be done to the subject;
* a group with no one named joins an incident that one of the document's **people** takes part in, when
  both tell violence of the same type on the same **day**; an **aftermath** group (legal and diplomatic
  steps, no one named) follows the one dated act of violence the document's other groups went to.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from threatledger.model import VIOLENT_TYPES, Entity, Event
from threatledger.resolve.aliases import load_alias_table
from threatledger.resolve.incidents import (
    VICTIM,
    VIOLENT_YEAR_GAP,
    EntityLookup,
    IncidentIndex,
    IncidentProfile,
    Participant,
    central_of,
    choose_incident,
    compatible,
    event_participants,
    profile_events,
    shared_weight,
    year_of,
    years_close,
)
from threatledger.resolve.names import is_proper_name


@dataclass(frozen=True, slots=True)
class Placement:
    """Some events of a document's group and the global incident they join (None: a new one)."""

    events: tuple[int, ...]  # indexes into the group's events
    incident_id: str | None
    participants: frozenset[Participant]


@dataclass(slots=True)
class DocumentContext:
    """What placing a document's groups needs beyond the group itself."""

    lookup: EntityLookup
    index: IncidentIndex
    published: str | None = None  # YYYY-MM-DD
    subject: Entity | None = None
    people: frozenset[str] = frozenset()  # global ids of the named persons of the document
    exclude: Collection[str] = ()  # incidents other groups of the document joined
    story: list[IncidentProfile] = field(default_factory=list)  # where its dated violence went

    def match(self, profile: IncidentProfile) -> IncidentProfile | None:
        candidates = self.index.incident_candidates({p[0] for p in profile.participants})
        return choose_incident(profile, candidates, exclude=self.exclude)


def document_subject(entities: Sequence[Entity], events: Sequence[Event]) -> Entity | None:
    """The person a document is about: the named person it mentions most, at least twice and more often
    than anyone else, and the perpetrator of none of its acts of violence."""
    prefixes = load_alias_table().person_prefixes
    agents = {a.entity_id for e in events if e.type in VIOLENT_TYPES for a in e.agent}
    named = [e for e in entities if e.type == "PERSON" and is_proper_name(e.name, prefixes)]
    counted = sorted(named, key=lambda e: (-len(e.mentions), e.id))
    if not counted or len(counted[0].mentions) < 2:
        return None
    if len(counted) > 1 and len(counted[1].mentions) == len(counted[0].mentions):
        return None
    return None if counted[0].id in agents else counted[0]


def document_people(entities: Sequence[Entity], lookup: EntityLookup) -> frozenset[str]:
    """The global ids of the named persons of a document."""
    prefixes = load_alias_table().person_prefixes
    found = set()
    for entity in entities:
        if entity.type == "PERSON" and is_proper_name(entity.name, prefixes):
            hit = lookup(entity.id, entity.name)
            if hit is not None and hit[1] == "PERSON":
                found.add(hit[0])
    return frozenset(found)


def subject_participants(
    event: Event, found: frozenset[Participant], subject: Entity | None, lookup: EntityLookup
) -> frozenset[Participant]:
    """An act of violence for which the extractor found no named victim or perpetrator, told in a
    sentence that names the document's subject, is taken to be done to the subject ("Sergei Skripal, 66,
    ... was found unconscious on a bench")."""
    if found or subject is None or event.type not in VIOLENT_TYPES:
        return found
    if not any(event.sentence_start <= m.provenance.start < event.sentence_end for m in subject.mentions):
        return found
    hit = lookup(subject.id, subject.name)
    return frozenset({(hit[0], VICTIM)}) if hit is not None and hit[1] == "PERSON" else found


def is_aftermath(events: Sequence[Event], lookup: EntityLookup) -> bool:
    """A group of legal or diplomatic steps that names no key participant."""
    return not any(e.type in VIOLENT_TYPES or event_participants(e, lookup) for e in events)


def split_cases(per_event: Sequence[frozenset[Participant]]) -> list[tuple[int, ...]]:
    """The cases a group of events tells, as indexes of its events: events tied by a key participant (a
    victim to a victim, an accused to an accused, as ``shared_weight``) are one case. Events that
    name no key participant belong to none."""
    parent = list(range(len(per_event)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    named = [i for i, found in enumerate(per_event) if found]
    for a, i in enumerate(named):
        for j in named[a + 1 :]:
            if shared_weight(per_event[i], per_event[j]):
                parent[root(j)] = root(i)
    cases: dict[int, list[int]] = {}
    for i in named:
        cases.setdefault(root(i), []).append(i)
    return [tuple(c) for c in cases.values()]


def place_group(events: Sequence[Event], doc: DocumentContext) -> list[Placement]:
    """Where a document's group of events goes (see the module's docstring); ``doc.story`` gathers the
    incidents its dated violence goes to, for the aftermath groups placed after it."""
    per_event = [
        subject_participants(e, event_participants(e, doc.lookup), doc.subject, doc.lookup) for e in events
    ]
    whole = tuple(range(len(events)))
    if not any(per_event):
        follows = _aftermath_of(events, doc) or _same_day(events, doc)
        if follows is not None:
            return [Placement(whole, follows, frozenset())]
    placements: list[Placement] = []
    rest = whole
    cases = split_cases(per_event)
    if len(cases) > 1:
        main = _main_case(events, cases, doc.published)
        for case in cases:
            others = tuple(i for i in rest if i not in case)
            placement = None if case == main else _split_off(events, per_event, case, others, doc)
            if placement is not None:
                placements.append(placement)
                rest = others
    placements.append(_placement(events, per_event, rest, doc))
    return placements


def record_violence(
    events: Sequence[Event], placement: Placement, incident_id: str, doc: DocumentContext
) -> None:
    """Note where a placement's dated violence went, for the document's aftermath groups."""
    placed = [(events[i].type, events[i].date) for i in placement.events]
    profile = profile_events(placed, (), incident_id=incident_id)
    if profile.violent_years:
        doc.story.append(profile)


def _aftermath_of(events: Sequence[Event], doc: DocumentContext) -> str | None:
    if any(e.type in VIOLENT_TYPES for e in events):
        return None
    whole = profile_events([(e.type, e.date) for e in events], ())
    fitting = {p.id for p in doc.story if compatible(whole, p)}
    return fitting.pop() if len(fitting) == 1 else None


def _same_day(events: Sequence[Event], doc: DocumentContext) -> str | None:
    days = profile_events([(e.type, e.date) for e in events], ()).violent_days
    if not days or not doc.people:
        return None
    found = {
        c.id
        for c in doc.index.incident_candidates(doc.people)
        if c.id not in doc.exclude and days & c.violent_days
    }
    return found.pop() if len(found) == 1 else None


def _split_off(
    events: Sequence[Event],
    per_event: Sequence[frozenset[Participant]],
    case: tuple[int, ...],
    others: tuple[int, ...],
    doc: DocumentContext,
) -> Placement | None:
    """A background case's own placement, when it is another case than the rest of its group: the rest
    has violence of its own, and the case joins another incident or its violence is years apart."""
    if not _has_violence(events, others):
        return None
    placement = _placement(events, per_event, case, doc)
    if placement.incident_id is None:
        return placement if _years_apart(events, case, others) else None
    if placement.incident_id == _placement(events, per_event, others, doc).incident_id:
        return None
    return placement


def _years_apart(events: Sequence[Event], case: Sequence[int], others: Sequence[int]) -> bool:
    def years(indexes: Sequence[int]) -> frozenset[int]:
        found = (year_of(events[i].date) for i in indexes if events[i].type in VIOLENT_TYPES)
        return frozenset(y for y in found if y is not None)

    mine, theirs = years(case), years(others)
    return bool(mine and theirs) and not years_close(mine, theirs, VIOLENT_YEAR_GAP)


def _has_violence(events: Sequence[Event], indexes: Sequence[int]) -> bool:
    return any(events[i].type in VIOLENT_TYPES for i in indexes)


def date_value(date: str | None) -> float | None:
    """A ``YYYY[-MM[-DD]]`` date as a fractional year (a year alone is its middle), to measure gaps."""
    year = year_of(date)
    if year is None or date is None:
        return None
    parts = date.split("-")
    month = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
    day = int(parts[2]) if len(parts) > 2 and parts[2].isdigit() else None
    if month is None:
        return year + 0.5
    return year + (month - 1) / 12 + ((day - 1) / 365 if day else 1 / 24)


def _main_case(
    events: Sequence[Event], cases: Sequence[tuple[int, ...]], published: str | None
) -> tuple[int, ...]:
    """The case the document is about: the one with an event dated nearest its publication (else the
    latest), then the one with the most events, then the first told."""
    dated = [v for e in events if (v := date_value(e.date)) is not None]
    anchor = date_value(published) or (max(dated) if dated else None)

    def key(case: tuple[int, ...]) -> tuple[float, int, int]:
        values = [v for i in case if (v := date_value(events[i].date)) is not None]
        gap = min(abs(v - anchor) for v in values) if values and anchor is not None else float("inf")
        return (-gap, len(case), -case[0])

    return max(cases, key=key)


def _placement(
    events: Sequence[Event],
    per_event: Sequence[frozenset[Participant]],
    indexes: tuple[int, ...],
    doc: DocumentContext,
) -> Placement:
    central = central_of([per_event[i] for i in indexes])
    found = doc.match(profile_events([(events[i].type, events[i].date) for i in indexes], central))
    return Placement(indexes, found.id if found is not None else None, central)


__all__ = [
    "DocumentContext",
    "Placement",
    "document_people",
    "document_subject",
    "is_aftermath",
    "place_group",
    "record_violence",
    "split_cases",
]
