"""STIX 2.1: a bundle of identities, threat actors, intrusion sets, locations, incidents, relationships,
notes quoting the source sentences, and a report per source document (the ``stix2`` library).

Ids are uuid5 of our ids, and every timestamp comes from the publication dates of the documents behind an
object (or the Unix epoch when none has one), so the same ledger always gives the same bundle. What STIX
has no property for travels in custom properties prefixed ``x_threatledger_`` (see docs/formats.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

import stix2  # type: ignore[import-untyped]

from threatledger.export.base import EPOCH, day_of, derived_uuid, event_documents, live_events
from threatledger.export.collect import LedgerView
from threatledger.export.geo import country_name, locate
from threatledger.model import VIOLENT_TYPES
from threatledger.store.records import ArgumentView, EntityDetail, EventView, IncidentDetail

PREFIX = "x_threatledger_"
# role -> relationship type from the incident to the role filler
ROLE_RELATIONSHIPS = {
    "sponsor": "attributed-to",
    "agent": "related-to",
    "target": "targets",
    "place": "located-at",
}
ACTOR_TYPES = ("threat-actor", "intrusion-set")


def stix_id(kind: str, *parts: object) -> str:
    return f"{kind}--{derived_uuid(kind, *parts)}"


def _clean(value: Any) -> Any:
    """JSON data without None values (STIX custom properties must not hold nulls)."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    return value


def _props(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = _clean(value)
    return out


@dataclass(slots=True)
class _Seen:
    """When an object's sources were published: the earliest gives ``created``, the latest ``modified``."""

    dates: dict[str, list[datetime]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, when: datetime) -> None:
        self.dates[key].append(when)

    def span(self, key: str) -> tuple[datetime, datetime]:
        found = self.dates.get(key) or [EPOCH]
        return min(found), max(found)


def entity_kind(entity: EntityDetail, roles: set[tuple[str, str]]) -> str:
    """The STIX type of an entity from its type and the roles it plays in the exported events.

    Sponsors, and organisations or states acting in violent events, are threat actors (intrusion sets
    when every such role is in a cyberattack); places are locations; everyone else is an identity."""
    if entity.type == "PLACE":
        return "location"
    hostile = {t for r, t in roles if r == "sponsor" or (r == "agent" and t in VIOLENT_TYPES)}
    if entity.type == "PERSON" or not hostile:
        return "identity"
    return "intrusion-set" if entity.type == "ORG" and hostile == {"CYBERATTACK"} else "threat-actor"


class StixExporter:
    """Collects STIX objects incident by incident; ``finalize()`` writes one bundle."""

    def __init__(self, out: IO[str], view: LedgerView) -> None:
        self.out, self.view = out, view
        self.objects: dict[str, Any] = {}
        self.seen = _Seen()
        self.supports: dict[str, set[str]] = defaultdict(set)  # document id -> object ids
        self.roles: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.entity_of: dict[str, EntityDetail] = {}  # STIX id -> the entity it stands for
        for incident in view.incidents:
            for event in live_events(incident):
                for role, args in event.roles.items():
                    for arg in args:
                        if arg.entity_id:
                            self.roles[arg.entity_id].add((role, event.type))

    # dates and support

    def _published(self, document_id: str) -> datetime:
        return day_of(self.view.document(document_id).published)

    def _note_sources(self, key: str, event: EventView) -> None:
        for doc_id in event_documents(event):
            self.seen.add(key, self._published(doc_id))

    def _support(self, event: EventView, *object_ids: str) -> None:
        for doc_id in event_documents(event):
            self.supports[doc_id].update(object_ids)

    # objects for role fillers

    def _actor(self, arg: ArgumentView, role: str, event: EventView) -> str | None:
        """The id of the STIX object for a role filler, made on first sight; None when it has none."""
        entity = self.view.entity(arg.entity_id)
        if role == "place" or (entity is not None and entity.type == "PLACE"):
            return self._place(arg, entity, event)
        if entity is None:
            return None
        kind = entity_kind(entity, self.roles[entity.id])
        object_id = stix_id(kind, entity.id)
        self._note_sources(object_id, event)
        if object_id not in self.objects:
            self.objects[object_id] = None  # made in finalize(), once every date is known
            self.entity_of[object_id] = entity
        self._country_of(entity, object_id, kind, event)
        return object_id

    def _place(self, arg: ArgumentView, entity: EntityDetail | None, event: EventView) -> str | None:
        place = locate(entity.name if entity else arg.name, entity.country if entity else None)
        if place.country is None and place.latitude is None:
            return None
        object_id = stix_id("location", entity.id if entity else f"name:{arg.name.lower()}")
        self._note_sources(object_id, event)
        props: dict[str, Any] = {"name": place.name, "country": place.country}
        if place.latitude is not None and place.precision == 1:
            props.update(latitude=place.latitude, longitude=place.longitude)
        if entity is not None:
            props[PREFIX + "entity_id"] = entity.id
        self.objects[object_id] = ("location", _clean(props))
        return object_id

    def _country_of(self, entity: EntityDetail, object_id: str, kind: str, event: EventView) -> None:
        """A state's or organisation's country, as a location it is located at."""
        if not entity.country or kind == "intrusion-set" or entity.type == "PERSON":
            return
        location_id = stix_id("location", "country", entity.country)
        name = country_name(entity.country) or entity.country
        self.objects[location_id] = ("location", {"name": name, "country": entity.country})
        self._note_sources(location_id, event)
        self._relationship(object_id, "located-at", location_id, event)

    def _relationship(self, source: str, kind: str, target: str, event: EventView, role: str = "") -> None:
        """One relationship per (source, type, target), listing every event (and role) behind it."""
        rel_id = stix_id("relationship", source, kind, target)
        self._note_sources(rel_id, event)
        old: dict[str, Any] = self.objects[rel_id][1] if rel_id in self.objects else {}
        props: dict[str, Any] = {"source_ref": source, "relationship_type": kind, "target_ref": target}
        props[PREFIX + "event_ids"] = sorted({*old.get(PREFIX + "event_ids", []), event.id})
        roles = sorted({*old.get(PREFIX + "roles", []), role} - {""})
        if roles:
            props[PREFIX + "roles"] = roles
        self.objects[rel_id] = ("relationship", props)
        self._support(event, rel_id)

    # incidents

    def write(self, incident: IncidentDetail) -> None:
        incident_id = stix_id("incident", incident.id)
        for event in incident.timeline:
            self._note_sources(incident_id, event)
            self._support(event, incident_id, self._note(event, incident_id))
        for event in live_events(incident):
            self._event_links(event, incident_id)
        self.objects[incident_id] = ("incident", self._incident_props(incident))

    def _event_links(self, event: EventView, incident_id: str) -> None:
        fillers: dict[str, list[str]] = {}
        for role, args in sorted(event.roles.items()):
            for arg in args:
                object_id = self._actor(arg, role, event)
                if object_id is None:
                    continue
                fillers.setdefault(role, []).append(object_id)
                kind = ROLE_RELATIONSHIPS[role]
                if (
                    role == "agent"
                    and object_id.split("--")[0] in ACTOR_TYPES
                    and event.type in VIOLENT_TYPES
                ):
                    kind = "attributed-to"
                self._relationship(incident_id, kind, object_id, event, role)
                self._support(event, object_id)
        if event.type in VIOLENT_TYPES:
            self._actor_links(event, fillers)

    def _actor_links(self, event: EventView, fillers: dict[str, list[str]]) -> None:
        """Threat actors and intrusion sets target the targets; intrusion sets are attributed to sponsors."""
        actors = [
            o
            for o in fillers.get("agent", []) + fillers.get("sponsor", [])
            if o.split("--")[0] in ACTOR_TYPES
        ]
        for actor in actors:
            for target in fillers.get("target", []):
                if target.startswith("identity--"):
                    self._relationship(actor, "targets", target, event)
            for sponsor in fillers.get("sponsor", []):
                if actor.startswith("intrusion-set--") and sponsor.startswith("threat-actor--"):
                    self._relationship(actor, "attributed-to", sponsor, event)

    def _note(self, event: EventView, incident_id: str) -> str:
        note_id = stix_id("note", event.id)
        self._note_sources(note_id, event)
        flag = "; negated or hypothetical" if event.negated_or_hypothetical else ""
        src = event.source
        props = {
            "abstract": f"{event.type} ({event.status}{flag}) {event.date or 'undated'}",
            "content": event.sentence,
            "object_refs": [incident_id],
            "external_references": [self._reference(d) for d in event_documents(event)],
            PREFIX + "event_id": event.id,
            PREFIX + "document_id": src.document_id,
            PREFIX + "trigger": event.trigger,
            PREFIX + "trigger_span": [src.start, src.end],
            PREFIX + "sentence_span": [src.sentence_start, src.sentence_end],
        }
        self.objects[note_id] = ("note", props)
        return note_id

    def _reference(self, document_id: str) -> dict[str, str]:
        doc = self.view.document(document_id)
        ref = {"source_name": doc.outlet or "threatledger", "external_id": doc.id, "url": doc.url}
        if doc.title:
            ref["description"] = doc.title
        return _props(ref)

    def _incident_props(self, incident: IncidentDetail) -> dict[str, Any]:
        dates = sorted(e.date for e in incident.timeline if e.date)
        lines = [f"{e.date or 'undated'} {e.type} ({e.status}): {e.sentence}" for e in incident.timeline]
        props = {
            "name": incident.summary or incident.id,
            "description": "\n".join(lines),
            PREFIX + "incident_id": incident.id,
            PREFIX + "event_types": sorted({e.type for e in incident.timeline}),
            PREFIX + "first_date": dates[0] if dates else None,
            PREFIX + "last_date": dates[-1] if dates else None,
            PREFIX + "events": [_event_record(e) for e in incident.timeline],
            PREFIX + "accountability": [_account(a.to_dict()) for a in incident.accountability],
            PREFIX + "merged_from": list(incident.merged_from) or None,
        }
        return _props(props)

    # the bundle

    def finalize(self) -> None:
        objects = [self._make(object_id) for object_id in sorted(self.objects)]
        objects += [self._report(doc_id, ids) for doc_id, ids in sorted(self.supports.items())]
        objects.sort(key=lambda o: (o.type == "report", o.type, o.id))
        bundle_id = stix_id("bundle", *(o.id for o in objects))
        bundle = stix2.v21.Bundle(objects=objects, id=bundle_id, allow_custom=True)
        self.out.write(pretty_json(bundle) + "\n")

    def _make(self, object_id: str) -> Any:
        created, modified = self.seen.span(object_id)
        kind = object_id.split("--")[0]
        entry = self.objects[object_id]
        props = entry[1] if entry is not None else _entity_props(kind, self.entity_of[object_id])
        cls = stix2.v21.OBJ_MAP[kind]
        return cls(id=object_id, created=created, modified=modified, allow_custom=True, **props)

    def _report(self, document_id: str, object_ids: set[str]) -> Any:
        doc = self.view.document(document_id)
        published = day_of(doc.published)
        props = {
            "name": doc.title or doc.id,
            "published": published,
            "report_types": ["threat-report"],
            "object_refs": sorted(object_ids),
            "external_references": [self._reference(document_id)],
            PREFIX + "document_id": doc.id,
            PREFIX + "content_hash": doc.content_hash,
            PREFIX + "outlet": doc.outlet,
        }
        report_id = stix_id("report", document_id)
        return stix2.v21.Report(
            id=report_id, created=published, modified=published, allow_custom=True, **_clean(props)
        )


def pretty_json(bundle: Any) -> str:
    """``bundle.serialize(pretty=True)``, byte for byte, in linear rather than quadratic time.

    stix2 orders the keys of every mapping it writes with ``find_property_index(bundle, key, value)``, a
    search of the whole bundle for the first mapping (pre-order) holding ``key`` with an equal value; one
    search per key written made a bundle of some 10,000 keys take minutes. Here one walk of the bundle
    indexes the first holder of every (key, value) pair, and the same encoder writes with the same order."""
    return str(
        bundle.serialize(
            pretty=False, indent=4, separators=(",", ": "), item_sort_key=_property_order(bundle)
        )
    )


def _property_order(root: Any) -> Callable[[tuple[str, Any]], int]:
    """stix2's ``sort_by`` for ``root``: the index of a key in the first mapping that holds it with an equal
    value (its place among the properties of a STIX object, among the sorted keys of a dict), else -1."""
    memo: dict[int, tuple[Any, Any]] = {}
    first: dict[tuple[str, Any], int] = {}

    def visit(node: Any) -> None:
        # as find_property_index searches: STIX objects, then dicts, then lists; nothing else is entered
        if isinstance(node, stix2.base._STIXBase):
            keys = list(node)
        elif isinstance(node, dict):
            keys = sorted(node)
        elif isinstance(node, list):
            for child in node:
                visit(child)
            return
        else:
            return
        for index, key in enumerate(keys):
            first.setdefault((key, _frozen(node[key], memo)), index)
        for child in node.values():
            visit(child)

    visit(root)

    def sort_by(item: tuple[str, Any]) -> int:
        key, value = item
        if key.isdigit():  # as stix2 does for keys that are numbers
            return int(key)
        return first.get((key, _frozen(value, memo)), -1)

    return sort_by


def _frozen(value: Any, memo: dict[int, tuple[Any, Any]]) -> Any:
    """A hashable stand-in for a JSON-like value that equals another's exactly when the values are equal:
    mappings (dicts and STIX objects, which compare by items) become sets of items, lists and tuples tagged
    tuples. Containers are memoised by id, the memo keeping them alive so that no id is reused."""
    if not isinstance(value, Mapping | list | tuple):
        hash(value)  # anything else unhashable would need a case of its own
        return value
    seen = memo.get(id(value))
    if seen is not None:
        return seen[1]
    frozen: Any
    if isinstance(value, Mapping):
        frozen = ("mapping", frozenset((k, _frozen(v, memo)) for k, v in value.items()))
    else:
        kind = "list" if isinstance(value, list) else "tuple"
        frozen = (kind, tuple(_frozen(v, memo) for v in value))
    memo[id(value)] = (value, frozen)
    return frozen


def _entity_props(kind: str, entity: EntityDetail) -> dict[str, Any]:
    """The properties of an identity, threat actor or intrusion set standing for one of our entities."""
    props: dict[str, Any] = {
        "name": entity.name,
        PREFIX + "entity_id": entity.id,
        PREFIX + "entity_type": entity.type,
        PREFIX + "names": list(entity.names),
    }
    if entity.country:
        props[PREFIX + "country"] = entity.country
    aliases = [n for n in entity.names if n != entity.name]
    if kind == "identity":
        props["identity_class"] = "individual" if entity.type == "PERSON" else "organization"
    elif kind == "threat-actor":
        state = entity.type == "STATE" or entity.country
        props["threat_actor_types"] = ["nation-state"] if state else ["unknown"]
        props["aliases"] = aliases or None
    else:
        props["aliases"] = aliases or None
    return _props(props)


def _event_record(event: EventView) -> dict[str, Any]:
    """An event as the incident's custom property holds it: every value and its source span."""
    roles = {
        role: [_clean({"name": a.name, "entity_id": a.entity_id}) for a in args]
        for role, args in sorted(event.roles.items())
        if args
    }
    src = event.source
    return _props(
        {
            "event_id": event.id,
            "event_type": event.type,
            "date": event.date,
            "status": event.status,
            "negated_or_hypothetical": event.negated_or_hypothetical,
            "review": event.review,
            "trigger": event.trigger,
            "roles": roles,
            "document_id": src.document_id,
            "trigger_span": [src.start, src.end],
            "sentence_span": [src.sentence_start, src.sentence_end],
            "also_reported_in": [s.document_id for s in event.also_reported_in] or None,
        }
    )


def _account(account: dict[str, Any]) -> dict[str, Any]:
    steps = [
        {"step": s["step"], "date": s["date"], "event_id": s["event_id"]} for s in account.get("steps", [])
    ]
    return _props({**{k: account[k] for k in ("name", "entity_id", "status")}, "steps": steps})
