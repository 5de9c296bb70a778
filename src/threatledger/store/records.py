"""Records a store returns: plain frozen dataclasses, each with ``to_dict()`` for ``--json`` output."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any


class Record:
    """Mixin: a JSON-ready dict of a dataclass record."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = asdict(self)  # type: ignore[call-overload]
        return out


@dataclass(frozen=True, slots=True)
class IncidentFilter(Record):
    """Filters of ``incidents``: every given filter must hold for some event of the incident."""

    actor: str | None = None
    sponsor: str | None = None
    target: str | None = None
    type: str | None = None
    country: str | None = None
    date_from: str | None = None
    date_to: str | None = None
    status: str | None = None
    text: str | None = None

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self))


@dataclass(slots=True)
class IngestStats(Record):
    """What storing extractions did; added up over a batch."""

    documents: int = 0
    skipped: int = 0
    near_duplicates: int = 0
    reextracted: int = 0
    failed: int = 0
    events: int = 0
    entities_new: int = 0
    entities_matched: int = 0
    incidents_new: int = 0
    incidents_joined: int = 0

    def add(self, other: IngestStats) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))


@dataclass(frozen=True, slots=True)
class Source(Record):
    """Where a fact was read: a document and the character spans of the trigger and the sentence."""

    document_id: str
    title: str | None
    url: str | None
    published: str | None
    start: int
    end: int
    sentence_start: int
    sentence_end: int


@dataclass(frozen=True, slots=True)
class ArgumentView(Record):
    """A role filler as the ledger holds it: the name read, and the global entity it was resolved to."""

    name: str
    entity_id: str | None
    entity_name: str | None


@dataclass(frozen=True, slots=True)
class EventView(Record):
    """An event with review corrections applied; ``original`` holds the extracted values that changed."""

    id: str
    incident_id: str
    type: str
    date: str | None
    status: str
    negated_or_hypothetical: bool
    trigger: str
    sentence: str
    source: Source
    roles: dict[str, tuple[ArgumentView, ...]]
    review: str | None = None  # confirmed | rejected | corrected
    original: dict[str, Any] = field(default_factory=dict)
    also_reported_in: tuple[Source, ...] = ()

    def names(self, role: str) -> tuple[str, ...]:
        return tuple(a.entity_name or a.name for a in self.roles.get(role, ()))


@dataclass(frozen=True, slots=True)
class IncidentSummary(Record):
    """One row of ``incidents``."""

    id: str
    summary: str
    first_date: str | None
    last_date: str | None
    types: tuple[str, ...]
    events: int
    documents: int
    participants: tuple[str, ...]

    def with_participants(self, participants: tuple[str, ...]) -> IncidentSummary:
        return replace(self, participants=participants)


@dataclass(frozen=True, slots=True)
class Step(Record):
    """One legal step of a person in an incident, with its source."""

    step: str  # charged | at large | arrested | tried | convicted | acquitted | sentenced | released | ...
    date: str | None
    event_id: str
    sentence: str
    source: Source


@dataclass(frozen=True, slots=True)
class PersonAccount(Record):
    """Accountability of one person in one incident: the steps in date order and the current status."""

    incident_id: str
    entity_id: str | None
    name: str
    status: str
    steps: tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class IncidentDetail(Record):
    """``show INCIDENT``: the timeline with sources, and each person's legal steps."""

    id: str
    summary: str
    timeline: tuple[EventView, ...]
    accountability: tuple[PersonAccount, ...]
    merged_from: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OpenCase(Record):
    """A gap in accountability: charged but at large, released after conviction, or no one charged."""

    kind: str  # charged_at_large | released_after_conviction | no_one_charged
    incident_id: str
    summary: str
    person: str | None
    entity_id: str | None
    since: str | None
    detail: str
    source: Source | None


@dataclass(frozen=True, slots=True)
class EntityDetail(Record):
    """``entity NAME``: one global entity, its names and the incidents it takes part in."""

    id: str
    name: str
    type: str
    country: str | None
    names: tuple[str, ...]
    documents: int
    incidents: tuple[dict[str, Any], ...]
    merged_into: str | None = None


@dataclass(frozen=True, slots=True)
class StoredDocument(Record):
    """A stored document with its whole text (the offsets of its spans index into ``text``)."""

    id: str
    title: str | None
    url: str | None
    published: str | None
    outlet: str | None
    source: str | None
    text: str
    content_hash: str
    near_duplicate_of: str | None  # the document this one nearly duplicates
    ingested_at: str


@dataclass(frozen=True, slots=True)
class SearchHit(Record):
    """A full-text hit: an event sentence or a document, with a highlighted snippet."""

    kind: str  # event | document
    document_id: str
    title: str | None
    snippet: str
    event_id: str | None = None
    incident_id: str | None = None


@dataclass(frozen=True, slots=True)
class StoreStats(Record):
    """``stats``: counts of what the store holds."""

    schema_version: int
    documents: int
    near_duplicates: int
    extractions: int
    entities: int
    events: int
    incidents: int
    corrections: int
    events_by_type: dict[str, int]


@dataclass(frozen=True, slots=True)
class Correction(Record):
    """One review decision: what changed, from what to what, by whom, when and why."""

    id: int
    target_kind: str
    target_id: str
    action: str
    field: str | None
    old_value: Any
    new_value: Any
    author: str
    reason: str
    created_at: str


@dataclass(frozen=True, slots=True)
class AuditEntry(Record):
    """One line of the audit log."""

    id: int
    at: str
    actor: str
    action: str
    target_kind: str
    target_id: str
    detail: dict[str, Any]
