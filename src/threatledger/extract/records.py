"""Turn the working objects of extraction into the model's records, with content-derived ids."""

from __future__ import annotations

from threatledger.extract.events import EventMention
from threatledger.extract.references import Filler
from threatledger.model import (
    ROLES,
    Argument,
    Document,
    Entity,
    Event,
    Incident,
    Mention,
    Provenance,
    content_id,
)
from threatledger.resolve.within_doc import Cluster


def entity_record(cluster: Cluster, document: Document, extractor: str) -> Entity:
    mentions = tuple(
        Mention(text, Provenance(document.id, start, end, extractor))
        for start, end, text in sorted(cluster.spans)
    )
    return Entity(
        id=entity_id(cluster, document),
        name=cluster.name,
        type=cluster.type,
        mentions=mentions,
        country=cluster.country,
        aliases=tuple(sorted({m.text for m in mentions} - {cluster.name})),
    )


def entity_id(cluster: Cluster, document: Document) -> str:
    return content_id("ent", document.id, cluster.type, cluster.name)


def _arguments(fillers: list[Filler], document: Document) -> tuple[Argument, ...]:
    return tuple(Argument(f.cluster.name, entity_id(f.cluster, document), f.text) for f in fillers)


def event_record(mention: EventMention, document: Document, extractor: str) -> Event:
    span = mention.trigger.span
    sent = mention.sent
    prov = Provenance(document.id, span.start_char, span.end_char, extractor)
    others = tuple(
        Provenance(document.id, o.trigger.span.start_char, o.trigger.span.end_char, extractor)
        for o in mention.others
    )
    roles = {role: _arguments(mention.roles[role], document) for role in ROLES}
    return Event(
        id=content_id("evt", document.id, mention.kind, span.start_char, span.end_char),
        type=mention.kind,
        trigger=span.text,
        sentence=sent.text,
        provenance=prov,
        sentence_start=sent.start_char,
        sentence_end=sent.end_char,
        date=mention.date,
        status=mention.status,
        negated_or_hypothetical=mention.hypothetical,
        mentions=others,
        agent=roles["agent"],
        sponsor=roles["sponsor"],
        target=roles["target"],
        place=roles["place"],
    )


def summarise(events: list[Event]) -> str:
    """One line: the case's first violent event (or first event), then what followed."""
    lead = next(
        (e for e in events if e.type in ("PLOT", "ATTACK", "KILLING", "THREAT", "FATWA", "CYBERATTACK")),
        events[0],
    )
    parts = [lead.type.lower().replace("_", " ")]
    if lead.target:
        parts.append("of " + ", ".join(a.name for a in lead.target))
    if lead.agent:
        parts.append("by " + ", ".join(a.name for a in lead.agent))
    if lead.date:
        parts.append(f"({lead.date})")
    rest = [e.type.lower().replace("_", " ") for e in events if e is not lead]
    if rest:
        parts.append("; then " + ", ".join(dict.fromkeys(rest)))
    return " ".join(parts)


def incident_record(events: list[Event], document: Document) -> Incident:
    return Incident(
        id=content_id("inc", document.id, events[0].id),
        summary=summarise(events),
        event_ids=tuple(e.id for e in events),
    )
