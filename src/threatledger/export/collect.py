"""Read what every exporter needs from a :class:`~threatledger.store.Store`, through its public methods
only: the incidents a filter selects (with timelines and accountability), the entities their events name,
and the documents that report them."""

from __future__ import annotations

from dataclasses import dataclass, field

from threatledger.store.base import Store
from threatledger.store.records import EntityDetail, IncidentDetail, IncidentFilter, Source


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """A source document as the exports cite it."""

    id: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    outlet: str | None = None
    content_hash: str | None = None

    @property
    def label(self) -> str:
        """How a table names the source: the outlet, else the title, else the document id."""
        return self.outlet or self.title or self.id


@dataclass(slots=True)
class LedgerView:
    """The incidents to export, oldest first, and what their events point at."""

    incidents: list[IncidentDetail] = field(default_factory=list)
    entities: dict[str, EntityDetail] = field(default_factory=dict)
    documents: dict[str, DocumentInfo] = field(default_factory=dict)

    def entity(self, entity_id: str | None) -> EntityDetail | None:
        return self.entities.get(entity_id) if entity_id else None

    def document(self, document_id: str) -> DocumentInfo:
        return self.documents.get(document_id) or DocumentInfo(document_id)


def collect(store: Store, filters: IncidentFilter | None = None) -> LedgerView:
    """Every incident that ``filters`` select, with its entities and source documents."""
    total = max(store.stats().incidents, 1)
    summaries = store.incidents(filters, limit=total)
    view = LedgerView()
    details = [store.incident(s.id) for s in summaries]
    view.incidents = sorted(details, key=_incident_order)
    _add_entities(store, view)
    _add_documents(store, view)
    return view


def _incident_order(incident: IncidentDetail) -> tuple[bool, str, str]:
    dates = sorted(e.date for e in incident.timeline if e.date)
    return (not dates, dates[0] if dates else "", incident.id)


def _add_entities(store: Store, view: LedgerView) -> None:
    wanted = sorted(
        {
            arg.entity_id
            for incident in view.incidents
            for event in incident.timeline
            for args in event.roles.values()
            for arg in args
            if arg.entity_id
        }
    )
    for entity_id in wanted:
        found = store.entity(entity_id)
        match = next((e for e in found if e.id == entity_id), found[0] if found else None)
        if match is not None:
            view.entities[entity_id] = match


def _add_documents(store: Store, view: LedgerView) -> None:
    sources: dict[str, Source] = {}
    for incident in view.incidents:
        for event in incident.timeline:
            for source in (event.source, *event.also_reported_in):
                sources.setdefault(source.document_id, source)
    for row in store.export_documents():
        doc = row["doc"]
        if doc["id"] in sources:
            view.documents[doc["id"]] = DocumentInfo(
                doc["id"], doc["title"], doc["url"], doc["published"], doc["outlet"], doc["content_hash"]
            )
    for doc_id, source in sources.items():
        view.documents.setdefault(doc_id, DocumentInfo(doc_id, source.title, source.url, source.published))
