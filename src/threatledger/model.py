"""The data model: Document, Mention, Entity, Event, Incident, Provenance, and the ontology as data.

Every record is a frozen dataclass. Ids are derived from content (see :func:`content_id`), so a rerun
of the same extractor on the same text yields the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

EVENT_TYPES: tuple[str, ...] = (
    "PLOT",
    "ATTACK",
    "THREAT",
    "FATWA",
    "KILLING",
    "CYBERATTACK",
    "ARREST",
    "SEARCH_RAID",
    "CHARGE",
    "TRIAL",
    "CONVICTION",
    "SENTENCE",
    "RELEASE",
    "TRANSFER",
    "EXTRADITION",
    "SANCTION",
    "EXECUTION",
    "DIPLOMATIC_ACTION",
)
VIOLENT_TYPES: frozenset[str] = frozenset({"PLOT", "ATTACK", "THREAT", "FATWA", "KILLING", "CYBERATTACK"})
LEGAL_TYPES: frozenset[str] = frozenset(EVENT_TYPES) - VIOLENT_TYPES
ENTITY_TYPES: tuple[str, ...] = ("PERSON", "ORG", "STATE", "PLACE")
ROLES: tuple[str, ...] = ("agent", "sponsor", "target", "place")
STATUSES: tuple[str, ...] = ("reported", "alleged", "confirmed", "opinion")


def content_id(prefix: str, *parts: object, length: int = 16) -> str:
    """A stable id from content: the same parts always give the same id."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}_{digest[:length]}"


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact came from: a character span of one document, and who extracted it."""

    document_id: str
    start: int
    end: int
    extractor: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "start": self.start,
            "end": self.end,
            "extractor": self.extractor,
        }


@dataclass(frozen=True, slots=True)
class Document:
    """A raw input article. ``text`` is what offsets point into."""

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    published: date | None = None
    outlet: str | None = None
    source: str | None = None  # the file, URL or "-" it was read from

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "published": self.published.isoformat() if self.published else None,
            "outlet": self.outlet,
            "source": self.source,
            "content_hash": self.content_hash,
        }


@dataclass(frozen=True, slots=True)
class Mention:
    """One occurrence of an entity in a document."""

    text: str
    provenance: Provenance

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.provenance.start, "end": self.provenance.end}


@dataclass(frozen=True, slots=True)
class Entity:
    """A person, organisation, state or place, with every mention of it in one document."""

    id: str
    name: str
    type: str
    mentions: tuple[Mention, ...]
    country: str | None = None  # ISO 3166-1 alpha-2 where known
    aliases: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "country": self.country,
            "aliases": list(self.aliases),
            "mentions": [m.to_dict() for m in self.mentions],
        }


@dataclass(frozen=True, slots=True)
class Argument:
    """A role filler: the entity's canonical name, its id, and the span that filled the role."""

    name: str
    entity_id: str | None = None
    text: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "entity_id": self.entity_id, "text": self.text}


@dataclass(frozen=True, slots=True)
class Event:
    """One real-world event reported in a document, with its roles, date, status and sources."""

    id: str
    type: str
    trigger: str
    sentence: str
    provenance: Provenance  # span of the trigger
    sentence_start: int
    sentence_end: int
    agent: tuple[Argument, ...] = ()
    sponsor: tuple[Argument, ...] = ()
    target: tuple[Argument, ...] = ()
    place: tuple[Argument, ...] = ()
    date: str | None = None  # YYYY, YYYY-MM or YYYY-MM-DD
    status: str = "reported"
    negated_or_hypothetical: bool = False
    mentions: tuple[Provenance, ...] = ()  # every other span that reports the same event

    def role(self, name: str) -> tuple[Argument, ...]:
        value: tuple[Argument, ...] = getattr(self, name)
        return value

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "type": self.type,
            "trigger": self.trigger,
            "sentence": {"text": self.sentence, "start": self.sentence_start, "end": self.sentence_end},
        }
        for role in ROLES:
            args = self.role(role)
            out[role] = [a.to_dict() for a in args] if args else None
        out.update(
            date=self.date,
            status=self.status,
            negated_or_hypothetical=self.negated_or_hypothetical,
            provenance=self.provenance.to_dict(),
            mentions=[m.to_dict() for m in self.mentions],
        )
        return out


@dataclass(frozen=True, slots=True)
class Incident:
    """The events of one real-world case in a document, with a one-line summary."""

    id: str
    summary: str
    event_ids: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "summary": self.summary, "events": list(self.event_ids)}


@dataclass(slots=True)
class Extraction:
    """What extraction made of one document, or why it could not."""

    document: Document
    entities: list[Entity] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    incidents: list[Incident] = field(default_factory=list)
    extractor: str = ""
    error: dict[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "doc": self.document.to_dict(),
            "extractor": self.extractor,
            "entities": [e.to_dict() for e in self.entities],
            "events": [e.to_dict() for e in self.events],
            "incidents": [i.to_dict() for i in self.incidents],
        }
        if self.error is not None:
            out["error"] = self.error
        return out
