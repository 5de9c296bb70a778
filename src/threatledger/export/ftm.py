"""FollowTheMoney: entities as JSON lines, one ``EntityProxy.to_dict()`` a line (the ``followthemoney``
library), ready for ``ftm`` tooling, Aleph or nomenklatura.

People become ``Person``; organisations ``Organization``, or ``PublicBody`` when their name says they are
part of a state (police, court, ministry, guard corps...); states ``PublicBody``. Each event becomes an
``Event``; a case with prosecution steps a ``CourtCase`` with a ``CourtCaseParty`` for each defendant and
prosecutor; each sanction a ``Sanction`` per target. Every source document is an ``Article``, and a
``Documentation`` links each entity to each document that names it, with the roles it plays there.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from typing import IO

from followthemoney import model
from followthemoney.proxy import EntityProxy

from threatledger.export.base import event_documents, live_events
from threatledger.export.collect import LedgerView
from threatledger.export.geo import locate
from threatledger.store.records import EventView, IncidentDetail, PersonAccount

PUBLIC_WORDS = frozenset(
    "police court courts prosecutor prosecutors prosecution ministry government guard guards corps army"
    " intelligence agency service services embassy council parliament office department judiciary military"
    " navy tribunal gendarmerie authorities authority state security judges".split()
)
SCHEMA_OF_TYPE = {"PERSON": "Person", "ORG": "Organization", "STATE": "PublicBody"}
PROSECUTION = frozenset({"CHARGE", "TRIAL", "CONVICTION", "SENTENCE"})
_UNSAFE = re.compile(r"[^0-9a-zA-Z.-]+")
_OUR_ID = re.compile(r"^[a-z]+_[0-9a-f]+$")


def ftm_id(value: str, *, prefix: str = "doc") -> str:
    """An FtM id (letters, digits, dots and dashes) from one of our ids, stable and collision-free:
    ``ent_3f9a...`` gives ``ent-3f9a...``; any other value gets ``prefix`` and, when unsafe, a hash."""
    if _OUR_ID.match(value):
        return value.replace("_", "-")
    slug = _UNSAFE.sub("-", value).strip("-.")
    if slug != value:
        slug = f"{slug[:40]}-{hashlib.sha1(value.encode('utf-8')).hexdigest()[:12]}".strip("-")
    return f"{prefix}-{slug}"


def derived_id(prefix: str, *parts: str) -> str:
    """The FtM id of a record we make from several of ours (a party, a documentation link)."""
    return f"{prefix}-{hashlib.sha1(chr(31).join(parts).encode('utf-8')).hexdigest()[:24]}"


def schema_of(entity_type: str, name: str) -> str:
    if entity_type == "ORG" and PUBLIC_WORDS.intersection(name.lower().split()):
        return "PublicBody"
    return SCHEMA_OF_TYPE.get(entity_type, "Organization")


class FtmExporter:
    """Builds FtM entities incident by incident; ``finalize()`` writes them sorted by id."""

    def __init__(self, out: IO[str], view: LedgerView) -> None:
        self.out, self.view = out, view
        self.entities: dict[str, EntityProxy] = {}
        self.roles: dict[tuple[str, str], set[str]] = defaultdict(set)  # (ftm id, doc id) -> roles

    def _make(self, schema: str, entity_id: str) -> EntityProxy:
        if entity_id not in self.entities:
            proxy = model.make_entity(schema)
            proxy.id = entity_id
            self.entities[entity_id] = proxy
        return self.entities[entity_id]

    def _document(self, document_id: str) -> str:
        doc = self.view.document(document_id)
        proxy = self._make("Article", ftm_id(doc.id))
        proxy.add("title", doc.title or doc.id)
        proxy.add("sourceUrl", doc.url)
        proxy.add("publishedAt", doc.published)
        proxy.add("publisher", doc.outlet)
        return str(proxy.id)

    def _documented(self, ftm: str, event: EventView, role: str) -> list[str]:
        """The Article ids behind an event; each remembers that ``ftm`` plays ``role`` there."""
        articles = []
        for doc_id in event_documents(event):
            articles.append(self._document(doc_id))
            self.roles[(ftm, doc_id)].add(role)
        return articles

    def _party(self, entity_id: str | None) -> str | None:
        """The FtM entity of one of our entities (made on first sight); None for places and unknowns."""
        entity = self.view.entity(entity_id)
        if entity is None or entity.type == "PLACE":
            return None
        proxy = self._make(schema_of(entity.type, entity.name), ftm_id(entity.id))
        proxy.add("name", entity.name)
        proxy.add("alias", [n for n in entity.names if n != entity.name])
        proxy.add("country", entity.country)
        return str(proxy.id)

    def write(self, incident: IncidentDetail) -> None:
        self._court_case(incident)
        for event in incident.timeline:
            self._event(event, incident)
        for event in live_events(incident):
            if event.type == "SANCTION":
                self._sanctions(event)

    def _event(self, event: EventView, incident: IncidentDetail) -> None:
        proxy = self._make("Event", ftm_id(event.id))
        label = event.type.replace("_", " ").title()
        proxy.add("name", f"{label}: {incident.summary or incident.id}")
        proxy.add("date", event.date)
        proxy.add("description", event.sentence)
        proxy.add("summary", incident.summary)
        proxy.add("recordId", event.id)
        keywords = [event.type, event.status, f"incident:{incident.id}"]
        proxy.add(
            "keywords", keywords + (["negated_or_hypothetical"] if event.negated_or_hypothetical else [])
        )
        proxy.add("proof", self._documented(str(proxy.id), event, event.type))
        if event.negated_or_hypothetical:
            proxy.add("namesMentioned", [a.name for args in event.roles.values() for a in args])
            return
        self._event_roles(proxy, event)

    def _event_roles(self, proxy: EntityProxy, event: EventView) -> None:
        for role, args in sorted(event.roles.items()):
            for arg in args:
                if role == "place":
                    place = locate(arg.name, getattr(self.view.entity(arg.entity_id), "country", None))
                    proxy.add("location", arg.name)
                    proxy.add("country", place.country)
                    continue
                party = self._party(arg.entity_id)
                if party is None:
                    proxy.add("namesMentioned", arg.name)
                    continue
                proxy.add("organizer" if role == "sponsor" else "involved", party)
                self._documented(party, event, f"{role} of {event.type}")

    def _sanctions(self, event: EventView) -> None:
        authorities = [a.name for a in event.roles.get("agent", ())]
        for arg in event.roles.get("target", ()):
            party = self._party(arg.entity_id)
            if party is None:
                continue
            proxy = self._make("Sanction", derived_id("sanction", event.id, arg.entity_id or ""))
            proxy.add("entity", party)
            proxy.add("authority", authorities)
            proxy.add("date", event.date)
            proxy.add("reason", event.sentence)
            proxy.add("recordId", event.id)
            proxy.add(
                "proof", [self._document(d) for d in event_documents(event)]
            )  # not a Thing: no Documentation

    def _court_case(self, incident: IncidentDetail) -> None:
        """A court case for an incident with prosecution steps; its defendants and prosecutors as parties."""
        steps = [e for e in live_events(incident) if e.type in PROSECUTION]
        if not steps:
            return
        case = self._make("CourtCase", "case-" + ftm_id(incident.id))
        case.add("name", f"Case: {incident.summary or incident.id}")
        case.add("fileDate", next((e.date for e in steps if e.type == "CHARGE"), None))
        case.add("court", [a.name for e in steps if e.type != "CHARGE" for a in e.roles.get("agent", ())])
        for event in steps:
            case.add("proof", self._documented(str(case.id), event, event.type))
        for account in incident.accountability:
            self._case_party(str(case.id), account.entity_id, "defendant", account)
        for event in steps:
            if event.type == "CHARGE":
                for arg in event.roles.get("agent", ()):
                    self._case_party(str(case.id), arg.entity_id, "prosecutor", None)

    def _case_party(self, case: str, entity_id: str | None, role: str, account: PersonAccount | None) -> None:
        party = self._party(entity_id)
        if party is None:
            return
        proxy = self._make("CourtCaseParty", derived_id("party", case, entity_id or "", role))
        proxy.add("case", case)
        proxy.add("party", party)
        proxy.add("role", role)
        if account is not None:
            proxy.add("status", account.status)
            proxy.add("startDate", next((s.date for s in account.steps if s.date), None))
            proxy.add("description", "; ".join(f"{s.date or 'undated'} {s.step}" for s in account.steps))

    def _documentation(self) -> None:
        """One Documentation per (entity, document), naming the roles the entity plays there."""
        for (ftm, doc_id), roles in sorted(self.roles.items()):
            article = ftm_id(doc_id)
            proxy = self._make("Documentation", derived_id("documentation", ftm, doc_id))
            proxy.add("entity", ftm)
            proxy.add("document", article)
            proxy.add("role", "; ".join(sorted(roles)))
            proxy.add("date", self.view.document(doc_id).published)

    def finalize(self) -> None:
        self._documentation()
        for entity_id in sorted(self.entities):
            data = self.entities[entity_id].to_dict()
            self.out.write(json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n")
